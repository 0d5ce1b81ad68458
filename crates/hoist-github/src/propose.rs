//! The pull request that adds the `.hoist.yaml` Hoist proposes for a
//! repository without one, on the repository's default branch. Idempotent
//! like [`crate::open`]: the branch name is fixed, a retry reuses the
//! commit and the pull request an earlier attempt made.

use http::Method;
use serde_json::json;

use crate::Error;
use crate::client::{Client, Repeat};
use crate::open::{self, Opened, Outcome};

/// The branch the proposal is pushed to.
pub const BRANCH: &str = "hoist/configure";

/// Where the configuration goes.
pub const PATH: &str = ".hoist.yaml";

/// Opens (or finds) the pull request adding `content` as `.hoist.yaml` to
/// the default branch.
pub async fn configuration(client: &Client, content: &str) -> Result<Opened, Error> {
    let repository = client.get(&client.repo_path(""), "the repository").await?;
    let base_branch = open::field(&repository, "default_branch", "the repository")?;
    // Hoist's own proposal from an earlier attempt: this repository's
    // branch, opened by this account (a fork's `hoist/configure` is not it).
    let login = client.login().await?;
    if let Some(existing) = open::open_pulls(client, &base_branch)
        .await?
        .into_iter()
        .find(|p| {
            p.branch == BRANCH
                && crate::ownership::is_here(client, p.head_repository.as_deref())
                && p.author
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(&login))
        })
    {
        return Ok(Opened {
            number: existing.number,
            url: existing.url,
            branch: existing.branch,
            commit: existing.head,
            outcome: Outcome::Resumed,
        });
    }
    let base = open::branch_tip(client, &base_branch)
        .await?
        .ok_or_else(|| Error::NotFound {
            what: format!("branch {base_branch}"),
        })?;
    let base_tree = open::commit_tree(client, &base).await?;
    let blob = open::upload(client, content.as_bytes(), PATH).await?;
    let tree = client
        .write(
            Method::POST,
            &client.repo_path("/git/trees"),
            &json!({
                "base_tree": base_tree,
                "tree": [{ "path": PATH, "mode": "100644", "type": "blob", "sha": blob }],
            }),
            "writing the tree",
            Repeat::Safe,
        )
        .await?;
    let tree = open::field(&tree, "sha", "the tree")?;
    let title = "Configure Hoist";
    let signed = crate::signing::required(client, &base_branch).await?
        || crate::signing::required(client, BRANCH).await?;
    let changes = [crate::signing::Change {
        path: PATH,
        content: Some(content.as_bytes()),
    }];
    let commit = open::push(
        client,
        BRANCH,
        &tree,
        &base,
        title,
        signed.then_some(&changes[..]),
    )
    .await?;
    let body = format!(
        "Adds `{PATH}`, the configuration Hoist detected from this repository's \
         branches and files: its environments in pipeline order and where each \
         app's version is. Review it, adjust it, and merge it so everyone's Hoist \
         reads the same.\n\n```yaml\n{content}{newline}```\n",
        newline = if content.ends_with('\n') { "" } else { "\n" }
    );
    let (number, url, outcome) =
        open::create_pull(client, &base_branch, BRANCH, title, &body).await?;
    Ok(Opened {
        number,
        url,
        branch: BRANCH.to_owned(),
        commit,
        outcome,
    })
}
