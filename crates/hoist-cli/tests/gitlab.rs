//! The CLI on a GitLab project (a self-managed host named by the clone's
//! `hoist.forge`): promote opens a merge request, prs lists it, merge
//! --wait follows the environment; the token comes from GITLAB_TOKEN, which
//! belongs to GITLAB_HOST only.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use hoist_fixtures::git;
use hoist_sandbox::{Config, Forge, Sandbox};

const TOKEN: &str = "glpat-clitesttoken";
const HOST: &str = "gitlab.acme.example";

struct World {
    dir: tempfile::TempDir,
    clone: PathBuf,
    sandbox: Sandbox,
}

fn world() -> World {
    world_with(Duration::from_millis(50))
}

/// A world whose simulated pipeline and reconciler take `delay`.
fn world_with(delay: Duration) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir.path());
    let mut config = Config::new(&bare, "platform/deploy", "gitops", "release-manager", TOKEN);
    config.forge = Forge::Gitlab;
    config.accounts[0].scopes = vec!["api".into()];
    config.checks = vec!["validate".into()];
    config.reconciler = Some("flux/stage".into());
    config.delay = delay;
    let sandbox = Sandbox::start(config).expect("sandbox");
    let origin = format!("https://{HOST}/platform/deploy/gitops.git");
    git(&clone, &["remote", "set-url", "origin", &origin]);
    git(
        &clone,
        &[
            "config",
            &format!("url.{}.insteadOf", bare.display()),
            &origin,
        ],
    );
    git(&clone, &["config", "hoist.forge", "gitlab"]);
    git(
        &clone,
        &[
            "config",
            "hoist.apiUrl",
            &format!("{}/api/v4", sandbox.url()),
        ],
    );
    World {
        dir,
        clone,
        sandbox,
    }
}

impl World {
    fn hoist(&self, args: &[&str], gitlab_host: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_hoist"))
            .args(args)
            .env("NO_COLOR", "1")
            .env("HOIST_CONFIG_DIR", self.dir.path().join("config"))
            .env("GLAB_CONFIG_DIR", self.dir.path().join("glab"))
            .env("GITLAB_TOKEN", TOKEN)
            .env("GITLAB_HOST", gitlab_host)
            .output()
            .expect("hoist runs")
    }

    fn repo(&self) -> &str {
        self.clone.to_str().expect("UTF-8 path")
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

#[test]
fn promote_prs_and_merge_speak_gitlab() {
    let w = world();
    let repo = w.repo();
    let promote = [
        "promote", "--repo", repo, "--from", "dev", "--to", "stage", "--app", "api", "--yes",
    ];
    // GITLAB_TOKEN belongs to another host: it is not sent here.
    let refused = w.hoist(&promote, "gitlab.com");
    assert_eq!(refused.status.code(), Some(1));
    let e = String::from_utf8_lossy(&refused.stderr);
    assert!(e.contains(&format!("no GitLab token for {HOST}")), "{e}");
    assert!(w.sandbox.journal().is_empty(), "nothing reached the host");

    let out = ok(w.hoist(&promote, HOST));
    assert!(out.contains("opened: !1"), "{out}");
    let listed = ok(w.hoist(&["prs", "--repo", repo], HOST));
    assert!(
        listed.contains("!1") && listed.contains("stage"),
        "{listed}"
    );

    // Merge once GitLab allows it (its pipeline passed), then follow.
    let deadline = Instant::now() + Duration::from_secs(30);
    let merged = loop {
        let out = w.hoist(&["merge", "--repo", repo, "1", "--wait"], HOST);
        if out.status.success() {
            break String::from_utf8(out.stdout).expect("UTF-8");
        }
        let e = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(e.contains("GitLab cannot merge !1 now"), "{e}");
        assert!(Instant::now() < deadline, "never mergeable: {e}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(merged.contains("merged !1 into env/stage"), "{merged}");
    assert!(merged.contains("stage is healthy"), "{merged}");
    let none = ok(w.hoist(&["prs", "--repo", repo], HOST));
    assert!(none.contains("no open Hoist merge requests"), "{none}");
}

#[test]
fn merge_when_green_hands_the_merge_to_gitlab_while_the_pipeline_runs() {
    let w = world_with(Duration::from_millis(4000));
    let repo = w.repo();
    let promote = [
        "promote", "--repo", repo, "--from", "dev", "--to", "stage", "--app", "api", "--yes",
    ];
    assert!(ok(w.hoist(&promote, HOST)).contains("opened: !1"));
    let now = w.hoist(&["merge", "--repo", repo, "1"], HOST);
    assert_eq!(now.status.code(), Some(1));
    let e = String::from_utf8_lossy(&now.stderr);
    assert!(e.contains("add --when-green"), "{e}");
    let set = ok(w.hoist(&["merge", "--repo", repo, "1", "--when-green"], HOST));
    assert!(
        set.contains("!1 merges into env/stage when its pipeline succeeds"),
        "{set}"
    );
    let again = ok(w.hoist(&["merge", "--repo", repo, "1", "--when-green"], HOST));
    assert!(again.contains("(already set)"), "{again}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listed = ok(w.hoist(&["prs", "--repo", repo], HOST));
        if listed.contains("no open Hoist merge requests") {
            break;
        }
        assert!(Instant::now() < deadline, "never merged: {listed}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
