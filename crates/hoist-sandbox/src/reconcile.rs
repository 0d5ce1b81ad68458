//! Stand-ins for what reports on commits in a real setup: CI posting check
//! runs (GitLab: running a pipeline) on each new pull request head, and the
//! cluster's reconciler (Argo CD, Flux) posting a commit status on an
//! environment branch after a merge.

use std::sync::Arc;

use crate::store::{CheckRun, Pipeline, Status};
use crate::{Forge, Shared};

/// Starts CI on every open pull request head that has none yet: the
/// configured check runs on GitHub, one pipeline running them on GitLab.
/// Each ends after the configured delay, passing unless the head branch was
/// set to fail; on GitLab a merge set to happen when the pipeline succeeds
/// then happens.
pub fn on_new_heads(s: &Arc<Shared>) {
    if s.config.checks.is_empty() {
        return;
    }
    let mut store = s.store();
    let ran = |sha: &String| match s.config.forge {
        Forge::Github => store.check_runs.iter().any(|c| &c.head_sha == sha),
        Forge::Gitlab => store.pipelines.iter().any(|p| &p.sha == sha),
    };
    let heads: Vec<(String, String, String)> = store
        .pulls
        .iter()
        .filter(|p| p.open && !ran(&p.head_sha))
        .map(|p| (p.head_sha.clone(), p.head.clone(), p.user.clone()))
        .collect();
    let mut started = Vec::new();
    for (sha, branch, user) in heads {
        // Two pull requests may share a head: one run each head.
        if started.iter().any(|(_, s, _)| s == &sha) {
            continue;
        }
        let passes = store.ci_passes.get(&branch).copied().unwrap_or(true);
        let now = jiff::Timestamp::now();
        match s.config.forge {
            Forge::Github => {
                for name in &s.config.checks {
                    let id = store.id();
                    store.check_runs.push(CheckRun {
                        id,
                        name: name.clone(),
                        head_sha: sha.clone(),
                        status: "in_progress".into(),
                        conclusion: None,
                        started_at: now,
                        completed_at: None,
                    });
                    started.push((id, sha.clone(), passes));
                }
            }
            Forge::Gitlab => {
                let id = store.id();
                let iid = store.pipelines.len() as u64 + 1;
                store.pipelines.push(Pipeline {
                    id,
                    iid,
                    sha: sha.clone(),
                    branch,
                    status: "running".into(),
                    user,
                    created_at: now,
                    finished_at: None,
                });
                started.push((id, sha, passes));
            }
        }
    }
    drop(store);
    let shared = s.clone();
    s.runtime.spawn(async move {
        tokio::time::sleep(shared.config.delay).await;
        {
            let mut store = shared.store();
            let now = jiff::Timestamp::now();
            for (id, _, passes) in &started {
                if let Some(run) = store.check_runs.iter_mut().find(|c| c.id == *id) {
                    run.status = "completed".into();
                    run.conclusion = Some(if *passes { "success" } else { "failure" }.into());
                    run.completed_at = Some(now);
                }
                if let Some(p) = store.pipelines.iter_mut().find(|p| p.id == *id) {
                    p.status = if *passes { "success" } else { "failed" }.into();
                    p.finished_at = Some(now);
                }
            }
        }
        if shared.config.forge == Forge::Gitlab {
            for (_, sha, passes) in &started {
                if *passes {
                    crate::gitlab::merge::on_pipeline_success(&shared, sha);
                }
            }
        }
    });
}

/// The reconciler's states as the forge names them: GitLab's commit
/// statuses say `running` and `failed` where GitHub says `pending` and
/// `failure`/`error`.
fn state(forge: Forge, outcome: &str) -> String {
    match (forge, outcome) {
        (Forge::Gitlab, "pending") => "running".into(),
        (Forge::Gitlab, "success") => "success".into(),
        (Forge::Gitlab, _) => "failed".into(),
        (Forge::Github, other) => other.into(),
    }
}

/// Posts the reconciler's status on `sha`, the new tip of `branch`:
/// pending at once, then the outcome set for the branch after the delay.
pub fn after_merge(s: &Arc<Shared>, branch: &str, sha: String) {
    let Some(context) = s.config.reconciler.clone() else {
        return;
    };
    let forge = s.config.forge;
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
            state: state(forge, "pending"),
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
            state: state(forge, &outcome),
            context,
            description: Some(description),
            target_url: None,
            creator: "reconciler".into(),
            at: jiff::Timestamp::now(),
        });
    });
}
