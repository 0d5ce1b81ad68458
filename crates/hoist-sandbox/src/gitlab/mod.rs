//! The GitLab forge: the REST API v4 endpoints Hoist uses, on the same bare
//! repository, store, simulated CI and reconciler as the GitHub sandbox,
//! answering in GitLab's shapes (checked against gitbeaker's types by the
//! test suite).
//!
//! Routes are named as GitLab's API documentation names them
//! (`/api/v4/projects/{id}/merge_requests/{merge_request_iid}`); `{id}` is
//! the project's numeric id or its URL-encoded path (`group%2Fsub%2Fproject`),
//! which the gate resolves before any route runs.

mod branches;
mod commits;
mod gate;
pub mod merge;
mod merge_requests;
mod pipelines;
mod shape;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use crate::Shared;
use crate::reply::{Answer, Reply};
use crate::serve::Login;

/// Every GitLab route, behind the gate, with the fallback GitLab answers.
pub fn router(shared: Arc<Shared>) -> Router {
    let project = "/api/v4/projects/{id}";
    let mr = format!("{project}/merge_requests/{{merge_request_iid}}");
    Router::new()
        .route("/api/v4/user", get(user))
        .route("/api/v4/personal_access_tokens/self", get(token))
        .route(project, get(show_project))
        .route(
            &format!("{project}/repository/branches"),
            post(branches::create),
        )
        .route(
            &format!("{project}/repository/branches/{{branch}}"),
            get(branches::show).delete(branches::delete),
        )
        .route(
            &format!("{project}/repository/commits"),
            post(commits::create),
        )
        .route(
            &format!("{project}/repository/commits/{{sha}}"),
            get(commits::show),
        )
        .route(
            &format!("{project}/repository/commits/{{sha}}/statuses"),
            get(pipelines::statuses),
        )
        .route(
            &format!("{project}/statuses/{{sha}}"),
            post(pipelines::post_status),
        )
        .route(
            &format!("{project}/repository/compare"),
            get(commits::compare),
        )
        .route(&format!("{project}/pipelines"), get(pipelines::list))
        .route(
            &format!("{project}/pipelines/{{pipeline_id}}"),
            get(pipelines::show),
        )
        .route(
            &format!("{project}/pipelines/{{pipeline_id}}/jobs"),
            get(pipelines::list_jobs),
        )
        .route(
            &format!("{project}/merge_requests"),
            get(merge_requests::list).post(merge_requests::create),
        )
        .route(&mr, get(merge_requests::show).put(merge_requests::update))
        .route(&format!("{mr}/merge"), put(merge::merge))
        .route(&format!("{mr}/approvals"), get(merge_requests::approvals))
        .route_layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            gate::gate,
        ))
        .fallback(|| async { message(StatusCode::NOT_FOUND, "404 Not Found") })
        .with_state(shared)
}

/// GitLab's error body: `{"message": …}`.
pub(crate) fn message(status: StatusCode, text: &str) -> Reply {
    Reply::with(status, json!({ "message": text }))
}

/// A refusal of the repository, in GitLab's shape.
pub(crate) fn refused(r: crate::git::Refusal) -> Reply {
    message(r.status, &r.message)
}

/// GitLab's 404 for a missing resource, e.g. `404 Branch Not Found`.
pub(crate) fn not_found(what: &str) -> Reply {
    message(StatusCode::NOT_FOUND, &format!("404 {what} Not Found"))
}

/// Grape's 400 for parameters that are missing or invalid:
/// `{"error": "branch is missing, ref is missing"}`.
pub(crate) fn bad_params(problems: &[String]) -> Reply {
    Reply::with(
        StatusCode::BAD_REQUEST,
        json!({ "error": problems.join(", ") }),
    )
}

/// The required string parameters `names` of `body`, or Grape's 400
/// naming every one missing.
pub(crate) fn required<'b>(body: &'b Value, names: &[&str]) -> Result<Vec<&'b str>, Reply> {
    let missing: Vec<String> = names
        .iter()
        .filter(|n| !body[**n].is_string())
        .map(|n| format!("{n} is missing"))
        .collect();
    if !missing.is_empty() {
        return Err(bad_params(&missing));
    }
    Ok(names.iter().filter_map(|n| body[*n].as_str()).collect())
}

/// A request's parameters: GitLab takes them as JSON, form or query alike;
/// the sandbox takes JSON, and a query string on GETs.
pub(crate) fn body(bytes: &[u8]) -> Result<Value, Reply> {
    if bytes.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(bytes).map_err(|_| {
        Reply::with(
            StatusCode::BAD_REQUEST,
            json!({ "error": "The provided content-type 'application/json' is not supported or the body is not valid JSON." }),
        )
    })
}

/// A boolean parameter: GitLab accepts `true` and `"true"`.
pub(crate) fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

async fn user(State(s): State<Arc<Shared>>, Extension(Login(login)): Extension<Login>) -> Answer {
    Ok(Reply::ok(shape::current_user(&s, &login)))
}

async fn token(State(s): State<Arc<Shared>>, Extension(Login(login)): Extension<Login>) -> Answer {
    let account = s
        .config
        .accounts
        .iter()
        .find(|a| a.login == login)
        .ok_or_else(|| message(StatusCode::UNAUTHORIZED, "401 Unauthorized"))?;
    Ok(Reply::ok(shape::token(account)))
}

async fn show_project(State(s): State<Arc<Shared>>) -> Answer {
    Ok(Reply::ok(shape::project(&s)))
}
