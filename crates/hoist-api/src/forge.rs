//! The forge a session talks to, dispatched by an enum: each operation the
//! surface offers, as GitHub and as GitLab do it, answering in the
//! forge-neutral types of `hoist-forge`.

use std::sync::atomic::AtomicBool;

use hoist_core::forge::Forge;
use hoist_forge::change::{Opened, Request, Step, Tracked};
use hoist_forge::checks::Checks;
use hoist_forge::policy::{OnWait, Policy};
use hoist_forge::token::Token;

use crate::Error;

/// A client for the session's repository on its forge.
pub enum Client {
    /// A repository on GitHub (or GitHub Enterprise).
    GitHub(hoist_github::Client),
    /// A project on GitLab.
    GitLab(hoist_gitlab::Client),
}

/// An open change request from a branch: what the environments' lanes
/// show of a hydrator's promoter.
pub struct OpenChange {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its page.
    pub url: String,
    /// Its source branch.
    pub branch: String,
}

impl Client {
    /// Which forge.
    pub fn forge(&self) -> Forge {
        match self {
            Client::GitHub(_) => Forge::GitHub,
            Client::GitLab(_) => Forge::GitLab,
        }
    }

    /// Opens, resumes or updates the change request for `request`.
    pub async fn open(
        &self,
        request: &Request<'_>,
        on_step: &(dyn Fn(Step) + Send + Sync),
        cancel: &AtomicBool,
    ) -> Result<Opened, Error> {
        Ok(match self {
            Client::GitHub(c) => hoist_github::open::open(c, request, on_step, cancel).await?,
            Client::GitLab(c) => hoist_gitlab::open::open(c, request, on_step, cancel).await?,
        })
    }

    /// Hoist's open change requests (branches under `prefix`).
    pub async fn list(&self, prefix: &str) -> Result<Vec<Tracked>, Error> {
        Ok(match self {
            Client::GitHub(c) => {
                let ownership = hoist_github::ownership::Ownership::of(c, prefix).await?;
                hoist_github::track::open(c, &ownership).await?
            }
            Client::GitLab(c) => {
                let ownership = hoist_gitlab::track::Ownership::of(c, prefix).await?;
                hoist_gitlab::track::open(c, &ownership).await?
            }
        })
    }

    /// Hoist's change requests into `target` closed or merged lately that
    /// belong to one of `trains`.
    pub async fn closed_of_trains(
        &self,
        prefix: &str,
        target: &str,
        trains: &[String],
    ) -> Result<Vec<Tracked>, Error> {
        Ok(match self {
            Client::GitHub(c) => {
                let ownership = hoist_github::ownership::Ownership::of(c, prefix).await?;
                hoist_github::track::closed_of_trains(c, &ownership, target, trains).await?
            }
            Client::GitLab(c) => {
                let ownership = hoist_gitlab::track::Ownership::of(c, prefix).await?;
                hoist_gitlab::track::closed_of_trains(c, &ownership, target, trains).await?
            }
        })
    }

    /// One of Hoist's change requests, open or not.
    pub async fn get(&self, prefix: &str, number: u64) -> Result<Tracked, Error> {
        Ok(match self {
            Client::GitHub(c) => {
                let ownership = hoist_github::ownership::Ownership::of(c, prefix).await?;
                hoist_github::track::pull(c, &ownership, number).await?
            }
            Client::GitLab(c) => {
                let ownership = hoist_gitlab::track::Ownership::of(c, prefix).await?;
                hoist_gitlab::track::request(c, &ownership, number).await?
            }
        })
    }

    /// Sets Hoist's change request `number` to merge when its pipeline
    /// succeeds (GitLab); the change request as it is then.
    pub async fn merge_when_green(
        &self,
        prefix: &str,
        number: u64,
        head: &str,
    ) -> Result<Tracked, Error> {
        match self {
            Client::GitHub(_) => Err(Error::Unsupported {
                what: "merging when the pipeline succeeds",
                forge: Forge::GitHub,
            }),
            Client::GitLab(c) => {
                let ownership = hoist_gitlab::track::Ownership::of(c, prefix).await?;
                Ok(hoist_gitlab::track::merge_when_green(c, &ownership, number, head).await?)
            }
        }
    }

    /// The checks on commit `sha`.
    pub async fn checks(&self, sha: &str) -> Result<Checks, Error> {
        Ok(match self {
            Client::GitHub(c) => hoist_github::track::checks(c, sha).await?,
            Client::GitLab(c) => hoist_gitlab::track::checks(c, sha).await?,
        })
    }

    /// Merges Hoist's change request `number` at `head`; the target's new commit.
    pub async fn merge(&self, prefix: &str, number: u64, head: &str) -> Result<String, Error> {
        Ok(match self {
            Client::GitHub(c) => {
                let ownership = hoist_github::ownership::Ownership::of(c, prefix).await?;
                hoist_github::track::merge(c, &ownership, number, head).await?
            }
            Client::GitLab(c) => {
                let ownership = hoist_gitlab::track::Ownership::of(c, prefix).await?;
                hoist_gitlab::track::merge(c, &ownership, number, head).await?
            }
        })
    }

    /// Opens (or finds) the change request adding `yaml` as `.hoist.yaml`
    /// to the default branch.
    pub async fn propose_config(&self, yaml: &str) -> Result<Opened, Error> {
        Ok(match self {
            Client::GitHub(c) => hoist_github::propose::configuration(c, yaml).await?,
            Client::GitLab(c) => hoist_gitlab::propose::configuration(c, yaml).await?,
        })
    }

    /// The open change requests into `target` from branches of this
    /// repository (not forks), whoever opened them.
    pub async fn open_from_here(&self, target: &str) -> Result<Vec<OpenChange>, Error> {
        Ok(match self {
            Client::GitHub(c) => hoist_github::open::open_pulls(c, target)
                .await?
                .into_iter()
                .filter(|p| hoist_github::ownership::is_here(c, p.head_repository.as_deref()))
                .map(|p| OpenChange {
                    number: p.number,
                    title: p.title,
                    url: p.url,
                    branch: p.branch,
                })
                .collect(),
            Client::GitLab(c) => {
                let ownership = hoist_gitlab::track::Ownership::of(c, "").await?;
                hoist_gitlab::track::open_requests(c, Some(target))
                    .await?
                    .into_iter()
                    .filter(|mr| ownership.is_here(mr))
                    .map(|mr| OpenChange {
                        number: mr["iid"].as_u64().unwrap_or_default(),
                        title: mr["title"].as_str().unwrap_or_default().to_owned(),
                        url: mr["web_url"].as_str().unwrap_or_default().to_owned(),
                        branch: mr["source_branch"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            }
        })
    }
}

/// Where a clone's calls go: its forge, the API, the repository there, and
/// the token (if any) with where it comes from.
pub struct Host {
    /// The forge.
    pub forge: Forge,
    /// The host's name.
    pub host: String,
    /// The API's base URL.
    pub api: String,
    /// The token and a few words on where it comes from.
    pub token: Option<(Token, &'static str)>,
    /// The forge-specific address of the repository.
    target: Target,
}

enum Target {
    GitHub(hoist_github::Remote),
    GitLab(hoist_gitlab::Project),
}

/// The clone's forge: `hoist.forge` in its git config (the user's own
/// word), else what the origin's host says, else `forge:` in `.hoist.yaml`
/// (the repository's content, so it never overrules a host that says),
/// else GitHub (whose Enterprise hosts are known by their saved API URL).
pub fn forge_of(repo: &hoist_core::Repo, configured: Option<Forge>) -> Result<Forge, Error> {
    if let Some(value) = repo.config_value("hoist.forge") {
        return match value.trim().to_ascii_lowercase().as_str() {
            "github" => Ok(Forge::GitHub),
            "gitlab" => Ok(Forge::GitLab),
            _ => Err(Error::UnknownForge { value }),
        };
    }
    let origin = repo.config_value("remote.origin.url");
    let host = origin
        .as_deref()
        .and_then(|url| gix::url::parse(url.trim().as_bytes()).ok())
        .and_then(|u| u.host().map(str::to_owned));
    Ok(host
        .as_deref()
        .and_then(Forge::of_host)
        .or(configured)
        .unwrap_or(Forge::GitHub))
}

/// The host of the clone `repo` on `forge`. `api_url` names the API of a
/// host not saved yet (at sign-in), else the clone's `hoist.apiUrl` counts;
/// `token` is one handed over in memory (the demo's), else the host's is found.
pub fn host(
    repo: &hoist_core::Repo,
    forge: Forge,
    api_url: Option<&str>,
    token: Option<(Token, &'static str)>,
) -> Result<Host, Error> {
    match forge {
        Forge::GitHub => {
            let h = hoist_github::connect::host(repo, api_url, token)?;
            Ok(Host {
                forge,
                host: h.remote.host.clone(),
                api: h.api,
                token: h.token,
                target: Target::GitHub(h.remote),
            })
        }
        Forge::GitLab => {
            let origin = repo
                .config_value("remote.origin.url")
                .ok_or(hoist_github::Error::NoOrigin)?;
            let project = hoist_gitlab::Project::parse(&origin)?;
            let api = api_url
                .map(str::to_owned)
                .or_else(|| hoist_github::connect::api_url_setting(repo))
                .unwrap_or_else(|| project.api_url());
            // gitlab.com's API is gitlab.com/api/v4: no setting sends its
            // token elsewhere.
            if project.host == "gitlab.com" && api.trim_end_matches('/') != project.api_url() {
                return Err(hoist_gitlab::Error::ApiUrl {
                    url: api,
                    host: project.host,
                    problem: "gitlab.com's API is https://gitlab.com/api/v4".to_owned(),
                }
                .into());
            }
            let token = token.or_else(|| {
                hoist_gitlab::token::find(&project.host).map(|(t, s)| (t, s.describe()))
            });
            Ok(Host {
                forge,
                host: project.host.clone(),
                api,
                token,
                target: Target::GitLab(project),
            })
        }
    }
}

impl Host {
    /// A client with the host's token.
    pub fn client(&self, policy: Policy, on_wait: Option<OnWait>) -> Result<Client, Error> {
        let Some((token, _)) = &self.token else {
            return Err(match self.forge {
                Forge::GitHub => hoist_github::Error::NoToken {
                    host: self.host.clone(),
                    variable: hoist_github::token::variables(&self.host)[0].0,
                }
                .into(),
                Forge::GitLab => hoist_gitlab::Error::NoToken {
                    host: self.host.clone(),
                }
                .into(),
            });
        };
        Ok(match &self.target {
            Target::GitHub(remote) => {
                let mut c = hoist_github::Client::new(remote, &self.api, token, policy)?;
                if let Some(on_wait) = on_wait {
                    c = c.with_on_wait(on_wait);
                }
                Client::GitHub(c)
            }
            Target::GitLab(project) => {
                let mut c = hoist_gitlab::Client::new(project, &self.api, token, policy)?;
                if let Some(on_wait) = on_wait {
                    c = c.with_on_wait(on_wait);
                }
                Client::GitLab(c)
            }
        })
    }
}
