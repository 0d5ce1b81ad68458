//! Hoist's desktop app. This layer stays thin: it opens the repository the
//! app was started on, forwards each command to the engine off the UI
//! thread, and turns engine errors into sentences for people.
//!
//! `hoist-app [REPOSITORY]` — without an argument the current directory is used.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod view;

use std::path::PathBuf;

fn main() {
    let repository = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let repository = std::path::absolute(&repository).unwrap_or(repository);
    tauri::Builder::default()
        .manage(commands::Opened { repository })
        .invoke_handler(tauri::generate_handler![commands::status])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("error: Hoist could not start its window: {e}");
            std::process::exit(1);
        });
}
