//! Opening the pull request for a previewed plan: GitHub's primitives for
//! the algorithm in [`hoist_forge::open`], through the Git Data API.
//!
//! Invariant of the commit: exactly the plan's files on exactly the plan's
//! base tree, with the base as its only parent; a branch that already holds
//! such a commit keeps it, so a retry writes nothing twice.

use std::sync::atomic::AtomicBool;

use base64::Engine;
use hoist_core::plan::PromotionPlan;
use hoist_core::plan::request::{Marker, PullRequestDraft};
use hoist_forge::open::{OpenChange, Repository, StepFn};
use http::Method;
use serde_json::{Value, json};

use crate::Error;
use crate::client::{Client, Repeat};
use crate::ownership::Ownership;
use crate::signing::{self, Change};

pub use hoist_forge::change::{Opened, Outcome, Request, Step, WhenOpen};

/// Opens (or resumes, or updates) the pull request for `request.plan`,
/// calling `on_step` as it goes and stopping with [`Error::Cancelled`] between
/// steps once `cancel` is set (see [`hoist_forge::open`]).
pub async fn open(
    client: &Client,
    request: &Request<'_>,
    on_step: &(dyn Fn(Step) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Opened, Error> {
    hoist_forge::open::open(client, request, on_step, cancel).await
}

/// GitHub's way with each step: files as blobs, a tree on the base's, a
/// commit (one GitHub signs where rules require it), then the branch.
impl Repository for Client {
    type Error = Error;

    async fn tip(&self, branch: &str) -> Result<Option<String>, Error> {
        branch_tip(self, branch).await
    }

    async fn open_changes(&self, target: &str, prefix: &str) -> Result<Vec<OpenChange>, Error> {
        let ownership = Ownership::of(self, prefix).await?;
        Ok(open_pulls(self, target)
            .await?
            .into_iter()
            .map(|p| OpenChange {
                here: crate::ownership::is_here(self, p.head_repository.as_deref()),
                marker: p.marker.filter(|m| {
                    ownership.owns(
                        p.head_repository.as_deref(),
                        &p.branch,
                        p.author.as_deref(),
                        m,
                    )
                }),
                number: p.number,
                url: p.url,
                branch: p.branch,
                head: p.head,
                title: p.title,
                body: p.body,
            })
            .collect())
    }

    async fn commit(
        &self,
        plan: &PromotionPlan,
        branch: &str,
        message: &str,
        step: StepFn<'_>,
    ) -> Result<String, Error> {
        // Where the target (or a ruleset over Hoist's branches) requires
        // signatures, GitHub writes and signs the commit; it writes every
        // file as a regular file, so an executable one could not stay
        // executable.
        let signed = signing::required(self, &plan.target_branch).await?
            || signing::required(self, branch).await?;
        if signed && let Some(file) = plan.files.iter().find(|f| f.executable && f.new.is_some()) {
            return Err(Error::NotOpenable(format!(
                "{} requires signed commits, and GitHub can sign only commits that \
                 write regular files: {} is executable",
                plan.target_branch, file.path
            )));
        }
        let base_tree = commit_tree(self, &plan.base).await?;
        let total = plan.files.len();
        let mut entries = Vec::with_capacity(total);
        for (done, file) in plan.files.iter().enumerate() {
            step(Step::WritingFiles { done, total })?;
            let sha = match &file.new {
                Some(content) => Value::String(upload(self, content, &file.path).await?),
                None => Value::Null,
            };
            // The file keeps its mode: an executable stays one.
            let mode = if file.executable { "100755" } else { "100644" };
            entries.push(json!({ "path": file.path, "mode": mode, "type": "blob", "sha": sha }));
        }
        step(Step::WritingFiles { done: total, total })?;
        step(Step::WritingCommit)?;
        let tree = self
            .write(
                Method::POST,
                &self.repo_path("/git/trees"),
                &json!({ "base_tree": base_tree, "tree": entries }),
                "writing the tree",
                Repeat::Safe,
            )
            .await?;
        let tree = field(&tree, "sha", "the tree")?;
        step(Step::PushingBranch {
            branch: branch.to_owned(),
        })?;
        let changes: Vec<Change<'_>> = plan
            .files
            .iter()
            .map(|f| Change {
                path: &f.path,
                content: f.new.as_deref(),
            })
            .collect();
        push(
            self,
            branch,
            &tree,
            &plan.base,
            message,
            signed.then_some(&changes[..]),
        )
        .await
    }

    async fn create(
        &self,
        target: &str,
        branch: &str,
        draft: &PullRequestDraft,
        // GitHub deletes merged branches by the repository's setting.
        _remove_branch: bool,
    ) -> Result<(u64, String), Error> {
        post_pull(self, target, branch, &draft.title, &draft.body).await
    }

    fn may_exist(error: &Error) -> bool {
        matches!(error, Error::Network { .. } | Error::Validation { .. })
    }

    async fn update(&self, number: u64, draft: &PullRequestDraft) -> Result<(), Error> {
        self.write(
            Method::PATCH,
            &self.repo_path(&format!("/pulls/{number}")),
            &json!({ "title": draft.title, "body": draft.body }),
            "updating the pull request",
            Repeat::Safe,
        )
        .await?;
        Ok(())
    }

    async fn finish(&self, number: u64, draft: &PullRequestDraft) -> Result<(), Error> {
        if !draft.labels.is_empty() {
            self.write(
                Method::POST,
                &self.repo_path(&format!("/issues/{number}/labels")),
                &json!({ "labels": draft.labels }),
                "labelling the pull request",
                Repeat::Safe,
            )
            .await?;
        }
        let (teams, users): (Vec<&String>, Vec<&String>) =
            draft.reviewers.iter().partition(|r| r.contains('/'));
        if users.is_empty() && teams.is_empty() {
            return Ok(());
        }
        let teams: Vec<&str> = teams
            .iter()
            .filter_map(|t| t.split_once('/').map(|(_, slug)| slug))
            .collect();
        self.write(
            Method::POST,
            &self.repo_path(&format!("/pulls/{number}/requested_reviewers")),
            &json!({ "reviewers": users, "team_reviewers": teams }),
            "requesting reviews",
            Repeat::Safe,
        )
        .await?;
        Ok(())
    }
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
    /// Its body.
    pub body: String,
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
            body: p["body"].as_str().unwrap_or_default().to_owned(),
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

/// Creates the pull request of `branch` into `base`; returns its number and page.
async fn post_pull(
    client: &Client,
    base: &str,
    branch: &str,
    title: &str,
    body: &str,
) -> Result<(u64, String), Error> {
    let p = client
        .write(
            Method::POST,
            &client.repo_path("/pulls"),
            &json!({ "title": title, "head": branch, "base": base, "body": body }),
            "opening the pull request",
            Repeat::Unsafe,
        )
        .await?;
    Ok((
        p["number"].as_u64().ok_or_else(|| Error::Unexpected {
            what: "the new pull request".into(),
            detail: "no number".into(),
        })?,
        field(&p, "html_url", "the pull request")?,
    ))
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
    match post_pull(client, base, branch, title, body).await {
        Ok((number, url)) => Ok((number, url, Outcome::Created)),
        Err(e) if <Client as Repository>::may_exist(&e) => {
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
