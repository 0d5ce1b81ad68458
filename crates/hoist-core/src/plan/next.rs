//! Promotions into an environment whose manifests a hydrator renders (Argo
//! CD's source hydrator, GitOps Promoter): the hydrator has already written
//! the next state onto the environment's next branch, so the promotion is
//! the pull request that merges that branch. Nothing is edited; the preview
//! is the difference between the two branches.

use super::{
    AppChange, Edit, Error, FileChange, PlanKind, PromotionPlan, Request, Side, Warning, guards,
};
use crate::Project;
use crate::hydrator;
use crate::read::Source;
use crate::repo;

pub(super) fn plan(
    project: &Project,
    request: &Request<'_>,
    source: &Side<'_>,
    target: &Side<'_>,
    next: &str,
) -> Result<Option<PromotionPlan>, Error> {
    let repo = &project.repo;
    let config = &project.config;
    let target_env = target.0.env;
    let head = match repo.branch_tip(next) {
        Ok(tip) => tip,
        Err(repo::Error::MissingBranch { .. }) => {
            return Err(Error::MissingNext {
                environment: target_env.name.clone(),
                branch: next.to_owned(),
            });
        }
        Err(e) => return Err(target.repo_error(e)),
    };
    let base = target.0.commit;
    let files = differing_files(project, target, base, head)?;
    if files.is_empty() {
        return Ok(None);
    }
    let (base_tree, head_tree) = (
        repo.tree_of(base).map_err(|e| target.repo_error(e))?,
        repo.tree_of(head).map_err(|e| target.repo_error(e))?,
    );
    // Every app whose version the merge changes comes along, chosen or not.
    let mut changes = Vec::new();
    for app in config.apps.iter().filter(|a| a.runs_in(target_env)) {
        let where_ = Source::of(app, target_env);
        let read = |tree| {
            where_
                .read(repo, tree)
                .map(|r| r.ok().map(|r| r.version))
                .map_err(|e| target.repo_error(e))
        };
        let (Some(from), Some(to)) = (read(base_tree)?, read(head_tree)?) else {
            continue;
        };
        if from != to {
            changes.push(AppChange {
                app: app.name.clone(),
                file: where_.own.file.clone(),
                compare: app.source.as_ref().map(|s| s.compare_url(&from, &to)),
                // Dry commits of this repository: their notes are the dry branch's.
                source: None,
                from,
                to,
                edit: Edit::Files,
            });
        }
    }
    let mut warnings = guards::warnings(project, request, source, target, &changes)?;
    let unchosen: Vec<String> = changes
        .iter()
        .filter(|c| !request.apps.is_empty() && !request.apps.contains(&c.app))
        .map(|c| c.app.clone())
        .collect();
    if !unchosen.is_empty() {
        warnings.push(Warning::Bundled {
            message: format!(
                "the pull request from {next} also promotes {}: a hydrator's branch is merged whole",
                unchosen.join(", ")
            ),
            apps: unchosen,
        });
    }
    if source.0.env.name != target_env.name {
        for change in &changes {
            let Some(app) = config.apps.iter().find(|a| a.name == change.app) else {
                continue;
            };
            if !app.runs_in(source.0.env) {
                continue;
            }
            let upstream = source.version(project, app)?;
            if upstream != change.to {
                let short = |v: &str| v.chars().take(12).collect::<String>();
                warnings.push(Warning::AheadOfSource {
                    app: change.app.clone(),
                    message: format!(
                        "{next} holds {} {} but {} runs {}: merging it gives {} a version {} has not run",
                        change.app,
                        short(&change.to),
                        source.0.env.name,
                        short(&upstream),
                        target_env.name,
                        source.0.env.name
                    ),
                });
            }
        }
    }
    let rendered: Vec<&AppChange> = changes
        .iter()
        .filter(|c| hydrator::is_metadata(&c.file))
        .collect();
    let tickets = config.tickets.as_ref().map(|t| t.as_notes());
    let dry_changes = hydrator::dry_changes(repo, &rendered, tickets.as_ref());
    warnings.extend(hydrator::breaking_warnings(&dry_changes));
    Ok(Some(PromotionPlan {
        kind: PlanKind::Promotion,
        source: source.0.env.name.clone(),
        source_commit: head.to_string(),
        target: target_env.name.clone(),
        target_branch: target.0.branch.clone(),
        base: base.to_string(),
        blocked: warnings.iter().any(Warning::blocks),
        apps: changes,
        files,
        warnings,
        changelog: Vec::new(),
        dry_changes,
        head: Some(next.to_owned()),
        train: None,
        source_notes: Vec::new(),
    }))
}

/// Every file whose content differs between the two commits, as the
/// environment's tree will change when the branch is merged.
fn differing_files(
    project: &Project,
    target: &Side<'_>,
    base: gix::ObjectId,
    head: gix::ObjectId,
) -> Result<Vec<FileChange>, Error> {
    let repo = &project.repo;
    let err = |e| target.repo_error(e);
    let (old, new) = (
        repo.file_ids(base).map_err(err)?,
        repo.file_ids(head).map_err(err)?,
    );
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut files = Vec::new();
    for path in paths {
        let (a, b) = (old.get(path), new.get(path));
        if a == b {
            continue;
        }
        let read = |id: Option<&gix::ObjectId>| -> Result<Option<Vec<u8>>, Error> {
            id.map(|id| repo.read_blob(*id).map_err(err)).transpose()
        };
        let executable = repo
            .is_executable(if b.is_some() { head } else { base }, path)
            .map_err(err)?;
        files.push(FileChange {
            path: path.clone(),
            old: read(a)?,
            new: read(b)?,
            executable,
        });
    }
    Ok(files)
}
