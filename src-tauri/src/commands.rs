//! The commands the web view may call. Each one converts and forwards; the
//! engine does the work on a blocking thread so the window never freezes.

use std::path::PathBuf;

use hoist_core::Project;
use hoist_core::project::ConfigSource;

use crate::view::{Failure, RepositoryStatus};

/// The repository this window was opened on.
pub struct Opened {
    pub repository: PathBuf,
    /// The demo, when no repository was given; its sandbox serves while the app runs.
    pub demo: Option<hoist_demo::Demo>,
}

/// What runs where in the opened repository.
#[tauri::command]
pub async fn status(opened: tauri::State<'_, Opened>) -> Result<RepositoryStatus, Failure> {
    let path = opened.repository.clone();
    let demo = opened.demo.as_ref().map(|d| d.sandbox.url().to_owned());
    tokio::task::spawn_blocking(move || read_status(path, demo))
        .await
        .map_err(|e| {
            Failure::new(
                format!("reading the status stopped unexpectedly: {e}"),
                None,
            )
        })?
}

fn read_status(path: PathBuf, demo: Option<String>) -> Result<RepositoryStatus, Failure> {
    let project = Project::open(&path).map_err(|e| {
        Failure::new(
            e.to_string(),
            Some(
                "Start Hoist on a local clone of your GitOps repository: hoist-app PATH".to_owned(),
            ),
        )
    })?;
    let status = project
        .status()
        .map_err(|e| Failure::new(e.to_string(), None))?;
    let config = match &project.source {
        ConfigSource::Branch { branch, .. } => format!(".hoist.yaml on {branch}"),
        ConfigSource::File { path } => path.display().to_string(),
        ConfigSource::Detected => "detected (no .hoist.yaml yet; run `hoist init`)".to_owned(),
    };
    Ok(RepositoryStatus {
        path: path.display().to_string(),
        config,
        shallow: project.repo.is_shallow(),
        demo,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_is_not_a_repository_is_a_failure_with_advice() {
        let dir = tempfile::tempdir().expect("temp dir");
        let failure = read_status(dir.path().to_path_buf(), None).expect_err("not a repository");
        assert!(
            failure.message.contains("not a git repository"),
            "{}",
            failure.message
        );
        assert!(failure.advice.is_some());
    }
}
