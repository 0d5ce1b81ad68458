//! Answers that stay true for as long as the objects they were computed from
//! exist: a version read from a blob by a locator, and the commits that set
//! an environment's versions as of a tip. They are kept for the process, so
//! a second status of a repository (the window reloads after every action,
//! each time opening the repository afresh) repeats no work, and a status
//! after a fetch walks only the new commits.
//!
//! Invariant: every key holds what the answer depends on. A blob id and a
//! locator fix a version; a repository, branch, tip and the apps' sources
//! fix the origins (commits are immutable, so an older tip's answers stay
//! right for its commits).

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use gix::ObjectId;

/// How many blob versions are kept: a monorepo's worth of cells.
const KEPT_VERSIONS: usize = 200_000;
/// How many environments' origins are kept.
const KEPT_ORIGINS: usize = 64;

type Versions = clru::CLruCache<(ObjectId, u64), String>;

static VERSIONS: Mutex<Option<Versions>> = Mutex::new(None);

/// A locator as a cache key.
pub(crate) fn locator_key(locator: &hoist_locate::Locator) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    locator.hash(&mut hasher);
    hasher.finish()
}

/// The version the locator keyed `locator` read in `blob`, when read before.
pub(crate) fn version(blob: ObjectId, locator: u64) -> Option<String> {
    let mut guard = VERSIONS.lock().unwrap_or_else(PoisonError::into_inner);
    guard.as_mut()?.get(&(blob, locator)).cloned()
}

/// Remembers the version `locator` read in `blob`. Failures are not kept:
/// their messages name the file, which differs between equal blobs.
pub(crate) fn keep_version(blob: ObjectId, locator: u64, version: &str) {
    let mut guard = VERSIONS.lock().unwrap_or_else(PoisonError::into_inner);
    guard
        .get_or_insert_with(|| {
            clru::CLruCache::new(
                std::num::NonZeroUsize::new(KEPT_VERSIONS).expect("a constant above zero"),
            )
        })
        .put((blob, locator), version.to_owned());
}

/// Which environment's origins: the repository, the branch, and a
/// fingerprint of where each app's version is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct OriginsKey {
    pub repository: PathBuf,
    pub branch: String,
    pub sources: u64,
}

/// The commits that set each app's version as of `tip` (by app index).
#[derive(Debug, Clone)]
pub(crate) struct Origins {
    pub tip: ObjectId,
    pub commits: Vec<Option<ObjectId>>,
}

static ORIGINS: Mutex<Vec<(OriginsKey, Origins)>> = Mutex::new(Vec::new());

/// The origins last computed for `key`, at whatever tip it was then.
pub(crate) fn origins(key: &OriginsKey) -> Option<Origins> {
    let list = ORIGINS.lock().unwrap_or_else(PoisonError::into_inner);
    list.iter()
        .find(|(k, _)| k == key)
        .map(|(_, origins)| origins.clone())
}

/// Keeps `origins` for `key`, the newest first; the oldest go past the limit.
pub(crate) fn keep_origins(key: OriginsKey, origins: Origins) {
    let mut list = ORIGINS.lock().unwrap_or_else(PoisonError::into_inner);
    list.retain(|(k, _)| *k != key);
    list.insert(0, (key, origins));
    list.truncate(KEPT_ORIGINS);
}

/// How many commits' facts are kept.
const KEPT_COMMITS: usize = 100_000;

static COMMITS: Mutex<Option<clru::CLruCache<ObjectId, crate::status::CommitInfo>>> =
    Mutex::new(None);

/// A commit's facts, when read before.
pub(crate) fn commit(id: ObjectId) -> Option<crate::status::CommitInfo> {
    let mut guard = COMMITS.lock().unwrap_or_else(PoisonError::into_inner);
    guard.as_mut()?.get(&id).cloned()
}

/// Remembers a commit's facts.
pub(crate) fn keep_commit(id: ObjectId, info: &crate::status::CommitInfo) {
    let mut guard = COMMITS.lock().unwrap_or_else(PoisonError::into_inner);
    guard
        .get_or_insert_with(|| {
            clru::CLruCache::new(
                std::num::NonZeroUsize::new(KEPT_COMMITS).expect("a constant above zero"),
            )
        })
        .put(id, info.clone());
}

/// One environment's cells at a tip, under one configuration of its apps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ColumnKey {
    pub repository: PathBuf,
    pub tip: ObjectId,
    /// Where each app is read in this environment, and which apps run there.
    pub apps: u64,
}

/// How many columns are kept: a dozen environments of a few repositories.
const KEPT_COLUMNS: usize = 48;

static COLUMNS: Mutex<Vec<(ColumnKey, Vec<crate::status::Cell>)>> = Mutex::new(Vec::new());

/// The cells computed before for `key`, with their origins.
pub(crate) fn column(key: &ColumnKey) -> Option<Vec<crate::status::Cell>> {
    let list = COLUMNS.lock().unwrap_or_else(PoisonError::into_inner);
    list.iter().find(|(k, _)| k == key).map(|(_, c)| c.clone())
}

/// Keeps a column's cells (origins included), the newest first.
pub(crate) fn keep_column(key: ColumnKey, cells: &[crate::status::Cell]) {
    let mut list = COLUMNS.lock().unwrap_or_else(PoisonError::into_inner);
    list.retain(|(k, _)| *k != key);
    list.insert(0, (key, cells.to_vec()));
    list.truncate(KEPT_COLUMNS);
}
