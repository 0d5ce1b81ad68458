//! GitHub's resources as JSON, with every field GitHub's OpenAPI description
//! marks required (the test suite checks each answer against it).

use gix::ObjectId;
use serde_json::{Value, json};

use crate::Shared;
use crate::git::{CommitInfo, Person, TreeEntry};
use crate::store::{CheckRun, Label, Pull, Review, Status, Store};

pub fn time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn seconds(s: i64) -> String {
    time(jiff::Timestamp::from_second(s).unwrap_or(jiff::Timestamp::UNIX_EPOCH))
}

/// A stable numeric id for a login.
pub fn user_id(login: &str) -> u64 {
    login
        .bytes()
        .fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 100_000_000
}

impl Shared {
    pub fn repo_url(&self, rest: &str) -> String {
        format!(
            "{}/repos/{}/{}{rest}",
            self.base, self.config.owner, self.config.name
        )
    }

    /// The page a person would open, served by the sandbox too.
    pub fn web_url(&self, rest: &str) -> String {
        format!(
            "{}/{}/{}{rest}",
            self.base, self.config.owner, self.config.name
        )
    }
}

pub fn user(s: &Shared, login: &str) -> Value {
    let url = format!("{}/users/{login}", s.base);
    json!({
        "login": login,
        "id": user_id(login),
        "node_id": format!("U_{}", user_id(login)),
        "avatar_url": format!("{}/avatars/{login}", s.base),
        "gravatar_id": "",
        "url": url,
        "html_url": format!("{}/{login}", s.base),
        "followers_url": format!("{url}/followers"),
        "following_url": format!("{url}/following{{/other_user}}"),
        "gists_url": format!("{url}/gists{{/gist_id}}"),
        "starred_url": format!("{url}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{url}/subscriptions"),
        "organizations_url": format!("{url}/orgs"),
        "repos_url": format!("{url}/repos"),
        "events_url": format!("{url}/events{{/privacy}}"),
        "received_events_url": format!("{url}/received_events"),
        "type": "User",
        "site_admin": false,
    })
}

/// `GET /user`: the signed-in account.
pub fn private_user(s: &Shared, login: &str) -> Value {
    let mut u = user(s, login);
    let extra = json!({
        "name": login, "company": null, "blog": "", "location": null,
        "email": null, "hireable": null, "bio": null, "twitter_username": null,
        "public_repos": 1, "public_gists": 0, "followers": 0, "following": 0,
        "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z",
        "private_gists": 0, "total_private_repos": 1, "owned_private_repos": 1,
        "disk_usage": 0, "collaborators": 0, "two_factor_authentication": true,
    });
    if let (Some(u), Value::Object(extra)) = (u.as_object_mut(), extra) {
        u.extend(extra);
    }
    u
}

pub fn repository(s: &Shared, store: &Store) -> Value {
    let (owner, name) = (&s.config.owner, &s.config.name);
    let url = s.repo_url("");
    let web = s.web_url("");
    let templated = |rest: &str| format!("{url}/{rest}");
    let mut r = json!({
        "id": 4242, "node_id": "R_sandbox", "name": name,
        "full_name": format!("{owner}/{name}"),
        "owner": user(s, owner), "private": true, "html_url": web,
        "description": "Hoist sandbox repository", "fork": false, "url": url,
        "archive_url": templated("{archive_format}{/ref}"),
        "assignees_url": templated("assignees{/user}"),
        "blobs_url": templated("git/blobs{/sha}"),
        "branches_url": templated("branches{/branch}"),
        "collaborators_url": templated("collaborators{/collaborator}"),
        "comments_url": templated("comments{/number}"),
        "commits_url": templated("commits{/sha}"),
        "compare_url": templated("compare/{base}...{head}"),
        "contents_url": templated("contents/{+path}"),
        "contributors_url": templated("contributors"),
        "deployments_url": templated("deployments"),
        "downloads_url": templated("downloads"),
        "events_url": templated("events"),
        "forks_url": templated("forks"),
        "git_commits_url": templated("git/commits{/sha}"),
        "git_refs_url": templated("git/refs{/sha}"),
        "git_tags_url": templated("git/tags{/sha}"),
        "hooks_url": templated("hooks"),
        "issue_comment_url": templated("issues/comments{/number}"),
        "issue_events_url": templated("issues/events{/number}"),
        "issues_url": templated("issues{/number}"),
        "keys_url": templated("keys{/key_id}"),
        "labels_url": templated("labels{/name}"),
        "languages_url": templated("languages"),
        "merges_url": templated("merges"),
        "milestones_url": templated("milestones{/number}"),
        "notifications_url": templated("notifications{?since,all,participating}"),
        "pulls_url": templated("pulls{/number}"),
        "releases_url": templated("releases{/id}"),
        "stargazers_url": templated("stargazers"),
        "statuses_url": templated("statuses/{sha}"),
        "subscribers_url": templated("subscribers"),
        "subscription_url": templated("subscription"),
        "tags_url": templated("tags"),
        "teams_url": templated("teams"),
        "trees_url": templated("git/trees{/sha}"),
        "clone_url": format!("{web}.git"),
        "git_url": format!("{web}.git"),
        "ssh_url": format!("{web}.git"),
        "svn_url": web,
        "mirror_url": null, "homepage": null, "language": null,
        "forks": 0, "forks_count": 0, "stargazers_count": 0,
        "watchers": 0, "watchers_count": 0, "size": 1,
        "default_branch": "main",
        "open_issues": 0, "open_issues_count": 0,
        "has_issues": true, "has_projects": false, "has_wiki": false,
        "has_pages": false, "has_downloads": true, "has_discussions": false,
        "archived": false, "disabled": false, "visibility": "private",
        "license": null,
        "pushed_at": "2026-01-01T00:00:00Z",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "network_count": 0, "subscribers_count": 1,
        "allow_merge_commit": s.allows("merge"), "allow_squash_merge": s.allows("squash"),
        "allow_rebase_merge": s.allows("rebase"), "delete_branch_on_merge": true,
    });
    let open = store.pulls.iter().filter(|p| p.open).count();
    r["open_issues"] = json!(open);
    r["open_issues_count"] = json!(open);
    r
}

pub fn git_ref(s: &Shared, full: &str, id: ObjectId) -> Value {
    json!({
        "ref": full,
        "node_id": format!("REF_{full}"),
        "url": s.repo_url(&format!("/git/{full}")),
        "object": {
            "type": "commit",
            "sha": id.to_string(),
            "url": s.repo_url(&format!("/git/commits/{id}")),
        },
    })
}

fn person(p: &Person) -> Value {
    json!({ "name": p.name, "email": p.email, "date": seconds(p.time) })
}

/// A Git Data commit; `signed` when GitHub signed it (its signature and
/// payload are not modelled: Hoist reads only `verified`).
pub fn commit(s: &Shared, id: ObjectId, c: &CommitInfo, signed: bool) -> Value {
    let verification = if signed {
        json!({ "verified": true, "reason": "valid", "signature": null, "payload": null, "verified_at": seconds(c.committer.time) })
    } else {
        json!({ "verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null })
    };
    json!({
        "sha": id.to_string(),
        "node_id": format!("C_{id}"),
        "url": s.repo_url(&format!("/git/commits/{id}")),
        "html_url": s.web_url(&format!("/commit/{id}")),
        "author": person(&c.author),
        "committer": person(&c.committer),
        "message": c.message,
        "tree": { "sha": c.tree.to_string(), "url": s.repo_url(&format!("/git/trees/{}", c.tree)) },
        "parents": c.parents.iter().map(|p| json!({
            "sha": p.to_string(),
            "url": s.repo_url(&format!("/git/commits/{p}")),
            "html_url": s.web_url(&format!("/commit/{p}")),
        })).collect::<Vec<_>>(),
        "verification": verification,
    })
}

pub fn tree(s: &Shared, id: ObjectId, entries: &[TreeEntry]) -> Value {
    json!({
        "sha": id.to_string(),
        "url": s.repo_url(&format!("/git/trees/{id}")),
        "truncated": false,
        "tree": entries.iter().map(|e| {
            let mut v = json!({
                "path": e.path, "mode": e.mode, "type": e.kind, "sha": e.id.to_string(),
                "url": s.repo_url(&format!("/git/{}s/{}", e.kind, e.id)),
            });
            if let Some(size) = e.size {
                v["size"] = json!(size);
            }
            v
        }).collect::<Vec<_>>(),
    })
}

pub fn label(s: &Shared, l: &Label) -> Value {
    json!({
        "id": l.id, "node_id": format!("LA_{}", l.id),
        "url": s.repo_url(&format!("/labels/{}", l.name)),
        "name": l.name, "description": "", "color": l.color, "default": false,
    })
}

/// The branch's side of a pull request (`head` or `base`).
/// One end of a pull request: a branch of this repository, or of `fork`
/// (the fork's owner), whose repository is then the fork.
fn side(s: &Shared, store: &Store, branch: &str, sha: &str, fork: Option<&str>) -> Value {
    let owner = fork.unwrap_or(&s.config.owner);
    let mut repo = repository(s, store);
    if let Some(fork) = fork {
        repo["id"] = json!(4243);
        repo["node_id"] = json!("R_sandbox_fork");
        repo["full_name"] = json!(format!("{fork}/{}", s.config.name));
        repo["owner"] = user(s, fork);
        repo["fork"] = json!(true);
    }
    json!({
        "label": format!("{owner}:{branch}"),
        "ref": branch, "sha": sha,
        "user": user(s, owner),
        "repo": repo,
    })
}

/// A pull request; `full` adds what only `GET /pulls/{n}` answers
/// (mergeability and counts).
pub fn pull(s: &Shared, store: &Store, p: &Pull, full: bool) -> Value {
    let n = p.number;
    let api = s.repo_url(&format!("/pulls/{n}"));
    let issue = s.repo_url(&format!("/issues/{n}"));
    let web = s.web_url(&format!("/pull/{n}"));
    let base_sha = s
        .git
        .commitish(&p.base)
        .map(|id| id.to_string())
        .unwrap_or_default();
    let link = |href: String| json!({ "href": href });
    let mut v = json!({
        "url": api, "id": p.id, "node_id": format!("PR_{}", p.id),
        "html_url": web, "diff_url": format!("{web}.diff"), "patch_url": format!("{web}.patch"),
        "issue_url": issue, "commits_url": format!("{api}/commits"),
        "review_comments_url": format!("{api}/comments"),
        "review_comment_url": s.repo_url("/pulls/comments{/number}"),
        "comments_url": format!("{issue}/comments"),
        "statuses_url": s.repo_url(&format!("/statuses/{}", p.head_sha)),
        "number": n, "state": if p.open { "open" } else { "closed" },
        "locked": false, "title": p.title, "user": user(s, &p.user), "body": p.body,
        "labels": p.labels.iter().filter_map(|l| store.labels.get(&l.to_ascii_lowercase())).map(|l| label(s, l)).collect::<Vec<_>>(),
        "milestone": null, "active_lock_reason": null,
        "created_at": time(p.created_at), "updated_at": time(p.updated_at),
        "closed_at": p.closed_at.map(time),
        "merged_at": p.merged.as_ref().map(|m| time(m.at)),
        "merge_commit_sha": p.merged.as_ref().map(|m| m.sha.clone()),
        "assignee": null, "assignees": [],
        "requested_reviewers": p.reviewers.iter().map(|r| user(s, r)).collect::<Vec<_>>(),
        "requested_teams": p.teams.iter().map(|t| team(s, t)).collect::<Vec<_>>(),
        "head": side(s, store, &p.head, &p.head_sha, p.fork.as_deref()),
        "base": side(s, store, &p.base, &base_sha, None),
        "_links": {
            "self": link(api.clone()), "html": link(web.clone()), "issue": link(issue.clone()),
            "comments": link(format!("{issue}/comments")),
            "review_comments": link(format!("{api}/comments")),
            "review_comment": link(s.repo_url("/pulls/comments{/number}")),
            "commits": link(format!("{api}/commits")),
            "statuses": link(s.repo_url(&format!("/statuses/{}", p.head_sha))),
        },
        "author_association": "OWNER", "auto_merge": null, "draft": p.draft,
    });
    if full {
        let merged = p.merged.is_some();
        let (mergeable, state) = mergeability(s, store, p);
        let stat = match (
            s.git.commitish(&p.base),
            gix::ObjectId::from_hex(p.head_sha.as_bytes()).ok(),
        ) {
            (Some(base), Some(head)) => s.git.diff_stat(base, head),
            _ => Default::default(),
        };
        let extra = json!({
            "merged": merged,
            "mergeable": mergeable,
            "rebaseable": false,
            "mergeable_state": state,
            "merged_by": p.merged.as_ref().map(|m| user(s, &m.by)),
            "comments": 0, "review_comments": 0, "maintainer_can_modify": false,
            "commits": stat.commits, "additions": stat.additions,
            "deletions": stat.deletions, "changed_files": stat.changed_files,
        });
        if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
            v.extend(extra);
        }
    }
    v
}

/// Whether the pull request can merge, and GitHub's `mergeable_state`:
/// `dirty` (conflicts), `blocked` (changes requested), `unstable` (failing
/// checks), `clean`; closed ones are `unknown`.
pub fn mergeability(s: &Shared, store: &Store, p: &Pull) -> (Option<bool>, &'static str) {
    if !p.open {
        return (None, "unknown");
    }
    let (Some(base), Ok(head)) = (
        s.git.commitish(&p.base),
        gix::ObjectId::from_hex(p.head_sha.as_bytes()),
    ) else {
        return (Some(false), "dirty");
    };
    if !matches!(s.git.merges_cleanly(base, head), Ok(true)) {
        return (Some(false), "dirty");
    }
    let changes_requested = latest_reviews(store, p.number)
        .iter()
        .any(|r| r.state == "CHANGES_REQUESTED");
    if changes_requested || !crate::routes::signing::may_merge(s, store, &p.base, &p.head_sha) {
        return (Some(true), "blocked");
    }
    let failing = store.check_runs.iter().any(|c| {
        c.head_sha == p.head_sha
            && matches!(
                c.conclusion.as_deref(),
                Some("failure" | "timed_out" | "cancelled")
            )
    }) || combined_state(&statuses_for(store, &p.head_sha)) == "failure";
    (Some(true), if failing { "unstable" } else { "clean" })
}

/// Each reviewer's latest review of pull request `number`.
pub fn latest_reviews(store: &Store, number: u64) -> Vec<&Review> {
    let mut latest: Vec<&Review> = Vec::new();
    for r in store.reviews.iter().filter(|r| r.pull == number) {
        latest.retain(|l| l.user != r.user);
        latest.push(r);
    }
    latest
}

fn team(s: &Shared, slug: &str) -> Value {
    json!({
        "id": user_id(slug), "node_id": format!("T_{slug}"),
        "url": format!("{}/teams/{slug}", s.base),
        "members_url": format!("{}/teams/{slug}/members{{/member}}", s.base),
        "name": slug, "slug": slug, "description": null, "permission": "push",
        "html_url": format!("{}/orgs/{}/teams/{slug}", s.base, s.config.owner),
        "repositories_url": format!("{}/teams/{slug}/repos", s.base),
        "type": "organization", "parent": null, "privacy": "closed",
        "notification_setting": "notifications_enabled",
    })
}

pub fn review(s: &Shared, r: &Review) -> Value {
    let pull = s.repo_url(&format!("/pulls/{}", r.pull));
    let web = s.web_url(&format!("/pull/{}#pullrequestreview-{}", r.pull, r.id));
    json!({
        "id": r.id, "node_id": format!("PRR_{}", r.id), "user": user(s, &r.user),
        "body": "", "state": r.state, "commit_id": r.commit,
        "html_url": web, "pull_request_url": pull,
        "_links": { "html": { "href": web }, "pull_request": { "href": pull } },
        "submitted_at": time(r.at), "author_association": "COLLABORATOR",
    })
}

pub fn status(s: &Shared, st: &Status) -> Value {
    json!({
        "url": s.repo_url(&format!("/statuses/{}", st.sha)),
        "avatar_url": null, "id": st.id, "node_id": format!("SC_{}", st.id),
        "state": st.state, "description": st.description, "target_url": st.target_url,
        "context": st.context, "created_at": time(st.at), "updated_at": time(st.at),
        "creator": user(s, &st.creator),
    })
}

/// The latest status per context on `sha`, newest first.
pub fn statuses_for<'a>(store: &'a Store, sha: &str) -> Vec<&'a Status> {
    let mut latest: Vec<&Status> = Vec::new();
    for st in store.statuses.iter().rev().filter(|st| st.sha == sha) {
        if !latest.iter().any(|l| l.context == st.context) {
            latest.push(st);
        }
    }
    latest
}

/// GitHub's combined state: `failure` if any failed or errored, `pending`
/// if any is pending or there are none, else `success`.
pub fn combined_state(statuses: &[&Status]) -> &'static str {
    if statuses
        .iter()
        .any(|s| matches!(s.state.as_str(), "failure" | "error"))
    {
        "failure"
    } else if statuses.is_empty() || statuses.iter().any(|s| s.state == "pending") {
        "pending"
    } else {
        "success"
    }
}

pub fn combined(s: &Shared, store: &Store, sha: &str, statuses: &[&Status]) -> Value {
    let repo = repository(s, store);
    json!({
        "state": combined_state(statuses),
        "statuses": statuses.iter().map(|st| {
            let mut v = status(s, st);
            if let Some(v) = v.as_object_mut() {
                v.remove("creator");
            }
            v
        }).collect::<Vec<_>>(),
        "sha": sha,
        "total_count": statuses.len(),
        "repository": repo,
        "commit_url": s.repo_url(&format!("/commits/{sha}")),
        "url": s.repo_url(&format!("/commits/{sha}/status")),
    })
}

pub fn check_run(s: &Shared, c: &CheckRun) -> Value {
    json!({
        "id": c.id, "node_id": format!("CR_{}", c.id), "head_sha": c.head_sha,
        "external_id": "", "name": c.name,
        "url": s.repo_url(&format!("/check-runs/{}", c.id)),
        "html_url": s.web_url(&format!("/runs/{}", c.id)),
        "details_url": s.web_url(&format!("/runs/{}", c.id)),
        "status": c.status, "conclusion": c.conclusion,
        "started_at": time(c.started_at), "completed_at": c.completed_at.map(time),
        "output": { "title": null, "summary": null, "text": null, "annotations_count": 0,
                    "annotations_url": s.repo_url(&format!("/check-runs/{}/annotations", c.id)) },
        "check_suite": { "id": c.id },
        "app": null,
        "pull_requests": [],
    })
}

/// A commit as the REST API's `commit` resource (what comparisons list);
/// `None` when it is not in the repository.
pub fn listed_commit(s: &Shared, id: ObjectId) -> Option<Value> {
    let info = s.git.commit(id)?;
    let sha = id.to_string();
    let person = |p: &Person| json!({ "name": p.name, "email": p.email, "date": seconds(p.time) });
    Some(json!({
        "url": s.repo_url(&format!("/commits/{sha}")),
        "sha": sha,
        "node_id": format!("C_{sha}"),
        "html_url": s.web_url(&format!("/commit/{sha}")),
        "comments_url": s.repo_url(&format!("/commits/{sha}/comments")),
        "commit": {
            "url": s.repo_url(&format!("/git/commits/{sha}")),
            "author": person(&info.author),
            "committer": person(&info.committer),
            "message": info.message,
            "comment_count": 0,
            "tree": { "sha": info.tree.to_string(), "url": s.repo_url(&format!("/git/trees/{}", info.tree)) },
        },
        // Authors are known by name only: GitHub leaves the account out
        // when no account has the email.
        "author": null,
        "committer": null,
        "parents": info.parents.iter().map(|p| json!({
            "sha": p.to_string(),
            "url": s.repo_url(&format!("/commits/{p}")),
            "html_url": s.web_url(&format!("/commit/{p}")),
        })).collect::<Vec<_>>(),
    }))
}
