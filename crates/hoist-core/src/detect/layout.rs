//! Environments on one branch: the directories (`envs/dev/`,
//! `apps/api/overlays/dev/`, `clusters/dev/`) or file names
//! (`values-dev.yaml`) that name them.
//!
//! Every file path is tried as a template: a directory or a part of the file
//! name that names an environment is replaced by `{env}`. A template seen
//! with two or more environments is a layout; one seen with a single
//! environment is a coincidence and is ignored.

use std::collections::{BTreeMap, BTreeSet};

use super::environments::NOT_ENVIRONMENTS;
use crate::config::ENV_PLACEHOLDER;

/// The environments one branch's files name, and each one's files.
#[derive(Debug, Default)]
pub(super) struct Layout {
    /// Environment name → (repository path, the path with `{env}`), sorted.
    pub envs: BTreeMap<String, Vec<(String, String)>>,
}

impl Layout {
    /// The directories (ending in `/`) where `env` was seen, e.g. `apps/dev/`.
    pub fn directories(&self, env: &str) -> BTreeSet<String> {
        self.envs
            .get(env)
            .into_iter()
            .flatten()
            .filter_map(|(path, template)| {
                let at = template
                    .find(&format!("/{ENV_PLACEHOLDER}/"))
                    .map(|i| i + 1)
                    .or_else(|| {
                        template
                            .starts_with(&format!("{ENV_PLACEHOLDER}/"))
                            .then_some(0)
                    })?;
                Some(format!("{}{env}/", &path[..at]))
            })
            .collect()
    }
}

/// Finds the environments `files` name. `env_like` says whether a name may
/// be one (a well-known name, or a Kargo stage's).
pub(super) fn scan(files: &[String], env_like: &dyn Fn(&str) -> bool) -> Layout {
    // template → environment → paths
    let mut templates: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for path in files {
        let segments: Vec<&str> = path.split('/').collect();
        if segments.iter().any(|s| s.starts_with('.')) {
            continue;
        }
        let Some((env, template)) = template_of(&segments, env_like) else {
            continue;
        };
        templates
            .entry(template)
            .or_default()
            .entry(env)
            .or_default()
            .push(path.clone());
    }
    let mut layout = Layout::default();
    for (template, by_env) in templates {
        if by_env.len() < 2 {
            continue;
        }
        for (env, paths) in by_env {
            let list = layout.envs.entry(env).or_default();
            list.extend(paths.into_iter().map(|p| (p, template.clone())));
        }
    }
    for list in layout.envs.values_mut() {
        list.sort();
    }
    layout
}

/// The environment a path names and the path with it replaced: the outermost
/// directory that names one, else the longest run of a file name's parts
/// (`values-prod-eu.yaml` → `values-{env}.yaml`).
fn template_of(segments: &[&str], env_like: &dyn Fn(&str) -> bool) -> Option<(String, String)> {
    let (name, dirs) = segments.split_last()?;
    for (i, dir) in dirs.iter().enumerate() {
        if env_like(dir) && !NOT_ENVIRONMENTS.contains(dir) {
            let mut parts: Vec<&str> = segments.to_vec();
            parts[i] = ENV_PLACEHOLDER;
            return Some(((*dir).to_owned(), parts.join("/")));
        }
    }
    let (env, file) = in_name(name, env_like)?;
    let mut parts: Vec<String> = dirs.iter().map(|d| (*d).to_owned()).collect();
    parts.push(file);
    Some((env, parts.join("/")))
}

/// The environment a file name names (its stem, or a run of its stem's
/// `-`/`_`/`.`-separated parts), and the name with it replaced.
pub(super) fn in_name(name: &str, env_like: &dyn Fn(&str) -> bool) -> Option<(String, String)> {
    let stem_end = [".yaml", ".yml", ".json"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext).map(str::len))?;
    let stem = &name[..stem_end];
    // Part boundaries: the start, each separator, the end.
    let mut cuts = vec![0];
    cuts.extend(
        stem.char_indices()
            .filter(|(_, c)| matches!(c, '-' | '_' | '.'))
            .map(|(i, _)| i),
    );
    cuts.push(stem.len());
    let mut best: Option<(usize, usize)> = None;
    for (a, &start) in cuts.iter().enumerate() {
        let start = if a == 0 { start } else { start + 1 };
        for &end in &cuts[a + 1..] {
            if end <= start {
                continue;
            }
            let run = &stem[start..end];
            if env_like(run) && best.is_none_or(|(s, e)| end - start > e - s) {
                best = Some((start, end));
            }
        }
    }
    let (start, end) = best?;
    Some((
        stem[start..end].to_owned(),
        format!("{}{ENV_PLACEHOLDER}{}", &name[..start], &name[end..]),
    ))
}

/// `path` with the parts of its segments that name `env` replaced by `{env}`:
/// a whole segment (`dev/`), or a leading or trailing dash-part
/// (`guestbook-dev/`, `dev-guestbook/`), as rendered-manifest directories are named.
pub(super) fn templated_dirs(path: &str, env: &str) -> String {
    let mut segments: Vec<String> = path.split('/').map(str::to_owned).collect();
    let last = segments.len().saturating_sub(1);
    for seg in &mut segments[..last] {
        if seg == env {
            *seg = ENV_PLACEHOLDER.to_owned();
        } else if let Some(app) = seg.strip_suffix(&format!("-{env}")) {
            *seg = format!("{app}-{ENV_PLACEHOLDER}");
        } else if let Some(app) = seg.strip_prefix(&format!("{env}-")) {
            *seg = format!("{ENV_PLACEHOLDER}-{app}");
        }
    }
    segments.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> bool {
        super::super::environments::is_known_name(name)
    }

    #[test]
    fn templates_from_directories_and_file_names() {
        let files: Vec<String> = [
            "apps/api/overlays/dev/kustomization.yaml",
            "apps/api/overlays/prod/kustomization.yaml",
            "apps/api/base/deployment.yaml",
            "charts/web/values-dev.yaml",
            "charts/web/values-prod-eu.yaml",
            "charts/web/values.yaml",
            "charts/web/values-legacy.yaml",
            "docs/prod/only-one.yaml",
            ".github/workflows/deploy-dev.yaml",
            ".github/workflows/deploy-prod.yaml",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let layout = scan(&files, &known);
        assert_eq!(
            layout.envs.keys().collect::<Vec<_>>(),
            ["dev", "prod", "prod-eu"]
        );
        assert_eq!(
            layout.envs["prod-eu"],
            [(
                "charts/web/values-prod-eu.yaml".to_owned(),
                "charts/web/values-{env}.yaml".to_owned()
            )]
        );
        assert_eq!(
            layout.directories("prod").into_iter().collect::<Vec<_>>(),
            ["apps/api/overlays/prod/"]
        );
        assert_eq!(
            templated_dirs("hydrated/guestbook-dev/manifest.yaml", "dev"),
            "hydrated/guestbook-{env}/manifest.yaml"
        );
        assert_eq!(
            in_name("dev.yaml", &known),
            Some(("dev".to_owned(), "{env}.yaml".to_owned()))
        );
    }
}
