//! Merging a merge request: now, or when the pipeline succeeds and the
//! approvals are in (auto-merge), as the project's merge method (`merge`
//! or `ff`) writes it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use gix::ObjectId;

use super::merge_requests::{iid, not_found};
use super::{flag, message, shape};
use crate::Shared;
use crate::git::Person;
use crate::reply::{Answer, Reply};
use crate::routes::Params;
use crate::serve::Login;
use crate::store::{AutoMerge, Merge, Pull, Store};

fn not_allowed() -> Reply {
    message(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed")
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

/// Merges merge request `n` into its target as the project's merge method
/// does: a merge commit (on a squash commit of the source's changes when
/// squashing), or a fast-forward; the target moved by compare-and-swap
/// under the store's lock, the source branch deleted if asked. Returns the
/// new target tip.
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
    let squashed = |parent: ObjectId| {
        let message = format!("{}\n", pull.title);
        s.git
            .write_commit(&message, tree, &[parent], &me, &me)
            .map_err(super::refused)
    };
    let merged = if shape::merge_method(s) == "ff" {
        // Fast-forward only: the target moves to the source's head (or its
        // squash), which must already descend from the target.
        if !s.git.is_ancestor(base, head) {
            return Err(cannot());
        }
        if squash { squashed(base)? } else { head }
    } else {
        let second = if squash { squashed(base)? } else { head };
        let path = shape::path_with_namespace(s);
        let message = format!(
            "Merge branch '{}' into '{}'\n\n{}\n\nSee merge request {path}!{n}",
            pull.head, pull.base, pull.title
        );
        s.git
            .write_commit(&message, tree, &[base, second], &me, &me)
            .map_err(super::refused)?
    };
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
