//! What every GitLab request goes through before its route: injected
//! faults, the token (`PRIVATE-TOKEN` or `Authorization: Bearer`) and its
//! scopes, the project named in the path, the rate limit and conditional
//! GETs; and the journal after.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::message;
use crate::reply::Reply;
use crate::serve::{add_headers, answer, dropped, finish};
use crate::{Account, FaultKind, Shared, fault};

/// GitLab's body for an OAuth scope the token lacks.
const INSUFFICIENT: &str =
    "The request requires higher privileges than provided by the access token.";

fn token(request: &Request) -> Option<&str> {
    let headers = request.headers();
    if let Some(token) = headers.get("private-token").and_then(|v| v.to_str().ok()) {
        return Some(token.trim());
    }
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn account<'s>(s: &'s Shared, request: &Request) -> Option<&'s Account> {
    let token = token(request)?;
    if s.store().revoked.contains(token) {
        return None;
    }
    s.config.accounts.iter().find(|a| a.token == token)
}

/// The scopes that let a token make this request, the first being the one
/// GitLab names when refusing: any request needs `api`, a read
/// `read_api` will do, and `read_user` reads the user. (`read_repository`
/// and `write_repository` are for Git over HTTP, not the REST API.) A token
/// may always read itself.
fn accepted(method: &Method, route: &str) -> Option<&'static [&'static str]> {
    if route == "/api/v4/personal_access_tokens/self" {
        return None;
    }
    Some(match (method == Method::GET, route) {
        (true, "/api/v4/user") => &["api", "read_api", "read_user"],
        (true, _) => &["api", "read_api"],
        (false, _) => &["api"],
    })
}

/// `%2F`-style escapes decoded; a malformed escape is kept as it is.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the `{id}` of a project path names the sandbox's project: its
/// numeric id or its full path, in any case.
fn is_ours(s: &Shared, path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/v4/projects/") else {
        return true;
    };
    let id = percent_decoded(rest.split('/').next().unwrap_or(""));
    id == super::shape::project_id(s).to_string()
        || id.eq_ignore_ascii_case(&super::shape::path_with_namespace(s))
}

pub async fn gate(
    State(s): State<Arc<Shared>>,
    matched: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let route = matched.as_str().to_owned();
    let journal = |response: Response| finish(&s, &method, &route, None, response);
    let fault = fault::take(&mut s.store().faults, method.as_str(), &path);
    let early = match fault {
        Some(FaultKind::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            Some(message(status, &format!("{code} {reason}")))
        }
        Some(FaultKind::SecondaryRateLimit { retry_after }) => Some(
            Reply {
                status: StatusCode::TOO_MANY_REQUESTS,
                body: None,
                headers: Vec::new(),
            }
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
        return journal(retry_later(reply.into_response())).await;
    }
    let Some(account) = account(&s, &request).cloned() else {
        let reply = message(StatusCode::UNAUTHORIZED, "401 Unauthorized");
        return journal(reply.into_response()).await;
    };
    if let Some(scopes) = accepted(&method, &route)
        && !account
            .scopes
            .iter()
            .any(|held| scopes.contains(&held.as_str()))
    {
        let reply = Reply::with(
            StatusCode::FORBIDDEN,
            json!({ "error": "insufficient_scope", "error_description": INSUFFICIENT, "scope": scopes.join(" ") }),
        )
        .header(
            "www-authenticate",
            format!(
                "Bearer realm=\"Protected by OAuth 2.0\", error=\"insufficient_scope\", error_description=\"{INSUFFICIENT}\", scope=\"{}\"",
                scopes.join(" ")
            ),
        );
        return journal(reply.into_response()).await;
    }
    if !is_ours(&s, &path) {
        return journal(super::not_found("Project").into_response()).await;
    }
    let window = *s.store().window(&account.login);
    let limit = s.config.rate_limit;
    // GitLab's RateLimit-* headers, on every answer as GitLab.com sends them.
    let rate = |used: u32| -> Vec<(&'static str, String)> {
        let reset = window.reset;
        vec![
            ("ratelimit-limit", limit.to_string()),
            ("ratelimit-observed", used.to_string()),
            (
                "ratelimit-remaining",
                limit.saturating_sub(used).to_string(),
            ),
            ("ratelimit-reset", reset.as_second().to_string()),
            (
                "ratelimit-resettime",
                reset.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            ),
        ]
    };
    if window.used >= limit {
        // Rack::Attack's answer: plain text, and when to come back.
        let wait = (window.reset.as_second() - jiff::Timestamp::now().as_second()).max(1);
        let mut response = (StatusCode::TOO_MANY_REQUESTS, "Retry later\n").into_response();
        add_headers(&mut response, &rate(window.used));
        add_headers(&mut response, &[("retry-after", wait.to_string())]);
        return journal(response).await;
    }
    answer(
        &s,
        request,
        next,
        &account.login,
        true,
        window.used,
        &rate,
        Vec::new(),
        fault,
        journal,
    )
    .await
}

/// A fault's 429 says, as GitLab's does, `Retry later` in plain text.
fn retry_later(response: Response) -> Response {
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        let (mut parts, _) = response.into_parts();
        parts.headers.insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/plain"),
        );
        return Response::from_parts(parts, Body::from("Retry later\n"));
    }
    response
}
