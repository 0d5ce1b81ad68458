//! Whom forge calls are made as: the account behind a host's token, and
//! signing in and out. The token itself never leaves Rust.

use hoist_core::forge::Forge;
use hoist_forge::token::{self, Token};
use serde::Serialize;

use crate::{Error, Session};

/// Whom calls to a host are made as, without the token.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Account {
    /// The forge.
    pub forge: Forge,
    /// The forge host.
    pub host: String,
    /// Where the token comes from; `None` when there is none.
    pub token_source: Option<String>,
    /// Whose token it is, as the forge says.
    pub login: Option<String>,
    /// The token's scopes as the forge lists them; `None` without a
    /// login, or for a GitHub fine-grained token, which has none.
    pub scopes: Option<String>,
    /// Why the forge would not say (a revoked token, a missing scope, no network).
    pub problem: Option<String>,
}

/// Who `token` is on `host` of `forge` (at `api`, else the host's usual
/// API), and the token's scopes; refuses a token that cannot write.
async fn identify(
    forge: Forge,
    host: &str,
    api: Option<&str>,
    token: &Token,
) -> Result<(String, Option<String>), Error> {
    Ok(match forge {
        Forge::GitHub => {
            let i = hoist_github::connect::identify(host, api, token).await?;
            (i.login, i.scopes)
        }
        Forge::GitLab => {
            let api = api.map_or_else(|| format!("https://{host}/api/v4"), str::to_owned);
            let i = hoist_gitlab::client::identify(host, &api, token).await?;
            (i.login, i.scopes)
        }
    })
}

/// The account behind `token` (with where it comes from) on `host`, asked
/// of the forge; a token the forge refuses is a `problem`, not an error.
pub async fn of(
    forge: Forge,
    host: &str,
    api_url: Option<&str>,
    token: Option<(Token, &str)>,
) -> Account {
    let mut account = Account {
        forge,
        host: host.to_owned(),
        token_source: None,
        login: None,
        scopes: None,
        problem: None,
    };
    let Some((token, source)) = token else {
        return account;
    };
    account.token_source = Some(source.to_owned());
    match identify(forge, host, api_url, &token).await {
        Ok((login, scopes)) => {
            account.login = Some(login);
            account.scopes = scopes;
        }
        Err(e) => account.problem = Some(e.to_string()),
    }
    account
}

/// The token for `host` on `forge` and where it comes from, found as that
/// forge's own tools find it (keyring first, then the environment, then
/// the forge's CLI).
pub fn token_for(forge: Forge, host: &str) -> Option<(Token, &'static str)> {
    match forge {
        Forge::GitHub => hoist_github::token::find(host).map(|(t, s)| (t, s.describe())),
        Forge::GitLab => hoist_gitlab::token::find(host).map(|(t, s)| (t, s.describe())),
    }
}

/// The forge a host is on when only its name is known: what the name
/// says, else `named`, else GitHub (whose Enterprise hosts say nothing).
pub fn forge_of_host(host: &str, named: Option<Forge>) -> Forge {
    named
        .or_else(|| Forge::of_host(host))
        .unwrap_or(Forge::GitHub)
}

/// The account for the session's origin: its forge and host, its API (as
/// saved or set on the clone), and the token found for it.
pub async fn current(session: &Session) -> Result<Account, Error> {
    let host = session.host(None)?;
    Ok(of(host.forge, &host.host, Some(&host.api), host.token).await)
}

/// Checks `token` with `forge` at `host` (who it is, that it may write)
/// and keeps it in the OS keyring for that host; `api_url`, naming a GitHub
/// Enterprise Server's API, is saved for the host once the token works
/// there. Nothing is stored if the check fails.
pub async fn sign_in(
    forge: Forge,
    host: &str,
    api_url: Option<&str>,
    token: &Token,
) -> Result<Account, Error> {
    keep(forge, host, api_url, api_url, token).await
}

/// Signs in to the session's origin host (at its API, or at `api_url` when
/// the user names one), then drops the session's client so the next call
/// uses the new token.
pub async fn sign_in_here(
    session: &Session,
    api_url: Option<&str>,
    token: &Token,
) -> Result<Account, Error> {
    let host = session.host(api_url)?;
    let account = keep(host.forge, &host.host, Some(&host.api), api_url, token).await;
    session.reconnect().await;
    account
}

/// Checks `token` at `api` and stores it; saves `named`, an API the user
/// named, only then (for GitHub, whose Enterprise hosts are known by it).
/// An API found from the clone's own setting is not saved for the host:
/// it belongs to that clone.
async fn keep(
    forge: Forge,
    host: &str,
    api: Option<&str>,
    named: Option<&str>,
    token: &Token,
) -> Result<Account, Error> {
    let (login, scopes) = identify(forge, host, api, token).await?;
    if let (Forge::GitHub, Some(named)) = (forge, named) {
        hoist_github::connect::save_host(host, named).map_err(|source| Error::SaveHost {
            host: host.to_owned(),
            source,
        })?;
    }
    token::store(host, token)?;
    Ok(Account {
        forge,
        host: host.to_owned(),
        token_source: Some(hoist_github::token::Source::Keyring.describe().to_owned()),
        login: Some(login),
        scopes,
        problem: None,
    })
}

/// Removes `host`'s token from the OS keyring; false when none was there.
pub fn sign_out(host: &str) -> Result<bool, Error> {
    Ok(token::forget(host)?)
}

/// Signs out of the session's origin host.
pub async fn sign_out_here(session: &Session) -> Result<bool, Error> {
    let host = session.host(None)?;
    let removed = sign_out(&host.host);
    session.reconnect().await;
    removed
}
