//! Status: for every app × environment, the version and the commit that set it.

use serde::Serialize;

/// What runs where: one row per app, one cell per environment in pipeline order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// Environments in pipeline order.
    pub environments: Vec<EnvironmentTip>,
    /// One row per app, in configuration order.
    pub apps: Vec<AppRow>,
}

/// An environment and the commit its branch points at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvironmentTip {
    /// Environment name.
    pub name: String,
    /// Branch the environment lives on.
    pub branch: String,
    /// Directory of the environment on its branch (`.` for the root).
    pub path: String,
    /// Name of the upstream environment, if any.
    pub upstream: Option<String>,
    /// The branch tip.
    pub tip: CommitInfo,
}

/// One app across all environments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppRow {
    /// App name.
    pub name: String,
    /// One cell per environment, in the order of [`Status::environments`].
    pub cells: Vec<Cell>,
}

/// An app in one environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Cell {
    /// The app is not deployed to this environment.
    Absent,
    /// The version was found.
    Version {
        /// The version as written in the file.
        version: String,
        /// Repository path of the file holding it.
        file: String,
        /// The commit that set this version, when found in the available history.
        since: Option<CommitInfo>,
        /// The version differs from the upstream environment's (a promotion is pending).
        pending: bool,
    },
    /// The version could not be read; the message says why and what to do.
    Error {
        /// A full sentence naming the file and the problem.
        message: String,
    },
}

/// The facts about a commit a release manager asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// Author time-zone offset in seconds east of UTC.
    pub offset: i32,
    /// First line of the message.
    pub subject: String,
    /// Pull request number parsed from a merge or squash subject.
    pub pr: Option<u64>,
}
