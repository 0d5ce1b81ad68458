//! Sync mode: an app's files in the target become the source's, except the
//! environment-specific ones its configuration excludes.

use std::collections::BTreeSet;

use super::{AppChange, Edit, Error, FileChange, Side, app_change};
use crate::Project;
use crate::config::{App, ENV_PLACEHOLDER, Environment, Location};

pub(super) fn by_sync(
    project: &Project,
    chosen: &[&App],
    source: &Side<'_>,
    target: &Side<'_>,
) -> Result<(Vec<AppChange>, Vec<FileChange>), Error> {
    let mut files: Vec<FileChange> = Vec::new();
    let mut changes = Vec::new();
    for app in chosen {
        let settings = app.sync.clone().unwrap_or_default();
        let paths = if settings.paths.is_empty() {
            vec![default_path(&app.file_in(target.0.env))]
        } else {
            settings.paths.clone()
        };
        for path in &paths {
            // A path with {env} names a different directory on each side.
            let (from_dir, to_dir) = (
                within(source.0.env, &for_env(path, source.0.env)),
                within(target.0.env, &for_env(path, target.0.env)),
            );
            for relative in union(project, path, source, target)? {
                let to_path = join(&to_dir, &relative);
                // Exclusions are relative to the environment's directory, like `paths`.
                let in_env = join(&for_env(path, target.0.env), &relative);
                let exclude: Vec<String> = settings
                    .exclude
                    .iter()
                    .map(|e| for_env(e, target.0.env))
                    .collect();
                if excluded(&in_env, &exclude) || files.iter().any(|f| f.path == to_path) {
                    continue;
                }
                let from_path = join(&from_dir, &relative);
                let old = read(project, target, &to_path)?;
                let new = read(project, source, &from_path)?;
                if old != new {
                    // The target's mode where the file is there, else the source's.
                    let (side, path) = if old.is_some() {
                        (target, &to_path)
                    } else {
                        (source, &from_path)
                    };
                    let executable = project
                        .repo
                        .is_executable(side.0.commit, path)
                        .map_err(|e| side.repo_error(e))?;
                    files.push(FileChange {
                        path: to_path,
                        old,
                        new,
                        executable,
                    });
                }
            }
        }
        // The version moves when the app's own file is among the synced ones.
        let Location {
            file: path,
            locator,
        } = app.location_in(target.0.env);
        if let Some(file) = files.iter().find(|f| f.path == path) {
            let from = target.read(
                app,
                &locator,
                &path,
                file.old.as_deref().unwrap_or_default(),
            )?;
            let to = match file.new.as_deref() {
                Some(new) => target.read(app, &locator, &path, new)?,
                None => String::new(),
            };
            if from != to {
                let content = file.new.as_deref().unwrap_or_default();
                changes.push(app_change(app, path, from, to, Edit::Files, content));
            }
        }
    }
    Ok((changes, files))
}

/// The directory of the app's file, relative to the environment's directory.
fn default_path(file: &str) -> String {
    match file.rfind('/') {
        Some(i) => file[..=i].to_owned(),
        None => String::new(),
    }
}

fn for_env(path: &str, env: &Environment) -> String {
    path.replace(ENV_PLACEHOLDER, &env.name)
}

/// `relative` inside an environment's directory, as a repository path.
fn within(env: &Environment, relative: &str) -> String {
    let dir = env.path.trim_matches('/');
    if dir.is_empty() || dir == "." {
        relative.to_owned()
    } else {
        format!("{dir}/{relative}")
    }
}

/// A synced path (a directory ending in `/`, or a file) and a name under it.
fn join(dir: &str, relative: &str) -> String {
    if relative.is_empty() {
        dir.to_owned()
    } else if dir.is_empty() {
        relative.to_owned()
    } else {
        format!("{}/{relative}", dir.trim_end_matches('/'))
    }
}

/// The names under synced `path` (relative to it) on either side; `""` when
/// `path` is a file.
fn union(
    project: &Project,
    path: &str,
    source: &Side<'_>,
    target: &Side<'_>,
) -> Result<BTreeSet<String>, Error> {
    let mut all = BTreeSet::new();
    for side in [source, target] {
        let full = within(side.0.env, &for_env(path, side.0.env));
        if path.is_empty() || path.ends_with('/') {
            let listed = project
                .repo
                .list_files(side.0.commit, &full)
                .map_err(|e| side.repo_error(e))?;
            let prefix = full.trim_end_matches('/');
            let strip = if prefix.is_empty() || prefix == "." {
                String::new()
            } else {
                format!("{prefix}/")
            };
            all.extend(
                listed
                    .into_iter()
                    .filter_map(|f| f.strip_prefix(&strip).map(str::to_owned)),
            );
        } else {
            let exists = project
                .repo
                .read_file(side.0.commit, &full)
                .map_err(|e| side.repo_error(e))?
                .is_some();
            if exists {
                all.insert(String::new());
            }
        }
    }
    Ok(all)
}

fn read(project: &Project, side: &Side<'_>, path: &str) -> Result<Option<Vec<u8>>, Error> {
    project
        .repo
        .read_file(side.0.commit, path)
        .map_err(|e| side.repo_error(e))
}

/// Whether `relative` is one of the excluded files or inside an excluded directory.
fn excluded(relative: &str, exclude: &[String]) -> bool {
    exclude.iter().any(|e| {
        let e = e.trim_start_matches("./");
        if e.ends_with('/') {
            relative.starts_with(e)
        } else {
            relative == e
        }
    })
}
