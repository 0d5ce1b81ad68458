//! What crosses into the web view. TypeScript types are generated from
//! these (and the engine's types) into `ui/src/bindings`; a test keeps the
//! committed files equal to what the Rust types generate.

use hoist_core::Status;
use serde::Serialize;

/// The status matrix of the opened repository, with where it came from.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct RepositoryStatus {
    /// The repository's path on disk.
    pub path: String,
    /// Where the configuration came from, for people.
    pub config: String,
    /// A shallow clone: some origins are unknown.
    pub shallow: bool,
    /// When the window shows the built-in demo: where its offline forge runs.
    pub demo: Option<String>,
    /// The forge origin is on, for the window's words.
    pub forge: hoist_core::forge::Forge,
    /// What runs where.
    pub status: Status,
    /// The cells have their versions but not yet the commits that set them
    /// (a large repository): the `origins` command brings those.
    pub origins_pending: bool,
}

/// The commits that set one environment's versions, in the order of the apps.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct EnvironmentOrigins {
    /// The environment.
    pub environment: String,
    /// Per app, the commit that set its version there, when known.
    pub since: Vec<Option<hoist_core::status::CommitInfo>>,
}

/// The window's repository, known even when it cannot be read.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Here {
    /// The repository's path on disk.
    pub path: String,
    /// When the window shows the built-in demo: where its offline forge runs.
    pub demo: Option<String>,
    /// The forge origin is on, as far as can be told, for the window's words.
    pub forge: hoist_core::forge::Forge,
}

/// What the web view can do about a failure beyond showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FailureCode {
    /// The target moved after the preview: preview again.
    TargetMoved,
    /// A pull request for the same apps is open: offer to update it.
    AlreadyOpen,
    /// The user stopped it; trying again resumes.
    Cancelled,
    /// No token, or GitHub rejected it: sign in.
    SignIn,
    /// Hoist cannot tell the environments or apps: the configuration editor helps.
    Configure,
}

/// A failed command: what went wrong and, when known, what to do about it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Failure {
    /// A full sentence naming what failed.
    pub message: String,
    /// The next step for the user, if there is an obvious one.
    pub advice: Option<String>,
    /// Set when the web view offers an action for it.
    pub code: Option<FailureCode>,
}

impl Failure {
    pub fn new(message: String, advice: Option<String>) -> Failure {
        Failure {
            message,
            advice,
            code: None,
        }
    }

    /// A failure of the engine's, whose message already says what to do.
    pub fn of(error: impl std::fmt::Display) -> Failure {
        Failure::new(error.to_string(), None)
    }

    /// A failure the web view may offer `code`'s action for, with `advice`.
    fn coded(
        error: &impl std::fmt::Display,
        code: Option<FailureCode>,
        advice: Option<&str>,
    ) -> Failure {
        Failure {
            message: error.to_string(),
            advice: advice.map(str::to_owned),
            code,
        }
    }

    /// Work the user stopped.
    pub fn cancelled() -> Failure {
        Failure {
            message: "stopped".to_owned(),
            advice: None,
            code: Some(FailureCode::Cancelled),
        }
    }

    /// A configuration Hoist cannot use or could not detect.
    pub fn configure(message: String) -> Failure {
        Failure {
            message,
            advice: Some(
                "Open the configuration editor: pick the environments and apps, check the matrix, then save it as .hoist.yaml or propose it as a pull request."
                    .to_owned(),
            ),
            code: Some(FailureCode::Configure),
        }
    }
}

/// What the configuration editor starts from.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Survey {
    /// Environments: detection's proposal (chosen) and other branches and
    /// directories that could be (not chosen), in pipeline order.
    pub environments: Vec<EnvironmentCandidate>,
    /// Apps found in the chosen environments.
    pub apps: Vec<AppCandidate>,
    /// Why detection proposed no environments, when it did not.
    pub problem: Option<String>,
    /// What detection noticed and left out.
    pub left_out: Vec<String>,
}

/// A place that is, or could be, an environment.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct EnvironmentCandidate {
    /// Its name.
    pub name: String,
    /// Its branch.
    pub branch: String,
    /// Its directory on the branch (`.` for the root).
    pub path: String,
    /// Where its versions come from.
    pub upstream: Option<String>,
    /// A hydrator's branch before it.
    pub next_branch: Option<String>,
    /// Nothing is promoted from it.
    pub side: bool,
    /// Detection proposes it.
    pub chosen: bool,
    /// How its upstream was found.
    pub link: hoist_core::status::Link,
    /// Why it is here.
    pub reason: String,
}

/// An app found in the chosen environments.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct AppCandidate {
    /// What the draft names it by.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its file (with `{env}` where the environment's name goes).
    pub file: String,
    /// The locator, as `.hoist.yaml` writes it.
    pub locator: String,
    /// The base it inherits from where an environment sets none, as `file {locator}`.
    pub base: Option<String>,
    /// The environments it runs in; all when absent.
    pub environments: Option<Vec<String>>,
    /// What was found, and where.
    pub reason: String,
}

/// An environment of the configuration being written.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
pub struct EnvironmentDraft {
    /// Its name.
    pub name: String,
    /// Its branch.
    pub branch: String,
    /// Its directory (`.` for the root).
    pub path: String,
    /// Where its versions come from; the previous one when absent.
    pub upstream: Option<String>,
    /// A hydrator's branch before it.
    pub next_branch: Option<String>,
    /// Nothing is promoted from it.
    pub side: bool,
    /// The name the survey gave it, when the user renamed it (apps refer to that).
    pub was: Option<String>,
}

/// The configuration being written in the editor.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
pub struct ConfigDraft {
    /// The environments, in the order written.
    pub environments: Vec<EnvironmentDraft>,
    /// The ids of the chosen app candidates.
    pub apps: Vec<u32>,
}

/// A draft's matrix and the `.hoist.yaml` it makes.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct DraftView {
    /// What runs where under the draft.
    pub status: Status,
    /// The file it makes.
    pub yaml: String,
}

impl From<hoist_github::Error> for Failure {
    fn from(error: hoist_github::Error) -> Failure {
        use hoist_github::Error as E;
        let (code, advice) = match &error {
            E::TargetMoved { .. } => (
                Some(FailureCode::TargetMoved),
                Some("Preview again: the new preview is built on the branch as it is now."),
            ),
            E::AlreadyOpen { .. } => (
                Some(FailureCode::AlreadyOpen),
                Some("Update that pull request to this change, or merge or close it first."),
            ),
            E::Cancelled => (Some(FailureCode::Cancelled), None),
            E::NoOrigin => (
                None,
                Some("Add the GitHub repository as `origin`: git remote add origin URL"),
            ),
            E::NoToken { .. } | E::Unauthorized { .. } | E::MissingScope { .. } => (
                Some(FailureCode::SignIn),
                Some(
                    "Sign in with `hoist auth login` (the token goes to the OS keyring), or start Hoist with GH_TOKEN set (GH_ENTERPRISE_TOKEN for a GitHub Enterprise Server).",
                ),
            ),
            _ => (None, None),
        };
        Failure::coded(&error, code, advice)
    }
}

impl From<hoist_gitlab::Error> for Failure {
    fn from(error: hoist_gitlab::Error) -> Failure {
        use hoist_gitlab::Error as E;
        let (code, advice) = match &error {
            E::TargetMoved { .. } => (
                Some(FailureCode::TargetMoved),
                Some("Preview again: the new preview is built on the branch as it is now."),
            ),
            E::AlreadyOpen { .. } => (
                Some(FailureCode::AlreadyOpen),
                Some("Update that merge request to this change, or merge or close it first."),
            ),
            E::Cancelled => (Some(FailureCode::Cancelled), None),
            E::NoToken { .. } | E::Unauthorized { .. } => (
                Some(FailureCode::SignIn),
                Some(
                    "Sign in with a GitLab token with the api scope (Repository tab, or `hoist auth login --host HOST`), or start Hoist with GITLAB_TOKEN set.",
                ),
            ),
            _ => (None, None),
        };
        Failure::coded(&error, code, advice)
    }
}

impl From<hoist_api::Error> for Failure {
    fn from(error: hoist_api::Error) -> Failure {
        use hoist_api::Error as E;
        use hoist_core::project::Error as P;
        match error {
            E::Forge(e) => e.into(),
            E::GitLab(e) => e.into(),
            E::Stopped(_) => Failure {
                message: error.to_string(),
                advice: None,
                code: Some(FailureCode::Cancelled),
            },
            E::NoGit { .. } => Failure::new(
                error.to_string(),
                Some("Install git and make sure it is on PATH.".to_owned()),
            ),
            E::CloneUrl(_) => Failure::new(
                error.to_string(),
                Some("Paste the repository's https:// or ssh address, as its forge's Clone button shows it.".to_owned()),
            ),
            E::NotEmpty { .. } => Failure::new(
                error.to_string(),
                Some("Choose a new folder to clone into.".to_owned()),
            ),
            // The configuration editor is the way out: pick environments and apps by hand.
            E::Project(P::Detect(hoist_core::detect::Error::NoEnvironments { .. }) | P::Config(_)) => {
                Failure::configure(error.to_string())
            }
            E::Project(_) => Failure::new(
                error.to_string(),
                Some("Open a local clone of your GitOps repository from the Repository tab, or start Hoist with hoist-app PATH.".to_owned()),
            ),
            E::PreviewGone { .. } => Failure::new(
                error.to_string(),
                Some("Preview the change again.".to_owned()),
            ),
            E::NoDemo => Failure::new(
                error.to_string(),
                Some("Start Hoist without a repository path to get the demo.".to_owned()),
            ),
            E::Demo(_) => Failure::new(
                error.to_string(),
                Some("The demo lives in ~/.cache/hoist/demo; remove that folder and start Hoist again to make it anew.".to_owned()),
            ),
            E::Keyring(_) => Failure::new(
                error.to_string(),
                Some("Start Hoist with GH_TOKEN set instead (GH_ENTERPRISE_TOKEN for a GitHub Enterprise Server).".to_owned()),
            ),
            E::Point(_)
            | E::Plan(_)
            | E::Train(_)
            | E::History(_)
            | E::NotInPreview { .. }
            | E::SaveHost { .. }
            | E::UnknownForge { .. }
            | E::Unsupported { .. }
            | E::Git { .. }
            | E::Folder { .. }
            | E::Interrupted { .. } => Failure::of(error),
        }
    }
}

#[cfg(test)]
mod bindings {
    //! `HOIST_BLESS=1 cargo test -p hoist-app bindings` rewrites the committed files.

    use std::path::Path;

    use ts_rs::{Config, TS};

    use super::{Failure, RepositoryStatus};
    use hoist_api::account::Account;
    use hoist_api::preview::Preview;
    use hoist_api::pulls::{Merged, NextPull};

    fn generate(dir: &Path) {
        let config = Config::new().with_large_int("number").with_out_dir(dir);
        RepositoryStatus::export_all(&config).expect("export RepositoryStatus");
        Preview::export_all(&config).expect("export Preview");
        Account::export_all(&config).expect("export Account");
        Merged::export_all(&config).expect("export Merged");
        super::Survey::export_all(&config).expect("export Survey");
        super::Here::export_all(&config).expect("export Here");
        super::EnvironmentOrigins::export_all(&config).expect("export EnvironmentOrigins");
        super::ConfigDraft::export_all(&config).expect("export ConfigDraft");
        super::DraftView::export_all(&config).expect("export DraftView");
        NextPull::export_all(&config).expect("export NextPull");
        Failure::export_all(&config).expect("export Failure");
        hoist_github::open::Step::export_all(&config).expect("export Step");
        hoist_github::open::Opened::export_all(&config).expect("export Opened");
        hoist_github::track::Tracked::export_all(&config).expect("export Tracked");
        hoist_api::history::History::export_all(&config).expect("export History");
        hoist_core::history::Release::export_all(&config).expect("export Release");
        hoist_api::Work::export_all(&config).expect("export Work");
        hoist_api::train::TrainPreview::export_all(&config).expect("export TrainPreview");
        hoist_api::train::TrainProgress::export_all(&config).expect("export TrainProgress");
        hoist_api::train::TrainCard::export_all(&config).expect("export TrainCard");
        hoist_api::notes::AppNotes::export_all(&config).expect("export AppNotes");
    }

    fn files(dir: &Path) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        (name, std::fs::read_to_string(e.path()).unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    #[test]
    fn committed_typescript_bindings_match_the_rust_types() {
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
        let fresh = tempfile::tempdir().expect("temp dir");
        generate(fresh.path());
        if std::env::var_os("HOIST_BLESS").is_some() {
            let _ = std::fs::remove_dir_all(&committed);
            generate(&committed);
        }
        assert_eq!(
            files(&committed),
            files(fresh.path()),
            "ui/src/bindings is out of date; run HOIST_BLESS=1 cargo test -p hoist-app bindings"
        );
    }
}
