//! Release trains on the `train` fixture: ten apps from stage to prod, three
//! of which stay (already there, locked, a downgrade), and the reasons a
//! configuration can add (a freeze, an app that does not run in the target).

use hoist_core::Project;
use hoist_core::config::TrainPulls;
use hoist_core::plan::Options;
use hoist_core::plan::train::{self, Skip, Train};

fn project() -> Project {
    Project::open(&hoist_fixtures::fixture("train")).expect("train fixture opens")
}

fn stage_to_prod(project: &Project, pulls: TrainPulls) -> Train {
    train::plan(project, "stage", "prod", &[], pulls, &Options::default()).expect("train")
}

fn skips(train: &Train) -> Vec<(&str, Skip)> {
    train
        .cars
        .iter()
        .filter_map(|c| Some((c.app.as_str(), c.skip.clone()?)))
        .collect()
}

const MOVING: [&str; 7] = ["api", "web", "cart", "search", "auth", "mail", "gateway"];

#[test]
fn the_dry_run_says_what_moves_and_why_the_others_stay() {
    let project = project();
    let train = stage_to_prod(&project, TrainPulls::One);
    assert_eq!(train.cars.len(), 10);
    assert_eq!(
        skips(&train),
        [
            ("worker", Skip::AlreadyThere),
            ("billing", Skip::Locked),
            ("ledger", Skip::Downgrade),
        ]
    );
    let api = &train.cars[0];
    assert_eq!(
        (api.from.as_deref(), api.to.as_deref()),
        (Some("1.4.2"), Some("1.5.0"))
    );
    let billing = train
        .cars
        .iter()
        .find(|c| c.app == "billing")
        .expect("billing");
    assert!(
        billing
            .why
            .as_deref()
            .is_some_and(|w| w.contains("billing migration")),
        "{billing:?}"
    );
    // One pull request moves the seven, built on prod's tip.
    assert_eq!(train.plans.len(), 1);
    let plan = &train.plans[0];
    let names: Vec<&str> = plan.apps.iter().map(|a| a.app.as_str()).collect();
    assert_eq!(names, MOVING);
    assert_eq!(plan.base, train.base);
    assert!(!plan.blocked, "{:?}", plan.warnings);
    assert_eq!(plan.train.as_deref(), Some(train.id.as_str()));
    let draft = plan
        .pull_request(&project.config.pr, None)
        .expect("a train's pull request needs no reason");
    assert_eq!(draft.marker.train.as_deref(), Some(train.id.as_str()));
    assert!(draft.body.contains(&train.id), "{}", draft.body);
}

#[test]
fn per_app_the_train_is_one_plan_per_moving_app_with_a_stable_id() {
    let project = project();
    let train = stage_to_prod(&project, TrainPulls::PerApp);
    let names: Vec<Vec<&str>> = train
        .plans
        .iter()
        .map(|p| p.apps.iter().map(|a| a.app.as_str()).collect())
        .collect();
    assert_eq!(names, MOVING.map(|a| vec![a]));
    assert!(
        train
            .plans
            .iter()
            .all(|p| p.train.as_deref() == Some(train.id.as_str()))
    );
    // Planned again from the same commits: the same train.
    let again = stage_to_prod(&project, TrainPulls::PerApp);
    assert_eq!(again, train);
    // Cut otherwise, it is another train.
    assert_ne!(stage_to_prod(&project, TrainPulls::One).id, train.id);
}

#[test]
fn a_train_of_chosen_apps_only_looks_at_them() {
    let project = project();
    let apps = ["web".to_owned(), "worker".to_owned()];
    let train = train::plan(
        &project,
        "stage",
        "prod",
        &apps,
        TrainPulls::One,
        &Options::default(),
    )
    .expect("train");
    let cars: Vec<(&str, bool)> = train
        .cars
        .iter()
        .map(|c| (c.app.as_str(), c.moves()))
        .collect();
    assert_eq!(cars, [("web", true), ("worker", false)]);
    let unknown = train::plan(
        &project,
        "stage",
        "prod",
        &["nope".to_owned()],
        TrainPulls::One,
        &Options::default(),
    )
    .expect_err("no such app");
    assert!(
        unknown.to_string().contains("there is no app \"nope\""),
        "{unknown}"
    );
}

#[test]
fn a_freeze_skips_every_app_and_an_app_not_in_the_target_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = hoist_fixtures::fixture("train");
    let yaml = std::process::Command::new("git")
        .args(["show", "main:.hoist.yaml"])
        .current_dir(&repo)
        .output()
        .expect("git show");
    let mut yaml = String::from_utf8(yaml.stdout).expect("UTF-8");
    yaml = yaml.replace(
        "  - name: gateway\n",
        "  - name: gateway\n    environments: [dev, stage]\n",
    );
    let file = dir.path().join("hoist.yaml");
    std::fs::write(&file, &yaml).expect("write");
    let project = Project::open_with(&repo, Some(&file)).expect("project");
    let train = stage_to_prod(&project, TrainPulls::One);
    let gateway = train.cars.last().expect("gateway");
    assert_eq!(gateway.skip, Some(Skip::NotInTarget), "{gateway:?}");

    yaml.push_str(
        "freezes:\n  - name: launch\n    environments: [prod]\n    start: 2026-11-01T00:00\n    end: 2026-11-30T00:00\n",
    );
    std::fs::write(&file, &yaml).expect("write");
    let project = Project::open_with(&repo, Some(&file)).expect("project");
    let options = Options {
        now: "2026-11-15T12:00:00Z".parse().expect("time"),
        ..Options::default()
    };
    let train =
        train::plan(&project, "stage", "prod", &[], TrainPulls::PerApp, &options).expect("train");
    assert!(train.plans.is_empty());
    assert!(
        train
            .cars
            .iter()
            // Already there, not in prod, and locked (the first block named) stay so.
            .filter(|c| !["worker", "gateway", "billing"].contains(&c.app.as_str()))
            .all(|c| c.skip == Some(Skip::Frozen)),
        "{:?}",
        train.cars
    );
}

#[test]
fn a_target_a_hydrator_renders_is_promoted_whole_not_as_a_train() {
    let project =
        Project::open(&hoist_fixtures::fixture("hydrated-branches")).expect("fixture opens");
    let refused = train::plan(
        &project,
        "e2e",
        "prd",
        &[],
        TrainPulls::One,
        &Options::default(),
    )
    .expect_err("a hydrator's branch is merged whole");
    assert!(
        matches!(refused, train::Error::Rendered { ref environment, .. } if environment == "prd"),
        "{refused}"
    );
}
