//! Which GitHub repository a clone's `origin` is: host, owner and name from
//! its URL in any of git's forms, and the REST API base URL for that host.

use std::collections::BTreeMap;

use gix::url::Scheme;

/// A repository on a GitHub host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// `github.com`, or an Enterprise host such as `github.acme.example`.
    pub host: String,
    /// The owning user or organisation.
    pub owner: String,
    /// The repository name, without `.git`.
    pub name: String,
}

/// Why a remote URL does not name a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The URL is not one git understands as a remote repository.
    #[error(
        "{url:?} is not a remote repository URL (expected https://HOST/OWNER/REPO, ssh://git@HOST/OWNER/REPO or git@HOST:OWNER/REPO)"
    )]
    Unrecognised {
        /// The URL.
        url: String,
    },
    /// The host is not GitHub and not a configured GitHub Enterprise host.
    #[error(
        "origin is on {host}, which is not GitHub; Hoist opens pull requests on github.com, *.ghe.com or a GitHub Enterprise host you configure (`hoist auth login --host {host} --api-url https://{host}/api/v3`), and merge requests on gitlab.com or a self-managed GitLab you name (`git config hoist.forge gitlab` in the clone, or `forge: gitlab` in .hoist.yaml)"
    )]
    NotGitHub {
        /// The host.
        host: String,
    },
}

/// API base URLs of GitHub Enterprise Server hosts, by host name.
pub type Enterprise = BTreeMap<String, String>;

impl Remote {
    /// Parses an `origin` URL: `https://host/owner/repo(.git)`,
    /// `ssh://[user@]host[:port]/owner/repo(.git)`, `git://…`, or scp-like
    /// `[user@]host:owner/repo(.git)`. `enterprise` lists the hosts besides
    /// github.com and `*.ghe.com` that are GitHub.
    pub fn parse(url: &str, enterprise: &Enterprise) -> Result<Remote, Error> {
        let unrecognised = || Error::Unrecognised {
            url: hoist_core::clone_url::redact(url),
        };
        // gix-url reads every form git does; credentials and ports are not
        // part of the host's identity.
        let parsed = gix::url::parse(url.trim().as_bytes()).map_err(|_| unrecognised())?;
        if !matches!(
            parsed.scheme,
            Scheme::Https | Scheme::Http | Scheme::Ssh | Scheme::Git
        ) {
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
        let mut parts = path.split('/');
        let (Some(owner), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(unrecognised());
        };
        if owner.is_empty() || name.is_empty() {
            return Err(unrecognised());
        }
        let known =
            host == "github.com" || host.ends_with(".ghe.com") || enterprise.contains_key(&host);
        if !known {
            return Err(Error::NotGitHub { host });
        }
        Ok(Remote {
            host,
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The REST API's base URL: api.github.com, `api.<host>` for GitHub
    /// Enterprise Cloud (`*.ghe.com`), or the configured one for a server.
    pub fn api_url(&self, enterprise: &Enterprise) -> String {
        if let Some(url) = enterprise.get(&self.host) {
            return url.trim_end_matches('/').to_owned();
        }
        if self.host == "github.com" {
            "https://api.github.com".to_owned()
        } else if self.host.ends_with(".ghe.com") {
            format!("https://api.{}", self.host)
        } else {
            format!("https://{}/api/v3", self.host)
        }
    }

    /// `owner/name`.
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_form_names_the_same_repository() {
        let want = Remote {
            host: "github.com".into(),
            owner: "acme".into(),
            name: "gitops".into(),
        };
        for url in [
            "https://github.com/acme/gitops",
            "https://github.com/acme/gitops.git",
            "https://x-access-token:abc@github.com/acme/gitops.git/",
            "http://GitHub.com/acme/gitops",
            "ssh://git@github.com/acme/gitops.git",
            "ssh://git@github.com:22/acme/gitops",
            "git@github.com:acme/gitops.git",
            "github.com:acme/gitops",
            "git://github.com/acme/gitops.git",
            "  https://github.com/acme/gitops\n",
        ] {
            assert_eq!(
                Remote::parse(url, &Enterprise::new()),
                Ok(want.clone()),
                "{url}"
            );
        }
        assert_eq!(want.api_url(&Enterprise::new()), "https://api.github.com");
    }

    #[test]
    fn enterprise_hosts_are_github_only_when_configured() {
        let none = Enterprise::new();
        let err = Remote::parse("git@gitlab.com:acme/gitops.git", &none).expect_err("GitLab");
        assert_eq!(
            err,
            Error::NotGitHub {
                host: "gitlab.com".into()
            }
        );
        assert!(
            err.to_string().contains("gitlab.com, which is not GitHub"),
            "{err}"
        );
        let server = Enterprise::from([(
            "github.acme.example".to_owned(),
            "https://github.acme.example/api/v3/".to_owned(),
        )]);
        let r = Remote::parse("https://github.acme.example/platform/deploy", &server)
            .expect("configured");
        assert_eq!(r.api_url(&server), "https://github.acme.example/api/v3");
        let cloud = Remote::parse("git@acme.ghe.com:platform/deploy.git", &none).expect("GHE.com");
        assert_eq!(cloud.api_url(&none), "https://api.acme.ghe.com");
    }

    #[test]
    fn a_refused_url_is_named_without_its_credentials() {
        let e = Remote::parse(
            "https://user:ghp_secret@github.com/acme",
            &Enterprise::new(),
        )
        .expect_err("no repository");
        assert!(!e.to_string().contains("ghp_secret"), "{e}");
        assert!(e.to_string().contains("https://***@github.com/acme"), "{e}");
    }

    #[test]
    fn paths_that_are_not_a_repository_are_refused() {
        for url in [
            "/srv/git/gitops.git",
            "file:///srv/git/gitops.git",
            "https://github.com/acme",
            "https://github.com/acme/gitops/tree/main",
            "",
        ] {
            assert!(
                matches!(
                    Remote::parse(url, &Enterprise::new()),
                    Err(Error::Unrecognised { .. })
                ),
                "{url}"
            );
        }
    }
}
