//! The status matrix and the account GitHub calls are made as.

use std::sync::Arc;

use super::blocking;
use crate::session::Session;
use crate::view::{Failure, Here, RepositoryStatus};

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
        path: session.repository().display().to_string(),
        demo: session.demo().map(|d| d.sandbox.url().to_owned()),
    }
}

fn read_status(session: &Session) -> Result<RepositoryStatus, Failure> {
    let project = session.project()?;
    let status = project.status().map_err(Failure::of)?;
    let config = project.source.to_string();
    Ok(RepositoryStatus {
        path: session.repository().display().to_string(),
        config,
        shallow: project.repo.is_shallow(),
        demo: session.demo().map(|d| d.sandbox.url().to_owned()),
        status,
    })
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
