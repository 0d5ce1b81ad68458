//! Every fixture script builds, the cache is reused, and each repository has
//! the branches its header promises.

use std::path::Path;
use std::process::Command;

use hoist_fixtures::{fixture, fresh_copy};

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git prints UTF-8")
}

fn refs(repo: &Path) -> Vec<String> {
    git(repo, &["for-each-ref", "--format=%(refname)"])
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_second_call_reuses_the_cached_repository() {
    let first = fixture("promotions");
    let head = git(&first, &["rev-parse", "env/prod"]);
    let second = fixture("promotions");
    assert_eq!(first, second);
    assert!(first.starts_with(hoist_fixtures::workspace_root().join("target/fixtures")));
    assert_eq!(git(&second, &["rev-parse", "env/prod"]), head);
}

#[test]
fn fresh_copies_are_private_and_complete() {
    let copy = fresh_copy("promotions");
    assert_ne!(copy.path(), fixture("promotions"));
    assert_eq!(
        git(copy.path(), &["rev-parse", "env/dev"]),
        git(&fixture("promotions"), &["rev-parse", "env/dev"])
    );
    git(copy.path(), &["branch", "-q", "scratch"]);
    assert!(!refs(&fixture("promotions")).contains(&"refs/heads/scratch".to_owned()));
}
