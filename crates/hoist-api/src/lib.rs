//! Hoist's one surface: every operation the window and the `hoist` command
//! both offer, written once. Each is a plain function over a [`Session`];
//! the Tauri commands and the CLI's subcommands convert their arguments,
//! call it, and present the result (or the typed [`Error`]) their own way.
//!
//! What belongs here: the state a front end keeps between operations
//! (previews by id, the stop flags of long work, the forge client) and the
//! flows that combine the engine with the forge (preview then open, merge
//! then follow the environment). What does not: wording for people, windows,
//! terminals, dialogs.

pub mod account;
mod error;
pub mod forge;
pub mod git;
pub mod history;
pub mod notes;
pub mod preview;
pub mod pulls;
mod session;
pub mod train;

pub use error::Error;
pub use session::{KEPT_PREVIEWS, KEPT_TRAINS, Previewed, PreviewedTrain, Session, Work};

/// Where Hoist keeps what it can make again (the demo, release notes):
/// `$XDG_CACHE_HOME/hoist`, else `~/.cache/hoist`; `None` without either.
pub fn cache_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))
        .map(|dir| dir.join("hoist"))
}

/// Runs engine work (reading git, computing plans) off an async runtime's
/// worker threads, so a front end's event loop never waits on it.
pub async fn blocking<T, E>(
    what: &'static str,
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: From<Error> + Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        E::from(Error::Interrupted {
            what,
            detail: e.to_string(),
        })
    })?
}
