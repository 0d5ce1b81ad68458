//! `GET /repos/{owner}/{repo}/compare/{basehead}`: the commits between two
//! revisions (branches, tags, ids), as release notes read them.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use serde_json::{Value, json};

use super::Params;
use crate::reply::{Answer, Reply};
use crate::{Shared, shape};

/// Without `page` or `per_page`, GitHub lists at most this many commits.
const UNPAGED: usize = 250;

pub async fn compare(
    State(s): State<Arc<Shared>>,
    params: Params,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let basehead = params.get("basehead").map_or("", String::as_str);
    let (base, head) = basehead.split_once("...").ok_or_else(Reply::not_found)?;
    let (Some(base_id), Some(head_id)) = (s.git.revision(base), s.git.revision(head)) else {
        return Err(Reply::not_found());
    };
    let merge_base = s
        .git
        .merge_base(base_id, head_id)
        .ok_or_else(Reply::not_found)?;
    // Oldest first, as GitHub lists them.
    let mut ahead = s.git.commits_between(merge_base, head_id);
    ahead.reverse();
    let behind = s.git.commits_between(merge_base, base_id).len();
    let status = match (ahead.len(), behind) {
        (0, 0) => "identical",
        (_, 0) => "ahead",
        (0, _) => "behind",
        _ => "diverged",
    };
    let paged = query.contains_key("page") || query.contains_key("per_page");
    let shown: Vec<Value> = if paged {
        let (per_page, page) = super::page(&query, 100);
        ahead
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .filter_map(|id| shape::listed_commit(&s, *id))
            .collect()
    } else {
        ahead
            .iter()
            .take(UNPAGED)
            .filter_map(|id| shape::listed_commit(&s, *id))
            .collect()
    };
    let web = s.web_url(&format!("/compare/{basehead}"));
    Ok(Reply::ok(json!({
        "url": s.repo_url(&format!("/compare/{basehead}")),
        "html_url": web,
        "permalink_url": s.web_url(&format!("/compare/{base_id}...{head_id}")),
        "diff_url": format!("{web}.diff"),
        "patch_url": format!("{web}.patch"),
        "base_commit": shape::listed_commit(&s, base_id),
        "merge_base_commit": shape::listed_commit(&s, merge_base),
        "status": status,
        "ahead_by": ahead.len(),
        "behind_by": behind,
        "total_commits": ahead.len(),
        "commits": shown,
        "files": [],
    })))
}
