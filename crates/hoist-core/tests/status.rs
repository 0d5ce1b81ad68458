//! `status` on every fixture layout: the version of each app in each
//! environment, whether it is pending, and the commit that set it, exactly
//! as each fixture script's header lists them.

mod common;

use common::{matrix, matrix_at};
use hoist_core::Project;
use hoist_core::status::Cell;

fn check(name: &str, expected: &[&str]) {
    assert_eq!(matrix(name), expected, "status of fixture {name}");
}

const BRANCH_HELM: &[&str] = &[
    "envs: dev stage prod",
    "api dev: 1.6.0 | Promote api to 1.6.0 (#41)",
    "api stage: 1.5.0* | Promote api to 1.5.0 (#34)",
    "api prod: 1.4.2* | Initial prod environment",
    "web dev: 2.1.0 | Promote web to 2.1.0 (#21)",
    "web stage: 2.1.0 | Merge pull request #35 from acme/promote-web-2.1.0",
    "web prod: 2.1.0 | Merge pull request #40 from acme/promote-web-2.1.0-prod",
    "worker dev: 0.9.1 | Bump worker to 0.9.1",
    "worker stage: 0.9.1 | Promote worker to 0.9.1 (#36)",
    "worker prod: 0.9.0* | Initial prod environment",
];

#[test]
fn branch_helm() {
    check("branch-helm", BRANCH_HELM);
    let project = Project::open(&hoist_fixtures::fixture("branch-helm")).unwrap();
    let prs: Vec<Vec<Option<u64>>> = project
        .status()
        .unwrap()
        .apps
        .iter()
        .map(|row| {
            row.cells
                .iter()
                .map(|c| match c {
                    Cell::Version { since, .. } => {
                        since.as_ref().and_then(|s| s.change.map(|c| c.number))
                    }
                    _ => None,
                })
                .collect()
        })
        .collect();
    // Columns dev, stage, prod; rows api, web, worker.
    assert_eq!(
        prs,
        [
            [Some(41), Some(34), None],
            [Some(21), Some(35), Some(40)],
            [None, Some(36), None]
        ]
    );
}

#[test]
fn a_clone_reads_the_remote_branches() {
    check("clone", BRANCH_HELM);
}

#[test]
fn a_shallow_clone_has_versions_without_invented_origins() {
    let project = Project::open(&hoist_fixtures::fixture("shallow-clone")).expect("opens");
    assert!(project.repo.is_shallow(), "reported as shallow");
    let stripped: Vec<String> = BRANCH_HELM
        .iter()
        .map(|l| l.split(" | ").next().unwrap_or(l).to_owned())
        .collect();
    assert_eq!(matrix("shallow-clone"), stripped);
}

#[test]
fn dirs_kustomize_with_regional_fan_out() {
    const A: &str = "sha256:6a65e237ae44c42895b5049031466616173469f513b00240e9db90df66906a49";
    const B: &str = "sha256:0482c4aea1af397e54200017866d778ce32e1daac473f2cd09a9159d2e69b6ef";
    check(
        "dirs-kustomize",
        &[
            "envs: dev staging prod-eu prod-us",
            "api dev: 1.7.0 | Promote api to 1.7.0 (#107)",
            "api staging: 1.6.0* | Merge pull request #102 from acme/promote-api-1.6.0-staging",
            "api prod-eu: 1.6.0 | Promote api to 1.6.0 in prod-eu (#103)",
            "api prod-us: 1.5.0* | Bootstrap shop environments",
            "web dev: 2.2.0 | Promote web to 2.2.0 (#104)",
            "web staging: 2.2.0 | Merge pull request #105 from acme/promote-staging",
            "web prod-eu: 2.1.0* | Bootstrap shop environments",
            "web prod-us: 2.1.0* | Bootstrap shop environments",
            &format!("worker dev: {B} | Roll worker to the new build"),
            &format!("worker staging: {B} | Merge pull request #105 from acme/promote-staging"),
            &format!("worker prod-eu: {A}* | Bootstrap shop environments"),
            &format!("worker prod-us: {B} | Promote worker to prod-us (#106)"),
        ],
    );
}

#[test]
fn overlays() {
    check(
        "overlays",
        &[
            "envs: dev qa staging production",
            "api dev: 3.1.0 | Promote api to 3.1.0 (#201)",
            "api qa: 3.1.0 | Promote api to 3.1.0 (#202)",
            "api staging: 3.1.0 | Promote api to 3.1.0 (#204)",
            "api production: 3.0.0* | Add base and overlays",
            "web dev: 1.1.0 | Merge pull request #203 from acme/release-web-1.1.0",
            "web qa: 1.0.0* | Add base and overlays",
            "web staging: 1.0.0 | Add base and overlays",
            "web production: 1.0.0 | Add base and overlays",
        ],
    );
}

/// The dry commits of `rendered-manifests.sh` (reproducible: the script's header lists them).
const RENDERED_DRY: [(&str, &str); 3] = [
    ("m1", "747b85ec61f87c29513c48f7c6c11096f101cd51"),
    ("m2", "f6ef81207c7f15129eec532a3b9ebc306c3ff3fd"),
    ("m3", "06e441fa5ef29beecb534f4b9d8f452614f7ceed"),
];

#[test]
fn rendered_manifests_on_hydrated_branches() {
    // Each environment's next branch holds what the hydrator rendered last (m3).
    assert_eq!(
        common::labelled(matrix("rendered-manifests"), &RENDERED_DRY),
        [
            "envs: development staging production",
            "dry development: m3 | Merge pull request #314 from acme/environment/development-next",
            "dry staging: m2* → m3 | Merge pull request #312 from acme/environment/staging-next",
            "dry production: m1* → m3 | Hydrate: Add shop chart and promotion strategy",
            "api development: 2.3.1 | Merge pull request #314 from acme/environment/development-next",
            "api staging: 2.3.0* → 2.3.1 | Merge pull request #312 from acme/environment/staging-next",
            "api production: 2.2.0* → 2.3.1 | Hydrate: Add shop chart and promotion strategy",
            "reports development: 1.0.4 | Merge pull request #311 from acme/environment/development-next",
            "reports staging: 1.0.4 | Merge pull request #312 from acme/environment/staging-next",
            "reports production: 1.0.3* → 1.0.4 | Hydrate: Add shop chart and promotion strategy",
        ]
    );
}

#[test]
fn flux_clusters_with_image_policy_markers() {
    check(
        "flux-clusters",
        &[
            "envs: dev staging prod",
            "podinfo dev: 6.7.1 | Automated image update",
            "podinfo staging: 6.7.0* | Promote podinfo 6.7.0 to staging (#401)",
            "podinfo prod: 6.6.3* | Add clusters dev, staging and prod",
            "web dev: 3.2.0 | Automated image update",
            "web staging: 3.2.0 | Merge pull request #402 from acme/promote-web-3.2.0-staging",
            "web prod: 3.1.0* | Add clusters dev, staging and prod",
        ],
    );
}

#[test]
fn kargo_stages_in_their_declared_order() {
    check(
        "kargo",
        &[
            "envs: dev staging qa production",
            "api dev: 1.3.0 | Promote api 1.3.0 to dev (freight brave-heron)",
            "api staging: 1.3.0 | Promote api 1.3.0 to staging (freight brave-heron)",
            "api qa: 1.2.0* | Initial qa",
            "api production: 1.2.0 | Merge pull request #501 from acme/kargo/promotion/production-amber-fox",
            "web dev: 4.1.0 | Promote web 4.1.0 to dev (freight calm-lynx)",
            "web staging: 4.0.0* | Initial staging",
            "web qa: 4.0.0 | Promote web 4.0.0 to qa (freight amber-fox)",
            "web production: 3.9.0* | Initial production",
        ],
    );
}

#[test]
fn awkward_files() {
    const A: &str = "sha256:eff0b1a759cfefcf8409263d6faa86776850f466c06c8c7a21b836caa72d0cb5";
    const B: &str = "sha256:6b50aa717d05289671854cfd157f4c91888deb8472e966f19e410dc4856b7a4c";
    check(
        "awkward",
        &[
            "envs: dev prod",
            "api dev: 3.4.6 | Promote api to 3.4.6 (#601)",
            "api prod: 3.4.5* | Initial prod",
            "web dev: 1.3.0 | Promote web to 1.3.0 and worker to 0.8.0 (#603)",
            "web prod: 1.2.3* | Initial prod",
            "worker dev: 0.8.0 | Promote web to 1.3.0 and worker to 0.8.0 (#603)",
            "worker prod: 0.7.0* | Initial prod",
            &format!("gateway dev: {B} | Merge pull request #602 from acme/edge-release"),
            &format!("gateway prod: {A}* | Initial prod"),
            "billing dev: 5.1.0 | Merge pull request #602 from acme/edge-release",
            "billing prod: 5.0.1* | Initial prod",
        ],
    );
}

#[test]
fn broken_cells_say_what_is_wrong_and_the_rest_still_shows() {
    check(
        "missing-file",
        &[
            "envs: dev stage prod",
            "api dev: 2.0.0 | Initial dev",
            "api stage: error: deploy/api.yaml: {container: api} matches 2 places (lines 15, 30); make it select exactly one",
            "api prod: 1.9.0 | Initial prod",
            "worker dev: 0.5.0 | Initial dev",
            "worker stage: 0.5.0 | Initial stage",
            "worker prod: error: apps/worker/values.yaml does not exist on branch env/prod; add it, or fix the app's file in .hoist.yaml",
        ],
    );
}

#[test]
fn editing_a_fixture_copy_changes_the_status() {
    // The matrix is read from the repository, not remembered: commit a new
    // version on env/prod and it shows.
    let copy = hoist_fixtures::fresh_copy("branch-helm");
    let dir = copy.path();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["checkout", "-q", "env/prod"]);
    let values = dir.join("apps/api/values.yaml");
    let text = std::fs::read_to_string(&values)
        .unwrap()
        .replace("1.4.2", "1.5.0");
    std::fs::write(&values, text).unwrap();
    git(&[
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@x",
        "commit",
        "-qam",
        "Promote api to 1.5.0 (#99)",
    ]);
    let lines = matrix_at(dir);
    assert!(
        lines.contains(&"api prod: 1.5.0 | Promote api to 1.5.0 (#99)".to_owned()),
        "{lines:#?}"
    );
}

/// A link or a submodule where an app's file should be is not read as the
/// file (a link's blob is its target's name; a submodule is another
/// repository): the cell says what is there, and the rest still shows.
#[test]
fn a_link_or_a_submodule_at_an_apps_file_is_named_not_read() {
    let copy = hoist_fixtures::fresh_copy("branch-helm");
    let dir = copy.path();
    let git = |args: &[&str]| hoist_fixtures::git(dir, args);
    git(&["checkout", "-q", "env/prod"]);
    std::fs::remove_file(dir.join("apps/api/values.yaml")).unwrap();
    std::os::unix::fs::symlink("../web/values.yaml", dir.join("apps/api/values.yaml")).unwrap();
    let head = git(&["rev-parse", "HEAD"]);
    git(&["rm", "-q", "--cached", "apps/worker/values-prod.yaml"]);
    git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{},apps/worker/values-prod.yaml", head.trim()),
    ]);
    git(&["add", "apps/api/values.yaml"]);
    git(&[
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@x",
        "commit",
        "-qm",
        "links",
    ]);
    let lines = matrix_at(dir);
    let cell = |name: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {lines:#?}"))
            .clone()
    };
    assert!(
        cell("api prod:").contains("apps/api/values.yaml is a symbolic link in "),
        "{lines:#?}"
    );
    assert!(
        cell("worker prod:").contains("apps/worker/values-prod.yaml is a submodule in "),
        "{lines:#?}"
    );
    assert_eq!(
        cell("api dev:"),
        "api dev: 1.6.0 | Promote api to 1.6.0 (#41)"
    );
}
