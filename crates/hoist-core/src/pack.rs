//! Reading objects straight from pack files, with a delta-base cache that
//! keeps every object of a delta chain.
//!
//! gix caches only the object asked for, not the bases its delta chain went
//! through. Git packs the versions of a directory's tree as long chains that
//! weave through every environment branch, so a walk along one branch asks
//! for objects whose bases it never asked for, and gix inflated the same
//! 50-deep chain again at every commit: 60% of a history walk was zlib. Git's
//! own delta-base cache keeps the bases; this does the same, for the walks'
//! commits and trees. Whatever is not found here (loose objects, packs added
//! after opening, alternates, a damaged pack) the caller reads through gix,
//! which also reports any error properly.

use std::cell::RefCell;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;

use clru::{CLruCache, CLruCacheConfig, WeightScale};
use gix::objs::Kind;
use gix::odb::pack::data::entry::Header;

/// How much object data the cache keeps, like git's `core.deltaBaseCacheLimit`.
const CACHE_BYTES: usize = 96 * 1024 * 1024;

/// An object's kind and bytes, shared with the cache.
pub(crate) type Object = (Kind, Arc<Vec<u8>>);

/// The pack files of a repository, opened once, and the objects resolved so far.
pub(crate) struct Packs {
    bundles: Vec<gix::odb::pack::Bundle>,
    state: RefCell<State>,
}

struct State {
    cache: CLruCache<(usize, u64), Object, std::collections::hash_map::RandomState, BySize>,
    inflate: gix::zlib::Inflate,
}

struct BySize;

impl WeightScale<(usize, u64), Object> for BySize {
    fn weight(&self, _: &(usize, u64), value: &Object) -> usize {
        value.1.len()
    }
}

impl Packs {
    /// Opens every pack in `objects/pack` of the object directory `objects`.
    /// A pack that cannot be opened is left to gix.
    pub(crate) fn open(objects: &Path, hash: gix::hash::Kind) -> Packs {
        let mut bundles = Vec::new();
        if let Ok(dir) = std::fs::read_dir(objects.join("pack")) {
            let mut indexes: Vec<_> = dir
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "idx"))
                .collect();
            indexes.sort();
            bundles.extend(
                indexes
                    .iter()
                    .filter_map(|idx| gix::odb::pack::Bundle::at(idx, hash).ok()),
            );
        }
        let config = CLruCacheConfig::new(NonZeroUsize::new(CACHE_BYTES).expect("non-zero"))
            .with_scale(BySize);
        Packs {
            bundles,
            state: RefCell::new(State {
                cache: CLruCache::with_config(config),
                inflate: gix::zlib::Inflate::default(),
            }),
        }
    }

    /// The object `id`, or `None` when no pack holds it or it cannot be decoded.
    pub(crate) fn find(&self, id: &gix::oid) -> Option<Object> {
        let (pack, offset) = self.locate(id)?;
        self.resolve(pack, offset)
    }

    fn locate(&self, id: &gix::oid) -> Option<(usize, u64)> {
        self.bundles.iter().enumerate().find_map(|(n, b)| {
            let at = b.index.lookup(id)?;
            Some((n, b.index.pack_offset_at_index(at)))
        })
    }

    /// Resolves the entry at `offset` of pack `pack`: follows its delta chain
    /// down to a cached object or a whole one, then applies the deltas back up,
    /// caching every object on the way.
    fn resolve(&self, pack: usize, offset: u64) -> Option<Object> {
        let mut state = self.state.borrow_mut();
        let state = &mut *state;
        let mut chain: Vec<(usize, u64, gix::odb::pack::data::Entry)> = Vec::new();
        let (mut at_pack, mut at) = (pack, offset);
        let mut base = loop {
            if let Some(hit) = state.cache.get(&(at_pack, at)) {
                break hit.clone();
            }
            // A chain deeper than any git writes is a damaged pack.
            if chain.len() > 10_000 {
                return None;
            }
            let entry = self.bundles[at_pack].pack.entry(at).ok()?;
            let kind = match entry.header {
                Header::Commit => Kind::Commit,
                Header::Tree => Kind::Tree,
                Header::Blob => Kind::Blob,
                Header::Tag => Kind::Tag,
                Header::OfsDelta { base_distance } => {
                    let base = entry.checked_base_pack_offset(base_distance)?;
                    chain.push((at_pack, at, entry));
                    at = base;
                    continue;
                }
                Header::RefDelta { base_id } => {
                    let (p, o) = self.locate(&base_id)?;
                    chain.push((at_pack, at, entry));
                    (at_pack, at) = (p, o);
                    continue;
                }
            };
            let bytes = inflate(&self.bundles[at_pack].pack, &entry, &mut state.inflate)?;
            let object: Object = (kind, Arc::new(bytes));
            state
                .cache
                .put_with_weight((at_pack, at), object.clone())
                .ok();
            break object;
        };
        while let Some((p, o, entry)) = chain.pop() {
            let delta = inflate(&self.bundles[p].pack, &entry, &mut state.inflate)?;
            let result = Arc::new(apply(&base.1, &delta)?);
            base = (base.0, result);
            state.cache.put_with_weight((p, o), base.clone()).ok();
        }
        Some(base)
    }
}

fn inflate(
    data: &gix::odb::pack::data::File,
    entry: &gix::odb::pack::data::Entry,
    inflate: &mut gix::zlib::Inflate,
) -> Option<Vec<u8>> {
    let size = usize::try_from(entry.decompressed_size).ok()?;
    let mut out = vec![0; size];
    data.decompress_entry(entry, inflate, &mut out).ok()?;
    Some(out)
}

/// Applies a git delta (base size, result size, then copy and insert
/// instructions) to `base`; `None` for a delta that does not fit its base.
fn apply(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let base_size = varint(delta, &mut at)?;
    let result_size = varint(delta, &mut at)?;
    if base_size != base.len() {
        return None;
    }
    let mut out = Vec::with_capacity(result_size);
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            // Copy from the base: offset and size in the bytes the low bits flag.
            let mut offset = 0usize;
            let mut size = 0usize;
            for bit in 0..4 {
                if op & (1 << bit) != 0 {
                    offset |= usize::from(*delta.get(at)?) << (8 * bit);
                    at += 1;
                }
            }
            for bit in 0..3 {
                if op & (0x10 << bit) != 0 {
                    size |= usize::from(*delta.get(at)?) << (8 * bit);
                    at += 1;
                }
            }
            if size == 0 {
                size = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(size)?)?);
        } else if op != 0 {
            // Insert the next `op` bytes of the delta itself.
            let n = usize::from(op);
            out.extend_from_slice(delta.get(at..at + n)?);
            at += n;
        } else {
            return None;
        }
    }
    (out.len() == result_size).then_some(out)
}

fn varint(data: &[u8], at: &mut usize) -> Option<usize> {
    let mut value = 0usize;
    let mut shift = 0;
    loop {
        let byte = *data.get(*at)?;
        *at += 1;
        value |= usize::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(value);
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::Packs;

    /// Every object of a repository repacked with deep chains of both delta
    /// kinds reads back byte for byte as gix reads it, and hashes to its id.
    #[test]
    fn every_packed_object_reads_as_gix_reads_it() {
        for offsets in [true, false] {
            let copy = hoist_fixtures::fresh_copy("promotions");
            hoist_fixtures::repack_deeply(copy.path(), offsets);
            let repo = gix::open(copy.path()).expect("opens");
            let packs = Packs::open(&copy.path().join(".git/objects"), repo.object_hash());
            assert_eq!(packs.bundles.len(), 1, "one pack after repack -a");
            let index = &packs.bundles[0].index;
            let mut deltas = 0;
            for entry in index.iter() {
                let (kind, bytes) = packs.find(&entry.oid).expect("found in the pack");
                let object = repo.find_object(entry.oid).expect("gix reads it");
                assert_eq!(
                    (kind, bytes.as_slice()),
                    (object.kind, object.data.as_slice())
                );
                let hash = gix::objs::compute_hash(repo.object_hash(), kind, &bytes).expect("hash");
                assert_eq!(hash, entry.oid);
                let header = packs.bundles[0]
                    .pack
                    .entry(entry.pack_offset)
                    .expect("entry")
                    .header;
                deltas += usize::from(header.is_delta());
            }
            assert!(
                deltas > 10,
                "the repack made delta chains ({deltas} deltas)"
            );
            assert!(
                packs
                    .find(&gix::ObjectId::null(repo.object_hash()))
                    .is_none()
            );
        }
    }
}
