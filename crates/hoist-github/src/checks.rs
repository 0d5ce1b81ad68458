//! What CI and the reconciler report on a commit on GitHub: check runs and
//! commit statuses, read as the forge-neutral [`Checks`].

pub use hoist_forge::checks::{Check, CheckState, Checks};

use crate::Error;
use crate::client::Client;

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
