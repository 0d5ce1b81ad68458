//! `.hoist.yaml`: the environments in order, the apps and where their versions live.
//!
//! [`parse`] reads and validates the file, with errors that name the file,
//! line and column; [`schema`] is its JSON Schema for editors.

use std::collections::BTreeMap;

use hoist_locate::Locator;

mod load;
mod schema;
mod validate;

pub use load::{Error, Position, parse};
pub use schema::{SCHEMA_ID, schema};

/// The whole of `.hoist.yaml`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Environments in pipeline order (upstream first).
    #[schemars(length(min = 1))]
    pub environments: Vec<Environment>,
    /// The deployable things whose versions move through the pipeline.
    #[serde(default)]
    pub apps: Vec<App>,
    /// How promotion pull requests are named, labelled and assigned.
    #[serde(default, skip_serializing_if = "PrSettings::is_default")]
    pub pr: PrSettings,
    /// Environments (or some of their apps) that must not be promoted into
    /// for now; a plan touching one needs an override reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<Lock>,
    /// Time windows in which promotions into some environments need an override reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub freezes: Vec<Freeze>,
    /// The forge `origin` is on, where its host's name does not say (a
    /// self-managed GitLab); github.com, `*.ghe.com` and gitlab.com need
    /// none, and a GitHub Enterprise Server is known by its saved API URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forge: Option<crate::forge::Forge>,
    /// Where ticket keys (`ABC-123`) in release notes link to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tickets: Option<TicketTracker>,
}

/// A ticket tracker (Jira, Linear, YouTrack…): release notes link the keys
/// they find in commit messages and change requests to it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketTracker {
    /// A ticket's page, `{key}` where the key goes, e.g.
    /// `https://acme.atlassian.net/browse/{key}`.
    pub url: String,
    /// The tracker's project keys (`ABC` of `ABC-123`); without them, any
    /// word shaped like a key counts, except encodings and standards
    /// (`UTF-8`, `ISO-8601`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<String>,
}

impl TicketTracker {
    /// As release notes read it.
    pub fn as_notes(&self) -> crate::notes::Tickets<'_> {
        crate::notes::Tickets {
            url: &self.url,
            projects: &self.projects,
        }
    }
}

/// "Do not promote into this environment (or these apps of it)": who, why, until when.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The locked environment.
    pub environment: String,
    /// Only these apps are locked; the whole environment when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apps: Option<Vec<String>>,
    /// Who locked it (a name or GitHub handle).
    pub by: String,
    /// Why, in a sentence people will read in the warning and the PR.
    pub reason: String,
    /// When the lock ends by itself, e.g. `2026-12-01T09:00:00Z`; it lasts until removed when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub until: Option<jiff::Timestamp>,
}

/// A change freeze: from `start` to `end` in `timezone`, promotions into
/// `environments` are blocked unless overridden with a reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    /// A short name, e.g. `year-end`.
    pub name: String,
    /// The frozen environments.
    pub environments: Vec<String>,
    /// Local start, e.g. `2026-12-20T00:00`.
    #[schemars(with = "String")]
    pub start: jiff::civil::DateTime,
    /// Local end (exclusive), e.g. `2027-01-04T09:00`.
    #[schemars(with = "String")]
    pub end: jiff::civil::DateTime,
    /// IANA time zone of `start` and `end`, e.g. `Europe/Berlin`; UTC when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Why, shown in the warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Freeze {
    /// The window as instants; `None` when the time zone is unknown (validation rejects that).
    pub fn window(&self) -> Option<(jiff::Timestamp, jiff::Timestamp)> {
        let tz = match &self.timezone {
            Some(name) => jiff::tz::TimeZone::get(name).ok()?,
            None => jiff::tz::TimeZone::UTC,
        };
        let start = self.start.to_zoned(tz.clone()).ok()?.timestamp();
        let end = self.end.to_zoned(tz).ok()?.timestamp();
        Some((start, end))
    }
}

/// Where an app's code lives, so a promotion can link to the changes between two versions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRepository {
    /// `owner/name` on github.com (`group/subgroup/name` on gitlab.com with
    /// `forge: gitlab`), or the repository's https URL on any host.
    pub repository: String,
    /// What the version is prefixed with in the repository's tags, e.g. `v`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tag_prefix: String,
    /// The tag of a version where a prefix does not say it, `{version}`
    /// where the version goes, e.g. `api-v{version}` in a monorepo; wins
    /// over `tag_prefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_pattern: Option<String>,
    /// The forge the repository is on, where its host's name does not say
    /// (a self-managed GitLab, say); github.com and gitlab.com need none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forge: Option<crate::forge::Forge>,
}

impl SourceRepository {
    /// The forge: as configured, else as the URL's host says, else GitHub
    /// (an `owner/name` without a host is on github.com).
    pub fn forge(&self) -> crate::forge::Forge {
        use crate::forge::Forge;
        self.forge.unwrap_or_else(|| {
            self.repository
                .split_once("://")
                .and_then(|(_, rest)| rest.split('/').next())
                .and_then(|host| Forge::of_host(host.rsplit('@').next().unwrap_or(host)))
                .unwrap_or(Forge::GitHub)
        })
    }

    /// The tag of `version` in the repository.
    pub fn tag(&self, version: &str) -> String {
        match &self.tag_pattern {
            Some(pattern) => pattern.replace("{version}", version),
            None => format!("{}{version}", self.tag_prefix),
        }
    }

    /// The repository's host and path there: an `owner/name` is on
    /// github.com (gitlab.com with `forge: gitlab`), a URL names its own;
    /// `None` for what is neither.
    pub fn host_and_path(&self) -> Option<(String, String)> {
        use crate::forge::Forge;
        let repository = self.repository.trim();
        let (host, path) = match repository.split_once("://") {
            Some((_, rest)) => {
                let (host, path) = rest.split_once('/')?;
                (host.rsplit('@').next().unwrap_or(host).to_owned(), path)
            }
            None => {
                let host = match self.forge() {
                    Forge::GitHub => "github.com",
                    Forge::GitLab => "gitlab.com",
                };
                (host.to_owned(), repository)
            }
        };
        let path = path.trim_matches('/').trim_end_matches(".git");
        let segments: Vec<&str> = path.split('/').collect();
        let usable = !host.is_empty()
            && segments.len() >= 2
            && segments
                .iter()
                .all(|s| !s.is_empty() && *s != "." && *s != "..");
        usable.then(|| (host.to_ascii_lowercase(), path.to_owned()))
    }

    /// The web page comparing the tags of two versions.
    pub fn compare_url(&self, from: &str, to: &str) -> String {
        use crate::forge::Forge;
        let forge = self.forge();
        let base = if self.repository.contains("://") {
            self.repository
                .trim_end_matches('/')
                .trim_end_matches(".git")
                .to_owned()
        } else {
            let host = match forge {
                Forge::GitHub => "github.com",
                Forge::GitLab => "gitlab.com",
            };
            format!("https://{host}/{}", self.repository.trim_matches('/'))
        };
        forge.compare_url(&base, &self.tag(from), &self.tag(to))
    }
}

/// What a promotion in sync mode copies from the source environment.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct SyncSettings {
    /// Files or directories (ending in `/`), relative to the environment's
    /// directory; the directory of the app's `file` when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Environment-specific files or directories (relative to the environment's
    /// directory, like `paths`) that sync leaves alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

/// How Hoist names, labels and assigns the pull requests it opens.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrSettings {
    /// Prefix of the branches Hoist creates, e.g. `hoist` gives `hoist/promote-stage-to-prod-…`.
    #[serde(default = "default_branch_prefix")]
    pub branch_prefix: String,
    /// Labels put on every promotion pull request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// GitHub users or `org/team`s asked to review every promotion pull request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
    /// Title template; `{apps}` (the apps' names), `{target}` (the target
    /// environment) and `{version}` (the version, or each app's) are replaced.
    #[serde(default = "default_title")]
    pub title: String,
    /// How a release train becomes pull requests: `one` for the whole train, or `per_app`.
    #[serde(default, skip_serializing_if = "TrainPulls::is_one")]
    pub train: TrainPulls,
}

/// How a release train becomes change requests.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum TrainPulls {
    /// One change request moves every app of the train.
    #[default]
    One,
    /// One change request per app, each merged (or not) on its own.
    PerApp,
}

impl TrainPulls {
    fn is_one(&self) -> bool {
        *self == TrainPulls::One
    }
}

/// The placeholders a [`PrSettings::title`] template may use.
pub const TITLE_PLACEHOLDERS: [&str; 3] = ["{apps}", "{target}", "{version}"];

fn default_branch_prefix() -> String {
    "hoist".to_owned()
}

fn default_title() -> String {
    "Promote {apps} to {target}".to_owned()
}

impl Default for PrSettings {
    fn default() -> Self {
        PrSettings {
            branch_prefix: default_branch_prefix(),
            labels: Vec::new(),
            reviewers: Vec::new(),
            title: default_title(),
            train: TrainPulls::One,
        }
    }
}

impl PrSettings {
    fn is_default(&self) -> bool {
        *self == PrSettings::default()
    }

    /// The title of a pull request moving `apps` (name and version) to `target`.
    ///
    /// `{version}` is the version when all apps share one, else `api 1.5.0, web 2.0.1`.
    pub fn title_for(&self, apps: &[(&str, &str)], target: &str) -> String {
        let names = apps
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ");
        let version = match apps {
            [] => String::new(),
            [(_, first), rest @ ..] if rest.iter().all(|(_, v)| v == first) => (*first).to_owned(),
            _ => apps
                .iter()
                .map(|(name, version)| format!("{name} {version}"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        // One pass, so a value containing a placeholder is not replaced again.
        let mut title = String::with_capacity(self.title.len() + names.len());
        let mut rest = self.title.as_str();
        while let Some(at) = rest.find('{') {
            title.push_str(&rest[..at]);
            let tail = &rest[at..];
            let (value, len) = if tail.starts_with("{apps}") {
                (names.as_str(), "{apps}".len())
            } else if tail.starts_with("{target}") {
                (target, "{target}".len())
            } else if tail.starts_with("{version}") {
                (version.as_str(), "{version}".len())
            } else {
                ("{", 1)
            };
            title.push_str(value);
            rest = &tail[len..];
        }
        title.push_str(rest);
        title
    }
}

/// A place a reconciler deploys from: a branch and a directory on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Short name shown everywhere, e.g. `stage`.
    pub name: String,
    /// Branch holding this environment; the repository's default branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Directory of this environment on its branch; `.` (the root) when absent.
    #[serde(default = "root", skip_serializing_if = "is_root")]
    pub path: String,
    /// The environment versions come from; the previous one in the list when absent.
    /// Several environments naming the same upstream make a fan-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// The branch a hydrator (Argo CD source hydrator, GitOps Promoter) writes
    /// rendered manifests to before they reach `branch`, e.g. `env/dev-next`.
    /// Promoting into this environment is then the pull request from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_branch: Option<String>,
    /// A side environment (load tests, demos): it takes versions from its
    /// upstream, but nothing is promoted from it. It must not be an upstream.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub side: bool,
}

/// One deployable thing and where its version lives in each environment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Name shown in the matrix, e.g. `api`.
    pub name: String,
    /// File holding the version, relative to the environment's directory.
    pub file: String,
    /// How to find the version inside `file`.
    pub locator: Locator,
    /// Environments this app is deployed to; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<String>>,
    /// Per-environment exceptions to `file` and `locator`, keyed by environment name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, AppOverride>,
    /// The app's source repository, for compare links in changelogs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRepository>,
    /// What sync-mode promotions copy; the directory of `file` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncSettings>,
    /// Where the version comes from in an environment whose own `file` does
    /// not set it (a kustomize base, a chart's default values). Promoting
    /// into such an environment adds the value to its own file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseLocation>,
}

/// The shared file an environment inherits an app's version from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseLocation {
    /// Repository path of the file (not relative to an environment's directory:
    /// the base is shared); `{env}` is replaced by the environment's name.
    pub file: String,
    /// How to find the version inside `file`.
    pub locator: Locator,
}

/// Where an app's version is read in one environment: a file and a locator,
/// with `{env}` already replaced by the environment's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Repository path of the file.
    pub file: String,
    /// How to find the version inside it.
    pub locator: Locator,
}

/// The placeholder in paths and locators that stands for an environment's name.
pub const ENV_PLACEHOLDER: &str = "{env}";

/// Where an app's version lives in one environment, when it differs from the app's default.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppOverride {
    /// File holding the version, relative to the environment's directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// How to find the version inside the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<Locator>,
}

fn root() -> String {
    ".".to_owned()
}

fn is_root(path: &str) -> bool {
    path == "." || path.is_empty()
}

impl Config {
    /// The environment called `name`.
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// The locks on `env` that cover `app` (or the whole environment) at `now`.
    pub fn locks_on<'a>(
        &'a self,
        env: &'a str,
        app: Option<&'a str>,
        now: jiff::Timestamp,
    ) -> impl Iterator<Item = &'a Lock> + 'a {
        self.locks.iter().filter(move |l| {
            l.environment == env
                && l.until.is_none_or(|until| now < until)
                && match (&l.apps, app) {
                    (None, _) => true,
                    (Some(apps), Some(app)) => apps.iter().any(|a| a == app),
                    (Some(_), None) => false,
                }
        })
    }

    /// The freezes covering `env` at `now`, with the instant each ends.
    pub fn freezes_on<'a>(
        &'a self,
        env: &'a str,
        now: jiff::Timestamp,
    ) -> impl Iterator<Item = (&'a Freeze, jiff::Timestamp)> + 'a {
        self.freezes.iter().filter_map(move |f| {
            let (start, end) = f.window()?;
            (f.environments.iter().any(|e| e == env) && start <= now && now < end)
                .then_some((f, end))
        })
    }

    /// The environment `env` takes its versions from, if any. Without an
    /// explicit `upstream` that is the previous environment in the list that
    /// is not a side environment (nothing is promoted from those).
    pub fn upstream_of(&self, env: &Environment) -> Option<&Environment> {
        match &env.upstream {
            Some(name) => self.environment(name),
            None => {
                let at = self.environments.iter().position(|e| e.name == env.name)?;
                self.environments[..at].iter().rev().find(|e| !e.side)
            }
        }
    }

    /// How many upstream steps separate `env` from the start of the pipeline.
    pub fn depth(&self, env: &Environment) -> usize {
        let mut depth = 0;
        let mut at = env;
        // Validation rejects cycles; the bound keeps a bad config from looping.
        while let Some(up) = self.upstream_of(at) {
            depth += 1;
            if depth > self.environments.len() {
                break;
            }
            at = up;
        }
        depth
    }

    /// The environments in pipeline order: by depth (how many upstreams
    /// lead to them), then side environments after the others of their
    /// depth, then in the order written. Fan-out siblings end up side by side.
    pub fn pipeline(&self) -> Vec<&Environment> {
        let mut order: Vec<(usize, bool, usize, &Environment)> = self
            .environments
            .iter()
            .enumerate()
            .map(|(i, e)| (self.depth(e), e.side, i, e))
            .collect();
        order.sort_by_key(|(depth, side, i, _)| (*depth, *side, *i));
        order.into_iter().map(|(_, _, _, e)| e).collect()
    }
}

impl App {
    /// Whether this app is deployed to `env`.
    pub fn runs_in(&self, env: &Environment) -> bool {
        self.environments
            .as_ref()
            .is_none_or(|names| names.contains(&env.name))
    }

    /// The app's file in `env`, relative to the environment's directory, with `{env}` replaced.
    pub fn file_in(&self, env: &Environment) -> String {
        let over = self.overrides.get(&env.name);
        over.and_then(|o| o.file.as_deref())
            .unwrap_or(&self.file)
            .replace(ENV_PLACEHOLDER, &env.name)
    }

    /// Where the version lives in `env` itself: the repository path of the
    /// file and its locator, with `{env}` replaced.
    pub fn location_in(&self, env: &Environment) -> Location {
        let over = self.overrides.get(&env.name);
        let file = over.and_then(|o| o.file.as_deref()).unwrap_or(&self.file);
        let locator = over
            .and_then(|o| o.locator.as_ref())
            .unwrap_or(&self.locator);
        let file = with_env(file, &env.name);
        let file = if is_root(&env.path) {
            file
        } else {
            format!("{}/{}", env.path.trim_end_matches('/'), file)
        };
        Location {
            file,
            locator: for_environment(locator, &env.name),
        }
    }

    /// Where `env` inherits the version from when its own file does not set it.
    pub fn base_in(&self, env: &Environment) -> Option<Location> {
        self.base.as_ref().map(|b| Location {
            file: b.file.replace(ENV_PLACEHOLDER, &env.name),
            locator: for_environment(&b.locator, &env.name),
        })
    }
}

/// `text` with `{env}` replaced by `name` (most texts have none: no search then).
fn with_env(text: &str, name: &str) -> String {
    if text.contains('{') {
        text.replace(ENV_PLACEHOLDER, name)
    } else {
        text.to_owned()
    }
}

/// `locator` with `{env}` replaced by `name` in its text.
fn for_environment(locator: &Locator, name: &str) -> Locator {
    let put = |s: &String| with_env(s, name);
    match locator {
        Locator::Yaml(p) => Locator::Yaml(put(p)),
        Locator::Json(p) => Locator::Json(put(p)),
        Locator::Container(c) => Locator::Container(put(c)),
        Locator::Flux(p) => Locator::Flux(put(p)),
        Locator::Regex(r) => Locator::Regex(put(r)),
        Locator::Kustomize { image, field } => Locator::Kustomize {
            image: put(image),
            field: *field,
        },
    }
}
