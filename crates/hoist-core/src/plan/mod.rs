//! Promotion plans: exactly what a promotion would change, computed before
//! anything is written.
//!
//! Invariant: a plan's new file contents re-read to the intended versions,
//! and differ from the base contents only in the located values' bytes.

use serde::Serialize;

mod guards;
pub mod request;
mod sync;

use crate::Project;
use crate::config::App;
use crate::diff::{self, FileDiff};
use crate::history::{self, VersionChange};
use crate::point;
use crate::point::{At, Point, Resolved};
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
    /// The source repository's page comparing the two versions, when configured.
    pub compare: Option<String>,
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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            now: jiff::Timestamp::now(),
            mode: Mode::Version,
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
            | Warning::Downgrade { message, .. }
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

    let chosen: Vec<&App> = config
        .apps
        .iter()
        .filter(|a| request.apps.is_empty() || request.apps.contains(&a.name))
        .filter(|a| a.runs_in(source_env) && a.runs_in(target_env))
        .collect();
    let (changes, files) = match request.options.mode {
        Mode::Version => by_version(project, &chosen, &source_side, &target_side)?,
        Mode::Sync => sync::by_sync(project, &chosen, &source_side, &target_side)?,
    };
    if files.is_empty() {
        return Ok(None);
    }

    let warnings = guards::warnings(project, request, &source_side, &target_side, &changes)?;
    let changelog = if request.kind == PlanKind::Promotion {
        let wanted: Vec<(String, String)> = changes
            .iter()
            .map(|c| (c.app.clone(), c.from.clone()))
            .collect();
        history::changelogs(project, request.source, &wanted)?
    } else {
        Vec::new()
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
    }))
}

/// Version mode: each app's located value in the target becomes the source's.
fn by_version(
    project: &Project,
    chosen: &[&App],
    source_side: &Side<'_>,
    target_side: &Side<'_>,
) -> Result<(Vec<AppChange>, Vec<FileChange>), Error> {
    let target_env = target_side.0.env;
    let mut changes = Vec::new();
    let mut files: Vec<FileChange> = Vec::new();
    for app in chosen {
        let wanted = source_side.version(project, app)?;
        let (path, locator) = app.location_in(target_env);
        let at = match files.iter().position(|f| f.path == path) {
            Some(at) => at,
            None => {
                let old = target_side.file(project, app, &path)?;
                files.push(FileChange {
                    path: path.clone(),
                    new: Some(old.clone()),
                    old: Some(old),
                });
                files.len() - 1
            }
        };
        let file = &mut files[at];
        let content = file.new.as_deref().unwrap_or_default();
        let current = target_side.read(app, locator, &path, content)?;
        if current == wanted {
            continue;
        }
        file.new = Some(
            locator
                .write(&path, content, &wanted)
                .map_err(|e| target_side.locate_error(app, e))?,
        );
        changes.push(app_change(app, path, current, wanted));
    }
    files.retain(|f| f.old != f.new);
    Ok((changes, files))
}

fn app_change(app: &App, file: String, from: String, to: String) -> AppChange {
    AppChange {
        app: app.name.clone(),
        file,
        compare: app.source.as_ref().map(|s| s.compare_url(&from, &to)),
        from,
        to,
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

    fn version(&self, project: &Project, app: &App) -> Result<String, Error> {
        let (path, locator) = app.location_in(self.0.env);
        let content = self.file(project, app, &path)?;
        self.read(app, locator, &path, &content)
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
