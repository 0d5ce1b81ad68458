//! Previews: promotion, rollback and comparison plans with their diffs.

use std::sync::Arc;

use hoist_api::Session;
use hoist_api::notes::{self, AppNotes};
use hoist_api::preview::{self, CONTEXT, Preview};
use hoist_core::diff::FileDiff;
use hoist_core::plan::{Mode, Options};
use tauri::ipc::Channel;

use super::blocking;
use crate::view::Failure;

/// Previews promoting `apps` (every app that differs when empty) from
/// `source` to `target`. `None`: nothing to promote.
#[tauri::command]
pub async fn preview_promotion(
    session: tauri::State<'_, Arc<Session>>,
    source: String,
    target: String,
    apps: Vec<String>,
    sync: bool,
    base: bool,
) -> Result<Option<Preview>, Failure> {
    let session = Arc::clone(&session);
    let options = Options {
        mode: if sync { Mode::Sync } else { Mode::Version },
        base,
        ..Options::default()
    };
    blocking("the preview", move || {
        Ok(preview::promotion(
            &session, &source, &target, &apps, &options, CONTEXT,
        )?)
    })
    .await
}

/// Previews setting `environment`'s apps back to what they ran at commit
/// `to` (every app that differs when `apps` is empty).
#[tauri::command]
pub async fn preview_rollback(
    session: tauri::State<'_, Arc<Session>>,
    environment: String,
    to: String,
    apps: Vec<String>,
) -> Result<Option<Preview>, Failure> {
    let session = Arc::clone(&session);
    blocking("the rollback preview", move || {
        Ok(preview::rollback(
            &session,
            &environment,
            &to,
            &apps,
            CONTEXT,
        )?)
    })
    .await
}

/// How two points (`prod`, `prod@a1b2c3d`, `prod@2026-11-20T17:00`) differ.
#[tauri::command]
pub async fn compare(
    session: tauri::State<'_, Arc<Session>>,
    from: String,
    to: String,
    apps: Vec<String>,
) -> Result<Option<Preview>, Failure> {
    let session = Arc::clone(&session);
    blocking("the comparison", move || {
        Ok(preview::compare(&session, &from, &to, &apps, CONTEXT)?)
    })
    .await
}

/// One file of a previewed plan with `context` lines around each change;
/// a large context shows the whole file.
#[tauri::command]
pub async fn file_diff(
    session: tauri::State<'_, Arc<Session>>,
    plan: String,
    path: String,
    context: usize,
) -> Result<FileDiff, Failure> {
    let session = Arc::clone(&session);
    blocking("the diff", move || {
        Ok(preview::file_diff(&session, &plan, &path, context)?)
    })
    .await
}

/// The release notes of the previewed plan's apps, from their source
/// repositories, each sent on `progress` as soon as it is read. The window
/// asks after showing the preview, which never waits for them; cancelling
/// [`hoist_api::Work::Notes`] stops between apps.
#[tauri::command]
pub async fn release_notes(
    session: tauri::State<'_, Arc<Session>>,
    plan: String,
    progress: Channel<AppNotes>,
) -> Result<Vec<AppNotes>, Failure> {
    let on_app = move |read: &AppNotes| {
        // A closed window drops the channel; the notes are kept regardless.
        let _ = progress.send(read.clone());
    };
    Ok(notes::of_preview(&session, &plan, &on_app).await?)
}

/// The release notes of one version change of `environment`'s history
/// (`app` set from `from` to `to` by `commit`), as History shows them when
/// it is selected. `None`: the app has no source repository.
#[tauri::command]
pub async fn change_notes(
    session: tauri::State<'_, Arc<Session>>,
    environment: String,
    app: String,
    commit: String,
    from: String,
    to: String,
) -> Result<Option<AppNotes>, Failure> {
    let change = hoist_core::source::Change {
        environment: &environment,
        app: &app,
        commit: &commit,
        from: &from,
        to: &to,
    };
    Ok(notes::of_change(&session, &change).await?)
}
