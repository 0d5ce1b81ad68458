//! Reading an app's version in one environment at one commit: from the
//! environment's own file, or, where that does not set it, from the base
//! the environment inherits it from.

use gix::ObjectId;

use crate::config::{App, Environment, Location};
use crate::repo::{Error, Repo};

/// Where an app's version may be in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    /// The environment's own file.
    pub own: Location,
    /// The shared file it inherits from when its own does not set the version.
    pub base: Option<Location>,
}

/// A version read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reading {
    /// The version as written.
    pub version: String,
    /// Repository path of the file it was read from.
    pub file: String,
    /// Whether it came from the base rather than the environment's own file.
    pub inherited: bool,
}

impl Source {
    pub fn of(app: &App, env: &Environment) -> Source {
        Source {
            own: app.location_in(env),
            base: app.base_in(env),
        }
    }

    /// The repository paths a change to this version can come from.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.own.file.as_str()).chain(self.base.as_ref().map(|b| b.file.as_str()))
    }

    /// The version in `tree`, or why there is none (`Err` of the outer
    /// result only for a repository that cannot be read).
    pub fn read(&self, repo: &Repo, tree: ObjectId) -> Result<Result<Reading, Unreadable>, Error> {
        let own_blob = match blob(repo, tree, &self.own.file)? {
            Ok(found) => found,
            Err(not_a_file) => return Ok(Err(not_a_file)),
        };
        let own = match own_blob {
            Some(blob) => {
                match located(repo, blob, &self.own)? {
                    Ok(version) => {
                        return Ok(Ok(Reading {
                            version,
                            file: self.own.file.clone(),
                            inherited: false,
                        }));
                    }
                    // Only a value that is not there falls back to the base;
                    // a broken file is an error, whatever the base says.
                    Err(e @ hoist_locate::Error::NotFound { .. }) if self.base.is_some() => {
                        e.to_string()
                    }
                    Err(e) => return Ok(Err(Unreadable::Locate(e))),
                }
            }
            // An environment inherits only where it exists: a directory
            // without the file inherits, no directory at all runs nothing.
            None if self.base.is_some() && repo.has_path(tree, parent(&self.own.file))? => {
                format!("{} does not exist", self.own.file)
            }
            None => return Ok(Err(Unreadable::Missing(self.own.file.clone()))),
        };
        let base = self
            .base
            .as_ref()
            .expect("checked above: only a source with a base gets here");
        let base_blob = match blob(repo, tree, &base.file)? {
            Ok(found) => found,
            Err(not_a_file) => return Ok(Err(not_a_file)),
        };
        let problem = match base_blob {
            None => format!("{} does not exist either", base.file),
            Some(blob) => match located(repo, blob, base)? {
                Ok(version) => {
                    return Ok(Ok(Reading {
                        version,
                        file: base.file.clone(),
                        inherited: true,
                    }));
                }
                Err(e) => e.to_string(),
            },
        };
        Ok(Err(Unreadable::Base { own, problem }))
    }
}

/// The version `location`'s locator reads in `blob`: remembered by blob id,
/// since equal files (the same version in several environments) are one blob.
fn located(
    repo: &Repo,
    blob: ObjectId,
    location: &Location,
) -> Result<Result<String, hoist_locate::Error>, Error> {
    let key = crate::cache::locator_key(&location.locator);
    if let Some(version) = crate::cache::version(blob, key) {
        return Ok(Ok(version));
    }
    let content = repo.read_blob(blob).map_err(|e| match e {
        // Say which file: a blob id alone tells a person nothing.
        Error::NotFetched { id, path, .. } => Error::NotFetched {
            id,
            file: Some(location.file.clone()),
            path,
        },
        e => e,
    })?;
    Ok(location
        .locator
        .read(&location.file, &content)
        .map(|found| {
            crate::cache::keep_version(blob, key, &found.value);
            found.value
        }))
}

/// The blob at `file` in `tree` (`None` when nothing is there), or, when a
/// link or a submodule stands there, why it is not read.
fn blob(
    repo: &Repo,
    tree: ObjectId,
    file: &str,
) -> Result<Result<Option<ObjectId>, Unreadable>, Error> {
    match repo.blob_in_tree(tree, file) {
        Err(e @ Error::NotAFile { .. }) => Ok(Err(Unreadable::NotAFile(e.to_string()))),
        found => found.map(Ok),
    }
}

/// The directory of a repository path (`""` for the root).
fn parent(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Why an environment has no readable version of an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// The environment's own file does not exist, and it has no base.
    Missing(String),
    /// The own file cannot be read (syntax, ambiguity, no such value).
    Locate(hoist_locate::Error),
    /// A link or a submodule stands where the file (own or base) should be.
    NotAFile(String),
    /// Neither the own file nor the base gives a version.
    Base {
        /// Why the own file did not.
        own: String,
        /// Why the base did not.
        problem: String,
    },
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Missing(file) => write!(f, "{file} does not exist"),
            Unreadable::Locate(e) => write!(f, "{e}"),
            Unreadable::NotAFile(why) => write!(f, "{why}"),
            Unreadable::Base { own, problem } => {
                write!(
                    f,
                    "{own}, and the base it inherits from gives no version: {problem}"
                )
            }
        }
    }
}
