//! Desktop notifications for what happens while the user looks elsewhere.

use tauri_plugin_notification::NotificationExt;

/// Shows a desktop notification. Where the desktop has no notification
/// service nothing happens: the window shows the same on screen.
#[tauri::command]
pub fn notify(app: tauri::AppHandle, title: String, body: String) {
    let _ = app.notification().builder().title(title).body(body).show();
}
