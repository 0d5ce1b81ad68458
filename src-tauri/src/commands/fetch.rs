//! Refresh: fetches the environment branches from origin with git's own
//! progress, and can be stopped (git leaves the clone as it was).

use std::sync::Arc;

use tauri::ipc::Channel;

use super::git;
use crate::view::Failure;
use hoist_api::{Session, Work};

/// Runs `git fetch --prune origin` in the repository, sending each progress
/// line git prints on `progress`.
#[tauri::command]
pub async fn fetch(
    session: tauri::State<'_, Arc<Session>>,
    progress: Channel<String>,
) -> Result<(), Failure> {
    let cancel = session.start_work(Work::Fetch);
    git::run(
        &session.repository(),
        &["fetch", "--progress", "--prune", "origin"],
        &progress,
        &cancel,
        "the fetch was stopped; the clone is as it was before",
    )
    .await
    .map_err(|mut f| {
        if f.code.is_none() {
            f.advice = Some(
                "Check the network and that origin is reachable, then fetch again.".to_owned(),
            );
        }
        f
    })
}
