//! Branches: show one, create one from a ref, delete one.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;

use super::{message, not_found, required, shape};
use crate::Shared;
use crate::reply::{Answer, Reply};
use crate::routes::Params;

fn name(params: &Params) -> &str {
    params.get("branch").map(String::as_str).unwrap_or("")
}

pub async fn show(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let branch = name(&params);
    let _store = s.store();
    let id = s
        .git
        .resolve(&format!("refs/heads/{branch}"))
        .ok_or_else(|| not_found("Branch"))?;
    let info = s.git.commit(id).ok_or_else(|| not_found("Branch"))?;
    Ok(Reply::ok(shape::branch(&s, branch, id, &info)))
}

pub async fn create(State(s): State<Arc<Shared>>, body: Bytes) -> Answer {
    let body = super::body(&body)?;
    let [branch, start] = required(&body, &["branch", "ref"])?[..] else {
        unreachable!("required returns one value per name");
    };
    let _store = s.store();
    let id = s.git.commitish(start).ok_or_else(|| {
        message(
            StatusCode::BAD_REQUEST,
            &format!("Invalid reference name: {start}"),
        )
    })?;
    let full = format!("refs/heads/{branch}");
    if s.git.resolve(&full).is_some() {
        return Err(message(StatusCode::BAD_REQUEST, "Branch already exists"));
    }
    s.git
        .create_ref(&full, id)
        .map_err(|_| message(StatusCode::BAD_REQUEST, "Branch name is invalid"))?;
    let info = s.git.commit(id).ok_or_else(|| not_found("Commit"))?;
    Ok(Reply::created(shape::branch(&s, branch, id, &info)))
}

pub async fn delete(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let branch = name(&params);
    let _store = s.store();
    let full = format!("refs/heads/{branch}");
    if s.git.resolve(&full).is_none() {
        return Err(not_found("Branch"));
    }
    if s.git.head_branch().as_deref() == Some(branch) {
        return Err(message(
            StatusCode::BAD_REQUEST,
            "The default branch of a project cannot be deleted.",
        ));
    }
    s.git.delete_ref(&full).map_err(super::refused)?;
    Ok(Reply::no_content())
}
