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

use crate::read::Source;
use crate::repo::{Error, Repo};

/// An app whose version is known at some commit, to be followed back.
pub(crate) struct Tracked {
    /// The caller's index for this app.
    pub index: usize,
    /// Where the version is read: the environment's own file, or its base.
    pub source: Source,
    /// The version at the newest commit looked at so far.
    pub version: String,
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
    /// Nothing more is wanted: the walk ends here.
    End,
}

/// Walks from `tip` (whose root tree is `tip_tree`) and calls `visit` for
/// every commit that set a tracked app's version, newest first. The walk ends
/// when no app is followed any more, at the root commit (which set whatever
/// is still followed), or at a shallow boundary (which reports nothing more).
pub(crate) fn changes(
    repo: &Repo,
    tip: ObjectId,
    tip_tree: ObjectId,
    open: Vec<Tracked>,
    visit: impl FnMut(Change) -> Follow,
) -> Result<(), Error> {
    changes_until(repo, tip, tip_tree, None, open, visit)
}

/// [`changes`] that also ends on reaching commit `until` (whose own changes
/// are not looked at): the apps still followed then changed at or before it.
pub(crate) fn changes_until(
    repo: &Repo,
    tip: ObjectId,
    tip_tree: ObjectId,
    until: Option<ObjectId>,
    mut open: Vec<Tracked>,
    mut visit: impl FnMut(Change) -> Follow,
) -> Result<(), Error> {
    let (mut commit, mut tree) = (tip, tip_tree);
    let mut parent = repo.links(tip)?.1;
    // `open` keeps its order, so an app's index into it stays valid; the
    // paths hold only the apps still followed. An app inheriting from a base
    // is watched on both files, under the same index.
    let all_files: Vec<(usize, String)> = open
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.source.paths().map(move |p| (i, p.to_owned())))
        .collect();
    let mut paths = PathTree::new(&all_files);
    let mut files: Vec<&str> = all_files.iter().map(|(_, p)| p.as_str()).collect();
    let mut followed = vec![true; open.len()];
    let mut left = open.len();
    while left > 0 {
        if Some(commit) == until {
            break;
        }
        let Some(parent_id) = parent else {
            for (t, _) in open.into_iter().zip(followed).filter(|(_, f)| *f) {
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
        if parent_tree != tree && repo.may_change_any(commit, &files) {
            let mut changed = Vec::new();
            changed_paths(repo, Some(parent_tree), Some(tree), &paths, &mut changed)?;
            changed.sort_unstable();
            changed.dedup();
            let mut done = Vec::new();
            for i in changed {
                if !followed[i] {
                    continue;
                }
                let t = &mut open[i];
                let old_version = t.source.read(repo, parent_tree)?.ok().map(|r| r.version);
                if old_version.as_ref() == Some(&t.version) {
                    // The files changed around an unchanged version.
                    continue;
                }
                let follow = visit(Change {
                    index: t.index,
                    commit,
                    from: old_version.clone(),
                    to: t.version.clone(),
                });
                if follow == Follow::End {
                    return Ok(());
                }
                match (follow, old_version) {
                    (Follow::Continue, Some(v)) => t.version = v,
                    _ => done.push(i),
                }
            }
            if !done.is_empty() {
                for i in done {
                    followed[i] = false;
                    left -= 1;
                    for (_, path) in all_files.iter().filter(|(j, _)| *j == i) {
                        paths.remove(path, i);
                    }
                }
                files = all_files
                    .iter()
                    .filter(|(i, _)| followed[*i])
                    .map(|(_, p)| p.as_str())
                    .collect();
            }
        }
        commit = parent_id;
        tree = parent_tree;
        parent = grandparent;
    }
    Ok(())
}

/// The tracked paths as a tree of names, so a step looks up only the
/// entries that differ between two trees, each once.
#[derive(Default)]
struct PathTree<'p> {
    /// Indices of the paths that end here.
    ends: Vec<usize>,
    /// The paths that go on, by their next name.
    next: HashMap<&'p [u8], PathTree<'p>>,
}

impl<'p> PathTree<'p> {
    /// The tree of `paths`, each reported under its index.
    fn new(paths: &'p [(usize, String)]) -> PathTree<'p> {
        let mut root = PathTree::default();
        for (i, path) in paths {
            let i = *i;
            let mut node = &mut root;
            for name in path.split('/').filter(|n| !n.is_empty()) {
                node = node.next.entry(name.as_bytes()).or_default();
            }
            node.ends.push(i);
        }
        root
    }

    /// Stops reporting path `index`, which is `path`.
    fn remove(&mut self, path: &str, index: usize) {
        let mut node = self;
        for name in path.split('/').filter(|n| !n.is_empty()) {
            match node.next.get_mut(name.as_bytes()) {
                Some(below) => node = below,
                None => return,
            }
        }
        node.ends.retain(|&i| i != index);
    }

    fn all(&self, out: &mut Vec<usize>) {
        out.extend(&self.ends);
        for below in self.next.values() {
            below.all(out);
        }
    }
}

/// Up to how many names a step looks up one by one rather than diffing trees.
const FEW_NAMES: usize = 4;

/// Pushes the index of every path under `paths` whose entry differs between
/// the trees `old` and `new`, descending only into subtrees whose ids differ.
/// An index may be pushed twice (a name that turned from file to directory).
fn changed_paths(
    repo: &Repo,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    paths: &PathTree<'_>,
    out: &mut Vec<usize>,
) -> Result<(), Error> {
    if old == new {
        return Ok(());
    }
    let (Some(old), Some(new)) = (old, new) else {
        paths.all(out);
        return Ok(());
    };
    let (old_data, new_data) = (repo.tree_data(old)?, repo.tree_data(new)?);
    let mut differing = Vec::new();
    // Few names are found faster by looking each up than by comparing
    // the whole trees.
    let compared = if paths.next.len() <= FEW_NAMES {
        paths.next.keys().try_for_each(|name| {
            let a = raw::find(&old_data, name, repo.hash_len())?;
            let b = raw::find(&new_data, name, repo.hash_len())?;
            if a.map(|a| (a.tree, a.id)) != b.map(|b| (b.tree, b.id)) {
                differing.push((*name, a, b));
            }
            Some(())
        })
    } else {
        raw::diff(&old_data, &new_data, repo.hash_len(), &mut differing)
    };
    if compared.is_none() {
        // A damaged tree: gix says how; should it find nothing wrong, count
        // every path as changed, which the caller double-checks.
        for (id, data) in [(old, &old_data), (new, &new_data)] {
            if let Some(e) = repo.tree_iter(id, data).find_map(Result::err) {
                return Err(e);
            }
        }
        paths.all(out);
        return Ok(());
    }
    for (name, a, b) in differing {
        let Some(below) = paths.next.get(name) else {
            continue;
        };
        out.extend(&below.ends);
        if !below.next.is_empty() {
            let as_tree = |e: Option<raw::Entry<'_>>| e.filter(|e| e.tree).and_then(|e| e.id());
            changed_paths(repo, as_tree(a), as_tree(b), below, out)?;
        }
    }
    Ok(())
}

/// Comparing trees in their raw form.
///
/// A walk compares the same directory at every commit, and a directory of
/// 300 apps differs between two commits in one or two entries: the bytes
/// before and after those are equal, so only the entries between the common
/// start and the common end are decoded.
mod raw {
    use std::cmp::Ordering;

    use gix::ObjectId;
    use gix::bstr::ByteSlice;

    /// An entry of a raw tree.
    #[derive(Clone, Copy)]
    pub(super) struct Entry<'d> {
        pub name: &'d [u8],
        pub tree: bool,
        pub id: &'d [u8],
    }

    impl Entry<'_> {
        pub fn id(&self) -> Option<ObjectId> {
            gix::oid::try_from_bytes(self.id)
                .ok()
                .map(ToOwned::to_owned)
        }
    }

    /// The entry at offset `at` of `data` and the offset after it; `None`
    /// when the tree is damaged there.
    fn entry(data: &[u8], at: usize, hash_len: usize) -> Option<(Entry<'_>, usize)> {
        let rest = data.get(at..)?;
        let space = rest.iter().take(8).position(|&b| b == b' ')?;
        let nul = space + 1 + rest[space + 1..].find_byte(0)?;
        let end = nul + 1 + hash_len;
        let mode = &rest[..space];
        let entry = Entry {
            name: &rest[space + 1..nul],
            tree: mode == b"40000" || mode == b"040000",
            id: rest.get(nul + 1..end)?,
        };
        Some((entry, at + end))
    }

    /// The entry named `name` in the raw tree `data`, if any; `None` when
    /// the tree is damaged.
    pub(super) fn find<'d>(
        data: &'d [u8],
        name: &[u8],
        hash_len: usize,
    ) -> Option<Option<Entry<'d>>> {
        let mut at = 0;
        while at < data.len() {
            let (entry, next) = entry(data, at, hash_len)?;
            // A byte loop, not `==`: most names differ in their first bytes,
            // and a call to `memcmp` per entry was the walk's largest cost.
            match entry.name.iter().zip(name).find(|(a, b)| a != b) {
                // Sorted entries: once one is past `name` (and `name/`), so
                // are the rest.
                Some((a, b)) if a > b => return Some(None),
                Some(_) => {}
                None if entry.name.len() == name.len() => return Some(Some(entry)),
                None => {}
            }
            at = next;
        }
        Some(None)
    }

    /// Pushes every name whose entry differs between the raw trees `old` and
    /// `new`, with its entry on each side; `None` if either is damaged.
    pub(super) fn diff<'d>(
        old: &'d [u8],
        new: &'d [u8],
        hash_len: usize,
        out: &mut Vec<(&'d [u8], Option<Entry<'d>>, Option<Entry<'d>>)>,
    ) -> Option<()> {
        let same_start = common_prefix(old, new);
        let same_end = common_suffix(&old[same_start..], &new[same_start..]);
        // The entries wholly inside the common start are the same on both
        // sides and sit at the same offsets.
        let mut start = 0;
        while start < old.len() {
            let (_, next) = entry(old, start, hash_len)?;
            if next > same_start {
                break;
            }
            start = next;
        }
        let (mut i, mut j) = (start, start);
        loop {
            let (left_old, left_new) = (old.len() - i, new.len() - j);
            // Both sides are at an entry boundary with the same bytes left.
            if left_old == left_new && left_old <= same_end {
                return Some(());
            }
            let a = if i < old.len() {
                Some(entry(old, i, hash_len)?)
            } else {
                None
            };
            let b = if j < new.len() {
                Some(entry(new, j, hash_len)?)
            } else {
                None
            };
            let order = match (&a, &b) {
                (None, None) => return Some(()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((a, _)), Some((b, _))) => git_order(a, b),
            };
            match order {
                Ordering::Less => {
                    let (a, next) = a.expect("old entry");
                    out.push((a.name, Some(a), None));
                    i = next;
                }
                Ordering::Greater => {
                    let (b, next) = b.expect("new entry");
                    out.push((b.name, None, Some(b)));
                    j = next;
                }
                Ordering::Equal => {
                    let ((a, next_a), (b, next_b)) = (a.expect("old"), b.expect("new"));
                    if a.id != b.id {
                        out.push((a.name, Some(a), Some(b)));
                    }
                    (i, j) = (next_a, next_b);
                }
            }
        }
    }

    /// Git's tree order: by name, a directory's as if it ended in `/`. An
    /// unsorted (damaged) tree only makes more entries look changed.
    fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
        let n = a.name.len().min(b.name.len());
        a.name[..n].cmp(&b.name[..n]).then_with(|| {
            // Names hold no `/`, so past the common part at most one side
            // has a name byte left.
            let after = |e: &Entry<'_>| e.name.get(n).copied().or(e.tree.then_some(b'/'));
            after(a).cmp(&after(b))
        })
    }

    fn common_prefix(a: &[u8], b: &[u8]) -> usize {
        let n = a.len().min(b.len());
        let mut k = 0;
        // Whole blocks first: slice equality is one `memcmp`.
        while k + 64 <= n && a[k..k + 64] == b[k..k + 64] {
            k += 64;
        }
        while k < n && a[k] == b[k] {
            k += 1;
        }
        k
    }

    fn common_suffix(a: &[u8], b: &[u8]) -> usize {
        let n = a.len().min(b.len());
        let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
        let mut k = 0;
        while k + 64 <= n && a[n - k - 64..n - k] == b[n - k - 64..n - k] {
            k += 64;
        }
        while k < n && a[n - k - 1] == b[n - k - 1] {
            k += 1;
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use gix::objs::WriteTo;
    use gix::objs::tree::{Entry, EntryKind};

    /// A tiny deterministic generator, so failures replay.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (self.0 >> 33) % n
        }
    }

    type Side = BTreeMap<String, (bool, u8)>;

    fn raw_tree(side: &Side) -> Vec<u8> {
        let mut tree = gix::objs::Tree::empty();
        for (name, (is_tree, id)) in side {
            let kind = if *is_tree {
                EntryKind::Tree
            } else {
                EntryKind::Blob
            };
            tree.entries.push(Entry {
                mode: kind.into(),
                filename: name.as_str().into(),
                oid: gix::ObjectId::from_bytes_or_panic(&[*id; 20]),
            });
        }
        // Git's order, which puts `a-b` and `a.b` before a directory `a`.
        tree.entries.sort();
        let mut out = Vec::new();
        tree.write_to(&mut out).expect("writes");
        out
    }

    /// The names whose entry differs, by comparing the whole trees.
    fn naive(old: &Side, new: &Side) -> BTreeSet<String> {
        old.keys()
            .chain(new.keys())
            .filter(|name| old.get(*name) != new.get(*name))
            .cloned()
            .collect()
    }

    /// Names that sort around each other once a directory's trailing `/`
    /// counts: `a`, `a-b`, `a.b`, `a0`, `ab`.
    const NAMES: [&str; 8] = ["a", "a-b", "a.b", "a0", "ab", "b", "apps", "apps-x"];

    #[test]
    fn raw_diff_finds_exactly_the_entries_that_differ() {
        let mut rng = Lcg(7);
        for _ in 0..4000 {
            let mut old = Side::new();
            for name in NAMES {
                if rng.below(3) > 0 {
                    old.insert(name.to_owned(), (rng.below(2) == 0, rng.below(4) as u8));
                }
            }
            // Many apps with long shared prefixes, mostly unchanged.
            for n in 0..rng.below(120) {
                old.insert(format!("service-{n:03}"), (true, (n % 7) as u8));
            }
            let mut new = old.clone();
            for _ in 0..rng.below(4) {
                let name = if rng.below(2) == 0 {
                    NAMES[rng.below(NAMES.len() as u64) as usize].to_owned()
                } else {
                    format!("service-{:03}", rng.below(130))
                };
                match rng.below(3) {
                    0 => {
                        new.remove(&name);
                    }
                    _ => {
                        new.insert(name, (rng.below(2) == 0, rng.below(4) as u8));
                    }
                }
            }
            let (a, b) = (raw_tree(&old), raw_tree(&new));
            let mut found = Vec::new();
            super::raw::diff(&a, &b, 20, &mut found).expect("well-formed trees");
            let found: BTreeSet<String> = found
                .iter()
                .map(|(name, _, _)| String::from_utf8(name.to_vec()).expect("utf-8"))
                .collect();
            assert_eq!(found, naive(&old, &new), "{old:?}\n{new:?}");
            // Every name, present or not, is found exactly when it is there.
            for name in NAMES
                .iter()
                .map(|n| n.to_string())
                .chain((0..130).map(|n| format!("service-{n:03}")))
            {
                let entry = super::raw::find(&a, name.as_bytes(), 20).expect("well-formed tree");
                assert_eq!(
                    entry.map(|e| e.tree),
                    old.get(&name).map(|(tree, _)| *tree),
                    "{name} in {old:?}"
                );
            }
        }
    }

    #[test]
    fn raw_diff_refuses_a_damaged_tree() {
        let side: Side = [("a".to_owned(), (false, 1))].into();
        let whole = raw_tree(&side);
        let mut found = Vec::new();
        assert!(super::raw::diff(&whole, &whole[..whole.len() - 3], 20, &mut found).is_none());
    }
}
