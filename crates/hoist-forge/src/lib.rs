//! What Hoist says about forges whatever the forge: change requests (pull
//! requests, merge requests) as they are opened and followed, the checks on
//! a commit, and the token with its keyring entry. The GitHub and GitLab
//! crates speak their forge's API and answer in these types; `hoist-api`
//! dispatches between them.

pub mod change;
pub mod checks;
pub mod open;
pub mod policy;
pub mod token;
