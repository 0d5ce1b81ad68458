//! Opening promotion pull requests against the sandbox: exactly the
//! previewed change on exactly the previewed base, and retries after a
//! failure at any step that finish the job without duplicates.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hoist_core::Project;
use hoist_core::config::PrSettings;
use hoist_core::plan::PromotionPlan;
use hoist_core::point::Point;
use hoist_fixtures::git;
use hoist_github::client::Policy;
use hoist_github::open::{Outcome, Request, Step, WhenOpen, open};
use hoist_github::{Client, Error};
use hoist_sandbox::{Config, Fault, FaultKind, Sandbox};

const TOKEN: &str = "ghp_opentesttoken";

struct World {
    _dir: tempfile::TempDir,
    bare: PathBuf,
    clone: PathBuf,
    sandbox: Sandbox,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir.path());
    let mut config = Config::new(&bare, "acme", "gitops", "release-manager", TOKEN);
    config.collaborators = vec!["alice".into()];
    config.accounts.push(hoist_sandbox::Account {
        login: "reader".into(),
        token: "ghp_readonly".into(),
        scopes: vec!["read:org".into()],
    });
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
        common::sandbox_client(self.sandbox.url(), token, Duration::from_secs(5))
    }

    fn plan(&self, apps: &[&str]) -> PromotionPlan {
        git(&self.clone, &["fetch", "-q", "origin"]);
        let project = Project::open(&self.clone).expect("project");
        let apps: Vec<String> = apps.iter().map(|a| a.to_string()).collect();
        hoist_core::plan::promotion(&project, &Point::tip("dev"), "stage", &apps)
            .expect("plan")
            .expect("something to promote")
    }

    /// Hoist's branches in the bare repository.
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

    /// Sets api's version on dev, as a developer's merge would.
    fn release_on_dev(&self, version: &str) {
        common::release_on_dev(&self.bare, version);
    }
}

fn settings() -> PrSettings {
    PrSettings {
        labels: vec!["promotion".into()],
        reviewers: vec!["alice".into()],
        ..PrSettings::default()
    }
}

async fn open_plan(
    client: &Client,
    plan: &PromotionPlan,
    when_open: WhenOpen,
) -> Result<hoist_github::open::Opened, Error> {
    let settings = settings();
    let request = Request {
        plan,
        settings: &settings,
        reason: None,
        when_open,
    };
    open(client, &request, &|_| {}, &AtomicBool::new(false)).await
}

use common::check_journal;

fn show(bare: &Path, spec: &str) -> Vec<u8> {
    let out = std::process::Command::new("git")
        .args(["show", spec])
        .current_dir(bare)
        .output()
        .expect("git show");
    assert!(out.status.success(), "git show {spec}");
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opens_exactly_the_previewed_change_on_the_previewed_base() {
    let w = world();
    let plan = w.plan(&["api"]);
    let client = w.client(TOKEN);
    let steps = Arc::new(Mutex::new(Vec::new()));
    let seen = steps.clone();
    let settings = settings();
    let request = Request {
        plan: &plan,
        settings: &settings,
        reason: None,
        when_open: WhenOpen::Report,
    };
    let opened = open(
        &client,
        &request,
        &move |s| seen.lock().expect("lock").push(s),
        &AtomicBool::new(false),
    )
    .await
    .expect("opens");
    assert_eq!(opened.outcome, Outcome::Created);
    assert_eq!(opened.branch, "hoist/stage/api-1.6.0");
    assert_eq!(opened.number, 1);
    assert!(
        opened.url.ends_with("/acme/gitops/pull/1"),
        "{}",
        opened.url
    );
    // One parent, the base; only the planned file differs, byte for byte.
    assert_eq!(
        git(&w.bare, &["rev-parse", &format!("{}^@", opened.commit)]).trim(),
        plan.base
    );
    let changed = git(
        &w.bare,
        &["diff", "--name-only", &plan.base, &opened.commit],
    );
    assert_eq!(changed.trim(), "apps/api/values.yaml");
    let file = &plan.files[0];
    assert_eq!(
        show(&w.bare, &format!("{}:{}", opened.commit, file.path)),
        file.new.clone().expect("new content")
    );
    let steps = steps.lock().expect("lock").clone();
    assert_eq!(steps.first(), Some(&Step::CheckingTarget));
    assert_eq!(steps.last(), Some(&Step::Finishing));
    // Labels, reviewers and the marker are on the pull request.
    let pr = client
        .get(&client.repo_path("/pulls/1"), "pr")
        .await
        .expect("pull");
    assert_eq!(pr["labels"][0]["name"], "promotion");
    assert_eq!(pr["requested_reviewers"][0]["login"], "alice");
    assert_eq!(pr["base"]["ref"], "env/stage");
    let marker = hoist_core::plan::request::Marker::find(pr["body"].as_str().expect("body"))
        .expect("marker");
    assert_eq!(
        marker,
        plan.pull_request(&settings, None).expect("draft").marker
    );
    assert!(pr["body"].as_str().unwrap_or("").contains(
        "| api | `1.5.0` | `1.6.0` ([changes](https://github.com/acme/api/compare/1.5.0...1.6.0)) |"
    ));

    // Opening again finds it: no second branch or pull request.
    let again = open_plan(&client, &plan, WhenOpen::Report)
        .await
        .expect("resumes");
    assert_eq!((again.number, again.outcome), (1, Outcome::Resumed));
    assert_eq!(w.sandbox.pulls().len(), 1);
    assert_eq!(w.hoist_branches(), ["hoist/stage/api-1.6.0"]);

    // Merged on GitHub, fetched: stage runs the new version.
    w.sandbox.merge(1, "alice").expect("merge");
    git(&w.clone, &["fetch", "-q", "origin"]);
    let project = Project::open(&w.clone).expect("project");
    let status = project.status().expect("status");
    let json = serde_json::to_value(&status).expect("json").to_string();
    assert!(json.contains("1.6.0"), "{json}");
    assert!(
        hoist_core::plan::promotion(&project, &Point::tip("dev"), "stage", &["api".into()])
            .expect("plan")
            .is_none()
    );
    check_journal(&w.sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_failure_at_any_step_makes_one_branch_and_one_pull_request() {
    // Each fault hits one step; the first attempt may fail, the second must
    // complete, and never duplicate.
    let faults = [
        Fault::once("POST", "/git/commits", FaultKind::DropAfter),
        Fault::once("POST", "/git/refs", FaultKind::DropAfter),
        // The crash between the branch and the pull request.
        Fault::once("POST", "/pulls", FaultKind::DropBefore),
        Fault::once("POST", "/pulls", FaultKind::DropAfter),
        Fault::once("POST", "/labels", FaultKind::Status(502)).times(5),
        Fault::once("POST", "/git/trees", FaultKind::Status(503)),
    ];
    for fault in faults {
        let w = world();
        let plan = w.plan(&["api"]);
        let client = w.client(TOKEN);
        w.sandbox.inject(fault.clone());
        let first = open_plan(&client, &plan, WhenOpen::Report).await;
        let opened = match first {
            Ok(opened) => opened,
            Err(e) => {
                assert!(
                    matches!(e, Error::Network { .. } | Error::Server { .. }),
                    "{fault:?}: {e}"
                );
                open_plan(&client, &plan, WhenOpen::Report)
                    .await
                    .unwrap_or_else(|e| panic!("{fault:?}: retry: {e}"))
            }
        };
        assert_eq!(w.sandbox.pulls().len(), 1, "{fault:?}");
        assert_eq!(w.hoist_branches(), ["hoist/stage/api-1.6.0"], "{fault:?}");
        let tip = git(&w.bare, &["rev-parse", "hoist/stage/api-1.6.0"]);
        assert_eq!(tip.trim(), opened.commit, "{fault:?}");
        assert_eq!(
            git(&w.bare, &["rev-parse", &format!("{}^@", opened.commit)]).trim(),
            plan.base
        );
        let pr = client
            .get(&client.repo_path("/pulls/1"), "pr")
            .await
            .expect("pull");
        assert_eq!(pr["labels"][0]["name"], "promotion", "{fault:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_moved_after_the_preview_stops_before_writing() {
    let w = world();
    let plan = w.plan(&["api"]);
    let prod = git(&w.bare, &["rev-parse", "env/prod"]);
    w.sandbox.push("env/stage", prod.trim()).expect("push");
    let e = open_plan(&w.client(TOKEN), &plan, WhenOpen::Report)
        .await
        .expect_err("moved");
    assert!(matches!(e, Error::TargetMoved { .. }), "{e}");
    assert!(e.to_string().contains("preview the change again"), "{e}");
    assert!(w.hoist_branches().is_empty());
    assert!(w.sandbox.pulls().is_empty());
    assert_eq!(
        w.sandbox.count("POST", "/repos/{owner}/{repo}/git/blobs"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_pull_request_for_the_same_apps_is_reported_or_updated() {
    let w = world();
    let client = w.client(TOKEN);
    let first = open_plan(&client, &w.plan(&["api"]), WhenOpen::Report)
        .await
        .expect("first");
    w.release_on_dev("1.7.0");
    let newer = w.plan(&["api"]);
    assert_eq!(newer.apps[0].to, "1.7.0");
    let blobs = || w.sandbox.count("POST", "/repos/{owner}/{repo}/git/blobs");
    let uploaded = blobs();
    let e = open_plan(&client, &newer, WhenOpen::Report)
        .await
        .expect_err("already open");
    assert!(matches!(e, Error::AlreadyOpen { number: 1, .. }), "{e}");
    assert_eq!(blobs(), uploaded, "a report writes nothing");
    assert!(
        w.hoist_branches() == ["hoist/stage/api-1.6.0"],
        "nothing written: {:?}",
        w.hoist_branches()
    );
    let updated = open_plan(&client, &newer, WhenOpen::Update)
        .await
        .expect("updated");
    assert_eq!(
        (updated.number, updated.outcome),
        (first.number, Outcome::Updated)
    );
    assert_eq!(w.sandbox.pulls().len(), 1);
    let content = show(&w.bare, &format!("{}:apps/api/values.yaml", first.branch));
    assert!(String::from_utf8_lossy(&content).contains("1.7.0"));
    let pr = client
        .get(&client.repo_path("/pulls/1"), "pr")
        .await
        .expect("pull");
    assert!(pr["title"].as_str().unwrap_or("").contains("api"));
    assert!(pr["body"].as_str().unwrap_or("").contains("`1.7.0`"));
    check_journal(&w.sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollbacks_and_blocked_plans_need_a_reason() {
    let w = world();
    let client = w.client(TOKEN);
    let mut plan = w.plan(&["api"]);
    let fine = plan.clone();
    // As a lock in .hoist.yaml makes it (tests/guards.rs in hoist-core covers the config side).
    plan.blocked = true;
    plan.warnings.push(hoist_core::plan::Warning::Locked {
        environment: "stage".into(),
        app: None,
        by: "carol".into(),
        reason: "load test".into(),
        until: None,
        message: "stage is locked by carol: load test".into(),
    });
    let e = open_plan(&client, &plan, WhenOpen::Report)
        .await
        .expect_err("blocked");
    assert!(matches!(e, Error::Draft(_)), "{e}");
    let mut plan = fine;
    plan.kind = hoist_core::plan::PlanKind::Rollback;
    let e = open_plan(&client, &plan, WhenOpen::Report)
        .await
        .expect_err("rollback");
    assert!(matches!(e, Error::Draft(_)), "{e}");
    let settings = settings();
    let request = Request {
        plan: &plan,
        settings: &settings,
        reason: Some("1.6.0 leaks memory"),
        when_open: WhenOpen::Report,
    };
    let opened = open(&client, &request, &|_| {}, &AtomicBool::new(false))
        .await
        .expect("with a reason");
    assert_eq!(opened.branch, "hoist/stage/rollback-api-1.6.0");
    let pr = client
        .get(&client.repo_path("/pulls/1"), "pr")
        .await
        .expect("pull");
    assert!(
        pr["body"]
            .as_str()
            .unwrap_or("")
            .contains("**Reason:** 1.6.0 leaks memory")
    );
    plan.kind = hoist_core::plan::PlanKind::Comparison;
    assert!(matches!(
        open_plan(&client, &plan, WhenOpen::Report).await,
        Err(Error::Draft(hoist_core::plan::request::Error::Comparison))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_between_steps_and_a_retry_resumes() {
    let w = world();
    let plan = w.plan(&["api"]);
    let client = w.client(TOKEN);
    let settings = settings();
    let request = Request {
        plan: &plan,
        settings: &settings,
        reason: None,
        when_open: WhenOpen::Report,
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let stop_at_pull = move |s: Step| {
        if s == Step::OpeningPullRequest {
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let e = open(&client, &request, &stop_at_pull, &cancel)
        .await
        .expect_err("cancelled");
    assert!(matches!(e, Error::Cancelled), "{e}");
    assert!(w.sandbox.pulls().is_empty());
    let opened = open_plan(&client, &plan, WhenOpen::Report)
        .await
        .expect("resumes");
    assert_eq!(opened.outcome, Outcome::Created);
    assert_eq!(w.hoist_branches().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_faults_become_specific_errors_or_bounded_waits() {
    let w = world();
    let plan = w.plan(&["api"]);
    // A revoked token.
    w.sandbox
        .inject(Fault::once("GET", "/git/ref/", FaultKind::Status(401)));
    let e = open_plan(&w.client(TOKEN), &plan, WhenOpen::Report)
        .await
        .expect_err("401");
    assert!(matches!(e, Error::Unauthorized { .. }), "{e}");
    // A token without `repo`.
    let e = open_plan(&w.client("ghp_readonly"), &plan, WhenOpen::Report)
        .await
        .expect_err("scope");
    assert!(e.to_string().contains("lacks the repo scope"), "{e}");
    // 5xx on a read is retried; on a commit (not idempotent) it is not.
    w.sandbox
        .inject(Fault::once("GET", "/git/ref/", FaultKind::Status(502)).times(2));
    w.sandbox
        .inject(Fault::once("POST", "/git/commits", FaultKind::Status(500)));
    let e = open_plan(&w.client(TOKEN), &plan, WhenOpen::Report)
        .await
        .expect_err("500 on commit");
    assert!(
        matches!(
            e,
            Error::Server {
                status: 500,
                attempts: 1,
                ..
            }
        ),
        "{e}"
    );
    // Rate limits are waited out, and the wait is reported.
    w.sandbox.inject(Fault::once(
        "POST",
        "/git/blobs",
        FaultKind::SecondaryRateLimit { retry_after: 1 },
    ));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let seen = waits.clone();
    let client = w.client(TOKEN).with_on_wait(Arc::new(move |secs, why| {
        seen.lock().expect("lock").push((secs, why.to_owned()))
    }));
    let opened = open_plan(&client, &plan, WhenOpen::Report)
        .await
        .expect("after waiting");
    assert_eq!(opened.outcome, Outcome::Created);
    assert!(
        waits
            .lock()
            .expect("lock")
            .iter()
            .any(|(s, why)| *s == 1 && why.contains("rate limit"))
    );
    // A server that keeps asking to wait: the waits add up to the limit,
    // then it is an error, not an endless loop (three waits of 1 s where
    // two are allowed in all).
    w.sandbox.inject(
        Fault::once(
            "GET",
            "/git/ref/",
            FaultKind::SecondaryRateLimit { retry_after: 1 },
        )
        .times(3),
    );
    let patient = common::sandbox_client_with(
        w.sandbox.url(),
        TOKEN,
        Policy {
            max_wait: Duration::from_secs(2),
            ..Policy::default()
        },
    );
    let e = open_plan(&patient, &plan, WhenOpen::Report)
        .await
        .expect_err("asked to wait forever");
    assert!(matches!(e, Error::RateLimited { .. }), "{e}");
    // A primary limit spent for longer than Hoist waits is an error saying until when.
    w.sandbox
        .spend_rate_limit("release-manager", Duration::from_secs(3600));
    let e = open_plan(&w.client(TOKEN), &plan, WhenOpen::Report)
        .await
        .expect_err("spent");
    assert!(matches!(e, Error::RateLimited { .. }), "{e}");
    check_journal(&w.sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_times_out_a_read_is_retried_and_a_write_is_resumed() {
    let w = world();
    let plan = w.plan(&["api"]);
    let client = common::sandbox_client(w.sandbox.url(), TOKEN, Duration::from_millis(400));
    // A read that hangs once is tried again and the whole open succeeds.
    w.sandbox.inject(Fault::once(
        "GET",
        "/git/ref/",
        FaultKind::Slow(Duration::from_secs(2)),
    ));
    // The pull request's creation hangs past the timeout, but goes through.
    w.sandbox.inject(Fault::once(
        "POST",
        "/pulls",
        FaultKind::Slow(Duration::from_secs(1)),
    ));
    let first = open_plan(&client, &plan, WhenOpen::Report).await;
    // Either the lost answer was found by listing, or the retry finds it.
    let opened = match first {
        Ok(opened) => opened,
        Err(e) => {
            assert!(matches!(e, Error::Network { .. }), "{e}");
            std::thread::sleep(Duration::from_secs(1));
            open_plan(&client, &plan, WhenOpen::Report)
                .await
                .expect("retry")
        }
    };
    assert_eq!(opened.number, 1);
    assert_eq!(w.sandbox.pulls().len(), 1);
    assert_eq!(w.hoist_branches().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proposed_configuration_becomes_one_pull_request_even_after_a_lost_answer() {
    let w = world();
    let client = w.client(TOKEN);
    let yaml = "# proposed by Hoist\nenvironments:\n  - name: dev\n    branch: env/dev\r\n";
    // The first attempt loses the answer to creating the pull request.
    w.sandbox
        .inject(Fault::once("POST", "/pulls", FaultKind::DropAfter));
    let opened = match hoist_github::propose::configuration(&client, yaml).await {
        Ok(opened) => opened,
        Err(Error::Network { .. }) => hoist_github::propose::configuration(&client, yaml)
            .await
            .expect("the retry finds the pull request"),
        Err(e) => panic!("{e}"),
    };
    let again = hoist_github::propose::configuration(&client, yaml)
        .await
        .expect("asking again");
    assert_eq!(again.number, opened.number);
    assert_eq!(again.outcome, Outcome::Resumed);
    assert_eq!(w.sandbox.pulls().len(), 1);
    assert_eq!(w.hoist_branches(), ["hoist/configure"]);
    // Exactly the proposal, byte for byte, on the default branch's tip.
    let main = git(&w.bare, &["rev-parse", "main"]);
    assert_eq!(
        git(&w.bare, &["rev-parse", "hoist/configure^@"]).trim(),
        main.trim()
    );
    assert_eq!(git(&w.bare, &["show", "hoist/configure:.hoist.yaml"]), yaml);
    let changed = git(&w.bare, &["diff", "--name-only", "main", "hoist/configure"]);
    assert_eq!(changed, ".hoist.yaml\n");
    check_journal(&w.sandbox);
}

/// A fork's pull request whose branch is named like an environment and
/// whose body carries a copy of Hoist's marker for the same apps: neither
/// reporting nor updating takes it for Hoist's. Its branch name is not
/// moved in this repository, its text is not edited, and Hoist opens its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forks_pull_request_with_a_copied_marker_is_left_alone() {
    let w = world();
    let plan = w.plan(&["api"]);
    let client = w.client(TOKEN);
    let copied = plan.pull_request(&settings(), None).expect("draft").body;
    let dev = String::from_utf8(show(&w.bare, "env/dev")).expect("text");
    let dev_tip = git(&w.bare, &["rev-parse", "env/dev"]).trim().to_owned();
    let fork = w.sandbox.open_fork_pull(
        "mallory",
        "env/dev",
        &dev_tip,
        "env/stage",
        "Promote api",
        &copied,
    );
    for when_open in [WhenOpen::Report, WhenOpen::Update] {
        let opened = open_plan(&client, &plan, when_open)
            .await
            .expect("Hoist's own pull request");
        assert_ne!(opened.number, fork);
        assert!(
            opened.branch.starts_with("hoist/stage/"),
            "{}",
            opened.branch
        );
    }
    assert_eq!(
        git(&w.bare, &["rev-parse", "env/dev"]).trim(),
        dev_tip,
        "env/dev was not moved"
    );
    assert_eq!(
        String::from_utf8(show(&w.bare, "env/dev")).expect("text"),
        dev
    );
    let fork_now = client
        .get(
            &client.repo_path(&format!("/pulls/{fork}")),
            "the fork's pull request",
        )
        .await
        .expect("fork pull");
    assert_eq!(fork_now["title"], "Promote api");
    assert_eq!(fork_now["body"].as_str(), Some(copied.as_str()));
    assert_eq!(fork_now["head"]["sha"].as_str(), Some(dev_tip.as_str()));
    assert_eq!(w.sandbox.pulls().len(), 2, "the fork's and Hoist's");
    assert_eq!(
        w.sandbox
            .count("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}"),
        0
    );
    check_journal(&w.sandbox);
}

/// A file that is executable on the target stays executable in the pull
/// request's tree: only its version changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pull_requests_tree_keeps_each_files_mode() {
    let w = world();
    common::make_stage_values_executable(&w.bare);
    let plan = w.plan(&["api"]);
    assert!(
        plan.files.iter().all(|f| f.executable),
        "{:?}",
        plan.files.iter().map(|f| &f.path).collect::<Vec<_>>()
    );
    let opened = open_plan(&w.client(TOKEN), &plan, WhenOpen::Report)
        .await
        .expect("opened");
    let listing = git(
        &w.bare,
        &[
            "ls-tree",
            &opened.commit,
            "apps/api/values.yaml",
            "apps/web/values.yaml",
        ],
    );
    assert!(
        listing.contains("100755 blob") && listing.contains("apps/api/values.yaml"),
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("100644 blob") && l.ends_with("apps/web/values.yaml")),
        "{listing}"
    );
    check_journal(&w.sandbox);
}

/// A fork's branch may even carry the name Hoist would give its own: the
/// fork's pull request is still not Hoist's, is not edited, and Hoist's own
/// is opened from this repository's branch of that name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forks_branch_named_like_hoists_is_not_adopted() {
    let w = world();
    let plan = w.plan(&["api"]);
    let client = w.client(TOKEN);
    let draft = plan.pull_request(&settings(), None).expect("draft");
    let dev_tip = git(&w.bare, &["rev-parse", "env/dev"]).trim().to_owned();
    let fork = w.sandbox.open_fork_pull(
        "mallory",
        &draft.branch,
        &dev_tip,
        "env/stage",
        "Promote api",
        &draft.body,
    );
    let opened = open_plan(&client, &plan, WhenOpen::Report)
        .await
        .expect("Hoist's own pull request");
    assert_eq!(opened.outcome, Outcome::Created);
    assert_ne!(opened.number, fork);
    assert_eq!(opened.branch, draft.branch);
    assert_eq!(
        w.sandbox
            .count("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}"),
        0
    );
    let fork_now = client
        .get(
            &client.repo_path(&format!("/pulls/{fork}")),
            "the fork's pull request",
        )
        .await
        .expect("fork pull");
    assert_eq!(fork_now["head"]["sha"].as_str(), Some(dev_tip.as_str()));
    check_journal(&w.sandbox);
}
