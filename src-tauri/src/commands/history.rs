//! History: one environment's version changes, and every version's path
//! through the pipeline.

use std::sync::Arc;

use hoist_core::history::{self, Release, VersionChange};

use super::blocking;
use crate::session::Session;
use crate::view::Failure;

/// Version changes of `apps` (all when empty) in `environment`, newest first.
#[tauri::command]
pub async fn history(
    session: tauri::State<'_, Arc<Session>>,
    environment: String,
    apps: Vec<String>,
) -> Result<Vec<VersionChange>, Failure> {
    let session = Arc::clone(&session);
    blocking("reading the history", move || {
        let project = session.project()?;
        let mut changes = Vec::new();
        history::history(&project, &environment, &apps, |c| changes.push(c))
            .map_err(Failure::of)?;
        Ok(changes)
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
        let project = session.project()?;
        history::combined(&project, &apps).map_err(Failure::of)
    })
    .await
}
