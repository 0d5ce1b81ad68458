//! From a local clone to a client: the origin's host and repository, the API
//! it is served by, and the token.
//!
//! The API is api.github.com, `api.<host>` for GitHub Enterprise Cloud, the
//! URL saved for a GitHub Enterprise Server host (`hoist auth login --host H
//! --api-url URL`, kept in `hosts.json` in Hoist's configuration directory),
//! or the clone's own `hoist.apiUrl` git setting, which the demo uses to
//! point its clone at the local sandbox.

use std::path::PathBuf;

use crate::Error;
use crate::client::{Client, Policy};
use crate::remote::{Enterprise, Remote};
use crate::token::{self, Token};

/// The git setting that names the API for a clone's origin.
pub const API_URL_KEY: &str = "hoist.apiUrl";

/// Where Hoist keeps its own settings: `$HOIST_CONFIG_DIR`, else
/// `$XDG_CONFIG_HOME/hoist`, else `~/.config/hoist`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HOIST_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("hoist"))
}

/// The saved GitHub Enterprise Server hosts and their API URLs.
pub fn hosts() -> Enterprise {
    config_dir()
        .and_then(|dir| std::fs::read(dir.join("hosts.json")).ok())
        .and_then(|text| serde_json::from_slice(&text).ok())
        .unwrap_or_default()
}

/// Saves `host`'s API URL (no secret: tokens live in the keyring).
pub fn save_host(host: &str, api: &str) -> std::io::Result<()> {
    let dir =
        config_dir().ok_or_else(|| std::io::Error::other("no HOME to keep Hoist's settings in"))?;
    std::fs::create_dir_all(&dir)?;
    let mut all = hosts();
    all.insert(
        host.to_ascii_lowercase(),
        api.trim_end_matches('/').to_owned(),
    );
    let text = serde_json::to_vec_pretty(&all).map_err(std::io::Error::other)?;
    // Written whole, then renamed: a crash never leaves half a file.
    let partial = dir.join("hosts.json.partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(partial, dir.join("hosts.json"))
}

/// The clone's `hoist.apiUrl`, when the clone is the current user's own:
/// a repository someone else owns (a shared checkout, a mounted disk) could
/// point the token at any host, so its settings are not taken, as git
/// itself distrusts such repositories (`safe.directory`).
pub fn api_url_setting(repo: &hoist_core::Repo) -> Option<String> {
    repo.is_owned_by_current_user()
        .then(|| repo.config_value(API_URL_KEY))
        .flatten()
}

/// The repository behind `origin` and its API's base URL; `api_url` is the
/// clone's `hoist.apiUrl` ([`api_url_setting`]) or the one given at sign-in.
/// github.com's API is api.github.com and a cloud tenant's `api.<host>`:
/// no setting redirects them, so a token for them goes nowhere else.
pub fn locate(origin: &str, api_url: Option<&str>) -> Result<(Remote, String), Error> {
    let mut enterprise = hosts();
    if let Some(api) = api_url {
        if let Ok(remote) = Remote::parse(origin, &enterprise)
            && token::is_github_cloud(&remote.host)
        {
            return Err(Error::ApiUrl {
                url: api.to_owned(),
                host: remote.host.clone(),
                problem: format!(
                    "{}'s API is {}; Hoist does not send its token elsewhere",
                    remote.host,
                    remote.api_url(&Enterprise::new())
                ),
            });
        }
        // The clone says where its origin's API is: that host is GitHub.
        match Remote::parse(origin, &enterprise) {
            Ok(remote) => {
                enterprise.insert(remote.host, api.to_owned());
            }
            Err(crate::remote::Error::NotGitHub { host }) => {
                enterprise.insert(host, api.to_owned());
            }
            Err(e) => return Err(e.into()),
        }
    }
    let remote = Remote::parse(origin, &enterprise)?;
    let api = remote.api_url(&enterprise);
    Ok((remote, api))
}

/// Where a clone's calls to GitHub go: its origin's repository, that
/// host's API, and the token for it (if any) with where it comes from.
pub struct Host {
    /// The origin's repository.
    pub remote: Remote,
    /// The API's base URL.
    pub api: String,
    /// The token and a few words on where it comes from.
    pub token: Option<(Token, &'static str)>,
}

/// The GitHub host of the clone `repo`, what the CLI and the window both
/// connect through. `api_url` names the API of a GitHub Enterprise Server
/// host not saved yet (at sign-in), else the clone's own setting counts
/// ([`api_url_setting`]); `token` is one handed over in memory (the demo's),
/// else the host's is found ([`token::find`]).
pub fn host(
    repo: &hoist_core::Repo,
    api_url: Option<&str>,
    token: Option<(Token, &'static str)>,
) -> Result<Host, Error> {
    let origin = repo
        .config_value("remote.origin.url")
        .ok_or(Error::NoOrigin)?;
    let api_url = api_url.map(str::to_owned).or_else(|| api_url_setting(repo));
    let (remote, api) = locate(&origin, api_url.as_deref())?;
    let token = token.or_else(|| token::find(&remote.host).map(|(t, s)| (t, s.describe())));
    Ok(Host { remote, api, token })
}

impl Host {
    /// A client with the host's token, or [`Error::NoToken`].
    pub fn client(&self, policy: Policy) -> Result<Client, Error> {
        let Some((token, _)) = &self.token else {
            return Err(Error::NoToken {
                host: self.remote.host.clone(),
                variable: token::variables(&self.remote.host)[0].0,
            });
        };
        Client::new(&self.remote, &self.api, token, policy)
    }
}

/// Whom a token belongs to on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The account's login.
    pub login: String,
    /// A classic token's scopes; `None` for a fine-grained token, which has none.
    pub scopes: Option<String>,
}

/// Asks `host` (at `api_url`, or where [`Remote::api_url`] says) whom
/// `token` belongs to; refuses a classic token without the `repo` scope,
/// which Hoist needs to push branches and open pull requests.
pub async fn identify(host: &str, api_url: Option<&str>, token: &Token) -> Result<Identity, Error> {
    let remote = Remote {
        host: host.to_ascii_lowercase(),
        owner: String::new(),
        name: String::new(),
    };
    let api = api_url.map_or_else(|| remote.api_url(&hosts()), str::to_owned);
    let client = Client::new(&remote, &api, token, Policy::default())?;
    let (user, headers) = client
        .get_with_headers("/user", "the signed-in user")
        .await?;
    let scopes = headers
        .get("x-oauth-scopes")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(has) = &scopes
        && !has.split(',').any(|s| s.trim() == "repo")
    {
        return Err(Error::MissingScope {
            needed: "repo".into(),
            has: has.clone(),
        });
    }
    Ok(Identity {
        login: user["login"].as_str().unwrap_or("?").to_owned(),
        scopes,
    })
}
