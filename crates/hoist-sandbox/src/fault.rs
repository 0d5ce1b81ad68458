//! Failures tests inject: which requests they hit, what happens, how often.

use std::time::Duration;

/// What happens to a request a [`Fault`] hits.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answers with this status and GitHub's body for it, without handling
    /// the request (401 is "Bad credentials", 5xx a server error).
    Status(u16),
    /// A secondary rate limit: 403 with `retry-after`, not handled.
    SecondaryRateLimit {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// Waits this long, then handles the request.
    Slow(Duration),
    /// Closes the connection before handling the request.
    DropBefore,
    /// Handles the request, then closes the connection instead of answering:
    /// the change is made but the caller never hears of it.
    DropAfter,
}

/// A failure for the requests matching `method` and `path`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// The HTTP method, e.g. `POST`; `None` for any.
    pub method: Option<String>,
    /// A part of the request path, e.g. `/pulls`; `None` for any.
    pub path: Option<String>,
    /// What happens.
    pub kind: FaultKind,
    /// How many matching requests it hits.
    pub times: u32,
    /// How many matching requests it lets through before it hits: a fault
    /// for the second of several alike requests (a release train's second
    /// pull request) from a test that cannot wait between them.
    pub pass: u32,
}

impl Fault {
    /// A fault hitting the next `method` request whose path contains `path`, once.
    pub fn once(method: &str, path: &str, kind: FaultKind) -> Fault {
        Fault {
            method: Some(method.to_owned()),
            path: Some(path.to_owned()),
            kind,
            times: 1,
            pass: 0,
        }
    }

    /// This fault, letting the first `pass` matching requests through.
    pub fn after(mut self, pass: u32) -> Fault {
        self.pass = pass;
        self
    }

    /// This fault, hitting `times` matching requests.
    pub fn times(mut self, times: u32) -> Fault {
        self.times = times;
        self
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        self.times > 0
            && self.method.as_deref().is_none_or(|m| m == method)
            && self.path.as_deref().is_none_or(|p| path.contains(p))
    }
}

/// Takes one use of the first fault matching the request.
pub(crate) fn take(faults: &mut Vec<Fault>, method: &str, path: &str) -> Option<FaultKind> {
    let at = faults.iter().position(|f| f.matches(method, path))?;
    if faults[at].pass > 0 {
        faults[at].pass -= 1;
        return None;
    }
    faults[at].times -= 1;
    let kind = faults[at].kind.clone();
    if faults[at].times == 0 {
        faults.remove(at);
    }
    Some(kind)
}
