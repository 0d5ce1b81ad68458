//! Locks, freeze windows, drift, downgrades without semver, compare links
//! and sync mode, on private copies of the fixtures.

use std::path::Path;
use std::process::Command;

use hoist_core::Project;
use hoist_core::plan::{self, Mode, Options, PromotionPlan, Warning};
use hoist_core::point::Point;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@acme.example"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Commits `edit` applied to the files of `branch`.
fn commit_on(dir: &Path, branch: &str, message: &str, edit: impl FnOnce(&Path)) {
    git(dir, &["checkout", "-q", branch]);
    edit(dir);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// A copy of branch-helm whose `.hoist.yaml` gets `change` applied.
fn helm_with_config(change: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let copy = hoist_fixtures::fresh_copy("branch-helm");
    commit_on(copy.path(), "main", "Configure guards", |dir| {
        let path = dir.join(".hoist.yaml");
        let text = std::fs::read_to_string(&path).expect("config");
        std::fs::write(&path, change(text)).expect("write config");
    });
    copy
}

fn at(time: &str) -> Options {
    Options {
        now: time.parse().expect("timestamp"),
        mode: Mode::Version,
        base: false,
    }
}

fn dev_to_stage(dir: &Path, options: &Options) -> PromotionPlan {
    let project = Project::open(dir).expect("opens");
    plan::promotion_with(&project, &Point::tip("dev"), "stage", &[], options)
        .expect("plans")
        .expect("something to promote")
}

#[test]
fn an_environment_lock_blocks_until_it_expires() {
    let copy = helm_with_config(|c| {
        c + "locks:\n  - environment: stage\n    by: alice\n    reason: incident INC-42 under investigation\n    until: 2026-12-01T09:00:00Z\n"
    });
    let plan = dev_to_stage(copy.path(), &at("2026-11-30T12:00:00Z"));
    assert!(plan.blocked);
    let lock = plan
        .warnings
        .iter()
        .find(|w| matches!(w, Warning::Locked { .. }))
        .expect("lock warning");
    assert_eq!(
        lock.message(),
        "stage is locked by alice until 2026-12-01T09:00:00Z: incident INC-42 under investigation; opening this PR needs an override reason"
    );
    let later = dev_to_stage(copy.path(), &at("2026-12-01T09:00:00Z"));
    assert!(!later.blocked, "{:?}", later.warnings);
}

#[test]
fn a_blocked_plan_becomes_a_pull_request_only_with_a_reason_that_is_in_it() {
    let copy = helm_with_config(|c| {
        c + "locks:\n  - environment: stage\n    by: alice\n    reason: incident INC-42\n"
    });
    let plan = dev_to_stage(copy.path(), &at("2026-11-30T12:00:00Z"));
    let settings = hoist_core::config::PrSettings::default();
    for missing in [None, Some(""), Some("   ")] {
        let err = plan
            .pull_request(&settings, missing)
            .expect_err("blocked without a reason");
        assert_eq!(
            err.to_string(),
            "stage is locked by alice: incident INC-42; opening this PR needs an override reason. \
             To go ahead anyway, give the reason for the override; it goes into the pull request"
        );
    }
    let draft = plan
        .pull_request(&settings, Some("hotfix for INC-42, approved by bob"))
        .expect("overridden");
    assert!(
        draft
            .body
            .contains("**Reason:** hotfix for INC-42, approved by bob"),
        "{}",
        draft.body
    );
    assert!(
        draft
            .body
            .contains("**Overrides:**\n- stage is locked by alice: incident INC-42"),
        "{}",
        draft.body
    );
}

#[test]
fn an_app_lock_blocks_only_that_app() {
    let copy = helm_with_config(|c| {
        c + "locks:\n  - environment: stage\n    apps: [web]\n    by: bob\n    reason: load test running\n"
    });
    // Only api differs between dev and stage, so web's lock does not apply.
    let plan = dev_to_stage(copy.path(), &at("2026-11-30T12:00:00Z"));
    assert!(!plan.blocked, "{:?}", plan.warnings);
    let copy = helm_with_config(|c| {
        c + "locks:\n  - environment: stage\n    apps: [api]\n    by: bob\n    reason: load test running\n"
    });
    let plan = dev_to_stage(copy.path(), &at("2026-11-30T12:00:00Z"));
    assert!(plan.blocked);
    assert!(
        matches!(&plan.warnings[0], Warning::Locked { app: Some(a), .. } if a == "api"),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn a_freeze_window_is_read_in_its_time_zone() {
    let copy = helm_with_config(|c| {
        c + "freezes:\n  - name: year-end\n    environments: [stage, prod]\n    start: 2026-12-20T00:00\n    end: 2027-01-04T09:00\n    timezone: Europe/Berlin\n    reason: holidays\n"
    });
    // 23:30 UTC on the 19th is 00:30 on the 20th in Berlin: frozen.
    let plan = dev_to_stage(copy.path(), &at("2026-12-19T23:30:00Z"));
    assert!(plan.blocked);
    assert_eq!(
        plan.warnings
            .iter()
            .find(|w| w.blocks())
            .map(Warning::message),
        Some(
            "stage is frozen by \"year-end\" until 2027-01-04T08:00:00Z (holidays); opening this PR needs an override reason"
        )
    );
    // An hour earlier it is still the 19th in Berlin.
    assert!(!dev_to_stage(copy.path(), &at("2026-12-19T22:30:00Z")).blocked);
    assert!(!dev_to_stage(copy.path(), &at("2027-01-04T08:00:00Z")).blocked);
}

#[test]
fn guards_that_name_unknown_things_are_config_errors() {
    let cases = [
        (
            "locks:\n  - environment: qa\n    by: a\n    reason: r\n",
            "line 24 column 18: lock on \"qa\", which is not an environment",
        ),
        (
            "freezes:\n  - name: f\n    environments: [prod]\n    start: 2026-12-20T00:00\n    end: 2027-01-04T00:00\n    timezone: Mars/Olympus\n",
            "line 28 column 15: freeze \"f\" has time zone \"Mars/Olympus\", which is not an IANA time zone",
        ),
        (
            "freezes:\n  - name: f\n    environments: [prod]\n    start: 2026-12-20T00:00\n    end: 2026-12-01T00:00\n",
            "freeze \"f\" ends (2026-12-01T00:00:00) before it starts (2026-12-20T00:00:00)",
        ),
    ];
    for (extra, expected) in cases {
        let copy = helm_with_config(|c| c + extra);
        let err = Project::open(copy.path())
            .err()
            .expect("rejected")
            .to_string();
        assert!(err.contains(expected), "{err}\nshould contain: {expected}");
    }
}

#[test]
fn a_direct_edit_on_the_target_is_drift() {
    let copy = hoist_fixtures::fresh_copy("branch-helm");
    commit_on(
        copy.path(),
        "env/stage",
        "Hotfix api straight on stage",
        |dir| {
            let path = dir.join("apps/api/values.yaml");
            let text = std::fs::read_to_string(&path)
                .unwrap()
                .replace("tag: 1.5.0", "tag: 1.5.1");
            std::fs::write(path, text).unwrap();
        },
    );
    let plan = dev_to_stage(copy.path(), &Options::default());
    let drift = plan
        .warnings
        .iter()
        .find(|w| matches!(w, Warning::Drift { .. }))
        .expect("drift");
    assert!(
        drift
            .message()
            .starts_with("api: 1.5.1 in stage was written straight onto env/stage by Test"),
        "{}",
        drift.message()
    );
    assert!(!drift.blocks());
}

#[test]
fn digests_are_ordered_by_when_they_arrived() {
    let project = Project::open(&hoist_fixtures::fixture("dirs-kustomize")).unwrap();
    // prod-eu still runs the bootstrap digest; staging moved on to a newer one.
    let plan = plan::promotion(
        &project,
        &Point::tip("prod-eu"),
        "staging",
        &["worker".into()],
    )
    .unwrap()
    .expect("digests differ");
    let down = plan
        .warnings
        .iter()
        .find(|w| matches!(w, Warning::Downgrade { .. }))
        .expect("downgrade");
    assert!(
        down.message().contains("reached staging before"),
        "{}",
        down.message()
    );
    // The usual direction is not a downgrade.
    let forward = plan::promotion(
        &project,
        &Point::tip("staging"),
        "prod-eu",
        &["worker".into()],
    )
    .unwrap()
    .expect("digests differ");
    assert!(
        !forward
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::Downgrade { .. })),
        "{:?}",
        forward.warnings
    );
}

#[test]
fn a_source_repository_gives_compare_links() {
    let copy = helm_with_config(|c| {
        c.replace(
            "  - name: api\n    file: apps/api/values.yaml\n",
            "  - name: api\n    file: apps/api/values.yaml\n    source: { repository: acme/api, tag_prefix: v }\n",
        )
    });
    let plan = dev_to_stage(copy.path(), &Options::default());
    assert_eq!(
        plan.apps[0].compare.as_deref(),
        Some("https://github.com/acme/api/compare/v1.5.0...v1.6.0")
    );
}

#[test]
fn sync_mode_copies_the_apps_files_except_environment_specific_ones() {
    let copy = helm_with_config(|c| {
        c.replace(
            "  - name: api\n    file: apps/api/values.yaml\n",
            "  - name: api\n    file: apps/api/values.yaml\n    sync: { exclude: [apps/api/values-env.yaml] }\n",
        )
    });
    let dir = copy.path();
    commit_on(dir, "env/dev", "Add api config", |dir| {
        std::fs::write(dir.join("apps/api/config.yaml"), "feature: on\n").unwrap();
        std::fs::write(dir.join("apps/api/values-env.yaml"), "replicas: 1\n").unwrap();
    });
    commit_on(dir, "env/stage", "Add legacy file", |dir| {
        std::fs::write(dir.join("apps/api/legacy.yaml"), "old: true\n").unwrap();
        std::fs::write(dir.join("apps/api/values-env.yaml"), "replicas: 3\n").unwrap();
    });
    let options = Options {
        mode: Mode::Sync,
        ..Options::default()
    };
    let project = Project::open(dir).unwrap();
    let plan = plan::promotion_with(
        &project,
        &Point::tip("dev"),
        "stage",
        &["api".into()],
        &options,
    )
    .unwrap()
    .expect("files differ");
    let files: Vec<(&str, bool, bool)> = plan
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.old.is_some(), f.new.is_some()))
        .collect();
    assert_eq!(
        files,
        [
            ("apps/api/config.yaml", false, true),
            ("apps/api/legacy.yaml", true, false),
            ("apps/api/values.yaml", true, true),
        ]
    );
    let values = &plan.files[2];
    let dev_values = git(dir, &["show", "env/dev:apps/api/values.yaml"]);
    assert_eq!(values.new.as_deref(), Some(dev_values.as_bytes()));
    assert_eq!(
        (plan.apps[0].from.as_str(), plan.apps[0].to.as_str()),
        ("1.5.0", "1.6.0")
    );
}
