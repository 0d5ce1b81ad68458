//! Which apps an environment holds and where their versions live.

use std::collections::BTreeMap;

use hoist_locate::{KustomizeField, Locator};
use serde_json::Value;

use crate::config::{App, AppOverride, ENV_PLACEHOLDER, Environment};

/// A file larger than this is not a hand-written values file or manifest worth scanning.
const LARGEST_FILE: usize = 1024 * 1024;

/// One app seen in one environment's files.
#[derive(Debug, Clone)]
pub(crate) struct Sighting {
    pub app: String,
    /// Relative to the environment's directory.
    pub file: String,
    pub locator: Locator,
    /// What was recognised, e.g. `Helm values image.tag`.
    pub kind: String,
    /// The version the locator read.
    pub version: String,
    /// Lower wins when two sightings name the same app in one environment.
    pub priority: u8,
}

/// Whether a file may hold a version worth looking at.
pub(super) fn is_candidate(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "hydrator.metadata" || name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The apps in one file of an environment. `file` is the file's path as the
/// configuration will name it (relative to the environment's directory, with
/// `{env}` where the environment's name was); `env` is the environment's
/// name, which app names drop (`api-dev` is app `api`). Files that cannot be
/// read as YAML are reported in `skipped`.
pub(super) fn sightings(
    file: &str,
    env: &str,
    content: &[u8],
    skipped: &mut Vec<String>,
) -> Vec<Sighting> {
    if content.len() > LARGEST_FILE {
        return Vec::new();
    }
    let Ok(text) = std::str::from_utf8(content) else {
        skipped.push(format!("{file} is not UTF-8 text; skipped"));
        return Vec::new();
    };
    let name = file.rsplit('/').next().unwrap_or(file);
    let mut out = Vec::new();
    if name == "hydrator.metadata" {
        if let Some(key) = crate::hydrator::dry_sha_key(content) {
            let app = app_dir(file).unwrap_or_else(|| "dry".to_owned());
            out.push(candidate(
                app,
                file,
                Locator::Json(key.to_owned()),
                format!("hydrator metadata {key} (the dry commit it was rendered from)"),
                3,
            ));
        }
        return confirmed(out, content);
    }
    let markers = flux_markers(text);
    for marker in &markers {
        let app = marker.split(':').nth(1).unwrap_or(marker).to_owned();
        out.push(candidate(
            app,
            file,
            Locator::Flux(marker.clone()),
            format!("Flux image policy marker {marker}"),
            0,
        ));
    }
    let docs: Vec<Value> = match serde_saphyr::from_multiple(text) {
        Ok(docs) => docs,
        Err(e) => {
            let line = e
                .location()
                .map(|l| format!(" at line {}", l.line()))
                .unwrap_or_default();
            skipped.push(format!("{file} is not valid YAML{line}; skipped"));
            return confirmed(out, content);
        }
    };
    for doc in &docs {
        let Value::Object(map) = doc else { continue };
        let kind = map.get("kind").and_then(Value::as_str);
        let resource = map
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .map(|n| without_env(n, env));
        if let (Some(kind), Some(resource)) = (kind, &resource)
            && let Some(found) = source_version(doc, kind, resource, file)
        {
            out.extend(found);
            continue;
        }
        if name.starts_with("kustomization.")
            || kind == Some("Kustomization") && map.contains_key("images")
        {
            for image in map
                .get("images")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(image_name) = image.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let field = if image.get("newTag").is_some() {
                    KustomizeField::NewTag
                } else if image.get("digest").is_some() {
                    KustomizeField::Digest
                } else {
                    continue;
                };
                let field_name = match field {
                    KustomizeField::NewTag => "newTag",
                    KustomizeField::Digest => "digest",
                };
                out.push(candidate(
                    last_segment(image_name).to_owned(),
                    file,
                    Locator::Kustomize {
                        image: image_name.to_owned(),
                        field,
                    },
                    format!("kustomize image {image_name} ({field_name})"),
                    1,
                ));
            }
            continue;
        }
        if name.starts_with("values") && kind.is_none() {
            let tag = map.get("image").and_then(|i| i.get("tag"));
            if tag.is_some_and(|t| t.is_string() || t.is_number()) {
                let app = match app_dir(file) {
                    Some(dir) => dir,
                    None => map
                        .get("image")
                        .and_then(|i| i.get("repository"))
                        .and_then(Value::as_str)
                        .map_or_else(|| "app".to_owned(), |r| last_segment(r).to_owned()),
                };
                out.push(candidate(
                    app,
                    file,
                    Locator::Yaml("image.tag".to_owned()),
                    "Helm values image.tag".to_owned(),
                    2,
                ));
            }
            continue;
        }
        // A workload whose file carries Flux markers is Flux's to update: the markers were taken above.
        if kind.is_some() && markers.is_empty() {
            let workload = map
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let mut containers = Vec::new();
            collect_containers(doc, &mut containers);
            for (container, image) in containers {
                if image_tag(&image).is_none() {
                    continue;
                }
                if is_sidecar(&container, &image) {
                    skipped.push(format!(
                        "container {container:?} ({image}) in {file} is an infrastructure sidecar, not an app"
                    ));
                    continue;
                }
                out.push(candidate(
                    container.clone(),
                    file,
                    Locator::Container(container.clone()),
                    format!(
                        "container {container:?} of {} {workload}",
                        kind.unwrap_or("workload")
                    ),
                    4,
                ));
            }
        }
    }
    confirmed(out, content)
}

fn candidate(app: String, file: &str, locator: Locator, kind: String, priority: u8) -> Sighting {
    Sighting {
        app,
        file: file.to_owned(),
        locator,
        kind,
        version: String::new(),
        priority,
    }
}

/// Keeps the candidates whose locator reads a version from the file, with that version.
fn confirmed(candidates: Vec<Sighting>, content: &[u8]) -> Vec<Sighting> {
    candidates
        .into_iter()
        .filter_map(|mut s| {
            let located = s.locator.read(&s.file, content).ok()?;
            s.version = located.value;
            Some(s)
        })
        .collect()
}

/// Directories that group environments or charts rather than name an app.
const GROUPING_DIRS: [&str; 12] = [
    "envs",
    "env",
    "environments",
    "overlays",
    "clusters",
    "values",
    "hydrated",
    "apps",
    "charts",
    "chart",
    "helm",
    "deploy",
];

/// The app a file's directories name: the nearest directory that is not an
/// environment's (`{env}`) or a grouping one (`envs`, `overlays`), with the
/// environment part of `guestbook-{env}` dropped.
pub(super) fn app_dir(file: &str) -> Option<String> {
    let (dirs, _) = file.rsplit_once('/')?;
    dirs.rsplit('/').find_map(|dir| {
        let name = dir
            .replace(&format!("-{ENV_PLACEHOLDER}"), "")
            .replace(&format!("{ENV_PLACEHOLDER}-"), "")
            .replace(&format!("_{ENV_PLACEHOLDER}"), "")
            .replace(ENV_PLACEHOLDER, "");
        (!name.is_empty() && !GROUPING_DIRS.contains(&name.as_str())).then_some(name)
    })
}

/// A resource name without the environment's part: `api-dev` in dev is `api`.
fn without_env(name: &str, env: &str) -> String {
    if env.is_empty() {
        return name.to_owned();
    }
    for (sep, before) in [
        ('-', true),
        ('-', false),
        ('_', true),
        ('_', false),
        ('.', true),
    ] {
        let cut = if before {
            name.strip_suffix(&format!("{sep}{env}"))
        } else {
            name.strip_prefix(&format!("{env}{sep}"))
        };
        if let Some(rest) = cut.filter(|r| !r.is_empty()) {
            return rest.to_owned();
        }
    }
    name.to_owned()
}

/// Whether a value reads as a release rather than a branch: `1.2.3`,
/// `v0.0.4`, `>=1.0.0`, a 40-hex commit; not `HEAD`, `main` or `env/dev`.
fn is_release(value: &str) -> bool {
    let v = value.trim_start_matches(['>', '<', '=', '~', '^', ' ']);
    let v = v.strip_prefix('v').unwrap_or(v);
    v.chars().next().is_some_and(|c| c.is_ascii_digit())
        || (value.len() == 40 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Versions pinned by GitOps resources themselves: a Flux `HelmRelease`'s
/// chart version, an `OCIRepository`'s or `GitRepository`'s tag or semver
/// range, an Argo CD `Application`'s chart revision or image tag. `None`
/// when the document is none of these (so it is read as a workload).
fn source_version(doc: &Value, kind: &str, name: &str, file: &str) -> Option<Vec<Sighting>> {
    let api = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api.split('/').next().unwrap_or("");
    let mut out = Vec::new();
    let mut add = |path: String, what: String, priority: u8| {
        out.push(candidate(
            name.to_owned(),
            file,
            Locator::Yaml(path),
            what,
            priority,
        ));
    };
    match (group, kind) {
        ("helm.toolkit.fluxcd.io", "HelmRelease") => {
            if text(doc.pointer("/spec/chart/spec/version")).is_some() {
                add(
                    "spec.chart.spec.version".to_owned(),
                    format!("Flux HelmRelease {name} chart version"),
                    1,
                );
            }
        }
        ("source.toolkit.fluxcd.io", "OCIRepository" | "GitRepository") => {
            for (key, what) in [("tag", "tag"), ("semver", "semver range")] {
                if text(doc.pointer(&format!("/spec/ref/{key}"))).is_some() {
                    add(
                        format!("spec.ref.{key}"),
                        format!("Flux {kind} {name} {what}"),
                        1,
                    );
                }
            }
        }
        ("argoproj.io", "Application") => {
            let source = doc.pointer("/spec/source");
            let helm = source.and_then(|s| s.get("helm"));
            if text(helm.and_then(|h| h.pointer("/valuesObject/image/tag"))).is_some() {
                add(
                    "spec.source.helm.valuesObject.image.tag".to_owned(),
                    format!("Argo CD Application {name} helm.valuesObject image.tag"),
                    1,
                );
            } else if helm
                .and_then(|h| h.get("parameters"))
                .and_then(Value::as_array)
                .is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p.get("name").and_then(Value::as_str) == Some("image.tag"))
                })
            {
                add(
                    "spec.source.helm.parameters[name=image.tag].value".to_owned(),
                    format!("Argo CD Application {name} helm parameter image.tag"),
                    1,
                );
            } else if source.and_then(|s| s.get("chart")).is_some()
                && text(source.and_then(|s| s.get("targetRevision")))
                    .is_some_and(|r| is_release(&r))
            {
                add(
                    "spec.source.targetRevision".to_owned(),
                    format!("Argo CD Application {name} chart version (targetRevision)"),
                    1,
                );
            }
            for s in doc
                .pointer("/spec/sources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(chart), Some(revision)) = (
                    s.get("chart").and_then(Value::as_str),
                    text(s.get("targetRevision")),
                ) else {
                    continue;
                };
                if is_release(&revision) {
                    add(
                        format!("spec.sources[chart={chart}].targetRevision"),
                        format!(
                            "Argo CD Application {name} chart {chart} version (targetRevision)"
                        ),
                        1,
                    );
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

use super::declared::last_segment;

/// The tag of an image reference (`registry:5000/acme/api:1.2` → `1.2`); none
/// for a bare name or a digest-only reference.
fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':')
        .map(|(_, tag)| tag)
        .filter(|t| !t.is_empty())
}

/// Containers injected or added by infrastructure (service meshes, proxies,
/// secret agents): their versions are not the app's and move on their own.
fn is_sidecar(name: &str, image: &str) -> bool {
    const NAMES: [&str; 6] = [
        "istio-proxy",
        "linkerd-proxy",
        "envoy",
        "cloud-sql-proxy",
        "cloudsql-proxy",
        "vault-agent",
    ];
    const IMAGES: [&str; 5] = [
        "istio/proxyv2",
        "linkerd/proxy",
        "envoyproxy/envoy",
        "cloud-sql-proxy",
        "hashicorp/vault",
    ];
    NAMES.contains(&name) || IMAGES.iter().any(|i| image.contains(i))
}

/// `containers` (not `initContainers`) anywhere in a workload: name and image of each.
fn collect_containers(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "containers"
                    && let Value::Array(items) = child
                {
                    for item in items {
                        if let (Some(name), Some(image)) = (
                            item.get("name").and_then(Value::as_str),
                            item.get("image").and_then(Value::as_str),
                        ) {
                            out.push((name.to_owned(), image.to_owned()));
                        }
                    }
                } else {
                    collect_containers(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_containers(i, out)),
        _ => {}
    }
}

/// The policies named by `# {"$imagepolicy": "ns:name[:tag|:name]"}` markers, in order, once each.
fn flux_markers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(at) = line.find("\"$imagepolicy\"") else {
            continue;
        };
        let rest = &line[at + "\"$imagepolicy\"".len()..];
        let Some(rest) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some(end) = rest.find('"') else { continue };
        let marker = &rest[..end];
        if !marker.is_empty() && !out.iter().any(|m| m == marker) {
            out.push(marker.to_owned());
        }
    }
    out
}

/// One app proposed for the configuration, and why.
pub(super) struct Proposed {
    pub app: App,
    pub reason: String,
}

/// Merges the sightings of every environment into apps: one per name, with
/// the most common file and locator as the default and `overrides` where an
/// environment differs, and `environments` when some lack the app.
pub(super) fn merge(environments: &[Environment], per_env: &[Vec<Sighting>]) -> Vec<Proposed> {
    // app name → per environment index, its best sighting
    let mut by_app: BTreeMap<String, BTreeMap<usize, &Sighting>> = BTreeMap::new();
    let mut first_seen: Vec<String> = Vec::new();
    for (i, sightings) in per_env.iter().enumerate() {
        for s in sightings {
            let slot = by_app.entry(s.app.clone()).or_default();
            if !first_seen.contains(&s.app) {
                first_seen.push(s.app.clone());
            }
            let better = match slot.get(&i) {
                None => true,
                Some(current) => {
                    (s.priority, preference(&s.file))
                        < (current.priority, preference(&current.file))
                }
            };
            if better {
                slot.insert(i, s);
            }
        }
    }
    let mut out = Vec::new();
    for name in first_seen {
        let seen = &by_app[&name];
        // The most common (file, locator) is the default; ties go to the earliest environment.
        let mut counts: Vec<((&str, &Locator), usize, usize)> = Vec::new();
        for (&i, s) in seen {
            match counts
                .iter_mut()
                .find(|(k, _, _)| *k == (s.file.as_str(), &s.locator))
            {
                Some(entry) => entry.1 += 1,
                None => counts.push(((s.file.as_str(), &s.locator), 1, i)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        let ((file, locator), _, _) = counts[0];
        let mut overrides = BTreeMap::new();
        let mut differences = Vec::new();
        for (&i, s) in seen {
            if s.file == file && s.locator == *locator {
                continue;
            }
            let env = &environments[i].name;
            let over = AppOverride {
                file: (s.file != file).then(|| s.file.clone()),
                locator: (s.locator != *locator).then(|| s.locator.clone()),
            };
            differences.push(format!("{env} keeps it in {} ({})", s.file, s.kind));
            overrides.insert(env.clone(), over);
        }
        let restricted = (seen.len() < environments.len()).then(|| {
            seen.keys()
                .map(|&i| environments[i].name.clone())
                .collect::<Vec<_>>()
        });
        let first = seen
            .values()
            .next()
            .expect("an app is only listed once seen in an environment");
        let reads = seen
            .iter()
            .map(|(&i, s)| format!("{} in {}", s.version, environments[i].name))
            .collect::<Vec<_>>()
            .join(", ");
        let mut reason = format!("{name}: {} in {file}; reads {reads}", first.kind);
        if !differences.is_empty() {
            reason.push_str(&format!("; {}", differences.join("; ")));
        }
        if let Some(envs) = &restricted {
            reason.push_str(&format!("; only found in {}", envs.join(", ")));
        }
        out.push(Proposed {
            app: App {
                name,
                file: file.to_owned(),
                locator: locator.clone(),
                environments: restricted,
                overrides,
                source: None,
                sync: None,
                base: None,
            },
            reason,
        });
    }
    out
}

/// Among files of the same kind, prefer plain `values.yaml` and shallow, short paths.
fn preference(file: &str) -> (bool, usize, usize) {
    let name = file.rsplit('/').next().unwrap_or(file);
    let plain = matches!(
        name,
        "values.yaml" | "values.yml" | "kustomization.yaml" | "kustomization.yml"
    );
    (!plain, file.matches('/').count(), file.len())
}
