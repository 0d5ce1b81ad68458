//! Previews: promotion, rollback and comparison plans with their diffs,
//! kept in the session under the id a pull request is later opened from.

use hoist_core::diff::FileDiff;
use hoist_core::plan::{self, Options, PlanKind, PromotionPlan};
use hoist_core::point::Point;
use serde::Serialize;

use crate::{Error, Previewed, Session};

/// Lines of context around each change in a first preview.
pub const CONTEXT: usize = 3;

/// A previewed plan: what opening its pull request would change.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Preview {
    /// The id to open the pull request with; the plan itself stays in Rust.
    pub id: String,
    /// The plan.
    pub plan: PromotionPlan,
    /// Per file, the diff with the asked context.
    pub diffs: Vec<FileDiff>,
    /// The pull request's title, as it will be opened; `None` for a comparison.
    pub title: Option<String>,
    /// The branch it will be opened from; `None` for a comparison.
    pub branch: Option<String>,
    /// The pull request needs a reason: a rollback, or a lock or freeze to override.
    pub reason_required: bool,
}

/// Promoting `apps` (every app that differs when empty) from `source` (an
/// environment or a point of its history: `dev`, `dev@a1b2c3d`) to
/// `target`. `None`: nothing to promote.
pub fn promotion(
    session: &Session,
    source: &str,
    target: &str,
    apps: &[String],
    options: &Options,
    context: usize,
) -> Result<Option<Preview>, Error> {
    let project = session.project()?;
    let source = Point::parse(source)?;
    let plan = plan::promotion_with(&project, &source, target, apps, options)?;
    Ok(plan.map(|plan| keep(session, &project, plan, context)))
}

/// Setting `environment`'s apps back to what they ran at `to` (a commit or
/// a date; every app that differs when `apps` is empty).
pub fn rollback(
    session: &Session,
    environment: &str,
    to: &str,
    apps: &[String],
    context: usize,
) -> Result<Option<Preview>, Error> {
    let project = session.project()?;
    let at = Point::parse(&format!("{environment}@{to}"))?.at;
    let plan = plan::rollback(&project, environment, at, apps)?;
    Ok(plan.map(|plan| keep(session, &project, plan, context)))
}

/// How two points (`prod`, `prod@a1b2c3d`, `prod@2026-11-20T17:00`) differ.
pub fn compare(
    session: &Session,
    from: &str,
    to: &str,
    apps: &[String],
    context: usize,
) -> Result<Option<Preview>, Error> {
    let project = session.project()?;
    let from = Point::parse(from)?;
    let to = Point::parse(to)?;
    let plan = plan::compare(&project, &from, &to, apps)?;
    Ok(plan.map(|plan| keep(session, &project, plan, context)))
}

/// One file of the preview `id` with `context` lines around each change;
/// a large context shows the whole file.
pub fn file_diff(
    session: &Session,
    id: &str,
    path: &str,
    context: usize,
) -> Result<FileDiff, Error> {
    let previewed = session.plan(id)?;
    previewed
        .plan
        .files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.diff(context))
        .ok_or_else(|| Error::NotInPreview {
            path: path.to_owned(),
        })
}

/// Keeps `plan` with the settings its pull request will be drawn from.
fn keep(
    session: &Session,
    project: &hoist_core::Project,
    plan: PromotionPlan,
    context: usize,
) -> Preview {
    let diffs = plan.files.iter().map(|f| f.diff(context)).collect();
    // The draft's title and branch do not depend on the reason; any will do.
    let draft = plan.pull_request(&project.config.pr, Some("preview")).ok();
    let reason_required = plan.kind == PlanKind::Rollback || plan.blocked;
    let id = session.remember(Previewed {
        plan: plan.clone(),
        settings: project.config.pr.clone(),
    });
    Preview {
        id,
        title: draft.as_ref().map(|d| d.title.clone()),
        branch: draft.map(|d| d.branch),
        reason_required,
        diffs,
        plan,
    }
}
