//! Light and dark follow the desktop: with a dark GTK theme the window
//! reports a dark colour scheme and paints dark.

use hoist_e2e::App;
use serde_json::json;

#[test]
fn a_dark_desktop_gets_a_dark_window() {
    let app = App::launch_demo_with(&[("GTK_THEME", "Adwaita:dark")]);
    app.wait_for(
        "the demo's matrix",
        "return document.querySelectorAll('td[data-app]').length > 0",
    );
    let dark = app.script(
        "return matchMedia('(prefers-color-scheme: dark)').matches",
        json!([]),
    );
    assert_eq!(dark, json!(true), "WebKit did not report the dark theme");
    let background = app.script(
        "return getComputedStyle(document.documentElement).backgroundColor",
        json!([]),
    );
    // --bg in dark mode: #0f1115.
    assert_eq!(background, json!("rgb(15, 17, 21)"));
    app.screenshot("dark");
}
