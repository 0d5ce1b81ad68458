//! Which branches are environments, and in what order environments come.
//!
//! The order is read from the repository's own pipeline resources when it
//! has them (a GitOps Promoter `PromotionStrategy`, Kargo `Stage`s); else it
//! is guessed from names, and every guessed link says so.

use std::collections::BTreeMap;

use crate::config::Environment;
use crate::status::Link;

/// Branch prefixes that mark an environment branch; what follows is its name.
const BRANCH_PREFIXES: [&str; 5] = ["env/", "environment/", "environments/", "deploy/", "stage/"];

/// Directory names that hold shared building blocks, never an environment.
pub(super) const NOT_ENVIRONMENTS: [&str; 9] = [
    "base",
    "bases",
    "common",
    "components",
    "shared",
    "default",
    "variants",
    "templates",
    "charts",
];

/// Well-known environment names by family; earlier families come first in a pipeline.
const FAMILIES: [&[&str]; 4] = [
    &["dev", "develop", "development", "local"],
    &["test", "testing", "qa", "e2e", "int", "integration", "sit"],
    &[
        "stage", "staging", "stg", "uat", "preprod", "pre-prod", "pre", "ppe",
    ],
    &["prod", "production", "prd", "live"],
];

/// Side environments: names of places that take versions but feed nothing,
/// and the family each usually hangs off.
const SIDE: [(&str, usize); 9] = [
    ("sandbox", 0),
    ("preview", 0),
    ("playground", 0),
    ("load", 2),
    ("loadtest", 2),
    ("perf", 2),
    ("performance", 2),
    ("stress", 2),
    ("demo", 3),
];

/// What a name says about an environment's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role<'n> {
    /// On the main line: its family, its base name's rank in the family, and a suffix (region, shard).
    Main {
        family: usize,
        rank: usize,
        suffix: Option<&'n str>,
    },
    /// A side environment, hanging off `family` by default, with a suffix.
    Side {
        family: usize,
        suffix: Option<&'n str>,
    },
}

/// The role a name suggests, if it is a well-known one (`prod`, `prod-eu`, `load-gpu`).
pub(super) fn role_of(name: &str) -> Option<Role<'_>> {
    let lower = name.to_ascii_lowercase();
    let (base, suffix) = match lower.find(['-', '_', '.']) {
        Some(cut) => (&lower[..cut], Some(&name[cut + 1..])),
        None => (lower.as_str(), None),
    };
    // `pre-prod` is one name, not `pre` with a suffix.
    let (base, suffix) = if FAMILIES.iter().any(|f| f.contains(&lower.as_str())) {
        (lower.as_str(), None)
    } else {
        (base, suffix)
    };
    if suffix.is_some_and(|s| !is_suffix(s)) {
        return None;
    }
    for (family, names) in FAMILIES.iter().enumerate() {
        if let Some(rank) = names.iter().position(|n| *n == base) {
            return Some(Role::Main {
                family,
                rank,
                suffix,
            });
        }
    }
    SIDE.iter()
        .find(|(n, _)| *n == base)
        .map(|(_, family)| Role::Side {
            family: *family,
            suffix,
        })
}

/// Whether a name reads as an environment's.
pub(super) fn is_known_name(name: &str) -> bool {
    role_of(name).is_some()
}

/// A suffix that reads as a region or shard rather than another word, e.g. `eu`, `us-east-1`, `gpu`.
fn is_suffix(suffix: &str) -> bool {
    !suffix.is_empty()
        && suffix != "next"
        && suffix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An environment found in the repository, before ordering.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub name: String,
    pub branch: Option<String>,
    pub path: String,
    /// The branch a hydrator writes before promotion (`env/dev-next`).
    pub next_branch: Option<String>,
    /// Where it was found, e.g. `branch env/stage` or `directory envs/prod-eu/`.
    pub origin: String,
}

/// A branch written by another tool before it reaches an environment, such
/// as the Argo CD source hydrator's `environment/dev-next`.
fn next_of(branch: &str) -> Option<&str> {
    branch.strip_suffix("-next")
}

/// Environment branches among `branches`, with notes on those left out.
/// A hydrator's `<branch>-next` becomes its environment's next branch.
pub(super) fn from_branches(
    branches: &[String],
    default: &str,
    notes: &mut Vec<String>,
) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for branch in branches {
        if branch == default || next_of(branch).is_some() {
            continue;
        }
        let prefixed = BRANCH_PREFIXES
            .iter()
            .find_map(|p| branch.strip_prefix(p))
            .filter(|rest| !rest.is_empty());
        let name = match prefixed {
            Some(rest) => rest.replace('/', "-"),
            None if !branch.contains('/') && is_known_name(branch) => branch.clone(),
            None => continue,
        };
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
            next_branch: None,
            origin: format!("branch {branch}"),
        });
    }
    attach_next_branches(&mut found, branches, notes);
    found
}

/// Gives each branch environment the hydrator's `-next` branch beside it.
pub(super) fn attach_next_branches(
    found: &mut [Found],
    branches: &[String],
    notes: &mut Vec<String>,
) {
    for branch in branches {
        let Some(active) = next_of(branch) else {
            continue;
        };
        match found
            .iter_mut()
            .find(|f| f.branch.as_deref() == Some(active))
        {
            Some(env) => env.next_branch = Some(branch.clone()),
            None => notes.push(format!(
                "branch {branch} looks like a hydrator's next branch, but {active} is not an environment; left out"
            )),
        }
    }
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

/// An environment in its place, why it is there, and how its upstream is known.
pub(super) struct Placed {
    pub environment: Environment,
    pub reason: String,
    pub link: Link,
}

/// Environments in pipeline order, each with the reason for its place.
pub(super) fn order(found: Vec<Found>, declared: Option<&Declared>) -> Vec<Placed> {
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

fn environment(found: &Found, upstream: Option<String>, side: bool) -> Environment {
    Environment {
        name: found.name.clone(),
        branch: found.branch.clone(),
        path: found.path.clone(),
        upstream,
        next_branch: found.next_branch.clone(),
        side,
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

fn by_promoter(found: Vec<Found>, name: &str, file: &str, branches: &[String]) -> Vec<Placed> {
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
    let mut out: Vec<Placed> = listed
        .into_iter()
        .enumerate()
        .map(|(i, (at, f))| Placed {
            reason: format!(
                "{}: {} in PromotionStrategy {name:?} ({file})",
                f.origin,
                ordinal(at + 1)
            ),
            environment: environment(&f, None, false),
            link: if i == 0 { Link::First } else { Link::Declared },
        })
        .collect();
    append_guessed(
        &mut out,
        rest,
        &format!("not in PromotionStrategy {name:?}"),
    );
    out
}

/// Environments no resource places: after the declared ones, in name order, guessed.
fn append_guessed(out: &mut Vec<Placed>, rest: Vec<Found>, why: &str) {
    let last = out
        .iter()
        .rev()
        .find(|p| !p.environment.side)
        .map(|p| p.environment.name.clone());
    for (i, mut placed) in by_names(rest).into_iter().enumerate() {
        if i == 0
            && let Some(last) = &last
        {
            placed.environment.upstream = Some(last.clone());
        }
        placed.reason = format!("{}; {why}, so placed after its environments", placed.reason);
        if !out.is_empty() {
            placed.link = Link::Guessed;
        }
        out.push(placed);
    }
}

/// The environments a stage takes freight from, each with the control-flow
/// stage it passes through (if any).
type Sources = Vec<(String, Option<String>)>;

fn by_kargo(found: Vec<Found>, files: &[String], stages: &[(String, Vec<String>)]) -> Vec<Placed> {
    let files = files.join(", ");
    let stage_of = |f: &Found| -> Option<&String> {
        stages.iter().map(|(s, _)| s).find(|s| {
            **s == f.name
                || f.branch
                    .as_deref()
                    .is_some_and(|b| b.rsplit('/').next() == Some(s.as_str()))
        })
    };
    let env_of_stage: BTreeMap<String, String> = found
        .iter()
        .filter_map(|f| stage_of(f).map(|s| (s.clone(), f.name.clone())))
        .collect();
    // A stage without a directory or branch of its own (a "control flow"
    // stage) passes freight on: its environments take it from its sources.
    let upstreams_of = |stage: &str| -> Sources {
        let mut out: Sources = Vec::new();
        let mut todo: Vec<(String, Option<String>)> = stages
            .iter()
            .find(|(s, _)| s == stage)
            .map(|(_, ups)| ups.iter().map(|u| (u.clone(), None)).collect())
            .unwrap_or_default();
        let mut seen = Vec::new();
        while let Some((up, via)) = todo.pop() {
            if seen.contains(&up) {
                continue;
            }
            seen.push(up.clone());
            if let Some(env) = env_of_stage.get(&up) {
                out.push((env.clone(), via));
            } else if let Some((_, ups)) = stages.iter().find(|(s, _)| *s == up) {
                for u in ups.iter().rev() {
                    todo.push((u.clone(), Some(via.clone().unwrap_or_else(|| up.clone()))));
                }
            }
        }
        out
    };
    let mut staged: Vec<(Found, String, Sources)> = Vec::new();
    let mut rest = Vec::new();
    for f in found {
        match stage_of(&f).cloned() {
            Some(stage) => {
                let ups = upstreams_of(&stage);
                staged.push((f, stage, ups));
            }
            None => rest.push(f),
        }
    }
    // Depth in the stage graph orders the environments; names break ties.
    let mut depth: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..=staged.len() {
        for (f, _, ups) in &staged {
            let d = ups
                .first()
                .map_or(Some(0), |(u, _)| depth.get(u).map(|d| d + 1));
            if let Some(d) = d {
                depth.insert(f.name.clone(), d);
            }
        }
    }
    staged.sort_by(|a, b| {
        let key = |x: &(Found, String, Sources)| {
            (
                depth.get(&x.0.name).copied().unwrap_or(usize::MAX),
                name_key(&x.0.name),
            )
        };
        key(a).cmp(&key(b))
    });
    let mut out: Vec<Placed> = Vec::new();
    for (f, stage, ups) in &staged {
        let previous = out.last().map(|p| p.environment.name.clone());
        let upstream = ups.first().map(|(u, _)| u.clone());
        let sources = |ups: &[(String, Option<String>)]| {
            ups.iter()
                .map(|(u, _)| format!("{u:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let reason = match ups.as_slice() {
            [] => format!(
                "{}: Kargo Stage {stage:?} takes freight directly ({files})",
                f.origin
            ),
            [(one, None)] => format!(
                "{}: Kargo Stage {stage:?} takes freight from {one:?} ({files})",
                f.origin
            ),
            [(one, Some(via)), ..] => format!(
                "{}: Kargo Stage {stage:?} takes freight from {via:?}, a stage with no directory of its own that takes it from {}; Hoist promotes from the first, {one:?} ({files})",
                f.origin,
                sources(ups)
            ),
            [(one, None), ..] => format!(
                "{}: Kargo Stage {stage:?} takes freight from {}; Hoist promotes from the first, {one:?} ({files})",
                f.origin,
                sources(ups)
            ),
        };
        // Spell the upstream out only where it is not simply the previous entry.
        let explicit = upstream.clone().filter(|u| Some(u) != previous.as_ref());
        out.push(Placed {
            environment: environment(f, explicit, false),
            reason,
            link: if upstream.is_some() {
                Link::Declared
            } else {
                Link::First
            },
        });
    }
    append_guessed(&mut out, rest, "no Kargo Stage names it");
    out
}

/// The sort key of a name: main-line environments by family and rank, side
/// ones after, unknown names last.
fn name_key(name: &str) -> (usize, usize, usize, String) {
    match role_of(name) {
        Some(Role::Main { family, rank, .. }) => (0, family, rank, name.to_owned()),
        Some(Role::Side { family, .. }) => (1, family, 0, name.to_owned()),
        None => (2, 0, 0, name.to_owned()),
    }
}

/// Guesses the pipeline from names: families dev < test < stage < prod;
/// siblings of one family and base name (`prod-eu`, `prod-us`) fan out from
/// the previous group, each from the member with its own suffix if there is
/// one (`staging-eu` feeds `prod-eu`); side environments (load, perf, demo)
/// hang off the main line; unknown names go last. Every link is a guess.
fn by_names(mut found: Vec<Found>) -> Vec<Placed> {
    found.sort_by_key(|f| name_key(&f.name));
    let (main, others): (Vec<Found>, Vec<Found>) = found
        .into_iter()
        .partition(|f| matches!(role_of(&f.name), Some(Role::Main { .. })));
    let (side, unknown): (Vec<Found>, Vec<Found>) = others
        .into_iter()
        .partition(|f| matches!(role_of(&f.name), Some(Role::Side { .. })));

    // Main-line groups: one family and base name each; several make a fan-out.
    let mut groups: Vec<Vec<&Found>> = Vec::new();
    for f in &main {
        let key = group_key(&f.name);
        match groups.last_mut() {
            Some(g) if group_key(&g[0].name) == key => g.push(f),
            _ => groups.push(vec![f]),
        }
    }
    let mut out: Vec<Placed> = Vec::new();
    let mut previous_group: Vec<&Found> = Vec::new();
    for group in &groups {
        let fan_out = group.len() > 1;
        for f in group {
            let (upstream, matched) = upstream_in(&previous_group, &f.name);
            let previous = out.last().map(|p| p.environment.name.clone());
            let reason = match &upstream {
                None => format!("{}: {:?} comes first by well-known names", f.origin, f.name),
                Some(up) if fan_out => {
                    let siblings: Vec<String> = group
                        .iter()
                        .map(|g| format!("{:?}", g.name))
                        .filter(|n| *n != format!("{:?}", f.name))
                        .collect();
                    let how = if matched {
                        "guessed: same suffix"
                    } else {
                        "guessed from the names"
                    };
                    format!(
                        "{}: fan-out sibling of {}, fed by {up:?} ({how})",
                        f.origin,
                        siblings.join(", ")
                    )
                }
                Some(up) if matched => format!(
                    "{}: takes versions from {up:?} (guessed: same suffix)",
                    f.origin
                ),
                Some(up) => format!(
                    "{}: takes versions from {up:?} (guessed: {:?} comes after {up:?} by well-known names)",
                    f.origin, f.name
                ),
            };
            // A fan-out spells its upstream out on every member; a chain only where
            // the upstream is not the previous entry.
            let explicit = if fan_out {
                upstream.clone()
            } else {
                upstream.clone().filter(|u| Some(u) != previous.as_ref())
            };
            out.push(Placed {
                environment: environment(f, explicit, false),
                reason,
                link: if upstream.is_some() {
                    Link::Guessed
                } else {
                    Link::First
                },
            });
        }
        previous_group = group.clone();
    }

    for f in &side {
        let Some(Role::Side { family, suffix }) = role_of(&f.name) else {
            continue;
        };
        let same_suffix = suffix.and_then(|s| {
            main.iter()
                .filter(|m| {
                    matches!(role_of(&m.name), Some(Role::Main { suffix: Some(x), .. }) if x == s)
                })
                .max_by_key(|m| name_key(&m.name))
        });
        let by_family = || {
            (0..=family).rev().find_map(|fam| {
                main.iter().find(
                    |m| matches!(role_of(&m.name), Some(Role::Main { family: x, .. }) if x == fam),
                )
            })
        };
        let host = same_suffix.or_else(by_family).or(main.first());
        let reason = match (host, same_suffix.is_some()) {
            (Some(h), true) => format!(
                "{}: side environment, nothing is promoted from it; fed by {:?} (guessed: same suffix)",
                f.origin, h.name
            ),
            (Some(h), false) => format!(
                "{}: side environment, nothing is promoted from it; fed by {:?} (guessed from the names)",
                f.origin, h.name
            ),
            (None, _) => format!("{}: side environment with nothing to feed it", f.origin),
        };
        out.push(Placed {
            environment: environment(f, host.map(|h| h.name.clone()), true),
            reason,
            link: if host.is_some() {
                Link::Guessed
            } else {
                Link::First
            },
        });
    }

    let last_main = out
        .iter()
        .rev()
        .find(|p| !p.environment.side)
        .map(|p| p.environment.name.clone());
    for (i, f) in unknown.iter().enumerate() {
        let upstream = if i == 0 {
            last_main.clone()
        } else {
            unknown.get(i - 1).map(|u| u.name.clone())
        };
        out.push(Placed {
            reason: format!(
                "{}: {:?} is not a well-known environment name, so it goes last{}; guessed: move it to its place in the pipeline",
                f.origin,
                f.name,
                upstream
                    .as_ref()
                    .map(|u| format!(", after {u:?}"))
                    .unwrap_or_default()
            ),
            environment: environment(f, upstream.clone(), false),
            link: if upstream.is_some() {
                Link::Guessed
            } else {
                Link::First
            },
        });
    }
    out
}

/// The key that makes environments fan-out siblings: family and base name.
fn group_key(name: &str) -> Option<(usize, usize)> {
    match role_of(name)? {
        Role::Main { family, rank, .. } => Some((family, rank)),
        Role::Side { .. } => None,
    }
}

/// The upstream of a main-line environment: the previous group's member
/// with the same suffix (`staging-eu` feeds `prod-eu`), else its first
/// member; and whether the suffix matched.
fn upstream_in(previous: &[&Found], name: &str) -> (Option<String>, bool) {
    let suffix_of = |n: &str| match role_of(n) {
        Some(Role::Main { suffix, .. }) => suffix.map(str::to_ascii_lowercase),
        _ => None,
    };
    let suffix = suffix_of(name);
    if let Some(same) = previous
        .iter()
        .find(|p| suffix.is_some() && suffix_of(&p.name) == suffix)
    {
        return (Some(same.name.clone()), true);
    }
    (previous.first().map(|p| p.name.clone()), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(name: &str) -> Found {
        Found {
            name: name.to_owned(),
            branch: Some("main".to_owned()),
            path: format!("envs/{name}"),
            next_branch: None,
            origin: format!("directory envs/{name}/"),
        }
    }

    fn pipeline(names: &[&str]) -> Vec<(String, Option<String>, bool)> {
        let placed = by_names(names.iter().map(|n| found(n)).collect());
        let config = crate::config::Config {
            environments: placed.iter().map(|p| p.environment.clone()).collect(),
            apps: Vec::new(),
            pr: Default::default(),
            locks: Vec::new(),
            freezes: Vec::new(),
            forge: None,
            tickets: None,
        };
        config
            .environments
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    config.upstream_of(e).map(|u| u.name.clone()),
                    e.side,
                )
            })
            .collect()
    }

    #[test]
    fn names_give_families_regions_and_side_environments() {
        let got = pipeline(&[
            "prod-us",
            "load-gpu",
            "qa",
            "staging-eu",
            "integration-gpu",
            "prod-eu",
            "demo",
            "integration-non-gpu",
            "staging-us",
            "dev",
            "perf",
            "load-non-gpu",
            "sandbox",
        ]);
        let want = [
            ("dev", None, false),
            ("qa", Some("dev"), false),
            ("integration-gpu", Some("qa"), false),
            ("integration-non-gpu", Some("qa"), false),
            ("staging-eu", Some("integration-gpu"), false),
            ("staging-us", Some("integration-gpu"), false),
            ("prod-eu", Some("staging-eu"), false),
            ("prod-us", Some("staging-us"), false),
            ("sandbox", Some("dev"), true),
            ("load-gpu", Some("integration-gpu"), true),
            ("load-non-gpu", Some("integration-non-gpu"), true),
            ("perf", Some("staging-eu"), true),
            ("demo", Some("prod-eu"), true),
        ];
        let want: Vec<(String, Option<String>, bool)> = want
            .iter()
            .map(|(n, u, s)| (n.to_string(), u.map(str::to_owned), *s))
            .collect();
        assert_eq!(got, want);
        assert!(role_of("pre-prod").is_some());
        assert!(role_of("dev tools").is_none());
    }
}
