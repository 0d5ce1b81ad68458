//! History: one environment's version changes, and every version's path
//! through the pipeline.

use std::sync::Arc;

use std::sync::atomic::Ordering;

use hoist_core::history::{self, Release};
use tauri::ipc::Channel;

use super::blocking;
use crate::session::{Session, Work};
use crate::view::{Failure, History};

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
    let cancel = session.start_work(Work::History);
    let session = Arc::clone(&session);
    blocking("reading the history", move || {
        let project = session.project()?;
        let mut changes = Vec::new();
        let mut complete = true;
        history::history_until(&project, &environment, &apps, |c| {
            changes.push(c);
            if changes.len() % PROGRESS_EVERY == 0 {
                let _ = progress.send(changes.len());
            }
            complete = !cancel.load(Ordering::Relaxed);
            complete
        })
        .map_err(Failure::of)?;
        Ok(History { changes, complete })
    })
    .await
}

/// How often the count of changes read goes to the window.
const PROGRESS_EVERY: usize = 250;

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
