//! What CI and the reconciler report on a commit (GitHub's check runs and
//! commit statuses, GitLab's pipelines and commit statuses), each reduced to
//! one of three states, and summed up.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

/// How often [`until_settled`] asks after a merge: the reconciler's report
/// usually comes within seconds, and conditional requests cost nothing.
pub const SETTLE_INTERVAL: Duration = Duration::from_secs(2);

/// How long to wait for the reconciler's report before saying it has not
/// reported yet.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(600);

/// Reads a commit's checks with `read` every `interval` until they succeed
/// or fail, for at most `timeout`, telling `on_update` each change. The
/// last state read (still pending on timeout); `None` once `cancel` is set.
pub async fn until_settled<E, F, R>(
    read: R,
    interval: Duration,
    timeout: Duration,
    on_update: &(dyn Fn(&Checks) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Option<Checks>, E>
where
    R: Fn() -> F,
    F: Future<Output = Result<Checks, E>>,
{
    let deadline = Instant::now() + timeout;
    let mut last: Option<Checks> = None;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let now = read().await?;
        if last.as_ref() != Some(&now) {
            on_update(&now);
        }
        // A settled state needs at least one report: no checks yet is pending.
        if now.state != CheckState::Pending || Instant::now() >= deadline {
            return Ok(Some(now));
        }
        last = Some(now);
        tokio::time::sleep(interval).await;
    }
}
