//! The changed-path Bloom filters git writes into its commit-graph with
//! `git commit-graph write --changed-paths` (chunks BIDX and BDAT; see git's
//! `gitformat-commit-graph`). gix reads the commit-graph but not these
//! chunks, so this module does: a walk asks "did commit C (against its first
//! parent) possibly change path P?" and skips the tree diff on a "no".
//!
//! A Bloom filter never says "no" for a path that changed, so skipping on
//! "no" is exact; "maybe" falls back to comparing trees.

use std::path::Path;

use gix::ObjectId;

/// The filters of every file of the commit-graph, in the order gix numbers
/// their commits (a split chain's base first).
pub(crate) struct Filters {
    files: Vec<File>,
}

struct File {
    /// Commit ids in the file's order (OIDL), 20 bytes each.
    ids: Vec<u8>,
    /// End offset of each commit's filter in `data` (BIDX).
    ends: Vec<u32>,
    /// The filters (BDAT without its header).
    data: Vec<u8>,
    hashes: u32,
    /// Version 1 hashed bytes as signed chars: exact for ASCII paths only.
    version: u32,
}

impl Filters {
    /// Reads the filters of the repository whose objects are in `objects`;
    /// `None` when there is no commit-graph or it carries no filters.
    pub(crate) fn open(objects: &Path) -> Option<Filters> {
        let info = objects.join("info");
        let paths = match std::fs::read_to_string(info.join("commit-graphs/commit-graph-chain")) {
            Ok(chain) => chain
                .lines()
                .map(|hash| info.join(format!("commit-graphs/graph-{}.graph", hash.trim())))
                .collect(),
            Err(_) => vec![info.join("commit-graph")],
        };
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            files.push(File::parse(&std::fs::read(path).ok()?)?);
        }
        Some(Filters { files })
    }

    /// Whether the commit at gix's graph `position` may have changed `path`
    /// against its first parent: `false` is certain, `true` may be a false positive.
    pub(crate) fn may_have_changed(&self, position: u32, id: &ObjectId, path: &str) -> bool {
        let mut local = position as usize;
        for file in &self.files {
            let count = file.ends.len();
            if local < count {
                return file.may_have_changed(local, id, path);
            }
            local -= count;
        }
        true
    }
}

impl File {
    fn parse(bytes: &[u8]) -> Option<File> {
        if bytes.get(0..4)? != b"CGPH" || *bytes.get(4)? != 1 || *bytes.get(5)? != 1 {
            return None; // Not a SHA-1 commit-graph of version 1.
        }
        let chunks = usize::from(*bytes.get(6)?);
        let chunk = |wanted: &[u8; 4]| -> Option<&[u8]> {
            for i in 0..chunks {
                let entry = bytes.get(8 + i * 12..8 + (i + 2) * 12)?;
                if &entry[0..4] == wanted {
                    let start =
                        usize::try_from(u64::from_be_bytes(entry[4..12].try_into().ok()?)).ok()?;
                    let end =
                        usize::try_from(u64::from_be_bytes(entry[16..24].try_into().ok()?)).ok()?;
                    return bytes.get(start..end);
                }
            }
            None
        };
        let ids = chunk(b"OIDL")?.to_vec();
        let ends: Vec<u32> = chunk(b"BIDX")?
            .chunks_exact(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let bdat = chunk(b"BDAT")?;
        let word = |i: usize| -> Option<u32> {
            Some(u32::from_be_bytes(
                bdat.get(i * 4..i * 4 + 4)?.try_into().ok()?,
            ))
        };
        let (version, hashes) = (word(0)?, word(1)?);
        if ids.len() != ends.len() * 20 || !(version == 1 || version == 2) {
            return None;
        }
        Some(File {
            ids,
            ends,
            data: bdat.get(12..)?.to_vec(),
            hashes,
            version,
        })
    }

    fn may_have_changed(&self, local: usize, id: &ObjectId, path: &str) -> bool {
        // The graph gix read and the one read here could differ if git
        // rewrote it in between; a mismatch means "maybe".
        if self.ids.get(local * 20..local * 20 + 20) != Some(id.as_bytes()) {
            return true;
        }
        if self.version == 1 && !path.is_ascii() {
            return true;
        }
        let start = if local == 0 {
            0
        } else {
            self.ends[local - 1] as usize
        };
        let Some(filter) = self.data.get(start..self.ends[local] as usize) else {
            return true;
        };
        let bits = filter.len() as u64 * 8;
        if bits == 0 {
            return true;
        }
        // A change to a file changes every directory above it, and git puts
        // those in the filter too; so the path and each of its leading
        // directories must all be there (as git's own walk asks). Each key
        // that must match divides the false positives: in a tree of
        // thousands of apps this rules out most of the walk.
        let bytes = path.as_bytes();
        let prefixes = bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'/' && i > 0)
            .map(|(i, _)| &bytes[..i]);
        prefixes
            .chain(std::iter::once(bytes))
            .all(|key| self.contains(filter, bits, key))
    }

    fn contains(&self, filter: &[u8], bits: u64, key: &[u8]) -> bool {
        let h0 = murmur3(0x293a_e76f, key);
        let h1 = murmur3(0x7e64_6e2c, key);
        (0..self.hashes).all(|i| {
            let bit = u64::from(h0.wrapping_add(i.wrapping_mul(h1))) % bits;
            filter[(bit / 8) as usize] & (1 << (bit % 8)) != 0
        })
    }
}

/// MurmurHash3 (x86, 32-bit), as git's version 2 filters use it.
fn murmur3(seed: u32, data: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let k = u32::from_le_bytes([block[0], block[1], block[2], block[3]])
            .wrapping_mul(C1)
            .rotate_left(15)
            .wrapping_mul(C2);
        h = (h ^ k)
            .rotate_left(13)
            .wrapping_mul(5)
            .wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, b) in tail.iter().enumerate() {
            k ^= u32::from(*b) << (8 * i);
        }
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::murmur3;
    use crate::repo::Repo;

    fn git(dir: &std::path::Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    }

    #[test]
    fn filters_never_deny_a_change_and_do_rule_out_others() {
        let copy = hoist_fixtures::fresh_copy("promotions");
        let dir = copy.path();
        git(
            dir,
            &["commit-graph", "write", "--reachable", "--changed-paths"],
        );
        let repo = Repo::open(dir).expect("opens");
        assert!(repo.has_bloom_filters(), "the filters were read");
        let paths = [
            "apps/api/values.yaml",
            "apps/web/values.yaml",
            "apps/worker/values.yaml",
            "nowhere/x.yaml",
        ];
        let mut ruled_out = 0;
        for branch in ["env/dev", "env/stage", "env/prod"] {
            for line in git(dir, &["rev-list", "--first-parent", branch]).lines() {
                let id = gix::ObjectId::from_hex(line.as_bytes()).expect("hex id");
                let changed = git(
                    dir,
                    &[
                        "diff-tree",
                        "--no-commit-id",
                        "--name-only",
                        "-r",
                        "--root",
                        "-m",
                        "--first-parent",
                        line,
                    ],
                );
                for path in paths {
                    let maybe = repo.may_change_any(id, &[path]);
                    if changed.lines().any(|l| l == path) {
                        assert!(maybe, "{path} changed in {line} but the filter denies it");
                    } else if !maybe {
                        ruled_out += 1;
                    }
                }
            }
        }
        assert!(
            ruled_out > 10,
            "the filters ruled out only {ruled_out} unchanged paths"
        );
    }

    /// A filter holding a file's path but not its directory is a false
    /// positive (git always adds both): it must not count as a change.
    #[test]
    fn a_path_counts_only_when_its_directories_are_in_the_filter_too() {
        let id = gix::ObjectId::from_hex(b"0123456789abcdef0123456789abcdef01234567").expect("hex");
        let mut filter = vec![0u8; 64];
        let set = |filter: &mut Vec<u8>, key: &[u8]| {
            let bits = filter.len() as u64 * 8;
            let (h0, h1) = (murmur3(0x293a_e76f, key), murmur3(0x7e64_6e2c, key));
            for i in 0..7u32 {
                let bit = u64::from(h0.wrapping_add(i.wrapping_mul(h1))) % bits;
                filter[(bit / 8) as usize] |= 1 << (bit % 8);
            }
        };
        set(&mut filter, b"apps/api/values.yaml");
        let file = |data: Vec<u8>| super::File {
            ids: id.as_bytes().to_vec(),
            ends: vec![data.len() as u32],
            data,
            hashes: 7,
            version: 2,
        };
        let path = "apps/api/values.yaml";
        assert!(!file(filter.clone()).may_have_changed(0, &id, path));
        set(&mut filter, b"apps");
        assert!(!file(filter.clone()).may_have_changed(0, &id, path));
        set(&mut filter, b"apps/api");
        assert!(file(filter).may_have_changed(0, &id, path));
    }

    #[test]
    fn murmur3_matches_the_reference_values() {
        // Reference values of MurmurHash3_x86_32.
        assert_eq!(murmur3(0, b""), 0);
        assert_eq!(murmur3(1, b""), 0x514e_28b7);
        assert_eq!(murmur3(0, b"test"), 0xba6b_d213);
        assert_eq!(murmur3(0x9747_b28c, b"Hello, world!"), 0x2488_4cba);
        assert_eq!(
            murmur3(0, b"The quick brown fox jumps over the lazy dog"),
            0x2e4f_f723
        );
    }
}
