//! Required signatures: the rules that ask for them, as the rulesets API and
//! classic branch protection show them, and their enforcement on pushes and
//! merges. GitHub signs the commits it writes itself (merges, and commits
//! made through GraphQL's `createCommitOnBranch`); the sandbox keeps their
//! ids in the store.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use gix::ObjectId;
use serde_json::{Value, json};

use super::Params;
use crate::reply::{Answer, Reply};
use crate::store::Store;
use crate::{RuleSource, Shared};

/// `GET /repos/{owner}/{repo}/rules/branches/{branch}`: the active rules of
/// the rulesets that match the branch, for anyone who can read it.
pub async fn branch_rules(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let branch = params.get("branch").map(String::as_str).unwrap_or("");
    let rules: Vec<Value> = s
        .signature_rules(branch)
        .filter(|r| r.source == RuleSource::Ruleset)
        .enumerate()
        .map(|(i, _)| {
            json!({
                "type": "required_signatures",
                "ruleset_source_type": "Repository",
                "ruleset_source": format!("{}/{}", s.config.owner, s.config.name),
                "ruleset_id": 100 + i,
            })
        })
        .collect();
    Ok(Reply::ok(Value::Array(rules)))
}

/// `GET /repos/{owner}/{repo}/branches/{branch}/protection/required_signatures`.
pub async fn protection(State(s): State<Arc<Shared>>, params: Params) -> Answer {
    let branch = params.get("branch").map(String::as_str).unwrap_or("");
    if s.git.resolve(&format!("refs/heads/{branch}")).is_none() {
        return Err(Reply::error(StatusCode::NOT_FOUND, "Branch not found"));
    }
    if !s
        .signature_rules(branch)
        .any(|r| r.source == RuleSource::BranchProtection)
    {
        return Err(Reply::error(StatusCode::NOT_FOUND, "Branch not protected"));
    }
    Ok(Reply::ok(json!({
        "url": s.repo_url(&format!("/branches/{branch}/protection/required_signatures")),
        "enabled": true,
    })))
}

/// Whether `branch` (at `old`, `None` when it is being created) may come to
/// hold `new`: where signatures are required, the commits it brings must be
/// signed. A new branch brings only commits no branch had; a moved one every
/// commit its old tip did not reach. (GitHub checks each such commit;
/// Hoist's are one commit on a known base, so the sandbox checks the tip.)
pub fn check_push(
    s: &Shared,
    store: &Store,
    branch: &str,
    old: Option<ObjectId>,
    new: ObjectId,
) -> Result<(), Reply> {
    let brings_nothing = match old {
        Some(old) => s.git.is_ancestor(new, old),
        None => s.git.is_on_a_branch(new),
    };
    if s.signature_rules(branch).next().is_none()
        || brings_nothing
        || store.signed.contains(&new.to_string())
    {
        return Ok(());
    }
    Err(Reply::error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Repository rule violations found\n\nCommits must have verified signatures.\n\n",
    ))
}

/// Whether a pull request with head `head` may be merged into `base`: where
/// `base` requires signatures, the head must be signed or already there.
pub fn may_merge(s: &Shared, store: &Store, base: &str, head: &str) -> bool {
    if s.signature_rules(base).next().is_none() || store.signed.contains(head) {
        return true;
    }
    match (
        ObjectId::from_hex(head.as_bytes()),
        s.git.resolve(&format!("refs/heads/{base}")),
    ) {
        (Ok(head), Some(tip)) => s.git.is_ancestor(head, tip),
        _ => false,
    }
}
