//! Points in an environment's history: its tip, a commit, or a moment
//! ("what was in prod on Friday"), written `prod`, `prod@a1b2c3d` or
//! `prod@2026-11-20T17:00` (local time of the commit dates' offsets is not
//! guessed: a time without offset is UTC).

use gix::ObjectId;

use crate::Project;
use crate::config::Environment;
use crate::repo;

/// Where in an environment's history to look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// The branch tip.
    Tip,
    /// A commit id or unambiguous prefix.
    Commit(String),
    /// The mainline commit that was the tip at this moment.
    Time(jiff::Timestamp),
}

/// An environment at a point of its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// The environment's name.
    pub environment: String,
    /// Where in its history.
    pub at: At,
}

/// A point resolved to a commit.
pub(crate) struct Resolved<'a> {
    pub env: &'a Environment,
    pub branch: String,
    pub commit: ObjectId,
}

/// Why a point could not be understood or found.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An environment name that configuration does not know.
    #[error("there is no environment {name:?}; configured environments are: {known}")]
    UnknownEnvironment {
        /// The name given.
        name: String,
        /// The configured names, comma-separated.
        known: String,
    },
    /// Text after `@` that is neither a commit id nor a date.
    #[error(
        "{text:?} is neither a commit id nor a date; write a hex id or a time like 2026-11-20T17:00 or 2026-11-20T17:00+01:00"
    )]
    BadAt {
        /// The text given.
        text: String,
    },
    /// No commit on the environment's mainline matches.
    #[error("{what} is not on the history of {environment} ({branch})")]
    NotInHistory {
        /// The commit or date asked for.
        what: String,
        /// The environment.
        environment: String,
        /// Its branch.
        branch: String,
    },
    /// The moment asked for precedes the environment's first commit.
    #[error("{environment} ({branch}) has no commit at or before {when}; its history starts later")]
    BeforeHistory {
        /// The moment asked for.
        when: jiff::Timestamp,
        /// The environment.
        environment: String,
        /// Its branch.
        branch: String,
    },
    /// The repository could not be read.
    #[error("environment {environment}: {source}")]
    Repo {
        /// The environment.
        environment: String,
        /// What went wrong.
        source: repo::Error,
    },
}

impl Point {
    /// Parses `env`, `env@<commit>` or `env@<date or time>`.
    pub fn parse(text: &str) -> Result<Point, Error> {
        let Some((environment, at)) = text.split_once('@') else {
            return Ok(Point {
                environment: text.to_owned(),
                at: At::Tip,
            });
        };
        Ok(Point {
            environment: environment.to_owned(),
            at: parse_at(at)?,
        })
    }

    /// The environment's tip.
    pub fn tip(environment: &str) -> Point {
        Point {
            environment: environment.to_owned(),
            at: At::Tip,
        }
    }

    pub(crate) fn resolve<'a>(&self, project: &'a Project) -> Result<Resolved<'a>, Error> {
        let config = &project.config;
        let env =
            config
                .environment(&self.environment)
                .ok_or_else(|| Error::UnknownEnvironment {
                    name: self.environment.clone(),
                    known: config
                        .environments
                        .iter()
                        .map(|e| e.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
        let in_env = |source| Error::Repo {
            environment: env.name.clone(),
            source,
        };
        let repo = &project.repo;
        let branch = match &env.branch {
            Some(b) => b.clone(),
            None => repo.default_branch().map_err(in_env)?,
        };
        let tip = repo.branch_tip(&branch).map_err(in_env)?;
        let not_found = |what: String| Error::NotInHistory {
            what,
            environment: env.name.clone(),
            branch: branch.clone(),
        };
        let mainline = || repo.first_parents(tip);
        let commit = match &self.at {
            At::Tip => tip,
            At::Commit(prefix) => {
                let prefix = prefix.to_ascii_lowercase();
                let mut found = None;
                for id in mainline() {
                    let id = id.map_err(in_env)?;
                    if id.to_string().starts_with(&prefix) {
                        found = Some(id);
                        break;
                    }
                }
                found.ok_or_else(|| not_found(format!("commit {prefix}")))?
            }
            At::Time(when) => {
                let mut found = None;
                for id in mainline() {
                    let id = id.map_err(in_env)?;
                    if repo.commit_time(id).map_err(in_env)? <= when.as_second() {
                        found = Some(id);
                        break;
                    }
                }
                found.ok_or_else(|| Error::BeforeHistory {
                    when: *when,
                    environment: env.name.clone(),
                    branch: branch.clone(),
                })?
            }
        };
        Ok(Resolved {
            env,
            branch,
            commit,
        })
    }
}

fn parse_at(text: &str) -> Result<At, Error> {
    let bad = || Error::BadAt {
        text: text.to_owned(),
    };
    if text.len() >= 4 && text.bytes().all(|b| b.is_ascii_hexdigit()) && !looks_like_date(text) {
        return Ok(At::Commit(text.to_owned()));
    }
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(At::Time(t));
    }
    // jiff reads a bare date as a date-time at midnight, so try the date first.
    if !text.contains(['T', 't', ' '])
        && let Ok(d) = text.parse::<jiff::civil::Date>()
    {
        // A bare date means its end: "what ran on Friday" includes Friday.
        let end = d.at(23, 59, 59, 0);
        return end
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| At::Time(z.timestamp()))
            .map_err(|_| bad());
    }
    // No offset given: read it as UTC rather than guess the machine's zone.
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| At::Time(z.timestamp()))
            .map_err(|_| bad());
    }
    Err(bad())
}

fn looks_like_date(text: &str) -> bool {
    text.len() == 8 && text.starts_with("20") && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse() {
        assert_eq!(Point::parse("prod").expect("parses").at, At::Tip);
        assert_eq!(
            Point::parse("prod@a1b2c3d").expect("parses").at,
            At::Commit("a1b2c3d".into())
        );
        let at = |s: &str| match Point::parse(s).expect("parses").at {
            At::Time(t) => t.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(at("prod@2026-11-20T17:00"), "2026-11-20T17:00:00Z");
        assert_eq!(at("prod@2026-11-20T17:00+01:00"), "2026-11-20T16:00:00Z");
        assert_eq!(at("prod@2026-11-20"), "2026-11-20T23:59:59Z");
        let err = Point::parse("prod@friday")
            .expect_err("not a point")
            .to_string();
        assert!(
            err.contains("\"friday\" is neither a commit id nor a date"),
            "{err}"
        );
    }
}
