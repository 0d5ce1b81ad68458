//! What went wrong talking to GitLab, as data; the front ends word it.

/// Why a GitLab operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `origin` is not a GitLab project URL.
    #[error(
        "{url:?} is not a GitLab project URL (expected https://HOST/GROUP/…/PROJECT, ssh://git@HOST/GROUP/…/PROJECT or git@HOST:GROUP/…/PROJECT)"
    )]
    NotAProject {
        /// The URL, without credentials.
        url: String,
    },
    /// The API URL is one a token must not be sent to.
    #[error("Hoist does not send the token for {host} to {url}: {problem}")]
    ApiUrl {
        /// The URL.
        url: String,
        /// The host the token is for.
        host: String,
        /// Why not.
        problem: String,
    },
    /// No token for the host.
    #[error(
        "no GitLab token for {host}: sign in with `hoist auth login --host {host}`, set GITLAB_TOKEN, or log in with `glab auth login`"
    )]
    NoToken {
        /// The host.
        host: String,
    },
    /// GitLab refused the token.
    #[error("GitLab rejected the token for {host} (bad, expired or revoked)")]
    Unauthorized {
        /// The host.
        host: String,
    },
    /// The token lacks a scope or the account a permission.
    #[error("GitLab refused {what}: {message}")]
    Forbidden {
        /// What was asked.
        what: String,
        /// GitLab's words.
        message: String,
    },
    /// Something is not there (or not visible to the token).
    #[error("GitLab has no {what} (or the token cannot see it)")]
    NotFound {
        /// What was asked for.
        what: String,
    },
    /// GitLab refused the request's content.
    #[error("GitLab refused {what}: {message}")]
    Refused {
        /// What was asked.
        what: String,
        /// GitLab's words.
        message: String,
    },
    /// The rate limit held for longer than Hoist waits.
    #[error("GitLab's rate limit for {host} holds for {seconds} s more; try again then")]
    RateLimited {
        /// The host.
        host: String,
        /// How long it still holds.
        seconds: u64,
    },
    /// GitLab failed, or did not answer in time, after retries.
    #[error("GitLab did not answer {what}: {detail}")]
    Unavailable {
        /// What was asked.
        what: String,
        /// What happened last.
        detail: String,
    },
    /// An answer Hoist could not read.
    #[error("unexpected answer from GitLab to {what}: {detail}")]
    Unexpected {
        /// What was asked.
        what: String,
        /// What was wrong with it.
        detail: String,
    },
    /// The target branch moved since the preview.
    #[error(
        "{branch} moved since the preview (it was at {expected}, it is at {actual}); preview again"
    )]
    TargetMoved {
        /// The branch.
        branch: String,
        /// Where the preview saw it.
        expected: String,
        /// Where it is now.
        actual: String,
    },
    /// A merge request for the same apps of the same environment is open.
    #[error("merge request !{number} for the same apps of {target} is open: {url}")]
    AlreadyOpen {
        /// Its iid.
        number: u64,
        /// Its page.
        url: String,
        /// The environment.
        target: String,
    },
    /// The plan cannot be opened as a merge request.
    #[error("{0}")]
    NotOpenable(String),
    /// The merge request is not Hoist's.
    #[error("!{number} is not a merge request Hoist opened here")]
    NotOurs {
        /// Its iid.
        number: u64,
    },
    /// The draft could not be made from the plan.
    #[error(transparent)]
    Draft(#[from] hoist_core::plan::request::Error),
    /// The user stopped the work.
    #[error("stopped")]
    Cancelled,
}

/// The open algorithm's refusals, in this forge's words.
impl From<hoist_forge::open::Refusal> for Error {
    fn from(refusal: hoist_forge::open::Refusal) -> Error {
        use hoist_forge::open::Refusal;
        match refusal {
            Refusal::NotOpenable(why) => Error::NotOpenable(why),
            Refusal::TargetMoved {
                branch,
                expected,
                actual,
            } => Error::TargetMoved {
                branch,
                expected,
                actual,
            },
            Refusal::AlreadyOpen {
                number,
                url,
                target,
            } => Error::AlreadyOpen {
                number,
                url,
                target,
            },
            Refusal::NotFound { what } => Error::NotFound { what },
            Refusal::Cancelled => Error::Cancelled,
        }
    }
}
