//! History of one app over a 100,000-commit environment branch: hoist's
//! first-parent walk against `git log -- <file>`, on a copy of the repository
//! without a commit-graph and on one with `--changed-paths` Bloom filters.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use hoist_core::Project;

use crate::median;

/// Median timings of one configuration (with or without a commit-graph).
pub struct Timings {
    pub label: &'static str,
    pub hoist: Duration,
    pub git: Duration,
    pub git_first_parent: Duration,
    pub changes: usize,
}

/// Two bare copies of `repo` next to it: one without any commit-graph, one with
/// `git commit-graph write --reachable --changed-paths`. Made once, then reused.
pub fn copies(repo: &Path) -> anyhow::Result<[(&'static str, PathBuf); 2]> {
    let base = repo.with_extension("");
    let plain = PathBuf::from(format!("{}-plain.git", base.display()));
    let graph = PathBuf::from(format!("{}-graph.git", base.display()));
    for (path, with_graph) in [(&plain, false), (&graph, true)] {
        if path.join("HEAD").is_file() {
            continue;
        }
        let work = path.with_extension("tmp");
        let _ = std::fs::remove_dir_all(&work);
        git(
            repo,
            &[
                "clone",
                "--quiet",
                "--bare",
                "--no-local",
                ".",
                &work.display().to_string(),
            ],
        )?;
        // A clone writes no commit-graph, but make the "without" case certain.
        let _ = std::fs::remove_file(work.join("objects/info/commit-graph"));
        let _ = std::fs::remove_dir_all(work.join("objects/info/commit-graphs"));
        if with_graph {
            git(
                &work,
                &["commit-graph", "write", "--reachable", "--changed-paths"],
            )?;
        }
        std::fs::rename(&work, path)?;
    }
    Ok([
        ("without commit-graph", plain),
        ("with commit-graph + Bloom filters", graph),
    ])
}

/// Times the history of `app` on `env` in `repo` against git, `runs` times each.
pub fn measure(
    label: &'static str,
    repo: &Path,
    env: &str,
    app: &str,
    runs: usize,
) -> anyhow::Result<Timings> {
    let file = format!("apps/{app}/values.yaml");
    let branch = format!("env/{env}");
    let project =
        Project::open(repo).with_context(|| format!("hoist cannot open {}", repo.display()))?;
    let mut ids = Vec::new();
    let mut hoist = Vec::new();
    for run in 0..=runs {
        let started = Instant::now();
        let mut found = Vec::new();
        hoist_core::history::history(&project, env, &[app.to_owned()], |change| {
            found.push(change.commit.id)
        })
        .context("hoist history failed")?;
        if run > 0 {
            hoist.push(started.elapsed());
        }
        ids = found;
    }
    let mut git_all = Vec::new();
    let mut git_first = Vec::new();
    let mut listed = String::new();
    for run in 0..=runs {
        let started = Instant::now();
        git(repo, &["log", "--format=%H", &branch, "--", &file])?;
        let all = started.elapsed();
        let started = Instant::now();
        listed = git(
            repo,
            &["log", "--first-parent", "--format=%H", &branch, "--", &file],
        )?;
        if run > 0 {
            git_all.push(all);
            git_first.push(started.elapsed());
        }
    }
    // Agreement: every commit hoist says changed the version touched the file.
    let touched: std::collections::HashSet<&str> = listed.lines().collect();
    if let Some(stray) = ids.iter().find(|id| !touched.contains(id.as_str())) {
        bail!(
            "FAIL: hoist reports {stray} as a version change of {app}, but git log -- {file} does not list it"
        );
    }
    if ids.is_empty() {
        bail!("FAIL: hoist found no version changes of {app} on {branch}");
    }
    Ok(Timings {
        label,
        hoist: median(&mut hoist),
        git: median(&mut git_all),
        git_first_parent: median(&mut git_first),
        changes: ids.len(),
    })
}

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .with_context(|| format!("cannot run git {args:?}"))?;
    if !out.status.success() {
        bail!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
