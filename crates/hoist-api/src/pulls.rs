//! Pull requests: opening one from a preview, the tracker's list, merging
//! and following the environment until its reconciler reports.

use std::sync::{Arc, Mutex, PoisonError};

use hoist_github::Client;
use hoist_github::open::{self, Opened, Request, Step, WhenOpen};
use hoist_github::ownership::Ownership;
use hoist_github::track::{self, Checks, Tracked};
use serde::Serialize;

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

/// Opens the pull request for the preview `id`, telling `on_step` each
/// step; stops between steps when [`Work::Open`] is cancelled, and a later
/// call resumes without duplicates. The settings come with the preview: the
/// PR is titled and labelled as the preview showed, even if the
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
    Ok(open::open(&client, &request, on_step, &cancel).await?)
}

/// The client, and whose pull requests Hoist takes for its own: the
/// signed-in account's, from this repository's branches under the
/// configured prefix.
async fn ownership(session: &Arc<Session>) -> Result<(Arc<Client>, Ownership), Error> {
    let prefix = {
        let session = Arc::clone(session);
        blocking("reading the configuration", move || {
            session.project().map(|p| p.config.pr.branch_prefix)
        })
        .await?
    };
    let client = session.client().await?;
    let ownership = Ownership::of(&client, &prefix).await?;
    Ok((client, ownership))
}

/// The open pull requests Hoist opened, with checks, reviews and mergeability.
pub async fn list(session: &Arc<Session>) -> Result<Vec<Tracked>, Error> {
    let (client, ownership) = ownership(session).await?;
    Ok(track::open(&client, &ownership).await?)
}

/// One Hoist pull request, open or not.
pub async fn get(session: &Arc<Session>, number: u64) -> Result<Tracked, Error> {
    let (client, ownership) = ownership(session).await?;
    Ok(track::pull(&client, &ownership, number).await?)
}

/// The checks and statuses on commit `sha`: on an environment's tip, what
/// the reconciler reported.
pub async fn checks(session: &Session, sha: &str) -> Result<Checks, Error> {
    let client = session.client().await?;
    Ok(track::checks(&client, sha).await?)
}

/// Merges pull request `number` at `head` (the commit the user saw; the
/// forge refuses if it moved since) and returns the merge commit.
pub async fn merge(session: &Arc<Session>, number: u64, head: &str) -> Result<String, Error> {
    let (client, ownership) = ownership(session).await?;
    Ok(track::merge(&client, &ownership, number, head).await?)
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
    let settled = track::until_settled(
        &client,
        &sha,
        track::SETTLE_INTERVAL,
        track::SETTLE_TIMEOUT,
        &seen,
        &cancel,
    )
    .await;
    let checks = match settled {
        Ok(checks) => checks,
        Err(hoist_github::Error::Cancelled) => last
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .unwrap_or_else(|| Checks::of(sha.clone(), Vec::new())),
        Err(e) => return Err(e.into()),
    };
    Ok(Merged { sha, checks })
}

/// The open pull requests from the environments' next branches (the ones a
/// hydrator's promoter opens), so each lane shows what waits to be merged.
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
