//! Promotion plans: exactly what a promotion would change, computed before
//! anything is written.
//!
//! Invariant: a plan's new file contents re-read to the intended versions,
//! and differ from the base contents only in the located values' bytes.

use serde::Serialize;

use crate::Project;
use crate::config::{App, Environment};
use crate::diff::{self, FileDiff};
use crate::repo;
use crate::version;

/// A promotion of one or more apps from a source environment to a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromotionPlan {
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
        diff::diff_file(&self.path, &self.path, Some(&self.old), Some(&self.new), context)
    }
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
    /// An environment name that configuration does not know.
    #[error("there is no environment {name:?}; configured environments are: {known}")]
    UnknownEnvironment {
        /// The name given.
        name: String,
        /// The configured names, comma-separated.
        known: String,
    },
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
        /// What the locator said.
        source: hoist_locate::Error,
    },
}

/// Plans the promotion of `apps` (all apps that differ when empty) from
/// `source` to `target`. `Ok(None)` means there is nothing to change.
pub fn promotion(project: &Project, source: &str, target: &str, apps: &[String]) -> Result<Option<PromotionPlan>, Error> {
    let config = &project.config;
    let find_env = |name: &str| {
        config.environment(name).ok_or_else(|| Error::UnknownEnvironment {
            name: name.to_owned(),
            known: config.environments.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", "),
        })
    };
    let (source_env, target_env) = (find_env(source)?, find_env(target)?);
    if source_env.name == target_env.name {
        return Err(Error::SameEnvironment(source.to_owned()));
    }
    for name in apps {
        if !config.apps.iter().any(|a| &a.name == name) {
            return Err(Error::UnknownApp {
                name: name.clone(),
                known: config.apps.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", "),
            });
        }
    }
    let source_side = Side::read(project, source_env)?;
    let target_side = Side::read(project, target_env)?;

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
            branch: target_side.branch.clone(),
            source,
        };
        let current = locator.read(&path, &file.new).map_err(locate_error)?.value;
        if current == wanted {
            continue;
        }
        file.new = locator.write(&path, &file.new, &wanted).map_err(locate_error)?;
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
    if upstream.as_deref() != Some(source_env.name.as_str()) {
        let message = match &upstream {
            Some(u) => format!(
                "{} takes its versions from {u}, not {}: this promotion skips the usual path",
                target_env.name, source_env.name
            ),
            None => format!("{} has no upstream environment; promoting into it from {} is unusual", target_env.name, source_env.name),
        };
        warnings.push(Warning::SkipsEnvironment { upstream, message });
    }
    for c in &changes {
        if version::is_downgrade(&c.from, &c.to) {
            warnings.push(Warning::Downgrade {
                app: c.app.clone(),
                message: format!("{}: {} is older than {}, the version {} runs now", c.app, c.to, c.from, target_env.name),
            });
        }
    }
    Ok(Some(PromotionPlan {
        source: source_env.name.clone(),
        source_commit: source_side.tip.to_string(),
        target: target_env.name.clone(),
        target_branch: target_side.branch.clone(),
        base: target_side.tip.to_string(),
        apps: changes,
        files,
        warnings,
    }))
}

/// An environment's branch and tip, read once per plan.
struct Side<'a> {
    env: &'a Environment,
    branch: String,
    tip: gix::ObjectId,
}

impl<'a> Side<'a> {
    fn read(project: &Project, env: &'a Environment) -> Result<Side<'a>, Error> {
        let in_env = |source| Error::Repo {
            environment: env.name.clone(),
            source,
        };
        let branch = match &env.branch {
            Some(b) => b.clone(),
            None => project.repo.default_branch().map_err(in_env)?,
        };
        let tip = project.repo.branch_tip(&branch).map_err(in_env)?;
        Ok(Side { env, branch, tip })
    }

    fn file(&self, project: &Project, app: &App, path: &str) -> Result<Vec<u8>, Error> {
        project
            .repo
            .read_file(self.tip, path)
            .map_err(|source| Error::Repo {
                environment: self.env.name.clone(),
                source,
            })?
            .ok_or_else(|| Error::MissingFile {
                app: app.name.clone(),
                file: path.to_owned(),
                branch: self.branch.clone(),
            })
    }

    fn version(&self, project: &Project, app: &App) -> Result<String, Error> {
        let (path, locator) = app.location_in(self.env);
        let content = self.file(project, app, &path)?;
        locator
            .read(&path, &content)
            .map(|l| l.value)
            .map_err(|source| Error::Locate {
                app: app.name.clone(),
                branch: self.branch.clone(),
                source,
            })
    }
}
