//! What went wrong in an operation, as data: the front ends decide what to
//! tell people about it and what to offer them.

/// Why an operation of the surface failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository or its configuration could not be read.
    #[error(transparent)]
    Project(#[from] hoist_core::project::Error),
    /// An environment or a point in its history could not be found.
    #[error(transparent)]
    Point(#[from] hoist_core::point::Error),
    /// The plan could not be made.
    #[error(transparent)]
    Plan(#[from] hoist_core::plan::Error),
    /// The release train could not be planned.
    #[error(transparent)]
    Train(#[from] hoist_core::plan::train::Error),
    /// The history could not be read.
    #[error(transparent)]
    History(#[from] hoist_core::history::Error),
    /// GitHub refused, could not be reached, or the work was stopped.
    #[error(transparent)]
    Forge(#[from] hoist_github::Error),
    /// GitLab refused, could not be reached, or the work was stopped.
    #[error(transparent)]
    GitLab(#[from] hoist_gitlab::Error),
    /// The forge has no such thing (or Hoist does not offer it there yet).
    #[error("{} has no {what} that Hoist uses", forge.name())]
    Unsupported {
        /// What was asked.
        what: &'static str,
        /// The forge.
        forge: hoist_core::forge::Forge,
    },
    /// `hoist.forge` names a forge Hoist does not know.
    #[error("hoist.forge is {value:?}; Hoist knows github and gitlab")]
    UnknownForge {
        /// The value.
        value: String,
    },
    /// The OS keyring could not keep, find or remove a token.
    #[error(transparent)]
    Keyring(#[from] hoist_github::token::KeyringError),
    /// The API URL named at sign-in could not be saved.
    #[error("cannot save the API URL of {host}: {source}")]
    SaveHost {
        /// The host.
        host: String,
        /// Why.
        source: std::io::Error,
    },
    /// A preview id that is not (or no longer) kept: previews are dropped
    /// when newer ones push them out or the repository changes.
    #[error("the preview {id} is no longer known")]
    PreviewGone {
        /// The id asked for.
        id: String,
    },
    /// A file asked of a preview that does not change it.
    #[error("the preview does not change {path}")]
    NotInPreview {
        /// The path asked for.
        path: String,
    },
    /// The user stopped the work; the sentence says what it left behind.
    #[error("{0}")]
    Stopped(&'static str),
    /// git could not be started.
    #[error("cannot run {what}: {source}")]
    NoGit {
        /// The command, for people (`git fetch`).
        what: String,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// git ran and failed.
    #[error("{what} failed: {detail}")]
    Git {
        /// The command, for people (`git fetch`).
        what: String,
        /// git's last words.
        detail: String,
    },
    /// A clone address Hoist does not hand to git.
    #[error(transparent)]
    CloneUrl(#[from] hoist_core::clone_url::Error),
    /// The folder to clone into holds something already.
    #[error("{} already exists and is not empty", path.display())]
    NotEmpty {
        /// The folder.
        path: std::path::PathBuf,
    },
    /// A folder could not be made or named.
    #[error("cannot use the folder {}: {source}", path.display())]
    Folder {
        /// The folder.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The session was started on a repository, so there is no demo to show.
    #[error("this window was opened on a repository, not on the demo")]
    NoDemo,
    /// The demo could not be generated or its sandbox started.
    #[error(transparent)]
    Demo(#[from] hoist_demo::Error),
    /// Work on a background thread ended without an answer (it panicked or
    /// the runtime is shutting down).
    #[error("{what} stopped unexpectedly: {detail}")]
    Interrupted {
        /// The work, for people ("the preview").
        what: &'static str,
        /// What the runtime said.
        detail: String,
    },
}
