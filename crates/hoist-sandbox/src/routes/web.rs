//! The pull request page a person opens from Hoist (the `html_url`), with a
//! merge button standing in for GitHub's: in the demo, the reviewer's side.
//! No token: like a signed-in browser session, it acts as the repository's owner.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Params;
use crate::{Shared, shape};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn pull_number(params: &HashMap<String, String>) -> Option<u64> {
    params.get("number").and_then(|n| n.parse().ok())
}

pub async fn page(State(s): State<Arc<Shared>>, params: Params) -> Response {
    let Some(n) = pull_number(&params) else {
        return crate::reply::Reply::not_found().into_response();
    };
    let store = s.store();
    let Some(p) = store.pull(n) else {
        return crate::reply::Reply::not_found().into_response();
    };
    let (_, mergeable) = shape::mergeability(&s, &store, p);
    let checks: Vec<String> = store
        .check_runs
        .iter()
        .filter(|c| c.head_sha == p.head_sha)
        .map(|c| {
            format!(
                "<li>{} — {}</li>",
                escape(&c.name),
                escape(c.conclusion.as_deref().unwrap_or(&c.status))
            )
        })
        .collect();
    let state = match p.state() {
        crate::PullState::Open => "Open",
        crate::PullState::Closed => "Closed",
        crate::PullState::Merged => "Merged",
    };
    let merge = if p.open && matches!(mergeable, "clean" | "unstable") {
        format!(
            "<form method=post action=\"{}/merge\"><input type=hidden name=secret value=\"{}\"><button>Merge pull request</button></form>",
            s.web_url(&format!("/pull/{n}")),
            s.form_secret
        )
    } else if p.open {
        format!("<p>Cannot merge: {mergeable}.</p>")
    } else {
        String::new()
    };
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>{title} · #{n}</title>\
         <body style=\"font: 14px system-ui; max-width: 860px; margin: 24px auto\">\
         <p style=\"color:#666\">Hoist sandbox — {owner}/{name}</p>\
         <h1>{title} <span style=\"color:#666\">#{n}</span></h1>\
         <p><strong>{state}</strong> · {head} → {base}</p>\
         <h3>Checks</h3><ul>{checks}</ul>{merge}\
         <h3>Description</h3><pre style=\"white-space: pre-wrap\">{body}</pre></body>",
        title = escape(&p.title),
        owner = escape(&s.config.owner),
        name = escape(&s.config.name),
        head = escape(&p.head),
        base = escape(&p.base),
        checks = checks.join(""),
        body = escape(p.body.as_deref().unwrap_or("")),
    ))
    .into_response()
}

pub async fn merge(
    State(s): State<Arc<Shared>>,
    params: Params,
    body: axum::body::Bytes,
) -> Response {
    let Some(n) = pull_number(&params) else {
        return crate::reply::Reply::not_found().into_response();
    };
    // The form's `secret=<hex>`: only the sandbox's own page has it.
    let sent = String::from_utf8_lossy(&body);
    let secret = sent
        .split('&')
        .find_map(|pair| pair.strip_prefix("secret="))
        .unwrap_or_default();
    if secret != s.form_secret {
        return (
            axum::http::StatusCode::FORBIDDEN,
            Html("<p>This form did not come from the sandbox's page for the pull request.</p>"),
        )
            .into_response();
    }
    let owner = s.config.owner.clone();
    match super::pulls::merge_as(&s, n, &owner) {
        Ok(_) => Redirect::to(&s.web_url(&format!("/pull/{n}"))).into_response(),
        Err(e) => (
            axum::http::StatusCode::CONFLICT,
            Html(format!("<p>{}</p>", escape(&e.to_string()))),
        )
            .into_response(),
    }
}
