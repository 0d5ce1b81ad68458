//! The GitLab token for a host: where it comes from.
//!
//! Invariant: a token is sent only to the host it was found for: the
//! keyring entry is per host, `GITLAB_TOKEN` belongs to `GITLAB_HOST` (or
//! gitlab.com when that is unset), and glab's login is per host.

use std::path::PathBuf;

pub use hoist_forge::token::Token;

/// Where a token was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The OS keyring entry Hoist stores.
    Keyring,
    /// The `GITLAB_TOKEN` environment variable.
    GitlabToken,
    /// The `glab` CLI's stored login.
    Glab,
}

impl Source {
    /// Where, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Keyring => "the OS keyring",
            Source::GitlabToken => "GITLAB_TOKEN",
            Source::Glab => "the glab CLI's login",
        }
    }
}

/// The token to use for `host`, in order: Hoist's keyring entry for it,
/// `GITLAB_TOKEN` when `host` is the one it belongs to, the glab CLI's
/// login for it. A keyring that cannot be reached is passed over.
pub fn find(host: &str) -> Option<(Token, Source)> {
    if let Ok(Some(token)) = hoist_forge::token::stored(host) {
        return Some((token, Source::Keyring));
    }
    let default_host = std::env::var("GITLAB_HOST")
        .ok()
        .map(|h| host_of(&h))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "gitlab.com".to_owned());
    if default_host.eq_ignore_ascii_case(host)
        && let Some(token) = std::env::var("GITLAB_TOKEN")
            .ok()
            .and_then(|t| Token::new(&t))
    {
        return Some((token, Source::GitlabToken));
    }
    glab(host).map(|t| (t, Source::Glab))
}

/// `GITLAB_HOST` may be a host or a URL.
fn host_of(value: &str) -> String {
    let rest = value.split_once("://").map_or(value, |(_, r)| r);
    rest.split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// glab's configuration file: `$GLAB_CONFIG_DIR/config.yml`, else
/// `$XDG_CONFIG_HOME/glab-cli/config.yml`, else `~/.config/glab-cli/config.yml`.
fn glab_config() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GLAB_CONFIG_DIR") {
        return Some(PathBuf::from(dir).join("config.yml"));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("glab-cli").join("config.yml"))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct GlabConfig {
    hosts: std::collections::BTreeMap<String, GlabHost>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct GlabHost {
    token: Option<String>,
}

/// glab's token for `host` from its configuration file, when it keeps one
/// there (newer glab may keep it in the keyring, which Hoist does not read).
pub fn glab(host: &str) -> Option<Token> {
    let text = std::fs::read_to_string(glab_config()?).ok()?;
    glab_token(&text, host)
}

fn glab_token(config: &str, host: &str) -> Option<Token> {
    let config: GlabConfig = serde_saphyr::from_str(config).ok()?;
    config
        .hosts
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(host))
        .and_then(|(_, h)| h.token.as_deref())
        .and_then(Token::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glab_s_token_is_read_for_its_host_only() {
        let config = "git_protocol: ssh\nhosts:\n  gitlab.com:\n    token: glpat-cloud\n    api_protocol: https\n  git.acme.example:\n    token: glpat-acme\n    user: erin\n";
        assert_eq!(
            glab_token(config, "gitlab.com").map(|t| t.expose().to_owned()),
            Some("glpat-cloud".to_owned())
        );
        assert_eq!(
            glab_token(config, "GIT.acme.example").map(|t| t.expose().to_owned()),
            Some("glpat-acme".to_owned())
        );
        assert!(glab_token(config, "elsewhere.example").is_none());
        assert!(glab_token("hosts:\n  gitlab.com:\n    token:\n", "gitlab.com").is_none());
        assert!(glab_token("hosts: [1, 2", "gitlab.com").is_none());
    }

    #[test]
    fn gitlab_host_may_be_written_as_a_url() {
        assert_eq!(
            host_of("https://Git.Acme.example:8443/"),
            "git.acme.example"
        );
        assert_eq!(host_of("gitlab.com"), "gitlab.com");
    }
}
