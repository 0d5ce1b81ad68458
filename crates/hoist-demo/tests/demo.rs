//! The demo comes up wired together, and a second start reuses the first's repositories.

use std::time::Duration;

use hoist_demo::Demo;

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn the_clone_points_at_the_sandbox_for_the_api_and_at_the_bare_repository_for_git() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = Demo::start(dir.path(), Duration::from_millis(10)).expect("demo");
    assert_eq!(
        git(&demo.clone, &["config", "remote.origin.url"]),
        hoist_demo::origin()
    );
    assert_eq!(
        git(&demo.clone, &["config", "hoist.apiUrl"]),
        demo.sandbox.url()
    );
    let (remote, api) =
        hoist_github::connect::locate(&hoist_demo::origin(), Some(demo.sandbox.url()))
            .expect("locate");
    assert_eq!(
        (remote.host.as_str(), remote.slug(), api.as_str()),
        (
            hoist_demo::HOST,
            "acme/gitops".to_owned(),
            demo.sandbox.url()
        )
    );
    // Fetches go to the bare repository, never the network.
    git(&demo.clone, &["fetch", "-q", "origin"]);
    assert_eq!(
        git(&demo.clone, &["rev-parse", "origin/env/prod"]),
        git(&demo.bare, &["rev-parse", "env/prod"])
    );
    let project = hoist_core::Project::open(&demo.clone).expect("project");
    assert_eq!(project.config.environments.len(), 4);
    assert_eq!(project.config.apps.len(), hoist_demo::SPEC.apps);
    drop(demo);
    // Started again: the same repositories, the new sandbox's address.
    let again = Demo::start(dir.path(), Duration::from_millis(10)).expect("demo again");
    assert_eq!(
        git(&again.clone, &["config", "hoist.apiUrl"]),
        again.sandbox.url()
    );
}
