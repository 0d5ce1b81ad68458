//! Why a locator could not read or write a version.

/// Why a locator could not read or write a version. Every message names the
/// file and, where there is one, the line, so the user can go and look.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The locator itself is malformed (bad key path, regex, Flux policy).
    #[error("invalid locator {locator}: {problem}")]
    Invalid {
        /// The locator as written in `.hoist.yaml`.
        locator: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The file is not valid UTF-8 text.
    #[error("{file} is not UTF-8 text")]
    NotText {
        /// Repository path of the file.
        file: String,
    },
    /// The file does not parse as YAML or JSON.
    #[error("{file}:{line}:{column}: not valid YAML: {problem}")]
    Syntax {
        /// Repository path of the file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's explanation.
        problem: String,
    },
    /// Nothing in the file matches the locator.
    #[error("{file}: {locator} matches nothing ({detail})")]
    NotFound {
        /// Repository path of the file.
        file: String,
        /// The locator as written in `.hoist.yaml`.
        locator: String,
        /// How far the search got, e.g. "`image` has no key `tag`; it has `repository`, `pullPolicy`".
        detail: String,
    },
    /// More than one place in the file matches the locator.
    #[error("{file}: {locator} matches {} places (lines {}); make it select exactly one", lines.len(), join(lines))]
    Ambiguous {
        /// Repository path of the file.
        file: String,
        /// The locator as written in `.hoist.yaml`.
        locator: String,
        /// 1-based lines of every match.
        lines: Vec<usize>,
    },
    /// The locator found something, but not a version Hoist can read or rewrite.
    #[error("{file}:{line}: {locator} {problem}")]
    Unusable {
        /// Repository path of the file.
        file: String,
        /// 1-based line of the match.
        line: usize,
        /// The locator as written in `.hoist.yaml`.
        locator: String,
        /// What is wrong with the match, as the end of a sentence.
        problem: String,
    },
    /// The file does not set the version, and Hoist cannot add it there.
    #[error("{file}: cannot add {locator}: {problem}")]
    CannotInsert {
        /// Repository path of the file.
        file: String,
        /// The locator as written in `.hoist.yaml`.
        locator: String,
        /// Why not, and what to do instead.
        problem: String,
    },
    /// The new version cannot be written at this place.
    #[error("{file}: cannot write version {version:?}: {problem}")]
    BadVersion {
        /// Repository path of the file.
        file: String,
        /// The version that was to be written.
        version: String,
        /// Why not.
        problem: String,
    },
}

fn join(lines: &[usize]) -> String {
    lines
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
