//! Release trains: the dry run, opening its pull requests with progress
//! per pull request, and the tracker's cards.

use std::sync::Arc;

use hoist_api::Session;
use hoist_api::train::{self, TrainCard, TrainPreview, TrainProgress};
use hoist_core::config::TrainPulls;
use hoist_core::plan::Options;
use hoist_github::open::{Opened, WhenOpen};
use tauri::ipc::Channel;

use super::blocking;
use crate::view::Failure;

/// The dry run of the train moving `apps` (every app when empty) from
/// `source` to `target`; `pulls` overrides `.hoist.yaml`'s `pr.train`.
#[tauri::command]
pub async fn preview_train(
    session: tauri::State<'_, Arc<Session>>,
    source: String,
    target: String,
    apps: Vec<String>,
    pulls: Option<TrainPulls>,
) -> Result<TrainPreview, Failure> {
    let session = Arc::clone(&session);
    blocking("the train's dry run", move || {
        Ok(train::preview(
            &session,
            &source,
            &target,
            &apps,
            pulls,
            &Options::default(),
        )?)
    })
    .await
}

/// Opens the pull requests of the train previewed as `train`, sending each
/// step of each to `progress`.
#[tauri::command]
pub async fn open_train(
    session: tauri::State<'_, Arc<Session>>,
    train: String,
    update: bool,
    progress: Channel<TrainProgress>,
) -> Result<Vec<Opened>, Failure> {
    let when_open = if update {
        WhenOpen::Update
    } else {
        WhenOpen::Report
    };
    let on_progress = move |p: TrainProgress| {
        // A closed window drops the channel; the work goes on regardless.
        let _ = progress.send(p);
    };
    Ok(train::open(&session, &train, when_open, &on_progress).await?)
}

/// The trains among Hoist's pull requests, one card each.
#[tauri::command]
pub async fn trains(session: tauri::State<'_, Arc<Session>>) -> Result<Vec<TrainCard>, Failure> {
    Ok(train::tracked(&session).await?)
}
