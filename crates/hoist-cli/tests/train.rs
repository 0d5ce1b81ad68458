//! `hoist train` end to end against the sandbox: the dry run's table and
//! JSON, one pull request for the train, and one per app opened after a
//! first run that stopped at its second pull request.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hoist_fixtures::git;
use hoist_sandbox::{Config, Fault, FaultKind, PullState, Sandbox};

const TOKEN: &str = "ghp_clitraintoken";

struct World {
    dir: tempfile::TempDir,
    bare: PathBuf,
    clone: PathBuf,
    sandbox: Sandbox,
}

/// The train fixture on the sandbox, and a clone wired to it.
fn world(test: &str) -> World {
    let host = format!("{test}-{}.localhost", std::process::id());
    let origin = format!("https://{host}/acme/gitops.git");
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("train", dir.path());
    let mut config = Config::new(&bare, "acme", "gitops", "release-manager", TOKEN);
    config.delay = Duration::from_millis(50);
    let sandbox = Sandbox::start(config).expect("sandbox");
    git(&clone, &["remote", "set-url", "origin", &origin]);
    git(
        &clone,
        &[
            "config",
            &format!("url.{}.insteadOf", bare.display()),
            &origin,
        ],
    );
    git(&clone, &["config", "hoist.apiUrl", sandbox.url()]);
    World {
        dir,
        bare,
        clone,
        sandbox,
    }
}

impl World {
    fn hoist(&self, args: &[&str]) -> Output {
        let repo = self.clone.to_str().expect("UTF-8 path");
        Command::new(env!("CARGO_BIN_EXE_hoist"))
            .args(args)
            .args(["--repo", repo])
            .env("NO_COLOR", "1")
            .env("HOIST_CONFIG_DIR", self.dir.path().join("config"))
            .env("GH_CONFIG_DIR", self.dir.path().join("gh"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_ENTERPRISE_TOKEN")
            // The sandbox's host is not github.com: its token is an enterprise one.
            .env("GH_ENTERPRISE_TOKEN", TOKEN)
            .stdin(Stdio::null())
            .output()
            .expect("hoist runs")
    }

    fn hoist_branches(&self) -> Vec<String> {
        let out = git(
            &self.bare,
            &[
                "for-each-ref",
                "--format=%(refname:short)",
                "refs/heads/hoist",
            ],
        );
        out.lines().map(str::to_owned).collect()
    }
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

const TRAIN: [&str; 5] = ["train", "--from", "stage", "--to", "prod"];

#[test]
fn the_dry_run_shows_what_moves_and_why_the_others_stay_and_writes_nothing() {
    let w = world("train-dry");
    let table = ok(w.hoist(&TRAIN));
    assert!(table.contains("Release train stage → prod"), "{table}");
    assert!(
        table.contains("  api      1.4.2  → 1.5.0  moves"),
        "{table}"
    );
    assert!(
        table.contains("worker   0.9.1    0.9.1  skipped, already there"),
        "{table}"
    );
    assert!(
        table.contains("skipped, locked: billing in prod is locked by erin"),
        "{table}"
    );
    assert!(table.contains("skipped, downgrade"), "{table}");
    assert!(table.contains("7 move, 3 skipped."), "{table}");
    assert!(table.contains("One pull request to open:"), "{table}");
    assert!(table.contains("add --open"), "{table}");

    let json: serde_json::Value =
        serde_json::from_str(&ok(w.hoist(&[&TRAIN[..], &["--split", "--json"]].concat())))
            .expect("json");
    assert_eq!(json["train"]["pulls"], "per_app");
    assert_eq!(json["pulls"].as_array().map(Vec::len), Some(7));
    assert_eq!(json["train"]["cars"][7]["skip"], "locked");
    assert!(w.sandbox.pulls().is_empty());
    assert!(w.hoist_branches().is_empty());
}

#[test]
fn one_pull_request_moves_the_train() {
    let w = world("train-one");
    let out = ok(w.hoist(&[&TRAIN[..], &["--one", "--open", "--yes"]].concat()));
    assert!(out.contains("1 pull request open into prod"), "{out}");
    let pulls = w.sandbox.pulls();
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0].1, PullState::Open);
    assert_eq!(w.hoist_branches().len(), 1);
    let prs = ok(w.hoist(&["prs"]));
    assert!(prs.contains("(train "), "{prs}");
    // Again: the same pull request, found.
    let again = ok(w.hoist(&[&TRAIN[..], &["--one", "--open", "--yes"]].concat()));
    assert!(again.contains("1 pull request open into prod"), "{again}");
    assert_eq!(w.sandbox.pulls().len(), 1);
}

#[test]
fn per_app_a_run_stopped_at_the_second_pull_request_completes_on_the_next() {
    let w = world("train-split");
    // The second pull request's branch is pushed, then the connection drops
    // as the pull request is asked for.
    w.sandbox
        .inject(Fault::once("POST", "/pulls", FaultKind::DropBefore).after(1));
    let first = w.hoist(&[&TRAIN[..], &["--split", "--open", "--yes"]].concat());
    assert_eq!(first.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(stderr.contains("run the same command again"), "{stderr}");
    assert_eq!(w.sandbox.pulls().len(), 1);
    assert_eq!(w.hoist_branches().len(), 2);

    let out = ok(w.hoist(&[&TRAIN[..], &["--split", "--open", "--yes"]].concat()));
    assert!(out.contains("7 pull requests open into prod"), "{out}");
    let pulls = w.sandbox.pulls();
    assert_eq!(pulls.len(), 7, "{pulls:?}");
    let mut heads: Vec<&str> = pulls.iter().map(|(_, _, head)| head.as_str()).collect();
    heads.sort_unstable();
    heads.dedup();
    assert_eq!(heads.len(), 7, "one pull request per branch: {pulls:?}");
    assert_eq!(w.hoist_branches().len(), 7);
    // A third run finds every one.
    let third = w.hoist(&[&TRAIN[..], &["--split", "--open", "--yes"]].concat());
    let stderr = String::from_utf8_lossy(&third.stderr).into_owned();
    assert!(third.status.success(), "{stderr}");
    assert_eq!(stderr.matches("already open").count(), 7, "{stderr}");
    assert_eq!(w.sandbox.pulls().len(), 7);
}
