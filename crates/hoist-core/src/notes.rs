//! Release notes: what a version delta brings, read from its commits'
//! messages the way release tooling writes them. Conventional Commits
//! (`feat(api)!: …`, a `BREAKING CHANGE:` footer) name the kind of change;
//! where a message follows no convention, the change request's labels do
//! (`breaking`, `feature`, `bug`). Breaking changes come first, then
//! features, fixes and the rest.
//!
//! Messages are untrusted text: nothing here fails on them, and what is
//! kept of them is bounded ([`MOST_REFERENCES`], [`MOST_TEXT`]).

use serde::{Deserialize, Serialize};

use crate::forge::ChangeRef;

/// At most this many issue and ticket references are kept per note.
pub const MOST_REFERENCES: usize = 10;
/// At most this many characters of a title or breaking-change text are kept.
pub const MOST_TEXT: usize = 300;

/// Where a note goes in the release notes, in the order they are shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Changes that need something of whoever runs the app.
    Breaking,
    /// New behaviour (`feat`).
    Features,
    /// Corrections (`fix`).
    Fixes,
    /// Everything else: chores, docs, refactors, messages with no type.
    Other,
}

/// An issue or ticket a change names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reference {
    /// `#123`: an issue of the repository the change is in.
    Issue {
        /// Its number.
        #[ts(type = "number")]
        number: u64,
    },
    /// `ABC-123`: a ticket of the configured tracker.
    Ticket {
        /// The key.
        key: String,
        /// Its page, from the configured URL.
        url: String,
    },
}

/// One change of the release notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Note {
    /// Where it goes.
    pub section: Section,
    /// The Conventional Commit type (`feat`, `fix`, `chore`…), when the
    /// title has one.
    pub kind: Option<String>,
    /// The Conventional Commit scope (`api` of `feat(api): …`).
    pub scope: Option<String>,
    /// The title without its type, scope and trailing change reference.
    pub text: String,
    /// For a breaking change, what breaks: the `BREAKING CHANGE:` footer,
    /// else the title.
    pub breaking: Option<String>,
    /// The change request it came through.
    pub change: Option<ChangeRef>,
    /// Who wrote it.
    pub author: String,
    /// The commit.
    pub commit: String,
    /// Issues and tickets named in its title and body.
    pub references: Vec<Reference>,
}

/// The release notes of one app's version delta, read from its source
/// repository: what a promotion's pull request says the new version brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceNotes {
    /// The app.
    pub app: String,
    /// Where they were read, and between which tags.
    pub source: crate::source::SourceRef,
    /// Grouped, breaking changes first.
    pub notes: Vec<Note>,
    /// How many commits the tags are apart.
    pub commits: usize,
    /// Whether some were left out (a very long delta).
    pub truncated: bool,
}

/// A commit (or a merged change request) as the notes read it.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The commit's full id.
    pub commit: &'a str,
    /// Its author.
    pub author: &'a str,
    /// The whole message: subject, body, footers.
    pub message: &'a str,
    /// The change request it came through.
    pub change: Option<ChangeRef>,
    /// The change request's labels, when known.
    pub labels: &'a [String],
}

/// Where ticket keys link to (`.hoist.yaml`'s `tickets:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tickets<'a> {
    /// The page of a ticket, `{key}` where its key goes.
    pub url: &'a str,
    /// The tracker's project keys (`ABC`); any key-shaped word when empty.
    pub projects: &'a [String],
}

/// The notes of `messages`, breaking changes first, then features, fixes
/// and the rest, each section in the order given (newest first, as history
/// reads). Merge commits that only say "Merge branch…" without a title
/// after them are left out: the commits they merged say it.
pub fn notes<'a>(
    messages: impl IntoIterator<Item = Message<'a>>,
    tickets: Option<&Tickets<'_>>,
) -> Vec<Note> {
    let mut notes: Vec<Note> = messages
        .into_iter()
        .filter_map(|m| note(&m, tickets))
        .collect();
    // Stable: within a section, the order given.
    notes.sort_by_key(|n| n.section);
    notes
}

/// The note of one message; `None` for a merge with nothing to say.
pub fn note(m: &Message<'_>, tickets: Option<&Tickets<'_>>) -> Option<Note> {
    let (title, body) = title_and_body(m.message)?;
    let parsed = conventional(title);
    let label = |names: &[&str]| {
        m.labels
            .iter()
            .any(|l| names.iter().any(|n| l.eq_ignore_ascii_case(n)))
    };
    let footer = breaking_footer(body);
    let breaking = parsed.as_ref().is_some_and(|c| c.bang)
        || footer.is_some()
        || label(&["breaking", "breaking-change", "breaking change"]);
    let kind = parsed.as_ref().map(|c| c.kind.to_ascii_lowercase());
    let section = if breaking {
        Section::Breaking
    } else {
        match kind.as_deref() {
            Some("feat" | "feature") => Section::Features,
            Some("fix" | "bugfix" | "hotfix") => Section::Fixes,
            Some(_) => Section::Other,
            None if label(&["feature", "enhancement", "feat"]) => Section::Features,
            None if label(&["bug", "fix", "bugfix"]) => Section::Fixes,
            None => Section::Other,
        }
    };
    let text = parsed.as_ref().map_or(title, |c| c.description);
    let text = bounded(strip_change(text, m.change));
    Some(Note {
        section,
        scope: parsed.as_ref().and_then(|c| c.scope.map(bounded)),
        kind,
        breaking: breaking.then(|| footer.map_or_else(|| text.clone(), bounded)),
        text,
        change: m.change,
        author: m.author.to_owned(),
        commit: m.commit.to_owned(),
        references: references(m.message, m.change, tickets),
    })
}

/// The title and body of a message. A merge commit's own subject ("Merge
/// pull request #12 from …", "Merge branch 'x' into 'main'") says nothing
/// of the change: the change request's title follows it in the body.
fn title_and_body(message: &str) -> Option<(&str, &str)> {
    let message = message.trim_start();
    let (subject, body) = message.split_once('\n').unwrap_or((message, ""));
    let subject = subject.trim();
    if subject.starts_with("Merge pull request #") || subject.starts_with("Merge branch ") {
        let mut lines = body.lines().map(str::trim);
        let title = lines.find(|l| !l.is_empty() && !l.starts_with("See merge request "))?;
        let rest = body.split_once(title).map_or("", |(_, r)| r);
        return Some((title, rest));
    }
    (!subject.is_empty()).then_some((subject, body))
}

/// A Conventional Commit title's parts.
struct Conventional<'a> {
    kind: &'a str,
    scope: Option<&'a str>,
    bang: bool,
    description: &'a str,
}

/// `type(scope)!: description`, with a type of letters and a scope without
/// parentheses; `None` for a title that is not one.
fn conventional(title: &str) -> Option<Conventional<'_>> {
    let (head, description) = title.split_once(": ")?;
    let (head, bang) = match head.strip_suffix('!') {
        Some(h) => (h, true),
        None => (head, false),
    };
    let (kind, scope) = match head.split_once('(') {
        Some((kind, rest)) => {
            let scope = rest.strip_suffix(')')?;
            if scope.is_empty() || scope.contains(['(', ')']) {
                return None;
            }
            (kind, Some(scope))
        }
        None => (head, None),
    };
    let description = description.trim();
    (!kind.is_empty()
        && kind.len() <= 20
        && kind.bytes().all(|b| b.is_ascii_alphabetic())
        && !description.is_empty())
    .then_some(Conventional {
        kind,
        scope,
        bang,
        description,
    })
}

/// The text of a `BREAKING CHANGE:` (or `BREAKING-CHANGE:`) footer.
fn breaking_footer(body: &str) -> Option<&str> {
    body.lines().find_map(|line| {
        let line = line.trim();
        ["BREAKING CHANGE:", "BREAKING-CHANGE:"]
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .map(str::trim)
            .filter(|t| !t.is_empty())
    })
}

/// `text` without the ` (#12)` a squash merge appends for the change it
/// came through: the note names that change on its own.
fn strip_change(text: &str, change: Option<ChangeRef>) -> &str {
    let Some(change) = change else { return text };
    let suffix = format!(" ({}{})", change.forge.sigil(), change.number);
    text.strip_suffix(&suffix).unwrap_or(text).trim_end()
}

/// At most [`MOST_TEXT`] characters of `text`, on one line.
fn bounded(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(MOST_TEXT) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// The issues (`#123`, not the change's own number) and, with a tracker
/// configured, the tickets (`ABC-123`) `message` names, each once, in the
/// order they appear.
fn references(
    message: &str,
    change: Option<ChangeRef>,
    tickets: Option<&Tickets<'_>>,
) -> Vec<Reference> {
    let own = change.map(|c| c.number);
    let mut found: Vec<Reference> = Vec::new();
    let bytes = message.as_bytes();
    let mut i = 0;
    while i < bytes.len() && found.len() < MOST_REFERENCES {
        let starts_word = i == 0 || !is_word(bytes[i - 1]);
        let reference = if !starts_word {
            None
        } else if bytes[i] == b'#' {
            issue(&message[i + 1..])
                .filter(|(n, _)| Some(*n) != own)
                .map(|(number, len)| (Reference::Issue { number }, len + 1))
        } else if bytes[i].is_ascii_uppercase() {
            tickets.and_then(|t| ticket(&message[i..], t))
        } else {
            None
        };
        match reference {
            Some((r, len)) => {
                if !found.contains(&r) {
                    found.push(r);
                }
                i += len;
            }
            None => i += 1,
        }
    }
    found
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'/'
}

/// The issue number at the start of `rest` (after its `#`) and its length.
fn issue(rest: &str) -> Option<(u64, usize)> {
    let len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let ends_word = rest.as_bytes().get(len).is_none_or(|&b| !is_word(b));
    if len == 0 || len > 9 || !ends_word {
        return None;
    }
    Some((rest[..len].parse().ok()?, len))
}

/// Words shaped like ticket keys that are not: encodings, standards.
const NOT_TICKETS: &[&str] = &["UTF", "ISO", "RFC", "CVE", "SHA", "TLS", "HTTP", "X"];

/// The ticket key at the start of `rest` (`ABC-123`) and its length.
fn ticket(rest: &str, tickets: &Tickets<'_>) -> Option<(Reference, usize)> {
    let project_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    let project = &rest[..project_len];
    let digits = rest[project_len..].strip_prefix('-')?;
    let number_len = digits.bytes().take_while(u8::is_ascii_digit).count();
    let len = project_len + 1 + number_len;
    let ends_word = rest.as_bytes().get(len).is_none_or(|&b| !is_word(b));
    let known = if tickets.projects.is_empty() {
        project_len >= 2 && !NOT_TICKETS.contains(&project)
    } else {
        tickets.projects.iter().any(|p| p == project)
    };
    if !known || number_len == 0 || number_len > 9 || digits.starts_with('0') || !ends_word {
        return None;
    }
    let key = &rest[..len];
    Some((
        Reference::Ticket {
            key: key.to_owned(),
            url: tickets.url.replace("{key}", key),
        },
        len,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::Forge;

    fn message<'a>(message: &'a str, labels: &'a [String]) -> Message<'a> {
        Message {
            commit: "c0ffee",
            author: "Alice",
            message,
            change: crate::forge::change_ref(message),
            labels,
        }
    }

    fn read(text: &str) -> Note {
        note(&message(text, &[]), None).expect("a note")
    }

    #[test]
    fn conventional_titles_say_the_section_scope_and_breaking() {
        let n = read("feat(api): stream the audit log (#412)");
        assert_eq!(n.section, Section::Features);
        assert_eq!(n.kind.as_deref(), Some("feat"));
        assert_eq!(n.scope.as_deref(), Some("api"));
        assert_eq!(n.text, "stream the audit log");
        assert_eq!(
            n.change,
            Some(ChangeRef {
                forge: Forge::GitHub,
                number: 412
            })
        );
        assert_eq!(
            read("fix: no panic on empty config").section,
            Section::Fixes
        );
        assert_eq!(read("chore(deps): bump serde").section, Section::Other);
        let bang = read("feat(auth)!: tokens expire after an hour");
        assert_eq!(bang.section, Section::Breaking);
        assert_eq!(
            bang.breaking.as_deref(),
            Some("tokens expire after an hour")
        );
        let footer =
            read("refactor: new config loader\n\nBREAKING CHANGE: `port` is now `listen`\n");
        assert_eq!(footer.section, Section::Breaking);
        assert_eq!(footer.breaking.as_deref(), Some("`port` is now `listen`"));
    }

    #[test]
    fn titles_without_a_convention_go_by_their_labels() {
        let labels = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let plain = "Add dark mode";
        assert_eq!(read(plain).section, Section::Other);
        let with = |l: &[&str]| note(&message(plain, &labels(l)), None).expect("note");
        assert_eq!(with(&["enhancement"]).section, Section::Features);
        assert_eq!(with(&["Bug"]).section, Section::Fixes);
        assert_eq!(with(&["feature", "breaking"]).section, Section::Breaking);
        // Not conventional: a colon without a type, a type with spaces.
        assert_eq!(read("Docs: how to deploy").kind.as_deref(), Some("docs"));
        assert_eq!(read("Update README: typo").kind, None);
        assert_eq!(read("fix(: broken").kind, None);
    }

    #[test]
    fn a_merge_commit_is_read_from_the_title_it_carries() {
        let github = read(
            "Merge pull request #12 from acme/feature/login\n\nfeat: log in with SSO\n\nCloses #7",
        );
        assert_eq!(github.text, "log in with SSO");
        assert_eq!(github.section, Section::Features);
        assert_eq!(github.change.map(|c| c.number), Some(12));
        assert_eq!(github.references, vec![Reference::Issue { number: 7 }]);
        let gitlab = read(
            "Merge branch 'fix-oom' into 'main'\n\nfix: bound the cache\n\nSee merge request acme/api!31",
        );
        assert_eq!(gitlab.text, "bound the cache");
        assert_eq!(
            gitlab.change.map(|c| (c.forge, c.number)),
            Some((Forge::GitLab, 31))
        );
        assert!(note(&message("Merge branch 'main' into dev", &[]), None).is_none());
    }

    #[test]
    fn issues_and_configured_tickets_are_found_once_each() {
        let projects = ["OPS".to_owned()];
        let jira = Tickets {
            url: "https://jira.example/browse/{key}",
            projects: &[],
        };
        let text = "fix: retry uploads (#40)\n\nFixes #12 and #12, see ABC-7, OPS-19; UTF-8, abc#3, ISO-8601, ABC-0";
        let m = message(text, &[]);
        let n = note(&m, Some(&jira)).expect("note");
        assert_eq!(
            n.references,
            vec![
                Reference::Issue { number: 12 },
                Reference::Ticket {
                    key: "ABC-7".into(),
                    url: "https://jira.example/browse/ABC-7".into()
                },
                Reference::Ticket {
                    key: "OPS-19".into(),
                    url: "https://jira.example/browse/OPS-19".into()
                },
            ]
        );
        // Only the configured projects, and no tickets without a tracker.
        let only_ops = Tickets {
            projects: &projects,
            ..jira
        };
        let keys: Vec<_> = note(&m, Some(&only_ops))
            .expect("note")
            .references
            .into_iter()
            .filter(|r| matches!(r, Reference::Ticket { .. }))
            .collect();
        assert_eq!(keys.len(), 1);
        assert_eq!(note(&m, None).expect("note").references.len(), 1);
    }

    #[test]
    fn hostile_messages_are_bounded_and_never_fail() {
        let long = format!("feat: {}", "x".repeat(10_000));
        assert!(read(&long).text.chars().count() <= MOST_TEXT + 1);
        let many: String = (1..1000).map(|n| format!("#{n} ")).collect();
        assert_eq!(
            read(&format!("fix: x\n\n{many}")).references.len(),
            MOST_REFERENCES
        );
        for odd in [
            "",
            "\n\n",
            ":",
            ": x",
            "feat:",
            "feat!:",
            "(x): y",
            "#",
            "#99999999999999999999",
            "é: ü\u{0}",
        ] {
            let _ = note(&message(odd, &[]), None);
        }
        assert_eq!(read("feat: a\u{1b}[31mred").text, "a [31mred");
    }

    #[test]
    fn sections_come_breaking_first_in_the_order_given_within() {
        let all = notes(
            [
                "chore: one",
                "fix: two",
                "feat: three",
                "feat!: four",
                "fix: five",
            ]
            .iter()
            .map(|m| message(m, &[])),
            None,
        );
        let texts: Vec<_> = all.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["four", "three", "two", "five", "one"]);
    }
}
