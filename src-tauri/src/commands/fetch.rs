//! Refresh: fetches the environment branches from origin with git's own
//! progress, and can be stopped (git leaves the clone as it was).

use std::sync::Arc;

use hoist_api::Session;
use tauri::ipc::Channel;

use crate::view::Failure;

/// Runs `git fetch --prune origin` in the repository, sending each progress
/// line git prints on `progress`.
#[tauri::command]
pub async fn fetch(
    session: tauri::State<'_, Arc<Session>>,
    progress: Channel<String>,
) -> Result<(), Failure> {
    let on_line = move |line: String| {
        let _ = progress.send(line);
    };
    hoist_api::git::fetch(&session, &on_line)
        .await
        .map_err(|e| {
            let git_failed = matches!(e, hoist_api::Error::Git { .. });
            let mut failure = Failure::from(e);
            if git_failed {
                failure.advice = Some(
                    "Check the network and that origin is reachable, then fetch again.".to_owned(),
                );
            }
            failure
        })
}
