//! The endpoints, named by GitHub's route templates.

mod checks;
mod compare;
mod git;
mod graphql;
pub mod pulls;
pub(crate) mod signing;
mod web;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Extension, State};
use axum::routing::{get, post, put};
use serde_json::json;

use crate::Shared;
use crate::reply::{Answer, Reply};
use crate::serve::Login;
use crate::shape;

pub type Params = axum::extract::Path<HashMap<String, String>>;

/// A list's `per_page` (1 to 100, `default` when absent) and `page` (from
/// 1), as both forges read them.
pub(crate) fn page(query: &HashMap<String, String>, default: usize) -> (usize, usize) {
    let per_page = query
        .get("per_page")
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
        .clamp(1, 100);
    let page = query
        .get("page")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
    (per_page, page)
}

pub fn api() -> Router<Arc<Shared>> {
    let repo = "/repos/{owner}/{repo}";
    Router::new()
        .route("/user", get(user))
        .route("/rate_limit", get(rate_limit))
        .route(repo, get(repository))
        .route(&format!("{repo}/git/ref/{{*ref}}"), get(git::get_ref))
        .route(&format!("{repo}/git/refs"), post(git::create_ref))
        .route(
            &format!("{repo}/git/refs/{{*ref}}"),
            axum::routing::patch(git::update_ref).delete(git::delete_ref),
        )
        .route(
            &format!("{repo}/rules/branches/{{branch}}"),
            get(signing::branch_rules),
        )
        .route(
            &format!("{repo}/branches/{{branch}}/protection/required_signatures"),
            get(signing::protection),
        )
        .route("/graphql", post(graphql::graphql))
        .route(&format!("{repo}/git/blobs"), post(git::create_blob))
        .route(&format!("{repo}/git/trees"), post(git::create_tree))
        .route(
            &format!("{repo}/git/trees/{{tree_sha}}"),
            get(git::get_tree),
        )
        .route(&format!("{repo}/git/commits"), post(git::create_commit))
        .route(
            &format!("{repo}/git/commits/{{commit_sha}}"),
            get(git::get_commit),
        )
        .route(
            &format!("{repo}/pulls"),
            get(pulls::list).post(pulls::create),
        )
        .route(
            &format!("{repo}/pulls/{{pull_number}}"),
            get(pulls::get).patch(pulls::update),
        )
        .route(
            &format!("{repo}/pulls/{{pull_number}}/merge"),
            put(pulls::merge),
        )
        .route(
            &format!("{repo}/pulls/{{pull_number}}/requested_reviewers"),
            post(pulls::request_reviewers),
        )
        .route(
            &format!("{repo}/pulls/{{pull_number}}/reviews"),
            get(pulls::reviews),
        )
        .route(
            &format!("{repo}/issues/{{issue_number}}/labels"),
            post(pulls::add_labels),
        )
        .route(
            &format!("{repo}/statuses/{{sha}}"),
            post(checks::create_status),
        )
        .route(
            &format!("{repo}/commits/{{ref}}/status"),
            get(checks::combined_status),
        )
        .route(
            &format!("{repo}/commits/{{ref}}/check-runs"),
            get(checks::list_check_runs),
        )
        .route(
            &format!("{repo}/check-runs"),
            post(checks::create_check_run),
        )
        .route(
            &format!("{repo}/compare/{{basehead}}"),
            get(compare::compare),
        )
}

/// The pages people open from Hoist's links (no token, no rate limit).
pub fn web() -> Router<Arc<Shared>> {
    Router::new()
        .route("/{owner}/{repo}/pull/{number}", get(web::page))
        .route("/{owner}/{repo}/pull/{number}/merge", post(web::merge))
}

async fn user(State(s): State<Arc<Shared>>, Extension(Login(login)): Extension<Login>) -> Answer {
    Ok(Reply::ok(shape::private_user(&s, &login)))
}

async fn rate_limit(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
) -> Answer {
    let window = *s.store().window(&login);
    let limit = s.config.rate_limit;
    let core = json!({
        "limit": limit,
        "remaining": limit.saturating_sub(window.used),
        "used": window.used,
        "reset": window.reset.as_second(),
    });
    Ok(Reply::ok(json!({
        "resources": { "core": core, "search": core, "graphql": core },
        "rate": core,
    })))
}

async fn repository(State(s): State<Arc<Shared>>) -> Answer {
    let store = s.store();
    Ok(Reply::ok(shape::repository(&s, &store)))
}

/// A numeric path parameter, or GitHub's 404.
fn number(params: &HashMap<String, String>, name: &str) -> Result<u64, Reply> {
    params
        .get(name)
        .and_then(|n| n.parse().ok())
        .ok_or_else(Reply::not_found)
}
