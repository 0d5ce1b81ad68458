//! Without a repository the window opens the built-in demo, says so, and
//! shows the generated repository's matrix; the Repository screen shows its
//! account and opens another repository.

use hoist_e2e::App;
use serde_json::json;

#[test]
fn without_a_repository_the_window_opens_the_demo_and_says_so() {
    let app = App::launch_demo();
    let banner = app.wait_for(
        "the demo banner",
        "return document.querySelector('[data-testid=demo-banner]')?.innerText ?? null",
    );
    let banner = banner.as_str().unwrap_or_default();
    assert!(
        banner.contains("offline sandbox at http://127.0.0.1:"),
        "{banner}"
    );
    app.wait_for(
        "the demo's matrix",
        &format!(
            "return document.querySelectorAll('td[data-app]').length === {}",
            hoist_demo::SPEC.apps * 4
        ),
    );
    let headers = app.script(
        "return [...document.querySelectorAll('th.env .env-name')].map(h => h.textContent)",
        json!([]),
    );
    assert_eq!(headers, json!(["dev", "qa", "stage", "prod"]));
    app.screenshot("demo");

    // Promoting what prod lacks: each app's release notes arrive from its
    // own repository on the sandbox after the preview shows.
    app.click("[data-testid=promote-prod]");
    app.wait_for(
        "the release notes",
        "const s = document.querySelector('[data-testid=source-notes]'); return s && s.getAttribute('aria-busy') === 'false' ? true : null",
    );
    let states = app.script(
        "return [...document.querySelectorAll('[data-testid=app-notes]')].map(r => r.dataset.state)",
        json!([]),
    );
    let states = states.as_array().cloned().unwrap_or_default();
    assert!(
        states.len() >= 2 && states.iter().all(|s| s == "ready"),
        "{states:?}"
    );
    let notes = app.text("[data-testid=source-notes]");
    assert!(notes.contains("from acme/"), "{notes}");
    app.script(
        "document.querySelector('[data-testid=source-notes]').scrollIntoView()",
        json!([]),
    );
    app.screenshot("source-notes");
    app.click("[data-testid=back]");

    // History: a change selected shows what its version brought.
    app.click("[data-view=history]");
    app.click("[data-testid=change-notes-button]");
    app.wait_for(
        "a change's notes",
        "const d = document.querySelector('[data-testid=change-notes]'); return d && d.dataset.state === 'ready' ? true : null",
    );
    let selected = app.text("[data-testid=change-notes]");
    assert!(selected.contains("Release notes: "), "{selected}");
    app.screenshot("history-notes");

    // The Repository screen: the demo's account, whose token stays in Rust.
    app.click("[data-view=settings]");
    let who = app.text("[data-testid=signed-in]");
    assert!(who.contains(hoist_demo::LOGIN), "{who}");
    let html = app.script("return document.documentElement.outerHTML", json!([]));
    assert!(
        !html
            .as_str()
            .unwrap_or_default()
            .contains(hoist_demo::TOKEN),
        "the token reached the web view"
    );
    app.screenshot("repository");

    // Open another repository from there: its matrix replaces the demo's
    // and the banner goes.
    let fixture = hoist_fixtures::fixture("branch-helm");
    app.fill("[data-testid=open-path]", &fixture.to_string_lossy());
    app.click("[data-testid=open-repository]");
    app.wait_for(
        "the fixture's matrix",
        "return document.querySelectorAll('td[data-app]').length === 9",
    );
    let banner = app.script(
        "return document.querySelector('[data-testid=demo-banner]')",
        json!([]),
    );
    assert_eq!(banner, json!(null), "the demo banner stayed");
}
