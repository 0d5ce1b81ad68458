//! What a front end works on between operations: the repository, the demo
//! behind it (if any), the plans it previewed, the long work it can stop,
//! and the forge client.
//!
//! Invariant: a pull request is only ever opened from a plan stored here by
//! a preview, so the PR holds exactly the change the user saw, on exactly
//! the previewed base. Front ends name plans by id and never send file
//! contents back.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use hoist_core::Project;
use hoist_core::config::PrSettings;
use hoist_core::plan::PromotionPlan;
use hoist_forge::policy::{OnWait, Policy};
use hoist_forge::token::Token;

use crate::forge::{self, Client, Host};

use crate::Error;

/// How many previews a session keeps for opening their pull requests.
pub const KEPT_PREVIEWS: u64 = 20;

/// How many release trains' dry runs a session keeps for opening them.
pub const KEPT_TRAINS: u64 = 5;

/// A repository and what a front end holds on to between operations.
pub struct Session {
    repository: RwLock<PathBuf>,
    /// The demo, when no repository was given; its sandbox serves while the
    /// session lives, also after the user opens another repository, and is
    /// replaced when the user picks the other forge for it.
    demo: RwLock<Option<Arc<hoist_demo::Demo>>>,
    plans: Mutex<HashMap<u64, Arc<Previewed>>>,
    next_plan: AtomicU64,
    /// Release trains previewed, kept apart from single previews so a long
    /// train's plans never push out the preview the user is looking at.
    trains: Mutex<HashMap<u64, Arc<PreviewedTrain>>>,
    /// Per train opened in this session, its change requests' numbers: the
    /// tracker still counts them once merged or closed.
    opened_trains: Mutex<HashMap<String, Vec<u64>>>,
    /// Per kind of work, the flag that stops it.
    work: Mutex<HashMap<Work, Arc<AtomicBool>>>,
    /// One client per session, so conditional requests reuse their ETags.
    client: tokio::sync::Mutex<Option<Arc<Client>>>,
    /// Told when the client waits out a rate limit or retries.
    on_wait: Option<OnWait>,
    /// A `.hoist.yaml` read instead of the default branch's (the CLI's
    /// `--config`, or the window's editor saved one into the working tree).
    config_file: RwLock<Option<PathBuf>>,
    /// Where what never changes (release notes between two tags) is kept
    /// between runs; nothing is kept without one.
    cache_dir: Option<PathBuf>,
}

/// Long work a front end can stop at its next step, one of each kind at a
/// time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// Opening a pull request.
    Open,
    /// Merging one, then following the environment.
    Merge,
    /// Fetching the clone.
    Fetch,
    /// Cloning a repository.
    Clone,
    /// Reading history.
    History,
    /// Finding where each environment's versions came from.
    Origins,
    /// Reading release notes from the apps' source repositories.
    Notes,
    /// Opening a release train's pull requests, one after the other.
    Train,
}

/// A plan as the user saw it, with the pull request settings its title,
/// branch and labels were drawn from at that moment.
#[derive(Clone)]
pub struct Previewed {
    pub plan: PromotionPlan,
    pub settings: PrSettings,
}

/// A release train as the user saw it, with the pull request settings its
/// pull requests are drawn from.
pub struct PreviewedTrain {
    pub train: hoist_core::plan::train::Train,
    pub settings: PrSettings,
}

impl Session {
    pub fn new(repository: PathBuf, demo: Option<hoist_demo::Demo>) -> Session {
        Session {
            repository: RwLock::new(repository),
            demo: RwLock::new(demo.map(Arc::new)),
            plans: Mutex::new(HashMap::new()),
            next_plan: AtomicU64::new(1),
            trains: Mutex::new(HashMap::new()),
            opened_trains: Mutex::new(HashMap::new()),
            work: Mutex::new(HashMap::new()),
            client: tokio::sync::Mutex::new(None),
            on_wait: None,
            config_file: RwLock::new(None),
            cache_dir: None,
        }
    }

    /// Tells `on_wait` each time the forge client waits (a rate limit, a
    /// retry), with the seconds and why.
    pub fn with_on_wait(mut self, on_wait: OnWait) -> Session {
        self.on_wait = Some(on_wait);
        self
    }

    /// Keeps what never changes under `dir` (see [`Session::cache_dir`]).
    pub fn with_cache_dir(mut self, dir: PathBuf) -> Session {
        self.cache_dir = Some(dir);
        self
    }

    /// Where release notes are kept between runs, if anywhere.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        self.cache_dir.clone()
    }

    pub fn repository(&self) -> PathBuf {
        self.repository
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The demo, while the session is on its clone.
    pub fn demo(&self) -> Option<Arc<hoist_demo::Demo>> {
        self.demo
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|d| d.clone == self.repository())
    }

    /// The forge the session's demo plays, whichever repository the session
    /// is on; `None` when it has no demo (it was started on a repository).
    pub fn demo_forge(&self) -> Option<hoist_core::forge::Forge> {
        self.demo
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|d| match d.forge {
                hoist_demo::Forge::Github => hoist_core::forge::Forge::GitHub,
                hoist_demo::Forge::Gitlab => hoist_core::forge::Forge::GitLab,
            })
    }

    /// Shows the demo with its sandbox playing `forge`: the running demo
    /// when it already does, else a new sandbox on the same repository (the
    /// clone's branches and history stay; the old sandbox's pull requests,
    /// kept only in its memory, go with it). Running work is stopped first:
    /// it talks to the sandbox being replaced.
    pub async fn open_demo(&self, forge: hoist_core::forge::Forge) -> Result<(), Error> {
        let current = self
            .demo
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(Error::NoDemo)?;
        let wanted = match forge {
            hoist_core::forge::Forge::GitHub => hoist_demo::Forge::Github,
            hoist_core::forge::Forge::GitLab => hoist_demo::Forge::Gitlab,
        };
        let clone = current.clone.clone();
        if current.forge != wanted {
            self.cancel_all();
            let (dir, delay) = (current.dir.clone(), current.delay);
            drop(current);
            // The new sandbox starts before the old one stops, so a failure
            // leaves the demo as it was.
            let started = crate::blocking("restarting the demo", move || {
                hoist_demo::Demo::start_on(&dir, delay, wanted).map_err(Error::from)
            })
            .await?;
            let old = self
                .demo
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .replace(Arc::new(started));
            // Its sandbox stops here, or when the last work holding it ends.
            drop(old);
        }
        // The forge client, previews and configuration file belong to
        // what was shown before.
        self.switch(clone).await;
        Ok(())
    }

    /// Makes `path` the session's repository. Previews, a configuration file
    /// and the forge client belong to the old one and are dropped.
    pub async fn switch(&self, path: PathBuf) {
        let mut client = self.client.lock().await;
        *self
            .repository
            .write()
            .unwrap_or_else(PoisonError::into_inner) = path;
        self.plans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.trains
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.opened_trains
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        *self
            .config_file
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
        *client = None;
    }

    /// Reads the configuration from `file` from now on (until the session
    /// switches repositories).
    pub fn use_config_file(&self, file: PathBuf) {
        *self
            .config_file
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(file);
    }

    /// Forgets the forge client, so the next call finds the token again
    /// (after signing in or out).
    pub async fn reconnect(&self) {
        *self.client.lock().await = None;
    }

    /// The repository with its configuration, read now.
    pub fn project(&self) -> Result<Project, Error> {
        let file = self
            .config_file
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Ok(Project::open_with(&self.repository(), file.as_deref())?)
    }

    /// The forge the repository's origin is on, as far as the clone's own
    /// settings and origin tell: for wording where the project cannot be
    /// read (so it does not read it again, detection included), falling
    /// back to GitHub.
    pub fn forge(&self) -> hoist_core::forge::Forge {
        hoist_core::Repo::open(&self.repository())
            .ok()
            .and_then(|repo| forge::forge_of(&repo, None).ok())
            .unwrap_or(hoist_core::forge::Forge::GitHub)
    }

    /// Keeps a previewed plan and returns the id it is referred to by.
    /// Only the last [`KEPT_PREVIEWS`] are kept: each holds whole files, and
    /// an older preview is offered again by previewing again.
    pub fn remember(&self, previewed: Previewed) -> String {
        let n = self.next_plan.fetch_add(1, Ordering::Relaxed);
        let mut plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
        plans.insert(n, Arc::new(previewed));
        plans.retain(|&kept, _| kept + KEPT_PREVIEWS > n);
        format!("plan-{n}")
    }

    /// The preview kept under `id`.
    pub fn plan(&self, id: &str) -> Result<Arc<Previewed>, Error> {
        let n = id.strip_prefix("plan-").and_then(|n| n.parse::<u64>().ok());
        n.and_then(|n| {
            self.plans
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&n)
                .cloned()
        })
        .ok_or_else(|| Error::PreviewGone { id: id.to_owned() })
    }

    /// Keeps a previewed train and returns the id it is opened by; only the
    /// last [`KEPT_TRAINS`] are kept.
    pub fn remember_train(&self, previewed: PreviewedTrain) -> String {
        let n = self.next_plan.fetch_add(1, Ordering::Relaxed);
        let mut trains = self.trains.lock().unwrap_or_else(PoisonError::into_inner);
        trains.insert(n, Arc::new(previewed));
        trains.retain(|&kept, _| kept + KEPT_TRAINS > n);
        format!("train-{n}")
    }

    /// The train kept under `id`.
    pub fn train(&self, id: &str) -> Result<Arc<PreviewedTrain>, Error> {
        let n = id
            .strip_prefix("train-")
            .and_then(|n| n.parse::<u64>().ok());
        n.and_then(|n| {
            self.trains
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&n)
                .cloned()
        })
        .ok_or_else(|| Error::PreviewGone { id: id.to_owned() })
    }

    /// Notes that change request `number` was opened for train `train`.
    pub fn opened_for_train(&self, train: &str, number: u64) {
        let mut opened = self
            .opened_trains
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let numbers = opened.entry(train.to_owned()).or_default();
        if !numbers.contains(&number) {
            numbers.push(number);
        }
    }

    /// The change requests opened in this session, per train.
    pub fn opened_trains(&self) -> HashMap<String, Vec<u64>> {
        self.opened_trains
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Keeps the release notes read for preview `id` with it, so the pull
    /// request opened from it shows them; a preview already gone keeps
    /// nothing.
    pub fn keep_notes(&self, id: &str, notes: Vec<hoist_core::notes::SourceNotes>) {
        let Some(n) = id.strip_prefix("plan-").and_then(|n| n.parse::<u64>().ok()) else {
            return;
        };
        let mut plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = plans.get_mut(&n) {
            let mut with = Previewed::clone(kept);
            with.plan.source_notes = notes;
            *kept = Arc::new(with);
        }
    }

    /// A fresh stop flag for `kind` of work, replacing an earlier one.
    pub fn start_work(&self, kind: Work) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.work
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(kind, flag.clone());
        flag
    }

    /// Asks the running `kind` of work to stop; false when none runs.
    pub fn cancel(&self, kind: Work) -> bool {
        match self
            .work
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&kind)
        {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Asks all running work to stop (the CLI's Ctrl-C).
    pub fn cancel_all(&self) {
        for flag in self
            .work
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
        {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// The forge client for the repository's origin, made on first use.
    /// Made inside the caller's runtime, whose reactor its connections use.
    pub async fn client(&self) -> Result<Arc<Client>, Error> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref() {
            return Ok(client.clone());
        }
        let client = Arc::new(
            self.host(None)?
                .client(Policy::default(), self.on_wait.clone())?,
        );
        *slot = Some(client.clone());
        Ok(client)
    }

    /// The origin's forge and repository there, the API, and the token for
    /// it with where it comes from. The token stays in Rust; the demo's is
    /// handed over in memory, so the demo never touches the user's keyring.
    /// `api_url` names the API of a host not saved yet (at sign-in).
    pub fn host(&self, api_url: Option<&str>) -> Result<Host, Error> {
        let project = self.project()?;
        let demo = self
            .demo()
            .and_then(|_| Token::new(hoist_demo::TOKEN))
            .map(|t| (t, "the demo's sandbox account"));
        let forge = forge::forge_of(&project.repo, project.config.forge)?;
        forge::host(&project.repo, forge, api_url, demo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn previewed(base: &str) -> Previewed {
        Previewed {
            plan: PromotionPlan {
                kind: hoist_core::plan::PlanKind::Promotion,
                source: "dev".into(),
                source_commit: "d".repeat(40),
                target: "stage".into(),
                target_branch: "env/stage".into(),
                base: base.into(),
                apps: Vec::new(),
                files: Vec::new(),
                warnings: Vec::new(),
                blocked: false,
                changelog: Vec::new(),
                dry_changes: Vec::new(),
                head: None,
                train: None,
                source_notes: Vec::new(),
            },
            settings: serde_json::from_str("{}").expect("default settings"),
        }
    }

    #[test]
    fn a_preview_is_found_by_its_id_until_many_newer_ones_push_it_out() {
        let session = Session::new(PathBuf::from("/nowhere"), None);
        let first = session.remember(previewed("first"));
        assert_eq!(session.plan(&first).expect("kept").plan.base, "first");
        let mut last = String::new();
        for n in 0..KEPT_PREVIEWS {
            last = session.remember(previewed(&n.to_string()));
        }
        let gone = session.plan(&first).err().expect("pushed out");
        assert!(matches!(gone, Error::PreviewGone { .. }), "{gone}");
        assert_eq!(
            session.plan(&last).expect("kept").plan.base,
            (KEPT_PREVIEWS - 1).to_string()
        );
        assert!(session.plan("nonsense").is_err());
    }

    #[test]
    fn stopping_all_work_sets_every_running_flag() {
        let session = Session::new(PathBuf::from("/nowhere"), None);
        let open = session.start_work(Work::Open);
        let merge = session.start_work(Work::Merge);
        assert!(!session.cancel(Work::History), "no history runs");
        session.cancel_all();
        assert!(open.load(Ordering::Relaxed) && merge.load(Ordering::Relaxed));
        // A new run of a kind starts unstopped.
        assert!(!session.start_work(Work::Open).load(Ordering::Relaxed));
    }
}
