//! `hoist`: Hoist's engine on the command line, for people and for scripts.
//!
//! Exit codes: 0 success, 1 an error (one line on stderr says why), 2 a usage error.

mod diffview;
mod github;
mod table;
mod train;
mod views;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use hoist_api::Session;
use hoist_api::notes::AppNotes;
use hoist_api::preview::Preview;
use hoist_core::Project;
use hoist_core::plan::PromotionPlan;

use crate::diffview::Layout;

/// Shows which version each environment runs, previews promotions and rollbacks, and opens them as pull requests (GitHub) or merge requests (GitLab).
#[derive(Parser)]
#[command(name = "hoist", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show the version of every app in every environment.
    Status {
        /// The local clone to read (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Read the configuration from this file instead of `.hoist.yaml` on the default branch.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Propose a `.hoist.yaml` for a repository, detected from its branches and files.
    Init {
        /// The local clone to read (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Show what promoting from one environment to another would change, without changing anything.
    Plan {
        #[command(flatten)]
        promotion: PromotionArgs,
        /// Show the diff side by side (as wide as `COLUMNS`, else 160 columns).
        #[arg(long, alias = "side-by-side")]
        split: bool,
        /// Print JSON for scripts (apps, warnings and structured diff hunks).
        #[arg(long)]
        json: bool,
        /// Show release notes (grouped: breaking changes, features, fixes,
        /// others) instead of the bare list of commits a promotion brings.
        #[arg(long)]
        notes: bool,
    },
    /// Show what setting an environment back to an earlier point of its history would change.
    Rollback {
        /// The local clone to read (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// The environment to roll back.
        #[arg(long = "env")]
        environment: String,
        /// The point to go back to: a commit id on the environment's branch, or a date/time.
        #[arg(long)]
        to: String,
        /// Only these apps (repeatable); default: every app whose version differs.
        #[arg(long = "app")]
        apps: Vec<String>,
        /// Lines of context around each change in the diff.
        #[arg(long, default_value_t = 3)]
        context: usize,
        /// Show the diff side by side (as wide as `COLUMNS`, else 160 columns).
        #[arg(long, alias = "side-by-side")]
        split: bool,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
        /// Open the rollback as a pull request after showing it.
        #[arg(long)]
        open_pr: bool,
        /// Why (required to open a rollback); it goes into the pull request.
        #[arg(long)]
        reason: Option<String>,
        /// Open without asking.
        #[arg(long)]
        yes: bool,
        /// If a pull request for the same apps is open, move it to this change.
        #[arg(long)]
        update: bool,
    },
    /// Compare two points, like `git diff FROM TO`: environments (`prod`), or points of their history (`prod@2026-11-20`, `prod@a1b2c3d`).
    Diff {
        /// The local clone to read (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// The old side.
        from: String,
        /// The new side.
        to: String,
        /// Only these apps (repeatable).
        #[arg(long = "app")]
        apps: Vec<String>,
        /// Lines of context around each change.
        #[arg(long, default_value_t = 3)]
        context: usize,
        /// Show the diff side by side (as wide as `COLUMNS`, else 160 columns).
        #[arg(long, alias = "side-by-side")]
        split: bool,
        /// Print JSON: value changes and structured hunks.
        #[arg(long)]
        json: bool,
    },
    /// List an environment's version changes, newest first; without --env, each version's path across environments.
    History {
        /// The local clone to read (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// The environment; without it, the combined view with lead times.
        #[arg(long = "env")]
        environment: Option<String>,
        /// Only these apps (repeatable).
        #[arg(long = "app")]
        apps: Vec<String>,
        /// Print JSON lines (one change per line, as they are found).
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of `.hoist.yaml`.
    Schema,
    /// Preview a promotion, then open its pull request (GitHub) or merge request (GitLab).
    Promote {
        #[command(flatten)]
        promotion: PromotionArgs,
        /// Why; required to override a lock or freeze, and written into the pull request.
        #[arg(long)]
        reason: Option<String>,
        /// Open without asking.
        #[arg(long)]
        yes: bool,
        /// If a pull request for the same apps is open, move it to this change.
        #[arg(long)]
        update: bool,
        /// Read each app's release notes from its source repository first:
        /// they are shown, and the pull request carries them.
        #[arg(long)]
        notes: bool,
    },
    /// Promote many apps at once from one environment to the next: a dry run of what moves and what stays (and why), then with --open one pull request for the train or one per app.
    Train(train::TrainArgs),
    /// List the open pull or merge requests Hoist opened, with checks, reviews and mergeability.
    Prs {
        /// The local clone to read (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Merge a Hoist pull or merge request that the forge allows to merge.
    Merge {
        /// The local clone to read (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Its number (`12` for #12 or !12).
        number: u64,
        /// Then follow the environment until its reconciler reports success or failure.
        #[arg(long)]
        wait: bool,
        /// On GitLab, while only its pipeline holds it: have GitLab merge it when the pipeline succeeds.
        #[arg(long)]
        when_green: bool,
    },
    /// Fetch the environment branches from origin, with progress.
    Fetch {
        /// The local clone (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Sign in to GitHub or GitLab, or see or remove the stored token.
    Auth {
        #[command(subcommand)]
        action: Auth,
    },
    /// Generate the demo repository and serve it through the offline GitHub sandbox until Ctrl-C.
    Demo {
        /// Where the demo lives (default: ~/.cache/hoist/demo).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The forge the sandbox plays.
        #[arg(long, value_enum, default_value = "github")]
        forge: ForgeArg,
    },
}

#[derive(Subcommand)]
enum Auth {
    /// Read a token from stdin, check it with the forge, and keep it in the OS keyring.
    Login {
        #[command(flatten)]
        host: HostArgs,
        /// The REST API's URL, for a GitHub Enterprise Server host (e.g. https://HOST/api/v3).
        #[arg(long)]
        api_url: Option<String>,
    },
    /// Show where the token comes from and whom it belongs to.
    Status {
        #[command(flatten)]
        host: HostArgs,
    },
    /// Remove the token from the OS keyring.
    Logout {
        #[command(flatten)]
        host: HostArgs,
    },
}

/// Which forge host `auth` works on.
#[derive(clap::Args)]
struct HostArgs {
    /// The forge's host.
    #[arg(long, default_value = "github.com")]
    host: String,
    /// The forge, where the host's name does not say (a self-managed GitLab).
    #[arg(long, value_enum)]
    forge: Option<ForgeArg>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ForgeArg {
    Github,
    Gitlab,
}

impl From<ForgeArg> for hoist_core::forge::Forge {
    fn from(forge: ForgeArg) -> Self {
        match forge {
            ForgeArg::Github => hoist_core::forge::Forge::GitHub,
            ForgeArg::Gitlab => hoist_core::forge::Forge::GitLab,
        }
    }
}

impl HostArgs {
    fn forge(&self) -> hoist_core::forge::Forge {
        hoist_api::account::forge_of_host(&self.host, self.forge.map(Into::into))
    }
}

/// Whether writing stopped because the reader went away, also when the write
/// went through serde_json (which wraps the I/O error in its own).
/// What `plan` and `promote` both take: which promotion to compute.
#[derive(clap::Args)]
struct PromotionArgs {
    /// The local clone to read (default: the current directory).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// The environment versions come from, or a point of its history: `dev`, `dev@a1b2c3d`, `dev@2026-11-20T17:00`.
    #[arg(long)]
    from: String,
    /// The environment that changes.
    #[arg(long)]
    to: String,
    /// Only these apps (repeatable); default: every app whose version differs.
    #[arg(long = "app")]
    apps: Vec<String>,
    /// Sync mode: the apps' files (their `sync` paths) become the source's, not just the versions.
    #[arg(long)]
    sync: bool,
    /// Where the target inherits a version from a base: change the base itself
    /// (every environment inheriting it moves) instead of adding the value to the target's own file.
    #[arg(long)]
    base: bool,
    /// Lines of context around each change in the diff.
    #[arg(long, default_value_t = 3)]
    context: usize,
}

impl PromotionArgs {
    /// The session, the preview (`None`: nothing to promote) and the sentence saying so.
    fn preview(&self) -> anyhow::Result<(Arc<Session>, Option<Preview>, String)> {
        let session = github::session(&self.repo);
        let options = hoist_core::plan::Options {
            mode: if self.sync {
                hoist_core::plan::Mode::Sync
            } else {
                hoist_core::plan::Mode::Version
            },
            base: self.base,
            ..Default::default()
        };
        let preview = hoist_api::preview::promotion(
            &session,
            &self.from,
            &self.to,
            &self.apps,
            &options,
            self.context,
        )?;
        let nothing = format!(
            "nothing to promote: {} already runs what {} runs",
            self.to, self.from
        );
        Ok((session, preview, nothing))
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(BrokenPipe)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => {
            // The reader went away (`hoist history | head`): not an error.
            ExitCode::SUCCESS
        }
        Err(e) => {
            // One line: the outermost context first, then each cause.
            let mut line = e.to_string();
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                if !line.contains(&cause) {
                    line.push_str(": ");
                    line.push_str(&cause);
                }
            }
            eprintln!("error: {}", line.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Status { repo, config, json } => {
            let project = Project::open_with(&repo, config.as_deref())?;
            let status = project.status()?;
            if json {
                let doc = serde_json::json!({
                    "repository": project.repo.path(),
                    "shallow": project.repo.is_shallow(),
                    "config": project.source,
                    "status": status,
                });
                serde_json::to_writer_pretty(&mut out, &doc)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", table::render(&project, &status, now(), colour()))?;
            }
        }
        Command::Init { repo } => {
            let repo = hoist_core::Repo::open(&repo)?;
            let detection =
                hoist_core::detect::detect(&repo).context("could not propose a configuration")?;
            write!(out, "{}", detection.to_yaml())?;
        }
        Command::Plan {
            promotion,
            split,
            json,
            notes,
        } => {
            let (session, preview, nothing) = promotion.preview()?;
            let sources = match &preview {
                Some(preview) if notes => github::source_notes(&session, preview)?,
                _ => Vec::new(),
            };
            show_plan(
                &mut out,
                preview.as_ref().map(|p| &p.plan),
                &nothing,
                promotion.context,
                Layout::new(split),
                json,
                notes.then_some(sources.as_slice()),
            )?;
        }
        Command::Rollback {
            repo,
            environment,
            to,
            apps,
            context,
            split,
            json,
            open_pr,
            reason,
            yes,
            update,
        } => {
            let session = github::session(&repo);
            let preview =
                hoist_api::preview::rollback(&session, &environment, &to, &apps, context)?;
            let nothing =
                format!("nothing to roll back: {environment} already runs what it ran at {to}");
            show_plan(
                &mut out,
                preview.as_ref().map(|p| &p.plan),
                &nothing,
                context,
                Layout::new(split),
                json,
                None,
            )?;
            if let (true, Some(preview)) = (open_pr, preview) {
                github::open_pr(&session, &preview, reason.as_deref(), yes, update, &mut out)?;
            }
        }
        Command::Promote {
            promotion,
            reason,
            yes,
            update,
            notes,
        } => {
            let (session, preview, nothing) = promotion.preview()?;
            let sources = match &preview {
                Some(preview) if notes => github::source_notes(&session, preview)?,
                _ => Vec::new(),
            };
            show_plan(
                &mut out,
                preview.as_ref().map(|p| &p.plan),
                &nothing,
                promotion.context,
                Layout::new(false),
                false,
                notes.then_some(sources.as_slice()),
            )?;
            if let Some(preview) = preview {
                github::open_pr(&session, &preview, reason.as_deref(), yes, update, &mut out)?;
            }
        }
        Command::Train(args) => train::run(&args, &mut out)?,
        Command::Prs { repo, json } => github::prs(&repo, json, &mut out)?,
        Command::Merge {
            repo,
            number,
            wait,
            when_green,
        } => github::merge(&repo, number, wait, when_green, &mut out)?,
        Command::Fetch { repo } => github::fetch(&repo)?,
        Command::Auth { action } => match action {
            Auth::Login { host, api_url } => {
                github::login(host.forge(), &host.host, api_url.as_deref(), &mut out)?;
            }
            Auth::Status { host } => github::status(host.forge(), &host.host, &mut out)?,
            Auth::Logout { host } => github::logout(&host.host, &mut out)?,
        },
        Command::Demo { dir, forge } => {
            let dir = match dir {
                Some(dir) => dir,
                None => hoist_api::cache_dir()
                    .context("no HOME to keep the demo in; pass --dir")?
                    .join("demo"),
            };
            github::demo(&dir, forge.into(), &mut out)?;
        }
        Command::Diff {
            repo,
            from,
            to,
            apps,
            context,
            split,
            json,
        } => {
            let session = github::session(&repo);
            let preview = hoist_api::preview::compare(&session, &from, &to, &apps, context)?;
            let nothing = format!("{from} and {to} run the same versions");
            show_plan(
                &mut out,
                preview.as_ref().map(|p| &p.plan),
                &nothing,
                context,
                Layout::new(split),
                json,
                None,
            )?;
        }
        Command::History {
            repo,
            environment,
            apps,
            json,
        } => {
            let project = Project::open(&repo)?;
            let Some(environment) = environment else {
                let releases = hoist_core::history::combined(&project, &apps)?;
                if json {
                    serde_json::to_writer_pretty(&mut out, &releases)?;
                    writeln!(out)?;
                } else {
                    write!(out, "{}", views::releases(&project.config, &releases))?;
                }
                return Ok(());
            };
            let now = now();
            let mut failed = None;
            hoist_core::history::history(&project, &environment, &apps, |change| {
                let line = if json {
                    serde_json::to_string(&change).map_err(anyhow::Error::from)
                } else {
                    Ok(views::history_line(&change, now))
                };
                if let Err(e) = line.and_then(|l| writeln!(out, "{l}").map_err(anyhow::Error::from))
                {
                    failed.get_or_insert(e);
                }
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Command::Schema => {
            writeln!(out, "{}", hoist_core::config::schema())?;
        }
    }
    Ok(())
}

/// Colour only on a terminal, and never when `NO_COLOR` is set.
fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Prints a plan (or `nothing` when there is none) as text or JSON.
fn show_plan(
    out: &mut impl Write,
    plan: Option<&PromotionPlan>,
    nothing: &str,
    context: usize,
    layout: Layout,
    json: bool,
    notes: Option<&[AppNotes]>,
) -> anyhow::Result<()> {
    match plan {
        None if json => writeln!(out, "null")?,
        None => writeln!(out, "{nothing}")?,
        Some(plan) if json => {
            // Each file's hunks, and the same hunks as side-by-side rows.
            let diffs: Vec<_> = plan
                .files
                .iter()
                .map(|f| {
                    let diff = f.diff(context);
                    let split: Vec<_> = diff
                        .hunks
                        .iter()
                        .map(hoist_core::diff::side_by_side)
                        .collect();
                    serde_json::json!({ "diff": diff, "side_by_side": split })
                })
                .collect();
            let mut answer = serde_json::json!({ "plan": plan, "diffs": diffs });
            if let Some(notes) = notes {
                answer["notes"] = serde_json::to_value(notes)?;
            }
            serde_json::to_writer_pretty(&mut *out, &answer)?;
            writeln!(out)?;
        }
        Some(plan) => write!(
            out,
            "{}",
            views::plan(plan, context, layout, colour(), notes)
        )?,
    }
    Ok(())
}
