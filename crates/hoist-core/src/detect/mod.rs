//! Detection: propose a `.hoist.yaml` for a repository that has none.
//!
//! Environments come from branch names (`env/dev`, `staging`, …) or directory
//! names (`envs/dev/`, `overlays/staging/`, …), ordered by a GitOps Promoter
//! `PromotionStrategy` or Kargo `Stage`s found on the default branch, else by
//! well-known names. Apps come from Helm values, kustomizations, workloads,
//! Argo CD hydrator metadata and Flux markers in each environment; every
//! proposed locator has been read successfully in each environment it is
//! proposed for.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use crate::config::{Config, Environment, PrSettings};
use crate::project::CONFIG_FILE;
use crate::repo::{self, Repo};

mod apps;
mod environments;

use environments::Declared;

/// Files scanned per environment at most, so a huge repository stays quick to detect.
const MOST_FILES: usize = 5000;

/// A proposed configuration and why each entry is in it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Detection {
    /// The proposal; it passes [`crate::config::parse`] once rendered.
    pub config: Config,
    /// Why each entry was chosen.
    pub reasons: Reasons,
}

/// The explanations shown beside a proposal.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Reasons {
    /// One per environment, in the order of `config.environments`.
    pub environments: Vec<String>,
    /// One per app, in the order of `config.apps`.
    pub apps: Vec<String>,
    /// Things noticed and deliberately left out, e.g. hydrator `-next` branches or unreadable files.
    pub left_out: Vec<String>,
}

/// Why no configuration could be proposed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository could not be read.
    #[error(transparent)]
    Repo(#[from] repo::Error),
    /// Nothing looks like an environment.
    #[error(
        "found no environments in {}: no branch such as env/dev or staging, and no directory such as envs/dev/ or overlays/staging/ on {default_branch}; write {CONFIG_FILE} by hand (`hoist schema` describes it)",
        path.display()
    )]
    NoEnvironments {
        /// The repository.
        path: PathBuf,
        /// The branch searched for directories.
        default_branch: String,
    },
}

/// Proposes a configuration for `repo` from its branches and files.
pub fn detect(repo: &Repo) -> Result<Detection, Error> {
    let default = repo.default_branch()?;
    let default_tip = repo.branch_tip(&default)?;
    let mut left_out = Vec::new();
    if repo.read_file(default_tip, CONFIG_FILE)?.is_some() {
        left_out.push(format!(
            "{default} already has {CONFIG_FILE}; this proposal ignores it and looks at the branches and files only"
        ));
    }
    let default_files = repo.list_files(default_tip, "")?;
    let declared = declared_order(repo, default_tip, &default_files, &mut left_out)?;

    let branches = repo.branches()?;
    let mut found = environments::from_branches(&branches, &default, &mut left_out);
    // A PromotionStrategy names its branches outright, whatever they are called.
    if let Some(Declared::Promoter {
        branches: listed, ..
    }) = &declared
    {
        for branch in listed {
            let known = found
                .iter()
                .any(|f| f.branch.as_deref() == Some(branch.as_str()));
            if !known && branches.contains(branch) {
                let name = branch.rsplit('/').next().unwrap_or(branch).to_owned();
                found.push(environments::Found {
                    name,
                    branch: Some(branch.clone()),
                    path: ".".to_owned(),
                    origin: format!("branch {branch}"),
                });
            }
        }
    }
    if found.is_empty() {
        found = environments::from_directories(&default_files, &default);
    } else {
        let dirs = environments::from_directories(&default_files, &default);
        if !dirs.is_empty() {
            left_out.push(format!(
                "environment directories on {default} ({}) are left out because environment branches exist",
                dirs.iter().map(|d| d.path.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if found.is_empty() {
        return Err(Error::NoEnvironments {
            path: repo.path().to_owned(),
            default_branch: default,
        });
    }
    let ordered = environments::order(found, declared.as_ref());
    let (environments, environment_reasons): (Vec<Environment>, Vec<String>) =
        ordered.into_iter().unzip();

    let mut per_env = Vec::with_capacity(environments.len());
    for env in &environments {
        let branch = env.branch.as_deref().unwrap_or(&default);
        let tip = repo.branch_tip(branch)?;
        let dir = if env.path == "." {
            ""
        } else {
            env.path.as_str()
        };
        let files = repo.list_files(tip, dir)?;
        let mut seen = Vec::new();
        for path in files
            .iter()
            .filter(|p| apps::is_candidate(p))
            .take(MOST_FILES)
        {
            let Some(content) = repo.read_file(tip, path)? else {
                continue;
            };
            let relative = path
                .strip_prefix(dir)
                .map_or(path.as_str(), |p| p.trim_start_matches('/'));
            let mut skipped = Vec::new();
            seen.extend(apps::sightings(relative, &content, &mut skipped));
            left_out.extend(skipped.into_iter().map(|s| format!("{}: {s}", env.name)));
        }
        per_env.push(seen);
    }
    let proposed = apps::merge(&environments, &per_env);
    if proposed.is_empty() {
        left_out.push(
            "no app was found: no Helm values with image.tag, kustomize images, tagged container images, hydrator metadata or Flux markers; add apps by hand".to_owned(),
        );
    }
    let (apps, app_reasons): (Vec<_>, Vec<_>) =
        proposed.into_iter().map(|p| (p.app, p.reason)).unzip();
    left_out.dedup();
    Ok(Detection {
        config: Config {
            environments,
            apps,
            pr: PrSettings::default(),
            locks: Vec::new(),
            freezes: Vec::new(),
        },
        reasons: Reasons {
            environments: environment_reasons,
            apps: app_reasons,
            left_out,
        },
    })
}

/// A `PromotionStrategy` or Kargo `Stage`s on the default branch, which say
/// the pipeline's order better than names do.
fn declared_order(
    repo: &Repo,
    tip: gix::ObjectId,
    files: &[String],
    left_out: &mut Vec<String>,
) -> Result<Option<Declared>, Error> {
    let mut strategies = Vec::new();
    let mut stages: Vec<(String, Vec<String>)> = Vec::new();
    let mut stage_files: Vec<String> = Vec::new();
    for path in files
        .iter()
        .filter(|p| p.ends_with(".yaml") || p.ends_with(".yml"))
        .take(MOST_FILES)
    {
        let Some(content) = repo.read_file(tip, path)? else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&content) else {
            continue;
        };
        // Cheap filter first: most files are neither.
        if !text.contains("promoter.argoproj.io") && !text.contains("kargo.akuity.io") {
            continue;
        }
        let Ok(docs) = serde_saphyr::from_multiple::<Value>(text) else {
            left_out.push(format!(
                "{path} mentions GitOps Promoter or Kargo but is not valid YAML; skipped"
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
            if api.starts_with("promoter.argoproj.io/") && kind == "PromotionStrategy" {
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
                        file: path.clone(),
                        branches,
                    });
                }
            } else if api.starts_with("kargo.akuity.io/") && kind == "Stage" && !name.is_empty() {
                let mut upstreams = Vec::new();
                for request in doc
                    .pointer("/spec/requestedFreight")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let sources = request.get("sources");
                    let direct = sources
                        .and_then(|s| s.get("direct"))
                        .and_then(Value::as_bool)
                        == Some(true);
                    if !direct {
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
                }
                stages.push((name, upstreams));
                if !stage_files.contains(path) {
                    stage_files.push(path.clone());
                }
            }
        }
    }
    if strategies.len() > 1 {
        left_out.push(format!(
            "{} PromotionStrategy resources found; the order follows the first, in {}",
            strategies.len(),
            match &strategies[0] {
                Declared::Promoter { file, .. } => file.as_str(),
                Declared::Kargo { .. } => "",
            }
        ));
    }
    if let Some(first) = strategies.into_iter().next() {
        return Ok(Some(first));
    }
    if !stages.is_empty() {
        return Ok(Some(Declared::Kargo {
            files: stage_files,
            stages,
        }));
    }
    Ok(None)
}

impl Detection {
    /// The proposal as a `.hoist.yaml`, a comment above each entry saying why it was chosen.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        out.push_str("# Proposed by `hoist init` from the repository's branches and files.\n");
        out.push_str("# Check every entry, then commit it as .hoist.yaml at the root of the default branch.\n");
        for note in &self.reasons.left_out {
            push_comment(&mut out, "", &format!("Left out: {note}"));
        }
        out.push_str("environments:\n");
        for (i, env) in self.config.environments.iter().enumerate() {
            if let Some(reason) = self.reasons.environments.get(i) {
                push_comment(&mut out, "  ", reason);
            }
            let _ = writeln!(out, "  - name: {}", scalar(&env.name));
            if let Some(branch) = &env.branch {
                let _ = writeln!(out, "    branch: {}", scalar(branch));
            }
            if env.path != "." && !env.path.is_empty() {
                let _ = writeln!(out, "    path: {}", scalar(&env.path));
            }
            if let Some(upstream) = &env.upstream {
                let _ = writeln!(out, "    upstream: {}", scalar(upstream));
            }
        }
        if self.config.apps.is_empty() {
            out.push_str("apps: []\n");
        } else {
            out.push_str("apps:\n");
        }
        for (i, app) in self.config.apps.iter().enumerate() {
            if let Some(reason) = self.reasons.apps.get(i) {
                push_comment(&mut out, "  ", reason);
            }
            let _ = writeln!(out, "  - name: {}", scalar(&app.name));
            let _ = writeln!(out, "    file: {}", scalar(&app.file));
            let _ = writeln!(out, "    locator: {}", flow(&locator_value(&app.locator)));
            if let Some(envs) = &app.environments {
                let names: Vec<String> = envs.iter().map(|e| scalar(e)).collect();
                let _ = writeln!(out, "    environments: [{}]", names.join(", "));
            }
            if !app.overrides.is_empty() {
                out.push_str("    overrides:\n");
                for (env, over) in &app.overrides {
                    let mut fields = Vec::new();
                    if let Some(file) = &over.file {
                        fields.push(format!("file: {}", scalar(file)));
                    }
                    if let Some(locator) = &over.locator {
                        fields.push(format!("locator: {}", flow(&locator_value(locator))));
                    }
                    let _ = writeln!(out, "      {}: {{ {} }}", scalar(env), fields.join(", "));
                }
            }
        }
        out
    }
}

/// A comment, wrapped onto several lines when long.
fn push_comment(out: &mut String, indent: &str, text: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + word.len() > 96 {
            let _ = writeln!(out, "{indent}# {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}# {line}");
    }
}

fn locator_value(locator: &hoist_locate::Locator) -> Value {
    serde_json::to_value(locator).expect("a locator serialises to JSON: it is strings and enums")
}

/// A JSON value as YAML flow: `{ kustomize: { image: x, field: digest } }`.
fn flow(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), flow(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::String(s) => scalar(s),
        other => other.to_string(),
    }
}

/// A string as a YAML scalar: plain when it cannot be mistaken for anything
/// else, else double-quoted (a JSON string is a valid YAML double-quoted scalar).
fn scalar(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).expect("a string serialises to JSON")
    }
}
