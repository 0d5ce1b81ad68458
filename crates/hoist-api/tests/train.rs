//! Release trains through the surface, against the sandbox: ten apps from
//! stage to prod, three of which stay behind, opened as one pull request or
//! one per app, also after a first attempt interrupted halfway.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use hoist_api::train::{self, TrainProgress};
use hoist_api::{Session, pulls};
use hoist_core::config::TrainPulls;
use hoist_core::plan::Options;
use hoist_core::plan::train::Skip;
use hoist_fixtures::git;
use hoist_github::open::{Outcome, Step, WhenOpen};
use hoist_sandbox::{Fault, FaultKind, Forge};

mod common;
use common::{demo, until_mergeable};

/// The train fixture behind the sandbox, opened as the demo is.
fn session(dir: &std::path::Path) -> Arc<Session> {
    session_on(Forge::Github, dir)
}

/// Like [`session`], the sandbox playing `forge`.
fn session_on(forge: Forge, dir: &std::path::Path) -> Arc<Session> {
    common::session("train", forge, dir, None, Vec::new())
}

/// The branches Hoist made on the forge.
fn hoist_branches(session: &Session) -> Vec<String> {
    let out = git(
        &demo(session).bare,
        &[
            "for-each-ref",
            "--format=%(refname:short)",
            "refs/heads/hoist",
        ],
    );
    out.lines().map(str::to_owned).collect()
}

const MOVING: [&str; 7] = ["api", "web", "cart", "search", "auth", "mail", "gateway"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_train_of_ten_apps_with_three_skipped_is_one_pull_request() {
    one_for_the_train(Forge::Github).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_train_of_ten_apps_with_three_skipped_is_one_merge_request_on_gitlab() {
    one_for_the_train(Forge::Gitlab).await;
}

async fn one_for_the_train(forge: Forge) {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = session_on(forge, dir.path());
    // `.hoist.yaml` says nothing: one pull request for the train.
    let preview =
        train::preview(&session, "stage", "prod", &[], None, &Options::default()).expect("preview");
    assert_eq!(preview.train.pulls, TrainPulls::One);
    let skipped: Vec<(&str, Option<Skip>)> = preview
        .train
        .cars
        .iter()
        .filter(|c| !c.moves())
        .map(|c| (c.app.as_str(), c.skip.clone()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("worker", Some(Skip::AlreadyThere)),
            ("billing", Some(Skip::Locked)),
            ("ledger", Some(Skip::Downgrade)),
        ]
    );
    assert_eq!(preview.pulls.len(), 1);
    assert_eq!(preview.pulls[0].apps, MOVING);
    assert!(
        demo(&session).sandbox.journal().is_empty(),
        "a dry run asks nothing of the forge"
    );

    let opened = train::open(&session, &preview.id, WhenOpen::Report, &|_| {})
        .await
        .expect("opened");
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].outcome, Outcome::Created);
    // Opened again: found, not made twice.
    let again = train::open(&session, &preview.id, WhenOpen::Report, &|_| {})
        .await
        .expect("again");
    assert_eq!(
        (again[0].outcome, again[0].number),
        (Outcome::Resumed, opened[0].number)
    );
    assert_eq!(demo(&session).sandbox.pulls().len(), 1);
    let cards = train::tracked(&session).await.expect("cards");
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].id, preview.train.id);
    assert_eq!(
        (cards[0].source.as_str(), cards[0].target.as_str()),
        ("stage", "prod")
    );
    assert_eq!(cards[0].pulls.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_train_per_app_interrupted_at_its_second_pull_request_completes_on_a_rerun() {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = session(dir.path());
    let first = train::preview(
        &session,
        "stage",
        "prod",
        &[],
        Some(TrainPulls::PerApp),
        &Options::default(),
    )
    .expect("preview");
    assert_eq!(first.pulls.len(), 7);

    // The second pull request's branch is pushed, then the connection drops
    // as its pull request is asked for.
    let sandbox = demo(&session);
    let injected = AtomicBool::new(false);
    let seen: Mutex<Vec<TrainProgress>> = Mutex::default();
    let on_progress = |p: TrainProgress| {
        if let TrainProgress::Step {
            pull: 1,
            step: Step::CheckingTarget,
        } = p
            && !injected.swap(true, Ordering::Relaxed)
        {
            sandbox
                .sandbox
                .inject(Fault::once("POST", "/pulls", FaultKind::DropBefore));
        }
        seen.lock().expect("progress").push(p);
    };
    let failed = train::open(&session, &first.id, WhenOpen::Report, &on_progress).await;
    assert!(failed.is_err(), "{failed:?}");
    let opened_first: Vec<usize> = seen
        .lock()
        .expect("progress")
        .iter()
        .filter_map(|p| match p {
            TrainProgress::Opened { pull, .. } => Some(*pull),
            TrainProgress::Step { .. } => None,
        })
        .collect();
    assert_eq!(opened_first, [0], "only the first was opened");
    assert_eq!(sandbox.sandbox.pulls().len(), 1);
    assert_eq!(
        hoist_branches(&session).len(),
        2,
        "the second's branch was pushed"
    );

    // A rerun (as a new `hoist train` would: planned again) is the same
    // train, and opens exactly what is missing.
    let rerun = train::preview(
        &session,
        "stage",
        "prod",
        &[],
        Some(TrainPulls::PerApp),
        &Options::default(),
    )
    .expect("preview again");
    assert_eq!(rerun.train.id, first.train.id);
    let opened = train::open(&session, &rerun.id, WhenOpen::Report, &|_| {})
        .await
        .expect("rerun");
    let outcomes: Vec<Outcome> = opened.iter().map(|o| o.outcome).collect();
    assert_eq!(outcomes[0], Outcome::Resumed);
    assert!(
        outcomes[1..].iter().all(|o| *o == Outcome::Created),
        "{outcomes:?}"
    );
    assert_eq!(sandbox.sandbox.pulls().len(), 7, "no pull request twice");
    let mut branches = hoist_branches(&session);
    branches.sort();
    let mut expected: Vec<String> = MOVING
        .iter()
        .zip([
            "1.5.0", "2.1.0", "3.2.0", "1.1.0", "4.0.1", "0.3.0", "1.2.0",
        ])
        .map(|(app, v)| format!("hoist/prod/{app}-{v}"))
        .collect();
    expected.sort();
    assert_eq!(branches, expected);

    // One card for the seven; merging one counts it as merged.
    let number = opened[0].number;
    let head = until_mergeable(&session, number).await;
    pulls::merge(&session, number, &head).await.expect("merged");
    let cards = train::tracked(&session).await.expect("cards");
    assert_eq!(cards.len(), 1, "{cards:?}");
    let card = &cards[0];
    assert_eq!(card.pulls.len(), 7);
    assert_eq!(card.merged, 1);
    assert_eq!(card.merged + card.pending + card.failed, 7);

    // A window started later remembers nothing it opened: the merged one
    // is found on the forge, among those closed into the train's branch.
    let client = session.client().await.expect("client");
    let closed = client
        .closed_of_trains("hoist", "env/prod", std::slice::from_ref(&card.id))
        .await
        .expect("closed ones");
    let numbers: Vec<u64> = closed.iter().map(|t| t.number).collect();
    assert_eq!(numbers, [number]);
    let open = client.list("hoist").await.expect("open ones");
    let cards = train::cards(open.into_iter().chain(closed).collect());
    assert_eq!((cards[0].pulls.len(), cards[0].merged), (7, 1));
    let other = client
        .closed_of_trains("hoist", "env/prod", &["another".to_owned()])
        .await
        .expect("closed ones");
    assert!(other.is_empty(), "another train's are not this one's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pull_request_for_the_train_after_a_failure_at_any_step() {
    // Each fault hits one step of the train's one pull request; the first
    // attempt may fail, the rerun (planned again) completes it, never twice.
    let faults = [
        Fault::once("POST", "/git/commits", FaultKind::DropAfter),
        Fault::once("POST", "/git/refs", FaultKind::DropAfter),
        Fault::once("POST", "/pulls", FaultKind::DropBefore),
        Fault::once("POST", "/pulls", FaultKind::DropAfter),
    ];
    for fault in faults {
        let dir = tempfile::tempdir().expect("temp dir");
        let session = session(dir.path());
        let plan = || {
            train::preview(
                &session,
                "stage",
                "prod",
                &[],
                Some(TrainPulls::One),
                &Options::default(),
            )
            .expect("preview")
        };
        demo(&session).sandbox.inject(fault.clone());
        let first = plan();
        let opened = match train::open(&session, &first.id, WhenOpen::Report, &|_| {}).await {
            Ok(opened) => opened,
            Err(_) => {
                let rerun = plan();
                assert_eq!(rerun.train.id, first.train.id, "{fault:?}");
                train::open(&session, &rerun.id, WhenOpen::Report, &|_| {})
                    .await
                    .unwrap_or_else(|e| panic!("{fault:?}: rerun: {e}"))
            }
        };
        assert_eq!(opened.len(), 1, "{fault:?}");
        assert_eq!(demo(&session).sandbox.pulls().len(), 1, "{fault:?}");
        assert_eq!(hoist_branches(&session).len(), 1, "{fault:?}");
    }
}
