//! The bare repository behind the sandbox: objects and refs written with gix,
//! refused the way GitHub's Git Data API refuses them.
//!
//! Callers hold the store's lock around each read-check-write, which is what
//! makes a ref update a compare-and-swap.

use std::path::Path;

use axum::http::StatusCode;
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::object::tree::EntryKind;
use gix::refs::transaction::PreviousValue;

use crate::reply::Reply;

/// A refusal: a status and GitHub's message for it.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
}

impl Refusal {
    fn unprocessable(message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
        }
    }

    fn internal(e: impl std::fmt::Display) -> Refusal {
        Refusal {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("sandbox repository failure: {e}"),
        }
    }
}

impl From<Refusal> for Reply {
    fn from(r: Refusal) -> Reply {
        Reply::error(r.status, &r.message)
    }
}

/// Who and when, for a commit.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    /// Seconds since the Unix epoch, UTC.
    pub time: i64,
}

/// A commit as the API shows it.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    pub author: Person,
    pub committer: Person,
    pub message: String,
}

/// One entry of a tree to write: set `path` to an object, or remove it.
#[derive(Debug)]
pub struct TreeEdit {
    pub path: String,
    pub kind: EntryKind,
    /// `None` removes the path.
    pub id: Option<ObjectId>,
}

/// One entry of a written tree.
#[derive(Debug)]
pub struct TreeEntry {
    pub path: String,
    pub mode: String,
    pub kind: &'static str,
    pub id: ObjectId,
    pub size: Option<u64>,
}

/// One file that differs between two trees: its paths and, on each side
/// where it exists, its blob and mode (`100644`).
#[derive(Debug)]
pub struct FileChange {
    pub old_path: String,
    pub new_path: String,
    pub old: Option<(ObjectId, String)>,
    pub new: Option<(ObjectId, String)>,
}

/// How two commits differ, for a pull request's counts.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiffStat {
    pub commits: u64,
    pub additions: u64,
    pub deletions: u64,
    pub changed_files: u64,
}

pub struct Git {
    repo: gix::ThreadSafeRepository,
}

impl Git {
    pub fn open(path: &Path) -> Result<Git, crate::Error> {
        let repo = gix::open(path).map_err(|e| crate::Error::Repository {
            path: path.to_owned(),
            detail: e.to_string(),
        })?;
        if !repo.is_bare() {
            return Err(crate::Error::Repository {
                path: path.to_owned(),
                detail: "not a bare repository".into(),
            });
        }
        Ok(Git {
            repo: repo.into_sync(),
        })
    }

    fn repo(&self) -> gix::Repository {
        self.repo.to_thread_local()
    }

    /// The commit a full ref name (`refs/heads/x`) points to.
    pub fn resolve(&self, full: &str) -> Option<ObjectId> {
        let repo = self.repo();
        let mut reference = repo.try_find_reference(full).ok()??;
        reference.peel_to_id().ok().map(|id| id.detach())
    }

    /// A commit by branch name or by its full hex id.
    pub fn commitish(&self, name: &str) -> Option<ObjectId> {
        if let Ok(id) = ObjectId::from_hex(name.as_bytes())
            && self.repo().find_commit(id).is_ok()
        {
            return Some(id);
        }
        self.resolve(&format!("refs/heads/{name}"))
    }

    fn object_exists(&self, id: ObjectId) -> bool {
        self.repo().has_object(id)
    }

    pub fn create_ref(&self, full: &str, id: ObjectId) -> Result<(), Refusal> {
        if !full.starts_with("refs/") || full.matches('/').count() < 2 {
            return Err(Refusal::unprocessable(
                "Reference name must start with 'refs/' and have at least two slashes.",
            ));
        }
        if !self.object_exists(id) {
            return Err(Refusal::unprocessable("Object does not exist"));
        }
        if self.resolve(full).is_some() {
            return Err(Refusal::unprocessable("Reference already exists"));
        }
        self.repo()
            .reference(full, id, PreviousValue::MustNotExist, "sandbox: create")
            .map_err(|e| Refusal::unprocessable(format!("Reference cannot be created: {e}")))?;
        Ok(())
    }

    pub fn update_ref(&self, full: &str, id: ObjectId, force: bool) -> Result<(), Refusal> {
        let Some(old) = self.resolve(full) else {
            return Err(Refusal::unprocessable("Reference does not exist"));
        };
        if !self.object_exists(id) {
            return Err(Refusal::unprocessable("Object does not exist"));
        }
        if !force && old != id && !self.is_ancestor(old, id) {
            return Err(Refusal::unprocessable("Update is not a fast forward"));
        }
        self.repo()
            .reference(
                full,
                id,
                PreviousValue::MustExistAndMatch(gix::refs::Target::Object(old)),
                "sandbox: update",
            )
            .map_err(Refusal::internal)?;
        Ok(())
    }

    pub fn delete_ref(&self, full: &str) -> Result<(), Refusal> {
        let repo = self.repo();
        let reference = repo
            .try_find_reference(full)
            .map_err(Refusal::internal)?
            .ok_or_else(|| Refusal::unprocessable("Reference does not exist"))?;
        reference.delete().map_err(Refusal::internal)
    }

    /// Moves `branch` to `sha`, creating it if needed (a push from elsewhere).
    pub fn set_branch(&self, branch: &str, sha: &str) -> Result<(), Refusal> {
        let id = ObjectId::from_hex(sha.as_bytes())
            .map_err(|_| Refusal::unprocessable(format!("{sha} is not an object id")))?;
        if !self.object_exists(id) {
            return Err(Refusal::unprocessable("Object does not exist"));
        }
        self.repo()
            .reference(
                format!("refs/heads/{branch}").as_str(),
                id,
                PreviousValue::Any,
                "sandbox: push",
            )
            .map_err(Refusal::internal)?;
        Ok(())
    }

    /// `old` is an ancestor of `new` (or equal to it).
    pub fn is_ancestor(&self, old: ObjectId, new: ObjectId) -> bool {
        old == new
            || self
                .repo()
                .merge_base(old, new)
                .ok()
                .flatten()
                .is_some_and(|base| base.detach() == old)
    }

    /// Whether some branch already holds `id`.
    pub fn is_on_a_branch(&self, id: ObjectId) -> bool {
        let repo = self.repo();
        let Ok(refs) = repo.references() else {
            return false;
        };
        let Ok(branches) = refs.local_branches() else {
            return false;
        };
        let tips: Vec<ObjectId> = branches
            .filter_map(Result::ok)
            .filter_map(|r| r.try_id().map(|id| id.detach()))
            .collect();
        tips.into_iter().any(|tip| self.is_ancestor(id, tip))
    }

    /// The branch `HEAD` names: the default branch.
    pub fn head_branch(&self) -> Option<String> {
        let repo = self.repo();
        let name = repo.head_name().ok()??;
        Some(name.shorten().to_str_lossy().into_owned())
    }

    /// The object and kind at `path` in commit `commit`'s tree.
    pub fn entry(&self, commit: ObjectId, path: &str) -> Option<(ObjectId, EntryKind)> {
        let repo = self.repo();
        let entry = repo
            .find_commit(commit)
            .ok()?
            .tree()
            .ok()?
            .lookup_entry_by_path(path)
            .ok()??;
        Some((entry.object_id(), entry.mode().kind()))
    }

    /// The newest commit reachable from `tip` (first parents only) that
    /// changed `path`: GitLab's "last commit" of a file.
    pub fn last_commit_for_path(&self, tip: ObjectId, path: &str) -> Option<ObjectId> {
        let mut at = tip;
        loop {
            let here = self.entry(at, path).map(|(id, _)| id);
            let parent = self.commit(at)?.parents.first().copied();
            match parent {
                Some(p) if self.entry(p, path).map(|(id, _)| id) == here => at = p,
                // `at` added, changed or deleted it (a root commit only
                // counts if it has the file).
                _ => return (here.is_some() || parent.is_some()).then_some(at),
            }
        }
    }

    /// The bytes of blob `id`.
    pub fn blob(&self, id: ObjectId) -> Option<Vec<u8>> {
        let repo = self.repo();
        let object = repo.find_object(id).ok()?;
        (object.kind == gix::object::Kind::Blob).then(|| object.detach().data)
    }

    /// A commit by branch, tag or full hex id, as GitHub reads a revision
    /// in a comparison.
    pub fn revision(&self, name: &str) -> Option<ObjectId> {
        self.commitish(name).or_else(|| {
            let repo = self.repo();
            let mut reference = repo
                .try_find_reference(&format!("refs/tags/{name}"))
                .ok()??;
            let id = reference.peel_to_id().ok()?.detach();
            // An annotated tag peels to its commit.
            repo.find_commit(id).ok().map(|c| c.id)
        })
    }

    /// `tip` and its first parents, newest first.
    pub fn first_parents(&self, tip: ObjectId) -> Vec<ObjectId> {
        let repo = self.repo();
        let mut out = Vec::new();
        let mut at = Some(tip);
        while let Some(id) = at {
            out.push(id);
            at = repo
                .find_commit(id)
                .ok()
                .and_then(|c| c.parent_ids().next().map(|p| p.detach()));
        }
        out
    }

    /// The commits reachable from `to` but not from `from`, newest first.
    pub fn commits_between(&self, from: ObjectId, to: ObjectId) -> Vec<ObjectId> {
        let repo = self.repo();
        repo.rev_walk([to])
            .with_hidden([from])
            .all()
            .map(|walk| walk.filter_map(Result::ok).map(|info| info.id).collect())
            .unwrap_or_default()
    }

    /// The merge base of two commits.
    pub fn merge_base(&self, a: ObjectId, b: ObjectId) -> Option<ObjectId> {
        self.repo()
            .merge_base(a, b)
            .ok()
            .flatten()
            .map(|id| id.detach())
    }

    /// The files that differ between the trees of commits `old` and `new`.
    pub fn changes(&self, old: ObjectId, new: ObjectId) -> Vec<FileChange> {
        let repo = self.repo();
        let (Some(old), Some(new)) = (self.commit(old), self.commit(new)) else {
            return Vec::new();
        };
        let (Ok(old), Ok(new)) = (repo.find_tree(old.tree), repo.find_tree(new.tree)) else {
            return Vec::new();
        };
        let Ok(changes) = repo.diff_tree_to_tree(&old, &new, None) else {
            return Vec::new();
        };
        use gix::object::tree::diff::ChangeDetached as C;
        changes
            .into_iter()
            .filter_map(|change| {
                let (old_path, new_path, old, new, is_tree) = match change {
                    C::Addition {
                        location,
                        id,
                        entry_mode,
                        ..
                    } => (
                        location.clone(),
                        location,
                        None,
                        Some((id, entry_mode)),
                        entry_mode.is_tree(),
                    ),
                    C::Deletion {
                        location,
                        id,
                        entry_mode,
                        ..
                    } => (
                        location.clone(),
                        location,
                        Some((id, entry_mode)),
                        None,
                        entry_mode.is_tree(),
                    ),
                    C::Modification {
                        location,
                        previous_id,
                        previous_entry_mode,
                        id,
                        entry_mode,
                    } => (
                        location.clone(),
                        location,
                        Some((previous_id, previous_entry_mode)),
                        Some((id, entry_mode)),
                        entry_mode.is_tree(),
                    ),
                    C::Rewrite {
                        source_location,
                        source_id,
                        source_entry_mode,
                        location,
                        id,
                        entry_mode,
                        ..
                    } => (
                        source_location,
                        location,
                        Some((source_id, source_entry_mode)),
                        Some((id, entry_mode)),
                        entry_mode.is_tree(),
                    ),
                };
                (!is_tree).then(|| FileChange {
                    old_path: old_path.to_str_lossy().into_owned(),
                    new_path: new_path.to_str_lossy().into_owned(),
                    old: old.map(|(id, mode)| (id, format!("{:06o}", mode.value()))),
                    new: new.map(|(id, mode)| (id, format!("{:06o}", mode.value()))),
                })
            })
            .collect()
    }

    /// Whether the tree of commit `commit` has an entry at `path`.
    pub fn has_path(&self, commit: ObjectId, path: &str) -> bool {
        let repo = self.repo();
        repo.find_commit(commit)
            .ok()
            .and_then(|c| c.tree().ok())
            .and_then(|t| t.lookup_entry_by_path(path).ok().flatten())
            .is_some()
    }

    pub fn write_blob(&self, bytes: &[u8]) -> Result<ObjectId, Refusal> {
        Ok(self
            .repo()
            .write_blob(bytes)
            .map_err(Refusal::internal)?
            .detach())
    }

    /// Writes the tree `base` (or an empty one) with `edits` applied.
    pub fn write_tree(
        &self,
        base: Option<ObjectId>,
        edits: &[TreeEdit],
    ) -> Result<ObjectId, Refusal> {
        let repo = self.repo();
        let base = match base {
            Some(id) => {
                let object = repo
                    .find_object(id)
                    .map_err(|_| Refusal::unprocessable("base_tree is not a valid tree oid"))?;
                match object.kind {
                    gix::object::Kind::Tree => id,
                    gix::object::Kind::Commit => object
                        .into_commit()
                        .tree_id()
                        .map_err(Refusal::internal)?
                        .detach(),
                    _ => return Err(Refusal::unprocessable("base_tree is not a valid tree oid")),
                }
            }
            None => ObjectId::empty_tree(repo.object_hash()),
        };
        let mut editor = repo.edit_tree(base).map_err(Refusal::internal)?;
        for edit in edits {
            let path = edit.path.as_str();
            // As GitHub: no empty, `.` or `..` component, and no `.git`
            // in any case (git itself would refuse such a tree on checkout).
            if path.is_empty()
                || path.split('/').any(|part| {
                    matches!(part, "" | "." | "..") || part.eq_ignore_ascii_case(".git")
                })
            {
                return Err(Refusal::unprocessable(format!(
                    "tree.path contains a malformed path component: {path}"
                )));
            }
            match edit.id {
                Some(id) => {
                    if !self.object_exists(id) {
                        return Err(Refusal::unprocessable(format!(
                            "tree.sha {id} is not a valid {}",
                            if edit.kind == EntryKind::Tree {
                                "tree"
                            } else {
                                "blob"
                            }
                        )));
                    }
                    editor
                        .upsert(path, edit.kind, id)
                        .map_err(Refusal::internal)?;
                }
                None => {
                    editor.remove(path).map_err(Refusal::internal)?;
                }
            }
        }
        Ok(editor.write().map_err(Refusal::internal)?.detach())
    }

    /// The entries of tree `id`, or `None` if it is not a tree.
    pub fn tree(&self, id: ObjectId) -> Option<Vec<TreeEntry>> {
        let repo = self.repo();
        let tree = repo.find_object(id).ok()?.try_into_tree().ok()?;
        let decoded = tree.decode().ok()?;
        Some(
            decoded
                .entries
                .iter()
                .map(|e| {
                    let kind = match e.mode.kind() {
                        gix::object::tree::EntryKind::Tree => "tree",
                        gix::object::tree::EntryKind::Commit => "commit",
                        _ => "blob",
                    };
                    let size = (kind == "blob")
                        .then(|| repo.find_header(e.oid).ok().map(|h| h.size()))
                        .flatten();
                    TreeEntry {
                        path: e.filename.to_str_lossy().into_owned(),
                        mode: format!("{:06o}", e.mode.value()),
                        kind,
                        id: e.oid.to_owned(),
                        size,
                    }
                })
                .collect(),
        )
    }

    pub fn write_commit(
        &self,
        message: &str,
        tree: ObjectId,
        parents: &[ObjectId],
        author: &Person,
        committer: &Person,
    ) -> Result<ObjectId, Refusal> {
        let repo = self.repo();
        if !matches!(
            repo.find_object(tree).map(|o| o.kind),
            Ok(gix::object::Kind::Tree)
        ) {
            return Err(Refusal::unprocessable("Tree SHA does not exist"));
        }
        for parent in parents {
            if repo.find_commit(*parent).is_err() {
                return Err(Refusal::unprocessable(
                    "Parent SHA does not exist or is not a commit object",
                ));
            }
        }
        let signature = |p: &Person| gix::actor::Signature {
            name: p.name.as_str().into(),
            email: p.email.as_str().into(),
            time: gix::date::Time::new(p.time, 0),
        };
        let commit = gix::objs::Commit {
            tree,
            parents: parents.iter().copied().collect(),
            author: signature(author),
            committer: signature(committer),
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        Ok(repo
            .write_object(&commit)
            .map_err(Refusal::internal)?
            .detach())
    }

    pub fn commit(&self, id: ObjectId) -> Option<CommitInfo> {
        let repo = self.repo();
        let commit = repo.find_commit(id).ok()?;
        let decoded = commit.decode().ok()?;
        let person = |s: gix::actor::SignatureRef<'_>| Person {
            name: s.name.to_str_lossy().into_owned(),
            email: s.email.to_str_lossy().into_owned(),
            time: s.time().map(|t| t.seconds).unwrap_or_default(),
        };
        Some(CommitInfo {
            tree: decoded.tree(),
            parents: decoded.parents().collect(),
            author: person(decoded.author().ok()?),
            committer: person(decoded.committer().ok()?),
            message: decoded.message.to_str_lossy().into_owned(),
        })
    }

    /// The tree of merging `head` into `base`, or `None` when they conflict.
    /// Writes the merged tree (and any merged blobs).
    pub fn merge_tree(&self, base: ObjectId, head: ObjectId) -> Result<Option<ObjectId>, Refusal> {
        if self.is_ancestor(base, head) {
            return Ok(self.commit(head).map(|c| c.tree));
        }
        let repo = self.repo();
        let Some(mut outcome) = three_way(&repo, base, head)? else {
            return Ok(None);
        };
        Ok(Some(
            outcome
                .tree_merge
                .tree
                .write()
                .map_err(Refusal::internal)?
                .detach(),
        ))
    }

    /// Whether `head` merges into `base` without conflicts. A check, not a
    /// merge: whatever merging writes stays in memory, so reading a pull
    /// request leaves the repository as it was.
    pub fn merges_cleanly(&self, base: ObjectId, head: ObjectId) -> Result<bool, Refusal> {
        if self.is_ancestor(base, head) {
            return Ok(true);
        }
        let repo = self.repo().with_object_memory();
        Ok(three_way(&repo, base, head)?.is_some())
    }

    /// What `head` changes relative to its merge base with `base`.
    pub fn diff_stat(&self, base: ObjectId, head: ObjectId) -> DiffStat {
        let repo = self.repo();
        let Ok(Some(fork)) = repo.merge_base(base, head).map(|b| b.map(|b| b.detach())) else {
            return DiffStat::default();
        };
        let commits = repo
            .rev_walk([head])
            .with_hidden([fork])
            .all()
            .map(|walk| walk.filter_map(Result::ok).count() as u64)
            .unwrap_or(0);
        let (Some(old), Some(new)) = (self.commit(fork), self.commit(head)) else {
            return DiffStat::default();
        };
        let (Ok(old), Ok(new)) = (repo.find_tree(old.tree), repo.find_tree(new.tree)) else {
            return DiffStat::default();
        };
        let Ok(changes) = repo.diff_tree_to_tree(&old, &new, None) else {
            return DiffStat::default();
        };
        let mut stat = DiffStat {
            commits,
            ..DiffStat::default()
        };
        let blob = |id: Option<ObjectId>| -> Vec<u8> {
            id.and_then(|id| repo.find_object(id).ok())
                .map(|o| o.detach().data)
                .unwrap_or_default()
        };
        for change in changes {
            use gix::object::tree::diff::ChangeDetached as C;
            let (old_id, new_id, is_tree) = match &change {
                C::Addition { id, entry_mode, .. } => (None, Some(*id), entry_mode.is_tree()),
                C::Deletion { id, entry_mode, .. } => (Some(*id), None, entry_mode.is_tree()),
                C::Modification {
                    previous_id,
                    id,
                    entry_mode,
                    ..
                } => (Some(*previous_id), Some(*id), entry_mode.is_tree()),
                C::Rewrite {
                    source_id,
                    id,
                    entry_mode,
                    ..
                } => (Some(*source_id), Some(*id), entry_mode.is_tree()),
            };
            if is_tree {
                continue;
            }
            stat.changed_files += 1;
            let (old, new) = (blob(old_id), blob(new_id));
            let (old, new) = (String::from_utf8_lossy(&old), String::from_utf8_lossy(&new));
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            for op in diff.ops() {
                for change in diff.iter_changes(op) {
                    match change.tag() {
                        similar::ChangeTag::Insert => stat.additions += 1,
                        similar::ChangeTag::Delete => stat.deletions += 1,
                        similar::ChangeTag::Equal => {}
                    }
                }
            }
        }
        stat
    }
}

/// The three-way merge of `head` into `base`, or `None` when it conflicts.
fn three_way(
    repo: &gix::Repository,
    base: ObjectId,
    head: ObjectId,
) -> Result<Option<gix::merge::commit::Outcome<'_>>, Refusal> {
    let options = repo.tree_merge_options().map_err(Refusal::internal)?;
    let labels = gix::merge::blob::builtin_driver::text::Labels {
        ancestor: None,
        current: Some("base".into()),
        other: Some("head".into()),
    };
    let outcome = repo
        .merge_commits(base, head, labels, options.into())
        .map_err(Refusal::internal)?;
    let conflicts = outcome
        .tree_merge
        .has_unresolved_conflicts(gix::merge::tree::TreatAsUnresolved::default());
    Ok((!conflicts).then_some(outcome))
}
