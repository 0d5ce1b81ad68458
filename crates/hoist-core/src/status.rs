//! Status: for every app × environment, the version and the commit that set it.

use gix::ObjectId;
use serde::Serialize;

use crate::config::{Config, Environment};
use crate::repo::{Error as RepoError, Repo};
use hoist_locate::Locator;

/// What runs where: one row per app, one cell per environment in pipeline order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// Environments in pipeline order.
    pub environments: Vec<EnvironmentTip>,
    /// One row per app, in configuration order.
    pub apps: Vec<AppRow>,
}

/// An environment and the commit its branch points at.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppRow {
    /// App name.
    pub name: String,
    /// One cell per environment, in the order of [`Status::environments`].
    pub cells: Vec<Cell>,
}

/// An app in one environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
                    if let (Cell::Version { version, pending, .. }, Some(u)) = (&mut cell, upstream)
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
fn column(repo: &Repo, config: &Config, env: &Environment, branch: &str, tip: ObjectId) -> Result<Vec<Cell>, RepoError> {
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
            Err(e) => cells.push(Cell::Error { message: e.to_string() }),
        }
    }
    for (index, commit) in origins(repo, tip, tree, tracked)? {
        if let Cell::Version { since, .. } = &mut cells[index] {
            *since = Some(repo.commit_info(commit)?);
        }
    }
    Ok(cells)
}

/// An app whose version is known at the tip, followed back through history.
struct Tracked<'a> {
    index: usize,
    file: String,
    locator: &'a Locator,
    version: String,
    /// The file's blob in the newest commit looked at so far.
    blob: ObjectId,
}

/// Walks the first-parent history from `tip` and returns, per tracked app,
/// the commit where its current version was set. First parent, because an
/// environment branch's mainline is what was deployed: a PR's merge commit is
/// where its change landed. Apps whose origin lies beyond a shallow boundary
/// are left out.
fn origins(repo: &Repo, tip: ObjectId, tip_tree: ObjectId, mut open: Vec<Tracked<'_>>) -> Result<Vec<(usize, ObjectId)>, RepoError> {
    let mut found = Vec::with_capacity(open.len());
    let (mut commit, mut tree) = (tip, tip_tree);
    while !open.is_empty() {
        let Some(parent) = first_parent(repo, commit)? else {
            found.extend(open.drain(..).map(|t| (t.index, commit)));
            break;
        };
        let parent_tree = match repo.tree_of(parent) {
            Ok(t) => t,
            Err(RepoError::Shallow { .. }) => break,
            Err(e) => return Err(e),
        };
        if parent_tree != tree {
            let paths: Vec<&str> = open.iter().map(|t| t.file.as_str()).collect();
            let mut changed = Vec::new();
            changed_paths(repo, parent_tree, tree, &paths, &mut changed)?;
            let mut set_here = Vec::new();
            for i in changed {
                let t = &mut open[i];
                let old = repo.blob_in_tree(parent_tree, &t.file)?;
                let old_version = match old {
                    Some(id) => {
                        let content = repo.read_blob(id)?;
                        t.locator.read(&t.file, &content).ok().map(|l| l.value)
                    }
                    None => None,
                };
                match (old, old_version) {
                    (Some(id), Some(v)) if v == t.version => t.blob = id,
                    _ => set_here.push(i),
                }
            }
            set_here.sort_unstable();
            for i in set_here.into_iter().rev() {
                found.push((open.swap_remove(i).index, commit));
            }
        }
        commit = parent;
        tree = parent_tree;
    }
    Ok(found)
}

fn first_parent(repo: &Repo, id: ObjectId) -> Result<Option<ObjectId>, RepoError> {
    let commit = repo.find_commit(id)?;
    Ok(commit.parent_ids().next().map(|p| p.detach()))
}

/// Pushes the index of every path in `paths` whose entry differs between the
/// trees `old` and `new`, descending only into subtrees whose ids differ.
fn changed_paths(repo: &Repo, old: ObjectId, new: ObjectId, paths: &[&str], out: &mut Vec<usize>) -> Result<(), RepoError> {
    let indexed: Vec<(usize, &str)> = paths.iter().copied().enumerate().collect();
    changed_in(repo, Some(old), Some(new), &indexed, out)
}

fn changed_in(repo: &Repo, old: Option<ObjectId>, new: Option<ObjectId>, paths: &[(usize, &str)], out: &mut Vec<usize>) -> Result<(), RepoError> {
    if old == new {
        return Ok(());
    }
    let (Some(old), Some(new)) = (old, new) else {
        out.extend(paths.iter().map(|(i, _)| *i));
        return Ok(());
    };
    let mut heads: Vec<&str> = Vec::new();
    let mut rests: Vec<Vec<(usize, &str)>> = Vec::new();
    for &(i, p) in paths {
        let (head, rest) = p.split_once('/').unwrap_or((p, ""));
        match heads.iter().position(|h| *h == head) {
            Some(at) => rests[at].push((i, rest)),
            None => {
                heads.push(head);
                rests.push(vec![(i, rest)]);
            }
        }
    }
    let before = repo.tree_entries(old, &heads)?;
    let after = repo.tree_entries(new, &heads)?;
    for ((a, b), rests) in before.into_iter().zip(after).zip(rests) {
        if a == b {
            continue;
        }
        let (leaves, deeper): (Vec<_>, Vec<_>) = rests.into_iter().partition(|(_, rest)| rest.is_empty());
        out.extend(leaves.iter().map(|(i, _)| *i));
        if !deeper.is_empty() {
            let as_tree = |e: Option<(ObjectId, bool)>| e.filter(|e| e.1).map(|e| e.0);
            changed_in(repo, as_tree(a), as_tree(b), &deeper, out)?;
        }
    }
    Ok(())
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
        assert_eq!(pr_number("Merge pull request #12 from acme/promote-api"), Some(12));
        assert_eq!(pr_number("Promote api to 1.5.0 (#34)"), Some(34));
        assert_eq!(pr_number("Promote api to 1.5.0 (#34) "), Some(34));
        assert_eq!(pr_number("Bump api (see #34 for context)"), None);
        assert_eq!(pr_number("Promote (#x)"), None);
        assert_eq!(pr_number("Direct edit of api"), None);
    }
}
