//! The same question answered with plain git: for every environment, the
//! version in every app's file (`git cat-file --batch`) and the last commit
//! touching that file (one `git log --first-parent --name-only` pass per
//! branch, read to the end).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// What git says for one app in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCell {
    /// The `image.tag` value, if the file has one.
    pub version: Option<String>,
    /// The newest first-parent commit that changed the file.
    pub last_commit: Option<String>,
}

fn git(repo: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    cmd
}

/// Cells indexed `[environment][app]`, for branches `env/<environment>`.
pub fn status(
    repo: &Path,
    environments: &[&str],
    apps: &[String],
) -> anyhow::Result<Vec<Vec<GitCell>>> {
    environments
        .iter()
        .map(|env| {
            let branch = format!("refs/heads/env/{env}");
            let versions = versions(repo, &branch, apps)?;
            let last = last_commits(repo, &branch, apps)?;
            Ok(versions
                .into_iter()
                .zip(last)
                .map(|(version, last_commit)| GitCell {
                    version,
                    last_commit,
                })
                .collect())
        })
        .collect()
}

fn versions(repo: &Path, branch: &str, apps: &[String]) -> anyhow::Result<Vec<Option<String>>> {
    let mut child = git(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start git cat-file")?;
    let mut stdin = child.stdin.take().context("git cat-file has no stdin")?;
    let requests: String = apps
        .iter()
        .map(|app| format!("{branch}:apps/{app}/values.yaml\n"))
        .collect();
    // Written from another thread: git answers while we still ask, and a full pipe
    // in both directions would deadlock.
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().context("git cat-file has no stdout")?);
    let mut found = Vec::with_capacity(apps.len());
    let mut header = String::new();
    let mut content = Vec::new();
    for app in apps {
        header.clear();
        out.read_line(&mut header)?;
        let mut fields = header.split_whitespace();
        let (Some(_), Some(kind), Some(size)) = (fields.next(), fields.next(), fields.next())
        else {
            // "<name> missing"
            found.push(None);
            continue;
        };
        if kind != "blob" {
            bail!("{branch}:apps/{app}/values.yaml is a {kind}, not a file");
        }
        let size: usize = size.parse().context("git cat-file printed a bad size")?;
        content.resize(size + 1, 0);
        out.read_exact(&mut content)?;
        let text = String::from_utf8_lossy(&content[..size]);
        found.push(
            text.lines()
                .find_map(|l| l.strip_prefix("  tag: "))
                .map(|v| v.trim().to_owned()),
        );
    }
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?
        .context("cannot write to git cat-file")?;
    drop(out);
    let status = child.wait()?;
    if !status.success() {
        bail!("git cat-file failed on {branch}");
    }
    Ok(found)
}

fn last_commits(repo: &Path, branch: &str, apps: &[String]) -> anyhow::Result<Vec<Option<String>>> {
    let index: HashMap<String, usize> = apps
        .iter()
        .enumerate()
        .map(|(i, app)| (format!("apps/{app}/values.yaml"), i))
        .collect();
    let mut child = git(repo)
        .args([
            "log",
            "--first-parent",
            "--format=%H",
            "--name-only",
            branch,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start git log")?;
    let out = BufReader::with_capacity(
        1 << 20,
        child.stdout.take().context("git log has no stdout")?,
    );
    let mut last = vec![None; apps.len()];
    let mut commit = String::new();
    for line in out.lines() {
        let line = line?;
        if line.len() == 40 && line.bytes().all(|b| b.is_ascii_hexdigit()) {
            commit = line;
        } else if let Some(&i) = index.get(line.as_str())
            && last[i].is_none()
        {
            last[i] = Some(commit.clone());
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("git log failed on {branch}");
    }
    Ok(last)
}
