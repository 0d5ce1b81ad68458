//! The pull request a plan becomes: branch name, title, body, labels and
//! reviewers, all derived from the plan so that a retry derives the same ones.
//!
//! Invariant: a blocked plan (a lock or a freeze) and a rollback only become
//! a request with a reason, and that reason is in the body.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::{PlanKind, PromotionPlan};
use crate::config::PrSettings;

/// Where Hoist's own pull requests carry their plan, hidden in the body.
pub const MARKER: &str = "<!-- hoist:";

/// A pull request ready to be opened on GitHub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullRequestDraft {
    /// The branch to create, the same for the same change every time.
    pub branch: String,
    /// The branch the pull request merges into (the target's).
    pub base_branch: String,
    /// The commit the change is built on: the plan's base.
    pub base: String,
    /// The title.
    pub title: String,
    /// The body, Markdown, ending in the hidden marker.
    pub body: String,
    /// Labels from configuration.
    pub labels: Vec<String>,
    /// Reviewers (users, or `org/team`) from configuration.
    pub reviewers: Vec<String>,
    /// What the marker says.
    pub marker: Marker,
}

/// What Hoist writes into its pull requests so it recognises them later:
/// which environment they change, to which versions, from which base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Marker {
    /// `promotion` or `rollback`.
    pub kind: String,
    /// The environment the pull request changes.
    pub target: String,
    /// Where versions come from (an environment, or the target itself for a rollback).
    pub source: String,
    /// Per app, the version it gets, sorted by app.
    pub apps: Vec<(String, String)>,
    /// The base commit.
    pub base: String,
    /// The release train the pull request is part of; absent from the
    /// markers of single promotions (and of Hoist before trains).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub train: Option<String>,
}

impl Marker {
    /// The marker in a pull request body, when Hoist wrote one.
    pub fn find(body: &str) -> Option<Marker> {
        let start = body.rfind(MARKER)? + MARKER.len();
        let end = start + body[start..].find("-->")?;
        serde_json::from_str(body[start..end].trim()).ok()
    }

    /// Whether another pull request does the same thing: the same kind of
    /// change to the same environment for the same apps.
    pub fn same_change(&self, other: &Marker) -> bool {
        let names = |m: &Marker| m.apps.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>();
        self.kind == other.kind && self.target == other.target && names(self) == names(other)
    }
}

/// Why a plan cannot become a pull request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A lock or freeze applies and no reason was given.
    #[error(
        "{0}. To go ahead anyway, give the reason for the override; it goes into the pull request"
    )]
    Blocked(String),
    /// Rollbacks say why.
    #[error("a rollback needs a reason; it goes into the pull request")]
    ReasonRequired,
    /// A comparison of two points is a view, not a change.
    #[error("a comparison of two points cannot be opened as a pull request")]
    Comparison,
}

impl PromotionPlan {
    /// The pull request this plan becomes, named and labelled as `settings`
    /// say. `reason` is required to override a lock or freeze and for a
    /// rollback; a blank reason counts as none.
    pub fn pull_request(
        &self,
        settings: &PrSettings,
        reason: Option<&str>,
    ) -> Result<PullRequestDraft, Error> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let blocks: Vec<&str> = self
            .warnings
            .iter()
            .filter(|w| w.blocks())
            .map(|w| w.message())
            .collect();
        match (self.kind, reason) {
            (PlanKind::Comparison, _) => return Err(Error::Comparison),
            (_, None) if !blocks.is_empty() => return Err(Error::Blocked(blocks.join("; "))),
            (PlanKind::Rollback, None) => return Err(Error::ReasonRequired),
            _ => {}
        }
        let mut apps: Vec<(String, String)> = self
            .apps
            .iter()
            .map(|a| (a.app.clone(), a.to.clone()))
            .collect();
        apps.sort();
        let kind = match self.kind {
            PlanKind::Rollback => "rollback",
            _ => "promotion",
        };
        let marker = Marker {
            kind: kind.to_owned(),
            target: self.target.clone(),
            source: self.source.clone(),
            apps,
            base: self.base.clone(),
            train: self.train.clone(),
        };
        let pairs: Vec<(&str, &str)> = marker
            .apps
            .iter()
            .map(|(a, v)| (a.as_str(), v.as_str()))
            .collect();
        let title = match self.kind {
            PlanKind::Rollback => {
                let names: Vec<&str> = pairs.iter().map(|(a, _)| *a).collect();
                format!(
                    "Roll back {} in {} to {}",
                    names.join(", "),
                    self.target,
                    short(&self.source_commit)
                )
            }
            _ => settings.title_for(&pairs, &self.target),
        };
        Ok(PullRequestDraft {
            branch: branch_name(&settings.branch_prefix, &marker),
            base_branch: self.target_branch.clone(),
            base: self.base.clone(),
            title,
            body: self.body(reason, &blocks, &marker),
            labels: settings.labels.clone(),
            reviewers: settings.reviewers.clone(),
            marker,
        })
    }

    fn body(&self, reason: Option<&str>, blocks: &[&str], marker: &Marker) -> String {
        let mut b = String::new();
        let _ = match self.kind {
            PlanKind::Rollback => writeln!(
                b,
                "Rolls back {} to its versions at `{}`.",
                code(&self.target),
                short(&self.source_commit)
            ),
            _ => writeln!(
                b,
                "Promotes from {} to {}.",
                code(&self.source),
                code(&self.target)
            ),
        };
        b.push_str("\n| App | From | To | File |\n|---|---|---|---|\n");
        for a in &self.apps {
            let to = match &a.compare {
                Some(url) => format!("{} ([changes]({}))", code(&a.to), url.replace(' ', "%20")),
                None => code(&a.to),
            };
            let _ = writeln!(
                b,
                "| {} | {} | {to} | {} |",
                inline(&a.app),
                code(&a.from),
                code(&a.file)
            );
        }
        if let Some(train) = &self.train {
            let _ = writeln!(
                b,
                "\nPart of the release train {} from {} to {}.",
                code(train),
                code(&self.source),
                code(&self.target)
            );
        }
        if let Some(reason) = reason {
            let _ = writeln!(b, "\n**Reason:** {}", inline(reason));
        }
        if !blocks.is_empty() {
            b.push_str("\n**Overrides:**\n");
            for block in blocks {
                let _ = writeln!(b, "- {}", inline(block));
            }
        }
        let notes: Vec<&str> = self
            .warnings
            .iter()
            .filter(|w| !w.blocks())
            .map(|w| w.message())
            .collect();
        if !notes.is_empty() {
            b.push_str("\n**Warnings seen in the preview:**\n");
            for note in notes {
                let _ = writeln!(b, "- {}", inline(note));
            }
        }
        let diffs: Vec<_> = self.files.iter().map(|f| f.diff(0)).collect();
        let (added, removed) = diffs
            .iter()
            .fold((0, 0), |(a, r), d| (a + d.added, r + d.removed));
        let _ = writeln!(
            b,
            "\n**Diff:** {} file{} changed, +{added} −{removed}",
            diffs.len(),
            if diffs.len() == 1 { "" } else { "s" }
        );
        for d in &diffs {
            let _ = writeln!(b, "- {} +{} −{}", code(&d.path), d.added, d.removed);
        }
        if !self.changelog.is_empty() {
            let _ = writeln!(b, "\n**Changelog** (on {}):", code(&self.source));
            for change in &self.changelog {
                let c = &change.commit;
                let pr = c.change.map(|n| format!(" ({n})")).unwrap_or_default();
                let _ = writeln!(
                    b,
                    "- `{}` {} {} → {}: {}{pr}",
                    short(&c.id),
                    inline(&change.app),
                    inline(change.from.as_deref().unwrap_or("∅")),
                    inline(&change.to),
                    inline(&c.subject)
                );
            }
        }
        release_notes(&mut b, &self.dry_changes, &self.source_notes);
        let _ = writeln!(
            b,
            "\nBuilt by Hoist on {} at {}.",
            code(&self.target_branch),
            code(&self.base)
        );
        let _ = writeln!(b, "\n{MARKER} {} -->", marker_json(marker));
        b
    }
}

/// At most this many bytes of a body are release notes: GitHub refuses a
/// body over 65,536 characters, and the rest of it must fit too.
const NOTES_BUDGET: usize = 40_000;

/// One collapsed section of release notes in a body.
struct NotesBlock<'a> {
    /// What the `<summary>` says.
    summary: String,
    notes: &'a [crate::notes::Note],
    /// The source repository the notes were read from; `None` for the
    /// GitOps repository's own dry branch, whose `#12` the forge links.
    source: Option<&'a crate::source::SourceRef>,
    /// Where to read the notes the budget or the reading left out.
    rest: String,
    /// The reading itself left some out.
    truncated: bool,
}

/// The release notes, one collapsed section per dry range and per app read
/// from its source repository, breaking changes first; past
/// [`NOTES_BUDGET`], a line says how many were left out and where to read
/// them.
fn release_notes(
    b: &mut String,
    ranges: &[crate::hydrator::DryChanges],
    sources: &[crate::notes::SourceNotes],
) {
    let dry = ranges.iter().map(|d| NotesBlock {
        summary: format!(
            "Release notes: {} ({} → {})",
            inline(&d.apps.join(", ")),
            code(short(&d.from)),
            code(short(&d.to))
        ),
        notes: &d.notes,
        source: None,
        rest: format!(
            "the dry branch's `git log {}..{}` has them all",
            short(&d.from),
            short(&d.to)
        ),
        truncated: false,
    });
    let read = sources.iter().map(|s| NotesBlock {
        summary: format!(
            "Release notes: {} ({} → {}, {})",
            inline(&s.app),
            code(&s.source.from_tag),
            code(&s.source.to_tag),
            inline(&s.source.path)
        ),
        notes: &s.notes,
        source: Some(&s.source),
        rest: format!(
            "[the comparison]({}) has all {} commits",
            s.source.compare_url().replace([' ', ')'], "%20"),
            s.commits
        ),
        truncated: s.truncated,
    });
    let start = b.len();
    for block in dry.chain(read).filter(|n| !n.notes.is_empty()) {
        notes_block(b, &block, start);
    }
}

fn notes_block(b: &mut String, block: &NotesBlock<'_>, start: usize) {
    use crate::notes::{Reference, Section};
    let _ = writeln!(b, "\n<details><summary>{}</summary>\n", block.summary);
    // A reference into the source repository is written as a link: `#12`
    // in this repository's pull request would name one of its own.
    let link = |sigil: char, number: u64, url: String| match block.source {
        Some(s) => format!("[{}{sigil}{number}]({url})", inline(&s.path)),
        None => format!("{sigil}{number}"),
    };
    let mut section = None;
    let mut left_out = block.truncated;
    for (i, n) in block.notes.iter().enumerate() {
        if b.len() - start > NOTES_BUDGET {
            let _ = writeln!(b, "\n…and {} more.", block.notes.len() - i);
            left_out = true;
            break;
        }
        if section != Some(n.section) {
            section = Some(n.section);
            let title = match n.section {
                Section::Breaking => "Breaking changes",
                Section::Features => "Features",
                Section::Fixes => "Fixes",
                Section::Other => "Other changes",
            };
            let _ = writeln!(b, "\n**{title}**\n");
        }
        let scope = n
            .scope
            .as_ref()
            .map(|s| format!("**{}:** ", quiet(s)))
            .unwrap_or_default();
        let base = block.source.map(|s| (s.forge, s.url.as_str()));
        let change = n
            .change
            .map(|c| {
                let url = base.map_or_else(String::new, |(f, u)| f.change_url(u, c.number));
                format!(" ({})", link(c.forge.sigil(), c.number, url))
            })
            .unwrap_or_default();
        let refs: Vec<String> = n
            .references
            .iter()
            .map(|r| match r {
                Reference::Issue { number } => {
                    let url = base.map_or_else(String::new, |(f, u)| f.issue_url(u, *number));
                    link('#', *number, url)
                }
                Reference::Ticket { key, url } => {
                    format!("[{}]({})", inline(key), url.replace([' ', ')'], "%20"))
                }
            })
            .collect();
        let refs = if refs.is_empty() {
            String::new()
        } else {
            format!(" — {}", refs.join(", "))
        };
        let _ = writeln!(
            b,
            "- {scope}{}{change}{refs} · {} · {}",
            quiet(&n.text),
            quiet(&n.author),
            code(short(&n.commit))
        );
        if let Some(breaking) = n.breaking.as_ref().filter(|t| **t != n.text) {
            let _ = writeln!(b, "  > {}", quiet(breaking));
        }
    }
    if left_out {
        let _ = writeln!(b, "\nNot all are shown here; {}.", block.rest);
    }
    b.push_str("\n</details>\n");
}

/// Untrusted text of release notes on one line: as [`inline`], and an `@`
/// cannot mention (and so notify) anyone from Hoist's pull request.
fn quiet(text: &str) -> String {
    inline(text).replace('@', "@\u{200b}")
}

/// The marker as JSON that cannot end the comment holding it or start
/// another: `<`, `>` and `&` are written as `\u` escapes, which read back
/// the same, so a version or app name carrying `-->` or `<!-- hoist:` stays
/// inside its string.
fn marker_json(marker: &Marker) -> String {
    serde_json::to_string(marker)
        .expect("a marker serialises")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Untrusted text (names, versions, subjects) as one line of a Markdown
/// table cell or list item: line breaks become spaces, `|` cannot end the
/// cell, and `<` cannot open HTML (or a comment hiding the rest).
fn inline(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
        .replace('|', "\\|")
        .replace('<', "&lt;")
}

/// Untrusted text as a code span on one line: the fence is one backtick
/// longer than any run inside, as CommonMark requires, and `|` is escaped
/// (inside tables GitHub reads `\|` in a code span as `|`). A code span
/// shows `<` only as itself, so text holding one (which could spell a
/// marker or a comment in the raw body) is written as escaped plain text.
fn code(text: &str) -> String {
    if text.contains('<') {
        return literal(text);
    }
    let text = text.replace(['\r', '\n'], " ").replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span starting or ending with a backtick needs a space inside the fence.
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Untrusted text shown exactly as plain Markdown on one line: every ASCII
/// punctuation character is backslash-escaped, `<` and `&` are entities.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The first seven characters of a commit id (or of anything else given,
/// cut on a character boundary).
fn short(id: &str) -> &str {
    let end = id.char_indices().nth(7).map_or(id.len(), |(i, _)| i);
    &id[..end]
}

/// `<prefix>/<target>/<app>-<version>[+<app>-<version>…]`, `rollback-` before
/// the apps of a rollback; characters git does not allow in ref names become
/// `-`, and a name too long for comfort ends in a hash of the whole instead.
fn branch_name(prefix: &str, marker: &Marker) -> String {
    let apps: Vec<String> = marker
        .apps
        .iter()
        .map(|(app, version)| {
            // A digest is long and all its characters are safe; 12 suffice.
            let version = match version.split_once(':') {
                Some((algo, hex)) if algo.starts_with("sha") => {
                    format!("{algo}-{}", hex.chars().take(12).collect::<String>())
                }
                _ => version.clone(),
            };
            format!("{app}-{version}")
        })
        .collect();
    let kind = if marker.kind == "rollback" {
        "rollback-"
    } else {
        ""
    };
    // One component: a `/` in a name or version would nest branches.
    let mut leaf = component(&format!("{kind}{}", apps.join("+")));
    if leaf.len() > 100 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in leaf.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        let cut = (0..=80)
            .rev()
            .find(|i| leaf.is_char_boundary(*i))
            .unwrap_or(0);
        leaf = format!("{}-{hash:016x}", &leaf[..cut]);
    }
    format!("{}{leaf}", branch_space(prefix, &marker.target))
}

/// `<prefix>/<target>/`: where every branch Hoist makes for a change to
/// `target` is, and the only branches it ever moves.
pub fn branch_space(prefix: &str, target: &str) -> String {
    format!("{}/{}/", sanitise(prefix), component(target))
}

/// A ref name of one or more components, each made valid by [`component`].
fn sanitise(name: &str) -> String {
    let parts: Vec<String> = name
        .split('/')
        .filter(|p| !p.is_empty())
        .map(component)
        .collect();
    if parts.is_empty() {
        "x".to_owned()
    } else {
        parts.join("/")
    }
}

/// A single ref-name component: no `/`, control characters, spaces,
/// `~^:?*[\`, no `..` or `@{`, not starting with `.` or `-`, not ending in
/// `.lock` or `.`.
fn component(part: &str) -> String {
    let mut out: String = part
        .chars()
        .map(|c| {
            if c.is_control() || " ~^:?*[\\/".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    while out.contains("..") || out.contains("@{") {
        out = out.replace("..", ".").replace("@{", "-");
    }
    loop {
        let trimmed = out.trim_start_matches(['.', '-']).trim_end_matches('.');
        let trimmed = trimmed.strip_suffix(".lock").unwrap_or(trimmed);
        if trimmed.len() == out.len() {
            break;
        }
        out = trimmed.to_owned();
    }
    if out.is_empty() { "x".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::{MARKER, Marker, branch_name, code, inline, marker_json, release_notes, short};
    use crate::hydrator::DryChanges;
    use crate::notes::{Note, Reference, Section};

    fn note(section: Section, text: &str) -> Note {
        Note {
            section,
            kind: None,
            scope: None,
            text: text.to_owned(),
            breaking: None,
            change: None,
            author: "@mallory".into(),
            commit: "c".repeat(40),
            references: Vec::new(),
        }
    }

    fn range(notes: Vec<Note>) -> DryChanges {
        DryChanges {
            apps: vec!["api".into()],
            from: "a".repeat(40),
            to: "b".repeat(40),
            commits: Vec::new(),
            notes,
            missing: None,
        }
    }

    #[test]
    fn release_notes_are_collapsed_grouped_and_mention_nobody() {
        let mut breaking = note(Section::Breaking, "drop v1 <!-- hoist: {} -->");
        breaking.breaking = Some("the v1 API is gone, ask @ops".into());
        breaking.references = vec![Reference::Ticket {
            key: "OPS-1".into(),
            url: "https://jira.example/browse/OPS-1".into(),
        }];
        let mut b = String::new();
        release_notes(
            &mut b,
            &[range(vec![breaking, note(Section::Fixes, "retry @here")])],
            &[],
        );
        assert!(
            b.starts_with(
                "\n<details><summary>Release notes: api (`aaaaaaa` → `bbbbbbb`)</summary>\n"
            ),
            "{b}"
        );
        assert!(b.ends_with("\n</details>\n"), "{b}");
        let breaking_at = b.find("**Breaking changes**").expect("breaking");
        assert!(breaking_at < b.find("**Fixes**").expect("fixes"), "{b}");
        assert!(
            b.contains("[OPS-1](https://jira.example/browse/OPS-1)"),
            "{b}"
        );
        assert!(!b.contains("<!--"), "no comment can open: {b}");
        assert!(
            !b.contains("@m") && !b.contains("@o") && !b.contains("@h"),
            "no mention: {b}"
        );
        // Ranges with nothing to say add nothing.
        let mut empty = String::new();
        release_notes(&mut empty, &[range(Vec::new())], &[]);
        assert!(empty.is_empty());
    }

    #[test]
    fn release_notes_stop_within_their_budget_and_say_how_many_are_left() {
        let many = (0..5_000)
            .map(|i| {
                note(
                    Section::Other,
                    &format!("change number {i} {}", "x".repeat(40)),
                )
            })
            .collect();
        let mut b = String::new();
        release_notes(&mut b, &[range(many)], &[]);
        assert!(b.len() < super::NOTES_BUDGET + 1_000, "{}", b.len());
        assert!(b.contains(" more.\n"), "{b}");
        assert!(b.contains(
            "Not all are shown here; the dry branch's `git log aaaaaaa..bbbbbbb` has them all."
        ));
        assert!(b.ends_with("\n</details>\n"));
    }

    #[test]
    fn release_notes_of_a_source_repository_link_into_it() {
        use crate::forge::{ChangeRef, Forge};
        let mut feature = note(Section::Features, "single sign-on");
        feature.change = Some(ChangeRef {
            forge: Forge::GitHub,
            number: 101,
        });
        feature.references = vec![Reference::Issue { number: 88 }];
        let source = crate::source::SourceRef {
            forge: Forge::GitHub,
            host: "github.com".into(),
            path: "acme/api".into(),
            url: "https://github.com/acme/api".into(),
            from_tag: "v1.4.2".into(),
            to_tag: "v1.5.0".into(),
            inferred: true,
        };
        let read = crate::notes::SourceNotes {
            app: "api".into(),
            source,
            notes: vec![feature],
            commits: 1_400,
            truncated: true,
        };
        let mut b = String::new();
        release_notes(&mut b, &[], &[read]);
        assert!(
            b.starts_with(
                "\n<details><summary>Release notes: api (`v1.4.2` → `v1.5.0`, acme/api)</summary>\n"
            ),
            "{b}"
        );
        // `#101` here would name the GitOps repository's own pull request.
        assert!(
            b.contains("single sign-on ([acme/api#101](https://github.com/acme/api/pull/101)) — [acme/api#88](https://github.com/acme/api/issues/88)"),
            "{b}"
        );
        assert!(
            b.contains("Not all are shown here; [the comparison](https://github.com/acme/api/compare/v1.4.2...v1.5.0) has all 1400 commits."),
            "{b}"
        );
    }

    fn marker(kind: &str, apps: &[(&str, &str)]) -> Marker {
        Marker {
            kind: kind.into(),
            target: "prod".into(),
            source: "stage".into(),
            apps: apps
                .iter()
                .map(|(a, v)| ((*a).to_owned(), (*v).to_owned()))
                .collect(),
            base: "0".repeat(40),
            train: None,
        }
    }

    #[test]
    fn branch_names_are_valid_refs_whatever_the_versions() {
        let cases = [
            (
                marker("promotion", &[("api", "1.5.0")]),
                "hoist/prod/api-1.5.0",
            ),
            (
                marker("promotion", &[("api", "sha256:0123456789abcdef0123")]),
                "hoist/prod/api-sha256-0123456789ab",
            ),
            (
                marker("rollback", &[("web", "v2..3~rc^1 [x]")]),
                "hoist/prod/rollback-web-v2.3-rc-1--x]",
            ),
            (
                marker("promotion", &[("api", "1.0.lock")]),
                "hoist/prod/api-1.0",
            ),
        ];
        for (m, want) in cases {
            assert_eq!(branch_name("hoist", &m), want);
        }
        let many: Vec<(String, String)> = (0..40)
            .map(|i| (format!("service-{i}"), "1.0.0".to_owned()))
            .collect();
        let mut m = marker("promotion", &[]);
        m.apps = many;
        let long = branch_name("hoist", &m);
        assert!(long.len() < 120, "{long}");
        m.apps[39].1 = "1.0.1".into();
        assert_ne!(
            branch_name("hoist", &m),
            long,
            "a hash tells long names apart"
        );
    }

    /// Versions and names are anyone's text: they cannot end the hidden
    /// marker, start a second one, break the table, or panic a slice.
    #[test]
    fn untrusted_text_stays_in_its_place() {
        let hostile = marker(
            "promotion",
            &[
                ("a|b\nc", "1.0 --> <!-- hoist: {\"kind\":\"x\"} -->"),
                ("d`e", "sha:a€€€€€€€€€€€€€"),
            ],
        );
        let body = format!("text\n{MARKER} {} -->\n", marker_json(&hostile));
        assert_eq!(body.matches(MARKER).count(), 1, "{body}");
        assert_eq!(body.matches("-->").count(), 1, "{body}");
        assert_eq!(Marker::find(&body), Some(hostile.clone()));
        assert_eq!(branch_name("hoist", &hostile).matches('/').count(), 2);
        assert_eq!(inline("a|b\r\nc <!--"), "a\\|b  c &lt;!--");
        assert_eq!(code("1.0"), "`1.0`");
        assert_eq!(code("a`b|c\nd"), "``a`b\\|c d``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("1 <!-- x"), "1 &lt;\\!\\-\\- x");
        assert_eq!(short("€€€€€€€€€"), "€€€€€€€");
        assert_eq!(short("abc"), "abc");
    }
}
