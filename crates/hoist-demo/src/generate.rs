//! A large, realistic GitOps repository streamed into `git fast-import`.
//!
//! Layout: `main` carries `.hoist.yaml`; `env/dev`, `env/qa`, `env/stage` and
//! `env/prod` each hold `apps/<app>/values.yaml` (Helm, `image.tag`). Every
//! commit after the initial ones changes one app's tag on one branch: new
//! versions land on dev and are promoted dev → qa → stage → prod, as squash
//! commits `Promote x 1.2.3 to qa (#123)`, real merge commits `Merge pull request
//! #124 from acme/promote-x-1.2.3-qa` (with their side commit), or direct edits.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Error;

/// Environment names in pipeline order; branch `env/<name>`.
pub const ENVIRONMENTS: [&str; 4] = ["dev", "qa", "stage", "prod"];

/// The environments of larger pipelines (a monorepo's dozen), in order.
const MANY: [&str; 12] = [
    "dev", "int", "qa", "uat", "stage", "preprod", "canary", "prod-eu", "prod-us", "prod-ap",
    "prod-sa", "prod-au",
];

/// The environments a spec's repository has, in pipeline order.
pub fn environments(spec: &Spec) -> &'static [&'static str] {
    if spec.environments == ENVIRONMENTS.len() {
        &ENVIRONMENTS
    } else {
        &MANY[..spec.environments.clamp(2, MANY.len())]
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Number of apps.
    pub apps: usize,
    /// Number of environments: 4 (dev, qa, stage, prod), or up to 12.
    pub environments: usize,
    /// Total number of commits (at least the initial ones: one on main, one per environment).
    pub commits: usize,
    /// Seed of the pseudo-random choices; the same spec gives the same repository.
    pub seed: u64,
    /// When the history ends (seconds since the epoch): the dates are moved so
    /// the newest commit falls there, and only the dates differ between runs.
    /// `None` starts the history at 2020-01-01, for reproducible benchmarks.
    pub ends: Option<i64>,
}

impl Spec {
    /// The cache directory name of this spec.
    pub fn key(&self) -> String {
        let ends = self.ends.map(|t| format!("-ends{t}")).unwrap_or_default();
        let envs = if self.environments == ENVIRONMENTS.len() {
            String::new()
        } else {
            format!("-{}envs", self.environments)
        };
        format!(
            "gitops-{}apps-{}commits-seed{}{envs}{ends}",
            self.apps, self.commits, self.seed
        )
    }
}

/// The generated repository, built on first use and reused afterwards.
pub fn repository(spec: Spec, cache: &Path) -> Result<PathBuf, Error> {
    let done = cache.join(spec.key());
    if done.join(".git").is_dir() {
        return Ok(done);
    }
    std::fs::create_dir_all(cache)
        .map_err(Error::io(format!("cannot create {}", cache.display())))?;
    let work = cache.join(format!(".{}-{}", spec.key(), std::process::id()));
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .map_err(Error::io(format!("cannot clear {}", work.display())))?;
    }
    std::fs::create_dir_all(&work)
        .map_err(Error::io(format!("cannot create {}", work.display())))?;
    let started = std::time::Instant::now();
    generate(spec, &work)?;
    eprintln!(
        "generated {} commits for {} apps in {:.1} s",
        spec.commits,
        spec.apps,
        started.elapsed().as_secs_f64()
    );
    match std::fs::rename(&work, &done) {
        Ok(()) => Ok(done),
        // A concurrent run finished first; its repository is identical.
        Err(_) if done.join(".git").is_dir() => {
            let _ = std::fs::remove_dir_all(&work);
            Ok(done)
        }
        Err(e) => Err(e).map_err(Error::io(format!(
            "cannot move {} to {}",
            work.display(),
            done.display()
        ))),
    }
}

/// App names: realistic service names, numbered past the word list.
pub fn app_names(count: usize) -> Vec<String> {
    const DOMAINS: [&str; 60] = [
        "accounts",
        "ads",
        "alerts",
        "analytics",
        "audit",
        "auth",
        "billing",
        "booking",
        "cart",
        "catalog",
        "checkout",
        "chat",
        "coupons",
        "crm",
        "delivery",
        "discovery",
        "documents",
        "email",
        "events",
        "feeds",
        "files",
        "fraud",
        "gateway",
        "geo",
        "identity",
        "images",
        "inventory",
        "invoices",
        "ledger",
        "loyalty",
        "maps",
        "media",
        "messaging",
        "metrics",
        "notifications",
        "orders",
        "partners",
        "payments",
        "payouts",
        "pricing",
        "profiles",
        "promotions",
        "quotes",
        "ratings",
        "recommendations",
        "refunds",
        "reports",
        "reviews",
        "risk",
        "routing",
        "scheduler",
        "search",
        "sessions",
        "shipping",
        "sms",
        "subscriptions",
        "support",
        "tax",
        "tickets",
        "wallet",
    ];
    const ROLES: [&str; 6] = ["api", "worker", "web", "sync", "cron", "grpc"];
    (0..count)
        .map(|i| {
            let domain = DOMAINS[i % DOMAINS.len()];
            let role = ROLES[(i / DOMAINS.len()) % ROLES.len()];
            let round = i / (DOMAINS.len() * ROLES.len());
            if round == 0 {
                format!("{domain}-{role}")
            } else {
                format!("{domain}-{role}-{round}")
            }
        })
        .collect()
}

/// SplitMix64: tiny, fast and fully determined by its seed.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        // n is small; the modulo bias is irrelevant for a benchmark.
        (self.next() % n as u64) as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Version(u32, u32, u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

pub(crate) const AUTHORS: [(&str, &str); 12] = [
    ("Alice Martin", "+0100"),
    ("Bob Okafor", "+0000"),
    ("Carol Nguyen", "+0700"),
    ("Dave Schmidt", "+0200"),
    ("Erin Kowalski", "-0500"),
    ("Farid Haddad", "+0400"),
    ("Grace Lee", "+0900"),
    ("Hugo Silva", "-0300"),
    ("Ines Moreau", "+0100"),
    ("Jun Park", "+0900"),
    ("Kiran Rao", "+0530"),
    ("Lena Fischer", "+0200"),
];

/// Streams fast-import commands; marks number every commit.
pub(crate) struct Stream<W: Write> {
    pub(crate) out: W,
    pub(crate) next_mark: u64,
    pub(crate) time: i64,
    pub(crate) written: usize,
}

impl<W: Write> Stream<W> {
    #[allow(clippy::too_many_arguments)] // one fast-import commit: every field is needed
    pub(crate) fn commit(
        &mut self,
        git_ref: &str,
        author: usize,
        message: &str,
        from: Option<u64>,
        merge: Option<u64>,
        files: &[(String, String)],
    ) -> std::io::Result<u64> {
        let mark = self.next_mark;
        self.next_mark += 1;
        let (name, zone) = AUTHORS[author % AUTHORS.len()];
        let email = name.split(' ').next().unwrap_or(name).to_lowercase();
        writeln!(self.out, "commit {git_ref}\nmark :{mark}")?;
        writeln!(
            self.out,
            "author {name} <{email}@acme.example> {} {zone}",
            self.time
        )?;
        writeln!(
            self.out,
            "committer {name} <{email}@acme.example> {} {zone}",
            self.time
        )?;
        writeln!(self.out, "data {}\n{message}", message.len())?;
        if let Some(from) = from {
            writeln!(self.out, "from :{from}")?;
        }
        if let Some(merge) = merge {
            writeln!(self.out, "merge :{merge}")?;
        }
        for (path, content) in files {
            writeln!(
                self.out,
                "M 100644 inline {path}\ndata {}\n{content}",
                content.len()
            )?;
        }
        writeln!(self.out)?;
        self.written += 1;
        Ok(mark)
    }
}

fn values(app: &str, version: Version, replicas: u32) -> String {
    format!(
        "# Helm values for {app}\nreplicaCount: {replicas}\nimage:\n  repository: ghcr.io/acme/{app}\n  tag: {version}\n  pullPolicy: IfNotPresent\nresources:\n  requests:\n    cpu: 100m\n    memory: 128Mi\n"
    )
}

fn hoist_yaml(apps: &[String], envs: &[&str]) -> String {
    let mut out = String::from("# Generated by hoist-bench.\nenvironments:\n");
    for env in envs {
        out.push_str(&format!("  - name: {env}\n    branch: env/{env}\n"));
    }
    out.push_str("apps:\n");
    for app in apps {
        out.push_str(&format!(
            "  - name: {app}\n    file: apps/{app}/values.yaml\n    locator: {{ yaml: image.tag }}\n    source: {{ repository: \"https://{host}/acme/{app}\", tag_prefix: v }}\n",
            host = crate::HOST
        ));
    }
    out
}

/// git in `dir`, blind to the user's and the system's configuration.
pub(crate) fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

pub(crate) fn run(mut cmd: Command, what: &str) -> Result<(), Error> {
    let out = cmd
        .output()
        .map_err(Error::io(format!("cannot run {what}")))?;
    if !out.status.success() {
        return Err(Error::Git {
            what: what.to_owned(),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(())
}

/// Writes the repository described by `spec` into the empty directory `dir`.
pub fn generate(spec: Spec, dir: &Path) -> Result<(), Error> {
    let initial = 1 + environments(&spec).len();
    if spec.apps == 0 || spec.commits < initial {
        return Err(Error::Spec(format!(
            "need at least one app and {initial} commits"
        )));
    }
    let mut init = git(dir);
    init.args(["init", "-q", "-b", "main"]);
    run(init, "git init")?;

    let mut child = git(dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Error::io("cannot start git fast-import"))?;
    let stdin = child.stdin.take().ok_or_else(|| Error::Git {
        what: "git fast-import".into(),
        detail: "it has no stdin".into(),
    })?;
    let mut stream = Stream {
        out: BufWriter::with_capacity(1 << 20, stdin),
        next_mark: 1,
        time: start_time(spec),
        written: 0,
    };
    let written = simulate(spec, &mut stream);
    let finished = written.and_then(|()| {
        writeln!(stream.out, "done")?;
        stream.out.flush()
    });
    drop(stream);
    let output = child
        .wait_with_output()
        .map_err(Error::io("git fast-import did not finish"))?;
    if !output.status.success() {
        return Err(Error::Git {
            what: "git fast-import".into(),
            detail: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    finished.map_err(Error::io("cannot write to git fast-import"))?;

    let mut delete = git(dir);
    delete.args(["update-ref", "-d", SIDE_REF]);
    run(delete, "git update-ref")?;
    let mut checkout = git(dir);
    checkout.args(["checkout", "-q", "main"]);
    run(checkout, "git checkout")?;
    // Repositories that have seen `git gc` carry a commit-graph; readers use it.
    let mut graph = git(dir);
    graph.args(["commit-graph", "write", "--reachable"]);
    run(graph, "git commit-graph write")
}

/// 2020-01-01T08:00:00Z: where a history without an end date starts.
const FIXED_START: i64 = 1_577_865_600;

/// The time of the first commit: fixed, or as far before `spec.ends` as the
/// seeded history lasts (found by simulating it once without writing).
fn start_time(spec: Spec) -> i64 {
    let Some(ends) = spec.ends else {
        return FIXED_START;
    };
    let mut dry = Stream {
        out: std::io::sink(),
        next_mark: 1,
        time: FIXED_START,
        written: 0,
    };
    match simulate(spec, &mut dry) {
        Ok(()) => FIXED_START + (ends - dry.time),
        Err(_) => FIXED_START,
    }
}

/// Where side commits of merged pull requests are built; deleted afterwards.
const SIDE_REF: &str = "refs/hoist-bench/side";

fn simulate<W: Write>(spec: Spec, s: &mut Stream<W>) -> std::io::Result<()> {
    let mut rng = Rng(spec.seed);
    let apps = app_names(spec.apps);
    let envs = environments(&spec);
    let start = Version(1, 0, 0);
    let mut versions = vec![vec![start; spec.apps]; envs.len()];
    let replicas: Vec<u32> = (0..spec.apps).map(|_| 1 + rng.below(4) as u32).collect();
    let mut pr = 100u64;

    s.commit(
        "refs/heads/main",
        0,
        "Describe the release pipeline",
        None,
        None,
        &[(".hoist.yaml".to_owned(), hoist_yaml(&apps, envs))],
    )?;
    let mut tips = Vec::with_capacity(envs.len());
    for env in envs {
        s.time += 60;
        let files: Vec<(String, String)> = apps
            .iter()
            .enumerate()
            .map(|(i, app)| {
                (
                    format!("apps/{app}/values.yaml"),
                    values(app, start, replicas[i]),
                )
            })
            .collect();
        tips.push(s.commit(
            &format!("refs/heads/env/{env}"),
            0,
            &format!("Initial {env} environment"),
            None,
            None,
            &files,
        )?);
    }

    while s.written < spec.commits {
        s.time += 60 + rng.below(3600) as i64;
        let author = rng.below(AUTHORS.len());
        let roll = rng.below(100);
        // Promotion step k moves a version from envs[k] to envs[k + 1]. The
        // four-environment split is kept as it was, so cached repositories stay valid.
        let step = match (roll, envs.len()) {
            (0..40, _) => None,
            (40..65, 4) => Some(0),
            (65..85, 4) => Some(1),
            (_, 4) => Some(2),
            (r, n) => Some((r - 40) * (n - 1) / 60),
        };
        let chosen = step.and_then(|k| {
            (0..8)
                .map(|_| rng.below(spec.apps))
                .find(|&a| versions[k][a] != versions[k + 1][a])
                .map(|a| (k, a))
        });
        let (target, app, version, subject, topic) = match chosen {
            Some((k, a)) => {
                let v = versions[k][a];
                let env = envs[k + 1];
                (
                    k + 1,
                    a,
                    v,
                    format!("Promote {} {v} to {env}", apps[a]),
                    format!("promote-{}-{v}-{env}", apps[a]),
                )
            }
            None => {
                let a = rng.below(spec.apps);
                let Version(major, minor, patch) = versions[0][a];
                let v = match rng.below(100) {
                    0..70 => Version(major, minor, patch + 1),
                    70..95 => Version(major, minor + 1, 0),
                    _ => Version(major + 1, 0, 0),
                };
                (
                    0,
                    a,
                    v,
                    format!("Bump {} to {v}", apps[a]),
                    format!("{}-{v}", apps[a]),
                )
            }
        };
        versions[target][app] = version;
        let git_ref = format!("refs/heads/env/{}", envs[target]);
        let files = [(
            format!("apps/{}/values.yaml", apps[app]),
            values(&apps[app], version, replicas[app]),
        )];
        let tip = tips[target];
        pr += 1;
        let form = rng.below(100);
        // A merged pull request takes two commits; near the end there may be room for one only.
        tips[target] = if form < 25 && s.written + 2 <= spec.commits {
            let side = s.commit(SIDE_REF, author, &subject, Some(tip), None, &files)?;
            s.time += 300;
            let merger = (author + 1 + rng.below(AUTHORS.len() - 1)) % AUTHORS.len();
            let message = format!("Merge pull request #{pr} from acme/{topic}\n\n{subject}");
            s.commit(&git_ref, merger, &message, Some(tip), Some(side), &files)?
        } else if form < 90 {
            s.commit(
                &git_ref,
                author,
                &format!("{subject} (#{pr})"),
                Some(tip),
                None,
                &files,
            )?
        } else {
            s.commit(&git_ref, author, &subject, Some(tip), None, &files)?
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names_are_unique() {
        let names = app_names(1000);
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), 1000);
        assert_eq!(names[0], "accounts-api");
    }

    #[test]
    fn a_small_repository_has_the_requested_commits_and_is_reproducible() {
        let spec = Spec {
            apps: 7,
            environments: 4,
            commits: 200,
            seed: 3,
            ends: None,
        };
        let shas = |dir: &Path| {
            let out = git(dir)
                .args(["for-each-ref", "--format=%(objectname) %(refname)"])
                .output()
                .expect("git runs");
            String::from_utf8(out.stdout).expect("UTF-8")
        };
        let count = |dir: &Path| {
            let out = git(dir)
                .args(["rev-list", "--count", "--all"])
                .output()
                .expect("git runs");
            String::from_utf8(out.stdout)
                .expect("UTF-8")
                .trim()
                .parse::<usize>()
                .expect("a number")
        };
        let one = tempfile_dir("one");
        let two = tempfile_dir("two");
        generate(spec, &one).expect("generates");
        generate(spec, &two).expect("generates");
        assert_eq!(count(&one), 200);
        assert_eq!(shas(&one), shas(&two));
        assert!(shas(&one).contains("refs/heads/env/prod"));
        assert!(!shas(&one).contains(SIDE_REF));
        let _ = std::fs::remove_dir_all(&one);
        let _ = std::fs::remove_dir_all(&two);
    }

    #[test]
    fn a_history_can_end_at_a_given_moment_with_the_same_content() {
        let fixed = Spec {
            apps: 5,
            environments: 12,
            commits: 60,
            seed: 9,
            ends: None,
        };
        let ending = Spec {
            ends: Some(1_795_000_000),
            ..fixed
        };
        let (one, two) = (tempfile_dir("fixed"), tempfile_dir("ending"));
        generate(fixed, &one).expect("generates");
        generate(ending, &two).expect("generates");
        let newest = |dir: &Path| {
            let out = git(dir)
                .args(["log", "--all", "-1", "--format=%at", "--date-order"])
                .output()
                .expect("git runs");
            String::from_utf8(out.stdout)
                .expect("UTF-8")
                .trim()
                .to_owned()
        };
        assert_eq!(newest(&two), "1795000000");
        // Only the dates moved: every branch holds the same files.
        let tree = |dir: &Path| {
            let out = git(dir)
                .args(["rev-parse", "env/prod^{tree}", "env/dev^{tree}"])
                .output()
                .expect("git runs");
            String::from_utf8(out.stdout).expect("UTF-8")
        };
        assert_eq!(tree(&one), tree(&two));
        let _ = std::fs::remove_dir_all(&one);
        let _ = std::fs::remove_dir_all(&two);
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hoist-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        dir
    }
}
