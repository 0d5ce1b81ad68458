//! A commit-graph with changed-path Bloom filters makes walks skip commits;
//! it must never change what they find.

use hoist_core::Project;
use hoist_core::history;

fn everything(project: &Project) -> (String, Vec<String>) {
    let status = format!("{:?}", project.status().expect("status"));
    let mut changes = Vec::new();
    for env in &project.config.environments {
        history::history(project, &env.name, &[], |c| {
            changes.push(format!(
                "{} {} {} {:?}→{} {:?}",
                c.environment, c.app, c.commit.id, c.from, c.to, c.kind
            ));
        })
        .expect("history");
    }
    (status, changes)
}

#[test]
fn status_and_history_are_the_same_with_bloom_filters() {
    for fixture in ["promotions", "branch-helm", "dirs-kustomize", "awkward"] {
        let copy = hoist_fixtures::fresh_copy(fixture);
        let without = Project::open(copy.path()).expect("opens");
        assert!(!without.repo.has_bloom_filters());
        let before = everything(&without);
        hoist_fixtures::git(
            copy.path(),
            &["commit-graph", "write", "--reachable", "--changed-paths"],
        );
        let with = Project::open(copy.path()).expect("opens");
        assert!(with.repo.has_bloom_filters(), "{fixture}: filters read");
        assert_eq!(everything(&with), before, "{fixture}");
    }
}

/// Walks read packed objects through hoist's own delta-base cache; a repository
/// repacked with deep delta chains, with offset or with id bases, must read
/// exactly as its loose objects did.
#[test]
fn status_and_history_are_the_same_when_packed() {
    for fixture in ["promotions", "branch-helm", "dirs-kustomize", "awkward"] {
        for offsets in [true, false] {
            let copy = hoist_fixtures::fresh_copy(fixture);
            let before = everything(&Project::open(copy.path()).expect("opens"));
            hoist_fixtures::repack_deeply(copy.path(), offsets);
            let after = Project::open(copy.path()).expect("opens");
            assert_eq!(everything(&after), before, "{fixture}, offsets {offsets}");
        }
    }
}
