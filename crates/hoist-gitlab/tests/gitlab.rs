//! The GitLab layer against the GitLab sandbox: a promotion opened as one
//! commit on the previewed base and a merge request, resumed after a
//! failure at any step without a second one, followed through its pipeline
//! to the merge and the reconciler's report, looked at again for 304s;
//! every exchange checked against gitbeaker's types.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use hoist_core::Project as Clone;
use hoist_core::config::PrSettings;
use hoist_core::plan::PromotionPlan;
use hoist_core::point::Point;
use hoist_fixtures::git;
use hoist_forge::change::{Opened, Outcome, PullState, Request, ReviewDecision, WhenOpen};
use hoist_forge::checks::CheckState;
use hoist_forge::policy::Policy;
use hoist_forge::token::Token;
use hoist_gitlab::track::{self, Ownership};
use hoist_gitlab::{Client, Error, Project};
use hoist_sandbox::{Account, Config, Fault, FaultKind, Forge, Sandbox};

const TOKEN: &str = "glpat-layertesttoken";
const READER: &str = "glpat-readonlytoken";

struct World {
    _dir: tempfile::TempDir,
    bare: PathBuf,
    clone: PathBuf,
    sandbox: Sandbox,
}

fn world() -> World {
    world_with(Duration::from_millis(50))
}

/// A world whose simulated CI and reconciler take `delay`.
fn world_with(delay: Duration) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir.path());
    let mut config = Config::new(&bare, "group/sub", "gitops", "release-manager", TOKEN);
    config.forge = Forge::Gitlab;
    config.accounts[0].scopes = vec!["api".into()];
    config.accounts.push(Account {
        login: "auditor".into(),
        token: READER.into(),
        scopes: vec!["read_api".into()],
    });
    config.checks = vec!["validate".into()];
    config.reconciler = Some("argo-cd/stage".into());
    config.delay = delay;
    let sandbox = Sandbox::start(config).expect("sandbox");
    World {
        _dir: dir,
        bare,
        clone,
        sandbox,
    }
}

impl World {
    fn client(&self, token: &str) -> Client {
        let project = Project::parse("git@gitlab.example:group/sub/gitops.git").expect("project");
        let policy = Policy {
            max_wait: Duration::from_secs(5),
            retries: 2,
            backoff: Duration::from_millis(10),
            timeout: Duration::from_secs(5),
        };
        Client::new(
            &project,
            &format!("{}/api/v4", self.sandbox.url()),
            &Token::new(token).expect("token"),
            policy,
        )
        .expect("client")
    }

    fn plan(&self) -> PromotionPlan {
        git(&self.clone, &["fetch", "-q", "origin"]);
        let clone = Clone::open(&self.clone).expect("clone");
        hoist_core::plan::promotion(&clone, &Point::tip("dev"), "stage", &["api".into()])
            .expect("plan")
            .expect("a change")
    }

    fn hoist_branches(&self) -> Vec<String> {
        git(
            &self.bare,
            &[
                "for-each-ref",
                "--format=%(refname:short)",
                "refs/heads/hoist",
            ],
        )
        .lines()
        .map(str::to_owned)
        .collect()
    }

    fn check_journal(&self) {
        let root = hoist_fixtures::workspace_root();
        let failures = hoist_sandbox::gitbeaker::violations(&root, &self.sandbox.journal())
            .expect("gitbeaker types");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

async fn open(client: &Client, plan: &PromotionPlan, when_open: WhenOpen) -> Result<Opened, Error> {
    let settings = PrSettings::default();
    let request = Request {
        plan,
        settings: &settings,
        reason: None,
        when_open,
    };
    hoist_gitlab::open::open(client, &request, &|_| {}, &AtomicBool::new(false)).await
}

async fn until_mergeable(client: &Client, ownership: &Ownership, iid: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = track::request(client, ownership, iid)
            .await
            .expect("tracked");
        if t.can_merge {
            return t.head;
        }
        assert!(Instant::now() < deadline, "never mergeable: {t:?}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promotion_goes_from_merge_request_to_a_healthy_environment() {
    let w = world();
    let client = w.client(TOKEN);
    let plan = w.plan();
    let opened = open(&client, &plan, WhenOpen::Report)
        .await
        .expect("opened");
    assert_eq!(opened.outcome, Outcome::Created);
    // One commit, on exactly the previewed base, holding the plan's files.
    assert_eq!(
        git(&w.bare, &["rev-parse", &format!("{}^@", opened.commit)]).trim(),
        plan.base
    );
    let changed = git(
        &w.bare,
        &["diff", "--name-only", &plan.base, &opened.commit],
    );
    let planned: Vec<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(changed.lines().collect::<Vec<_>>(), planned);
    let written = git(
        &w.bare,
        &["show", &format!("{}:{}", opened.commit, plan.files[0].path)],
    );
    assert_eq!(
        written.as_bytes(),
        plan.files[0].new.as_deref().expect("content")
    );

    // Again: the same merge request, resumed.
    let again = open(&client, &plan, WhenOpen::Report).await.expect("again");
    assert_eq!(
        (again.outcome, again.number),
        (Outcome::Resumed, opened.number)
    );
    assert_eq!(w.sandbox.pulls().len(), 1);

    let ownership = Ownership::of(&client, "hoist").await.expect("ownership");
    let listed = track::open(&client, &ownership).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].marker.target, "stage");
    let head = until_mergeable(&client, &ownership, opened.number).await;
    let merged = track::merge(&client, &ownership, opened.number, &head)
        .await
        .expect("merged");
    let after = track::request(&client, &ownership, opened.number)
        .await
        .expect("tracked");
    assert_eq!(after.state, PullState::Merged);

    // The reconciler reports on the merge commit.
    let deadline = Instant::now() + Duration::from_secs(20);
    let settled = loop {
        let checks = track::checks(&client, &merged).await.expect("checks");
        if checks.state != CheckState::Pending {
            break checks;
        }
        assert!(Instant::now() < deadline, "never settled: {checks:?}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    };
    assert_eq!(settled.state, CheckState::Success, "{settled:?}");
    assert!(settled.items.iter().any(|c| c.name == "argo-cd/stage"));

    // Fetched: stage runs the new version, nothing is left to promote.
    git(&w.clone, &["fetch", "-q", "origin"]);
    let clone = Clone::open(&w.clone).expect("clone");
    assert!(
        hoist_core::plan::promotion(&clone, &Point::tip("dev"), "stage", &["api".into()])
            .expect("plan")
            .is_none()
    );
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_failure_at_any_step_makes_one_branch_and_one_merge_request() {
    let faults = [
        Fault::once("POST", "/repository/commits", FaultKind::DropAfter),
        Fault::once("POST", "/repository/commits", FaultKind::Status(503)),
        Fault::once("POST", "/merge_requests", FaultKind::DropBefore),
        Fault::once("POST", "/merge_requests", FaultKind::DropAfter),
        Fault::once("GET", "/repository/branches/", FaultKind::Status(502)).times(2),
    ];
    for fault in faults {
        let w = world();
        let plan = w.plan();
        let client = w.client(TOKEN);
        w.sandbox.inject(fault.clone());
        let opened = match open(&client, &plan, WhenOpen::Report).await {
            Ok(opened) => opened,
            Err(e) => {
                assert!(matches!(e, Error::Unavailable { .. }), "{fault:?}: {e}");
                open(&client, &plan, WhenOpen::Report)
                    .await
                    .unwrap_or_else(|e| panic!("{fault:?}: retry: {e}"))
            }
        };
        assert_eq!(w.sandbox.pulls().len(), 1, "{fault:?}");
        assert_eq!(
            w.hoist_branches(),
            std::slice::from_ref(&opened.branch),
            "{fault:?}"
        );
        let tip = git(&w.bare, &["rev-parse", &opened.branch]);
        assert_eq!(tip.trim(), opened.commit, "{fault:?}");
        assert_eq!(
            git(&w.bare, &["rev-parse", &format!("{}^@", opened.commit)]).trim(),
            plan.base,
            "{fault:?}"
        );
        w.check_journal();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_moved_after_the_preview_stops_before_writing() {
    let w = world();
    let plan = w.plan();
    let prod = git(&w.bare, &["rev-parse", "env/prod"]);
    w.sandbox.push("env/stage", prod.trim()).expect("push");
    let e = open(&w.client(TOKEN), &plan, WhenOpen::Report)
        .await
        .expect_err("moved");
    assert!(matches!(e, Error::TargetMoved { .. }), "{e}");
    assert!(w.hoist_branches().is_empty());
    assert!(w.sandbox.pulls().is_empty());
    assert_eq!(
        w.sandbox
            .count("POST", "/api/v4/projects/{id}/repository/commits"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_gitlab_refuses_say_so_and_write_nothing() {
    let w = world();
    let plan = w.plan();
    let e = open(&w.client("glpat-nobody"), &plan, WhenOpen::Report)
        .await
        .expect_err("unknown token");
    assert!(matches!(e, Error::Unauthorized { .. }), "{e}");
    let e = open(&w.client(READER), &plan, WhenOpen::Report)
        .await
        .expect_err("read-only token");
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    assert!(w.hoist_branches().is_empty());
    assert!(w.sandbox.pulls().is_empty());
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_request_set_to_merge_when_green_merges_once_its_pipeline_passes() {
    let w = world_with(Duration::from_millis(4000));
    let client = w.client(TOKEN);
    let opened = open(&client, &w.plan(), WhenOpen::Report)
        .await
        .expect("opened");
    let ownership = Ownership::of(&client, "hoist").await.expect("ownership");
    let running = track::request(&client, &ownership, opened.number)
        .await
        .expect("tracked");
    assert!(
        running.can_merge_when_green && !running.can_merge && !running.merges_when_green,
        "{running:?}"
    );
    let set = track::merge_when_green(&client, &ownership, opened.number, &running.head)
        .await
        .expect("set");
    assert!(
        set.merges_when_green && set.state == PullState::Open && !set.can_merge_when_green,
        "{set:?}"
    );
    // Asked again, nothing more is asked of GitLab.
    let route = "/api/v4/projects/{id}/merge_requests/{merge_request_iid}/merge";
    let puts = w.sandbox.count("PUT", route);
    track::merge_when_green(&client, &ownership, opened.number, &running.head)
        .await
        .expect("again");
    assert_eq!(w.sandbox.count("PUT", route), puts);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = track::request(&client, &ownership, opened.number)
            .await
            .expect("tracked");
        if t.state == PullState::Merged {
            assert!(t.merge_commit.is_some(), "{t:?}");
            break;
        }
        assert!(Instant::now() < deadline, "never merged: {t:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn looking_again_at_an_unchanged_merge_request_is_answered_304() {
    // CI that outlasts the test: nothing changes unless the test changes it.
    let w = world_with(Duration::from_secs(60));
    let client = w.client(TOKEN);
    let opened = open(&client, &w.plan(), WhenOpen::Report)
        .await
        .expect("opened");
    let ownership = Ownership::of(&client, "hoist").await.expect("ownership");
    let first = track::request(&client, &ownership, opened.number)
        .await
        .expect("tracked");
    let listed = track::open(&client, &ownership).await.expect("list");

    // Every read of the next looks is conditional and comes back 304,
    // with the same answer as the first look.
    let seen = w.sandbox.journal().len();
    let again = track::request(&client, &ownership, opened.number)
        .await
        .expect("tracked again");
    assert_eq!(again, first);
    assert_eq!(
        track::open(&client, &ownership).await.expect("list again"),
        listed
    );
    let looked: Vec<_> = w.sandbox.journal().split_off(seen);
    let routes: std::collections::BTreeSet<&str> =
        looked.iter().map(|e| e.route.as_str()).collect();
    assert_eq!(
        routes,
        [
            "/api/v4/projects/{id}/merge_requests",
            "/api/v4/projects/{id}/merge_requests/{merge_request_iid}",
            "/api/v4/projects/{id}/merge_requests/{merge_request_iid}/approvals",
            "/api/v4/projects/{id}/pipelines",
            "/api/v4/projects/{id}/repository/commits/{sha}/statuses",
        ]
        .into(),
    );
    for e in &looked {
        assert_eq!((e.method.as_str(), e.status), ("GET", 304), "{}", e.route);
    }

    // What changed is read whole: the approval shows.
    w.sandbox
        .review(opened.number, "auditor", "APPROVED")
        .expect("approve");
    let approved = track::request(&client, &ownership, opened.number)
        .await
        .expect("tracked after the approval");
    assert_eq!(first.review, ReviewDecision::None);
    assert_eq!(approved.review, ReviewDecision::Approved);
    w.check_journal();
}
