//! `POST /graphql`, for the one mutation Hoist sends: `createCommitOnBranch`,
//! which GitHub signs. The input is read from the variable `input`; the
//! answer selects `commit { oid }`. Both are checked against GitHub's
//! GraphQL schema by the test suite (`openapi::violations`), so a query
//! asking for more than the sandbox answers fails there, not in production.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, State};
use base64::Engine;
use gix::object::tree::EntryKind;
use serde_json::json;

use crate::Shared;
use crate::git::{Person, TreeEdit};
use crate::reply::{Answer, Reply, parse};
use crate::serve::Login;

/// A GraphQL error: GitHub answers 200 with `errors`, and `data` holding
/// `null` for the field that failed.
fn refused(kind: &str, message: &str) -> Reply {
    Reply::ok(json!({
        "data": { "createCommitOnBranch": null },
        "errors": [{
            "type": kind,
            "path": ["createCommitOnBranch"],
            "locations": [{ "line": 1, "column": 1 }],
            "message": message,
        }],
    }))
}

pub async fn graphql(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    body: Bytes,
) -> Answer {
    let body = parse(&body)?;
    let query = body["query"].as_str().unwrap_or("");
    if !query.contains("createCommitOnBranch") {
        return Ok(Reply::ok(json!({
            "errors": [{ "message": "the sandbox serves only the mutation createCommitOnBranch" }],
        })));
    }
    let input = &body["variables"]["input"];
    let branch = &input["branch"];
    let repository = branch["repositoryNameWithOwner"].as_str().unwrap_or("");
    let ours = format!("{}/{}", s.config.owner, s.config.name);
    if !repository.eq_ignore_ascii_case(&ours) {
        return Ok(refused(
            "NOT_FOUND",
            &format!("Could not resolve to a Repository with the name '{repository}'."),
        ));
    }
    let name = branch["branchName"].as_str().unwrap_or("");
    let full = format!("refs/heads/{name}");
    let mut store = s.store();
    let Some(tip) = s.git.resolve(&full) else {
        return Ok(refused(
            "NOT_FOUND",
            &format!("A ref named \"{full}\" does not exist."),
        ));
    };
    let expected = input["expectedHeadOid"].as_str().unwrap_or("");
    if !tip.to_string().eq_ignore_ascii_case(expected) {
        return Ok(refused(
            "STALE_DATA",
            &format!(
                "Expected branch to point to \"{expected}\" but it did not. Pull and try again."
            ),
        ));
    }
    let mut edits = Vec::new();
    let changes = &input["fileChanges"];
    for deletion in changes["deletions"].as_array().into_iter().flatten() {
        let path = deletion["path"].as_str().unwrap_or("");
        if !s.git.has_path(tip, path) {
            return Ok(refused(
                "UNPROCESSABLE",
                &format!(
                    "A path was requested for deletion which does not exist as of commit oid `{tip}`"
                ),
            ));
        }
        edits.push(TreeEdit {
            path: path.to_owned(),
            kind: EntryKind::Blob,
            id: None,
        });
    }
    for addition in changes["additions"].as_array().into_iter().flatten() {
        let path = addition["path"].as_str().unwrap_or("");
        let Ok(bytes) = base64::engine::general_purpose::STANDARD
            .decode(addition["contents"].as_str().unwrap_or(""))
        else {
            return Ok(refused("UNPROCESSABLE", "contents is not valid Base64"));
        };
        // GitHub writes every added file as a regular file, whatever its
        // mode was: there is no field for it.
        edits.push(TreeEdit {
            path: path.to_owned(),
            kind: EntryKind::Blob,
            id: Some(s.git.write_blob(&bytes)?),
        });
    }
    let tree = match s.git.write_tree(Some(tip), &edits) {
        Ok(tree) => tree,
        Err(e) => return Ok(refused("UNPROCESSABLE", &e.message)),
    };
    let headline = input["message"]["headline"].as_str().unwrap_or("");
    let message = match input["message"]["body"].as_str() {
        Some(more) if !more.is_empty() => format!("{headline}\n\n{more}"),
        _ => headline.to_owned(),
    };
    let now = jiff::Timestamp::now().as_second();
    let author = Person {
        name: login.clone(),
        email: format!("{login}@users.noreply.sandbox"),
        time: now,
    };
    let committer = Person {
        name: "GitHub".into(),
        email: "noreply@github.com".into(),
        time: now,
    };
    let commit = s
        .git
        .write_commit(&message, tree, &[tip], &author, &committer)?;
    s.git.update_ref(&full, commit, false)?;
    store.signed.insert(commit.to_string());
    store.follow_head(name, &commit.to_string());
    drop(store);
    crate::reconcile::on_new_heads(&s);
    Ok(Reply::ok(json!({
        "data": { "createCommitOnBranch": { "commit": { "oid": commit.to_string() } } },
    })))
}
