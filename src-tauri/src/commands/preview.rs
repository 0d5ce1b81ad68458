//! Previews: promotion, rollback and comparison plans with their diffs.

use std::sync::Arc;

use hoist_core::diff::FileDiff;
use hoist_core::plan::{self, Mode, Options, PlanKind, PromotionPlan};
use hoist_core::point::Point;

use super::blocking;
use crate::session::{Previewed, Session};
use crate::view::{Failure, Preview};

/// Lines of context around each change in a first preview.
const CONTEXT: usize = 3;

/// Previews promoting `apps` (every app that differs when empty) from
/// `source` to `target`. `None`: nothing to promote.
#[tauri::command]
pub async fn preview_promotion(
    session: tauri::State<'_, Arc<Session>>,
    source: String,
    target: String,
    apps: Vec<String>,
    sync: bool,
    base: bool,
) -> Result<Option<Preview>, Failure> {
    let session = Arc::clone(&session);
    blocking("the preview", move || {
        let project = session.project()?;
        let source = Point::parse(&source).map_err(Failure::of)?;
        let options = Options {
            mode: if sync { Mode::Sync } else { Mode::Version },
            base,
            ..Options::default()
        };
        let plan = plan::promotion_with(&project, &source, &target, &apps, &options)
            .map_err(Failure::of)?;
        Ok(plan.map(|plan| preview(&session, &project, plan)))
    })
    .await
}

/// Previews setting `environment`'s apps back to what they ran at commit
/// `to` (every app that differs when `apps` is empty).
#[tauri::command]
pub async fn preview_rollback(
    session: tauri::State<'_, Arc<Session>>,
    environment: String,
    to: String,
    apps: Vec<String>,
) -> Result<Option<Preview>, Failure> {
    let session = Arc::clone(&session);
    blocking("the rollback preview", move || {
        let project = session.project()?;
        let at = Point::parse(&format!("{environment}@{to}"))
            .map_err(Failure::of)?
            .at;
        let plan = plan::rollback(&project, &environment, at, &apps).map_err(Failure::of)?;
        Ok(plan.map(|plan| preview(&session, &project, plan)))
    })
    .await
}

/// How two points (`prod`, `prod@a1b2c3d`, `prod@2026-11-20T17:00`) differ.
#[tauri::command]
pub async fn compare(
    session: tauri::State<'_, Arc<Session>>,
    from: String,
    to: String,
    apps: Vec<String>,
) -> Result<Option<Preview>, Failure> {
    let session = Arc::clone(&session);
    blocking("the comparison", move || {
        let project = session.project()?;
        let from = Point::parse(&from).map_err(Failure::of)?;
        let to = Point::parse(&to).map_err(Failure::of)?;
        let plan = plan::compare(&project, &from, &to, &apps).map_err(Failure::of)?;
        Ok(plan.map(|plan| preview(&session, &project, plan)))
    })
    .await
}

/// One file of a previewed plan with `context` lines around each change;
/// a large context shows the whole file.
#[tauri::command]
pub async fn file_diff(
    session: tauri::State<'_, Arc<Session>>,
    plan: String,
    path: String,
    context: usize,
) -> Result<FileDiff, Failure> {
    let previewed = session.plan(&plan)?;
    blocking("the diff", move || {
        previewed
            .plan
            .files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.diff(context))
            .ok_or_else(|| Failure::new(format!("the preview does not change {path}"), None))
    })
    .await
}

fn preview(session: &Session, project: &hoist_core::Project, plan: PromotionPlan) -> Preview {
    let diffs = plan.files.iter().map(|f| f.diff(CONTEXT)).collect();
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
