//! Change requests (GitHub's pull requests, GitLab's merge requests) as
//! Hoist opens and follows them, whatever the forge.

use hoist_core::config::PrSettings;
use hoist_core::plan::PromotionPlan;
use hoist_core::plan::request::Marker;
use serde::Serialize;

use crate::checks::Checks;

/// Where opening the pull request is; reported as it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Checking the target branch is still at the previewed commit.
    CheckingTarget,
    /// Uploading the changed files.
    WritingFiles {
        /// Files written so far.
        done: usize,
        /// Files to write.
        total: usize,
    },
    /// Writing the tree and the commit.
    WritingCommit,
    /// Creating or moving the branch.
    PushingBranch {
        /// The branch.
        branch: String,
    },
    /// Opening the pull request.
    OpeningPullRequest,
    /// Adding labels and asking for reviews.
    Finishing,
}

/// What to do when a pull request for the same apps of the same
/// environment is already open with a different change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenOpen {
    /// Stop with [`Error::AlreadyOpen`].
    Report,
    /// Move that pull request's branch to the new change and update its text.
    Update,
}

/// The pull request, opened, found, or updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Opened {
    /// Its number.
    pub number: u64,
    /// Its page.
    pub url: String,
    /// Its head branch.
    pub branch: String,
    /// The commit the branch holds.
    pub commit: String,
    /// `created`, `resumed` (an earlier attempt's, completed), or `updated`.
    pub outcome: Outcome,
}

/// How [`open`] got its pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new pull request.
    Created,
    /// One an earlier attempt opened for exactly this change.
    Resumed,
    /// An open one for the same apps, moved to this change.
    Updated,
    /// One someone else opened for the same branch (a hydrator's promoter
    /// opens the pull request from an environment's next branch).
    Found,
}

/// What to open.
pub struct Request<'a> {
    /// The previewed plan.
    pub plan: &'a PromotionPlan,
    /// Branch prefix, title, labels and reviewers.
    pub settings: &'a PrSettings,
    /// Why; required for rollbacks and for plans a lock or freeze blocks
    /// (see [`PromotionPlan::pull_request`]).
    pub reason: Option<&'a str>,
    /// What to do about an open pull request for the same apps.
    pub when_open: WhenOpen,
}

/// Whether a change request can be merged now, and if not, why. The values
/// are those of GitHub's GraphQL enum
/// `MergeStateStatus`, which the REST field reports in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Mergeability {
    /// Mergeable, with every required check passed.
    Clean,
    /// Mergeable, though a check that is not required failed.
    Unstable,
    /// Mergeable; the repository's pre-receive hooks will run.
    HasHooks,
    /// Branch protection or rules (reviews, required checks, signatures)
    /// stop it.
    Blocked,
    /// Its base moved on and protection requires it to be up to date.
    Behind,
    /// It conflicts with its base.
    Dirty,
    /// A draft.
    Draft,
    /// The forge has not worked it out yet (or says something new).
    Unknown,
}

impl Mergeability {
    /// GitHub's `mergeable_state` value.
    pub fn parse(value: &str) -> Mergeability {
        match value {
            "clean" => Mergeability::Clean,
            "unstable" => Mergeability::Unstable,
            "has_hooks" => Mergeability::HasHooks,
            "blocked" => Mergeability::Blocked,
            "behind" => Mergeability::Behind,
            "dirty" => Mergeability::Dirty,
            "draft" => Mergeability::Draft,
            _ => Mergeability::Unknown,
        }
    }

    /// Whether the forge merges in this state (when it says `mergeable`).
    pub fn allows_merge(self) -> bool {
        matches!(
            self,
            Mergeability::Clean | Mergeability::Unstable | Mergeability::HasHooks
        )
    }

    /// A few words for people.
    pub fn describe(self) -> &'static str {
        match self {
            Mergeability::Clean => "ready to merge",
            Mergeability::Unstable => "mergeable, with failing optional checks",
            Mergeability::HasHooks => "ready to merge",
            Mergeability::Blocked => "blocked by branch rules",
            Mergeability::Behind => "behind its base",
            Mergeability::Dirty => "conflicts with its base",
            Mergeability::Draft => "a draft",
            Mergeability::Unknown => "mergeability being computed",
        }
    }
}

/// Where a pull request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PullState {
    /// Open.
    Open,
    /// Closed without merging.
    Closed,
    /// Merged.
    Merged,
}

/// The reviewers' verdict, as the forge's branch protection sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// Someone's latest review requests changes.
    ChangesRequested,
    /// Approved, and nobody's latest review requests changes.
    Approved,
    /// Reviews were requested and none has come.
    ReviewRequired,
    /// No review asked for or given.
    None,
}

/// A Hoist pull request as the tracker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Tracked {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its page.
    pub url: String,
    /// Its head branch.
    pub branch: String,
    /// Its head commit.
    pub head: String,
    /// The branch it merges into.
    pub base: String,
    /// What Hoist's marker says it does.
    pub marker: Marker,
    /// Open, closed or merged.
    pub state: PullState,
    /// Whether the forge can merge it (`None` while it works that out).
    pub mergeable: Option<bool>,
    /// Why it can or cannot be merged now.
    pub mergeability: Mergeability,
    /// The reviews' verdict.
    pub review: ReviewDecision,
    /// Checks on the head commit.
    pub checks: Checks,
    /// The merge commit, once merged.
    pub merge_commit: Option<String>,
    /// Whether the forge would merge it now: open, mergeable, and not blocked
    /// by reviews or required checks.
    pub can_merge: bool,
    /// The forge will merge it by itself once its pipeline succeeds
    /// (GitLab's "merge when pipeline succeeds", set by Hoist or anyone).
    pub merges_when_green: bool,
    /// Whether it may be set to merge when its pipeline succeeds: open, not
    /// set already, and held only by a pipeline still running (GitLab).
    pub can_merge_when_green: bool,
}

/// Whether the forge would merge now: open, mergeable, and nothing in the way.
pub fn can_merge(state: PullState, mergeable: Option<bool>, mergeability: Mergeability) -> bool {
    state == PullState::Open && mergeable == Some(true) && mergeability.allows_merge()
}
