//! Apps' source repositories, served beside the GitOps repository so
//! release notes can be tested offline: read-only, with the pull requests
//! their history says were merged. GitHub's merge commits ("Merge pull
//! request #12 from owner/branch", the title on the next line) and squash
//! commits ("fix: retry uploads (#12)") name them; a `Labels: a, b` line in
//! the message gives the labels a real pull request would carry (the
//! sandbox's only convention: GitHub keeps labels outside git).

use gix::ObjectId;

use crate::git::Git;
use crate::store::{Merge, Store};

/// A source repository to serve.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its owner.
    pub owner: String,
    /// Its name.
    pub name: String,
    /// The bare repository.
    pub repo: std::path::PathBuf,
}

/// Keeps, as merged pull requests in `store`, those the first-parent
/// history of `git`'s default branch records, with their labels.
pub(crate) fn seed(git: &Git, store: &mut Store) {
    let Some(branch) = git.head_branch() else {
        return;
    };
    let Some(tip) = git.resolve(&format!("refs/heads/{branch}")) else {
        return;
    };
    let mut found: Vec<(ObjectId, Recorded)> = git
        .first_parents(tip)
        .into_iter()
        .filter_map(|id| Some((id, recorded(&git.commit(id)?.message)?)))
        .collect();
    // Oldest first, as they were opened.
    found.reverse();
    for (id, r) in found {
        let Some(info) = git.commit(id) else { continue };
        if store.pull(r.number).is_some() {
            continue;
        }
        // A merge's second parent is the branch's tip; a squash has none.
        let head_sha = info.parents.get(1).unwrap_or(&id).to_string();
        let login = login_of(&info.author.email, &info.author.name);
        let mut pull = store.new_pull(&login, &r.branch, &head_sha, &branch);
        let at = jiff::Timestamp::from_second(info.committer.time)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        pull.number = r.number;
        pull.title = r.title;
        pull.body = Some(r.body);
        pull.open = false;
        pull.created_at = at;
        pull.updated_at = at;
        pull.closed_at = Some(at);
        pull.merged = Some(Merge {
            sha: id.to_string(),
            by: login,
            at,
        });
        for label in &r.labels {
            store.label(label);
        }
        pull.labels = r.labels;
        store.pulls.push(pull);
    }
    store.pulls.sort_by_key(|p| p.number);
}

/// A pull request as a commit message records it.
struct Recorded {
    number: u64,
    branch: String,
    title: String,
    body: String,
    labels: Vec<String>,
}

fn recorded(message: &str) -> Option<Recorded> {
    let (subject, rest) = message.split_once('\n').unwrap_or((message, ""));
    let labels: Vec<String> = rest
        .lines()
        .find_map(|l| l.trim().strip_prefix("Labels:"))
        .map(|l| {
            l.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let body: String = rest
        .lines()
        .filter(|l| !l.trim().starts_with("Labels:"))
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(merge) = subject.strip_prefix("Merge pull request #") {
        let (number, from) = merge.split_once(" from ")?;
        let mut lines = body.trim_start().splitn(2, '\n');
        let title = lines.next().unwrap_or_default().trim().to_owned();
        let body = lines.next().unwrap_or_default().trim().to_owned();
        return Some(Recorded {
            number: number.trim().parse().ok()?,
            branch: from
                .split_once('/')
                .map_or(from, |(_, b)| b)
                .trim()
                .to_owned(),
            title,
            body,
            labels,
        });
    }
    // `title (#12)`: a squash merge.
    let (title, number) = subject.trim_end().strip_suffix(')')?.rsplit_once(" (#")?;
    Some(Recorded {
        number: number.parse().ok()?,
        branch: format!("squashed-{number}"),
        title: title.to_owned(),
        body: body.trim().to_owned(),
        labels,
    })
}

/// The login a commit's author has: the part of a GitHub noreply address
/// before `@`, else the name lower-cased without spaces.
fn login_of(email: &str, name: &str) -> String {
    match email.split_once('@') {
        Some((local, "users.noreply.github.com")) => {
            local.rsplit('+').next().unwrap_or(local).to_owned()
        }
        _ => name.to_lowercase().replace(' ', "-"),
    }
}

#[cfg(test)]
mod tests {
    use super::recorded;

    #[test]
    fn merge_and_squash_commits_name_their_pull_requests() {
        let merge = recorded(
            "Merge pull request #12 from acme/feature/sso\n\nfeat: log in with SSO\n\nCloses #7\nLabels: feature, auth\n",
        )
        .expect("a merge");
        assert_eq!(
            (merge.number, merge.branch.as_str(), merge.title.as_str()),
            (12, "feature/sso", "feat: log in with SSO")
        );
        assert_eq!(merge.body, "Closes #7");
        assert_eq!(merge.labels, ["feature", "auth"]);
        let squash = recorded("fix: retry uploads (#31)\n\nBREAKING CHANGE: x").expect("squash");
        assert_eq!(
            (squash.number, squash.title.as_str()),
            (31, "fix: retry uploads")
        );
        assert!(squash.labels.is_empty());
        assert!(recorded("chore: tidy").is_none());
        assert!(recorded("Merge branch 'main'").is_none());
    }
}
