//! Pull requests: opening one from a previewed plan, the tracker's list,
//! merging, and cancelling long work.

use std::sync::Arc;

use hoist_api::pulls::{self, Merged, NextPull};
use hoist_api::{Session, Work};
use hoist_github::open::{Opened, Step, WhenOpen};
use hoist_github::track::{Checks, Tracked};
use tauri::ipc::Channel;

use crate::view::Failure;

/// Opens the pull request for the previewed plan `plan`, reporting each
/// step on `progress`. With `update`, an open pull request for the same
/// apps is moved to this change instead of being reported.
#[tauri::command]
pub async fn open_pull_request(
    session: tauri::State<'_, Arc<Session>>,
    plan: String,
    reason: Option<String>,
    update: bool,
    progress: Channel<Step>,
) -> Result<Opened, Failure> {
    let when_open = if update {
        WhenOpen::Update
    } else {
        WhenOpen::Report
    };
    let on_step = move |step: Step| {
        // A closed window drops the channel; the work goes on regardless.
        let _ = progress.send(step);
    };
    Ok(pulls::open(&session, &plan, reason.as_deref(), when_open, &on_step).await?)
}

/// The open pull requests from the environments' next branches (the ones a
/// hydrator's promoter opens), so each lane shows what waits to be merged.
#[tauri::command]
pub async fn next_pulls(session: tauri::State<'_, Arc<Session>>) -> Result<Vec<NextPull>, Failure> {
    Ok(pulls::next(&session).await?)
}

/// Stops the running `kind` of work at its next step.
#[tauri::command]
pub fn cancel(session: tauri::State<'_, Arc<Session>>, kind: Work) -> bool {
    session.cancel(kind)
}

/// The open pull requests Hoist opened, with checks, reviews and mergeability.
#[tauri::command]
pub async fn pull_requests(
    session: tauri::State<'_, Arc<Session>>,
) -> Result<Vec<Tracked>, Failure> {
    Ok(pulls::list(&session).await?)
}

/// One Hoist pull request, open or not: the watcher asks after one that left
/// the open list, to tell a merge from a close.
#[tauri::command]
pub async fn pull_request(
    session: tauri::State<'_, Arc<Session>>,
    number: u64,
) -> Result<Tracked, Failure> {
    Ok(pulls::get(&session, number).await?)
}

/// The checks and statuses on commit `sha`: on an environment's tip, what
/// the reconciler reported.
#[tauri::command]
pub async fn checks(
    session: tauri::State<'_, Arc<Session>>,
    sha: String,
) -> Result<Checks, Failure> {
    Ok(pulls::checks(&session, &sha).await?)
}

/// Sets merge request `number` to merge when its pipeline succeeds, at
/// `head` (the commit the user saw).
#[tauri::command]
pub async fn merge_when_green(
    session: tauri::State<'_, Arc<Session>>,
    number: u64,
    head: String,
) -> Result<Tracked, Failure> {
    Ok(pulls::merge_when_green(&session, number, &head).await?)
}

/// Merges pull request `number` at `head` (the commit the user saw), then
/// follows the environment's checks on `progress` until they settle.
/// Cancelling stops the waiting, never the merge.
#[tauri::command]
pub async fn merge_pull_request(
    session: tauri::State<'_, Arc<Session>>,
    number: u64,
    head: String,
    progress: Channel<Checks>,
) -> Result<Merged, Failure> {
    let on_update = move |checks: &Checks| {
        let _ = progress.send(checks.clone());
    };
    Ok(pulls::merge_and_follow(&session, number, &head, &on_update).await?)
}

/// Opens a pull request's (or compare) page in the user's browser. Only web
/// pages: the web view cannot make Hoist open a file or run a program.
#[tauri::command]
pub fn open_url(app: tauri::AppHandle, url: String) -> Result<(), Failure> {
    use tauri_plugin_opener::OpenerExt;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Failure::new(
            format!("{url} is not a web address Hoist opens"),
            None,
        ));
    }
    app.opener().open_url(&url, None::<&str>).map_err(|e| {
        Failure::new(
            format!("cannot open {url} in the browser: {e}"),
            Some("Copy the address into your browser.".to_owned()),
        )
    })
}
