//! Quantized weights × f32 activations on the CPU, over the GGUF file's own blocks.
//!
//! candle's CPU matmul keeps a second, repacked copy of every Q4K/Q6K/Q8_0 weight beside the
//! original (about twice the file in memory), and it runs Q5_0 — most of the 0.5B model — as
//! scalar code unless the whole build targets the build machine's CPU. This module keeps one copy
//! of each weight, in the file's layout, and picks its SIMD code at run time:
//!
//! - the activations are quantized to 8 bits per row, the way llama.cpp does it: 32-value blocks
//!   for Q8_0/Q5_0 weights, 256-value blocks with 16-value sums for the k-quants;
//! - the weights are regrouped at load into tiles of 8 rows (the same bytes, rearranged, see
//!   [`Tile`]), so that one byte-dot instruction advances 4 values of 8 outputs against 4
//!   activation values broadcast, and each tile is unpacked once for up to 4 activation rows;
//!   the tiles are ordered (see [`Layout`]) so that a decode task reads one stream and finds its
//!   activations in L1;
//! - the byte products use AVX-512 VNNI where the CPU has it, else AVX2; a portable scalar path
//!   serves other CPUs and is the reference the SIMD paths are tested against.
//!
//! Offsets are folded in after the integer dot: Q5_0 stores `q + 16`, Q6K `q + 32`, and Q4K a
//! per-block minimum, so `Σ w·x = Σ u·x − offset · Σ x` with `Σ x` computed at quantization.

use std::sync::OnceLock;

use candle_core::quantized::GgmlDType;
use half::f16;
use rayon::prelude::*;

/// The GGUF block formats this module multiplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Q8_0,
    Q5_0,
    Q4K,
    Q6K,
}

impl Format {
    pub fn from_ggml(dtype: GgmlDType) -> Option<Self> {
        match dtype {
            GgmlDType::Q8_0 => Some(Format::Q8_0),
            GgmlDType::Q5_0 => Some(Format::Q5_0),
            GgmlDType::Q4K => Some(Format::Q4K),
            GgmlDType::Q6K => Some(Format::Q6K),
            _ => None,
        }
    }

    /// Values in one block.
    pub const fn block_values(self) -> usize {
        match self {
            Format::Q8_0 | Format::Q5_0 => 32,
            Format::Q4K | Format::Q6K => 256,
        }
    }

    /// Bytes of one block: an f16 scale and 32 bytes (Q8_0); an f16 scale, 4 high-bit bytes and
    /// 16 nibble bytes (Q5_0); two f16 scales, 12 packed 6-bit scales and 128 nibble bytes (Q4K);
    /// 128 low-nibble bytes, 64 high-bit bytes, 16 i8 scales and an f16 scale (Q6K).
    pub const fn block_bytes(self) -> usize {
        match self {
            Format::Q8_0 => 34,
            Format::Q5_0 => 22,
            Format::Q4K => 144,
            Format::Q6K => 210,
        }
    }
}

/// A `rows × cols` weight matrix (one row per output), in tiles of 8 rows: one tile per block
/// column, holding the same block of 8 consecutive rows. A last, partial group of rows is padded
/// with zero blocks. The tiles are laid out as [`Layout`] says.
pub struct QMatrix {
    format: Format,
    rows: usize,
    cols: usize,
    data: Tiles,
}

/// Bump whenever [`Layout`] or [`Tile::pack`] change what bytes a matrix holds: tiled weight
/// caches written under another version are rebuilt, never read
/// ([`tiles`](super::tiles)). The layout is the same for every instruction set: the kernels
/// pick their code at run time over these bytes.
pub const LAYOUT_VERSION: u32 = 1;

/// A matrix's tiles: tiled in this process, or mapped from the tiled weight cache.
enum Tiles {
    Owned(Vec<u8>),
    Mapped { map: std::sync::Arc<memmap2::Mmap>, at: std::ops::Range<usize> },
}

impl std::ops::Deref for Tiles {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Tiles::Owned(v) => v,
            Tiles::Mapped { map, at } => &map[at.clone()],
        }
    }
}

/// Rows per tile.
const TILE: usize = 8;

/// Tile columns (of 8 rows) stored together: one decode task's work.
const GROUP: usize = 8;

/// Values per span (8 k-quant blocks, 64 Q8_0/Q5_0 blocks).
const SPAN_VALUES: usize = 2048;

/// Where tiles sit: tile columns in groups of [`GROUP`], and within a group span by span, each
/// span holding [`SPAN_VALUES`] values' tiles of every column in turn. A decode task walks its
/// group front to back — one stream for the prefetcher — and uses each span's activations
/// (2–3 KB) for all its columns while they are still in L1. Column after column, an 8,960-wide
/// row's activations (12 KB) were pushed out of L1 by the 41 KB of weights between two uses,
/// which made the FFN down projection stream a quarter slower than the others.
#[derive(Clone, Copy)]
struct Layout {
    /// Bytes per tile.
    tile: usize,
    /// Blocks per row, per span, and tile columns.
    blocks: usize,
    span: usize,
    columns: usize,
}

impl Layout {
    fn new(format: Format, rows: usize, cols: usize) -> Self {
        let bv = format.block_values();
        Layout { tile: Tile::bytes(format), blocks: cols / bv, span: SPAN_VALUES / bv, columns: rows.div_ceil(TILE) }
    }

    fn spans(&self) -> usize {
        self.blocks.div_ceil(self.span)
    }

    fn bytes(&self) -> usize {
        self.columns * self.blocks * self.tile
    }

    /// Byte offset of column `col`'s tiles in span `s`, which are contiguous, and the blocks
    /// they hold.
    fn span_at(&self, col: usize, s: usize) -> (usize, std::ops::Range<usize>) {
        let (g, c) = (col / GROUP, col % GROUP);
        let group_cols = (self.columns - g * GROUP).min(GROUP);
        let b0 = s * self.span;
        let len = (self.blocks - b0).min(self.span);
        (g * GROUP * self.blocks * self.tile + (b0 * group_cols + c * len) * self.tile, b0..b0 + len)
    }

    /// Byte offset of column `col`'s tile of block `b`.
    fn tile_at(&self, col: usize, b: usize) -> usize {
        self.span_at(col, b / self.span).0 + (b % self.span) * self.tile
    }
}

/// Where the parts of one value sit in a tile. Every format lays its values out alike: a group
/// of 4 consecutive values of the 8 rows fills 32 bytes (`4r + k` for row `r`, value `k`), and
/// two groups share those bytes as low and high nibbles where values are 4-bit or wider. The
/// tile starts with the rows' scales, `[row]` for an f16 and `[sub-block][row]` for a byte:
///
/// | format | header | values | high bits |
/// |---|---|---|---|
/// | Q8_0 | `d` f16 ×8 | 8 groups of signed bytes at `16 + 32t` | — |
/// | Q5_0 | `d` ×8 | nibbles at `16 + 32t`: group `t` low, `t + 4` high | bit `t` / `t + 4` of `144 + 4r + k` |
/// | Q4K | `d` ×8, `dmin` ×8, 6-bit scales and minimums as bytes | nibbles at `160 + 128j + 32t` | — |
/// | Q6K | `d` ×8, i8 scales `[16][8]` | nibbles at `144 + 192j + 32t` | 2 bits at `272 + 192j + 32(t/2)` |
///
/// In the k-quants, `j` is the 32-value sub-block and its group `t` (values `32j + 4t…`) is the
/// low nibble, group `t + 4` (values `32j + 16 + 4t…`) the high one. Q4K tiles are 3% larger than
/// the blocks they hold (its scales unpacked); the others are the same size.
struct Tile;

impl Tile {
    const fn bytes(format: Format) -> usize {
        match format {
            Format::Q8_0 => 16 + 256,
            Format::Q5_0 => 16 + 128 + 32,
            Format::Q4K => 160 + 1024,
            Format::Q6K => 144 + 1024 + 512,
        }
    }

    /// The pieces of value `i` of row `r`: `(byte, bit, width, value bit)` — bits `value bit..`
    /// of the unsigned value (see [`unpack_block`]) sit at bits `bit..bit + width` of `byte`.
    fn pieces(format: Format, i: usize, r: usize) -> [(usize, u8, u8, u8); 2] {
        let none = (usize::MAX, 0, 0, 0);
        let (j, w) = (i / 32, i % 32);
        let (t, k, high) = ((w % 16) / 4, w % 4, w >= 16);
        let lane = 4 * r + k;
        let nibble = if high { 4 } else { 0 };
        match format {
            Format::Q8_0 => [(16 + 32 * (w / 4) + lane, 0, 8, 0), none],
            Format::Q5_0 => [(16 + 32 * t + lane, nibble, 4, 0), (144 + lane, t as u8 + nibble, 1, 4)],
            Format::Q4K => [(160 + 128 * j + 32 * t + lane, nibble, 4, 0), none],
            Format::Q6K => [(144 + 192 * j + 32 * t + lane, nibble, 4, 0), (144 + 192 * j + 128 + 32 * (t / 2) + lane, (t % 2) as u8 * 4 + nibble / 2, 2, 4)],
        }
    }

    /// [`Tile::pieces`] of every value of every row, `[row][value]`, present pieces only.
    fn layout(format: Format) -> Vec<Vec<(usize, u8, u8, u8)>> {
        let bv = format.block_values();
        (0..TILE * bv).map(|ri| Self::pieces(format, ri % bv, ri / bv).into_iter().filter(|p| p.2 > 0).collect()).collect()
    }

    /// Packs the same block of 8 rows into `tile`, with `layout` from [`Tile::layout`].
    fn pack(format: Format, layout: &[Vec<(usize, u8, u8, u8)>], blocks: [&[u8]; TILE], tile: &mut [u8]) {
        tile.fill(0);
        let bv = format.block_values();
        let mut u = [0u8; 256];
        for (r, b) in blocks.iter().enumerate() {
            match format {
                Format::Q8_0 | Format::Q5_0 => tile[2 * r..2 * r + 2].copy_from_slice(&b[0..2]),
                Format::Q4K => {
                    tile[2 * r..2 * r + 2].copy_from_slice(&b[0..2]);
                    tile[16 + 2 * r..16 + 2 * r + 2].copy_from_slice(&b[2..4]);
                    let (sc, mn) = q4k_scales(&b[4..16]);
                    for j in 0..8 {
                        tile[32 + 8 * j + r] = sc[j];
                        tile[96 + 8 * j + r] = mn[j];
                    }
                }
                Format::Q6K => {
                    tile[2 * r..2 * r + 2].copy_from_slice(&b[208..210]);
                    for s in 0..16 {
                        tile[16 + 8 * s + r] = b[192 + s];
                    }
                }
            }
            unpack_block(format, b, &mut u);
            for (&v, pieces) in u[..bv].iter().zip(&layout[r * bv..(r + 1) * bv]) {
                // Q8_0 keeps its signed bytes (`u = q + 128` flips the sign bit).
                let v = if format == Format::Q8_0 { v ^ 0x80 } else { v };
                for &(byte, bit, width, from) in pieces {
                    tile[byte] |= ((v >> from) & ((1u16 << width) - 1) as u8) << bit;
                }
            }
        }
    }

    /// Row `r`'s block, as the file stores it, back out of `tile`.
    fn unpack(format: Format, tile: &[u8], r: usize, b: &mut [u8]) {
        let mut u = [0u8; 256];
        for (i, v) in u[..format.block_values()].iter_mut().enumerate() {
            for (byte, bit, width, from) in Self::pieces(format, i, r) {
                if width > 0 {
                    *v |= ((tile[byte] >> bit) & ((1u16 << width) - 1) as u8) << from;
                }
            }
            if format == Format::Q8_0 {
                *v ^= 0x80;
            }
        }
        match format {
            Format::Q8_0 => {
                b[0..2].copy_from_slice(&tile[2 * r..2 * r + 2]);
                for (q, &u) in b[2..34].iter_mut().zip(&u) {
                    *q = u ^ 0x80;
                }
            }
            Format::Q5_0 => {
                b[0..2].copy_from_slice(&tile[2 * r..2 * r + 2]);
                let mut qh = 0u32;
                for j in 0..16 {
                    b[6 + j] = (u[j] & 0x0f) | (u[j + 16] << 4);
                    qh |= ((u[j] >> 4) as u32) << j | ((u[j + 16] >> 4) as u32) << (j + 16);
                }
                b[2..6].copy_from_slice(&qh.to_le_bytes());
            }
            Format::Q4K => {
                b[0..2].copy_from_slice(&tile[2 * r..2 * r + 2]);
                b[2..4].copy_from_slice(&tile[16 + 2 * r..16 + 2 * r + 2]);
                let sc: [u8; 8] = std::array::from_fn(|j| tile[32 + 8 * j + r]);
                let mn: [u8; 8] = std::array::from_fn(|j| tile[96 + 8 * j + r]);
                for i in 0..4 {
                    b[4 + i] = sc[i] | ((sc[i + 4] >> 4) << 6);
                    b[4 + i + 4] = mn[i] | ((mn[i + 4] >> 4) << 6);
                    b[4 + i + 8] = (sc[i + 4] & 0x0f) | ((mn[i + 4] & 0x0f) << 4);
                }
                for i in 0..4 {
                    for l in 0..32 {
                        b[16 + 32 * i + l] = u[64 * i + l] | (u[64 * i + 32 + l] << 4);
                    }
                }
            }
            Format::Q6K => {
                b[208..210].copy_from_slice(&tile[2 * r..2 * r + 2]);
                for s in 0..16 {
                    b[192 + s] = tile[16 + 8 * s + r];
                }
                for n in 0..2 {
                    let u = &u[128 * n..];
                    for l in 0..32 {
                        b[64 * n + l] = (u[l] & 0x0f) | ((u[l + 64] & 0x0f) << 4);
                        b[64 * n + l + 32] = (u[l + 32] & 0x0f) | ((u[l + 96] & 0x0f) << 4);
                        b[128 + 32 * n + l] = (u[l] >> 4) | ((u[l + 32] >> 4) << 2) | ((u[l + 64] >> 4) << 4) | ((u[l + 96] >> 4) << 6);
                    }
                }
            }
        }
    }
}

impl QMatrix {
    /// The matrix from its blocks in file order.
    pub fn new(format: Format, rows: usize, cols: usize, data: Vec<u8>) -> Result<Self, String> {
        let want = Self::file_bytes(format, rows, cols)?;
        if data.len() != want {
            return Err(format!("{format:?} {rows}x{cols} needs {want} bytes, got {}", data.len()));
        }
        Self::read(format, rows, cols, &mut data.as_slice()).map_err(|e| e.to_string())
    }

    /// Bytes of the matrix in the file.
    pub fn file_bytes(format: Format, rows: usize, cols: usize) -> Result<usize, String> {
        if !cols.is_multiple_of(format.block_values()) {
            return Err(format!("{format:?} rows of {cols} values are not whole blocks of {}", format.block_values()));
        }
        Ok(rows * cols / format.block_values() * format.block_bytes())
    }

    /// Reads the matrix's blocks in file order from `reader`, tiling them 8 rows at a time so
    /// that the file's layout and the tiled one are never both in memory.
    pub fn read(format: Format, rows: usize, cols: usize, reader: &mut impl std::io::Read) -> std::io::Result<Self> {
        Self::file_bytes(format, rows, cols).map_err(std::io::Error::other)?;
        let layout = Layout::new(format, rows, cols);
        let (nb, bb, tb) = (layout.blocks, format.block_bytes(), layout.tile);
        let row_bytes = nb * bb;
        let mut data = vec![0u8; layout.bytes()];
        advise_huge_pages(&mut data);
        let pieces = Tile::layout(format);
        // Batches of 8 groups: read in order, one group packed per core at a time.
        const BATCH: usize = 8 * GROUP;
        let mut file_rows = vec![0u8; BATCH * TILE * row_bytes];
        for (batch, columns) in data.chunks_mut(BATCH * nb * tb).enumerate() {
            let present = (rows - batch * BATCH * TILE).min(BATCH * TILE);
            file_rows.fill(0);
            reader.read_exact(&mut file_rows[..present * row_bytes])?;
            columns.par_chunks_mut(GROUP * nb * tb).zip(file_rows.par_chunks(GROUP * TILE * row_bytes)).for_each(|(group, file_rows)| {
                // The group on its own is laid out as a matrix of its columns.
                let within = Layout { columns: group.len() / (nb * tb), ..layout };
                for c in 0..within.columns {
                    for b in 0..nb {
                        let blocks: [&[u8]; TILE] = std::array::from_fn(|r| &file_rows[(c * TILE + r) * row_bytes + b * bb..][..bb]);
                        let at = within.tile_at(c, b);
                        Tile::pack(format, &pieces, blocks, &mut group[at..at + tb]);
                    }
                }
            });
        }
        Ok(QMatrix { format, rows, cols, data: Tiles::Owned(data) })
    }

    /// A matrix whose tiles are `map[at]`, as [`QMatrix::tiles`] gave them to the cache.
    pub fn mapped(format: Format, rows: usize, cols: usize, map: std::sync::Arc<memmap2::Mmap>, at: std::ops::Range<usize>) -> Result<Self, String> {
        let want = Layout::new(format, rows, cols).bytes();
        if at.len() != want || at.end > map.len() {
            return Err(format!("{format:?} {rows}x{cols} needs {want} bytes of tiles, the cache holds {} at {}..{} of {}", at.len(), at.start, at.end, map.len()));
        }
        Ok(QMatrix { format, rows, cols, data: Tiles::Mapped { map, at } })
    }

    /// The tiles, as the kernels read them (what the tiled weight cache stores).
    pub fn tiles(&self) -> &[u8] {
        &self.data
    }

    /// The tiles' length for a matrix of this shape.
    pub fn tiled_bytes(format: Format, rows: usize, cols: usize) -> usize {
        Layout::new(format, rows, cols).bytes()
    }

    pub fn format(&self) -> Format {
        self.format
    }
    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn cols(&self) -> usize {
        self.cols
    }
    /// Bytes held in memory.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    fn layout(&self) -> Layout {
        Layout::new(self.format, self.rows, self.cols)
    }

    /// Block `b` of row `r` as the file stores it.
    fn block(&self, r: usize, b: usize, out: &mut [u8]) {
        let layout = self.layout();
        let at = layout.tile_at(r / TILE, b);
        Tile::unpack(self.format, &self.data[at..at + layout.tile], r % TILE, out);
    }

    /// Row `r` as f32 values (token embeddings are looked up this way).
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        assert_eq!(out.len(), self.cols);
        let mut block = [0u8; 256];
        for (b, out) in out.chunks_exact_mut(self.format.block_values()).enumerate() {
            self.block(r, b, &mut block);
            dequantize_block(self.format, &block, out);
        }
    }

    /// `out[i][j] = Σ_c x[i][c] · self[j][c]` for the `m` rows of `x`, with the fastest code this
    /// CPU runs.
    pub fn matmul(&self, x: &[f32], m: usize, out: &mut [f32]) {
        self.matmul_with(isa(), x, m, out)
    }

    /// As [`QMatrix::matmul`], on the given instruction set (tests compare them).
    pub fn matmul_with(&self, isa: Isa, x: &[f32], m: usize, out: &mut [f32]) {
        matmul_many(isa, &[self], x, m, out)
    }
}

/// `out[i] = [x[i] · W₀ᵀ | x[i] · W₁ᵀ | …]`: the products of one input with several matrices of
/// the same width (a layer's Q, K and V), in one parallel pass over their tile columns with the
/// input quantized once per activation kind.
pub fn matmul_many(isa: Isa, mats: &[&QMatrix], x: &[f32], m: usize, out: &mut [f32]) {
    let k = mats.first().map_or(0, |w| w.cols);
    assert!(mats.iter().all(|w| w.cols == k), "matmul_many: matrices of different widths");
    let total: usize = mats.iter().map(|w| w.rows).sum();
    assert_eq!(x.len(), m * k);
    assert_eq!(out.len(), m * total);
    let kinds = |small: bool| mats.iter().any(|w| matches!(w.format, Format::Q8_0 | Format::Q5_0) == small);
    let a32 = kinds(true).then(|| Activations::quantize(Format::Q8_0, x, m, k));
    let a256 = kinds(false).then(|| Activations::quantize(Format::Q4K, x, m, k));
    // A task owns a run of tile columns of one matrix: a whole group for decode, so the threads
    // meet rarely and each streams its group in order, and 2 columns for prefill, so both threads
    // get work on a 128-row matrix. Within a task, activation rows go in runs of 32 whose tiles
    // stay in cache.
    let chunk = if m == 1 { GROUP } else { 2 };
    let mut tasks = Vec::new();
    let mut offset = 0;
    for w in mats {
        let columns = w.rows.div_ceil(TILE);
        tasks.extend((0..columns).step_by(chunk).map(|c0| (*w, offset, c0..(c0 + chunk).min(columns))));
        offset += w.rows;
    }
    let out = SharedOut(out.as_mut_ptr());
    tasks.into_par_iter().for_each(|(w, offset, columns)| {
        let out = &out;
        let acts = match w.format {
            Format::Q8_0 | Format::Q5_0 => a32.as_ref(),
            Format::Q4K | Format::Q6K => a256.as_ref(),
        }
        .expect("quantized above for every format present");
        let layout = w.layout();
        let (spans, n_cols) = (layout.spans(), columns.len());
        for t0 in (0..m).step_by(32) {
            let t1 = (t0 + 32).min(m);
            let rows = t1 - t0;
            // `sums[c * rows + i - t0]`: column `c` of the task, activation row `i`. On the stack:
            // a prefill makes thousands of these per product.
            let mut sums = [[0f32; TILE]; 64];
            assert!(n_cols * rows <= sums.len(), "a task holds at most 8 columns at decode and 2 at prefill");
            for step in 0..spans * n_cols {
                // A few rows (decode) take each span across all the columns, while its
                // activations are in L1; more rows take each column's spans in turn, reusing its
                // tiles for every row.
                let (c, s) = if rows <= 4 { (step % n_cols, step / n_cols) } else { (step / spans, step % spans) };
                let (at, blocks) = layout.span_at(columns.start + c, s);
                let tiles = &w.data[at..at + blocks.len() * layout.tile];
                let mut i = t0;
                while i < t1 {
                    let take = (t1 - i).min(4);
                    let sums = &mut sums[c * rows + i - t0..][..take];
                    match take {
                        4 => tile_dot::<4>(isa, w.format, tiles, blocks.clone(), acts, i, sums),
                        3 => tile_dot::<3>(isa, w.format, tiles, blocks.clone(), acts, i, sums),
                        2 => tile_dot::<2>(isa, w.format, tiles, blocks.clone(), acts, i, sums),
                        _ => tile_dot::<1>(isa, w.format, tiles, blocks.clone(), acts, i, sums),
                    }
                    i += take;
                }
            }
            for (c, col) in columns.clone().enumerate() {
                let valid = (w.rows - col * TILE).min(TILE);
                for i in t0..t1 {
                    // SAFETY: each (activation row, output column) cell is written by the one
                    // task that owns that matrix's tile column; `valid` keeps padding rows out;
                    // the buffer outlives the parallel loop.
                    unsafe { std::ptr::copy_nonoverlapping(sums[c * rows + i - t0].as_ptr(), out.0.add(i * total + offset + col * TILE), valid) };
                }
            }
        }
    });
}

/// Asks Linux to back `buf` with 2 MiB pages where transparent huge pages are enabled on
/// request (the common `madvise` setting): a decode step streams every weight once, and with
/// 4 KiB pages that is a TLB miss every 4 KiB. Best effort: a refusal changes nothing else.
fn advise_huge_pages(buf: &mut [u8]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = buf.as_mut_ptr() as usize;
        let (from, to) = (start.next_multiple_of(HUGE), (start + buf.len()) / HUGE * HUGE);
        if to > from {
            // SAFETY: the range lies inside `buf`; MADV_HUGEPAGE changes how its pages are
            // backed, never their contents.
            unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

struct SharedOut(*mut f32);
// SAFETY: tasks write disjoint cells (see matmul_with).
unsafe impl Sync for SharedOut {}

/// The instruction sets with their own kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Vnni,
}

impl Isa {
    /// Every instruction set this CPU can run, slowest first.
    pub fn available() -> Vec<Isa> {
        #[allow(unused_mut)]
        let mut all = vec![Isa::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") && is_x86_feature_detected!("f16c");
            if avx2 {
                all.push(Isa::Avx2);
            }
            if avx2 && is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bw") && is_x86_feature_detected!("avx512vl") && is_x86_feature_detected!("avx512vnni")
            {
                all.push(Isa::Vnni);
            }
        }
        all
    }
}

/// The fastest instruction set here; `KGENT_SIMD=scalar|avx2` asks for a slower one.
pub fn isa() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(|| {
        let all = Isa::available();
        let wanted = std::env::var("KGENT_SIMD").ok().map(|s| s.to_ascii_lowercase());
        let pick = all.iter().rev().find(|i| wanted.as_deref().is_none_or(|w| format!("{i:?}").to_ascii_lowercase() == w));
        *pick.unwrap_or(all.last().expect("scalar is always available"))
    })
}

// ---------------------------------------------------------------------------------------------
// Activations

/// 32 activation values for Q8_0/Q5_0 weights: `x ≈ d · qs`, and `sum = d · Σ qs`.
#[repr(C)]
#[derive(Clone, Copy)]
struct A32 {
    d: f32,
    sum: f32,
    qs: [i8; 32],
}

/// 256 activation values for k-quant weights: `x ≈ d · qs`, with the sums of each 16 and each
/// 32 values.
#[repr(C)]
#[derive(Clone, Copy)]
struct A256 {
    d: f32,
    qs: [i8; 256],
    bsums: [i32; 16],
    sums32: [i32; 8],
}

enum Activations {
    B32 { blocks: Vec<A32>, per_row: usize },
    B256 { blocks: Vec<A256>, per_row: usize },
}

/// Rounds `x` (whole groups of 8) to `qs` with the scale that maps its largest magnitude to 127;
/// returns the scale.
fn quantize_block(x: &[f32], qs: &mut [i8]) -> f32 {
    // Both loops stay in vector registers: the maximum is taken per lane, and values round half
    // to even by adding 1.5 · 2²³ (ggml rounds the same way). `f32::max` and `f32::round` would
    // be a NaN-aware reduction and a library call per value.
    let mut lanes = [0f32; 8];
    for c in x.chunks_exact(8) {
        for (m, v) in lanes.iter_mut().zip(c) {
            let a = v.abs();
            *m = if a > *m { a } else { *m };
        }
    }
    let d = lanes.iter().fold(0f32, |a, &b| a.max(b)) / 127.0;
    let id = if d > 0.0 { 1.0 / d } else { 0.0 };
    const ROUND: f32 = 12_582_912.0;
    for (q, v) in qs.iter_mut().zip(x) {
        *q = ((v * id + ROUND) - ROUND) as i8;
    }
    d
}

impl Activations {
    fn quantize(format: Format, x: &[f32], m: usize, k: usize) -> Self {
        match format {
            Format::Q8_0 | Format::Q5_0 => {
                let per_row = k / 32;
                let mut blocks = vec![A32 { d: 0.0, sum: 0.0, qs: [0; 32] }; m * per_row];
                blocks.par_chunks_mut(per_row).zip(x.par_chunks(k)).for_each(|(row, x)| {
                    for (b, x) in row.iter_mut().zip(x.chunks_exact(32)) {
                        b.d = quantize_block(x, &mut b.qs);
                        b.sum = b.d * b.qs.iter().map(|&q| q as i32).sum::<i32>() as f32;
                    }
                });
                Activations::B32 { blocks, per_row }
            }
            Format::Q4K | Format::Q6K => {
                let per_row = k / 256;
                let mut blocks = vec![A256 { d: 0.0, qs: [0; 256], bsums: [0; 16], sums32: [0; 8] }; m * per_row];
                blocks.par_chunks_mut(per_row).zip(x.par_chunks(k)).for_each(|(row, x)| {
                    for (b, x) in row.iter_mut().zip(x.chunks_exact(256)) {
                        b.d = quantize_block(x, &mut b.qs);
                        for (s, q) in b.bsums.iter_mut().zip(b.qs.chunks_exact(16)) {
                            *s = q.iter().map(|&q| q as i32).sum();
                        }
                        for (j, s) in b.sums32.iter_mut().enumerate() {
                            *s = b.bsums[2 * j] + b.bsums[2 * j + 1];
                        }
                    }
                });
                Activations::B256 { blocks, per_row }
            }
        }
    }
}

/// Adds to `sums` the dots of `tiles` (8 rows' tiles of `blocks`) with the same blocks of
/// activation rows `first..first + R`.
fn tile_dot<const R: usize>(isa: Isa, format: Format, tiles: &[u8], blocks: std::ops::Range<usize>, acts: &Activations, first: usize, sums: &mut [[f32; TILE]]) {
    let row = |i: usize, per_row: usize| (first + i) * per_row + blocks.start..(first + i) * per_row + blocks.end;
    let res: [[f32; TILE]; R] = match acts {
        Activations::B32 { blocks: all, per_row } => {
            let x: [&[A32]; R] = std::array::from_fn(|i| &all[row(i, *per_row)]);
            match (isa, format) {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `isa` was detected on this CPU; `tiles` holds one tile per block of `x`.
                (Isa::Avx2, Format::Q8_0) => unsafe { avx2::q8_0::<R>(tiles, x) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Avx2, _) => unsafe { avx2::q5_0::<R>(tiles, x) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Vnni, Format::Q8_0) => unsafe { vnni::q8_0::<R>(tiles, x) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Vnni, _) => unsafe { vnni::q5_0::<R>(tiles, x) },
                (Isa::Scalar, _) => std::array::from_fn(|i| std::array::from_fn(|r| scalar::dot32(format, tiles, r, x[i]))),
            }
        }
        Activations::B256 { blocks: all, per_row } => {
            let x: [&[A256]; R] = std::array::from_fn(|i| &all[row(i, *per_row)]);
            match (isa, format) {
                #[cfg(target_arch = "x86_64")]
                (Isa::Avx2, Format::Q4K) => unsafe { avx2::q4k::<R>(tiles, x) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Avx2, _) => unsafe { avx2::q6k::<R>(tiles, x) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Vnni, Format::Q4K) => unsafe { vnni::q4k::<R>(tiles, x) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Vnni, _) => unsafe { vnni::q6k::<R>(tiles, x) },
                (Isa::Scalar, _) => std::array::from_fn(|i| std::array::from_fn(|r| scalar::dot256(format, tiles, r, x[i]))),
            }
        }
    };
    for (sum, res) in sums.iter_mut().zip(res) {
        for (s, r) in sum.iter_mut().zip(res) {
            *s += r;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Block layouts, shared by dequantization and the scalar dot

fn f16_at(b: &[u8], at: usize) -> f32 {
    f16::from_le_bytes([b[at], b[at + 1]]).to_f32()
}

/// Q4K's eight 6-bit scales and eight 6-bit minimums, unpacked from 12 bytes (ggml's
/// `get_scale_min_k4`).
fn q4k_scales(s: &[u8]) -> ([u8; 8], [u8; 8]) {
    let mut sc = [0u8; 8];
    let mut mn = [0u8; 8];
    for j in 0..8 {
        if j < 4 {
            sc[j] = s[j] & 63;
            mn[j] = s[j + 4] & 63;
        } else {
            sc[j] = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
            mn[j] = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
        }
    }
    (sc, mn)
}

/// The unsigned values of one block, in value order, with what to subtract from each: Q8_0 as
/// `q + 128`, Q5_0 as `q + 16`, Q6K as `q + 32`. Q4K's values are unsigned already.
fn unpack_block(format: Format, b: &[u8], u: &mut [u8]) {
    match format {
        Format::Q8_0 => {
            for (u, &q) in u.iter_mut().zip(&b[2..34]) {
                *u = (q as i8 as i16 + 128) as u8;
            }
        }
        Format::Q5_0 => {
            let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
            for j in 0..16 {
                u[j] = (b[6 + j] & 0x0f) | ((((qh >> j) & 1) << 4) as u8);
                u[j + 16] = (b[6 + j] >> 4) | ((((qh >> (j + 16)) & 1) << 4) as u8);
            }
        }
        Format::Q4K => {
            let qs = &b[16..144];
            for i in 0..4 {
                for l in 0..32 {
                    u[64 * i + l] = qs[32 * i + l] & 0x0f;
                    u[64 * i + 32 + l] = qs[32 * i + l] >> 4;
                }
            }
        }
        Format::Q6K => {
            let (ql, qh) = (&b[0..128], &b[128..192]);
            for n in 0..2 {
                let (ql, qh, u) = (&ql[64 * n..], &qh[32 * n..], &mut u[128 * n..]);
                for l in 0..32 {
                    u[l] = (ql[l] & 0x0f) | ((qh[l] & 3) << 4);
                    u[l + 32] = (ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4);
                    u[l + 64] = (ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4);
                    u[l + 96] = (ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4);
                }
            }
        }
    }
}

fn dequantize_block(format: Format, b: &[u8], out: &mut [f32]) {
    let mut u = [0u8; 256];
    let u = &mut u[..format.block_values()];
    unpack_block(format, b, u);
    match format {
        Format::Q8_0 | Format::Q5_0 => {
            let (d, offset) = (f16_at(b, 0), if format == Format::Q8_0 { 128.0 } else { 16.0 });
            for (o, &u) in out.iter_mut().zip(u.iter()) {
                *o = d * (u as f32 - offset);
            }
        }
        Format::Q4K => {
            let (d, dmin) = (f16_at(b, 0), f16_at(b, 2));
            let (sc, mn) = q4k_scales(&b[4..16]);
            for (j, (o, u)) in out.chunks_exact_mut(32).zip(u.chunks_exact(32)).enumerate() {
                for (o, &u) in o.iter_mut().zip(u) {
                    *o = d * sc[j] as f32 * u as f32 - dmin * mn[j] as f32;
                }
            }
        }
        Format::Q6K => {
            let d = f16_at(b, 208);
            for (j, (o, u)) in out.chunks_exact_mut(16).zip(u.chunks_exact(16)).enumerate() {
                let sc = b[192 + j] as i8 as f32;
                for (o, &u) in o.iter_mut().zip(u) {
                    *o = d * sc * (u as f32 - 32.0);
                }
            }
        }
    }
}

mod scalar {
    use super::*;

    /// Row `r` of `tiles` (one per block of `x`) dotted with `x`.
    pub(super) fn dot32(format: Format, tiles: &[u8], r: usize, x: &[A32]) -> f32 {
        let offset = if format == Format::Q8_0 { 128 } else { 16 };
        let mut u = [0u8; 32];
        let mut block = [0u8; 34];
        let mut acc = 0f32;
        for (x, tile) in x.iter().zip(tiles.chunks_exact(Tile::bytes(format))) {
            Tile::unpack(format, tile, r, &mut block);
            let b = &block[..];
            unpack_block(format, b, &mut u);
            let dot: i32 = u.iter().zip(&x.qs).map(|(&u, &q)| (u as i32 - offset) * q as i32).sum();
            acc += f16_at(b, 0) * x.d * dot as f32;
        }
        acc
    }

    pub(super) fn dot256(format: Format, tiles: &[u8], r: usize, x: &[A256]) -> f32 {
        let mut u = [0u8; 256];
        let mut block = [0u8; 256];
        let mut acc = 0f32;
        for (x, tile) in x.iter().zip(tiles.chunks_exact(Tile::bytes(format))) {
            Tile::unpack(format, tile, r, &mut block);
            let b = &block[..];
            unpack_block(format, b, &mut u);
            match format {
                Format::Q4K => {
                    let (sc, mn) = q4k_scales(&b[4..16]);
                    let (mut dot, mut mins) = (0i32, 0i32);
                    for j in 0..8 {
                        let s: i32 = (0..32).map(|l| u[32 * j + l] as i32 * x.qs[32 * j + l] as i32).sum();
                        dot += sc[j] as i32 * s;
                        mins += mn[j] as i32 * x.sums32[j];
                    }
                    acc += x.d * (f16_at(b, 0) * dot as f32 - f16_at(b, 2) * mins as f32);
                }
                _ => {
                    let mut dot = 0i32;
                    for j in 0..16 {
                        let s: i32 = (0..16).map(|l| (u[16 * j + l] as i32 - 32) * x.qs[16 * j + l] as i32).sum();
                        dot += b[192 + j] as i8 as i32 * s;
                    }
                    acc += x.d * f16_at(b, 208) * dot as f32;
                }
            }
        }
        acc
    }
}

// ---------------------------------------------------------------------------------------------
// SIMD kernels over tiles: one body, compiled once per instruction set. `dot_u8_i8` is the
// unsigned × signed byte dot into eight i32 lanes (one per row): `vpdpbusd` where VNNI exists,
// `vpmaddubsw` + `vpmaddwd` otherwise, whose i16 pair sums cannot saturate because the unsigned
// operand stays at or below 128.

#[cfg(target_arch = "x86_64")]
macro_rules! simd_kernels {
    ($name:ident, $features:literal, |$u:ident, $s:ident| $dot:expr) => {
        mod $name {
            use super::{Format, Tile, A256, A32, TILE};
            use std::arch::x86_64::*;

            #[target_feature(enable = $features)]
            #[inline]
            fn dot_u8_i8($u: __m256i, $s: __m256i) -> __m256i {
                $dot
            }

            #[target_feature(enable = $features)]
            #[inline]
            unsafe fn load(p: *const u8) -> __m256i {
                _mm256_loadu_si256(p as *const __m256i)
            }

            /// The 8 rows' f16 scales at `p`.
            #[target_feature(enable = $features)]
            #[inline]
            unsafe fn scales(p: *const u8) -> __m256 {
                _mm256_cvtph_ps(_mm_loadu_si128(p as *const __m128i))
            }

            /// 4 activation bytes at `p`, in every lane.
            #[target_feature(enable = $features)]
            #[inline]
            unsafe fn broadcast(p: *const i8) -> __m256i {
                _mm256_set1_epi32((p as *const i32).read_unaligned())
            }

            #[target_feature(enable = $features)]
            #[inline]
            fn rows(acc: __m256) -> [f32; TILE] {
                let mut o = [0f32; TILE];
                // SAFETY: `o` holds 8 floats.
                unsafe { _mm256_storeu_ps(o.as_mut_ptr(), acc) };
                o
            }

            /// Q8_0: signed weights, so each weight's sign moves onto the activation and its
            /// magnitude is the unsigned operand.
            #[target_feature(enable = $features)]
            pub unsafe fn q8_0<const R: usize>(tiles: &[u8], x: [&[A32]; R]) -> [[f32; TILE]; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                for b in 0..x[0].len() {
                    let tile = tiles.as_ptr().add(b * Tile::bytes(Format::Q8_0));
                    let mut dots = [_mm256_setzero_si256(); R];
                    for t in 0..8 {
                        let v = load(tile.add(16 + 32 * t));
                        let mag = _mm256_sign_epi8(v, v);
                        for r in 0..R {
                            let xs = broadcast(x[r].get_unchecked(b).qs.as_ptr().add(4 * t));
                            dots[r] = _mm256_add_epi32(dots[r], dot_u8_i8(mag, _mm256_sign_epi8(xs, v)));
                        }
                    }
                    let d = scales(tile);
                    for r in 0..R {
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots[r]), _mm256_mul_ps(d, _mm256_set1_ps(x[r].get_unchecked(b).d)), acc[r]);
                    }
                }
                std::array::from_fn(|r| rows(acc[r]))
            }

            /// Q5_0 as `q + 16`: nibbles, plus 16 where the value's high bit is set.
            #[target_feature(enable = $features)]
            pub unsafe fn q5_0<const R: usize>(tiles: &[u8], x: [&[A32]; R]) -> [[f32; TILE]; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                let (nib, bit4) = (_mm256_set1_epi8(0x0f), _mm256_set1_epi8(0x10));
                for b in 0..x[0].len() {
                    let tile = tiles.as_ptr().add(b * Tile::bytes(Format::Q5_0));
                    let high = load(tile.add(144));
                    let mut dots = [_mm256_setzero_si256(); R];
                    for t in 0..4 {
                        let v = load(tile.add(16 + 32 * t));
                        // Bit t (low group) and bit t + 4 (high group) of each byte move to bit 4.
                        let lo = _mm256_or_si256(_mm256_and_si256(v, nib), _mm256_and_si256(_mm256_sll_epi16(high, _mm_cvtsi32_si128(4 - t as i32)), bit4));
                        let hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 4), nib), _mm256_and_si256(_mm256_srl_epi16(high, _mm_cvtsi32_si128(t as i32)), bit4));
                        for r in 0..R {
                            let xs = x[r].get_unchecked(b).qs.as_ptr();
                            let p = _mm256_add_epi32(dot_u8_i8(lo, broadcast(xs.add(4 * t))), dot_u8_i8(hi, broadcast(xs.add(16 + 4 * t))));
                            dots[r] = _mm256_add_epi32(dots[r], p);
                        }
                    }
                    let d = scales(tile);
                    for r in 0..R {
                        let a = x[r].get_unchecked(b);
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots[r]), _mm256_mul_ps(d, _mm256_set1_ps(a.d)), acc[r]);
                        acc[r] = _mm256_fnmadd_ps(d, _mm256_set1_ps(16.0 * a.sum), acc[r]);
                    }
                }
                std::array::from_fn(|r| rows(acc[r]))
            }

            /// Q4K: nibbles with a 6-bit scale and minimum per 32 values and row.
            #[target_feature(enable = $features)]
            pub unsafe fn q4k<const R: usize>(tiles: &[u8], x: [&[A256]; R]) -> [[f32; TILE]; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                let nib = _mm256_set1_epi8(0x0f);
                for b in 0..x[0].len() {
                    let tile = tiles.as_ptr().add(b * Tile::bytes(Format::Q4K));
                    let mut sums = [_mm256_setzero_si256(); R];
                    let mut mins = [_mm256_setzero_si256(); R];
                    for j in 0..8 {
                        let mut dots = [_mm256_setzero_si256(); R];
                        for t in 0..4 {
                            let v = load(tile.add(160 + 128 * j + 32 * t));
                            let lo = _mm256_and_si256(v, nib);
                            let hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
                            for r in 0..R {
                                let xs = x[r].get_unchecked(b).qs.as_ptr().add(32 * j + 4 * t);
                                dots[r] = _mm256_add_epi32(dots[r], _mm256_add_epi32(dot_u8_i8(lo, broadcast(xs)), dot_u8_i8(hi, broadcast(xs.add(16)))));
                            }
                        }
                        let sc = _mm256_cvtepu8_epi32(_mm_loadl_epi64(tile.add(32 + 8 * j) as *const __m128i));
                        let mn = _mm256_cvtepu8_epi32(_mm_loadl_epi64(tile.add(96 + 8 * j) as *const __m128i));
                        for r in 0..R {
                            sums[r] = _mm256_add_epi32(sums[r], _mm256_mullo_epi32(dots[r], sc));
                            mins[r] = _mm256_add_epi32(mins[r], _mm256_mullo_epi32(mn, _mm256_set1_epi32(x[r].get_unchecked(b).sums32[j])));
                        }
                    }
                    let (d, dmin) = (scales(tile), scales(tile.add(16)));
                    for r in 0..R {
                        let dx = _mm256_set1_ps(x[r].get_unchecked(b).d);
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums[r]), _mm256_mul_ps(d, dx), acc[r]);
                        acc[r] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(mins[r]), _mm256_mul_ps(dmin, dx), acc[r]);
                    }
                }
                std::array::from_fn(|r| rows(acc[r]))
            }

            /// Q6K as `q + 32`: a nibble and two high bits, an i8 scale per 16 values and row.
            #[target_feature(enable = $features)]
            pub unsafe fn q6k<const R: usize>(tiles: &[u8], x: [&[A256]; R]) -> [[f32; TILE]; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                let (nib, bits45) = (_mm256_set1_epi8(0x0f), _mm256_set1_epi8(0x30));
                for b in 0..x[0].len() {
                    let tile = tiles.as_ptr().add(b * Tile::bytes(Format::Q6K));
                    let mut sums = [_mm256_setzero_si256(); R];
                    for j in 0..8 {
                        let mut lo_dots = [_mm256_setzero_si256(); R];
                        let mut hi_dots = [_mm256_setzero_si256(); R];
                        for t in 0..4 {
                            let v = load(tile.add(144 + 192 * j + 32 * t));
                            let h = load(tile.add(144 + 192 * j + 128 + 32 * (t / 2)));
                            // Bits 0-1 (low group) and 2-3 (high group) of an even group's byte,
                            // 4-5 and 6-7 of an odd one's, move to bits 4-5.
                            let (hlo, hhi) = if t % 2 == 0 { (_mm256_slli_epi16(h, 4), _mm256_slli_epi16(h, 2)) } else { (h, _mm256_srli_epi16(h, 2)) };
                            let lo = _mm256_or_si256(_mm256_and_si256(v, nib), _mm256_and_si256(hlo, bits45));
                            let hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 4), nib), _mm256_and_si256(hhi, bits45));
                            for r in 0..R {
                                let xs = x[r].get_unchecked(b).qs.as_ptr().add(32 * j + 4 * t);
                                lo_dots[r] = _mm256_add_epi32(lo_dots[r], dot_u8_i8(lo, broadcast(xs)));
                                hi_dots[r] = _mm256_add_epi32(hi_dots[r], dot_u8_i8(hi, broadcast(xs.add(16))));
                            }
                        }
                        let sc_lo = _mm256_cvtepi8_epi32(_mm_loadl_epi64(tile.add(16 + 16 * j) as *const __m128i));
                        let sc_hi = _mm256_cvtepi8_epi32(_mm_loadl_epi64(tile.add(24 + 16 * j) as *const __m128i));
                        for r in 0..R {
                            let a = x[r].get_unchecked(b);
                            // Σ (u − 32)·x·s = Σ u·x·s − 32·s·Σx, per 16 values.
                            let lo = _mm256_sub_epi32(lo_dots[r], _mm256_set1_epi32(32 * a.bsums[2 * j]));
                            let hi = _mm256_sub_epi32(hi_dots[r], _mm256_set1_epi32(32 * a.bsums[2 * j + 1]));
                            sums[r] = _mm256_add_epi32(sums[r], _mm256_add_epi32(_mm256_mullo_epi32(lo, sc_lo), _mm256_mullo_epi32(hi, sc_hi)));
                        }
                    }
                    let d = scales(tile);
                    for r in 0..R {
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums[r]), _mm256_mul_ps(d, _mm256_set1_ps(x[r].get_unchecked(b).d)), acc[r]);
                    }
                }
                std::array::from_fn(|r| rows(acc[r]))
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
simd_kernels!(avx2, "avx2,fma,f16c", |u, s| _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
#[cfg(target_arch = "x86_64")]
simd_kernels!(vnni, "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni", |u, s| _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s));

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Deterministic pseudo-random bytes (no dependency needed for a test generator).
    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 24) as u8
            })
            .collect()
    }

    /// A random matrix whose f16 scales are small normal numbers (random bytes there would make
    /// NaNs and infinities).
    fn matrix(format: Format, rows: usize, cols: usize, seed: u64) -> QMatrix {
        QMatrix::new(format, rows, cols, file_blocks(format, rows, cols, seed)).unwrap()
    }

    fn file_blocks(format: Format, rows: usize, cols: usize, seed: u64) -> Vec<u8> {
        let mut data = bytes(rows * cols / format.block_values() * format.block_bytes(), seed);
        let scale_at: &[usize] = match format {
            Format::Q8_0 | Format::Q5_0 => &[0],
            Format::Q4K => &[0, 2],
            Format::Q6K => &[208],
        };
        for (i, block) in data.chunks_exact_mut(format.block_bytes()).enumerate() {
            for &at in scale_at {
                let v = f16::from_f32(0.001 + (i % 7) as f32 * 0.0007);
                block[at..at + 2].copy_from_slice(&v.to_le_bytes());
            }
        }
        data
    }

    pub(in crate::llm) fn activations(n: usize, seed: u64) -> Vec<f32> {
        bytes(n, seed).iter().map(|&b| (b as f32 - 127.5) / 40.0).collect()
    }

    const FORMATS: [Format; 4] = [Format::Q8_0, Format::Q5_0, Format::Q4K, Format::Q6K];

    #[test]
    fn dequantized_rows_match_candle() {
        use candle_core::quantized::{QStorage, QTensor};
        use candle_core::Device;
        use std::borrow::Cow;
        // Within one group and span; and over several, with the last group and span partial.
        for (format, rows, cols) in FORMATS.iter().flat_map(|&f| [(f, 3, 512), (f, 16, 512), (f, 70, 2304)]) {
            let data = file_blocks(format, rows, cols, 7);
            let w = QMatrix::new(format, rows, cols, data.clone()).unwrap();
            let dtype = match format {
                Format::Q8_0 => GgmlDType::Q8_0,
                Format::Q5_0 => GgmlDType::Q5_0,
                Format::Q4K => GgmlDType::Q4K,
                Format::Q6K => GgmlDType::Q6K,
            };
            let t = QTensor::new(QStorage::from_data(Cow::Borrowed(&data), &Device::Cpu, dtype).unwrap(), (rows, cols)).unwrap();
            let want = t.dequantize(&Device::Cpu).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let mut got = vec![0f32; rows * cols];
            for r in 0..rows {
                w.dequantize_row(r, &mut got[r * cols..(r + 1) * cols]);
            }
            assert_eq!(got, want, "{format:?} {rows}x{cols}");
        }
    }

    /// Every instruction set gives the f32 product of the dequantized weights, up to the
    /// activations' 8-bit rounding, for every row count the kernels unroll.
    #[test]
    fn every_isa_matches_the_f32_product() {
        for (format, n, k) in FORMATS.iter().flat_map(|&f| [(f, 37, 768), (f, 40, 768), (f, 70, 2304)]) {
            let w = matrix(format, n, k, format as u64 + 1);
            let mut dense = vec![0f32; n * k];
            for r in 0..n {
                w.dequantize_row(r, &mut dense[r * k..(r + 1) * k]);
            }
            for m in [1, 2, 3, 4, 5, 11] {
                let x = activations(m * k, m as u64);
                let want: Vec<f32> = (0..m).flat_map(|i| (0..n).map(move |j| (i, j))).map(|(i, j)| (0..k).map(|c| x[i * k + c] * dense[j * k + c]).sum()).collect();
                let scale = want.iter().fold(0f32, |a, v| a.max(v.abs()));
                let mut reference = None;
                for isa in Isa::available() {
                    let mut got = vec![0f32; m * n];
                    w.matmul_with(isa, &x, m, &mut got);
                    for (g, e) in got.iter().zip(&want) {
                        assert!((g - e).abs() <= 0.02 * scale, "{format:?} {isa:?} m={m}: {g} vs {e} (scale {scale})");
                    }
                    // The SIMD paths compute the scalar path's integers; only float order differs.
                    match &reference {
                        None => reference = Some(got),
                        Some(r) => {
                            for (g, e) in got.iter().zip(r) {
                                assert!((g - e).abs() <= 1e-4 * scale.max(1.0), "{format:?} {isa:?} m={m}: {g} vs scalar {e}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn several_matrices_in_one_pass_equal_their_own_products() {
        let k = 512;
        let mats = [matrix(Format::Q4K, 24, k, 1), matrix(Format::Q8_0, 13, k, 2), matrix(Format::Q6K, 8, k, 3)];
        let refs: Vec<&QMatrix> = mats.iter().collect();
        let total: usize = mats.iter().map(|w| w.rows()).sum();
        for m in [1, 5] {
            let x = activations(m * k, 7);
            let mut fused = vec![f32::NAN; m * total];
            matmul_many(isa(), &refs, &x, m, &mut fused);
            let mut offset = 0;
            for w in &mats {
                let mut own = vec![0f32; m * w.rows()];
                w.matmul(&x, m, &mut own);
                for i in 0..m {
                    assert_eq!(&fused[i * total + offset..][..w.rows()], &own[i * w.rows()..][..w.rows()], "{:?} m={m}", w.format());
                }
                offset += w.rows();
            }
        }
    }

    #[test]
    fn a_wrong_size_is_an_error() {
        assert!(QMatrix::new(Format::Q4K, 2, 100, vec![0; 10]).is_err());
        assert!(QMatrix::new(Format::Q8_0, 2, 64, vec![0; 4 * 34 - 1]).is_err());
    }
}
