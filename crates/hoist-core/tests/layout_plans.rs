//! Plans, rollbacks and histories on the real-world layouts: a hydrator's
//! next branch merged whole, overrides added where an environment inherits,
//! the base changed when asked, Argo CD and Flux resources edited in place.

mod common;

use hoist_core::Project;
use hoist_core::history::{self, ChangeKind};
use hoist_core::notes::{Reference, Section};
use hoist_core::plan::{self, Edit, Options, PromotionPlan, Warning};
use hoist_core::point::{At, Point};

fn project(name: &str) -> Project {
    Project::open(&hoist_fixtures::fixture(name)).expect("the fixture opens")
}

fn promote(name: &str, from: &str, to: &str, apps: &[&str], base: bool) -> PromotionPlan {
    let apps: Vec<String> = apps.iter().map(|a| (*a).to_owned()).collect();
    let options = Options {
        base,
        ..Options::default()
    };
    plan::promotion_with(&project(name), &Point::tip(from), to, &apps, &options)
        .expect("plans")
        .expect("something to promote")
}

/// Each app change as `app file from → to (edit)`, with the labels' shas shortened to labels.
fn changes(plan: &PromotionPlan, labels: &[(&str, &str)]) -> Vec<String> {
    common::labelled(
        plan.apps
            .iter()
            .map(|a| format!("{} {} {} → {} ({:?})", a.app, a.file, a.from, a.to, a.edit))
            .collect(),
        labels,
    )
}

/// The file's new content.
fn new_text(plan: &PromotionPlan, path: &str) -> String {
    let file = plan
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not in the plan"));
    String::from_utf8(file.new.clone().expect("kept")).expect("text")
}

/// The file's old content.
fn old_text(plan: &PromotionPlan, path: &str) -> String {
    let file = plan
        .files
        .iter()
        .find(|f| f.path == path)
        .expect("in the plan");
    String::from_utf8(file.old.clone().expect("existed")).expect("text")
}

const HYDRATED: [(&str, &str); 5] = [
    ("d0", "666eccd8114212936f5c53fe0b7d2147d49bfb93"),
    ("d1", "7825189cc0ee49df8321bd0c6368d7ac20e60906"),
    ("d2", "23edec346de4dcc693256b31056c6673509f82e8"),
    ("d3", "bf561df85725e26f22fe26c32bce1dab97831e3e"),
    ("d4", "d27f6981b3393b982dc89b2238f55a9ea10eef9b"),
];

#[test]
fn promoting_a_rendered_environment_is_merging_its_next_branch() {
    let plan = promote("hydrated-branches", "dev", "e2e", &[], false);
    assert_eq!(plan.head.as_deref(), Some("env/e2e-next"));
    assert_eq!(plan.target_branch, "env/e2e");
    assert_eq!(
        changes(&plan, &HYDRATED),
        ["guestbook hydrated/guestbook-e2e/hydrator.metadata d2 → d4 (Files)"]
    );
    // Exactly what the merge brings: the app's directory and the root metadata.
    let paths: Vec<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "hydrated/guestbook-e2e/README.md",
            "hydrated/guestbook-e2e/hydrator.metadata",
            "hydrated/guestbook-e2e/manifest.yaml",
            "hydrator.metadata",
        ]
    );
    assert!(new_text(&plan, "hydrated/guestbook-e2e/manifest.yaml").contains("gb-frontend:v7"));
    // The dry commits it brings hold d3's breaking change (a footer).
    let warnings: Vec<&str> = plan.warnings.iter().map(|w| w.message()).collect();
    assert_eq!(
        warnings,
        [
            "breaking change in bf561df (cart), which guestbook brings: cart listens on port 8081; point its Service there"
        ]
    );
    // Its release notes: the breaking change first, then the feature; the
    // issues and the change request they came through.
    let notes: Vec<(Section, &str, Option<u64>, &[Reference])> = plan.dry_changes[0]
        .notes
        .iter()
        .map(|n| {
            (
                n.section,
                n.text.as_str(),
                n.change.map(|c| c.number),
                &n.references[..],
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            (
                Section::Breaking,
                "1.1.0 retries declined payments",
                Some(12),
                &[Reference::Issue { number: 9 }][..]
            ),
            (
                Section::Features,
                "v7 with the new theme",
                Some(13),
                &[][..]
            ),
        ]
    );
    // The changelog is the dry branch's commits from the clone, d2 exclusive.
    let dry: Vec<(Vec<String>, Vec<String>)> = plan
        .dry_changes
        .iter()
        .map(|d| {
            (
                d.apps.clone(),
                d.commits.iter().map(|c| c.subject.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        dry,
        [(
            vec!["guestbook".to_owned()],
            vec![
                "feat(guestbook): v7 with the new theme (#13)".to_owned(),
                "fix(cart): 1.1.0 retries declined payments (#12)".to_owned()
            ]
        )]
    );
    assert!(plan.changelog.is_empty());
}

#[test]
fn a_next_branch_comes_whole_and_says_what_is_ahead_of_the_source() {
    let plan = promote("hydrated-branches", "e2e", "prd", &["cart"], false);
    assert_eq!(plan.head.as_deref(), Some("env/prd-next"));
    assert_eq!(
        changes(&plan, &HYDRATED),
        [
            "cart hydrated/cart-prd/hydrator.metadata d1 → d3 (Files)",
            "guestbook hydrated/guestbook-prd/hydrator.metadata d2 → d4 (Files)",
        ]
    );
    let kinds: Vec<String> = plan
        .warnings
        .iter()
        .map(|w| common::labelled(vec![w.message().to_owned()], &HYDRATED).remove(0))
        .collect();
    assert_eq!(
        kinds,
        [
            "the pull request from env/prd-next also promotes guestbook: a hydrator's branch is merged whole",
            "env/prd-next holds guestbook d27f6981b339 but e2e runs 23edec346de4: merging it gives prd a version e2e has not run",
            "breaking change in bf561df (cart), which cart and guestbook bring: cart listens on port 8081; point its Service there",
        ]
    );
    assert!(matches!(plan.warnings[0], Warning::Bundled { .. }));
    assert!(matches!(plan.warnings[1], Warning::AheadOfSource { .. }));
    assert_eq!(plan.dry_changes.len(), 2);
}

#[test]
fn rolling_back_a_rendered_environment_restores_the_app_directory() {
    let project = project("hydrated-branches");
    // dev at #107: guestbook was still d2 there.
    let at = common_commit(&project, "dev", "Merge pull request #107");
    let plan = plan::rollback(&project, "dev", At::Commit(at), &["guestbook".to_owned()])
        .expect("plans")
        .expect("differs");
    assert_eq!(plan.head, None);
    assert_eq!(
        changes(&plan, &HYDRATED),
        ["guestbook hydrated/guestbook-dev/hydrator.metadata d4 → d2 (Files)"]
    );
    assert!(
        plan.files
            .iter()
            .all(|f| f.path.starts_with("hydrated/guestbook-dev/"))
    );
    assert!(new_text(&plan, "hydrated/guestbook-dev/manifest.yaml").contains("gb-frontend:v6"));
}

/// The id of the first commit on `env`'s mainline whose subject starts with `subject`.
fn common_commit(project: &Project, env: &str, subject: &str) -> String {
    let mut found = None;
    history::history(project, env, &[], |c| {
        if found.is_none() && c.commit.subject.starts_with(subject) {
            found = Some(c.commit.id.clone());
        }
    })
    .expect("history");
    found.expect("the commit is in the history")
}

#[test]
fn a_rendered_environment_history_names_each_promotion() {
    let mut lines = Vec::new();
    history::history(&project("hydrated-branches"), "dev", &[], |c| {
        lines.push(format!(
            "{} {} → {} {:?} {:?}",
            c.app,
            c.from.unwrap_or_default(),
            c.to,
            c.kind,
            c.commit.change.map(|c| c.number)
        ));
    })
    .expect("history");
    assert_eq!(
        common::labelled(lines, &HYDRATED),
        [
            "guestbook d2 → d4 Promotion Some(109)",
            "cart d1 → d3 Promotion Some(107)",
            "guestbook d1 → d2 Promotion Some(104)",
            "cart  → d1 Initial Some(101)",
            "guestbook  → d1 Initial Some(101)",
            "shop  → d0 Initial None",
        ]
    );
}

#[test]
fn an_inherited_kargo_stage_gets_its_own_images_entries() {
    let plan = promote("kargo-stages", "staging", "ab-test-b", &[], false);
    assert_eq!(
        changes(&plan, &[]),
        [
            "guestbook env/ab-test-b/kustomization.yaml v0.0.1 → v0.0.3 (Override)",
            "payments env/ab-test-b/kustomization.yaml 1.0.0 → 1.2.0 (Override)",
        ]
    );
    let file = "env/ab-test-b/kustomization.yaml";
    assert_eq!(
        new_text(&plan, file),
        format!(
            "{}images:\n- name: ghcr.io/acme/guestbook\n  newTag: v0.0.3\n- name: ghcr.io/acme/payments\n  newTag: 1.2.0\n",
            old_text(&plan, file)
        )
    );
    // The shared base stays as it is unless asked.
    assert!(plan.files.iter().all(|f| !f.path.starts_with("base/")));
}

#[test]
fn promoting_the_base_itself_when_asked() {
    let plan = promote("kargo-stages", "staging", "ab-test-b", &["guestbook"], true);
    assert_eq!(
        changes(&plan, &[]),
        ["guestbook base/guestbook-deploy.yaml v0.0.1 → v0.0.3 (Base)"]
    );
    let file = "base/guestbook-deploy.yaml";
    assert_eq!(
        new_text(&plan, file),
        old_text(&plan, file).replace("guestbook:v0.0.1", "guestbook:v0.0.3")
    );
    // ab-test-b is the only stage inheriting it: no one else moves.
    assert!(
        !plan
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::SharedBase { .. })),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn flux_production_gets_the_chart_version_in_its_own_patch() {
    let plan = promote("flux-helm", "staging", "production", &[], false);
    assert_eq!(
        changes(&plan, &[]),
        [
            "podinfo apps/production/podinfo-values.yaml 6.7.0 → 6.7.1 (Override)",
            "redis apps/production/redis-source.yaml 7.2.4 → 7.4.1 (Value)",
        ]
    );
    let file = "apps/production/podinfo-values.yaml";
    assert_eq!(
        new_text(&plan, file),
        format!(
            "{}  chart:\n    spec:\n      version: 6.7.1\n",
            old_text(&plan, file)
        )
    );
    assert_eq!(
        new_text(&plan, "apps/production/redis-source.yaml"),
        old_text(&plan, "apps/production/redis-source.yaml")
            .replace("tag: \"7.2.4\"", "tag: \"7.4.1\"")
    );
}

#[test]
fn argo_cd_applications_and_the_application_set_are_edited_in_place() {
    let plan = promote("argocd-apps", "dev", "staging", &[], false);
    assert_eq!(
        changes(&plan, &[]),
        [
            "api argocd/staging/api.yaml 1.4.2 → 1.5.0 (Value)",
            "search argocd/staging/search.yaml 5.0.1 → 5.1.0 (Value)",
            "web argocd/staging/web.yaml 3.1.0 → 3.2.0 (Value)",
            "payments argocd/appsets/payments.yaml 2.2.0 → 2.3.0 (Value)",
        ]
    );
    let appset = "argocd/appsets/payments.yaml";
    assert_eq!(
        new_text(&plan, appset),
        old_text(&plan, appset).replace(
            "- env: staging\n            version: 2.2.0",
            "- env: staging\n            version: 2.3.0"
        )
    );
    assert_eq!(
        new_text(&plan, "argocd/staging/search.yaml"),
        old_text(&plan, "argocd/staging/search.yaml")
            .replace("value: \"5.0.1\"", "value: \"5.1.0\"")
    );
}

#[test]
fn an_app_centric_overlay_that_inherits_gets_an_images_entry() {
    let plan = promote("app-overlays", "dev", "staging", &[], false);
    assert_eq!(
        changes(&plan, &[]),
        ["api apps/api/overlays/staging/kustomization.yaml 1.0.0 → 1.2.0 (Override)"]
    );
    let file = "apps/api/overlays/staging/kustomization.yaml";
    assert_eq!(
        new_text(&plan, file),
        format!(
            "{}images:\n  - name: ghcr.io/acme/api\n    newTag: 1.2.0\n",
            old_text(&plan, file)
        )
    );
}

#[test]
fn a_helm_values_file_without_a_tag_gets_one() {
    let plan = promote("helm-values", "staging", "prod", &[], false);
    assert_eq!(
        changes(&plan, &[]),
        [
            "api charts/api/values-prod.yaml 2.0.0 → 2.1.0 (Override)",
            "web charts/web/values-prod.yaml 1.7.5 → 1.8.0 (Value)",
        ]
    );
    let file = "charts/api/values-prod.yaml";
    assert_eq!(
        new_text(&plan, file),
        format!("{}image:\n  tag: 2.1.0\n", old_text(&plan, file))
    );
    assert!(
        plan.apps.iter().all(|a| a.edit != Edit::Base),
        "the chart default stays"
    );
}

#[test]
fn an_environment_without_a_version_file_gets_a_kustomize_override() {
    let plan = promote("fanout", "dev", "sandbox", &[], false);
    assert_eq!(
        changes(&plan, &[]),
        [
            "webserver-simple envs/sandbox/kustomization.yml 1.0 → 3.1 (Override)",
            "worker envs/sandbox/kustomization.yml 0.9 → 1.2 (Override)",
        ]
    );
    let file = "envs/sandbox/kustomization.yml";
    assert_eq!(
        new_text(&plan, file),
        format!(
            "{}images:\n- name: docker.io/kostiscodefresh/simple-env-app\n  newTag: \"3.1\"\n- name: docker.io/kostiscodefresh/simple-worker\n  newTag: \"1.2\"\n",
            old_text(&plan, file)
        )
    );
}

#[test]
fn regional_siblings_promote_along_their_region() {
    let plan = promote("fanout", "staging-eu", "prod-eu", &[], false);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert_eq!(
        changes(&plan, &[]),
        ["worker envs/prod-eu/version.yml 1.0 → 1.1 (Value)"]
    );
    // From another region, the promotion says it leaves the usual path.
    let plan = promote("fanout", "staging-asia", "prod-eu", &[], false);
    assert!(
        matches!(&plan.warnings[0], Warning::SkipsEnvironment { upstream: Some(u), .. } if u == "staging-eu"),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn histories_of_inherited_versions_follow_the_base() {
    let mut lines = Vec::new();
    history::history(
        &project("app-overlays"),
        "staging",
        &["api".to_owned()],
        |c| {
            lines.push(format!(
                "{} → {} {:?} {}",
                c.from.unwrap_or_default(),
                c.to,
                c.kind,
                c.commit.subject
            ));
        },
    )
    .expect("history");
    assert_eq!(
        lines,
        [
            "1.1.0 → 1.0.0 Rollback Let staging follow the base image again",
            "1.0.0 → 1.1.0 Promotion Promote api 1.1.0 to staging (#48)",
            " → 1.0.0 Initial Add api, web and worker with per-environment overlays",
        ]
    );
    let mut kinds = Vec::new();
    history::history(&project("fanout"), "sandbox", &[], |c| {
        kinds.push((c.app, c.kind));
    })
    .expect("history");
    assert_eq!(
        kinds,
        [
            ("webserver-simple".to_owned(), ChangeKind::Initial),
            ("worker".to_owned(), ChangeKind::Initial)
        ]
    );
}

#[test]
fn changing_a_base_says_which_other_environments_move_with_it() {
    let copy = hoist_fixtures::fresh_copy("app-overlays");
    let dir = copy.path();
    hoist_fixtures::git(dir, &["checkout", "-q", "main"]);
    // prod stops setting api's tag too: staging and prod both inherit it now.
    let file = dir.join("apps/api/overlays/prod/kustomization.yaml");
    let text = std::fs::read_to_string(&file).expect("reads");
    let at = text.find("images:").expect("prod sets an image");
    std::fs::write(&file, &text[..at]).expect("writes");
    hoist_fixtures::git(
        dir,
        &[
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@acme.example",
            "commit",
            "-qam",
            "Let prod follow the base too",
        ],
    );
    let project = Project::open(dir).expect("opens");
    let options = Options {
        base: true,
        ..Options::default()
    };
    let plan = plan::promotion_with(&project, &Point::tip("dev"), "staging", &[], &options)
        .expect("plans")
        .expect("differs");
    assert_eq!(
        changes(&plan, &[]),
        ["api apps/api/base/deployment.yaml 1.0.0 → 1.2.0 (Base)"]
    );
    match plan.warnings.as_slice() {
        [
            Warning::SharedBase {
                environments,
                message,
                ..
            },
        ] => {
            assert_eq!(environments, &["prod"]);
            assert_eq!(
                message,
                "api 1.0.0 → 1.2.0 changes the base apps/api/base/deployment.yaml, which prod also inherits: they move too"
            );
        }
        other => panic!("{other:?}"),
    }
}
