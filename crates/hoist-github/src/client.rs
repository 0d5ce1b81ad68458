//! Requests to GitHub's REST API through octocrab, with GitHub's failures
//! turned into [`Error`]s that say what to do, rate limits waited out (within
//! bounds, reported while waiting), idempotent requests retried on 5xx and
//! timeouts, and GETs made conditional with ETags so polling is free.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use octocrab::Octocrab;
use serde_json::Value;

use crate::Error;
use crate::remote::Remote;
use crate::token::Token;

pub use hoist_forge::policy::{OnWait, Policy};

/// Refuses an API URL a token must not be sent to: anything but https,
/// except plain http to this machine (the demo's and the tests' sandbox),
/// where nothing crosses a network.
fn check_api_url(api: &str, host: &str) -> Result<(), Error> {
    match hoist_forge::policy::api_url_problem(api) {
        None => Ok(()),
        Some(problem) => Err(Error::ApiUrl {
            url: api.to_owned(),
            host: host.to_owned(),
            problem: problem.to_owned(),
        }),
    }
}

/// Whether repeating a request after an unknown outcome is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, and writes whose result depends only on their input (blobs, trees).
    Safe,
    /// Writes that could happen twice (commits, refs, pull requests).
    Unsafe,
}

/// A client for one repository on one GitHub host.
pub struct Client {
    octo: Octocrab,
    api: String,
    remote: Remote,
    policy: Policy,
    on_wait: OnWait,
    /// Per URL, the last ETag and body, for conditional GETs.
    etags: Mutex<HashMap<String, (String, Value)>>,
    /// The signed-in account, once asked.
    login: std::sync::OnceLock<String>,
}

impl Client {
    /// A client for `remote`, whose API is at `api` (see [`Remote::api_url`]).
    /// Must be called inside a tokio runtime, which the client then uses.
    pub fn new(remote: &Remote, api: &str, token: &Token, policy: Policy) -> Result<Client, Error> {
        check_api_url(api, &remote.host)?;
        let octo = Octocrab::builder()
            .base_uri(api)
            .map_err(|e| Error::Unexpected {
                what: "the API URL".into(),
                detail: format!("{api}: {e}"),
            })?
            .personal_token(token.expose().to_owned())
            .add_header(
                http::header::HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_owned(),
            )
            .set_connect_timeout(Some(policy.timeout))
            .set_read_timeout(Some(policy.timeout))
            .set_write_timeout(Some(policy.timeout))
            .build()
            .map_err(|e| Error::Unexpected {
                what: "the HTTP client".into(),
                detail: e.to_string(),
            })?;
        Ok(Client {
            octo,
            api: api.trim_end_matches('/').to_owned(),
            remote: remote.clone(),
            policy,
            on_wait: Arc::new(|_, _| {}),
            etags: Mutex::default(),
            login: std::sync::OnceLock::new(),
        })
    }

    /// Calls `on_wait` whenever a request waits for a rate limit or a retry.
    pub fn with_on_wait(mut self, on_wait: OnWait) -> Client {
        self.on_wait = on_wait;
        self
    }

    /// The repository this client works on.
    pub fn remote(&self) -> &Remote {
        &self.remote
    }

    /// The signed-in account's login, asked of GitHub once per client.
    pub async fn login(&self) -> Result<String, Error> {
        if let Some(login) = self.login.get() {
            return Ok(login.clone());
        }
        let what = "the signed-in user";
        let user = self.get("/user", what).await?;
        let login = user["login"]
            .as_str()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| Error::Unexpected {
                what: what.to_owned(),
                detail: "no `login` in the answer".to_owned(),
            })?;
        Ok(self.login.get_or_init(|| login.to_owned()).clone())
    }

    /// `/repos/{owner}/{name}` followed by `rest`.
    pub fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.remote.owner, self.remote.name)
    }

    /// GET `path`, as JSON, with headers.
    pub async fn get_with_headers(
        &self,
        path: &str,
        what: &str,
    ) -> Result<(Value, HeaderMap), Error> {
        let (_, headers, body) = self
            .send(Method::GET, &self.url(path), None, what, Repeat::Safe, None)
            .await?;
        Ok((body, headers))
    }

    /// GET `path` as JSON.
    pub async fn get(&self, path: &str, what: &str) -> Result<Value, Error> {
        Ok(self.get_with_headers(path, what).await?.0)
    }

    /// GET `path`, or `None` on 404.
    pub async fn get_optional(&self, path: &str, what: &str) -> Result<Option<Value>, Error> {
        match self.get(path, what).await {
            Ok(v) => Ok(Some(v)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GET `path` conditionally: when GitHub answers 304 Not Modified (which
    /// costs no rate limit), the body from last time.
    pub async fn poll(&self, path: &str, what: &str) -> Result<Value, Error> {
        let known = self.lock_etags().get(path).cloned();
        let (status, headers, body) = self
            .send(
                Method::GET,
                &self.url(path),
                None,
                what,
                Repeat::Safe,
                known.as_ref().map(|k| k.0.as_str()),
            )
            .await?;
        if status == StatusCode::NOT_MODIFIED
            && let Some((_, body)) = known
        {
            return Ok(body);
        }
        if let Some(etag) = headers
            .get(http::header::ETAG)
            .and_then(|v| v.to_str().ok())
        {
            self.lock_etags()
                .insert(path.to_owned(), (etag.to_owned(), body.clone()));
        }
        Ok(body)
    }

    fn lock_etags(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Value)>> {
        self.etags.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A write: `method` to `path` with a JSON `body`.
    pub async fn write(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        what: &str,
        repeat: Repeat,
    ) -> Result<Value, Error> {
        Ok(self
            .send(method, &self.url(path), Some(body), what, repeat, None)
            .await?
            .2)
    }

    /// DELETE `path`, with no body.
    pub async fn delete(&self, path: &str, what: &str) -> Result<(), Error> {
        self.send(
            Method::DELETE,
            &self.url(path),
            None,
            what,
            Repeat::Safe,
            None,
        )
        .await
        .map(drop)
    }

    /// The URL of an API path.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// Where GraphQL is: beside the REST API (`api.github.com/graphql`,
    /// `<host>/api/graphql` on GitHub Enterprise Server, whose REST API is
    /// under `/api/v3`).
    fn graphql_url(&self) -> String {
        let root = self.api.strip_suffix("/v3").unwrap_or(&self.api);
        format!("{root}/graphql")
    }

    /// A GraphQL mutation (never repeated: a lost answer may have written),
    /// returning its `data`. GitHub answers errors with 200 and `errors`:
    /// stale data is a [`Error::Conflict`], a missing object
    /// [`Error::NotFound`], anything else a [`Error::Validation`].
    pub async fn mutate(&self, query: &str, variables: &Value, what: &str) -> Result<Value, Error> {
        let body = serde_json::json!({ "query": query, "variables": variables });
        let (_, _, answer) = self
            .send(
                Method::POST,
                &self.graphql_url(),
                Some(&body),
                what,
                Repeat::Unsafe,
                None,
            )
            .await?;
        let errors = answer["errors"].as_array().filter(|e| !e.is_empty());
        let Some(first) = errors.and_then(|e| e.first()) else {
            return Ok(answer["data"].clone());
        };
        let message = first["message"].as_str().unwrap_or("no message").to_owned();
        let what = what.to_owned();
        Err(match first["type"].as_str() {
            Some("STALE_DATA") => Error::Conflict { what, message },
            Some("NOT_FOUND") => Error::NotFound { what },
            _ => Error::Validation { what, message },
        })
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        what: &str,
        repeat: Repeat,
        etag: Option<&str>,
    ) -> Result<(StatusCode, HeaderMap, Value), Error> {
        let mut attempt = 0u32;
        let mut backoff = self.policy.backoff;
        let mut waited = 0u64;
        loop {
            attempt += 1;
            let outcome =
                tokio::time::timeout(self.policy.timeout, self.once(&method, url, body, etag))
                    .await;
            let retry_after_failure = |detail: String| -> Result<(), Error> {
                if repeat == Repeat::Safe && attempt <= self.policy.retries {
                    Ok(())
                } else {
                    Err(Error::Network {
                        what: what.to_owned(),
                        detail,
                    })
                }
            };
            let (status, headers, text) = match outcome {
                Ok(Ok(answer)) => answer,
                Ok(Err(e)) => {
                    retry_after_failure(e)?;
                    self.pause(backoff, "GitHub did not answer; retrying").await;
                    backoff *= 2;
                    continue;
                }
                Err(_) => {
                    retry_after_failure(format!(
                        "timed out after {} s",
                        self.policy.timeout.as_secs()
                    ))?;
                    self.pause(backoff, "GitHub timed out; retrying").await;
                    backoff *= 2;
                    continue;
                }
            };
            if status.is_success() || status == StatusCode::NOT_MODIFIED {
                let body = if text.trim().is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str(&text).map_err(|e| Error::Unexpected {
                        what: what.to_owned(),
                        detail: format!("not JSON ({e})"),
                    })?
                };
                return Ok((status, headers, body));
            }
            // A rate limit means the request was not performed: any request
            // may wait and go again.
            if let Some(wait) = rate_limit_wait(status, &headers, &text) {
                let wait = wait.max(1);
                waited = waited.saturating_add(wait);
                if waited > self.policy.max_wait.as_secs() {
                    return Err(Error::RateLimited {
                        reset: now() + i64::try_from(wait).unwrap_or(i64::MAX / 2),
                        wait_secs: wait,
                    });
                }
                self.pause(
                    Duration::from_secs(wait),
                    "GitHub's rate limit is spent; waiting",
                )
                .await;
                continue;
            }
            if status.is_server_error() && repeat == Repeat::Safe && attempt <= self.policy.retries
            {
                self.pause(
                    backoff,
                    &format!("GitHub answered {}; retrying", status.as_u16()),
                )
                .await;
                backoff *= 2;
                continue;
            }
            return Err(self.fault(status, &headers, &text, what, attempt));
        }
    }

    async fn pause(&self, wait: Duration, why: &str) {
        (self.on_wait)(wait.as_secs().max(1), why);
        tokio::time::sleep(wait).await;
    }

    async fn once(
        &self,
        method: &Method,
        url: &str,
        body: Option<&Value>,
        etag: Option<&str>,
    ) -> Result<(StatusCode, HeaderMap, String), String> {
        let response = match *method {
            Method::GET => {
                let mut headers = HeaderMap::new();
                if let Some(v) = etag.and_then(|e| http::HeaderValue::from_str(e).ok()) {
                    headers.insert(http::header::IF_NONE_MATCH, v);
                }
                self.octo._get_with_headers(url, Some(headers)).await
            }
            Method::POST => self.octo._post(url, body).await,
            Method::PATCH => self.octo._patch(url, body).await,
            Method::PUT => self.octo._put(url, body).await,
            Method::DELETE => self.octo._delete(url, body).await,
            _ => return Err(format!("unsupported method {method}")),
        }
        .map_err(|e| describe(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = self
            .octo
            .body_to_string(response)
            .await
            .map_err(|e| describe(&e))?;
        Ok((status, headers, text))
    }

    fn fault(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        text: &str,
        what: &str,
        attempts: u32,
    ) -> Error {
        let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let message = body["message"].as_str().unwrap_or("").to_owned();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        match status.as_u16() {
            401 => Error::Unauthorized {
                host: self.remote.host.clone(),
            },
            403 | 404 if missing_scope(headers).is_some() => {
                let (needed, has) = missing_scope(headers).unwrap_or_default();
                Error::MissingScope { needed, has }
            }
            403 if header("x-github-sso").is_some() => Error::SsoRequired {
                url: header("x-github-sso")
                    .and_then(|v| v.split_once("url=").map(|(_, u)| u.to_owned()))
                    .unwrap_or_else(|| "https://github.com/settings/tokens".to_owned()),
            },
            403 => Error::Forbidden {
                what: what.to_owned(),
                message,
            },
            404 => Error::NotFound {
                what: what.to_owned(),
            },
            405 | 409 => Error::Conflict {
                what: what.to_owned(),
                message,
            },
            422 => {
                let details: Vec<String> = body["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| {
                        e["message"]
                            .as_str()
                            .or(e["code"].as_str())
                            .map(str::to_owned)
                    })
                    .collect();
                let message = if details.is_empty() {
                    message
                } else {
                    format!("{message}: {}", details.join("; "))
                };
                Error::Validation {
                    what: what.to_owned(),
                    message,
                }
            }
            s if s >= 500 => Error::Server {
                what: what.to_owned(),
                status: s,
                attempts,
            },
            s => Error::Unexpected {
                what: what.to_owned(),
                detail: format!("status {s}: {message}"),
            },
        }
    }
}

/// The seconds to wait when `status` is a rate limit: primary (no requests
/// left until `x-ratelimit-reset`) or secondary (`retry-after`, or a minute
/// when GitHub gives no time).
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap, text: &str) -> Option<u64> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    if let Some(after) = header("retry-after") {
        return Some(u64::try_from(after).unwrap_or(0));
    }
    if header("x-ratelimit-remaining") == Some(0) {
        let reset = header("x-ratelimit-reset").unwrap_or_else(now);
        return Some(u64::try_from(reset - now()).unwrap_or(0));
    }
    (status == StatusCode::TOO_MANY_REQUESTS || text.contains("secondary rate limit")).then_some(60)
}

/// `(needed, has)` when GitHub says which scopes the request accepts and the
/// token has none of them.
fn missing_scope(headers: &HeaderMap) -> Option<(String, String)> {
    let list = |name: &str| -> Option<Vec<String>> {
        let v = headers.get(name)?.to_str().ok()?;
        Some(
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        )
    };
    let accepted = list("x-accepted-oauth-scopes")?;
    let has = list("x-oauth-scopes")?;
    if accepted.is_empty() || accepted.iter().any(|a| has.contains(a)) {
        return None;
    }
    Some((
        accepted.join(" or "),
        if has.is_empty() {
            "none".into()
        } else {
            has.join(", ")
        },
    ))
}

/// An octocrab error as one line, without the request (which never holds the token).
fn describe(e: &octocrab::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header value"));
        }
        h
    }

    fn client() -> Client {
        let remote =
            Remote::parse("git@github.com:acme/gitops.git", &Default::default()).expect("remote");
        let token = Token::new("ghp_test").expect("token");
        Client::new(&remote, "http://127.0.0.1:9", &token, Policy::default()).expect("client")
    }

    #[test]
    fn rate_limits_say_how_long_to_wait() {
        let forbidden = StatusCode::FORBIDDEN;
        let reset = (now() + 30).to_string();
        let spent = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ]);
        let wait = rate_limit_wait(forbidden, &spent, "").expect("primary limit");
        assert!((29..=30).contains(&wait), "{wait}");
        let secondary = headers(&[("retry-after", "7")]);
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &secondary, ""),
            Some(7)
        );
        let body = r#"{"message":"You have exceeded a secondary rate limit."}"#;
        assert_eq!(
            rate_limit_wait(forbidden, &HeaderMap::new(), body),
            Some(60)
        );
        assert_eq!(
            rate_limit_wait(forbidden, &HeaderMap::new(), r#"{"message":"nope"}"#),
            None
        );
        assert_eq!(rate_limit_wait(StatusCode::NOT_FOUND, &spent, ""), None);
    }

    #[test]
    fn each_failure_says_what_to_do() {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let _inside = runtime.enter();
        let c = client();
        let what = "the pull request";
        let cases: Vec<(u16, HeaderMap, &str, &str)> = vec![
            (
                401,
                HeaderMap::new(),
                r#"{"message":"Bad credentials"}"#,
                "GitHub rejected the token for github.com (bad, expired or revoked credentials); sign in again with `hoist auth login`",
            ),
            (
                403,
                headers(&[(
                    "x-github-sso",
                    "required; url=https://github.com/orgs/acme/sso?authorization_request=X",
                )]),
                r#"{"message":"Resource protected by organization SAML enforcement."}"#,
                "the token is not authorised for this organisation's single sign-on; authorise it at https://github.com/orgs/acme/sso?authorization_request=X",
            ),
            (
                404,
                headers(&[
                    ("x-accepted-oauth-scopes", "repo"),
                    ("x-oauth-scopes", "read:org, gist"),
                ]),
                r#"{"message":"Not Found"}"#,
                "the token lacks the repo scope (it has: read:org, gist); create a token with `repo` and run `hoist auth login`",
            ),
            (
                404,
                HeaderMap::new(),
                r#"{"message":"Not Found"}"#,
                "the pull request was not found on GitHub, or the token has no access to it",
            ),
            (
                422,
                HeaderMap::new(),
                r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:hoist/stage/api-1.6.0."}]}"#,
                "GitHub refused the pull request: Validation Failed: A pull request already exists for acme:hoist/stage/api-1.6.0.",
            ),
            (
                409,
                HeaderMap::new(),
                r#"{"message":"Head branch was modified. Review and try the merge again."}"#,
                "GitHub cannot do the pull request now: Head branch was modified. Review and try the merge again.",
            ),
            (
                502,
                HeaderMap::new(),
                "<html>Bad gateway</html>",
                "GitHub answered 502 to the pull request 4 times; try again in a minute",
            ),
        ];
        for (status, h, body, want) in cases {
            let attempts = if status == 502 { 4 } else { 1 };
            let e = c.fault(
                StatusCode::from_u16(status).expect("status"),
                &h,
                body,
                what,
                attempts,
            );
            assert_eq!(e.to_string(), want, "{status}");
        }
    }
}
