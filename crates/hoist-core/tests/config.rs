//! `.hoist.yaml`: loading, every error's message (file, line, column, what
//! was expected), and the committed JSON Schema.

use hoist_core::Locator;
use hoist_core::config::{self, Error, PrSettings};

const ORIGIN: &str = ".hoist.yaml on main";

fn error(text: &str) -> Error {
    match config::parse(text, ORIGIN) {
        Ok(config) => panic!("expected an error, parsed {config:#?}"),
        Err(e) => e,
    }
}

/// Asserts the message starts with the file, line and column, and contains every `needle`.
fn assert_error(text: &str, line: u32, column: u32, needles: &[&str]) -> Error {
    let err = error(text);
    let message = err.to_string();
    let at = format!("{ORIGIN}, line {line} column {column}: ");
    assert!(
        message.starts_with(&at),
        "expected {at:?} at the start of: {message}"
    );
    for needle in needles {
        assert!(
            message.contains(needle),
            "expected {needle:?} in: {message}"
        );
    }
    assert_eq!(message.lines().count(), 1, "one line: {message}");
    assert_eq!((err.position().line, err.position().column), (line, column));
    err
}

const GOOD: &str = "\
# the pipeline
environments:
  - name: dev
    branch: env/dev
  - name: stage
    branch: env/stage
  - name: prod-eu
    branch: main
    path: envs/prod-eu
    upstream: stage
  - name: prod-us
    branch: main
    path: envs/prod-us/
    upstream: stage
apps:
  - name: api
    file: apps/api/values.yaml
    locator: { yaml: image.tag }
  - name: web
    file: kustomization.yaml
    locator: { kustomize: { image: ghcr.io/acme/web, field: digest } }
    environments: [dev, stage]
    overrides:
      stage: { file: other/kustomization.yaml }
pr:
  labels: [promotion]
  reviewers: [acme/release]
  title: \"Promote {apps} {version} to {target}\"
";

#[test]
fn a_full_configuration_loads() {
    let config = config::parse(GOOD, ORIGIN).expect("valid configuration");
    let names: Vec<_> = config
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["dev", "stage", "prod-eu", "prod-us"]);
    assert_eq!(config.environments[0].path, ".");
    assert_eq!(config.environments[2].upstream.as_deref(), Some("stage"));
    assert_eq!(config.apps[0].locator, Locator::Yaml("image.tag".into()));
    assert_eq!(
        config.apps[1].locator,
        Locator::Kustomize {
            image: "ghcr.io/acme/web".into(),
            field: hoist_locate::KustomizeField::Digest
        }
    );
    assert_eq!(
        config.apps[1].overrides["stage"].file.as_deref(),
        Some("other/kustomization.yaml")
    );
    assert_eq!(config.pr.branch_prefix, "hoist", "default kept");
    assert_eq!(config.pr.labels, ["promotion"]);
    let prod_us = config.environment("prod-us").expect("prod-us");
    assert_eq!(
        config.upstream_of(prod_us).map(|e| e.name.as_str()),
        Some("stage")
    );
    assert_eq!(
        config.apps[0].location_in(prod_us).file,
        "envs/prod-us/apps/api/values.yaml"
    );
}

#[test]
fn pr_settings_default_when_absent_and_render_titles() {
    let config = config::parse("environments: [{name: dev}]\n", ORIGIN).expect("valid");
    assert_eq!(config.pr, PrSettings::default());
    assert_eq!(config.pr.branch_prefix, "hoist");
    assert_eq!(
        config.pr.title_for(&[("api", "1.5.0")], "prod"),
        "Promote api to prod"
    );
    let pr = PrSettings {
        title: "{target}: {apps} at {version} {unknown".into(),
        ..PrSettings::default()
    };
    assert_eq!(
        pr.title_for(&[("api", "1.5.0"), ("web", "1.5.0")], "prod"),
        "prod: api, web at 1.5.0 {unknown"
    );
    assert_eq!(
        pr.title_for(&[("api", "1.5.0"), ("web", "{apps}")], "prod"),
        "prod: api, web at api 1.5.0, web {apps} {unknown",
        "values are not expanded again"
    );
}

#[test]
fn serialising_and_parsing_again_gives_the_same_configuration() {
    let config = config::parse(GOOD, ORIGIN).expect("valid");
    let text = serde_saphyr::to_string(&config).expect("serialises");
    assert_eq!(
        config::parse(&text, "round trip").expect("parses again"),
        config
    );
}

#[test]
fn a_misspelt_key_names_the_file_line_column_and_the_expected_keys() {
    assert_error(
        "environments:\n  - name: dev\nenviroments: []\n",
        3,
        1,
        &[
            r#"unknown field "enviroments", expected one of "environments", "apps", "pr", "locks", "freezes", "forge", "tickets""#,
        ],
    );
    assert_error(
        "environments:\n  - name: dev\n    brnch: env/dev\n",
        3,
        5,
        &[
            r#"unknown field "brnch""#,
            r#""name", "branch", "path", "upstream""#,
        ],
    );
}

#[test]
fn an_unknown_locator_kind_lists_the_kinds() {
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: values.yaml\n    locator: { yml: image.tag }\n",
        5,
        16,
        &[
            r#"unknown kind "yml""#,
            r#""yaml", "kustomize", "container", "json", "flux", "regex""#,
        ],
    );
}

#[test]
fn a_missing_field_says_which() {
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    locator: { yaml: image.tag }\n",
        4,
        5,
        &[r#"missing field "file" in the entry that ends here"#],
    );
}

#[test]
fn a_wrong_type_says_what_was_expected() {
    assert_error("environments: dev\n", 1, 15, &["expected a list here"]);
    assert_error(
        "environments:\n  - dev\n",
        2,
        5,
        &["expected a mapping here"],
    );
}

#[test]
fn broken_yaml_says_where() {
    let err = error("environments:\n  - name: dev\n    branch: [env/dev\n");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{ORIGIN}, line ")),
        "{message}"
    );
    assert!(err.position().line >= 3, "{message}");
}

#[test]
fn an_empty_file_is_named_as_such() {
    for text in ["", "\n\n", "# nothing yet\n", "---\n# still nothing\n"] {
        let message = error(text).to_string();
        assert_eq!(
            message,
            format!(
                "{ORIGIN} is empty; list the environments under \"environments:\" (`hoist init` proposes a configuration)"
            )
        );
    }
}

#[test]
fn no_environments_is_an_error_at_the_key() {
    assert_error(
        "# pipeline\nenvironments: []\n",
        2,
        15,
        &["\"environments\" is empty"],
    );
    assert_error("apps: []\n", 1, 1, &["missing field \"environments\""]);
}

#[test]
fn duplicate_names_point_at_the_second_one() {
    assert_error(
        "environments:\n  - name: dev\n  - name: stage\n  - name: dev\n",
        4,
        11,
        &[r#"environment "dev" is defined twice (first on line 2)"#],
    );
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: a.yaml\n    locator: {yaml: a}\n  - name: api\n    file: b.yaml\n    locator: {yaml: b}\n",
        6,
        11,
        &[r#"app "api" is defined twice (first on line 3)"#],
    );
}

#[test]
fn bad_names_are_refused() {
    assert_error(
        "environments:\n  - name: \"prod eu\"\n",
        2,
        11,
        &["contains a space"],
    );
    assert_error(
        "environments:\n  - name: prod@eu\n",
        2,
        11,
        &["contains \"@\""],
    );
    assert_error("environments:\n  - name: \"\"\n", 2, 11, &["is empty"]);
}

#[test]
fn an_unknown_upstream_lists_the_environments() {
    assert_error(
        "environments:\n  - name: dev\n  - name: prod\n    upstream: stg\n",
        4,
        15,
        &[
            r#"environment "prod" has upstream "stg", which is not an environment; expected one of "dev""#,
        ],
    );
    assert_error(
        "environments:\n  - name: dev\n  - name: prod\n    upstream: prod\n",
        4,
        15,
        &[r#"environment "prod" names itself as upstream"#],
    );
}

#[test]
fn an_upstream_cycle_is_spelt_out() {
    assert_error(
        "environments:\n  - name: dev\n    upstream: prod\n  - name: stage\n  - name: prod\n",
        3,
        15,
        &["upstreams go round in a circle (dev → prod → stage → dev)"],
    );
}

#[test]
fn apps_name_existing_environments() {
    assert_error(
        "environments: [{name: dev}, {name: prod}]\napps:\n  - name: api\n    file: v.yaml\n    locator: {yaml: a}\n    environments: [dev, stage]\n",
        6,
        25,
        &[r#"app "api" lists "stage", which is not an environment; expected one of "dev", "prod""#],
    );
    assert_error(
        "environments: [{name: dev}, {name: prod}]\napps:\n  - name: api\n    file: v.yaml\n    locator: {yaml: a}\n    overrides:\n      production:\n        file: p.yaml\n",
        8,
        9,
        &[r#"app "api" has an override for "production", which is not an environment"#],
    );
}

#[test]
fn paths_stay_inside_the_repository() {
    assert_error(
        "environments:\n  - name: dev\n    path: /srv/envs/dev\n",
        3,
        11,
        &[r#"the path of environment "dev" "/srv/envs/dev" is absolute"#],
    );
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: ../other/values.yaml\n    locator: {yaml: a}\n",
        4,
        11,
        &[r#"the file of app "api" "../other/values.yaml" contains "..""#],
    );
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: values.yaml\n    locator: {yaml: a}\n    overrides:\n      dev: { file: /abs.yaml }\n",
        7,
        20,
        &[r#"the file of app "api" in dev "/abs.yaml" is absolute"#],
    );
    // Paths git or GitHub would not hold as written, or that name git's own files.
    let app = |file: &str| {
        format!(
            "environments: [{{name: dev}}]\napps:\n  - name: api\n    file: '{file}'\n    locator: {{yaml: a}}\n"
        )
    };
    for (file, problem) in [
        ("apps//api/values.yaml", "has an empty or \".\" part"),
        ("./apps/api/values.yaml", "has an empty or \".\" part"),
        ("apps/./api.yaml", "has an empty or \".\" part"),
        (".git/config", "names a .git directory"),
        ("apps/.GIT/hooks/x", "names a .git directory"),
        ("apps\\api.yaml", "separate directories with"),
    ] {
        assert_error(&app(file), 4, 11, &[problem]);
    }
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: values.yaml\n    locator: {yaml: a}\n    sync: { paths: [chart/], exclude: [../secrets/] }\n",
        3,
        11,
        &[r#"an entry of sync.exclude of app "api" "../secrets" contains "..""#],
    );
}

#[test]
fn a_locator_that_can_never_match_is_refused() {
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: VERSION\n    locator: { regex: 'v(\\d+)\\.(\\d+)' }\n",
        5,
        14,
        &[
            r#"the locator of app "api" cannot find a version"#,
            "2 capture groups",
        ],
    );
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: values.yaml\n    locator: { yaml: \"\" }\n",
        5,
        14,
        &[r#"the locator of app "api""#],
    );
}

#[test]
fn pr_settings_are_checked() {
    assert_error(
        "environments: [{name: dev}]\npr:\n  title: \"Ship {app} to {target}\"\n",
        3,
        10,
        &["unknown placeholder {app}", "{apps}, {target}, {version}"],
    );
    assert_error(
        "environments: [{name: dev}]\npr:\n  branch_prefix: \"my prefix\"\n",
        3,
        18,
        &["branch_prefix \"my prefix\" cannot start a git branch name"],
    );
}

#[test]
fn a_ticket_tracker_needs_a_web_page_with_a_place_for_the_key() {
    let config = config::parse(
        "environments: [{name: dev}]\ntickets:\n  url: https://acme.atlassian.net/browse/{key}\n  projects: [OPS, AB2]\n",
        ORIGIN,
    )
    .expect("valid");
    let tickets = config.tickets.expect("tickets");
    assert_eq!(tickets.projects, ["OPS", "AB2"]);
    assert_error(
        "environments: [{name: dev}]\ntickets:\n  url: javascript:alert({key})\n",
        2,
        1,
        &["is not a web address"],
    );
    assert_error(
        "environments: [{name: dev}]\ntickets:\n  url: https://jira.example/browse/\n",
        2,
        1,
        &["has no {key}"],
    );
    assert_error(
        "environments: [{name: dev}]\ntickets:\n  url: https://jira.example/{key}\n  projects: [ops]\n",
        2,
        1,
        &["a project key is upper-case letters and digits"],
    );
}

#[test]
fn a_source_names_a_repository_and_its_tags() {
    let config = config::parse(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: v.yaml\n    locator: {yaml: tag}\n    source: { repository: acme/mono, tag_pattern: \"api-v{version}\" }\n  - name: web\n    file: w.yaml\n    locator: {yaml: tag}\n    source: { repository: \"https://git.acme.example/platform/web.git\", tag_prefix: v, forge: gitlab }\n",
        ORIGIN,
    )
    .expect("valid");
    let (api, web) = (
        config.apps[0].source.as_ref().expect("source"),
        config.apps[1].source.as_ref().expect("source"),
    );
    assert_eq!(api.tag("1.5.0"), "api-v1.5.0");
    assert_eq!(
        api.host_and_path(),
        Some(("github.com".into(), "acme/mono".into()))
    );
    assert_eq!(
        api.compare_url("1.4.2", "1.5.0"),
        "https://github.com/acme/mono/compare/api-v1.4.2...api-v1.5.0"
    );
    assert_eq!(web.tag("2.0.0"), "v2.0.0");
    assert_eq!(
        web.host_and_path(),
        Some(("git.acme.example".into(), "platform/web".into()))
    );
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: v.yaml\n    locator: {yaml: tag}\n    source: { repository: api, tag_pattern: x }\n",
        2,
        1,
        &["write owner/name"],
    );
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: v.yaml\n    locator: {yaml: tag}\n    source: { repository: acme/api, tag_pattern: release }\n",
        2,
        1,
        &["has no {version}"],
    );
}

#[test]
fn the_committed_schema_is_up_to_date() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/hoist.schema.json");
    let generated = format!("{}\n", config::schema());
    if std::env::var_os("HOIST_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("schema/ has a parent"))
            .expect("create schema/");
        std::fs::write(&path, &generated).expect("write the schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/hoist.schema.json differs from config::schema(); regenerate it with `HOIST_BLESS=1 cargo test -p hoist-core --test config` and commit it"
    );
}

#[test]
fn the_schema_describes_the_file() {
    let schema: serde_json::Value = serde_json::from_str(&config::schema()).expect("JSON");
    assert_eq!(schema["$id"], config::SCHEMA_ID);
    assert_eq!(schema["title"], ".hoist.yaml");
    assert_eq!(schema["required"], serde_json::json!(["environments"]));
    assert_eq!(schema["additionalProperties"], false);
    let props = schema["properties"].as_object().expect("properties");
    assert!(props.contains_key("pr"), "{props:?}");
}

/// `.hoist.yaml` (or another path) on the default branch of a fixture.
fn fixture_file(fixture: &str, path: &str) -> Option<String> {
    let repo =
        hoist_core::Repo::open(&hoist_fixtures::fixture(fixture)).expect("the fixture opens");
    let branch = repo.default_branch().expect("default branch");
    let tip = repo.branch_tip(&branch).expect("tip");
    let bytes = repo.read_file(tip, path).expect("readable")?;
    Some(String::from_utf8(bytes).expect("UTF-8"))
}

#[test]
fn a_yaml_syntax_error_in_a_fixture_points_at_the_second_colon() {
    let text = fixture_file("bad-config", ".hoist.yaml").expect("bad-config has .hoist.yaml");
    let err = config::parse(&text, ORIGIN).expect_err("broken YAML");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{ORIGIN}, line 6 column 22: ")),
        "{message}"
    );
    assert!(
        message.contains("mapping values are not allowed"),
        "{message}"
    );
}

#[test]
fn the_schema_fixtures_errors_name_line_column_and_expectation() {
    let text = fixture_file("bad-config-schema", ".hoist.yaml").expect(".hoist.yaml");
    let message = config::parse(&text, ORIGIN)
        .expect_err("misspelt key")
        .to_string();
    assert_eq!(
        message,
        format!(
            r#"{ORIGIN}, line 2 column 1: unknown field "enviroments", expected one of "environments", "apps", "pr", "locks", "freezes", "forge", "tickets""#
        )
    );
    let text =
        fixture_file("bad-config-schema", "broken/unknown-upstream.hoist.yaml").expect("file");
    let message = config::parse(&text, "broken/unknown-upstream.hoist.yaml")
        .expect_err("bad upstream")
        .to_string();
    assert_eq!(
        message,
        r#"broken/unknown-upstream.hoist.yaml, line 8 column 15: environment "prod" has upstream "qa", which is not an environment; expected one of "dev", "stage""#
    );
    let text = fixture_file(
        "bad-config-schema",
        "broken/unknown-app-environment.hoist.yaml",
    )
    .expect("file");
    let message = config::parse(&text, "unknown-app-environment")
        .expect_err("bad app env")
        .to_string();
    assert_eq!(
        message,
        r#"unknown-app-environment, line 15 column 25: app "worker" lists "qa", which is not an environment; expected one of "dev", "stage", "prod""#
    );
}

/// Every valid `.hoist.yaml` the fixtures commit parses, and the schema accepts it.
#[test]
fn every_fixture_configuration_parses_and_matches_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&config::schema()).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let mut checked = 0;
    for fixture in [
        "branch-helm",
        "awkward",
        "missing-file",
        "promotions",
        "clone",
    ] {
        let Some(text) = fixture_file(fixture, ".hoist.yaml") else {
            panic!("{fixture} has no .hoist.yaml on its default branch");
        };
        let parsed = config::parse(&text, fixture).unwrap_or_else(|e| panic!("{e}"));
        assert!(!parsed.environments.is_empty());
        let value: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:?}");
        checked += 1;
    }
    assert_eq!(checked, 5);
    // The schema rejects what parse rejects for its shape.
    let text = fixture_file("bad-config-schema", ".hoist.yaml").expect(".hoist.yaml");
    let value: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    assert!(
        !validator.is_valid(&value),
        "the misspelt key must fail the schema too"
    );
    assert!(
        !validator.is_valid(&serde_json::json!({ "environments": [] })),
        "at least one environment"
    );
}

#[test]
fn app_centric_layouts_hydrator_branches_bases_and_side_environments() {
    let text = r#"
environments:
  - name: dev
    branch: env/dev
    next_branch: env/dev-next
  - name: stage
  - name: load
    upstream: dev
    side: true
  - name: prod
apps:
  - name: api
    file: apps/api/overlays/{env}/kustomization.yaml
    locator: { kustomize: { image: ghcr.io/acme/api } }
    base: { file: apps/api/base/deployment.yaml, locator: { container: api } }
  - name: payments
    file: argocd/appsets/payments.yaml
    locator: { yaml: "spec.generators[0].list.elements[env={env}].version" }
"#;
    let config = config::parse(text, "t.yaml").expect("parses");
    let env = |n: &str| config.environment(n).expect("exists");
    // A side environment feeds nothing: prod follows stage, not load.
    assert_eq!(
        config.upstream_of(env("prod")).map(|e| e.name.as_str()),
        Some("stage")
    );
    assert_eq!(
        config
            .pipeline()
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["dev", "stage", "load", "prod"]
    );
    assert_eq!(env("dev").next_branch.as_deref(), Some("env/dev-next"));
    let api = &config.apps[0];
    assert_eq!(
        api.location_in(env("stage")).file,
        "apps/api/overlays/stage/kustomization.yaml"
    );
    assert_eq!(
        api.base_in(env("prod")).map(|b| b.file),
        Some("apps/api/base/deployment.yaml".to_owned())
    );
    assert_eq!(
        config.apps[1].location_in(env("prod")).locator,
        Locator::Yaml("spec.generators[0].list.elements[env=prod].version".into())
    );
    // It writes out and reads back the same.
    let again = serde_saphyr::to_string(&config).expect("serialises");
    assert_eq!(config::parse(&again, "again").expect("parses"), config);
}

#[test]
fn side_environments_next_branches_and_placeholders_are_checked() {
    assert_error(
        "environments:\n  - {name: dev, side: true}\n  - {name: prod, upstream: dev}\n",
        3,
        28,
        &[r#"environment "prod" takes its versions from "dev", a side environment"#],
    );
    assert_error(
        "environments:\n  - name: dev\n    branch: env/dev\n    next_branch: env/dev\n",
        4,
        18,
        &["must be another branch than the environment's own"],
    );
    assert_error(
        "environments: [{name: dev}]\napps:\n  - name: api\n    file: apps/{app}/{env}/values.yaml\n    locator: { yaml: image.tag }\n",
        4,
        11,
        &["has a placeholder other than {env}"],
    );
}

#[test]
fn a_configuration_rendered_for_the_editor_reads_back_the_same() {
    let mut config = config::parse(GOOD, ORIGIN).expect("valid configuration");
    config.locks.push(config::Lock {
        environment: "prod-eu".into(),
        apps: Some(vec!["api".into()]),
        by: "alice".into(),
        reason: "audit: week 48".into(),
        until: Some("2026-12-01T09:00:00Z".parse().expect("time")),
    });
    let yaml = hoist_core::detect::render(&config, &Default::default());
    assert_eq!(
        config::parse(&yaml, "rendered").expect("parses"),
        config,
        "{yaml}"
    );
}

#[test]
fn compare_links_follow_the_source_repository_s_forge() {
    let text = r#"
environments: [{name: dev, branch: env/dev}, {name: prod, branch: env/prod}]
apps:
  - {name: a, file: a.yaml, locator: {yaml: image.tag}, source: {repository: acme/api, tag_prefix: v}}
  - {name: b, file: b.yaml, locator: {yaml: image.tag}, source: {repository: "https://gitlab.com/acme/platform/web.git"}}
  - {name: c, file: c.yaml, locator: {yaml: image.tag}, source: {repository: "https://git.acme.example/team/worker", forge: gitlab}}
  - {name: d, file: d.yaml, locator: {yaml: image.tag}, source: {repository: platform/tools/cli, forge: gitlab}}
  - {name: e, file: e.yaml, locator: {yaml: image.tag}, source: {repository: "https://ghe.acme.example/acme/jobs"}}
"#;
    let config = config::parse(text, ORIGIN).expect("valid");
    let links: Vec<String> = config
        .apps
        .iter()
        .map(|a| a.source.as_ref().expect("source").compare_url("1.0", "1.1"))
        .collect();
    assert_eq!(
        links,
        [
            "https://github.com/acme/api/compare/v1.0...v1.1",
            "https://gitlab.com/acme/platform/web/-/compare/1.0...1.1",
            "https://git.acme.example/team/worker/-/compare/1.0...1.1",
            "https://gitlab.com/platform/tools/cli/-/compare/1.0...1.1",
            "https://ghe.acme.example/acme/jobs/compare/1.0...1.1",
        ]
    );
    assert!(
        error(
            "environments: [{name: dev}]\napps: [{name: a, file: a.yaml, locator: {yaml: image.tag}, source: {repository: x/y, forge: bitbucket}}]\n"
        )
        .to_string()
        .contains("bitbucket")
    );
}

#[test]
fn a_train_is_one_pull_request_unless_pr_train_says_per_app() {
    use hoist_core::config::TrainPulls;
    let config = config::parse("environments: [{name: dev}]\n", ORIGIN).expect("valid");
    assert_eq!(config.pr.train, TrainPulls::One);
    let config = config::parse(
        "environments: [{name: dev}]\npr:\n  train: per_app\n",
        ORIGIN,
    )
    .expect("valid");
    assert_eq!(config.pr.train, TrainPulls::PerApp);
    let wrong = config::parse(
        "environments: [{name: dev}]\npr:\n  train: sometimes\n",
        ORIGIN,
    )
    .expect_err("not a grouping");
    let text = wrong.to_string();
    assert!(
        text.contains("sometimes") && text.contains("per_app"),
        "{text}"
    );
}
