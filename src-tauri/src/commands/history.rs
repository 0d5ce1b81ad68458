//! History: one environment's version changes, and every version's path
//! through the pipeline.

use std::sync::Arc;

use hoist_api::Session;
use hoist_api::history::{self, History};
use hoist_core::history::Release;
use tauri::ipc::Channel;

use super::blocking;
use crate::view::Failure;

/// Version changes of `apps` (all when empty) in `environment`, newest
/// first. The count read so far goes out on `progress` as the walk goes;
/// cancelling ("history") ends the walk and returns what was read.
#[tauri::command]
pub async fn history(
    session: tauri::State<'_, Arc<Session>>,
    environment: String,
    apps: Vec<String>,
    progress: Channel<usize>,
) -> Result<History, Failure> {
    let session = Arc::clone(&session);
    blocking("reading the history", move || {
        Ok(history::changes(&session, &environment, &apps, |n| {
            let _ = progress.send(n);
        })?)
    })
    .await
}

/// Each version of `apps` (all when empty): when it reached each
/// environment, and its lead time.
#[tauri::command]
pub async fn releases(
    session: tauri::State<'_, Arc<Session>>,
    apps: Vec<String>,
) -> Result<Vec<Release>, Failure> {
    let session = Arc::clone(&session);
    blocking("reading the releases", move || {
        Ok(history::releases(&session, &apps)?)
    })
    .await
}
