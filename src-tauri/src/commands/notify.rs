//! Desktop notifications for what happens while the user looks elsewhere.

use tauri_plugin_notification::NotificationExt;

/// Shows a desktop notification. Where the desktop has no notification
/// service the notification is dropped: it repeats what the window shows.
#[tauri::command]
pub fn notify(app: tauri::AppHandle, title: String, body: String) {
    let _ = app
        .notification()
        .builder()
        .title(title)
        .body(plain_body(&body))
        .show();
}

/// The body as text the notification server shows as written. On Linux the
/// freedesktop notification servers read the body as markup (`<a href>`,
/// `<img>`, entities), and the body names branches, versions and pull
/// request titles anyone can choose; elsewhere the body is plain text.
fn plain_body(body: &str) -> String {
    if cfg!(target_os = "linux") {
        body.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        body.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn markup_in_a_body_is_shown_not_followed() {
        assert_eq!(
            super::plain_body("Merged #3 <a href=\"https://evil.example\">x</a> & <img src=y>"),
            "Merged #3 &lt;a href=\"https://evil.example\"&gt;x&lt;/a&gt; &amp; &lt;img src=y&gt;"
        );
        assert_eq!(super::plain_body("api 1.5.0 → prod"), "api 1.5.0 → prod");
    }
}
