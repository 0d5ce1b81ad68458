//! Following apps' versions back through an environment branch's history.
//!
//! The walk goes along first parents, because an environment branch's
//! mainline is what was deployed: a PR's merge commit is where its change
//! landed. At each commit it compares only the trees on the tracked files'
//! paths, descending into a subtree only when its id differs, so a commit
//! that touches none of them costs two small tree reads — or nothing, when
//! the commit-graph's changed-path Bloom filters rule the paths out.

use std::collections::HashMap;

use gix::ObjectId;
use hoist_locate::Locator;

use crate::repo::{Error, Repo};

/// An app whose version is known at some commit, to be followed back.
pub(crate) struct Tracked<'a> {
    /// The caller's index for this app.
    pub index: usize,
    /// Repository path of the file holding the version.
    pub file: String,
    /// How to read the version in `file`.
    pub locator: &'a Locator,
    /// The version at the newest commit looked at so far.
    pub version: String,
    /// The file's blob at the newest commit looked at so far.
    pub blob: ObjectId,
}

/// A commit that set a tracked app's version.
pub(crate) struct Change {
    /// The caller's index for the app.
    pub index: usize,
    /// The commit that set `to`.
    pub commit: ObjectId,
    /// The version before, or `None` where the file or value did not exist
    /// (or could not be read) in the parent.
    pub from: Option<String>,
    /// The version this commit set.
    pub to: String,
}

/// Whether the walk should keep following an app after reporting a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Follow {
    /// Keep following it, to find earlier changes.
    Continue,
    /// This app is done.
    Stop,
}

/// Walks from `tip` (whose root tree is `tip_tree`) and calls `visit` for
/// every commit that set a tracked app's version, newest first. The walk ends
/// when no app is followed any more, at the root commit (which set whatever
/// is still followed), or at a shallow boundary (which reports nothing more).
pub(crate) fn changes(
    repo: &Repo,
    tip: ObjectId,
    tip_tree: ObjectId,
    mut open: Vec<Tracked<'_>>,
    mut visit: impl FnMut(Change) -> Follow,
) -> Result<(), Error> {
    let (mut commit, mut tree) = (tip, tip_tree);
    let mut parent = repo.links(tip)?.1;
    let mut memo = Memo::default();
    while !open.is_empty() {
        let Some(parent_id) = parent else {
            for t in open.drain(..) {
                visit(Change {
                    index: t.index,
                    commit,
                    from: None,
                    to: t.version,
                });
            }
            break;
        };
        let (parent_tree, grandparent) = match repo.links(parent_id) {
            Ok(links) => links,
            Err(Error::Shallow { .. }) => break,
            Err(e) => return Err(e),
        };
        let paths: Vec<&str> = open.iter().map(|t| t.file.as_str()).collect();
        if parent_tree != tree && repo.may_change_any(commit, &paths) {
            let mut changed = Vec::new();
            changed_paths(repo, &mut memo, parent_tree, tree, &paths, &mut changed)?;
            changed.sort_unstable();
            let mut done = Vec::new();
            for i in changed {
                let t = &mut open[i];
                let old_blob = repo.blob_in_tree(parent_tree, &t.file)?;
                let old_version = match old_blob {
                    Some(id) => {
                        let content = repo.read_blob(id)?;
                        t.locator.read(&t.file, &content).ok().map(|l| l.value)
                    }
                    None => None,
                };
                if let (Some(id), Some(v)) = (old_blob, &old_version)
                    && *v == t.version
                {
                    // The file changed around an unchanged version.
                    t.blob = id;
                    continue;
                }
                let follow = visit(Change {
                    index: t.index,
                    commit,
                    from: old_version.clone(),
                    to: t.version.clone(),
                });
                match (follow, old_blob, old_version) {
                    (Follow::Continue, Some(id), Some(v)) => {
                        t.blob = id;
                        t.version = v;
                    }
                    _ => done.push(i),
                }
            }
            for i in done.into_iter().rev() {
                open.swap_remove(i);
            }
        }
        commit = parent_id;
        tree = parent_tree;
        parent = grandparent;
        memo.next_step();
    }
    Ok(())
}

/// Pushes the index of every path in `paths` whose entry differs between the
/// trees `old` and `new`, descending only into subtrees whose ids differ.
fn changed_paths(
    repo: &Repo,
    memo: &mut Memo,
    old: ObjectId,
    new: ObjectId,
    paths: &[&str],
    out: &mut Vec<usize>,
) -> Result<(), Error> {
    let indexed: Vec<(usize, &str)> = paths.iter().copied().enumerate().collect();
    changed_in(repo, memo, Some(old), Some(new), &indexed, out)
}

/// The tree lookups of the previous step of a walk: its parent side is this
/// step's child side, so each tree on the paths is read once, not twice.
#[derive(Default)]
struct Memo {
    previous: HashMap<(ObjectId, u128), Entries>,
    current: HashMap<(ObjectId, u128), Entries>,
}

/// For each name looked up in a tree: its entry's id and whether it is a tree.
type Entries = Vec<Option<(ObjectId, bool)>>;

impl Memo {
    fn entries(&mut self, repo: &Repo, tree: ObjectId, names: &[&str]) -> Result<Entries, Error> {
        // A 128-bit hash of the names, not the names: a plan's walk looks up
        // hundreds of names per tree, and joining and comparing them cost
        // more than the lookup.
        let key = (tree, fingerprint(names));
        if let Some(found) = self.previous.get(&key).or_else(|| self.current.get(&key)) {
            return Ok(found.clone());
        }
        let found = repo.tree_entries(tree, names)?;
        self.current.insert(key, found.clone());
        Ok(found)
    }

    fn next_step(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }
}

/// FNV-1a over the names, each ended by a byte no name contains.
fn fingerprint(names: &[&str]) -> u128 {
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for name in names {
        for byte in name.bytes().chain([b'/']) {
            hash =
                (hash ^ u128::from(byte)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
        }
    }
    hash
}

fn changed_in(
    repo: &Repo,
    memo: &mut Memo,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    paths: &[(usize, &str)],
    out: &mut Vec<usize>,
) -> Result<(), Error> {
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
    let before = memo.entries(repo, old, &heads)?;
    let after = memo.entries(repo, new, &heads)?;
    for ((a, b), rests) in before.into_iter().zip(after).zip(rests) {
        if a == b {
            continue;
        }
        let (leaves, deeper): (Vec<_>, Vec<_>) =
            rests.into_iter().partition(|(_, rest)| rest.is_empty());
        out.extend(leaves.iter().map(|(i, _)| *i));
        if !deeper.is_empty() {
            let as_tree = |e: Option<(ObjectId, bool)>| e.filter(|e| e.1).map(|e| e.0);
            changed_in(repo, memo, as_tree(a), as_tree(b), &deeper, out)?;
        }
    }
    Ok(())
}
