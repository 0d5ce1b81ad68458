//! The surface the window and the CLI share, driven as they drive it: a
//! preview kept by id, its pull request opened (and resumed) from that id,
//! the tracker's list, and the merge followed until the reconciler reports,
//! against the sandbox with the token handed over in memory as the demo does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hoist_api::preview::{self, CONTEXT};
use hoist_api::{Error, Session, Work, pulls};
use hoist_core::plan::Options;
use hoist_fixtures::git;
use hoist_github::open::{Outcome, Step, WhenOpen};
use hoist_github::track::CheckState;
use hoist_sandbox::{Config, Forge, Sandbox};

/// The branch-helm fixture behind the sandbox, opened as the demo is: the
/// clone's origin names the demo's host and the session holds its token.
fn session(dir: &std::path::Path, reconciler: Option<&str>) -> Arc<Session> {
    session_on(Forge::Github, dir, reconciler)
}

/// Like [`session`], on `forge`: for GitLab the origin is a self-managed
/// host whose name says nothing, so the clone's `hoist.forge` says GitLab.
fn session_on(forge: Forge, dir: &std::path::Path, reconciler: Option<&str>) -> Arc<Session> {
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir);
    let mut config = Config::new(
        &bare,
        hoist_demo::OWNER,
        hoist_demo::NAME,
        "release-manager",
        hoist_demo::TOKEN,
    );
    config.forge = forge;
    config.accounts[0].scopes = match forge {
        Forge::Github => vec!["repo".into()],
        Forge::Gitlab => vec!["api".into()],
    };
    config.reconciler = reconciler.map(str::to_owned);
    config.delay = Duration::from_millis(50);
    let sandbox = Sandbox::start(config).expect("sandbox");
    let origin = hoist_demo::origin();
    git(&clone, &["remote", "set-url", "origin", &origin]);
    let api = match forge {
        Forge::Github => sandbox.url().to_owned(),
        Forge::Gitlab => {
            git(&clone, &["config", "hoist.forge", "gitlab"]);
            format!("{}/api/v4", sandbox.url())
        }
    };
    git(
        &clone,
        &[
            "config",
            &format!("url.{}.insteadOf", bare.display()),
            &origin,
        ],
    );
    git(&clone, &["config", "hoist.apiUrl", &api]);
    let demo = hoist_demo::Demo {
        clone: clone.clone(),
        bare,
        sandbox,
        forge,
        dir: dir.to_owned(),
        delay: Duration::from_millis(50),
    };
    Arc::new(Session::new(clone, Some(demo)))
}

fn demo(session: &Session) -> Arc<hoist_demo::Demo> {
    session.demo().expect("on the demo's clone")
}

/// Waits until the forge lets the pull request be merged (its CI passed).
async fn until_mergeable(session: &Arc<Session>, number: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = pulls::get(session, number).await.expect("tracked");
        if t.can_merge {
            return t.head;
        }
        assert!(Instant::now() < deadline, "never mergeable: {t:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promotion_goes_from_preview_to_a_healthy_environment_on_github() {
    whole_loop(Forge::Github).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promotion_goes_from_preview_to_a_healthy_environment_on_gitlab() {
    whole_loop(Forge::Gitlab).await;
}

/// Preview, open, resume, list, merge and follow, then a rollback of it
/// opened the same way: the same calls whatever the forge.
async fn whole_loop(forge: Forge) {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = session_on(forge, dir.path(), Some("argo-cd/stage"));
    let preview = preview::promotion(
        &session,
        "dev",
        "stage",
        &["api".into()],
        &Options::default(),
        CONTEXT,
    )
    .expect("preview")
    .expect("dev runs something stage does not");
    assert!(preview.title.is_some() && preview.branch.is_some());
    assert_eq!(preview.diffs.len(), preview.plan.files.len());

    let steps: Mutex<Vec<Step>> = Mutex::default();
    let record = |s: Step| steps.lock().expect("steps").push(s);
    let opened = pulls::open(&session, &preview.id, None, WhenOpen::Report, &record)
        .await
        .expect("opened");
    assert_eq!(opened.outcome, Outcome::Created);
    assert!(
        steps
            .lock()
            .expect("steps")
            .contains(&Step::OpeningPullRequest)
    );

    // The same preview again finds its pull request rather than opening a second.
    let again = pulls::open(&session, &preview.id, None, WhenOpen::Report, &|_| {})
        .await
        .expect("resumed");
    assert_eq!(
        (again.outcome, again.number),
        (Outcome::Resumed, opened.number)
    );
    let listed = pulls::list(&session).await.expect("list");
    assert_eq!(
        listed.iter().map(|t| t.number).collect::<Vec<_>>(),
        [opened.number]
    );

    if forge == Forge::Github {
        // GitHub's auto-merge is not one Hoist offers: said so, nothing asked.
        let refused = pulls::merge_when_green(&session, opened.number, &opened.commit).await;
        assert!(
            matches!(refused, Err(Error::Unsupported { .. })),
            "{refused:?}"
        );
    }
    let head = until_mergeable(&session, opened.number).await;
    assert_eq!(head, opened.commit, "the PR holds the previewed commit");
    let updates = AtomicUsize::new(0);
    let merged = pulls::merge_and_follow(&session, opened.number, &head, &|_| {
        updates.fetch_add(1, Ordering::Relaxed);
    })
    .await
    .expect("merged");
    assert_eq!(merged.checks.state, CheckState::Success, "{merged:?}");
    assert_eq!(merged.checks.sha, merged.sha);
    assert!(updates.load(Ordering::Relaxed) >= 1);
    assert!(pulls::list(&session).await.expect("list").is_empty());
    assert_eq!(
        demo(&session).sandbox.pulls().len(),
        1,
        "one change request"
    );

    // Fetched: stage runs the new version; rolling it back is one more
    // change request, opened the same way.
    hoist_api::git::fetch(&session, &|_| {})
        .await
        .expect("fetched");
    let status = session
        .project()
        .expect("project")
        .status()
        .expect("status");
    let json = serde_json::to_string(&status).expect("json");
    let promoted = &preview.plan.apps[0].to;
    assert!(json.contains(promoted.as_str()), "{json}");
    let before = &preview.plan.base;
    let rollback = preview::rollback(&session, "stage", &before[..12], &[], CONTEXT)
        .expect("rollback preview")
        .expect("stage changed since");
    assert!(rollback.reason_required);
    let back = pulls::open(
        &session,
        &rollback.id,
        Some("the new version misbehaves"),
        WhenOpen::Report,
        &|_| {},
    )
    .await
    .expect("rollback opened");
    assert_eq!(back.outcome, Outcome::Created);
    assert_ne!(back.number, opened.number);
    assert_eq!(pulls::list(&session).await.expect("list").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preview_that_is_not_kept_opens_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = session(dir.path(), None);
    let err = pulls::open(&session, "plan-42", None, WhenOpen::Report, &|_| {})
        .await
        .expect_err("no such preview");
    assert!(
        matches!(err, Error::PreviewGone { ref id } if id == "plan-42"),
        "{err}"
    );
    assert!(
        demo(&session).sandbox.journal().is_empty(),
        "nothing was asked of the forge"
    );

    // A preview of a repository the session left is gone with it.
    let preview = preview::promotion(&session, "dev", "stage", &[], &Options::default(), 1)
        .expect("preview")
        .expect("a change");
    session.switch(dir.path().join("elsewhere")).await;
    assert!(matches!(
        pulls::open(&session, &preview.id, None, WhenOpen::Report, &|_| {}).await,
        Err(Error::PreviewGone { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_follow_keeps_the_merge_and_answers_the_checks_last_seen() {
    let dir = tempfile::tempdir().expect("temp dir");
    // No reconciler: the environment never reports, so only a stop ends the wait.
    let session = session(dir.path(), None);
    let preview = preview::promotion(&session, "dev", "stage", &[], &Options::default(), 3)
        .expect("preview")
        .expect("a change");
    let opened = pulls::open(&session, &preview.id, None, WhenOpen::Report, &|_| {})
        .await
        .expect("opened");
    let head = until_mergeable(&session, opened.number).await;
    let stopper = Arc::clone(&session);
    let merged = pulls::merge_and_follow(&session, opened.number, &head, &move |_| {
        assert!(stopper.cancel(Work::Merge), "the follow is running");
    })
    .await
    .expect("a stop is not a failure");
    assert_eq!(merged.checks.state, CheckState::Pending);
    assert_eq!(merged.checks.sha, merged.sha);
    let merges = demo(&session)
        .sandbox
        .pulls()
        .into_iter()
        .filter(|(n, state, _)| *n == opened.number && *state == hoist_sandbox::PullState::Merged)
        .count();
    assert_eq!(merges, 1, "the merge happened");
}
