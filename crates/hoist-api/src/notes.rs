//! Release notes of a preview's apps, from their source repositories: what
//! the version delta of each app brings, grouped (breaking changes,
//! features, fixes, the rest). Never in the preview's way: a front end asks
//! after showing it, each app's notes arrive on their own, and an app whose
//! notes cannot be read says why without stopping the others or the
//! promotion.
//!
//! A comparison of two tags never changes, so a session with a cache
//! directory keeps each one on disk and never asks for it again.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use hoist_core::forge::Forge;
use hoist_core::notes::{Note, SourceNotes};
use hoist_core::source::SourceRef;
use hoist_forge::policy::Policy;
use hoist_github::notes::Delta;
use serde::Serialize;

use crate::{Error, Session, Work};

/// One app's release notes, or why there are none.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AppNotes {
    /// The app.
    pub app: String,
    /// Where they come from (an inferred source says so).
    pub source: SourceRef,
    /// The source's change requests, each at `/<number>` below.
    pub changes: String,
    /// The source's issues, each at `/<number>` below.
    pub issues: String,
    /// The notes, or why not.
    pub outcome: NotesOutcome,
}

/// The notes of an app, or why they could not be read.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NotesOutcome {
    /// Read (now, or from the cache).
    Ready {
        /// Grouped, breaking changes first.
        notes: Vec<Note>,
        /// How many commits the versions are apart.
        commits: usize,
        /// Whether some were left out (a very long delta).
        truncated: bool,
    },
    /// Not read, and why.
    Unavailable {
        /// Why, as a kind a front end can act on.
        reason: Unavailable,
        /// Why, in words.
        message: String,
    },
}

/// Why an app's notes could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    /// No token for the source's host, or one it refuses.
    NoToken,
    /// The repository is not there, or the token cannot see it.
    NotFound,
    /// The repository is there, a version's tag is not.
    TagMissing,
    /// The forge's rate limit holds.
    RateLimited,
    /// A forge Hoist does not read notes from yet.
    Unsupported,
    /// The user stopped the work.
    Stopped,
    /// Anything else the forge or the network said.
    Failed,
}

/// The notes of each app of preview `id` that has a source repository, in
/// the preview's order, each given to `on_app` as soon as it is read.
/// Stopped between apps by [`Work::Notes`]. The notes read are kept with
/// the preview: the pull request opened from it shows them.
///
/// Only a promotion has notes: a rollback's or a comparison's versions do
/// not move forward along the source's history.
pub async fn of_preview(
    session: &Session,
    id: &str,
    on_app: &(dyn Fn(&AppNotes) + Send + Sync),
) -> Result<Vec<AppNotes>, Error> {
    let previewed = session.plan(id)?;
    if previewed.plan.kind != hoist_core::plan::PlanKind::Promotion {
        return Ok(Vec::new());
    }
    let cancel = session.start_work(Work::Notes);
    let all = of_plan(session, &previewed.plan, &cancel, on_app).await;
    session.keep_notes(id, all.iter().filter_map(AppNotes::read).collect());
    Ok(all)
}

/// The notes of each app of `plan` that has a source repository, each
/// given to `on_app` as soon as it is read; those not read when `cancel`
/// is set say they were stopped.
pub(crate) async fn of_plan(
    session: &Session,
    plan: &hoist_core::plan::PromotionPlan,
    cancel: &AtomicBool,
    on_app: &(dyn Fn(&AppNotes) + Send + Sync),
) -> Vec<AppNotes> {
    let tickets = session.project().ok().and_then(|p| p.config.tickets);
    let mut all = Vec::new();
    for change in &plan.apps {
        let Some(source) = &change.source else {
            continue;
        };
        let outcome = if cancel.load(Ordering::Relaxed) {
            unavailable(Unavailable::Stopped, "stopped".to_owned())
        } else {
            let tickets = tickets.as_ref().map(|t| t.as_notes());
            read(session, source, tickets.as_ref()).await
        };
        let notes = AppNotes::new(&change.app, source.clone(), outcome);
        on_app(&notes);
        all.push(notes);
    }
    all
}

/// The notes of one version change of an environment's history, as
/// History shows them when it is selected; `None` when the app has no
/// source repository.
pub async fn of_change(
    session: &Session,
    change: &hoist_core::source::Change<'_>,
) -> Result<Option<AppNotes>, Error> {
    // The project is read and dropped before any request: the future
    // holds nothing of it across an await.
    let (source, tickets) = {
        let project = session.project()?;
        (
            hoist_core::source::of_change(&project, change),
            project.config.tickets,
        )
    };
    let Some(source) = source else {
        return Ok(None);
    };
    let tickets = tickets.as_ref().map(|t| t.as_notes());
    let outcome = read(session, &source, tickets.as_ref()).await;
    Ok(Some(AppNotes::new(change.app, source, outcome)))
}

impl AppNotes {
    /// `app`'s notes from `source`, with where its numbers link to.
    fn new(app: &str, source: SourceRef, outcome: NotesOutcome) -> AppNotes {
        AppNotes {
            app: app.to_owned(),
            changes: source.forge.changes_url(&source.url),
            issues: source.forge.issues_url(&source.url),
            source,
            outcome,
        }
    }

    /// The notes as a pull request's body shows them, when they were read.
    pub(crate) fn read(&self) -> Option<SourceNotes> {
        match &self.outcome {
            NotesOutcome::Ready {
                notes,
                commits,
                truncated,
            } => Some(SourceNotes {
                app: self.app.clone(),
                source: self.source.clone(),
                notes: notes.clone(),
                commits: *commits,
                truncated: *truncated,
            }),
            NotesOutcome::Unavailable { .. } => None,
        }
    }
}

fn unavailable(reason: Unavailable, message: String) -> NotesOutcome {
    NotesOutcome::Unavailable { reason, message }
}

/// One source's notes: from the cache, else from its forge (then cached).
async fn read(
    session: &Session,
    source: &SourceRef,
    tickets: Option<&hoist_core::notes::Tickets<'_>>,
) -> NotesOutcome {
    let cached = session.cache_dir().map(|dir| cache_file(&dir, source));
    if let Some(delta) = cached.as_deref().and_then(load) {
        return ready(delta);
    }
    if source.forge != Forge::GitHub {
        return unavailable(
            Unavailable::Unsupported,
            format!(
                "Hoist reads release notes from GitHub only yet; {} is on {}",
                source.path,
                source.forge.name()
            ),
        );
    }
    let client = match github_client(session, source) {
        Ok(client) => client,
        Err(outcome) => return outcome,
    };
    match hoist_github::notes::between(&client, &source.from_tag, &source.to_tag, tickets).await {
        Ok(delta) => {
            if let Some(file) = &cached {
                // A cache that cannot be written costs a second reading next time.
                let _ = save(file, &delta);
            }
            ready(delta)
        }
        Err(e) => why(&client, source, e).await,
    }
}

fn ready(delta: Delta) -> NotesOutcome {
    NotesOutcome::Ready {
        notes: delta.notes,
        commits: delta.commits,
        truncated: delta.truncated,
    }
}

/// A client for the source repository: the origin's API and token when it
/// is on the origin's host, else the host's own API and the token kept for
/// that host; a token only ever goes to its own host's API.
fn github_client(
    session: &Session,
    source: &SourceRef,
) -> Result<hoist_github::Client, NotesOutcome> {
    let (owner, name) = source.path.split_once('/').ok_or_else(|| {
        unavailable(
            Unavailable::NotFound,
            format!("{} is not an owner/name on GitHub", source.path),
        )
    })?;
    let remote = hoist_github::Remote {
        host: source.host.clone(),
        owner: owner.to_owned(),
        name: name.to_owned(),
    };
    let origin = session
        .host(None)
        .ok()
        .filter(|h| h.forge == Forge::GitHub && h.host.eq_ignore_ascii_case(&source.host));
    let (api, token) = match origin {
        Some(h) => (h.api, h.token),
        // A host `.hoist.yaml` names gets only a token kept for it by name.
        None => (
            remote.api_url(&hoist_github::connect::hosts()),
            hoist_github::token::find_for_named_host(&source.host).map(|(t, s)| (t, s.describe())),
        ),
    };
    let Some((token, _)) = token else {
        return Err(unavailable(
            Unavailable::NoToken,
            format!(
                "no GitHub token for {}: sign in to it (hoist auth login --host {})",
                source.host, source.host
            ),
        ));
    };
    hoist_github::Client::new(&remote, &api, &token, Policy::default())
        .map_err(|e| unavailable(Unavailable::Failed, e.to_string()))
}

/// Why reading failed, as a kind: a repository that is there but answers
/// "not found" to the comparison is missing a tag.
async fn why(
    client: &hoist_github::Client,
    source: &SourceRef,
    e: hoist_github::Error,
) -> NotesOutcome {
    use hoist_github::Error as E;
    let message = e.to_string();
    let reason = match e {
        E::NotFound { .. } => {
            let here = client
                .get_optional(&client.repo_path(""), "the repository")
                .await;
            return match here {
                Ok(Some(_)) => unavailable(
                    Unavailable::TagMissing,
                    format!(
                        "{} has no tag {} or {}; set the app's source tag_prefix or tag_pattern in .hoist.yaml",
                        source.path, source.from_tag, source.to_tag
                    ),
                ),
                _ => unavailable(
                    Unavailable::NotFound,
                    format!(
                        "{} was not found on {}, or the token cannot see it{}",
                        source.path,
                        source.host,
                        if source.inferred {
                            " (inferred from the image: set the app's source in .hoist.yaml)"
                        } else {
                            ""
                        }
                    ),
                ),
            };
        }
        E::NoToken { .. }
        | E::Unauthorized { .. }
        | E::MissingScope { .. }
        | E::SsoRequired { .. } => Unavailable::NoToken,
        E::RateLimited { .. } => Unavailable::RateLimited,
        E::Cancelled => Unavailable::Stopped,
        _ => Unavailable::Failed,
    };
    unavailable(reason, message)
}

/// The cache file of one comparison: named by a hash (FNV-1a, the same in
/// every build) of what identifies it.
fn cache_file(dir: &Path, source: &SourceRef) -> PathBuf {
    let key = format!(
        "{CACHE_VERSION}\n{}\n{}\n{}\n{}",
        source.host, source.path, source.from_tag, source.to_tag
    );
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    dir.join("notes").join(format!("{hash:016x}.json"))
}

/// Bumped when what is cached changes shape or meaning.
const CACHE_VERSION: u32 = 1;

fn load(file: &Path) -> Option<Delta> {
    serde_json::from_slice(&std::fs::read(file).ok()?).ok()
}

/// Writes the file whole or not at all: a half-written cache is never read.
fn save(file: &Path, delta: &Delta) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let partial = file.with_extension(format!("{}.partial", std::process::id()));
    std::fs::write(
        &partial,
        serde_json::to_vec(delta).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(partial, file)
}
