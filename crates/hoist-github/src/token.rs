//! The GitHub token: where it comes from and where it is kept.
//!
//! Invariant: a [`Token`] is never printed, logged or serialised; the only way
//! to its text is [`Token::expose`], called where a request is authorised.

use std::path::{Path, PathBuf};

pub use hoist_forge::token::{KeyringError, Token, forget, store, stored};

/// Where a token was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The OS keyring entry Hoist stores.
    Keyring,
    /// The `GH_TOKEN` environment variable.
    GhToken,
    /// The `GITHUB_TOKEN` environment variable.
    GithubToken,
    /// The `GH_ENTERPRISE_TOKEN` environment variable.
    GhEnterpriseToken,
    /// The `GITHUB_ENTERPRISE_TOKEN` environment variable.
    GithubEnterpriseToken,
    /// The GitHub CLI's stored login.
    GhCli,
}

impl Source {
    /// Where, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Keyring => "the OS keyring",
            Source::GhToken => "GH_TOKEN",
            Source::GithubToken => "GITHUB_TOKEN",
            Source::GhEnterpriseToken => "GH_ENTERPRISE_TOKEN",
            Source::GithubEnterpriseToken => "GITHUB_ENTERPRISE_TOKEN",
            Source::GhCli => "the GitHub CLI's login",
        }
    }
}

/// Whether `host` is GitHub's own (github.com, or a GitHub Enterprise Cloud
/// tenant under ghe.com) rather than a GitHub Enterprise Server.
pub fn is_github_cloud(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "github.com" || host.ends_with(".ghe.com")
}

/// The environment variables that hold a token for `host`, as the GitHub
/// CLI reads them: `GH_TOKEN`/`GITHUB_TOKEN` are github.com's (and its
/// cloud tenants'), `GH_ENTERPRISE_TOKEN`/`GITHUB_ENTERPRISE_TOKEN` any other
/// host's. A token made for one is never sent to the other.
pub fn variables(host: &str) -> [(&'static str, Source); 2] {
    if is_github_cloud(host) {
        [
            ("GH_TOKEN", Source::GhToken),
            ("GITHUB_TOKEN", Source::GithubToken),
        ]
    } else {
        [
            ("GH_ENTERPRISE_TOKEN", Source::GhEnterpriseToken),
            ("GITHUB_ENTERPRISE_TOKEN", Source::GithubEnterpriseToken),
        ]
    }
}

/// The token to use for `host`, in order: Hoist's keyring entry for it, the
/// environment variables for its kind of host ([`variables`]), the GitHub
/// CLI's login for it. A keyring that cannot be reached is passed over (the
/// other sources may still serve), not an error.
pub fn find(host: &str) -> Option<(Token, Source)> {
    find_among(host, &variables(host))
}

/// The token for `host` from Hoist's keyring entry, else the first of
/// `variables` set, else the GitHub CLI's login: each asked at most once.
fn find_among(host: &str, variables: &[(&str, Source)]) -> Option<(Token, Source)> {
    if let Ok(Some(token)) = stored(host) {
        return Some((token, Source::Keyring));
    }
    for (var, source) in variables {
        if let Some(token) = std::env::var(var).ok().and_then(|t| Token::new(&t)) {
            return Some((token, *source));
        }
    }
    gh_cli(host).map(|t| (t, Source::GhCli))
}

/// The token kept for `host` by its name, for a host the repository's
/// content names rather than the user (an app's source repository): Hoist's
/// keyring entry for it, github.com's own variables for GitHub's own hosts,
/// the GitHub CLI's login for it. Never `GH_ENTERPRISE_TOKEN` or
/// `GITHUB_ENTERPRISE_TOKEN`: they name no host, and a `.hoist.yaml` naming
/// any host must not be able to receive them.
pub fn find_for_named_host(host: &str) -> Option<(Token, Source)> {
    if is_github_cloud(host) {
        find(host)
    } else {
        find_among(host, &[])
    }
}

/// The GitHub CLI's token for `host`: from its `hosts.yml` when it keeps the
/// token there, else from `gh auth token`, which reads its keyring entry.
pub fn gh_cli(host: &str) -> Option<Token> {
    let config = std::env::var_os("GH_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let base = std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))?;
            Some(base.join("gh"))
        });
    if let Some(token) = config.and_then(|dir| from_hosts_file(&dir.join("hosts.yml"), host)) {
        return Some(token);
    }
    let out = std::process::Command::new("gh")
        .args(["auth", "token", "--hostname", host])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| Token::new(&String::from_utf8_lossy(&out.stdout)))
        .flatten()
}

fn from_hosts_file(path: &Path, host: &str) -> Option<Token> {
    #[derive(serde::Deserialize)]
    struct Host {
        oauth_token: Option<String>,
    }
    let text = std::fs::read_to_string(path).ok()?;
    let hosts: std::collections::BTreeMap<String, Host> = serde_saphyr::from_str(&text).ok()?;
    hosts
        .get(host)
        .and_then(|h| h.oauth_token.as_deref())
        .and_then(Token::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_does_not_show_itself() {
        let token = Token::new("  ghp_secret123\n").expect("not blank");
        assert_eq!(format!("{token:?}"), "Token(…)");
        assert_eq!(token.expose(), "ghp_secret123");
        assert!(Token::new("  ").is_none());
    }

    #[test]
    fn the_github_clis_hosts_file_is_read_per_host() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("hosts.yml");
        std::fs::write(
            &path,
            "github.com:\n    user: alice\n    oauth_token: gho_fromcli\n    git_protocol: ssh\ngithub.acme.example:\n    user: alice\n",
        )
        .expect("write");
        assert_eq!(
            from_hosts_file(&path, "github.com").map(|t| t.expose().to_owned()),
            Some("gho_fromcli".to_owned())
        );
        assert_eq!(from_hosts_file(&path, "github.acme.example"), None);
        assert_eq!(
            from_hosts_file(&dir.path().join("missing.yml"), "github.com"),
            None
        );
    }
}
