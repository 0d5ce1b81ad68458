//! What the repository's own resources declare: a GitOps Promoter
//! `PromotionStrategy` or Kargo `Stage`s (the pipeline's order), Kargo
//! promotion steps (which files and keys hold versions), and Argo CD
//! `ApplicationSet`s whose list generators pin a version per environment.

use hoist_locate::{KustomizeField, Locator};
use serde_json::Value;

use super::environments::Declared;
use crate::config::ENV_PLACEHOLDER;

/// Everything read from the resources on the default branch.
#[derive(Debug, Default)]
pub(super) struct Resources {
    /// The pipeline's order, when a resource declares it.
    pub order: Option<Declared>,
    /// Kargo stage names, which also name stage directories.
    pub stages: Vec<String>,
    /// Files and locators Kargo's promotion steps write, with `{env}` for the stage.
    pub hints: Vec<Hint>,
    /// Apps whose version per environment one shared file pins (ApplicationSets).
    pub pinned: Vec<Pinned>,
    /// Things noticed and left out.
    pub notes: Vec<String>,
}

/// A file and locator a tool's promotion step writes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Hint {
    /// Repository path with `{env}` for the stage.
    pub file: String,
    pub locator: Locator,
    /// The app's name.
    pub app: String,
    /// Where the hint comes from, for the reason.
    pub origin: String,
}

/// An app whose version in each environment one shared file holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pinned {
    pub app: String,
    pub file: String,
    /// With `{env}` where the environment's name goes.
    pub locator: Locator,
    /// Environment name → version.
    pub versions: Vec<(String, String)>,
    pub origin: String,
}

/// Reads every YAML document of interest in `files` (path, content).
pub(super) fn read<'a>(files: impl Iterator<Item = (&'a str, &'a str)>) -> Resources {
    let mut out = Resources::default();
    let mut strategies = Vec::new();
    let mut stages: Vec<(String, Vec<String>)> = Vec::new();
    let mut stage_files: Vec<String> = Vec::new();
    let mut appsets = Vec::new();
    for (path, text) in files {
        // Cheap filter first: most files are none of these.
        if !text.contains("promoter.argoproj.io")
            && !text.contains("kargo.akuity.io")
            && !text.contains("ApplicationSet")
        {
            continue;
        }
        let Ok(docs) = serde_saphyr::from_multiple::<Value>(text) else {
            out.notes.push(format!(
                "{path} mentions GitOps Promoter, Kargo or an ApplicationSet but is not valid YAML; skipped"
            ));
            continue;
        };
        for doc in docs {
            let api = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = doc
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            match (api.split('/').next().unwrap_or(""), kind) {
                ("promoter.argoproj.io", "PromotionStrategy") => {
                    let branches: Vec<String> = doc
                        .pointer("/spec/environments")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|e| e.get("branch").and_then(Value::as_str).map(str::to_owned))
                        .collect();
                    if !branches.is_empty() {
                        strategies.push(Declared::Promoter {
                            name,
                            file: path.to_owned(),
                            branches,
                        });
                    }
                }
                ("kargo.akuity.io", "Stage") if !name.is_empty() => {
                    stages.push((name.clone(), freight_sources(&doc)));
                    if !stage_files.iter().any(|f| f == path) {
                        stage_files.push(path.to_owned());
                    }
                    if let Some(steps) = doc
                        .pointer("/spec/promotionTemplate/spec/steps")
                        .and_then(Value::as_array)
                    {
                        out.hints
                            .extend(step_hints(steps, &format!("Kargo Stage {name:?} ({path})")));
                    }
                }
                ("kargo.akuity.io", "PromotionTask" | "ClusterPromotionTask") => {
                    if let Some(steps) = doc.pointer("/spec/steps").and_then(Value::as_array) {
                        out.hints.extend(step_hints(
                            steps,
                            &format!("Kargo {kind} {name:?} ({path})"),
                        ));
                    }
                }
                ("argoproj.io", "ApplicationSet") => appsets.push((path.to_owned(), doc)),
                _ => {}
            }
        }
    }
    out.hints.dedup();
    out.stages = stages.iter().map(|(s, _)| s.clone()).collect();
    if strategies.len() > 1
        && let Some(Declared::Promoter { file, .. }) = strategies.first()
    {
        out.notes.push(format!(
            "{} PromotionStrategy resources found; the order follows the first, in {file}",
            strategies.len()
        ));
    }
    out.order = match strategies.into_iter().next() {
        Some(first) => Some(first),
        None if !stages.is_empty() => Some(Declared::Kargo {
            files: stage_files,
            stages,
        }),
        None => None,
    };
    for (path, doc) in &appsets {
        out.pinned.extend(pinned_by_appset(path, doc));
    }
    out
}

/// The stages a Kargo `Stage` takes freight from (none when it takes it directly).
fn freight_sources(doc: &Value) -> Vec<String> {
    let mut upstreams: Vec<String> = Vec::new();
    for request in doc
        .pointer("/spec/requestedFreight")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let sources = request.get("sources");
        if sources
            .and_then(|s| s.get("direct"))
            .and_then(Value::as_bool)
            == Some(true)
        {
            continue;
        }
        for up in sources
            .and_then(|s| s.get("stages"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !upstreams.iter().any(|u| u == up) {
                upstreams.push(up.to_owned());
            }
        }
    }
    upstreams
}

/// The files and locators of `kustomize-set-image` and `yaml-update` steps.
/// Paths are relative to a `git-clone` checkout (`./src/env/${{ ctx.stage }}`);
/// the checkout's directory is dropped and the stage becomes `{env}`.
fn step_hints(steps: &[Value], origin: &str) -> Vec<Hint> {
    let checkouts: Vec<String> = steps
        .iter()
        .filter(|s| s.get("uses").and_then(Value::as_str) == Some("git-clone"))
        .flat_map(|s| {
            s.pointer("/config/checkout")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("path").and_then(Value::as_str))
                .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let in_repo = |path: &str| -> Option<String> {
        let path = stage_placeholder(path.trim_start_matches("./"));
        let inside = checkouts
            .iter()
            .find_map(|c| path.strip_prefix(&format!("{c}/")))
            .unwrap_or(&path);
        // A path still holding an expression other than the stage cannot be followed.
        (!inside.contains("${{")).then(|| inside.trim_matches('/').to_owned())
    };
    let mut out = Vec::new();
    for step in steps {
        let uses = step.get("uses").and_then(Value::as_str).unwrap_or("");
        let config = step.get("config");
        let Some(path) = config
            .and_then(|c| c.get("path"))
            .and_then(Value::as_str)
            .and_then(in_repo)
        else {
            continue;
        };
        match uses {
            "kustomize-set-image" => {
                let file = format!("{path}/kustomization.yaml");
                for image in config
                    .and_then(|c| c.get("images"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i.get("image").and_then(Value::as_str))
                    .filter(|i| !i.contains("${{"))
                {
                    let field = if step
                        .pointer("/config/images")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|i| {
                            i.get("image").and_then(Value::as_str) == Some(image)
                                && i.get("digest").is_some()
                        }) {
                        KustomizeField::Digest
                    } else {
                        KustomizeField::NewTag
                    };
                    out.push(Hint {
                        file: file.clone(),
                        locator: Locator::Kustomize {
                            image: image.to_owned(),
                            field,
                        },
                        app: last_segment(image).to_owned(),
                        origin: format!("{origin}, kustomize-set-image"),
                    });
                }
            }
            "yaml-update" => {
                for key in config
                    .and_then(|c| c.get("updates"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|u| u.get("key").and_then(Value::as_str))
                {
                    let Some(locator_path) = from_sjson(key) else {
                        continue;
                    };
                    let app = path
                        .rsplit('/')
                        .nth(1)
                        .filter(|d| !d.contains(ENV_PLACEHOLDER))
                        .unwrap_or("app")
                        .to_owned();
                    out.push(Hint {
                        file: path.clone(),
                        locator: Locator::Yaml(locator_path),
                        app,
                        origin: format!("{origin}, yaml-update of {key}"),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// `${{ ctx.stage }}` (with any spacing) as `{env}`.
fn stage_placeholder(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(at) = rest.find("${{") {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find("}}") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let expr = rest[at + 3..at + end].trim();
        if expr == "ctx.stage" {
            out.push_str(ENV_PLACEHOLDER);
        } else {
            out.push_str(&rest[at..at + end + 2]);
        }
        rest = &rest[at + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Kargo's sjson key (`image.tag`, `containers.0.image`, `a\.b`) as a Hoist key path.
fn from_sjson(key: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.push(chars.next()?),
            '.' => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    let mut out = String::new();
    for part in parts {
        if part.is_empty() {
            return None;
        }
        if part.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            if part.contains(['.', '[', ']']) {
                out.push_str(&format!("\"{part}\""));
            } else {
                out.push_str(&part);
            }
        }
    }
    Some(out)
}

/// `ghcr.io/acme/api` → `api`.
pub(super) fn last_segment(image: &str) -> &str {
    let without_tag = image.split('@').next().unwrap_or(image);
    let last = without_tag.rsplit('/').next().unwrap_or(without_tag);
    last.split(':').next().unwrap_or(last)
}

/// Keys of list-generator elements that name an environment.
const ENV_KEYS: [&str; 5] = ["env", "environment", "stage", "cluster", "name"];

/// An ApplicationSet whose list generator gives each environment its own
/// version: `elements: [{env: dev, version: 2.3.0}, …]` with the template's
/// chart `targetRevision` (or image tag) set from `{{version}}`.
fn pinned_by_appset(path: &str, doc: &Value) -> Vec<Pinned> {
    let mut out = Vec::new();
    let Some(template) = doc.pointer("/spec/template") else {
        return out;
    };
    let app = template
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .map(strip_expressions)
        .filter(|n| !n.is_empty())
        .or_else(|| {
            doc.pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    // The template fields that carry a version, and which parameter sets each.
    let fields = [
        template.pointer("/spec/source/targetRevision"),
        template.pointer("/spec/source/helm/valuesObject/image/tag"),
    ];
    let parameters: Vec<String> = fields
        .iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .filter_map(parameter_of)
        .collect();
    for (g, generator) in doc
        .pointer("/spec/generators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(elements) = generator
            .pointer("/list/elements")
            .and_then(Value::as_array)
        else {
            continue;
        };
        for version_key in &parameters {
            let Some(env_key) = ENV_KEYS.iter().find(|k| {
                elements
                    .iter()
                    .all(|e| e.get(**k).and_then(Value::as_str).is_some())
            }) else {
                continue;
            };
            let versions: Vec<(String, String)> = elements
                .iter()
                .filter_map(|e| {
                    let env = e.get(*env_key)?.as_str()?.to_owned();
                    let version = match e.get(version_key.as_str())? {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return None,
                    };
                    Some((env, version))
                })
                .collect();
            if versions.len() == elements.len() && !versions.is_empty() {
                out.push(Pinned {
                    app: app.clone(),
                    file: path.to_owned(),
                    locator: Locator::Yaml(format!(
                        "spec.generators[{g}].list.elements[{env_key}={ENV_PLACEHOLDER}].{version_key}"
                    )),
                    versions,
                    origin: format!(
                        "ApplicationSet {app:?} in {path}: its list generator pins {version_key} per {env_key}"
                    ),
                });
            }
        }
    }
    out
}

/// The parameter a template value is made of: `{{version}}`, `{{ .version }}`.
fn parameter_of(value: &str) -> Option<String> {
    let inner = value.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| inner.to_owned())
}

/// A name with its `{{…}}` expressions and the dashes around them removed.
fn strip_expressions(name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        match rest[at..].find("}}") {
            Some(end) => rest = &rest[at + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.trim_matches(['-', '_', '.']).replace("--", "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kargo_paths_and_keys() {
        assert_eq!(
            stage_placeholder("./src/env/${{ ctx.stage }}"),
            "./src/env/{env}"
        );
        assert_eq!(stage_placeholder("env/${{ vars.x }}"), "env/${{ vars.x }}");
        assert_eq!(from_sjson("image.tag").as_deref(), Some("image.tag"));
        assert_eq!(
            from_sjson("containers.0.image").as_deref(),
            Some("containers[0].image")
        );
        assert_eq!(
            from_sjson(r"example\.com/version").as_deref(),
            Some("\"example.com/version\"")
        );
        assert_eq!(parameter_of("{{ .version }}").as_deref(), Some("version"));
        assert_eq!(parameter_of("1.2.3"), None);
        assert_eq!(strip_expressions("payments-{{env}}"), "payments");
    }
}
