//! Release notes from an app's source repository on GitHub: the commits
//! between two tags (the compare API, paged), read along the first-parent
//! line as merges, squashes and direct commits, each with the pull request
//! it names (title, body, labels, author), as [`hoist_core::notes`] groups
//! them.
//!
//! Bounded: at most [`MOST_COMMITS`] commits and [`MOST_PULLS`] pull
//! requests are read; past them the notes say they are incomplete.

use std::collections::{HashMap, HashSet};

use hoist_core::forge::{ChangeRef, Forge};
use hoist_core::notes::{self, Note, Tickets};
use serde_json::Value;

use crate::Error;
use crate::client::Client;

/// At most this many commits of a comparison are read.
pub const MOST_COMMITS: usize = 1_000;
/// At most this many pull requests are asked about.
pub const MOST_PULLS: usize = 100;

/// The notes of one version delta.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Delta {
    /// Grouped, breaking changes first.
    pub notes: Vec<Note>,
    /// How many commits the comparison holds.
    pub commits: usize,
    /// Whether some were left out (past the bounds).
    pub truncated: bool,
}

/// The notes of the client's repository between tags `from` and `to`.
/// [`Error::NotFound`] when the repository or a tag is not there.
pub async fn between(
    client: &Client,
    from: &str,
    to: &str,
    tickets: Option<&Tickets<'_>>,
) -> Result<Delta, Error> {
    let what = format!("{} compared from {from} to {to}", client.remote().slug());
    let basehead = format!("{}...{}", part(from), part(to));
    let mut commits: Vec<Value> = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let answer = client
            .poll(
                &client.repo_path(&format!("/compare/{basehead}?per_page=100&page={page}")),
                &what,
            )
            .await?;
        total = answer["total_commits"].as_u64().unwrap_or(0) as usize;
        let listed = answer["commits"].as_array().cloned().unwrap_or_default();
        let empty = listed.is_empty();
        commits.extend(listed);
        if empty || commits.len() >= total || commits.len() >= MOST_COMMITS {
            break;
        }
    }
    let line = first_parents(&commits);
    let mut truncated = commits.len() < total;
    let numbers: Vec<u64> = line
        .iter()
        .filter_map(|c| change_of(c).map(|r| r.number))
        .collect();
    let mut pulls: HashMap<u64, Value> = HashMap::new();
    for number in numbers.iter().take(MOST_PULLS) {
        let path = client.repo_path(&format!("/pulls/{number}"));
        // A number in a message that is not a pull request here (an issue,
        // another repository's) says nothing more.
        if let Some(pull) = client
            .get_optional(&path, &format!("pull request #{number}"))
            .await?
        {
            pulls.insert(*number, pull);
        }
    }
    truncated |= numbers.len() > MOST_PULLS;
    let messages: Vec<Read> = line
        .iter()
        .map(|c| {
            let sha = c["sha"].as_str().unwrap_or_default().to_owned();
            let own = c["commit"]["message"].as_str().unwrap_or_default();
            let change = change_of(c);
            match change.and_then(|r| pulls.get(&r.number)) {
                Some(pull) => {
                    // The pull request's title and body, then the commit's
                    // own (a squash keeps the BREAKING CHANGE footer there).
                    let body = own.split_once('\n').map_or("", |(_, b)| b);
                    let message = format!(
                        "{}\n\n{}\n\n{body}",
                        pull["title"].as_str().unwrap_or_default(),
                        pull["body"].as_str().unwrap_or_default()
                    );
                    let labels = pull["labels"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|l| l["name"].as_str().map(str::to_owned))
                        .collect();
                    let author = pull["user"]["login"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    Read {
                        sha,
                        message,
                        change,
                        labels,
                        author,
                    }
                }
                None => {
                    let author = c["commit"]["author"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    Read {
                        sha,
                        message: own.to_owned(),
                        change,
                        labels: Vec::new(),
                        author,
                    }
                }
            }
        })
        .collect();
    // Newest first, as history reads.
    let notes = notes::notes(
        messages.iter().rev().map(|r| notes::Message {
            commit: &r.sha,
            author: &r.author,
            message: &r.message,
            change: r.change,
            labels: &r.labels,
        }),
        tickets,
    );
    Ok(Delta {
        notes,
        commits: total,
        truncated,
    })
}

/// One commit of the first-parent line as its note is read: its pull
/// request's words where it names one, else its own.
struct Read {
    sha: String,
    message: String,
    change: Option<ChangeRef>,
    labels: Vec<String>,
    author: String,
}

/// The pull request a listed commit's message names.
fn change_of(commit: &Value) -> Option<ChangeRef> {
    hoist_core::forge::change_ref(commit["commit"]["message"].as_str()?)
        .filter(|r| r.forge == Forge::GitHub)
}

/// The comparison's commits along the head's first parents, oldest first:
/// merges, squashes and direct commits, not the commits a merge brought.
/// The head is the commit no other listed commit has as a parent (the last
/// listed when that is not one commit).
fn first_parents(commits: &[Value]) -> Vec<&Value> {
    let by_sha: HashMap<&str, &Value> = commits
        .iter()
        .filter_map(|c| Some((c["sha"].as_str()?, c)))
        .collect();
    let parented: HashSet<&str> = commits.iter().flat_map(parents).collect();
    let heads: Vec<&Value> = commits
        .iter()
        .filter(|c| c["sha"].as_str().is_some_and(|s| !parented.contains(s)))
        .collect();
    let head = match heads.as_slice() {
        [one] => Some(*one),
        _ => commits.last(),
    };
    let mut line = Vec::new();
    let mut seen = HashSet::new();
    let mut at = head;
    while let Some(c) = at {
        let Some(sha) = c["sha"].as_str() else { break };
        if !seen.insert(sha) {
            break;
        }
        line.push(c);
        at = parents(c).first().and_then(|p| by_sha.get(p).copied());
    }
    line.reverse();
    line
}

/// The ids of a listed commit's parents, first parent first.
fn parents(c: &Value) -> Vec<&str> {
    c["parents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["sha"].as_str())
        .collect()
}

/// A tag (or a branch) as one segment of a URL's path or query.
pub(crate) fn part(tag: &str) -> String {
    tag.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
