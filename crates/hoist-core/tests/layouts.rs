//! The layouts of real GitOps repositories (rendered branches, Kargo, Flux
//! with Helm, Argo CD applications, app-centric overlays and values, fifteen
//! environments fanning out), read without a `.hoist.yaml`: the pipeline and
//! every cell of the matrix, as each fixture script's header lists them.

mod common;

use common::{labelled, matrix, pipeline};

const HYDRATED_BRANCHES: [(&str, &str); 5] = [
    ("d0", "666eccd8114212936f5c53fe0b7d2147d49bfb93"),
    ("d1", "7825189cc0ee49df8321bd0c6368d7ac20e60906"),
    ("d2", "23edec346de4dcc693256b31056c6673509f82e8"),
    ("d3", "bf561df85725e26f22fe26c32bce1dab97831e3e"),
    ("d4", "d27f6981b3393b982dc89b2238f55a9ea10eef9b"),
];

#[test]
fn rendered_branches_one_row_per_app_with_the_proposed_dry_commit() {
    assert_eq!(
        pipeline("hydrated-branches"),
        ["dev", "e2e <- dev", "prd <- e2e",]
    );
    assert_eq!(
        labelled(matrix("hydrated-branches"), &HYDRATED_BRANCHES),
        [
            "envs: dev e2e prd",
            "cart dev: d3 | Merge pull request #107 from acme/env/dev-next",
            "cart e2e: d3 | Merge pull request #108 from acme/env/e2e-next",
            "cart prd: d1* → d3 | Merge pull request #103 from acme/env/prd-next",
            "guestbook dev: d4 | Merge pull request #109 from acme/env/dev-next",
            "guestbook e2e: d2* → d4 | Merge pull request #105 from acme/env/e2e-next",
            "guestbook prd: d2 → d4 | Merge pull request #106 from acme/env/prd-next",
            "shop dev: d0 | 666eccd: Add shop chart and promotion strategy",
            "shop e2e: d0 | 666eccd: Add shop chart and promotion strategy",
            "shop prd: d0 | 666eccd: Add shop chart and promotion strategy",
        ]
    );
}

#[test]
fn kargo_stage_directories_with_fan_out_through_a_control_stage() {
    assert_eq!(
        pipeline("kargo-stages"),
        [
            "dev",
            "staging <- dev",
            "ab-test-a <- staging",
            "ab-test-b <- staging",
            "prod-east <- ab-test-a",
            "prod-west <- ab-test-a",
        ]
    );
    assert_eq!(
        matrix("kargo-stages"),
        [
            "envs: dev staging ab-test-a ab-test-b prod-east prod-west",
            "guestbook dev: v0.0.4 | Updated ./src/env/dev to use new images",
            "guestbook staging: v0.0.3* | Updated ./src/env/staging to use new images",
            "guestbook ab-test-a: v0.0.3 | Updated ./src/env/ab-test-a to use new images",
            "guestbook ab-test-b: v0.0.1* (from base base/guestbook-deploy.yaml) | Add guestbook and payments with Kargo stages",
            "guestbook prod-east: v0.0.2* | Updated ./src/env/prod-east to use new images",
            "guestbook prod-west: v0.0.2* | Merge pull request #301 from acme/kargo/promotion/prod-west-brave-lynx",
            "payments dev: 1.2.0 | Updated ./src/env/dev to use new images",
            "payments staging: 1.2.0 | Updated ./src/env/staging to use new images",
            "payments ab-test-a: 1.1.0* | Updated ./src/env/ab-test-a to use new images",
            "payments ab-test-b: 1.0.0* (from base base/payments-deploy.yaml) | Add guestbook and payments with Kargo stages",
            "payments prod-east: 1.0.0* | Add guestbook and payments with Kargo stages",
            "payments prod-west: 1.1.0 | Merge pull request #301 from acme/kargo/promotion/prod-west-brave-lynx",
        ]
    );
}

#[test]
fn flux_helm_releases_oci_and_git_sources_over_a_base() {
    assert_eq!(
        pipeline("flux-helm"),
        [
            "dev",
            "staging <- dev (guessed)",
            "production <- staging (guessed)",
        ]
    );
    assert_eq!(
        matrix("flux-helm"),
        [
            "envs: dev staging production",
            "app-config dev: v2.1.0 | Point dev at app-config v2.1.0 (#524)",
            "app-config staging: v2.0.0* | Add podinfo, redis and app-config to the dev, staging and production clusters",
            "app-config production: v2.0.0 | Add podinfo, redis and app-config to the dev, staging and production clusters",
            "podinfo dev: 6.8.0 | Merge pull request #515 from acme/podinfo-6.8.0-dev",
            "podinfo staging: 6.7.1* | Promote podinfo 6.7.1 to staging (#518)",
            "podinfo production: 6.7.0* (from base apps/base/podinfo/release.yaml) | Add podinfo, redis and app-config to the dev, staging and production clusters",
            "redis dev: 7.4.1 | Bump redis to 7.4.1 in dev",
            "redis staging: 7.4.1 | Merge pull request #521 from acme/promote-redis-7.4.1-staging",
            "redis production: 7.2.4* | Add podinfo, redis and app-config to the dev, staging and production clusters",
        ]
    );
}

#[test]
fn argo_cd_applications_and_an_application_set_pin_versions() {
    assert_eq!(
        pipeline("argocd-apps"),
        [
            "dev",
            "staging <- dev (guessed)",
            "prod <- staging (guessed)",
        ]
    );
    assert_eq!(
        matrix("argocd-apps"),
        [
            "envs: dev staging prod",
            "api dev: 1.5.0 | Promote api 1.5.0 to dev",
            "api staging: 1.4.2* | Add Argo CD applications for dev, staging and prod",
            "api prod: 1.4.2 | Add Argo CD applications for dev, staging and prod",
            "cart dev: 0.9.3 | Merge pull request #84 from acme/promote-cart-0.9.3-dev",
            "cart staging: 0.9.3 | Merge pull request #86 from acme/promote-staging",
            "cart prod: 0.9.2* | Add Argo CD applications for dev, staging and prod",
            "search dev: 5.1.0 | Bump search to 5.1.0 in dev (#87)",
            "search staging: 5.0.1* | Add Argo CD applications for dev, staging and prod",
            "search prod: 5.0.1 | Add Argo CD applications for dev, staging and prod",
            "web dev: 3.2.0 | Promote web 3.2.0 to dev (#89)",
            "web staging: 3.1.0* | Merge pull request #86 from acme/promote-staging",
            "web prod: 3.0.1* | Hotfix web 3.0.1 in every environment (#80)",
            "payments dev: 2.3.0 | payments 2.3.0 in dev (#88)",
            "payments staging: 2.2.0* | Add Argo CD applications for dev, staging and prod",
            "payments prod: 2.2.0 | Add Argo CD applications for dev, staging and prod",
        ]
    );
}

const APP_OVERLAYS: [(&str, &str); 2] = [
    (
        "A",
        "sha256:21906343d67950d65496666ebc82f1131b68e2c7be91387367b6861249f6da55",
    ),
    (
        "B",
        "sha256:72aa333cd89cad824a6d0999d5e9be83c79087140cce2fa784bf35a308187861",
    ),
];

#[test]
fn app_centric_kustomize_overlays_with_an_inherited_tag() {
    assert_eq!(
        pipeline("app-overlays"),
        [
            "dev",
            "staging <- dev (guessed)",
            "prod <- staging (guessed)",
        ]
    );
    assert_eq!(
        labelled(matrix("app-overlays"), &APP_OVERLAYS),
        [
            "envs: dev staging prod",
            "api dev: 1.2.0 | Release api 1.2.0 to dev (#57)",
            "api staging: 1.0.0* (from base apps/api/base/deployment.yaml) | Let staging follow the base image again",
            "api prod: 1.1.0* | Promote api 1.1.0 to prod (#52)",
            "web dev: 2.4.0 | Merge pull request #50 from acme/release-web-2.4.0",
            "web staging: 2.4.0 | Merge pull request #55 from acme/promote-web-2.4.0-staging",
            "web prod: 2.3.1* | Add api, web and worker with per-environment overlays",
            "worker dev: B | Roll worker to the new build (#53)",
            "worker staging: B | Merge pull request #60 from acme/promote-worker-staging",
            "worker prod: -",
        ]
    );
}

#[test]
fn app_centric_helm_values_with_a_chart_default() {
    assert_eq!(
        pipeline("helm-values"),
        [
            "dev",
            "staging <- dev (guessed)",
            "prod <- staging (guessed)",
        ]
    );
    assert_eq!(
        matrix("helm-values"),
        [
            "envs: dev staging prod",
            "billing dev: 0.4.0 | Release billing 0.4.0 to dev (#81)",
            "billing staging: 0.3.2* | Promote billing 0.3.2 to staging and prod (#75)",
            "billing prod: 0.3.2 | Promote billing 0.3.2 to staging and prod (#75)",
            "api dev: 2.2.0 | Release api 2.2.0 to dev (#77)",
            "api staging: 2.1.0* | Promote api 2.1.0 to staging (#71)",
            "api prod: 2.0.0* (from base charts/api/values.yaml) | Prod follows the chart default",
            "web dev: 1.8.0 | Release web 1.8.0 to dev (#74)",
            "web staging: 1.8.0 | Merge pull request #78 from acme/promote-web-1.8.0-staging",
            "web prod: 1.7.5* | Add api, web and billing charts with Argo CD applications",
        ]
    );
}

#[test]
fn fifteen_environments_with_regional_fan_out_and_side_environments() {
    assert_eq!(
        pipeline("fanout"),
        [
            "dev",
            "qa <- dev (guessed)",
            "sandbox <- dev (guessed, side)",
            "integration-gpu <- qa (guessed)",
            "integration-non-gpu <- qa (guessed)",
            "staging-asia <- integration-gpu (guessed)",
            "staging-eu <- integration-gpu (guessed)",
            "staging-us <- integration-gpu (guessed)",
            "load-gpu <- integration-gpu (guessed, side)",
            "load-non-gpu <- integration-non-gpu (guessed, side)",
            "prod-asia <- staging-asia (guessed)",
            "prod-eu <- staging-eu (guessed)",
            "prod-us <- staging-us (guessed)",
            "perf <- staging-asia (guessed, side)",
            "demo <- prod-asia (guessed, side)",
        ]
    );
    assert_eq!(
        matrix("fanout"),
        [
            "envs: dev qa sandbox integration-gpu integration-non-gpu staging-asia staging-eu staging-us load-gpu load-non-gpu prod-asia prod-eu prod-us perf demo",
            "webserver-simple dev: 3.1 | Version 3.1 goes to dev (#137)",
            "webserver-simple qa: 3.0* | promote version 3 to qa from dev (#128)",
            "webserver-simple sandbox: 1.0* (from base base/deployment.yml) | Add a sandbox environment that follows base (#125)",
            "webserver-simple integration-gpu: 3.0 | promote version 3 to integration-gpu from qa",
            "webserver-simple integration-non-gpu: 2.0* | promote version 2 to integration-non-gpu from qa (#114)",
            "webserver-simple staging-asia: 2.0* | promote version 2 to staging asia (#117)",
            "webserver-simple staging-eu: 2.0* | promote version 2 to staging eu from asia",
            "webserver-simple staging-us: 2.0* | promote version 2 to staging us from asia (#119)",
            "webserver-simple load-gpu: 2.0* | promote version 2 to load-gpu",
            "webserver-simple load-non-gpu: 2.0 | promote version 2 to load-non-gpu (#116)",
            "webserver-simple prod-asia: 2.0 | Merge pull request #133 from acme/rollback-version-3-prod",
            "webserver-simple prod-eu: 2.0 | Merge pull request #133 from acme/rollback-version-3-prod",
            "webserver-simple prod-us: 1.0* | Initial environments",
            "webserver-simple perf: 2.0 | promote version 2 to perf from staging asia",
            "webserver-simple demo: 2.0 | promote version 2 to demo from prod asia (#123)",
            "worker dev: 1.2 | Worker 1.2 goes to dev (#127)",
            "worker qa: 1.2 | promote version 3 to qa from dev (#128)",
            "worker sandbox: 0.9* (from base base/worker.yml) | Add a sandbox environment that follows base (#125)",
            "worker integration-gpu: 1.1* | promote version 2 to integration-gpu from qa",
            "worker integration-non-gpu: 1.1* | promote version 2 to integration-non-gpu from qa (#114)",
            "worker staging-asia: 1.1 | promote version 2 to staging asia (#117)",
            "worker staging-eu: 1.1 | promote version 2 to staging eu from asia",
            "worker staging-us: 1.0* | Initial environments",
            "worker load-gpu: 1.1 | promote version 2 to load-gpu",
            "worker load-non-gpu: 1.0* | Initial environments",
            "worker prod-asia: 1.1 | Version 2 goes to prod asia",
            "worker prod-eu: 1.0* | Initial environments",
            "worker prod-us: 1.0 | Initial environments",
            "worker perf: 1.1 | promote version 2 to perf from staging asia",
            "worker demo: -",
        ]
    );
}

/// `hoist init`'s proposal for each layout, written out and read back as a
/// `.hoist.yaml`, gives the same matrix as the detection itself.
#[test]
fn each_proposal_read_back_gives_the_same_matrix() {
    for name in [
        "hydrated-branches",
        "kargo-stages",
        "flux-helm",
        "argocd-apps",
        "app-overlays",
        "helm-values",
        "fanout",
        "rendered-manifests",
        "dirs-kustomize",
        "overlays",
        "flux-clusters",
        "kargo",
    ] {
        let dir = hoist_fixtures::fixture(name);
        let repo = hoist_core::Repo::open(&dir).expect("opens");
        let detection = hoist_core::detect::detect(&repo).expect("detects");
        let yaml = detection.to_yaml();
        let parsed = hoist_core::config::parse(&yaml, "the proposal")
            .unwrap_or_else(|e| panic!("{name}: {e}\n{yaml}"));
        assert_eq!(parsed, detection.config, "{name}:\n{yaml}");
        let from_yaml = hoist_core::Project::with_config(repo, parsed)
            .status()
            .expect("status");
        let detected = hoist_core::Project::open(&dir)
            .expect("opens")
            .status()
            .expect("status");
        // The same cells; only how the links are known differs (written down now).
        assert_eq!(from_yaml.apps, detected.apps, "{name}");
        let names = |s: &hoist_core::Status| {
            s.environments
                .iter()
                .map(|e| (e.name.clone(), e.upstream.clone(), e.side))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&from_yaml), names(&detected), "{name}");
    }
}

/// Where names say nothing, detection proposes nothing; the survey lists
/// the places a person can pick, and the apps in the ones picked are found.
#[test]
fn environments_picked_by_hand_get_their_apps_found() {
    let repo = hoist_core::Repo::open(&hoist_fixtures::fixture("unnamed")).expect("opens");
    let survey = hoist_core::detect::survey(&repo).expect("surveys");
    assert!(survey.detection.is_none());
    assert!(
        survey
            .problem
            .as_deref()
            .is_some_and(|p| p.starts_with("found no environments")),
        "{:?}",
        survey.problem
    );
    let paths: Vec<&str> = survey.places.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "base",
            "deployments/alpha",
            "deployments/beta",
            "deployments/gamma"
        ]
    );
    let picked: Vec<hoist_core::config::Environment> = survey.places[1..]
        .iter()
        .map(|p| hoist_core::config::Environment {
            name: p.name.clone(),
            branch: Some(p.branch.clone()),
            path: p.path.clone(),
            upstream: None,
            next_branch: None,
            side: false,
        })
        .collect();
    let (apps, reasons) = hoist_core::detect::apps_for(&repo, &picked).expect("scans");
    let found: Vec<(&str, &str)> = apps
        .iter()
        .map(|a| (a.name.as_str(), a.file.as_str()))
        .collect();
    assert_eq!(
        found,
        [("api", "kustomization.yaml"), ("web", "kustomization.yaml")]
    );
    assert!(
        reasons[0].contains("reads 1.0.0 in alpha, 1.0.0 in beta, 0.9.0 in gamma"),
        "{}",
        reasons[0]
    );
    let config = hoist_core::Config {
        environments: picked,
        apps,
        pr: Default::default(),
        locks: Vec::new(),
        freezes: Vec::new(),
        forge: None,
        tickets: None,
    };
    let project = hoist_core::Project::with_config(repo, config);
    let lines = common::matrix_of(&project);
    assert_eq!(
        lines,
        [
            "envs: alpha beta gamma",
            "api alpha: 1.0.0 | api 1.0.0 on alpha (#7)",
            "api beta: 1.0.0 | api 1.0.0 on beta (#8)",
            "api gamma: 0.9.0* | Add the alpha, beta and gamma clusters",
            "web alpha: 3.1.0 | web 3.1.0 on alpha (#9)",
            "web beta: 3.0.0* | Add the alpha, beta and gamma clusters",
            "web gamma: 3.0.0 | Add the alpha, beta and gamma clusters",
        ]
    );
}
