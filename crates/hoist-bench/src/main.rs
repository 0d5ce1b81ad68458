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
use hoist_core::status::{Cell, Depth, Status};

use hoist_demo::generate::{self, Spec};

/// Sizes of generated repository worth measuring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Preset {
    /// 300 apps on 4 environments with 100,000 commits: a long history.
    History,
    /// 5,000 apps on 12 environments with 30,000 commits: a large monorepo.
    Monorepo,
}

/// Time hoist's status against plain git on a generated repository.
#[derive(Debug, Parser)]
struct Args {
    /// The repository's size; `--apps`, `--environments` and `--commits` change it.
    #[arg(long, value_enum, default_value_t = Preset::History)]
    preset: Preset,
    /// Number of apps in the generated repository.
    #[arg(long)]
    apps: Option<usize>,
    /// Number of environments (4, or up to 12).
    #[arg(long)]
    environments: Option<usize>,
    /// Total number of commits in the generated repository.
    #[arg(long)]
    commits: Option<usize>,
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
    /// Internal: open the repository, read its versions once (no origins), print the timings.
    #[arg(long, hide = true)]
    versions_once: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(repo) = &args.status_once {
        let (open, status, _) = engine_once(repo, Depth::Origins)?;
        println!("{} {}", open.as_nanos(), status.as_nanos());
        return Ok(());
    }
    if let Some(repo) = &args.versions_once {
        let (open, status, _) = engine_once(repo, Depth::Versions)?;
        println!("{} {}", open.as_nanos(), status.as_nanos());
        return Ok(());
    }
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let (apps, environments, commits) = match args.preset {
        Preset::History => (300, 4, 100_000),
        Preset::Monorepo => (5_000, 12, 30_000),
    };
    let spec = Spec {
        apps: args.apps.unwrap_or(apps),
        environments: args.environments.unwrap_or(environments),
        commits: args.commits.unwrap_or(commits),
        seed: args.seed,
        ends: None,
    };
    let envs = generate::environments(&spec);
    let (first, last) = (envs[0], envs[envs.len() - 1]);
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
        envs.len(),
        spec.commits
    );

    // Cold: a fresh process per run, so nothing hoist keeps in memory is shared.
    // (The operating system's file cache is warm: we do not drop it on a shared machine.)
    let exe = std::env::current_exe().context("cannot find this program")?;
    let mut cold_open = Vec::new();
    let mut cold_total = Vec::new();
    let mut cold_versions = Vec::new();
    for _ in 0..args.runs {
        let (open, status) = cold_run(&exe, "--status-once", &repo)?;
        cold_open.push(open);
        cold_total.push(open + status);
        let (open, versions) = cold_run(&exe, "--versions-once", &repo)?;
        cold_versions.push(open + versions);
    }

    // Warm: in this process, after one untimed run.
    let (_, _, result) = engine_once(&repo, Depth::Origins)?;
    let mut warm_total = Vec::new();
    for _ in 0..args.runs {
        let (open, status, _) = engine_once(&repo, Depth::Origins)?;
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
        git_cells = baseline::status(&repo, envs, &apps)?;
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
    let versions_only = median(&mut cold_versions);
    row(
        "cold: fresh process, open + versions only",
        versions_only,
        git_first,
    );
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
    agreement(&result, envs, &apps, &git_cells);

    let mut summary = format!(
        "Generated repository: {} apps, {} environment branches, {} commits (`cargo run -p hoist-bench --release -- --runs {}`).\n\n\
         | measurement | hoist | git | hoist/git |\n|---|---|---|---|\n",
        spec.apps,
        envs.len(),
        spec.commits,
        args.runs
    );
    summary.push_str(&md_row("status, cold (fresh process)", cold, git_first));
    summary.push_str(&md_row(
        "versions only, cold (fresh process; the window's first paint)",
        versions_only,
        git_first,
    ));
    summary.push_str(&md_row("status, warm", warm, git_warm));

    // History: the app changed most often on the busiest branch.
    let (env, app) = (first, apps[0].as_str());
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

    let (planned, apps_covered, files) = plan::measure(&repo, first, last, args.runs)?;
    println!();
    println!(
        "{:<42} {:>10}   ({apps_covered} apps, {files} files)",
        &format!("plan {first} → {last} + every diff, warm"),
        ms(planned)
    );
    summary.push_str(&format!(
        "| plan {first} → {last} with every file's diff, warm ({apps_covered} apps, {files} files) | {} | | |\n",
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
fn engine_once(repo: &Path, depth: Depth) -> anyhow::Result<(Duration, Duration, Status)> {
    let started = Instant::now();
    let project =
        Project::open(repo).with_context(|| format!("hoist cannot open {}", repo.display()))?;
    let opened = started.elapsed();
    let started = Instant::now();
    let status = project.status_to(depth).context("hoist status failed")?;
    Ok((opened, started.elapsed(), status))
}

/// Runs this program with `flag` on `repo` in a fresh process: its open and work times.
fn cold_run(exe: &Path, flag: &str, repo: &Path) -> anyhow::Result<(Duration, Duration)> {
    let out = Command::new(exe)
        .arg(flag)
        .arg(repo)
        .output()
        .context("cannot run the cold measurement")?;
    if !out.status.success() {
        bail!("cold run failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>());
    let (Some(Ok(open)), Some(Ok(work))) = (fields.next(), fields.next()) else {
        bail!("cold run printed {text:?}");
    };
    Ok((Duration::from_nanos(open), Duration::from_nanos(work)))
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
fn agreement(status: &Status, envs: &[&str], apps: &[String], git: &[Vec<baseline::GitCell>]) {
    let (mut cells, mut versions, mut origins, mut errors) = (0, 0, 0, 0);
    let mut first_error = None;
    for row in &status.apps {
        let Some(a) = apps.iter().position(|name| *name == row.name) else {
            continue;
        };
        for (env, cell) in status.environments.iter().zip(&row.cells) {
            let Some(e) = envs.iter().position(|name| *name == env.name) else {
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
