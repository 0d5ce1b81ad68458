//! Hoist's engine. No Tauri, no network: it reads a GitOps repository with
//! gix, loads or detects its `.hoist.yaml`, and computes what runs where.

mod bloom;
mod cache;
pub mod clone_url;
pub mod config;
pub mod detect;
pub mod diff;
pub mod forge;
pub mod history;
pub mod hydrator;
pub mod notes;
mod pack;
pub mod plan;
pub mod point;
pub mod project;
mod read;
pub mod repo;
pub mod source;
pub mod status;
pub mod version;
mod walk;

pub use config::Config;
pub use hoist_locate::Locator;
pub use project::Project;
pub use repo::Repo;
pub use status::Status;
