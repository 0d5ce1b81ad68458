//! Release trains: the dry run of many apps from one environment to the
//! next, kept in the session by id; its change requests opened one after the
//! other (each as idempotently as a single promotion, so a rerun after a
//! failure opens nothing twice); and the tracker's cards, one per train.

use std::collections::BTreeMap;
use std::sync::Arc;

use hoist_core::config::TrainPulls;
use hoist_core::plan::Options;
use hoist_core::plan::train::{self, Train};
use hoist_forge::change::{Opened, PullState, Request, Step, Tracked, WhenOpen};
use hoist_forge::checks::CheckState;
use serde::Serialize;

use crate::{Error, PreviewedTrain, Session, Work, pulls};

/// A train's dry run: what moves, what stays and why, and the change
/// requests opening it would open.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct TrainPreview {
    /// The id to open the train with; its plans stay in Rust.
    pub id: String,
    /// The train.
    pub train: Train,
    /// Its change requests, in the order they are opened.
    pub pulls: Vec<TrainPull>,
}

/// One change request of a train, as it will be opened.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct TrainPull {
    /// The apps it moves.
    pub apps: Vec<String>,
    /// Its title.
    pub title: String,
    /// Its branch.
    pub branch: String,
    /// Non-blocking warnings of its plan, for people.
    pub warnings: Vec<String>,
}

/// How opening a train goes, change request by change request.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrainProgress {
    /// Change request `pull` (its index in the preview's `pulls`) is at `step`.
    Step {
        /// The change request's index.
        pull: usize,
        /// Where opening it is.
        step: Step,
    },
    /// Change request `pull` is open (created, or found from an earlier attempt).
    Opened {
        /// The change request's index.
        pull: usize,
        /// What was opened.
        opened: Opened,
    },
}

/// Plans the train moving `apps` (all configured apps when empty) from
/// `source` to `target`, cut as `pulls` says (else as `.hoist.yaml`'s
/// `pr.train` says), and keeps it for [`open`].
pub fn preview(
    session: &Session,
    source: &str,
    target: &str,
    apps: &[String],
    pulls: Option<TrainPulls>,
    options: &Options,
) -> Result<TrainPreview, Error> {
    let project = session.project()?;
    let settings = project.config.pr.clone();
    let pulls = pulls.unwrap_or(settings.train);
    let train = train::plan(&project, source, target, apps, pulls, options)?;
    let drafts = train
        .plans
        .iter()
        .map(|plan| {
            // Nothing in a train is blocked (locked apps stay behind), so
            // the draft needs no reason; its title and branch do not depend on one.
            let draft = plan.pull_request(&settings, Some("preview")).ok();
            TrainPull {
                apps: plan.apps.iter().map(|a| a.app.clone()).collect(),
                title: draft.as_ref().map(|d| d.title.clone()).unwrap_or_default(),
                branch: draft.map(|d| d.branch).unwrap_or_default(),
                warnings: plan
                    .warnings
                    .iter()
                    .map(|w| w.message().to_owned())
                    .collect(),
            }
        })
        .collect();
    let id = session.remember_train(PreviewedTrain {
        train: train.clone(),
        settings,
    });
    Ok(TrainPreview {
        id,
        train,
        pulls: drafts,
    })
}

/// Opens the change requests of the train kept under `id`, one after the
/// other, telling `on_progress` each step; stops at the first failure, or
/// between steps when [`Work::Train`] is cancelled. Opening it again (or a
/// fresh preview of the same train) completes what is missing: each change
/// request is found by its branch and Hoist's marker, never made twice.
pub async fn open(
    session: &Session,
    id: &str,
    when_open: WhenOpen,
    on_progress: &(dyn Fn(TrainProgress) + Send + Sync),
) -> Result<Vec<Opened>, Error> {
    let previewed = session.train(id)?;
    let client = session.client().await?;
    let cancel = session.start_work(Work::Train);
    let mut opened = Vec::new();
    for (pull, plan) in previewed.train.plans.iter().enumerate() {
        // Each pull request carries its apps' release notes, as a single
        // promotion's does once they were read (kept on disk: a rerun does
        // not read them again).
        let mut plan = plan.clone();
        plan.source_notes = crate::notes::of_plan(session, &plan, &cancel, &|_| {})
            .await
            .iter()
            .filter_map(crate::notes::AppNotes::read)
            .collect();
        let request = Request {
            plan: &plan,
            settings: &previewed.settings,
            reason: None,
            when_open,
        };
        let on_step = |step| on_progress(TrainProgress::Step { pull, step });
        let done = client.open(&request, &on_step, &cancel).await?;
        session.opened_for_train(&previewed.train.id, done.number);
        on_progress(TrainProgress::Opened {
            pull,
            opened: done.clone(),
        });
        opened.push(done);
    }
    Ok(opened)
}

/// A train in the tracker: its change requests and how far they got.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct TrainCard {
    /// The train's id.
    pub id: String,
    /// Where versions come from.
    pub source: String,
    /// The environment that changes.
    pub target: String,
    /// Its change requests, by number.
    pub pulls: Vec<Tracked>,
    /// How many are merged.
    pub merged: usize,
    /// How many are open with checks passed or still running.
    pub pending: usize,
    /// How many were closed without merging, or are open with failed checks.
    pub failed: usize,
}

/// Groups change requests by the train their marker names, counting each
/// train's merged, pending and failed ones; the others are left out.
pub fn cards(tracked: Vec<Tracked>) -> Vec<TrainCard> {
    let mut trains: BTreeMap<String, Vec<Tracked>> = BTreeMap::new();
    for t in tracked {
        if let Some(id) = t.marker.train.clone() {
            trains.entry(id).or_default().push(t);
        }
    }
    trains
        .into_iter()
        .map(|(id, mut pulls)| {
            pulls.sort_by_key(|t| t.number);
            pulls.dedup_by_key(|t| t.number);
            let count = |f: &dyn Fn(&Tracked) -> bool| pulls.iter().filter(|t| f(t)).count();
            let failed = |t: &Tracked| {
                t.state == PullState::Closed
                    || (t.state == PullState::Open && t.checks.state == CheckState::Failure)
            };
            let merged = count(&|t| t.state == PullState::Merged);
            let failed_count = count(&failed);
            TrainCard {
                source: pulls[0].marker.source.clone(),
                target: pulls[0].marker.target.clone(),
                pending: pulls.len() - merged - failed_count,
                merged,
                failed: failed_count,
                id,
                pulls,
            }
        })
        .collect()
}

/// The trains among Hoist's open change requests, each with its change
/// requests merged or closed since: found on the forge (the recently
/// closed ones into the same branch) and, for those opened in this session,
/// asked for one by one, so a card counts the whole train after a restart
/// as in the session that opened it.
pub async fn tracked(session: &Arc<Session>) -> Result<Vec<TrainCard>, Error> {
    let (client, prefix) = pulls::client_and_prefix(session).await?;
    let mut all = client.list(&prefix).await?;
    let mut bases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &all {
        if let Some(train) = &t.marker.train {
            let trains = bases.entry(t.base.clone()).or_default();
            if !trains.contains(train) {
                trains.push(train.clone());
            }
        }
    }
    for (base, trains) in &bases {
        for t in client.closed_of_trains(&prefix, base, trains).await? {
            if !all.iter().any(|known| known.number == t.number) {
                all.push(t);
            }
        }
    }
    for numbers in session.opened_trains().into_values() {
        for number in numbers {
            if !all.iter().any(|t| t.number == number) {
                all.push(client.get(&prefix, number).await?);
            }
        }
    }
    Ok(cards(all))
}
