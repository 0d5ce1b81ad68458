//! Stand-ins for what reports on commits in a real setup: CI posting check
//! runs on each new pull request head, and the cluster's reconciler (Argo
//! CD, Flux) posting a commit status on an environment branch after a merge.

use std::sync::Arc;

use crate::Shared;
use crate::store::{CheckRun, Status};

/// Starts the configured checks on every open pull request head that has
/// none yet; each completes successfully after the configured delay.
pub fn on_new_heads(s: &Arc<Shared>) {
    if s.config.checks.is_empty() {
        return;
    }
    let mut store = s.store();
    let heads: Vec<String> = store
        .pulls
        .iter()
        .filter(|p| p.open)
        .map(|p| p.head_sha.clone())
        .filter(|sha| !store.check_runs.iter().any(|c| &c.head_sha == sha))
        .collect();
    let mut started = Vec::new();
    for sha in heads {
        for name in &s.config.checks {
            let id = store.id();
            store.check_runs.push(CheckRun {
                id,
                name: name.clone(),
                head_sha: sha.clone(),
                status: "in_progress".into(),
                conclusion: None,
                started_at: jiff::Timestamp::now(),
                completed_at: None,
            });
            started.push(id);
        }
    }
    drop(store);
    let shared = s.clone();
    s.runtime.spawn(async move {
        tokio::time::sleep(shared.config.delay).await;
        let mut store = shared.store();
        for run in store
            .check_runs
            .iter_mut()
            .filter(|c| started.contains(&c.id))
        {
            run.status = "completed".into();
            run.conclusion = Some("success".into());
            run.completed_at = Some(jiff::Timestamp::now());
        }
    });
}

/// Posts the reconciler's status on `sha`, the new tip of `branch`:
/// pending at once, then the outcome set for the branch after the delay.
pub fn after_merge(s: &Arc<Shared>, branch: &str, sha: String) {
    let Some(context) = s.config.reconciler.clone() else {
        return;
    };
    let outcome = {
        let mut store = s.store();
        let outcome = store
            .reconcile_outcome
            .get(branch)
            .cloned()
            .unwrap_or_else(|| "success".into());
        let id = store.id();
        store.statuses.push(Status {
            id,
            sha: sha.clone(),
            state: "pending".into(),
            context: context.clone(),
            description: Some(format!("Syncing {branch}")),
            target_url: None,
            creator: "reconciler".into(),
            at: jiff::Timestamp::now(),
        });
        outcome
    };
    let branch = branch.to_owned();
    let delay = s.config.delay;
    let shared = Arc::downgrade(s);
    s.runtime.spawn(async move {
        tokio::time::sleep(delay).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let mut store = shared.store();
        let id = store.id();
        let description = match outcome.as_str() {
            "success" => format!("{branch} is synced and healthy"),
            _ => format!("{branch} is degraded: the sync failed"),
        };
        store.statuses.push(Status {
            id,
            sha,
            state: outcome,
            context,
            description: Some(description),
            target_url: None,
            creator: "reconciler".into(),
            at: jiff::Timestamp::now(),
        });
    });
}
