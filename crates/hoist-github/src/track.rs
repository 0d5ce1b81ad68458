//! Following Hoist's pull requests: checks, reviews and mergeability while
//! open, the merge when asked, then what the reconciler reports on the
//! environment's new tip. Reads of things that change are conditional
//! (ETags), so polling does not spend the rate limit.

use http::Method;
use serde_json::{Value, json};

use crate::Error;
pub use crate::checks::{CheckState, Checks, checks};
use crate::client::{Client, Repeat};
use crate::ownership::Ownership;
use hoist_core::plan::request::Marker;

use hoist_forge::change::can_merge;
pub use hoist_forge::change::{Mergeability, PullState, ReviewDecision, Tracked};

/// Hoist's open pull requests (see [`Ownership`]), each with its checks,
/// reviews and mergeability.
pub async fn open(client: &Client, ownership: &Ownership) -> Result<Vec<Tracked>, Error> {
    let mut all = Vec::new();
    for number in open_numbers(client, ownership).await? {
        all.push(pull(client, ownership, number).await?);
    }
    Ok(all)
}

/// The numbers of Hoist's open pull requests: a marker alone does not make
/// one (see [`Ownership`]).
pub async fn open_numbers(client: &Client, ownership: &Ownership) -> Result<Vec<u64>, Error> {
    let mut numbers = Vec::new();
    for page in 1.. {
        let list = client
            .poll(
                &client.repo_path(&format!("/pulls?state=open&per_page=100&page={page}")),
                "the open pull requests",
            )
            .await?;
        let items = list.as_array().cloned().unwrap_or_default();
        numbers.extend(
            items
                .iter()
                .filter(|p| ownership.marker_of(p).is_some())
                .filter_map(|p| p["number"].as_u64()),
        );
        if items.len() < 100 {
            break;
        }
    }
    Ok(numbers)
}

/// Hoist's pull requests into `base` closed or merged lately (among the
/// hundred most recently updated) whose marker names one of `trains`: the
/// rest of a train some of whose pull requests are still open.
pub async fn closed_of_trains(
    client: &Client,
    ownership: &Ownership,
    base: &str,
    trains: &[String],
) -> Result<Vec<Tracked>, Error> {
    let path = client.repo_path(&format!(
        "/pulls?state=closed&base={}&sort=updated&direction=desc&per_page=100",
        crate::notes::part(base)
    ));
    let list = client.poll(&path, "the closed pull requests").await?;
    let mut all = Vec::new();
    for p in list.as_array().into_iter().flatten() {
        let Some(marker) = ownership.marker_of(p) else {
            continue;
        };
        if marker.train.as_ref().is_some_and(|t| trains.contains(t))
            && let Some(number) = p["number"].as_u64()
        {
            all.push(pull(client, ownership, number).await?);
        }
    }
    Ok(all)
}

/// Pull request `number`, when it is Hoist's own, and its marker.
async fn owned(
    client: &Client,
    ownership: &Ownership,
    number: u64,
) -> Result<(Value, Marker), Error> {
    let what = format!("pull request #{number}");
    let p = client
        .poll(&client.repo_path(&format!("/pulls/{number}")), &what)
        .await?;
    let marker = ownership.marker_of(&p).ok_or_else(|| {
        Error::NotOpenable(format!(
            "{what} was not opened by Hoist from this repository's branches with your account"
        ))
    })?;
    Ok((p, marker))
}

/// Pull request `number`, when Hoist's own, with its checks and reviews.
pub async fn pull(client: &Client, ownership: &Ownership, number: u64) -> Result<Tracked, Error> {
    let what = format!("pull request #{number}");
    let (p, marker) = owned(client, ownership, number).await?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let head = text(&p["head"]["sha"]);
    let state = match (text(&p["state"]).as_str(), p["merged"].as_bool()) {
        (_, Some(true)) => PullState::Merged,
        ("open", _) => PullState::Open,
        _ => PullState::Closed,
    };
    let reviews = client
        .poll(
            &client.repo_path(&format!("/pulls/{number}/reviews?per_page=100")),
            &format!("the reviews of {what}"),
        )
        .await?;
    let requested = p["requested_reviewers"]
        .as_array()
        .is_some_and(|r| !r.is_empty())
        || p["requested_teams"]
            .as_array()
            .is_some_and(|t| !t.is_empty());
    let mergeable = p["mergeable"].as_bool();
    let mergeability = Mergeability::parse(p["mergeable_state"].as_str().unwrap_or(""));
    Ok(Tracked {
        number,
        title: text(&p["title"]),
        url: text(&p["html_url"]),
        branch: text(&p["head"]["ref"]),
        base: text(&p["base"]["ref"]),
        marker,
        state,
        merges_when_green: false,
        can_merge_when_green: false,
        can_merge: can_merge(state, mergeable, mergeability),
        mergeable,
        mergeability,
        review: decision(&reviews, requested),
        checks: checks(client, &head).await?,
        merge_commit: p["merge_commit_sha"]
            .as_str()
            .filter(|_| state == PullState::Merged)
            .map(str::to_owned),
        head,
    })
}

/// The verdict from each reviewer's latest decisive review.
fn decision(reviews: &Value, requested: bool) -> ReviewDecision {
    let mut latest: Vec<(&str, &str)> = Vec::new();
    for r in reviews.as_array().into_iter().flatten() {
        let (Some(user), Some(state)) = (r["user"]["login"].as_str(), r["state"].as_str()) else {
            continue;
        };
        // Comments do not change a reviewer's verdict.
        if matches!(state, "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED") {
            latest.retain(|(u, _)| *u != user);
            latest.push((user, state));
        }
    }
    if latest.iter().any(|(_, s)| *s == "CHANGES_REQUESTED") {
        ReviewDecision::ChangesRequested
    } else if latest.iter().any(|(_, s)| *s == "APPROVED") {
        ReviewDecision::Approved
    } else if requested {
        ReviewDecision::ReviewRequired
    } else {
        ReviewDecision::None
    }
}

/// Merges pull request `number`, when Hoist's own, if its head is still
/// `head` (what the user saw); returns the merge commit.
pub async fn merge(
    client: &Client,
    ownership: &Ownership,
    number: u64,
    head: &str,
) -> Result<String, Error> {
    owned(client, ownership, number).await?;
    let method = merge_method(client).await?;
    let merged = client
        .write(
            Method::PUT,
            &client.repo_path(&format!("/pulls/{number}/merge")),
            &json!({ "sha": head, "merge_method": method }),
            &format!("merging pull request #{number}"),
            Repeat::Unsafe,
        )
        .await;
    match merged {
        Ok(answer) => Ok(answer["sha"].as_str().unwrap_or_default().to_owned()),
        // An answer lost after a merge that went through: the pull request says so.
        Err(e @ Error::Network { .. }) => {
            let now = pull(client, ownership, number).await?;
            now.merge_commit.ok_or(e)
        }
        Err(e) => Err(e),
    }
}

/// How the repository lets pull requests be merged, in Hoist's preference:
/// a merge commit (the environment's history keeps the pull request's
/// commit), else a squash, else a rebase (both write one commit for
/// Hoist's one-commit pull requests). GitHub tells the `allow_*` settings
/// to those who may push; without them, a merge commit is tried.
async fn merge_method(client: &Client) -> Result<&'static str, Error> {
    let repository = client.poll(&client.repo_path(""), "the repository").await?;
    let allowed = |key: &str| repository[key].as_bool();
    let methods = [
        ("merge", "allow_merge_commit"),
        ("squash", "allow_squash_merge"),
        ("rebase", "allow_rebase_merge"),
    ];
    if methods.iter().all(|(_, key)| allowed(key).is_none()) {
        return Ok("merge");
    }
    methods
        .iter()
        .find(|(_, key)| allowed(key) == Some(true))
        .map(|(method, _)| *method)
        .ok_or_else(|| {
            Error::NotOpenable(
                "the repository allows no way of merging pull requests (merge, squash and rebase are all off)".to_owned(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mergeable_state_github_documents_has_its_variant() {
        for (value, expected, merges) in [
            ("clean", Mergeability::Clean, true),
            ("unstable", Mergeability::Unstable, true),
            ("has_hooks", Mergeability::HasHooks, true),
            ("blocked", Mergeability::Blocked, false),
            ("behind", Mergeability::Behind, false),
            ("dirty", Mergeability::Dirty, false),
            ("draft", Mergeability::Draft, false),
            ("unknown", Mergeability::Unknown, false),
            ("something new", Mergeability::Unknown, false),
        ] {
            let parsed = Mergeability::parse(value);
            assert_eq!(parsed, expected, "{value}");
            assert_eq!(parsed.allows_merge(), merges, "{value}");
            // The variant serialises back to GitHub's word.
            if expected != Mergeability::Unknown {
                assert_eq!(serde_json::to_value(parsed).ok(), Some(value.into()));
            }
        }
    }
}
