//! What one window works on: the repository, the demo behind it (if any),
//! the plans it previewed, and the long-running work it can cancel.
//!
//! Invariant: a pull request is only ever opened from a plan stored here by
//! a preview, so the PR holds exactly the change the user saw, on exactly
//! the previewed base. The web view names plans by id and never sends
//! file contents.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use hoist_core::Project;
use hoist_core::config::PrSettings;
use hoist_core::plan::PromotionPlan;
use hoist_github::Token;
use hoist_github::client::{Client, Policy};
use hoist_github::connect::{self, Host};

use crate::view::Failure;

/// How many previews the window keeps for opening their pull requests.
pub const KEPT_PREVIEWS: u64 = 20;

/// The window's repository and what it holds on to between commands.
pub struct Session {
    repository: RwLock<PathBuf>,
    /// The demo, when no repository was given; its sandbox serves while the
    /// app runs, also after the user opens another repository.
    demo: Option<hoist_demo::Demo>,
    plans: Mutex<HashMap<u64, Arc<Previewed>>>,
    next_plan: AtomicU64,
    /// Per kind of work, the flag that stops it.
    work: Mutex<HashMap<Work, Arc<AtomicBool>>>,
    /// One client for the window, so conditional requests reuse their ETags.
    client: tokio::sync::Mutex<Option<Arc<Client>>>,
    /// A `.hoist.yaml` saved by the configuration editor into the clone's
    /// working tree, read instead of the default branch's until committed.
    config_file: RwLock<Option<PathBuf>>,
    /// The apps the configuration editor offers, by candidate id.
    survey: Mutex<Vec<Candidate>>,
}

/// Long work the window can stop at its next step, one of each kind at a
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
}

/// An app the configuration editor offers, with why detection proposed it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub app: hoist_core::config::App,
    pub reason: String,
}

impl Session {
    pub fn new(repository: PathBuf, demo: Option<hoist_demo::Demo>) -> Session {
        Session {
            repository: RwLock::new(repository),
            demo,
            plans: Mutex::new(HashMap::new()),
            next_plan: AtomicU64::new(1),
            work: Mutex::new(HashMap::new()),
            client: tokio::sync::Mutex::new(None),
            config_file: RwLock::new(None),
            survey: Mutex::new(Vec::new()),
        }
    }

    pub fn repository(&self) -> PathBuf {
        self.repository
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The demo, while the window shows it.
    pub fn demo(&self) -> Option<&hoist_demo::Demo> {
        self.demo.as_ref().filter(|d| d.clone == self.repository())
    }

    /// Makes `path` the window's repository. Previews and the GitHub client
    /// belong to the old one and are dropped.
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
        *self
            .config_file
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
        *client = None;
    }

    /// Reads the configuration from `file` from now on (until the window
    /// switches repositories): the editor saved it there.
    pub fn use_config_file(&self, file: PathBuf) {
        *self
            .config_file
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(file);
    }

    /// Replaces the apps the configuration editor offers.
    pub fn offer(&self, candidates: Vec<Candidate>) {
        *self.survey.lock().unwrap_or_else(PoisonError::into_inner) = candidates;
    }

    /// The candidate apps the configuration editor offered, by id.
    pub fn offered(&self) -> Vec<Candidate> {
        self.survey
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the GitHub client, so the next call finds the token again
    /// (after signing in or out).
    pub async fn reconnect(&self) {
        *self.client.lock().await = None;
    }

    pub fn project(&self) -> Result<Project, Failure> {
        let file = self
            .config_file
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Project::open_with(&self.repository(), file.as_deref()).map_err(|e| {
            use hoist_core::project::Error as E;
            match e {
                // The configuration editor is the way out: pick environments and apps by hand.
                E::Detect(hoist_core::detect::Error::NoEnvironments { .. }) | E::Config(_) => {
                    Failure::configure(e.to_string())
                }
                _ => Failure::new(
                    e.to_string(),
                    Some("Open a local clone of your GitOps repository from the Repository tab, or start Hoist with hoist-app PATH.".to_owned()),
                ),
            }
        })
    }

    /// Keeps a previewed plan and returns the id the web view refers to it by.
    /// Only the last [`KEPT_PREVIEWS`] are kept: each holds whole files, and
    /// an older preview is offered again by previewing again.
    pub fn remember(&self, previewed: Previewed) -> String {
        let n = self.next_plan.fetch_add(1, Ordering::Relaxed);
        let mut plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
        plans.insert(n, Arc::new(previewed));
        plans.retain(|&kept, _| kept + KEPT_PREVIEWS > n);
        format!("plan-{n}")
    }

    pub fn plan(&self, id: &str) -> Result<Arc<Previewed>, Failure> {
        let n = id.strip_prefix("plan-").and_then(|n| n.parse::<u64>().ok());
        n.and_then(|n| {
            self.plans
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&n)
                .cloned()
        })
        .ok_or_else(|| {
            Failure::new(
                format!("the preview {id} is no longer known"),
                Some("Preview the change again.".to_owned()),
            )
        })
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

    /// The GitHub client for the repository's origin, made on first use.
    pub async fn client(&self) -> Result<Arc<Client>, Failure> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref() {
            return Ok(client.clone());
        }
        let client = Arc::new(self.github(None)?.client(Policy::default())?);
        *slot = Some(client.clone());
        Ok(client)
    }

    /// The origin's GitHub repository, its API, and the token for it with
    /// where it comes from. The token stays in Rust; the demo's is handed
    /// over in memory, so the demo never touches the user's keyring.
    /// `api_url` names the API of a GitHub Enterprise Server host not saved yet.
    pub fn github(&self, api_url: Option<&str>) -> Result<Host, Failure> {
        let project = self.project()?;
        let demo = self
            .demo()
            .and_then(|_| Token::new(hoist_demo::TOKEN))
            .map(|t| (t, "the demo's sandbox account"));
        Ok(connect::host(&project.repo, api_url, demo)?)
    }
}

/// A plan as the user saw it, with the pull request settings its title,
/// branch and labels were drawn from at that moment.
pub struct Previewed {
    pub plan: PromotionPlan,
    pub settings: PrSettings,
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
        assert!(gone.message.contains("no longer known"), "{}", gone.message);
        assert_eq!(
            session.plan(&last).expect("kept").plan.base,
            (KEPT_PREVIEWS - 1).to_string()
        );
        assert!(session.plan("nonsense").is_err());
    }
}
