//! Following a promotion pull request against the sandbox: checks, reviews,
//! the merge, and the reconciler's report on the environment's new tip.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hoist_core::Project;
use hoist_core::config::PrSettings;
use hoist_core::point::Point;
use hoist_forge::checks::until_settled;
use hoist_github::client::Policy;
use hoist_github::open::{Request, WhenOpen, open};
use hoist_github::ownership::Ownership;
use hoist_github::track::{self, CheckState, Mergeability, PullState, ReviewDecision};
use hoist_github::{Client, Error};
use hoist_sandbox::{Config, Sandbox};

const TOKEN: &str = "ghp_tracktesttoken";

struct World {
    _dir: tempfile::TempDir,
    sandbox: Sandbox,
    client: Client,
    ownership: Ownership,
    number: u64,
    head: String,
}

async fn opened_promotion() -> World {
    opened_promotion_merging_by(&["merge", "squash"]).await
}

/// A promotion opened on a repository that allows the merge `methods`.
async fn opened_promotion_merging_by(methods: &[&str]) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir.path());
    let mut config = Config::new(&bare, "acme", "gitops", "release-manager", TOKEN);
    config.merge_methods = methods.iter().map(|m| m.to_string()).collect();
    config.collaborators = vec!["alice".into()];
    config.checks = vec!["validate".into()];
    config.reconciler = Some("argo-cd/stage".into());
    config.delay = Duration::from_millis(100);
    let sandbox = Sandbox::start(config).expect("sandbox");
    let policy = Policy {
        backoff: Duration::from_millis(10),
        ..Policy::default()
    };
    let client = common::sandbox_client_with(sandbox.url(), TOKEN, policy);
    let project = Project::open(&clone).expect("project");
    let plan = hoist_core::plan::promotion(&project, &Point::tip("dev"), "stage", &["api".into()])
        .expect("plan")
        .expect("a change");
    let settings = PrSettings {
        reviewers: vec!["alice".into()],
        ..PrSettings::default()
    };
    let request = Request {
        plan: &plan,
        settings: &settings,
        reason: None,
        when_open: WhenOpen::Report,
    };
    let opened = open(&client, &request, &|_| {}, &AtomicBool::new(false))
        .await
        .expect("opened");
    let ownership = Ownership::of(&client, &settings.branch_prefix)
        .await
        .expect("signed in");
    World {
        _dir: dir,
        sandbox,
        client,
        ownership,
        number: opened.number,
        head: opened.commit,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_a_promotion_from_open_to_reconciled() {
    let w = opened_promotion().await;
    assert_eq!(
        track::open_numbers(&w.client, &w.ownership)
            .await
            .expect("list"),
        [w.number]
    );
    let fresh = track::pull(&w.client, &w.ownership, w.number)
        .await
        .expect("pull");
    assert_eq!(
        (fresh.state, fresh.review),
        (PullState::Open, ReviewDecision::ReviewRequired)
    );
    assert_eq!(fresh.marker.target, "stage");
    assert_eq!(fresh.head, w.head);
    let none = AtomicBool::new(false);
    let checks = until_settled(
        || track::checks(&w.client, &w.head),
        Duration::from_millis(20),
        Duration::from_secs(10),
        &|_| {},
        &none,
    )
    .await
    .expect("checks")
    .expect("not stopped");
    assert_eq!(checks.state, CheckState::Success);
    assert_eq!(checks.items[0].name, "validate");

    // Polling an unchanged pull request is answered 304, which is free.
    let before = w
        .sandbox
        .journal()
        .iter()
        .filter(|e| e.status == 304)
        .count();
    track::pull(&w.client, &w.ownership, w.number)
        .await
        .expect("pull");
    assert!(
        w.sandbox
            .journal()
            .iter()
            .filter(|e| e.status == 304)
            .count()
            > before
    );

    w.sandbox
        .review(w.number, "alice", "APPROVED")
        .expect("review");
    let approved = track::pull(&w.client, &w.ownership, w.number)
        .await
        .expect("pull");
    assert_eq!(approved.review, ReviewDecision::Approved);
    assert!(approved.can_merge, "{approved:?}");
    assert_eq!(approved.mergeability, Mergeability::Clean);
    let merged = track::merge(&w.client, &w.ownership, w.number, &approved.head)
        .await
        .expect("merge");
    let after = track::pull(&w.client, &w.ownership, w.number)
        .await
        .expect("pull");
    assert_eq!(
        (after.state, after.merge_commit.as_deref()),
        (PullState::Merged, Some(merged.as_str()))
    );
    assert!(
        track::open_numbers(&w.client, &w.ownership)
            .await
            .expect("list")
            .is_empty()
    );

    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let settled = until_settled(
        || track::checks(&w.client, "env/stage"),
        Duration::from_millis(20),
        Duration::from_secs(10),
        &move |c| log.lock().expect("lock").push(c.state),
        &none,
    )
    .await
    .expect("reconciled")
    .expect("not stopped");
    assert_eq!(
        (settled.sha.as_str(), settled.state),
        (merged.as_str(), CheckState::Success)
    );
    assert_eq!(settled.items[0].name, "argo-cd/stage");
    assert_eq!(
        seen.lock().expect("lock").last(),
        Some(&CheckState::Success)
    );
    common::check_journal(&w.sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_requested_a_stale_head_and_an_unhealthy_environment_are_reported() {
    let w = opened_promotion().await;
    w.sandbox
        .review(w.number, "alice", "CHANGES_REQUESTED")
        .expect("review");
    let blocked = track::pull(&w.client, &w.ownership, w.number)
        .await
        .expect("pull");
    assert_eq!(blocked.review, ReviewDecision::ChangesRequested);
    assert!(!blocked.can_merge);
    assert_eq!(blocked.mergeability, Mergeability::Blocked);
    let refused = track::merge(&w.client, &w.ownership, w.number, &w.head)
        .await
        .expect_err("blocked");
    assert!(matches!(refused, Error::Conflict { .. }), "{refused}");
    w.sandbox
        .review(w.number, "alice", "APPROVED")
        .expect("review");
    let stale = track::merge(
        &w.client,
        &w.ownership,
        w.number,
        "0000000000000000000000000000000000000000",
    )
    .await
    .expect_err("stale");
    assert!(
        stale.to_string().contains("Head branch was modified"),
        "{stale}"
    );
    w.sandbox.reconcile_outcome("env/stage", "failure");
    let merged = track::merge(&w.client, &w.ownership, w.number, &w.head)
        .await
        .expect("merge");
    let none = AtomicBool::new(false);
    let settled = until_settled(
        || track::checks(&w.client, &merged),
        Duration::from_millis(20),
        Duration::from_secs(10),
        &|_| {},
        &none,
    )
    .await
    .expect("settled")
    .expect("not stopped");
    assert_eq!(settled.state, CheckState::Failure);
    assert!(
        settled.items[0]
            .description
            .as_deref()
            .unwrap_or("")
            .contains("degraded")
    );
}

/// Anyone can copy Hoist's marker into a pull request from a fork: the
/// tracker does not list it, and neither reads nor merges it as Hoist's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forks_pull_request_with_a_copied_marker_is_not_tracked_or_merged() {
    let w = opened_promotion().await;
    let ours = track::pull(&w.client, &w.ownership, w.number)
        .await
        .expect("ours");
    let body = w
        .client
        .get(&w.client.repo_path(&format!("/pulls/{}", w.number)), "pull")
        .await
        .expect("body")["body"]
        .as_str()
        .expect("a body")
        .to_owned();
    let fork = w.sandbox.open_fork_pull(
        "mallory",
        &ours.branch,
        &w.head,
        "env/stage",
        "Promote api",
        &body,
    );
    assert_eq!(
        track::open_numbers(&w.client, &w.ownership)
            .await
            .expect("list"),
        [w.number]
    );
    let e = track::pull(&w.client, &w.ownership, fork)
        .await
        .expect_err("not Hoist's");
    assert!(e.to_string().contains("not opened by Hoist"), "{e}");
    let e = track::merge(&w.client, &w.ownership, fork, &w.head)
        .await
        .expect_err("not Hoist's");
    assert!(e.to_string().contains("not opened by Hoist"), "{e}");
    assert!(
        w.sandbox
            .pulls()
            .iter()
            .any(|(n, state, _)| *n == fork && *state == hoist_sandbox::PullState::Open)
    );
}

/// Squash-only and rebase-only repositories: the merge uses what the
/// repository allows, and writes one commit on the environment's branch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_merge_uses_a_method_the_repository_allows() {
    for method in ["squash", "rebase"] {
        let w = opened_promotion_merging_by(&[method]).await;
        let merged = track::merge(&w.client, &w.ownership, w.number, &w.head)
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let commit = w
            .client
            .get(
                &w.client.repo_path(&format!("/git/commits/{merged}")),
                "commit",
            )
            .await
            .expect("commit");
        assert_eq!(
            commit["parents"].as_array().map(Vec::len),
            Some(1),
            "{method}: {commit}"
        );
        let after = track::pull(&w.client, &w.ownership, w.number)
            .await
            .expect("pull");
        assert_eq!(after.state, PullState::Merged, "{method}");
    }
}
