//! A monorepo of 5,000 apps on 12 environments: the matrix keeps only the
//! rows in view in the page and scrolls from top to bottom. The frame times
//! of that scroll are measured and written to `target/e2e/monorepo-frames.json`
//! for the README; they are reported, not asserted (a shared machine's
//! timings say nothing about the code).

use hoist_demo::generate::{self, Spec};
use hoist_e2e::App;
use serde_json::json;

/// The bench's `monorepo` preset, with a shorter history: the window's load is not what is measured.
const SPEC: Spec = Spec {
    apps: 5_000,
    environments: 12,
    commits: 2_000,
    seed: 5,
    ends: None,
};

#[test]
fn five_thousand_apps_scroll_with_only_the_rows_in_view_in_the_page() {
    let cache = hoist_fixtures::workspace_root().join("target/e2e-repositories");
    let repo = generate::repository(SPEC, &cache).expect("the monorepo is generated");
    let app = App::launch(&repo);
    app.wait_for_long(
        "the monorepo's matrix",
        "return document.querySelectorAll('th.env').length === 12 && document.querySelector('[data-testid=app-count]')?.textContent === '5000 of 5000 apps'",
    );
    let result = app.script_async(
        "const done = arguments[arguments.length - 1];
         const box = document.querySelector('[data-testid=matrix-scroll]');
         const frames = []; let most = 0; let n = 0; let last = 0;
         const step = (t) => {
           if (last) frames.push(t - last);
           last = t;
           most = Math.max(most, document.querySelectorAll('[data-testid=matrix] tr.mrow').length);
           box.scrollTop += 600;
           if (++n < 400 && box.scrollTop + box.clientHeight < box.scrollHeight) requestAnimationFrame(step);
           else done({ frames, most, height: box.scrollHeight, top: box.scrollTop,
                       last: document.querySelector('[data-testid=matrix] tr.mrow:last-of-type')?.dataset.row ?? null });
         };
         requestAnimationFrame(step);",
        json!([]),
    );
    let most = result["most"].as_u64().unwrap_or(u64::MAX);
    assert!(
        most < 120,
        "{most} rows were in the page at once: the matrix is not virtualised"
    );
    assert!(
        result["height"].as_u64().unwrap_or(0) > 5_000 * 50,
        "the scroll area does not hold 5,000 rows: {result}"
    );
    let mut frames: Vec<f64> = result["frames"]
        .as_array()
        .expect("frames")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    frames.sort_by(f64::total_cmp);
    let at = |q: f64| frames[((frames.len() - 1) as f64 * q).round() as usize];
    let summary = json!({
        "apps": SPEC.apps,
        "environments": SPEC.environments,
        "frames": frames.len(),
        "median_ms": at(0.5),
        "p95_ms": at(0.95),
        "max_ms": at(1.0),
        "rows_in_page_at_most": most,
    });
    println!("monorepo scroll: {summary}");
    let dir = hoist_fixtures::workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).expect("target/e2e");
    std::fs::write(dir.join("monorepo-frames.json"), summary.to_string()).expect("written");
    app.screenshot("monorepo");
}
