//! Fetching and cloning through the surface: git's progress reaches the
//! caller, failures are typed, and nothing is left behind by a refused clone.

use std::path::PathBuf;
use std::sync::Mutex;

use hoist_api::{Error, Session};
use hoist_fixtures::git;

#[tokio::test]
async fn a_fetch_brings_origin_s_new_commits_and_tells_its_progress() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir.path());
    // Someone pushes to origin after the clone was made.
    let work = dir.path().join("work");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "-b",
            "env/dev",
            &bare.to_string_lossy(),
            &work.to_string_lossy(),
        ],
    );
    git(
        &work,
        &[
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "later",
        ],
    );
    git(&work, &["push", "-q", "origin", "env/dev"]);
    let pushed = git(&work, &["rev-parse", "HEAD"]);

    let session = Session::new(clone.clone(), None);
    let lines = Mutex::new(Vec::new());
    hoist_api::git::fetch(&session, &|l| lines.lock().expect("lines").push(l))
        .await
        .expect("fetched");
    assert_eq!(git(&clone, &["rev-parse", "origin/env/dev"]), pushed);
    assert!(
        !lines.lock().expect("lines").is_empty(),
        "git's progress reached the caller"
    );
}

#[tokio::test]
async fn a_fetch_from_an_origin_that_is_gone_says_what_git_said() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (bare, clone) = hoist_fixtures::origin_and_clone("branch-helm", dir.path());
    std::fs::remove_dir_all(&bare).expect("origin removed");
    let session = Session::new(clone, None);
    let err = hoist_api::git::fetch(&session, &|_| {})
        .await
        .expect_err("nothing to fetch from");
    assert!(
        matches!(&err, Error::Git { what, detail } if what == "git fetch" && !detail.is_empty()),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_clone_is_refused_before_git_runs_when_its_address_or_folder_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let session = Session::new(PathBuf::from("/nowhere"), None);
    let into = dir.path().join("new");
    for url in ["--upload-pack=touch /tmp/x", "ext::sh -c touch% /tmp/x", ""] {
        let err = hoist_api::git::clone(&session, url, &into, &|_| {})
            .await
            .expect_err(url);
        assert!(matches!(err, Error::CloneUrl(_)), "{url}: {err:?}");
        assert!(!into.exists(), "{url}: nothing was made");
    }
    let full = dir.path().join("full");
    std::fs::create_dir_all(&full).expect("folder");
    std::fs::write(full.join("keep.txt"), "mine").expect("file");
    let err = hoist_api::git::clone(&session, "https://example.com/a/b.git", &full, &|_| {})
        .await
        .expect_err("not empty");
    assert!(matches!(err, Error::NotEmpty { .. }), "{err:?}");
    assert_eq!(
        std::fs::read_to_string(full.join("keep.txt")).expect("kept"),
        "mine"
    );
}
