//! The repositories opened recently, newest first, kept in Hoist's config
//! directory as `recent.json`.

use std::path::{Path, PathBuf};

/// How many are kept.
const KEEP: usize = 10;

fn file(dir: &Path) -> PathBuf {
    dir.join("recent.json")
}

/// The recent repositories that still exist, newest first.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    std::fs::read(file(dir))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Vec<PathBuf>>(&bytes).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.is_dir())
        .collect()
}

/// Puts `repository` first. Written to a temporary file and renamed, so a
/// crash never leaves half a list.
pub fn remember(dir: &Path, repository: &Path) -> std::io::Result<()> {
    let mut all = list(dir);
    all.retain(|p| p != repository);
    all.insert(0, repository.to_path_buf());
    all.truncate(KEEP);
    std::fs::create_dir_all(dir)?;
    let temporary = file(dir).with_extension("json.tmp");
    std::fs::write(&temporary, serde_json::to_vec_pretty(&all)?)?;
    std::fs::rename(temporary, file(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_without_duplicates_or_vanished_folders() {
        let config = tempfile::tempdir().expect("temp dir");
        let repos = tempfile::tempdir().expect("temp dir");
        let [a, b, gone] = ["a", "b", "gone"].map(|n| repos.path().join(n));
        for p in [&a, &b, &gone] {
            std::fs::create_dir_all(p).expect("mkdir");
        }
        for p in [&a, &gone, &b, &a] {
            remember(config.path(), p).expect("remember");
        }
        std::fs::remove_dir(&gone).expect("rmdir");
        assert_eq!(list(config.path()), vec![a, b]);
    }

    #[test]
    fn keeps_the_last_ten() {
        let config = tempfile::tempdir().expect("temp dir");
        let repos = tempfile::tempdir().expect("temp dir");
        for n in 0..15 {
            let p = repos.path().join(n.to_string());
            std::fs::create_dir_all(&p).expect("mkdir");
            remember(config.path(), &p).expect("remember");
        }
        let kept = list(config.path());
        assert_eq!(kept.len(), 10);
        assert_eq!(kept[0], repos.path().join("14"));
    }
}
