//! Status: for every app × environment, the version and the commit that set it.

use gix::ObjectId;
use serde::Serialize;

use std::collections::HashMap;

use crate::cache;
use crate::config::{App, Config, Environment};
use crate::hydrator;
use crate::read::{Source, Unreadable};
use crate::repo::{Error as RepoError, Repo};
use crate::walk::{self, Follow, Tracked};

/// What runs where: one row per app, one cell per environment in pipeline order.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Status {
    /// Environments in pipeline order: by depth, fan-out siblings side by side.
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
    /// How Hoist knows the upstream link.
    pub link: Link,
    /// How many upstream steps lead here from the start of the pipeline.
    pub depth: u32,
    /// A side environment: it takes versions from its upstream, nothing follows it.
    pub side: bool,
    /// The branch a hydrator writes before promotion, when it has one.
    pub next_branch: Option<String>,
    /// The branch tip.
    pub tip: CommitInfo,
}

/// How Hoist knows which environment another takes its versions from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// The first environment of the pipeline: it has no upstream.
    First,
    /// Written in `.hoist.yaml` (or its order there).
    Configured,
    /// Read from the repository's own pipeline resources (Kargo `Stage`s, a
    /// GitOps Promoter `PromotionStrategy`).
    Declared,
    /// Guessed from the environments' names; worth checking.
    Guessed,
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
        /// The environment does not set the version itself: it comes from
        /// `file`, the base it inherits from.
        inherited: bool,
        /// The commit that set this version, when found in the available history.
        since: Option<CommitInfo>,
        /// The version differs from the upstream environment's (a promotion is pending).
        pending: bool,
        /// For rendered manifests, the dry commit the version names, when known.
        dry: Option<Box<CommitInfo>>,
        /// Another version waiting on the environment's next branch.
        proposed: Option<Box<Proposed>>,
    },
    /// The version could not be read; the message says why and what to do.
    Error {
        /// A full sentence naming the file and the problem.
        message: String,
    },
}

/// A version a hydrator has rendered onto an environment's next branch,
/// waiting to be promoted.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Proposed {
    /// The version on the next branch.
    pub version: String,
    /// For rendered manifests, its dry commit, when known.
    pub dry: Option<Box<CommitInfo>>,
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
    /// The change request it merged, as its message names it.
    pub change: Option<crate::forge::ChangeRef>,
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

/// How much a status finds out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The versions only: every cell's `since` is `None`. Quick even for
    /// thousands of apps; [`origins`] fills in the rest.
    Versions,
    /// The versions and the commit that set each: a walk of every
    /// environment's history (remembered, so a second one is quick).
    Origins,
}

/// Computes what runs where for every app and environment of `config`;
/// every upstream link is reported as configured.
pub fn status(repo: &Repo, config: &Config) -> Result<Status, Error> {
    status_with(repo, config, |_| Link::Configured, Depth::Origins)
}

/// [`status`], with `link` telling how each environment's upstream link is known.
pub(crate) fn status_with(
    repo: &Repo,
    config: &Config,
    link: impl Fn(&Environment) -> Link,
    depth: Depth,
) -> Result<Status, Error> {
    let default_branch = repo.default_branch().ok();
    let pipeline = config.pipeline();
    let mut places = Vec::with_capacity(pipeline.len());
    for env in &pipeline {
        let in_env = |source| Error::Environment {
            environment: env.name.clone(),
            source,
        };
        let branch = match env.branch.clone().or_else(|| default_branch.clone()) {
            Some(b) => b,
            None => repo.default_branch().map_err(in_env)?,
        };
        let tip = repo.branch_tip(&branch).map_err(in_env)?;
        places.push((*env, branch, tip));
    }
    let mut columns = columns(repo, config, &places, depth)?;
    let mut environments = Vec::with_capacity(pipeline.len());
    for ((env, branch, tip), cells) in places.into_iter().zip(&mut columns) {
        let in_env = |source| Error::Environment {
            environment: env.name.clone(),
            source,
        };
        if let Some(next) = &env.next_branch {
            propose(repo, config, env, next, cells).map_err(in_env)?;
        }
        let upstream = config.upstream_of(env).map(|u| u.name.clone());
        environments.push(EnvironmentTip {
            name: env.name.clone(),
            branch,
            path: env.path.clone(),
            link: if upstream.is_some() {
                link(env)
            } else {
                Link::First
            },
            upstream,
            depth: u32::try_from(config.depth(env)).unwrap_or(u32::MAX),
            side: env.side,
            next_branch: env.next_branch.clone(),
            tip: repo.commit_info(tip).map_err(in_env)?,
        });
    }
    let position = |name: &str| pipeline.iter().position(|e| e.name == name);
    let apps = config
        .apps
        .iter()
        .enumerate()
        .map(|(a, app)| {
            let cells = pipeline
                .iter()
                .enumerate()
                .map(|(e, env)| {
                    let mut cell = columns[e][a].clone();
                    let upstream = config.upstream_of(env).and_then(|u| position(&u.name));
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

/// Above this many cells, environments are read on several threads.
const PARALLEL_CELLS: usize = 2_000;

/// Each environment's cells, in the order of `places`: on several threads
/// for a large repository (each with its own handle on the repository, which
/// is not shared between threads).
fn columns(
    repo: &Repo,
    config: &Config,
    places: &[(&Environment, String, ObjectId)],
    depth: Depth,
) -> Result<Vec<Vec<Cell>>, Error> {
    let one = |repo: &Repo, (env, branch, tip): &(&Environment, String, ObjectId)| {
        column(repo, config, env, branch, *tip, depth).map_err(|source| Error::Environment {
            environment: env.name.clone(),
            source,
        })
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(places.len());
    if threads < 2 || config.apps.len() * places.len() < PARALLEL_CELLS {
        return places.iter().map(|p| one(repo, p)).collect();
    }
    let mut results: Vec<Option<Result<Vec<Cell>, Error>>> =
        (0..places.len()).map(|_| None).collect();
    let path = repo.path();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads)
            .map(|t| {
                scope.spawn(move || {
                    // Unopenable now: this share falls to the calling thread, which reports why.
                    let Ok(own) = Repo::open(path) else {
                        return Vec::new();
                    };
                    places
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % threads == t)
                        .map(|(i, p)| (i, one(&own, p)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for (i, p) in places.iter().enumerate().filter(|(i, _)| i % threads == 0) {
            results[i] = Some(one(repo, p));
        }
        for worker in workers {
            if let Ok(done) = worker.join() {
                for (i, r) in done {
                    results[i] = Some(r);
                }
            }
        }
    });
    results
        .into_iter()
        .zip(places)
        .map(|(r, p)| r.unwrap_or_else(|| one(repo, p)))
        .collect()
}

/// One environment's cells, in the order of `config.apps`: remembered for
/// the tip and configuration when complete.
fn column(
    repo: &Repo,
    config: &Config,
    env: &Environment,
    branch: &str,
    tip: ObjectId,
    depth: Depth,
) -> Result<Vec<Cell>, RepoError> {
    let key = cache::ColumnKey {
        repository: repo.path().to_owned(),
        tip,
        apps: column_fingerprint(config, env),
    };
    if let Some(cells) = cache::column(&key) {
        return Ok(cells);
    }
    let cells = read_column(repo, config, env, branch, tip, depth)?;
    if depth == Depth::Origins {
        cache::keep_column(key, &cells);
    }
    Ok(cells)
}

/// What an environment's cells depend on besides its tip: which apps run
/// there and where each is read.
fn column_fingerprint(config: &Config, env: &Environment) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env.name.hash(&mut hasher);
    env.path.hash(&mut hasher);
    for app in &config.apps {
        app.runs_in(env).hash(&mut hasher);
        format!("{:?}", Source::of(app, env)).hash(&mut hasher);
    }
    hasher.finish()
}

/// One environment's cells, read.
fn read_column(
    repo: &Repo,
    config: &Config,
    env: &Environment,
    branch: &str,
    tip: ObjectId,
    depth: Depth,
) -> Result<Vec<Cell>, RepoError> {
    let tree = repo.tree_of(tip)?;
    let mut cells = Vec::with_capacity(config.apps.len());
    let mut tracked = Vec::new();
    for (index, app) in config.apps.iter().enumerate() {
        if !app.runs_in(env) {
            cells.push(Cell::Absent);
            continue;
        }
        let source = Source::of(app, env);
        match source.read(repo, tree)? {
            Ok(reading) => {
                let dry = dry_commit(repo, tree, &source, &reading.version)?;
                cells.push(Cell::Version {
                    version: reading.version.clone(),
                    file: reading.file,
                    inherited: reading.inherited,
                    since: None,
                    pending: false,
                    dry,
                    proposed: None,
                });
                tracked.push(Tracked {
                    index,
                    source,
                    version: reading.version,
                });
            }
            Err(Unreadable::Missing(file)) => cells.push(Cell::Error {
                message: format!(
                    "{file} does not exist on branch {branch}; add it, or fix the app's file in .hoist.yaml"
                ),
            }),
            Err(why) => cells.push(Cell::Error {
                message: why.to_string(),
            }),
        }
    }
    if depth == Depth::Origins {
        let commits = origin_commits(repo, branch, tip, tree, tracked, config.apps.len())?;
        let mut known: HashMap<ObjectId, CommitInfo> = HashMap::new();
        for (cell, commit) in cells.iter_mut().zip(commits) {
            if let (Cell::Version { since, .. }, Some(commit)) = (cell, commit) {
                *since = Some(match known.get(&commit) {
                    Some(info) => info.clone(),
                    None => {
                        let info = repo.commit_info(commit)?;
                        known.insert(commit, info.clone());
                        info
                    }
                });
            }
        }
    }
    Ok(cells)
}

/// The commit that set each tracked app's version as of `tip`, by app index
/// (`apps` long). Remembered per branch: the same tip costs nothing, a tip
/// that moved on is walked back only to where it was.
fn origin_commits(
    repo: &Repo,
    branch: &str,
    tip: ObjectId,
    tree: ObjectId,
    tracked: Vec<Tracked>,
    apps: usize,
) -> Result<Vec<Option<ObjectId>>, RepoError> {
    let key = cache::OriginsKey {
        repository: repo.path().to_owned(),
        branch: branch.to_owned(),
        sources: fingerprint(&tracked, apps),
    };
    let known = cache::origins(&key);
    if let Some(k) = &known
        && k.tip == tip
    {
        return Ok(k.commits.clone());
    }
    let followed: Vec<usize> = tracked.iter().map(|t| t.index).collect();
    let mut commits: Vec<Option<ObjectId>> = vec![None; apps];
    let mut found = vec![false; apps];
    walk::changes_until(
        repo,
        tip,
        tree,
        known.as_ref().map(|k| k.tip),
        tracked,
        |change| {
            commits[change.index] = Some(change.commit);
            found[change.index] = true;
            Follow::Stop
        },
    )?;
    // What the walk did not reach changed at or before the tip it stopped at.
    if let Some(k) = &known {
        for i in followed.into_iter().filter(|i| !found[*i]) {
            commits[i] = k.commits.get(i).copied().flatten();
        }
    }
    cache::keep_origins(
        key,
        cache::Origins {
            tip,
            commits: commits.clone(),
        },
    );
    Ok(commits)
}

/// What the origins depend on besides the commits: where each app is read.
fn fingerprint(tracked: &[Tracked], apps: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    apps.hash(&mut hasher);
    for t in tracked {
        t.index.hash(&mut hasher);
        format!("{:?}", t.source).hash(&mut hasher);
    }
    hasher.finish()
}

/// The commit that set each app's version in environment `name`, in the
/// order of `config.apps` (`None` where the app is absent, unreadable, or its
/// origin lies beyond a shallow clone's history): what a status of
/// [`Depth::Versions`] leaves out.
pub fn origins(repo: &Repo, config: &Config, name: &str) -> Result<Vec<Option<CommitInfo>>, Error> {
    let Some(env) = config.environment(name) else {
        return Ok(Vec::new());
    };
    let in_env = |source| Error::Environment {
        environment: name.to_owned(),
        source,
    };
    let branch = match env.branch.clone() {
        Some(b) => b,
        None => repo.default_branch().map_err(in_env)?,
    };
    let tip = repo.branch_tip(&branch).map_err(in_env)?;
    let cells = column(repo, config, env, &branch, tip, Depth::Origins).map_err(in_env)?;
    Ok(cells
        .into_iter()
        .map(|c| match c {
            Cell::Version { since, .. } => since,
            _ => None,
        })
        .collect())
}

/// The dry commit a hydrated app's version names, when its file is a hydrator's metadata.
fn dry_commit(
    repo: &Repo,
    tree: ObjectId,
    source: &Source,
    version: &str,
) -> Result<Option<Box<CommitInfo>>, RepoError> {
    if !hydrator::is_metadata(&source.own.file) {
        return Ok(None);
    }
    Ok(hydrator::dry_commit(repo, tree, &source.own.file, version)?.map(Box::new))
}

/// Marks the cells whose version differs on the environment's next branch.
fn propose(
    repo: &Repo,
    config: &Config,
    env: &Environment,
    next: &str,
    cells: &mut [Cell],
) -> Result<(), RepoError> {
    let tip = match repo.branch_tip(next) {
        Ok(tip) => tip,
        // The hydrator has not written it yet (or it was deleted): nothing waits.
        Err(RepoError::MissingBranch { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    let tree = repo.tree_of(tip)?;
    for (app, cell) in config.apps.iter().zip(cells.iter_mut()) {
        let Cell::Version {
            version, proposed, ..
        } = cell
        else {
            continue;
        };
        let source = Source::of(app, env);
        if let Ok(reading) = source.read(repo, tree)?
            && reading.version != *version
        {
            *proposed = Some(Box::new(Proposed {
                dry: dry_commit(repo, tree, &source, &reading.version)?,
                version: reading.version,
            }));
        }
    }
    Ok(())
}

/// Whether `app` in `env` is rendered by a hydrator: its version is a dry commit.
pub fn is_hydrated(app: &App, env: &Environment) -> bool {
    hydrator::is_metadata(&app.location_in(env).file)
}
