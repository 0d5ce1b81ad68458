//! The commands the web view may call. Each one converts and forwards to
//! `hoist-api`, the surface the CLI shares; engine work runs on a blocking
//! thread so the window never freezes.

pub mod configure;
pub mod fetch;
pub mod history;
pub mod notify;
pub mod preview;
pub mod pulls;
pub mod repository;
pub mod status;
pub mod train;

use crate::view::Failure;

/// Runs engine work off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    hoist_api::blocking(what, work).await
}
