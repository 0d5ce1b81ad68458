//! The GitLab sandbox through plain HTTP: the commits API writing the bare
//! repository, branches, merge requests with pipelines, approvals and
//! auto-merge, the reconciler's status after a merge, tokens, scopes and
//! the rate limit; every answer checked against gitbeaker's types.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hoist_fixtures::{fixture, git};
use hoist_sandbox::{Account, Config, Exchange, Fault, FaultKind, Forge, Sandbox};
use serde_json::{Value, json};

const TOKEN: &str = "glpat-sandboxtesttoken";
const READER: &str = "glpat-readonlytoken";
const PROJECT: &str = "/api/v4/projects/group%2Fsub%2Fgitops";

struct Api {
    agent: ureq::Agent,
    base: String,
    token: String,
}

struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Value,
}

impl Api {
    fn new(sandbox: &Sandbox, token: &str) -> Api {
        Api {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(20)))
                .build()
                .into(),
            base: sandbox.url().to_owned(),
            token: token.to_owned(),
        }
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>, etag: Option<&str>) -> Answer {
        let url = format!("{}{path}", self.base);
        let token = self.token.as_str();
        let mut response = match method {
            "GET" => {
                let mut r = self.agent.get(&url).header("private-token", token);
                if let Some(etag) = etag {
                    r = r.header("if-none-match", etag);
                }
                r.call()
            }
            "DELETE" => self
                .agent
                .delete(&url)
                .header("private-token", token)
                .call(),
            "POST" => self
                .agent
                .post(&url)
                .header("private-token", token)
                .send_json(body.unwrap_or(json!({}))),
            "PUT" => self
                .agent
                .put(&url)
                .header("private-token", token)
                .send_json(body.unwrap_or(json!({}))),
            _ => unreachable!("method {method}"),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.body_mut().read_to_string().expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.send(method, path, body, None)
    }
}

/// A bare clone of the branch-helm fixture, as GitLab would hold it.
fn bare_origin(dir: &Path) -> PathBuf {
    let bare = dir.join("gitops.git");
    git(
        dir,
        &[
            "clone",
            "-q",
            "--bare",
            &fixture("branch-helm").to_string_lossy(),
            &bare.to_string_lossy(),
        ],
    );
    bare
}

/// A GitLab sandbox for `group/sub/gitops` with an `api` token and a
/// `read_api` one, a pipeline running `validate`, and a reconciler.
fn gitlab(bare: &Path) -> Config {
    let mut config = Config::new(bare, "group/sub", "gitops", "release-manager", TOKEN);
    config.forge = Forge::Gitlab;
    config.accounts[0].scopes = vec!["api".into()];
    config.accounts.push(Account {
        login: "auditor".into(),
        token: READER.into(),
        scopes: vec!["read_api".into()],
    });
    config.collaborators = vec!["reviewer".into()];
    config.checks = vec!["validate".into()];
    config.reconciler = Some("argo-cd/stage".into());
    config.delay = Duration::from_millis(50);
    config
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every exchange so far matches gitbeaker's types.
fn check_journal(sandbox: &Sandbox) {
    let root = hoist_fixtures::workspace_root();
    let failures =
        hoist_sandbox::gitbeaker::violations(&root, &sandbox.journal()).expect("gitbeaker types");
    assert!(
        failures.is_empty(),
        "answers that differ from GitLab's API as gitbeaker types it:\n{}",
        failures.join("\n")
    );
}

fn sha(answer: &Answer, pointer: &str) -> String {
    answer
        .body
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} in {}", answer.body))
        .to_owned()
}

/// A commit on a new branch `branch` from `env/stage`'s tip setting api's tag.
fn promote(api: &Api, bare: &Path, branch: &str, tag: &str) -> (String, String) {
    let base = git(bare, &["rev-parse", "env/stage"]).trim().to_owned();
    let made = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({
            "branch": branch, "start_sha": base, "commit_message": format!("Promote api to {tag}"),
            "actions": [{"action": "update", "file_path": "apps/api/values.yaml",
                         "content": format!("image:\n  tag: \"{tag}\"\n")}],
        })),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    (base, sha(&made, "/id"))
}

#[test]
fn commits_with_actions_write_one_commit_on_the_exact_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let sandbox = Sandbox::start(gitlab(&bare)).expect("sandbox starts");
    let api = Api::new(&sandbox, TOKEN);

    let me = api.call("GET", "/api/v4/user", None);
    assert_eq!(
        (me.status, me.body["username"].as_str()),
        (200, Some("release-manager"))
    );
    let token = api.call("GET", "/api/v4/personal_access_tokens/self", None);
    assert_eq!(token.body["scopes"], json!(["api"]));
    let project = api.call("GET", PROJECT, None);
    assert_eq!(project.body["path_with_namespace"], "group/sub/gitops");
    assert_eq!(project.body["default_branch"], "main");
    let by_id = api.call(
        "GET",
        &format!("/api/v4/projects/{}", project.body["id"]),
        None,
    );
    assert_eq!(by_id.body["web_url"], project.body["web_url"]);
    let other = api.call("GET", "/api/v4/projects/group%2Fother", None);
    assert_eq!(
        (other.status, other.body["message"].as_str()),
        (404, Some("404 Project Not Found"))
    );

    let stage = api.call(
        "GET",
        &format!("{PROJECT}/repository/branches/env%2Fstage"),
        None,
    );
    let base = sha(&stage, "/commit/id");
    assert_eq!(base, git(&bare, &["rev-parse", "env/stage"]).trim());

    // One commit of several actions, on exactly the start asked for.
    let branch = "hoist/stage/api-9.9.9";
    let actions = json!([
        {"action": "update", "file_path": "apps/api/values.yaml", "content": "image:\n  tag: \"9.9.9\"\n"},
        {"action": "create", "file_path": "apps/api/NOTES.md", "content": "bm90ZXMK", "encoding": "base64"},
        {"action": "create", "file_path": "bin/sync", "content": "#!/bin/sh\n", "execute_filemode": true},
        {"action": "move", "previous_path": "apps/web/values.yaml", "file_path": "apps/web/values-stage.yaml"},
    ]);
    let made = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({"branch": branch, "start_sha": base, "commit_message": "Promote api to 9.9.9", "actions": actions})),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let first = sha(&made, "/id");
    assert_eq!(made.body["parent_ids"], json!([base]));
    assert_eq!(git(&bare, &["rev-parse", branch]).trim(), first);
    assert_eq!(
        git(&bare, &["show", &format!("{first}:apps/api/values.yaml")]),
        "image:\n  tag: \"9.9.9\"\n"
    );
    assert_eq!(
        git(&bare, &["show", &format!("{first}:apps/api/NOTES.md")]),
        "notes\n"
    );
    assert!(git(&bare, &["ls-tree", &first, "bin/sync"]).starts_with("100755"));
    assert_eq!(
        git(
            &bare,
            &["show", &format!("{first}:apps/web/values-stage.yaml")]
        ),
        git(&bare, &["show", &format!("{base}:apps/web/values.yaml")])
    );
    assert!(git(&bare, &["ls-tree", &first, "apps/web/values.yaml"]).is_empty());

    // GitLab starts new branches only: a start on an existing branch is refused…
    let again = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(
            json!({"branch": branch, "start_sha": base, "commit_message": "again",
                    "actions": [{"action": "delete", "file_path": "apps/api/NOTES.md"}]}),
        ),
    );
    assert_eq!(again.status, 400);
    assert_eq!(
        again.body["message"],
        format!(
            "A branch called '{branch}' already exists. Switch to that branch in order to make changes"
        )
    );
    assert_eq!(git(&bare, &["rev-parse", branch]).trim(), first);
    // …even when it is the tip: start_sha is no expected-tip check.
    let at_tip = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(
            json!({"branch": branch, "start_sha": first, "commit_message": "again",
                    "actions": [{"action": "delete", "file_path": "apps/api/NOTES.md"}]}),
        ),
    );
    assert_eq!(at_tip.status, 400);
    // …a commit without one goes on the tip…
    let next = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({"branch": branch, "commit_message": "Drop notes",
                    "actions": [{"action": "delete", "file_path": "apps/api/NOTES.md"}]})),
    );
    assert_eq!(
        (next.status, next.body["parent_ids"].clone()),
        (201, json!([first]))
    );
    // …and `force` puts the branch back on the start.
    let forced = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({"branch": branch, "start_sha": base, "force": true, "commit_message": "Redo",
                    "actions": [{"action": "update", "file_path": "apps/api/values.yaml", "content": "x\n"}]})),
    );
    assert_eq!(
        (forced.status, forced.body["parent_ids"].clone()),
        (201, json!([base]))
    );
    let tip = sha(&forced, "/id");

    // A refused action refuses the whole commit.
    let refused = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({"branch": branch, "commit_message": "half",
                    "actions": [{"action": "update", "file_path": "apps/api/values.yaml", "content": "y\n"},
                                {"action": "create", "file_path": "apps/web/values.yaml", "content": "z\n"}]})),
    );
    assert_eq!(
        (refused.status, refused.body["message"].as_str()),
        (400, Some("A file with this name already exists"))
    );
    let missing = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({"branch": branch, "commit_message": "gone",
                    "actions": [{"action": "update", "file_path": "nope.yaml", "content": "y\n"}]})),
    );
    assert_eq!(
        missing.body["message"],
        "A file with this name doesn't exist"
    );
    let invalid = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({"commit_message": "bad", "actions": [{"action": "rename", "file_path": "x"}]})),
    );
    assert_eq!(
        (invalid.status, invalid.body["error"].as_str()),
        (
            400,
            Some("branch is missing, actions[0][action] does not have a valid value")
        )
    );
    let nowhere = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({"branch": "fresh", "commit_message": "x", "actions": []})),
    );
    assert_eq!(
        nowhere.body["message"],
        "You can only create or edit files when you are on a branch"
    );
    let unknown_start = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({"branch": "fresh", "start_sha": "0".repeat(40), "commit_message": "x", "actions": []})),
    );
    assert_eq!(
        unknown_start.body["message"],
        format!("Cannot find start_sha '{}'", "0".repeat(40))
    );
    assert_eq!(git(&bare, &["rev-parse", branch]).trim(), tip);

    let shown = api.call("GET", &format!("{PROJECT}/repository/commits/{tip}"), None);
    let changed: u64 = git(&bare, &["diff", "--numstat", &base, &tip])
        .split_whitespace()
        .take(2)
        .map(|n| n.parse::<u64>().expect("a count"))
        .sum();
    assert_eq!(
        (
            shown.body["title"].as_str(),
            shown.body["stats"]["total"].as_u64()
        ),
        (Some("Redo"), Some(changed))
    );
    assert_eq!(
        api.call(
            "GET",
            &format!("{PROJECT}/repository/commits/{}", "0".repeat(40)),
            None
        )
        .status,
        404
    );
    let compared = api.call(
        "GET",
        &format!("{PROJECT}/repository/compare?from=env%2Fstage&to=hoist%2Fstage%2Fapi-9.9.9"),
        None,
    );
    assert_eq!(compared.status, 200, "{}", compared.body);
    assert_eq!(compared.body["commits"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        compared.body["diffs"][0]["new_path"],
        "apps/api/values.yaml"
    );
    assert!(
        compared.body["diffs"][0]["diff"]
            .as_str()
            .is_some_and(|d| d.contains("+x"))
    );

    // A file's last commit guards its edit, as GitLab's `last_commit_id` does.
    let edit = |last: &str| {
        api.call(
            "POST",
            &format!("{PROJECT}/repository/commits"),
            Some(json!({"branch": branch, "commit_message": "Guarded",
                        "actions": [{"action": "update", "file_path": "apps/api/values.yaml",
                                     "content": "z\n", "last_commit_id": last}]})),
        )
    };
    let outdated = edit(&base);
    assert_eq!(
        (outdated.status, outdated.body["message"].as_str()),
        (
            400,
            Some("The file has changed since you started editing it: apps/api/values.yaml")
        )
    );
    assert_eq!(git(&bare, &["rev-parse", branch]).trim(), tip);
    let current = edit(&tip);
    assert_eq!(
        (current.status, current.body["parent_ids"].clone()),
        (201, json!([tip]))
    );

    // Branches.
    let created = api.call(
        "POST",
        &format!("{PROJECT}/repository/branches"),
        Some(json!({"branch": "scratch", "ref": "env/stage"})),
    );
    assert_eq!(
        (created.status, sha(&created, "/commit/id")),
        (201, base.clone())
    );
    let twice = api.call(
        "POST",
        &format!("{PROJECT}/repository/branches"),
        Some(json!({"branch": "scratch", "ref": "env/stage"})),
    );
    assert_eq!(
        (twice.status, twice.body["message"].as_str()),
        (400, Some("Branch already exists"))
    );
    let unknown = api.call(
        "POST",
        &format!("{PROJECT}/repository/branches"),
        Some(json!({"branch": "other", "ref": "no-such-ref"})),
    );
    assert_eq!(
        unknown.body["message"],
        "Invalid reference name: no-such-ref"
    );
    assert_eq!(
        api.call(
            "POST",
            &format!("{PROJECT}/repository/branches"),
            Some(json!({}))
        )
        .body["error"],
        "branch is missing, ref is missing"
    );
    assert_eq!(
        api.call(
            "DELETE",
            &format!("{PROJECT}/repository/branches/scratch"),
            None
        )
        .status,
        204
    );
    let gone = api.call(
        "GET",
        &format!("{PROJECT}/repository/branches/scratch"),
        None,
    );
    assert_eq!(
        (gone.status, gone.body["message"].as_str()),
        (404, Some("404 Branch Not Found"))
    );
    assert_eq!(
        api.call(
            "DELETE",
            &format!("{PROJECT}/repository/branches/scratch"),
            None
        )
        .status,
        404
    );
    assert!(
        git(&bare, &["branch", "--list", "scratch"])
            .trim()
            .is_empty()
    );

    check_journal(&sandbox);
}

#[test]
fn merge_requests_wait_for_their_pipeline_and_approval_then_merge() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let mut config = gitlab(&bare);
    config.required_approvals = 1;
    let sandbox = Sandbox::start(config).expect("sandbox starts");
    let api = Api::new(&sandbox, TOKEN);
    let branch = "hoist/stage/api-9.9.9";
    let (base, head) = promote(&api, &bare, branch, "9.9.9");

    let opened = api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({
            "source_branch": branch, "target_branch": "env/stage", "title": "Promote api to 9.9.9",
            "description": "<!-- hoist -->", "labels": "promotion,env:stage",
            "reviewer_ids": [sandbox.user_id("reviewer")], "assignee_ids": [sandbox.user_id("release-manager")],
            "remove_source_branch": true,
        })),
    );
    assert_eq!(opened.status, 201, "{}", opened.body);
    assert_eq!(opened.body["iid"], 1);
    assert_eq!(opened.body["labels"], json!(["promotion", "env:stage"]));
    assert_eq!(opened.body["reviewers"][0]["username"], "reviewer");
    assert_eq!(opened.body["assignees"][0]["username"], "release-manager");
    assert_eq!(opened.body["sha"], head.as_str());
    assert_eq!(opened.body["detailed_merge_status"], "ci_still_running");
    assert_eq!(opened.body["head_pipeline"]["status"], "running");
    let twice = api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({"source_branch": branch, "target_branch": "env/stage", "title": "again"})),
    );
    assert_eq!(twice.status, 409);
    assert_eq!(
        twice.body["message"][0],
        "Another open merge request already exists for this source branch: !1"
    );
    let listed = api.call(
        "GET",
        &format!("{PROJECT}/merge_requests?state=opened&source_branch=hoist%2Fstage%2Fapi-9.9.9&target_branch=env%2Fstage"),
        None,
    );
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert_eq!(listed.headers["x-total"], "1");
    let elsewhere = api.call(
        "GET",
        &format!("{PROJECT}/merge_requests?state=opened&target_branch=env%2Fprod"),
        None,
    );
    assert_eq!(elsewhere.body, json!([]));
    let edited = api.call(
        "PUT",
        &format!("{PROJECT}/merge_requests/1"),
        Some(json!({"add_labels": "ready", "title": "Promote api to 9.9.9 in stage"})),
    );
    assert_eq!(
        edited.body["labels"],
        json!(["promotion", "env:stage", "ready"])
    );
    assert_eq!(edited.body["title"], "Promote api to 9.9.9 in stage");
    assert_eq!(
        api.call("GET", &format!("{PROJECT}/merge_requests/9"), None)
            .status,
        404
    );

    // Not yet: the pipeline runs.
    let early = api.call("PUT", &format!("{PROJECT}/merge_requests/1/merge"), None);
    assert_eq!(
        (early.status, early.body["message"].as_str()),
        (405, Some("405 Method Not Allowed"))
    );
    wait_for("the pipeline", || {
        api.call("GET", &format!("{PROJECT}/pipelines?sha={head}"), None)
            .body[0]["status"]
            == "success"
    });
    let pipeline = api.call(
        "GET",
        &format!("{PROJECT}/pipelines?ref=hoist%2Fstage%2Fapi-9.9.9"),
        None,
    );
    let pipeline_id = pipeline.body[0]["id"].as_u64().expect("pipeline id");
    assert_eq!(
        api.call("GET", &format!("{PROJECT}/pipelines/{pipeline_id}"), None)
            .body["detailed_status"]["group"],
        "success"
    );
    let run = api.call(
        "GET",
        &format!("{PROJECT}/pipelines/{pipeline_id}/jobs"),
        None,
    );
    assert_eq!(
        (
            run.body[0]["name"].as_str(),
            run.body[0]["status"].as_str(),
            run.body[0]["commit"]["id"].as_str()
        ),
        (Some("validate"), Some("success"), Some(head.as_str()))
    );
    let jobs = api.call(
        "GET",
        &format!("{PROJECT}/repository/commits/{head}/statuses"),
        None,
    );
    assert_eq!(
        (
            jobs.body[0]["name"].as_str(),
            jobs.body[0]["status"].as_str()
        ),
        (Some("validate"), Some("success"))
    );
    // Then the approval.
    let waiting = api.call("GET", &format!("{PROJECT}/merge_requests/1"), None);
    assert_eq!(waiting.body["detailed_merge_status"], "not_approved");
    let approvals = api.call(
        "GET",
        &format!("{PROJECT}/merge_requests/1/approvals"),
        None,
    );
    assert_eq!(
        (
            approvals.body["approved"].as_bool(),
            approvals.body["approvals_left"].as_u64()
        ),
        (Some(false), Some(1))
    );
    sandbox.review(1, "reviewer", "APPROVED").expect("approval");
    let approvals = api.call(
        "GET",
        &format!("{PROJECT}/merge_requests/1/approvals"),
        None,
    );
    assert_eq!(approvals.body["approved"], true);
    assert_eq!(
        approvals.body["approved_by"][0]["user"]["username"],
        "reviewer"
    );
    assert_eq!(
        api.call("GET", &format!("{PROJECT}/merge_requests/1"), None)
            .body["detailed_merge_status"],
        "mergeable"
    );

    let stale = api.call(
        "PUT",
        &format!("{PROJECT}/merge_requests/1/merge"),
        Some(json!({"sha": base})),
    );
    assert_eq!(
        (
            stale.status,
            stale.body["message"].as_str().map(str::to_owned)
        ),
        (
            409,
            Some(format!("SHA does not match HEAD of source branch: {head}"))
        )
    );
    let merged = api.call(
        "PUT",
        &format!("{PROJECT}/merge_requests/1/merge"),
        Some(json!({"sha": head, "should_remove_source_branch": true})),
    );
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert_eq!(merged.body["state"], "merged");
    let merge_sha = sha(&merged, "/merge_commit_sha");
    assert_eq!(git(&bare, &["rev-parse", "env/stage"]).trim(), merge_sha);
    assert_eq!(
        git(&bare, &["rev-parse", "env/stage^1", "env/stage^2"]),
        format!("{base}\n{head}\n")
    );
    assert!(
        git(&bare, &["log", "-1", "--format=%B", "env/stage"])
            .starts_with(&format!("Merge branch '{branch}' into 'env/stage'"))
    );
    assert!(
        git(&bare, &["branch", "--list", branch]).trim().is_empty(),
        "the source branch is removed"
    );
    assert_eq!(
        api.call("PUT", &format!("{PROJECT}/merge_requests/1/merge"), None)
            .status,
        405
    );
    let by_state = api.call(
        "GET",
        &format!("{PROJECT}/merge_requests?state=merged"),
        None,
    );
    assert_eq!(by_state.body[0]["merged_by"]["username"], "release-manager");

    // The reconciler reports on the target's new commit.
    wait_for("the reconciler", || {
        let statuses = api.call(
            "GET",
            &format!("{PROJECT}/repository/commits/env%2Fstage/statuses?name=argo-cd%2Fstage"),
            None,
        );
        statuses.body[0]["status"] == "success" && statuses.body[0]["ref"] == "env/stage"
    });
    let posted = api.call(
        "POST",
        &format!("{PROJECT}/statuses/{merge_sha}"),
        Some(json!({"state": "failed", "name": "flux/stage", "ref": "env/stage", "description": "Health check failed"})),
    );
    assert_eq!(
        (posted.status, posted.body["status"].as_str()),
        (201, Some("failed"))
    );
    let bad = api.call(
        "POST",
        &format!("{PROJECT}/statuses/{merge_sha}"),
        Some(json!({"state": "failure"})),
    );
    assert_eq!(
        (bad.status, bad.body["error"].as_str()),
        (400, Some("state does not have a valid value"))
    );

    check_journal(&sandbox);
}

#[test]
fn merge_when_pipeline_succeeds_merges_once_it_passes_and_never_on_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let mut config = gitlab(&bare);
    config.delay = Duration::from_millis(300);
    let sandbox = Sandbox::start(config).expect("sandbox starts");
    let api = Api::new(&sandbox, TOKEN);

    let (_, head) = promote(&api, &bare, "hoist/stage/api-1", "1.0.0");
    let opened = api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({"source_branch": "hoist/stage/api-1", "target_branch": "env/stage", "title": "Promote api to 1.0.0"})),
    );
    assert_eq!(opened.status, 201);
    let set = api.call(
        "PUT",
        &format!("{PROJECT}/merge_requests/1/merge"),
        Some(json!({"sha": head, "merge_when_pipeline_succeeds": true})),
    );
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        (
            set.body["state"].as_str(),
            set.body["merge_when_pipeline_succeeds"].as_bool()
        ),
        (Some("opened"), Some(true))
    );
    wait_for("the auto-merge", || {
        api.call("GET", &format!("{PROJECT}/merge_requests/1"), None)
            .body["state"]
            == "merged"
    });
    let tip = git(&bare, &["rev-parse", "env/stage"]).trim().to_owned();
    assert_eq!(git(&bare, &["rev-parse", "env/stage^2"]).trim(), head);
    wait_for("the reconciler", || {
        api.call(
            "GET",
            &format!("{PROJECT}/repository/commits/{tip}/statuses"),
            None,
        )
        .body[0]["status"]
            == "success"
    });

    // A failing pipeline: no merge, now or later.
    sandbox.ci_passes("hoist/stage/api-2", false);
    let (_, head) = promote(&api, &bare, "hoist/stage/api-2", "2.0.0");
    api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({"source_branch": "hoist/stage/api-2", "target_branch": "env/stage", "title": "Promote api to 2.0.0"})),
    );
    let set = api.call(
        "PUT",
        &format!("{PROJECT}/merge_requests/2/merge"),
        Some(json!({"auto_merge": true})),
    );
    assert_eq!(set.body["merge_when_pipeline_succeeds"], true);
    wait_for("the failed pipeline", || {
        api.call("GET", &format!("{PROJECT}/pipelines?sha={head}"), None)
            .body[0]["status"]
            == "failed"
    });
    let failed = api.call("GET", &format!("{PROJECT}/merge_requests/2"), None);
    assert_eq!(
        (
            failed.body["state"].as_str(),
            failed.body["detailed_merge_status"].as_str()
        ),
        (Some("opened"), Some("ci_must_pass"))
    );
    assert_eq!(
        api.call("PUT", &format!("{PROJECT}/merge_requests/2/merge"), None)
            .status,
        405
    );
    assert_eq!(git(&bare, &["rev-parse", "env/stage"]).trim(), tip);

    check_journal(&sandbox);
}

#[test]
fn auto_merge_waits_for_the_approval_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let mut config = gitlab(&bare);
    config.required_approvals = 1;
    let sandbox = Sandbox::start(config).expect("sandbox starts");
    let api = Api::new(&sandbox, TOKEN);
    let (_, head) = promote(&api, &bare, "hoist/stage/api-5", "5.0.0");
    api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({"source_branch": "hoist/stage/api-5", "target_branch": "env/stage", "title": "Promote api to 5.0.0"})),
    );
    let set = api.call(
        "PUT",
        &format!("{PROJECT}/merge_requests/1/merge"),
        Some(json!({"auto_merge": true})),
    );
    assert_eq!(
        (
            set.status,
            set.body["merge_when_pipeline_succeeds"].as_bool()
        ),
        (200, Some(true))
    );
    wait_for("the pipeline", || {
        api.call("GET", &format!("{PROJECT}/pipelines?sha={head}"), None)
            .body[0]["status"]
            == "success"
    });
    let waiting = api.call("GET", &format!("{PROJECT}/merge_requests/1"), None);
    assert_eq!(
        (
            waiting.body["state"].as_str(),
            waiting.body["detailed_merge_status"].as_str()
        ),
        (Some("opened"), Some("not_approved"))
    );
    sandbox.review(1, "reviewer", "APPROVED").expect("approval");
    let merged = api.call("GET", &format!("{PROJECT}/merge_requests/1"), None);
    assert_eq!(merged.body["state"], "merged");
    assert_eq!(git(&bare, &["rev-parse", "env/stage^2"]).trim(), head);

    check_journal(&sandbox);
}

#[test]
fn a_fast_forward_project_moves_the_target_or_asks_for_a_rebase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let mut config = gitlab(&bare);
    config.checks.clear();
    config.merge_methods = vec!["rebase".into(), "squash".into()];
    let sandbox = Sandbox::start(config).expect("sandbox starts");
    let api = Api::new(&sandbox, TOKEN);
    assert_eq!(api.call("GET", PROJECT, None).body["merge_method"], "ff");
    let (_, first) = promote(&api, &bare, "hoist/stage/api-6", "6.0.0");
    // Another promotion from the same start, of another app: no conflict.
    let base = git(&bare, &["rev-parse", "env/stage"]).trim().to_owned();
    let web = api.call(
        "POST",
        &format!("{PROJECT}/repository/commits"),
        Some(json!({
            "branch": "hoist/stage/web-6", "start_sha": base, "commit_message": "Promote web to 6.0.1",
            "actions": [{"action": "update", "file_path": "apps/web/values.yaml", "content": "image:\n  tag: \"6.0.1\"\n"}],
        })),
    );
    let second = sha(&web, "/id");
    for (branch, title) in [("hoist/stage/api-6", "api"), ("hoist/stage/web-6", "web")] {
        let opened = api.call(
            "POST",
            &format!("{PROJECT}/merge_requests"),
            Some(json!({"source_branch": branch, "target_branch": "env/stage", "title": title})),
        );
        assert_eq!(opened.body["detailed_merge_status"], "mergeable");
    }
    let merged = api.call("PUT", &format!("{PROJECT}/merge_requests/1/merge"), None);
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert_eq!(git(&bare, &["rev-parse", "env/stage"]).trim(), first);
    assert!(merged.body["merge_commit_sha"].is_null());
    // The other one no longer descends from the target: it needs a rebase.
    let behind = api.call("GET", &format!("{PROJECT}/merge_requests/2"), None);
    assert_eq!(behind.body["detailed_merge_status"], "need_rebase");
    assert_eq!(
        api.call("PUT", &format!("{PROJECT}/merge_requests/2/merge"), None)
            .status,
        405
    );
    assert_ne!(git(&bare, &["rev-parse", "env/stage"]).trim(), second);

    check_journal(&sandbox);
}

#[test]
fn a_push_from_elsewhere_moves_the_merge_requests_from_its_branch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let sandbox = Sandbox::start(gitlab(&bare)).expect("sandbox starts");
    let api = Api::new(&sandbox, TOKEN);
    let branch = "hoist/stage/api-7";
    let (base, head) = promote(&api, &bare, branch, "7.0.0");
    let opened = api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({"source_branch": branch, "target_branch": "env/stage", "title": "api"})),
    );
    assert_eq!(opened.body["sha"], head.as_str());
    // Someone pushes the branch back to the base: GitLab refreshes the
    // merge request, and a pipeline runs on its new head.
    sandbox.push(branch, &base).expect("push");
    let moved = api.call("GET", &format!("{PROJECT}/merge_requests/1"), None);
    assert_eq!(moved.body["sha"], base.as_str());
    let pipelines = api.call("GET", &format!("{PROJECT}/pipelines?sha={base}"), None);
    assert_eq!(pipelines.body[0]["status"], "running", "{}", pipelines.body);
    // A push to a branch no merge request is from moves none.
    sandbox.push("env/prod", &base).expect("push");
    let unmoved = api.call("GET", &format!("{PROJECT}/merge_requests/1"), None);
    assert_eq!(unmoved.body["sha"], base.as_str());
    check_journal(&sandbox);
}

#[test]
fn tokens_scopes_projects_and_the_rate_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let mut config = gitlab(&bare);
    config.checks.clear();
    let sandbox = Sandbox::start(config).expect("sandbox starts");
    let api = Api::new(&sandbox, TOKEN);

    let stranger = Api::new(&sandbox, "glpat-wrong");
    let refused = stranger.call("GET", "/api/v4/user", None);
    assert_eq!(
        (refused.status, refused.body["message"].as_str()),
        (401, Some("401 Unauthorized"))
    );
    // `Authorization: Bearer` works as `PRIVATE-TOKEN` does.
    let bearer = api
        .agent
        .get(&format!("{}/api/v4/user", sandbox.url()))
        .header("authorization", &format!("Bearer {TOKEN}"))
        .call()
        .expect("answer");
    assert_eq!(bearer.status().as_u16(), 200);

    let reader = Api::new(&sandbox, READER);
    assert_eq!(reader.call("GET", PROJECT, None).status, 200);
    assert_eq!(
        reader
            .call("GET", "/api/v4/personal_access_tokens/self", None)
            .body["scopes"],
        json!(["read_api"])
    );
    let write = reader.call(
        "POST",
        &format!("{PROJECT}/repository/branches"),
        Some(json!({"branch": "x", "ref": "main"})),
    );
    assert_eq!(
        (write.status, write.body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    assert_eq!(write.body["scope"], "api");
    assert!(
        write.headers["www-authenticate"]
            .to_str()
            .is_ok_and(|h| h.contains("insufficient_scope"))
    );
    assert!(git(&bare, &["branch", "--list", "x"]).trim().is_empty());
    assert_eq!(api.call("GET", "/api/v4/projects/4242", None).status, 404);

    // Without CI, a merge request is mergeable at once.
    promote(&api, &bare, "hoist/stage/api-3", "3.0.0");
    let opened = api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({"source_branch": "hoist/stage/api-3", "target_branch": "env/stage", "title": "t"})),
    );
    assert_eq!(
        (
            opened.body["detailed_merge_status"].as_str(),
            opened.body["head_pipeline"].is_null()
        ),
        (Some("mergeable"), true)
    );
    let no_branch = api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({"source_branch": "nope", "target_branch": "env/stage", "title": "t"})),
    );
    assert_eq!(
        (no_branch.status, no_branch.body["message"][0].as_str()),
        (422, Some("Source branch \"nope\" does not exist"))
    );

    // Polling: an unchanged answer is a 304.
    let first = api.call("GET", &format!("{PROJECT}/merge_requests/1"), None);
    let etag = first.headers["etag"].to_str().expect("etag").to_owned();
    assert_eq!(
        api.send(
            "GET",
            &format!("{PROJECT}/merge_requests/1"),
            None,
            Some(&etag)
        )
        .status,
        304
    );

    // Faults and the rate limit.
    sandbox.inject(Fault::once("GET", "/api/v4/user", FaultKind::Status(502)));
    let broken = api.call("GET", "/api/v4/user", None);
    assert_eq!(
        (broken.status, broken.body["message"].as_str()),
        (502, Some("502 Bad Gateway"))
    );
    sandbox.inject(Fault::once(
        "GET",
        "/api/v4/user",
        FaultKind::SecondaryRateLimit { retry_after: 7 },
    ));
    let slowed = api.call("GET", "/api/v4/user", None);
    assert_eq!(
        (slowed.status, slowed.headers["retry-after"].to_str().ok()),
        (429, Some("7"))
    );
    let counted = api.call("GET", "/api/v4/user", None);
    assert_eq!(counted.headers["ratelimit-limit"], "5000");
    sandbox.spend_rate_limit("release-manager", Duration::from_secs(120));
    let limited = api.call("GET", "/api/v4/user", None);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.body, "Retry later\n");
    assert_eq!(limited.headers["ratelimit-remaining"], "0");
    assert!(
        limited.headers["retry-after"]
            .to_str()
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| (1..=120).contains(&s))
    );
    assert!(limited.headers.contains_key("ratelimit-reset"));
    // Another account has its own window.
    assert_eq!(reader.call("GET", "/api/v4/user", None).status, 200);
    sandbox.revoke(TOKEN);
    assert_eq!(api.call("GET", "/api/v4/user", None).status, 401);

    check_journal(&sandbox);
}

#[test]
fn the_check_refuses_answers_that_drift_from_gitbeakers_types() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let sandbox = Sandbox::start(gitlab(&bare)).expect("sandbox starts");
    let api = Api::new(&sandbox, TOKEN);
    promote(&api, &bare, "hoist/stage/api-4", "4.0.0");
    let opened = api.call(
        "POST",
        &format!("{PROJECT}/merge_requests"),
        Some(json!({"source_branch": "hoist/stage/api-4", "target_branch": "env/stage", "title": "t"})),
    );
    assert_eq!(opened.status, 201);
    api.call(
        "GET",
        &format!("{PROJECT}/repository/branches/env%2Fstage"),
        None,
    );
    check_journal(&sandbox);

    let root = hoist_fixtures::workspace_root();
    let mut types =
        hoist_sandbox::gitbeaker::Types::load(&hoist_sandbox::gitbeaker::default_types(&root))
            .expect("types");
    let journal = sandbox.journal();
    let created = journal
        .iter()
        .find(|e| e.method == "POST" && e.route.ends_with("/merge_requests"))
        .expect("a created merge request")
        .clone();
    types.check(&created).expect("the real answer passes");
    let damaged = |change: &dyn Fn(&mut Exchange)| {
        let mut e = created.clone();
        change(&mut e);
        e
    };
    let drifts: Vec<(&str, Exchange)> = vec![
        (
            "a required field missing",
            damaged(&|e| {
                if let Some(Value::Object(body)) = e.body.as_mut() {
                    body.remove("detailed_merge_status");
                }
            }),
        ),
        (
            "a field of the wrong type",
            damaged(&|e| {
                if let Some(body) = e.body.as_mut() {
                    body["iid"] = json!("1");
                }
            }),
        ),
        (
            "a value outside the enumeration",
            damaged(&|e| {
                if let Some(body) = e.body.as_mut() {
                    body["merge_status"] = json!("merged");
                }
            }),
        ),
        (
            "a nested object wrong",
            damaged(&|e| {
                if let Some(body) = e.body.as_mut() {
                    body["author"] = json!({"username": "x"});
                }
            }),
        ),
        (
            "a route GitLab does not have",
            damaged(&|e| e.route = "/api/v4/projects/{id}/pulls".into()),
        ),
        (
            "a success status GitLab does not answer",
            damaged(&|e| e.status = 200),
        ),
        (
            "an error in GitHub's shape",
            damaged(&|e| {
                e.status = 422;
                e.body = Some(json!({"errors": [{"code": "invalid"}]}));
            }),
        ),
    ];
    for (what, drifted) in drifts {
        assert!(types.check(&drifted).is_err(), "the check let {what} pass");
    }
    let branch = journal
        .iter()
        .find(|e| e.route.ends_with("/branches/{branch}"))
        .expect("a branch")
        .clone();
    let mut no_commit = branch;
    if let Some(Value::Object(body)) = no_commit.body.as_mut() {
        body.remove("commit");
    }
    assert!(types.check(&no_commit).is_err());
}
