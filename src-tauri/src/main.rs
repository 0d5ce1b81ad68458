//! Hoist's desktop app. This layer stays thin: it opens the repository the
//! app was started on, forwards each command to the engine off the UI
//! thread, and turns engine errors into sentences for people.
//!
//! `hoist-app [REPOSITORY]` — without an argument it opens the built-in demo:
//! a generated GitOps repository served by the offline GitHub sandbox.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod recent;
mod startup;
mod view;

use std::path::PathBuf;
use std::sync::Arc;

use hoist_api::Session;

/// Where Hoist keeps what it can make again: [`hoist_api::cache_dir`], else
/// the temporary directory.
fn cache_dir() -> PathBuf {
    hoist_api::cache_dir().unwrap_or_else(|| std::env::temp_dir().join("hoist"))
}

/// The forge the demo's sandbox plays: `HOIST_DEMO_FORGE` (`github`, the
/// default, or `gitlab`).
fn demo_forge() -> hoist_demo::Forge {
    match std::env::var("HOIST_DEMO_FORGE").as_deref() {
        Ok("gitlab") => hoist_demo::Forge::Gitlab,
        _ => hoist_demo::Forge::Github,
    }
}

fn main() {
    let started = startup::Started(std::time::Instant::now());
    let session = match std::env::args_os().nth(1).map(PathBuf::from) {
        Some(repository) => {
            let repository = std::path::absolute(&repository).unwrap_or(repository);
            // Offered under Recent next time; a list that cannot be saved is no reason not to start.
            if let Some(dir) = hoist_github::connect::config_dir() {
                let _ = recent::remember(&dir, &repository);
            }
            Session::new(repository, None)
        }
        // HOIST_DEMO_FORGE=gitlab: the sandbox plays GitLab.
        None => match hoist_demo::Demo::start_on(
            &cache_dir().join("demo"),
            std::time::Duration::from_secs(3),
            demo_forge(),
        ) {
            Ok(demo) => Session::new(demo.clone.clone(), Some(demo)),
            Err(e) => {
                eprintln!("error: Hoist could not start its demo: {e:#}");
                std::process::exit(1);
            }
        },
    };
    let session = session.with_cache_dir(cache_dir());
    tauri::Builder::default()
        .manage(Arc::new(session))
        .manage(Arc::new(commands::configure::Offered::default()))
        .manage(started)
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        // The window opens where it closed (size, position, maximised), and
        // where the OS decides when no monitor shows that place any more.
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .invoke_handler(tauri::generate_handler![
            commands::status::status,
            commands::status::here,
            commands::status::origins,
            commands::repository::account,
            commands::repository::open_repository,
            commands::repository::demo_forge,
            commands::repository::open_demo,
            commands::repository::recent_repositories,
            commands::repository::pick_folder,
            commands::repository::clone_repository,
            commands::repository::sign_in,
            commands::repository::sign_out,
            commands::repository::proposed_config,
            commands::repository::propose_config,
            commands::configure::survey,
            commands::configure::rescan,
            commands::configure::draft_status,
            commands::configure::save_config,
            commands::configure::propose_draft,
            commands::pulls::next_pulls,
            commands::preview::preview_promotion,
            commands::preview::preview_rollback,
            commands::preview::compare,
            commands::preview::file_diff,
            commands::preview::release_notes,
            commands::preview::change_notes,
            commands::pulls::open_pull_request,
            commands::pulls::cancel,
            commands::pulls::pull_requests,
            commands::pulls::checks,
            commands::pulls::merge_pull_request,
            commands::pulls::merge_when_green,
            commands::pulls::open_url,
            commands::history::history,
            commands::history::releases,
            commands::fetch::fetch,
            startup::ready,
            commands::notify::notify,
            commands::pulls::pull_request,
            commands::train::preview_train,
            commands::train::open_train,
            commands::train::trains,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("error: Hoist could not start its window: {e}");
            std::process::exit(1);
        });
}
