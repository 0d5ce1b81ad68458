//! History: the version changes of an environment's apps, newest first.

use serde::Serialize;

use crate::Project;
use crate::point::Point;
use crate::read::Source;
use crate::repo;
use crate::status::CommitInfo;
use crate::version;
use crate::walk::{self, Follow, Tracked};

/// One commit that changed an app's version in an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct VersionChange {
    /// The environment.
    pub environment: String,
    /// The app.
    pub app: String,
    /// The commit on the environment's mainline that set the version.
    pub commit: CommitInfo,
    /// The version before, when there was one.
    pub from: Option<String>,
    /// The version set.
    pub to: String,
    /// How the change came about.
    pub kind: ChangeKind,
}

/// How a version change came about, judged from the versions and the commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The first version the history holds.
    Initial,
    /// Moved to an older version, or the commit says it reverts or rolls back.
    Rollback,
    /// Came through a pull request, or the commit says it promotes.
    Promotion,
    /// Written straight onto the branch.
    DirectEdit,
}

/// Why a history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The environment or the point of its history could not be found.
    #[error(transparent)]
    Point(#[from] crate::point::Error),
    /// The repository could not be read.
    #[error("environment {environment}: {source}")]
    Repo {
        /// The environment.
        environment: String,
        /// What went wrong.
        source: repo::Error,
    },
}

/// Calls `visit` with every version change of `apps` (all when empty) in
/// environment `env`, newest first, as the walk finds them, so long
/// histories stream. Apps whose file or version cannot be read at the tip
/// are skipped; `hoist status` reports why.
pub fn history(
    project: &Project,
    env: &str,
    apps: &[String],
    mut visit: impl FnMut(VersionChange),
) -> Result<(), Error> {
    walk_from(project, &Point::tip(env), apps, |change| {
        visit(change);
        true
    })
}

/// [`history`] that ends as soon as `visit` returns false: a long history
/// read for a window that can stop it.
pub fn history_until(
    project: &Project,
    env: &str,
    apps: &[String],
    mut visit: impl FnMut(VersionChange) -> bool,
) -> Result<(), Error> {
    walk_following(project, &Point::tip(env), apps, |change| {
        if visit(change) {
            Follow::Continue
        } else {
            Follow::End
        }
    })
}

/// The changelog of a promotion: the version changes of `app` on the source
/// point's history, newest first, back to (and including) the change that
/// moved it away from `since`, the version the target runs now.
pub fn changelog(
    project: &Project,
    source: &Point,
    app: &str,
    since: &str,
) -> Result<Vec<VersionChange>, Error> {
    changelogs(project, source, &[(app.to_owned(), since.to_owned())])
}

/// The changelogs of several `(app, since)` pairs from one walk of the
/// source's history, newest first across the apps.
pub fn changelogs(
    project: &Project,
    source: &Point,
    wanted: &[(String, String)],
) -> Result<Vec<VersionChange>, Error> {
    let apps: Vec<String> = wanted.iter().map(|(app, _)| app.clone()).collect();
    let mut entries = Vec::new();
    walk_from(project, source, &apps, |change| {
        let Some((_, since)) = wanted.iter().find(|(app, _)| *app == change.app) else {
            return false;
        };
        if change.to == *since {
            return false;
        }
        let last = change.from.as_deref() == Some(since.as_str());
        entries.push(change);
        !last
    })?;
    Ok(entries)
}

/// The newest version change of each of `apps` at `point`, from one walk
/// that stops following each app at its first change.
pub fn latest(
    project: &Project,
    point: &Point,
    apps: &[String],
) -> Result<Vec<VersionChange>, Error> {
    let mut found = Vec::new();
    walk_from(project, point, apps, |change| {
        found.push(change);
        false
    })?;
    Ok(found)
}

/// The walk behind [`history`] and [`changelog`]: `visit` returns whether to
/// keep following that change's app further back.
pub(crate) fn walk_from(
    project: &Project,
    point: &Point,
    apps: &[String],
    mut visit: impl FnMut(VersionChange) -> bool,
) -> Result<(), Error> {
    walk_following(project, point, apps, |change| {
        if visit(change) {
            Follow::Continue
        } else {
            Follow::Stop
        }
    })
}

/// [`walk_from`] where `visit` says how to go on: follow the app further,
/// stop following it, or end the walk.
fn walk_following(
    project: &Project,
    point: &Point,
    apps: &[String],
    mut visit: impl FnMut(VersionChange) -> Follow,
) -> Result<(), Error> {
    let config = &project.config;
    let resolved = point.resolve(project)?;
    let environment = resolved.env;
    let env = environment.name.as_str();
    let in_env = |source| Error::Repo {
        environment: env.to_owned(),
        source,
    };
    let repo = &project.repo;
    let tip = resolved.commit;
    let tree = repo.tree_of(tip).map_err(in_env)?;
    let mut tracked = Vec::new();
    for (index, app) in config.apps.iter().enumerate() {
        if !app.runs_in(environment) || !(apps.is_empty() || apps.contains(&app.name)) {
            continue;
        }
        let source = Source::of(app, environment);
        if let Ok(reading) = source.read(repo, tree).map_err(in_env)? {
            tracked.push(Tracked {
                index,
                source,
                version: reading.version,
            });
        }
    }
    let mut failure = None;
    walk::changes(repo, tip, tree, tracked, |change| {
        match repo.commit_info(change.commit) {
            Ok(commit) => {
                let kind = kind_of(change.from.as_deref(), &change.to, &commit);
                visit(VersionChange {
                    environment: env.to_owned(),
                    app: config.apps[change.index].name.clone(),
                    commit,
                    from: change.from,
                    to: change.to,
                    kind,
                })
            }
            Err(e) => {
                failure.get_or_insert(e);
                Follow::End
            }
        }
    })
    .map_err(in_env)?;
    failure.map_or(Ok(()), |e| Err(in_env(e)))
}

fn kind_of(from: Option<&str>, to: &str, commit: &CommitInfo) -> ChangeKind {
    let subject = commit.subject.to_ascii_lowercase();
    match from {
        None => ChangeKind::Initial,
        Some(from)
            if version::is_downgrade(from, to)
                || subject.starts_with("revert")
                || subject.contains("rollback")
                || subject.contains("roll back") =>
        {
            ChangeKind::Rollback
        }
        Some(_) if commit.change.is_some() || subject.contains("promot") => ChangeKind::Promotion,
        Some(_) => ChangeKind::DirectEdit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(subject: &str) -> CommitInfo {
        CommitInfo {
            id: "0".repeat(40),
            author: "a".into(),
            email: "a@example.com".into(),
            time: 0,
            offset: 0,
            change: crate::forge::change_ref(subject),
            subject: subject.into(),
        }
    }

    #[test]
    fn kinds_from_versions_and_subjects() {
        assert_eq!(kind_of(None, "1.0.0", &commit("init")), ChangeKind::Initial);
        assert_eq!(
            kind_of(Some("1.5.0"), "1.4.2", &commit("Promote api (#3)")),
            ChangeKind::Rollback
        );
        assert_eq!(
            kind_of(Some("abc"), "def", &commit("Revert \"Promote api\"")),
            ChangeKind::Rollback
        );
        assert_eq!(
            kind_of(
                Some("1.4.2"),
                "1.5.0",
                &commit("Promote api to 1.5.0 (#34)")
            ),
            ChangeKind::Promotion
        );
        assert_eq!(
            kind_of(
                Some("1.4.2"),
                "1.5.0",
                &commit("Merge pull request #12 from acme/x")
            ),
            ChangeKind::Promotion
        );
        assert_eq!(
            kind_of(Some("1.4.2"), "1.5.0", &commit("hotfix api")),
            ChangeKind::DirectEdit
        );
    }
}

/// One app version's path through the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Release {
    /// The app.
    pub app: String,
    /// The version.
    pub version: String,
    /// Per environment in pipeline order, when the version first arrived there.
    pub arrivals: Vec<Option<Arrival>>,
    /// Seconds from its arrival in the first environment to its arrival in
    /// the last one, when it reached both.
    pub lead_time: Option<i64>,
}

/// A version's arrival in one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Arrival {
    /// The environment.
    pub environment: String,
    /// The commit that brought it.
    pub commit: CommitInfo,
}

/// Joins the histories of every environment: for each app version seen
/// anywhere, when it arrived in each environment (its first arrival, if it
/// came more than once) and its lead time. Newest releases first, by their
/// first arrival.
pub fn combined(project: &Project, apps: &[String]) -> Result<Vec<Release>, Error> {
    let envs = &project.config.environments;
    let mut releases: Vec<Release> = Vec::new();
    for (e, env) in envs.iter().enumerate() {
        history(project, &env.name, apps, |change| {
            let at = match releases
                .iter()
                .position(|r| r.app == change.app && r.version == change.to)
            {
                Some(at) => at,
                None => {
                    releases.push(Release {
                        app: change.app.clone(),
                        version: change.to.clone(),
                        arrivals: vec![None; envs.len()],
                        lead_time: None,
                    });
                    releases.len() - 1
                }
            };
            // Newest first: a later call is an earlier arrival, so it wins.
            releases[at].arrivals[e] = Some(Arrival {
                environment: change.environment,
                commit: change.commit,
            });
        })?;
    }
    for r in &mut releases {
        let time = |a: &Option<Arrival>| a.as_ref().map(|a| a.commit.time);
        if let (Some(first), Some(last)) = (
            r.arrivals.first().and_then(time),
            r.arrivals.last().and_then(time),
        ) {
            r.lead_time = Some(last - first);
        }
    }
    let first_seen = |r: &Release| {
        r.arrivals
            .iter()
            .flatten()
            .map(|a| a.commit.time)
            .min()
            .unwrap_or(0)
    };
    releases.sort_by(|a, b| {
        first_seen(b)
            .cmp(&first_seen(a))
            .then_with(|| a.app.cmp(&b.app))
    });
    Ok(releases)
}
