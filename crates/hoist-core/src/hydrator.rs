//! Rendered-manifest branches written by a hydrator (Argo CD's source
//! hydrator, GitOps Promoter): each app's directory holds a
//! `hydrator.metadata` naming the *dry* commit it was rendered from. The
//! version of such an app is that dry commit.

use gix::ObjectId;
use serde_json::Value;

use crate::repo::{Error, Repo};
use crate::status::CommitInfo;

/// The name of the hydrator's metadata file.
pub const METADATA: &str = "hydrator.metadata";

/// Whether `file` is a hydrator's metadata, whose version is a dry commit.
pub fn is_metadata(file: &str) -> bool {
    file.rsplit('/').next() == Some(METADATA)
}

/// What one `hydrator.metadata` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub dry_sha: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub subject: Option<String>,
}

impl Metadata {
    /// Reads the metadata leniently: hydrators disagree on spelling
    /// (`drySha`, `drySHA`) and on which fields they write.
    pub fn parse(content: &[u8]) -> Metadata {
        let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(content) else {
            return Metadata::default();
        };
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| doc.get(*k).and_then(Value::as_str))
                .map(str::to_owned)
        };
        Metadata {
            dry_sha: text(&["drySha", "drySHA", "dry_sha"]),
            author: text(&["author"]),
            date: text(&["date"]),
            subject: text(&["subject"]),
        }
    }
}

/// The key a detected locator uses for the dry sha in `content`, when it is a hydrator's metadata.
pub(crate) fn dry_sha_key(content: &[u8]) -> Option<&'static str> {
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(content) else {
        return None;
    };
    ["drySha", "drySHA"]
        .into_iter()
        .find(|k| doc.get(*k).is_some_and(Value::is_string))
}

/// The facts about dry commit `sha`: from the clone when it holds the commit
/// (the dry branch is usually in the same repository), else from the
/// metadata files in `tree` that describe it (the app's own, then the
/// branch's root one), else `None`.
pub(crate) fn dry_commit(
    repo: &Repo,
    tree: ObjectId,
    metadata_file: &str,
    sha: &str,
) -> Result<Option<CommitInfo>, Error> {
    if let Some(id) = repo.find_commit_id(sha) {
        return repo.commit_info(id).map(Some);
    }
    for file in [metadata_file, METADATA] {
        let Some(blob) = repo.blob_in_tree(tree, file)? else {
            continue;
        };
        let meta = Metadata::parse(&repo.read_blob(blob)?);
        if meta.dry_sha.as_deref() != Some(sha) {
            continue;
        }
        if let Some(info) = from_metadata(sha, &meta) {
            return Ok(Some(info));
        }
    }
    Ok(None)
}

/// A commit as metadata describes it: `author` is `Name <email>`, `date` RFC 3339.
fn from_metadata(sha: &str, meta: &Metadata) -> Option<CommitInfo> {
    let subject = meta.subject.clone()?;
    let (author, email) = match meta.author.as_deref() {
        Some(a) => match a.rsplit_once('<') {
            Some((name, email)) => (
                name.trim().to_owned(),
                email.trim_end_matches('>').trim().to_owned(),
            ),
            None => (a.trim().to_owned(), String::new()),
        },
        None => (String::new(), String::new()),
    };
    let (time, offset) = meta.date.as_deref().map_or((0, 0), rfc3339);
    Some(CommitInfo {
        id: sha.to_owned(),
        author,
        email,
        time,
        offset,
        change: crate::forge::change_ref(&subject),
        subject,
    })
}

/// The dry branch's commits a promotion of rendered apps brings: for each
/// distinct pair of dry commits, the commits after `from` up to `to`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct DryChanges {
    /// The apps that move from `from` to `to`.
    pub apps: Vec<String>,
    /// The dry commit the target runs.
    pub from: String,
    /// The dry commit it gets.
    pub to: String,
    /// The commits after `from` up to and including `to`, newest first,
    /// along `to`'s first parents.
    pub commits: Vec<CommitInfo>,
    /// The same commits as release notes: breaking changes, features,
    /// fixes, the rest.
    pub notes: Vec<crate::notes::Note>,
    /// Why the commits could not be listed, when they could not.
    pub missing: Option<String>,
}

/// How many dry commits a changelog lists at most before it says it stopped.
const MOST_DRY_COMMITS: usize = 500;

/// The dry changes of the given app changes (each `from` → `to` a dry sha),
/// read from the local clone, which holds the dry branch when the hydrator
/// writes to the same repository.
pub(crate) fn dry_changes(
    repo: &Repo,
    changes: &[&crate::plan::AppChange],
    tickets: Option<&crate::notes::Tickets<'_>>,
) -> Vec<DryChanges> {
    let mut out: Vec<DryChanges> = Vec::new();
    for change in changes {
        if let Some(known) = out
            .iter_mut()
            .find(|d| d.from == change.from && d.to == change.to)
        {
            known.apps.push(change.app.clone());
            continue;
        }
        let (commits, missing) = between(repo, &change.from, &change.to);
        out.push(DryChanges {
            apps: vec![change.app.clone()],
            from: change.from.clone(),
            to: change.to.clone(),
            notes: notes(repo, &commits, tickets),
            commits,
            missing,
        });
    }
    out
}

/// The release notes of `commits`, read from their whole messages (a
/// `BREAKING CHANGE:` footer, the issues a body closes). The dry branch's
/// commits carry no labels: their messages say it all.
fn notes(
    repo: &Repo,
    commits: &[CommitInfo],
    tickets: Option<&crate::notes::Tickets<'_>>,
) -> Vec<crate::notes::Note> {
    let messages: Vec<(&CommitInfo, String)> = commits
        .iter()
        .map(|c| {
            let message = ObjectId::from_hex(c.id.as_bytes())
                .ok()
                .and_then(|id| repo.commit_message(id).ok())
                .unwrap_or_else(|| c.subject.clone());
            (c, message)
        })
        .collect();
    crate::notes::notes(
        messages.iter().map(|(c, message)| crate::notes::Message {
            commit: &c.id,
            author: &c.author,
            message,
            change: c.change,
            labels: &[],
        }),
        tickets,
    )
}

/// Breaking changes the dry commits bring: one warning per breaking
/// commit, naming every app whose range holds it, so nobody promotes them
/// without having been told.
pub(crate) fn breaking_warnings(ranges: &[DryChanges]) -> Vec<crate::plan::Warning> {
    let mut found: Vec<(&crate::notes::Note, Vec<String>)> = Vec::new();
    for range in ranges {
        for note in range.notes.iter().filter(|n| n.breaking.is_some()) {
            match found.iter_mut().find(|(n, _)| n.commit == note.commit) {
                Some((_, apps)) => apps.extend(range.apps.iter().cloned()),
                None => found.push((note, range.apps.clone())),
            }
        }
    }
    found
        .into_iter()
        .map(|(note, mut apps)| {
            apps.sort();
            apps.dedup();
            let what = note.breaking.as_deref().unwrap_or(&note.text);
            let scope = note
                .scope
                .as_ref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            crate::plan::Warning::Breaking {
                message: format!(
                    "breaking change in {}{scope}, which {} bring{}: {}",
                    &note.commit[..note.commit.len().min(7)],
                    and_list(&apps),
                    if apps.len() == 1 { "s" } else { "" },
                    what.trim_end_matches(['.', ' ']),
                ),
                apps,
                commit: note.commit.clone(),
            }
        })
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The commits after `from` up to `to` along `to`'s first parents, and why
/// the list is incomplete when it is.
fn between(repo: &Repo, from: &str, to: &str) -> (Vec<CommitInfo>, Option<String>) {
    let short = |s: &str| s.chars().take(7).collect::<String>();
    let Some(to_id) = repo.find_commit_id(to) else {
        return (
            Vec::new(),
            Some(format!(
                "dry commit {} is not in this clone; fetch the branch the hydrator renders from",
                short(to)
            )),
        );
    };
    let from_id = repo.find_commit_id(from);
    let mut commits = Vec::new();
    for id in repo.first_parents(to_id) {
        let id = match id {
            Ok(id) => id,
            Err(e) => return (commits, Some(e.to_string())),
        };
        if Some(id) == from_id {
            return (commits, None);
        }
        if commits.len() == MOST_DRY_COMMITS {
            return (
                commits,
                Some(format!(
                    "more than {MOST_DRY_COMMITS} dry commits; the rest are left out"
                )),
            );
        }
        match repo.commit_info(id) {
            Ok(info) => commits.push(info),
            Err(e) => return (commits, Some(e.to_string())),
        }
    }
    let why = match from_id {
        Some(_) => format!(
            "dry commit {} is not an ancestor of {} along first parents (a rollback, or another branch)",
            short(from),
            short(to)
        ),
        None => format!(
            "dry commit {} is not in this clone; the list goes back to the start of the history",
            short(from)
        ),
    };
    (commits, Some(why))
}

/// Seconds since the epoch and the offset east of UTC of an RFC 3339 time; zeros when unreadable.
fn rfc3339(date: &str) -> (i64, i32) {
    let Ok(t) = date.parse::<jiff::Timestamp>() else {
        return (0, 0);
    };
    // `+02:00` or `-05:00` at the end; `Z` (or anything else) is UTC.
    let offset = date
        .len()
        .checked_sub(6)
        .and_then(|at| date.get(at..))
        .filter(|tail| tail.starts_with(['+', '-']) && tail.as_bytes()[3] == b':')
        .and_then(|tail| {
            let sign = if tail.starts_with('-') { -1 } else { 1 };
            let hours: i32 = tail[1..3].parse().ok()?;
            let minutes: i32 = tail[4..6].parse().ok()?;
            Some(sign * (hours * 3600 + minutes * 60))
        })
        .unwrap_or(0);
    (t.as_second(), offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_in_its_spellings() {
        let full = br#"{"repoURL":"https://github.com/acme/x","drySha":"ca507a2bae8db373444be4056dfa70a26f266190","author":"Alice Martin <alice@acme.example>","date":"2026-05-05T11:15:10Z","subject":"chore: churn (#12)"}"#;
        let meta = Metadata::parse(full);
        assert_eq!(
            meta.dry_sha.as_deref(),
            Some("ca507a2bae8db373444be4056dfa70a26f266190")
        );
        let info = from_metadata("ca507a2", &meta).expect("has a subject");
        assert_eq!(
            (
                info.author.as_str(),
                info.email.as_str(),
                info.change.map(|c| c.to_string())
            ),
            ("Alice Martin", "alice@acme.example", Some("#12".to_owned()))
        );
        assert_eq!(info.time, 1_777_979_710);
        assert_eq!(rfc3339("2026-07-03T11:00:00-05:00").1, -5 * 3600);
        assert_eq!(
            Metadata::parse(br#"{"drySHA": "abc"}"#).dry_sha.as_deref(),
            Some("abc")
        );
        assert_eq!(dry_sha_key(br#"{"drySHA": "abc"}"#), Some("drySHA"));
        assert_eq!(Metadata::parse(b"not json"), Metadata::default());
        // Per-app metadata has no subject: nothing to say without the clone.
        assert!(from_metadata("x", &Metadata::parse(br#"{"drySha":"x"}"#)).is_none());
    }
}
