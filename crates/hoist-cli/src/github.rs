//! The commands that talk to the forge (GitHub or GitLab): sign-in, opening
//! promotion and rollback change requests, following them, merging,
//! fetching, and the demo.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use hoist_api::preview::Preview;
use hoist_api::{Error, Session, account, pulls};
use hoist_core::forge::Forge;
use hoist_github::open::{Opened, Outcome, Step, WhenOpen};
use hoist_github::track::{CheckState, Checks, PullState, ReviewDecision, Tracked};
use hoist_github::{Token, token};

/// A runtime for one command's requests.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Asks the session's running work to stop on Ctrl-C, so long work stops
/// between steps and can resume later.
pub(crate) fn cancel_on_ctrl_c(runtime: &tokio::runtime::Runtime, session: &Arc<Session>) {
    let session = Arc::clone(session);
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping after the current step…");
            session.cancel_all();
        }
    });
}

/// A session on the clone at `repo` whose forge client says when it waits.
pub fn session(repo: &Path) -> Arc<Session> {
    let mut session = Session::new(repo.to_path_buf(), None)
        .with_on_wait(Arc::new(|secs, why| eprintln!("  {why} ({secs} s)…")));
    if let Some(dir) = hoist_api::cache_dir() {
        session = session.with_cache_dir(dir);
    }
    Arc::new(session)
}

/// Asks before writing anything, unless `--yes`.
pub(crate) fn confirm(question: &str, yes: bool) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!("not opening it without confirmation; add --yes to open it");
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub(crate) fn describe(step: &Step, forge: Forge) -> String {
    match step {
        Step::CheckingTarget => {
            "checking the target branch is still where the preview saw it".into()
        }
        Step::WritingFiles { done, total } => format!("uploading files {done}/{total}"),
        Step::WritingCommit => "writing the commit".into(),
        Step::PushingBranch { branch } => format!("pushing {branch}"),
        Step::OpeningPullRequest => format!("opening the {}", forge.change_noun()),
        Step::Finishing => "adding labels and reviewers".into(),
    }
}

/// Each app's release notes for `preview` from its source repository,
/// saying on stderr which it reads; kept with the preview so the pull
/// request opened from it carries them.
pub fn source_notes(
    session: &Arc<Session>,
    preview: &Preview,
) -> anyhow::Result<Vec<hoist_api::notes::AppNotes>> {
    let runtime = runtime()?;
    cancel_on_ctrl_c(&runtime, session);
    let on_app = |n: &hoist_api::notes::AppNotes| {
        let how = match n.outcome {
            hoist_api::notes::NotesOutcome::Ready { .. } => "read",
            hoist_api::notes::NotesOutcome::Unavailable { .. } => "unavailable",
        };
        eprintln!("  release notes of {} from {}: {how}", n.app, n.source.path);
    };
    Ok(runtime.block_on(hoist_api::notes::of_preview(session, &preview.id, &on_app))?)
}

/// Opens the pull request for `preview` after showing it (the caller already
/// printed the preview).
pub fn open_pr(
    session: &Arc<Session>,
    preview: &Preview,
    reason: Option<&str>,
    yes: bool,
    update: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let runtime = runtime()?;
    // Made before asking: a missing token or origin fails before the question.
    let forge = runtime.block_on(session.client())?.forge();
    if !confirm(
        &format!(
            "Open a {} into {}?",
            forge.change_noun(),
            preview.plan.target_branch
        ),
        yes,
    )? {
        writeln!(out, "nothing opened")?;
        return Ok(());
    }
    cancel_on_ctrl_c(&runtime, session);
    let when_open = if update {
        WhenOpen::Update
    } else {
        WhenOpen::Report
    };
    let on_step = |s: Step| eprintln!("→ {}", describe(&s, forge));
    let opened: Opened = runtime
        .block_on(pulls::open(
            session,
            &preview.id,
            reason,
            when_open,
            &on_step,
        ))
        .map_err(|e| match e {
            Error::Forge(hoist_github::Error::AlreadyOpen { .. }) => {
                anyhow::anyhow!("{e} (add --update to move it to this change)")
            }
            e => e.into(),
        })?;
    let verb = match opened.outcome {
        Outcome::Created => "opened",
        Outcome::Resumed => "already open",
        Outcome::Updated => "updated",
        Outcome::Found => "already open (opened by someone else for this branch)",
    };
    writeln!(
        out,
        "{verb}: {}{} {}",
        forge.sigil(),
        opened.number,
        opened.url
    )?;
    Ok(())
}

fn checks_summary(t: &Tracked) -> String {
    format!(
        "{} ({}/{})",
        t.checks.state,
        t.checks.passed(),
        t.checks.items.len()
    )
}

fn review_text(r: ReviewDecision) -> &'static str {
    match r {
        ReviewDecision::Approved => "approved",
        ReviewDecision::ChangesRequested => "changes requested",
        ReviewDecision::ReviewRequired => "review required",
        ReviewDecision::None => "no review",
    }
}

/// `hoist prs`: the open Hoist change requests with checks, reviews and mergeability.
pub fn prs(repo: &Path, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let session = session(repo);
    let runtime = runtime()?;
    let forge = runtime.block_on(session.client())?.forge();
    let all: Vec<Tracked> = runtime.block_on(pulls::list(&session))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &all)?;
        writeln!(out)?;
        return Ok(());
    }
    if all.is_empty() {
        writeln!(out, "no open Hoist {}s", forge.change_noun())?;
    }
    for t in &all {
        let apps: Vec<String> = t
            .marker
            .apps
            .iter()
            .map(|(app, v)| format!("{app} {v}"))
            .collect();
        writeln!(
            out,
            "{}{:<5} {:<8} {}{}\n       checks {}, {}, {}{}\n       {}",
            forge.sigil(),
            t.number,
            t.marker.target,
            apps.join(", "),
            // A release train's pull requests say which train, so they read together.
            t.marker
                .train
                .as_ref()
                .map(|id| format!(" (train {id})"))
                .unwrap_or_default(),
            checks_summary(t),
            review_text(t.review),
            t.mergeability.describe(),
            if t.can_merge { " — can merge" } else { "" },
            t.url
        )?;
    }
    Ok(())
}

/// `hoist merge N`: merges a Hoist change request the forge allows to merge,
/// then (with `wait`) follows the environment until it reports.
pub fn merge(
    repo: &Path,
    number: u64,
    wait: bool,
    when_green: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let session = session(repo);
    let runtime = runtime()?;
    let forge = runtime.block_on(session.client())?.forge();
    let reference = format!("{}{number}", forge.sigil());
    let t = runtime.block_on(pulls::get(&session, number))?;
    if t.state != PullState::Open {
        bail!("{reference} is not open");
    }
    let later = format!(
        "{reference} merges into {} when its pipeline succeeds",
        t.base
    );
    if t.merges_when_green {
        writeln!(out, "{later} (already set)")?;
        return Ok(());
    }
    if !t.can_merge && when_green && t.can_merge_when_green {
        let now = runtime.block_on(pulls::merge_when_green(&session, number, &t.head))?;
        if now.state == PullState::Merged {
            writeln!(out, "merged {reference} into {}", t.base)?;
        } else {
            writeln!(out, "{later}")?;
        }
        return Ok(());
    }
    if !t.can_merge {
        bail!(
            "{} cannot merge {reference} now: {} (checks {}, {}){}",
            forge.name(),
            t.mergeability.describe(),
            checks_summary(&t),
            review_text(t.review),
            if t.can_merge_when_green && !when_green {
                "; add --when-green to have it merged when its pipeline succeeds"
            } else {
                ""
            }
        );
    }
    if !wait {
        let sha = runtime.block_on(pulls::merge(&session, number, &t.head))?;
        writeln!(out, "{}", merged_line(&reference, &t, &sha))?;
        return Ok(());
    }
    cancel_on_ctrl_c(&runtime, &session);
    let on_update = |c: &Checks| {
        let names: Vec<String> = c
            .items
            .iter()
            .map(|i| format!("{} {}", i.name, i.state))
            .collect();
        eprintln!("  {}: {}", c.state, names.join(", "));
    };
    let merged = runtime.block_on(pulls::merge_and_follow(
        &session, number, &t.head, &on_update,
    ))?;
    writeln!(out, "{}", merged_line(&reference, &t, &merged.sha))?;
    match merged.checks.state {
        CheckState::Success => writeln!(out, "{} is healthy", t.marker.target)?,
        CheckState::Failure => bail!("{} reports a failure after the merge", t.marker.target),
        CheckState::Pending => writeln!(
            out,
            "{} has not reported yet; check again with `hoist prs`",
            t.marker.target
        )?,
    }
    Ok(())
}

fn merged_line(reference: &str, t: &Tracked, sha: &str) -> String {
    format!(
        "merged {reference} into {} as {}",
        t.base,
        &sha[..sha.len().min(12)]
    )
}

/// `hoist fetch`: refreshes the clone's environment branches from origin,
/// with git's progress on stderr; Ctrl-C stops it, leaving the clone as it was.
pub fn fetch(repo: &Path) -> anyhow::Result<()> {
    let session = session(repo);
    let runtime = runtime()?;
    cancel_on_ctrl_c(&runtime, &session);
    let terminal = std::io::stderr().is_terminal();
    let on_line = move |line: String| {
        // On a terminal each line redraws the last, as git draws it.
        if terminal {
            eprint!("\r\x1b[K{line}");
        } else {
            eprintln!("{line}");
        }
    };
    let fetched = runtime.block_on(hoist_api::git::fetch(&session, &on_line));
    if terminal {
        eprintln!();
    }
    Ok(fetched?)
}

/// `hoist auth login`: reads a token from stdin, checks it with the forge, keeps it in the keyring.
pub fn login(
    forge: Forge,
    host: &str,
    api_url: Option<&str>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if std::io::stdin().is_terminal() {
        let kind = match forge {
            Forge::GitHub => {
                "GitHub token (classic with `repo`, or fine-grained with contents and pull requests write)"
            }
            Forge::GitLab => "GitLab personal access token with the `api` scope",
        };
        eprint!("Paste a {kind} for {host} and press Enter: ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let token = Token::new(&line).context("no token given")?;
    let runtime = runtime()?;
    let account = runtime.block_on(account::sign_in(forge, host, api_url, &token))?;
    writeln!(
        out,
        "signed in to {host} as {} ({}); the token is in the OS keyring",
        account.login.unwrap_or_default(),
        scopes(account.scopes)
    )?;
    Ok(())
}

fn scopes(scopes: Option<String>) -> String {
    scopes.map_or_else(|| "fine-grained token".into(), |s| format!("scopes: {s}"))
}

/// `hoist auth status`: where the token comes from and whom it belongs to.
pub fn status(forge: Forge, host: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let Some((token, source)) = account::token_for(forge, host) else {
        let variable = match forge {
            Forge::GitHub => token::variables(host)[0].0,
            Forge::GitLab => "GITLAB_TOKEN",
        };
        bail!("not signed in to {host}: run `hoist auth login`, or set {variable}");
    };
    let runtime = runtime()?;
    let account = runtime.block_on(account::of(forge, host, None, Some((token, source))));
    if let Some(problem) = account.problem {
        bail!("{problem}");
    }
    writeln!(
        out,
        "{host}: signed in as {} ({}), token from {source}",
        account.login.unwrap_or_default(),
        scopes(account.scopes),
    )?;
    Ok(())
}

/// `hoist auth logout`.
pub fn logout(host: &str, out: &mut impl Write) -> anyhow::Result<()> {
    if account::sign_out(host)? {
        writeln!(
            out,
            "signed out of {host}: the token is removed from the OS keyring"
        )?;
    } else {
        writeln!(out, "no token for {host} in the OS keyring")?;
    }
    Ok(())
}

/// `hoist demo`: generates the demo, serves the sandbox until Ctrl-C.
pub fn demo(dir: &Path, forge: Forge, out: &mut impl Write) -> anyhow::Result<()> {
    let on = match forge {
        Forge::GitHub => hoist_demo::Forge::Github,
        Forge::GitLab => hoist_demo::Forge::Gitlab,
    };
    let demo = hoist_demo::Demo::start_on(dir, Duration::from_secs(3), on)?;
    let signed_in = demo.sign_in();
    let clone = demo.clone.display();
    writeln!(
        out,
        "Hoist demo: an offline {} (the sandbox) at {} serving {}/{},",
        forge.name(),
        demo.sandbox.url(),
        hoist_demo::OWNER,
        hoist_demo::NAME
    )?;
    writeln!(
        out,
        "and a local clone at {clone}. Try, in another terminal:\n"
    )?;
    // Without a keyring, the token goes in the variable each forge's tools read.
    let variable = match forge {
        Forge::GitHub => format!("{}=", token::variables(hoist_demo::HOST)[0].0),
        Forge::GitLab => format!("GITLAB_HOST={} GITLAB_TOKEN=", hoist_demo::HOST),
    };
    let env = if signed_in.is_ok() {
        String::new()
    } else {
        format!("{variable}{} ", hoist_demo::TOKEN)
    };
    for line in [
        format!("hoist status --repo {clone}"),
        format!("hoist plan --repo {clone} --from dev --to qa"),
        format!("{env}hoist promote --repo {clone} --from dev --to qa --yes"),
        format!("{env}hoist prs --repo {clone}"),
        format!("{env}hoist merge --repo {clone} 1 --wait"),
        format!("hoist fetch --repo {clone} && hoist status --repo {clone}"),
    ] {
        writeln!(out, "  {line}")?;
    }
    if let Err(e) = signed_in {
        writeln!(
            out,
            "\n({e}; hence {variable}… above: the token only opens this sandbox.)"
        )?;
    }
    writeln!(out, "\nCtrl-C stops the sandbox.")?;
    out.flush()?;
    let runtime = runtime()?;
    runtime.block_on(tokio::signal::ctrl_c())?;
    Ok(())
}
