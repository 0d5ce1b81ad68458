//! Reading a GitOps repository with gix: branches, files at a commit, commits.
//!
//! Environment branches are read from the remote-tracking refs of `origin`
//! when they exist, because the remote is what the reconciler deploys from; a
//! local branch is used only when no remote-tracking one exists (a repository
//! without a remote, or a branch never pushed).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use crate::status::CommitInfo;

/// A local clone (with a worktree or bare) opened for reading.
pub struct Repo {
    inner: gix::Repository,
    path: PathBuf,
    shallow: bool,
    /// A partial clone (`--filter=blob:none`): blobs may be missing until fetched.
    partial: bool,
    /// `git commit-graph` data when present: parents and root trees without
    /// inflating commit objects, which is most of a history walk's cost.
    graph: Option<gix::commitgraph::Graph>,
    /// The graph's changed-path Bloom filters, when it has them.
    filters: Option<crate::bloom::Filters>,
    /// Walks read commits and trees through this, for its delta-base cache.
    packs: crate::pack::Packs,
    /// Name → entry of large trees looked up by name (a monorepo's `apps/`
    /// of thousands), so each lookup is a hash probe instead of a scan.
    indexes: std::cell::RefCell<clru::CLruCache<ObjectId, Arc<TreeIndex>>>,
    /// Large trees looked up once: a second lookup indexes them. (A walk
    /// looks up a path once in each of many trees; a status looks up
    /// thousands of names in one.)
    looked_up: std::cell::RefCell<clru::CLruCache<ObjectId, ()>>,
}

/// Whether a remote of the repository is a promisor (`git clone --filter`
/// makes one): then objects may be missing until git fetches them.
fn is_partial(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    config.string("extensions.partialClone").is_some()
        || repo.remote_names().iter().any(|name| {
            config
                .boolean(format!("remote.{name}.promisor").as_str())
                .unwrap_or(false)
        })
}

/// A tree's entries by name: id and whether it is a tree.
type TreeIndex = std::collections::HashMap<Vec<u8>, (ObjectId, EntryKind)>;

/// What a tree entry is: a tree, a file (plain or executable), a symbolic
/// link or a submodule.
pub use gix::objs::tree::EntryKind;

/// Trees with more raw bytes than this are indexed on their first lookup by name
/// (about sixty entries: below that a scan is as quick as a hash).
const INDEXED_TREE: usize = 4096;

/// How many tree indexes a repository keeps.
const KEPT_INDEXES: usize = 256;

/// Why a repository could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path does not exist.
    #[error("{} does not exist; choose the folder of a local clone", path.display())]
    NotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The path exists but holds no git repository.
    #[error("{} is not a git repository ({source}); choose the folder of a local clone", path.display())]
    NotARepository {
        /// The path given.
        path: PathBuf,
        /// What gix said.
        source: gix::Error,
    },
    /// The repository has no commits.
    #[error("{} has no commits yet; push the environments' branches to it, or fetch them", path.display())]
    Empty {
        /// The repository path.
        path: PathBuf,
    },
    /// A branch that configuration or the user named does not exist.
    #[error("branch {branch:?} does not exist in {}, neither locally nor as origin/{branch}; fetch it or fix the name", path.display())]
    MissingBranch {
        /// The short branch name.
        branch: String,
        /// The repository path.
        path: PathBuf,
    },
    /// A branch history reaches past the commits a shallow clone holds.
    #[error("{} is a shallow clone and commit {id} is not in it; fetch more history (git fetch --unshallow)", path.display())]
    Shallow {
        /// The missing commit.
        id: ObjectId,
        /// The repository path.
        path: PathBuf,
    },
    /// A partial clone that does not hold a file's content yet.
    #[error(
        "{} is a partial clone (cloned with --filter) that has not fetched blob {id}{}; fetch the missing contents with `git -C {} -c remote.origin.partialclonefilter= fetch --refetch origin`, or clone without --filter",
        path.display(),
        file.as_deref().map(|f| format!(" ({f})")).unwrap_or_default(),
        path.display()
    )]
    NotFetched {
        /// The missing blob.
        id: ObjectId,
        /// Which file it is, where known.
        file: Option<String>,
        /// The repository path.
        path: PathBuf,
    },
    /// A path that should name a file names a link or a submodule, whose
    /// contents are not the file's: Hoist neither reads nor writes through it.
    #[error("{file} is {kind} in {}, not a file; Hoist reads and writes versions only in regular files", path.display())]
    NotAFile {
        /// The repository path of the entry.
        file: String,
        /// `a symbolic link` or `a submodule`.
        kind: &'static str,
        /// The repository path.
        path: PathBuf,
    },
    /// The object database could not be read; the repository may be corrupt.
    #[error("could not read {what} in {}: {source}", path.display())]
    Read {
        /// What was being read, e.g. `the tree of env/dev`.
        what: String,
        /// The repository path.
        path: PathBuf,
        /// What gix said.
        source: gix::Error,
    },
}

impl Repo {
    /// Opens the repository at `path` (a worktree or a bare repository).
    pub fn open(path: &Path) -> Result<Repo, Error> {
        if !path.exists() {
            return Err(Error::NotFound {
                path: path.to_owned(),
            });
        }
        let mut inner = gix::open(path).map_err(|source| Error::NotARepository {
            path: path.to_owned(),
            source,
        })?;
        // Status, plans and histories read the same trees and files again and
        // again; 64 MiB turns repeated decompression into lookups (a
        // 300-app plan went from 150 ms to 60 ms with it; see hoist-bench).
        inner.object_cache_size_if_unset(64 * 1024 * 1024);
        // Like git's delta-base cache: resolved delta bases stay in memory, so
        // a second status of the same project costs half the first.
        inner.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                96 * 1024 * 1024,
            ))
        });
        let shallow = inner.is_shallow().unwrap_or(false);
        let partial = is_partial(&inner);
        // A missing or unreadable commit-graph only makes walks slower.
        let graph = inner.commit_graph_if_enabled().ok().flatten();
        let filters = graph
            .as_ref()
            .and_then(|_| crate::bloom::Filters::open(&inner.common_dir().join("objects")));
        let packs = crate::pack::Packs::open(inner.objects.store_ref().path(), inner.object_hash());
        let repo = Repo {
            indexes: std::cell::RefCell::new(clru::CLruCache::new(
                std::num::NonZeroUsize::new(KEPT_INDEXES).expect("a constant above zero"),
            )),
            looked_up: std::cell::RefCell::new(clru::CLruCache::new(
                std::num::NonZeroUsize::new(KEPT_INDEXES).expect("a constant above zero"),
            )),
            packs,
            inner,
            path: path.to_owned(),
            shallow,
            partial,
            graph,
            filters,
        };
        if repo.branches()?.is_empty() {
            return Err(Error::Empty {
                path: repo.path.clone(),
            });
        }
        Ok(repo)
    }

    /// The path the repository was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The working tree's root, `None` for a bare repository.
    pub fn work_dir(&self) -> Option<&Path> {
        self.inner.workdir()
    }

    /// A value of the repository's git configuration (local, global and
    /// system, as git reads them), e.g. `remote.origin.url`.
    pub fn config_value(&self, key: &str) -> Option<String> {
        self.inner
            .config_snapshot()
            .string(key)
            .map(|v| v.to_string())
    }

    /// Whether the current user owns the repository's git directory, as
    /// git's `safe.directory` check asks before trusting its settings.
    pub fn is_owned_by_current_user(&self) -> bool {
        self.inner.git_dir_trust() == gix::sec::Trust::Full
    }

    /// Whether this is a shallow clone, whose histories end early.
    pub fn is_shallow(&self) -> bool {
        self.shallow
    }

    /// The default branch: what `origin/HEAD` points at, else `main` or
    /// `master` when either exists, else the checked-out branch.
    pub fn default_branch(&self) -> Result<String, Error> {
        if let Ok(Some(r)) = self.inner.try_find_reference("refs/remotes/origin/HEAD")
            && let Some(target) = r.target().try_name()
        {
            let name = target.as_bstr().to_str_lossy();
            if let Some(short) = name.strip_prefix("refs/remotes/origin/") {
                return Ok(short.to_owned());
            }
        }
        // A worktree may have an environment branch checked out, so the
        // conventional names win over HEAD.
        for candidate in ["main", "master"] {
            if self.branch_ref(candidate)?.is_some() {
                return Ok(candidate.to_owned());
            }
        }
        if let Ok(Some(head)) = self.inner.head_name() {
            let short = head.shorten().to_str_lossy().into_owned();
            if self.branch_ref(&short)?.is_some() {
                return Ok(short);
            }
        }
        Err(Error::MissingBranch {
            branch: "main".to_owned(),
            path: self.path.clone(),
        })
    }

    /// Short names of all branches: local ones and those of `origin`, without duplicates, sorted.
    pub fn branches(&self) -> Result<Vec<String>, Error> {
        let read_error = |source| Error::Read {
            what: "the references".to_owned(),
            path: self.path.clone(),
            source,
        };
        let platform = self.inner.references().map_err(read_error)?;
        let mut names = Vec::new();
        for r in platform.all().map_err(read_error)? {
            let Ok(r) = r else { continue };
            let full = r.name().as_bstr().to_str_lossy();
            let short = if let Some(s) = full.strip_prefix("refs/heads/") {
                s
            } else if let Some(s) = full.strip_prefix("refs/remotes/origin/") {
                s
            } else {
                continue;
            };
            if short != "HEAD" {
                names.push(short.to_owned());
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn branch_ref(&self, branch: &str) -> Result<Option<gix::Reference<'_>>, Error> {
        for full in [
            format!("refs/remotes/origin/{branch}"),
            format!("refs/heads/{branch}"),
        ] {
            match self.inner.try_find_reference(full.as_str()) {
                Ok(Some(r)) => return Ok(Some(r)),
                Ok(None) => {}
                Err(source) => {
                    return Err(Error::Read {
                        what: format!("reference {full}"),
                        path: self.path.clone(),
                        source,
                    });
                }
            }
        }
        Ok(None)
    }

    /// The commit `branch` points at (see the module docs for which ref is used).
    pub fn branch_tip(&self, branch: &str) -> Result<ObjectId, Error> {
        let mut r = self
            .branch_ref(branch)?
            .ok_or_else(|| Error::MissingBranch {
                branch: branch.to_owned(),
                path: self.path.clone(),
            })?;
        let commit = r.peel_to_commit().map_err(|source| Error::Read {
            what: format!("the tip of branch {branch}"),
            path: self.path.clone(),
            source,
        })?;
        Ok(commit.id)
    }

    /// The root tree of `commit`.
    pub(crate) fn tree_of(&self, commit: ObjectId) -> Result<ObjectId, Error> {
        let c = self.find_commit(commit)?;
        c.tree_id()
            .map(|id| id.detach())
            .map_err(|source| Error::Read {
                what: format!("the tree of commit {commit}"),
                path: self.path.clone(),
                source,
            })
    }

    pub(crate) fn find_commit(&self, id: ObjectId) -> Result<gix::Commit<'_>, Error> {
        self.inner.find_commit(id).map_err(|source| {
            if self.shallow {
                Error::Shallow {
                    id,
                    path: self.path.clone(),
                }
            } else {
                Error::Read {
                    what: format!("commit {id}"),
                    path: self.path.clone(),
                    source,
                }
            }
        })
    }

    /// The contents of the file at `path` (slash-separated, relative to the
    /// root) in `commit`, or `None` when there is no such file.
    pub fn read_file(&self, commit: ObjectId, path: &str) -> Result<Option<Vec<u8>>, Error> {
        match self.blob_id(commit, path)? {
            Some(id) => self.read_blob(id).map(Some),
            None => Ok(None),
        }
    }

    /// The blob id of the file at `path` in `commit`, or `None` when there is no such file.
    pub(crate) fn blob_id(&self, commit: ObjectId, path: &str) -> Result<Option<ObjectId>, Error> {
        let tree = self.tree_of(commit)?;
        self.blob_in_tree(tree, path)
    }

    pub(crate) fn blob_in_tree(
        &self,
        tree: ObjectId,
        path: &str,
    ) -> Result<Option<ObjectId>, Error> {
        // Through `tree_entries`, so the packs' delta-base cache serves walks
        // that look up the same paths commit after commit.
        let mut at = tree;
        let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
        while let Some(part) = parts.next() {
            let last = parts.peek().is_none();
            match self.tree_entries(at, &[part])?.pop().flatten() {
                Some((id, EntryKind::Tree)) if !last => at = id,
                Some((id, EntryKind::Blob | EntryKind::BlobExecutable)) if last => {
                    return Ok(Some(id));
                }
                Some((_, kind @ (EntryKind::Link | EntryKind::Commit))) if last => {
                    return Err(Error::NotAFile {
                        file: path.trim_matches('/').to_owned(),
                        kind: if kind == EntryKind::Link {
                            "a symbolic link"
                        } else {
                            "a submodule"
                        },
                        path: self.path.clone(),
                    });
                }
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Whether the file at `path` in `commit` is executable (`100755`);
    /// `false` when there is no such file. A pull request's tree keeps it so.
    pub fn is_executable(&self, commit: ObjectId, path: &str) -> Result<bool, Error> {
        let path = path.trim_matches('/');
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let tree = self.tree_of(commit)?;
        let mut at = tree;
        for part in dir.split('/').filter(|p| !p.is_empty()) {
            match self.tree_entries(at, &[part])?.pop().flatten() {
                Some((id, EntryKind::Tree)) => at = id,
                _ => return Ok(false),
            }
        }
        Ok(matches!(
            self.tree_entries(at, &[name])?.pop().flatten(),
            Some((_, EntryKind::BlobExecutable))
        ))
    }

    /// Whether `path` names anything (a file or a directory) in `tree`.
    pub(crate) fn has_path(&self, tree: ObjectId, path: &str) -> Result<bool, Error> {
        let mut at = tree;
        let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
        while let Some(part) = parts.next() {
            match self.tree_entries(at, &[part])?.pop().flatten() {
                Some(_) if parts.peek().is_none() => return Ok(true),
                Some((id, EntryKind::Tree)) => at = id,
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    pub(crate) fn read_blob(&self, id: ObjectId) -> Result<Vec<u8>, Error> {
        let blob = self.inner.find_blob(id).map_err(|source| {
            if self.partial && !self.inner.has_object(id) {
                Error::NotFetched {
                    id,
                    file: None,
                    path: self.path.clone(),
                }
            } else {
                Error::Read {
                    what: format!("blob {id}"),
                    path: self.path.clone(),
                    source,
                }
            }
        })?;
        Ok(blob.detach().data)
    }

    /// Whether this is a partial clone, whose blobs arrive on demand.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Repository paths of every file under `dir` in `commit`, recursively
    /// and sorted; `""` or `"."` lists the whole tree.
    pub fn list_files(&self, commit: ObjectId, dir: &str) -> Result<Vec<String>, Error> {
        let dir = dir.trim_matches('/');
        let dir = if dir == "." { "" } else { dir };
        let root = self.tree_of(commit)?;
        let start = if dir.is_empty() {
            Some(root)
        } else {
            let tree = self.inner.find_tree(root).map_err(|source| Error::Read {
                what: format!("the tree of commit {commit}"),
                path: self.path.clone(),
                source,
            })?;
            let entry = tree
                .lookup_entry_by_path(dir)
                .map_err(|source| Error::Read {
                    what: format!("{dir} in commit {commit}"),
                    path: self.path.clone(),
                    source,
                })?;
            entry.filter(|e| e.mode().is_tree()).map(|e| e.object_id())
        };
        let mut files = Vec::new();
        if let Some(tree) = start {
            self.walk_files(tree, dir, &mut |path, _| files.push(path))?;
        }
        files.sort();
        Ok(files)
    }

    /// Every file of `commit`'s tree with its blob id, by repository path.
    pub(crate) fn file_ids(
        &self,
        commit: ObjectId,
    ) -> Result<std::collections::BTreeMap<String, ObjectId>, Error> {
        let mut out = std::collections::BTreeMap::new();
        let root = self.tree_of(commit)?;
        self.walk_files(root, "", &mut |path, id| {
            out.insert(path, id);
        })?;
        Ok(out)
    }

    fn walk_files(
        &self,
        tree: ObjectId,
        prefix: &str,
        visit: &mut dyn FnMut(String, ObjectId),
    ) -> Result<(), Error> {
        let read_error = |source| Error::Read {
            what: format!("tree {tree} ({prefix})"),
            path: self.path.clone(),
            source,
        };
        let tree = self.inner.find_tree(tree).map_err(read_error)?;
        let decoded = tree.decode().map_err(read_error)?;
        for entry in &decoded.entries {
            let name = entry.filename.to_str_lossy();
            let path = if prefix.is_empty() {
                name.into_owned()
            } else {
                format!("{prefix}/{name}")
            };
            if entry.mode.is_tree() {
                self.walk_files(entry.oid.to_owned(), &path, visit)?;
            } else if entry.mode.is_blob() {
                visit(path, entry.oid.to_owned());
            }
        }
        Ok(())
    }

    /// The commit named by a full hex id, when the repository holds it (a
    /// hydrator's dry commit is in the clone when the dry branch is).
    pub fn find_commit_id(&self, hex: &str) -> Option<ObjectId> {
        let id = ObjectId::from_hex(hex.trim().as_bytes()).ok()?;
        self.inner.find_commit(id).ok().map(|_| id)
    }

    /// Facts about a commit: author, time, subject and the PR it came through.
    pub fn commit_info(&self, id: ObjectId) -> Result<CommitInfo, Error> {
        // A commit never changes: its facts are read once per process.
        if let Some(info) = crate::cache::commit(id) {
            return Ok(info);
        }
        let info = self.read_commit_info(id)?;
        crate::cache::keep_commit(id, &info);
        Ok(info)
    }

    /// A commit's whole message, lossily decoded.
    pub fn commit_message(&self, id: ObjectId) -> Result<String, Error> {
        let commit = self.find_commit(id)?;
        let decoded = commit.decode().map_err(|source| Error::Read {
            what: format!("commit {id}"),
            path: self.path.clone(),
            source,
        })?;
        Ok(decoded.message.to_str_lossy().into_owned())
    }

    fn read_commit_info(&self, id: ObjectId) -> Result<CommitInfo, Error> {
        let commit = self.find_commit(id)?;
        let read_error = |source| Error::Read {
            what: format!("commit {id}"),
            path: self.path.clone(),
            source,
        };
        let decoded = commit.decode().map_err(read_error)?;
        let author = decoded.author().map_err(read_error)?;
        let time = author.time().unwrap_or_default();
        let subject = decoded.message_summary().to_str_lossy().into_owned();
        let change = crate::forge::change_ref(&decoded.message.to_str_lossy());
        Ok(CommitInfo {
            id: id.to_string(),
            author: author.name.to_str_lossy().trim().to_owned(),
            email: author.email.to_str_lossy().trim().to_owned(),
            time: time.seconds,
            offset: time.offset,
            change,
            subject,
        })
    }
}

impl Repo {
    /// How many bytes an object id has in this repository.
    pub(crate) fn hash_len(&self) -> usize {
        self.inner.object_hash().len_in_bytes()
    }

    /// The raw bytes of tree `tree`, from the packs' cache when it is there.
    pub(crate) fn tree_data(&self, tree: ObjectId) -> Result<Arc<Vec<u8>>, Error> {
        if let Some((gix::objs::Kind::Tree, bytes)) = self.packs.find(&tree) {
            return Ok(bytes);
        }
        let loose = self.inner.find_tree(tree).map_err(|source| Error::Read {
            what: format!("tree {tree}"),
            path: self.path.clone(),
            source,
        })?;
        Ok(Arc::new(loose.detach().data))
    }

    /// Every entry of the raw tree `data`, or the error of a damaged one.
    pub(crate) fn tree_iter<'d>(
        &self,
        tree: ObjectId,
        data: &'d [u8],
    ) -> impl Iterator<Item = Result<gix::objs::tree::EntryRef<'d>, Error>> + use<'d, '_> {
        gix::objs::TreeRefIter::from_bytes(data, self.inner.object_hash()).map(move |entry| {
            entry.map_err(|source| Error::Read {
                what: format!("tree {tree}"),
                path: self.path.clone(),
                source,
            })
        })
    }

    /// The index of a large tree looked up more than once (`None` on the first lookup).
    fn tree_index(&self, tree: ObjectId, data: &[u8]) -> Result<Option<Arc<TreeIndex>>, Error> {
        if let Some(index) = self.indexes.borrow_mut().get(&tree) {
            return Ok(Some(index.clone()));
        }
        if self.looked_up.borrow_mut().put(tree, ()).is_none() {
            return Ok(None);
        }
        let mut index = TreeIndex::new();
        for entry in self.tree_iter(tree, data) {
            let entry = entry?;
            index.insert(
                entry.filename.to_vec(),
                (entry.oid.to_owned(), entry.mode.kind()),
            );
        }
        let index = Arc::new(index);
        self.indexes.borrow_mut().put(tree, index.clone());
        Ok(Some(index))
    }

    /// For each of `names`, the id and kind of the entry so named in
    /// `tree`; `None` where there is no such entry.
    pub(crate) fn tree_entries(
        &self,
        tree: ObjectId,
        names: &[&str],
    ) -> Result<Vec<Option<(ObjectId, EntryKind)>>, Error> {
        let data = self.tree_data(tree)?;
        if data.len() > INDEXED_TREE
            && let Some(index) = self.tree_index(tree, &data)?
        {
            return Ok(names
                .iter()
                .map(|n| index.get(n.as_bytes()).copied())
                .collect());
        }
        let mut found: Vec<Option<(ObjectId, EntryKind)>> = vec![None; names.len()];
        let mut missing = names.len();
        for entry in self.tree_iter(tree, &data) {
            let entry = entry?;
            for (slot, name) in found.iter_mut().zip(names) {
                if slot.is_none() && entry.filename == name.as_bytes() {
                    *slot = Some((entry.oid.to_owned(), entry.mode.kind()));
                    missing -= 1;
                }
            }
            if missing == 0 {
                break;
            }
        }
        Ok(found)
    }
}

impl Repo {
    /// The commits along first parents from `tip`, newest first; ends at the
    /// root commit or at a shallow clone's boundary.
    pub(crate) fn first_parents(
        &self,
        tip: ObjectId,
    ) -> impl Iterator<Item = Result<ObjectId, Error>> + '_ {
        let mut next = Some(tip);
        std::iter::from_fn(move || {
            let id = next.take()?;
            match self.find_commit(id) {
                Ok(commit) => {
                    next = commit.parent_ids().next().map(|p| p.detach());
                    Some(Ok(id))
                }
                Err(Error::Shallow { .. }) => None,
                Err(e) => Some(Err(e)),
            }
        })
    }

    /// A commit's committer time, seconds since the Unix epoch.
    pub(crate) fn commit_time(&self, id: ObjectId) -> Result<i64, Error> {
        self.find_commit(id)?
            .time()
            .map(|t| t.seconds)
            .map_err(|source| Error::Read {
                what: format!("the time of commit {id}"),
                path: self.path.clone(),
                source,
            })
    }
}

impl Repo {
    /// A commit's root tree and first parent: from the commit-graph when it
    /// holds the commit, else from the commit object.
    /// Whether walks can skip commits with the commit-graph's Bloom filters.
    pub fn has_bloom_filters(&self) -> bool {
        self.filters.is_some()
    }

    /// Whether `commit` may have changed any of `paths` against its first
    /// parent. `false` is certain (the commit-graph's Bloom filters say so);
    /// without filters the answer is always `true`.
    pub(crate) fn may_change_any(&self, commit: ObjectId, paths: &[impl AsRef<str>]) -> bool {
        let (Some(graph), Some(filters)) = (&self.graph, &self.filters) else {
            return true;
        };
        let Some(position) = graph.lookup(commit) else {
            return true;
        };
        paths
            .iter()
            .any(|p| filters.may_have_changed(position.0, &commit, p.as_ref()))
    }

    pub(crate) fn links(&self, id: ObjectId) -> Result<(ObjectId, Option<ObjectId>), Error> {
        if let Some(graph) = &self.graph
            && let Some(c) = graph.commit_by_id(id)
            && let Ok(parent) = c.parent1()
        {
            return Ok((
                c.root_tree_id().to_owned(),
                parent.map(|p| graph.id_at(p).to_owned()),
            ));
        }
        if let Some((gix::objs::Kind::Commit, bytes)) = self.packs.find(&id) {
            let mut commit = gix::objs::CommitRefIter::from_bytes(&bytes, self.inner.object_hash());
            if let Ok(tree) = commit.tree_id() {
                return Ok((tree, commit.parent_ids().next()));
            }
        }
        let commit = self.find_commit(id)?;
        let tree = commit.tree_id().map_err(|source| Error::Read {
            what: format!("the tree of commit {id}"),
            path: self.path.clone(),
            source,
        })?;
        Ok((
            tree.detach(),
            commit.parent_ids().next().map(|p| p.detach()),
        ))
    }
}
