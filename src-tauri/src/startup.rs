//! Startup measurement: with `HOIST_MEASURE_STARTUP` set, the app prints how
//! long it took from process start until the web view reported its first
//! screen interactive, and the memory of the app with its web processes,
//! then exits. `scripts/measure-startup.sh` runs it.

use std::collections::HashMap;
use std::time::Instant;

/// When `main` began.
pub struct Started(pub Instant);

/// Called by the web view once its first screen is interactive.
#[tauri::command]
pub fn ready(app: tauri::AppHandle, started: tauri::State<'_, Started>) {
    if std::env::var_os("HOIST_MEASURE_STARTUP").is_none() {
        return;
    }
    let elapsed = started.0.elapsed();
    let (rss, pss) = memory(std::process::id());
    println!(
        "startup_ms={} rss_kb={rss} pss_kb={pss}",
        elapsed.as_millis()
    );
    app.exit(0);
}

/// Resident and proportional set sizes in KiB of `root` and its descendants
/// (WebKit's web and network processes are children of the app). PSS
/// counts shared pages once across the processes; RSS counts them in each.
fn memory(root: u32) -> (u64, u64) {
    let mut parents: HashMap<u32, u32> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // The parent is the second field after the parenthesised command.
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        if let Some(ppid) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok())
        {
            parents.insert(pid, ppid);
        }
    }
    let in_tree = |mut pid: u32| loop {
        if pid == root {
            return true;
        }
        match parents.get(&pid) {
            Some(&parent) if parent != 0 && parent != pid => pid = parent,
            _ => return false,
        }
    };
    let field = |file: &str, pid: u32, name: &str| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/{file}"))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse().ok())
            .unwrap_or(0)
    };
    parents
        .keys()
        .filter(|&&pid| in_tree(pid))
        .map(|&pid| {
            (
                field("status", pid, "VmRSS:"),
                field("smaps_rollup", pid, "Pss:"),
            )
        })
        .fold((0, 0), |(r, p), (rss, pss)| (r + rss, p + pss))
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_uses_some_memory() {
        let (rss, pss) = super::memory(std::process::id());
        assert!(rss > 1000, "{rss} KiB");
        assert!(pss > 0 && pss <= rss, "{pss} of {rss} KiB");
    }
}
