//! Version locators: how to find an app's version inside one file, and how to
//! write a new one there while every other byte of the file stays as it was.
//!
//! Invariant for every locator: `read(write(content, v)) == v`, and
//! `write` changes only the bytes of the located value (plus the quotes it may
//! need so the file still parses to the same type).

use std::ops::Range;

/// Where an app's version lives inside a file. Serialised in `.hoist.yaml`
/// as a single-key map, e.g. `{ yaml: image.tag }`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Locator {
    /// A key path in a YAML file: `image.tag`, `apps[name=api].version`, `containers[0].image`.
    Yaml(String),
    /// A kustomize `images:` entry selected by `name`.
    Kustomize {
        /// The `name` of the entry in `images:`.
        image: String,
        /// Which field holds the version.
        #[serde(default)]
        field: KustomizeField,
    },
    /// The tag of a container image in Kubernetes manifests, selected by container name.
    Container(String),
    /// A key path in a JSON file, e.g. `drySha`.
    Json(String),
    /// A Flux image-automation marker, e.g. `flux-system:podinfo:tag`.
    Flux(String),
    /// A regular expression with exactly one capture group around the version.
    Regex(String),
}

/// The field of a kustomize image entry that carries the version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum KustomizeField {
    /// `newTag`
    #[default]
    NewTag,
    /// `digest`
    Digest,
}

/// A version found in a file, with the bytes it occupies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The version as a plain string (unquoted, unescaped).
    pub value: String,
    /// Byte range of the value in the file, quotes excluded.
    pub span: Range<usize>,
}

/// Why a locator could not read or write a version.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Placeholder until the real variants exist.
    #[error("{0}")]
    Todo(String),
}

impl Locator {
    /// Reads the version from `content`; `file` is used in error messages only.
    pub fn read(&self, file: &str, content: &[u8]) -> Result<Located, Error> {
        let _ = (file, content);
        Err(Error::Todo("not implemented".into()))
    }

    /// Returns `content` with the version replaced by `new`, every other byte unchanged.
    pub fn write(&self, file: &str, content: &[u8], new: &str) -> Result<Vec<u8>, Error> {
        let _ = (file, content, new);
        Err(Error::Todo("not implemented".into()))
    }
}
