//! Promotion plans: exactly what a promotion would change, computed before
//! anything is written.
//!
//! Invariant: a plan's new file contents re-read to the intended versions,
//! and differ from the base contents only in the located values' bytes.

use serde::Serialize;

use crate::Project;
use crate::config::App;
use crate::diff::{self, FileDiff};
use crate::history::{self, VersionChange};
use crate::point;
use crate::point::{At, Point, Resolved};
use crate::repo;
use crate::version;

/// A promotion of one or more apps from a source environment to a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// For a promotion, per changed app, the version changes on the source
    /// between the target's version and the promoted one, newest first.
    pub changelog: Vec<VersionChange>,
}

/// One app's version change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppChange {
    /// App name.
    pub app: String,
    /// Repository path of the file in the target.
    pub file: String,
    /// The target's version now.
    pub from: String,
    /// The version it gets.
    pub to: String,
}

/// One file's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// Repository path.
    pub path: String,
    /// Content at the base commit.
    #[serde(skip)]
    pub old: Vec<u8>,
    /// Content after the promotion.
    #[serde(skip)]
    pub new: Vec<u8>,
}

impl FileChange {
    /// The line diff of this file with `context` lines around each change.
    pub fn diff(&self, context: usize) -> FileDiff {
        diff::diff_file(
            &self.path,
            &self.path,
            Some(&self.old),
            Some(&self.new),
            context,
        )
    }
}

/// Whether a plan moves versions forward from upstream or back in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    if source.environment == target && source.at == At::Tip {
        return Err(Error::SameEnvironment(target.to_owned()));
    }
    build(
        project,
        PlanKind::Promotion,
        source,
        &Point::tip(target),
        apps,
    )
}

/// Plans setting `apps` (all that differ when empty) of environment `env`
/// back to their versions at `to`, an earlier point of its own history.
pub fn rollback(
    project: &Project,
    env: &str,
    to: At,
    apps: &[String],
) -> Result<Option<PromotionPlan>, Error> {
    let source = Point {
        environment: env.to_owned(),
        at: to,
    };
    build(project, PlanKind::Rollback, &source, &Point::tip(env), apps)
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
    build(project, PlanKind::Comparison, to, from, apps)
}

fn build(
    project: &Project,
    kind: PlanKind,
    source: &Point,
    target: &Point,
    apps: &[String],
) -> Result<Option<PromotionPlan>, Error> {
    let config = &project.config;
    for name in apps {
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
    let source_side = Side(source.resolve(project)?);
    let target_side = Side(target.resolve(project)?);
    let (source_env, target_env) = (source_side.0.env, target_side.0.env);

    let chosen = config
        .apps
        .iter()
        .filter(|a| apps.is_empty() || apps.contains(&a.name))
        .filter(|a| a.runs_in(source_env) && a.runs_in(target_env));
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
                    new: old.clone(),
                    old,
                });
                files.len() - 1
            }
        };
        let file = &mut files[at];
        let locate_error = |source| Error::Locate {
            app: app.name.clone(),
            branch: target_side.0.branch.clone(),
            source: Box::new(source),
        };
        let current = locator.read(&path, &file.new).map_err(locate_error)?.value;
        if current == wanted {
            continue;
        }
        file.new = locator
            .write(&path, &file.new, &wanted)
            .map_err(locate_error)?;
        changes.push(AppChange {
            app: app.name.clone(),
            file: path,
            from: current,
            to: wanted,
        });
    }
    files.retain(|f| f.old != f.new);
    if changes.is_empty() {
        return Ok(None);
    }

    let mut warnings = Vec::new();
    let upstream = config.upstream_of(target_env).map(|u| u.name.clone());
    if kind == PlanKind::Promotion && upstream.as_deref() != Some(source_env.name.as_str()) {
        let message = match &upstream {
            Some(u) => format!(
                "{} takes its versions from {u}, not {}: this promotion skips the usual path",
                target_env.name, source_env.name
            ),
            None => format!(
                "{} has no upstream environment; promoting into it from {} is unusual",
                target_env.name, source_env.name
            ),
        };
        warnings.push(Warning::SkipsEnvironment { upstream, message });
    }
    for c in changes.iter().filter(|_| kind == PlanKind::Promotion) {
        if version::is_downgrade(&c.from, &c.to) {
            warnings.push(Warning::Downgrade {
                app: c.app.clone(),
                message: format!(
                    "{}: {} is older than {}, the version {} runs now",
                    c.app, c.to, c.from, target_env.name
                ),
            });
        }
    }
    let mut changelog = Vec::new();
    if kind == PlanKind::Promotion {
        for c in &changes {
            changelog.extend(history::changelog(project, source, &c.app, &c.from)?);
        }
    }
    Ok(Some(PromotionPlan {
        kind,
        source: source_env.name.clone(),
        source_commit: source_side.0.commit.to_string(),
        target: target_env.name.clone(),
        target_branch: target_side.0.branch.clone(),
        base: target_side.0.commit.to_string(),
        apps: changes,
        files,
        warnings,
        changelog,
    }))
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
        locator
            .read(&path, &content)
            .map(|l| l.value)
            .map_err(|source| Error::Locate {
                app: app.name.clone(),
                branch: self.0.branch.clone(),
                source: Box::new(source),
            })
    }
}
