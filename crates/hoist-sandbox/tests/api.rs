//! The sandbox through plain HTTP: each endpoint Hoist uses, its refusals,
//! its faults, merging into the bare repository, and every answer checked
//! against GitHub's OpenAPI description.

use std::path::Path;
use std::time::{Duration, Instant};

use hoist_fixtures::{fixture, git};
use hoist_sandbox::{Config, Fault, FaultKind, Sandbox};
use serde_json::{Value, json};

const TOKEN: &str = "ghp_sandboxtesttoken";

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
    fn new(sandbox: &Sandbox) -> Api {
        Api {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(20)))
                .build()
                .into(),
            base: sandbox.url().to_owned(),
            token: TOKEN.to_owned(),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        etag: Option<&str>,
    ) -> Result<Answer, ureq::Error> {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        let mut response = match (method, body) {
            ("GET", _) => {
                let mut r = self.agent.get(&url).header("authorization", &auth);
                if let Some(etag) = etag {
                    r = r.header("if-none-match", etag);
                }
                r.call()
            }
            ("DELETE", _) => self
                .agent
                .delete(&url)
                .header("authorization", &auth)
                .call(),
            ("POST", b) => self
                .agent
                .post(&url)
                .header("authorization", &auth)
                .send_json(b.unwrap_or(json!({}))),
            ("PATCH", b) => self
                .agent
                .patch(&url)
                .header("authorization", &auth)
                .send_json(b.unwrap_or(json!({}))),
            ("PUT", b) => self
                .agent
                .put(&url)
                .header("authorization", &auth)
                .send_json(b.unwrap_or(json!({}))),
            _ => unreachable!("method {method}"),
        }?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.body_mut().read_to_string()?;
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.send(method, path, body, None)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }
}

/// A bare clone of the branch-helm fixture, as GitHub would hold it.
fn bare_origin(dir: &Path) -> std::path::PathBuf {
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

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn promotion_loop_through_the_api_matches_githubs_description() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bare = bare_origin(dir.path());
    let mut config = Config::new(&bare, "acme", "gitops", "release-manager", TOKEN);
    config.collaborators = vec!["reviewer".into()];
    config.checks = vec!["validate".into()];
    config.reconciler = Some("argo-cd/stage".into());
    config.delay = Duration::from_millis(50);
    let sandbox = Sandbox::start(config).expect("sandbox starts");
    let api = Api::new(&sandbox);
    let repo = "/repos/acme/gitops";

    // Who and where.
    let user = api.call("GET", "/user", None);
    assert_eq!(
        (user.status, user.body["login"].as_str()),
        (200, Some("release-manager"))
    );
    assert_eq!(user.headers["x-oauth-scopes"], "repo");
    assert_eq!(api.call("GET", repo, None).body["full_name"], "acme/gitops");
    assert_eq!(api.call("GET", "/repos/acme/elsewhere", None).status, 404);
    let stranger = Api {
        token: "ghp_wrong".into(),
        ..Api::new(&sandbox)
    };
    let refused = stranger.call("GET", "/user", None);
    assert_eq!(
        (refused.status, refused.body["message"].as_str()),
        (401, Some("Bad credentials"))
    );

    // Objects and the branch, as Hoist writes them.
    let stage = api.call("GET", &format!("{repo}/git/ref/heads/env/stage"), None);
    assert_eq!(stage.status, 200);
    let base = stage.body["object"]["sha"]
        .as_str()
        .expect("sha")
        .to_owned();
    assert_eq!(base, git(&bare, &["rev-parse", "env/stage"]).trim());
    assert_eq!(
        api.call("GET", &format!("{repo}/git/ref/heads/nope"), None)
            .status,
        404
    );
    let blob = api.call(
        "POST",
        &format!("{repo}/git/blobs"),
        Some(json!({"content": "image:\n  tag: \"9.9.9\"\n", "encoding": "utf-8"})),
    );
    assert_eq!(blob.status, 201);
    let blob_sha = blob.body["sha"].as_str().expect("sha").to_owned();
    assert_eq!(
        git(&bare, &["cat-file", "-p", &blob_sha]),
        "image:\n  tag: \"9.9.9\"\n"
    );
    let base_commit = api.call("GET", &format!("{repo}/git/commits/{base}"), None);
    let base_tree = base_commit.body["tree"]["sha"]
        .as_str()
        .expect("tree")
        .to_owned();
    let tree = api.call("POST", &format!("{repo}/git/trees"), Some(json!({
        "base_tree": base_tree,
        "tree": [{"path": "apps/api/values.yaml", "mode": "100644", "type": "blob", "sha": blob_sha}],
    })));
    assert_eq!(tree.status, 201, "{}", tree.body);
    let tree_sha = tree.body["sha"].as_str().expect("sha").to_owned();
    // Paths GitHub refuses in a tree, the sandbox refuses too.
    for path in [
        "apps/../x.yaml",
        "./x.yaml",
        "a//b.yaml",
        ".git/config",
        "a/.GIT/hooks/x",
    ] {
        let refused = api.call(
            "POST",
            &format!("{repo}/git/trees"),
            Some(json!({
                "base_tree": base_tree,
                "tree": [{"path": path, "mode": "100644", "type": "blob", "sha": blob_sha}],
            })),
        );
        assert_eq!(refused.status, 422, "{path}: {}", refused.body);
    }
    assert_eq!(
        git(
            &bare,
            &["rev-parse", &format!("{tree_sha}:apps/api/values.yaml")]
        )
        .trim(),
        blob_sha
    );
    // Every other path is the base's.
    let listed = |t: &str| {
        git(&bare, &["ls-tree", "-r", t])
            .lines()
            .filter(|l| !l.ends_with("apps/api/values.yaml"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&tree_sha), listed(&base_tree));
    let commit = api.call(
        "POST",
        &format!("{repo}/git/commits"),
        Some(json!({
            "message": "Promote api to stage", "tree": tree_sha, "parents": [base],
        })),
    );
    assert_eq!(commit.status, 201, "{}", commit.body);
    let commit_sha = commit.body["sha"].as_str().expect("sha").to_owned();
    let bad_parent = api.call("POST", &format!("{repo}/git/commits"), Some(json!({
        "message": "x", "tree": tree_sha, "parents": ["0123456789012345678901234567890123456789"],
    })));
    assert_eq!(bad_parent.status, 422);
    let branch = "hoist/stage/api-9.9.9";
    let created = api.call(
        "POST",
        &format!("{repo}/git/refs"),
        Some(json!({"ref": format!("refs/heads/{branch}"), "sha": commit_sha})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let again = api.call(
        "POST",
        &format!("{repo}/git/refs"),
        Some(json!({"ref": format!("refs/heads/{branch}"), "sha": commit_sha})),
    );
    assert_eq!(
        (again.status, again.body["message"].as_str()),
        (422, Some("Reference already exists"))
    );
    let backwards = api.call(
        "PATCH",
        &format!("{repo}/git/refs/heads/{branch}"),
        Some(json!({"sha": base})),
    );
    assert_eq!(
        (backwards.status, backwards.body["message"].as_str()),
        (422, Some("Update is not a fast forward"))
    );

    // The pull request.
    let pr = api.call("POST", &format!("{repo}/pulls"), Some(json!({
        "title": "Promote api to stage", "head": branch, "base": "env/stage", "body": "<!-- hoist -->",
    })));
    assert_eq!(pr.status, 201, "{}", pr.body);
    assert_eq!(pr.body["number"], 1);
    assert_eq!(pr.body["changed_files"], 1);
    let twice = api.call(
        "POST",
        &format!("{repo}/pulls"),
        Some(json!({"title": "t", "head": branch, "base": "env/stage"})),
    );
    assert_eq!(twice.status, 422);
    assert_eq!(
        twice.body["errors"][0]["message"],
        format!("A pull request already exists for acme:{branch}.")
    );
    let listed = api.call(
        "GET",
        &format!("{repo}/pulls?state=open&head=acme:{branch}"),
        None,
    );
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert_eq!(
        api.call("GET", &format!("{repo}/pulls?state=closed"), None)
            .body,
        json!([])
    );
    let labels = api.call(
        "POST",
        &format!("{repo}/issues/1/labels"),
        Some(json!({"labels": ["promotion", "env:stage"]})),
    );
    assert_eq!(labels.body.as_array().map(Vec::len), Some(2));
    let asked = api.call(
        "POST",
        &format!("{repo}/pulls/1/requested_reviewers"),
        Some(json!({"reviewers": ["reviewer"]})),
    );
    assert_eq!(asked.status, 201);
    let author = api.call(
        "POST",
        &format!("{repo}/pulls/1/requested_reviewers"),
        Some(json!({"reviewers": ["release-manager"]})),
    );
    assert_eq!(author.status, 422);

    // Polling: a 304 costs nothing.
    let first = api.call("GET", &format!("{repo}/pulls/1"), None);
    let etag = first.headers["etag"].to_str().expect("etag").to_owned();
    let remaining = first.headers["x-ratelimit-remaining"]
        .to_str()
        .expect("remaining")
        .to_owned();
    let unchanged = api
        .send("GET", &format!("{repo}/pulls/1"), None, Some(&etag))
        .expect("answer");
    assert_eq!(unchanged.status, 304);
    assert_eq!(
        unchanged.headers["x-ratelimit-remaining"],
        remaining.as_str()
    );

    // CI, review, merge.
    wait_for("the check run", || {
        api.call(
            "GET",
            &format!("{repo}/commits/{commit_sha}/check-runs"),
            None,
        )
        .body["check_runs"][0]["conclusion"]
            == "success"
    });
    let status = api.call(
        "POST",
        &format!("{repo}/statuses/{commit_sha}"),
        Some(json!({"state": "success", "context": "lint"})),
    );
    assert_eq!(status.status, 201);
    assert_eq!(
        api.call("GET", &format!("{repo}/commits/{commit_sha}/status"), None)
            .body["state"],
        "success"
    );
    sandbox.review(1, "reviewer", "APPROVED").expect("review");
    assert_eq!(
        api.call("GET", &format!("{repo}/pulls/1/reviews"), None)
            .body[0]["state"],
        "APPROVED"
    );
    assert_eq!(
        api.call("GET", &format!("{repo}/pulls/1"), None).body["mergeable_state"],
        "clean"
    );
    // The page a person opens from Hoist offers the merge.
    let page_url = api.call("GET", &format!("{repo}/pulls/1"), None).body["html_url"]
        .as_str()
        .expect("html_url")
        .to_owned();
    let page = |url: &str| {
        api.agent
            .get(url)
            .call()
            .expect("page")
            .body_mut()
            .read_to_string()
            .expect("html")
    };
    let open_page = page(&page_url);
    assert!(
        open_page.contains("Promote api to stage") && open_page.contains("Merge pull request"),
        "{open_page}"
    );
    let stale = api.call(
        "PUT",
        &format!("{repo}/pulls/1/merge"),
        Some(json!({"sha": base})),
    );
    assert_eq!(stale.status, 409);
    let merged = api.call(
        "PUT",
        &format!("{repo}/pulls/1/merge"),
        Some(json!({"sha": commit_sha, "merge_method": "merge"})),
    );
    assert_eq!(merged.status, 200, "{}", merged.body);
    let merge_sha = merged.body["sha"].as_str().expect("sha").to_owned();
    assert_eq!(git(&bare, &["rev-parse", "env/stage"]).trim(), merge_sha);
    assert_eq!(
        git(&bare, &["show", "env/stage:apps/api/values.yaml"]),
        "image:\n  tag: \"9.9.9\"\n"
    );
    assert_eq!(
        git(&bare, &["rev-parse", "env/stage^1", "env/stage^2"]),
        format!("{base}\n{commit_sha}\n")
    );
    assert_eq!(
        api.call("PUT", &format!("{repo}/pulls/1/merge"), None)
            .status,
        405
    );
    let after = api.call("GET", &format!("{repo}/pulls/1"), None);
    assert_eq!(
        (after.body["state"].as_str(), after.body["merged"].as_bool()),
        (Some("closed"), Some(true))
    );
    let merged_page = page(&page_url);
    assert!(
        merged_page.contains("<strong>Merged</strong>") && !merged_page.contains("<button>"),
        "{merged_page}"
    );
    // Only the form of the page itself merges: another page cannot post it.
    let forged = api
        .agent
        .post(&format!("{page_url}/merge"))
        .send("secret=0123")
        .expect("answer");
    assert_eq!(forged.status().as_u16(), 403);
    let secret = open_page
        .split("name=secret value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries its secret");
    let again = api
        .agent
        .post(&format!("{page_url}/merge"))
        .send(format!("secret={secret}").as_str())
        .expect("answer");
    assert_eq!(again.status().as_u16(), 409);
    wait_for("the reconciler", || {
        api.call("GET", &format!("{repo}/commits/env%2Fstage/status"), None)
            .body["state"]
            == "success"
    });

    // Faults.
    sandbox.inject(Fault::once("GET", "/user", FaultKind::Status(502)));
    assert_eq!(api.call("GET", "/user", None).status, 502);
    sandbox.inject(Fault::once(
        "GET",
        "/user",
        FaultKind::SecondaryRateLimit { retry_after: 3 },
    ));
    let slowed = api.call("GET", "/user", None);
    assert_eq!(
        (slowed.status, slowed.headers["retry-after"].to_str().ok()),
        (403, Some("3"))
    );
    sandbox.inject(Fault::once("POST", "/git/blobs", FaultKind::DropAfter));
    let lost = api.send(
        "POST",
        &format!("{repo}/git/blobs"),
        Some(json!({"content": "lost answer\n"})),
        None,
    );
    assert!(lost.is_err(), "the connection drops");
    // …after the blob was written.
    let made = sandbox.journal().last().cloned().expect("journal");
    assert_eq!(
        (made.route.as_str(), made.status),
        ("/repos/{owner}/{repo}/git/blobs", 201)
    );
    let made = made.body.expect("body")["sha"]
        .as_str()
        .expect("sha")
        .to_owned();
    git(&bare, &["cat-file", "-e", &made]);
    sandbox.spend_rate_limit("release-manager", Duration::from_secs(120));
    let spent = api.call("GET", "/user", None);
    assert_eq!(
        (
            spent.status,
            spent.headers["x-ratelimit-remaining"].to_str().ok()
        ),
        (403, Some("0"))
    );
    assert_eq!(
        api.call("GET", "/rate_limit", None).body["rate"]["remaining"],
        0
    );
    sandbox.revoke(TOKEN);
    assert_eq!(api.call("GET", "/user", None).status, 401);

    let root = hoist_fixtures::workspace_root();
    let mut spec = hoist_sandbox::openapi::Spec::load(&hoist_sandbox::openapi::default_spec(&root))
        .expect("spec");
    let failures: Vec<String> = sandbox
        .journal()
        .iter()
        .filter_map(|e| spec.check(e).err())
        .collect();
    assert!(
        failures.is_empty(),
        "answers that differ from GitHub's API:\n{}",
        failures.join("\n")
    );
    // The check has teeth: an answer without a required field, or on a
    // route GitHub does not have, is refused.
    let mut damaged = sandbox
        .journal()
        .into_iter()
        .find(|e| e.route.ends_with("/git/refs") && e.status == 201)
        .expect("a created ref");
    if let Some(Value::Object(body)) = damaged.body.as_mut() {
        body.remove("object");
    }
    assert!(spec.check(&damaged).is_err());
    damaged.route = "/repos/{owner}/{repo}/git/refs/everything".into();
    assert!(spec.check(&damaged).is_err());
}

/// A bare clone of fixture `name` under `dir`.
fn bare_of(name: &str, dir: &Path) -> std::path::PathBuf {
    let bare = dir.join(format!("{name}.git"));
    git(
        dir,
        &[
            "clone",
            "-q",
            "--bare",
            &fixture(name).to_string_lossy(),
            &bare.to_string_lossy(),
        ],
    );
    bare
}

#[test]
fn source_repositories_compare_tags_and_keep_their_merged_pull_requests() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::new(
        bare_origin(dir.path()),
        "acme",
        "gitops",
        "release-manager",
        TOKEN,
    );
    config.sources = vec![hoist_sandbox::Source {
        owner: "acme".into(),
        name: "api".into(),
        repo: bare_of("source-api", dir.path()),
    }];
    let sandbox = Sandbox::start(config).expect("sandbox starts");
    let api = Api::new(&sandbox);

    let compared = api.call("GET", "/repos/acme/api/compare/1.5.0...1.6.0", None);
    assert_eq!(compared.status, 200, "{}", compared.body);
    assert_eq!(
        (
            compared.body["status"].as_str(),
            compared.body["total_commits"].as_u64()
        ),
        (Some("ahead"), Some(4)),
        "the merge, the branch commit it brought, the squash and the direct commit"
    );
    let subjects: Vec<&str> = compared.body["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter_map(|c| c["commit"]["message"].as_str()?.lines().next())
        .collect();
    assert_eq!(
        subjects,
        [
            "Stream the audit log",
            "Merge pull request #103 from acme/audit",
            "refactor(db)!: drop the v1 schema (#104)",
            "docs: fix a typo in the README"
        ],
        "oldest first"
    );
    // Paged, as release notes ask for long ranges.
    let page = api.call(
        "GET",
        "/repos/acme/api/compare/1.4.2...1.6.0?per_page=2&page=3",
        None,
    );
    assert_eq!(page.body["total_commits"].as_u64(), Some(7));
    assert_eq!(page.body["commits"].as_array().map(Vec::len), Some(2));
    // Tags and branches both; an unknown revision is not found.
    assert_eq!(
        api.call("GET", "/repos/acme/api/compare/1.6.0...main", None)
            .body["status"],
        "identical"
    );
    assert_eq!(
        api.call("GET", "/repos/acme/api/compare/1.5.0...9.9.9", None)
            .status,
        404
    );

    // The pull requests its history records, merged, with their labels.
    let pull = api.call("GET", "/repos/acme/api/pulls/101", None);
    assert_eq!(
        (
            pull.body["title"].as_str(),
            pull.body["merged"].as_bool(),
            pull.body["user"]["login"].as_str()
        ),
        (
            Some("feat(auth): log in with SSO"),
            Some(true),
            Some("bob-okafor")
        )
    );
    assert_eq!(pull.body["labels"][0]["name"], "feature");
    assert_eq!(pull.body["body"], "Closes #88, API-7");
    let squash = api.call("GET", "/repos/acme/api/pulls/104", None);
    assert_eq!(squash.body["title"], "refactor(db)!: drop the v1 schema");
    // The GitOps repository is still itself, and other names are not found.
    assert_eq!(api.call("GET", "/repos/acme/gitops", None).status, 200);
    assert_eq!(api.call("GET", "/repos/acme/nothing", None).status, 404);

    let root = hoist_fixtures::workspace_root();
    let mut spec = hoist_sandbox::openapi::Spec::load(&hoist_sandbox::openapi::default_spec(&root))
        .expect("spec");
    let failures: Vec<String> = sandbox
        .source_journal("acme/api")
        .iter()
        .chain(sandbox.journal().iter())
        .filter_map(|e| spec.check(e).err())
        .collect();
    assert!(
        failures.is_empty(),
        "answers that differ from GitHub's API:\n{}",
        failures.join("\n")
    );
}
