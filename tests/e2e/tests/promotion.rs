//! The whole loop in the real window against the demo's offline forge
//! (GitHub, then GitLab): preview a promotion, open its PR or MR, follow it
//! in the tracker, merge it, fetch, see the matrix and history change, then
//! roll back through another. Each main screen is saved as a screenshot
//! under target/e2e (`-gitlab` for GitLab's, reached by picking GitLab for
//! the demo on the Repository screen).

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

/// How the window names the forge's change requests.
struct Words {
    change: &'static str,
    sigil: &'static str,
    suffix: &'static str,
}

#[test]
fn promote_track_merge_fetch_and_roll_back_on_github() {
    let words = Words {
        change: "pull request",
        sigil: "#",
        suffix: "",
    };
    the_loop(&App::launch_demo(), &words);
}

#[test]
fn promote_track_merge_fetch_and_roll_back_on_gitlab() {
    let words = Words {
        change: "merge request",
        sigil: "!",
        suffix: "-gitlab",
    };
    // The demo starts as GitHub; the Repository screen restarts its
    // sandbox as GitLab over the same clone.
    let app = App::launch_demo();
    app.click("[data-view=settings]");
    app.wait_for(
        "the demo's forge choice",
        "return document.querySelector('[data-testid=demo-github]')?.getAttribute('aria-pressed') === 'true'",
    );
    app.screenshot("settings-demo");
    app.click("[data-testid=demo-gitlab]");
    app.wait_for(
        "the demo as GitLab",
        "return document.querySelector('[data-view=pulls]')?.textContent.includes('Merge requests') ?? false",
    );
    the_loop(&app, &words);
    app.click("[data-view=settings]");
    let who = app.text("[data-testid=signed-in]");
    assert!(who.contains(hoist_demo::LOGIN), "{who}");
    app.screenshot("settings-gitlab");
}

fn the_loop(app: &App, w: &Words) {
    let shot = |name: &str| app.screenshot(&format!("{name}{}", w.suffix));
    app.wait_for(
        "the demo's matrix",
        "return document.querySelectorAll('td[data-app]').length > 0",
    );
    let pending = count(app, "td.pending[data-env=\"qa\"]");
    assert!(pending > 0, "the demo has nothing pending in qa");
    app.wait_for(
        "the lanes' reconcile status",
        "return [...document.querySelectorAll('.health-badge')].every(b => b.textContent !== '…')",
    );
    shot("environments");

    // Preview every pending promotion from dev into qa.
    app.click("[data-testid=promote-qa]");
    app.text("[data-testid=changes]");
    let apps = count(app, "[data-testid=changes] tbody tr");
    assert_eq!(apps, pending, "the preview should hold every pending app");
    assert!(app.text("[data-testid=diff]").contains("changed"));
    shot("composer");
    app.script(
        "document.querySelector('[data-testid=diff] .file').scrollIntoView()",
        json!([]),
    );
    shot("diff");
    app.click("[data-layout=split]");
    shot("diff-split");

    // Open the PR; the composer ends with its number and link.
    app.fill("[data-testid=reason]", "weekly promotion from the e2e test");
    app.click("[data-testid=open-pr]");
    let opened = app.text("[data-testid=opened]");
    let expected = format!("Opened {} {}1", w.change, w.sigil);
    assert!(opened.contains(&expected), "{opened}");
    let steps = app.text("[data-testid=steps]");
    assert!(
        steps.contains(&format!("Opening the {}", w.change)),
        "{steps}"
    );
    shot("opened");

    // The tracker shows it; the sandbox's CI passes after a moment.
    app.click("[data-testid=track-it]");
    app.text("[data-testid=pull-1]");
    app.wait_for(
        "the checks to pass and the merge button to enable",
        "const b = document.querySelector('[data-testid=pull-1] [data-testid=merge]'); \
         if (b && !b.disabled) return true; \
         document.querySelector('[data-testid=pulls-refresh]')?.click(); return false;",
    );
    shot("pulls");

    // Merge, and follow qa until the reconciler reports.
    app.click("[data-testid=pull-1] [data-testid=merge]");
    let settled = app.wait_for(
        "the environment to report after the merge",
        "return document.querySelector('[data-testid=settled]')?.dataset.state ?? null",
    );
    assert_eq!(settled, json!("success"));
    shot("merged");

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
    assert!(first.contains(&format!("{}1", w.sigil)), "{first}");
    shot("history");

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
    assert!(rollback.contains(&format!("{}2", w.sigil)), "{rollback}");
    shot("rollback");
}
