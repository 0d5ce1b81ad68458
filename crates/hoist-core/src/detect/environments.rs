//! Which branches and directories are environments, and in what order.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Environment;

/// Branch prefixes that mark an environment branch; what follows is its name.
const BRANCH_PREFIXES: [&str; 4] = ["env/", "environment/", "environments/", "deploy/"];

/// Directories whose children are environments.
const DIRECTORY_CONTAINERS: [&str; 4] = ["envs", "environments", "overlays", "clusters"];

/// Children of an environment container that are shared building blocks, not environments.
const NOT_ENVIRONMENTS: [&str; 6] = ["base", "bases", "common", "components", "shared", "default"];

/// Well-known environment names by stage of the pipeline; earlier stages come first.
const STAGES: [&[&str]; 4] = [
    &["dev", "develop", "development", "sandbox"],
    &["test", "testing", "qa", "e2e", "int", "integration", "sit"],
    &[
        "stage", "staging", "stg", "uat", "preprod", "pre-prod", "pre", "perf",
    ],
    &["prod", "production", "prd", "live"],
];

/// An environment found in the repository, before ordering.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub name: String,
    pub branch: Option<String>,
    pub path: String,
    /// Where it was found, e.g. `branch env/stage` or `directory envs/prod-eu`.
    pub origin: String,
}

/// The stage of a well-known name, and the regional suffix that makes it a fan-out sibling.
fn stage_of(name: &str) -> Option<(usize, Option<&str>)> {
    let lower = name.to_ascii_lowercase();
    let exact = |n: &str| STAGES.iter().position(|names| names.contains(&n));
    if let Some(stage) = exact(&lower) {
        return Some((stage, None));
    }
    // `prod-eu`, `prod_us_east`, `stage-2`: a well-known base and a suffix.
    let cut = name.find(['-', '_', '.'])?;
    let stage = exact(&lower[..cut])?;
    Some((stage, Some(&name[cut + 1..])))
}

/// A branch written by another tool before it reaches an environment, such
/// as the Argo CD source hydrator's `environment/dev-next`.
pub(super) fn is_staging_branch(branch: &str) -> bool {
    branch.ends_with("-next")
}

/// Environment branches among `branches`, with the reason each was taken and
/// notes on those deliberately left out.
pub(super) fn from_branches(
    branches: &[String],
    default: &str,
    notes: &mut Vec<String>,
) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for branch in branches {
        if branch == default {
            continue;
        }
        let prefixed = BRANCH_PREFIXES
            .iter()
            .find_map(|p| branch.strip_prefix(p))
            .filter(|rest| !rest.is_empty());
        let name = match prefixed {
            Some(rest) => rest.replace('/', "-"),
            None if !branch.contains('/')
                && stage_of(branch).is_some_and(|(_, suffix)| suffix.is_none_or(is_region)) =>
            {
                branch.clone()
            }
            None => continue,
        };
        if is_staging_branch(branch) {
            notes.push(format!(
                "branch {branch} is a staging area another tool writes before promotion (such as the Argo CD source hydrator's -next branches), not an environment"
            ));
            continue;
        }
        if let Some(other) = found.iter().find(|f| f.name == name) {
            notes.push(format!(
                "branch {branch} would also be environment {name:?}, already taken by {}; left out",
                other.origin
            ));
            continue;
        }
        found.push(Found {
            name,
            branch: Some(branch.clone()),
            path: ".".to_owned(),
            origin: format!("branch {branch}"),
        });
    }
    found
}

/// A suffix that reads as a region or shard rather than another word, e.g. `eu`, `us-east-1`, `2`.
fn is_region(suffix: &str) -> bool {
    !suffix.is_empty()
        && suffix != "next"
        && suffix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Environment directories in `files` (repository paths on `branch`): the
/// children of the shallowest `envs/`, `environments/`, `overlays/` or
/// `clusters/` directory that holds files.
pub(super) fn from_directories(files: &[String], branch: &str) -> Vec<Found> {
    // container path -> child names that hold at least one file
    let mut containers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let parts: Vec<&str> = file.split('/').collect();
        // A container at depth 0 or 1 (`envs/dev/…`, `deploy/overlays/dev/…`),
        // with an environment directory below it and a file below that.
        for depth in 0..parts.len().saturating_sub(2).min(2) {
            if DIRECTORY_CONTAINERS.contains(&parts[depth]) {
                let container = parts[..=depth].join("/");
                containers
                    .entry(container)
                    .or_default()
                    .insert(parts[depth + 1].to_owned());
                break;
            }
        }
    }
    let shallowest = containers.keys().map(|c| c.matches('/').count()).min();
    let mut chosen: Vec<(&String, &BTreeSet<String>)> = containers
        .iter()
        .filter(|(c, _)| Some(c.matches('/').count()) == shallowest)
        .collect();
    // Several containers at one depth (`envs/` and `clusters/`): prefer the
    // one with the most well-known names, then the most children.
    chosen.sort_by_key(|(_, children)| {
        let known = children.iter().filter(|c| stage_of(c).is_some()).count();
        std::cmp::Reverse((known, children.len()))
    });
    let Some((container, children)) = chosen.first() else {
        return Vec::new();
    };
    children
        .iter()
        .filter(|c| !NOT_ENVIRONMENTS.contains(&c.as_str()) && !c.starts_with(['_', '.']))
        .map(|child| Found {
            name: child.clone(),
            branch: Some(branch.to_owned()),
            path: format!("{container}/{child}"),
            origin: format!("directory {container}/{child}/"),
        })
        .collect()
}

/// An order declared by a tool's resources in the repository.
#[derive(Debug, Clone)]
pub(super) enum Declared {
    /// A GitOps Promoter `PromotionStrategy`: branches in order.
    Promoter {
        /// The resource's name.
        name: String,
        /// The file holding it.
        file: String,
        /// `spec.environments[].branch`, in order.
        branches: Vec<String>,
    },
    /// Kargo `Stage`s: each stage and the stages it takes freight from.
    Kargo {
        /// The files holding them.
        files: Vec<String>,
        /// Stage name → upstream stages (empty when it takes freight directly).
        stages: Vec<(String, Vec<String>)>,
    },
}

/// Environments in pipeline order, each with the reason for its place.
pub(super) fn order(found: Vec<Found>, declared: Option<&Declared>) -> Vec<(Environment, String)> {
    match declared {
        Some(Declared::Promoter {
            name,
            file,
            branches,
        }) => by_promoter(found, name, file, branches),
        Some(Declared::Kargo { files, stages }) => by_kargo(found, files, stages),
        None => by_names(found),
    }
}

fn environment(found: &Found, upstream: Option<String>) -> Environment {
    Environment {
        name: found.name.clone(),
        branch: found.branch.clone(),
        path: found.path.clone(),
        upstream,
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn by_promoter(
    found: Vec<Found>,
    name: &str,
    file: &str,
    branches: &[String],
) -> Vec<(Environment, String)> {
    let mut listed = Vec::new();
    let mut rest = Vec::new();
    for f in found {
        match branches
            .iter()
            .position(|b| f.branch.as_deref() == Some(b.as_str()))
        {
            Some(at) => listed.push((at, f)),
            None => rest.push(f),
        }
    }
    listed.sort_by_key(|(at, _)| *at);
    let mut out: Vec<(Environment, String)> = listed
        .into_iter()
        .map(|(at, f)| {
            let reason = format!(
                "{}: {} in PromotionStrategy {name:?} ({file})",
                f.origin,
                ordinal(at + 1)
            );
            (environment(&f, None), reason)
        })
        .collect();
    for (env, reason) in by_names(rest) {
        out.push((
            env,
            format!(
                "{reason}; not in PromotionStrategy {name:?}, so placed after its environments"
            ),
        ));
    }
    out
}

fn by_kargo(
    found: Vec<Found>,
    files: &[String],
    stages: &[(String, Vec<String>)],
) -> Vec<(Environment, String)> {
    let files = files.join(", ");
    // Depth of each stage: 0 for those fed directly, else one more than its deepest upstream.
    let mut depth: BTreeMap<&str, usize> = BTreeMap::new();
    for _ in 0..=stages.len() {
        for (stage, ups) in stages {
            let d = if ups.is_empty() {
                Some(0)
            } else {
                ups.iter()
                    .map(|u| depth.get(u.as_str()).copied())
                    .collect::<Option<Vec<_>>>()
                    .and_then(|ds| ds.into_iter().max())
                    .map(|d| d + 1)
            };
            if let Some(d) = d {
                depth.insert(stage, d);
            }
        }
    }
    let stage_for = |f: &Found| {
        stages.iter().find(|(s, _)| {
            *s == f.name
                || f.branch
                    .as_deref()
                    .is_some_and(|b| b.rsplit('/').next() == Some(s.as_str()))
        })
    };
    let mut staged = Vec::new();
    let mut rest = Vec::new();
    for f in found {
        match stage_for(&f)
            .and_then(|(s, ups)| depth.get(s.as_str()).map(|d| (*d, s.clone(), ups.clone())))
        {
            Some((d, stage, ups)) => staged.push((d, stage, ups, f)),
            None => rest.push(f),
        }
    }
    staged
        .sort_by(|a, b| (a.0, rank(&a.3.name), &a.3.name).cmp(&(b.0, rank(&b.3.name), &b.3.name)));
    let env_of_stage: BTreeMap<String, String> = staged
        .iter()
        .map(|(_, s, _, f)| (s.clone(), f.name.clone()))
        .collect();
    let mut out: Vec<(Environment, String)> = Vec::new();
    for (_, stage, ups, f) in &staged {
        let upstream = ups.first().and_then(|u| env_of_stage.get(u)).cloned();
        let previous = out.last().map(|(e, _)| e.name.clone());
        let reason = match ups.as_slice() {
            [] => format!(
                "{}: Kargo Stage {stage:?} takes freight directly ({files})",
                f.origin
            ),
            [one] => format!(
                "{}: Kargo Stage {stage:?} takes freight from {one:?} ({files})",
                f.origin
            ),
            [one, ..] => format!(
                "{}: Kargo Stage {stage:?} takes freight from {}; Hoist follows the first, {one:?} ({files})",
                f.origin,
                ups.join(", ")
            ),
        };
        // Spell the upstream out only where it is not simply the previous entry.
        let explicit = upstream.filter(|u| Some(u) != previous.as_ref());
        out.push((environment(f, explicit), reason));
    }
    for (env, reason) in by_names(rest) {
        out.push((
            env,
            format!("{reason}; no Kargo Stage names it, so placed after the stages"),
        ));
    }
    out
}

/// The sort key of a name: its stage (unknown names last) and its base name.
fn rank(name: &str) -> (usize, usize) {
    match stage_of(name) {
        Some((stage, _)) => {
            let base = name
                .split(['-', '_', '.'])
                .next()
                .unwrap_or(name)
                .to_ascii_lowercase();
            let within = STAGES[stage].iter().position(|n| *n == base).unwrap_or(0);
            (stage, within)
        }
        None => (STAGES.len(), 0),
    }
}

/// Orders by well-known names: dev < test < stage < prod; regional siblings
/// (`prod-eu`, `prod-us`) share the upstream before them.
fn by_names(mut found: Vec<Found>) -> Vec<(Environment, String)> {
    found.sort_by(|a, b| (rank(&a.name), &a.name).cmp(&(rank(&b.name), &b.name)));
    let mut out: Vec<(Environment, String)> = Vec::new();
    // Environments grouped by (stage, base name): a group of several is a fan-out.
    let mut groups: Vec<Vec<&Found>> = Vec::new();
    for f in &found {
        let key = group_key(&f.name);
        match groups.last_mut() {
            Some(g) if key.is_some() && group_key(&g[0].name) == key => g.push(f),
            _ => groups.push(vec![f]),
        }
    }
    let mut previous_group: Vec<&Found> = Vec::new();
    for group in &groups {
        let fan_out = group.len() > 1;
        for f in group {
            let known = stage_of(&f.name).is_some();
            let upstream = if fan_out {
                upstream_in(&previous_group, &f.name)
            } else {
                None
            };
            let reason = match (&upstream, out.last(), known) {
                (_, _, false) => format!(
                    "{}: {:?} is not a well-known environment name, so it goes last; move it to its place in the pipeline",
                    f.origin, f.name
                ),
                (Some(up), _, true) => {
                    let siblings: Vec<&str> = group
                        .iter()
                        .map(|g| g.name.as_str())
                        .filter(|n| *n != f.name)
                        .collect();
                    format!(
                        "{}: regional sibling of {}, fed like them by {up:?}",
                        f.origin,
                        siblings
                            .iter()
                            .map(|s| format!("{s:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
                (None, Some((prev, _)), true) => {
                    format!(
                        "{}: {:?} sorts after {:?} by well-known names",
                        f.origin, f.name, prev.name
                    )
                }
                (None, None, true) => {
                    format!("{}: {:?} comes first by well-known names", f.origin, f.name)
                }
            };
            let previous = out.last().map(|(e, _)| e.name.clone());
            // A fan-out's first member follows the previous entry anyway; the
            // others must name the shared upstream. Spell it out on all for clarity.
            let explicit = if fan_out { upstream.or(previous) } else { None };
            out.push((environment(f, explicit), reason));
        }
        previous_group = group.clone();
    }
    out
}

/// The key that makes environments fan-out siblings: stage and base name.
fn group_key(name: &str) -> Option<(usize, String)> {
    let (stage, _) = stage_of(name)?;
    let base = name
        .split(['-', '_', '.'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    Some((stage, base))
}

/// The upstream of a fan-out member: the previous group's member with the same
/// regional suffix (`stage-eu` feeds `prod-eu`), else its last member.
fn upstream_in(previous: &[&Found], name: &str) -> Option<String> {
    let suffix = stage_of(name).and_then(|(_, s)| s);
    previous
        .iter()
        .find(|p| suffix.is_some() && stage_of(&p.name).and_then(|(_, s)| s) == suffix)
        .or(previous.last())
        .map(|p| p.name.clone())
}
