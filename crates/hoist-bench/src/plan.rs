//! A promotion plan for every app that differs, with every file's diff
//! rendered, warm (the repository already open).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use hoist_core::Project;
use hoist_core::plan;
use hoist_core::point::Point;

use crate::median;

/// Median time of plan + diffs, and how many apps and files the plan covered.
pub fn measure(
    repo: &Path,
    from: &str,
    to: &str,
    runs: usize,
) -> anyhow::Result<(Duration, usize, usize)> {
    let project = Project::open(repo).context("hoist cannot open the repository")?;
    let mut times = Vec::new();
    let mut covered = (0, 0);
    for run in 0..=runs {
        let started = Instant::now();
        let planned =
            plan::promotion(&project, &Point::tip(from), to, &[]).context("plan failed")?;
        let mut hunks = 0;
        if let Some(p) = &planned {
            for file in &p.files {
                hunks += file.diff(3).hunks.len();
            }
            covered = (p.apps.len(), p.files.len());
        }
        std::hint::black_box(hunks);
        if run > 0 {
            times.push(started.elapsed());
        }
    }
    Ok((median(&mut times), covered.0, covered.1))
}
