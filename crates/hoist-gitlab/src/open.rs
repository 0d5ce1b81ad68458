//! Opening the merge request for a previewed plan: GitLab's primitives for
//! the algorithm in [`hoist_forge::open`], through the commits API.
//!
//! Invariant of the commit: exactly the plan's files on exactly the plan's
//! base, as its only parent, written in one call (`start_sha`, `actions`),
//! so it lands whole or not at all; `force` makes the branch that one commit
//! whatever an earlier attempt left on it.

use std::sync::atomic::AtomicBool;

use base64::Engine;
use hoist_core::plan::PromotionPlan;
use hoist_core::plan::request::PullRequestDraft;
use hoist_forge::change::{Opened, Request, Step};
use hoist_forge::open::{OpenChange, Repository, StepFn};
use http::Method;
use serde_json::{Value, json};

use crate::Error;
use crate::client::{Client, Repeat, text};
use crate::project::segment;
use crate::track::{Ownership, open_requests};

/// Opens (or resumes, or updates) the merge request for `request.plan`,
/// calling `on_step` as it goes and stopping with [`Error::Cancelled`]
/// between steps once `cancel` is set (see [`hoist_forge::open`]).
pub async fn open(
    client: &Client,
    request: &Request<'_>,
    on_step: &(dyn Fn(Step) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Opened, Error> {
    hoist_forge::open::open(client, request, on_step, cancel).await
}

impl Repository for Client {
    type Error = Error;

    async fn tip(&self, branch: &str) -> Result<Option<String>, Error> {
        let found = self
            .find(
                &self.project_path(&format!("/repository/branches/{}", segment(branch))),
                &format!("branch {branch}"),
            )
            .await?;
        Ok(found.map(|b| b["commit"]["id"].as_str().unwrap_or_default().to_owned()))
    }

    async fn open_changes(&self, target: &str, prefix: &str) -> Result<Vec<OpenChange>, Error> {
        let ownership = Ownership::of(self, prefix).await?;
        open_requests(self, Some(target))
            .await?
            .iter()
            .map(|mr| {
                Ok(OpenChange {
                    number: mr["iid"].as_u64().ok_or_else(|| Error::Unexpected {
                        what: "a merge request".into(),
                        detail: "no iid".into(),
                    })?,
                    url: text(mr, "web_url", "the merge request")?,
                    branch: text(mr, "source_branch", "the merge request")?,
                    head: mr["sha"].as_str().unwrap_or_default().to_owned(),
                    title: mr["title"].as_str().unwrap_or_default().to_owned(),
                    body: mr["description"].as_str().unwrap_or_default().to_owned(),
                    here: ownership.is_here(mr),
                    marker: ownership.marker_of(mr),
                })
            })
            .collect()
    }

    async fn commit(
        &self,
        plan: &PromotionPlan,
        branch: &str,
        message: &str,
        step: StepFn<'_>,
    ) -> Result<String, Error> {
        let total = plan.files.len();
        let actions = actions(plan);
        step(Step::WritingFiles { done: total, total })?;
        step(Step::WritingCommit)?;
        // `force` with `start_sha`: the branch becomes exactly one commit on
        // the base, whatever an earlier attempt left on it.
        let commit = self
            .send(
                Method::POST,
                &self.project_path("/repository/commits"),
                Some(&json!({
                    "branch": branch,
                    "start_sha": plan.base,
                    "force": true,
                    "commit_message": message,
                    "actions": actions,
                })),
                "writing the commit",
                Repeat::Safe,
            )
            .await?;
        let commit = text(&commit, "id", "the commit")?;
        step(Step::PushingBranch {
            branch: branch.to_owned(),
        })?;
        // The commits API moved the branch; a branch elsewhere now means
        // someone else wrote it meanwhile.
        match self.tip(branch).await? {
            Some(tip) if tip == commit => Ok(commit),
            actual => Err(Error::TargetMoved {
                branch: branch.to_owned(),
                expected: commit,
                actual: actual.unwrap_or_default(),
            }),
        }
    }

    async fn create(
        &self,
        target: &str,
        branch: &str,
        draft: &PullRequestDraft,
        remove_branch: bool,
    ) -> Result<(u64, String), Error> {
        let mr = self
            .send(
                Method::POST,
                &self.project_path("/merge_requests"),
                Some(&json!({
                    "source_branch": branch,
                    "target_branch": target,
                    "title": draft.title,
                    "description": draft.body,
                    "labels": draft.labels.join(","),
                    "remove_source_branch": remove_branch,
                })),
                "opening the merge request",
                Repeat::Unsafe,
            )
            .await?;
        Ok((
            mr["iid"].as_u64().ok_or_else(|| Error::Unexpected {
                what: "the new merge request".into(),
                detail: "no iid".into(),
            })?,
            text(&mr, "web_url", "the new merge request")?,
        ))
    }

    /// GitLab allows one open merge request per source branch: a refusal
    /// may be for an earlier attempt's, whose answer was lost; so may a
    /// request that went unanswered.
    fn may_exist(error: &Error) -> bool {
        matches!(error, Error::Refused { .. } | Error::Unavailable { .. })
    }

    async fn update(&self, number: u64, draft: &PullRequestDraft) -> Result<(), Error> {
        self.send(
            Method::PUT,
            &self.project_path(&format!("/merge_requests/{number}")),
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

    /// Labels came with the merge request; asks `reviewers` (usernames;
    /// GitLab has no team reviewers) to review.
    async fn finish(&self, number: u64, draft: &PullRequestDraft) -> Result<(), Error> {
        let mut ids = Vec::new();
        for name in draft.reviewers.iter().filter(|r| !r.contains('/')) {
            let users = self
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
        self.send(
            Method::PUT,
            &self.project_path(&format!("/merge_requests/{number}")),
            Some(&json!({ "reviewer_ids": ids })),
            "requesting reviews",
            Repeat::Safe,
        )
        .await?;
        Ok(())
    }
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
