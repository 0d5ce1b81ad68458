//! The whole loop in the real window against the demo's offline GitHub:
//! preview a promotion, open its PR, follow it in the tracker, merge it,
//! fetch, see the matrix and history change, then roll back through a PR.
//! Each main screen is saved as a screenshot under target/e2e.

use hoist_e2e::App;
use serde_json::json;

fn count(app: &App, selector: &str) -> u64 {
    app.script(
        &format!(
            "return document.querySelectorAll({}).length",
            json!(selector)
        ),
        json!([]),
    )
    .as_u64()
    .unwrap_or(0)
}

#[test]
fn promote_track_merge_fetch_and_roll_back() {
    let app = App::launch_demo();
    app.wait_for(
        "the demo's matrix",
        "return document.querySelectorAll('td[data-app]').length > 0",
    );
    let pending = count(&app, "td.pending[data-env=\"qa\"]");
    assert!(pending > 0, "the demo has nothing pending in qa");
    app.wait_for(
        "the lanes' reconcile status",
        "return [...document.querySelectorAll('.health-badge')].every(b => b.textContent !== '…')",
    );
    app.screenshot("environments");

    // Preview every pending promotion from dev into qa.
    app.click("[data-testid=promote-qa]");
    app.text("[data-testid=changes]");
    let apps = count(&app, "[data-testid=changes] tbody tr");
    assert_eq!(apps, pending, "the preview should hold every pending app");
    assert!(app.text("[data-testid=diff]").contains("changed"));
    app.screenshot("composer");
    app.script(
        "document.querySelector('[data-testid=diff] .file').scrollIntoView()",
        json!([]),
    );
    app.screenshot("diff");
    app.click("[data-layout=split]");
    app.screenshot("diff-split");

    // Open the PR; the composer ends with its number and link.
    app.fill("[data-testid=reason]", "weekly promotion from the e2e test");
    app.click("[data-testid=open-pr]");
    let opened = app.text("[data-testid=opened]");
    assert!(opened.contains("Opened pull request #1"), "{opened}");
    let steps = app.text("[data-testid=steps]");
    assert!(steps.contains("Opening the pull request"), "{steps}");
    app.screenshot("opened");

    // The tracker shows it; the sandbox's CI passes after a moment.
    app.click("[data-testid=track-it]");
    app.text("[data-testid=pull-1]");
    app.wait_for(
        "the checks to pass and the merge button to enable",
        "const b = document.querySelector('[data-testid=pull-1] [data-testid=merge]'); \
         if (b && !b.disabled) return true; \
         document.querySelector('[data-testid=pulls-refresh]')?.click(); return false;",
    );
    app.screenshot("pulls");

    // Merge, and follow qa until the reconciler reports.
    app.click("[data-testid=pull-1] [data-testid=merge]");
    let settled = app.wait_for(
        "the environment to report after the merge",
        "return document.querySelector('[data-testid=settled]')?.dataset.state ?? null",
    );
    assert_eq!(settled, json!("success"));
    app.screenshot("merged");

    // Fetch: the matrix shows qa running what dev runs.
    app.click("[data-testid=fetch]");
    app.wait_for(
        "the fetch to finish",
        "return document.querySelector('[data-testid=fetch-state]')?.textContent.startsWith('Fetched') ?? false",
    );
    app.click("[data-view=environments]");
    app.wait_for(
        "the matrix after the fetch",
        "return document.querySelectorAll('td[data-app]').length > 0 && document.querySelectorAll('td.pending[data-env=\"qa\"]').length === 0",
    );

    // History of qa starts with the merged promotion.
    app.click("[data-view=history]");
    app.fill("[data-testid=history-env]", "qa");
    app.wait_for(
        "qa's timeline",
        "return document.querySelector('[data-testid=history-count]')?.textContent.endsWith('in qa, newest first') ?? false",
    );
    let first = app.text("[data-testid=timeline] .change");
    assert!(first.contains("#1"), "{first}");
    app.screenshot("history");

    // Roll qa back to the point before it, through the same composer.
    app.click("[data-testid=timeline] [data-testid=rollback-here]");
    app.text("[data-testid=changes]");
    let open_disabled = app.script(
        "return document.querySelector('[data-testid=open-pr]').disabled",
        json!([]),
    );
    assert_eq!(open_disabled, json!(true), "a rollback needs a reason");
    app.fill("[data-testid=reason]", "roll back: the e2e test says so");
    app.click("[data-testid=open-pr]");
    let rollback = app.text("[data-testid=opened]");
    assert!(rollback.contains("#2"), "{rollback}");
    app.screenshot("rollback");
}
