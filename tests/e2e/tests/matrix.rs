//! The real window on the branch-helm fixture shows the right version in
//! every cell, marks pending promotions, and is saved as a screenshot.

use hoist_e2e::App;
use serde_json::json;

#[test]
fn the_window_shows_what_runs_where() {
    let repository = hoist_fixtures::fixture("branch-helm");
    let app = App::launch(&repository);
    app.wait_for(
        "the status matrix",
        "return document.querySelectorAll('td[data-app]').length === 9",
    );
    let cells = app.script(
        "return [...document.querySelectorAll('td[data-app]')].map(td => \
           [td.dataset.app, td.dataset.env, td.querySelector('.version')?.dataset.version ?? null, td.dataset.state])",
        json!([]),
    );
    // tests/fixtures/branch-helm.sh lists this matrix in its header.
    let expected = json!([
        ["api", "dev", "1.6.0", "current"],
        ["api", "stage", "1.5.0", "pending"],
        ["api", "prod", "1.4.2", "pending"],
        ["web", "dev", "2.1.0", "current"],
        ["web", "stage", "2.1.0", "current"],
        ["web", "prod", "2.1.0", "current"],
        ["worker", "dev", "0.9.1", "current"],
        ["worker", "stage", "0.9.1", "current"],
        ["worker", "prod", "0.9.0", "pending"],
    ]);
    assert_eq!(cells, expected);
    let headers = app.script(
        "return [...document.querySelectorAll('th.env .env-name')].map(h => h.textContent)",
        json!([]),
    );
    assert_eq!(headers, json!(["dev", "stage", "prod"]));
    let pending_badge = app.script(
        "return document.querySelector('td[data-app=\"api\"][data-env=\"stage\"] .pending-badge')?.textContent ?? null",
        json!([]),
    );
    assert_eq!(pending_badge, json!("pending"));
    let path = app.screenshot("status-matrix");
    assert!(
        std::fs::metadata(&path)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "{} is too small to be the window",
        path.display()
    );
}

#[test]
fn a_folder_that_is_not_a_repository_shows_the_reason() {
    let dir = std::env::temp_dir().join(format!("hoist-e2e-not-a-repo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let app = App::launch(&dir);
    let text = app.wait_for(
        "the failure message",
        "return document.querySelector('[data-testid=failure]')?.innerText ?? null",
    );
    assert!(
        text.as_str().unwrap_or("").contains("not a git repository"),
        "{text}"
    );
    app.screenshot("not-a-repository");
    let _ = std::fs::remove_dir_all(&dir);
}
