//! A repository opened together with its configuration: what every command starts from.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::detect;
use crate::repo::{self, Repo};
use crate::status::{self, Link, Status};

/// The name of the configuration file at the root of the default branch.
pub const CONFIG_FILE: &str = ".hoist.yaml";

/// A repository and the configuration that describes its environments and apps.
pub struct Project {
    /// The repository.
    pub repo: Repo,
    /// Its configuration, read or detected.
    pub config: Config,
    /// Where the configuration came from.
    pub source: ConfigSource,
    /// For a detected configuration, how each environment's upstream link
    /// was found (declared by the repository's resources, or guessed).
    pub links: Vec<(String, Link)>,
}

/// Where a project's configuration came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConfigSource {
    /// `.hoist.yaml` on a branch of the repository.
    Branch {
        /// The branch, normally the default branch.
        branch: String,
        /// The commit it was read from.
        commit: String,
    },
    /// A file the user named.
    File {
        /// Its path.
        path: PathBuf,
    },
    /// No configuration exists; this one was detected from the repository's contents.
    Detected,
    /// A configuration being written (in the configuration editor), not saved anywhere yet.
    Draft,
}

impl std::fmt::Display for ConfigSource {
    /// Where the configuration came from, as people read it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigSource::Branch { branch, .. } => write!(f, "{CONFIG_FILE} on {branch}"),
            ConfigSource::File { path } => write!(f, "{}", path.display()),
            ConfigSource::Detected => write!(
                f,
                "detected (no {CONFIG_FILE} yet; `hoist init` shows the proposal)"
            ),
            ConfigSource::Draft => write!(f, "a draft, not saved yet"),
        }
    }
}

/// Why a project could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repo(#[from] repo::Error),
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// A configuration file the user named could not be read.
    #[error("could not read {}: {source}", path.display())]
    ConfigFile {
        /// The path the user named.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// `.hoist.yaml` is not valid UTF-8.
    #[error("{origin} is not valid UTF-8 text; save it as UTF-8")]
    NotUtf8 {
        /// Where the file was read from.
        origin: String,
    },
    /// There is no configuration and detection found nothing usable.
    #[error(transparent)]
    Detect(#[from] detect::Error),
}

impl Project {
    /// Opens the repository at `path` with the `.hoist.yaml` of its default
    /// branch, or a detected configuration when it has none.
    pub fn open(path: &Path) -> Result<Project, Error> {
        Self::open_with(path, None)
    }

    /// Like [`Project::open`], but reads the configuration from `config_file` when given.
    pub fn open_with(path: &Path, config_file: Option<&Path>) -> Result<Project, Error> {
        let repo = Repo::open(path)?;
        if let Some(file) = config_file {
            let bytes = std::fs::read(file).map_err(|source| Error::ConfigFile {
                path: file.to_owned(),
                source,
            })?;
            let origin = file.display().to_string();
            let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
                origin: origin.clone(),
            })?;
            let config = config::parse(&text, &origin)?;
            return Ok(Project {
                repo,
                config,
                source: ConfigSource::File {
                    path: file.to_owned(),
                },
                links: Vec::new(),
            });
        }
        let branch = repo.default_branch()?;
        let commit = repo.branch_tip(&branch)?;
        match repo.read_file(commit, CONFIG_FILE)? {
            Some(bytes) => {
                let origin = format!("{CONFIG_FILE} on {branch}");
                let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
                    origin: origin.clone(),
                })?;
                let config = config::parse(&text, &origin)?;
                Ok(Project {
                    repo,
                    config,
                    source: ConfigSource::Branch {
                        branch,
                        commit: commit.to_string(),
                    },
                    links: Vec::new(),
                })
            }
            None => {
                let detection = detect::detect(&repo)?;
                let links = detection
                    .config
                    .environments
                    .iter()
                    .map(|e| e.name.clone())
                    .zip(detection.reasons.links.iter().copied())
                    .collect();
                Ok(Project {
                    repo,
                    config: detection.config,
                    source: ConfigSource::Detected,
                    links,
                })
            }
        }
    }

    /// What runs where, with the commit that set each version.
    pub fn status(&self) -> Result<Status, status::Error> {
        self.status_to(status::Depth::Origins)
    }

    /// What runs where, as far as `depth` goes.
    pub fn status_to(&self, depth: status::Depth) -> Result<Status, status::Error> {
        status::status_with(
            &self.repo,
            &self.config,
            |env| {
                self.links
                    .iter()
                    .find(|(name, _)| *name == env.name)
                    .map_or(Link::Configured, |(_, link)| *link)
            },
            depth,
        )
    }

    /// A project on `repo` with a configuration that is not (yet) in the
    /// repository, such as one being written in the configuration editor.
    pub fn with_config(repo: Repo, config: Config) -> Project {
        Project {
            repo,
            config,
            source: ConfigSource::Draft,
            links: Vec::new(),
        }
    }
}
