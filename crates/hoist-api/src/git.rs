//! Fetching and cloning: work gix does not do here, so git runs it, with
//! its own progress forwarded line by line, and stoppable.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::AsyncReadExt;

use crate::{Error, Session, Work};

/// Told each line of git's progress (each redraw of a `\r` line too).
pub type OnLine<'a> = &'a (dyn Fn(String) + Send + Sync);

/// Fetches the session's clone from origin (`git fetch --prune`), telling
/// `on_line` git's progress; stopping [`Work::Fetch`] kills git, which
/// leaves the clone as it was.
pub async fn fetch(session: &Session, on_line: OnLine<'_>) -> Result<(), Error> {
    let cancel = session.start_work(Work::Fetch);
    run(
        &session.repository(),
        &["fetch", "--progress", "--prune", "origin"],
        on_line,
        &cancel,
        "the fetch was stopped; the clone is as it was before",
    )
    .await
}

/// Clones `url` (checked: an https or ssh address, never an option or a
/// local helper) into the new or empty folder `into`, telling `on_line`
/// git's progress, and returns the clone's path. Stopped ([`Work::Clone`])
/// or failed, the folder is removed.
pub async fn clone(
    session: &Session,
    url: &str,
    into: &Path,
    on_line: OnLine<'_>,
) -> Result<PathBuf, Error> {
    let url = hoist_core::clone_url::check(url)?;
    let into = std::path::absolute(into).map_err(|source| Error::Folder {
        path: into.to_path_buf(),
        source,
    })?;
    if into.exists()
        && std::fs::read_dir(&into)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(Error::NotEmpty { path: into });
    }
    let parent = into.parent().map(PathBuf::from).unwrap_or_default();
    std::fs::create_dir_all(&parent).map_err(|source| Error::Folder {
        path: parent.clone(),
        source,
    })?;
    let cancel = session.start_work(Work::Clone);
    let target = into.display().to_string();
    let cloned = run(
        &parent,
        &[
            "clone",
            "--progress",
            "--no-single-branch",
            // Whatever the two arguments hold, git reads them as the URL and
            // the folder, never as options.
            "--",
            &url,
            &target,
        ],
        on_line,
        &cancel,
        "the clone was stopped; nothing was kept",
    )
    .await;
    if let Err(e) = cloned {
        let _ = std::fs::remove_dir_all(&into);
        return Err(e);
    }
    Ok(into)
}

/// Runs `git args…` in `dir`, telling `on_line` each progress line.
/// Once `cancel` is set, git is killed and the error is `stopped`.
async fn run(
    dir: &Path,
    args: &[&str],
    on_line: OnLine<'_>,
    cancel: &AtomicBool,
    stopped: &'static str,
) -> Result<(), Error> {
    let what = format!("git {}", args.first().copied().unwrap_or_default());
    let mut child = tokio::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env("GIT_TERMINAL_PROMPT", "0")
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| Error::NoGit {
            what: what.clone(),
            source,
        })?;
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let mut line = Vec::new();
    loop {
        if cancel.load(Ordering::Relaxed) {
            let _ = child.kill().await;
            return Err(Error::Stopped(stopped));
        }
        // Wake up now and then to notice a cancel while git is quiet.
        let read = tokio::time::timeout(Duration::from_millis(200), stderr.read(&mut buf)).await;
        let n = match read {
            Err(_) => continue,
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                return Err(Error::Git {
                    what,
                    detail: format!("reading its output: {e}"),
                });
            }
        };
        seen.extend_from_slice(&buf[..n]);
        // git redraws progress with \r; each redraw is one update.
        for &byte in &buf[..n] {
            if byte == b'\r' || byte == b'\n' {
                if !line.is_empty() {
                    on_line(String::from_utf8_lossy(&line).into_owned());
                    line.clear();
                }
            } else {
                line.push(byte);
            }
        }
    }
    let status = child.wait().await.map_err(|e| Error::Git {
        what: what.clone(),
        detail: format!("waiting for it: {e}"),
    })?;
    if !status.success() {
        let text = String::from_utf8_lossy(&seen);
        let last = text
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        return Err(Error::Git {
            what,
            detail: last.to_owned(),
        });
    }
    Ok(())
}
