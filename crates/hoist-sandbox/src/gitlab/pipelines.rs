//! What CI and the reconciler report on commits: pipelines (simulated per
//! merge request head) and commit statuses (an external reconciler such as
//! Argo CD Notifications or Flux's notification-controller posts these).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Query, State};
use serde_json::Value;

use super::{bad_params, not_found, shape};
use crate::Shared;
use crate::reply::{Answer, Reply};
use crate::routes::Params;
use crate::serve::Login;
use crate::store::{Pipeline, Status};

/// The states a commit status may be set to.
const STATES: [&str; 6] = [
    "pending", "running", "success", "failed", "canceled", "skipped",
];

pub async fn list(
    State(s): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let store = s.store();
    // Newest first, as GitLab orders them by default.
    let found: Vec<Value> = store
        .pipelines
        .iter()
        .rev()
        .filter(|p| query.get("sha").is_none_or(|sha| &p.sha == sha))
        .filter(|p| query.get("ref").is_none_or(|r| &p.branch == r))
        .filter(|p| query.get("status").is_none_or(|st| &p.status == st))
        .map(|p| shape::pipeline(&s, p))
        .collect();
    Ok(Reply::ok(Value::Array(found)))
}

/// The pipeline `:pipeline_id` names, or GitLab's 404.
fn pipeline<'s>(store: &'s crate::store::Store, params: &Params) -> Result<&'s Pipeline, Reply> {
    let missing = || super::message(axum::http::StatusCode::NOT_FOUND, "404 Not found");
    let id: u64 = params
        .get("pipeline_id")
        .and_then(|n| n.parse().ok())
        .ok_or_else(missing)?;
    store
        .pipelines
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(missing)
}

pub async fn show(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let store = s.store();
    let pipeline = pipeline(&store, &params)?;
    Ok(Reply::ok(shape::expanded_pipeline(&s, pipeline)))
}

/// The jobs of pipeline `p`: one per configured check, with the
/// pipeline's status, and ids stable across calls.
fn jobs<'c>(s: &'c Shared, p: &Pipeline) -> impl Iterator<Item = (u64, &'c str)> {
    let base = p.id * 100;
    s.config
        .checks
        .iter()
        .enumerate()
        .map(move |(i, name)| (base + i as u64, name.as_str()))
}

/// `GET /pipelines/:pipeline_id/jobs`.
pub async fn list_jobs(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let store = s.store();
    let pipeline = pipeline(&store, &params)?;
    let commit = gix::ObjectId::from_hex(pipeline.sha.as_bytes())
        .ok()
        .and_then(|id| s.git.commit(id).map(|c| shape::commit(&s, id, &c)))
        .unwrap_or(Value::Null);
    let all: Vec<Value> = jobs(&s, pipeline)
        .map(|(id, name)| shape::job(&s, pipeline, id, name, &commit))
        .collect();
    Ok(Reply::ok(Value::Array(all)))
}

/// The commit `sha` names (a full sha or a branch), or GitLab's 404.
fn commit(s: &Shared, params: &Params) -> Result<String, Reply> {
    let sha = params.get("sha").map(String::as_str).unwrap_or("");
    s.git
        .commitish(sha)
        .map(|id| id.to_string())
        .ok_or_else(|| not_found("Commit"))
}

/// The statuses of a commit: those posted, then one per job of its
/// pipelines (in GitLab a job is a commit status too), newest first.
pub async fn statuses(
    State(s): State<Arc<Shared>>,
    params: Params,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let sha = commit(&s, &params)?;
    let store = s.store();
    // The branch a status is on: the one a merge made this commit the tip
    // of (where the reconciler reports), else a pipeline's, else the default.
    let branch = |sha: &str| {
        store
            .pulls
            .iter()
            .find(|p| p.merged.as_ref().is_some_and(|m| m.sha == sha))
            .map(|p| p.base.clone())
            .or_else(|| {
                store
                    .pipelines
                    .iter()
                    .find(|p| p.sha == sha)
                    .map(|p| p.branch.clone())
            })
            .or_else(|| s.git.head_branch())
            .unwrap_or_default()
    };
    let mut all: Vec<(Status, String)> = Vec::new();
    for p in store.pipelines.iter().filter(|p| p.sha == sha) {
        for (id, name) in jobs(&s, p) {
            let job = Status {
                id,
                sha: sha.clone(),
                state: p.status.clone(),
                context: name.to_owned(),
                description: None,
                target_url: Some(shape::web(&s, &format!("/-/jobs/{id}"))),
                creator: p.user.clone(),
                at: p.finished_at.unwrap_or(p.created_at),
            };
            all.push((job, p.branch.clone()));
        }
    }
    for st in store.statuses.iter().filter(|st| st.sha == sha) {
        all.push((st.clone(), branch(&st.sha)));
    }
    all.sort_by_key(|(st, _)| std::cmp::Reverse(st.at));
    let shown: Vec<Value> = all
        .iter()
        .filter(|(_, r)| query.get("ref").is_none_or(|want| want == r))
        .filter(|(st, _)| query.get("name").is_none_or(|n| n == &st.context))
        .map(|(st, r)| shape::status(&s, st, r))
        .collect();
    Ok(Reply::ok(Value::Array(shown)))
}

pub async fn post_status(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    params: Params,
    body: Bytes,
) -> Answer {
    let body = super::body(&body)?;
    match body["state"].as_str() {
        None => return Err(bad_params(&["state is missing".into()])),
        Some(state) if !STATES.contains(&state) => {
            return Err(bad_params(&["state does not have a valid value".into()]));
        }
        Some(_) => {}
    }
    let sha = commit(&s, &params)?;
    let mut store = s.store();
    let id = store.id();
    let status = Status {
        id,
        sha,
        state: body["state"].as_str().unwrap_or("pending").to_owned(),
        context: body["name"]
            .as_str()
            .or(body["context"].as_str())
            .unwrap_or("default")
            .to_owned(),
        description: body["description"].as_str().map(str::to_owned),
        target_url: body["target_url"].as_str().map(str::to_owned),
        creator: login,
        at: jiff::Timestamp::now(),
    };
    store.statuses.push(status.clone());
    let branch = body["ref"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| s.git.head_branch())
        .unwrap_or_default();
    Ok(Reply::created(shape::status(&s, &status, &branch)))
}
