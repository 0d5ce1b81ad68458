//! The surface the window and the CLI share, driven as they drive it: a
//! preview kept by id, its pull request opened (and resumed) from that id,
//! the tracker's list, and the merge followed until the reconciler reports,
//! against the sandbox with the token handed over in memory as the demo does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hoist_api::preview::{self, CONTEXT};
use hoist_api::{Error, Session, Work, pulls};
use hoist_core::plan::Options;
use hoist_fixtures::git;
use hoist_github::open::{Outcome, Step, WhenOpen};
use hoist_github::track::CheckState;
use hoist_sandbox::Forge;

mod common;
use common::{demo, until_mergeable};

/// The branch-helm fixture behind the sandbox, opened as the demo is: the
/// clone's origin names the demo's host and the session holds its token.
fn session(dir: &std::path::Path, reconciler: Option<&str>) -> Arc<Session> {
    session_on(Forge::Github, dir, reconciler)
}

/// Like [`session`], on `forge`: for GitLab the origin is a self-managed
/// host whose name says nothing, so the clone's `hoist.forge` says GitLab.
fn session_on(forge: Forge, dir: &std::path::Path, reconciler: Option<&str>) -> Arc<Session> {
    session_with(forge, dir, reconciler, Vec::new())
}

/// Like [`session_on`], the sandbox also serving the apps' `sources`, and
/// the session keeping its cache under `dir/cache`.
fn session_with(
    forge: Forge,
    dir: &std::path::Path,
    reconciler: Option<&str>,
    sources: Vec<hoist_sandbox::Source>,
) -> Arc<Session> {
    common::session("branch-helm", forge, dir, reconciler, sources)
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

/// A bare clone of fixture `name` under `dir`, served as `acme/<repo>`.
fn source(name: &str, repo: &str, dir: &std::path::Path) -> hoist_sandbox::Source {
    let bare = dir.join(format!("{repo}.git"));
    git(
        dir,
        &[
            "clone",
            "-q",
            "--bare",
            &hoist_fixtures::fixture(name).to_string_lossy(),
            &bare.to_string_lossy(),
        ],
    );
    hoist_sandbox::Source {
        owner: "acme".into(),
        name: repo.into(),
        repo: bare,
    }
}

/// `.hoist.yaml` of the branch-helm fixture with each app's source as given
/// (`None`: inferred from its image) and a ticket tracker.
fn config_with_sources(session: &Session, dir: &std::path::Path, sources: &[(&str, &str)]) {
    let mut yaml = git(&session.repository(), &["show", "origin/main:.hoist.yaml"]);
    for (app, source) in sources {
        let line = format!("  - name: {app}\n");
        yaml = yaml.replace(&line, &format!("{line}    source: {source}\n"));
    }
    yaml.push_str("tickets:\n  url: https://jira.acme.example/browse/{key}\n");
    let file = dir.join("hoist.yaml");
    std::fs::write(&file, yaml).expect("config");
    session.use_config_file(file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_notes_come_from_each_apps_source_repository_and_are_kept() {
    use hoist_api::notes::{self, NotesOutcome, Unavailable};
    use hoist_core::notes::{Reference, Section};
    let dir = tempfile::tempdir().expect("temp dir");
    let sources = vec![
        source("source-api", "api", dir.path()),
        source("source-worker", "worker", dir.path()),
    ];
    let session = session_with(Forge::Github, dir.path(), None, sources);
    let host = format!("https://{}", hoist_demo::HOST);
    config_with_sources(
        &session,
        dir.path(),
        &[
            ("api", &format!("{{ repository: \"{host}/acme/api\" }}")),
            (
                "worker",
                &format!("{{ repository: \"{host}/acme/worker\" }}"),
            ),
        ],
    );
    let preview = preview::promotion(&session, "stage", "prod", &[], &Options::default(), CONTEXT)
        .expect("preview")
        .expect("stage runs what prod does not");
    let arrived = Mutex::new(Vec::new());
    let all = notes::of_preview(&session, &preview.id, &|n| {
        arrived.lock().expect("lock").push(n.app.clone());
    })
    .await
    .expect("notes");
    assert_eq!(
        *arrived.lock().expect("lock"),
        ["api", "worker"],
        "one by one"
    );
    let ready = |app: &str| match &all.iter().find(|n| n.app == app).expect(app).outcome {
        NotesOutcome::Ready { notes, commits, .. } => (notes.clone(), *commits),
        other => panic!("{app}: {other:?}"),
    };
    // api 1.4.2 → 1.5.0: the SSO feature (its pull request's title, labels
    // and the issue and ticket its body names) and the squashed fix.
    let (api, commits) = ready("api");
    assert_eq!(commits, 3, "the merge, the commit it brought, the squash");
    let read: Vec<(Section, &str, Option<u64>, &str)> = api
        .iter()
        .map(|n| {
            (
                n.section,
                n.text.as_str(),
                n.change.map(|c| c.number),
                n.author.as_str(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (
                Section::Features,
                "log in with SSO",
                Some(101),
                "bob-okafor"
            ),
            (
                Section::Fixes,
                "no 500 on an empty cart",
                Some(102),
                "carol-nguyen"
            ),
        ]
    );
    assert_eq!(
        api[0].references,
        [
            Reference::Issue { number: 88 },
            Reference::Ticket {
                key: "API-7".into(),
                url: "https://jira.acme.example/browse/API-7".into()
            }
        ]
    );
    // worker 0.9.0 → 0.9.1, another repository: a title without a
    // convention goes by its label.
    let (worker, _) = ready("worker");
    let sections: Vec<(Section, &str)> = worker
        .iter()
        .map(|n| (n.section, n.text.as_str()))
        .collect();
    assert_eq!(
        sections,
        [
            (Section::Features, "a job dashboard"),
            (Section::Fixes, "Retry failed jobs")
        ]
    );

    // Kept: asked again, no request reaches the forge.
    let demo = demo(&session);
    let before = demo.sandbox.source_journal("acme/api").len();
    let again = notes::of_preview(&session, &preview.id, &|_| {})
        .await
        .expect("notes");
    assert_eq!(demo.sandbox.source_journal("acme/api").len(), before);
    assert!(matches!(again[0].outcome, NotesOutcome::Ready { .. }));

    // History: one change of an environment's history, selected.
    let change = hoist_core::source::Change {
        environment: "stage",
        app: "api",
        commit: "HEAD",
        from: "1.4.2",
        to: "1.5.0",
    };
    let selected = notes::of_change(&session, &change)
        .await
        .expect("notes")
        .expect("api has a source");
    assert_eq!(selected.source.path, "acme/api");
    assert!(matches!(selected.outcome, NotesOutcome::Ready { ref notes, .. } if notes.len() == 2));
    let unknown = hoist_core::source::Change {
        app: "nobody",
        ..change
    };
    assert!(
        notes::of_change(&session, &unknown)
            .await
            .expect("notes")
            .is_none()
    );

    // The pull request opened from the preview carries them, linked into
    // each source repository (`#101` alone would name one of this one's).
    let opened = pulls::open(&session, &preview.id, None, WhenOpen::Report, &|_| {})
        .await
        .expect("opened");
    let body = demo.sandbox.pull_body(opened.number).expect("a body");
    assert!(
        body.contains("<summary>Release notes: api (`1.4.2` → `1.5.0`, acme/api)</summary>"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "log in with SSO ([acme/api#101]({host}/acme/api/pull/101)) — [acme/api#88]({host}/acme/api/issues/88)"
        )),
        "{body}"
    );
    assert!(
        body.contains("<summary>Release notes: worker (`0.9.0` → `0.9.1`, acme/worker)</summary>"),
        "{body}"
    );

    // Each failure says why, and never stops the others: a tag the
    // repository does not have, a repository that is not there, a host
    // with no token.
    config_with_sources(
        &session,
        dir.path(),
        &[
            (
                "api",
                &format!("{{ repository: \"{host}/acme/api\", tag_prefix: v }}"),
            ),
            ("worker", &format!("{{ repository: \"{host}/acme/gone\" }}")),
        ],
    );
    let preview = preview::promotion(&session, "stage", "prod", &[], &Options::default(), CONTEXT)
        .expect("preview")
        .expect("something");
    let failed = notes::of_preview(&session, &preview.id, &|_| {})
        .await
        .expect("notes");
    let reasons: Vec<(&str, Unavailable)> = failed
        .iter()
        .map(|n| match &n.outcome {
            NotesOutcome::Unavailable { reason, .. } => (n.app.as_str(), *reason),
            other => panic!("{}: {other:?}", n.app),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("api", Unavailable::TagMissing),
            ("worker", Unavailable::NotFound)
        ]
    );
    config_with_sources(
        &session,
        dir.path(),
        &[(
            "api",
            "{ repository: \"https://git.acme.example/acme/api\" }",
        )],
    );
    let preview = preview::promotion(
        &session,
        "stage",
        "prod",
        &["api".into()],
        &Options::default(),
        CONTEXT,
    )
    .expect("preview")
    .expect("something");
    let no_token = notes::of_preview(&session, &preview.id, &|_| {})
        .await
        .expect("notes");
    assert!(
        matches!(
            no_token[0].outcome,
            NotesOutcome::Unavailable {
                reason: Unavailable::NoToken,
                ..
            }
        ),
        "{:?}",
        no_token[0].outcome
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_held_up_by_a_rate_limit_say_so_and_are_read_next_time() {
    use hoist_api::notes::{self, NotesOutcome, Unavailable};
    let dir = tempfile::tempdir().expect("temp dir");
    let sources = vec![source("source-worker", "worker", dir.path())];
    let session = session_with(Forge::Github, dir.path(), None, sources);
    let host = format!("https://{}", hoist_demo::HOST);
    config_with_sources(
        &session,
        dir.path(),
        &[(
            "worker",
            &format!("{{ repository: \"{host}/acme/worker\" }}"),
        )],
    );
    // Longer than any wait Hoist sits out: it gives up at once.
    demo(&session).sandbox.inject_source(
        "acme/worker",
        hoist_sandbox::Fault::once(
            "GET",
            "/compare/",
            hoist_sandbox::FaultKind::SecondaryRateLimit { retry_after: 3_600 },
        ),
    );
    let apps = ["worker".to_owned()];
    let preview = preview::promotion(
        &session,
        "stage",
        "prod",
        &apps,
        &Options::default(),
        CONTEXT,
    )
    .expect("preview")
    .expect("something");
    let held = notes::of_preview(&session, &preview.id, &|_| {})
        .await
        .expect("notes");
    assert!(
        matches!(
            held[0].outcome,
            NotesOutcome::Unavailable {
                reason: Unavailable::RateLimited,
                ..
            }
        ),
        "{:?}",
        held[0].outcome
    );
    // A failure is not kept: asked again, they are read.
    let read = notes::of_preview(&session, &preview.id, &|_| {})
        .await
        .expect("notes");
    assert!(
        matches!(read[0].outcome, NotesOutcome::Ready { .. }),
        "{:?}",
        read[0].outcome
    );
}
