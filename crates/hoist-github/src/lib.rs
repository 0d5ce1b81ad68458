//! Hoist's GitHub layer: the token (OS keyring, environment, GitHub CLI), the
//! repository behind `origin`, and pull requests opened from a previewed plan
//! through the Git Data API (or, where signatures are required, GraphQL), so
//! a token is all Hoist needs to push.

pub mod checks;
pub mod client;
pub mod connect;
mod error;
pub mod notes;
pub mod open;
pub mod ownership;
pub mod propose;
pub mod remote;
pub mod signing;
pub mod token;
pub mod track;

pub use client::Client;
pub use error::Error;
pub use remote::Remote;
pub use token::Token;
