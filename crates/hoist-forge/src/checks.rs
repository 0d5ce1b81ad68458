//! What CI and the reconciler report on a commit (GitHub's check runs and
//! commit statuses, GitLab's pipelines and commit statuses), each reduced to
//! one of three states, and summed up.

use serde::Serialize;

/// Where a check, or all of a commit's checks, stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    /// Passed (for a check run also neutral or skipped).
    Success,
    /// Failed, errored, timed out or was cancelled.
    Failure,
    /// Not finished, or not reported yet.
    Pending,
}

impl std::fmt::Display for CheckState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CheckState::Success => "success",
            CheckState::Failure => "failure",
            CheckState::Pending => "pending",
        })
    }
}

/// One check run or commit status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Check {
    /// The check run's name or the status's context.
    pub name: String,
    /// Where it stands.
    pub state: CheckState,
    /// What it says, if anything.
    pub description: Option<String>,
    /// Where its details are.
    pub url: Option<String>,
}

/// Every check and status on one commit, summed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Checks {
    /// The commit.
    pub sha: String,
    /// Failure when any failed, else pending while any is pending or none
    /// has reported yet, else success.
    pub state: CheckState,
    /// Each check run and status.
    pub items: Vec<Check>,
}

impl Checks {
    /// The sum of `items` on `sha`.
    pub fn of(sha: String, items: Vec<Check>) -> Checks {
        let state = if items.iter().any(|c| c.state == CheckState::Failure) {
            CheckState::Failure
        } else if items.is_empty() || items.iter().any(|c| c.state == CheckState::Pending) {
            CheckState::Pending
        } else {
            CheckState::Success
        };
        Checks { sha, state, items }
    }

    /// How many passed.
    pub fn passed(&self) -> usize {
        self.items
            .iter()
            .filter(|c| c.state == CheckState::Success)
            .count()
    }
}
