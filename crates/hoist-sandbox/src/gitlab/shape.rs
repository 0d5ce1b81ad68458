//! GitLab's resources as JSON, with every field gitbeaker's types mark
//! required (the test suite checks each answer against them).

use gix::ObjectId;
use serde_json::{Value, json};

use crate::git::CommitInfo;
use crate::shape::{seconds, time, user_id};
use crate::store::{Pipeline, Pull, Status, Store};
use crate::{Account, Shared};

/// The project's path with its namespace, e.g. `group/sub/project`.
pub fn path_with_namespace(s: &Shared) -> String {
    format!("{}/{}", s.config.owner, s.config.name)
}

/// A stable numeric id for the project.
pub fn project_id(s: &Shared) -> u64 {
    user_id(&path_with_namespace(s)) % 1_000_000 + 1
}

/// A page of the project on GitLab's site, e.g. `/-/merge_requests/1`.
pub fn web(s: &Shared, rest: &str) -> String {
    format!("{}/{}{rest}", s.base, path_with_namespace(s))
}

/// A user as GitLab embeds one (author, assignee, reviewer).
pub fn user(s: &Shared, login: &str) -> Value {
    json!({
        "id": user_id(login), "username": login, "name": login, "state": "active",
        "locked": false, "avatar_url": format!("{}/uploads/-/system/user/avatar/{login}.png", s.base),
        "web_url": format!("{}/{login}", s.base),
    })
}

/// `GET /user`: the signed-in account.
pub fn current_user(s: &Shared, login: &str) -> Value {
    let mut u = user(s, login);
    let extra = json!({
        "created_at": "2020-01-01T00:00:00.000Z", "bio": "", "bot": false, "location": "",
        "public_email": null, "skype": "", "linkedin": "", "twitter": "", "discord": "",
        "website_url": "", "pronouns": null, "organization": "", "job_title": "",
        "work_information": null, "followers": 0, "following": 0, "local_time": null,
        "is_followed": false, "is_admin": false,
        "last_sign_in_at": "2026-01-01T00:00:00.000Z", "confirmed_at": "2020-01-01T00:00:00.000Z",
        "last_activity_on": "2026-01-01", "email": format!("{login}@sandbox.invalid"),
        "theme_id": 1, "color_scheme_id": 1, "projects_limit": 100000,
        "current_sign_in_at": "2026-01-01T00:00:00.000Z", "note": null, "identities": [],
        "can_create_group": true, "can_create_project": true, "two_factor_enabled": true,
        "external": false, "private_profile": null, "namespace_id": user_id(login),
        "created_by": null, "commit_email": format!("{login}@sandbox.invalid"),
    });
    if let (Some(u), Value::Object(extra)) = (u.as_object_mut(), extra) {
        u.extend(extra);
    }
    u
}

/// `GET /personal_access_tokens/self`: the token, without its secret.
pub fn token(account: &Account) -> Value {
    json!({
        "id": user_id(&account.token) % 100_000, "name": "hoist", "revoked": false,
        "created_at": "2026-01-01T00:00:00.000Z", "description": null,
        "scopes": account.scopes, "user_id": user_id(&account.login),
        "last_used_at": time(jiff::Timestamp::now()), "active": true,
        "expires_at": "2030-01-01",
    })
}

/// `GET /projects/:id`.
pub fn project(s: &Shared) -> Value {
    let path = path_with_namespace(s);
    let id = project_id(s);
    let api = format!("{}/api/v4/projects/{id}", s.base);
    let namespace = &s.config.owner;
    let leaf = namespace.rsplit('/').next().unwrap_or(namespace);
    let merge_method = merge_method(s);
    let pipelines = !s.config.checks.is_empty();
    json!({
        "id": id, "description": "Hoist sandbox project", "description_html": "",
        "name": s.config.name, "name_with_namespace": path.replace('/', " / "),
        "path": s.config.name, "path_with_namespace": path,
        "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z",
        "default_branch": s.git.head_branch().unwrap_or_else(|| "main".to_owned()),
        "tag_list": [], "topics": [],
        "ssh_url_to_repo": format!("{}.git", web(s, "")),
        "http_url_to_repo": format!("{}.git", web(s, "")),
        "web_url": web(s, ""), "readme_url": null, "forks_count": 0, "avatar_url": null,
        "star_count": 0, "last_activity_at": "2026-01-01T00:00:00.000Z",
        "namespace": {
            "id": user_id(namespace), "name": leaf, "path": leaf, "kind": "group",
            "full_path": namespace, "parent_id": null, "avatar_url": null,
            "web_url": format!("{}/groups/{namespace}", s.base),
        },
        "visibility": "private", "empty_repo": false, "archived": false,
        "owner": { "id": 1, "name": "Administrator", "created_at": "2020-01-01T00:00:00.000Z" },
        "issues_enabled": true, "open_issues_count": 0, "merge_requests_enabled": true,
        "jobs_enabled": true, "wiki_enabled": false, "snippets_enabled": false,
        "can_create_merge_request_in": true, "resolve_outdated_diff_discussions": false,
        "container_registry_access_level": "disabled",
        "security_and_compliance_access_level": "private",
        "container_expiration_policy": {
            "cadence": "1d", "enabled": false, "keep_n": null, "older_than": null,
            "name_regex_delete": null, "name_regex_keep": null,
            "next_run_at": "2026-01-02T00:00:00.000Z",
        },
        "creator_id": 1, "import_url": null, "import_type": null, "import_status": "none",
        "import_error": null,
        "permissions": {
            "project_access": { "access_level": 40, "notification_level": 3 },
            "group_access": { "access_level": 40, "notification_level": 3 },
        },
        "license_url": "", "license": { "key": "mit", "name": "MIT License", "nickname": "",
            "html_url": "", "source_url": "" },
        "shared_runners_enabled": true, "group_runners_enabled": true,
        "runners_token": "", "ci_default_git_depth": 20,
        "ci_forward_deployment_enabled": true, "ci_forward_deployment_rollback_allowed": true,
        "ci_allow_fork_pipelines_to_run_in_parent_project": true, "ci_separated_caches": true,
        "ci_restrict_pipeline_cancellation_role": "developer", "public_jobs": false,
        "shared_with_groups": [], "repository_storage": "default",
        "only_allow_merge_if_pipeline_succeeds": pipelines,
        "allow_merge_on_skipped_pipeline": false,
        "ci_pipeline_variables_minimum_override_role": false,
        "only_allow_merge_if_all_discussions_are_resolved": false,
        "remove_source_branch_after_merge": true,
        "printing_merge_requests_link_enabled": true, "request_access_enabled": false,
        "merge_method": merge_method,
        "squash_option": if s.allows("squash") { "default_off" } else { "never" },
        "auto_devops_enabled": false, "auto_devops_deploy_strategy": "continuous",
        "mirror": false, "mirror_user_id": 0, "mirror_trigger_builds": false,
        "only_mirror_protected_branches": false, "mirror_overwrites_diverged_branches": false,
        "external_authorization_classification_label": null, "packages_enabled": false,
        "service_desk_enabled": false, "service_desk_address": null,
        "autoclose_referenced_issues": true, "suggestion_commit_message": null,
        "enforce_auth_checks_on_uploads": true, "merge_commit_template": null,
        "squash_commit_template": null, "issue_branch_template": "",
        "marked_for_deletion_on": "", "compliance_frameworks": [],
        "warn_about_potentially_unwanted_characters": true,
        "container_registry_image_prefix": "",
        "approvals_before_merge": s.config.required_approvals,
        "_links": {
            "self": api.clone(), "issues": format!("{api}/issues"),
            "merge_requests": format!("{api}/merge_requests"),
            "repo_branches": format!("{api}/repository/branches"),
            "labels": format!("{api}/labels"), "events": format!("{api}/events"),
            "members": format!("{api}/members"), "cluster_agents": format!("{api}/cluster_agents"),
        },
    })
}

/// The project's merge method: `merge` (a merge commit) when the
/// configured methods allow merge commits, else `ff` (fast-forward only).
pub fn merge_method(s: &Shared) -> &'static str {
    if s.allows("merge") { "merge" } else { "ff" }
}

/// The first line of a commit message.
fn title(message: &str) -> &str {
    message.lines().next().unwrap_or("")
}

/// A commit as `GET /repository/commits/:sha` shows it, less its stats.
pub fn commit(s: &Shared, id: ObjectId, c: &CommitInfo) -> Value {
    let sha = id.to_string();
    json!({
        "id": sha, "short_id": &sha[..8], "title": title(&c.message), "message": c.message,
        "author_name": c.author.name, "author_email": c.author.email,
        "authored_date": seconds(c.author.time),
        "committer_name": c.committer.name, "committer_email": c.committer.email,
        "committed_date": seconds(c.committer.time), "created_at": seconds(c.committer.time),
        "parent_ids": c.parents.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "trailers": {}, "extended_trailers": {},
        "web_url": web(s, &format!("/-/commit/{sha}")),
    })
}

/// A commit with its stats and its last pipeline, as the commits API
/// answers for one commit.
pub fn expanded_commit(s: &Shared, store: &Store, id: ObjectId, c: &CommitInfo) -> Value {
    let mut v = commit(s, id, c);
    let stat = c
        .parents
        .first()
        .map(|parent| s.git.diff_stat(*parent, id))
        .unwrap_or_default();
    let last = latest_pipeline(store, &id.to_string());
    v["stats"] = json!({
        "additions": stat.additions, "deletions": stat.deletions,
        "total": stat.additions + stat.deletions,
    });
    v["status"] = json!(last.map(|p| p.status.as_str()));
    v["last_pipeline"] = match last {
        Some(p) => json!({ "id": p.id, "ref": p.branch, "sha": p.sha, "status": p.status }),
        None => Value::Null,
    };
    v
}

/// A branch at commit `id`.
pub fn branch(s: &Shared, name: &str, id: ObjectId, c: &CommitInfo) -> Value {
    let default = s.git.head_branch().is_some_and(|d| d == name);
    json!({
        "name": name, "merged": false, "protected": default, "default": default,
        "developers_can_push": !default, "developers_can_merge": !default, "can_push": true,
        "web_url": web(s, &format!("/-/tree/{name}")),
        "commit": commit(s, id, c),
    })
}

/// The newest pipeline of `sha`.
pub fn latest_pipeline<'a>(store: &'a Store, sha: &str) -> Option<&'a Pipeline> {
    store.pipelines.iter().rev().find(|p| p.sha == sha)
}

pub fn pipeline(s: &Shared, p: &Pipeline) -> Value {
    let updated = p.finished_at.unwrap_or(p.created_at);
    json!({
        "id": p.id, "iid": p.iid, "project_id": project_id(s), "sha": p.sha, "ref": p.branch,
        "status": p.status, "source": "merge_request_event",
        "created_at": time(p.created_at), "updated_at": time(updated),
        "web_url": web(s, &format!("/-/pipelines/{}", p.id)),
    })
}

pub fn expanded_pipeline(s: &Shared, p: &Pipeline) -> Value {
    let mut v = pipeline(s, p);
    let (icon, text) = match p.status.as_str() {
        "success" => ("status_success", "Passed"),
        "failed" => ("status_failed", "Failed"),
        _ => ("status_running", "Running"),
    };
    let extra = json!({
        "before_sha": "0000000000000000000000000000000000000000", "tag": false,
        "yaml_errors": null, "user": user(s, &p.user),
        "started_at": time(p.created_at), "finished_at": p.finished_at.map(time),
        "committed_at": time(p.created_at),
        "duration": p.finished_at.map(|f| (f.as_second() - p.created_at.as_second()).max(0)),
        "queued_duration": 0, "coverage": null,
        "detailed_status": {
            "icon": icon, "text": text, "label": text.to_lowercase(), "group": p.status,
            "tooltip": text.to_lowercase(), "has_details": true,
            "details_path": format!("/{}/-/pipelines/{}", path_with_namespace(s), p.id),
            "illustration": null, "favicon": format!("/assets/ci_favicons/favicon_{icon}.png"),
        },
    });
    if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
        v.extend(extra);
    }
    v
}

/// Job `id` (`name`) of pipeline `p`, run on the sandbox's one runner.
pub fn job(s: &Shared, p: &Pipeline, id: u64, name: &str, commit: &Value) -> Value {
    let mut v = json!({
        "id": id, "name": name, "stage": "test", "status": p.status, "ref": p.branch,
        "tag": false, "coverage": null, "allow_failure": false,
        "created_at": time(p.created_at), "started_at": time(p.created_at),
        "user": current_user(s, &p.user), "commit": commit, "pipeline": pipeline(s, p),
        "web_url": web(s, &format!("/-/jobs/{id}")), "artifacts": [],
        "queued_duration": 0, "tag_list": [], "archived": false,
        "runner": {
            "id": 1, "paused": false, "description": "sandbox runner", "ip_address": "127.0.0.1",
            "is_shared": true, "runner_type": "instance_type", "name": "sandbox",
            "online": true, "status": "online",
        },
        "project": { "ci_job_token_scope_enabled": false },
    });
    // GitLab leaves out what a running job does not have yet.
    if let Some(finished) = p.finished_at {
        v["finished_at"] = json!(time(finished));
        v["duration"] = json!((finished.as_second() - p.created_at.as_second()).max(0));
    }
    if p.status == "failed" {
        v["failure_reason"] = json!("script_failure");
    }
    v
}

/// A commit status: one posted through the API, or a job of a pipeline.
pub fn status(s: &Shared, st: &Status, branch: &str) -> Value {
    let done = !matches!(st.state.as_str(), "pending" | "running");
    json!({
        "id": st.id, "sha": st.sha, "ref": branch, "status": st.state, "name": st.context,
        "target_url": st.target_url, "description": st.description,
        "created_at": time(st.at), "started_at": time(st.at),
        "finished_at": done.then(|| time(st.at)), "allow_failure": false, "coverage": null,
        "pipeline_id": null, "author": user(s, &st.creator),
    })
}

/// The labels, as GitLab lists them on a merge request: names.
fn labels(p: &Pull) -> Value {
    json!(p.labels)
}

/// Why a merge request can or cannot be merged now, as GitLab's
/// `detailed_merge_status` says, checked in GitLab's order.
pub fn detailed_merge_status(s: &Shared, store: &Store, p: &Pull) -> &'static str {
    if !p.open {
        return "not_open";
    }
    if p.draft {
        return "draft_status";
    }
    let (Some(base), Ok(head)) = (
        s.git.commitish(&p.base),
        ObjectId::from_hex(p.head_sha.as_bytes()),
    ) else {
        return "conflict";
    };
    if !matches!(s.git.merges_cleanly(base, head), Ok(true)) {
        return "conflict";
    }
    if merge_method(s) == "ff" && !s.git.is_ancestor(base, head) {
        return "need_rebase";
    }
    if !s.config.checks.is_empty() {
        match latest_pipeline(store, &p.head_sha).map(|p| p.status.as_str()) {
            Some("success") => {}
            Some("running" | "pending" | "created") => return "ci_still_running",
            _ => return "ci_must_pass",
        }
    }
    if approvers(store, p).len() < s.config.required_approvals as usize {
        return "not_approved";
    }
    "mergeable"
}

/// Who approved merge request `p` (their latest review approves).
pub fn approvers<'a>(store: &'a Store, p: &Pull) -> Vec<&'a str> {
    crate::shape::latest_reviews(store, p.number)
        .into_iter()
        .filter(|r| r.state == "APPROVED")
        .map(|r| r.user.as_str())
        .collect()
}

/// A merge request; `expanded` adds what `GET /merge_requests/:iid` shows
/// beyond the list (pipelines, diff refs, changes).
pub fn merge_request(s: &Shared, store: &Store, p: &Pull, expanded: bool) -> Value {
    let path = path_with_namespace(s);
    let state = match p.state() {
        crate::PullState::Open => "opened",
        crate::PullState::Closed => "closed",
        crate::PullState::Merged => "merged",
    };
    let detailed = detailed_merge_status(s, store, p);
    let merged = p.merged.as_ref();
    let users = |logins: &[String]| logins.iter().map(|l| user(s, l)).collect::<Vec<_>>();
    let pid = project_id(s);
    // What the merge wrote: a merge commit (whose second parent is the
    // squash commit when squashing), or with fast-forward the source's
    // head or the squash commit itself, and no merge commit.
    let landed = merged.and_then(|m| {
        let id = s.git.commitish(&m.sha)?;
        Some((m.sha.clone(), s.git.commit(id)?.parents))
    });
    let is_merge_commit = landed
        .as_ref()
        .is_some_and(|(_, parents)| parents.len() > 1);
    let merge_sha = landed
        .as_ref()
        .filter(|_| is_merge_commit)
        .map(|(sha, _)| sha.clone());
    let squash_sha = landed.as_ref().filter(|_| p.squash).map(|(sha, parents)| {
        if is_merge_commit {
            parents[1].to_string()
        } else {
            sha.clone()
        }
    });
    let mut v = json!({
        "id": p.id, "iid": p.number, "project_id": pid, "title": p.title,
        "description": p.body.clone().unwrap_or_default(), "state": state,
        "created_at": time(p.created_at), "updated_at": time(p.updated_at),
        "merged_by": merged.map(|m| user(s, &m.by)), "merge_user": merged.map(|m| user(s, &m.by)),
        "merged_at": merged.map(|m| time(m.at)),
        "closed_by": if p.state() == crate::PullState::Closed { Some(user(s, &p.user)) } else { None },
        "closed_at": if p.state() == crate::PullState::Closed { p.closed_at.map(time) } else { None },
        "target_branch": p.base, "source_branch": p.head,
        "user_notes_count": 0, "upvotes": 0, "downvotes": 0,
        "author": user(s, &p.user),
        "assignees": users(&p.assignees),
        "assignee": p.assignees.first().map(|a| user(s, a)),
        "reviewers": users(&p.reviewers),
        "source_project_id": pid, "target_project_id": pid,
        "labels": labels(p), "draft": p.draft, "work_in_progress": p.draft,
        "milestone": null,
        "merge_when_pipeline_succeeds": p.auto_merge.is_some(),
        "merge_status": if detailed == "conflict" { "cannot_be_merged" } else { "can_be_merged" },
        "detailed_merge_status": detailed,
        "sha": p.head_sha,
        "merge_commit_sha": merge_sha,
        "squash_commit_sha": squash_sha,
        "discussion_locked": null,
        "should_remove_source_branch": p.remove_source_branch,
        "force_remove_source_branch": p.remove_source_branch,
        "prepared_at": time(p.created_at),
        "reference": format!("!{}", p.number),
        "references": {
            "short": format!("!{}", p.number), "relative": format!("!{}", p.number),
            "full": format!("{path}!{}", p.number),
        },
        "web_url": web(s, &format!("/-/merge_requests/{}", p.number)),
        "time_stats": {
            "time_estimate": 0, "total_time_spent": 0,
            "human_time_estimate": null, "human_total_time_spent": null,
        },
        "squash": p.squash, "squash_on_merge": p.squash,
        "task_completion_status": { "count": 0, "completed_count": 0 },
        "has_conflicts": detailed == "conflict",
        "blocking_discussions_resolved": true,
        "approvals_before_merge": null,
    });
    if expanded {
        let head = latest_pipeline(store, &p.head_sha);
        let base = s
            .git
            .commitish(&p.base)
            .map(|b| b.to_string())
            .unwrap_or_default();
        let changes = ObjectId::from_hex(p.head_sha.as_bytes())
            .ok()
            .zip(s.git.commitish(&p.base))
            .map(|(h, b)| s.git.diff_stat(b, h).changed_files)
            .unwrap_or(0);
        v["subscribed"] = json!(true);
        v["changes_count"] = json!(changes.to_string());
        v["latest_build_started_at"] = json!(head.map(|h| time(h.created_at)));
        v["latest_build_finished_at"] = json!(head.and_then(|h| h.finished_at.map(time)));
        v["first_deployed_to_production_at"] = Value::Null;
        v["pipeline"] = head.map_or(Value::Null, |h| pipeline(s, h));
        v["head_pipeline"] = head.map_or(Value::Null, |h| expanded_pipeline(s, h));
        v["diff_refs"] = json!({ "base_sha": base, "head_sha": p.head_sha, "start_sha": base });
        v["merge_error"] = Value::Null;
        v["first_contribution"] = json!(false);
        v["user"] = json!({ "can_merge": true });
    }
    v
}

/// `GET /merge_requests/:iid/approvals`.
pub fn approvals(s: &Shared, store: &Store, p: &Pull, viewer: &str) -> Value {
    let approved_by = approvers(store, p);
    let required = s.config.required_approvals as usize;
    let left = required.saturating_sub(approved_by.len());
    let status = detailed_merge_status(s, store, p);
    json!({
        "id": p.id, "iid": p.number, "project_id": project_id(s), "title": p.title,
        "description": p.body.clone().unwrap_or_default(),
        "state": if p.open { "opened" } else if p.merged.is_some() { "merged" } else { "closed" },
        "created_at": time(p.created_at), "updated_at": time(p.updated_at),
        "merge_status": if status == "conflict" { "cannot_be_merged" } else { "can_be_merged" },
        "approved": left == 0, "approvals_required": required, "approvals_left": left,
        "require_password_to_approve": false,
        "approved_by": approved_by.iter().map(|a| json!({ "user": user(s, a) })).collect::<Vec<_>>(),
        "suggested_approvers": [], "approvers": [], "approver_groups": [],
        "user_has_approved": approved_by.contains(&viewer),
        "user_can_approve": p.user != viewer && !approved_by.contains(&viewer),
        "approval_rules_left": [], "has_approval_rules": required > 0,
        "merge_request_approvers_available": true, "multiple_approval_rules_available": true,
        "invalid_approvers_rules": [],
    })
}
