//! Fixture repositories for tests.
//!
//! Each fixture is a bash script `tests/fixtures/<name>.sh` that builds one real
//! git repository in the directory it is given. [`fixture`] runs it once and
//! caches the result under `<workspace>/target/fixtures/<name>-<hash>`, where
//! the hash covers the script and every fixture script it mentions, so editing
//! a script rebuilds it and nothing else.
//!
//! This crate is for tests only: failures panic with the script's output.

use std::collections::HashMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The workspace root (two levels above this crate's manifest).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/hoist-fixtures sits two levels below the workspace root")
        .to_path_buf()
}

/// The directory holding the fixture scripts.
pub fn scripts_dir() -> PathBuf {
    workspace_root().join("tests").join("fixtures")
}

/// The path of the repository built by `tests/fixtures/<name>.sh`, building it
/// on first use. The returned directory is shared: do not modify it (use
/// [`fresh_copy`] for that).
pub fn fixture(name: &str) -> PathBuf {
    // Threads of one test binary ask for the same fixture at once; the map
    // makes them wait for one build instead of each taking the file lock in turn.
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Mutex::default);
    let mut built = built
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let path = build(name);
    built.insert(name.to_owned(), path.clone());
    path
}

/// A private, writable copy of the fixture `name`, removed when dropped.
pub fn fresh_copy(name: &str) -> tempfile::TempDir {
    let source = fixture(name);
    let copy = tempfile::Builder::new()
        .prefix(&format!("hoist-{name}-"))
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot create a temporary directory for fixture {name}: {e}"));
    copy_tree(&source, copy.path());
    copy
}

/// What GitHub would hold of fixture `name` (a bare copy, `dir/gitops.git`)
/// and a clone of it (`dir/clone`), for tests that push and fetch.
pub fn origin_and_clone(name: &str, dir: &Path) -> (PathBuf, PathBuf) {
    let bare = dir.join("gitops.git");
    let clone = dir.join("clone");
    let source = fixture(name);
    for (from, to, bare_flag) in [(&source, &bare, true), (&bare, &clone, false)] {
        let mut args = vec!["clone", "-q"];
        if bare_flag {
            args.push("--bare");
        }
        let (from, to) = (from.to_string_lossy(), to.to_string_lossy());
        args.extend([from.as_ref(), to.as_ref()]);
        git(dir, &args);
    }
    (bare, clone)
}

/// Runs `git ARGS` in `dir`, panicking with git's output when it fails;
/// returns what it printed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run git {args:?}: {e}"));
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Repacks the repository at `dir` into one pack with deep delta chains, as
/// a long-lived clone is; `offsets` picks offset (`OFS_DELTA`) or object-id
/// (`REF_DELTA`) delta bases.
pub fn repack_deeply(dir: &Path, offsets: bool) {
    git(
        dir,
        &[
            "-c",
            &format!("repack.useDeltaBaseOffset={offsets}"),
            "repack",
            "-a",
            "-d",
            "-f",
            "--depth=50",
            "--window=250",
        ],
    );
}

/// The cache key of a fixture: a hash of its script and of every other fixture
/// script it names (e.g. `clone.sh` runs `branch-helm.sh`).
fn script_hash(name: &str) -> u64 {
    let dir = scripts_dir();
    let script = dir.join(format!("{name}.sh"));
    let text = fs::read(&script)
        .unwrap_or_else(|e| panic!("fixture {name}: cannot read {}: {e}", script.display()));
    let mut hash = Fnv::default();
    hash.write(&text);
    let mut others: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p != &script && p.extension().is_some_and(|x| x == "sh"))
        .collect();
    others.sort();
    let text = String::from_utf8_lossy(&text);
    for other in others {
        let file_name = other
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if text.contains(&file_name) {
            hash.write(file_name.as_bytes());
            hash.write(
                &fs::read(&other)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", other.display())),
            );
        }
    }
    hash.0
}

fn build(name: &str) -> PathBuf {
    let script = scripts_dir().join(format!("{name}.sh"));
    let cache = workspace_root().join("target").join("fixtures");
    fs::create_dir_all(&cache).unwrap_or_else(|e| panic!("cannot create {}: {e}", cache.display()));
    let key = format!("{name}-{:016x}", script_hash(name));
    let done = cache.join(&key);
    if done.is_dir() {
        return done;
    }

    // Another process (a second test binary, nextest) may be building the same
    // fixture: the lock serialises the builds, the rename publishes a complete one.
    let lock_path = cache.join(format!("{key}.lock"));
    let lock = File::create(&lock_path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", lock_path.display()));
    lock.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
    if done.is_dir() {
        return done;
    }

    let work = tempfile::Builder::new()
        .prefix(&format!(".{key}-"))
        .tempdir_in(&cache)
        .unwrap_or_else(|e| {
            panic!(
                "cannot create a build directory in {}: {e}",
                cache.display()
            )
        });
    let output = Command::new("bash")
        .arg(&script)
        .arg(work.path())
        .current_dir(work.path())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap_or_else(|e| panic!("fixture {name}: cannot run bash {}: {e}", script.display()));
    if !output.status.success() {
        panic!(
            "fixture {name}: {} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let work = work.keep();
    if let Err(e) = fs::rename(&work, &done) {
        // Only a concurrent builder without the lock (an older crate version) could
        // have won; its result is as good as ours.
        let _ = fs::remove_dir_all(&work);
        if !done.is_dir() {
            panic!(
                "fixture {name}: cannot move {} to {}: {e}",
                work.display(),
                done.display()
            );
        }
    }
    done
}

fn copy_tree(from: &Path, to: &Path) {
    let entries =
        fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .unwrap_or_else(|e| panic!("cannot stat {}: {e}", source.display()));
        if kind.is_dir() {
            fs::create_dir(&target)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", target.display()));
            copy_tree(&source, &target);
        } else if kind.is_symlink() {
            let link = fs::read_link(&source)
                .unwrap_or_else(|e| panic!("cannot read link {}: {e}", source.display()));
            symlink(&link, &target);
        } else {
            fs::copy(&source, &target).unwrap_or_else(|e| {
                panic!(
                    "cannot copy {} to {}: {e}",
                    source.display(),
                    target.display()
                )
            });
        }
    }
}

#[cfg(unix)]
fn symlink(link: &Path, at: &Path) {
    std::os::unix::fs::symlink(link, at)
        .unwrap_or_else(|e| panic!("cannot create link {}: {e}", at.display()));
}

#[cfg(not(unix))]
fn symlink(link: &Path, at: &Path) {
    panic!(
        "fixtures with symbolic links ({} -> {}) need a Unix system",
        at.display(),
        link.display()
    );
}

/// FNV-1a: stable across Rust releases, unlike `DefaultHasher`, so cache keys
/// survive a toolchain update.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
