//! The CLI on real fixture repositories: the table people read, the JSON
//! scripts read, the proposed configuration and the schema.

use std::path::Path;
use std::process::{Command, Output};

fn hoist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoist"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the hoist binary runs")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn repo(name: &str) -> String {
    hoist_fixtures::fixture(name)
        .to_str()
        .expect("UTF-8 path")
        .to_owned()
}

#[test]
fn status_table_shows_every_version_and_pending_marks() {
    let out = ok(hoist(&["status", "--repo", &repo("branch-helm")]));
    let row = |app: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{app} ")))
            .unwrap_or_else(|| panic!("no row for {app} in:\n{out}"))
            .split_whitespace()
            .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()) && w.contains('.'))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(row("api"), ["1.6.0", "1.5.0*", "1.4.2*"], "{out}");
    assert_eq!(row("web"), ["2.1.0", "2.1.0", "2.1.0"], "{out}");
    assert_eq!(row("worker"), ["0.9.1", "0.9.1", "0.9.0*"], "{out}");
    assert!(out.contains("dev (env/dev "), "{out}");
    assert!(out.contains("#41"), "PR numbers are shown: {out}");
}

#[test]
fn status_json_is_the_full_model() {
    let out = ok(hoist(&["status", "--repo", &repo("branch-helm"), "--json"]));
    let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(json["shallow"], false);
    assert_eq!(json["config"]["kind"], "branch");
    let json = &json["status"];
    let envs: Vec<&str> = json["environments"]
        .as_array()
        .expect("environments")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(envs, ["dev", "stage", "prod"]);
    let api = &json["apps"][0];
    assert_eq!(api["name"], "api");
    let stage = &api["cells"][1];
    assert_eq!(stage["state"], "version");
    assert_eq!(stage["version"], "1.5.0");
    assert_eq!(stage["pending"], true);
    assert_eq!(
        stage["since"]["change"],
        serde_json::json!({"forge": "github", "number": 34})
    );
    assert_eq!(stage["since"]["subject"], "Promote api to 1.5.0 (#34)");
    assert_eq!(stage["since"]["id"].as_str().map(str::len), Some(40));
}

#[test]
fn status_reports_broken_cells_without_failing() {
    let out = ok(hoist(&["status", "--repo", &repo("missing-file")]));
    assert!(
        out.contains("apps/worker/values.yaml does not exist on branch env/prod"),
        "{out}"
    );
    assert!(out.contains("matches 2 places"), "{out}");
}

#[test]
fn a_bad_config_names_file_line_and_column() {
    let out = hoist(&["status", "--repo", &repo("bad-config")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".hoist.yaml") && err.contains("line 6 column 22"),
        "{err}"
    );
}

#[test]
fn init_proposes_a_config_that_loads_and_finds_the_same_versions() {
    let proposed = ok(hoist(&["init", "--repo", &repo("dirs-kustomize")]));
    assert!(
        proposed.contains("# directory envs/dev/"),
        "every entry says why: {proposed}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("proposed.hoist.yaml");
    std::fs::write(&config, &proposed).expect("write");
    let with_config = ok(hoist(&[
        "status",
        "--repo",
        &repo("dirs-kustomize"),
        "--config",
        config.to_str().expect("UTF-8"),
    ]));
    let detected = ok(hoist(&["status", "--repo", &repo("dirs-kustomize")]));
    let body = |s: &str| {
        s.lines()
            .skip_while(|l| !l.starts_with("app "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&with_config), body(&detected));
    assert!(body(&detected).contains("1.7.0"), "{detected}");
}

#[test]
fn schema_is_the_committed_one() {
    let printed = ok(hoist(&["schema"]));
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/hoist.schema.json"),
    )
    .expect("schema/hoist.schema.json");
    assert_eq!(printed.trim_end(), committed.trim_end());
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoist"))
        .args(["status", "--json", "--repo", &repo("branch-helm")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close the reading end before hoist has opened the repository, so its
    // first write meets a closed pipe (`hoist status --json | false`).
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(out.status.success());
}

#[test]
fn plan_json_has_unified_and_side_by_side_hunks() {
    let out = ok(hoist(&[
        "plan",
        "--repo",
        &repo("branch-helm"),
        "--from",
        "dev",
        "--to",
        "stage",
        "--json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(json["plan"]["apps"][0]["from"], "1.5.0");
    assert_eq!(json["plan"]["apps"][0]["to"], "1.6.0");
    assert_eq!(json["plan"]["blocked"], false);
    let file = &json["diffs"][0];
    assert_eq!(file["diff"]["path"], "apps/api/values.yaml");
    let row = file["side_by_side"][0]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["old"]["tag"] == "removed")
        .expect("a changed row");
    assert!(
        row["old"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("1.5.0")),
        "{row}"
    );
    assert!(
        row["new"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("1.6.0")),
        "{row}"
    );
}

#[test]
fn plan_split_puts_old_and_new_side_by_side_in_the_terminal_width() {
    let out = Command::new(env!("CARGO_BIN_EXE_hoist"))
        .args(["plan", "--repo", &repo("branch-helm"), "--from", "dev"])
        .args(["--to", "stage", "--split"])
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("the hoist binary runs");
    let out = ok(out);
    let rows: Vec<&str> = out.lines().filter(|l| l.contains(" │ ")).collect();
    assert_eq!(
        rows.len(),
        7,
        "3 context lines either side of one change:\n{out}"
    );
    let changed = rows
        .iter()
        .find(|r| r.contains("-  tag"))
        .expect("the changed row");
    let (old, new) = changed.split_once(" │ ").expect("two columns");
    assert!(old.trim_start().starts_with("5-  tag: 1.5.0"), "{changed}");
    assert!(new.trim_start().starts_with("5+  tag: 1.6.0"), "{changed}");
    // Both columns are cut to fit 100 columns, the cut marked.
    assert!(old.ends_with('…') && new.ends_with('…'), "{changed}");
    assert!(
        rows.iter().all(|r| r.chars().count() <= 100),
        "wider than COLUMNS:\n{out}"
    );
    let context = rows.iter().find(|r| r.contains("image:")).expect("context");
    let (old, new) = context.split_once(" │ ").expect("two columns");
    assert_eq!(old.trim(), new.trim(), "context faces itself");
}

#[test]
fn status_draws_a_fanned_out_pipeline_and_marks_inherited_versions() {
    let out = ok(hoist(&["status", "--repo", &repo("kargo-stages")]));
    assert!(
        out.contains(
            "pipeline   dev\n           └─ staging\n              ├─ ab-test-a\n              │  ├─ prod-east\n              │  └─ prod-west\n              └─ ab-test-b\n"
        ),
        "{out}"
    );
    let row = out
        .lines()
        .find(|l| l.starts_with("guestbook "))
        .expect("a guestbook row");
    assert!(row.contains("v0.0.1* (base)"), "{row}");
    assert!(
        out.contains("(base) the environment does not set it"),
        "{out}"
    );
    // Names alone: the links are guessed, and the table says so.
    let out = ok(hoist(&["status", "--repo", &repo("fanout")]));
    assert!(out.contains("│  │  └─ load-gpu (side)"), "{out}");
    assert!(out.contains("(links guessed from the names"), "{out}");
}

#[test]
fn a_rendered_environment_shows_what_waits_and_promotes_by_merging() {
    let out = ok(hoist(&["status", "--repo", &repo("hydrated-branches")]));
    let row = out
        .lines()
        .find(|l| l.starts_with("guestbook "))
        .expect("a guestbook row");
    assert!(row.contains("23edec346de4…* → d27f6981b339…"), "{row}");
    let out = ok(hoist(&[
        "plan",
        "--repo",
        &repo("hydrated-branches"),
        "--from",
        "dev",
        "--to",
        "e2e",
    ]));
    assert!(
        out.starts_with("promote dev → e2e by merging env/e2e-next at "),
        "{out}"
    );
    assert!(
        out.contains("dry commits for guestbook (23edec346de4… → d27f6981b339…)\n  d27f698  feat(guestbook): v7 with the new theme (#13)  Alice Martin\n  bf561df  fix(cart): 1.1.0 retries declined payments (#12)  Bob Okafor\n"),
        "{out}"
    );
    // The same commits as release notes: the breaking change first.
    let out = ok(hoist(&[
        "plan",
        "--repo",
        &repo("hydrated-branches"),
        "--from",
        "dev",
        "--to",
        "e2e",
        "--notes",
    ]));
    assert!(
        out.contains("release notes for guestbook (23edec346de4… → d27f6981b339…)\n  Breaking changes\n    - cart: 1.1.0 retries declined payments (#12) [#9]  Bob Okafor\n      cart listens on port 8081; point its Service there.\n  Features\n    - guestbook: v7 with the new theme (#13)  Alice Martin\n"),
        "{out}"
    );
    assert!(
        out.contains("breaking change in bf561df (cart), which guestbook brings"),
        "{out}"
    );
}

#[test]
fn init_marks_guessed_links_and_writes_bases_and_next_branches() {
    let overlays = repo("app-overlays");
    let out = ok(hoist(&["init", "--repo", &overlays]));
    assert!(
        out.contains("takes versions from \"dev\" (guessed: \"staging\" comes after \"dev\" by\n  # well-known names)\n  - name: staging\n"),
        "{out}"
    );
    assert!(
        out.contains("    file: \"apps/api/overlays/{env}/kustomization.yaml\"\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "    base: { file: apps/api/base/deployment.yaml, locator: { container: api } }\n"
        ),
        "{out}"
    );
    let out = ok(hoist(&["init", "--repo", &repo("hydrated-branches")]));
    assert!(
        out.contains("    branch: env/prd\n    next_branch: env/prd-next\n"),
        "{out}"
    );
    assert!(
        out.contains("    file: \"hydrated/guestbook-{env}/hydrator.metadata\"\n"),
        "{out}"
    );
    // A plan that inherits says where the value goes; --base writes the base.
    let plan = |extra: &[&str]| {
        let mut args = vec![
            "plan",
            "--repo",
            overlays.as_str(),
            "--from",
            "dev",
            "--to",
            "staging",
        ];
        args.extend_from_slice(extra);
        ok(hoist(&args))
    };
    assert!(
        plan(&[]).contains(
            "api  1.0.0 → 1.2.0   apps/api/overlays/staging/kustomization.yaml   (added: staging inherited it from its base)"
        )
    );
    assert!(
        plan(&["--base"])
            .contains("api  1.0.0 → 1.2.0   apps/api/base/deployment.yaml   (the base itself)")
    );
}
