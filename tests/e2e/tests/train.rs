//! A release train in the real window against the demo's offline forge:
//! the composer's dry run (what moves, what stays and why), one pull
//! request per app opened with progress, then the train as one card in the
//! Pull requests screen. Screenshots: train-composer, train-opened, train-card.

use hoist_e2e::App;
use serde_json::json;

#[test]
fn a_release_train_is_planned_opened_and_tracked_as_one_card() {
    let app = App::launch_demo();
    app.wait_for(
        "the demo's matrix",
        "return document.querySelectorAll('td[data-app]').length > 0",
    );
    app.click("[data-view=pulls]");
    app.click("[data-testid=new-train]");
    app.text("[data-testid=train-table]");
    // dev → qa, where the demo has pending promotions.
    for (select, env) in [("train-from", "dev"), ("train-to", "qa")] {
        app.script(
            &format!(
                "const s = document.querySelector('[data-testid={select}]'); s.value = {env}; s.dispatchEvent(new Event('change'));",
                env = json!(env)
            ),
            json!([]),
        );
    }
    app.click("[data-testid=train-per_app]");
    app.wait_for(
        "a per-app dry run from dev to qa",
        "return document.querySelector('[data-testid=train-per_app]')?.getAttribute('aria-pressed') === 'true' \
         && document.querySelector('[data-testid=train-table] th:nth-child(2)')?.textContent === 'qa' \
         && document.querySelectorAll('[data-testid=train-pulls] li').length > 1",
    );
    let moving = app
        .script(
            "return document.querySelectorAll('[data-testid=train-table] tr.moves').length",
            json!([]),
        )
        .as_u64()
        .unwrap_or(0);
    let pulls = app
        .script(
            "return document.querySelectorAll('[data-testid=train-pulls] li').length",
            json!([]),
        )
        .as_u64()
        .unwrap_or(0);
    assert!(
        moving > 1 && pulls == moving,
        "{moving} moving, {pulls} pulls"
    );
    app.screenshot("train-composer");

    app.click("[data-testid=train-open]");
    let done = app.text("[data-testid=train-done]");
    assert!(
        done.contains(&format!("{pulls} pull requests open into qa")),
        "{done}"
    );
    let links = app
        .script(
            "return document.querySelectorAll('[data-testid=train-opened]').length",
            json!([]),
        )
        .as_u64()
        .unwrap_or(0);
    assert_eq!(links, pulls);
    app.script(
        "document.querySelector('[data-testid=train-pulls]').scrollIntoView()",
        json!([]),
    );
    app.screenshot("train-opened");

    app.click("[data-testid=back]");
    app.text("[data-testid=train-counts]");
    // Badges are upper-cased by style: the text as written.
    let counts = app.script(
        "return document.querySelector('[data-testid=train-counts]').textContent",
        json!([]),
    );
    let counts = counts.as_str().unwrap_or_default();
    assert!(counts.contains("0 merged"), "{counts}");
    assert!(
        counts.contains(&format!("of {pulls} pull requests")),
        "{counts}"
    );
    assert_eq!(
        app.script(
            "return document.querySelectorAll('[data-train]').length",
            json!([])
        ),
        json!(1),
        "one card for the train"
    );
    app.screenshot("train-card");

    // Merged from inside its card, a pull request counts as merged there
    // (the forge lists open ones only; the session remembers the train's).
    app.script(
        "document.querySelector('[data-train] details').open = true",
        json!([]),
    );
    app.wait_for(
        "the checks to pass and the first merge button to enable",
        "const b = document.querySelector('[data-train] [data-testid=pull-1] [data-testid=merge]'); \
         if (b && !b.disabled) return true; \
         document.querySelector('[data-testid=pulls-refresh]')?.click(); return false;",
    );
    app.click("[data-train] [data-testid=pull-1] [data-testid=merge]");
    app.wait_for(
        "qa to report after the merge",
        "return document.querySelector('[data-testid=settled]')?.dataset.state ?? null",
    );
    app.click("[data-testid=settled] ~ button");
    app.wait_for(
        "the card to count the merge",
        "return document.querySelector('[data-testid=train-counts]')?.textContent.includes('1 merged') ?? false",
    );
    app.screenshot("train-card-merged");
}
