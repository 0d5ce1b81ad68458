//! Detection against the fixture repositories: the exact environments (in
//! order, with upstreams), apps and locators proposed, and that the rendered
//! proposal parses back to the same configuration.

use hoist_core::config::{self, Config};
use hoist_core::detect::{self, Detection};
use hoist_core::status::Link;
use hoist_core::{Locator, Repo};
use hoist_locate::KustomizeField;

fn detect(fixture: &str) -> Detection {
    let repo = Repo::open(&hoist_fixtures::fixture(fixture)).expect("the fixture opens");
    let detection = detect::detect(&repo).expect("detection succeeds");
    // Every proposal must be a valid .hoist.yaml that means exactly what was detected.
    let yaml = detection.to_yaml();
    let parsed = config::parse(&yaml, "proposal").unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_eq!(
        parsed, detection.config,
        "the rendered proposal parses back the same:\n{yaml}"
    );
    assert_eq!(
        detection.reasons.environments.len(),
        detection.config.environments.len()
    );
    assert_eq!(detection.reasons.apps.len(), detection.config.apps.len());
    detection
}

/// (name, branch, path, upstream) of each environment, in order.
fn environments(config: &Config) -> Vec<(String, String, String, Option<String>)> {
    config
        .environments
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                e.branch.clone().unwrap_or_default(),
                e.path.clone(),
                e.upstream.clone(),
            )
        })
        .collect()
}

fn env(
    name: &str,
    branch: &str,
    path: &str,
    upstream: Option<&str>,
) -> (String, String, String, Option<String>) {
    (
        name.into(),
        branch.into(),
        path.into(),
        upstream.map(Into::into),
    )
}

/// (name, file, locator) of each app, in order.
fn apps(config: &Config) -> Vec<(String, String, Locator)> {
    config
        .apps
        .iter()
        .map(|a| (a.name.clone(), a.file.clone(), a.locator.clone()))
        .collect()
}

fn app(name: &str, file: &str, locator: Locator) -> (String, String, Locator) {
    (name.into(), file.into(), locator)
}

fn yaml(path: &str) -> Locator {
    Locator::Yaml(path.into())
}

fn kustomize(image: &str, field: KustomizeField) -> Locator {
    Locator::Kustomize {
        image: image.into(),
        field,
    }
}

#[test]
fn environment_branches_in_well_known_order_with_helm_values() {
    let d = detect("branch-helm");
    assert_eq!(
        environments(&d.config),
        [
            env("dev", "env/dev", ".", None),
            env("stage", "env/stage", ".", None),
            env("prod", "env/prod", ".", None),
        ]
    );
    assert_eq!(
        d.reasons.environments[0],
        r#"branch env/dev: "dev" comes first by well-known names"#
    );
    assert_eq!(
        d.reasons.environments[1],
        r#"branch env/stage: takes versions from "dev" (guessed: "stage" comes after "dev" by well-known names)"#
    );
    assert_eq!(
        apps(&d.config),
        [
            app("api", "apps/api/values.yaml", yaml("image.tag")),
            app("web", "apps/web/values.yaml", yaml("image.tag")),
            app("worker", "apps/worker/values.yaml", yaml("image.tag")),
        ]
    );
    // prod keeps worker's values elsewhere: an override, not another app.
    let worker = &d.config.apps[2];
    assert_eq!(worker.environments, None);
    assert_eq!(worker.overrides.len(), 1);
    assert_eq!(
        worker.overrides["prod"].file.as_deref(),
        Some("apps/worker/values-prod.yaml")
    );
    assert_eq!(worker.overrides["prod"].locator, None);
    assert!(
        d.reasons.apps[0].contains("reads 1.6.0 in dev, 1.5.0 in stage, 1.4.2 in prod"),
        "{}",
        d.reasons.apps[0]
    );
    assert!(
        d.reasons
            .left_out
            .iter()
            .any(|n| n.contains("main already has .hoist.yaml")),
        "{:?}",
        d.reasons.left_out
    );
    let yaml = d.to_yaml();
    assert!(yaml.contains("  # branch env/stage: takes versions from \"dev\" (guessed: \"stage\" comes after \"dev\" by well-known\n  # names)\n  - name: stage\n"), "{yaml}");
    assert!(
        yaml.contains("      prod: { file: apps/worker/values-prod.yaml }\n"),
        "{yaml}"
    );
}

#[test]
fn environment_directories_with_a_regional_fan_out_and_kustomize_images() {
    let d = detect("dirs-kustomize");
    assert_eq!(
        environments(&d.config),
        [
            env("dev", "main", "envs/dev", None),
            env("staging", "main", "envs/staging", None),
            env("prod-eu", "main", "envs/prod-eu", Some("staging")),
            env("prod-us", "main", "envs/prod-us", Some("staging")),
        ]
    );
    assert_eq!(
        d.reasons.environments[3],
        r#"directory envs/prod-us/: fan-out sibling of "prod-eu", fed by "staging" (guessed from the names)"#
    );
    assert_eq!(
        apps(&d.config),
        [
            app(
                "api",
                "kustomization.yaml",
                kustomize("ghcr.io/acme/api", KustomizeField::NewTag)
            ),
            app(
                "web",
                "kustomization.yaml",
                kustomize("ghcr.io/acme/web", KustomizeField::NewTag)
            ),
            app(
                "worker",
                "kustomization.yaml",
                kustomize("ghcr.io/acme/worker", KustomizeField::Digest)
            ),
        ]
    );
    assert!(
        d.config
            .apps
            .iter()
            .all(|a| a.environments.is_none() && a.overrides.is_empty())
    );
}

#[test]
fn overlays_order_dev_qa_staging_production() {
    let d = detect("overlays");
    assert_eq!(
        environments(&d.config),
        [
            env("dev", "main", "overlays/dev", None),
            env("qa", "main", "overlays/qa", None),
            env("staging", "main", "overlays/staging", None),
            env("production", "main", "overlays/production", None),
        ]
    );
    assert_eq!(
        apps(&d.config),
        [
            app(
                "api",
                "kustomization.yaml",
                kustomize("ghcr.io/acme/api", KustomizeField::NewTag)
            ),
            app(
                "web",
                "kustomization.yaml",
                kustomize("ghcr.io/acme/web", KustomizeField::NewTag)
            ),
        ]
    );
}

#[test]
fn a_promotion_strategy_orders_hydrated_branches_and_their_next_branches() {
    let d = detect("rendered-manifests");
    assert_eq!(
        environments(&d.config),
        [
            env("development", "environment/development", ".", None),
            env("staging", "environment/staging", ".", None),
            env("production", "environment/production", ".", None),
        ]
    );
    assert_eq!(
        d.reasons.environments[1],
        r#"branch environment/staging: 2nd in PromotionStrategy "shop" (promoter/promotion-strategy.yaml); a hydrator renders its next state on environment/staging-next, and promoting merges that branch"#
    );
    assert_eq!(
        d.reasons.links,
        [Link::First, Link::Declared, Link::Declared]
    );
    for env in &d.config.environments {
        assert_eq!(
            env.next_branch,
            Some(format!("{}-next", env.branch.as_deref().unwrap())),
            "{}",
            env.name
        );
    }
    // The digest-only log-shipper and the migrate init container are not apps.
    assert_eq!(
        apps(&d.config),
        [
            app("dry", "hydrator.metadata", Locator::Json("drySha".into())),
            app(
                "api",
                "shop/manifest.yaml",
                Locator::Container("api".into())
            ),
            app(
                "reports",
                "shop/manifest.yaml",
                Locator::Container("reports".into())
            ),
        ]
    );
    let yaml = d.to_yaml();
    assert!(
        yaml.contains(
            "    branch: environment/staging\n    next_branch: environment/staging-next\n"
        ),
        "{yaml}"
    );
}

#[test]
fn flux_clusters_with_image_policy_markers() {
    let d = detect("flux-clusters");
    assert_eq!(
        environments(&d.config),
        [
            env("dev", "main", "clusters/dev", None),
            env("staging", "main", "clusters/staging", None),
            env("prod", "main", "clusters/prod", None),
        ]
    );
    assert_eq!(
        apps(&d.config),
        [
            app(
                "podinfo",
                "podinfo/helmrelease.yaml",
                Locator::Flux("flux-system:podinfo:tag".into())
            ),
            app(
                "web",
                "web/deployment.yaml",
                Locator::Flux("flux-system:web".into())
            ),
        ]
    );
}

#[test]
fn kargo_stages_give_an_order_names_alone_would_not() {
    let d = detect("kargo");
    assert_eq!(
        environments(&d.config),
        [
            env("dev", "dev", ".", None),
            env("staging", "staging", ".", None),
            env("qa", "qa", ".", None),
            env("production", "production", ".", None),
        ]
    );
    assert_eq!(
        d.reasons.environments[2],
        r#"branch qa: Kargo Stage "qa" takes freight from "staging" (kargo/stages.yaml)"#
    );
    assert_eq!(
        apps(&d.config),
        [
            app("api", "apps/api/values.yaml", yaml("image.tag")),
            app("web", "apps/web/values.yaml", yaml("image.tag")),
        ]
    );
}

#[test]
fn awkward_files_still_give_their_versions() {
    let d = detect("awkward");
    assert_eq!(
        environments(&d.config),
        [
            env("dev", "env/dev", ".", None),
            env("prod", "env/prod", ".", None)
        ]
    );
    assert_eq!(
        apps(&d.config),
        [
            app("api", "apps/api/values.yaml", yaml("image.tag")),
            app(
                "gateway",
                "apps/edge/kustomization.yaml",
                kustomize("ghcr.io/acme/gateway", KustomizeField::Digest)
            ),
            app(
                "billing",
                "apps/edge/kustomization.yaml",
                kustomize("ghcr.io/acme/billing", KustomizeField::NewTag)
            ),
            app("web", "apps/web/values.yaml", yaml("image.tag")),
            app(
                "worker",
                "apps/worker/manifests.yaml",
                Locator::Container("worker".into())
            ),
        ]
    );
}

#[test]
fn a_repository_without_environments_says_what_was_looked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "a")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "a")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("README.md"), "nothing to deploy\n").expect("write");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "init"]);
    let repo = Repo::open(dir.path()).expect("opens");
    let err = detect::detect(&repo)
        .expect_err("nothing to propose")
        .to_string();
    assert!(err.starts_with("found no environments in "), "{err}");
    assert!(
        err.contains("no branch such as env/dev or staging"),
        "{err}"
    );
    assert!(err.contains("envs/dev/"), "{err}");
}
