//! The rules a well-formed `.hoist.yaml` must still obey, checked after
//! deserialisation, with each error pointing at the offending entry.

use std::collections::{BTreeMap, HashMap};

use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use super::load::{Error, Position, narrow, quoted};
use super::{Config, TITLE_PLACEHOLDERS};

/// Where the entries of the file are. Read leniently from the same text as
/// the [`Config`], only to point errors at lines; every field is optional so
/// this never fails where the config itself parsed.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct Marks {
    environments: Option<Spanned<Vec<Spanned<EnvironmentMarks>>>>,
    apps: Vec<Spanned<AppMarks>>,
    pr: Option<PrMarks>,
    locks: Vec<Spanned<GuardMarks>>,
    freezes: Vec<Spanned<GuardMarks>>,
}

/// Positions inside a lock or a freeze.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct GuardMarks {
    environment: Option<Spanned<String>>,
    environments: Vec<Spanned<String>>,
    apps: Vec<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    end: Option<Spanned<IgnoredAny>>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct EnvironmentMarks {
    name: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    upstream: Option<Spanned<String>>,
    next_branch: Option<Spanned<String>>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct BaseMarks {
    file: Option<Spanned<String>>,
    locator: Option<Spanned<IgnoredAny>>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct AppMarks {
    name: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
    locator: Option<Spanned<IgnoredAny>>,
    environments: Vec<Spanned<String>>,
    overrides: BTreeMap<String, Spanned<OverrideMarks>>,
    base: Option<Spanned<BaseMarks>>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct OverrideMarks {
    file: Option<Spanned<String>>,
    locator: Option<Spanned<IgnoredAny>>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct PrMarks {
    branch_prefix: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
}

/// Positions in one file.
struct Places<'a> {
    origin: &'a str,
    text: &'a str,
}

impl Places<'_> {
    fn at<T>(&self, spanned: Option<&Spanned<T>>) -> Position {
        match spanned {
            Some(s) if s.referenced.line() > 0 => Position {
                origin: self.origin.to_owned(),
                line: narrow(s.referenced.line()),
                column: narrow(s.referenced.column()),
            },
            _ => Position::file(self.origin),
        }
    }

    /// The position of a top-level key, found in the text.
    fn key(&self, key: &str) -> Position {
        let prefix = format!("{key}:");
        match self.text.lines().position(|l| l.starts_with(&prefix)) {
            Some(i) => Position {
                origin: self.origin.to_owned(),
                line: narrow(i as u64 + 1),
                column: 1,
            },
            None => Position::file(self.origin),
        }
    }
}

/// Checks what deserialisation cannot: names, references between entries, paths, locators.
pub(super) fn validate(config: &Config, text: &str, origin: &str) -> Result<(), Error> {
    // Positions matter only for an error, and reading them costs a second
    // parse of the file (a monorepo's is thousands of apps): check without
    // them first, and again with them to point at what is wrong.
    check(config, text, origin, &Marks::default()).or_else(|_| {
        check(
            config,
            text,
            origin,
            &serde_saphyr::from_str(text).unwrap_or_default(),
        )
    })
}

fn check(config: &Config, text: &str, origin: &str, marks: &Marks) -> Result<(), Error> {
    let places = Places { origin, text };
    let env_marks: &[Spanned<EnvironmentMarks>] =
        marks.environments.as_ref().map_or(&[], |e| &e.value);
    let env_mark = |i: usize| env_marks.get(i).map(|m| &m.value);

    if config.environments.is_empty() {
        let at = match &marks.environments {
            Some(e) => places.at(Some(e)),
            None => places.key("environments"),
        };
        return Err(Error::NoEnvironments { at });
    }

    let mut first_seen: HashMap<&str, u32> = HashMap::new();
    for (i, env) in config.environments.iter().enumerate() {
        let mark = env_mark(i);
        let at = places
            .at(mark.and_then(|m| m.name.as_ref()).or(None))
            .or(places.at(env_marks.get(i)));
        check_name(&env.name, "environment", &at)?;
        if let Some(&first_line) = first_seen.get(env.name.as_str()) {
            return Err(Error::DuplicateEnvironment {
                at,
                name: env.name.clone(),
                first_line,
            });
        }
        first_seen.insert(&env.name, at.line);
        if let Some(next) = &env.next_branch
            && (next.trim().is_empty() || Some(next) == env.branch.as_ref())
        {
            return Err(Error::Environment {
                at: places.at(mark.and_then(|m| m.next_branch.as_ref())).or(at),
                environment: env.name.clone(),
                problem: format!(
                    "has next_branch {next:?}, which must be another branch than the environment's own: the one the hydrator writes before promotion, e.g. \"env/{}-next\"",
                    env.name
                ),
            });
        }
        if !super::is_root(&env.path) {
            check_path(
                &env.path,
                &places.at(mark.and_then(|m| m.path.as_ref())),
                || format!("the path of environment {:?}", env.name),
            )?;
        }
    }

    for (i, env) in config.environments.iter().enumerate() {
        let Some(upstream) = &env.upstream else {
            continue;
        };
        let at = || places.at(env_mark(i).and_then(|m| m.upstream.as_ref()));
        if *upstream == env.name {
            return Err(Error::OwnUpstream {
                at: at(),
                environment: env.name.clone(),
            });
        }
        if let Some(up) = config.environment(upstream)
            && up.side
        {
            return Err(Error::Environment {
                at: at(),
                environment: env.name.clone(),
                problem: format!(
                    "takes its versions from {upstream:?}, a side environment (nothing is promoted from those); remove \"side: true\" from {upstream:?} or choose another upstream"
                ),
            });
        }
        if config.environment(upstream).is_none() {
            let others = config
                .environments
                .iter()
                .map(|e| e.name.as_str())
                .filter(|n| *n != env.name);
            return Err(Error::UnknownUpstream {
                at: at(),
                environment: env.name.clone(),
                upstream: upstream.clone(),
                known: quoted(others),
            });
        }
    }
    check_cycles(config, &places, env_marks)?;

    let known = || quoted(config.environments.iter().map(|e| e.name.as_str()));
    let mut apps_seen: HashMap<&str, u32> = HashMap::new();
    for (i, app) in config.apps.iter().enumerate() {
        let mark = marks.apps.get(i);
        let at = places
            .at(mark.and_then(|m| m.value.name.as_ref()))
            .or(places.at(mark));
        check_name(&app.name, "app", &at)?;
        if let Some(&first_line) = apps_seen.get(app.name.as_str()) {
            return Err(Error::DuplicateApp {
                at,
                name: app.name.clone(),
                first_line,
            });
        }
        apps_seen.insert(&app.name, at.line);
        let mark = mark.map(|m| &m.value);
        check_path(
            &app.file,
            &places.at(mark.and_then(|m| m.file.as_ref())),
            || format!("the file of app {:?}", app.name),
        )?;
        if let Some(base) = &app.base {
            let base_mark = mark.and_then(|m| m.base.as_ref()).map(|b| &b.value);
            check_path(
                &base.file,
                &places.at(base_mark.and_then(|m| m.file.as_ref())),
                || format!("the base file of app {:?}", app.name),
            )?;
            check_locator(
                &base.locator,
                &app.name,
                places.at(base_mark.and_then(|m| m.locator.as_ref())),
            )?;
        }
        check_locator(
            &app.locator,
            &app.name,
            places.at(mark.and_then(|m| m.locator.as_ref())),
        )?;
        if let Some(sync) = &app.sync {
            for (list, key) in [(&sync.paths, "sync.paths"), (&sync.exclude, "sync.exclude")] {
                for entry in list {
                    // A directory ends in "/": the rest is a path like any other.
                    check_path(entry.strip_suffix('/').unwrap_or(entry), &at, || {
                        format!("an entry of {key} of app {:?}", app.name)
                    })?;
                }
            }
        }
        if let Some(envs) = &app.environments {
            for (j, name) in envs.iter().enumerate() {
                if config.environment(name).is_none() {
                    return Err(Error::UnknownEnvironment {
                        at: places.at(mark.and_then(|m| m.environments.get(j))),
                        app: app.name.clone(),
                        environment: name.clone(),
                        known: known(),
                    });
                }
            }
        }
        for (name, over) in &app.overrides {
            let over_mark = mark.and_then(|m| m.overrides.get(name));
            if config.environment(name).is_none() {
                return Err(Error::UnknownOverride {
                    at: places.at(over_mark),
                    app: app.name.clone(),
                    environment: name.clone(),
                    known: known(),
                });
            }
            let over_mark = over_mark.map(|m| &m.value);
            if let Some(file) = &over.file {
                check_path(
                    file,
                    &places.at(over_mark.and_then(|m| m.file.as_ref())),
                    || format!("the file of app {:?} in {name}", app.name),
                )?;
            }
            if let Some(locator) = &over.locator {
                check_locator(
                    locator,
                    &app.name,
                    places.at(over_mark.and_then(|m| m.locator.as_ref())),
                )?;
            }
        }
    }

    check_guards(config, &places, marks)?;
    check_tickets(config, &places)?;
    check_sources(config, &places)?;
    let pr_marks = marks.pr.as_ref();
    check_pull_requests(config, &places, pr_marks.unwrap_or(&PrMarks::default()))
}

/// An app's source must name a repository on a host, and a tag pattern a
/// place for the version.
fn check_sources(config: &Config, places: &Places<'_>) -> Result<(), Error> {
    for app in &config.apps {
        let Some(source) = &app.source else { continue };
        let problem = if source.host_and_path().is_none() {
            Some(format!(
                "the source of app {:?} is {:?}; write owner/name, or the repository's https address",
                app.name, source.repository
            ))
        } else if source
            .tag_pattern
            .as_ref()
            .is_some_and(|p| !p.contains("{version}"))
        {
            Some(format!(
                "the tag_pattern of app {:?} has no {{version}} for the version, e.g. \"{}-v{{version}}\"",
                app.name, app.name
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(Error::Source {
                at: places.key("apps"),
                message,
            });
        }
    }
    Ok(())
}

/// A ticket link must be a web page with a place for the key, and project
/// keys must look like keys.
fn check_tickets(config: &Config, places: &Places<'_>) -> Result<(), Error> {
    let Some(tickets) = &config.tickets else {
        return Ok(());
    };
    let problem = if !(tickets.url.starts_with("https://") || tickets.url.starts_with("http://")) {
        Some(format!(
            "tickets.url {:?} is not a web address; write one such as \"https://acme.atlassian.net/browse/{{key}}\"",
            tickets.url
        ))
    } else if !tickets.url.contains("{key}") {
        Some(format!(
            "tickets.url {:?} has no {{key}} for the ticket's key",
            tickets.url
        ))
    } else {
        tickets
            .projects
            .iter()
            .find(|p| {
                !p.starts_with(|c: char| c.is_ascii_uppercase())
                    || !p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
            .map(|p| {
                format!("tickets.projects has {p:?}; a project key is upper-case letters and digits, e.g. \"ABC\"")
            })
    };
    match problem {
        Some(message) => Err(Error::Tickets {
            at: places.key("tickets"),
            message,
        }),
        None => Ok(()),
    }
}

/// Locks and freezes must name real environments and apps, and a freeze
/// window must exist in its time zone and end after it starts.
fn check_guards(config: &Config, places: &Places<'_>, marks: &Marks) -> Result<(), Error> {
    let envs = || quoted(config.environments.iter().map(|e| e.name.as_str()));
    let guard = |at: Position, message: String| Err(Error::Guard { at, message });
    for (i, lock) in config.locks.iter().enumerate() {
        let mark = marks.locks.get(i);
        let inner = mark.map(|m| &m.value);
        if config.environment(&lock.environment).is_none() {
            let at = places
                .at(inner.and_then(|m| m.environment.as_ref()))
                .or(places.at(mark));
            return guard(
                at,
                format!(
                    "lock on {:?}, which is not an environment; expected one of {}",
                    lock.environment,
                    envs()
                ),
            );
        }
        for (j, app) in lock.apps.iter().flatten().enumerate() {
            if !config.apps.iter().any(|a| &a.name == app) {
                let at = places
                    .at(inner.and_then(|m| m.apps.get(j)))
                    .or(places.at(mark));
                return guard(
                    at,
                    format!(
                        "lock on app {app:?}, which is not an app; expected one of {}",
                        quoted(config.apps.iter().map(|a| a.name.as_str()))
                    ),
                );
            }
        }
    }
    for (i, freeze) in config.freezes.iter().enumerate() {
        let mark = marks.freezes.get(i);
        let inner = mark.map(|m| &m.value);
        for (j, env) in freeze.environments.iter().enumerate() {
            if config.environment(env).is_none() {
                let at = places
                    .at(inner.and_then(|m| m.environments.get(j)))
                    .or(places.at(mark));
                return guard(
                    at,
                    format!(
                        "freeze {:?} names {env:?}, which is not an environment; expected one of {}",
                        freeze.name,
                        envs()
                    ),
                );
            }
        }
        if let Some(tz) = &freeze.timezone
            && jiff::tz::TimeZone::get(tz).is_err()
        {
            let at = places
                .at(inner.and_then(|m| m.timezone.as_ref()))
                .or(places.at(mark));
            return guard(
                at,
                format!(
                    "freeze {:?} has time zone {tz:?}, which is not an IANA time zone such as \"Europe/Berlin\" or \"America/New_York\"",
                    freeze.name
                ),
            );
        }
        match freeze.window() {
            Some((start, end)) if start < end => {}
            _ => {
                let at = places
                    .at(inner.and_then(|m| m.end.as_ref()))
                    .or(places.at(mark));
                return guard(
                    at,
                    format!(
                        "freeze {:?} ends ({}) before it starts ({}); the end must come after the start",
                        freeze.name, freeze.end, freeze.start
                    ),
                );
            }
        }
    }
    Ok(())
}

impl Position {
    /// This position, or `other` when this one has no line.
    fn or(self, other: Position) -> Position {
        if self.line > 0 { self } else { other }
    }
}

/// Names appear in commands (`hoist plan --from dev`, `prod@2026-11-20`), so
/// they must be non-empty single words without `@`.
fn check_name(name: &str, kind: &'static str, at: &Position) -> Result<(), Error> {
    let problem = if name.trim().is_empty() {
        Some("is empty; give it a short name such as \"stage\"")
    } else if name.chars().any(char::is_whitespace) {
        Some("contains a space; use a single word such as \"prod-eu\"")
    } else if name.contains('@') {
        Some(
            "contains \"@\", which separates an environment from a commit or date in commands; remove it",
        )
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::BadName {
            at: at.clone(),
            kind,
            name: name.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// Paths are relative to the repository root or an environment's directory,
/// and must stay inside the repository.
fn check_path(path: &str, at: &Position, what: impl FnOnce() -> String) -> Result<(), Error> {
    let bytes = path.as_bytes();
    let problem = if path.trim().is_empty() {
        Some("is empty; name a file, e.g. \"values.yaml\"")
    } else if path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() > 1 && bytes[1] == b':')
    {
        Some(
            "is absolute; write it relative to the repository (or to the environment's directory for an app's file)",
        )
    } else if path.split(['/', '\\']).any(|part| part == "..") {
        Some("contains \"..\"; paths must stay inside the repository")
    } else if path.chars().any(char::is_control) {
        Some("contains a control character")
    } else if path.contains('\\') {
        Some("contains \"\\\"; separate directories with \"/\"")
    } else if path
        .split('/')
        .any(|part| part.eq_ignore_ascii_case(".git"))
    {
        Some("names a .git directory, which is git's own and no file of the repository")
    } else if path
        .strip_suffix('/')
        .unwrap_or(path)
        .split('/')
        .any(|part| part.is_empty() || part == ".")
    {
        Some(
            "has an empty or \".\" part (\"//\" or \"./\"); write each directory once, e.g. \"apps/api/values.yaml\"",
        )
    } else if path
        .replace(super::ENV_PLACEHOLDER, "")
        .contains(['{', '}'])
    {
        Some(
            "has a placeholder other than {env}; {env} is the only one, and stands for the environment's name",
        )
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::Path {
            at: at.clone(),
            what: what(),
            path: path.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// A locator whose own syntax is wrong (empty path, bad regex, …) can never
/// find anything; say so at load time, where the config is being written.
fn check_locator(locator: &hoist_locate::Locator, app: &str, at: Position) -> Result<(), Error> {
    match locator.validate() {
        Err(hoist_locate::Error::Invalid { problem, .. }) => Err(Error::Locator {
            at,
            app: app.to_owned(),
            problem,
        }),
        _ => Ok(()),
    }
}

/// Follows each environment's upstream chain; a chain that comes back to an
/// environment already on it is a cycle (self-references were rejected before).
fn check_cycles(
    config: &Config,
    places: &Places<'_>,
    marks: &[Spanned<EnvironmentMarks>],
) -> Result<(), Error> {
    for (i, start) in config.environments.iter().enumerate() {
        let mut chain = vec![start.name.as_str()];
        let mut current = start;
        while let Some(up) = config.upstream_of(current) {
            if let Some(at) = chain.iter().position(|n| *n == up.name) {
                let mut cycle: Vec<&str> = chain[at..].to_vec();
                cycle.push(&up.name);
                let mark = marks.get(i).map(|m| &m.value);
                let pos = places
                    .at(mark.and_then(|m| m.upstream.as_ref()))
                    .or(places.at(marks.get(i)));
                return Err(Error::UpstreamCycle {
                    at: pos,
                    cycle: cycle.join(" → "),
                });
            }
            chain.push(&up.name);
            current = up;
        }
    }
    Ok(())
}

fn check_pull_requests(config: &Config, places: &Places<'_>, marks: &PrMarks) -> Result<(), Error> {
    let pr = &config.pr;
    let prefix = &pr.branch_prefix;
    let bad_prefix = prefix.is_empty()
        || prefix.starts_with(['/', '-', '.'])
        || prefix.ends_with(['/', '.'])
        || prefix.contains("..")
        || prefix.contains("//")
        || prefix.ends_with(".lock")
        || prefix.contains("@{")
        || prefix
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c));
    if bad_prefix {
        return Err(Error::PullRequest {
            at: places.at(marks.branch_prefix.as_ref()),
            message: format!(
                "branch_prefix {prefix:?} cannot start a git branch name; use letters, digits, \"-\" and \"/\", e.g. \"hoist\""
            ),
        });
    }
    let title_at = || places.at(marks.title.as_ref());
    if pr.title.trim().is_empty() {
        return Err(Error::PullRequest {
            at: title_at(),
            message: "title is empty; write a template such as \"Promote {apps} to {target}\""
                .to_owned(),
        });
    }
    let mut rest = pr.title.as_str();
    while let Some(open) = rest.find('{') {
        let tail = &rest[open..];
        let Some(close) = tail.find('}') else { break };
        let placeholder = &tail[..=close];
        if !TITLE_PLACEHOLDERS.contains(&placeholder) {
            return Err(Error::PullRequest {
                at: title_at(),
                message: format!(
                    "title uses the unknown placeholder {placeholder}; expected {}",
                    TITLE_PLACEHOLDERS.join(", ")
                ),
            });
        }
        rest = &tail[close + 1..];
    }
    Ok(())
}
