//! Opening the pull request for a previewed plan through the Git Data API.
//!
//! Invariants: the commit has exactly the plan's files on exactly the plan's
//! base tree, with the base as its only parent; nothing is written when the
//! target moved since the preview. Every step first looks for what an
//! earlier attempt left (the branch has a deterministic name, the pull
//! request a marker), so a retry after a failure anywhere completes the job
//! without a second branch or pull request.

use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use hoist_core::plan::PromotionPlan;
use hoist_core::plan::request::Marker;
use http::Method;
use serde_json::{Value, json};

use crate::Error;
use crate::client::{Client, Repeat};
use crate::ownership::Ownership;
use crate::signing::{self, Change};

pub use hoist_forge::change::{Opened, Outcome, Request, Step, WhenOpen};

/// Opens (or resumes, or updates) the pull request for `request.plan`,
/// calling `on_step` as it goes and stopping with [`Error::Cancelled`] between
/// steps once `cancel` is set.
pub async fn open(
    client: &Client,
    request: &Request<'_>,
    on_step: &(dyn Fn(Step) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Opened, Error> {
    let plan = request.plan;
    if plan.files.is_empty() {
        return Err(Error::NotOpenable("the plan changes nothing".into()));
    }
    let draft = plan.pull_request(request.settings, request.reason)?;
    let checkpoint = || {
        if cancel.load(Ordering::Relaxed) {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    };
    // Each step is announced, then the flag is read: a cancel stops before
    // the step's first request.
    let step = |s: Step| {
        on_step(s);
        checkpoint()
    };
    let (branch, title, body, marker) = (
        draft.branch.clone(),
        draft.title.as_str(),
        draft.body.as_str(),
        &draft.marker,
    );

    if let Some(head) = &plan.head {
        return merge_branch(client, plan, head, &draft, &step).await;
    }
    step(Step::CheckingTarget)?;
    let tip = branch_tip(client, &plan.target_branch)
        .await?
        .ok_or_else(|| Error::NotFound {
            what: format!("branch {}", plan.target_branch),
        })?;
    if tip != plan.base {
        return Err(Error::TargetMoved {
            branch: plan.target_branch.clone(),
            expected: plan.base.clone(),
            actual: tip,
        });
    }
    let ownership = Ownership::of(client, &request.settings.branch_prefix).await?;
    let open_prs = open_pulls(client, &plan.target_branch).await?;
    // The same apps of the same environment, from an earlier attempt or
    // another change, among Hoist's own pull requests only: a copied marker
    // on anyone else's (a fork's above all) is not taken for Hoist's.
    let same_apps = open_prs.iter().find(|p| {
        p.marker.as_ref().is_some_and(|m| {
            m.same_change(marker)
                && ownership.owns(
                    p.head_repository.as_deref(),
                    &p.branch,
                    p.author.as_deref(),
                    m,
                )
        })
    });
    // The branch: the one an open pull request for these apps uses when
    // updating it, else the deterministic name. Decided before anything is
    // written, so a report leaves no trace.
    let branch = match (same_apps, request.when_open) {
        (Some(existing), _) if existing.branch == branch => branch,
        (Some(existing), WhenOpen::Update) => existing.branch.clone(),
        (Some(existing), WhenOpen::Report) => {
            return Err(Error::AlreadyOpen {
                number: existing.number,
                url: existing.url.clone(),
                target: plan.target.clone(),
            });
        }
        (None, _) => branch,
    };
    // Holds by construction (the name is made in the space, an adopted pull
    // request's branch was checked to be in it); checked again because a
    // branch outside it is never to be moved, whatever changes above.
    if !ownership.may_move(&branch, &plan.target) {
        return Err(Error::NotOpenable(format!(
            "branch {branch} is not one Hoist makes (under {})",
            hoist_core::plan::request::branch_space(&request.settings.branch_prefix, &plan.target)
        )));
    }
    // Where the target (or a ruleset over Hoist's branches) requires
    // signatures, GitHub writes and signs the commit; it writes every file
    // as a regular file, so an executable one could not stay executable.
    let signed = signing::required(client, &plan.target_branch).await?
        || signing::required(client, &branch).await?;
    if signed && let Some(file) = plan.files.iter().find(|f| f.executable && f.new.is_some()) {
        return Err(Error::NotOpenable(format!(
            "{} requires signed commits, and GitHub can sign only commits that \
             write regular files: {} is executable",
            plan.target_branch, file.path
        )));
    }
    checkpoint()?;

    let base_tree = commit_tree(client, &plan.base).await?;
    let total = plan.files.len();
    step(Step::WritingFiles { done: 0, total })?;
    let mut entries = Vec::with_capacity(total);
    for (done, file) in plan.files.iter().enumerate() {
        checkpoint()?;
        let sha = match &file.new {
            Some(content) => Value::String(upload(client, content, &file.path).await?),
            None => Value::Null,
        };
        // The file keeps its mode: an executable stays one.
        let mode = if file.executable { "100755" } else { "100644" };
        entries.push(json!({ "path": file.path, "mode": mode, "type": "blob", "sha": sha }));
        on_step(Step::WritingFiles {
            done: done + 1,
            total,
        });
    }
    step(Step::WritingCommit)?;
    let tree = client
        .write(
            Method::POST,
            &client.repo_path("/git/trees"),
            &json!({ "base_tree": base_tree, "tree": entries }),
            "writing the tree",
            Repeat::Safe,
        )
        .await?;
    let tree = field(&tree, "sha", "the tree")?;

    step(Step::PushingBranch {
        branch: branch.clone(),
    })?;
    let changes: Vec<Change<'_>> = plan
        .files
        .iter()
        .map(|f| Change {
            path: &f.path,
            content: f.new.as_deref(),
        })
        .collect();
    let commit = push(
        client,
        &branch,
        &tree,
        &plan.base,
        title,
        signed.then_some(&changes[..]),
    )
    .await?;

    step(Step::OpeningPullRequest)?;
    let (number, url, outcome) = match same_apps {
        Some(existing)
            if existing.branch == branch
                && existing.head == commit
                && existing.marker.as_ref() == Some(marker) =>
        {
            (existing.number, existing.url.clone(), Outcome::Resumed)
        }
        Some(existing) if existing.branch == branch => {
            client
                .write(
                    Method::PATCH,
                    &client.repo_path(&format!("/pulls/{}", existing.number)),
                    &json!({ "title": title, "body": body }),
                    "updating the pull request",
                    Repeat::Safe,
                )
                .await?;
            let outcome = if existing.marker.as_ref() == Some(marker) {
                Outcome::Resumed
            } else {
                Outcome::Updated
            };
            (existing.number, existing.url.clone(), outcome)
        }
        _ => create_pull(client, &plan.target_branch, &branch, title, body).await?,
    };

    step(Step::Finishing)?;
    if !draft.labels.is_empty() {
        client
            .write(
                Method::POST,
                &client.repo_path(&format!("/issues/{number}/labels")),
                &json!({ "labels": draft.labels }),
                "labelling the pull request",
                Repeat::Safe,
            )
            .await?;
    }
    let (teams, users): (Vec<&String>, Vec<&String>) =
        draft.reviewers.iter().partition(|r| r.contains('/'));
    if !users.is_empty() || !teams.is_empty() {
        let teams: Vec<&str> = teams
            .iter()
            .filter_map(|t| t.split_once('/').map(|(_, slug)| slug))
            .collect();
        client
            .write(
                Method::POST,
                &client.repo_path(&format!("/pulls/{number}/requested_reviewers")),
                &json!({ "reviewers": users, "team_reviewers": teams }),
                "requesting reviews",
                Repeat::Safe,
            )
            .await?;
    }
    Ok(Opened {
        number,
        url,
        branch,
        commit,
        outcome,
    })
}

/// The pull request that merges a branch someone else writes (a hydrator's
/// next branch) into the target: found when one is open, else opened. Both
/// branches must still be where the preview saw them, so the pull request
/// brings exactly the previewed change; nothing is written to either branch.
async fn merge_branch(
    client: &Client,
    plan: &PromotionPlan,
    head: &str,
    draft: &hoist_core::plan::request::PullRequestDraft,
    step: &(dyn Fn(Step) -> Result<(), Error> + Sync),
) -> Result<Opened, Error> {
    step(Step::CheckingTarget)?;
    for (branch, expected) in [
        (&plan.target_branch, &plan.base),
        (&head.to_owned(), &plan.source_commit),
    ] {
        let tip = branch_tip(client, branch)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: format!("branch {branch}"),
            })?;
        if tip != *expected {
            return Err(Error::TargetMoved {
                branch: branch.clone(),
                expected: expected.clone(),
                actual: tip,
            });
        }
    }
    step(Step::OpeningPullRequest)?;
    // The promoter's pull request is from this repository's next branch at
    // the previewed commit; a fork's branch of the same name is not it.
    let existing = open_pulls(client, &plan.target_branch)
        .await?
        .into_iter()
        .find(|p| {
            p.branch == head
                && crate::ownership::is_here(client, p.head_repository.as_deref())
                && p.head == plan.source_commit
        });
    let (number, url, outcome) = match existing {
        Some(p) => (p.number, p.url, Outcome::Found),
        None => {
            let created =
                create_pull(client, &plan.target_branch, head, &draft.title, &draft.body).await?;
            step(Step::Finishing)?;
            if !draft.labels.is_empty() {
                client
                    .write(
                        Method::POST,
                        &client.repo_path(&format!("/issues/{}/labels", created.0)),
                        &json!({ "labels": draft.labels }),
                        "labelling the pull request",
                        Repeat::Safe,
                    )
                    .await?;
            }
            created
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

/// Uploads `content` as a blob (safe to repeat: a blob is named by its
/// content) and returns its id.
pub(crate) async fn upload(client: &Client, content: &[u8], path: &str) -> Result<String, Error> {
    let blob = client
        .write(
            Method::POST,
            &client.repo_path("/git/blobs"),
            &json!({
                "content": base64::engine::general_purpose::STANDARD.encode(content),
                "encoding": "base64",
            }),
            &format!("uploading {path}"),
            Repeat::Safe,
        )
        .await?;
    field(&blob, "sha", "the blob")
}

/// A string field of an answer, or [`Error::Unexpected`].
pub(crate) fn field(v: &Value, name: &str, what: &str) -> Result<String, Error> {
    v[name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::Unexpected {
            what: what.to_owned(),
            detail: format!("no `{name}` in the answer"),
        })
}

/// Percent-encodes what a branch name may hold that a URL path may not.
pub(crate) fn path_part(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The commit `branch` points to, or `None` when it does not exist.
pub async fn branch_tip(client: &Client, branch: &str) -> Result<Option<String>, Error> {
    let found = client
        .get_optional(
            &client.repo_path(&format!("/git/ref/heads/{}", path_part(branch))),
            &format!("branch {branch}"),
        )
        .await?;
    found
        .map(|r| {
            r["object"]["sha"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::Unexpected {
                    what: format!("branch {branch}"),
                    detail: "no object sha".into(),
                })
        })
        .transpose()
}

pub(crate) async fn commit_tree(client: &Client, commit: &str) -> Result<String, Error> {
    let c = client
        .get(
            &client.repo_path(&format!("/git/commits/{commit}")),
            &format!("commit {commit}"),
        )
        .await?;
    Ok(c["tree"]["sha"].as_str().unwrap_or_default().to_owned())
}

/// Whether `commit` is exactly the change: `tree` on the single parent
/// `base`, and signed by a key GitHub verified when `signed`.
pub(crate) async fn is_the_change(
    client: &Client,
    commit: &str,
    tree: &str,
    base: &str,
    signed: bool,
) -> Result<bool, Error> {
    let c = client
        .get(
            &client.repo_path(&format!("/git/commits/{commit}")),
            &format!("commit {commit}"),
        )
        .await?;
    let parents: Vec<&str> = c["parents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["sha"].as_str())
        .collect();
    Ok(c["tree"]["sha"] == tree
        && parents == [base]
        && (!signed || c["verification"]["verified"] == true))
}

/// Makes `branch` hold the change (`tree` on the single parent `base`),
/// reusing the commit an earlier attempt pushed; returns the commit. With
/// `signed`, the files of the change, the commit is one GitHub signs (see
/// [`crate::signing`]).
pub(crate) async fn push(
    client: &Client,
    branch: &str,
    tree: &str,
    base: &str,
    title: &str,
    signed: Option<&[Change<'_>]>,
) -> Result<String, Error> {
    let existing = branch_tip(client, branch).await?;
    if let Some(tip) = &existing
        && is_the_change(client, tip, tree, base, signed.is_some()).await?
    {
        return Ok(tip.clone());
    }
    // A commit nobody points to yet is harmless if an answer is lost, and a
    // retry writes another.
    let commit = match signed {
        Some(changes) => signing::commit(client, branch, base, tree, title, changes).await?,
        None => {
            let commit = client
                .write(
                    Method::POST,
                    &client.repo_path("/git/commits"),
                    &json!({ "message": title, "tree": tree, "parents": [base] }),
                    "writing the commit",
                    Repeat::Unsafe,
                )
                .await?;
            field(&commit, "sha", "the commit")?
        }
    };
    // Hoist's own branch with an older change (the target moved, or a plan
    // for other versions) takes the new one.
    let outcome = point(client, branch, existing.is_some(), &commit, Repeat::Unsafe).await;
    match outcome {
        Ok(_) => Ok(commit),
        // Created meanwhile (say, by an attempt whose answer was lost): fine
        // if it holds the change.
        Err(Error::Validation { .. }) => match branch_tip(client, branch).await? {
            Some(tip) if is_the_change(client, &tip, tree, base, signed.is_some()).await? => {
                Ok(tip)
            }
            _ => Err(Error::Conflict {
                what: format!("branch {branch}"),
                message: "it changed while Hoist was writing it; try again".into(),
            }),
        },
        Err(e) => Err(e),
    }
}

/// Points `branch` at `commit`: moves it (forced) when it `exists`, else
/// creates it. `repeat` says whether the move may be sent again after a lost
/// answer (creating may not: a second attempt would find it made).
pub(crate) async fn point(
    client: &Client,
    branch: &str,
    exists: bool,
    commit: &str,
    repeat: Repeat,
) -> Result<Value, Error> {
    if exists {
        client
            .write(
                Method::PATCH,
                &client.repo_path(&format!("/git/refs/heads/{}", path_part(branch))),
                &json!({ "sha": commit, "force": true }),
                &format!("moving branch {branch}"),
                repeat,
            )
            .await
    } else {
        client
            .write(
                Method::POST,
                &client.repo_path("/git/refs"),
                &json!({ "ref": format!("refs/heads/{branch}"), "sha": commit }),
                &format!("creating branch {branch}"),
                Repeat::Unsafe,
            )
            .await
    }
}

/// An open pull request into the target branch.
#[derive(Debug, Clone)]
pub struct OpenPull {
    /// Its number.
    pub number: u64,
    /// Its page.
    pub url: String,
    /// Its head branch.
    pub branch: String,
    /// Its head commit.
    pub head: String,
    /// Its title.
    pub title: String,
    /// The marker in its body: Hoist's, or a copy (see [`Ownership`]).
    pub marker: Option<Marker>,
    /// `owner/name` of the repository its head branch is in; `None` when
    /// that repository (a fork) was deleted.
    pub head_repository: Option<String>,
    /// Who opened it.
    pub author: Option<String>,
}

impl OpenPull {
    fn from_json(p: &Value) -> Option<OpenPull> {
        Some(OpenPull {
            number: p["number"].as_u64()?,
            title: p["title"].as_str().unwrap_or_default().to_owned(),
            url: p["html_url"].as_str()?.to_owned(),
            branch: p["head"]["ref"].as_str()?.to_owned(),
            head: p["head"]["sha"].as_str()?.to_owned(),
            marker: p["body"].as_str().and_then(Marker::find),
            head_repository: p["head"]["repo"]["full_name"].as_str().map(str::to_owned),
            author: p["user"]["login"].as_str().map(str::to_owned),
        })
    }
}

/// The open pull requests into `base`, every page.
pub async fn open_pulls(client: &Client, base: &str) -> Result<Vec<OpenPull>, Error> {
    let mut all = Vec::new();
    for page in 1.. {
        let list = client
            .get(
                &client.repo_path(&format!(
                    "/pulls?state=open&base={}&per_page=100&page={page}",
                    path_part(base).replace('/', "%2F")
                )),
                &format!("the open pull requests into {base}"),
            )
            .await?;
        let items = list.as_array().cloned().unwrap_or_default();
        all.extend(items.iter().filter_map(OpenPull::from_json));
        if items.len() < 100 {
            break;
        }
    }
    Ok(all)
}

/// Creates the pull request of `branch` into `base`; if the answer is lost
/// or GitHub says one exists, finds the one for `branch` instead of making
/// a second.
pub(crate) async fn create_pull(
    client: &Client,
    base: &str,
    branch: &str,
    title: &str,
    body: &str,
) -> Result<(u64, String, Outcome), Error> {
    let created = client
        .write(
            Method::POST,
            &client.repo_path("/pulls"),
            &json!({ "title": title, "head": branch, "base": base, "body": body }),
            "opening the pull request",
            Repeat::Unsafe,
        )
        .await;
    match created {
        Ok(p) => Ok((
            p["number"].as_u64().unwrap_or_default(),
            field(&p, "html_url", "the pull request")?,
            Outcome::Created,
        )),
        Err(e @ (Error::Network { .. } | Error::Validation { .. })) => {
            let found = open_pulls(client, base).await?.into_iter().find(|p| {
                p.branch == branch
                    && crate::ownership::is_here(client, p.head_repository.as_deref())
            });
            match found {
                Some(p) => Ok((p.number, p.url, Outcome::Created)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}
