//! Promotion plans: exactly what a promotion would change, computed before
//! anything is written.
//!
//! Invariant: a plan's new file contents re-read to the intended versions,
//! and differ from the base contents only in the located values' bytes.

use serde::Serialize;

mod guards;
mod next;
pub mod request;
mod sync;
pub mod train;

use crate::Project;
use crate::config::{App, Location};
use crate::diff::{self, FileDiff};
use crate::history::{self, VersionChange};
use crate::hydrator::{self, DryChanges};
use crate::point;
use crate::point::{At, Point, Resolved};
use crate::read::{Reading, Source, Unreadable};
use crate::repo;

/// A promotion of one or more apps from a source environment to a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PromotionPlan {
    /// A promotion from another environment, or a rollback to an earlier point of the target.
    pub kind: PlanKind,
    /// The environment versions come from.
    pub source: String,
    /// The source branch's tip the versions were read at.
    pub source_commit: String,
    /// The environment that changes.
    pub target: String,
    /// The target's branch.
    pub target_branch: String,
    /// The target branch's tip the change is built on; a pull request must use exactly this base.
    pub base: String,
    /// Per app, the version before and after.
    pub apps: Vec<AppChange>,
    /// Per file, the content before and after.
    pub files: Vec<FileChange>,
    /// Things the release manager should know before opening the PR.
    pub warnings: Vec<Warning>,
    /// A lock or freeze applies: the PR may only be opened with an override reason.
    pub blocked: bool,
    /// For a promotion, per changed app, the version changes on the source
    /// between the target's version and the promoted one, newest first.
    pub changelog: Vec<VersionChange>,
    /// For apps rendered by a hydrator, the dry branch's commits between the
    /// target's dry commit and the promoted one.
    pub dry_changes: Vec<DryChanges>,
    /// When the promotion is merging a branch someone else writes (a
    /// hydrator's next branch) rather than a change Hoist makes: that branch.
    /// The pull request is then from it, and `source_commit` is its tip.
    pub head: Option<String>,
    /// The release train this plan is one pull request of (see [`train`]);
    /// its pull request's marker carries it, so the tracker groups them.
    pub train: Option<String>,
    /// Per app with a source repository, the release notes of its version
    /// delta, once read (after the preview: never part of planning, and
    /// never read from the GitOps repository). Its pull request's body
    /// shows them; front ends get them on their own.
    #[serde(skip)]
    #[ts(skip)]
    pub source_notes: Vec<crate::notes::SourceNotes>,
}

/// One app's version change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AppChange {
    /// App name.
    pub app: String,
    /// Repository path of the file in the target.
    pub file: String,
    /// The target's version now.
    pub from: String,
    /// The version it gets.
    pub to: String,
    /// The source repository's page comparing the two versions, when known.
    pub compare: Option<String>,
    /// The app's source repository and the two versions' tags there, where
    /// its release notes come from: configured, or inferred from its image.
    pub source: Option<crate::source::SourceRef>,
    /// How the target's files get the new version.
    pub edit: Edit,
}

/// How a plan changes an app's version in the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Edit {
    /// The value in the environment's own file changes.
    Value,
    /// The environment inherited the version from its base; the value is
    /// added to the environment's own file, which then overrides the base.
    Override,
    /// The shared base changes, and with it every environment that inherits from it.
    Base,
    /// Files change as a whole (sync mode, rollbacks of rendered manifests,
    /// a hydrator's branch).
    Files,
}

/// One file's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FileChange {
    /// Repository path.
    pub path: String,
    /// Content at the base commit; `None` when the plan adds the file.
    #[serde(skip)]
    pub old: Option<Vec<u8>>,
    /// Content after the promotion; `None` when the plan removes the file.
    #[serde(skip)]
    pub new: Option<Vec<u8>>,
    /// The file is executable (`100755`): as it is on the base, or, for a
    /// file the plan adds, where it comes from. The written tree keeps it.
    #[serde(skip)]
    pub executable: bool,
}

impl FileChange {
    /// The line diff of this file with `context` lines around each change.
    pub fn diff(&self, context: usize) -> FileDiff {
        diff::diff_file(
            &self.path,
            &self.path,
            self.old.as_deref(),
            self.new.as_deref(),
            context,
        )
    }
}

/// How a promotion changes the target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Only the located version values change.
    #[default]
    Version,
    /// The app's files (its `sync` paths) become the source's, except the
    /// environment-specific ones it excludes.
    Sync,
}

/// What a plan is computed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The time locks and freeze windows are judged at.
    pub now: jiff::Timestamp,
    /// Version or sync mode.
    pub mode: Mode,
    /// Where the target inherits a version from a base: change the base
    /// itself (and every environment inheriting it) instead of adding an
    /// override to the target's own file.
    pub base: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            now: jiff::Timestamp::now(),
            mode: Mode::Version,
            base: false,
        }
    }
}

/// Whether a plan moves versions forward from upstream or back in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// Versions come from another environment.
    Promotion,
    /// Versions come from an earlier point of the target's own history.
    Rollback,
    /// A view of how two points differ; its base may not be a tip, so it is
    /// never opened as a pull request.
    Comparison,
}

/// Something worth knowing before promoting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The source is not the target's upstream: the promotion skips an environment.
    SkipsEnvironment {
        /// The target's configured upstream.
        upstream: Option<String>,
        /// A sentence for people.
        message: String,
    },
    /// The new version is older than the current one.
    Downgrade {
        /// The app.
        app: String,
        /// A sentence for people.
        message: String,
    },
    /// The target's version was written straight onto its branch, not
    /// promoted from upstream; the plan replaces that change.
    Drift {
        /// The app.
        app: String,
        /// The commit that wrote it.
        commit: String,
        /// A sentence for people.
        message: String,
    },
    /// The target environment, or one of the apps in it, is locked.
    Locked {
        /// The locked environment.
        environment: String,
        /// The locked app, when the lock is on apps rather than the environment.
        app: Option<String>,
        /// Who locked it.
        by: String,
        /// Why.
        reason: String,
        /// When the lock ends by itself (RFC 3339), if ever.
        until: Option<String>,
        /// A sentence for people.
        message: String,
    },
    /// The promotion changes a base that other environments inherit from.
    SharedBase {
        /// The app.
        app: String,
        /// The base file.
        file: String,
        /// The other environments that inherit the app's version from it.
        environments: Vec<String>,
        /// A sentence for people.
        message: String,
    },
    /// The branch merged for this promotion also carries other apps' changes.
    Bundled {
        /// The apps that come along.
        apps: Vec<String>,
        /// A sentence for people.
        message: String,
    },
    /// The hydrator's branch holds a version the source environment does not run yet.
    AheadOfSource {
        /// The app.
        app: String,
        /// A sentence for people.
        message: String,
    },
    /// The release notes of what is promoted hold a breaking change.
    Breaking {
        /// The apps that bring it.
        apps: Vec<String>,
        /// The commit that says it breaks something.
        commit: String,
        /// A sentence for people.
        message: String,
    },
    /// A change freeze covers the target environment now.
    Frozen {
        /// The freeze's name.
        freeze: String,
        /// When it ends (RFC 3339).
        until: String,
        /// A sentence for people.
        message: String,
    },
}

impl Warning {
    /// Whether the plan may only go ahead with an override reason.
    pub fn blocks(&self) -> bool {
        matches!(self, Warning::Locked { .. } | Warning::Frozen { .. })
    }

    /// The sentence for people.
    pub fn message(&self) -> &str {
        match self {
            Warning::SkipsEnvironment { message, .. }
            | Warning::SharedBase { message, .. }
            | Warning::Bundled { message, .. }
            | Warning::AheadOfSource { message, .. }
            | Warning::Downgrade { message, .. }
            | Warning::Breaking { message, .. }
            | Warning::Drift { message, .. }
            | Warning::Locked { message, .. }
            | Warning::Frozen { message, .. } => message,
        }
    }
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An app name that configuration does not know.
    #[error("there is no app {name:?}; configured apps are: {known}")]
    UnknownApp {
        /// The name given.
        name: String,
        /// The configured names, comma-separated.
        known: String,
    },
    /// Source and target are the same environment.
    #[error("source and target are both {0}; choose two different environments")]
    SameEnvironment(String),
    /// An environment or point in its history could not be found.
    #[error(transparent)]
    Point(#[from] point::Error),
    /// The source's history could not be read for the changelog.
    #[error(transparent)]
    History(#[from] history::Error),
    /// The repository could not be read.
    #[error("environment {environment}: {source}")]
    Repo {
        /// The environment being read.
        environment: String,
        /// What went wrong.
        source: repo::Error,
    },
    /// A file holding an app's version is missing.
    #[error("app {app}: {file} does not exist on {branch}")]
    MissingFile {
        /// The app.
        app: String,
        /// Repository path.
        file: String,
        /// The branch looked at.
        branch: String,
    },
    /// Neither the environment's own file nor its base gives a version.
    #[error("app {app} on {branch}: {why}")]
    Unreadable {
        /// The app.
        app: String,
        /// The branch looked at.
        branch: String,
        /// Why, naming the files.
        why: String,
    },
    /// A hydrator's next branch that does not exist.
    #[error(
        "{environment} is promoted by merging {branch}, which does not exist; the hydrator has not rendered anything for it yet (fetch, or check the Application's hydrateTo branch)"
    )]
    MissingNext {
        /// The environment.
        environment: String,
        /// The next branch.
        branch: String,
    },
    /// A locator failed to read or write a version.
    #[error("app {app} on {branch}: {source}")]
    Locate {
        /// The app.
        app: String,
        /// The branch looked at.
        branch: String,
        /// What the locator said (boxed: it is large and errors are rare).
        source: Box<hoist_locate::Error>,
    },
}

/// Plans the promotion of `apps` (all apps that differ when empty) from
/// `source` (an environment, or a point of its history) to `target`'s tip.
/// `Ok(None)` means there is nothing to change.
pub fn promotion(
    project: &Project,
    source: &Point,
    target: &str,
    apps: &[String],
) -> Result<Option<PromotionPlan>, Error> {
    promotion_with(project, source, target, apps, &Options::default())
}

/// [`promotion`] in a given mode and at a given time.
pub fn promotion_with(
    project: &Project,
    source: &Point,
    target: &str,
    apps: &[String],
    options: &Options,
) -> Result<Option<PromotionPlan>, Error> {
    if source.environment == target && source.at == At::Tip {
        return Err(Error::SameEnvironment(target.to_owned()));
    }
    let request = Request {
        kind: PlanKind::Promotion,
        source,
        target: &Point::tip(target),
        apps,
        options,
    };
    build(project, &request)
}

/// Everything [`build`] needs to know about what is asked.
struct Request<'a> {
    kind: PlanKind,
    source: &'a Point,
    target: &'a Point,
    apps: &'a [String],
    options: &'a Options,
}

/// Plans setting `apps` (all that differ when empty) of environment `env`
/// back to their versions at `to`, an earlier point of its own history.
pub fn rollback(
    project: &Project,
    env: &str,
    to: At,
    apps: &[String],
) -> Result<Option<PromotionPlan>, Error> {
    rollback_with(project, env, to, apps, &Options::default())
}

/// [`rollback`] at a given time (locks and freezes apply to rollbacks too).
pub fn rollback_with(
    project: &Project,
    env: &str,
    to: At,
    apps: &[String],
    options: &Options,
) -> Result<Option<PromotionPlan>, Error> {
    let source = Point {
        environment: env.to_owned(),
        at: to,
    };
    let request = Request {
        kind: PlanKind::Rollback,
        source: &source,
        target: &Point::tip(env),
        apps,
        options,
    };
    build(project, &request)
}

/// How the versions and files of `apps` (all when empty) differ going from
/// point `from` to point `to`, as `git diff from to` would order them.
/// `Ok(None)` means they run the same versions.
pub fn compare(
    project: &Project,
    from: &Point,
    to: &Point,
    apps: &[String],
) -> Result<Option<PromotionPlan>, Error> {
    let options = Options::default();
    let request = Request {
        kind: PlanKind::Comparison,
        source: to,
        target: from,
        apps,
        options: &options,
    };
    build(project, &request)
}

fn build(project: &Project, request: &Request<'_>) -> Result<Option<PromotionPlan>, Error> {
    let config = &project.config;
    for name in request.apps {
        if !config.apps.iter().any(|a| &a.name == name) {
            return Err(Error::UnknownApp {
                name: name.clone(),
                known: config
                    .apps
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let source_side = Side(request.source.resolve(project)?);
    let target_side = Side(request.target.resolve(project)?);
    let (source_env, target_env) = (source_side.0.env, target_side.0.env);
    if request.kind == PlanKind::Promotion
        && let Some(next) = &target_env.next_branch
    {
        return next::plan(project, request, &source_side, &target_side, next);
    }

    let chosen: Vec<&App> = config
        .apps
        .iter()
        .filter(|a| request.apps.is_empty() || request.apps.contains(&a.name))
        .filter(|a| a.runs_in(source_env) && a.runs_in(target_env))
        .collect();
    let (changes, files) = match request.options.mode {
        Mode::Sync => sync::by_sync(project, &chosen, &source_side, &target_side)?,
        // A rendered app has no value to edit: going back restores its files.
        Mode::Version if request.kind == PlanKind::Rollback => {
            let (rendered, valued): (Vec<&App>, Vec<&App>) = chosen
                .iter()
                .partition(|a| hydrator::is_metadata(&a.location_in(target_env).file));
            let (mut changes, mut files) = by_version(
                project,
                &valued,
                &source_side,
                &target_side,
                request.options,
            )?;
            let (more_changes, more_files) =
                sync::by_sync(project, &rendered, &source_side, &target_side)?;
            changes.extend(more_changes);
            files.extend(more_files);
            (changes, files)
        }
        Mode::Version => by_version(
            project,
            &chosen,
            &source_side,
            &target_side,
            request.options,
        )?,
    };
    if files.is_empty() {
        return Ok(None);
    }

    let mut warnings = guards::warnings(project, request, &source_side, &target_side, &changes)?;
    let (changelog, dry_changes) = if request.kind == PlanKind::Promotion {
        let (rendered, valued): (Vec<&AppChange>, Vec<&AppChange>) =
            changes.iter().partition(|c| hydrator::is_metadata(&c.file));
        let wanted: Vec<(String, String)> = valued
            .iter()
            .map(|c| (c.app.clone(), c.from.clone()))
            .collect();
        let changelog = if wanted.is_empty() {
            Vec::new()
        } else {
            history::changelogs(project, request.source, &wanted)?
        };
        let tickets = project.config.tickets.as_ref().map(|t| t.as_notes());
        let dry = hydrator::dry_changes(&project.repo, &rendered, tickets.as_ref());
        warnings.extend(hydrator::breaking_warnings(&dry));
        (changelog, dry)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Some(PromotionPlan {
        kind: request.kind,
        source: source_env.name.clone(),
        source_commit: source_side.0.commit.to_string(),
        target: target_env.name.clone(),
        target_branch: target_side.0.branch.clone(),
        base: target_side.0.commit.to_string(),
        apps: changes,
        files,
        blocked: warnings.iter().any(Warning::blocks),
        warnings,
        changelog,
        dry_changes,
        head: None,
        train: None,
        source_notes: Vec::new(),
    }))
}

/// Version mode: each app's version in the target becomes the source's.
/// Where the target inherits the version from a base, the value is added to
/// its own file (or, with [`Options::base`], the base changes).
fn by_version(
    project: &Project,
    chosen: &[&App],
    source_side: &Side<'_>,
    target_side: &Side<'_>,
    options: &Options,
) -> Result<(Vec<AppChange>, Vec<FileChange>), Error> {
    let target_env = target_side.0.env;
    let mut changes = Vec::new();
    let mut files: Vec<FileChange> = Vec::new();
    for app in chosen {
        let wanted = source_side.version(project, app)?;
        let source = Source::of(app, target_env);
        let current = target_side.reading(project, app, &source)?;
        if current.version == wanted {
            continue;
        }
        let (location, edit) = match (&source.base, current.inherited) {
            (Some(base), true) if options.base => (base, Edit::Base),
            (_, true) => (&source.own, Edit::Override),
            _ => (&source.own, Edit::Value),
        };
        let Location {
            file: path,
            locator,
        } = location;
        let at = match files.iter().position(|f| f.path == *path) {
            Some(at) => at,
            None => {
                let old = target_side.file(project, app, path)?;
                let executable = project
                    .repo
                    .is_executable(target_side.0.commit, path)
                    .map_err(|e| target_side.repo_error(e))?;
                files.push(FileChange {
                    path: path.clone(),
                    new: Some(old.clone()),
                    old: Some(old),
                    executable,
                });
                files.len() - 1
            }
        };
        let file = &mut files[at];
        let content = file.new.as_deref().unwrap_or_default();
        let written = match edit {
            Edit::Override => locator.insert(path, content, &wanted),
            _ => locator.write(path, content, &wanted),
        };
        file.new = Some(written.map_err(|e| target_side.locate_error(app, e))?);
        let content = file.new.as_deref().unwrap_or_default();
        changes.push(app_change(
            app,
            path.clone(),
            current.version,
            wanted,
            edit,
            content,
        ));
    }
    files.retain(|f| f.old != f.new);
    Ok((changes, files))
}

/// The change of `app` in `file` (whose new `content` may name its image,
/// and so its source repository, when configuration does not).
fn app_change(
    app: &App,
    file: String,
    from: String,
    to: String,
    edit: Edit,
    content: &[u8],
) -> AppChange {
    use crate::source::SourceRef;
    // A hydrator's version is a dry commit of this repository, whose notes
    // are the dry branch's: no image's tags name it.
    let source = match &app.source {
        Some(configured) => SourceRef::configured(configured, &from, &to),
        None if !hydrator::is_metadata(&file) => SourceRef::inferred(content, &from, &to),
        None => None,
    };
    let compare = match &app.source {
        Some(configured) => Some(configured.compare_url(&from, &to)),
        None => source.as_ref().map(SourceRef::compare_url),
    };
    AppChange {
        app: app.name.clone(),
        file,
        compare,
        source,
        from,
        to,
        edit,
    }
}

/// One side of a plan: an environment resolved to a commit.
struct Side<'a>(Resolved<'a>);

impl Side<'_> {
    fn file(&self, project: &Project, app: &App, path: &str) -> Result<Vec<u8>, Error> {
        project
            .repo
            .read_file(self.0.commit, path)
            .map_err(|source| Error::Repo {
                environment: self.0.env.name.clone(),
                source,
            })?
            .ok_or_else(|| Error::MissingFile {
                app: app.name.clone(),
                file: path.to_owned(),
                branch: self.0.branch.clone(),
            })
    }

    /// The app's effective version on this side: its own, or its base's.
    fn version(&self, project: &Project, app: &App) -> Result<String, Error> {
        let source = Source::of(app, self.0.env);
        self.reading(project, app, &source).map(|r| r.version)
    }

    fn reading(&self, project: &Project, app: &App, source: &Source) -> Result<Reading, Error> {
        let tree = project
            .repo
            .tree_of(self.0.commit)
            .map_err(|e| self.repo_error(e))?;
        match source
            .read(&project.repo, tree)
            .map_err(|e| self.repo_error(e))?
        {
            Ok(reading) => Ok(reading),
            Err(Unreadable::Missing(file)) => Err(Error::MissingFile {
                app: app.name.clone(),
                file,
                branch: self.0.branch.clone(),
            }),
            Err(Unreadable::Locate(e)) => Err(self.locate_error(app, e)),
            Err(why) => Err(Error::Unreadable {
                app: app.name.clone(),
                branch: self.0.branch.clone(),
                why: why.to_string(),
            }),
        }
    }

    fn read(
        &self,
        app: &App,
        locator: &hoist_locate::Locator,
        path: &str,
        content: &[u8],
    ) -> Result<String, Error> {
        locator
            .read(path, content)
            .map(|l| l.value)
            .map_err(|e| self.locate_error(app, e))
    }

    fn repo_error(&self, source: repo::Error) -> Error {
        Error::Repo {
            environment: self.0.env.name.clone(),
            source,
        }
    }

    fn locate_error(&self, app: &App, source: hoist_locate::Error) -> Error {
        Error::Locate {
            app: app.name.clone(),
            branch: self.0.branch.clone(),
            source: Box::new(source),
        }
    }
}
