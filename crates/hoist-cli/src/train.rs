//! `hoist train`: a release train's dry run as a table (what moves, what
//! stays and why, the pull requests it would open), then, with `--open`,
//! its pull requests opened one after the other.

use std::io::Write;
use std::path::PathBuf;

use hoist_api::Error;
use hoist_api::train::{self, TrainPreview, TrainProgress};
use hoist_core::config::TrainPulls;
use hoist_core::plan::train::Skip;
use hoist_github::open::{Outcome, WhenOpen};

use crate::github;

/// What `hoist train` takes.
#[derive(clap::Args)]
pub struct TrainArgs {
    /// The local clone to read (default: the current directory).
    #[arg(long, default_value = ".")]
    repo: PathBuf,
    /// The environment versions come from.
    #[arg(long)]
    from: String,
    /// The environment that changes.
    #[arg(long)]
    to: String,
    /// Only these apps (repeatable); default: every app.
    #[arg(long = "app")]
    apps: Vec<String>,
    /// One pull request per app (default: as `pr.train` in `.hoist.yaml` says, else one for the train).
    #[arg(long, conflicts_with = "one")]
    split: bool,
    /// One pull request for the whole train.
    #[arg(long)]
    one: bool,
    /// Open the train's pull requests after showing the dry run.
    #[arg(long)]
    open: bool,
    /// Open without asking.
    #[arg(long)]
    yes: bool,
    /// If a pull request for the same apps is open, move it to this train's change.
    #[arg(long)]
    update: bool,
    /// Print JSON for scripts: the dry run (and, with --open, what was opened).
    #[arg(long)]
    json: bool,
}

/// Runs `hoist train`.
pub fn run(args: &TrainArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let session = github::session(&args.repo);
    let pulls = match (args.split, args.one) {
        (true, _) => Some(TrainPulls::PerApp),
        (_, true) => Some(TrainPulls::One),
        _ => None,
    };
    let preview = train::preview(
        &session,
        &args.from,
        &args.to,
        &args.apps,
        pulls,
        &hoist_core::plan::Options::default(),
    )?;
    if !args.json {
        write!(out, "{}", dry_run(&preview, session.forge().change_noun()))?;
    }
    if !args.open || preview.pulls.is_empty() {
        if args.json {
            serde_json::to_writer_pretty(&mut *out, &preview)?;
            writeln!(out)?;
        } else if !preview.pulls.is_empty() {
            writeln!(out, "Nothing opened; add --open to open the train.")?;
        }
        return Ok(());
    }

    let runtime = github::runtime()?;
    // Made before asking: a missing token or origin fails before the question.
    let forge = runtime.block_on(session.client())?.forge();
    let count = preview.pulls.len();
    let noun = forge.change_noun();
    let question = format!(
        "Open {count} {noun}{} into {}?",
        if count == 1 { "" } else { "s" },
        args.to
    );
    if !github::confirm(&question, args.yes)? {
        writeln!(out, "nothing opened")?;
        return Ok(());
    }
    github::cancel_on_ctrl_c(&runtime, &session);
    let when_open = if args.update {
        WhenOpen::Update
    } else {
        WhenOpen::Report
    };
    let on_progress = |p: TrainProgress| match p {
        TrainProgress::Step { pull, step } => eprintln!(
            "→ [{}/{count}] {}: {}",
            pull + 1,
            preview.pulls[pull].apps.join(", "),
            github::describe(&step, forge)
        ),
        TrainProgress::Opened { pull, opened } => {
            let verb = match opened.outcome {
                Outcome::Created => "opened",
                Outcome::Resumed => "already open",
                Outcome::Updated => "updated",
                Outcome::Found => "already open (opened by someone else)",
            };
            eprintln!(
                "✓ [{}/{count}] {verb}: {}{} {}",
                pull + 1,
                forge.sigil(),
                opened.number,
                opened.url
            );
        }
    };
    let opened = runtime
        .block_on(train::open(&session, &preview.id, when_open, &on_progress))
        .map_err(|e| match e {
            Error::Forge(hoist_github::Error::AlreadyOpen { .. }) => {
                anyhow::anyhow!("{e} (add --update to move it to this train's change)")
            }
            e => anyhow::Error::from(e).context(
                "the train stopped; run the same command again to open what is missing (nothing is opened twice)",
            ),
        })?;
    if args.json {
        serde_json::to_writer_pretty(
            &mut *out,
            &serde_json::json!({ "preview": preview, "opened": opened }),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    for (pull, o) in preview.pulls.iter().zip(&opened) {
        writeln!(
            out,
            "{}{} {} ({})",
            forge.sigil(),
            o.number,
            o.url,
            pull.apps.join(", ")
        )?;
    }
    writeln!(
        out,
        "train {}: {} {noun}{} open into {}",
        preview.train.id,
        opened.len(),
        if opened.len() == 1 { "" } else { "s" },
        args.to
    )?;
    Ok(())
}

/// Why an app stays, in a few words.
fn skip_words(skip: &Skip) -> &'static str {
    match skip {
        Skip::AlreadyThere => "already there",
        Skip::Locked => "locked",
        Skip::Frozen => "frozen",
        Skip::Downgrade => "downgrade",
        Skip::NotInTarget => "not in the target",
        Skip::SourceMissing => "no version in the source",
    }
}

/// The dry run: per app what moves (old → new) or why it stays, then the
/// pull requests opening the train would open.
pub fn dry_run(preview: &TrainPreview, noun: &str) -> String {
    let t = &preview.train;
    let mut out = format!(
        "Release train {} → {} (train {}), {}\n\n",
        t.source,
        t.target,
        t.id,
        match t.pulls {
            TrainPulls::One => format!("one {noun} for the train"),
            TrainPulls::PerApp => format!("one {noun} per app"),
        }
    );
    let width = t.cars.iter().map(|c| c.app.len()).max().unwrap_or(3).max(3);
    let version = |v: &Option<String>| v.as_deref().map_or("–".to_owned(), crate::table::shorten);
    let from_width = t
        .cars
        .iter()
        .map(|c| version(&c.from).chars().count())
        .max()
        .unwrap_or(0)
        .max(t.target.len());
    let to_width = t
        .cars
        .iter()
        .map(|c| version(&c.to).chars().count())
        .max()
        .unwrap_or(0)
        .max(t.source.len());
    out.push_str(&format!(
        "  {:<width$}  {:<from_width$}    {:<to_width$}\n",
        "app", t.target, t.source
    ));
    for car in &t.cars {
        let (from, to) = (version(&car.from), version(&car.to));
        let (arrow, what) = match (&car.skip, &car.why) {
            (None, _) => ("→", "moves".to_owned()),
            (Some(skip), Some(why)) => (" ", format!("skipped, {}: {why}", skip_words(skip))),
            (Some(skip), None) => (" ", format!("skipped, {}", skip_words(skip))),
        };
        out.push_str(&format!(
            "  {:<width$}  {from:<from_width$}  {arrow} {to:<to_width$}  {what}\n",
            car.app
        ));
    }
    let moving = t.cars.iter().filter(|c| c.moves()).count();
    out.push_str(&format!(
        "\n{moving} move, {} skipped.\n",
        t.cars.len() - moving
    ));
    if preview.pulls.is_empty() {
        out.push_str("Nothing to open.\n");
        return out;
    }
    out.push_str(&format!(
        "{} to open:\n",
        if preview.pulls.len() == 1 {
            format!("One {noun}")
        } else {
            format!("{} {noun}s", preview.pulls.len())
        }
    ));
    for (i, pull) in preview.pulls.iter().enumerate() {
        out.push_str(&format!("  {}. {}  ({})\n", i + 1, pull.title, pull.branch));
        for warning in &pull.warnings {
            out.push_str(&format!("     ! {warning}\n"));
        }
    }
    out
}
