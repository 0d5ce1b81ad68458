//! The demo apps' source repositories, where release notes come from: one
//! per app, tagged `v<version>` for every version the GitOps history gives
//! it, each release made of the merged pull requests a team's would be (a
//! patch fixes, a minor adds, a major breaks something), titled and
//! labelled the ways real teams do so the notes have something to group.
//!
//! The versions are read from the GitOps repository's dev branch, where
//! every new version lands as `Bump <app> to <version>`: the tags are then
//! exactly the versions the environments run.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::Error;
use crate::generate::{AUTHORS, Rng, Stream, git, run};

const MAIN: &str = "refs/heads/main";
/// Where merged branches are built; deleted afterwards.
const SIDE: &str = "refs/heads/topic";

/// The first version of every demo app (see the generator).
const FIRST: &str = "1.0.0";

/// Each app's source repository under `dir` (`<dir>/<app>.git`), generated
/// from the GitOps repository `gitops` when missing.
pub fn ensure(gitops: &Path, apps: &[String], dir: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    let mut missing = Vec::new();
    let repos: Vec<(String, PathBuf)> = apps
        .iter()
        .map(|app| {
            let repo = dir.join(format!("{app}.git"));
            if !repo.join("HEAD").is_file() {
                missing.push(app.clone());
            }
            (app.clone(), repo)
        })
        .collect();
    if !missing.is_empty() {
        let releases = releases(gitops)?;
        for app in &missing {
            let versions = releases
                .iter()
                .filter(|(a, _)| a == app)
                .map(|(_, v)| v.as_str());
            let versions: Vec<&str> = std::iter::once(FIRST).chain(versions).collect();
            build(app, &versions, &dir.join(format!("{app}.git")))?;
        }
    }
    Ok(repos)
}

/// `(app, version)` of every `Bump <app> to <version>` on the dev branch,
/// oldest first.
fn releases(gitops: &Path) -> Result<Vec<(String, String)>, Error> {
    let out = git(gitops)
        .args(["log", "--reverse", "--format=%s", "refs/heads/env/dev"])
        .output()
        .map_err(Error::io("cannot run git log".to_owned()))?;
    if !out.status.success() {
        return Err(Error::Git {
            what: "git log env/dev".into(),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|subject| {
            let rest = subject.strip_prefix("Bump ")?;
            let (app, version) = rest.split_once(" to ")?;
            // A squash's ` (#123)`.
            let version = version.split(' ').next()?;
            Some((app.to_owned(), version.to_owned()))
        })
        .collect())
}

/// What changes between two versions, by how far apart they are.
#[derive(Clone, Copy)]
enum Bump {
    Patch,
    Minor,
    Major,
}

fn bump(from: &str, to: &str) -> Bump {
    let parts = |v: &str| -> Vec<u32> { v.split('.').filter_map(|p| p.parse().ok()).collect() };
    let (a, b) = (parts(from), parts(to));
    if a.first() != b.first() {
        Bump::Major
    } else if a.get(1) != b.get(1) {
        Bump::Minor
    } else {
        Bump::Patch
    }
}

/// Features as `(scope, what)`: a scope names a part of the app.
const FEATURES: [(&str, &str); 8] = [
    ("export", "reports as CSV"),
    (
        "auth",
        "single sign-on with the company's identity provider",
    ),
    ("ui", "a dark theme"),
    ("api", "rate limits per API key"),
    ("events", "webhooks for status changes"),
    ("search", "search across archived items"),
    ("ops", "a health endpoint for the load balancer"),
    ("ui", "bulk edits"),
];

const FIXES: [&str; 8] = [
    "no 500 on an empty basket",
    "retry declined payments once",
    "keep the session after a token refresh",
    "time zones in the daily digest",
    "a memory leak in the cache warmer",
    "pagination past 10,000 rows",
    "escape names in outgoing e-mail",
    "a race when two workers claim a job",
];

const BREAKING: [(&str, &str); 4] = [
    (
        "drop the v1 API",
        "clients still calling /v1 get 410 Gone; move them to /v2 first.",
    ),
    (
        "read settings from SETTINGS_PATH",
        "set SETTINGS_PATH in the deployment; CONFIG_FILE is no longer read.",
    ),
    (
        "listen on port 8081",
        "point the Service's targetPort at 8081 before promoting.",
    ),
    (
        "require Postgres 15",
        "upgrade the database before this version starts.",
    ),
];

const CHORES: [&str; 4] = [
    "chore(deps): bump serde to 1.0.215",
    "ci: cache the build between runs",
    "docs: how to run it locally",
    "refactor: split the handlers by resource",
];

/// Writes `app`'s repository: a release per version, tagged `v<version>`.
fn build(app: &str, versions: &[&str], repo: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(repo)
        .map_err(Error::io(format!("cannot create {}", repo.display())))?;
    let mut init = git(repo);
    init.args(["init", "-q", "--bare", "-b", "main"]);
    run(init, "git init --bare")?;
    let mut child = git(repo)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(Error::io("cannot start git fast-import".to_owned()))?;
    let stdin = child.stdin.take().ok_or_else(|| Error::Git {
        what: "git fast-import".into(),
        detail: "no input".into(),
    })?;
    let written = stream(app, versions, BufWriter::new(stdin));
    let out = child
        .wait_with_output()
        .map_err(Error::io("git fast-import did not finish".to_owned()))?;
    if !out.status.success() {
        return Err(Error::Git {
            what: "git fast-import".into(),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    written.map_err(Error::io("cannot write to git fast-import".to_owned()))?;
    // Only main and the tags are the repository; the topic branch was a way
    // to build merges.
    let mut delete = git(repo);
    delete.args(["update-ref", "-d", SIDE]);
    run(delete, "git update-ref")
}

fn stream<W: Write>(app: &str, versions: &[&str], out: W) -> std::io::Result<()> {
    // The same app gives the same repository every time.
    let seed = app
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut rng = Rng(seed);
    let mut s = Stream {
        out,
        next_mark: 1,
        time: 1_735_689_600,
        written: 0,
    };
    let readme = |v: &str| vec![("README.md".to_owned(), format!("# {app}\n\nRelease {v}.\n"))];
    let mut tip = s.commit(MAIN, 0, "chore: initial import", None, None, &readme(FIRST))?;
    tag(&mut s, FIRST, tip)?;
    let mut number = 10u64;
    let mut ticket = 100 + rng.below(200);
    // Phrases go round from a place of the app's own, so neighbouring
    // releases say different things.
    let mut next = {
        let mut turns = [rng.below(8), rng.below(8), rng.below(4), rng.below(4)];
        move |list: usize, len: usize| {
            turns[list] += 1;
            turns[list] % len
        }
    };
    for pair in versions.windows(2) {
        let [from, to] = pair else { continue };
        let author = rng.below(AUTHORS.len());
        let file = |n: u64| vec![(format!("src/change-{n}.txt"), format!("{app} {to} #{n}\n"))];
        s.time += 86_400 + rng.below(86_400) as i64;
        number += 1 + rng.below(3) as u64;
        tip = match bump(from, to) {
            Bump::Patch => {
                let fix = FIXES[next(1, FIXES.len())];
                ticket += 1;
                s.commit(
                    MAIN,
                    author,
                    &format!("fix: {fix} (#{number})\n\nFixes OPS-{ticket}."),
                    Some(tip),
                    None,
                    &file(number),
                )?
            }
            Bump::Minor => {
                // A merged branch, its title on the merge commit as GitHub writes it.
                let (scope, feature) = FEATURES[next(0, FEATURES.len())];
                let side = s.commit(
                    SIDE,
                    author,
                    &format!("Add {feature}"),
                    Some(tip),
                    None,
                    &file(number),
                )?;
                s.time += 3_600;
                let issue = 1 + rng.below(80);
                let merge = format!(
                    "Merge pull request #{number} from acme/feature-{number}\n\nfeat({scope}): {feature}\n\nCloses #{issue}\nLabels: feature"
                );
                s.commit(
                    MAIN,
                    (author + 1) % AUTHORS.len(),
                    &merge,
                    Some(tip),
                    Some(side),
                    &file(number),
                )?
            }
            Bump::Major => {
                let (what, why) = BREAKING[next(2, BREAKING.len())];
                s.commit(
                    MAIN,
                    author,
                    &format!("feat!: {what} (#{number})\n\nBREAKING CHANGE: {why}"),
                    Some(tip),
                    None,
                    &file(number),
                )?
            }
        };
        // Now and then a chore or a second fix comes along.
        if rng.below(3) == 0 {
            number += 1;
            s.time += 7_200;
            let message = if rng.below(2) == 0 {
                format!(
                    "{} (#{number})\n\nLabels: maintenance",
                    CHORES[next(3, CHORES.len())]
                )
            } else {
                format!("fix: {} (#{number})", FIXES[next(1, FIXES.len())])
            };
            tip = s.commit(
                MAIN,
                rng.below(AUTHORS.len()),
                &message,
                Some(tip),
                None,
                &file(number),
            )?;
        }
        tag(&mut s, to, tip)?;
    }
    writeln!(s.out, "done")?;
    s.out.flush()
}

fn tag<W: Write>(s: &mut Stream<W>, version: &str, mark: u64) -> std::io::Result<()> {
    writeln!(s.out, "reset refs/tags/v{version}\nfrom :{mark}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_version_is_a_tag_and_each_release_names_its_pull_requests() {
        let dir = std::env::temp_dir().join(format!("hoist-demo-sources-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let repo = dir.join("api.git");
        build("api", &["1.0.0", "1.0.1", "1.1.0", "2.0.0"], &repo).expect("built");
        let out = |args: &[&str]| {
            let o = git(&repo).args(args).output().expect("git runs");
            String::from_utf8(o.stdout).expect("UTF-8")
        };
        assert_eq!(out(&["tag"]), "v1.0.0\nv1.0.1\nv1.1.0\nv2.0.0\n");
        assert!(out(&["branch"]).trim() == "* main" || out(&["branch"]).trim() == "main");
        let log = out(&["log", "--first-parent", "--format=%B", "v1.0.1..v2.0.0"]);
        assert!(log.contains("Merge pull request #"), "{log}");
        assert!(log.contains("feat("), "{log}");
        assert!(log.contains("BREAKING CHANGE: "), "{log}");
        let patch = out(&["log", "--format=%s", "v1.0.0..v1.0.1"]);
        assert!(patch.lines().any(|l| l.starts_with("fix: ")), "{patch}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
