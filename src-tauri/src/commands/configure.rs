//! The configuration editor: what detection saw, a draft built from it and
//! its matrix as it is written, then saving it into the clone's working
//! tree or proposing it as a pull request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use hoist_core::config::{self, App, Config, Environment};
use hoist_core::detect::{self, Reasons};
use hoist_core::status::Link;
use hoist_core::{Project, Repo};
use hoist_github::open::Opened;

use super::blocking;
use crate::view::{
    AppCandidate, ConfigDraft, DraftView, EnvironmentCandidate, EnvironmentDraft, Failure, Survey,
};
use hoist_api::Session;

/// An app the configuration editor offers, with why detection proposed it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub app: App,
    pub reason: String,
}

/// The apps the configuration editor last offered, by candidate id: a
/// draft names apps by id, so the web view never sends locators back.
#[derive(Default)]
pub struct Offered(Mutex<Vec<Candidate>>);

impl Offered {
    fn replace(&self, candidates: Vec<Candidate>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = candidates;
    }

    fn all(&self) -> Vec<Candidate> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Detection's proposal with the other places that could be environments.
#[tauri::command]
pub async fn survey(
    session: tauri::State<'_, Arc<Session>>,
    offered: tauri::State<'_, Arc<Offered>>,
) -> Result<Survey, Failure> {
    let session = Arc::clone(&session);
    let offered = Arc::clone(&offered);
    blocking("surveying the repository", move || {
        let repo = open_repo(&session)?;
        let survey = detect::survey(&repo).map_err(Failure::of)?;
        let mut environments = Vec::new();
        let mut candidates = Vec::new();
        let mut left_out = Vec::new();
        if let Some(d) = &survey.detection {
            for (i, env) in d.config.environments.iter().enumerate() {
                environments.push(EnvironmentCandidate {
                    name: env.name.clone(),
                    branch: env.branch.clone().unwrap_or_default(),
                    path: env.path.clone(),
                    // As written: absent means "the one above", so reordering moves it.
                    upstream: env.upstream.clone(),
                    next_branch: env.next_branch.clone(),
                    side: env.side,
                    chosen: true,
                    link: d.reasons.links.get(i).copied().unwrap_or(Link::Guessed),
                    reason: d.reasons.environments.get(i).cloned().unwrap_or_default(),
                });
            }
            candidates = d
                .config
                .apps
                .iter()
                .cloned()
                .zip(d.reasons.apps.iter().cloned())
                .map(|(app, reason)| Candidate { app, reason })
                .collect();
            left_out.clone_from(&d.reasons.left_out);
        }
        environments.extend(survey.places.into_iter().map(|p| EnvironmentCandidate {
            name: p.name,
            branch: p.branch,
            path: p.path,
            upstream: None,
            next_branch: None,
            side: false,
            chosen: false,
            link: Link::First,
            reason: p.origin,
        }));
        let apps = offer(&offered, candidates);
        Ok(Survey {
            environments,
            apps,
            problem: survey.problem,
            left_out,
        })
    })
    .await
}

/// The apps found in the environments the user chose.
#[tauri::command]
pub async fn rescan(
    session: tauri::State<'_, Arc<Session>>,
    offered: tauri::State<'_, Arc<Offered>>,
    environments: Vec<EnvironmentDraft>,
) -> Result<Vec<AppCandidate>, Failure> {
    let session = Arc::clone(&session);
    let offered = Arc::clone(&offered);
    blocking("looking for apps", move || {
        let repo = open_repo(&session)?;
        let envs: Vec<Environment> = environments.iter().map(environment).collect();
        let (apps, reasons) = detect::apps_for(&repo, &envs).map_err(Failure::of)?;
        let candidates = apps
            .into_iter()
            .zip(reasons)
            .map(|(app, reason)| Candidate { app, reason })
            .collect();
        Ok(offer(&offered, candidates))
    })
    .await
}

/// The draft's matrix and its `.hoist.yaml`; a draft that is not a valid
/// configuration fails with the line that is wrong.
#[tauri::command]
pub async fn draft_status(
    session: tauri::State<'_, Arc<Session>>,
    offered: tauri::State<'_, Arc<Offered>>,
    draft: ConfigDraft,
) -> Result<DraftView, Failure> {
    let session = Arc::clone(&session);
    let offered = Arc::clone(&offered);
    blocking("the draft's matrix", move || {
        let (config, yaml) = build(&offered, &draft)?;
        let repo = open_repo(&session)?;
        let status = Project::with_config(repo, config)
            .status()
            .map_err(Failure::of)?;
        Ok(DraftView { status, yaml })
    })
    .await
}

/// Writes the draft as `.hoist.yaml` into the clone's working tree and
/// reads the configuration from there from now on; returns the file's path.
#[tauri::command]
pub async fn save_config(
    session: tauri::State<'_, Arc<Session>>,
    offered: tauri::State<'_, Arc<Offered>>,
    draft: ConfigDraft,
) -> Result<String, Failure> {
    let session = Arc::clone(&session);
    let offered = Arc::clone(&offered);
    blocking("saving .hoist.yaml", move || {
        let (_, yaml) = build(&offered, &draft)?;
        let repo = open_repo(&session)?;
        let root = repo.work_dir().ok_or_else(|| {
            Failure::new(
                "this clone has no working tree to save .hoist.yaml into (it is bare)".to_owned(),
                Some("Propose the configuration as a pull request instead.".to_owned()),
            )
        })?;
        let path = write_config(root, &yaml)?;
        session.use_config_file(path.clone());
        Ok(path.display().to_string())
    })
    .await
}

/// Opens (or finds) the pull request adding the draft as `.hoist.yaml` to the default branch.
#[tauri::command]
pub async fn propose_draft(
    session: tauri::State<'_, Arc<Session>>,
    offered: tauri::State<'_, Arc<Offered>>,
    draft: ConfigDraft,
) -> Result<Opened, Failure> {
    let building = Arc::clone(&offered);
    let yaml = blocking("writing the configuration", move || {
        build(&building, &draft).map(|(_, yaml)| yaml)
    })
    .await?;
    let client = session.client().await?;
    Ok(client.propose_config(&yaml).await?)
}

/// Writes `yaml` as `.hoist.yaml` at the top of the working tree `root`,
/// whole or not at all: a temporary file beside it renamed over it, so a
/// failure leaves the old file as it was. A `.hoist.yaml` that is a symbolic
/// link is refused rather than written through: the clone's content is not
/// ours, and a link could point anywhere on the disk.
fn write_config(root: &std::path::Path, yaml: &str) -> Result<std::path::PathBuf, Failure> {
    use std::io::Write;
    let path = root.join(hoist_core::project::CONFIG_FILE);
    let failed = |e: std::io::Error| {
        Failure::new(
            format!("could not write {}: {e}", path.display()),
            Some("Check the folder's permissions, or propose it as a pull request.".to_owned()),
        )
    };
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Failure::new(
            format!(
                "{} is a symbolic link; Hoist does not write through links in a clone",
                path.display()
            ),
            Some("Remove the link, or propose the configuration as a pull request.".to_owned()),
        ));
    }
    let mut file = tempfile::Builder::new()
        .prefix(".hoist.yaml.")
        .tempfile_in(root)
        .map_err(failed)?;
    file.write_all(yaml.as_bytes()).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    // A configuration is shared through git: readable like any file there.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(failed)?;
    }
    file.persist(&path).map_err(|e| failed(e.error))?;
    Ok(path)
}

fn open_repo(session: &Session) -> Result<Repo, Failure> {
    Repo::open(&session.repository()).map_err(Failure::of)
}

/// Keeps `candidates` as the ones offered and describes them for the web view.
fn offer(offered: &Offered, candidates: Vec<Candidate>) -> Vec<AppCandidate> {
    let described = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| AppCandidate {
            id: u32::try_from(i).unwrap_or(u32::MAX),
            name: c.app.name.clone(),
            file: c.app.file.clone(),
            locator: c.app.locator.to_string(),
            base: c
                .app
                .base
                .as_ref()
                .map(|b| format!("{} {}", b.file, b.locator)),
            environments: c.app.environments.clone(),
            reason: c.reason.clone(),
        })
        .collect();
    offered.replace(candidates);
    described
}

fn environment(draft: &EnvironmentDraft) -> Environment {
    let blank = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    Environment {
        name: draft.name.trim().to_owned(),
        branch: Some(draft.branch.clone()),
        path: if draft.path.trim().is_empty() {
            ".".to_owned()
        } else {
            draft.path.clone()
        },
        upstream: blank(&draft.upstream),
        next_branch: blank(&draft.next_branch),
        side: draft.side,
    }
}

/// The configuration a draft describes, checked as `.hoist.yaml` is, and its text.
fn build(offered: &Offered, draft: &ConfigDraft) -> Result<(Config, String), Failure> {
    let environments: Vec<Environment> = draft.environments.iter().map(environment).collect();
    // Apps name environments by the names the survey gave them.
    let renamed: BTreeMap<String, String> = draft
        .environments
        .iter()
        .filter_map(|e| e.was.clone().map(|was| (was, e.name.trim().to_owned())))
        .collect();
    let known = |name: &str| environments.iter().any(|e| e.name == name);
    let offered = offered.all();
    let mut apps = Vec::new();
    let mut reasons = Vec::new();
    for id in &draft.apps {
        let Some(candidate) = usize::try_from(*id).ok().and_then(|i| offered.get(i)) else {
            return Err(Failure::new(
                format!("app candidate {id} is no longer offered"),
                Some("Look for apps again.".to_owned()),
            ));
        };
        let mut app: App = candidate.app.clone();
        let rename = |n: &String| renamed.get(n).cloned().unwrap_or_else(|| n.clone());
        app.environments = app.environments.map(|envs| {
            envs.iter()
                .map(rename)
                .filter(|n| known(n))
                .collect::<Vec<_>>()
        });
        app.overrides = app
            .overrides
            .iter()
            .map(|(env, over)| (rename(env), over.clone()))
            .filter(|(env, _)| known(env))
            .collect();
        apps.push(app);
        reasons.push(candidate.reason.clone());
    }
    let config = Config {
        environments,
        apps,
        pr: Default::default(),
        locks: Vec::new(),
        freezes: Vec::new(),
        forge: None,
        tickets: None,
    };
    let yaml = detect::render(
        &config,
        &Reasons {
            apps: reasons,
            ..Reasons::default()
        },
    );
    // What the editor writes must load as any `.hoist.yaml` does.
    config::parse(&yaml, "the draft")
        .map(|checked| (checked, yaml))
        .map_err(|e| {
            Failure::new(
                e.to_string(),
                Some("Change the environment or app the message names.".to_owned()),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::write_config;

    #[test]
    fn the_configuration_replaces_the_file_whole() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(".hoist.yaml"), "old: true\n").expect("old");
        let path = write_config(dir.path(), "environments: []\n").expect("written");
        assert_eq!(
            std::fs::read_to_string(path).expect("read"),
            "environments: []\n"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left, [".hoist.yaml"], "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_the_clone_is_not_written_through() {
        let dir = tempfile::tempdir().expect("dir");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "precious\n").expect("target");
        let clone = dir.path().join("clone");
        std::fs::create_dir(&clone).expect("clone");
        std::os::unix::fs::symlink(&elsewhere, clone.join(".hoist.yaml")).expect("link");
        let failure = write_config(&clone, "environments: []\n").expect_err("refused");
        assert!(
            failure.message.contains("symbolic link"),
            "{}",
            failure.message
        );
        assert_eq!(
            std::fs::read_to_string(&elsewhere).expect("read"),
            "precious\n"
        );
    }
}
