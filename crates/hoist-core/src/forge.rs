//! The forges a GitOps repository lives on, as far as the engine needs to
//! know them offline: how their merges name the change they came from, and
//! where their web pages compare two tags.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a repository lives and its change requests are reviewed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    /// github.com, a `*.ghe.com` tenant, or GitHub Enterprise Server.
    #[serde(rename = "github")]
    GitHub,
    /// gitlab.com or a self-managed GitLab.
    #[serde(rename = "gitlab")]
    GitLab,
}

impl Forge {
    /// The forge a host's name says, when it says one: github.com and its
    /// cloud tenants, gitlab.com. Other hosts (a company's GitHub Enterprise
    /// Server or GitLab) are named by configuration.
    pub fn of_host(host: &str) -> Option<Forge> {
        let host = host.to_ascii_lowercase();
        if host == "github.com" || host.ends_with(".ghe.com") {
            Some(Forge::GitHub)
        } else if host == "gitlab.com" {
            Some(Forge::GitLab)
        } else {
            None
        }
    }

    /// The forge's name, for people.
    pub fn name(self) -> &'static str {
        match self {
            Forge::GitHub => "GitHub",
            Forge::GitLab => "GitLab",
        }
    }

    /// What a reference to one of its change requests starts with.
    pub fn sigil(self) -> char {
        match self {
            Forge::GitHub => '#',
            Forge::GitLab => '!',
        }
    }

    /// The forge's name for a change request.
    pub fn change_noun(self) -> &'static str {
        match self {
            Forge::GitHub => "pull request",
            Forge::GitLab => "merge request",
        }
    }

    /// The web page comparing `from` and `to` in the repository at `base`
    /// (its https address without `.git`).
    /// The refs are percent-encoded: a tag is whatever the versions make it
    /// (`v1.0+build`, `<script>`), and the URL is written into Markdown.
    pub fn compare_url(self, base: &str, from: &str, to: &str) -> String {
        let (from, to) = (url_part(from), url_part(to));
        match self {
            Forge::GitHub => format!("{base}/compare/{from}...{to}"),
            Forge::GitLab => format!("{base}/-/compare/{from}...{to}"),
        }
    }
}

impl Forge {
    /// Where the change requests of the repository at `base` are, each
    /// at `/<number>` below it.
    pub fn changes_url(self, base: &str) -> String {
        match self {
            Forge::GitHub => format!("{base}/pull"),
            Forge::GitLab => format!("{base}/-/merge_requests"),
        }
    }

    /// Where the issues of the repository at `base` are, each at
    /// `/<number>` below it.
    pub fn issues_url(self, base: &str) -> String {
        match self {
            Forge::GitHub => format!("{base}/issues"),
            Forge::GitLab => format!("{base}/-/issues"),
        }
    }

    /// The page of change request `number` of the repository at `base`.
    pub fn change_url(self, base: &str, number: u64) -> String {
        format!("{}/{number}", self.changes_url(base))
    }

    /// The page of issue `number` of the repository at `base`.
    pub fn issue_url(self, base: &str, number: u64) -> String {
        format!("{}/{number}", self.issues_url(base))
    }
}

/// `text` with everything but unreserved characters and `/` percent-encoded.
fn url_part(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A merged change request a commit came from, as its message names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangeRef {
    /// Whose numbering it is.
    pub forge: Forge,
    /// Its number (GitLab's `iid`, within the project).
    #[ts(type = "number")]
    pub number: u64,
}

impl fmt::Display for ChangeRef {
    /// As the forge writes a reference: `#12` on GitHub, `!12` on GitLab.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.forge.sigil(), self.number)
    }
}

/// The change request a commit `message` came from: GitHub's merge subject
/// (`Merge pull request #12 from …`) or squash subject (`… (#34)`), or
/// GitLab's merge commit line (`See merge request group/project!12`).
pub fn change_ref(message: &str) -> Option<ChangeRef> {
    let subject = message.lines().next().unwrap_or_default();
    if let Some(number) = github_number(subject) {
        return Some(ChangeRef {
            forge: Forge::GitHub,
            number,
        });
    }
    // GitLab's default merge commit template ends with this line; the
    // path may hold subgroups, the number follows the last `!`.
    message.lines().rev().find_map(|line| {
        let reference = line.trim().strip_prefix("See merge request ")?;
        let (path, number) = reference.rsplit_once('!')?;
        let valid_path = !path.is_empty() && !path.contains(char::is_whitespace);
        let number = digits_only(number)?;
        valid_path.then_some(ChangeRef {
            forge: Forge::GitLab,
            number,
        })
    })
}

fn digits_only(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn github_number(subject: &str) -> Option<u64> {
    if let Some(rest) = subject.strip_prefix("Merge pull request #") {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        return digits_only(&rest[..end]);
    }
    let inner = subject.trim_end().strip_suffix(')')?;
    let at = inner.rfind("(#")?;
    digits_only(&inner[at + 2..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github(number: u64) -> Option<ChangeRef> {
        Some(ChangeRef {
            forge: Forge::GitHub,
            number,
        })
    }

    fn gitlab(number: u64) -> Option<ChangeRef> {
        Some(ChangeRef {
            forge: Forge::GitLab,
            number,
        })
    }

    #[test]
    fn change_requests_from_github_merge_and_squash_subjects() {
        assert_eq!(
            change_ref("Merge pull request #12 from acme/promote-api"),
            github(12)
        );
        assert_eq!(change_ref("Promote api to 1.5.0 (#34)"), github(34));
        assert_eq!(
            change_ref("Promote api to 1.5.0 (#34) \n\nbody"),
            github(34)
        );
        assert_eq!(change_ref("Bump api (see #34 for context)"), None);
        assert_eq!(change_ref("Promote (#x)"), None);
        assert_eq!(change_ref("Direct edit of api"), None);
        // Only the subject counts for GitHub: a body quoting a number is not a merge.
        assert_eq!(change_ref("Fix\n\nMerge pull request #9 from x"), None);
    }

    #[test]
    fn change_requests_from_gitlab_merge_commits() {
        let merge = "Merge branch 'hoist/promote-stage-api' into 'env/stage'\n\nPromote api to 1.5.0 in stage\n\nSee merge request platform/deploy/gitops!12";
        assert_eq!(change_ref(merge), gitlab(12));
        assert_eq!(
            change_ref("x\n\nSee merge request acme/gitops!7\n"),
            gitlab(7)
        );
        assert_eq!(change_ref("x\n\nSee merge request acme/gitops!"), None);
        assert_eq!(change_ref("x\n\nSee merge request !7"), None);
        assert_eq!(change_ref("x\n\nSee merge request a b!7"), None);
        assert_eq!(change_ref("x\n\nSee merge request acme/gitops!7a"), None);
        assert_eq!(gitlab(12).map(|c| c.to_string()).as_deref(), Some("!12"));
        assert_eq!(github(12).map(|c| c.to_string()).as_deref(), Some("#12"));
    }

    #[test]
    fn hosts_that_name_their_forge() {
        assert_eq!(Forge::of_host("GitHub.com"), Some(Forge::GitHub));
        assert_eq!(Forge::of_host("acme.ghe.com"), Some(Forge::GitHub));
        assert_eq!(Forge::of_host("gitlab.com"), Some(Forge::GitLab));
        assert_eq!(Forge::of_host("git.acme.example"), None);
        assert_eq!(
            Forge::GitLab.compare_url("https://gitlab.com/a/b/c", "v1", "v2"),
            "https://gitlab.com/a/b/c/-/compare/v1...v2"
        );
    }
}
