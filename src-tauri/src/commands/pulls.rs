//! Pull requests: opening one from a previewed plan, the tracker's list,
//! merging, and cancelling long work.

use std::sync::{Arc, Mutex, PoisonError};

use hoist_github::Client;
use hoist_github::open::{self, Opened, Request, Step, WhenOpen};
use hoist_github::ownership::Ownership;
use hoist_github::track::{self, Checks, Tracked};
use tauri::ipc::Channel;

use crate::session::{Session, Work};
use crate::view::{Failure, Merged, NextPull};

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
    // The settings come with the plan: the PR is titled and labelled as the
    // preview showed, even if the configuration changed since.
    let previewed = session.plan(&plan)?;
    let client = session.client().await?;
    let cancel = session.start_work(Work::Open);
    let request = Request {
        plan: &previewed.plan,
        settings: &previewed.settings,
        reason: reason.as_deref(),
        when_open: if update {
            WhenOpen::Update
        } else {
            WhenOpen::Report
        },
    };
    let on_step = move |step: Step| {
        // A closed window drops the channel; the work goes on regardless.
        let _ = progress.send(step);
    };
    Ok(open::open(&client, &request, &on_step, &cancel).await?)
}

/// The open pull requests from the environments' next branches (the ones a
/// hydrator's promoter opens), so each lane shows what waits to be merged.
#[tauri::command]
pub async fn next_pulls(session: tauri::State<'_, Arc<Session>>) -> Result<Vec<NextPull>, Failure> {
    let project = {
        let session = Arc::clone(&session);
        super::blocking("reading the environments", move || session.project()).await?
    };
    let waiting: Vec<(String, String, String)> = project
        .config
        .environments
        .iter()
        .filter_map(|e| {
            let next = e.next_branch.clone()?;
            let branch = e
                .branch
                .clone()
                .or_else(|| project.repo.default_branch().ok())?;
            Some((e.name.clone(), branch, next))
        })
        .collect();
    if waiting.is_empty() {
        return Ok(Vec::new());
    }
    let client = session.client().await?;
    let mut out = Vec::new();
    for (environment, branch, next) in waiting {
        for pull in open::open_pulls(&client, &branch).await? {
            // The promoter's, from this repository; not a fork's namesake.
            if pull.branch == next
                && hoist_github::ownership::is_here(&client, pull.head_repository.as_deref())
            {
                out.push(NextPull {
                    environment: environment.clone(),
                    number: pull.number,
                    title: pull.title.clone(),
                    url: pull.url,
                });
            }
        }
    }
    Ok(out)
}

/// The client, and whose pull requests Hoist takes for its own: the
/// signed-in account's, from this repository's branches under the
/// configured prefix.
async fn ownership(session: &Arc<Session>) -> Result<(Arc<Client>, Ownership), Failure> {
    let prefix = {
        let session = Arc::clone(session);
        super::blocking("reading the configuration", move || {
            session.project().map(|p| p.config.pr.branch_prefix)
        })
        .await?
    };
    let client = session.client().await?;
    let ownership = Ownership::of(&client, &prefix).await?;
    Ok((client, ownership))
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
    let (client, ownership) = ownership(&session).await?;
    Ok(track::open(&client, &ownership).await?)
}

/// One Hoist pull request, open or not: the watcher asks after one that left
/// the open list, to tell a merge from a close.
#[tauri::command]
pub async fn pull_request(
    session: tauri::State<'_, Arc<Session>>,
    number: u64,
) -> Result<Tracked, Failure> {
    let (client, ownership) = ownership(&session).await?;
    Ok(track::pull(&client, &ownership, number).await?)
}

/// The checks and statuses on commit `sha`: on an environment's tip, what
/// the reconciler reported.
#[tauri::command]
pub async fn checks(
    session: tauri::State<'_, Arc<Session>>,
    sha: String,
) -> Result<Checks, Failure> {
    let client = session.client().await?;
    Ok(track::checks(&client, &sha).await?)
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
    let (client, ownership) = ownership(&session).await?;
    let cancel = session.start_work(Work::Merge);
    let sha = track::merge(&client, &ownership, number, &head).await?;
    let last: Arc<Mutex<Option<Checks>>> = Arc::default();
    let seen = last.clone();
    let on_update = move |checks: &Checks| {
        *seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(checks.clone());
        let _ = progress.send(checks.clone());
    };
    let settled = track::until_settled(
        &client,
        &sha,
        track::SETTLE_INTERVAL,
        track::SETTLE_TIMEOUT,
        &on_update,
        &cancel,
    )
    .await;
    let checks = match settled {
        Ok(checks) => checks,
        Err(hoist_github::Error::Cancelled) => last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| Checks::of(sha.clone(), Vec::new())),
        Err(e) => return Err(e.into()),
    };
    Ok(Merged { sha, checks })
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
