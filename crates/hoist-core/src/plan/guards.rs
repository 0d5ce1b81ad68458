//! The warnings of a plan: what a release manager must know (or override)
//! before the pull request is opened.

use std::collections::HashMap;

use super::{AppChange, Edit, Error, PlanKind, Request, Side, Warning};
use crate::Project;
use crate::history::{self, ChangeKind};
use crate::point::Point;
use crate::read::Source;
use crate::version;

pub(super) fn warnings(
    project: &Project,
    request: &Request<'_>,
    source: &Side<'_>,
    target: &Side<'_>,
    changes: &[AppChange],
) -> Result<Vec<Warning>, Error> {
    let mut warnings = Vec::new();
    let (source_env, target_env) = (source.0.env, target.0.env);
    if request.kind == PlanKind::Comparison {
        return Ok(warnings);
    }
    let config = &project.config;
    let now = request.options.now;
    for lock in config.locks_on(&target_env.name, None, now) {
        warnings.push(locked(lock, None));
    }
    for change in changes {
        for lock in config
            .locks_on(&target_env.name, Some(&change.app), now)
            .filter(|l| l.apps.is_some())
        {
            warnings.push(locked(lock, Some(&change.app)));
        }
    }
    for (freeze, end) in config.freezes_on(&target_env.name, now) {
        let why = freeze
            .reason
            .as_deref()
            .map_or(String::new(), |r| format!(" ({r})"));
        warnings.push(Warning::Frozen {
            freeze: freeze.name.clone(),
            until: end.to_string(),
            message: format!(
                "{} is frozen by {:?} until {end}{why}; opening this PR needs an override reason",
                target_env.name, freeze.name
            ),
        });
    }
    warnings.extend(shared_bases(project, target, changes)?);
    if request.kind != PlanKind::Promotion {
        return Ok(warnings);
    }

    let upstream = config.upstream_of(target_env).map(|u| u.name.clone());
    if upstream.as_deref() != Some(source_env.name.as_str()) {
        let message = match &upstream {
            Some(u) => format!(
                "{} takes its versions from {u}, not {}: this promotion skips the usual path",
                target_env.name, source_env.name
            ),
            None => format!(
                "{} has no upstream environment; promoting into it from {} is unusual",
                target_env.name, source_env.name
            ),
        };
        warnings.push(Warning::SkipsEnvironment { upstream, message });
    }
    for change in changes {
        if let Some(message) = downgrade(project, request.source, change, &target_env.name)? {
            warnings.push(Warning::Downgrade {
                app: change.app.clone(),
                message,
            });
        }
    }
    // Drift: the target's current version was written straight onto its branch.
    let apps: Vec<String> = changes.iter().map(|c| c.app.clone()).collect();
    for last in history::latest(project, &Point::tip(&target_env.name), &apps)? {
        let Some(change) = changes.iter().find(|c| c.app == last.app) else {
            continue;
        };
        if last.kind == ChangeKind::DirectEdit && last.to == change.from {
            let short = &last.commit.id[..last.commit.id.len().min(7)];
            warnings.push(Warning::Drift {
                app: change.app.clone(),
                commit: last.commit.id.clone(),
                message: format!(
                    "{}: {} in {} was written straight onto {} by {} ({short} \"{}\"), not promoted from upstream; this promotion replaces it",
                    change.app,
                    change.from,
                    target_env.name,
                    target.0.branch,
                    last.commit.author,
                    last.commit.subject
                ),
            });
        }
    }
    Ok(warnings)
}

/// A change to a base reaches every environment on the same branch that
/// inherits the app's version from it.
fn shared_bases(
    project: &Project,
    target: &Side<'_>,
    changes: &[AppChange],
) -> Result<Vec<Warning>, Error> {
    let config = &project.config;
    let mut out = Vec::new();
    for change in changes.iter().filter(|c| c.edit == Edit::Base) {
        let Some(app) = config.apps.iter().find(|a| a.name == change.app) else {
            continue;
        };
        let tree = project
            .repo
            .tree_of(target.0.commit)
            .map_err(|e| target.repo_error(e))?;
        let mut others = Vec::new();
        for env in config.environments.iter().filter(|e| {
            e.name != target.0.env.name && e.branch == target.0.env.branch && app.runs_in(e)
        }) {
            let reading = Source::of(app, env)
                .read(&project.repo, tree)
                .map_err(|e| target.repo_error(e))?;
            if reading.is_ok_and(|r| r.inherited && r.file == change.file) {
                others.push(env.name.clone());
            }
        }
        if !others.is_empty() {
            out.push(Warning::SharedBase {
                message: format!(
                    "{} {} → {} changes the base {}, which {} also inherit{}: they move too",
                    change.app,
                    change.from,
                    change.to,
                    change.file,
                    others.join(", "),
                    if others.len() == 1 { "s" } else { "" }
                ),
                app: change.app.clone(),
                file: change.file.clone(),
                environments: others,
            });
        }
    }
    Ok(out)
}

fn locked(lock: &crate::config::Lock, app: Option<&str>) -> Warning {
    let what = match app {
        Some(app) => format!("{app} in {}", lock.environment),
        None => lock.environment.clone(),
    };
    let until = lock.until.map(|u| u.to_string());
    let until_text = until
        .as_deref()
        .map_or(String::new(), |u| format!(" until {u}"));
    Warning::Locked {
        environment: lock.environment.clone(),
        app: app.map(str::to_owned),
        by: lock.by.clone(),
        reason: lock.reason.clone(),
        message: format!(
            "{what} is locked by {}{until_text}: {}; opening this PR needs an override reason",
            lock.by, lock.reason
        ),
        until,
    }
}

/// Whether the change goes back in time: by version order when both are
/// dotted versions, else by the order the versions reached the source.
fn downgrade(
    project: &Project,
    source: &Point,
    change: &AppChange,
    target: &str,
) -> Result<Option<String>, Error> {
    let (from, to) = (&change.from, &change.to);
    if version::compare(from, to).is_some() {
        return Ok(version::is_downgrade(from, to).then(|| {
            format!(
                "{}: {to} is older than {from}, the version {target} runs now",
                change.app
            )
        }));
    }
    // Not comparable as versions (digests, commit shas): the order in
    // which they reached the source, or else the target, says which is older.
    for point in [source.clone(), Point::tip(target)] {
        if let Some(older) = arrived_earlier(project, &point, &change.app, to, from)? {
            return Ok(older.then(|| {
                format!(
                    "{}: {to} reached {} before {from}, the version {target} runs now; promoting it goes back in time",
                    change.app, point.environment
                )
            }));
        }
    }
    Ok(None)
}

/// Whether `a` last arrived at `point` before `b` did; `None` when the
/// history there does not hold both.
fn arrived_earlier(
    project: &Project,
    point: &Point,
    app: &str,
    a: &str,
    b: &str,
) -> Result<Option<bool>, Error> {
    let mut arrived: HashMap<String, i64> = HashMap::new();
    history::walk_from(project, point, &[app.to_owned()], |c| {
        arrived.entry(c.to.clone()).or_insert(c.commit.time);
        !(arrived.contains_key(a) && arrived.contains_key(b))
    })?;
    Ok(match (arrived.get(a), arrived.get(b)) {
        (Some(ta), Some(tb)) => Some(ta < tb),
        _ => None,
    })
}
