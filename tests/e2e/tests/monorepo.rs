//! A monorepo of 5,000 apps on 12 environments: the matrix keeps only the
//! rows in view in the page and scrolls from top to bottom. The frame times
//! of that scroll, and of the same window idle for comparison, are written
//! to `target/e2e/monorepo-frames.json` for the README; they are reported,
//! not asserted (a shared machine's timings say nothing about the code).

use std::time::Duration;

use hoist_demo::generate::{self, Spec};
use hoist_e2e::App;
use serde_json::{Value, json};

/// The bench's `monorepo` preset, with a shorter history: the window's load is not what is measured.
const SPEC: Spec = Spec {
    apps: 5_000,
    environments: 12,
    commits: 2_000,
    seed: 5,
    ends: None,
};

/// Frames measured idle and while scrolling.
const FRAMES: usize = 40;

/// Median, 95th percentile and maximum of frame intervals in milliseconds.
fn summary(frames: &Value) -> Value {
    let mut f: Vec<f64> = frames
        .as_array()
        .expect("frames")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    f.sort_by(f64::total_cmp);
    let at = |q: f64| f[((f.len() - 1) as f64 * q).round() as usize];
    json!({ "frames": f.len(), "median_ms": at(0.5), "p95_ms": at(0.95), "max_ms": at(1.0) })
}

#[test]
fn five_thousand_apps_scroll_with_only_the_rows_in_view_in_the_page() {
    let cache = hoist_fixtures::workspace_root().join("target/e2e-repositories");
    let repo = generate::repository(SPEC, &cache).expect("the monorepo is generated");
    let app = App::launch(&repo);
    app.wait_for_long(
        "the monorepo's matrix",
        "return document.querySelectorAll('th.env').length === 12 && document.querySelector('[data-testid=app-count]')?.textContent === '5000 of 5000 apps'",
    );
    // The versions come first; wait for who set them, so the scroll is measured alone.
    app.wait_for_long(
        "the origins",
        "const metas = [...document.querySelectorAll('.cell-meta')]; return metas.length > 0 && metas.every(m => m.textContent !== '…')",
    );
    app.script_timeout(Duration::from_secs(300));
    let frames = |scroll: u32| {
        app.script_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 const box = document.querySelector('[data-testid=matrix-scroll]');
                 const frames = []; const draws = []; let most = 0; let n = 0; let last = 0;
                 const step = (t) => {{
                   if (last) {{ frames.push(t - last); draws.push(Number(box.dataset.drawMs ?? 0)); }}
                   last = t;
                   most = Math.max(most, document.querySelectorAll('[data-testid=matrix] tr.mrow').length);
                   box.scrollTop += {scroll};
                   if (++n <= {FRAMES}) requestAnimationFrame(step);
                   else done({{ frames, draws, most, height: box.scrollHeight, top: box.scrollTop }});
                 }};
                 requestAnimationFrame(step);"
            ),
            json!([]),
        )
    };
    let idle = frames(0);
    let scrolled = frames(2_400);
    let most = scrolled["most"].as_u64().unwrap_or(u64::MAX);
    assert!(
        most < 120,
        "{most} rows were in the page at once: the matrix is not virtualised"
    );
    assert!(
        scrolled["height"].as_u64().unwrap_or(0) > 5_000 * 50,
        "the scroll area does not hold 5,000 rows: {scrolled}"
    );
    assert!(
        scrolled["top"].as_u64().unwrap_or(0) > 40 * 2_000,
        "the matrix did not scroll: {scrolled}"
    );
    let report = json!({
        "apps": SPEC.apps,
        "environments": SPEC.environments,
        "rows_in_page_at_most": most,
        "idle": summary(&idle["frames"]),
        "scrolling": summary(&scrolled["frames"]),
        "drawing_rows": summary(&scrolled["draws"]),
    });
    println!("monorepo frames: {report}");
    let dir = hoist_fixtures::workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).expect("target/e2e");
    std::fs::write(dir.join("monorepo-frames.json"), report.to_string()).expect("written");
    app.screenshot("monorepo");
}
