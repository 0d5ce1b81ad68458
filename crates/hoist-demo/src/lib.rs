//! Hoist's demo, for newcomers and for the end-to-end tests: a generated
//! GitOps repository (four environments, a dozen apps, a few hundred
//! commits of promotions), its bare "GitHub" copy served by the sandbox, and
//! a local clone whose origin points at both, so the whole loop (preview,
//! open the PR, merge, fetch, see the new version) works offline.
//!
//! The clone's origin is `https://hoist-sandbox.localhost/acme/gitops.git`:
//! git's `url.<bare>.insteadOf` sends fetches to the bare repository, and the
//! clone's `hoist.apiUrl` sends API calls to the sandbox. `.localhost` names
//! never leave the machine, so nothing can reach a real server by mistake.

pub mod generate;
pub mod sources;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use hoist_sandbox::Forge;
use hoist_sandbox::{Account, Config, Sandbox};

/// Why the demo could not be made or started.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file, directory or process could not be used.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// git refused.
    #[error("{what} failed: {detail}")]
    Git {
        /// The git command.
        what: String,
        /// What git said.
        detail: String,
    },
    /// The generator was asked for an impossible repository.
    #[error("{0}")]
    Spec(String),
    /// The sandbox did not start.
    #[error(transparent)]
    Sandbox(#[from] hoist_sandbox::Error),
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let what = what.into();
        move |source| Error::Io { what, source }
    }
}

/// The demo's GitHub host.
pub const HOST: &str = "hoist-sandbox.localhost";
/// The demo's owner and repository.
pub const OWNER: &str = "acme";
/// The demo repository's name.
pub const NAME: &str = "gitops";
/// The token the sandbox accepts. It opens nothing but the local sandbox,
/// so it is no secret; it still goes through the keyring like any other.
pub const TOKEN: &str = "hoist-demo-token";
/// The signed-in user.
pub const LOGIN: &str = "release-manager";

/// The demo's shape: small enough to generate in a second, large enough to
/// look like a real pipeline. Its history ends when it is generated (see [`spec`]).
pub const SPEC: generate::Spec = generate::Spec {
    apps: 12,
    environments: 4,
    commits: 400,
    seed: 11,
    ends: None,
};

/// [`SPEC`] ending now: the demo's newest commits are minutes old, not years.
pub fn spec() -> generate::Spec {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    // A few minutes ago, rounded, so it reads as recent work.
    generate::Spec {
        ends: Some(now - now % 60 - 600),
        ..SPEC
    }
}

/// A running demo; the sandbox stops when it is dropped.
pub struct Demo {
    /// The clone Hoist opens.
    pub clone: PathBuf,
    /// The bare repository the sandbox serves.
    pub bare: PathBuf,
    /// The sandbox.
    pub sandbox: Sandbox,
    /// The forge the sandbox plays.
    pub forge: Forge,
    /// Where the demo lives (see [`Demo::start_on`]).
    pub dir: PathBuf,
    /// How long simulated CI and the reconciler take.
    pub delay: Duration,
}

fn git(dir: &Path, args: &[&str]) -> Result<(), Error> {
    let mut cmd = generate::git(dir);
    cmd.args(args);
    generate::run(cmd, &format!("git {}", args.join(" ")))
}

/// The origin URL of the demo clone.
pub fn origin() -> String {
    format!("https://{HOST}/{OWNER}/{NAME}.git")
}

impl Demo {
    /// Starts the demo under `dir`, generating what is missing and reusing
    /// what an earlier run left (so its branches and merges persist; the
    /// sandbox's pull requests do not). `delay` is how long simulated CI and
    /// the reconciler take.
    pub fn start(dir: &Path, delay: Duration) -> Result<Demo, Error> {
        Demo::start_on(dir, delay, Forge::Github)
    }

    /// Like [`Demo::start`], with the sandbox speaking `forge`'s API: the
    /// same repository behind GitHub's REST API or GitLab's, the clone's
    /// `hoist.forge` saying which (its host's name says nothing).
    pub fn start_on(dir: &Path, delay: Duration, forge: Forge) -> Result<Demo, Error> {
        std::fs::create_dir_all(dir)
            .map_err(Error::io(format!("cannot create {}", dir.display())))?;
        let bare = dir.join("github").join(OWNER).join(format!("{NAME}.git"));
        let clone = dir.join(NAME);
        if !bare.join("HEAD").is_file() {
            let source = generate::repository(spec(), &dir.join("generated"))?;
            let parent = bare.parent().unwrap_or(dir);
            std::fs::create_dir_all(parent)
                .map_err(Error::io(format!("cannot create {}", parent.display())))?;
            git(
                dir,
                &[
                    "clone",
                    "-q",
                    "--bare",
                    &source.to_string_lossy(),
                    &bare.to_string_lossy(),
                ],
            )?;
        }
        if !clone.join(".git").is_dir() {
            git(
                dir,
                &[
                    "clone",
                    "-q",
                    &bare.to_string_lossy(),
                    &clone.to_string_lossy(),
                ],
            )?;
            git(&clone, &["remote", "set-url", "origin", &origin()])?;
            let rewrite = format!("url.{}.insteadOf", bare.to_string_lossy());
            git(&clone, &["config", &rewrite, &origin()])?;
        }
        let mut config = Config::new(&bare, OWNER, NAME, LOGIN, TOKEN);
        config.forge = forge;
        // The apps' own repositories beside it, for their release notes.
        let apps = generate::app_names(SPEC.apps);
        let parent = bare.parent().unwrap_or(dir);
        config.sources = sources::ensure(&bare, &apps, parent)?
            .into_iter()
            .map(|(app, repo)| hoist_sandbox::Source {
                owner: OWNER.to_owned(),
                name: app,
                repo,
            })
            .collect();
        config.accounts.push(Account {
            login: "alice".into(),
            token: format!("{TOKEN}-alice"),
            scopes: vec!["repo".into()],
        });
        let scope = match forge {
            Forge::Github => "repo",
            Forge::Gitlab => "api",
        };
        for account in &mut config.accounts {
            account.scopes = vec![scope.into()];
        }
        config.collaborators = vec!["bob".into()];
        config.checks = vec!["validate-manifests".into()];
        config.reconciler = Some("argo-cd".into());
        config.delay = delay;
        let sandbox = Sandbox::start(config)?;
        let api = match forge {
            Forge::Github => {
                // A clone the GitLab demo used last time goes back to GitHub.
                let _ = git(&clone, &["config", "--unset", "hoist.forge"]);
                sandbox.url().to_owned()
            }
            Forge::Gitlab => {
                git(&clone, &["config", "hoist.forge", "gitlab"])?;
                format!("{}/api/v4", sandbox.url())
            }
        };
        git(
            &clone,
            &["config", hoist_github::connect::API_URL_KEY, &api],
        )?;
        Ok(Demo {
            clone,
            bare,
            sandbox,
            forge,
            dir: dir.to_owned(),
            delay,
        })
    }

    /// Keeps the demo's token in the OS keyring for its host, as `hoist auth
    /// login` would. Without a keyring, `GH_TOKEN` serves instead.
    pub fn sign_in(&self) -> Result<(), hoist_github::token::KeyringError> {
        let token = hoist_github::Token::new(TOKEN).expect("the demo token is not blank");
        hoist_github::token::store(HOST, &token)
    }
}
