//! `hoist-bench`: builds (once) a large generated GitOps repository and times
//! hoist's status on it against plain git doing the same reads.
//!
//! `cargo run -p hoist-bench --release -- [--apps N] [--commits N] [--runs N]`

mod baseline;
mod history;
mod plan;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use hoist_core::Project;
use hoist_core::status::{Cell, Status};

use hoist_demo::generate::{self, ENVIRONMENTS, Spec};

/// Time hoist's status against plain git on a generated repository.
#[derive(Debug, Parser)]
struct Args {
    /// Number of apps in the generated repository.
    #[arg(long, default_value_t = 300)]
    apps: usize,
    /// Total number of commits in the generated repository.
    #[arg(long, default_value_t = 100_000)]
    commits: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Timed runs per measurement (the median is shown).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Where generated repositories are cached.
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Internal: open the repository, compute its status once, print the timings.
    #[arg(long, hide = true)]
    status_once: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(repo) = &args.status_once {
        let (open, status, _) = engine_once(repo)?;
        println!("{} {}", open.as_nanos(), status.as_nanos());
        return Ok(());
    }
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let spec = Spec {
        apps: args.apps,
        commits: args.commits,
        seed: args.seed,
        ends: None,
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .context("crates/hoist-bench sits two levels below the workspace root")?;
    let cache = args
        .cache
        .clone()
        .unwrap_or_else(|| workspace.join(".bench"));
    let repo = generate::repository(spec, &cache)?;
    let apps = generate::app_names(spec.apps);
    println!(
        "repository: {} ({} apps, {} environments, {} commits)",
        repo.display(),
        spec.apps,
        ENVIRONMENTS.len(),
        spec.commits
    );

    // Cold: a fresh process per run, so nothing hoist keeps in memory is shared.
    // (The operating system's file cache is warm: we do not drop it on a shared machine.)
    let exe = std::env::current_exe().context("cannot find this program")?;
    let mut cold_open = Vec::new();
    let mut cold_total = Vec::new();
    for _ in 0..args.runs {
        let out = Command::new(&exe)
            .arg("--status-once")
            .arg(&repo)
            .output()
            .context("cannot run the cold measurement")?;
        if !out.status.success() {
            bail!("cold run failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut fields = text.split_whitespace().map(|f| f.parse::<u64>());
        let (Some(Ok(open)), Some(Ok(status))) = (fields.next(), fields.next()) else {
            bail!("cold run printed {text:?}");
        };
        cold_open.push(Duration::from_nanos(open));
        cold_total.push(Duration::from_nanos(open + status));
    }

    // Warm: in this process, after one untimed run.
    let (_, _, result) = engine_once(&repo)?;
    let mut warm_total = Vec::new();
    for _ in 0..args.runs {
        let (open, status, _) = engine_once(&repo)?;
        warm_total.push(open + status);
    }
    let project = Project::open(&repo).context("cannot open the repository with hoist")?;
    let mut warm_status = Vec::new();
    for _ in 0..args.runs {
        let started = Instant::now();
        project.status().context("hoist status failed")?;
        warm_status.push(started.elapsed());
    }

    let mut git_runs = Vec::new();
    let mut git_cells = Vec::new();
    for _ in 0..=args.runs {
        let started = Instant::now();
        git_cells = baseline::status(&repo, &ENVIRONMENTS, &apps)?;
        git_runs.push(started.elapsed());
    }
    let git_first = git_runs.remove(0);

    let cold = median(&mut cold_total);
    let warm = median(&mut warm_total);
    let git_warm = median(&mut git_runs);
    println!();
    println!(
        "{:<42} {:>10} {:>10} {:>10}",
        "", "hoist", "git", "hoist/git"
    );
    row("cold: fresh process, open + status", cold, git_first);
    row(
        &format!("warm: median of {}, open + status", args.runs),
        warm,
        git_warm,
    );
    row(
        &format!("warm: median of {}, status only", args.runs),
        median(&mut warm_status),
        git_warm,
    );
    println!(
        "{:<42} {:>10}",
        "cold: of which open",
        ms(median(&mut cold_open))
    );
    println!();
    agreement(&result, &apps, &git_cells);

    let mut summary = format!(
        "Generated repository: {} apps, {} environment branches, {} commits (`cargo run -p hoist-bench --release -- --runs {}`).\n\n\
         | measurement | hoist | git | hoist/git |\n|---|---|---|---|\n",
        spec.apps,
        ENVIRONMENTS.len(),
        spec.commits,
        args.runs
    );
    summary.push_str(&md_row("status, cold (fresh process)", cold, git_first));
    summary.push_str(&md_row("status, warm", warm, git_warm));

    // History: the app changed most often on the busiest branch.
    let (env, app) = ("dev", apps[0].as_str());
    println!();
    println!("history of {app} on env/{env}:");
    for (label, copy) in history::copies(&repo)? {
        let t = history::measure(label, &copy, env, app, args.runs)?;
        row(&format!("{label}, vs git log"), t.hoist, t.git);
        row(
            &format!("{label}, vs git log --first-parent"),
            t.hoist,
            t.git_first_parent,
        );
        println!("{:<42} {:>10}", "  version changes found", t.changes);
        summary.push_str(&md_row(
            &format!("history of one app, {} (`git log -- file`)", t.label),
            t.hoist,
            t.git,
        ));
        summary.push_str(&md_row(
            &format!(
                "history of one app, {} (`git log --first-parent -- file`)",
                t.label
            ),
            t.hoist,
            t.git_first_parent,
        ));
    }

    let (planned, apps_covered, files) = plan::measure(&repo, "dev", "prod", args.runs)?;
    println!();
    println!(
        "{:<42} {:>10}   ({apps_covered} apps, {files} files)",
        "plan dev → prod + every diff, warm",
        ms(planned)
    );
    summary.push_str(&format!(
        "| plan dev → prod with every file's diff, warm ({apps_covered} apps, {files} files) | {} | | |\n",
        ms(planned)
    ));
    let out = workspace.join("target/bench-summary.md");
    std::fs::create_dir_all(workspace.join("target"))?;
    std::fs::write(&out, &summary)?;
    println!();
    println!("{summary}");
    println!("(written to {})", out.display());
    Ok(())
}

fn md_row(label: &str, hoist: Duration, git: Duration) -> String {
    let ratio = hoist.as_secs_f64() / git.as_secs_f64().max(f64::MIN_POSITIVE);
    format!("| {label} | {} | {} | {ratio:.2} |\n", ms(hoist), ms(git))
}

/// Opens `repo` and computes its status, timing both.
fn engine_once(repo: &Path) -> anyhow::Result<(Duration, Duration, Status)> {
    let started = Instant::now();
    let project =
        Project::open(repo).with_context(|| format!("hoist cannot open {}", repo.display()))?;
    let opened = started.elapsed();
    let started = Instant::now();
    let status = project.status().context("hoist status failed")?;
    Ok((opened, started.elapsed(), status))
}

pub(crate) fn median(runs: &mut [Duration]) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn row(label: &str, hoist: Duration, git: Duration) {
    let ratio = hoist.as_secs_f64() / git.as_secs_f64().max(f64::MIN_POSITIVE);
    println!(
        "{label:<42} {:>10} {:>10} {ratio:>10.2}",
        ms(hoist),
        ms(git)
    );
}

/// Checks hoist's answers against git's: same versions, same origin commits.
fn agreement(status: &Status, apps: &[String], git: &[Vec<baseline::GitCell>]) {
    let (mut cells, mut versions, mut origins, mut errors) = (0, 0, 0, 0);
    let mut first_error = None;
    for row in &status.apps {
        let Some(a) = apps.iter().position(|name| *name == row.name) else {
            continue;
        };
        for (env, cell) in status.environments.iter().zip(&row.cells) {
            let Some(e) = ENVIRONMENTS.iter().position(|name| *name == env.name) else {
                continue;
            };
            cells += 1;
            let expected = &git[e][a];
            match cell {
                Cell::Version { version, since, .. } => {
                    versions += usize::from(expected.version.as_deref() == Some(version.as_str()));
                    origins += usize::from(
                        since.as_ref().map(|c| c.id.as_str()) == expected.last_commit.as_deref(),
                    );
                }
                Cell::Error { message } => {
                    errors += 1;
                    first_error.get_or_insert_with(|| message.clone());
                }
                Cell::Absent => {}
            }
        }
    }
    println!(
        "agreement with git: {versions}/{cells} versions, {origins}/{cells} origin commits, {errors} error cells"
    );
    if let Some(message) = first_error {
        println!("first error cell: {message}");
    }
}
