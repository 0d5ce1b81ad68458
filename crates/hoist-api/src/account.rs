//! Whom forge calls are made as: the account behind a host's token, and
//! signing in and out. The token itself never leaves Rust.

use hoist_github::{Token, connect, token};
use serde::Serialize;

use crate::{Error, Session};

/// Whom calls to a host are made as, without the token.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Account {
    /// The forge host.
    pub host: String,
    /// Where the token comes from; `None` when there is none.
    pub token_source: Option<String>,
    /// Whose token it is, as the forge says.
    pub login: Option<String>,
    /// The token's OAuth scopes as the forge lists them; `None` without a
    /// login, or for a fine-grained token, which has none.
    pub scopes: Option<String>,
    /// Why the forge would not say (a revoked token, a missing scope, no network).
    pub problem: Option<String>,
}

/// The account behind `token` (with where it comes from) on `host`, asked
/// of the forge; a token the forge refuses is a `problem`, not an error.
pub async fn of(host: &str, api_url: Option<&str>, token: Option<(Token, &str)>) -> Account {
    let Some((token, source)) = token else {
        return Account {
            host: host.to_owned(),
            token_source: None,
            login: None,
            scopes: None,
            problem: None,
        };
    };
    let (login, scopes, problem) = match connect::identify(host, api_url, &token).await {
        Ok(identity) => (Some(identity.login), identity.scopes, None),
        Err(e) => (None, None, Some(e.to_string())),
    };
    Account {
        host: host.to_owned(),
        token_source: Some(source.to_owned()),
        login,
        scopes,
        problem,
    }
}

/// The account for the session's origin: its host, its API (a GitHub
/// Enterprise Server's as saved), and the token found for it.
pub async fn current(session: &Session) -> Result<Account, Error> {
    let host = session.host(None)?;
    Ok(of(&host.remote.host, Some(&host.api), host.token).await)
}

/// Checks `token` with the forge at `host` (who it is, that it may write)
/// and keeps it in the OS keyring for that host; `api_url`, naming a GitHub
/// Enterprise Server's API, is saved for the host once the token works
/// there. Nothing is stored if the check fails.
pub async fn sign_in(host: &str, api_url: Option<&str>, token: &Token) -> Result<Account, Error> {
    keep(host, api_url, api_url, token).await
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
    let account = keep(&host.remote.host, Some(&host.api), api_url, token).await;
    session.reconnect().await;
    account
}

/// Checks `token` at `api` and stores it; saves `named`, an API the user
/// named, only then. An API found from the clone's own setting is not saved
/// for the host: it belongs to that clone.
async fn keep(
    host: &str,
    api: Option<&str>,
    named: Option<&str>,
    token: &Token,
) -> Result<Account, Error> {
    let identity = connect::identify(host, api, token).await?;
    if let Some(named) = named {
        connect::save_host(host, named).map_err(|source| Error::SaveHost {
            host: host.to_owned(),
            source,
        })?;
    }
    token::store(host, token)?;
    Ok(Account {
        host: host.to_owned(),
        token_source: Some(token::Source::Keyring.describe().to_owned()),
        login: Some(identity.login),
        scopes: identity.scopes,
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
    let removed = sign_out(&host.remote.host);
    session.reconnect().await;
    removed
}
