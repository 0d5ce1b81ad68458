//! Plans and histories as text for a terminal.

use hoist_api::notes::{AppNotes, NotesOutcome};
use hoist_core::history::{ChangeKind, Release, VersionChange};
use hoist_core::notes::{Note, Reference, Section};
use hoist_core::plan::{Edit, PlanKind, PromotionPlan};

use crate::diffview::Layout;
use crate::table::{age, shorten};

use crate::diffview::{BOLD, GREEN, RESET, YELLOW};

/// Release notes grouped under their sections, breaking changes first.
fn release_notes(notes: &[Note], paint: &dyn Fn(&str, &str) -> String) -> String {
    let mut out = String::new();
    let mut section = None;
    for n in notes {
        if section != Some(n.section) {
            section = Some(n.section);
            let title = match n.section {
                Section::Breaking => paint(YELLOW, "  Breaking changes"),
                Section::Features => "  Features".to_owned(),
                Section::Fixes => "  Fixes".to_owned(),
                Section::Other => "  Other changes".to_owned(),
            };
            out.push_str(&title);
            out.push('\n');
        }
        let scope = n
            .scope
            .as_ref()
            .map(|s| format!("{s}: "))
            .unwrap_or_default();
        let change = n.change.map(|c| format!(" ({c})")).unwrap_or_default();
        let refs: Vec<String> = n
            .references
            .iter()
            .map(|r| match r {
                Reference::Issue { number } => format!("#{number}"),
                Reference::Ticket { key, url } => format!("{key} <{url}>"),
            })
            .collect();
        let refs = if refs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", refs.join(", "))
        };
        out.push_str(&format!(
            "    - {scope}{}{change}{refs}  {}\n",
            n.text, n.author
        ));
        if let Some(breaking) = n.breaking.as_ref().filter(|b| **b != n.text) {
            out.push_str(&format!("      {}\n", paint(YELLOW, breaking)));
        }
    }
    if notes.is_empty() {
        out.push_str("  (no commits between them)\n");
    }
    out
}

/// One app's notes from its source repository, or why there are none.
fn source_notes(read: &AppNotes, paint: &dyn Fn(&str, &str) -> String) -> String {
    let s = &read.source;
    let inferred = if s.inferred {
        " (inferred from its image; set source in .hoist.yaml if wrong)"
    } else {
        ""
    };
    let mut out = format!(
        "\n{}{inferred}\n",
        paint(
            BOLD,
            &format!(
                "release notes for {} {} → {} from {}",
                read.app, s.from_tag, s.to_tag, s.url
            )
        )
    );
    match &read.outcome {
        NotesOutcome::Ready {
            notes,
            commits,
            truncated,
        } => {
            out.push_str(&release_notes(notes, paint));
            if *truncated {
                out.push_str(&format!(
                    "  (not all of the {commits} commits were read: {})\n",
                    s.compare_url()
                ));
            }
        }
        NotesOutcome::Unavailable { message, .. } => {
            out.push_str(&format!(
                "  {}\n",
                paint(YELLOW, &format!("notes unavailable: {message}"))
            ));
        }
    }
    out
}

/// The value-level changes, the warnings, the changelog, then every file's diff.
pub fn plan(
    plan: &PromotionPlan,
    context: usize,
    layout: Layout,
    colour: bool,
    notes: Option<&[AppNotes]>,
) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let verb = match plan.kind {
        PlanKind::Promotion => "promote",
        PlanKind::Rollback => "roll back",
        PlanKind::Comparison => "compare",
    };
    let short = |id: &str| id[..id.len().min(12)].to_owned();
    let header = match plan.kind {
        PlanKind::Promotion => match &plan.head {
            Some(head) => format!(
                "{} → {} by merging {head} at {} (base {} on {})",
                plan.source,
                plan.target,
                short(&plan.source_commit),
                short(&plan.base),
                plan.target_branch
            ),
            None => format!(
                "{} → {} (base {} on {})",
                plan.source,
                plan.target,
                short(&plan.base),
                plan.target_branch
            ),
        },
        PlanKind::Rollback => format!(
            "{} to its state at {} (base {} on {})",
            plan.target,
            short(&plan.source_commit),
            short(&plan.base),
            plan.target_branch
        ),
        PlanKind::Comparison => format!(
            "{}@{} → {}@{}",
            plan.target,
            short(&plan.base),
            plan.source,
            short(&plan.source_commit)
        ),
    };
    let mut out = format!("{} {header}\n\n", paint(BOLD, verb));
    let width = plan.apps.iter().map(|a| a.app.len()).max().unwrap_or(0);
    for a in &plan.apps {
        let how = match a.edit {
            Edit::Override => format!("   (added: {} inherited it from its base)", plan.target),
            Edit::Base => "   (the base itself)".to_owned(),
            Edit::Value | Edit::Files => String::new(),
        };
        out.push_str(&format!(
            "  {:<width$}  {} → {}   {}{how}\n",
            a.app,
            shorten(&a.from),
            paint(GREEN, &shorten(&a.to)),
            a.file
        ));
        if let Some(url) = &a.compare {
            out.push_str(&format!("  {:<width$}  {url}\n", ""));
        }
    }
    if !plan.warnings.is_empty() {
        out.push('\n');
        for w in &plan.warnings {
            let label = if w.blocks() { "blocked:" } else { "warning:" };
            out.push_str(&format!("{} {}\n", paint(YELLOW, label), w.message()));
        }
    }
    if !plan.changelog.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            paint(BOLD, &format!("changelog on {}", plan.source))
        ));
        for change in &plan.changelog {
            let c = &change.commit;
            let pr = c.change.map(|n| format!(" {n}")).unwrap_or_default();
            out.push_str(&format!(
                "  {}  {}  {} → {}{pr}  {}\n",
                &c.id[..c.id.len().min(7)],
                change.app,
                change.from.as_deref().unwrap_or("∅"),
                change.to,
                c.subject
            ));
        }
    }
    for dry in &plan.dry_changes {
        let range = format!(
            "{} ({} → {})",
            dry.apps.join(", "),
            shorten(&dry.from),
            shorten(&dry.to)
        );
        if notes.is_some() {
            out.push_str(&format!(
                "\n{}\n",
                paint(BOLD, &format!("release notes for {range}"))
            ));
            out.push_str(&release_notes(&dry.notes, &paint));
        } else {
            out.push_str(&format!(
                "\n{}\n",
                paint(BOLD, &format!("dry commits for {range}"))
            ));
            for c in &dry.commits {
                out.push_str(&format!(
                    "  {}  {}  {}\n",
                    &c.id[..c.id.len().min(7)],
                    c.subject,
                    c.author
                ));
            }
        }
        if let Some(why) = &dry.missing {
            out.push_str(&format!("  ({why})\n"));
        }
    }
    for read in notes.unwrap_or_default() {
        out.push_str(&source_notes(read, &paint));
    }
    for file in &plan.files {
        out.push('\n');
        out.push_str(&crate::diffview::file(&file.diff(context), layout, colour));
    }
    out
}

/// `2026-11-20 17:02 +0100  a1b2c3d  api  1.4.2 → 1.5.0  promotion #34  alice (3d)`
pub fn history_line(change: &VersionChange, now: i64) -> String {
    let c = &change.commit;
    let when = jiff::Timestamp::from_second(c.time)
        .ok()
        .and_then(|t| {
            jiff::tz::Offset::from_seconds(c.offset)
                .ok()
                .map(|o| t.to_zoned(o.to_time_zone()))
        })
        .map_or_else(
            || c.time.to_string(),
            |z| z.strftime("%Y-%m-%d %H:%M %z").to_string(),
        );
    let kind = match change.kind {
        ChangeKind::Initial => "initial",
        ChangeKind::Rollback => "rollback",
        ChangeKind::Promotion => "promotion",
        ChangeKind::DirectEdit => "direct edit",
    };
    let pr = c.change.map(|n| format!(" {n}")).unwrap_or_default();
    let from = change.from.as_deref().map_or("∅".to_owned(), shorten);
    format!(
        "{when}  {}  {}  {from} → {}  {kind}{pr}  {} ({})",
        &c.id[..c.id.len().min(7)],
        change.app,
        shorten(&change.to),
        c.author,
        age(now - c.time)
    )
}

/// The combined history: one row per app version, its arrival date in each
/// environment and its lead time from the first environment to the last.
pub fn releases(config: &hoist_core::Config, releases: &[Release]) -> String {
    let mut rows = vec![{
        let mut h = vec!["app".to_owned(), "version".to_owned()];
        h.extend(config.environments.iter().map(|e| e.name.clone()));
        h.push("lead time".to_owned());
        h
    }];
    for r in releases {
        let mut row = vec![r.app.clone(), r.version.clone()];
        row.extend(r.arrivals.iter().map(|a| match a {
            Some(a) => jiff::Timestamp::from_second(a.commit.time).map_or_else(
                |_| "?".to_owned(),
                |t| t.strftime("%Y-%m-%d %H:%M").to_string(),
            ),
            None => "-".to_owned(),
        }));
        row.push(r.lead_time.map_or_else(|| "-".to_owned(), duration));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// A lead time such as `2d 4h` or `35m`.
fn duration(seconds: i64) -> String {
    let (d, h, m) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}
