//! The real window on the layouts of real repositories: the pipeline graph
//! with three and with fifteen environments, rendered branches with what
//! waits on their next branch, and the configuration editor where
//! detection falls short. Each screen is saved to `target/e2e/`.

use hoist_e2e::App;
use serde_json::json;

/// Every lane's box, for checking that none overlaps another or leaves the window.
const BOXES: &str = "return [...document.querySelectorAll('[data-lane]')].map(l => { \
    const r = l.getBoundingClientRect(); \
    return [l.dataset.lane, Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)]; })";

fn no_overlaps(boxes: &serde_json::Value) {
    let boxes = boxes.as_array().expect("boxes");
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let (al, at, ar, ab) = (a[1].as_i64(), a[2].as_i64(), a[3].as_i64(), a[4].as_i64());
            let (bl, bt, br, bb) = (b[1].as_i64(), b[2].as_i64(), b[3].as_i64(), b[4].as_i64());
            let apart = ar <= bl || br <= al || ab <= bt || bb <= at;
            assert!(apart, "{a} overlaps {b}");
        }
    }
}

#[test]
fn fifteen_environments_fan_out_as_a_readable_graph() {
    let app = App::launch(&hoist_fixtures::fixture("fanout"));
    app.wait_for(
        "the graph and the matrix",
        "return document.querySelectorAll('[data-lane]').length === 15 && document.querySelectorAll('th.env').length === 15",
    );
    let boxes = app.script(BOXES, json!([]));
    no_overlaps(&boxes);
    // At 1280×800 the whole pipeline fits the window's width.
    let right = boxes
        .as_array()
        .expect("boxes")
        .iter()
        .filter_map(|b| b[3].as_i64())
        .max()
        .unwrap_or(0);
    assert!(right <= 1280, "the graph runs off the window: {boxes}");
    let edges = app.script(
        "return [...document.querySelectorAll('path.edge')].map(p => [p.dataset.edge, p.classList.contains('guessed')])",
        json!([]),
    );
    assert_eq!(edges.as_array().map(Vec::len), Some(14), "{edges}");
    assert!(
        edges
            .as_array()
            .expect("edges")
            .iter()
            .all(|e| e[1] == json!(true)),
        "every link is guessed from names here: {edges}"
    );
    let columns = app.script(
        "return [...document.querySelectorAll('th.env .env-name')].map(h => h.textContent)",
        json!([]),
    );
    // The matrix's columns follow the graph: by depth, side environments last in theirs.
    assert_eq!(
        columns,
        json!([
            "dev",
            "qa",
            "sandbox",
            "integration-gpu",
            "integration-non-gpu",
            "staging-asia",
            "staging-eu",
            "staging-us",
            "load-gpu",
            "load-non-gpu",
            "prod-asia",
            "prod-eu",
            "prod-us",
            "perf",
            "demo"
        ])
    );
    let sandbox = app.text("td[data-app=\"webserver-simple\"][data-env=\"sandbox\"]");
    // Badges are drawn in capitals; the text is the same.
    assert!(sandbox.to_lowercase().contains("from base"), "{sandbox}");
    app.screenshot("pipeline-15");
}

#[test]
fn three_environments_and_inherited_versions() {
    let app = App::launch(&hoist_fixtures::fixture("app-overlays"));
    app.wait_for(
        "the graph",
        "return document.querySelectorAll('[data-lane]').length === 3 && document.querySelectorAll('td[data-app]').length === 9",
    );
    no_overlaps(&app.script(BOXES, json!([])));
    let staging = app.script(
        "const td = document.querySelector('td[data-app=\"api\"][data-env=\"staging\"]'); return [td.innerText, td.title]",
        json!([]),
    );
    assert!(
        staging[0]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("from base"),
        "{staging}"
    );
    assert!(
        staging[1]
            .as_str()
            .unwrap_or("")
            .contains("apps/api/base/deployment.yaml"),
        "{staging}"
    );
    app.screenshot("pipeline-3");
}

#[test]
fn rendered_branches_show_the_dry_commit_and_what_waits() {
    let app = App::launch(&hoist_fixtures::fixture("hydrated-branches"));
    app.wait_for(
        "the matrix",
        "return document.querySelectorAll('td[data-app]').length === 9",
    );
    let cell = app.script(
        "const td = document.querySelector('td[data-app=\"guestbook\"][data-env=\"e2e\"]'); return [td.querySelector('.version').textContent, td.innerText]",
        json!([]),
    );
    assert_eq!(cell[0], json!("23edec3"), "{cell}");
    let text = cell[1].as_str().unwrap_or_default();
    assert!(text.contains("Bump guestbook to v6 (#11)"), "{text}");
    assert!(text.contains("d27f698 waiting"), "{text}");
    app.screenshot("rendered-branches");

    // Promoting e2e shows the dry commits' release notes, the breaking
    // change first and warned about.
    app.click("[data-testid=promote-e2e]");
    let notes = app.text("[data-testid=release-notes]");
    assert!(notes.contains("Breaking changes (1)"), "{notes}");
    assert!(notes.contains("cart listens on port 8081"), "{notes}");
    assert!(notes.contains("Features (1)"), "{notes}");
    let warnings = app.text("[data-testid=warnings]");
    assert!(warnings.contains("Breaking change."), "{warnings}");
    app.screenshot("release-notes");
}

#[test]
fn where_detection_falls_short_the_editor_writes_the_configuration() {
    let copy = hoist_fixtures::fresh_copy("unnamed");
    let app = App::launch(copy.path());
    app.wait_for(
        "the editor, opened by itself",
        "return document.querySelector('[data-testid=env-chosen-gamma]') !== null",
    );
    let problem = app.text("[data-testid=survey-problem]");
    assert!(problem.contains("found no environments"), "{problem}");
    for name in ["alpha", "beta", "gamma"] {
        app.click(&format!("[data-testid=env-chosen-{name}]"));
    }
    app.click("[data-testid=rescan]");
    app.wait_for(
        "the apps",
        "return document.querySelector('[data-testid=app-chosen-web]') !== null",
    );
    app.wait_for(
        "the draft's matrix",
        "return document.querySelectorAll('[data-testid=draft-preview] td[data-app]').length === 6",
    );
    let yaml = app.text("[data-testid=draft-yaml]");
    assert!(yaml.contains("  - name: gamma\n"), "{yaml}");
    app.screenshot("config-editor");
    app.click("[data-testid=save-config]");
    let saved = app.text("[data-testid=saved]");
    assert!(saved.contains(".hoist.yaml"), "{saved}");
    let written = std::fs::read_to_string(copy.path().join(".hoist.yaml")).expect("saved");
    assert!(
        written.contains("    locator: { kustomize: { image: ghcr.io/acme/api } }\n"),
        "{written}"
    );
    // The window reads it from there now.
    app.click("[data-view=environments]");
    app.wait_for(
        "the matrix under the saved configuration",
        "return document.querySelectorAll('[data-testid=matrix] td[data-app]').length === 6",
    );
    let gamma = app.text("td[data-app=\"api\"][data-env=\"gamma\"]");
    assert!(gamma.to_lowercase().contains("pending"), "{gamma}");
}
