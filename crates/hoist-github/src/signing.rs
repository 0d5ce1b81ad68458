//! Commits for branches that require verified signatures. Hoist holds no
//! signing key; GitHub signs the commits it writes itself, so where a rule
//! asks for signatures the commit is written through GraphQL's
//! `createCommitOnBranch` instead of the Git Data API.
//!
//! Invariant, as for unsigned commits: the commit has exactly the expected
//! tree with the base as its only parent. `createCommitOnBranch` adds a
//! commit on a branch's tip, so it writes on a scratch branch put at the
//! base; Hoist's branch is then moved to the result and never itself points
//! at the base (GitHub closes a pull request whose head has nothing new).

use base64::Engine;
use serde_json::{Value, json};

use crate::Error;
use crate::client::{Client, Repeat};
use crate::open::{branch_tip, field, is_the_change, path_part, point};

/// One file of the commit: its new content, or `None` to delete it.
pub(crate) struct Change<'a> {
    /// Its path in the repository.
    pub path: &'a str,
    /// What it holds after the commit.
    pub content: Option<&'a [u8]>,
}

/// Whether commits on `branch` must carry verified signatures: a ruleset's
/// `required_signatures` rule (readable by anyone who can read the
/// repository) or classic branch protection's (readable by administrators
/// only: without that right it is taken as not required, and the pull
/// request's mergeability shows it later).
pub async fn required(client: &Client, branch: &str) -> Result<bool, Error> {
    let name = path_part(branch).replace('/', "%2F");
    for page in 1.. {
        // A GitHub Enterprise Server older than rulesets has no such
        // endpoint: no rules.
        let Some(rules) = client
            .get_optional(
                &client.repo_path(&format!("/rules/branches/{name}?per_page=100&page={page}")),
                &format!("the rules of branch {branch}"),
            )
            .await?
        else {
            break;
        };
        let rules = rules.as_array().cloned().unwrap_or_default();
        if rules.iter().any(|r| r["type"] == "required_signatures") {
            return Ok(true);
        }
        if rules.len() < 100 {
            break;
        }
    }
    let protection = client
        .get(
            &client.repo_path(&format!("/branches/{name}/protection/required_signatures")),
            &format!("the protection of branch {branch}"),
        )
        .await;
    match protection {
        Ok(p) => Ok(p["enabled"] == true),
        Err(Error::NotFound { .. } | Error::Forbidden { .. } | Error::MissingScope { .. }) => {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// The mutation; the answer names only the commit.
const CREATE_COMMIT: &str = "mutation($input: CreateCommitOnBranchInput!) { \
     createCommitOnBranch(input: $input) { commit { oid } } }";

/// Writes `changes` as one commit GitHub signs, on the single parent
/// `base`, and returns it. `tree` is the tree the changes make on `base`
/// (written through the Git Data API): GitHub's commit must have it.
pub(crate) async fn commit(
    client: &Client,
    branch: &str,
    base: &str,
    tree: &str,
    title: &str,
    changes: &[Change<'_>],
) -> Result<String, Error> {
    // Under Hoist's branch's own name, so inside the space Hoist may move.
    let scratch = format!("{branch}.signing");
    let commit = match branch_tip(client, &scratch).await? {
        // An earlier attempt that lost GitHub's answer left its commit there.
        Some(tip) if is_the_change(client, &tip, tree, base, true).await? => tip,
        _ => {
            put_at(client, &scratch, base).await?;
            let commit = create(client, &scratch, base, title, changes).await?;
            if !is_the_change(client, &commit, tree, base, true).await? {
                return Err(Error::Unexpected {
                    what: "the signed commit".into(),
                    detail: format!(
                        "GitHub's commit {commit} is not the previewed files on {base}, signed"
                    ),
                });
            }
            commit
        }
    };
    // The scratch branch has served; one left behind is reset next time.
    let _ = client
        .delete(
            &client.repo_path(&format!("/git/refs/heads/{}", path_part(&scratch))),
            &format!("deleting branch {scratch}"),
        )
        .await;
    Ok(commit)
}

/// `createCommitOnBranch` on `branch`, which must be at `base`.
async fn create(
    client: &Client,
    branch: &str,
    base: &str,
    title: &str,
    changes: &[Change<'_>],
) -> Result<String, Error> {
    let mut additions = Vec::new();
    let mut deletions = Vec::new();
    for change in changes {
        match change.content {
            Some(content) => additions.push(json!({
                "path": change.path,
                "contents": base64::engine::general_purpose::STANDARD.encode(content),
            })),
            None => deletions.push(json!({ "path": change.path })),
        }
    }
    let mut file_changes = serde_json::Map::new();
    if !additions.is_empty() {
        file_changes.insert("additions".into(), Value::Array(additions));
    }
    if !deletions.is_empty() {
        file_changes.insert("deletions".into(), Value::Array(deletions));
    }
    let data = client
        .mutate(
            CREATE_COMMIT,
            &json!({ "input": {
                "branch": {
                    "repositoryNameWithOwner": client.remote().slug(),
                    "branchName": branch,
                },
                "expectedHeadOid": base,
                "message": { "headline": title },
                "fileChanges": file_changes,
            }}),
            "writing the signed commit",
        )
        .await?;
    field(
        &data["createCommitOnBranch"]["commit"],
        "oid",
        "the signed commit",
    )
}

/// Makes `branch` point at `commit`, creating it or moving it.
async fn put_at(client: &Client, branch: &str, commit: &str) -> Result<(), Error> {
    match branch_tip(client, branch).await? {
        Some(tip) if tip == commit => Ok(()),
        tip => point(client, branch, tip.is_some(), commit, Repeat::Safe)
            .await
            .map(drop),
    }
}
