//! The commits API: one commit of many file actions, written atomically on
//! a branch; a commit by sha; the comparison of two refs.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use base64::Engine;
use gix::ObjectId;
use gix::object::tree::EntryKind;
use serde_json::{Value, json};

use super::{bad_params, flag, message, not_found, shape};
use crate::Shared;
use crate::git::{Person, TreeEdit};
use crate::reply::{Answer, Reply};
use crate::routes::Params;
use crate::serve::Login;

const EXISTS: &str = "A file with this name already exists";
const MISSING: &str = "A file with this name doesn't exist";

fn refuse(text: &str) -> Reply {
    message(StatusCode::BAD_REQUEST, text)
}

/// Grape's checks of the parameters, every problem named at once.
fn validate(body: &Value) -> Result<&Vec<Value>, Reply> {
    let mut problems = Vec::new();
    for name in ["branch", "commit_message"] {
        if !body[name].is_string() {
            problems.push(format!("{name} is missing"));
        }
    }
    if body["start_branch"].is_string() && body["start_sha"].is_string() {
        problems.push("start_branch, start_sha are mutually exclusive".into());
    }
    let actions = body["actions"].as_array();
    match actions {
        None => problems.push("actions is missing".into()),
        Some(actions) => {
            for (i, a) in actions.iter().enumerate() {
                if !matches!(
                    a["action"].as_str(),
                    Some("create" | "delete" | "move" | "update" | "chmod")
                ) {
                    problems.push(format!("actions[{i}][action] does not have a valid value"));
                }
                if !a["file_path"].is_string() {
                    problems.push(format!("actions[{i}][file_path] is missing"));
                }
                if !matches!(a["encoding"].as_str(), None | Some("text" | "base64")) {
                    problems.push(format!(
                        "actions[{i}][encoding] does not have a valid value"
                    ));
                }
            }
        }
    }
    match actions {
        Some(actions) if problems.is_empty() => Ok(actions),
        _ => Err(bad_params(&problems)),
    }
}

/// The bytes an action writes, decoded as its `encoding` says.
fn content(action: &Value) -> Result<Option<Vec<u8>>, Reply> {
    let Some(text) = action["content"].as_str() else {
        return Ok(None);
    };
    match action["encoding"].as_str() {
        Some("base64") => base64::engine::general_purpose::STANDARD
            .decode(text.replace(['\n', '\r'], ""))
            .map(Some)
            .map_err(|_| refuse("Invalid base64 content")),
        _ => Ok(Some(text.as_bytes().to_vec())),
    }
}

/// The commit the new one goes on, as GitLab's `Commits::CreateService`
/// decides it: the branch's tip; for a new branch (or with `force`) the
/// start branch or sha. A `start_sha`, or a `start_branch` other than the
/// branch, on an existing branch without `force` is refused
/// (`validate_branch_existence!`), even when it is the tip: GitLab has no
/// expected-tip check, only `last_commit_id` per file.
fn parent(s: &Shared, body: &Value, branch: &str) -> Result<ObjectId, Reply> {
    let tip = s.git.resolve(&format!("refs/heads/{branch}"));
    let force = flag(&body["force"]).unwrap_or(false);
    let start_branch = body["start_branch"].as_str();
    let start =
        match (body["start_sha"].as_str(), start_branch) {
            (Some(sha), _) => Some(
                ObjectId::from_hex(sha.as_bytes())
                    .ok()
                    .filter(|id| s.git.commit(*id).is_some())
                    .ok_or_else(|| refuse(&format!("Cannot find start_sha '{sha}'")))?,
            ),
            (None, Some(start)) => Some(s.git.resolve(&format!("refs/heads/{start}")).ok_or_else(
                || refuse("You can only create or edit files when you are on a branch"),
            )?),
            (None, None) => None,
        };
    let elsewhere = start.is_some() && start_branch != Some(branch);
    match (tip, start) {
        (Some(_), Some(_)) if elsewhere && !force => Err(refuse(&format!(
            "A branch called '{branch}' already exists. Switch to that branch in order to make changes"
        ))),
        (Some(_), Some(start)) if force => Ok(start),
        (Some(tip), _) => Ok(tip),
        (None, Some(start)) => Ok(start),
        (None, None) => Err(refuse(
            "You can only create or edit files when you are on a branch",
        )),
    }
}

/// The tree edits of `actions` on commit `parent`: each action is checked
/// against the files as the actions before it left them.
fn edits(s: &Shared, parent: ObjectId, actions: &[Value]) -> Result<Vec<TreeEdit>, Reply> {
    let mut seen: HashMap<String, Option<(ObjectId, EntryKind)>> = HashMap::new();
    let at = |path: &str, seen: &HashMap<String, Option<(ObjectId, EntryKind)>>| {
        seen.get(path)
            .copied()
            .unwrap_or_else(|| s.git.entry(parent, path))
    };
    let mut out = Vec::new();
    for a in actions {
        let path = a["file_path"].as_str().unwrap_or("").to_owned();
        let executable = flag(&a["execute_filemode"]);
        let kind = |old: Option<EntryKind>| match (executable, old) {
            (Some(true), _) => EntryKind::BlobExecutable,
            (Some(false), _) | (None, None) => EntryKind::Blob,
            (None, Some(kind)) => kind,
        };
        let write = |bytes: Vec<u8>| s.git.write_blob(&bytes).map_err(super::refused);
        // GitLab's optimistic lock on a file: the commit the caller last
        // saw it change must still be the last one to change it.
        if let Some(expected) = a["last_commit_id"].as_str()
            && matches!(a["action"].as_str(), Some("update" | "delete" | "move"))
        {
            let checked = a["previous_path"]
                .as_str()
                .filter(|_| a["action"] == "move");
            let checked = checked.unwrap_or(&path);
            let last = s.git.last_commit_for_path(parent, checked);
            if last.map(|id| id.to_string()).as_deref() != Some(expected) {
                return Err(refuse(&format!(
                    "The file has changed since you started editing it: {checked}"
                )));
            }
        }
        let current = at(&path, &seen);
        let (id, kind) = match a["action"].as_str() {
            Some("create") => {
                if current.is_some() {
                    return Err(refuse(EXISTS));
                }
                (Some(write(content(a)?.unwrap_or_default())?), kind(None))
            }
            Some("update") => {
                let (_, old) = current.ok_or_else(|| refuse(MISSING))?;
                (
                    Some(write(content(a)?.unwrap_or_default())?),
                    kind(Some(old)),
                )
            }
            Some("chmod") => {
                let (id, old) = current.ok_or_else(|| refuse(MISSING))?;
                (Some(id), kind(Some(old)))
            }
            Some("delete") => {
                let (_, old) = current.ok_or_else(|| refuse(MISSING))?;
                (None, old)
            }
            _ => {
                // A move: the file at `previous_path` goes to `file_path`,
                // with new content if given.
                let from = a["previous_path"].as_str().unwrap_or("").to_owned();
                let (old_id, old) = at(&from, &seen).ok_or_else(|| refuse(MISSING))?;
                if current.is_some() {
                    return Err(refuse(EXISTS));
                }
                let id = match content(a)? {
                    Some(bytes) => write(bytes)?,
                    None => old_id,
                };
                seen.insert(from.clone(), None);
                out.push(TreeEdit {
                    path: from,
                    kind: old,
                    id: None,
                });
                (Some(id), kind(Some(old)))
            }
        };
        seen.insert(path.clone(), id.map(|id| (id, kind)));
        out.push(TreeEdit { path, kind, id });
    }
    Ok(out)
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    body: Bytes,
) -> Answer {
    let body = super::body(&body)?;
    let actions = validate(&body)?;
    let branch = body["branch"].as_str().unwrap_or("");
    let commit_message = body["commit_message"].as_str().unwrap_or("");
    let force = flag(&body["force"]).unwrap_or(false);
    // Held from reading the tip to moving the branch: the update is a
    // compare-and-swap, so the commit lands on the tip it was written on.
    let mut store = s.store();
    let parent = parent(&s, &body, branch)?;
    let edits = edits(&s, parent, actions)?;
    let tree = s
        .git
        .write_tree(Some(parent), &edits)
        .map_err(|r| refuse(&r.message))?;
    let author = Person {
        name: body["author_name"].as_str().unwrap_or(&login).to_owned(),
        email: body["author_email"]
            .as_str()
            .map_or_else(|| format!("{login}@sandbox.invalid"), str::to_owned),
        time: jiff::Timestamp::now().as_second(),
    };
    let id = s
        .git
        .write_commit(commit_message, tree, &[parent], &author, &author)
        .map_err(super::refused)?;
    let full = format!("refs/heads/{branch}");
    match s.git.resolve(&full) {
        Some(_) => s.git.update_ref(&full, id, force),
        None => s.git.create_ref(&full, id),
    }
    .map_err(|r| {
        refuse(&format!(
            "Could not update {full}. Please refresh and try again. ({})",
            r.message
        ))
    })?;
    store.follow_head(branch, &id.to_string());
    let info = s.git.commit(id).ok_or_else(|| not_found("Commit"))?;
    let answer = shape::expanded_commit(&s, &store, id, &info);
    drop(store);
    crate::reconcile::on_new_heads(&s);
    Ok(Reply::created(answer))
}

pub async fn show(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let sha = params.get("sha").map(String::as_str).unwrap_or("");
    let store = s.store();
    let id = s.git.commitish(sha).ok_or_else(|| not_found("Commit"))?;
    let info = s.git.commit(id).ok_or_else(|| not_found("Commit"))?;
    Ok(Reply::ok(shape::expanded_commit(&s, &store, id, &info)))
}

/// A file's change as a unified diff, GitLab's `diff` field.
fn diff(s: &Shared, change: &crate::git::FileChange) -> Value {
    let text = |side: &Option<(ObjectId, String)>| {
        side.as_ref()
            .and_then(|(id, _)| s.git.blob(*id))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let (old, new) = (text(&change.old), text(&change.new));
    let unified = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .to_string();
    let mode = |side: &Option<(ObjectId, String)>| {
        side.as_ref()
            .map_or_else(|| "0".to_owned(), |(_, m)| m.clone())
    };
    json!({
        "diff": unified, "old_path": change.old_path, "new_path": change.new_path,
        "a_mode": mode(&change.old), "b_mode": mode(&change.new),
        "new_file": change.old.is_none(), "renamed_file": change.old_path != change.new_path,
        "deleted_file": change.new.is_none(), "generated_file": false,
    })
}

pub async fn compare(
    State(s): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let missing: Vec<String> = ["from", "to"]
        .iter()
        .filter(|n| !query.contains_key(**n))
        .map(|n| format!("{n} is missing"))
        .collect();
    if !missing.is_empty() {
        return Err(bad_params(&missing));
    }
    let (from, to) = (&query["from"], &query["to"]);
    let _store = s.store();
    let resolve = |r: &str| s.git.commitish(r).ok_or_else(|| not_found("Ref"));
    let (from_id, to_id) = (resolve(from)?, resolve(to)?);
    // `from...to` unless `straight`: what `to` adds since they forked.
    let base = if query.get("straight").is_some_and(|v| v == "true") {
        from_id
    } else {
        s.git.merge_base(from_id, to_id).unwrap_or(from_id)
    };
    let mut commits: Vec<Value> = s
        .git
        .commits_between(base, to_id)
        .into_iter()
        .filter_map(|id| s.git.commit(id).map(|c| shape::commit(&s, id, &c)))
        .collect();
    commits.reverse();
    let diffs: Vec<Value> = s
        .git
        .changes(base, to_id)
        .iter()
        .map(|c| diff(&s, c))
        .collect();
    Ok(Reply::ok(json!({
        "commit": commits.last().cloned(),
        "commits": commits,
        "diffs": diffs,
        "compare_timeout": false,
        "compare_same_ref": from == to,
        "web_url": shape::web(&s, &format!("/-/compare/{from}...{to}")),
    })))
}
