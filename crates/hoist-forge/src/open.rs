//! Opening (or resuming, or updating) the change request for a previewed
//! plan: the idempotent algorithm written once, over the handful of things
//! each forge does its own way ([`Repository`]).
//!
//! Invariants, whatever the forge:
//! - nothing is written when the target (or, for a branch someone else
//!   writes, that branch) moved since the preview;
//! - the change request's branch holds exactly one commit, the plan's files
//!   on the plan's base, and is a branch Hoist makes (under
//!   `<prefix>/<target>/`); a branch outside that space is never moved;
//! - every step first looks for what an earlier attempt left (the branch
//!   has a deterministic name, the change request Hoist's marker), so a
//!   retry after a failure anywhere completes the job without a second
//!   branch or change request;
//! - only Hoist's own change requests are resumed or updated: the forge
//!   gives a marker only to those (a copy in a fork's is not Hoist's).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use hoist_core::plan::PromotionPlan;
use hoist_core::plan::request::{Marker, PullRequestDraft, branch_space};

use crate::change::{Opened, Outcome, Request, Step, WhenOpen};

/// Why the algorithm stopped, in words every forge's error has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The plan cannot become a change request.
    NotOpenable(String),
    /// `branch` is no longer where the preview saw it.
    TargetMoved {
        /// The branch.
        branch: String,
        /// Where the preview saw it.
        expected: String,
        /// Where it is now.
        actual: String,
    },
    /// A change request of Hoist's already makes a change to the same apps.
    AlreadyOpen {
        /// Its number.
        number: u64,
        /// Its page.
        url: String,
        /// The environment.
        target: String,
    },
    /// A branch the plan needs does not exist.
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The user stopped it between steps.
    Cancelled,
}

/// An open change request into the target branch, as the forge lists it.
#[derive(Debug, Clone)]
pub struct OpenChange {
    /// Its number (`#12`, `!12`).
    pub number: u64,
    /// Its page.
    pub url: String,
    /// Its source branch.
    pub branch: String,
    /// Its head commit.
    pub head: String,
    /// Its title.
    pub title: String,
    /// Its body.
    pub body: String,
    /// Whether its source branch is in this repository rather than a fork.
    pub here: bool,
    /// Hoist's marker, given only when the change request is Hoist's own
    /// (its branch here, under the prefix, opened by the signed-in account).
    pub marker: Option<Marker>,
}

/// Reports a step and stops the work with [`Refusal::Cancelled`] once the
/// user cancelled: what a forge's [`Repository::commit`] calls between its
/// requests.
pub type StepFn<'a> = &'a (dyn Fn(Step) -> Result<(), Refusal> + Sync);

/// What the algorithm asks of one repository on a forge.
pub trait Repository: Sync {
    /// The forge's error, which can say every [`Refusal`].
    type Error: From<Refusal> + From<hoist_core::plan::request::Error> + Send;

    /// The commit `branch` points to, `None` when there is no such branch.
    fn tip(&self, branch: &str)
    -> impl Future<Output = Result<Option<String>, Self::Error>> + Send;

    /// The open change requests into `target`, every page; a marker only on
    /// Hoist's own, whose branches are under `prefix`.
    fn open_changes(
        &self,
        target: &str,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<OpenChange>, Self::Error>> + Send;

    /// Makes `branch` exactly one commit, `message`, holding the plan's
    /// files on the plan's base, reusing what an earlier attempt wrote;
    /// returns the commit. Refuses, before writing anything, a plan the
    /// forge could not write as previewed (a mode it cannot keep).
    fn commit(
        &self,
        plan: &PromotionPlan,
        branch: &str,
        message: &str,
        step: StepFn<'_>,
    ) -> impl Future<Output = Result<String, Self::Error>> + Send;

    /// Creates the change request of `branch` into `target` from `draft`
    /// (labels included where the forge takes them at creation); with
    /// `remove_branch`, the forge deletes the branch once it is merged.
    /// Returns its number and page.
    fn create(
        &self,
        target: &str,
        branch: &str,
        draft: &PullRequestDraft,
        remove_branch: bool,
    ) -> impl Future<Output = Result<(u64, String), Self::Error>> + Send;

    /// Whether a failed [`Repository::create`] may have made the change
    /// request after all (its answer lost), or was refused because one
    /// from that branch exists: worth looking for before giving up.
    fn may_exist(error: &Self::Error) -> bool;

    /// Gives change request `number` the draft's title, body and labels.
    fn update(
        &self,
        number: u64,
        draft: &PullRequestDraft,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Labels change request `number` (where creation did not) and asks the
    /// draft's reviewers; safe to repeat.
    fn finish(
        &self,
        number: u64,
        draft: &PullRequestDraft,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Opens (or resumes, or updates) the change request for `request.plan`,
/// calling `on_step` as it goes and stopping with [`Refusal::Cancelled`]
/// between steps once `cancel` is set.
pub async fn open<R: Repository>(
    repo: &R,
    request: &Request<'_>,
    on_step: &(dyn Fn(Step) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Opened, R::Error> {
    let plan = request.plan;
    if plan.files.is_empty() && plan.head.is_none() {
        return Err(Refusal::NotOpenable("the plan changes nothing".into()).into());
    }
    let draft = plan.pull_request(request.settings, request.reason)?;
    // Each step is announced, then the flag is read: a cancel stops before
    // the step's first request.
    let step = |s: Step| {
        on_step(s);
        if cancel.load(Ordering::Relaxed) {
            Err(Refusal::Cancelled)
        } else {
            Ok(())
        }
    };
    step(Step::CheckingTarget)?;
    expect_tip(repo, &plan.target_branch, &plan.base).await?;
    if let Some(head) = &plan.head {
        return merge_branch(repo, plan, head, &draft, &step).await;
    }
    let prefix = &request.settings.branch_prefix;
    let open = repo.open_changes(&plan.target_branch, prefix).await?;
    // The same apps of the same environment, from an earlier attempt or
    // another change, among Hoist's own only.
    let same_apps = open.iter().find(|c| {
        c.marker
            .as_ref()
            .is_some_and(|m| m.same_change(&draft.marker))
    });
    // The branch: the one an open change request for these apps uses when
    // updating it, else the deterministic name. Decided before anything is
    // written, so a report leaves no trace.
    let branch = match (same_apps, request.when_open) {
        (Some(existing), _) if existing.branch == draft.branch => draft.branch.clone(),
        (Some(existing), WhenOpen::Update) => existing.branch.clone(),
        (Some(existing), WhenOpen::Report) => {
            return Err(Refusal::AlreadyOpen {
                number: existing.number,
                url: existing.url.clone(),
                target: plan.target.clone(),
            }
            .into());
        }
        (None, _) => draft.branch.clone(),
    };
    // Holds by construction (the name is made in the space, an adopted
    // change request's branch was checked to be in it); checked again
    // because a branch outside it is never to be moved, whatever changes
    // above.
    let space = branch_space(prefix, &plan.target);
    if !branch.starts_with(&space) {
        return Err(Refusal::NotOpenable(format!(
            "branch {branch} is not one Hoist makes (under {space})"
        ))
        .into());
    }
    step(Step::WritingFiles {
        done: 0,
        total: plan.files.len(),
    })?;
    let commit = repo.commit(plan, &branch, &draft.title, &step).await?;

    step(Step::OpeningPullRequest)?;
    let (number, url, outcome) = match same_apps {
        Some(existing) if existing.branch == branch => {
            let same_text = existing.marker.as_ref() == Some(&draft.marker)
                && existing.title == draft.title
                && existing.body == draft.body;
            if !same_text {
                repo.update(existing.number, &draft).await?;
            }
            let outcome = if existing.marker.as_ref() == Some(&draft.marker) {
                Outcome::Resumed
            } else {
                Outcome::Updated
            };
            (existing.number, existing.url.clone(), outcome)
        }
        // Found after a lost answer, it is Hoist's own (its marker says so):
        // created by this or an earlier attempt.
        _ => {
            let (number, url, _) =
                create(repo, &plan.target_branch, &branch, &draft, true, prefix).await?;
            (number, url, Outcome::Created)
        }
    };

    step(Step::Finishing)?;
    repo.finish(number, &draft).await?;
    Ok(Opened {
        number,
        url,
        branch,
        commit,
        outcome,
    })
}

/// The change request that merges a branch someone else writes (a
/// hydrator's next branch) into the target: found when one is open, else
/// opened. The branch must still be where the preview saw it (the target
/// was checked), so the change request brings exactly the previewed change;
/// nothing is written to either branch.
async fn merge_branch<R: Repository>(
    repo: &R,
    plan: &PromotionPlan,
    head: &str,
    draft: &PullRequestDraft,
    step: StepFn<'_>,
) -> Result<Opened, R::Error> {
    expect_tip(repo, head, &plan.source_commit).await?;
    step(Step::OpeningPullRequest)?;
    // The promoter's change request is from this repository's next branch;
    // a fork's branch of the same name is not it. Its head is not compared:
    // the branch was just seen at the previewed commit, and a forge updates
    // a request's head a moment after a push (GitLab in a background job).
    // Both forges allow one open request per source and target branch.
    let existing = repo
        .open_changes(&plan.target_branch, "")
        .await?
        .into_iter()
        .find(|c| c.branch == head && c.here);
    let (number, url, outcome) = match existing {
        Some(c) => (c.number, c.url, Outcome::Found),
        None => match create(repo, &plan.target_branch, head, draft, false, "").await? {
            // The branch is the promoter's: it stays after the merge.
            (number, url, Made::Here) => {
                step(Step::Finishing)?;
                repo.finish(number, draft).await?;
                (number, url, Outcome::Created)
            }
            // Someone (the promoter, or a lost answer of ours) opened it
            // meanwhile: it is found, and its reviewers stay as they are.
            (number, url, Made::Found) => (number, url, Outcome::Found),
        },
    };
    Ok(Opened {
        number,
        url,
        branch: head.to_owned(),
        commit: plan.source_commit.clone(),
        outcome,
    })
}

/// Fails with [`Refusal::TargetMoved`] unless `branch` points at `expected`.
async fn expect_tip<R: Repository>(repo: &R, branch: &str, expected: &str) -> Result<(), R::Error> {
    let actual = repo.tip(branch).await?.ok_or_else(|| Refusal::NotFound {
        what: format!("branch {branch}"),
    })?;
    if actual != expected {
        return Err(Refusal::TargetMoved {
            branch: branch.to_owned(),
            expected: expected.to_owned(),
            actual,
        }
        .into());
    }
    Ok(())
}

/// Whether [`create`] made the change request or found one from the branch.
enum Made {
    Here,
    Found,
}

/// Creates the change request of `branch`; when the forge refused or the
/// answer was lost, finds the one an earlier attempt (or this one) made
/// from that branch here instead of making a second. For Hoist's own
/// branches (`prefix` not empty) only one carrying Hoist's marker counts.
async fn create<R: Repository>(
    repo: &R,
    target: &str,
    branch: &str,
    draft: &PullRequestDraft,
    remove_branch: bool,
    prefix: &str,
) -> Result<(u64, String, Made), R::Error> {
    match repo.create(target, branch, draft, remove_branch).await {
        Ok((number, url)) => Ok((number, url, Made::Here)),
        Err(e) if R::may_exist(&e) => {
            let found = repo
                .open_changes(target, prefix)
                .await?
                .into_iter()
                .find(|c| {
                    c.branch == branch && c.here && (prefix.is_empty() || c.marker.is_some())
                });
            match found {
                Some(c) => Ok((c.number, c.url, Made::Found)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}
