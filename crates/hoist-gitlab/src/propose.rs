//! The merge request that adds the `.hoist.yaml` Hoist proposes for a
//! project without one, on its default branch. Idempotent like
//! [`crate::open`]: the branch name is fixed, and Hoist's open merge
//! request from it is found before one is made.

use hoist_forge::change::{Opened, Outcome};
use http::Method;
use serde_json::json;

use crate::Error;
use crate::client::{Client, Repeat, text};
use crate::project::segment;
use crate::track::open_requests;

/// The branch the proposal is written to.
pub const BRANCH: &str = "hoist/configure";

/// Where the configuration goes.
pub const PATH: &str = ".hoist.yaml";

/// Opens (or finds) the merge request adding `content` as `.hoist.yaml` to
/// the default branch.
pub async fn configuration(client: &Client, content: &str) -> Result<Opened, Error> {
    let project = client.get(&client.project_path(""), "the project").await?;
    let base_branch = text(&project, "default_branch", "the project")?;
    let project_id = project["id"].as_u64();
    let me = client.me().await?;
    // Hoist's own proposal from an earlier attempt: this project's branch,
    // opened by this account (a fork's `hoist/configure` is not it).
    if let Some(mr) = open_requests(client, Some(&base_branch))
        .await?
        .into_iter()
        .find(|mr| {
            mr["source_branch"] == BRANCH
                && mr["source_project_id"].as_u64() == project_id
                && mr["author"]["username"]
                    .as_str()
                    .is_some_and(|a| a.eq_ignore_ascii_case(&me.username))
        })
    {
        return Ok(Opened {
            number: mr["iid"].as_u64().unwrap_or_default(),
            url: text(&mr, "web_url", "the merge request")?,
            branch: BRANCH.to_owned(),
            commit: text(&mr, "sha", "the merge request")?,
            outcome: Outcome::Resumed,
        });
    }
    let branch = client
        .get(
            &client.project_path(&format!("/repository/branches/{}", segment(&base_branch))),
            &format!("branch {base_branch}"),
        )
        .await?;
    let base = branch["commit"]["id"]
        .as_str()
        .ok_or_else(|| Error::Unexpected {
            what: format!("branch {base_branch}"),
            detail: "no commit".into(),
        })?;
    let title = "Add Hoist's configuration (.hoist.yaml)";
    let commit = client
        .send(
            Method::POST,
            &client.project_path("/repository/commits"),
            Some(&json!({
                "branch": BRANCH,
                "start_sha": base,
                "force": true,
                "commit_message": title,
                "actions": [{ "action": "create", "file_path": PATH, "content": content }],
            })),
            "writing the configuration",
            Repeat::Safe,
        )
        .await?;
    let commit = text(&commit, "id", "the commit")?;
    let mr = client
        .send(
            Method::POST,
            &client.project_path("/merge_requests"),
            Some(&json!({
                "source_branch": BRANCH,
                "target_branch": base_branch,
                "title": title,
                "description": "Hoist detected this configuration from the project's branches and files. Check the environments and apps, then merge to keep it.",
                "remove_source_branch": true,
            })),
            "opening the merge request",
            Repeat::Unsafe,
        )
        .await?;
    Ok(Opened {
        number: mr["iid"].as_u64().unwrap_or_default(),
        url: text(&mr, "web_url", "the merge request")?,
        branch: BRANCH.to_owned(),
        commit,
        outcome: Outcome::Created,
    })
}
