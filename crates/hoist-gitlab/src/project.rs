//! Which GitLab project a clone's `origin` is: the host and the project's
//! full path (`group/subgroup/project`, any depth), from its URL in any of
//! git's forms, and the API's address for that host.

use gix::url::Scheme;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::Error;

/// A project on a GitLab host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// `gitlab.com`, or a self-managed host.
    pub host: String,
    /// The full path: namespaces then the project, `/`-separated.
    pub path: String,
}

/// What stays unescaped in a path segment of GitLab's API: the rest, `/`
/// above all, is escaped, as GitLab wants a project path in one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `text` as one path segment of a URL.
pub fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

impl Project {
    /// Parses an `origin` URL: `https://host/group/…/project(.git)`,
    /// `ssh://[user@]host[:port]/group/…/project(.git)`, or scp-like
    /// `[user@]host:group/…/project(.git)`.
    pub fn parse(url: &str) -> Result<Project, Error> {
        let unrecognised = || Error::NotAProject {
            url: hoist_core::clone_url::redact(url),
        };
        let parsed = gix::url::parse(url.trim().as_bytes()).map_err(|_| unrecognised())?;
        if !matches!(parsed.scheme, Scheme::Https | Scheme::Http | Scheme::Ssh) {
            return Err(unrecognised());
        }
        let host = parsed
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(unrecognised)?
            .to_ascii_lowercase();
        let path = std::str::from_utf8(&parsed.path).map_err(|_| unrecognised())?;
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        // A project lives in at least one namespace; no segment is empty or
        // a dot segment, which would make the API path mean something else.
        let segments: Vec<&str> = path.split('/').collect();
        if segments.len() < 2
            || segments
                .iter()
                .any(|s| s.is_empty() || *s == "." || *s == ".." || s.starts_with('-'))
        {
            return Err(unrecognised());
        }
        Ok(Project {
            host,
            path: path.to_owned(),
        })
    }

    /// The API's base URL: `https://HOST/api/v4`.
    pub fn api_url(&self) -> String {
        format!("https://{}/api/v4", self.host)
    }

    /// The project as the API names it: its path in one escaped segment.
    pub fn id(&self) -> String {
        segment(&self.path)
    }

    /// The project's web page.
    pub fn web_url(&self) -> String {
        format!("https://{}/{}", self.host, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_in_every_form_with_subgroups() {
        for url in [
            "https://gitlab.com/platform/deploy/gitops.git",
            "https://oauth2:secret@gitlab.com/platform/deploy/gitops",
            "ssh://git@gitlab.com:2222/platform/deploy/gitops.git",
            "git@gitlab.com:platform/deploy/gitops.git",
            "git@GitLab.com:platform/deploy/gitops/",
        ] {
            let p = Project::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(
                (p.host.as_str(), p.path.as_str()),
                ("gitlab.com", "platform/deploy/gitops"),
                "{url}"
            );
        }
        let p = Project::parse("git@git.acme.example:a/b.git").expect("two segments");
        assert_eq!(p.id(), "a%2Fb");
        assert_eq!(p.api_url(), "https://git.acme.example/api/v4");
        assert_eq!(
            Project::parse("https://gitlab.com/g/s/p").expect("ok").id(),
            "g%2Fs%2Fp"
        );
    }

    #[test]
    fn urls_that_name_no_project_are_refused_without_their_credentials() {
        for url in [
            "https://gitlab.com/lonely",
            "https://gitlab.com/a//b",
            "https://gitlab.com/a/../b",
            "file:///srv/a/b",
            "/srv/a/b",
            "",
        ] {
            assert!(Project::parse(url).is_err(), "{url}");
        }
        let e = Project::parse("https://user:hunter2@gitlab.com/x").expect_err("one segment");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
