//! `.hoist.yaml`: the environments in order, the apps and where their versions live.

use std::collections::BTreeMap;

use hoist_locate::Locator;

/// The whole of `.hoist.yaml`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Environments in pipeline order (upstream first).
    pub environments: Vec<Environment>,
    /// The deployable things whose versions move through the pipeline.
    #[serde(default)]
    pub apps: Vec<App>,
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
}

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

    /// The environment `env` takes its versions from, if any.
    pub fn upstream_of(&self, env: &Environment) -> Option<&Environment> {
        match &env.upstream {
            Some(name) => self.environment(name),
            None => {
                let at = self.environments.iter().position(|e| e.name == env.name)?;
                at.checked_sub(1).map(|i| &self.environments[i])
            }
        }
    }
}

impl App {
    /// Whether this app is deployed to `env`.
    pub fn runs_in(&self, env: &Environment) -> bool {
        self.environments.as_ref().is_none_or(|names| names.contains(&env.name))
    }

    /// The repository path of the file holding the version in `env`, and its locator.
    pub fn location_in(&self, env: &Environment) -> (String, &Locator) {
        let over = self.overrides.get(&env.name);
        let file = over.and_then(|o| o.file.as_deref()).unwrap_or(&self.file);
        let locator = over.and_then(|o| o.locator.as_ref()).unwrap_or(&self.locator);
        let path = if is_root(&env.path) {
            file.to_owned()
        } else {
            format!("{}/{}", env.path.trim_end_matches('/'), file)
        };
        (path, locator)
    }
}
