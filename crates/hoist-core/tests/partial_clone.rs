//! A blobless partial clone. In its own test process: the process keeps
//! each blob's version once read (blob ids fix their contents), so a status
//! of the same fixture elsewhere in the process would answer for the blobs
//! this clone lacks, and there would be nothing missing to report.

mod common;

use common::{matrix, matrix_at};
use hoist_core::Project;

/// A blobless partial clone: the error names the file and blob it lacks and
/// the command that fetches them; once run, the status reads.
#[test]
fn a_partial_clone_says_which_contents_are_missing_and_how_to_fetch_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("source.git");
    let clone = dir.path().join("clone");
    let git = |args: &[&str]| hoist_fixtures::git(dir.path(), args);
    git(&[
        "clone",
        "-q",
        "--bare",
        &hoist_fixtures::fixture("branch-helm").to_string_lossy(),
        &source.to_string_lossy(),
    ]);
    git(&[
        "-C",
        &source.to_string_lossy(),
        "config",
        "uploadpack.allowfilter",
        "true",
    ]);
    git(&[
        "clone",
        "-q",
        "--filter=blob:none",
        &format!("file://{}", source.display()),
        &clone.to_string_lossy(),
    ]);
    let project = Project::open(&clone).expect("opens: main's files were checked out");
    assert!(project.repo.is_partial());
    let err = project
        .status()
        .expect_err("env branches' contents are not here")
        .to_string();
    assert!(
        err.contains("is a partial clone (cloned with --filter) that has not fetched blob "),
        "{err}"
    );
    assert!(err.contains(" (apps/api/values.yaml);"), "{err}");
    let fetch = "-c remote.origin.partialclonefilter= fetch --refetch origin";
    assert!(err.contains(fetch), "{err}");
    // Doing what it says makes the clone whole.
    let mut args = vec!["-C", clone.to_str().expect("UTF-8 path")];
    args.extend(fetch.split(' '));
    args.push("-q");
    git(&args);
    assert_eq!(matrix_at(&clone)[1..], matrix("branch-helm")[1..]);
}
