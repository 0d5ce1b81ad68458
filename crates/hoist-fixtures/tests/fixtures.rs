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

/// Every script in tests/fixtures except the shared library and the driver.
fn all_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(hoist_fixtures::scripts_dir())
        .expect("tests/fixtures lists")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".sh")?.to_owned();
            (stem != "all" && !stem.starts_with('_')).then_some(stem)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_builds_with_its_branches() {
    let expected: &[(&str, &[&str])] = &[
        (
            "branch-helm",
            &[
                "refs/heads/main",
                "refs/heads/env/dev",
                "refs/heads/env/stage",
                "refs/heads/env/prod",
            ],
        ),
        (
            "bad-config",
            &[
                "refs/heads/main",
                "refs/heads/env/dev",
                "refs/heads/env/stage",
                "refs/heads/env/prod",
            ],
        ),
        (
            "bad-config-schema",
            &[
                "refs/heads/main",
                "refs/heads/env/dev",
                "refs/heads/env/prod",
            ],
        ),
        (
            "missing-file",
            &[
                "refs/heads/main",
                "refs/heads/env/dev",
                "refs/heads/env/stage",
                "refs/heads/env/prod",
            ],
        ),
        (
            "awkward",
            &[
                "refs/heads/main",
                "refs/heads/env/dev",
                "refs/heads/env/prod",
            ],
        ),
        ("dirs-kustomize", &["refs/heads/main"]),
        ("overlays", &["refs/heads/main"]),
        ("flux-clusters", &["refs/heads/main"]),
        (
            "rendered-manifests",
            &[
                "refs/heads/main",
                "refs/heads/environment/development",
                "refs/heads/environment/development-next",
                "refs/heads/environment/staging",
                "refs/heads/environment/staging-next",
                "refs/heads/environment/production",
                "refs/heads/environment/production-next",
            ],
        ),
        (
            "kargo",
            &[
                "refs/heads/main",
                "refs/heads/dev",
                "refs/heads/qa",
                "refs/heads/staging",
                "refs/heads/production",
            ],
        ),
        (
            "clone",
            &[
                "refs/heads/main",
                "refs/remotes/origin/env/dev",
                "refs/remotes/origin/env/stage",
                "refs/remotes/origin/env/prod",
            ],
        ),
        (
            "shallow-clone",
            &[
                "refs/heads/main",
                "refs/remotes/origin/env/dev",
                "refs/remotes/origin/env/stage",
                "refs/remotes/origin/env/prod",
            ],
        ),
        ("empty", &[]),
    ];
    for name in all_names() {
        let repo = fixture(&name);
        assert!(
            repo.join(".git").is_dir(),
            "{name}: no repository at {}",
            repo.display()
        );
        let have = refs(&repo);
        if let Some((_, want)) = expected.iter().find(|(n, _)| *n == name) {
            for r in *want {
                assert!(
                    have.contains(&r.to_string()),
                    "{name}: missing {r}; has {have:?}"
                );
            }
        }
        // Nothing is left behind: fixtures are clean work trees on main.
        if name != "empty" {
            assert_eq!(
                git(&repo, &["status", "--porcelain"]),
                "",
                "{name}: dirty work tree"
            );
            assert_eq!(
                git(&repo, &["symbolic-ref", "--short", "HEAD"]).trim(),
                "main",
                "{name}"
            );
        }
    }
    assert!(refs(&fixture("empty")).is_empty());
}

#[test]
fn clones_keep_environment_branches_only_as_remote_refs() {
    for name in ["clone", "shallow-clone"] {
        let local: Vec<String> = refs(&fixture(name))
            .into_iter()
            .filter(|r| r.starts_with("refs/heads/"))
            .collect();
        assert_eq!(local, vec!["refs/heads/main".to_owned()], "{name}");
    }
    let shallow = fixture("shallow-clone");
    assert_eq!(
        git(&shallow, &["rev-list", "--count", "origin/env/prod"]).trim(),
        "1"
    );
    let full = fixture("clone");
    assert_eq!(
        git(&full, &["rev-parse", "origin/env/prod"]),
        git(&fixture("branch-helm"), &["rev-parse", "env/prod"])
    );
}

#[test]
fn scripts_are_reproducible() {
    // Fixed dates and identities: a second build gives the same commit ids, so headers
    // may quote them and tests may compare them.
    for name in ["branch-helm", "rendered-manifests", "awkward"] {
        let again = tempfile::tempdir().expect("temporary directory");
        let status = Command::new("bash")
            .arg(hoist_fixtures::scripts_dir().join(format!("{name}.sh")))
            .arg(again.path())
            .status()
            .expect("bash runs");
        assert!(status.success(), "{name} failed on a second build");
        let shas = |repo: &Path| git(repo, &["for-each-ref", "--format=%(objectname) %(refname)"]);
        assert_eq!(
            shas(again.path()),
            shas(&fixture(name)),
            "{name} is not reproducible"
        );
    }
}

#[test]
fn branch_helm_matches_its_header() {
    let repo = fixture("branch-helm");
    let tag = |branch: &str, file: &str| {
        git(&repo, &["show", &format!("{branch}:{file}")])
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("tag: ")
                    .map(|v| v.split("  #").next().unwrap_or(v).to_owned())
            })
            .expect("a tag line")
    };
    assert_eq!(tag("env/dev", "apps/api/values.yaml"), "1.6.0");
    assert_eq!(tag("env/stage", "apps/api/values.yaml"), "1.5.0");
    assert_eq!(tag("env/prod", "apps/api/values.yaml"), "\"1.4.2\"");
    assert_eq!(tag("env/prod", "apps/web/values.yaml"), "\"2.1.0\"");
    assert_eq!(tag("env/prod", "apps/worker/values-prod.yaml"), "'0.9.0'");
    let subjects = git(&repo, &["log", "--format=%s", "env/dev"]);
    assert!(subjects.contains("Merge pull request #12 from acme/promote-api-1.5.0"));
    let stage = git(
        &repo,
        &["log", "--first-parent", "--format=%s", "env/stage"],
    );
    assert!(stage.contains("Promote api to 1.5.0 (#34)"));
    // A real merge: two parents.
    let parents = git(
        &repo,
        &["log", "-1", "--format=%P", ":/Merge pull request #35"],
    );
    assert_eq!(parents.split_whitespace().count(), 2);
}
