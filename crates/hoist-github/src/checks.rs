//! What CI and the reconciler report on a commit: check runs and commit
//! statuses, each reduced to one of three states, and summed up.

use serde::Serialize;

use crate::Error;
use crate::client::Client;

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

/// The check runs and commit statuses on `sha` (a commit or a branch).
pub async fn checks(client: &Client, sha: &str) -> Result<Checks, Error> {
    let reference = sha.replace('/', "%2F");
    let runs = client
        .poll(
            &client.repo_path(&format!("/commits/{reference}/check-runs?per_page=100")),
            &format!("the check runs on {sha}"),
        )
        .await?;
    let combined = client
        .poll(
            &client.repo_path(&format!("/commits/{reference}/status")),
            &format!("the statuses on {sha}"),
        )
        .await?;
    let mut items: Vec<Check> = runs["check_runs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| Check {
            name: r["name"].as_str().unwrap_or_default().to_owned(),
            state: match (r["status"].as_str(), r["conclusion"].as_str()) {
                (Some("completed"), Some("success" | "neutral" | "skipped")) => CheckState::Success,
                (Some("completed"), _) => CheckState::Failure,
                _ => CheckState::Pending,
            },
            description: r["output"]["title"].as_str().map(str::to_owned),
            url: r["details_url"].as_str().map(str::to_owned),
        })
        .collect();
    items.extend(
        combined["statuses"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| Check {
                name: s["context"].as_str().unwrap_or_default().to_owned(),
                state: match s["state"].as_str() {
                    Some("success") => CheckState::Success,
                    Some("failure" | "error") => CheckState::Failure,
                    _ => CheckState::Pending,
                },
                description: s["description"].as_str().map(str::to_owned),
                url: s["target_url"].as_str().map(str::to_owned),
            }),
    );
    Ok(Checks::of(
        combined["sha"].as_str().unwrap_or(sha).to_owned(),
        items,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(state: CheckState) -> Check {
        Check {
            name: format!("{state}"),
            state,
            description: None,
            url: None,
        }
    }

    #[test]
    fn a_failure_outweighs_pending_which_outweighs_success() {
        use CheckState::*;
        let sum = |states: &[CheckState]| {
            Checks::of("c".into(), states.iter().copied().map(check).collect()).state
        };
        assert_eq!(sum(&[]), Pending, "nothing reported yet");
        assert_eq!(sum(&[Success, Success]), Success);
        assert_eq!(sum(&[Success, Pending]), Pending);
        assert_eq!(sum(&[Pending, Failure, Success]), Failure);
    }
}
