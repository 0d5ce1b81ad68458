//! Merge requests: list with filters, create, show, update, approvals,
//! merge now or when the pipeline succeeds.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use gix::ObjectId;
use serde_json::{Value, json};

use super::{flag, message, shape};
use crate::git::Person;
use crate::reply::{Answer, Reply};
use crate::routes::Params;
use crate::serve::Login;
use crate::store::{AutoMerge, Merge, Pull, Store};
use crate::{PullState, Shared};

fn not_found() -> Reply {
    message(StatusCode::NOT_FOUND, "404 Not found")
}

fn not_allowed() -> Reply {
    message(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed")
}

fn iid(params: &Params) -> Result<u64, Reply> {
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
    let per_page: usize = query
        .get("per_page")
        .and_then(|n| n.parse().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let page: usize = query
        .get("page")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1);
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

/// `PUT /merge_requests/:iid/merge`: merges now, or with
/// `merge_when_pipeline_succeeds` (`auto_merge` since GitLab 17.11) while
/// the pipeline runs, sets the merge to happen when it succeeds.
pub async fn merge(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    params: Params,
    body: Bytes,
) -> Answer {
    let n = iid(&params)?;
    let body = super::body(&body)?;
    let mut store = s.store();
    let pull = store.pull(n).ok_or_else(not_found)?.clone();
    if !pull.open {
        return Err(not_allowed());
    }
    if let Some(sha) = body["sha"].as_str()
        && sha != pull.head_sha
    {
        return Err(message(
            StatusCode::CONFLICT,
            &format!(
                "SHA does not match HEAD of source branch: {}",
                pull.head_sha
            ),
        ));
    }
    let squash = flag(&body["squash"]).unwrap_or(pull.squash);
    let remove = flag(&body["should_remove_source_branch"]).unwrap_or(pull.remove_source_branch);
    let auto = flag(&body["auto_merge"])
        .or(flag(&body["merge_when_pipeline_succeeds"]))
        .unwrap_or(false);
    let status = shape::detailed_merge_status(&s, &store, &pull);
    // Auto-merge waits for what may still come: the pipeline, approvals.
    if auto && matches!(status, "ci_still_running" | "not_approved") {
        let p = store.pull_mut(n).ok_or_else(not_found)?;
        p.auto_merge = Some(AutoMerge {
            by: login,
            squash,
            remove_source_branch: remove,
        });
        p.updated_at = jiff::Timestamp::now();
        let p = p.clone();
        return Ok(Reply::ok(shape::merge_request(&s, &store, &p, true)));
    }
    match status {
        "mergeable" => {}
        "conflict" => {
            return Err(message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Branch cannot be merged",
            ));
        }
        _ => return Err(not_allowed()),
    }
    let merged = land(&s, &mut store, n, &login, squash, remove)?;
    let p = store.pull(n).ok_or_else(not_found)?.clone();
    let answer = shape::merge_request(&s, &store, &p, true);
    drop(store);
    crate::reconcile::after_merge(&s, &p.base, merged);
    Ok(Reply::ok(answer))
}

/// Merges merge request `n` into its target as GitLab's `merge` method
/// does: a merge commit (on a squash commit of the source's changes when
/// squashing), the target moved by compare-and-swap under the store's
/// lock, the source branch deleted if asked. Returns the new target tip.
fn land(
    s: &Shared,
    store: &mut Store,
    n: u64,
    login: &str,
    squash: bool,
    remove: bool,
) -> Result<String, Reply> {
    let pull = store.pull(n).ok_or_else(not_found)?.clone();
    let cannot = || message(StatusCode::UNPROCESSABLE_ENTITY, "Branch cannot be merged");
    let target = format!("refs/heads/{}", pull.base);
    let base = s.git.resolve(&target).ok_or_else(cannot)?;
    let head = ObjectId::from_hex(pull.head_sha.as_bytes()).map_err(|_| cannot())?;
    let tree = s
        .git
        .merge_tree(base, head)
        .map_err(super::refused)?
        .ok_or_else(cannot)?;
    let me = Person {
        name: login.to_owned(),
        email: format!("{login}@sandbox.invalid"),
        time: jiff::Timestamp::now().as_second(),
    };
    let path = shape::path_with_namespace(s);
    let second = if squash {
        let message = format!("{}\n", pull.title);
        s.git
            .write_commit(&message, tree, &[base], &me, &me)
            .map_err(super::refused)?
    } else {
        head
    };
    let message = format!(
        "Merge branch '{}' into '{}'\n\n{}\n\nSee merge request {path}!{n}",
        pull.head, pull.base, pull.title
    );
    let merged = s
        .git
        .write_commit(&message, tree, &[base, second], &me, &me)
        .map_err(super::refused)?;
    s.git
        .update_ref(&target, merged, false)
        .map_err(super::refused)?;
    let now = jiff::Timestamp::now();
    if let Some(p) = store.pull_mut(n) {
        p.open = false;
        p.squash = squash;
        p.auto_merge = None;
        p.merged = Some(Merge {
            sha: merged.to_string(),
            by: login.to_owned(),
            at: now,
        });
        p.closed_at = Some(now);
        p.updated_at = now;
    }
    if remove {
        let _ = s.git.delete_ref(&format!("refs/heads/{}", pull.head));
    }
    Ok(merged.to_string())
}

/// A pipeline on `sha` succeeded: merge requests set to merge when ready
/// whose head it is are merged if nothing else holds them.
pub fn on_pipeline_success(s: &Arc<Shared>, sha: &str) {
    merge_when_ready(s, |p| p.head_sha == sha);
}

/// Merge request `n` was approved: merged now if it was set to merge when
/// ready and nothing else holds it.
pub fn on_approval(s: &Arc<Shared>, n: u64) {
    merge_when_ready(s, |p| p.number == n);
}

/// Merges the open merge requests `which` picks that are set to merge when
/// ready and are mergeable; one that conflicts has its auto-merge
/// cancelled, as GitLab does; the others keep waiting.
fn merge_when_ready(s: &Arc<Shared>, which: impl Fn(&Pull) -> bool) {
    let mut store = s.store();
    let waiting: Vec<(u64, AutoMerge)> = store
        .pulls
        .iter()
        .filter(|p| p.open && which(p))
        .filter_map(|p| p.auto_merge.clone().map(|a| (p.number, a)))
        .collect();
    let mut merged = Vec::new();
    for (n, auto) in waiting {
        let Some(pull) = store.pull(n).cloned() else {
            continue;
        };
        match shape::detailed_merge_status(s, &store, &pull) {
            "mergeable" => {
                match land(
                    s,
                    &mut store,
                    n,
                    &auto.by,
                    auto.squash,
                    auto.remove_source_branch,
                ) {
                    Ok(sha) => merged.push((pull.base, sha)),
                    Err(_) => {
                        if let Some(p) = store.pull_mut(n) {
                            p.auto_merge = None;
                        }
                    }
                }
            }
            "conflict" => {
                if let Some(p) = store.pull_mut(n) {
                    p.auto_merge = None;
                }
            }
            _ => {}
        }
    }
    drop(store);
    for (base, sha) in merged {
        crate::reconcile::after_merge(s, &base, sha);
    }
}
