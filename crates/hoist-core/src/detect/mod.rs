//! Detection: propose a `.hoist.yaml` for a repository that has none.
//!
//! Environments come from branch names (`env/dev`, `staging`, …, with a
//! hydrator's `env/dev-next` beside them) or from the directories and file
//! names of the default branch that name them (`envs/dev/`,
//! `apps/api/overlays/dev/`, `values-dev.yaml`, Kargo stage directories).
//! They are ordered by a GitOps Promoter `PromotionStrategy` or Kargo
//! `Stage`s when the repository has them, else by well-known names (marked
//! as guessed). Apps come from Helm values, kustomizations, workloads, Flux
//! and Argo CD resources, hydrator metadata and Kargo promotion steps in each
//! environment; an environment that sets no version of its own gets the base
//! it inherits from. Every proposed locator has been read successfully in
//! each environment it is proposed for.

use std::path::PathBuf;

use crate::config::{App, Config, ENV_PLACEHOLDER, Environment, PrSettings};
use crate::project::CONFIG_FILE;
use crate::repo::{self, Repo};
use crate::status::Link;

mod apps;
mod bases;
mod declared;
mod environments;
mod layout;
mod render;

pub use render::render;

use apps::Sighting;
use environments::{Declared, Found};

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
    /// How each environment's upstream link was found, in the same order.
    pub links: Vec<Link>,
    /// One per app, in the order of `config.apps`.
    pub apps: Vec<String>,
    /// Things noticed and deliberately left out, e.g. unreadable files.
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
        "found no environments in {}: no branch such as env/dev or staging, and no directories or files on {default_branch} named after environments (envs/dev/, apps/api/overlays/staging/, values-prod.yaml, Kargo stage directories); write {CONFIG_FILE} by hand (`hoist schema` describes it)",
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
    let resources = resources(repo, default_tip, &default_files)?;
    left_out.extend(resources.notes.iter().cloned());

    let branches = repo.branches()?;
    let mut found = environments::from_branches(&branches, &default, &mut left_out);
    // A PromotionStrategy names its branches outright, whatever they are called.
    if let Some(Declared::Promoter {
        branches: listed, ..
    }) = &resources.order
    {
        let before = found.len();
        for branch in listed {
            let known = found
                .iter()
                .any(|f| f.branch.as_deref() == Some(branch.as_str()));
            if !known && branches.contains(branch) {
                let name = branch.rsplit('/').next().unwrap_or(branch).to_owned();
                found.push(Found {
                    name,
                    branch: Some(branch.clone()),
                    path: ".".to_owned(),
                    next_branch: None,
                    origin: format!("branch {branch}"),
                });
            }
        }
        if found.len() > before {
            environments::attach_next_branches(&mut found[before..], &branches, &mut Vec::new());
        }
    }
    let env_like = |name: &str| {
        environments::is_known_name(name) || resources.stages.iter().any(|s| s == name)
    };
    let on_default = layout::scan(&default_files, &env_like);
    let layout = if found.is_empty() {
        found = on_default
            .envs
            .keys()
            .map(|name| Found {
                name: name.clone(),
                branch: Some(default.clone()),
                path: ".".to_owned(),
                next_branch: None,
                origin: describe_directories(&on_default, name),
            })
            .collect();
        Some(on_default)
    } else {
        if !on_default.envs.is_empty() {
            left_out.push(format!(
                "files on {default} named after environments ({}) are left out because environment branches exist",
                on_default.envs.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        None
    };
    if found.is_empty() {
        return Err(Error::NoEnvironments {
            path: repo.path().to_owned(),
            default_branch: default,
        });
    }
    let placed = environments::order(found, resources.order.as_ref());
    let mut environments: Vec<Environment> = Vec::with_capacity(placed.len());
    let mut environment_reasons = Vec::with_capacity(placed.len());
    let mut links = Vec::with_capacity(placed.len());
    for p in placed {
        let mut reason = p.reason;
        if let Some(next) = &p.environment.next_branch {
            reason.push_str(&format!(
                "; a hydrator renders its next state on {next}, and promoting merges that branch"
            ));
        }
        environments.push(p.environment);
        environment_reasons.push(reason);
        links.push(p.link);
    }

    let proposed = scan(
        repo,
        &default,
        &mut environments,
        layout.as_ref(),
        &resources,
        &mut left_out,
    )?;
    let (apps, app_reasons): (Vec<_>, Vec<_>) =
        proposed.into_iter().map(|p| (p.app, p.reason)).unzip();
    left_out.sort();
    left_out.dedup();
    Ok(Detection {
        config: Config {
            environments,
            apps,
            pr: PrSettings::default(),
            locks: Vec::new(),
            freezes: Vec::new(),
            forge: None,
            tickets: None,
        },
        reasons: Reasons {
            environments: environment_reasons,
            links,
            apps: app_reasons,
            left_out,
        },
    })
}

/// The apps in `environments`' files, merged across them, with the bases
/// inherited where an environment sets no version. For a directory layout
/// (`layout`), the environments' paths become the directory their app files
/// share (`apps/dev`), or stay the repository root when they share none.
fn scan(
    repo: &Repo,
    default: &str,
    environments: &mut [Environment],
    layout: Option<&layout::Layout>,
    resources: &declared::Resources,
    left_out: &mut Vec<String>,
) -> Result<Vec<apps::Proposed>, Error> {
    let mut per_env = Vec::with_capacity(environments.len());
    for env in environments.iter() {
        let branch = env.branch.as_deref().unwrap_or(default);
        let tip = repo.branch_tip(branch)?;
        let files: Vec<(String, String)> = match layout {
            Some(l) => l.envs.get(&env.name).cloned().unwrap_or_default(),
            None => directory_files(repo, tip, env)?,
        };
        let mut seen = Vec::new();
        let mut skipped = Vec::new();
        for (path, template) in files
            .iter()
            .filter(|(p, _)| apps::is_candidate(p))
            .take(MOST_FILES)
        {
            let Some(content) = repo.read_file(tip, path)? else {
                continue;
            };
            seen.extend(apps::sightings(template, &env.name, &content, &mut skipped));
        }
        seen.extend(declared_sightings(repo, tip, env, resources)?);
        rendered_only(&mut seen, &mut skipped);
        left_out.extend(skipped.into_iter().map(|s| format!("{}: {s}", env.name)));
        per_env.push(seen);
    }
    if let Some(l) = layout {
        let root = environment_root(&per_env, l, environments);
        if !root.is_empty() {
            for env in environments.iter_mut() {
                env.path = format!("{root}{}", env.name);
            }
            let prefix = format!("{root}{ENV_PLACEHOLDER}/");
            for s in per_env.iter_mut().flatten() {
                if let Some(rest) = s.file.strip_prefix(&prefix) {
                    s.file = rest.to_owned();
                }
            }
        }
    }
    let mut proposed = apps::merge(environments, &per_env);
    bases::infer(repo, default, environments, &mut proposed)?;
    Ok(proposed)
}

/// The apps detection finds in the given environments, each with why: what
/// the configuration editor offers once its user has chosen environments.
pub fn apps_for(
    repo: &Repo,
    environments: &[Environment],
) -> Result<(Vec<App>, Vec<String>), Error> {
    let default = repo.default_branch()?;
    let tip = repo.branch_tip(&default)?;
    let files = repo.list_files(tip, "")?;
    let resources = resources(repo, tip, &files)?;
    let mut environments = environments.to_vec();
    let proposed = scan(
        repo,
        &default,
        &mut environments,
        None,
        &resources,
        &mut Vec::new(),
    )?;
    Ok(proposed.into_iter().map(|p| (p.app, p.reason)).unzip())
}

/// A branch or directory that could be an environment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct Place {
    /// The name it would have.
    pub name: String,
    /// Its branch.
    pub branch: String,
    /// Its directory on the branch (`.` for the root).
    pub path: String,
    /// Where it was seen, for people.
    pub origin: String,
}

/// What the configuration editor starts from: detection's proposal (or why
/// there is none) and the other places that could be environments.
#[derive(Debug, Clone)]
pub struct Survey {
    /// The proposal, when detection found environments.
    pub detection: Option<Detection>,
    /// Why detection proposed nothing, when it did not.
    pub problem: Option<String>,
    /// Branches and directories that are not in the proposal.
    pub places: Vec<Place>,
}

/// How many places a survey lists at most.
const MOST_PLACES: usize = 200;

/// Detection's proposal and every other branch and directory that could
/// be an environment: the configuration editor's starting point.
pub fn survey(repo: &Repo) -> Result<Survey, repo::Error> {
    let (detection, problem) = match detect(repo) {
        Ok(d) => (Some(d), None),
        Err(Error::Repo(e)) => return Err(e),
        Err(e) => (None, Some(e.to_string())),
    };
    let chosen: Vec<&Environment> = detection
        .as_ref()
        .map(|d| d.config.environments.iter().collect())
        .unwrap_or_default();
    let default = repo.default_branch()?;
    let mut places = Vec::new();
    for branch in repo.branches()? {
        let used = chosen.iter().any(|e| {
            e.branch.as_deref() == Some(branch.as_str())
                || e.next_branch.as_deref() == Some(branch.as_str())
        });
        if branch != default && !used {
            places.push(Place {
                name: branch.rsplit('/').next().unwrap_or(&branch).to_owned(),
                branch: branch.clone(),
                path: ".".to_owned(),
                origin: format!("branch {branch}"),
            });
        }
    }
    // Directories holding a kustomization or values file, outside the chosen ones.
    let tip = repo.branch_tip(&default)?;
    let mut dirs: Vec<String> = repo
        .list_files(tip, "")?
        .into_iter()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            name.starts_with("kustomization.") || name.starts_with("values")
        })
        .filter_map(|f| f.rsplit_once('/').map(|(dir, _)| dir.to_owned()))
        .filter(|d| !d.split('/').any(|s| s.starts_with('.')))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let used = chosen.iter().any(|e| {
            e.path != "."
                && e.branch.as_deref().unwrap_or(&default) == default
                && (dir == e.path || dir.starts_with(&format!("{}/", e.path)))
        });
        if !used && places.len() < MOST_PLACES {
            places.push(Place {
                name: dir.rsplit('/').next().unwrap_or(&dir).to_owned(),
                branch: default.clone(),
                path: dir.clone(),
                origin: format!("directory {dir}/ on {default}"),
            });
        }
    }
    Ok(Survey {
        detection,
        problem,
        places,
    })
}

/// A branch environment's files with their paths as the configuration names
/// them (directories named after the environment, such as a hydrator's
/// `hydrated/guestbook-dev/`, become `{env}`), relative to the environment's
/// directory.
fn directory_files(
    repo: &Repo,
    tip: gix::ObjectId,
    env: &Environment,
) -> Result<Vec<(String, String)>, Error> {
    let dir = if env.path == "." {
        ""
    } else {
        env.path.as_str()
    };
    Ok(repo
        .list_files(tip, dir)?
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(dir)
                .map_or(path.as_str(), |p| p.trim_start_matches('/'));
            let template = layout::templated_dirs(relative, &env.name);
            (path, template)
        })
        .collect())
}

/// The pipeline resources of the default branch (PromotionStrategy, Kargo, ApplicationSets).
fn resources(
    repo: &Repo,
    tip: gix::ObjectId,
    files: &[String],
) -> Result<declared::Resources, Error> {
    let mut texts = Vec::new();
    for path in files
        .iter()
        .filter(|p| p.ends_with(".yaml") || p.ends_with(".yml"))
        .take(MOST_FILES)
    {
        if let Some(content) = repo.read_file(tip, path)?
            && let Ok(text) = String::from_utf8(content)
        {
            texts.push((path.clone(), text));
        }
    }
    Ok(declared::read(
        texts.iter().map(|(p, t)| (p.as_str(), t.as_str())),
    ))
}

/// Versions that Kargo promotion steps and ApplicationSets name, as sightings.
fn declared_sightings(
    repo: &Repo,
    tip: gix::ObjectId,
    env: &Environment,
    resources: &declared::Resources,
) -> Result<Vec<Sighting>, Error> {
    let mut out = Vec::new();
    // Sightings name files as the configuration will: relative to the
    // environment's directory when it has one.
    let dir = (env.path != ".").then(|| format!("{}/", env.path.trim_end_matches('/')));
    let relative = |file: &str| -> Option<String> {
        match &dir {
            None => Some(file.to_owned()),
            Some(dir) => file
                .replace(ENV_PLACEHOLDER, &env.name)
                .strip_prefix(dir.as_str())
                .map(str::to_owned),
        }
    };
    for hint in &resources.hints {
        let file = hint.file.replace(ENV_PLACEHOLDER, &env.name);
        let Some(content) = repo.read_file(tip, &file)? else {
            continue;
        };
        let Some(named) = relative(&hint.file) else {
            continue;
        };
        if let Ok(found) = hint.locator.read(&file, &content) {
            out.push(Sighting {
                app: hint.app.clone(),
                file: named,
                locator: hint.locator.clone(),
                kind: hint.origin.clone(),
                version: found.value,
                priority: 0,
            });
        }
    }
    for pinned in &resources.pinned {
        let Some((_, version)) = pinned.versions.iter().find(|(e, _)| *e == env.name) else {
            continue;
        };
        let Some(file) = relative(&pinned.file) else {
            continue;
        };
        out.push(Sighting {
            app: pinned.app.clone(),
            file,
            locator: pinned.locator.clone(),
            kind: pinned.origin.clone(),
            version: version.clone(),
            priority: 0,
        });
    }
    Ok(out)
}

/// On rendered branches an app's version is its dry commit: the workloads
/// rendered beside a `hydrator.metadata` are not apps of their own, and the
/// branch's root metadata is not an app when each app has its own.
fn rendered_only(seen: &mut Vec<Sighting>, notes: &mut Vec<String>) {
    let rendered: Vec<String> = seen
        .iter()
        .filter(|s| crate::hydrator::is_metadata(&s.file))
        .filter_map(|s| s.file.rsplit_once('/').map(|(dir, _)| format!("{dir}/")))
        .collect();
    if rendered.is_empty() {
        return;
    }
    seen.retain(|s| {
        let inside = rendered.iter().find(|dir| s.file.starts_with(dir.as_str()));
        match inside {
            Some(dir) if !crate::hydrator::is_metadata(&s.file) => {
                notes.push(format!(
                    "{} ({}) is rendered into {dir}; the app's version there is the dry commit in its hydrator.metadata",
                    s.app, s.kind
                ));
                false
            }
            _ if s.file == crate::hydrator::METADATA => {
                notes.push(
                    "the branch's root hydrator.metadata describes the whole branch; each app has its own".to_owned(),
                );
                false
            }
            _ => true,
        }
    });
}

/// The directory all environments' app files sit under, as `apps/` for
/// `apps/{env}/…`: environments are then `apps/dev`, `apps/staging`, … and
/// app files relative to them. Empty when apps sit in different places per
/// app (`apps/api/overlays/{env}/`, `values-{env}.yaml`), where environments
/// are the repository root and files name `{env}`.
fn environment_root(
    per_env: &[Vec<Sighting>],
    layout: &layout::Layout,
    environments: &[Environment],
) -> String {
    let roots: Vec<Option<&str>> = per_env
        .iter()
        .flatten()
        .map(|s| {
            let at = s.file.find(&format!("{ENV_PLACEHOLDER}/"))?;
            let root = &s.file[..at];
            (root.is_empty() || root.ends_with('/'))
                .then_some(root)
                .filter(|r| !r.contains(ENV_PLACEHOLDER))
        })
        .collect();
    if let Some(Some(first)) = roots.first()
        && roots.iter().all(|r| r.as_deref() == Some(*first))
    {
        return (*first).to_owned();
    }
    if !roots.is_empty() {
        return String::new();
    }
    // No apps: the directory most environments live in, to list them by.
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for env in environments {
        for dir in layout.directories(&env.name) {
            let root = dir
                .strip_suffix(&format!("{}/", env.name))
                .unwrap_or(&dir)
                .to_owned();
            *counts.entry(root).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(root, n)| (*n, std::cmp::Reverse(root.len())))
        .map(|(root, _)| root)
        .unwrap_or_default()
}

/// Where a directory environment was seen, for its reason.
fn describe_directories(layout: &layout::Layout, env: &str) -> String {
    let dirs: Vec<String> = layout.directories(env).into_iter().collect();
    match dirs.as_slice() {
        [] => {
            let files: Vec<&str> = layout
                .envs
                .get(env)
                .into_iter()
                .flatten()
                .take(3)
                .map(|(p, _)| p.as_str())
                .collect();
            format!("files {}", files.join(", "))
        }
        [one] => format!("directory {one}"),
        many if many.len() <= 4 => format!("directories {}", many.join(", ")),
        many => format!(
            "directories {}, and {} more",
            many[..3].join(", "),
            many.len() - 3
        ),
    }
}

impl Detection {
    /// The proposal as a `.hoist.yaml`, a comment above each entry saying why it was chosen.
    pub fn to_yaml(&self) -> String {
        render(&self.config, &self.reasons)
    }
}
