//! Promoting a rendered environment against the sandbox: the pull request
//! from the hydrator's next branch, found when the promoter opened it,
//! opened when nobody has, never two, and refused when a branch moved.

mod common;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use hoist_core::Project;
use hoist_core::config::PrSettings;
use hoist_core::plan::PromotionPlan;
use hoist_core::point::Point;
use hoist_fixtures::git;
use hoist_github::client::Repeat;
use hoist_github::open::{Outcome, Request, WhenOpen, open};
use hoist_github::{Client, Error};
use hoist_sandbox::{Config, Sandbox};
use http::Method;

const TOKEN: &str = "ghp_nextbranchtoken";

struct World {
    _dir: tempfile::TempDir,
    bare: std::path::PathBuf,
    clone: std::path::PathBuf,
    sandbox: Sandbox,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("hydrated-branches", dir.path());
    let config = Config::new(&bare, "acme", "gitops", "release-manager", TOKEN);
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

    fn plan(&self, from: &str, to: &str) -> PromotionPlan {
        git(&self.clone, &["fetch", "-q", "origin"]);
        let project = Project::open(&self.clone).expect("project");
        hoist_core::plan::promotion(&project, &Point::tip(from), to, &[])
            .expect("plan")
            .expect("something to promote")
    }

    fn tip(&self, branch: &str) -> String {
        git(&self.bare, &["rev-parse", branch]).trim().to_owned()
    }
}

async fn open_plan(
    client: &Client,
    plan: &PromotionPlan,
) -> Result<hoist_github::open::Opened, Error> {
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
    open(client, &request, &|_| {}, &AtomicBool::new(false)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_branch_is_merged_by_one_pull_request() {
    let w = world();
    let client = w.client();
    let plan = w.plan("dev", "e2e");
    let next_before = w.tip("env/e2e-next");
    let opened = open_plan(&client, &plan).await.expect("opens");
    assert_eq!(opened.outcome, Outcome::Created);
    assert_eq!(opened.branch, "env/e2e-next");
    assert_eq!(opened.commit, next_before);
    let pr = client
        .get(
            &client.repo_path(&format!("/pulls/{}", opened.number)),
            "pr",
        )
        .await
        .expect("pull");
    assert_eq!(pr["head"]["ref"], "env/e2e-next");
    assert_eq!(pr["base"]["ref"], "env/e2e");
    assert_eq!(pr["labels"][0]["name"], "promotion");
    // Hoist wrote nothing to either branch and made no branch of its own.
    assert_eq!(w.tip("env/e2e-next"), next_before);
    assert_eq!(w.tip("env/e2e"), plan.base);
    assert_eq!(
        git(
            &w.bare,
            &["for-each-ref", "--format=%(refname)", "refs/heads/hoist"]
        )
        .trim(),
        ""
    );

    // Asking again finds it.
    let again = open_plan(&client, &plan).await.expect("finds it");
    assert_eq!(
        (again.number, again.outcome),
        (opened.number, Outcome::Found)
    );
    assert_eq!(w.sandbox.pulls().len(), 1);

    // Merged, fetched: e2e runs what its next branch held, and nothing waits.
    w.sandbox
        .merge(opened.number, "release-manager")
        .expect("merge");
    git(&w.clone, &["fetch", "-q", "origin"]);
    let project = Project::open(&w.clone).expect("project");
    let status = project.status().expect("status");
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
        hoist_core::plan::promotion(&project, &Point::tip("dev"), "e2e", &[])
            .expect("plan")
            .is_none()
    );
    common::check_journal(&w.sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_promoters_pull_request_is_shown_not_doubled() {
    let w = world();
    let client = w.client();
    // GitOps Promoter opened it, without Hoist's marker.
    let theirs = client
        .write(
            Method::POST,
            &client.repo_path("/pulls"),
            &serde_json::json!({
                "title": "Promote d27f698 to env/prd",
                "head": "env/prd-next",
                "base": "env/prd",
                "body": "This PR is promoting the environment branch `env/prd`.",
            }),
            "the promoter's pull request",
            Repeat::Unsafe,
        )
        .await
        .expect("opened");
    let plan = w.plan("e2e", "prd");
    let found = open_plan(&client, &plan).await.expect("finds it");
    assert_eq!(found.outcome, Outcome::Found);
    assert_eq!(Some(found.number), theirs["number"].as_u64());
    assert_eq!(w.sandbox.pulls().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_branch_that_moved_since_the_preview_is_refused() {
    let w = world();
    let client = w.client();
    let plan = w.plan("e2e", "prd");
    // The hydrator renders again: env/prd-next moves on (here, back a commit).
    let earlier = w.tip("env/prd-next~1");
    w.sandbox.push("env/prd-next", &earlier).expect("push");
    match open_plan(&client, &plan).await {
        Err(Error::TargetMoved { branch, .. }) => assert_eq!(branch, "env/prd-next"),
        other => panic!("{other:?}"),
    }
    assert!(w.sandbox.pulls().is_empty());
}
