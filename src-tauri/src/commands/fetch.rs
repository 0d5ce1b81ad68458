//! Refresh: fetches the environment branches from origin with git's own
//! progress, and can be stopped (git leaves the clone as it was).

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tauri::ipc::Channel;
use tokio::io::AsyncReadExt;

use crate::session::Session;
use crate::view::{Failure, FailureCode};

/// Runs `git fetch --prune origin` in the repository, sending each progress
/// line git prints on `progress`.
#[tauri::command]
pub async fn fetch(
    session: tauri::State<'_, Arc<Session>>,
    progress: Channel<String>,
) -> Result<(), Failure> {
    let cancel = session.start_work("fetch");
    let mut child = tokio::process::Command::new("git")
        .args(["fetch", "--progress", "--prune", "origin"])
        .current_dir(&session.repository)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            Failure::new(
                format!("cannot run git fetch: {e}"),
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
                message: "the fetch was stopped; the clone is as it was before".to_owned(),
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
                return Err(Failure::new(
                    format!("reading git fetch's output: {e}"),
                    None,
                ));
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
        .map_err(|e| Failure::new(format!("waiting for git fetch: {e}"), None))?;
    if !status.success() {
        let text = String::from_utf8_lossy(&seen);
        let last = text
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        return Err(Failure::new(
            format!("git fetch failed: {last}"),
            Some("Check the network and that origin is reachable, then refresh again.".to_owned()),
        ));
    }
    Ok(())
}
