//! Bad input: every failure is one line on stderr that says what to do, with exit code 1;
//! usage errors exit with 2.

use std::process::{Command, Output};

fn hoist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoist"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the hoist binary runs")
}

fn one_line_error(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8(out.stderr.clone()).expect("UTF-8 stderr");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line expected, got: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

#[test]
fn a_path_that_does_not_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nope");
    let err = one_line_error(&hoist(&[
        "status",
        "--repo",
        missing.to_str().expect("UTF-8 path"),
    ]));
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn a_folder_that_is_not_a_repository() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = one_line_error(&hoist(&[
        "status",
        "--repo",
        dir.path().to_str().expect("UTF-8 path"),
    ]));
    assert!(err.contains("is not a git repository"), "{err}");
}

#[test]
fn a_repository_without_commits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let init = Command::new("git")
        .args(["init", "-q", "-b", "main"])
        .current_dir(dir.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .expect("git runs");
    assert!(init.success());
    let err = one_line_error(&hoist(&[
        "status",
        "--repo",
        dir.path().to_str().expect("UTF-8 path"),
    ]));
    assert!(err.contains("has no commits yet"), "{err}");
}

#[test]
fn usage_errors_exit_with_2() {
    let out = hoist(&["status", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = hoist(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}
