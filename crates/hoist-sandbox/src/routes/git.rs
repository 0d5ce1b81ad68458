//! The Git Data API: refs, blobs, trees and commits in the bare repository.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use base64::Engine;
use gix::ObjectId;
use gix::object::tree::EntryKind;
use serde_json::{Value, json};

use super::Params;
use crate::git::{Person, TreeEdit};
use crate::reply::{Answer, Reply, parse, required};
use crate::{Shared, shape};

fn oid(text: &str, what: &str) -> Result<ObjectId, Reply> {
    ObjectId::from_hex(text.as_bytes())
        .map_err(|_| Reply::unprocessable(&format!("{what} is not a valid SHA: {text}")))
}

pub async fn get_ref(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let name = params.get("ref").map(String::as_str).unwrap_or("");
    let full = format!("refs/{name}");
    let _store = s.store();
    let id = s.git.resolve(&full).ok_or_else(Reply::not_found)?;
    Ok(Reply::ok(shape::git_ref(&s, &full, id)))
}

pub async fn create_ref(State(s): State<Arc<Shared>>, body: Bytes) -> Answer {
    let body = parse(&body)?;
    let full = required(&body, "Reference", "ref")?;
    let id = oid(required(&body, "Reference", "sha")?, "sha")?;
    let store = s.store();
    if let Some(branch) = full.strip_prefix("refs/heads/") {
        super::signing::check_push(&s, &store, branch, None, id)?;
    }
    s.git.create_ref(full, id)?;
    Ok(Reply::created(shape::git_ref(&s, full, id))
        .header("location", s.repo_url(&format!("/git/{full}"))))
}

pub async fn update_ref(State(s): State<Arc<Shared>>, params: Params, body: Bytes) -> Answer {
    let body = parse(&body)?;
    let full = format!(
        "refs/{}",
        params.get("ref").map(String::as_str).unwrap_or("")
    );
    let id = oid(required(&body, "Reference", "sha")?, "sha")?;
    let force = body["force"].as_bool().unwrap_or(false);
    let mut store = s.store();
    if let Some(branch) = full.strip_prefix("refs/heads/") {
        super::signing::check_push(&s, &store, branch, s.git.resolve(&full), id)?;
    }
    s.git.update_ref(&full, id, force)?;
    // Pull requests follow their head branch.
    if let Some(branch) = full.strip_prefix("refs/heads/") {
        store.follow_head(branch, &id.to_string());
    }
    drop(store);
    crate::reconcile::on_new_heads(&s);
    Ok(Reply::ok(shape::git_ref(&s, &full, id)))
}

pub async fn delete_ref(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let full = format!(
        "refs/{}",
        params.get("ref").map(String::as_str).unwrap_or("")
    );
    let _store = s.store();
    s.git.delete_ref(&full)?;
    Ok(Reply::no_content())
}

pub async fn create_blob(State(s): State<Arc<Shared>>, body: Bytes) -> Answer {
    let body = parse(&body)?;
    let content = required(&body, "Blob", "content")?;
    let bytes = match body["encoding"].as_str().unwrap_or("utf-8") {
        "utf-8" => content.as_bytes().to_vec(),
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(content.replace(['\n', '\r'], ""))
            .map_err(|_| {
                Reply::invalid(
                    "Blob",
                    "content",
                    "invalid",
                    Some("content is not valid Base64"),
                )
            })?,
        other => {
            return Err(Reply::invalid(
                "Blob",
                "encoding",
                "invalid",
                Some(&format!(
                    "encoding {other} is not supported (utf-8 or base64)"
                )),
            ));
        }
    };
    let _store = s.store();
    let id = s.git.write_blob(&bytes)?;
    Ok(Reply::created(json!({
        "url": s.repo_url(&format!("/git/blobs/{id}")),
        "sha": id.to_string(),
    })))
}

fn kind(mode: &str, kind: &str) -> Result<EntryKind, Reply> {
    let k = match (mode, kind) {
        ("100644", "blob") => EntryKind::Blob,
        ("100755", "blob") => EntryKind::BlobExecutable,
        ("120000", "blob") => EntryKind::Link,
        ("040000", "tree") => EntryKind::Tree,
        ("160000", "commit") => EntryKind::Commit,
        _ => {
            return Err(Reply::unprocessable(&format!(
                "tree.mode {mode} with tree.type {kind} is not valid"
            )));
        }
    };
    Ok(k)
}

pub async fn create_tree(State(s): State<Arc<Shared>>, body: Bytes) -> Answer {
    let body = parse(&body)?;
    let base = match body.get("base_tree") {
        Some(Value::String(sha)) => Some(oid(sha, "base_tree")?),
        _ => None,
    };
    let entries = body["tree"]
        .as_array()
        .ok_or_else(|| Reply::invalid("Tree", "tree", "missing_field", None))?;
    let _store = s.store();
    let mut edits = Vec::with_capacity(entries.len());
    for e in entries {
        let path = required(e, "Tree", "path")?.to_owned();
        let kind = kind(
            required(e, "Tree", "mode")?,
            e["type"].as_str().unwrap_or("blob"),
        )?;
        let id = match (&e["sha"], &e["content"]) {
            (Value::String(sha), Value::Null) => Some(oid(sha, "tree.sha")?),
            (Value::Null, Value::String(text)) if e.get("sha").is_none() => {
                Some(s.git.write_blob(text.as_bytes())?)
            }
            // An explicit `"sha": null` deletes the path.
            (Value::Null, Value::Null) if e.get("sha").is_some() => None,
            _ => {
                return Err(Reply::unprocessable(
                    "Must supply either tree.sha or tree.content, and not both",
                ));
            }
        };
        edits.push(TreeEdit { path, kind, id });
    }
    let id = s.git.write_tree(base, &edits)?;
    let entries = s.git.tree(id).unwrap_or_default();
    Ok(Reply::created(shape::tree(&s, id, &entries)))
}

pub async fn get_tree(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let id = ObjectId::from_hex(params.get("tree_sha").map(String::as_bytes).unwrap_or(b""))
        .map_err(|_| Reply::not_found())?;
    let _store = s.store();
    let entries = s.git.tree(id).ok_or_else(Reply::not_found)?;
    Ok(Reply::ok(shape::tree(&s, id, &entries)))
}

fn person(v: &Value, fallback: &Person) -> Result<Person, Reply> {
    if v.is_null() {
        return Ok(fallback.clone());
    }
    let name = required(v, "Commit", "name")?.to_owned();
    let email = required(v, "Commit", "email")?.to_owned();
    let time = match v["date"].as_str() {
        Some(date) => date
            .parse::<jiff::Timestamp>()
            .map_err(|_| Reply::invalid("Commit", "date", "invalid", Some("date is not ISO 8601")))?
            .as_second(),
        None => fallback.time,
    };
    Ok(Person { name, email, time })
}

pub async fn create_commit(
    State(s): State<Arc<Shared>>,
    axum::extract::Extension(crate::serve::Login(login)): axum::extract::Extension<
        crate::serve::Login,
    >,
    body: Bytes,
) -> Answer {
    let body = parse(&body)?;
    let message = required(&body, "Commit", "message")?;
    let tree = oid(required(&body, "Commit", "tree")?, "tree")?;
    let parents = body["parents"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| oid(p.as_str().unwrap_or(""), "parents"))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let you = Person {
        name: login.clone(),
        email: format!("{login}@users.noreply.sandbox"),
        time: jiff::Timestamp::now().as_second(),
    };
    let author = person(&body["author"], &you)?;
    let committer = person(&body["committer"], &author)?;
    let _store = s.store();
    let id = s
        .git
        .write_commit(message, tree, &parents, &author, &committer)?;
    let info = s
        .git
        .commit(id)
        .ok_or_else(|| Reply::unprocessable("the commit could not be read back"))?;
    Ok(Reply::created(shape::commit(&s, id, &info, false)))
}

pub async fn get_commit(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let id = ObjectId::from_hex(
        params
            .get("commit_sha")
            .map(String::as_bytes)
            .unwrap_or(b""),
    )
    .map_err(|_| Reply::not_found())?;
    let store = s.store();
    let info = s.git.commit(id).ok_or_else(Reply::not_found)?;
    let signed = store.signed.contains(&id.to_string());
    Ok(Reply::ok(shape::commit(&s, id, &info, signed)))
}
