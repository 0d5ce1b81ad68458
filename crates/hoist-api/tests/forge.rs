//! Which forge a clone is on, and where its token may go: the user's own
//! `hoist.forge` first, then a host that names its forge, then the
//! repository's `.hoist.yaml` (content from anyone, so it never overrules a
//! host that says).

use hoist_api::Error;
use hoist_api::forge::{forge_of, host};
use hoist_core::forge::Forge;
use hoist_fixtures::git;

fn clone_with_origin(dir: &std::path::Path, origin: &str) -> hoist_core::Repo {
    git(dir, &["init", "-q"]);
    git(
        dir,
        &[
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "start",
        ],
    );
    git(dir, &["remote", "add", "origin", origin]);
    hoist_core::Repo::open(dir).expect("repo")
}

#[test]
fn the_forge_comes_from_the_user_then_the_host_then_the_repository() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = clone_with_origin(dir.path(), "https://github.com/acme/gitops.git");
    assert_eq!(forge_of(&repo, None).expect("forge"), Forge::GitHub);
    // A repository cannot make Hoist take github.com for GitLab.
    assert_eq!(
        forge_of(&repo, Some(Forge::GitLab)).expect("forge"),
        Forge::GitHub
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let repo = clone_with_origin(
        dir.path(),
        "git@git.acme.example:platform/deploy/gitops.git",
    );
    assert_eq!(forge_of(&repo, None).expect("forge"), Forge::GitHub);
    assert_eq!(
        forge_of(&repo, Some(Forge::GitLab)).expect("forge"),
        Forge::GitLab
    );
    git(dir.path(), &["config", "hoist.forge", "GitLab"]);
    let repo = hoist_core::Repo::open(dir.path()).expect("repo");
    assert_eq!(forge_of(&repo, None).expect("forge"), Forge::GitLab);
    git(dir.path(), &["config", "hoist.forge", "bitbucket"]);
    let repo = hoist_core::Repo::open(dir.path()).expect("repo");
    assert!(matches!(
        forge_of(&repo, None),
        Err(Error::UnknownForge { .. })
    ));

    let dir = tempfile::tempdir().expect("temp dir");
    let repo = clone_with_origin(dir.path(), "https://gitlab.com/group/sub/gitops");
    assert_eq!(
        forge_of(&repo, Some(Forge::GitHub)).expect("forge"),
        Forge::GitLab
    );
}

#[test]
fn gitlab_com_s_token_goes_to_gitlab_com_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = clone_with_origin(dir.path(), "https://gitlab.com/group/sub/gitops.git");
    let ok = host(&repo, Forge::GitLab, None, None).expect("host");
    assert_eq!(ok.api, "https://gitlab.com/api/v4");
    assert_eq!(ok.host, "gitlab.com");
    let refused = host(
        &repo,
        Forge::GitLab,
        Some("https://evil.example/api/v4"),
        None,
    );
    assert!(
        matches!(
            refused,
            Err(Error::GitLab(hoist_gitlab::Error::ApiUrl { .. }))
        ),
        "{:?}",
        refused.err()
    );
}
