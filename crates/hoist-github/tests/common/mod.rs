//! What the sandbox-backed tests share: a client for `acme/gitops` on the
//! sandbox with short waits, so a fault the test injects is retried quickly.

use std::time::Duration;

use hoist_github::client::Policy;
use hoist_github::{Client, Remote, Token};

/// A client that talks to the sandbox at `url` as `acme/gitops`, giving up
/// on one request after `timeout`.
#[allow(dead_code)] // Not every test binary that shares this module uses it.
pub fn sandbox_client(url: &str, token: &str, timeout: Duration) -> Client {
    let policy = Policy {
        max_wait: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(10),
        timeout,
    };
    sandbox_client_with(url, token, policy)
}

/// A client for `acme/gitops` on the sandbox at `url` with its own `policy`.
#[allow(dead_code)] // Not every test binary that shares this module uses it.
pub fn sandbox_client_with(url: &str, token: &str, policy: Policy) -> Client {
    let remote =
        Remote::parse("git@github.com:acme/gitops.git", &Default::default()).expect("remote");
    Client::new(&remote, url, &Token::new(token).expect("token"), policy).expect("client")
}

/// Sets api's version on the bare repository's `env/dev`, as a developer's
/// merge would, working in a clone beside it.
#[allow(dead_code)] // Not every test binary that shares this module uses it.
pub fn release_on_dev(bare: &std::path::Path, version: &str) {
    use hoist_fixtures::git;
    let dir = bare.parent().expect("the bare repository's folder");
    let work = dir.join(format!("work-{version}"));
    git(
        dir,
        &[
            "clone",
            "-q",
            "-b",
            "env/dev",
            &bare.to_string_lossy(),
            &work.to_string_lossy(),
        ],
    );
    let file = work.join("apps/api/values.yaml");
    let text = std::fs::read_to_string(&file).expect("values");
    let old = text
        .lines()
        .find(|l| l.trim_start().starts_with("tag:"))
        .expect("tag line")
        .to_owned();
    std::fs::write(&file, text.replace(&old, &format!("  tag: \"{version}\""))).expect("write");
    git(
        &work,
        &[
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@acme.test",
            "commit",
            "-qam",
            &format!("api {version}"),
        ],
    );
    git(&work, &["push", "-q", "origin", "env/dev"]);
}

/// Makes api's values file executable on the bare repository's `env/stage`,
/// as someone's push would.
#[allow(dead_code)] // Not every test binary that shares this module uses it.
pub fn make_stage_values_executable(bare: &std::path::Path) {
    use hoist_fixtures::git;
    let dir = bare.parent().expect("the bare repository's folder");
    let work = dir.join("work-mode");
    git(
        dir,
        &[
            "clone",
            "-q",
            "-b",
            "env/stage",
            &bare.to_string_lossy(),
            &work.to_string_lossy(),
        ],
    );
    git(
        &work,
        &["update-index", "--chmod=+x", "apps/api/values.yaml"],
    );
    git(
        &work,
        &[
            "-c",
            "user.name=Ops",
            "-c",
            "user.email=ops@acme.test",
            "commit",
            "-qm",
            "api values are executable, for a reason of their own",
        ],
    );
    git(&work, &["push", "-q", "origin", "env/stage"]);
}

/// Asserts every exchange with `sandbox` so far fits GitHub's published API
/// descriptions (REST and GraphQL).
#[allow(dead_code)] // Not every test binary that shares this module uses it.
pub fn check_journal(sandbox: &hoist_sandbox::Sandbox) {
    let root = hoist_fixtures::workspace_root();
    let failures = hoist_sandbox::openapi::violations(&root, &sandbox.journal()).expect("spec");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
