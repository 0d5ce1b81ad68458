//! The GitHub commands end to end against the sandbox: promote, prs, merge,
//! fetch, rollback --open-pr, auth, and their refusals.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hoist_fixtures::git;
use hoist_sandbox::{Config, Sandbox};

const TOKEN: &str = "ghp_clitesttoken";
/// A host of each test's own: the keyring is shared by parallel tests and
/// other suites (the demo keeps its token under `hoist-sandbox.localhost`).
fn host(test: &str) -> String {
    format!("{test}-{}.localhost", std::process::id())
}

struct World {
    dir: tempfile::TempDir,
    clone: PathBuf,
    sandbox: Sandbox,
    host: String,
}

/// The branch-helm fixture on the sandbox, and a clone wired to it as the demo wires its own.
fn world(test: &str) -> World {
    world_with(test, &[])
}

/// [`world`] with source repositories beside the GitOps one: each
/// `(fixture, name)` served as `acme/<name>`.
fn world_with(test: &str, sources: &[(&str, &str)]) -> World {
    let host = host(test);
    let origin = format!("https://{host}/acme/gitops.git");
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir.path());
    let mut config = Config::new(&bare, "acme", "gitops", "release-manager", TOKEN);
    config.reconciler = Some("flux/stage".into());
    config.delay = Duration::from_millis(50);
    for (fixture, name) in sources {
        let repo = dir.path().join(format!("{name}.git"));
        git(
            dir.path(),
            &[
                "clone",
                "-q",
                "--bare",
                &hoist_fixtures::fixture(fixture).to_string_lossy(),
                &repo.to_string_lossy(),
            ],
        );
        config.sources.push(hoist_sandbox::Source {
            owner: "acme".into(),
            name: (*name).into(),
            repo,
        });
    }
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
        clone,
        sandbox,
        host,
    }
}

impl World {
    fn hoist(&self, args: &[&str], token: Option<&str>) -> Output {
        self.hoist_with_input(args, token, None)
    }

    fn hoist_with_input(&self, args: &[&str], token: Option<&str>, input: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hoist"));
        cmd.args(args)
            .env("NO_COLOR", "1")
            // Nothing from the machine's own sign-ins.
            .env("HOIST_CONFIG_DIR", self.dir.path().join("config"))
            .env("GH_CONFIG_DIR", self.dir.path().join("gh"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_ENTERPRISE_TOKEN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // The sandbox's host is not github.com: its token is an enterprise one.
        match token {
            Some(t) => cmd.env("GH_ENTERPRISE_TOKEN", t),
            None => cmd.env_remove("GH_ENTERPRISE_TOKEN"),
        };
        let mut child = cmd.spawn().expect("hoist runs");
        if let Some(input) = input {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("input");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("hoist finishes")
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

fn fails(out: Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).expect("UTF-8")
}

fn stage_version(world: &World, app: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(&ok(
        world.hoist(&["status", "--repo", world.repo(), "--json"], None)
    ))
    .expect("json");
    let status = &json["status"];
    let column = status["environments"]
        .as_array()
        .and_then(|envs| {
            envs.iter()
                .position(|e| e["name"] == "stage" || e == "stage")
        })
        .unwrap_or_else(|| panic!("no stage column in {status}"));
    let row = status["apps"]
        .as_array()
        .and_then(|apps| apps.iter().find(|a| a["name"] == app))
        .unwrap_or_else(|| panic!("no row for {app} in {status}"));
    row["cells"][column]["version"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn promote_list_merge_fetch_shows_the_new_version() {
    let w = world("promote");
    let repo = w.repo();
    assert_eq!(stage_version(&w, "api"), "1.5.0");
    let out = ok(w.hoist(
        &[
            "promote", "--repo", repo, "--from", "dev", "--to", "stage", "--app", "api", "--yes",
        ],
        Some(TOKEN),
    ));
    assert!(
        out.contains("1.5.0 → 1.6.0"),
        "the preview comes first:\n{out}"
    );
    assert!(out.contains("opened: #1 "), "{out}");
    let listed = ok(w.hoist(&["prs", "--repo", repo], Some(TOKEN)));
    assert!(
        listed.contains("#1") && listed.contains("api 1.6.0") && listed.contains("can merge"),
        "{listed}"
    );
    let merged = ok(w.hoist(&["merge", "--repo", repo, "1", "--wait"], Some(TOKEN)));
    assert!(
        merged.contains("merged #1 into env/stage") && merged.contains("stage is healthy"),
        "{merged}"
    );
    ok(w.hoist(&["fetch", "--repo", repo], None));
    assert_eq!(stage_version(&w, "api"), "1.6.0");
    assert_eq!(
        ok(w.hoist(&["prs", "--repo", repo], Some(TOKEN))).trim(),
        "no open Hoist pull requests"
    );
}

#[test]
fn release_notes_come_from_the_apps_source_repositories_into_the_plan_and_the_pull_request() {
    let w = world_with(
        "notes",
        &[("source-api", "api"), ("source-worker", "worker")],
    );
    let repo = w.repo();
    // api's source is configured; worker's is on a host with no token of
    // its own (GH_ENTERPRISE_TOKEN names no host: a host .hoist.yaml names
    // never gets it).
    let yaml = std::fs::read_to_string(w.clone.join(".hoist.yaml")).expect("config");
    let yaml = yaml
        .replace(
            "  - name: api\n",
            &format!(
                "  - name: api\n    source: {{ repository: \"https://{}/acme/api\" }}\n",
                w.host
            ),
        )
        .replace(
            "  - name: worker\n",
            "  - name: worker\n    source: { repository: \"https://git.elsewhere.example/acme/worker\" }\n",
        );
    std::fs::write(w.clone.join(".hoist.yaml"), yaml).expect("config");
    git(
        &w.clone,
        &["commit", "-qam", "Release notes from the apps' sources"],
    );
    git(&w.clone, &["push", "-q", "origin", "HEAD:main"]);
    git(&w.clone, &["fetch", "-q", "origin"]);

    let plan = ok(w.hoist(
        &[
            "plan", "--repo", repo, "--from", "stage", "--to", "prod", "--notes",
        ],
        Some(TOKEN),
    ));
    let api = format!(
        "release notes for api 1.4.2 → 1.5.0 from https://{}/acme/api\n  Features\n    - auth: log in with SSO (#101) [#88]  bob-okafor\n",
        w.host
    );
    assert!(plan.contains(&api), "{plan}");
    assert!(
        plan.contains("  Fixes\n    - no 500 on an empty cart (#102)"),
        "{plan}"
    );
    assert!(
        plan.contains("release notes for worker 0.9.0 → 0.9.1 from https://git.elsewhere.example/acme/worker\n  notes unavailable: no GitHub token for git.elsewhere.example"),
        "{plan}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(w.hoist(
        &[
            "plan", "--repo", repo, "--from", "stage", "--to", "prod", "--notes", "--json",
        ],
        Some(TOKEN),
    )))
    .expect("json");
    assert_eq!(json["notes"][0]["app"], "api");
    assert_eq!(json["notes"][0]["outcome"]["state"], "ready");
    assert_eq!(
        json["notes"][0]["outcome"]["notes"][0]["text"],
        "log in with SSO"
    );
    assert_eq!(json["notes"][1]["outcome"]["reason"], "no_token");

    let opened = ok(w.hoist(
        &[
            "promote", "--repo", repo, "--from", "stage", "--to", "prod", "--notes", "--yes",
        ],
        Some(TOKEN),
    ));
    assert!(opened.contains("opened: #1 "), "{opened}");
    let body = w.sandbox.pull_body(1).expect("a body");
    assert!(
        body.contains("<summary>Release notes: api (`1.4.2` → `1.5.0`, acme/api)</summary>"),
        "{body}"
    );
    assert!(!body.contains("Release notes: worker"), "{body}");
}

#[test]
fn refusals_say_what_to_do_and_write_nothing() {
    let w = world("refusals");
    let repo = w.repo();
    let promote = [
        "promote", "--repo", repo, "--from", "dev", "--to", "stage", "--app", "api",
    ];
    assert!(fails(w.hoist(&promote, Some(TOKEN))).contains("add --yes"));
    let mut with_yes = promote.to_vec();
    with_yes.push("--yes");
    assert!(fails(w.hoist(&with_yes, None)).contains(&format!(
        "no GitHub token for {}: run `hoist auth login`",
        w.host
    )));
    // A github.com token in GH_TOKEN is not sent to another host, not
    // even to this one that would take it: its token is an enterprise one.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hoist"));
    let out = cmd
        .args(&with_yes)
        .env("HOIST_CONFIG_DIR", w.dir.path().join("config"))
        .env("GH_CONFIG_DIR", w.dir.path().join("gh"))
        .env("GH_TOKEN", TOKEN)
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GH_ENTERPRISE_TOKEN")
        .env_remove("GITHUB_ENTERPRISE_TOKEN")
        .output()
        .expect("hoist runs");
    let e = fails(out);
    assert!(e.contains("set GH_ENTERPRISE_TOKEN"), "{e}");
    assert!(w.sandbox.journal().is_empty(), "nothing reached the host");
    let e = fails(w.hoist(&with_yes, Some("ghp_revoked")));
    assert!(e.contains("rejected the token"), "{e}");
    let tip = git(&w.clone, &["rev-parse", "origin/env/stage"]);
    let rollback = [
        "rollback",
        "--repo",
        repo,
        "--env",
        "stage",
        "--to",
        tip.trim(),
        "--open-pr",
        "--yes",
    ];
    // Nothing to roll back to at the tip itself; one commit back there is.
    let back = git(&w.clone, &["rev-parse", "origin/env/stage~1"]);
    let mut rollback = rollback.to_vec();
    rollback[6] = back.trim();
    let e = fails(w.hoist(&rollback, Some(TOKEN)));
    assert!(e.contains("a rollback needs a reason"), "{e}");
    assert!(w.sandbox.pulls().is_empty());
    rollback.extend(["--reason", "1.5.0 breaks checkout"]);
    let out = ok(w.hoist(&rollback, Some(TOKEN)));
    assert!(out.contains("opened: #1"), "{out}");
    git(
        &w.clone,
        &[
            "remote",
            "set-url",
            "origin",
            "https://gitlab.com/acme/gitops.git",
        ],
    );
    git(&w.clone, &["config", "--unset", "hoist.apiUrl"]);
    // gitlab.com is GitLab: the GitHub token is not offered to it.
    let e = fails(w.hoist(&with_yes, Some(TOKEN)));
    assert!(e.contains("no GitLab token for gitlab.com"), "{e}");
    // A host whose name says nothing is taken for a GitHub Enterprise
    // Server only once its API URL is known.
    git(
        &w.clone,
        &[
            "remote",
            "set-url",
            "origin",
            "https://git.example.org/acme/gitops.git",
        ],
    );
    let e = fails(w.hoist(&with_yes, Some(TOKEN)));
    assert!(
        e.contains("origin is on git.example.org, which is not GitHub"),
        "{e}"
    );
}

#[test]
fn auth_login_checks_the_token_before_keeping_it() {
    let w = world("auth");
    let host = w.host.as_str();
    let login = [
        "auth",
        "login",
        "--host",
        host,
        "--api-url",
        w.sandbox.url(),
    ];
    let e = fails(w.hoist_with_input(&login, None, Some("ghp_wrong\n")));
    assert!(e.contains("rejected the token"), "{e}");
    let out = w.hoist_with_input(&login, None, Some(&format!("{TOKEN}\n")));
    // Storing needs the Secret Service that scripts/test.sh starts.
    let text = ok(out);
    assert!(
        text.contains(&format!("signed in to {host} as release-manager")),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
    let status = ok(w.hoist(&["auth", "status", "--host", host], None));
    assert!(
        status.contains("as release-manager") && status.contains("the OS keyring"),
        "{status}"
    );
    assert!(!status.contains(TOKEN));
    // The saved API URL and the keyring's token are all `prs` needs.
    git(&w.clone, &["config", "--unset", "hoist.apiUrl"]);
    assert!(
        ok(w.hoist(&["prs", "--repo", w.repo()], None)).contains("no open Hoist pull requests")
    );
    assert!(ok(w.hoist(&["auth", "logout", "--host", host], None)).contains("signed out"));
    assert!(fails(w.hoist(&["auth", "status", "--host", host], None)).contains("not signed in"));
}
