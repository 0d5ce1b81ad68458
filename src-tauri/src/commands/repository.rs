//! Which repository the window shows, and whom GitHub calls are made as:
//! open a local clone, clone one with progress, recent repositories, sign
//! in and out, and the configuration Hoist proposes when there is none.

use std::path::PathBuf;
use std::sync::Arc;

use hoist_api::account::Account;
use hoist_core::Project;
use hoist_core::forge::Forge;
use hoist_core::project::ConfigSource;
use hoist_github::open::Opened;
use hoist_github::{Token, connect};
use tauri::ipc::Channel;

use super::blocking;
use crate::recent;
use crate::view::Failure;
use hoist_api::Session;

fn config_dir() -> Result<PathBuf, Failure> {
    connect::config_dir().ok_or_else(|| {
        Failure::new(
            "there is no home directory to keep Hoist's settings in".to_owned(),
            Some("Set HOME or HOIST_CONFIG_DIR.".to_owned()),
        )
    })
}

/// Opens the clone at `path` in this window and puts it first in the recent list.
#[tauri::command]
pub async fn open_repository(
    session: tauri::State<'_, Arc<Session>>,
    path: String,
) -> Result<(), Failure> {
    let path = std::path::absolute(PathBuf::from(path.trim()))
        .map_err(|e| Failure::new(format!("{path} is not a usable path: {e}"), None))?;
    let checked = path.clone();
    blocking("opening the repository", move || {
        Project::open(&checked).map(drop).map_err(Failure::of)
    })
    .await?;
    session.switch(path.clone()).await;
    // The repository is open either way; a list that cannot be saved only
    // means it will not be offered next time.
    if let Ok(dir) = config_dir() {
        let _ = recent::remember(&dir, &path);
    }
    Ok(())
}

/// The forge the session's demo plays, whichever repository the window
/// shows; `None` when the window was started on a repository.
#[tauri::command]
pub fn demo_forge(session: tauri::State<'_, Arc<Session>>) -> Option<Forge> {
    session.demo_forge()
}

/// Shows the demo with its sandbox playing `forge`, restarting the sandbox
/// when it plays the other one.
#[tauri::command]
pub async fn open_demo(
    session: tauri::State<'_, Arc<Session>>,
    forge: Forge,
) -> Result<(), Failure> {
    Ok(session.open_demo(forge).await?)
}

/// Asks the user for a folder with the desktop's own folder picker;
/// `None` when they cancel it.
#[tauri::command]
pub async fn pick_folder(app: tauri::AppHandle) -> Option<String> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Open a GitOps repository")
        .pick_folder(move |folder| {
            let _ = tx.send(folder);
        });
    rx.await
        .ok()
        .flatten()
        .and_then(|f| f.into_path().ok())
        .map(|p| p.display().to_string())
}

/// The repositories opened recently that still exist, newest first.
#[tauri::command]
pub fn recent_repositories() -> Vec<String> {
    connect::config_dir()
        .map(|dir| recent::list(&dir))
        .unwrap_or_default()
        .iter()
        .map(|p| p.display().to_string())
        .collect()
}

/// Clones `url` into the new folder `into` with git's progress on
/// `progress`, then opens it. Stopped or failed, the folder is removed.
#[tauri::command]
pub async fn clone_repository(
    session: tauri::State<'_, Arc<Session>>,
    url: String,
    into: String,
    progress: Channel<String>,
) -> Result<(), Failure> {
    let on_line = move |line: String| {
        let _ = progress.send(line);
    };
    let cloned =
        hoist_api::git::clone(&session, &url, &PathBuf::from(into.trim()), &on_line).await?;
    open_repository(session, cloned.display().to_string()).await
}

/// The origin's GitHub host, where the token comes from and whose it is.
/// The token itself never leaves Rust.
#[tauri::command]
pub async fn account(session: tauri::State<'_, Arc<Session>>) -> Result<Account, Failure> {
    Ok(hoist_api::account::current(&session).await?)
}

/// Checks `token` with GitHub (who it is, the `repo` scope) and keeps it in
/// the OS keyring for the origin's host; `api_url`, for a GitHub Enterprise
/// Server, is saved for the host once the token works there. Nothing is
/// stored if the check fails.
#[tauri::command]
pub async fn sign_in(
    session: tauri::State<'_, Arc<Session>>,
    token: String,
    api_url: Option<String>,
) -> Result<Account, Failure> {
    let api_url = api_url
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty());
    let token = Token::new(&token).ok_or_else(|| {
        Failure::new(
            "the token is empty".to_owned(),
            Some("Paste a GitHub token with the `repo` scope (classic) or contents and pull requests write (fine-grained).".to_owned()),
        )
    })?;
    Ok(hoist_api::account::sign_in_here(&session, api_url.as_deref(), &token).await?)
}

/// Removes the origin host's token from the OS keyring.
#[tauri::command]
pub async fn sign_out(session: tauri::State<'_, Arc<Session>>) -> Result<bool, Failure> {
    Ok(hoist_api::account::sign_out_here(&session).await?)
}

/// The `.hoist.yaml` Hoist would write for a repository that has none,
/// detected from its branches and files; `None` when it has one.
#[tauri::command]
pub async fn proposed_config(
    session: tauri::State<'_, Arc<Session>>,
) -> Result<Option<String>, Failure> {
    let session = Arc::clone(&session);
    blocking("detecting the configuration", move || detect(&session)).await
}

fn detect(session: &Session) -> Result<Option<String>, Failure> {
    let project = session.project()?;
    if !matches!(project.source, ConfigSource::Detected) {
        return Ok(None);
    }
    hoist_core::detect::detect(&project.repo)
        .map(|d| Some(d.to_yaml()))
        .map_err(Failure::of)
}

/// Opens (or finds) the pull request adding the proposed `.hoist.yaml` to
/// the default branch. The proposal is detected again here, so the pull
/// request holds what the screen showed without the web view sending it.
#[tauri::command]
pub async fn propose_config(session: tauri::State<'_, Arc<Session>>) -> Result<Opened, Failure> {
    let detecting = Arc::clone(&session);
    let yaml = blocking("detecting the configuration", move || detect(&detecting))
        .await?
        .ok_or_else(|| {
            Failure::new("this repository already has a .hoist.yaml".to_owned(), None)
        })?;
    let client = session.client().await?;
    Ok(client.propose_config(&yaml).await?)
}
