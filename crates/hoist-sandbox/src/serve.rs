//! What every request goes through before and after its route: injected
//! faults, the token and its scopes, the rate limit, conditional GETs, the
//! headers GitHub adds, and the journal.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::reply::Reply;
use crate::{Account, FaultKind, Shared, fault, routes};

/// How many exchanges the journal keeps.
const JOURNAL_LIMIT: usize = 20_000;

/// The signed-in account, for routes.
#[derive(Debug, Clone)]
pub struct Login(pub String);

pub fn router(shared: Arc<Shared>) -> Router {
    if shared.config.forge == crate::Forge::Gitlab {
        return crate::gitlab::router(shared);
    }
    routes::api()
        .route_layer(axum::middleware::from_fn_with_state(shared.clone(), gate))
        .merge(routes::web())
        .fallback(|| async { Reply::not_found() })
        .with_state(shared)
}

/// Sends each request about a source repository (`/repos/{owner}/{name}/…`,
/// by `owner/name` without case) to that repository's router, everything
/// else to `main`'s: one host serving several repositories, as GitHub does.
pub fn dispatch(main: Router, sources: Vec<(String, Router)>) -> Router {
    if sources.is_empty() {
        return main;
    }
    let sources: Arc<Vec<(String, Router)>> = Arc::new(sources);
    Router::new().fallback(move |request: Request| {
        let sources = sources.clone();
        let main = main.clone();
        async move {
            use tower::ServiceExt;
            let path = request.uri().path().to_owned();
            let named = path.strip_prefix("/repos/").and_then(|rest| {
                let mut parts = rest.splitn(3, '/');
                Some(format!("{}/{}", parts.next()?, parts.next()?))
            });
            let router = named
                .and_then(|n| {
                    sources
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(&n))
                        .map(|(_, r)| r.clone())
                })
                .unwrap_or(main);
            match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
    })
}

/// A response whose body fails at once: the client sees the connection drop.
pub(crate) fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox dropped the connection",
        ))
    });
    Response::new(Body::from_stream(failing))
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    matches!(scheme.to_ascii_lowercase().as_str(), "bearer" | "token").then_some(token.trim())
}

fn account<'s>(s: &'s Shared, request: &Request) -> Option<&'s Account> {
    let token = bearer(request)?;
    if s.store().revoked.contains(token) {
        return None;
    }
    s.config.accounts.iter().find(|a| a.token == token)
}

async fn gate(
    State(s): State<Arc<Shared>>,
    matched: MatchedPath,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    // The journal names routes as GitHub's OpenAPI description does.
    let route = matched.as_str().replace("{*", "{");
    // A GraphQL request says what it does in its body: the journal keeps it.
    let mut asked = None;
    if route == "/graphql" {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        asked = serde_json::from_slice(&bytes).ok();
        request = Request::from_parts(parts, Body::from(bytes));
    }
    let journal = |response: Response| finish(&s, &method, &route, asked.clone(), response);
    let fault = fault::take(&mut s.store().faults, method.as_str(), &path);
    let early = match fault {
        Some(FaultKind::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = match code {
                401 => "Bad credentials",
                403 => "Resource not accessible by personal access token",
                404 => "Not Found",
                c if c >= 500 => "Server Error",
                _ => "Sandbox fault",
            };
            Some(Reply::error(status, message))
        }
        Some(FaultKind::SecondaryRateLimit { retry_after }) => Some(
            Reply::error(
                StatusCode::FORBIDDEN,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            )
            .header("retry-after", retry_after.to_string()),
        ),
        Some(FaultKind::DropBefore) => return dropped(),
        Some(FaultKind::Slow(wait)) => {
            tokio::time::sleep(wait).await;
            None
        }
        Some(FaultKind::DropAfter) | None => None,
    };
    if let Some(reply) = early {
        return journal(reply.into_response()).await;
    }
    let Some(account) = account(&s, &request).cloned() else {
        let reply = Reply::error(StatusCode::UNAUTHORIZED, "Bad credentials");
        return journal(reply.into_response()).await;
    };
    let scopes = account.scopes.join(", ");
    let mut extra: Vec<(&'static str, String)> = vec![("x-oauth-scopes", scopes)];
    if let Some(rest) = path.strip_prefix("/repos/") {
        let mut parts = rest.split('/');
        let (owner, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let ours = owner.eq_ignore_ascii_case(&s.config.owner)
            && name.eq_ignore_ascii_case(&s.config.name);
        extra.push(("x-accepted-oauth-scopes", "repo".to_owned()));
        // A private repository is invisible without `repo`: GitHub says 404.
        if !ours || !account.scopes.iter().any(|sc| sc == "repo") {
            let mut response = Reply::not_found().into_response();
            add_headers(&mut response, &extra);
            return journal(response).await;
        }
    }
    let counted = route != "/rate_limit";
    let window = *s.store().window(&account.login);
    let limit = s.config.rate_limit;
    let rate = |used: u32| -> Vec<(&'static str, String)> {
        vec![
            ("x-ratelimit-limit", limit.to_string()),
            (
                "x-ratelimit-remaining",
                limit.saturating_sub(used).to_string(),
            ),
            ("x-ratelimit-used", used.to_string()),
            ("x-ratelimit-reset", window.reset.as_second().to_string()),
            ("x-ratelimit-resource", "core".to_owned()),
        ]
    };
    if counted && window.used >= limit {
        let user = crate::shape::user(&s, &account.login);
        let reply = Reply::error(
            StatusCode::FORBIDDEN,
            &format!("API rate limit exceeded for user ID {}.", user["id"]),
        );
        let mut response = reply.into_response();
        add_headers(&mut response, &rate(window.used));
        add_headers(&mut response, &extra);
        return journal(response).await;
    }
    answer(
        &s,
        request,
        next,
        &account.login,
        counted,
        window.used,
        &rate,
        extra,
        fault,
        journal,
    )
    .await
}

/// What both forges' gates do once a request may run: run it as `login`;
/// answer a GET whose ETag matches with a 304 (neither forge counts it);
/// else count it when `counted`, add the rate headers `rate` makes for the
/// count and `extra`; journal the exchange; and drop the answer after a
/// [`FaultKind::DropAfter`] fault, as if the connection broke.
#[allow(clippy::too_many_arguments)] // One gate's state, handed over whole.
pub(crate) async fn answer<J, F>(
    s: &Shared,
    mut request: Request,
    next: Next,
    login: &str,
    counted: bool,
    used_before: u32,
    rate: &(dyn Fn(u32) -> Vec<(&'static str, String)> + Sync),
    mut extra: Vec<(&'static str, String)>,
    fault: Option<FaultKind>,
    journal: J,
) -> Response
where
    J: Fn(Response) -> F + Send,
    F: std::future::Future<Output = Response> + Send,
{
    let method = request.method().clone();
    let if_none_match = request
        .headers()
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    request.extensions_mut().insert(Login(login.to_owned()));
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    if method == Method::GET && parts.status == StatusCode::OK {
        let etag = etag(&bytes);
        if if_none_match.as_deref() == Some(etag.as_str()) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            add_headers(&mut response, &rate(used_before));
            add_headers(&mut response, &[("etag", etag)]);
            return journal(response).await;
        }
        extra.push(("etag", etag));
    }
    let used = if counted {
        let mut store = s.store();
        let w = store.window(login);
        w.used += 1;
        w.used
    } else {
        used_before
    };
    let mut response = Response::from_parts(parts, Body::from(bytes));
    add_headers(&mut response, &rate(used));
    add_headers(&mut response, &extra);
    let response = journal(response).await;
    if fault == Some(FaultKind::DropAfter) {
        return dropped();
    }
    response
}

/// A weak validator for a body: the same body, the same tag.
pub(crate) fn etag(bytes: &[u8]) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("W/\"{:016x}\"", hasher.finish())
}

pub(crate) fn add_headers(response: &mut Response, headers: &[(&'static str, String)]) {
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
}

/// Journals the exchange and hands the response on.
pub(crate) async fn finish(
    s: &Shared,
    method: &Method,
    route: &str,
    request: Option<serde_json::Value>,
    response: Response,
) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut response = Response::from_parts(parts, Body::from(bytes.clone()));
    if s.config.forge == crate::Forge::Github {
        response.headers_mut().insert(
            "x-github-media-type",
            HeaderValue::from_static("github.v3; format=json"),
        );
    }
    let mut store = s.store();
    // A demo left running polls for hours: keep the latest exchanges only.
    if store.journal.len() >= JOURNAL_LIMIT {
        store.journal.drain(..JOURNAL_LIMIT / 10);
    }
    store.journal.push(crate::Exchange {
        method: method.to_string(),
        route: route.to_owned(),
        status: response.status().as_u16(),
        body: serde_json::from_slice(&bytes).ok(),
        request,
    });
    response
}
