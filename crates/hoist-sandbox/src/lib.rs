//! An offline GitHub (or GitLab) for Hoist's tests and demo: the REST
//! endpoints Hoist uses, served on 127.0.0.1 and backed by a real bare
//! repository that the Git Data endpoints (GitLab's commits API) write to
//! with gix, so merging a pull request here moves the branch a `git fetch`
//! then sees.
//!
//! Like GitHub it checks tokens and their scopes, counts a rate limit, answers
//! conditional GETs with 304, shapes its errors as GitHub does, and, standing
//! in for CI and for the cluster's reconciler, posts check runs on new pull
//! requests and commit statuses after a merge. Tests inject faults (status
//! codes, rate limits, slow answers, dropped connections) and read a journal
//! of every exchange, which the test suite validates against GitHub's
//! OpenAPI description (the GitLab forge's against gitbeaker's types).

// GitHub's and GitLab's resources are large JSON literals.
#![recursion_limit = "512"]

mod fault;
mod git;
#[cfg(feature = "openapi")]
pub mod gitbeaker;
mod gitlab;
#[cfg(feature = "openapi")]
mod graphql_schema;
#[cfg(feature = "openapi")]
pub mod openapi;
mod reconcile;
mod reply;
mod routes;
mod serve;
mod shape;
mod source;
mod store;

pub use source::Source;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use fault::{Fault, FaultKind};
pub use store::{Exchange, PullState};

/// Why the sandbox could not start or do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bare repository could not be opened.
    #[error("cannot open the sandbox's repository {path}: {detail}")]
    Repository {
        /// Its path.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A control request named a pull request that does not exist.
    #[error("the sandbox has no pull request #{0}")]
    NoSuchPull(u64),
    /// A control request could not be carried out.
    #[error("{0}")]
    Refused(String),
}

/// Someone who may call the API.
#[derive(Debug, Clone)]
pub struct Account {
    /// Their login.
    pub login: String,
    /// The token they authenticate with.
    pub token: String,
    /// The token's OAuth scopes, e.g. `repo`.
    pub scopes: Vec<String>,
}

/// Which forge's API the sandbox speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Forge {
    /// GitHub's REST API (and the GraphQL Hoist uses), at the root.
    #[default]
    Github,
    /// GitLab's REST API v4, under `/api/v4`; the project is
    /// `owner/name`, where `owner` may hold subgroups (`group/sub`).
    Gitlab,
}

/// What the sandbox serves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which API it speaks.
    pub forge: Forge,
    /// The bare repository behind `owner/name`.
    pub repo: PathBuf,
    /// The repository's owner.
    pub owner: String,
    /// The repository's name.
    pub name: String,
    /// Who may call the API.
    pub accounts: Vec<Account>,
    /// Further logins that may be asked to review (collaborators without tokens).
    pub collaborators: Vec<String>,
    /// Check runs posted, as CI would, on each new head of a pull request.
    pub checks: Vec<String>,
    /// The commit-status context the simulated reconciler posts after a merge.
    pub reconciler: Option<String>,
    /// How long simulated CI and the reconciler take.
    pub delay: Duration,
    /// Requests per hour per account.
    pub rate_limit: u32,
    /// The port to listen on; 0 picks a free one.
    pub port: u16,
    /// The merge methods the repository allows (`merge`, `squash`,
    /// `rebase`), as its settings' `allow_*_merge` say.
    pub merge_methods: Vec<String>,
    /// Branches whose new commits must carry verified signatures.
    pub signature_rules: Vec<SignatureRule>,
    /// Approvals a GitLab merge request needs before it may be merged (its
    /// project's approval rule); GitHub's sandbox has no such rule.
    pub required_approvals: u32,
    /// Apps' source repositories served beside it (GitHub only): read-only,
    /// with the pull requests their history records as merged.
    pub sources: Vec<Source>,
}

/// Commits on matching branches must carry verified signatures: GitHub
/// refuses a push of an unsigned commit and the merge of a pull request
/// that brings one.
#[derive(Debug, Clone)]
pub struct SignatureRule {
    /// The branch; for a ruleset a pattern too, where `*` matches within a
    /// path component and `**` across them (`env/*`).
    pub branch: String,
    /// Where the rule is set, which decides where the API shows it.
    pub source: RuleSource,
}

/// Where a rule is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSource {
    /// A repository ruleset: shown to anyone who can read the repository.
    Ruleset,
    /// Classic branch protection: shown to administrators only.
    BranchProtection,
}

impl Config {
    /// A sandbox for `owner/name` backed by `repo`, with one account
    /// (`login`, `token`, scope `repo`), no simulated CI or reconciler, on a
    /// free port.
    pub fn new(
        repo: impl Into<PathBuf>,
        owner: &str,
        name: &str,
        login: &str,
        token: &str,
    ) -> Config {
        Config {
            forge: Forge::Github,
            repo: repo.into(),
            owner: owner.to_owned(),
            name: name.to_owned(),
            accounts: vec![Account {
                login: login.to_owned(),
                token: token.to_owned(),
                scopes: vec!["repo".to_owned()],
            }],
            collaborators: Vec::new(),
            checks: Vec::new(),
            reconciler: None,
            delay: Duration::from_millis(200),
            rate_limit: 5000,
            port: 0,
            merge_methods: vec!["merge".to_owned(), "squash".to_owned()],
            signature_rules: Vec::new(),
            required_approvals: 0,
            sources: Vec::new(),
        }
    }
}

/// What every request handler shares.
pub(crate) struct Shared {
    pub config: Config,
    /// The API's base URL, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    pub git: git::Git,
    pub store: Mutex<store::Store>,
    /// Where background work (simulated CI, the reconciler) is spawned.
    pub runtime: tokio::runtime::Handle,
    /// Put in the merge form of each pull request page and required back:
    /// another web page the person has open cannot post the form (it
    /// cannot read the sandbox's pages to learn it).
    pub form_secret: String,
}

/// 128 random bits as hex, from the standard library's per-process random
/// hash keys (seeded by the operating system).
fn form_secret() -> String {
    use std::hash::{BuildHasher, Hasher};
    (0..2)
        .map(|_| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u8(0);
            format!("{:016x}", h.finish())
        })
        .collect()
}

impl Shared {
    /// Whether the repository allows merging pull requests by `method`.
    pub(crate) fn allows(&self, method: &str) -> bool {
        self.config.merge_methods.iter().any(|m| m == method)
    }

    /// The rules requiring signatures on `branch`.
    pub(crate) fn signature_rules(&self, branch: &str) -> impl Iterator<Item = &SignatureRule> {
        self.config
            .signature_rules
            .iter()
            .filter(move |r| match r.source {
                RuleSource::Ruleset => glob_matches(r.branch.as_bytes(), branch.as_bytes()),
                RuleSource::BranchProtection => r.branch == branch,
            })
    }

    pub fn store(&self) -> MutexGuard<'_, store::Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A ruleset's branch pattern: `*` matches any run within one path
/// component, `**` any run at all.
fn glob_matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern {
        [] => name.is_empty(),
        [b'*', b'*', rest @ ..] => (0..=name.len()).any(|i| glob_matches(rest, &name[i..])),
        [b'*', rest @ ..] => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != b'/')
            .any(|i| glob_matches(rest, &name[i..])),
        [c, rest @ ..] => name.first() == Some(c) && glob_matches(rest, &name[1..]),
    }
}

/// A running sandbox; it stops when dropped.
pub struct Sandbox {
    shared: Arc<Shared>,
    /// The source repositories' own state, by `owner/name`.
    sources: Vec<Arc<Shared>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Starts serving `config` on its own thread and runtime.
    pub fn start(config: Config) -> Result<Sandbox, Error> {
        let git = git::Git::open(&config.repo)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::Refused(format!("cannot start the sandbox's runtime: {e}")))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], config.port));
        // Bound here, with std, so `start` also works inside another runtime.
        let listener = std::net::TcpListener::bind(addr)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|source| Error::Listen { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| Error::Listen { addr, source })?;
        let base = format!("http://{bound}");
        let mut sources = Vec::new();
        for source in &config.sources {
            let git = git::Git::open(&source.repo)?;
            let mut store = store::Store::new(&config);
            source::seed(&git, &mut store);
            sources.push(Arc::new(Shared {
                base: base.clone(),
                store: Mutex::new(store),
                config: Config {
                    repo: source.repo.clone(),
                    owner: source.owner.clone(),
                    name: source.name.clone(),
                    checks: Vec::new(),
                    reconciler: None,
                    signature_rules: Vec::new(),
                    sources: Vec::new(),
                    ..config.clone()
                },
                git,
                runtime: runtime.handle().clone(),
                form_secret: form_secret(),
            }));
        }
        let shared = Arc::new(Shared {
            base,
            store: Mutex::new(store::Store::new(&config)),
            config,
            git,
            runtime: runtime.handle().clone(),
            form_secret: form_secret(),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = serve::dispatch(
            serve::router(shared.clone()),
            sources
                .iter()
                .map(|s| {
                    (
                        format!("{}/{}", s.config.owner, s.config.name),
                        serve::router(s.clone()),
                    )
                })
                .collect(),
        );
        let thread = std::thread::Builder::new()
            .name("hoist-sandbox".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await;
                });
                // Background tasks (a reconciler waiting out its delay) end with the runtime.
                runtime.shutdown_timeout(Duration::from_millis(100));
            })
            .map_err(|e| Error::Refused(format!("cannot start the sandbox's thread: {e}")))?;
        Ok(Sandbox {
            shared,
            sources,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The API's base URL (what `api.github.com` is to GitHub; for GitLab
    /// the instance's, with the API under `/api/v4`).
    pub fn url(&self) -> &str {
        &self.shared.base
    }

    /// Makes matching requests fail as `fault` says, for its number of times.
    pub fn inject(&self, fault: Fault) {
        self.shared.store().faults.push(fault);
    }

    /// Every exchange so far, oldest first (the source repositories' in
    /// [`Sandbox::source_journal`]).
    pub fn journal(&self) -> Vec<Exchange> {
        self.shared.store().journal.clone()
    }

    /// Every exchange with the source repository `owner/name` so far.
    pub fn source_journal(&self, repository: &str) -> Vec<Exchange> {
        self.sources
            .iter()
            .filter(|s| format!("{}/{}", s.config.owner, s.config.name) == repository)
            .flat_map(|s| s.store().journal.clone())
            .collect()
    }

    /// Makes matching requests to the source repository `owner/name` fail
    /// as `fault` says.
    pub fn inject_source(&self, repository: &str, fault: Fault) {
        for s in &self.sources {
            if format!("{}/{}", s.config.owner, s.config.name) == repository {
                s.store().faults.push(fault.clone());
            }
        }
    }

    /// How many requests matched `method` and the route template `route`
    /// (e.g. `/repos/{owner}/{repo}/pulls`) and were answered with a success.
    pub fn count(&self, method: &str, route: &str) -> usize {
        self.shared
            .store()
            .journal
            .iter()
            .filter(|e| e.method == method && e.route == route && e.status < 400)
            .count()
    }

    /// Makes `token` invalid, as when it is revoked on GitHub.
    pub fn revoke(&self, token: &str) {
        self.shared.store().revoked.insert(token.to_owned());
    }

    /// Spends `login`'s rate limit until `reset_in` from now.
    pub fn spend_rate_limit(&self, login: &str, reset_in: Duration) {
        self.shared.store().spend(login, reset_in);
    }

    /// Pull request numbers with their state, oldest first.
    pub fn pulls(&self) -> Vec<(u64, PullState, String)> {
        self.shared
            .store()
            .pulls
            .iter()
            .map(|p| (p.number, p.state(), p.head.clone()))
            .collect()
    }

    /// The body of pull request `number`, as the forge keeps it.
    pub fn pull_body(&self, number: u64) -> Option<String> {
        self.shared
            .store()
            .pull(number)
            .and_then(|p| p.body.clone())
    }

    /// Records `login`'s review of pull request `number` (`APPROVED`,
    /// `CHANGES_REQUESTED` or `COMMENTED`), as if given on GitHub.
    /// On GitLab an `APPROVED` review is an approval, and a merge request
    /// set to merge when ready merges once it is approved.
    pub fn review(&self, number: u64, login: &str, state: &str) -> Result<(), Error> {
        routes::pulls::add_review(&self.shared, number, login, state)?;
        if self.shared.config.forge == Forge::Gitlab && state == "APPROVED" {
            gitlab::merge::on_approval(&self.shared, number);
        }
        Ok(())
    }

    /// Merges pull request `number` as `login` would on GitHub's page.
    pub fn merge(&self, number: u64, login: &str) -> Result<String, Error> {
        routes::pulls::merge_as(&self.shared, number, login)
    }

    /// Decides how the reconciler reports the next merges into `branch`:
    /// `success` (the default), `failure` or `error`.
    pub fn reconcile_outcome(&self, branch: &str, state: &str) {
        self.shared
            .store()
            .reconcile_outcome
            .insert(branch.to_owned(), state.to_owned());
    }

    /// The numeric id the sandbox gives `login` (GitLab addresses users,
    /// e.g. a merge request's reviewers, by id).
    pub fn user_id(&self, login: &str) -> u64 {
        shape::user_id(login)
    }

    /// Decides how simulated CI ends on the next heads of `branch` (a pull
    /// request's head branch): passing (the default) or failing.
    pub fn ci_passes(&self, branch: &str, passes: bool) {
        self.shared
            .store()
            .ci_passes
            .insert(branch.to_owned(), passes);
    }

    /// Opens a pull request from `fork`'s branch `head` (at `sha`, a commit
    /// of this repository's network) into `base`, as `fork` would from their
    /// fork; returns its number.
    pub fn open_fork_pull(
        &self,
        fork: &str,
        head: &str,
        sha: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> u64 {
        let mut store = self.shared.store();
        let mut pull = store.new_pull(fork, head, sha, base);
        pull.title = title.to_owned();
        pull.body = Some(body.to_owned());
        pull.fork = Some(fork.to_owned());
        let number = pull.number;
        store.pulls.push(pull);
        number
    }

    /// Whether GitHub signed commit `sha` (it signs the commits it writes
    /// itself: merges, and commits made through the GraphQL API).
    pub fn is_signed(&self, sha: &str) -> bool {
        self.shared.store().signed.contains(sha)
    }

    /// Moves `branch` to `sha` as a push by someone else would: open pull
    /// (merge) requests from it follow it to `sha`, as both forges update
    /// them on a push, and CI runs on their new head.
    pub fn push(&self, branch: &str, sha: &str) -> Result<(), Error> {
        let mut store = self.shared.store();
        self.shared
            .git
            .set_branch(branch, sha)
            .map_err(|e| Error::Refused(e.message))?;
        let followed = store.follow_head(branch, sha);
        drop(store);
        if followed {
            reconcile::on_new_heads(&self.shared);
        }
        Ok(())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
