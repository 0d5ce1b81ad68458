//! The status matrix and the account GitHub calls are made as.

use std::sync::Arc;

use super::blocking;
use hoist_api::{Session, Work};
use hoist_core::status::Depth;

use crate::view::{EnvironmentOrigins, Failure, Here, RepositoryStatus};

/// What runs where in the opened repository.
#[tauri::command]
pub async fn status(session: tauri::State<'_, Arc<Session>>) -> Result<RepositoryStatus, Failure> {
    let session = Arc::clone(&session);
    blocking("reading the status", move || read_status(&session)).await
}

/// Where the window is, even when its repository cannot be read: the
/// Repository screen and the configuration editor stay usable.
#[tauri::command]
pub fn here(session: tauri::State<'_, Arc<Session>>) -> Here {
    Here {
        forge: session.forge(),
        path: session.repository().display().to_string(),
        demo: session.demo().map(|d| d.sandbox.url().to_owned()),
    }
}

/// Above this many cells, the window shows the versions first and the
/// commits that set them when the walks are done: a monorepo's matrix is
/// interactive in well under a second, its ages and authors follow.
const CELLS_AT_ONCE: usize = 4_000;

fn read_status(session: &Session) -> Result<RepositoryStatus, Failure> {
    let project = session.project()?;
    let cells = project.config.apps.len() * project.config.environments.len();
    let depth = if cells > CELLS_AT_ONCE {
        Depth::Versions
    } else {
        Depth::Origins
    };
    let status = project.status_to(depth).map_err(Failure::of)?;
    let config = project.source.to_string();
    let forge = hoist_api::forge::forge_of(&project.repo, project.config.forge)
        .unwrap_or(hoist_core::forge::Forge::GitHub);
    Ok(RepositoryStatus {
        forge,
        path: session.repository().display().to_string(),
        config,
        shallow: project.repo.is_shallow(),
        demo: session.demo().map(|d| d.sandbox.url().to_owned()),
        status,
        origins_pending: depth == Depth::Versions,
    })
}

/// The commits that set every environment's versions, one environment at a
/// time on `progress`; stops between environments when cancelled ("origins").
#[tauri::command]
pub async fn origins(
    session: tauri::State<'_, Arc<Session>>,
    progress: tauri::ipc::Channel<EnvironmentOrigins>,
) -> Result<(), Failure> {
    let session = Arc::clone(&session);
    let cancel = session.start_work(Work::Origins);
    blocking("finding who set each version", move || {
        let project = session.project()?;
        for env in project.config.pipeline() {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Failure::cancelled());
            }
            let since = hoist_core::status::origins(&project.repo, &project.config, &env.name)
                .map_err(Failure::of)?;
            // A closed window drops the channel; nothing is lost by stopping.
            if progress
                .send(EnvironmentOrigins {
                    environment: env.name.clone(),
                    since,
                })
                .is_err()
            {
                break;
            }
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_is_not_a_repository_is_a_failure_with_advice() {
        let dir = tempfile::tempdir().expect("temp dir");
        let session = Session::new(dir.path().to_path_buf(), None);
        let failure = read_status(&session).expect_err("not a repository");
        assert!(
            failure.message.contains("not a git repository"),
            "{}",
            failure.message
        );
        assert!(failure.advice.is_some());
    }
}
