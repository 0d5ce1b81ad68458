//! Inherited versions: an environment that does not set an app's version
//! gets its base's, a chart's default `values.yaml` or the workload a
//! kustomize overlay builds on. Detection finds that base, so the matrix
//! shows the version the environment really runs instead of a gap.

use std::collections::BTreeSet;

use hoist_locate::{KustomizeField, Locator};
use serde_json::Value;

use super::apps::Proposed;
use crate::config::{AppOverride, BaseLocation, Environment, Location};
use crate::repo::{Error, Repo};

/// How deep kustomize bases are followed (an overlay's base's base, …).
const DEEPEST_BASE: usize = 3;

/// Gives each proposed app that some environments seem to lack the base
/// those environments inherit its version from, when they all inherit from one.
pub(super) fn infer(
    repo: &Repo,
    default_branch: &str,
    environments: &[Environment],
    proposed: &mut [Proposed],
) -> Result<(), Error> {
    for p in proposed.iter_mut() {
        let Some(only) = p.app.environments.clone() else {
            continue;
        };
        let mut base: Option<BaseLocation> = None;
        let mut inheriting = Vec::new();
        let mut overrides = Vec::new();
        let mut disagree = false;
        for env in environments.iter().filter(|e| !only.contains(&e.name)) {
            let branch = env.branch.as_deref().unwrap_or(default_branch);
            let tree = repo.tree_of(repo.branch_tip(branch)?)?;
            let own = p.app.location_in(env);
            let Some(missing) = lacks_value(repo, tree, &own)? else {
                continue;
            };
            let Some(found) = find(repo, tree, &own)? else {
                continue;
            };
            match &base {
                Some(known) if *known != found.base => disagree = true,
                Some(_) => {}
                None => base = Some(found.base.clone()),
            }
            // Without a file of its own, the environment's value goes into
            // its overlay's kustomization, where kustomize reads it.
            if missing == Missing::File
                && let Some((kustomization, image)) = found.overlay
            {
                let relative = match env.path.as_str() {
                    "." | "" => kustomization,
                    dir => kustomization
                        .strip_prefix(&format!("{}/", dir.trim_end_matches('/')))
                        .map_or(kustomization.clone(), str::to_owned),
                };
                overrides.push((
                    env.name.clone(),
                    AppOverride {
                        file: Some(relative),
                        locator: Some(Locator::Kustomize {
                            image,
                            field: KustomizeField::NewTag,
                        }),
                    },
                ));
            }
            inheriting.push((env.name.clone(), found.version));
        }
        let Some(location) = base.filter(|_| !disagree && !inheriting.is_empty()) else {
            continue;
        };
        p.app.overrides.extend(overrides);
        let reads = inheriting
            .iter()
            .map(|(env, v)| format!("{v} in {env}"))
            .collect::<Vec<_>>()
            .join(", ");
        // The app is in more environments than it was found set in.
        p.reason = p
            .reason
            .replace(&format!("; only found in {}", only.join(", ")), "");
        p.reason.push_str(&format!(
            "; inherited from {} ({}) where an environment does not set it: {reads}",
            location.file, location.locator
        ));
        let mut covered: Vec<String> = only;
        covered.extend(inheriting.into_iter().map(|(env, _)| env));
        p.app.environments = if covered.len() == environments.len() {
            None
        } else {
            let names: Vec<String> = environments
                .iter()
                .filter(|e| covered.contains(&e.name))
                .map(|e| e.name.clone())
                .collect();
            p.reason
                .push_str(&format!("; only in {}", names.join(", ")));
            Some(names)
        };
        p.app.base = Some(location);
    }
    Ok(())
}

/// What an environment's own file lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    /// The file is not there.
    File,
    /// The file does not set the value.
    Value,
}

/// Whether the environment's own file is missing or does not set the value
/// (`None` when it sets it, or is unreadable, which is no reason to look elsewhere).
fn lacks_value(repo: &Repo, tree: gix::ObjectId, own: &Location) -> Result<Option<Missing>, Error> {
    Ok(match repo.blob_in_tree(tree, &own.file)? {
        None => Some(Missing::File),
        Some(blob) => matches!(
            own.locator.read(&own.file, &repo.read_blob(blob)?),
            Err(hoist_locate::Error::NotFound { .. })
        )
        .then_some(Missing::Value),
    })
}

/// Where an environment's version comes from when it sets none itself.
struct Inherited {
    base: BaseLocation,
    version: String,
    /// When the base came through a kustomize overlay: the overlay's
    /// kustomization and the image a kustomize `images:` entry there would
    /// override (where an environment without its own file gets its value).
    overlay: Option<(String, String)>,
}

/// The base that gives `own`'s value in `tree`, and the version it reads.
fn find(repo: &Repo, tree: gix::ObjectId, own: &Location) -> Result<Option<Inherited>, Error> {
    let dir = parent(&own.file);
    // A chart's own defaults, next to the environment's values file.
    if let Locator::Yaml(_) = &own.locator {
        for name in ["values.yaml", "values.yml"] {
            let file = join(dir, name);
            if file != own.file
                && let Some((base, version)) = try_read(repo, tree, &file, &own.locator)?
            {
                return Ok(Some(Inherited {
                    base,
                    version,
                    overlay: None,
                }));
            }
        }
    }
    // A kustomize overlay's bases.
    let deleted = deleted_resources(repo, tree, dir)?;
    let overlay = kustomization_in(repo, tree, dir)?.map(|(file, _)| file);
    let through = |(base, version, image): (BaseLocation, String, Option<String>)| Inherited {
        base,
        version,
        overlay: overlay.clone().zip(image),
    };
    let mut seen = BTreeSet::new();
    let mut dirs = vec![(dir.to_owned(), 0)];
    while let Some((at, depth)) = dirs.pop() {
        if depth > DEEPEST_BASE || !seen.insert(at.clone()) {
            continue;
        }
        let Some((kustomization, doc)) = kustomization_in(repo, tree, &at)? else {
            continue;
        };
        // A base kustomization's own `images:` entry for the image.
        if depth > 0
            && let Locator::Kustomize { image, .. } = &own.locator
            && let Some((base, version)) = try_read(repo, tree, &kustomization, &own.locator)?
        {
            return Ok(Some(through((base, version, Some(image.clone())))));
        }
        for entry in ["resources", "bases", "components"]
            .iter()
            .filter_map(|k| doc.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
        {
            if entry.contains("://") || entry.starts_with("github.com/") {
                continue;
            }
            let Some(path) = normalise(&join(&at, entry)) else {
                continue;
            };
            if path.ends_with(".yaml") || path.ends_with(".yml") {
                if depth > 0
                    && let Some(found) = in_resource(repo, tree, &path, own, &deleted)?
                {
                    return Ok(Some(through(found)));
                }
            } else {
                dirs.push((path, depth + 1));
            }
        }
    }
    Ok(None)
}

/// A base reading `locator` in `file`, when it reads.
fn try_read(
    repo: &Repo,
    tree: gix::ObjectId,
    file: &str,
    locator: &Locator,
) -> Result<Option<(BaseLocation, String)>, Error> {
    let Some(blob) = repo.blob_in_tree(tree, file)? else {
        return Ok(None);
    };
    Ok(locator
        .read(file, &repo.read_blob(blob)?)
        .ok()
        .map(|found| {
            (
                BaseLocation {
                    file: file.to_owned(),
                    locator: locator.clone(),
                },
                found.value,
            )
        }))
}

/// The version `own`'s locator stands for in a base resource file: the same
/// key path, or the container (by name, or running the kustomize image),
/// with the container's image name when it is one.
fn in_resource(
    repo: &Repo,
    tree: gix::ObjectId,
    file: &str,
    own: &Location,
    deleted: &BTreeSet<(String, String)>,
) -> Result<Option<(BaseLocation, String, Option<String>)>, Error> {
    let Some(blob) = repo.blob_in_tree(tree, file)? else {
        return Ok(None);
    };
    let content = repo.read_blob(blob)?;
    let Ok(text) = std::str::from_utf8(&content) else {
        return Ok(None);
    };
    let Ok(docs) = serde_saphyr::from_multiple::<Value>(text) else {
        return Ok(None);
    };
    let live = |doc: &Value| {
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        let name = doc
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        !deleted.contains(&(kind.to_owned(), name.to_owned()))
    };
    // The first live container `want`s, by name and image.
    let container = |want: &dyn Fn(&str, &str) -> bool| {
        let mut found = None;
        for doc in docs.iter().filter(|d| live(d)) {
            containers(doc, &mut |c, i| {
                if found.is_none() && want(c, i) {
                    found = Some((c.to_owned(), image_name(i).to_owned()));
                }
            });
        }
        found
    };
    let (locator, image) = match &own.locator {
        Locator::Yaml(_) if docs.iter().any(live) => (own.locator.clone(), None),
        Locator::Container(name) => match container(&|c, _| c == name) {
            Some((_, image)) => (own.locator.clone(), Some(image)),
            None => return Ok(None),
        },
        Locator::Kustomize { image, .. } => match container(&|_, i| image_name(i) == image) {
            Some((c, image)) => (Locator::Container(c), Some(image)),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    Ok(try_read(repo, tree, file, &locator)?.map(|(base, version)| (base, version, image)))
}

/// Resources a directory's patches delete (`$patch: delete`), by kind and name.
fn deleted_resources(
    repo: &Repo,
    tree: gix::ObjectId,
    dir: &str,
) -> Result<BTreeSet<(String, String)>, Error> {
    let mut out = BTreeSet::new();
    let Some((_, doc)) = kustomization_in(repo, tree, dir)? else {
        return Ok(out);
    };
    let patch_files = ["patchesStrategicMerge", "patches"]
        .iter()
        .filter_map(|k| doc.get(*k).and_then(Value::as_array))
        .flatten()
        .filter_map(|p| p.as_str().or_else(|| p.get("path").and_then(Value::as_str)))
        .filter_map(|p| normalise(&join(dir, p)))
        .collect::<Vec<_>>();
    for file in patch_files {
        let Some(blob) = repo.blob_in_tree(tree, &file)? else {
            continue;
        };
        let content = repo.read_blob(blob)?;
        let Ok(docs) = serde_saphyr::from_multiple::<Value>(&String::from_utf8_lossy(&content))
        else {
            continue;
        };
        for doc in docs {
            if doc.get("$patch").and_then(Value::as_str) == Some("delete") {
                let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
                let name = doc
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                out.insert((kind.to_owned(), name.to_owned()));
            }
        }
    }
    Ok(out)
}

/// The kustomization file in `dir` and its parsed document.
fn kustomization_in(
    repo: &Repo,
    tree: gix::ObjectId,
    dir: &str,
) -> Result<Option<(String, Value)>, Error> {
    for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        let file = join(dir, name);
        let Some(blob) = repo.blob_in_tree(tree, &file)? else {
            continue;
        };
        let content = repo.read_blob(blob)?;
        if let Ok(doc) = serde_saphyr::from_str::<Value>(&String::from_utf8_lossy(&content)) {
            return Ok(Some((file, doc)));
        }
    }
    Ok(None)
}

/// Calls `visit` with the name and image of every container in a workload.
fn containers(value: &Value, visit: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if (key == "containers" || key == "initContainers")
                    && let Value::Array(items) = child
                {
                    for item in items {
                        if let (Some(name), Some(image)) = (
                            item.get("name").and_then(Value::as_str),
                            item.get("image").and_then(Value::as_str),
                        ) {
                            visit(name, image);
                        }
                    }
                } else {
                    containers(child, visit);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| containers(i, visit)),
        _ => {}
    }
}

/// An image reference without its tag or digest: `ghcr.io/acme/api:1.2` → `ghcr.io/acme/api`.
fn image_name(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    // A `:` after the last `/` starts the tag; one before it is a registry port.
    let last = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last..].rfind(':') {
        Some(at) => &without_digest[..last + at],
        None => without_digest,
    }
}

fn parent(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.trim_start_matches("./").to_owned()
    } else {
        format!(
            "{}/{}",
            dir.trim_end_matches('/'),
            name.trim_start_matches("./")
        )
    }
}

/// `a/b/../c` → `a/c`; `None` for a path that climbs out of the repository.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_image_names() {
        assert_eq!(normalise("envs/dev/../../base").as_deref(), Some("base"));
        assert_eq!(normalise("../x"), None);
        assert_eq!(image_name("ghcr.io/acme/api:1.2"), "ghcr.io/acme/api");
        assert_eq!(
            image_name("registry:5000/acme/api"),
            "registry:5000/acme/api"
        );
        assert_eq!(image_name("acme/api@sha256:abc"), "acme/api");
    }
}
