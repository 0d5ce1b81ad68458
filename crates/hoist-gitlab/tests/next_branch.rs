//! Promoting a rendered environment against the GitLab sandbox: the merge
//! request from the hydrator's next branch, found when the promoter opened
//! it, opened when nobody has, never two however often Hoist is asked, and
//! refused when the target or the next branch moved since the preview;
//! nothing is ever written to either branch. Every exchange is checked
//! against gitbeaker's types.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use hoist_core::Project as Clone;
use hoist_core::config::PrSettings;
use hoist_core::plan::PromotionPlan;
use hoist_core::point::Point;
use hoist_fixtures::git;
use hoist_forge::change::{Opened, Outcome, Request, WhenOpen};
use hoist_forge::policy::Policy;
use hoist_forge::token::Token;
use hoist_gitlab::client::Repeat;
use hoist_gitlab::{Client, Error, Project};
use hoist_sandbox::{Account, Config, Fault, FaultKind, Forge, Sandbox};
use http::Method;
use serde_json::{Value, json};

const TOKEN: &str = "glpat-nextbranchtoken";
/// GitOps Promoter's own account, which opens the merge requests it promotes by.
const PROMOTER: &str = "glpat-gitopspromoter";

const CREATE: &str = "/api/v4/projects/{id}/merge_requests";

struct World {
    _dir: tempfile::TempDir,
    bare: PathBuf,
    clone: PathBuf,
    sandbox: Sandbox,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("hydrated-branches", dir.path());
    let mut config = Config::new(&bare, "acme", "gitops", "release-manager", TOKEN);
    config.forge = Forge::Gitlab;
    config.accounts[0].scopes = vec!["api".into()];
    config.accounts.push(Account {
        login: "gitops-promoter".into(),
        token: PROMOTER.into(),
        scopes: vec!["api".into()],
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
        let project = Project::parse("git@gitlab.example:acme/gitops.git").expect("project");
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

    fn plan(&self, from: &str, to: &str) -> PromotionPlan {
        git(&self.clone, &["fetch", "-q", "origin"]);
        let clone = Clone::open(&self.clone).expect("clone");
        hoist_core::plan::promotion(&clone, &Point::tip(from), to, &[])
            .expect("plan")
            .expect("something to promote")
    }

    fn tip(&self, branch: &str) -> String {
        git(&self.bare, &["rev-parse", branch]).trim().to_owned()
    }

    /// The branches Hoist would make of its own (under its prefix).
    fn hoist_branches(&self) -> String {
        git(
            &self.bare,
            &["for-each-ref", "--format=%(refname)", "refs/heads/hoist"],
        )
    }

    /// The merge requests that were opened, as many as the sandbox holds.
    fn created(&self) -> usize {
        self.sandbox.count("POST", CREATE)
    }

    fn check_journal(&self) {
        let root = hoist_fixtures::workspace_root();
        let failures = hoist_sandbox::gitbeaker::violations(&root, &self.sandbox.journal())
            .expect("gitbeaker types");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

async fn open(client: &Client, plan: &PromotionPlan) -> Result<Opened, Error> {
    let settings = PrSettings {
        labels: vec!["promotion".into()],
        ..PrSettings::default()
    };
    let request = Request {
        plan,
        settings: &settings,
        reason: None,
        when_open: WhenOpen::Report,
    };
    hoist_gitlab::open::open(client, &request, &|_| {}, &AtomicBool::new(false)).await
}

/// Opens the merge request from `next` into `target` as GitOps Promoter
/// does: its own account, its own words, no Hoist marker.
async fn promoters_merge_request(w: &World, next: &str, target: &str) -> Value {
    let promoter = w.client(PROMOTER);
    promoter
        .send(
            Method::POST,
            &promoter.project_path("/merge_requests"),
            Some(&json!({
                "source_branch": next,
                "target_branch": target,
                "title": format!("Promote {} to {target}", &w.tip(next)[..7]),
                "description": format!("This MR is promoting the environment branch `{target}`."),
            })),
            "the promoter's merge request",
            Repeat::Unsafe,
        )
        .await
        .expect("the promoter opens it")
}

async fn merge_request(client: &Client, iid: u64) -> Value {
    client
        .get(
            &client.project_path(&format!("/merge_requests/{iid}")),
            "the merge request",
        )
        .await
        .expect("merge request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_branch_is_merged_by_one_merge_request() {
    let w = world();
    let client = w.client(TOKEN);
    let plan = w.plan("dev", "e2e");
    let next_before = w.tip("env/e2e-next");
    assert_eq!(plan.head.as_deref(), Some("env/e2e-next"));
    let opened = open(&client, &plan).await.expect("opens");
    assert_eq!(opened.outcome, Outcome::Created);
    assert_eq!(opened.branch, "env/e2e-next");
    assert_eq!(opened.commit, next_before);
    let mr = merge_request(&client, opened.number).await;
    assert_eq!(mr["source_branch"], "env/e2e-next");
    assert_eq!(mr["target_branch"], "env/e2e");
    assert_eq!(mr["sha"], next_before.as_str());
    assert_eq!(mr["labels"], json!(["promotion"]));
    assert_eq!(mr["web_url"], opened.url.as_str());
    // The hydrator's branch outlives the merge: Hoist never asks to delete it.
    assert_eq!(mr["force_remove_source_branch"], false);
    // Hoist wrote nothing to either branch and made no branch of its own.
    assert_eq!(w.tip("env/e2e-next"), next_before);
    assert_eq!(w.tip("env/e2e"), plan.base);
    assert_eq!(w.hoist_branches(), "");
    assert_eq!(
        w.sandbox
            .count("POST", "/api/v4/projects/{id}/repository/commits"),
        0
    );

    // Asking again finds it.
    let again = open(&client, &plan).await.expect("finds it");
    assert_eq!(
        (again.number, again.outcome),
        (opened.number, Outcome::Found)
    );
    assert_eq!(w.sandbox.pulls().len(), 1);

    // Merged, fetched: e2e runs what its next branch held, nothing waits,
    // and the next branch is still there for the hydrator.
    client
        .send(
            Method::PUT,
            &client.project_path(&format!("/merge_requests/{}/merge", opened.number)),
            Some(&json!({ "sha": opened.commit })),
            "merging",
            Repeat::Unsafe,
        )
        .await
        .expect("merged");
    assert_eq!(w.tip("env/e2e-next"), next_before);
    git(&w.clone, &["fetch", "-q", "origin"]);
    let clone = Clone::open(&w.clone).expect("clone");
    let status = clone.status().expect("status");
    let e2e = status
        .environments
        .iter()
        .position(|e| e.name == "e2e")
        .expect("e2e");
    for row in &status.apps {
        if let hoist_core::status::Cell::Version { proposed, .. } = &row.cells[e2e] {
            assert!(proposed.is_none(), "{} still waits: {proposed:?}", row.name);
        }
    }
    assert!(
        hoist_core::plan::promotion(&clone, &Point::tip("dev"), "e2e", &[])
            .expect("plan")
            .is_none()
    );
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_promoters_merge_request_is_found_not_doubled() {
    let w = world();
    let client = w.client(TOKEN);
    let theirs = promoters_merge_request(&w, "env/prd-next", "env/prd").await;
    let plan = w.plan("e2e", "prd");
    let found = open(&client, &plan).await.expect("finds it");
    assert_eq!(found.outcome, Outcome::Found);
    assert_eq!(Some(found.number), theirs["iid"].as_u64());
    assert_eq!(found.url, theirs["web_url"].as_str().expect("web_url"));
    assert_eq!(found.commit, w.tip("env/prd-next"));
    // Found, not touched: the promoter's words stay, and Hoist opened none.
    let now = merge_request(&client, found.number).await;
    for field in ["title", "description", "labels", "author", "updated_at"] {
        assert_eq!(now[field], theirs[field], "{field}");
    }
    assert_eq!(w.created(), 1);
    assert_eq!(w.sandbox.pulls().len(), 1);
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_promoters_merge_request_is_found_after_the_hydrator_rendered_again() {
    let w = world();
    let client = w.client(TOKEN);
    // The promoter opened its merge request on an earlier rendering; the
    // hydrator has since pushed the next one, which the merge request follows.
    let rendered = w.tip("env/prd-next");
    w.sandbox
        .push("env/prd-next", &w.tip("env/prd-next~1"))
        .expect("push");
    let theirs = promoters_merge_request(&w, "env/prd-next", "env/prd").await;
    w.sandbox.push("env/prd-next", &rendered).expect("push");
    let plan = w.plan("e2e", "prd");
    assert_eq!(plan.source_commit, rendered);
    let found = open(&client, &plan).await.expect("finds it");
    assert_eq!(
        (Some(found.number), found.outcome),
        (theirs["iid"].as_u64(), Outcome::Found)
    );
    assert_eq!(w.created(), 1);
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_promoters_merge_request_is_found_before_gitlab_caught_up_with_a_push() {
    let w = world();
    let client = w.client(TOKEN);
    // GitLab updates a merge request's head in a background job after a
    // push: for a moment it still names the earlier rendering.
    let rendered = w.tip("env/prd-next");
    w.sandbox
        .push("env/prd-next", &w.tip("env/prd-next~1"))
        .expect("push");
    let theirs = promoters_merge_request(&w, "env/prd-next", "env/prd").await;
    git(
        &w.bare,
        &["update-ref", "refs/heads/env/prd-next", &rendered],
    );
    let plan = w.plan("e2e", "prd");
    assert_ne!(theirs["sha"], plan.source_commit.as_str(), "it lags");
    let found = open(&client, &plan).await.expect("finds it");
    assert_eq!(
        (Some(found.number), found.outcome),
        (theirs["iid"].as_u64(), Outcome::Found)
    );
    let attempts = w
        .sandbox
        .journal()
        .iter()
        .filter(|e| e.method == "POST" && e.route == CREATE)
        .count();
    assert_eq!(attempts, 1, "the promoter's only: Hoist tried none");
    let now = merge_request(&client, found.number).await;
    assert_eq!(now["reviewers"], theirs["reviewers"], "left as it was");
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_after_a_lost_answer_finds_the_merge_request_it_opened() {
    let w = world();
    let client = w.client(TOKEN);
    let plan = w.plan("e2e", "prd");
    // GitLab opens it, but the answer never arrives: opening may say so
    // (a creation is never repeated blindly) or find what it made.
    w.sandbox
        .inject(Fault::once("POST", "/merge_requests", FaultKind::DropAfter));
    let opened = match open(&client, &plan).await {
        Ok(opened) => opened,
        Err(e) => {
            assert!(matches!(e, Error::Unavailable { .. }), "{e}");
            open(&client, &plan).await.expect("the rerun finds it")
        }
    };
    assert_eq!(w.sandbox.pulls().len(), 1);
    assert_eq!(Some(opened.number), w.sandbox.pulls().first().map(|p| p.0));
    // And once more: found, still one.
    let again = open(&client, &plan).await.expect("finds it");
    assert_eq!(
        (again.number, again.outcome),
        (opened.number, Outcome::Found)
    );
    assert_eq!(w.created(), 1);
    assert_eq!(w.sandbox.pulls().len(), 1);
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_branch_that_moved_since_the_preview_is_refused() {
    let w = world();
    let client = w.client(TOKEN);
    let plan = w.plan("e2e", "prd");
    // The hydrator renders again: env/prd-next moves on (here, back a commit).
    let earlier = w.tip("env/prd-next~1");
    w.sandbox.push("env/prd-next", &earlier).expect("push");
    match open(&client, &plan).await {
        Err(Error::TargetMoved {
            branch,
            expected,
            actual,
        }) => assert_eq!(
            (branch.as_str(), expected, actual),
            ("env/prd-next", plan.source_commit.clone(), earlier.clone())
        ),
        other => panic!("{other:?}"),
    }
    assert!(w.sandbox.pulls().is_empty());
    assert_eq!(w.tip("env/prd-next"), earlier);
    assert_eq!(w.tip("env/prd"), plan.base);
    assert_eq!(w.hoist_branches(), "");
    w.check_journal();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_moved_since_the_preview_is_refused() {
    let w = world();
    let client = w.client(TOKEN);
    let plan = w.plan("e2e", "prd");
    // Someone merged into env/prd meanwhile (here, moved it back a merge).
    let earlier = w.tip("env/prd~1");
    w.sandbox.push("env/prd", &earlier).expect("push");
    match open(&client, &plan).await {
        Err(Error::TargetMoved { branch, actual, .. }) => {
            assert_eq!((branch.as_str(), actual), ("env/prd", earlier.clone()));
        }
        other => panic!("{other:?}"),
    }
    assert!(w.sandbox.pulls().is_empty());
    assert_eq!(w.tip("env/prd"), earlier);
    assert_eq!(w.tip("env/prd-next"), plan.source_commit);
    assert_eq!(w.hoist_branches(), "");
    w.check_journal();
}
