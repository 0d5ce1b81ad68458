//! Opening the merge request for a previewed plan through the commits API.
//!
//! Invariants: the commit has exactly the plan's files on exactly the plan's
//! base, as its only parent, written in one call (`start_sha`, `actions`),
//! so it lands whole or not at all; nothing is written when the target
//! moved since the preview. A retry after a failure anywhere completes the
//! job without a second merge request: the branch has a deterministic name
//! and is rewritten from the base each time, and the merge request is found
//! by that branch and Hoist's marker before one is created.

use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use hoist_core::plan::PromotionPlan;
use hoist_core::plan::request::{PullRequestDraft, branch_space};
use hoist_forge::change::{Opened, Outcome, Request, Step, WhenOpen};
use http::Method;
use serde_json::{Value, json};

use crate::Error;
use crate::client::{Client, Repeat, text};
use crate::project::segment;
use crate::track::{Ownership, open_requests};

/// Opens (or resumes, or updates) the merge request for `request.plan`,
/// calling `on_step` as it goes and stopping with [`Error::Cancelled`]
/// between steps once `cancel` is set.
pub async fn open(
    client: &Client,
    request: &Request<'_>,
    on_step: &(dyn Fn(Step) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Opened, Error> {
    let plan = request.plan;
    if plan.files.is_empty() && plan.head.is_none() {
        return Err(Error::NotOpenable("the plan changes nothing".into()));
    }
    let draft = plan.pull_request(request.settings, request.reason)?;
    let step = |s: Step| {
        on_step(s);
        if cancel.load(Ordering::Relaxed) {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    };
    step(Step::CheckingTarget)?;
    expect_tip(client, &plan.target_branch, &plan.base).await?;
    let ownership = Ownership::of(client, &request.settings.branch_prefix).await?;
    if let Some(head) = &plan.head {
        return merge_branch(client, plan, head, &draft, &ownership, &step).await;
    }
    let open = open_requests(client, Some(&plan.target_branch)).await?;
    // The same apps of the same environment, among Hoist's own only.
    let same_apps = open.iter().find_map(|mr| {
        let marker = ownership.marker_of(mr)?;
        marker.same_change(&draft.marker).then_some((mr, marker))
    });
    let branch = match (&same_apps, request.when_open) {
        (Some((mr, _)), _) if mr["source_branch"] == draft.branch.as_str() => draft.branch.clone(),
        (Some((mr, _)), WhenOpen::Update) => text(mr, "source_branch", "the merge request")?,
        (Some((mr, _)), WhenOpen::Report) => {
            return Err(Error::AlreadyOpen {
                number: mr["iid"].as_u64().unwrap_or_default(),
                url: text(mr, "web_url", "the merge request")?,
                target: plan.target.clone(),
            });
        }
        (None, _) => draft.branch.clone(),
    };
    // A branch outside Hoist's space is never to be moved, whatever above.
    if !ownership.may_move(&branch, &plan.target) {
        return Err(Error::NotOpenable(format!(
            "branch {branch} is not one Hoist makes (under {})",
            branch_space(&request.settings.branch_prefix, &plan.target)
        )));
    }

    let total = plan.files.len();
    step(Step::WritingFiles { done: 0, total })?;
    let actions = actions(plan);
    on_step(Step::WritingFiles { done: total, total });
    step(Step::WritingCommit)?;
    // `force` with `start_sha`: the branch becomes exactly one commit on the
    // base, whatever an earlier attempt left on it.
    let commit = client
        .send(
            Method::POST,
            &client.project_path("/repository/commits"),
            Some(&json!({
                "branch": branch,
                "start_sha": plan.base,
                "force": true,
                "commit_message": draft.title,
                "actions": actions,
            })),
            "writing the commit",
            Repeat::Safe,
        )
        .await?;
    let commit = text(&commit, "id", "the commit")?;
    step(Step::PushingBranch {
        branch: branch.clone(),
    })?;
    expect_tip(client, &branch, &commit).await?;

    step(Step::OpeningPullRequest)?;
    let (number, url, outcome) = match same_apps {
        Some((mr, marker)) if mr["source_branch"] == branch.as_str() => {
            let iid = mr["iid"].as_u64().unwrap_or_default();
            let outcome = if marker == draft.marker {
                Outcome::Resumed
            } else {
                Outcome::Updated
            };
            if outcome == Outcome::Updated || mr["title"] != draft.title.as_str() {
                update(client, iid, &draft).await?;
            }
            (iid, text(mr, "web_url", "the merge request")?, outcome)
        }
        _ => create(client, &ownership, &plan.target_branch, &branch, &draft).await?,
    };

    step(Step::Finishing)?;
    request_reviews(client, number, &draft.reviewers).await?;
    Ok(Opened {
        number,
        url,
        branch,
        commit,
        outcome,
    })
}

/// The commits API's actions for the plan's files: each file whole (base64,
/// so any bytes survive), with its executable bit.
fn actions(plan: &PromotionPlan) -> Vec<Value> {
    let b64 = base64::engine::general_purpose::STANDARD;
    plan.files
        .iter()
        .map(|f| match (&f.old, &f.new) {
            (_, None) => json!({ "action": "delete", "file_path": f.path }),
            (old, Some(new)) => json!({
                "action": if old.is_some() { "update" } else { "create" },
                "file_path": f.path,
                "content": b64.encode(new),
                "encoding": "base64",
                "execute_filemode": f.executable,
            }),
        })
        .collect()
}

/// Fails with [`Error::TargetMoved`] unless `branch` points at `expected`.
async fn expect_tip(client: &Client, branch: &str, expected: &str) -> Result<(), Error> {
    let what = format!("branch {branch}");
    let found = client
        .find(
            &client.project_path(&format!("/repository/branches/{}", segment(branch))),
            &what,
        )
        .await?
        .ok_or(Error::NotFound { what })?;
    let actual = found["commit"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if actual != expected {
        return Err(Error::TargetMoved {
            branch: branch.to_owned(),
            expected: expected.to_owned(),
            actual,
        });
    }
    Ok(())
}

/// Creates the merge request, or, when an earlier attempt's creation went
/// through but its answer was lost, finds it.
async fn create(
    client: &Client,
    ownership: &Ownership,
    target: &str,
    branch: &str,
    draft: &PullRequestDraft,
) -> Result<(u64, String, Outcome), Error> {
    let created = client
        .send(
            Method::POST,
            &client.project_path("/merge_requests"),
            Some(&json!({
                "source_branch": branch,
                "target_branch": target,
                "title": draft.title,
                "description": draft.body,
                "labels": draft.labels.join(","),
                "remove_source_branch": true,
            })),
            "opening the merge request",
            Repeat::Unsafe,
        )
        .await;
    match created {
        Ok(mr) => Ok((
            mr["iid"].as_u64().ok_or_else(|| Error::Unexpected {
                what: "the new merge request".into(),
                detail: "no iid".into(),
            })?,
            text(&mr, "web_url", "the new merge request")?,
            Outcome::Created,
        )),
        // GitLab allows one open merge request per source branch: a refusal
        // may be an earlier attempt's, whose answer was lost. Otherwise
        // GitLab's own words say what is wrong.
        Err(refused @ Error::Refused { .. }) => {
            let found = open_requests(client, Some(target))
                .await?
                .into_iter()
                .find(|mr| mr["source_branch"] == branch && ownership.marker_of(mr).is_some());
            match found {
                Some(mr) => Ok((
                    mr["iid"].as_u64().unwrap_or_default(),
                    text(&mr, "web_url", "the merge request")?,
                    Outcome::Resumed,
                )),
                None => Err(refused),
            }
        }
        Err(e) => Err(e),
    }
}

async fn update(client: &Client, iid: u64, draft: &PullRequestDraft) -> Result<(), Error> {
    client
        .send(
            Method::PUT,
            &client.project_path(&format!("/merge_requests/{iid}")),
            Some(&json!({
                "title": draft.title,
                "description": draft.body,
                "labels": draft.labels.join(","),
            })),
            "updating the merge request",
            Repeat::Safe,
        )
        .await?;
    Ok(())
}

/// Asks `reviewers` (usernames; GitLab has no team reviewers) to review.
async fn request_reviews(client: &Client, iid: u64, reviewers: &[String]) -> Result<(), Error> {
    let mut ids = Vec::new();
    for name in reviewers.iter().filter(|r| !r.contains('/')) {
        let users = client
            .get(
                &format!("/users?username={}", segment(name)),
                &format!("the user {name}"),
            )
            .await?;
        if let Some(id) = users.get(0).and_then(|u| u["id"].as_u64()) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    client
        .send(
            Method::PUT,
            &client.project_path(&format!("/merge_requests/{iid}")),
            Some(&json!({ "reviewer_ids": ids })),
            "requesting reviews",
            Repeat::Safe,
        )
        .await?;
    Ok(())
}

/// The merge request from a branch someone else writes (a hydrator's next
/// branch) into the target: found when one is open, else opened. Both
/// branches must still be where the preview saw them; nothing is written to
/// either.
async fn merge_branch(
    client: &Client,
    plan: &PromotionPlan,
    head: &str,
    draft: &PullRequestDraft,
    ownership: &Ownership,
    step: &(dyn Fn(Step) -> Result<(), Error> + Sync),
) -> Result<Opened, Error> {
    expect_tip(client, head, &plan.source_commit).await?;
    step(Step::OpeningPullRequest)?;
    let existing = open_requests(client, Some(&plan.target_branch))
        .await?
        .into_iter()
        .find(|mr| {
            mr["source_branch"] == head
                && ownership.is_here(mr)
                && mr["sha"] == plan.source_commit.as_str()
        });
    let (number, url, outcome) = match existing {
        Some(mr) => (
            mr["iid"].as_u64().unwrap_or_default(),
            text(&mr, "web_url", "the merge request")?,
            Outcome::Found,
        ),
        None => {
            let created = client
                .send(
                    Method::POST,
                    &client.project_path("/merge_requests"),
                    Some(&json!({
                        "source_branch": head,
                        "target_branch": plan.target_branch,
                        "title": draft.title,
                        "description": draft.body,
                        "labels": draft.labels.join(","),
                    })),
                    "opening the merge request",
                    Repeat::Unsafe,
                )
                .await?;
            (
                created["iid"].as_u64().unwrap_or_default(),
                text(&created, "web_url", "the new merge request")?,
                Outcome::Created,
            )
        }
    };
    Ok(Opened {
        number,
        url,
        branch: head.to_owned(),
        commit: plan.source_commit.clone(),
        outcome,
    })
}
