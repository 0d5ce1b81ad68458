//! History: one environment's version changes, and every version's path
//! through the pipeline.

use std::sync::atomic::Ordering;

use hoist_core::history::{self, Release, VersionChange};
use serde::Serialize;

use crate::{Error, Session, Work};

/// An environment's version changes, newest first.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct History {
    /// The changes read.
    pub changes: Vec<VersionChange>,
    /// False when the user stopped the walk before the history's start.
    pub complete: bool,
}

/// How often `on_progress` hears the count of changes read.
const PROGRESS_EVERY: usize = 250;

/// Version changes of `apps` (all when empty) in `environment`, newest
/// first. The count read so far goes to `on_progress` as the walk goes;
/// cancelling [`Work::History`] ends the walk and returns what was read.
pub fn changes(
    session: &Session,
    environment: &str,
    apps: &[String],
    on_progress: impl Fn(usize),
) -> Result<History, Error> {
    let cancel = session.start_work(Work::History);
    let project = session.project()?;
    let mut changes = Vec::new();
    let mut complete = true;
    history::history_until(&project, environment, apps, |c| {
        changes.push(c);
        if changes.len() % PROGRESS_EVERY == 0 {
            on_progress(changes.len());
        }
        complete = !cancel.load(Ordering::Relaxed);
        complete
    })?;
    Ok(History { changes, complete })
}

/// Each version of `apps` (all when empty): when it reached each
/// environment, and its lead time.
pub fn releases(session: &Session, apps: &[String]) -> Result<Vec<Release>, Error> {
    let project = session.project()?;
    Ok(history::combined(&project, apps)?)
}
