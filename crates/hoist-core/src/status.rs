//! Status: for every app × environment, the version and the commit that set it.

use gix::ObjectId;
use serde::Serialize;

use crate::config::{Config, Environment};
use crate::repo::{Error as RepoError, Repo};
use crate::walk::{self, Follow, Tracked};

/// What runs where: one row per app, one cell per environment in pipeline order.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Status {
    /// Environments in pipeline order.
    pub environments: Vec<EnvironmentTip>,
    /// One row per app, in configuration order.
    pub apps: Vec<AppRow>,
}

/// An environment and the commit its branch points at.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EnvironmentTip {
    /// Environment name.
    pub name: String,
    /// Branch the environment lives on.
    pub branch: String,
    /// Directory of the environment on its branch (`.` for the root).
    pub path: String,
    /// Name of the upstream environment, if any.
    pub upstream: Option<String>,
    /// The branch tip.
    pub tip: CommitInfo,
}

/// One app across all environments.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AppRow {
    /// App name.
    pub name: String,
    /// One cell per environment, in the order of [`Status::environments`].
    pub cells: Vec<Cell>,
}

/// An app in one environment.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Cell {
    /// The app is not deployed to this environment.
    Absent,
    /// The version was found.
    Version {
        /// The version as written in the file.
        version: String,
        /// Repository path of the file holding it.
        file: String,
        /// The commit that set this version, when found in the available history.
        since: Option<CommitInfo>,
        /// The version differs from the upstream environment's (a promotion is pending).
        pending: bool,
    },
    /// The version could not be read; the message says why and what to do.
    Error {
        /// A full sentence naming the file and the problem.
        message: String,
    },
}

/// The facts about a commit a release manager asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// Author time-zone offset in seconds east of UTC.
    pub offset: i32,
    /// First line of the message.
    pub subject: String,
    /// Pull request number parsed from a merge or squash subject.
    #[ts(type = "number | null")]
    pub pr: Option<u64>,
}

/// Why the status could not be computed at all (problems with one cell are
/// reported in that cell instead).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An environment's branch could not be read.
    #[error("environment {environment}: {source}")]
    Environment {
        /// The environment's name.
        environment: String,
        /// What went wrong reading its branch.
        source: crate::repo::Error,
    },
}

/// Computes what runs where for every app and environment of `config`.
pub fn status(repo: &Repo, config: &Config) -> Result<Status, Error> {
    let default_branch = repo.default_branch().ok();
    let mut environments = Vec::with_capacity(config.environments.len());
    let mut columns = Vec::with_capacity(config.environments.len());
    for env in &config.environments {
        let in_env = |source| Error::Environment {
            environment: env.name.clone(),
            source,
        };
        let branch = match env.branch.clone().or_else(|| default_branch.clone()) {
            Some(b) => b,
            None => repo.default_branch().map_err(in_env)?,
        };
        let tip = repo.branch_tip(&branch).map_err(in_env)?;
        let cells = column(repo, config, env, &branch, tip).map_err(in_env)?;
        environments.push(EnvironmentTip {
            name: env.name.clone(),
            branch,
            path: env.path.clone(),
            upstream: config.upstream_of(env).map(|u| u.name.clone()),
            tip: repo.commit_info(tip).map_err(in_env)?,
        });
        columns.push(cells);
    }
    let apps = config
        .apps
        .iter()
        .enumerate()
        .map(|(a, app)| {
            let cells = config
                .environments
                .iter()
                .enumerate()
                .map(|(e, env)| {
                    let mut cell = columns[e][a].clone();
                    let upstream = config
                        .upstream_of(env)
                        .and_then(|u| config.environments.iter().position(|x| x.name == u.name));
                    if let (
                        Cell::Version {
                            version, pending, ..
                        },
                        Some(u),
                    ) = (&mut cell, upstream)
                        && let Cell::Version { version: up, .. } = &columns[u][a]
                    {
                        *pending = up != version;
                    }
                    cell
                })
                .collect();
            AppRow {
                name: app.name.clone(),
                cells,
            }
        })
        .collect();
    Ok(Status { environments, apps })
}

/// One environment's cells, in the order of `config.apps`.
fn column(
    repo: &Repo,
    config: &Config,
    env: &Environment,
    branch: &str,
    tip: ObjectId,
) -> Result<Vec<Cell>, RepoError> {
    let tree = repo.tree_of(tip)?;
    let mut cells = Vec::with_capacity(config.apps.len());
    let mut tracked = Vec::new();
    for (index, app) in config.apps.iter().enumerate() {
        if !app.runs_in(env) {
            cells.push(Cell::Absent);
            continue;
        }
        let (file, locator) = app.location_in(env);
        let Some(blob) = repo.blob_in_tree(tree, &file)? else {
            cells.push(Cell::Error {
                message: format!("{file} does not exist on branch {branch}; add it, or fix the app's file in .hoist.yaml"),
            });
            continue;
        };
        let content = repo.read_blob(blob)?;
        match locator.read(&file, &content) {
            Ok(found) => {
                tracked.push(Tracked {
                    index,
                    file: file.clone(),
                    locator,
                    version: found.value.clone(),
                    blob,
                });
                cells.push(Cell::Version {
                    version: found.value,
                    file,
                    since: None,
                    pending: false,
                });
            }
            Err(e) => cells.push(Cell::Error {
                message: e.to_string(),
            }),
        }
    }
    let mut origins = Vec::new();
    walk::changes(repo, tip, tree, tracked, |change| {
        origins.push((change.index, change.commit));
        Follow::Stop
    })?;
    for (index, commit) in origins {
        if let Cell::Version { since, .. } = &mut cells[index] {
            *since = Some(repo.commit_info(commit)?);
        }
    }
    Ok(cells)
}

/// The pull request number in a GitHub merge subject (`Merge pull request #12
/// from …`) or squash subject (`Promote api to 1.5.0 (#34)`).
pub fn pr_number(subject: &str) -> Option<u64> {
    let digits = |s: &str| -> Option<u64> {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        s[..end].parse().ok()
    };
    if let Some(rest) = subject.strip_prefix("Merge pull request #") {
        return digits(rest);
    }
    let trimmed = subject.trim_end();
    let inner = trimmed.strip_suffix(')')?;
    let at = inner.rfind("(#")?;
    let n = &inner[at + 2..];
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::pr_number;

    #[test]
    fn pr_numbers_from_merge_and_squash_subjects() {
        assert_eq!(
            pr_number("Merge pull request #12 from acme/promote-api"),
            Some(12)
        );
        assert_eq!(pr_number("Promote api to 1.5.0 (#34)"), Some(34));
        assert_eq!(pr_number("Promote api to 1.5.0 (#34) "), Some(34));
        assert_eq!(pr_number("Bump api (see #34 for context)"), None);
        assert_eq!(pr_number("Promote (#x)"), None);
        assert_eq!(pr_number("Direct edit of api"), None);
    }
}
