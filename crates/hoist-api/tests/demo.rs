//! The demo's forge chosen in a running session: the window's choice between
//! a sandbox playing GitHub and one playing GitLab, over the same clone.

use std::sync::Arc;
use std::time::Duration;

use hoist_api::{Error, Session, account, pulls};
use hoist_core::forge::Forge;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_plays_either_forge_on_the_same_clone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = hoist_demo::Demo::start_on(
        dir.path(),
        Duration::from_millis(50),
        hoist_demo::Forge::Github,
    )
    .expect("demo");
    let clone = demo.clone.clone();
    let session = Arc::new(Session::new(clone.clone(), Some(demo)));
    assert_eq!(session.demo_forge(), Some(Forge::GitHub));
    assert_eq!(session.forge(), Forge::GitHub);
    let github = session
        .demo()
        .expect("on the demo")
        .sandbox
        .url()
        .to_owned();
    pulls::list(&session).await.expect("GitHub's pull requests");

    session.open_demo(Forge::GitLab).await.expect("restarted");
    assert_eq!(session.demo_forge(), Some(Forge::GitLab));
    assert_eq!(session.repository(), clone, "the same clone");
    assert_eq!(session.forge(), Forge::GitLab, "the clone says GitLab");
    let gitlab = session
        .demo()
        .expect("on the demo")
        .sandbox
        .url()
        .to_owned();
    assert_ne!(gitlab, github, "a new sandbox");
    let account = account::current(&session).await.expect("account");
    assert_eq!(account.forge, Forge::GitLab);
    assert_eq!(account.login.as_deref(), Some(hoist_demo::LOGIN));
    pulls::list(&session)
        .await
        .expect("GitLab's merge requests, asked of the new sandbox");

    // Elsewhere, then back: the demo as it runs, not restarted.
    let other = tempfile::tempdir().expect("temp dir");
    let (_, elsewhere) = hoist_fixtures::origin_and_clone("branch-helm", other.path());
    session.switch(elsewhere).await;
    assert!(session.demo().is_none(), "not on the demo's clone");
    assert_eq!(session.demo_forge(), Some(Forge::GitLab), "still running");
    session.open_demo(Forge::GitLab).await.expect("back");
    assert_eq!(session.repository(), clone);
    assert_eq!(
        session.demo().expect("on the demo").sandbox.url(),
        gitlab,
        "the same sandbox"
    );

    // And GitHub again: the clone forgets GitLab.
    session.open_demo(Forge::GitHub).await.expect("restarted");
    assert_eq!(session.forge(), Forge::GitHub);
    pulls::list(&session).await.expect("GitHub's pull requests");
}

#[tokio::test]
async fn a_session_on_a_repository_has_no_demo_to_show() {
    let session = Session::new(std::path::PathBuf::from("/nowhere"), None);
    assert_eq!(session.demo_forge(), None);
    let refused = session.open_demo(Forge::GitLab).await.expect_err("no demo");
    assert!(matches!(refused, Error::NoDemo), "{refused}");
}

/// A session on the demo, its sandbox playing GitHub.
fn github_demo(dir: &std::path::Path) -> Arc<Session> {
    let demo =
        hoist_demo::Demo::start_on(dir, Duration::from_millis(50), hoist_demo::Forge::Github)
            .expect("demo");
    let clone = demo.clone.clone();
    Arc::new(Session::new(clone, Some(demo)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_promotions_have_release_notes_from_each_apps_repository() {
    use hoist_api::notes::{self, NotesOutcome};
    use hoist_api::preview;
    use hoist_core::plan::Options;
    let dir = tempfile::tempdir().expect("temp dir");
    let session = github_demo(dir.path());
    let preview = preview::promotion(
        &session,
        "stage",
        "prod",
        &[],
        &Options::default(),
        preview::CONTEXT,
    )
    .expect("preview")
    .expect("stage is ahead of prod somewhere");
    let all = notes::of_preview(&session, &preview.id, &|_| {})
        .await
        .expect("notes");
    let ready: Vec<(&str, usize)> = all
        .iter()
        .map(|n| match &n.outcome {
            NotesOutcome::Ready { notes, .. } => (n.source.path.as_str(), notes.len()),
            NotesOutcome::Unavailable { message, .. } => panic!("{}: {message}", n.app),
        })
        .collect();
    assert_eq!(
        ready.len(),
        preview.plan.apps.len(),
        "every app has a source"
    );
    assert!(ready.len() >= 2, "{ready:?}");
    assert!(
        ready
            .iter()
            .all(|(path, n)| path.starts_with("acme/") && *n > 0),
        "{ready:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trains_pull_requests_carry_their_apps_release_notes() {
    use hoist_api::train;
    use hoist_core::config::TrainPulls;
    use hoist_core::plan::Options;
    use hoist_forge::change::WhenOpen;
    let dir = tempfile::tempdir().expect("temp dir");
    let session = github_demo(dir.path());
    let preview = train::preview(
        &session,
        "stage",
        "prod",
        &[],
        Some(TrainPulls::One),
        &Options::default(),
    )
    .expect("a train");
    let opened = train::open(&session, &preview.id, WhenOpen::Report, &|_| {})
        .await
        .expect("opened");
    let body = session
        .demo()
        .expect("the demo")
        .sandbox
        .pull_body(opened[0].number)
        .expect("a body");
    for plan in &preview.train.plans {
        for app in &plan.apps {
            assert!(
                body.contains(&format!("<summary>Release notes: {} (`v", app.app)),
                "{}: {body}",
                app.app
            );
        }
    }
}
