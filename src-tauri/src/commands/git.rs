//! Running git for work gix does not do here (fetch, clone), with git's
//! own progress forwarded line by line, and stoppable.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tauri::ipc::Channel;
use tokio::io::AsyncReadExt;

use crate::view::{Failure, FailureCode};

/// Runs `git args…` in `dir`, sending each progress line on `progress`.
/// Once `cancel` is set, git is killed and the failure says `stopped`.
pub async fn run(
    dir: &Path,
    args: &[&str],
    progress: &Channel<String>,
    cancel: &AtomicBool,
    stopped: &str,
) -> Result<(), Failure> {
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
        .map_err(|e| {
            Failure::new(
                format!("cannot run {what}: {e}"),
                Some("Install git and make sure it is on PATH.".to_owned()),
            )
        })?;
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let mut line = Vec::new();
    loop {
        if cancel.load(Ordering::Relaxed) {
            let _ = child.kill().await;
            return Err(Failure {
                message: stopped.to_owned(),
                advice: None,
                code: Some(FailureCode::Cancelled),
            });
        }
        // Wake up now and then to notice a cancel while git is quiet.
        let read = tokio::time::timeout(Duration::from_millis(200), stderr.read(&mut buf)).await;
        let n = match read {
            Err(_) => continue,
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                return Err(Failure::new(format!("reading {what}'s output: {e}"), None));
            }
        };
        seen.extend_from_slice(&buf[..n]);
        // git redraws progress with \r; each redraw is one update.
        for &byte in &buf[..n] {
            if byte == b'\r' || byte == b'\n' {
                if !line.is_empty() {
                    let _ = progress.send(String::from_utf8_lossy(&line).into_owned());
                    line.clear();
                }
            } else {
                line.push(byte);
            }
        }
    }
    let status = child
        .wait()
        .await
        .map_err(|e| Failure::new(format!("waiting for {what}: {e}"), None))?;
    if !status.success() {
        let text = String::from_utf8_lossy(&seen);
        let last = text
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        return Err(Failure::new(format!("{what} failed: {last}"), None));
    }
    Ok(())
}
