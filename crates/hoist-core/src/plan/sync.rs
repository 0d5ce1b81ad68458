//! Sync mode: an app's files in the target become the source's, except the
//! environment-specific ones its configuration excludes.

use std::collections::BTreeSet;

use super::{AppChange, Error, FileChange, Side, app_change};
use crate::Project;
use crate::config::{App, Environment};

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
            vec![default_path(&app.file)]
        } else {
            settings.paths.clone()
        };
        for path in &paths {
            for relative in union(project, path, source, target)? {
                if excluded(&relative, &settings.exclude)
                    || files
                        .iter()
                        .any(|f| f.path == within(target.0.env, &relative))
                {
                    continue;
                }
                let old = read(project, target, &within(target.0.env, &relative))?;
                let new = read(project, source, &within(source.0.env, &relative))?;
                if old != new {
                    files.push(FileChange {
                        path: within(target.0.env, &relative),
                        old,
                        new,
                    });
                }
            }
        }
        // The version moves when the app's own file is among the synced ones.
        let (path, locator) = app.location_in(target.0.env);
        if let Some(file) = files.iter().find(|f| f.path == path) {
            let from = target.read(app, locator, &path, file.old.as_deref().unwrap_or_default())?;
            let to = match file.new.as_deref() {
                Some(new) => target.read(app, locator, &path, new)?,
                None => String::new(),
            };
            if from != to {
                changes.push(app_change(app, path, from, to));
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

/// `relative` inside an environment's directory, as a repository path.
fn within(env: &Environment, relative: &str) -> String {
    let dir = env.path.trim_matches('/');
    if dir.is_empty() || dir == "." {
        relative.to_owned()
    } else {
        format!("{dir}/{relative}")
    }
}

/// Files under `path` (relative to each environment's directory) on either side.
fn union(
    project: &Project,
    path: &str,
    source: &Side<'_>,
    target: &Side<'_>,
) -> Result<BTreeSet<String>, Error> {
    let mut all = BTreeSet::new();
    for side in [source, target] {
        let base = within(side.0.env, "");
        let full = within(side.0.env, path);
        let listed = if path.is_empty() || path.ends_with('/') {
            project
                .repo
                .list_files(side.0.commit, &full)
                .map_err(|e| side.repo_error(e))?
        } else {
            let exists = project
                .repo
                .read_file(side.0.commit, &full)
                .map_err(|e| side.repo_error(e))?
                .is_some();
            if exists { vec![full] } else { Vec::new() }
        };
        let strip = if base.is_empty() {
            String::new()
        } else {
            format!("{}/", base.trim_end_matches('/'))
        };
        all.extend(
            listed
                .into_iter()
                .filter_map(|f| f.strip_prefix(&strip).map(str::to_owned)),
        );
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
