//! Which pull requests are Hoist's own, to resume, update, track and merge.
//!
//! Anyone who can open a pull request can copy Hoist's marker into its body,
//! from a fork whose branch has any name (`env/stage`, `main`); taking such
//! a pull request for Hoist's would move that name in this repository with
//! the release manager's token. So a pull request is Hoist's only when its
//! head branch is in this repository (not a fork), under
//! `<prefix>/<target>/` for the environment its marker names, and it was
//! opened by the signed-in account.

use hoist_core::plan::request::{Marker, branch_space};
use serde_json::Value;

use crate::Error;
use crate::client::Client;

/// Whose pull requests Hoist takes for its own here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    /// `owner/name` of the repository the client works on.
    repository: String,
    /// The signed-in account.
    login: String,
    /// The configured branch prefix (`pr.branch_prefix`).
    prefix: String,
}

impl Ownership {
    /// For the client's repository and signed-in account, with branches
    /// under `prefix`.
    pub async fn of(client: &Client, prefix: &str) -> Result<Ownership, Error> {
        Ok(Ownership::new(
            &client.remote().slug(),
            &client.login().await?,
            prefix,
        ))
    }

    /// For `repository` (`owner/name`) and `login`, with branches under `prefix`.
    pub fn new(repository: &str, login: &str, prefix: &str) -> Ownership {
        Ownership {
            repository: repository.to_owned(),
            login: login.to_owned(),
            prefix: prefix.to_owned(),
        }
    }

    /// Whether `branch` is one Hoist may create or move for a change to `target`.
    pub fn may_move(&self, branch: &str, target: &str) -> bool {
        branch.starts_with(&branch_space(&self.prefix, target))
    }

    /// The marker of a pull request as GitHub describes it (a list item or
    /// a single pull request), when the pull request is Hoist's own.
    pub fn marker_of(&self, pull: &Value) -> Option<Marker> {
        let marker = pull["body"].as_str().and_then(Marker::find)?;
        let head = &pull["head"];
        self.owns(
            head["repo"]["full_name"].as_str(),
            head["ref"].as_str()?,
            pull["user"]["login"].as_str(),
            &marker,
        )
        .then_some(marker)
    }

    /// Whether a pull request from `branch` of `head_repository` (`None`:
    /// a fork since deleted), opened by `author`, carrying `marker`, is Hoist's.
    pub fn owns(
        &self,
        head_repository: Option<&str>,
        branch: &str,
        author: Option<&str>,
        marker: &Marker,
    ) -> bool {
        same_repository(&self.repository, head_repository)
            && author.is_some_and(|a| a.eq_ignore_ascii_case(&self.login))
            && self.may_move(branch, &marker.target)
    }
}

/// Whether a head branch in `head_repository` is in the client's repository
/// rather than in a fork.
pub fn is_here(client: &Client, head_repository: Option<&str>) -> bool {
    same_repository(&client.remote().slug(), head_repository)
}

/// Whether `head_repository` (`None`: a deleted fork) is `repository`;
/// GitHub compares `owner/name` without case.
fn same_repository(repository: &str, head_repository: Option<&str>) -> bool {
    head_repository.is_some_and(|r| r.eq_ignore_ascii_case(repository))
}

#[cfg(test)]
mod tests {
    use hoist_core::plan::request::Marker;
    use serde_json::json;

    use super::Ownership;

    fn marker() -> Marker {
        Marker {
            kind: "promotion".into(),
            target: "stage".into(),
            source: "dev".into(),
            apps: vec![("api".into(), "1.5.0".into())],
            base: "0".repeat(40),
            train: None,
        }
    }

    #[test]
    fn only_this_repositorys_branches_under_the_prefix_by_the_signed_in_account() {
        let own = Ownership::new("acme/gitops", "release-manager", "hoist");
        let m = marker();
        let here = Some("acme/gitops");
        assert!(own.owns(here, "hoist/stage/api-1.5.0", Some("release-manager"), &m));
        assert!(own.owns(
            Some("ACME/GitOps"),
            "hoist/stage/x",
            Some("Release-Manager"),
            &m
        ));
        // A fork's branch, whatever its name.
        assert!(!own.owns(
            Some("mallory/gitops"),
            "hoist/stage/api-1.5.0",
            Some("release-manager"),
            &m
        ));
        assert!(!own.owns(None, "hoist/stage/api-1.5.0", Some("release-manager"), &m));
        // Outside the prefix, or for another environment's space.
        for branch in [
            "env/stage",
            "main",
            "hoist/prod/api-1.5.0",
            "hoist/stage",
            "hoistx/stage/a",
        ] {
            assert!(
                !own.owns(here, branch, Some("release-manager"), &m),
                "{branch}"
            );
        }
        // Someone else's.
        assert!(!own.owns(here, "hoist/stage/api-1.5.0", Some("mallory"), &m));
        assert!(!own.owns(here, "hoist/stage/api-1.5.0", None, &m));
    }

    #[test]
    fn the_marker_counts_only_on_an_owned_pull_request() {
        let own = Ownership::new("acme/gitops", "release-manager", "hoist");
        let body = format!(
            "copied\n<!-- hoist: {} -->",
            serde_json::to_string(&marker()).expect("json")
        );
        let pull = |repo: &str, branch: &str, user: &str| {
            json!({
                "body": body,
                "user": { "login": user },
                "head": { "ref": branch, "repo": { "full_name": repo } },
            })
        };
        assert_eq!(
            own.marker_of(&pull(
                "acme/gitops",
                "hoist/stage/api-1.5.0",
                "release-manager"
            )),
            Some(marker())
        );
        assert_eq!(
            own.marker_of(&pull("mallory/gitops", "env/stage", "mallory")),
            None
        );
        assert_eq!(
            own.marker_of(&pull("acme/gitops", "env/stage", "release-manager")),
            None
        );
    }
}
