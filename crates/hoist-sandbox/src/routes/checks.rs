//! Commit statuses and check runs: what CI and the reconciler report.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Query, State};
use serde_json::{Value, json};

use super::Params;
use crate::reply::{Answer, Reply, parse, required};
use crate::serve::Login;
use crate::store::{CheckRun, Status};
use crate::{Shared, shape};

/// A ref path parameter (a full sha, a branch name) as a commit id.
fn commit(s: &Shared, params: &HashMap<String, String>, name: &str) -> Result<String, Reply> {
    let name = params.get(name).map(String::as_str).unwrap_or("");
    let unknown = || Reply::unprocessable(&format!("No commit found for SHA: {name}"));
    s.git
        .commitish(name)
        .map(|id| id.to_string())
        .ok_or_else(unknown)
}

pub async fn create_status(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    params: Params,
    body: Bytes,
) -> Answer {
    let body = parse(&body)?;
    let state = required(&body, "Status", "state")?;
    if !matches!(state, "error" | "failure" | "pending" | "success") {
        return Err(Reply::invalid(
            "Status",
            "state",
            "custom",
            Some("state is not included in the list"),
        ));
    }
    let sha = commit(&s, &params, "sha")?;
    let mut store = s.store();
    let id = store.id();
    let status = Status {
        id,
        sha,
        state: state.to_owned(),
        context: body["context"].as_str().unwrap_or("default").to_owned(),
        description: body["description"].as_str().map(str::to_owned),
        target_url: body["target_url"].as_str().map(str::to_owned),
        creator: login,
        at: jiff::Timestamp::now(),
    };
    store.statuses.push(status.clone());
    Ok(Reply::created(shape::status(&s, &status)))
}

pub async fn combined_status(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let sha = commit(&s, &params, "ref").map_err(|_| Reply::not_found())?;
    let store = s.store();
    let statuses = shape::statuses_for(&store, &sha);
    Ok(Reply::ok(shape::combined(&s, &store, &sha, &statuses)))
}

pub async fn list_check_runs(
    State(s): State<Arc<Shared>>,
    params: Params,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let sha = commit(&s, &params, "ref").map_err(|_| Reply::not_found())?;
    let store = s.store();
    let runs: Vec<Value> = store
        .check_runs
        .iter()
        .rev()
        .filter(|c| c.head_sha == sha)
        .filter(|c| query.get("check_name").is_none_or(|n| &c.name == n))
        .map(|c| shape::check_run(&s, c))
        .collect();
    Ok(Reply::ok(
        json!({ "total_count": runs.len(), "check_runs": runs }),
    ))
}

pub async fn create_check_run(State(s): State<Arc<Shared>>, body: Bytes) -> Answer {
    let body = parse(&body)?;
    let name = required(&body, "CheckRun", "name")?.to_owned();
    let head_sha = required(&body, "CheckRun", "head_sha")?;
    let head = s
        .git
        .commitish(head_sha)
        .ok_or_else(|| Reply::unprocessable(&format!("No commit found for SHA: {head_sha}")))?;
    let conclusion = body["conclusion"].as_str().map(str::to_owned);
    let status = if conclusion.is_some() {
        "completed"
    } else {
        body["status"].as_str().unwrap_or("queued")
    };
    let mut store = s.store();
    let id = store.id();
    let now = jiff::Timestamp::now();
    let run = CheckRun {
        id,
        name,
        head_sha: head.to_string(),
        status: status.to_owned(),
        conclusion,
        started_at: now,
        completed_at: (status == "completed").then_some(now),
    };
    store.check_runs.push(run.clone());
    Ok(Reply::created(shape::check_run(&s, &run)))
}
