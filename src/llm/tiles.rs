//! The tiled weight cache: the tiles [`matmul`](super::matmul) reads, written once next to the
//! model and mapped at start, so a `kgent` process neither reads the GGUF's weights nor re-tiles
//! them, and concurrent processes share one copy of the pages.
//!
//! - **Keyed.** The file names the model (its sha256 from the store, or for a `.gguf` given by
//!   path its device, inode, size and modification time), [`LAYOUT_VERSION`] and the
//!   architecture and byte order; any difference makes it stale.
//! - **Checked before use.** Each matrix its table lists must be one of the GGUF's, with the same
//!   format and shape, lie inside the file after the table without overlapping another, and match
//!   a fingerprint sampled from its tiles. A stale cache, or one damaged where those checks look
//!   (a truncation, a rewrite, a zeroed or overwritten stretch the samples cross), is rebuilt from
//!   the GGUF, never read. The samples are a few KiB of a ~1 GiB file: a flipped bit between
//!   them goes unseen, as it would in the GGUF itself after its one sha256 check.
//! - **Complete.** A matrix the loader needs and the cache lacks is tiled from the GGUF, and the
//!   cache is written again with it.
//! - **Written atomically**, like the model itself: one writer at a time (a lock beside it; a
//!   second process loading meanwhile just does not write), a temporary file in the same
//!   directory, synced, renamed over the old one, the directory synced. A process killed while
//!   writing leaves only its temporary file, swept by a later writer. Never edit a cache in place:
//!   a running `kgent` maps it (truncating it under one would crash it; remove it instead).
//!
//! ```text
//! "KGTILES\0" | table length: u32 LE | table (JSON) | zero padding to 4 KiB | matrix | padding | …
//! ```

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use candle_core::quantized::gguf_file;
use memmap2::{Mmap, MmapOptions};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::matmul::{Format, QMatrix, LAYOUT_VERSION};

const MAGIC: &[u8; 8] = b"KGTILES\0";
/// Matrices start on page boundaries: each one's pages are its own.
const ALIGN: usize = 4096;
/// Samples of each matrix in its fingerprint, and their size.
const SAMPLES: usize = 16;
const SAMPLE_BYTES: usize = 64;
/// A writer's temporary file older than this was left by a process that died.
const ABANDONED: Duration = Duration::from_secs(600);
const PARTIAL_PREFIX: &str = ".tiles-partial-";

/// Where a model's tiled weight cache lives, and the key its contents must carry.
#[derive(Debug, Clone)]
pub struct TileCache {
    path: PathBuf,
    key: String,
}

/// What a load did with the cache, for reports (`kgent complete --json`, `kgent bench`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CacheState {
    /// No cache for this load (another device, or none asked for).
    Off,
    /// The weights were mapped from the cache.
    Mapped,
    /// There was none; the weights were tiled from the GGUF and the cache written.
    Written,
    /// The cache could not be used (`reason`); it was rewritten from the GGUF.
    Rebuilt { reason: String },
    /// The weights were tiled from the GGUF, but the cache could not be written (`reason`).
    NotWritten { reason: String },
}

#[derive(Serialize, Deserialize)]
struct Table {
    key: String,
    layout: u32,
    /// The file's length.
    total: u64,
    matrices: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    name: String,
    format: String,
    rows: usize,
    cols: usize,
    offset: usize,
    len: usize,
    /// [`fingerprint`] of the tiles.
    fingerprint: String,
}

/// The cache, mapped and checked against the GGUF being loaded.
pub struct Mapped {
    map: Arc<Mmap>,
    matrices: HashMap<String, (Format, usize, usize, Range<usize>)>,
}

impl Mapped {
    /// The matrix `name`, over the mapped tiles.
    pub fn matrix(&self, name: &str) -> Option<QMatrix> {
        let (format, rows, cols, at) = self.matrices.get(name)?;
        QMatrix::mapped(*format, *rows, *cols, Arc::clone(&self.map), at.clone()).ok()
    }
}

/// Why a cache was not used.
pub enum Unusable {
    Missing,
    Invalid(String),
}

impl TileCache {
    /// The cache of the model file `model`, in the directory `dir`: `sha256` is the store's hash
    /// of it when known; a file outside the store is known by where it is and when it changed.
    pub fn for_model(dir: &Path, model: &Path, sha256: Option<&str>) -> std::io::Result<TileCache> {
        let (file_name, identity) = match sha256 {
            Some(sha) => (format!("{}.tiles", model.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into())), format!("sha256:{sha}")),
            None => {
                use std::os::unix::fs::MetadataExt;
                let meta = fs::metadata(model)?;
                let mtime = meta.modified()?.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
                let at = fs::canonicalize(model)?;
                let id = hex::encode(&Sha256::digest(at.as_os_str().as_encoded_bytes())[..8]);
                (format!("path-{id}.tiles"), format!("file:{}:{}:{}:{mtime}", meta.dev(), meta.ino(), meta.len()))
            }
        };
        let key = format!("{identity} layout:{LAYOUT_VERSION} arch:{} endian:{}", std::env::consts::ARCH, if cfg!(target_endian = "little") { "le" } else { "be" });
        Ok(TileCache { path: dir.join(file_name), key })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cache mapped, when it exists, carries this key, and each matrix it holds is one of
    /// `expected` (the GGUF's, by [`expected`]) with the same format and shape. A matrix it lacks
    /// is tiled from the GGUF by the loader.
    pub fn open(&self, expected: &HashMap<String, (Format, usize, usize)>) -> Result<Mapped, Unusable> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unusable::Missing),
            Err(e) => return Err(Unusable::Invalid(format!("cannot open it: {e}"))),
        };
        // SAFETY: the cache is only ever replaced by rename or removed, never written in place,
        // so the mapped file does not change under us; its contents are checked below before any
        // use. Checked without populating, so a stale cache costs no read of its whole length.
        let map = unsafe { MmapOptions::new().map(&file) }.map_err(|e| Unusable::Invalid(format!("cannot map it: {e}")))?;
        let table = read_table(&map).map_err(Unusable::Invalid)?;
        let table_end = MAGIC.len() + 4 + u32::from_le_bytes(map[MAGIC.len()..MAGIC.len() + 4].try_into().expect("read_table checked the length")) as usize;
        let bad = |why: String| Err(Unusable::Invalid(why));
        if table.key != self.key || table.layout != LAYOUT_VERSION {
            return bad(format!("it was written for {} (layout {}), this load is {}", table.key, table.layout, self.key));
        }
        if table.total != map.len() as u64 {
            return bad(format!("its table says {} bytes, the file has {}", table.total, map.len()));
        }
        let mut matrices = HashMap::new();
        // Past the table, and each after the last: no two matrices share bytes.
        let mut free_from = table_end;
        let mut in_order: Vec<&Entry> = table.matrices.iter().collect();
        in_order.sort_by_key(|e| e.offset);
        for e in in_order {
            let Some(&(format, rows, cols)) = expected.get(&e.name) else { return bad(format!("it holds {}, which the model does not", e.name)) };
            if format_name(format) != e.format || (rows, cols) != (e.rows, e.cols) {
                return bad(format!("{} is {} {}x{} there, {:?} {rows}x{cols} in the model", e.name, e.format, e.rows, e.cols, format));
            }
            let at = e.offset..e.offset.saturating_add(e.len);
            if e.len != QMatrix::tiled_bytes(format, rows, cols) || e.offset < free_from || at.end > map.len() || !e.offset.is_multiple_of(ALIGN) {
                return bad(format!("{} lies outside the file, over another matrix, or has the wrong length", e.name));
            }
            free_from = at.end;
            if fingerprint(&map[at.clone()]) != e.fingerprint {
                return bad(format!("the tiles of {} do not match their fingerprint", e.name));
            }
            matrices.insert(e.name.clone(), (format, rows, cols, at));
        }
        drop(map);
        // Valid: mapped again, this time with every page faulted in now rather than during the
        // first prefill. The checks above read through the same file, which nothing rewrites.
        // SAFETY: as above.
        let map = unsafe { MmapOptions::new().populate().map(&file) }.map_err(|e| Unusable::Invalid(format!("cannot map it: {e}")))?;
        if map.len() as u64 != table.total {
            return bad("it changed while it was being checked".into());
        }
        Ok(Mapped { map: Arc::new(map), matrices })
    }

    /// Writes `matrices` as the cache, replacing any other atomically. Another process writing
    /// it now, or too little free space, is an error: the load goes on without writing.
    pub fn write(&self, matrices: &[(String, Arc<QMatrix>)]) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let lock_name = format!(".{}.lock", self.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
        let Some(_writing) = crate::lock::Lock::try_exclusive(&dir.join(lock_name))? else {
            return Err(std::io::Error::other("another kgent process is writing it"));
        };
        sweep_abandoned(dir);
        let needed: u64 = matrices.iter().map(|(_, m)| m.tiles().len() as u64 + ALIGN as u64).sum();
        if let Some(free) = free_bytes(dir).filter(|&free| free < needed + needed / 10) {
            return Err(std::io::Error::other(format!("it needs {:.2} GB and the disk has {:.2} GB free", needed as f64 / 1e9, free as f64 / 1e9)));
        }
        let mut entries = Vec::with_capacity(matrices.len());
        let mut seen = HashSet::new();
        for (name, m) in matrices.iter().filter(|(name, _)| seen.insert(name.clone())) {
            entries.push(Entry {
                name: name.clone(),
                format: format_name(m.format()).into(),
                rows: m.rows(),
                cols: m.cols(),
                offset: 0,
                len: m.tiles().len(),
                fingerprint: fingerprint(m.tiles()),
            });
        }
        // The table's length depends on the offsets it lists: lay out with room to spare.
        let mut table = Table { key: self.key.clone(), layout: LAYOUT_VERSION, total: 0, matrices: entries };
        let sized = serde_json::to_vec(&table).map_err(std::io::Error::other)?.len() + 64 * table.matrices.len() + 64;
        let mut at = (MAGIC.len() + 4 + sized).next_multiple_of(ALIGN);
        for e in &mut table.matrices {
            e.offset = at;
            at = (at + e.len).next_multiple_of(ALIGN);
        }
        table.total = at as u64;
        let json = serde_json::to_vec(&table).map_err(std::io::Error::other)?;
        assert!(MAGIC.len() + 4 + json.len() <= table.matrices.first().map_or(usize::MAX, |e| e.offset), "the table outgrew its room");

        let tmp = tempfile::Builder::new().prefix(PARTIAL_PREFIX).tempfile_in(dir)?;
        let mut out = BufWriter::with_capacity(1 << 20, tmp.as_file());
        out.write_all(MAGIC)?;
        out.write_all(&(json.len() as u32).to_le_bytes())?;
        out.write_all(&json)?;
        let mut written = MAGIC.len() + 4 + json.len();
        let by_name: HashMap<&str, &QMatrix> = matrices.iter().map(|(n, m)| (n.as_str(), m.as_ref())).collect();
        for e in &table.matrices {
            out.write_all(&vec![0u8; e.offset - written])?;
            out.write_all(by_name[e.name.as_str()].tiles())?;
            written = e.offset + e.len;
        }
        out.write_all(&vec![0u8; at - written])?;
        out.flush()?;
        drop(out);
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        // The rename itself survives a crash only once the directory is synced.
        File::open(dir)?.sync_all()?;
        Ok(())
    }

    /// Whether loads use a tiled weight cache: yes unless `KGENT_TILE_CACHE` is off.
    pub fn enabled() -> bool {
        !std::env::var("KGENT_TILE_CACHE").is_ok_and(|v| matches!(v.as_str(), "0" | "off" | "no" | "false"))
    }

    /// Removes the cache (a corrupt one, or with its model).
    pub fn remove(&self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// The matrices of `ct` that the kernels multiply on the CPU, which a cache must hold: every
/// two-dimensional tensor in a format [`Format`] knows.
pub fn expected(ct: &gguf_file::Content) -> HashMap<String, (Format, usize, usize)> {
    ct.tensor_infos
        .iter()
        .filter_map(|(name, info)| match (Format::from_ggml(info.ggml_dtype), info.shape.dims()) {
            (Some(f), &[rows, cols]) if QMatrix::file_bytes(f, rows, cols).is_ok() => Some((name.clone(), (f, rows, cols))),
            _ => None,
        })
        .collect()
}

fn read_table(map: &[u8]) -> Result<Table, String> {
    if map.len() < MAGIC.len() + 4 || &map[..MAGIC.len()] != MAGIC {
        return Err("it is not a Kgent tile cache".into());
    }
    let len = u32::from_le_bytes(map[MAGIC.len()..MAGIC.len() + 4].try_into().expect("4 bytes")) as usize;
    let json = map.get(MAGIC.len() + 4..MAGIC.len() + 4 + len).ok_or("its table runs past the end of the file")?;
    serde_json::from_slice(json).map_err(|e| format!("its table does not read: {e}"))
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Q8_0 => "q8_0",
        Format::Q5_0 => "q5_0",
        Format::Q4K => "q4_k",
        Format::Q6K => "q6_k",
    }
}

/// sha256 over [`SAMPLES`] evenly spaced slices of `tiles`, first and last included: catches a
/// truncated, zeroed or overwritten matrix while reading a few KiB of a ~1 GiB cache.
fn fingerprint(tiles: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update((tiles.len() as u64).to_le_bytes());
    let span = tiles.len().saturating_sub(SAMPLE_BYTES);
    for i in 0..SAMPLES {
        let at = span * i / (SAMPLES - 1);
        h.update(&tiles[at..(at + SAMPLE_BYTES).min(tiles.len())]);
    }
    hex::encode(&h.finalize()[..12])
}

/// Bytes free to this user on the file system of `dir` (`None` when it cannot be told).
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a NUL-terminated string and `st` a buffer statvfs fills on success.
    if unsafe { libc::statvfs(path.as_ptr(), st.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `st`.
    let st = unsafe { st.assume_init() };
    // Their widths differ between targets (u32 on some 32-bit ones).
    #[allow(clippy::unnecessary_cast)]
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Removes writers' temporary files that no live writer can still be using.
fn sweep_abandoned(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age > ABANDONED);
        if old && entry.file_name().to_string_lossy().starts_with(PARTIAL_PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{Device, Model};

    fn logits(model: &mut Model) -> Vec<f32> {
        let ids = model.encode("hello, world").unwrap();
        model.forward(&ids, 0).unwrap().to_vec1::<f32>().unwrap()
    }

    fn load(path: &Path, cache: &TileCache) -> Model {
        Model::load_with_cache(path, "tiny", &Device::Cpu, Some(cache)).unwrap()
    }

    /// The cache is written on the first load and mapped on the next, with bit-identical logits;
    /// corrupt, truncated, foreign and stale caches are rebuilt, never read; a cache that cannot
    /// be written leaves the model loading from its file.
    #[test]
    fn written_once_mapped_after_and_rebuilt_when_it_cannot_be_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("tiny.gguf");
        crate::llm::tiny::write_tiny_qwen2(&model, 5).unwrap();
        let want = logits(&mut Model::load(&model, "tiny", &Device::Cpu).unwrap());
        let cache = TileCache::for_model(dir.path(), &model, Some("ab12")).unwrap();

        let mut first = load(&model, &cache);
        assert_eq!(first.tile_cache(), &CacheState::Written);
        assert_eq!(logits(&mut first), want);
        let mut mapped = load(&model, &cache);
        assert_eq!(mapped.tile_cache(), &CacheState::Mapped);
        assert_eq!(logits(&mut mapped), want, "mapped tiles give other logits");
        // The cache is rewritten in place below, which no live mapping may see.
        drop((first, mapped));

        let rebuilt = |expect: &str| {
            let mut m = load(&model, &cache);
            match m.tile_cache() {
                CacheState::Rebuilt { reason } => assert!(reason.contains(expect), "rebuilt for '{reason}', expected '{expect}'"),
                other => panic!("expected a rebuild for '{expect}', got {other:?}"),
            }
            assert_eq!(logits(&mut m), want);
            assert_eq!(load(&model, &cache).tile_cache(), &CacheState::Mapped, "the rebuilt cache is used next time");
        };

        // A matrix's first bytes overwritten in place.
        let bytes = fs::read(cache.path()).unwrap();
        let first_matrix = read_table(&bytes).unwrap().matrices[0].offset;
        let mut corrupt = bytes.clone();
        corrupt[first_matrix..first_matrix + 32].iter_mut().for_each(|b| *b = !*b);
        fs::write(cache.path(), &corrupt).unwrap();
        rebuilt("fingerprint");

        fs::write(cache.path(), &bytes[..bytes.len() - 4096]).unwrap();
        rebuilt("bytes");

        fs::write(cache.path(), b"not tiles at all").unwrap();
        rebuilt("not a Kgent tile cache");

        // A cache whose table lost a matrix: the matrix is tiled and the cache written whole.
        let bytes = fs::read(cache.path()).unwrap();
        let mut table = read_table(&bytes).unwrap();
        let first = table.matrices.iter().map(|e| e.offset).min().unwrap();
        let lost = table.matrices.pop().unwrap().name;
        let json = serde_json::to_vec(&table).unwrap();
        let mut short = [MAGIC.as_slice(), &(json.len() as u32).to_le_bytes(), &json].concat();
        short.resize(first, 0);
        short.extend_from_slice(&bytes[first..]);
        fs::write(cache.path(), &short).unwrap();
        rebuilt(&format!("it lacked {lost}"));

        // The same file name, written for another model (its hash changed in the store).
        let other = TileCache::for_model(dir.path(), &model, Some("cd34")).unwrap();
        assert_eq!(other.path(), cache.path());
        let mut m = load(&model, &other);
        assert!(matches!(m.tile_cache(), CacheState::Rebuilt { reason } if reason.contains("sha256:ab12")), "{:?}", m.tile_cache());
        assert_eq!(logits(&mut m), want);

        // A file given by path is known by its identity on disk: touching it makes the cache stale.
        let by_path = TileCache::for_model(dir.path(), &model, None).unwrap();
        assert_eq!(load(&model, &by_path).tile_cache(), &CacheState::Written);
        assert_eq!(load(&model, &by_path).tile_cache(), &CacheState::Mapped);
        let f = File::options().write(true).open(&model).unwrap();
        f.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
        drop(f);
        let touched = TileCache::for_model(dir.path(), &model, None).unwrap();
        assert!(matches!(load(&model, &touched).tile_cache(), CacheState::Rebuilt { .. }));

        // A directory that cannot hold the cache (here: a file is in the way).
        let blocked = dir.path().join("blocked");
        fs::write(&blocked, b"").unwrap();
        let nowhere = TileCache::for_model(&blocked.join("sub"), &model, Some("ab12")).unwrap();
        let mut m = load(&model, &nowhere);
        assert!(matches!(m.tile_cache(), CacheState::NotWritten { .. }), "{:?}", m.tile_cache());
        assert_eq!(logits(&mut m), want);
        assert!(fs::read_dir(dir.path()).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().starts_with(PARTIAL_PREFIX)), "a temporary file was left behind");
    }
}
