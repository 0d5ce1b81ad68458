//! What the sandbox holds besides git objects and refs: pull requests
//! (GitLab's merge requests), labels, reviews (GitLab's approvals),
//! statuses, check runs, pipelines, rate-limit windows, injected faults and
//! the journal.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use serde_json::Value;

use crate::{Config, Fault};

/// One request and its answer, for tests to inspect.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `GET`, `POST`, …
    pub method: String,
    /// The route template as the forge's API description names it,
    /// e.g. `/repos/{owner}/{repo}/pulls/{pull_number}` or
    /// `/api/v4/projects/{id}/merge_requests/{merge_request_iid}`.
    pub route: String,
    /// The status answered.
    pub status: u16,
    /// The JSON body answered, if any.
    pub body: Option<Value>,
    /// The JSON body asked, for GraphQL only (its route says nothing).
    pub request: Option<Value>,
}

/// Where a pull request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullState {
    /// Open.
    Open,
    /// Closed without merging.
    Closed,
    /// Merged (and so closed).
    Merged,
}

#[derive(Debug, Clone)]
pub struct Pull {
    pub number: u64,
    pub id: u64,
    pub title: String,
    pub body: Option<String>,
    /// The head branch's name, in this repository or in `fork`.
    pub head: String,
    /// The owner of the fork the head branch is in; `None` for this repository.
    pub fork: Option<String>,
    /// The head commit: the branch's tip, kept after the branch is deleted.
    pub head_sha: String,
    pub base: String,
    pub user: String,
    pub open: bool,
    pub draft: bool,
    pub merged: Option<Merge>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
    pub closed_at: Option<jiff::Timestamp>,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub teams: Vec<String>,
    /// GitLab: who the merge request is assigned to.
    pub assignees: Vec<String>,
    /// GitLab: delete the source branch once merged.
    pub remove_source_branch: bool,
    /// GitLab: squash on merge.
    pub squash: bool,
    /// GitLab: merge when the pipeline succeeds, as set by this login.
    pub auto_merge: Option<AutoMerge>,
}

/// A merge set to happen once the head's pipeline succeeds.
#[derive(Debug, Clone)]
pub struct AutoMerge {
    pub by: String,
    pub squash: bool,
    pub remove_source_branch: bool,
}

#[derive(Debug, Clone)]
pub struct Merge {
    pub sha: String,
    pub by: String,
    pub at: jiff::Timestamp,
}

impl Pull {
    pub fn state(&self) -> PullState {
        match (self.open, &self.merged) {
            (true, _) => PullState::Open,
            (false, Some(_)) => PullState::Merged,
            (false, None) => PullState::Closed,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub id: u64,
    pub pull: u64,
    pub user: String,
    pub state: String,
    pub commit: String,
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub id: u64,
    pub sha: String,
    pub state: String,
    pub context: String,
    pub description: Option<String>,
    pub target_url: Option<String>,
    pub creator: String,
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone)]
pub struct CheckRun {
    pub id: u64,
    pub name: String,
    pub head_sha: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub started_at: jiff::Timestamp,
    pub completed_at: Option<jiff::Timestamp>,
}

/// A GitLab pipeline: the simulated CI of one head commit.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: u64,
    pub iid: u64,
    pub sha: String,
    /// The branch it ran for.
    pub branch: String,
    /// `running`, then `success` or `failed`.
    pub status: String,
    pub user: String,
    pub created_at: jiff::Timestamp,
    pub finished_at: Option<jiff::Timestamp>,
}

/// An account's rate-limit window.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub used: u32,
    pub reset: jiff::Timestamp,
}

pub struct Store {
    pub pulls: Vec<Pull>,
    pub labels: BTreeMap<String, Label>,
    pub reviews: Vec<Review>,
    pub statuses: Vec<Status>,
    pub check_runs: Vec<CheckRun>,
    pub pipelines: Vec<Pipeline>,
    pub windows: HashMap<String, Window>,
    pub limit: u32,
    pub revoked: HashSet<String>,
    pub faults: Vec<Fault>,
    pub journal: Vec<Exchange>,
    /// Per branch, the state the reconciler reports after a merge.
    pub reconcile_outcome: HashMap<String, String>,
    /// Per head branch, whether simulated CI passes (it does unless set).
    pub ci_passes: HashMap<String, bool>,
    /// The commits GitHub signed.
    pub signed: HashSet<String>,
    next_id: u64,
}

impl Store {
    pub fn new(config: &Config) -> Store {
        Store {
            pulls: Vec::new(),
            labels: BTreeMap::new(),
            reviews: Vec::new(),
            statuses: Vec::new(),
            check_runs: Vec::new(),
            pipelines: Vec::new(),
            windows: HashMap::new(),
            limit: config.rate_limit,
            revoked: HashSet::new(),
            faults: Vec::new(),
            journal: Vec::new(),
            reconcile_outcome: HashMap::new(),
            ci_passes: HashMap::new(),
            signed: HashSet::new(),
            next_id: 1000,
        }
    }

    /// A fresh id for any object.
    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A new open pull request of `user` from `head` (at `head_sha`) into
    /// `base`, with the next number and a fresh id; not yet kept.
    pub fn new_pull(&mut self, user: &str, head: &str, head_sha: &str, base: &str) -> Pull {
        let now = jiff::Timestamp::now();
        Pull {
            number: self.pulls.iter().map(|p| p.number).max().unwrap_or(0) + 1,
            id: self.id(),
            title: String::new(),
            body: None,
            head: head.to_owned(),
            fork: None,
            head_sha: head_sha.to_owned(),
            base: base.to_owned(),
            user: user.to_owned(),
            open: true,
            draft: false,
            merged: None,
            created_at: now,
            updated_at: now,
            closed_at: None,
            labels: Vec::new(),
            reviewers: Vec::new(),
            teams: Vec::new(),
            assignees: Vec::new(),
            remove_source_branch: false,
            squash: false,
            auto_merge: None,
        }
    }

    /// Open pull requests from this repository's `branch` follow it to
    /// `sha`; whether there were any.
    pub fn follow_head(&mut self, branch: &str, sha: &str) -> bool {
        let mut followed = false;
        for p in self
            .pulls
            .iter_mut()
            .filter(|p| p.open && p.fork.is_none() && p.head == branch)
        {
            p.head_sha = sha.to_owned();
            p.updated_at = jiff::Timestamp::now();
            followed = true;
        }
        followed
    }

    pub fn pull(&self, number: u64) -> Option<&Pull> {
        self.pulls.iter().find(|p| p.number == number)
    }

    pub fn pull_mut(&mut self, number: u64) -> Option<&mut Pull> {
        self.pulls.iter_mut().find(|p| p.number == number)
    }

    /// The label `name`, created (as GitHub does when labelling) if new.
    pub fn label(&mut self, name: &str) -> Label {
        if let Some(label) = self.labels.get(&name.to_ascii_lowercase()) {
            return label.clone();
        }
        let label = Label {
            id: self.id(),
            name: name.to_owned(),
            color: "ededed".to_owned(),
        };
        self.labels.insert(name.to_ascii_lowercase(), label.clone());
        label
    }

    /// `login`'s window now, started afresh once the last one reset.
    pub fn window(&mut self, login: &str) -> &mut Window {
        let now = jiff::Timestamp::now();
        let window = self.windows.entry(login.to_owned()).or_insert(Window {
            used: 0,
            reset: now + jiff::SignedDuration::from_secs(3600),
        });
        if window.reset <= now {
            *window = Window {
                used: 0,
                reset: now + jiff::SignedDuration::from_secs(3600),
            };
        }
        window
    }

    pub fn spend(&mut self, login: &str, reset_in: Duration) {
        let limit = self.limit;
        let reset = jiff::Timestamp::now()
            + jiff::SignedDuration::try_from(reset_in).unwrap_or(jiff::SignedDuration::ZERO);
        self.windows
            .insert(login.to_owned(), Window { used: limit, reset });
    }
}
