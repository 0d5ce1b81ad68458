//! Pull requests: create, list with filters, get, update, merge, reviewers,
//! reviews and labels.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Params, number};
use crate::git::Person;
use crate::reply::{Answer, Reply, parse, required};
use crate::serve::Login;
use crate::store::{Merge, Pull, Review};
use crate::{Error, Shared, shape};

pub async fn list(
    State(s): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let state = query.get("state").map_or("open", String::as_str);
    if !matches!(state, "open" | "closed" | "all") {
        return Err(Reply::invalid("PullRequest", "state", "invalid", None));
    }
    // `head` is `owner:branch`, as GitHub filters it.
    let head = query.get("head").map(|h| match h.split_once(':') {
        Some((owner, branch)) => (Some(owner.to_owned()), branch.to_owned()),
        None => (None, h.clone()),
    });
    let (per_page, page) = super::page(&query, 30);
    let store = s.store();
    let mut matching: Vec<&Pull> = store
        .pulls
        .iter()
        .filter(|p| match state {
            "open" => p.open,
            "closed" => !p.open,
            _ => true,
        })
        .filter(|p| {
            head.as_ref().is_none_or(|(owner, branch)| {
                let owned_by = p.fork.as_deref().unwrap_or(&s.config.owner);
                p.head == *branch && owner.as_deref().is_none_or(|o| o == owned_by)
            })
        })
        .filter(|p| query.get("base").is_none_or(|b| &p.base == b))
        .collect();
    // Newest first, as GitHub's default `sort=created&direction=desc`.
    matching.reverse();
    let pages = matching.len().div_ceil(per_page).max(1);
    let shown: Vec<Value> = matching
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|p| shape::pull(&s, &store, p, false))
        .collect();
    let mut reply = Reply::ok(Value::Array(shown));
    if page < pages {
        let link = |page: usize| {
            let mut q: Vec<String> = query
                .iter()
                .filter(|(k, _)| k.as_str() != "page")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            q.sort();
            q.push(format!("page={page}"));
            format!("<{}?{}>", s.repo_url("/pulls"), q.join("&"))
        };
        let next = format!(
            "{}; rel=\"next\", {}; rel=\"last\"",
            link(page + 1),
            link(pages)
        );
        reply = reply.header("link", next);
    }
    Ok(reply)
}

pub async fn create(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    body: Bytes,
) -> Answer {
    let body = parse(&body)?;
    let title = required(&body, "PullRequest", "title")?.to_owned();
    let head = required(&body, "PullRequest", "head")?;
    let head = head.split_once(':').map_or(head, |(_, b)| b).to_owned();
    let base = required(&body, "PullRequest", "base")?.to_owned();
    let mut store = s.store();
    let Some(head_sha) = s.git.resolve(&format!("refs/heads/{head}")) else {
        return Err(Reply::invalid("PullRequest", "head", "invalid", None));
    };
    let Some(base_sha) = s.git.resolve(&format!("refs/heads/{base}")) else {
        return Err(Reply::invalid("PullRequest", "base", "invalid", None));
    };
    if store
        .pulls
        .iter()
        .any(|p| p.open && p.fork.is_none() && p.head == head && p.base == base)
    {
        let message = format!(
            "A pull request already exists for {}:{head}.",
            s.config.owner
        );
        return Err(Reply::invalid(
            "PullRequest",
            "head",
            "custom",
            Some(&message),
        ));
    }
    if s.git.is_ancestor(head_sha, base_sha) {
        let message = format!("No commits between {base} and {head}");
        return Err(Reply::invalid(
            "PullRequest",
            "head",
            "custom",
            Some(&message),
        ));
    }
    let mut pull = store.new_pull(&login, &head, &head_sha.to_string(), &base);
    pull.title = title;
    pull.body = body["body"].as_str().map(str::to_owned);
    pull.draft = body["draft"].as_bool().unwrap_or(false);
    let number = pull.number;
    store.pulls.push(pull.clone());
    let answer = shape::pull(&s, &store, &pull, true);
    drop(store);
    crate::reconcile::on_new_heads(&s);
    Ok(Reply::created(answer).header("location", s.repo_url(&format!("/pulls/{number}"))))
}

pub async fn get(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let n = number(&params, "pull_number")?;
    let store = s.store();
    let pull = store.pull(n).ok_or_else(Reply::not_found)?;
    Ok(Reply::ok(shape::pull(&s, &store, pull, true)))
}

pub async fn update(State(s): State<Arc<Shared>>, params: Params, body: Bytes) -> Answer {
    let n = number(&params, "pull_number")?;
    let body = parse(&body)?;
    let mut store = s.store();
    if let Some(base) = body["base"].as_str()
        && s.git.resolve(&format!("refs/heads/{base}")).is_none()
    {
        return Err(Reply::invalid("PullRequest", "base", "invalid", None));
    }
    let pull = store.pull_mut(n).ok_or_else(Reply::not_found)?;
    if let Some(title) = body["title"].as_str() {
        pull.title = title.to_owned();
    }
    if let Some(text) = body["body"].as_str() {
        pull.body = Some(text.to_owned());
    }
    if let Some(base) = body["base"].as_str() {
        pull.base = base.to_owned();
    }
    match body["state"].as_str() {
        Some("closed") if pull.open => {
            pull.open = false;
            pull.closed_at = Some(jiff::Timestamp::now());
        }
        Some("open") if !pull.open && pull.merged.is_none() => {
            pull.open = true;
            pull.closed_at = None;
        }
        Some("open" | "closed") | None => {}
        Some(_) => return Err(Reply::invalid("PullRequest", "state", "invalid", None)),
    }
    pull.updated_at = jiff::Timestamp::now();
    let pull = pull.clone();
    Ok(Reply::ok(shape::pull(&s, &store, &pull, true)))
}

pub async fn merge(
    State(s): State<Arc<Shared>>,
    Extension(Login(login)): Extension<Login>,
    params: Params,
    body: Bytes,
) -> Answer {
    let n = number(&params, "pull_number")?;
    let body = parse(&body)?;
    let method = body["merge_method"].as_str().unwrap_or("merge");
    let sha = merge_pull(
        &s,
        n,
        &login,
        method,
        body["sha"].as_str(),
        body["commit_title"].as_str(),
    )?;
    Ok(Reply::ok(json!({
        "sha": sha,
        "merged": true,
        "message": "Pull Request successfully merged",
    })))
}

/// Merges pull request `n` into its base as GitHub does: refuses if it is
/// closed, conflicts, has changes requested, or its head is not `expected`.
fn merge_pull(
    s: &Arc<Shared>,
    n: u64,
    login: &str,
    method: &str,
    expected: Option<&str>,
    title: Option<&str>,
) -> Result<String, Reply> {
    let mut store = s.store();
    let pull = store.pull(n).ok_or_else(Reply::not_found)?.clone();
    let not_mergeable = || {
        Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Pull Request is not mergeable",
        )
    };
    if !pull.open {
        return Err(not_mergeable());
    }
    if !matches!(method, "merge" | "squash" | "rebase") {
        return Err(Reply::invalid(
            "PullRequest",
            "merge_method",
            "invalid",
            None,
        ));
    }
    if !s.allows(method) {
        let kind = match method {
            "merge" => "Merge commits",
            "squash" => "Squash merges",
            _ => "Rebase merges",
        };
        return Err(Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("{kind} are not allowed on this repository."),
        ));
    }
    if expected.is_some_and(|sha| sha != pull.head_sha) {
        return Err(Reply::error(
            StatusCode::CONFLICT,
            "Head branch was modified. Review and try the merge again.",
        ));
    }
    if !super::signing::may_merge(s, &store, &pull.base, &pull.head_sha) {
        return Err(Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Commits must have verified signatures.",
        ));
    }
    if !matches!(
        shape::mergeability(s, &store, &pull).1,
        "clean" | "unstable"
    ) {
        return Err(not_mergeable());
    }
    let base_ref = format!("refs/heads/{}", pull.base);
    let base = s.git.resolve(&base_ref).ok_or_else(not_mergeable)?;
    let head = gix::ObjectId::from_hex(pull.head_sha.as_bytes()).map_err(|_| not_mergeable())?;
    let tree = s.git.merge_tree(base, head)?.ok_or_else(not_mergeable)?;
    let me = Person {
        name: login.to_owned(),
        email: format!("{login}@users.noreply.sandbox"),
        time: jiff::Timestamp::now().as_second(),
    };
    let (message, parents) = if method == "rebase" {
        // Hoist's pull requests are one commit on the base: rebasing
        // replays it with its own message (a longer branch would replay
        // each commit; the sandbox writes their sum as one).
        let head_message = s
            .git
            .commit(head)
            .map(|c| c.message)
            .unwrap_or_else(|| pull.title.clone());
        (head_message, vec![base])
    } else if method == "squash" {
        let title = title.map_or_else(|| format!("{} (#{n})", pull.title), str::to_owned);
        (
            format!("{title}\n\n{}", pull.body.clone().unwrap_or_default()),
            vec![base],
        )
    } else {
        let title = title.map_or_else(
            || {
                format!(
                    "Merge pull request #{n} from {}/{}",
                    pull.fork.as_deref().unwrap_or(&s.config.owner),
                    pull.head
                )
            },
            str::to_owned,
        );
        (format!("{title}\n\n{}", pull.title), vec![base, head])
    };
    let merged = s.git.write_commit(&message, tree, &parents, &me, &me)?;
    s.git.update_ref(&base_ref, merged, false)?;
    // GitHub signs the commits it writes.
    store.signed.insert(merged.to_string());
    let now = jiff::Timestamp::now();
    if let Some(p) = store.pull_mut(n) {
        p.open = false;
        p.merged = Some(Merge {
            sha: merged.to_string(),
            by: login.to_owned(),
            at: now,
        });
        p.closed_at = Some(now);
        p.updated_at = now;
    }
    // The head branch is deleted on merge, as `delete_branch_on_merge` says
    // (a fork's branch is in the fork, out of reach).
    if pull.fork.is_none() {
        let _ = s.git.delete_ref(&format!("refs/heads/{}", pull.head));
    }
    drop(store);
    crate::reconcile::after_merge(s, &pull.base, merged.to_string());
    Ok(merged.to_string())
}

/// A merge done on GitHub's page rather than through the API.
pub fn merge_as(s: &Arc<Shared>, n: u64, login: &str) -> Result<String, Error> {
    let method = ["merge", "squash", "rebase"]
        .into_iter()
        .find(|m| s.allows(m))
        .unwrap_or("merge");
    merge_pull(s, n, login, method, None, None).map_err(|r| {
        Error::Refused(
            r.body
                .and_then(|b| b["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("cannot merge #{n}")),
        )
    })
}

pub async fn request_reviewers(
    State(s): State<Arc<Shared>>,
    params: Params,
    body: Bytes,
) -> Answer {
    let n = number(&params, "pull_number")?;
    let body = parse(&body)?;
    let names = |field: &str| -> Vec<String> {
        body[field]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    let (reviewers, teams) = (names("reviewers"), names("team_reviewers"));
    let known = |login: &String| {
        s.config.accounts.iter().any(|a| &a.login == login)
            || s.config.collaborators.contains(login)
    };
    let mut store = s.store();
    let pull = store.pull_mut(n).ok_or_else(Reply::not_found)?;
    if reviewers.contains(&pull.user) {
        return Err(Reply::invalid(
            "PullRequest",
            "reviewers",
            "custom",
            Some("Review cannot be requested from pull request author."),
        ));
    }
    if let Some(stranger) = reviewers.iter().find(|r| !known(r)) {
        let message = format!(
            "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the {}/{} repository. ({stranger})",
            s.config.owner, s.config.name
        );
        return Err(Reply::invalid(
            "PullRequest",
            "reviewers",
            "custom",
            Some(&message),
        ));
    }
    for r in reviewers {
        if !pull.reviewers.contains(&r) {
            pull.reviewers.push(r);
        }
    }
    for t in teams {
        if !pull.teams.contains(&t) {
            pull.teams.push(t);
        }
    }
    let pull = pull.clone();
    Ok(Reply::created(shape::pull(&s, &store, &pull, false)))
}

pub async fn reviews(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let n = number(&params, "pull_number")?;
    let store = s.store();
    store.pull(n).ok_or_else(Reply::not_found)?;
    let all: Vec<Value> = store
        .reviews
        .iter()
        .filter(|r| r.pull == n)
        .map(|r| shape::review(&s, r))
        .collect();
    Ok(Reply::ok(Value::Array(all)))
}

pub fn add_review(s: &Arc<Shared>, n: u64, login: &str, state: &str) -> Result<(), Error> {
    if !matches!(state, "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED") {
        return Err(Error::Refused(format!("{state} is not a review state")));
    }
    let mut store = s.store();
    let pull = store.pull_mut(n).ok_or(Error::NoSuchPull(n))?;
    pull.reviewers.retain(|r| r != login);
    let commit = pull.head_sha.clone();
    let id = store.id();
    store.reviews.push(Review {
        id,
        pull: n,
        user: login.to_owned(),
        state: state.to_owned(),
        commit,
        at: jiff::Timestamp::now(),
    });
    Ok(())
}

pub async fn add_labels(State(s): State<Arc<Shared>>, params: Params, body: Bytes) -> Answer {
    let n = number(&params, "issue_number")?;
    let body = parse(&body)?;
    // GitHub takes `{"labels": [...]}` or a bare array.
    let names: Vec<String> = body
        .get("labels")
        .unwrap_or(&body)
        .as_array()
        .ok_or_else(|| Reply::invalid("Label", "labels", "missing_field", None))?
        .iter()
        .filter_map(|v| v.as_str().or(v["name"].as_str()).map(str::to_owned))
        .collect();
    let mut store = s.store();
    store.pull(n).ok_or_else(Reply::not_found)?;
    for name in &names {
        store.label(name);
    }
    let pull = store.pull_mut(n).ok_or_else(Reply::not_found)?;
    for name in names {
        if !pull.labels.iter().any(|l| l.eq_ignore_ascii_case(&name)) {
            pull.labels.push(name);
        }
    }
    let labels = pull.labels.clone();
    let answer: Vec<Value> = labels
        .iter()
        .filter_map(|l| store.labels.get(&l.to_ascii_lowercase()))
        .map(|l| shape::label(&s, l))
        .collect();
    Ok(Reply::ok(Value::Array(answer)))
}
