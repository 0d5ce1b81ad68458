//! Reading `.hoist.yaml`: YAML into [`Config`], then [`validate`](super::validate).

use std::fmt;

use serde_saphyr::MessageFormatter as _;

use super::Config;

/// Where in a configuration file something is: the file, and a line and
/// column when they are known (both 1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The file, as a person knows it, e.g. `.hoist.yaml on main`.
    pub origin: String,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
}

impl Position {
    /// The position of a whole file, with no line.
    pub fn file(origin: &str) -> Position {
        Position {
            origin: origin.to_owned(),
            line: 0,
            column: 0,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.origin)
        } else {
            write!(
                f,
                "{}, line {} column {}",
                self.origin, self.line, self.column
            )
        }
    }
}

/// Why a configuration is unusable. Every message names the file and, where
/// known, the line and column, then says what is wrong and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is not YAML, or does not have the shape of `.hoist.yaml`.
    #[error("{at}: {message}")]
    Syntax {
        /// Where the parser stopped.
        at: Position,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The file holds nothing but blanks and comments.
    #[error(
        "{origin} is empty; list the environments under \"environments:\" (`hoist init` proposes a configuration)"
    )]
    Empty {
        /// The file.
        origin: String,
    },
    /// `environments` lists nothing.
    #[error("{at}: \"environments\" is empty; list at least one environment, upstream first")]
    NoEnvironments {
        /// The `environments` key.
        at: Position,
    },
    /// An environment or app name that cannot be used.
    #[error("{at}: {kind} name {name:?} {problem}")]
    BadName {
        /// The offending entry.
        at: Position,
        /// `environment` or `app`.
        kind: &'static str,
        /// The name as written.
        name: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// Two environments share a name.
    #[error(
        "{at}: environment {name:?} is defined twice (first on line {first_line}); give each environment its own name"
    )]
    DuplicateEnvironment {
        /// The second definition.
        at: Position,
        /// The shared name.
        name: String,
        /// Line of the first definition, 0 when unknown.
        first_line: u32,
    },
    /// Two apps share a name.
    #[error(
        "{at}: app {name:?} is defined twice (first on line {first_line}); give each app its own name"
    )]
    DuplicateApp {
        /// The second definition.
        at: Position,
        /// The shared name.
        name: String,
        /// Line of the first definition, 0 when unknown.
        first_line: u32,
    },
    /// An environment entry that contradicts itself or its neighbours.
    #[error("{at}: environment {environment:?} {problem}")]
    Environment {
        /// The offending setting.
        at: Position,
        /// The environment.
        environment: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
    /// An `upstream` that is not an environment.
    #[error(
        "{at}: environment {environment:?} has upstream {upstream:?}, which is not an environment; expected one of {known}"
    )]
    UnknownUpstream {
        /// The `upstream` value.
        at: Position,
        /// The environment whose upstream it is.
        environment: String,
        /// The name given.
        upstream: String,
        /// The other environments' names, quoted and comma-separated.
        known: String,
    },
    /// An environment that names itself as its upstream.
    #[error(
        "{at}: environment {environment:?} names itself as upstream; name the environment its versions come from, or remove \"upstream\" to use the previous one"
    )]
    OwnUpstream {
        /// The `upstream` value.
        at: Position,
        /// The environment.
        environment: String,
    },
    /// Upstreams that lead back to where they started.
    #[error(
        "{at}: upstreams go round in a circle ({cycle}); an environment's upstream must lead back to the first environment"
    )]
    UpstreamCycle {
        /// The environment where the circle was found.
        at: Position,
        /// The circle, e.g. `dev → prod → stage → dev`.
        cycle: String,
    },
    /// An app's `environments` lists something that is not an environment.
    #[error(
        "{at}: app {app:?} lists {environment:?}, which is not an environment; expected one of {known}"
    )]
    UnknownEnvironment {
        /// The offending name.
        at: Position,
        /// The app.
        app: String,
        /// The name given.
        environment: String,
        /// The environments' names, quoted and comma-separated.
        known: String,
    },
    /// An app's `overrides` has an entry for something that is not an environment.
    #[error(
        "{at}: app {app:?} has an override for {environment:?}, which is not an environment; expected one of {known}"
    )]
    UnknownOverride {
        /// The offending entry.
        at: Position,
        /// The app.
        app: String,
        /// The name given.
        environment: String,
        /// The environments' names, quoted and comma-separated.
        known: String,
    },
    /// A locator that can never find a version.
    #[error("{at}: the locator of app {app:?} cannot find a version: {problem}")]
    Locator {
        /// The locator.
        at: Position,
        /// The app.
        app: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A path that is absolute or climbs out of the repository.
    #[error("{at}: {what} {path:?} {problem}")]
    Path {
        /// The path.
        at: Position,
        /// Whose path, e.g. `the file of app "api"`.
        what: String,
        /// The path as written.
        path: String,
        /// What is wrong with it and how to write it.
        problem: &'static str,
    },
    /// Pull request settings that cannot be used.
    #[error("{at}: {message}")]
    PullRequest {
        /// The offending setting.
        at: Position,
        /// What is wrong and what is expected.
        message: String,
    },
    /// An app's source repository that cannot be used.
    #[error("{at}: {message}")]
    Source {
        /// The apps.
        at: Position,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A ticket tracker Hoist cannot link to.
    #[error("{at}: {message}")]
    Tickets {
        /// The setting.
        at: Position,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A lock or freeze that names something unknown or has an impossible window.
    #[error("{at}: {message}")]
    Guard {
        /// The offending entry.
        at: Position,
        /// What is wrong and what is expected.
        message: String,
    },
}

impl Error {
    /// Where in the file the problem is (the whole file for [`Error::Empty`]).
    pub fn position(&self) -> Position {
        match self {
            Error::Empty { origin } => Position::file(origin),
            Error::Syntax { at, .. }
            | Error::NoEnvironments { at }
            | Error::BadName { at, .. }
            | Error::DuplicateEnvironment { at, .. }
            | Error::DuplicateApp { at, .. }
            | Error::UnknownUpstream { at, .. }
            | Error::Environment { at, .. }
            | Error::OwnUpstream { at, .. }
            | Error::UnknownOverride { at, .. }
            | Error::UpstreamCycle { at, .. }
            | Error::UnknownEnvironment { at, .. }
            | Error::Locator { at, .. }
            | Error::Path { at, .. }
            | Error::PullRequest { at, .. }
            | Error::Tickets { at, .. }
            | Error::Source { at, .. }
            | Error::Guard { at, .. } => at.clone(),
        }
    }
}

/// Reads and validates `.hoist.yaml`; `origin` names the file in errors, e.g. `.hoist.yaml on main`.
pub fn parse(text: &str, origin: &str) -> Result<Config, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if is_blank(text) {
        return Err(Error::Empty {
            origin: origin.to_owned(),
        });
    }
    let config: Config = serde_saphyr::from_str(text).map_err(|e| syntax(&e, origin))?;
    super::validate::validate(&config, text, origin)?;
    Ok(config)
}

/// Whether a file holds only blank lines, comments and document markers.
fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty()
            || line.starts_with('#')
            || line == "---"
            || line == "..."
            || line == "~"
            || line == "null"
    })
}

/// Turns a deserialisation error into one sentence with the file, line and column.
fn syntax(err: &serde_saphyr::Error, origin: &str) -> Error {
    let mut inner = err.without_snippet();
    while let serde_saphyr::Error::AliasError { error, .. } = inner {
        inner = error.without_snippet();
    }
    let (line, column) = inner
        .location()
        .or_else(|| err.location())
        .map(|l| (narrow(l.line()), narrow(l.column())))
        .unwrap_or((0, 0));
    Error::Syntax {
        at: Position {
            origin: origin.to_owned(),
            line,
            column,
        },
        message: explain(inner),
    }
}

/// Lines and columns beyond 4 billion are not worth a wider error type.
pub(super) fn narrow(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The sentence for one error, without its location (the caller adds it first).
fn explain(err: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    match err {
        E::SerdeUnknownField {
            field, expected, ..
        } => {
            format!("unknown field {field:?}, {}", one_of(expected))
        }
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            format!("unknown kind {variant:?}, {}", one_of(expected))
        }
        E::SerdeMissingField { field, .. } => {
            format!("missing field {field:?} in the entry that ends here; it is required")
        }
        E::Unexpected { expected, .. } if expected.contains("sequence") => {
            "expected a list here (`- item` lines or `[a, b]`)".to_owned()
        }
        E::Unexpected { expected, .. } if expected.contains("mapping") => {
            "expected a mapping here (`key: value` lines or `{ key: value }`)".to_owned()
        }
        E::Unexpected { expected, .. } => format!("expected {expected} here"),
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => format!("expected {expected}, found {unexpected}"),
        E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => format!("expected {expected}, found {unexpected}"),
        E::DuplicateMappingKey { key: Some(key), .. } => {
            format!("key {key:?} appears twice in the same mapping; keep one")
        }
        E::NullIntoString { .. } => "a value is missing here; expected a string".to_owned(),
        E::MultipleDocuments { .. } => {
            "the file holds several YAML documents (separated by ---); keep only one".to_owned()
        }
        E::Eof { .. } => "the file ends in the middle of a value".to_owned(),
        other => serde_saphyr::DefaultMessageFormatter
            .format_message(other)
            .into_owned(),
    }
}

/// `expected one of "a", "b"`, or `expected "a"`, or that nothing is expected.
fn one_of(expected: &[&str]) -> String {
    match expected {
        [] => "no fields are allowed here".to_owned(),
        [only] => format!("expected {only:?}"),
        many => format!("expected one of {}", quoted(many.iter().copied())),
    }
}

/// Names quoted and comma-separated: `"dev", "stage"`.
pub(super) fn quoted<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
