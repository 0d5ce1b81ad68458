//! Requests to GitLab's REST API v4: the token in `PRIVATE-TOKEN`, GitLab's
//! failures as typed errors, retries of what is safe to repeat, waits for
//! the rate limit within a bound, and GETs made conditional with ETags so
//! following a merge request does not fetch what has not changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as Http;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

pub use hoist_forge::policy::{OnWait, Policy};
use hoist_forge::token::Token;

use crate::{Error, Project};

/// Whether repeating a request after an unknown outcome is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, and writes that land the same however often they are made.
    Safe,
    /// Writes that could happen twice (a merge request, a merge).
    Unsafe,
}

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Me {
    /// Its numeric id.
    pub id: u64,
    /// Its username.
    pub username: String,
}

/// A client for one project on one GitLab host.
pub struct Client {
    http: Http<HttpsConnector<HttpConnector>, Full<Bytes>>,
    api: String,
    project: Project,
    token: Token,
    policy: Policy,
    on_wait: OnWait,
    me: OnceLock<Me>,
    project_id: OnceLock<u64>,
    /// Per API path, the ETag of the last answer to [`Client::poll`] and
    /// the body it names.
    etags: Mutex<HashMap<String, (String, Value)>>,
}

/// An answer: its status, its headers and its body as JSON (`Null` when empty).
type Answer = (StatusCode, http::HeaderMap, Value);

impl Client {
    /// A client for `project`, whose API is at `api` (see [`Project::api_url`]).
    pub fn new(
        project: &Project,
        api: &str,
        token: &Token,
        policy: Policy,
    ) -> Result<Client, Error> {
        if let Some(problem) = hoist_forge::policy::api_url_problem(api) {
            return Err(Error::ApiUrl {
                url: api.to_owned(),
                host: project.host.clone(),
                problem: problem.to_owned(),
            });
        }
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| Error::Unexpected {
                what: "the system's certificates".into(),
                detail: e.to_string(),
            })?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Client {
            http: Http::builder(TokioExecutor::new()).build(https),
            api: api.trim_end_matches('/').to_owned(),
            project: project.clone(),
            token: token.clone(),
            policy,
            on_wait: Arc::new(|_, _| {}),
            me: OnceLock::new(),
            project_id: OnceLock::new(),
            etags: Mutex::default(),
        })
    }

    /// Tells `on_wait` each time a request waits (a rate limit, a retry).
    pub fn with_on_wait(mut self, on_wait: OnWait) -> Client {
        self.on_wait = on_wait;
        self
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The API path of something of the project: `/projects/ID{rest}`.
    pub fn project_path(&self, rest: &str) -> String {
        format!("/projects/{}{rest}", self.project.id())
    }

    /// The signed-in account, asked once.
    pub async fn me(&self) -> Result<Me, Error> {
        if let Some(me) = self.me.get() {
            return Ok(me.clone());
        }
        let user = self.get("/user", "the signed-in user").await?;
        let me = Me {
            id: user["id"].as_u64().ok_or_else(|| Error::Unexpected {
                what: "the signed-in user".into(),
                detail: "no id".into(),
            })?,
            username: text(&user, "username", "the signed-in user")?,
        };
        Ok(self.me.get_or_init(|| me).clone())
    }

    /// The project's numeric id (what merge requests name their source
    /// project by), asked once.
    pub async fn project_id(&self) -> Result<u64, Error> {
        if let Some(id) = self.project_id.get() {
            return Ok(*id);
        }
        let project = self.get(&self.project_path(""), "the project").await?;
        let id = project["id"].as_u64().ok_or_else(|| Error::Unexpected {
            what: "the project".into(),
            detail: "no id".into(),
        })?;
        Ok(*self.project_id.get_or_init(|| id))
    }

    /// GETs `path`.
    pub async fn get(&self, path: &str, what: &str) -> Result<Value, Error> {
        self.send(Method::GET, path, None, what, Repeat::Safe).await
    }

    /// GETs `path`; `None` when GitLab has no such thing.
    pub async fn find(&self, path: &str, what: &str) -> Result<Option<Value>, Error> {
        match self.get(path, what).await {
            Ok(v) => Ok(Some(v)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GETs `path` conditionally, for what is read again and again while
    /// following a merge request: with the ETag of the last answer to the
    /// same path, GitLab answers 304 Not Modified without a body when
    /// nothing changed, and the body remembered from then is returned.
    pub async fn poll(&self, path: &str, what: &str) -> Result<Value, Error> {
        let known = self.lock_etags().get(path).cloned();
        let etag = known.as_ref().map(|(etag, _)| etag.as_str());
        let (status, headers, body) = self
            .exchange(Method::GET, path, None, what, Repeat::Safe, etag)
            .await?;
        // `exchange` takes a 304 only when an ETag was sent, that is when
        // a body is known.
        if status == StatusCode::NOT_MODIFIED
            && let Some((_, body)) = known
        {
            return Ok(body);
        }
        let etag = headers
            .get(http::header::ETAG)
            .and_then(|v| v.to_str().ok());
        let mut etags = self.lock_etags();
        match etag {
            Some(etag) => {
                etags.insert(path.to_owned(), (etag.to_owned(), body.clone()));
            }
            // An answer without one: the remembered ETag names an older body.
            None => {
                etags.remove(path);
            }
        }
        Ok(body)
    }

    fn lock_etags(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Value)>> {
        // The map is only read and replaced whole per entry: a panic while
        // it was held cannot have left an entry half written.
        self.etags.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends `body` (JSON) to `path` with `method`, retrying a failure of a
    /// [`Repeat::Safe`] request and waiting out the rate limit within the
    /// policy's bound.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
        repeat: Repeat,
    ) -> Result<Value, Error> {
        Ok(self
            .exchange(method, path, body, what, repeat, None)
            .await?
            .2)
    }

    /// [`Client::send`], with `If-None-Match: etag` when given; a 304 Not
    /// Modified is then an answer (with a `Null` body), else a refusal.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
        repeat: Repeat,
        etag: Option<&str>,
    ) -> Result<Answer, Error> {
        let url = format!("{}{path}", self.api);
        let body = body.map(|b| Bytes::from(b.to_string()));
        let mut waited = Duration::ZERO;
        let mut backoff = self.policy.backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.once(&method, &url, body.clone(), etag).await;
            let retry = |detail: String| Error::Unavailable {
                what: what.to_owned(),
                detail,
            };
            let (status, headers, bytes) = match outcome {
                Ok(answer) => answer,
                Err(detail) => {
                    if repeat == Repeat::Safe && attempt <= self.policy.retries {
                        self.pause(&mut backoff, "GitLab did not answer; trying again")
                            .await;
                        continue;
                    }
                    return Err(retry(detail));
                }
            };
            if status == StatusCode::TOO_MANY_REQUESTS {
                let seconds = retry_after(&headers).unwrap_or(1);
                let wait = Duration::from_secs(seconds);
                if waited + wait > self.policy.max_wait {
                    return Err(Error::RateLimited {
                        host: self.project.host.clone(),
                        seconds,
                    });
                }
                waited += wait;
                (self.on_wait)(seconds, "waiting for GitLab's rate limit");
                tokio::time::sleep(wait).await;
                continue;
            }
            if status.is_server_error() {
                if repeat == Repeat::Safe && attempt <= self.policy.retries {
                    self.pause(&mut backoff, "GitLab failed; trying again")
                        .await;
                    continue;
                }
                return Err(retry(format!("{status}: {}", message(&bytes))));
            }
            let value: Value = if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes).map_err(|e| Error::Unexpected {
                    what: what.to_owned(),
                    detail: e.to_string(),
                })?
            };
            return match status {
                s if s.is_success() => Ok((s, headers, value)),
                StatusCode::NOT_MODIFIED if etag.is_some() => Ok((status, headers, value)),
                StatusCode::UNAUTHORIZED => Err(Error::Unauthorized {
                    host: self.project.host.clone(),
                }),
                StatusCode::FORBIDDEN => Err(Error::Forbidden {
                    what: what.to_owned(),
                    message: message(&bytes),
                }),
                StatusCode::NOT_FOUND => Err(Error::NotFound {
                    what: what.to_owned(),
                }),
                _ => Err(Error::Refused {
                    what: what.to_owned(),
                    message: message(&bytes),
                }),
            };
        }
    }

    async fn pause(&self, backoff: &mut Duration, why: &str) {
        (self.on_wait)(backoff.as_secs(), why);
        tokio::time::sleep(*backoff).await;
        *backoff *= 2;
    }

    /// One exchange; `Err` when no answer came (connection, timeout).
    async fn once(
        &self,
        method: &Method,
        url: &str,
        body: Option<Bytes>,
        etag: Option<&str>,
    ) -> Result<(StatusCode, http::HeaderMap, Bytes), String> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(url)
            .header("private-token", self.token.expose())
            .header("accept", "application/json")
            .header("user-agent", "hoist");
        if let Some(etag) = etag {
            request = request.header(http::header::IF_NONE_MATCH, etag);
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| e.to_string())?;
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| e.to_string())?;
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
            Ok((parts.status, parts.headers, bytes))
        };
        tokio::time::timeout(self.policy.timeout, exchange)
            .await
            .map_err(|_| format!("no answer within {} s", self.policy.timeout.as_secs()))?
    }
}

/// Whom a token belongs to on a host, and its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The account's username.
    pub login: String,
    /// The token's scopes, comma-separated.
    pub scopes: Option<String>,
}

/// Asks the GitLab at `api` whom `token` belongs to; refuses a token without
/// the `api` scope, which Hoist needs to write the commit and the merge request.
pub async fn identify(host: &str, api: &str, token: &Token) -> Result<Identity, Error> {
    let nowhere = Project {
        host: host.to_ascii_lowercase(),
        path: String::new(),
    };
    let client = Client::new(&nowhere, api, token, Policy::default())?;
    let me = client.me().await?;
    let scopes = client
        .find("/personal_access_tokens/self", "the token's scopes")
        .await?
        .and_then(|t| {
            t["scopes"].as_array().map(|s| {
                s.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        });
    if let Some(has) = &scopes
        && !has.split(", ").any(|s| s == "api")
    {
        return Err(Error::Forbidden {
            what: "the token".into(),
            message: format!("it has the scopes {has}; Hoist needs api"),
        });
    }
    Ok(Identity {
        login: me.username,
        scopes,
    })
}

/// How long GitLab asks to wait: `Retry-After`, else until `RateLimit-Reset`.
fn retry_after(headers: &http::HeaderMap) -> Option<u64> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    number("retry-after").or_else(|| {
        let reset = number("ratelimit-reset")?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        Some(reset.saturating_sub(now).max(1))
    })
}

/// GitLab's words in an error body: `{"message": "…"}`, `{"message":
/// ["…"]}` (a merge request's validation, e.g. another open one from the
/// same branch), `{"message": {"field": ["…"]}}`, or `{"error": "…",
/// "error_description": "…"}`.
fn message(bytes: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return String::from_utf8_lossy(bytes).chars().take(200).collect();
    };
    match (&value["message"], &value["error"]) {
        (Value::String(m), _) => m.clone(),
        (Value::Array(sentences), _) => sentences
            .iter()
            .map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("; "),
        (Value::Object(fields), _) => fields
            .iter()
            .map(|(k, v)| match v {
                Value::Array(items) => format!(
                    "{k} {}",
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                other => format!("{k} {other}"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        (_, Value::String(e)) => value["error_description"]
            .as_str()
            .map_or_else(|| e.clone(), |d| format!("{e}: {d}")),
        _ => value.to_string(),
    }
}

/// The string field `key` of `value`, or an error naming `what`.
pub fn text(value: &Value, key: &str, what: &str) -> Result<String, Error> {
    value[key]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::Unexpected {
            what: what.to_owned(),
            detail: format!("no {key}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_s_error_bodies_in_words() {
        assert_eq!(
            message(br#"{"message":"404 Project Not Found"}"#),
            "404 Project Not Found"
        );
        assert_eq!(
            message(br#"{"message":{"source_branch":["is invalid"],"title":["can't be blank"]}}"#),
            "source_branch is invalid; title can't be blank"
        );
        assert_eq!(
            message(br#"{"error":"insufficient_scope","error_description":"The request requires higher privileges"}"#),
            "insufficient_scope: The request requires higher privileges"
        );
        assert_eq!(
            message(br#"{"message":["Another open merge request already exists for this source branch: !1"]}"#),
            "Another open merge request already exists for this source branch: !1"
        );
        assert_eq!(message(b"<html>bad gateway"), "<html>bad gateway");
    }
}
