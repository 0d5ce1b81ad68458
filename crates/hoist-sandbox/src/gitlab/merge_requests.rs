//! Merge requests: list with filters, create, show, update, approvals.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{flag, message, shape};
use crate::reply::{Answer, Reply};
use crate::routes::Params;
use crate::serve::Login;
use crate::store::Pull;
use crate::{PullState, Shared};

pub(super) fn not_found() -> Reply {
    message(StatusCode::NOT_FOUND, "404 Not found")
}

pub(super) fn iid(params: &Params) -> Result<u64, Reply> {
    params
        .get("merge_request_iid")
        .and_then(|n| n.parse().ok())
        .ok_or_else(not_found)
}

/// Labels given as `"a,b"` or `["a", "b"]`.
fn label_names(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(
            s.split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|l| l.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    }
}

/// The logins of users given by id; GitLab ignores ids it does not know.
fn logins(s: &Shared, v: &Value) -> Option<Vec<String>> {
    let ids: Vec<u64> = match v {
        Value::Array(items) => items.iter().filter_map(Value::as_u64).collect(),
        Value::Number(n) => n.as_u64().into_iter().collect(),
        _ => return None,
    };
    let known = s
        .config
        .accounts
        .iter()
        .map(|a| a.login.clone())
        .chain(s.config.collaborators.iter().cloned());
    Some(
        known
            .filter(|login| ids.contains(&crate::shape::user_id(login)))
            .collect(),
    )
}

/// Applies the fields both create and update take.
fn apply(s: &Shared, pull: &mut Pull, body: &Value) {
    if let Some(title) = body["title"].as_str() {
        pull.title = title.to_owned();
        // A `Draft:` title makes a draft, as on GitLab.
        pull.draft = title.starts_with("Draft:") || title.starts_with("[Draft]");
    }
    if let Some(text) = body["description"].as_str() {
        pull.body = Some(text.to_owned());
    }
    if let Some(labels) = label_names(&body["labels"]) {
        pull.labels = labels;
    }
    for added in label_names(&body["add_labels"]).unwrap_or_default() {
        if !pull.labels.contains(&added) {
            pull.labels.push(added);
        }
    }
    if let Some(removed) = label_names(&body["remove_labels"]) {
        pull.labels.retain(|l| !removed.contains(l));
    }
    if let Some(assignees) = logins(s, &body["assignee_ids"]).or(logins(s, &body["assignee_id"])) {
        pull.assignees = assignees;
    }
    if let Some(reviewers) = logins(s, &body["reviewer_ids"]) {
        pull.reviewers = reviewers;
    }
    if let Some(remove) = flag(&body["remove_source_branch"]) {
        pull.remove_source_branch = remove;
    }
    if let Some(squash) = flag(&body["squash"]) {
        pull.squash = squash;
    }
}

pub async fn list(
    State(s): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let state = query.get("state").map_or("all", String::as_str);
    if !matches!(state, "opened" | "closed" | "merged" | "locked" | "all") {
        return Err(super::bad_params(&[
            "state does not have a valid value".into()
        ]));
    }
    let wanted = query
        .get("labels")
        .map(|l| label_names(&json!(l)).unwrap_or_default());
    let (per_page, page) = crate::routes::page(&query, 20);
    let store = s.store();
    let matching: Vec<&Pull> = store
        .pulls
        .iter()
        .rev()
        .filter(|p| {
            matches!(
                (state, p.state()),
                ("all", _)
                    | ("opened", PullState::Open)
                    | ("closed", PullState::Closed)
                    | ("merged", PullState::Merged)
            )
        })
        .filter(|p| query.get("source_branch").is_none_or(|b| &p.head == b))
        .filter(|p| query.get("target_branch").is_none_or(|b| &p.base == b))
        .filter(|p| {
            wanted
                .as_ref()
                .is_none_or(|w| w.iter().all(|l| p.labels.contains(l)))
        })
        .collect();
    let total = matching.len();
    let shown: Vec<Value> = matching
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|p| shape::merge_request(&s, &store, p, false))
        .collect();
    let pages = total.div_ceil(per_page).max(1);
    let mut reply = Reply::ok(Value::Array(shown))
        .header("x-total", total.to_string())
        .header("x-total-pages", pages.to_string())
        .header("x-page", page.to_string())
        .header("x-per-page", per_page.to_string());
    if page < pages {
        reply = reply.header("x-next-page", (page + 1).to_string());
    }
    Ok(reply)
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    body: Bytes,
) -> Answer {
    let body = super::body(&body)?;
    let [source, target, _] =
        super::required(&body, &["source_branch", "target_branch", "title"])?[..]
    else {
        unreachable!("required returns one value per name");
    };
    let mut store = s.store();
    let invalid = |text: String| {
        Reply::with(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "message": [text] }),
        )
    };
    let Some(head) = s.git.resolve(&format!("refs/heads/{source}")) else {
        return Err(invalid(format!(
            "Source branch \"{source}\" does not exist"
        )));
    };
    if s.git.resolve(&format!("refs/heads/{target}")).is_none() {
        return Err(invalid(format!(
            "Target branch \"{target}\" does not exist"
        )));
    }
    if source == target {
        return Err(invalid(
            "You can't use same project/branch for source and target".into(),
        ));
    }
    if let Some(open) = store
        .pulls
        .iter()
        .find(|p| p.open && p.head == source && p.base == target)
    {
        return Err(Reply::with(
            StatusCode::CONFLICT,
            json!({ "message": [format!("Another open merge request already exists for this source branch: !{}", open.number)] }),
        ));
    }
    let mut pull = store.new_pull(&login, source, &head.to_string(), target);
    apply(&s, &mut pull, &body);
    store.pulls.push(pull.clone());
    drop(store);
    // The pipeline starts with the merge request, so its answer shows it.
    crate::reconcile::on_new_heads(&s);
    let store = s.store();
    Ok(Reply::created(shape::merge_request(
        &s, &store, &pull, true,
    )))
}

pub async fn show(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let n = iid(&params)?;
    let store = s.store();
    let pull = store.pull(n).ok_or_else(not_found)?;
    Ok(Reply::ok(shape::merge_request(&s, &store, pull, true)))
}

pub async fn update(State(s): State<Arc<Shared>>, params: Params, body: Bytes) -> Answer {
    let n = iid(&params)?;
    let body = super::body(&body)?;
    let mut store = s.store();
    if let Some(target) = body["target_branch"].as_str()
        && s.git.resolve(&format!("refs/heads/{target}")).is_none()
    {
        return Err(Reply::with(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "message": [format!("Target branch \"{target}\" does not exist")] }),
        ));
    }
    let pull = store.pull_mut(n).ok_or_else(not_found)?;
    apply(&s, pull, &body);
    if let Some(target) = body["target_branch"].as_str() {
        pull.base = target.to_owned();
    }
    let now = jiff::Timestamp::now();
    match body["state_event"].as_str() {
        Some("close") if pull.open => {
            pull.open = false;
            pull.auto_merge = None;
            pull.closed_at = Some(now);
        }
        Some("reopen") if !pull.open && pull.merged.is_none() => {
            pull.open = true;
            pull.closed_at = None;
        }
        Some("close" | "reopen") | None => {}
        Some(_) => {
            return Err(super::bad_params(&[
                "state_event does not have a valid value".into(),
            ]));
        }
    }
    pull.updated_at = now;
    let pull = pull.clone();
    Ok(Reply::ok(shape::merge_request(&s, &store, &pull, true)))
}

pub async fn approvals(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    params: Params,
) -> Answer {
    let n = iid(&params)?;
    let store = s.store();
    let pull = store.pull(n).ok_or_else(not_found)?;
    Ok(Reply::ok(shape::approvals(&s, &store, pull, &login)))
}
