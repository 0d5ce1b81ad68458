//! Status, plans, comparisons, history, changelog and rollback on the
//! `promotions` fixture, whose full history is listed in
//! `tests/fixtures/promotions.sh`.

use hoist_core::Project;
use hoist_core::history::{self, ChangeKind, VersionChange};
use hoist_core::plan::{self, PlanKind, Warning};
use hoist_core::point::{At, Point};
use hoist_core::status::Cell;

fn project() -> Project {
    Project::open(&hoist_fixtures::fixture("promotions")).expect("the fixture opens")
}

fn apps(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// (version, pending, subject of the commit that set it) of every cell, row by row.
fn matrix(project: &Project) -> Vec<Vec<Option<(String, bool, String)>>> {
    let status = project.status().expect("status");
    status
        .apps
        .iter()
        .map(|row| {
            row.cells
                .iter()
                .map(|cell| match cell {
                    Cell::Version {
                        version,
                        pending,
                        since,
                        ..
                    } => Some((
                        version.clone(),
                        *pending,
                        since.as_ref().expect("origin found").subject.clone(),
                    )),
                    Cell::Absent => None,
                    Cell::Error { message } => panic!("unexpected error cell: {message}"),
                })
                .collect()
        })
        .collect()
}

fn cell(v: &str, pending: bool, subject: &str) -> Option<(String, bool, String)> {
    Some((v.to_owned(), pending, subject.to_owned()))
}

#[test]
fn status_shows_versions_origins_and_pending_cells() {
    let project = project();
    assert_eq!(
        matrix(&project),
        vec![
            vec![
                cell("1.2.0", false, "Promote api to 1.2.0 (#15)"),
                cell(
                    "1.1.0",
                    true,
                    "Merge pull request #13 from acme/promote-api-1.1.0"
                ),
                // The revert set 1.1.0 again: that is when the running version landed.
                cell("1.1.0", false, "Revert \"Hotfix api 1.1.1\""),
            ],
            vec![
                cell("2.1.0", false, "Merge pull request #12 from acme/web-2.1.0"),
                cell("2.1.0", false, "Promote web to 2.1.0 (#14)"),
                cell("2.0.0", true, "Initial prod"),
            ],
            vec![
                cell("0.1.0", false, "Initial dev"),
                cell("0.1.0", false, "Initial stage"),
                None,
            ],
        ]
    );
    let status = project.status().expect("status");
    let Cell::Version {
        since: Some(origin),
        ..
    } = &status.apps[0].cells[0]
    else {
        panic!("api in dev has an origin");
    };
    assert_eq!(origin.change.map(|c| c.to_string()).as_deref(), Some("#15"));
    assert_eq!(origin.author, "dave");
    // 2026-11-10T16:00:00-05:00
    assert_eq!((origin.time, origin.offset), (1_794_344_400, -5 * 3600));
    let names: Vec<_> = status
        .environments
        .iter()
        .map(|e| (e.name.as_str(), e.upstream.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("dev", None),
            ("stage", Some("dev")),
            ("prod", Some("stage"))
        ]
    );
}

#[test]
fn a_promotion_plan_changes_only_the_located_bytes() {
    let project = project();
    let plan = plan::promotion(&project, &Point::tip("stage"), "prod", &[])
        .expect("plans")
        .expect("something to promote");
    assert_eq!(plan.kind, PlanKind::Promotion);
    assert_eq!(plan.target_branch, "env/prod");
    let tip = project.repo.branch_tip("env/prod").expect("prod exists");
    assert_eq!(plan.base, tip.to_string());
    let changes: Vec<_> = plan
        .apps
        .iter()
        .map(|a| (a.app.as_str(), a.from.as_str(), a.to.as_str()))
        .collect();
    assert_eq!(changes, [("web", "2.0.0", "2.1.0")]);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert_eq!(plan.files.len(), 1);
    let file = &plan.files[0];
    assert_eq!(file.path, "apps/web/values.yaml");
    assert_eq!(
        String::from_utf8_lossy(file.new.as_deref().expect("kept")),
        String::from_utf8_lossy(file.old.as_deref().expect("existed"))
            .replace("tag: 2.0.0", "tag: 2.1.0")
    );
    let changelog: Vec<_> = plan
        .changelog
        .iter()
        .map(|c| c.commit.subject.as_str())
        .collect();
    assert_eq!(changelog, ["Promote web to 2.1.0 (#14)"]);
}

#[test]
fn crlf_files_keep_their_line_endings() {
    let project = project();
    let plan = plan::promotion(&project, &Point::tip("dev"), "prod", &apps(&["api"]))
        .expect("plans")
        .expect("api differs");
    let file = &plan.files[0];
    assert_eq!(file.path, "apps/api/values.yaml");
    let old = String::from_utf8(file.old.clone().expect("existed")).expect("UTF-8");
    assert_eq!(old.matches("\r\n").count(), 5);
    assert_eq!(
        String::from_utf8(file.new.clone().expect("kept")).expect("UTF-8"),
        old.replace("tag: 1.1.0", "tag: 1.2.0")
    );
    let diff = file.diff(3);
    assert_eq!((diff.added, diff.removed), (1, 1));
}

#[test]
fn skipping_an_environment_and_downgrading_are_warned() {
    let project = project();
    let plan = plan::promotion(&project, &Point::tip("dev"), "prod", &[])
        .expect("plans")
        .expect("changes");
    assert!(
        matches!(&plan.warnings[0], Warning::SkipsEnvironment { upstream: Some(u), message } if u == "stage" && message.contains("skips")),
        "{:?}",
        plan.warnings
    );
    let back = plan::promotion(&project, &Point::tip("prod"), "stage", &apps(&["web"]))
        .expect("plans")
        .expect("web differs");
    assert!(
        back.warnings
            .iter()
            .any(|w| matches!(w, Warning::Downgrade { app, message } if app == "web" && message.contains("2.0.0 is older than 2.1.0"))),
        "{:?}",
        back.warnings
    );
}

#[test]
fn nothing_to_promote_is_not_a_plan() {
    let project = project();
    let none = plan::promotion(
        &project,
        &Point::tip("dev"),
        "stage",
        &apps(&["web", "worker"]),
    )
    .expect("plans");
    assert!(none.is_none());
}

#[test]
fn unknown_names_are_errors_that_list_what_exists() {
    let project = project();
    let err = plan::promotion(&project, &Point::tip("qa"), "prod", &[])
        .expect_err("no qa")
        .to_string();
    assert!(
        err.contains("\"qa\"") && err.contains("dev, stage, prod"),
        "{err}"
    );
    let err = plan::promotion(&project, &Point::tip("dev"), "stage", &apps(&["nope"]))
        .expect_err("no such app")
        .to_string();
    assert!(
        err.contains("\"nope\"") && err.contains("api, web, worker"),
        "{err}"
    );
    let err = plan::promotion(&project, &Point::tip("dev"), "dev", &[])
        .expect_err("same")
        .to_string();
    assert!(err.contains("both dev"), "{err}");
}

fn changes(project: &Project, env: &str, app: &str) -> Vec<VersionChange> {
    let mut out = Vec::new();
    history::history(project, env, &apps(&[app]), |c| out.push(c)).expect("history");
    out
}

#[test]
fn history_lists_changes_newest_first_with_their_kind() {
    let project = project();
    let prod: Vec<_> = changes(&project, "prod", "api")
        .into_iter()
        .map(|c| (c.from, c.to, c.kind, c.commit.subject))
        .collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        prod,
        [
            (
                s("1.1.1"),
                "1.1.0".into(),
                ChangeKind::Rollback,
                "Revert \"Hotfix api 1.1.1\"".into()
            ),
            (
                s("1.1.0"),
                "1.1.1".into(),
                ChangeKind::DirectEdit,
                "Hotfix api 1.1.1".into()
            ),
            (
                s("1.0.0"),
                "1.1.0".into(),
                ChangeKind::Promotion,
                "Promote api to 1.1.0 (#16)".into()
            ),
            (
                None,
                "1.0.0".into(),
                ChangeKind::Initial,
                "Initial prod".into()
            ),
        ]
    );
    // First parent only: the merge lands the change, the side commit is not listed;
    // a commit that changes the file but not the version is not a change.
    let dev: Vec<_> = changes(&project, "dev", "api")
        .into_iter()
        .map(|c| c.commit.subject)
        .collect();
    assert_eq!(
        dev,
        [
            "Promote api to 1.2.0 (#15)",
            "Promote api to 1.1.0 (#11)",
            "Initial dev"
        ]
    );
    let web: Vec<_> = changes(&project, "dev", "web")
        .into_iter()
        .map(|c| (c.commit.subject, c.commit.change.map(|c| c.number)))
        .collect();
    assert_eq!(
        web[0],
        (
            "Merge pull request #12 from acme/web-2.1.0".to_owned(),
            Some(12)
        )
    );
}

#[test]
fn combined_history_gives_arrivals_and_lead_times() {
    let project = project();
    let releases = history::combined(&project, &apps(&["api"])).expect("combined");
    let r = releases
        .iter()
        .find(|r| r.version == "1.1.0")
        .expect("1.1.0 is known");
    let arrived: Vec<_> = r
        .arrivals
        .iter()
        .map(|a| a.as_ref().map(|a| a.commit.subject.as_str()))
        .collect();
    assert_eq!(
        arrived,
        [
            Some("Promote api to 1.1.0 (#11)"),
            Some("Merge pull request #13 from acme/promote-api-1.1.0"),
            // First arrival, not the revert that brought it back.
            Some("Promote api to 1.1.0 (#16)"),
        ]
    );
    // 2026-11-03T10:00+01:00 → 2026-11-08T09:00+01:00
    assert_eq!(r.lead_time, Some(5 * 86_400 - 3600));
    let newest = &releases[0];
    assert_eq!((newest.version.as_str(), newest.lead_time), ("1.2.0", None));
}

#[test]
fn rollback_to_a_moment_restores_that_moments_versions() {
    let project = project();
    let at = Point::parse("prod@2026-11-09T12:00+01:00")
        .expect("parses")
        .at;
    let plan = plan::rollback(&project, "prod", at, &[])
        .expect("plans")
        .expect("api differs");
    assert_eq!(plan.kind, PlanKind::Rollback);
    let changes: Vec<_> = plan
        .apps
        .iter()
        .map(|a| (a.app.as_str(), a.from.as_str(), a.to.as_str()))
        .collect();
    assert_eq!(changes, [("api", "1.1.0", "1.1.1")]);
    assert!(
        plan.warnings.is_empty(),
        "a rollback's downgrade is intended: {:?}",
        plan.warnings
    );

    let initial = project.repo.branch_tip("env/prod").expect("prod");
    let mut oldest = None;
    history::history(&project, "prod", &apps(&["api"]), |c| {
        oldest = Some(c.commit.id)
    })
    .expect("history");
    let oldest = oldest.expect("prod has history");
    assert_ne!(oldest, initial.to_string());
    let plan = plan::rollback(&project, "prod", At::Commit(oldest[..10].to_owned()), &[])
        .expect("plans")
        .expect("back to the start");
    let changes: Vec<_> = plan
        .apps
        .iter()
        .map(|a| (a.app.as_str(), a.to.as_str()))
        .collect();
    assert_eq!(changes, [("api", "1.0.0")]);

    let settings = hoist_core::config::PrSettings::default();
    let err = plan
        .pull_request(&settings, None)
        .expect_err("a reason is required");
    assert_eq!(
        err.to_string(),
        "a rollback needs a reason; it goes into the pull request"
    );
    let draft = plan
        .pull_request(&settings, Some("1.1.0 leaks connections"))
        .expect("with a reason");
    assert!(
        draft.branch.starts_with("hoist/prod/rollback-api-1.0.0"),
        "{}",
        draft.branch
    );
    assert!(draft.body.contains("**Reason:** 1.1.0 leaks connections"));
    assert_eq!(draft.base, plan.base);

    let err = plan::rollback(&project, "prod", At::Commit("deadbeef".into()), &[])
        .expect_err("not on prod")
        .to_string();
    assert!(
        err.contains("commit deadbeef is not on the history of prod (env/prod)"),
        "{err}"
    );
}

#[test]
fn comparing_two_points_orders_like_git_diff() {
    let project = project();
    let from = Point::parse("prod@2026-11-08").expect("parses");
    let to = Point::tip("prod");
    let diff = plan::compare(&project, &from, &to, &[]).expect("compares");
    // On Nov 8 prod ran api 1.1.0 and web 2.0.0, as it does now.
    assert!(diff.is_none());
    let from = Point::parse("prod@2026-11-09T10:00+01:00").expect("parses");
    let plan = plan::compare(&project, &from, &to, &[])
        .expect("compares")
        .expect("api differs");
    let changes: Vec<_> = plan
        .apps
        .iter()
        .map(|a| (a.from.as_str(), a.to.as_str()))
        .collect();
    assert_eq!(changes, [("1.1.1", "1.1.0")]);
    let err = plan
        .pull_request(&hoist_core::config::PrSettings::default(), Some("why not"))
        .expect_err("a view, not a change");
    assert_eq!(
        err.to_string(),
        "a comparison of two points cannot be opened as a pull request"
    );
}

#[test]
fn a_plan_becomes_the_same_pull_request_every_time() {
    use hoist_core::plan::request::Marker;
    let project = project();
    let plan = plan::promotion(&project, &Point::tip("dev"), "prod", &[])
        .expect("plans")
        .expect("changes");
    let settings = hoist_core::config::PrSettings {
        branch_prefix: "release/".into(),
        labels: vec!["promotion".into()],
        reviewers: vec!["acme/sre".into()],
        ..Default::default()
    };
    let draft = plan.pull_request(&settings, None).expect("not blocked");
    assert_eq!(draft, plan.pull_request(&settings, None).expect("again"));
    assert_eq!(draft.branch, "release/prod/api-1.2.0+web-2.1.0");
    let valid = std::process::Command::new("git")
        .args(["check-ref-format", &format!("refs/heads/{}", draft.branch)])
        .status()
        .expect("git runs");
    assert!(valid.success(), "{} is a valid branch name", draft.branch);
    assert_eq!(draft.title, "Promote api, web to prod");
    assert_eq!(
        (draft.base_branch.as_str(), draft.base.as_str()),
        ("env/prod", plan.base.as_str())
    );
    assert_eq!(
        (draft.labels.clone(), draft.reviewers.clone()),
        (vec!["promotion".to_owned()], vec!["acme/sre".to_owned()])
    );
    for row in [
        // Both images are ghcr.io/acme/app: their source is inferred.
        "| api | `1.1.0` | `1.2.0` ([changes](https://github.com/acme/app/compare/1.1.0...1.2.0)) | `apps/api/values.yaml` |",
        "| web | `2.0.0` | `2.1.0` ([changes](https://github.com/acme/app/compare/2.0.0...2.1.0)) |",
    ] {
        assert!(draft.body.contains(row), "{row} in\n{}", draft.body);
    }
    assert!(
        draft.body.contains("**Warnings seen in the preview:**\n- "),
        "{}",
        draft.body
    );
    assert!(
        draft.body.contains("**Diff:** 2 files changed, +2 −2"),
        "{}",
        draft.body
    );
    let marker = Marker::find(&draft.body).expect("the body carries its marker");
    assert_eq!(marker, draft.marker);
    assert_eq!(
        marker.apps,
        [
            ("api".to_owned(), "1.2.0".to_owned()),
            ("web".to_owned(), "2.1.0".to_owned())
        ]
    );
    let mut other = marker.clone();
    other.apps[0].1 = "9.9.9".into();
    assert!(
        marker.same_change(&other),
        "the same apps to the same environment"
    );
    other.target = "stage".into();
    assert!(!marker.same_change(&other));
    assert_eq!(Marker::find("a PR someone else wrote"), None);
}

#[test]
fn a_history_read_until_told_to_end_stops_there_for_every_app() {
    let project = project();
    let mut all = Vec::new();
    history::history(&project, "prod", &[], |c| all.push(c)).expect("history");
    assert!(all.len() > 2, "the fixture has a longer history");
    let mut first_two = Vec::new();
    history::history_until(&project, "prod", &[], |c| {
        first_two.push(c);
        first_two.len() < 2
    })
    .expect("history");
    // The walk ended at the second change, across all apps: exactly the
    // newest two of the whole history.
    assert_eq!(first_two, all[..2]);
}
