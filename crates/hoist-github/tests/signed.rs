//! Branches that require verified signatures: GitHub refuses to merge a
//! pull request bringing an unsigned commit, and Hoist holds no signing key,
//! so there the promotion commit is one GitHub writes and signs
//! (`createCommitOnBranch`), still exactly the previewed files on the
//! previewed base, still resumable after a failure at any step.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use hoist_core::Project;
use hoist_core::config::PrSettings;
use hoist_core::plan::PromotionPlan;
use hoist_core::point::Point;
use hoist_fixtures::git;
use hoist_github::open::{Opened, Outcome, Request, WhenOpen, open};
use hoist_github::{Client, Error};
use hoist_sandbox::{Config, Fault, FaultKind, RuleSource, Sandbox, SignatureRule};

const TOKEN: &str = "ghp_signedtesttoken";

struct World {
    _dir: tempfile::TempDir,
    bare: PathBuf,
    clone: PathBuf,
    sandbox: Sandbox,
}

/// The branch-helm fixture on a sandbox whose `branch` requires signatures
/// by `source` (or nothing requires them).
fn world(rule: Option<(&str, RuleSource)>) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir.path());
    let mut config = Config::new(&bare, "acme", "gitops", "release-manager", TOKEN);
    config.signature_rules = rule
        .into_iter()
        .map(|(branch, source)| SignatureRule {
            branch: branch.into(),
            source,
        })
        .collect();
    let sandbox = Sandbox::start(config).expect("sandbox");
    World {
        _dir: dir,
        bare,
        clone,
        sandbox,
    }
}

impl World {
    fn client(&self) -> Client {
        common::sandbox_client(self.sandbox.url(), TOKEN, Duration::from_secs(5))
    }

    fn plan(&self) -> PromotionPlan {
        git(&self.clone, &["fetch", "-q", "origin"]);
        let project = Project::open(&self.clone).expect("project");
        hoist_core::plan::promotion(&project, &Point::tip("dev"), "stage", &["api".to_owned()])
            .expect("plan")
            .expect("something to promote")
    }

    async fn open(&self, plan: &PromotionPlan) -> Result<Opened, Error> {
        let settings = PrSettings::default();
        let request = Request {
            plan,
            settings: &settings,
            reason: None,
            when_open: WhenOpen::Update,
        };
        open(&self.client(), &request, &|_| {}, &AtomicBool::new(false)).await
    }

    /// Sets api's version on dev, as a developer's merge would.
    fn release_on_dev(&self, version: &str) {
        common::release_on_dev(&self.bare, version);
    }

    /// Every branch in the bare repository.
    fn branches(&self) -> Vec<String> {
        git(
            &self.bare,
            &["for-each-ref", "--format=%(refname:short)", "refs/heads"],
        )
        .lines()
        .map(str::to_owned)
        .collect()
    }

    fn check_journal(&self) {
        common::check_journal(&self.sandbox);
    }
}

fn rev(bare: &Path, spec: &str) -> String {
    git(bare, &["rev-parse", spec]).trim().to_owned()
}

/// The commit holds exactly the plan's files on the plan's base, alone.
fn assert_is_the_plan(bare: &Path, commit: &str, plan: &PromotionPlan) {
    assert_eq!(
        git(bare, &["rev-list", "--parents", "-n1", commit]).trim(),
        format!("{commit} {}", plan.base),
        "one commit on the previewed base"
    );
    let changed = git(bare, &["diff", "--name-only", &plan.base, commit]);
    let planned: Vec<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(changed.lines().collect::<Vec<_>>(), planned);
    for file in &plan.files {
        let shown = std::process::Command::new("git")
            .args(["show", &format!("{commit}:{}", file.path)])
            .current_dir(bare)
            .output()
            .expect("git show");
        assert_eq!(Some(&shown.stdout), file.new.as_ref(), "{}", file.path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_requires_signatures_gets_a_commit_github_signed() {
    for source in [RuleSource::Ruleset, RuleSource::BranchProtection] {
        let w = world(Some(("env/stage", source)));
        let plan = w.plan();
        let opened = w.open(&plan).await.expect("opened");
        assert_eq!(opened.outcome, Outcome::Created);
        assert!(w.sandbox.is_signed(&opened.commit), "{source:?}: signed");
        assert_eq!(rev(&w.bare, &opened.branch), opened.commit);
        assert_is_the_plan(&w.bare, &opened.commit, &plan);
        // The scratch branch it was written on is gone.
        assert_eq!(
            w.branches()
                .iter()
                .filter(|b| b.starts_with("hoist/"))
                .count(),
            1
        );
        assert_eq!(w.sandbox.count("POST", "/graphql"), 1);
        // Which is what lets it merge.
        w.sandbox
            .merge(opened.number, "release-manager")
            .expect("a signed promotion merges");
        w.check_journal();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ruleset_over_hoists_branches_is_obeyed_too() {
    let w = world(Some(("hoist/**", RuleSource::Ruleset)));
    let plan = w.plan();
    let opened = w.open(&plan).await.expect("opened");
    assert!(w.sandbox.is_signed(&opened.commit));
    assert_is_the_plan(&w.bare, &opened.commit, &plan);
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_rule_the_commit_is_written_as_before() {
    let w = world(None);
    let plan = w.plan();
    let opened = w.open(&plan).await.expect("opened");
    assert!(!w.sandbox.is_signed(&opened.commit));
    assert_eq!(w.sandbox.count("POST", "/graphql"), 0);
    assert_is_the_plan(&w.bare, &opened.commit, &plan);
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_commits_are_refused_where_signatures_are_required() {
    // Why Hoist asks GitHub to sign: the sandbox enforces the rule as GitHub
    // does, on a push and on a merge.
    let w = world(Some(("env/stage", RuleSource::Ruleset)));
    let client = w.client();
    let stage = rev(&w.bare, "env/stage");
    let commit = client
        .write(
            http::Method::POST,
            &client.repo_path("/git/commits"),
            &serde_json::json!({
                "message": "Unsigned",
                "tree": rev(&w.bare, "env/stage^{tree}"),
                "parents": [stage],
            }),
            "writing an unsigned commit",
            hoist_github::client::Repeat::Unsafe,
        )
        .await
        .expect("commit");
    let unsigned = commit["sha"].as_str().expect("sha").to_owned();
    let pushed = client
        .write(
            http::Method::PATCH,
            &client.repo_path("/git/refs/heads/env/stage"),
            &serde_json::json!({ "sha": unsigned, "force": true }),
            "pushing an unsigned commit",
            hoist_github::client::Repeat::Unsafe,
        )
        .await;
    assert!(
        matches!(&pushed, Err(Error::Validation { message, .. }) if message.contains("verified signatures")),
        "{pushed:?}"
    );
    // Where no rule asks, it may be pushed.
    client
        .write(
            http::Method::POST,
            &client.repo_path("/git/refs"),
            &serde_json::json!({ "ref": "refs/heads/feature", "sha": unsigned }),
            "creating a branch",
            hoist_github::client::Repeat::Unsafe,
        )
        .await
        .expect("branch");
    let pull = client
        .write(
            http::Method::POST,
            &client.repo_path("/pulls"),
            &serde_json::json!({ "title": "Unsigned", "head": "feature", "base": "env/stage" }),
            "opening a pull request",
            hoist_github::client::Repeat::Unsafe,
        )
        .await
        .expect("pull request");
    let number = pull["number"].as_u64().expect("number");
    let shown = client
        .get(
            &client.repo_path(&format!("/pulls/{number}")),
            "the pull request",
        )
        .await
        .expect("shown");
    assert_eq!(shown["mergeable_state"], "blocked");
    assert_eq!(
        hoist_github::track::Mergeability::parse(shown["mergeable_state"].as_str().unwrap_or("")),
        hoist_github::track::Mergeability::Blocked
    );
    let merged = w.sandbox.merge(number, "release-manager");
    assert!(
        merged
            .as_ref()
            .is_err_and(|e| e.to_string().contains("verified signatures")),
        "{merged:?}"
    );
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_at_any_step_resumes_with_one_signed_commit() {
    for (method, path, times) in [
        // The scratch branch, then (the second time) Hoist's branch.
        ("POST", "/git/refs", 2),
        ("POST", "/graphql", 1),
        ("DELETE", "/git/refs/heads/hoist", 1),
        ("POST", "/pulls", 1),
    ] {
        let w = world(Some(("env/stage", RuleSource::Ruleset)));
        let plan = w.plan();
        w.sandbox
            .inject(Fault::once(method, path, FaultKind::DropAfter).times(times));
        let mut attempts = 0;
        let opened = loop {
            attempts += 1;
            match w.open(&plan).await {
                Ok(opened) => break opened,
                Err(Error::Network { .. }) if attempts <= times => continue,
                other => panic!("{method} {path}: {other:?}"),
            }
        };
        assert!(w.sandbox.is_signed(&opened.commit), "{method} {path}");
        assert_is_the_plan(&w.bare, &opened.commit, &plan);
        assert_eq!(
            w.sandbox.count("POST", "/graphql"),
            1,
            "{method} {path}: one commit"
        );
        assert_eq!(
            w.sandbox.pulls().len(),
            1,
            "{method} {path}: one pull request"
        );
        w.check_journal();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_moves_the_branch_to_a_new_signed_commit_and_keeps_the_pull_request() {
    let w = world(Some(("env/stage", RuleSource::Ruleset)));
    let first = w.open(&w.plan()).await.expect("opened");
    // A new release on dev: the same apps, another change.
    w.release_on_dev("1.7.0");
    let plan = w.plan();
    let updated = w.open(&plan).await.expect("updated");
    assert_eq!(updated.outcome, Outcome::Updated);
    assert_eq!(
        (updated.number, &updated.branch),
        (first.number, &first.branch)
    );
    assert_ne!(updated.commit, first.commit);
    assert!(w.sandbox.is_signed(&updated.commit));
    assert_is_the_plan(&w.bare, &updated.commit, &plan);
    assert_eq!(w.sandbox.pulls().len(), 1);
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_executable_file_is_refused_before_anything_is_written() {
    let w = world(Some(("env/stage", RuleSource::Ruleset)));
    // The target's values file is executable (odd, but someone's repository).
    common::make_stage_values_executable(&w.bare);
    let plan = w.plan();
    let refused = w.open(&plan).await;
    assert!(
        matches!(&refused, Err(Error::NotOpenable(why)) if why.contains("apps/api/values.yaml") && why.contains("signed")),
        "{refused:?}"
    );
    assert!(w.branches().iter().all(|b| !b.starts_with("hoist/")));
    assert_eq!(w.sandbox.count("POST", "/git/blobs"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proposed_configuration_is_signed_where_the_default_branch_requires_it() {
    let w = world(Some(("main", RuleSource::Ruleset)));
    let yaml = "environments:\n  - name: dev\n    branch: env/dev\n";
    let opened = hoist_github::propose::configuration(&w.client(), yaml)
        .await
        .expect("proposed");
    assert!(w.sandbox.is_signed(&opened.commit));
    assert_eq!(
        git(&w.bare, &["rev-parse", "hoist/configure^@"]).trim(),
        rev(&w.bare, "main")
    );
    assert_eq!(git(&w.bare, &["show", "hoist/configure:.hoist.yaml"]), yaml);
    assert_eq!(
        w.branches()
            .iter()
            .filter(|b| b.starts_with("hoist/"))
            .collect::<Vec<_>>(),
        ["hoist/configure"]
    );
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_the_rulesets_api_is_taken_as_having_no_rules() {
    // GitHub Enterprise Server before rulesets answers 404 there.
    let w = world(None);
    w.sandbox
        .inject(Fault::once("GET", "/rules/branches/", FaultKind::Status(404)).times(2));
    let plan = w.plan();
    let opened = w.open(&plan).await.expect("opened");
    assert!(!w.sandbox.is_signed(&opened.commit));
    assert_is_the_plan(&w.bare, &opened.commit, &plan);
}
