//! What can go wrong talking to GitHub, each with what to do about it.

/// Why a GitHub request or operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401: the token is wrong, expired or revoked.
    #[error(
        "GitHub rejected the token for {host} (bad, expired or revoked credentials); sign in again with `hoist auth login`"
    )]
    Unauthorized {
        /// The host.
        host: String,
    },
    /// 403 with `x-github-sso`: the organisation requires SAML SSO authorisation.
    #[error(
        "the token is not authorised for this organisation's single sign-on; authorise it at {url}"
    )]
    SsoRequired {
        /// Where to authorise the token.
        url: String,
    },
    /// The token lacks a scope the request needs.
    #[error(
        "the token lacks the {needed} scope (it has: {has}); create a token with `{needed}` and run `hoist auth login`"
    )]
    MissingScope {
        /// Scopes the request accepts.
        needed: String,
        /// Scopes the token has.
        has: String,
    },
    /// 403 for another reason.
    #[error("GitHub refused {what}: {message}")]
    Forbidden {
        /// The request.
        what: String,
        /// GitHub's message.
        message: String,
    },
    /// 404: missing, or invisible to this token.
    #[error("{what} was not found on GitHub, or the token has no access to it")]
    NotFound {
        /// What was asked for.
        what: String,
    },
    /// 422: GitHub's validation refused the request.
    #[error("GitHub refused {what}: {message}")]
    Validation {
        /// The request.
        what: String,
        /// GitHub's message with each error's detail.
        message: String,
    },
    /// 409 and 405: the state on GitHub does not allow it (e.g. a merge conflict).
    #[error("GitHub cannot do {what} now: {message}")]
    Conflict {
        /// The request.
        what: String,
        /// GitHub's message.
        message: String,
    },
    /// The rate limit is spent for longer than Hoist waits.
    #[error("GitHub's rate limit is spent until {reset} (in {wait_secs} s); try again then")]
    RateLimited {
        /// When it resets (Unix seconds).
        reset: i64,
        /// How long that is from now.
        wait_secs: u64,
    },
    /// 5xx after the retries allowed.
    #[error("GitHub answered {status} to {what}{}; try again in a minute", if *.attempts > 1 { format!(" {} times", attempts) } else { String::new() })]
    Server {
        /// The request.
        what: String,
        /// The last status.
        status: u16,
        /// How many times it was tried.
        attempts: u32,
    },
    /// No answer: the network failed or the request timed out.
    #[error(
        "no answer from GitHub to {what}: {detail}; check the network and try again (nothing is duplicated by retrying)"
    )]
    Network {
        /// The request.
        what: String,
        /// What failed.
        detail: String,
    },
    /// An answer that is not what GitHub's API describes.
    #[error("unexpected answer from GitHub to {what}: {detail}")]
    Unexpected {
        /// The request.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// The target branch moved after the preview.
    #[error(
        "{branch} moved since the preview (it was at {expected}, it is now at {actual}); preview the change again"
    )]
    TargetMoved {
        /// The target branch.
        branch: String,
        /// The previewed base.
        expected: String,
        /// The tip now.
        actual: String,
    },
    /// A pull request doing the same change is already open.
    #[error(
        "pull request #{number} already makes this change to {target}: {url}; update it instead of opening another"
    )]
    AlreadyOpen {
        /// Its number.
        number: u64,
        /// Its page.
        url: String,
        /// The environment.
        target: String,
    },
    /// The plan cannot become a pull request.
    #[error("cannot open a pull request: {0}")]
    NotOpenable(String),
    /// The plan cannot be drafted as a pull request (a comparison, or no
    /// reason for a rollback or an override).
    #[error(transparent)]
    Draft(#[from] hoist_core::plan::request::Error),
    /// The user stopped it; whatever was created is reused by the next attempt.
    #[error("cancelled; opening the pull request again resumes where this stopped")]
    Cancelled,
    /// The origin is not a GitHub repository.
    #[error(transparent)]
    Remote(#[from] crate::remote::Error),
    /// The clone has no `origin` remote to open pull requests on.
    #[error("the repository has no `origin` remote to open pull requests on")]
    NoOrigin,
    /// No token anywhere.
    #[error("no GitHub token for {host}: run `hoist auth login`, or set {variable}")]
    NoToken {
        /// The host.
        host: String,
        /// The environment variable that would hold it.
        variable: &'static str,
    },
    /// An API URL Hoist will not send a token to.
    #[error("will not use {url} as the GitHub API for {host}: {problem}")]
    ApiUrl {
        /// The URL.
        url: String,
        /// The repository's host.
        host: String,
        /// Why not.
        problem: String,
    },
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
