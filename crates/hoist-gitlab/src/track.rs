//! Following Hoist's merge requests: pipelines, approvals and GitLab's
//! `detailed_merge_status` while open, the merge when asked, then what the
//! reconciler reports on the environment's new tip. What is read again on
//! every look is read with [`Client::poll`], so looking again at an unchanged
//! merge request brings back 304s instead of its bodies. GitLab checks each
//! ETag against the current answer, so a poll is never stale: opening reads
//! the open merge requests the same way before it writes.
//!
//! A merge request is Hoist's only when its source branch is in this
//! project (not a fork), under `<prefix>/<target>/` for the environment its
//! marker names, and the signed-in account opened it: anyone can copy the
//! marker into a description.

use hoist_core::plan::request::{Marker, branch_space};
use hoist_forge::change::{Mergeability, PullState, ReviewDecision, Tracked, can_merge};
use hoist_forge::checks::{Check, CheckState, Checks};
use http::Method;
use serde_json::{Value, json};

use crate::Error;
use crate::client::{Client, Repeat, text};
use crate::project::segment;

/// Whose merge requests Hoist takes for its own here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    project_id: u64,
    username: String,
    prefix: String,
}

impl Ownership {
    /// For the client's project and signed-in account, with branches under `prefix`.
    pub async fn of(client: &Client, prefix: &str) -> Result<Ownership, Error> {
        Ok(Ownership {
            project_id: client.project_id().await?,
            username: client.me().await?.username,
            prefix: prefix.to_owned(),
        })
    }

    /// Whether `branch` is one Hoist may create or move for a change to `target`.
    pub fn may_move(&self, branch: &str, target: &str) -> bool {
        branch.starts_with(&branch_space(&self.prefix, target))
    }

    /// The marker of a merge request as GitLab describes it, when it is Hoist's own.
    pub fn marker_of(&self, mr: &Value) -> Option<Marker> {
        let marker = mr["description"].as_str().and_then(Marker::find)?;
        let here = mr["source_project_id"].as_u64() == Some(self.project_id);
        let author = mr["author"]["username"]
            .as_str()
            .is_some_and(|a| a.eq_ignore_ascii_case(&self.username));
        let branch = mr["source_branch"].as_str()?;
        (here && author && self.may_move(branch, &marker.target)).then_some(marker)
    }

    /// Whether `mr`'s source branch is in this project rather than a fork.
    pub fn is_here(&self, mr: &Value) -> bool {
        mr["source_project_id"].as_u64() == Some(self.project_id)
    }
}

/// GitLab's `detailed_merge_status` in the forge-neutral words, with
/// whether GitLab would merge now (`None` while it works that out).
pub fn mergeability(detailed: &str) -> (Mergeability, Option<bool>) {
    match detailed {
        "mergeable" => (Mergeability::Clean, Some(true)),
        "conflict" => (Mergeability::Dirty, Some(false)),
        "need_rebase" => (Mergeability::Behind, Some(false)),
        "draft_status" => (Mergeability::Draft, Some(false)),
        "checking" | "unchecked" | "preparing" | "approvals_syncing" => {
            (Mergeability::Unknown, None)
        }
        // Pipelines, approvals, discussions, rules and anything newer: not now.
        _ => (Mergeability::Blocked, Some(false)),
    }
}

/// A GitLab job, pipeline or commit status state as a check state.
pub fn check_state(status: &str) -> CheckState {
    match status {
        "success" | "skipped" | "manual" => CheckState::Success,
        "failed" | "canceled" | "canceling" => CheckState::Failure,
        _ => CheckState::Pending,
    }
}

/// The pipelines and commit statuses on `sha`.
pub async fn checks(client: &Client, sha: &str) -> Result<Checks, Error> {
    let sha_segment = segment(sha);
    let pipelines = client
        .poll(
            &client.project_path(&format!("/pipelines?sha={sha_segment}&per_page=100")),
            "the commit's pipelines",
        )
        .await?;
    let statuses = client
        .poll(
            &client.project_path(&format!(
                "/repository/commits/{sha_segment}/statuses?per_page=100"
            )),
            "the commit's statuses",
        )
        .await?;
    let mut items: Vec<Check> = Vec::new();
    // Newest first: only the latest pipeline counts, as GitLab's merge
    // checks count it.
    if let Some(p) = pipelines.as_array().and_then(|a| a.first()) {
        items.push(Check {
            name: format!("pipeline #{}", p["id"]),
            state: check_state(p["status"].as_str().unwrap_or_default()),
            description: p["source"].as_str().map(str::to_owned),
            url: p["web_url"].as_str().map(str::to_owned),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for s in statuses.as_array().into_iter().flatten() {
        let name = s["name"].as_str().unwrap_or("status").to_owned();
        // The latest status of each name (GitLab lists newest first).
        if !seen.insert(name.clone()) {
            continue;
        }
        items.push(Check {
            name,
            state: check_state(s["status"].as_str().unwrap_or_default()),
            description: s["description"].as_str().map(str::to_owned),
            url: s["target_url"].as_str().map(str::to_owned),
        });
    }
    Ok(Checks::of(sha.to_owned(), items))
}

/// The open merge requests into `target` (all targets when `None`).
pub async fn open_requests(client: &Client, target: Option<&str>) -> Result<Vec<Value>, Error> {
    let mut path = "/merge_requests?state=opened&per_page=100".to_owned();
    if let Some(target) = target {
        path.push_str(&format!("&target_branch={}", segment(target)));
    }
    let list = client
        .poll(&client.project_path(&path), "the open merge requests")
        .await?;
    Ok(list.as_array().cloned().unwrap_or_default())
}

/// Hoist's open merge requests, each with its checks, approvals and mergeability.
pub async fn open(client: &Client, ownership: &Ownership) -> Result<Vec<Tracked>, Error> {
    let mut all = Vec::new();
    for mr in open_requests(client, None).await? {
        if ownership.marker_of(&mr).is_some() {
            let iid = mr["iid"].as_u64().unwrap_or_default();
            all.push(request(client, ownership, iid).await?);
        }
    }
    all.sort_by_key(|t| t.number);
    Ok(all)
}

/// Hoist's merge requests into `target` merged or closed lately (among the
/// hundred most recently updated) whose marker names one of `trains`: the
/// rest of a train some of whose merge requests are still open.
pub async fn closed_of_trains(
    client: &Client,
    ownership: &Ownership,
    target: &str,
    trains: &[String],
) -> Result<Vec<Tracked>, Error> {
    let path = format!(
        "/merge_requests?state=all&target_branch={}&order_by=updated_at&sort=desc&per_page=100",
        segment(target)
    );
    let list = client
        .poll(&client.project_path(&path), "the merge requests")
        .await?;
    let mut all = Vec::new();
    for mr in list.as_array().into_iter().flatten() {
        if mr["state"] == "opened" {
            continue;
        }
        let Some(marker) = ownership.marker_of(mr) else {
            continue;
        };
        if marker.train.as_ref().is_some_and(|t| trains.contains(t))
            && let Some(iid) = mr["iid"].as_u64()
        {
            all.push(request(client, ownership, iid).await?);
        }
    }
    Ok(all)
}

/// One of Hoist's merge requests, open or not.
pub async fn request(client: &Client, ownership: &Ownership, iid: u64) -> Result<Tracked, Error> {
    let what = format!("merge request !{iid}");
    let mr = client
        .poll(
            &client.project_path(&format!("/merge_requests/{iid}")),
            &what,
        )
        .await?;
    let marker = ownership
        .marker_of(&mr)
        .ok_or(Error::NotOurs { number: iid })?;
    let head = text(&mr, "sha", &what)?;
    let state = match mr["state"].as_str() {
        Some("merged") => PullState::Merged,
        Some("opened") => PullState::Open,
        _ => PullState::Closed,
    };
    let (mergeability, mergeable) =
        mergeability(mr["detailed_merge_status"].as_str().unwrap_or("unchecked"));
    let approvals = client
        .poll(
            &client.project_path(&format!("/merge_requests/{iid}/approvals")),
            &format!("the approvals of !{iid}"),
        )
        .await?;
    let review = if mr["detailed_merge_status"] == "requested_changes" {
        ReviewDecision::ChangesRequested
    } else if approvals["approved"] == true && approvals["approvals_left"].as_u64() == Some(0) {
        if approvals["approved_by"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            ReviewDecision::Approved
        } else {
            ReviewDecision::None
        }
    } else if approvals["approvals_left"].as_u64().unwrap_or(0) > 0 {
        ReviewDecision::ReviewRequired
    } else {
        ReviewDecision::None
    };
    let checks = checks(client, &head).await?;
    let merges_when_green = mr["merge_when_pipeline_succeeds"] == true;
    let can_merge_when_green = state == PullState::Open
        && !merges_when_green
        && mr["detailed_merge_status"] == "ci_still_running";
    let merge_commit = mr["merge_commit_sha"]
        .as_str()
        .or(mr["squash_commit_sha"].as_str())
        .map(str::to_owned);
    Ok(Tracked {
        number: iid,
        title: text(&mr, "title", &what)?,
        url: text(&mr, "web_url", &what)?,
        branch: text(&mr, "source_branch", &what)?,
        head,
        base: text(&mr, "target_branch", &what)?,
        marker,
        state,
        mergeable,
        mergeability,
        review,
        checks,
        merge_commit,
        can_merge: can_merge(state, mergeable, mergeability),
        merges_when_green,
        can_merge_when_green,
    })
}

/// Sets Hoist's merge request `iid` to merge when its pipeline succeeds, at
/// `head` (the commit the user saw: GitLab refuses if the source moved).
/// GitLab merges at once when nothing holds it any more. Returns it as it
/// is then.
pub async fn merge_when_green(
    client: &Client,
    ownership: &Ownership,
    iid: u64,
    head: &str,
) -> Result<Tracked, Error> {
    let tracked = request(client, ownership, iid).await?;
    if tracked.state != PullState::Open || tracked.merges_when_green {
        return Ok(tracked);
    }
    client
        .send(
            Method::PUT,
            &client.project_path(&format!("/merge_requests/{iid}/merge")),
            Some(&json!({
                "sha": head,
                "should_remove_source_branch": true,
                "merge_when_pipeline_succeeds": true,
            })),
            &format!("setting !{iid} to merge when its pipeline succeeds"),
            Repeat::Unsafe,
        )
        .await?;
    request(client, ownership, iid).await
}

/// Merges Hoist's merge request `iid` at `head` (the commit the user saw:
/// GitLab refuses if the source moved) and returns the commit the target
/// branch then points at.
pub async fn merge(
    client: &Client,
    ownership: &Ownership,
    iid: u64,
    head: &str,
) -> Result<String, Error> {
    let tracked = request(client, ownership, iid).await?;
    if tracked.state == PullState::Merged {
        // An earlier attempt's merge whose answer was lost.
        if let Some(sha) = tracked.merge_commit {
            return Ok(sha);
        }
    }
    let merged = client
        .send(
            Method::PUT,
            &client.project_path(&format!("/merge_requests/{iid}/merge")),
            Some(&json!({ "sha": head, "should_remove_source_branch": true })),
            &format!("merging !{iid}"),
            Repeat::Unsafe,
        )
        .await?;
    match merged["merge_commit_sha"]
        .as_str()
        .or(merged["squash_commit_sha"].as_str())
    {
        Some(sha) => Ok(sha.to_owned()),
        // A fast-forward merge makes no commit: the target is at the head.
        None => Ok(head.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detailed_merge_statuses_in_the_forge_neutral_words() {
        assert_eq!(mergeability("mergeable"), (Mergeability::Clean, Some(true)));
        assert_eq!(mergeability("conflict").0, Mergeability::Dirty);
        assert_eq!(mergeability("need_rebase").0, Mergeability::Behind);
        assert_eq!(mergeability("draft_status").0, Mergeability::Draft);
        assert_eq!(mergeability("checking"), (Mergeability::Unknown, None));
        for blocked in [
            "ci_must_pass",
            "ci_still_running",
            "not_approved",
            "discussions_not_resolved",
            "something_new",
        ] {
            assert_eq!(
                mergeability(blocked),
                (Mergeability::Blocked, Some(false)),
                "{blocked}"
            );
        }
        assert_eq!(check_state("running"), CheckState::Pending);
        assert_eq!(check_state("created"), CheckState::Pending);
        assert_eq!(check_state("canceled"), CheckState::Failure);
        assert_eq!(check_state("success"), CheckState::Success);
    }
}
