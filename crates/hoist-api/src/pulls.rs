//! Pull requests: opening one from a preview, the tracker's list, merging
//! and following the environment until its reconciler reports.

use std::sync::{Arc, Mutex, PoisonError};

use hoist_forge::change::{Opened, Request, Step, Tracked, WhenOpen};
use hoist_forge::checks::{Checks, SETTLE_INTERVAL, SETTLE_TIMEOUT, until_settled};
use serde::Serialize;

use crate::forge::Client;
use crate::{Error, Session, Work, blocking};

/// A merge and what the environment reported after it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Merged {
    /// The merge commit: the environment's new tip.
    pub sha: String,
    /// The checks on it when they settled (or when waiting stopped).
    pub checks: Checks,
}

/// An open pull request from an environment's next branch, opened by a hydrator's promoter or Hoist.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct NextPull {
    /// The environment it promotes.
    pub environment: String,
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its page.
    pub url: String,
}

/// Opens the change request for the preview `id`, telling `on_step` each
/// step; stops between steps when [`Work::Open`] is cancelled, and a later
/// call resumes without duplicates. The settings come with the preview: the
/// change request is titled and labelled as the preview showed, even if the
/// configuration changed since.
pub async fn open(
    session: &Session,
    id: &str,
    reason: Option<&str>,
    when_open: WhenOpen,
    on_step: &(dyn Fn(Step) + Send + Sync),
) -> Result<Opened, Error> {
    let previewed = session.plan(id)?;
    let client = session.client().await?;
    let cancel = session.start_work(Work::Open);
    let request = Request {
        plan: &previewed.plan,
        settings: &previewed.settings,
        reason,
        when_open,
    };
    client.open(&request, on_step, &cancel).await
}

/// The client, and the branch prefix under which change requests are
/// Hoist's (with the signed-in account and this repository, see the forge
/// layers' ownership).
pub(crate) async fn client_and_prefix(
    session: &Arc<Session>,
) -> Result<(Arc<Client>, String), Error> {
    let prefix = {
        let session = Arc::clone(session);
        blocking("reading the configuration", move || {
            session.project().map(|p| p.config.pr.branch_prefix)
        })
        .await?
    };
    Ok((session.client().await?, prefix))
}

/// The open change requests Hoist opened, with checks, reviews and mergeability.
pub async fn list(session: &Arc<Session>) -> Result<Vec<Tracked>, Error> {
    let (client, prefix) = client_and_prefix(session).await?;
    client.list(&prefix).await
}

/// One of Hoist's change requests, open or not.
pub async fn get(session: &Arc<Session>, number: u64) -> Result<Tracked, Error> {
    let (client, prefix) = client_and_prefix(session).await?;
    client.get(&prefix, number).await
}

/// The checks and statuses on commit `sha`: on an environment's tip, what
/// the reconciler reported.
pub async fn checks(session: &Session, sha: &str) -> Result<Checks, Error> {
    session.client().await?.checks(sha).await
}

/// Merges change request `number` at `head` (the commit the user saw; the
/// forge refuses if it moved since) and returns the target's new commit.
pub async fn merge(session: &Arc<Session>, number: u64, head: &str) -> Result<String, Error> {
    let (client, prefix) = client_and_prefix(session).await?;
    client.merge(&prefix, number, head).await
}

/// Sets change request `number` to merge by itself when its pipeline
/// succeeds, at `head` (GitLab's "merge when pipeline succeeds"); the
/// change request as it is then.
pub async fn merge_when_green(
    session: &Arc<Session>,
    number: u64,
    head: &str,
) -> Result<Tracked, Error> {
    let (client, prefix) = client_and_prefix(session).await?;
    client.merge_when_green(&prefix, number, head).await
}

/// Merges like [`merge`], then follows the environment's checks on the
/// merge commit, telling `on_update` each change, until they settle.
/// Cancelling [`Work::Merge`] stops the waiting, never the merge: the
/// answer then holds the checks last seen.
pub async fn merge_and_follow(
    session: &Arc<Session>,
    number: u64,
    head: &str,
    on_update: &(dyn Fn(&Checks) + Send + Sync),
) -> Result<Merged, Error> {
    // Started before the merge, so a stop asked for during it is kept.
    let cancel = session.start_work(Work::Merge);
    let sha = merge(session, number, head).await?;
    let client = session.client().await?;
    let last: Mutex<Option<Checks>> = Mutex::default();
    let seen = |checks: &Checks| {
        *last.lock().unwrap_or_else(PoisonError::into_inner) = Some(checks.clone());
        on_update(checks);
    };
    let settled = until_settled(
        || client.checks(&sha),
        SETTLE_INTERVAL,
        SETTLE_TIMEOUT,
        &seen,
        &cancel,
    )
    .await?;
    let checks = settled
        .or_else(|| last.into_inner().unwrap_or_else(PoisonError::into_inner))
        .unwrap_or_else(|| Checks::of(sha.clone(), Vec::new()));
    Ok(Merged { sha, checks })
}

/// The open change requests from the environments' next branches (the ones
/// a hydrator's promoter opens), so each lane shows what waits to be merged.
pub async fn next(session: &Arc<Session>) -> Result<Vec<NextPull>, Error> {
    let project = {
        let session = Arc::clone(session);
        blocking("reading the environments", move || session.project()).await?
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
        // The promoter's, from this repository; not a fork's namesake.
        for change in client.open_from_here(&branch).await? {
            if change.branch == next {
                out.push(NextPull {
                    environment: environment.clone(),
                    number: change.number,
                    title: change.title,
                    url: change.url,
                });
            }
        }
    }
    Ok(out)
}
