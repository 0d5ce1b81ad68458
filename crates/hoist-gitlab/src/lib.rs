//! Hoist's GitLab layer: the token (OS keyring, `GITLAB_TOKEN`, the `glab`
//! CLI's login), the project behind `origin` (any depth of subgroups), and
//! merge requests opened from a previewed plan through the commits API,
//! which writes the whole change as one commit on the previewed base in one
//! call, so a token is all Hoist needs to push. Answers in `hoist-forge`'s
//! forge-neutral types.

pub mod client;
mod error;
pub mod open;
pub mod project;
pub mod propose;
pub mod token;
pub mod track;

pub use client::Client;
pub use error::Error;
pub use project::Project;
