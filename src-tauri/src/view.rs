//! What crosses into the web view. TypeScript types are generated from
//! these (and the engine's status types) into `ui/src/bindings`; a test keeps
//! the committed files equal to what the Rust types generate.

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
    /// When the window shows the built-in demo: where its offline GitHub runs.
    pub demo: Option<String>,
    /// What runs where.
    pub status: Status,
}

/// A failed command: what went wrong and, when known, what to do about it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Failure {
    /// A full sentence naming what failed.
    pub message: String,
    /// The next step for the user, if there is an obvious one.
    pub advice: Option<String>,
}

impl Failure {
    pub fn new(message: String, advice: Option<String>) -> Failure {
        Failure { message, advice }
    }
}

#[cfg(test)]
mod bindings {
    //! `HOIST_BLESS=1 cargo test -p hoist-app bindings` rewrites the committed files.

    use std::path::Path;

    use ts_rs::{Config, TS};

    use super::{Failure, RepositoryStatus};

    fn generate(dir: &Path) {
        let config = Config::new().with_large_int("number").with_out_dir(dir);
        RepositoryStatus::export_all(&config).expect("export RepositoryStatus");
        Failure::export_all(&config).expect("export Failure");
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
