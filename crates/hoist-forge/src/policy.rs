//! How a forge client waits, retries and where it may send a token.

use std::sync::Arc;
use std::time::Duration;

/// How long and how often a client waits and retries.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// The longest a request waits for rate limits, all waits together,
    /// before giving up: a server that keeps asking to wait ends in an error.
    pub max_wait: Duration,
    /// Retries of an idempotent request after a 5xx or a timeout.
    pub retries: u32,
    /// The first backoff; it doubles with each retry.
    pub backoff: Duration,
    /// How long one request may take.
    pub timeout: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_wait: Duration::from_secs(90),
            retries: 3,
            backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(30),
        }
    }
}

/// Told when a request waits: the seconds and why.
pub type OnWait = Arc<dyn Fn(u64, &str) + Send + Sync>;

/// Why a token must not be sent to the API at `api`, if it must not:
/// anything but https, except plain http to this machine (the demo's and
/// the tests' sandbox), where nothing crosses a network.
pub fn api_url_problem(api: &str) -> Option<&'static str> {
    let Ok(uri) = api.parse::<http::Uri>() else {
        return Some("it is not a URL");
    };
    let Some(name) = uri.host() else {
        return Some("it names no host");
    };
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Some("it carries credentials of its own");
    }
    match uri.scheme_str() {
        Some("https") => None,
        Some("http") if is_loopback(name) => None,
        Some("http") => Some(
            "plain http would send the token unencrypted; use https (http is only for this machine's own addresses)",
        ),
        _ => Some("it is not an https:// URL"),
    }
}

/// Whether `host` (as a URL writes it) is this machine.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
