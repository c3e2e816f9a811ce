//! Quantized weights × f32 activations on the CPU, over the GGUF file's own blocks.
//!
//! candle's CPU matmul keeps a second, repacked copy of every Q4K/Q6K/Q8_0 weight beside the
//! original (about twice the file in memory), and it runs Q5_0 — most of the 0.5B model — as
//! scalar code unless the whole build targets the build machine's CPU. This module keeps one copy
//! of each weight, in the file's layout, and picks its SIMD code at run time:
//!
//! - the activations are quantized to 8 bits per row, the way llama.cpp does it: 32-value blocks
//!   for Q8_0/Q5_0 weights, 256-value blocks with 16-value sums for the k-quants;
//! - each weight block is unpacked once into unsigned bytes and multiplied with up to four
//!   activation rows (prefill reuses it; decode reads each weight byte once);
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

/// A `rows × cols` weight matrix (one row per output), in its GGUF blocks — or, for Q4K with a
/// multiple of 8 rows, in tiles of 8 rows (see [`q4k_tile`]), which cost 3% more bytes and let
/// one instruction advance 8 outputs.
pub struct QMatrix {
    format: Format,
    rows: usize,
    cols: usize,
    tiled: bool,
    data: Vec<u8>,
}

/// Rows per tile.
const TILE: usize = 8;
/// Bytes of one Q4K tile: 8 f16 `d`, 8 f16 `dmin`, 8×8 scales, 8×8 minimums, 8×128 nibbles.
const Q4K_TILE: usize = 16 + 16 + 64 + 64 + 1024;

impl QMatrix {
    /// The matrix from its blocks in file order.
    pub fn new(format: Format, rows: usize, cols: usize, data: Vec<u8>) -> Result<Self, String> {
        let want = Self::file_bytes(format, rows, cols)?;
        if data.len() != want {
            return Err(format!("{format:?} {rows}x{cols} needs {want} bytes, got {}", data.len()));
        }
        if !Self::tiles(format, rows) {
            return Ok(QMatrix { format, rows, cols, tiled: false, data });
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

    fn tiles(format: Format, rows: usize) -> bool {
        format == Format::Q4K && rows.is_multiple_of(TILE)
    }

    /// Reads the matrix's blocks in file order from `reader`, tiling them 8 rows at a time so
    /// that the file's layout and the tiled one are never both in memory.
    pub fn read(format: Format, rows: usize, cols: usize, reader: &mut impl std::io::Read) -> std::io::Result<Self> {
        let row_bytes = Self::file_bytes(format, rows, cols).map_err(std::io::Error::other)? / rows.max(1);
        if !Self::tiles(format, rows) {
            let mut data = vec![0u8; rows * row_bytes];
            reader.read_exact(&mut data)?;
            return Ok(QMatrix { format, rows, cols, tiled: false, data });
        }
        let nb = cols / format.block_values();
        let mut data = vec![0u8; rows / TILE * nb * Q4K_TILE];
        let mut group = vec![0u8; TILE * row_bytes];
        for tiles in data.chunks_exact_mut(nb * Q4K_TILE) {
            reader.read_exact(&mut group)?;
            for (b, tile) in tiles.chunks_exact_mut(Q4K_TILE).enumerate() {
                let blocks: [&[u8]; TILE] = std::array::from_fn(|r| &group[r * row_bytes + b * 144..r * row_bytes + (b + 1) * 144]);
                q4k_tile(blocks, tile);
            }
        }
        Ok(QMatrix { format, rows, cols, tiled: true, data })
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

    fn blocks_per_row(&self) -> usize {
        self.cols / self.format.block_values()
    }

    /// Row `r`'s bytes, in a matrix that is not tiled.
    fn row(&self, r: usize) -> &[u8] {
        let n = self.blocks_per_row() * self.format.block_bytes();
        &self.data[r * n..(r + 1) * n]
    }

    /// The 8 rows' tiles from row `8c`, in a tiled matrix.
    fn tile_column(&self, c: usize) -> &[u8] {
        let n = self.blocks_per_row() * Q4K_TILE;
        &self.data[c * n..(c + 1) * n]
    }

    /// Block `b` of row `r` as the file stores it.
    fn block(&self, r: usize, b: usize, out: &mut [u8]) {
        let bb = self.format.block_bytes();
        if self.tiled {
            q4k_untile(&self.tile_column(r / TILE)[b * Q4K_TILE..(b + 1) * Q4K_TILE], r % TILE, &mut out[..bb]);
        } else {
            out[..bb].copy_from_slice(&self.row(r)[b * bb..(b + 1) * bb]);
        }
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
        assert_eq!(x.len(), m * self.cols);
        assert_eq!(out.len(), m * self.rows);
        let acts = Activations::quantize(self.format, x, m, self.cols);
        let n = self.rows;
        let out = SharedOut(out.as_mut_ptr());
        // A task owns a run of output rows: long enough runs for decode that the threads meet
        // rarely, short ones for prefill so both threads get work on a 128-row matrix. Within a
        // task, activation rows go in tiles whose weights stay in cache.
        let chunk = if m == 1 { 64 } else { 16 };
        let tile = 32;
        (0..n.div_ceil(chunk)).into_par_iter().for_each(|c| {
            let out = &out;
            let rows = c * chunk..((c + 1) * chunk).min(n);
            for t0 in (0..m).step_by(tile) {
                let t1 = (t0 + tile).min(m);
                if self.tiled && isa != Isa::Scalar {
                    for col in rows.clone().step_by(TILE) {
                        let w = self.tile_column(col / TILE);
                        let mut i = t0;
                        while i < t1 {
                            let take = (t1 - i).min(4);
                            let mut dots = [[0f32; TILE]; 4];
                            match take {
                                4 => tile_dot::<4>(isa, w, &acts, i, &mut dots),
                                3 => tile_dot::<3>(isa, w, &acts, i, &mut dots),
                                2 => tile_dot::<2>(isa, w, &acts, i, &mut dots),
                                _ => tile_dot::<1>(isa, w, &acts, i, &mut dots),
                            }
                            for (k, d) in dots[..take].iter().enumerate() {
                                // SAFETY: as below, for the 8 cells of this tile column.
                                unsafe { std::ptr::copy_nonoverlapping(d.as_ptr(), out.0.add((i + k) * n + col), TILE) };
                            }
                            i += take;
                        }
                    }
                    continue;
                }
                for r in rows.clone() {
                    let mut i = t0;
                    while i < t1 {
                        let take = (t1 - i).min(4);
                        let mut dots = [0f32; 4];
                        match take {
                            4 => dot::<4>(isa, self, r, &acts, i, &mut dots),
                            3 => dot::<3>(isa, self, r, &acts, i, &mut dots),
                            2 => dot::<2>(isa, self, r, &acts, i, &mut dots),
                            _ => dot::<1>(isa, self, r, &acts, i, &mut dots),
                        }
                        for (k, d) in dots[..take].iter().enumerate() {
                            // SAFETY: each (activation row, weight row) cell is written by the one
                            // task that owns the weight row; the buffer outlives the parallel loop.
                            unsafe { *out.0.add((i + k) * n + r) = *d };
                        }
                        i += take;
                    }
                }
            }
        });
    }
}

/// Packs the same Q4K block of 8 rows into one tile: each row's `d` and `dmin`, then its eight
/// scales and minimums unpacked to bytes (`[sub-block][row]`), then the values, so that 32 bytes
/// hold 4 consecutive values of each of the 8 rows in their low nibbles and the 4 values 16
/// further on in their high nibbles: byte `160 + 128j + 32t + 4r + b` holds row `r`'s values
/// `32j + 4t + b` (low) and `32j + 16 + 4t + b` (high).
fn q4k_tile(blocks: [&[u8]; TILE], tile: &mut [u8]) {
    let mut u = [0u8; 256];
    for (r, b) in blocks.iter().enumerate() {
        tile[2 * r..2 * r + 2].copy_from_slice(&b[0..2]);
        tile[16 + 2 * r..16 + 2 * r + 2].copy_from_slice(&b[2..4]);
        let (sc, mn) = q4k_scales(&b[4..16]);
        for j in 0..8 {
            tile[32 + 8 * j + r] = sc[j];
            tile[96 + 8 * j + r] = mn[j];
        }
        unpack_block(Format::Q4K, b, &mut u);
        for j in 0..8 {
            for t in 0..4 {
                for k in 0..4 {
                    tile[160 + 128 * j + 32 * t + 4 * r + k] = u[32 * j + 4 * t + k] | (u[32 * j + 16 + 4 * t + k] << 4);
                }
            }
        }
    }
}

/// Row `r`'s block, as the file stores it, back out of a tile.
fn q4k_untile(tile: &[u8], r: usize, b: &mut [u8]) {
    b[0..2].copy_from_slice(&tile[2 * r..2 * r + 2]);
    b[2..4].copy_from_slice(&tile[16 + 2 * r..16 + 2 * r + 2]);
    let sc: [u8; 8] = std::array::from_fn(|j| tile[32 + 8 * j + r]);
    let mn: [u8; 8] = std::array::from_fn(|j| tile[96 + 8 * j + r]);
    for i in 0..4 {
        b[4 + i] = sc[i] | ((sc[i + 4] >> 4) << 6);
        b[4 + i + 4] = mn[i] | ((mn[i + 4] >> 4) << 6);
        b[4 + i + 8] = (sc[i + 4] & 0x0f) | ((mn[i + 4] & 0x0f) << 4);
    }
    let mut u = [0u8; 256];
    for j in 0..8 {
        for t in 0..4 {
            for k in 0..4 {
                let v = tile[160 + 128 * j + 32 * t + 4 * r + k];
                u[32 * j + 4 * t + k] = v & 0x0f;
                u[32 * j + 16 + 4 * t + k] = v >> 4;
            }
        }
    }
    for i in 0..4 {
        for l in 0..32 {
            b[16 + 32 * i + l] = u[64 * i + l] | (u[64 * i + 32 + l] << 4);
        }
    }
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

/// 256 activation values for k-quant weights: `x ≈ d · qs`, with the sum of each 16 values.
#[repr(C)]
#[derive(Clone, Copy)]
struct A256 {
    d: f32,
    qs: [i8; 256],
    bsums: [i16; 16],
    sums32: [i32; 8],
}

enum Activations {
    B32 { blocks: Vec<A32>, per_row: usize },
    B256 { blocks: Vec<A256>, per_row: usize },
}

/// Rounds `x` to `qs` with the scale that maps its largest magnitude to 127; returns the scale.
fn quantize_block(x: &[f32], qs: &mut [i8]) -> f32 {
    let amax = x.iter().fold(0f32, |a, v| a.max(v.abs()));
    let d = amax / 127.0;
    let id = if d > 0.0 { 1.0 / d } else { 0.0 };
    for (q, v) in qs.iter_mut().zip(x) {
        *q = (v * id).round() as i8;
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
                            *s = q.iter().map(|&q| q as i16).sum();
                        }
                        for (j, s) in b.sums32.iter_mut().enumerate() {
                            *s = b.bsums[2 * j] as i32 + b.bsums[2 * j + 1] as i32;
                        }
                    }
                });
                Activations::B256 { blocks, per_row }
            }
        }
    }
}

/// Dots row `r` of `w` (not tiled) with activation rows `first..first + R`, into `out[..R]`.
fn dot<const R: usize>(isa: Isa, w: &QMatrix, r: usize, acts: &Activations, first: usize, out: &mut [f32; 4]) {
    let format = w.format;
    match acts {
        Activations::B32 { blocks, per_row } => {
            let rows: [&[A32]; R] = std::array::from_fn(|i| &blocks[(first + i) * per_row..(first + i + 1) * per_row]);
            let res: [f32; R] = match (isa, format) {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `isa` was detected on this CPU; rows hold `per_row` blocks, as does `w`.
                (Isa::Avx2, Format::Q8_0) => unsafe { avx2::q8_0::<R>(w.row(r), rows) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Avx2, _) => unsafe { avx2::q5_0::<R>(w.row(r), rows) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Vnni, Format::Q8_0) => unsafe { vnni::q8_0::<R>(w.row(r), rows) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Vnni, _) => unsafe { vnni::q5_0::<R>(w.row(r), rows) },
                (Isa::Scalar, _) => std::array::from_fn(|i| scalar::dot32(w, r, rows[i])),
            };
            out[..R].copy_from_slice(&res);
        }
        Activations::B256 { blocks, per_row } => {
            let rows: [&[A256]; R] = std::array::from_fn(|i| &blocks[(first + i) * per_row..(first + i + 1) * per_row]);
            let res: [f32; R] = match (isa, format) {
                #[cfg(target_arch = "x86_64")]
                (Isa::Avx2, Format::Q4K) => unsafe { avx2::q4k::<R>(w.row(r), rows) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Avx2, _) => unsafe { avx2::q6k::<R>(w.row(r), rows) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Vnni, Format::Q4K) => unsafe { vnni::q4k::<R>(w.row(r), rows) },
                #[cfg(target_arch = "x86_64")]
                (Isa::Vnni, _) => unsafe { vnni::q6k::<R>(w.row(r), rows) },
                (Isa::Scalar, _) => std::array::from_fn(|i| scalar::dot256(w, r, rows[i])),
            };
            out[..R].copy_from_slice(&res);
        }
    }
}

/// Dots a Q4K tile column (8 rows) with activation rows `first..first + R`.
fn tile_dot<const R: usize>(isa: Isa, tiles: &[u8], acts: &Activations, first: usize, out: &mut [[f32; TILE]; 4]) {
    let Activations::B256 { blocks, per_row } = acts else { unreachable!("Q4K tiles take 256-value activation blocks") };
    let rows: [&[A256]; R] = std::array::from_fn(|i| &blocks[(first + i) * per_row..(first + i + 1) * per_row]);
    let res: [[f32; TILE]; R] = match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `isa` was detected on this CPU; `tiles` holds `per_row` tiles.
        Isa::Avx2 => unsafe { avx2::q4k_tiles::<R>(tiles, rows) },
        #[cfg(target_arch = "x86_64")]
        Isa::Vnni => unsafe { vnni::q4k_tiles::<R>(tiles, rows) },
        Isa::Scalar => unreachable!("the scalar path reads tiles block by block"),
    };
    out[..R].copy_from_slice(&res);
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

    pub(super) fn dot32(w: &QMatrix, r: usize, x: &[A32]) -> f32 {
        let format = w.format;
        let offset = if format == Format::Q8_0 { 128 } else { 16 };
        let mut u = [0u8; 32];
        let mut block = [0u8; 34];
        let mut acc = 0f32;
        for (i, x) in x.iter().enumerate() {
            w.block(r, i, &mut block);
            let b = &block[..];
            unpack_block(format, b, &mut u);
            let dot: i32 = u.iter().zip(&x.qs).map(|(&u, &q)| (u as i32 - offset) * q as i32).sum();
            acc += f16_at(b, 0) * x.d * dot as f32;
        }
        acc
    }

    pub(super) fn dot256(w: &QMatrix, r: usize, x: &[A256]) -> f32 {
        let format = w.format;
        let mut u = [0u8; 256];
        let mut block = [0u8; 256];
        let mut acc = 0f32;
        for (i, x) in x.iter().enumerate() {
            w.block(r, i, &mut block);
            let b = &block[..];
            unpack_block(format, b, &mut u);
            match format {
                Format::Q4K => {
                    let (sc, mn) = q4k_scales(&b[4..16]);
                    let (mut dot, mut mins) = (0i32, 0i32);
                    for j in 0..8 {
                        let s: i32 = (0..32).map(|l| u[32 * j + l] as i32 * x.qs[32 * j + l] as i32).sum();
                        dot += sc[j] as i32 * s;
                        mins += mn[j] as i32 * (x.bsums[2 * j] as i32 + x.bsums[2 * j + 1] as i32);
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
// SIMD kernels: one body, compiled once per instruction set. `$dot` is the unsigned × signed
// byte dot into eight i32 lanes: `vpdpbusd` where VNNI exists, `vpmaddubsw` + `vpmaddwd`
// otherwise (its i16 pair sums cannot saturate: unsigned values stay below 128).

#[cfg(target_arch = "x86_64")]
macro_rules! simd_kernels {
    ($name:ident, $features:literal, |$u:ident, $s:ident| $dot:expr) => {
        mod $name {
            use super::{A256, A32};
            use std::arch::x86_64::*;

            #[target_feature(enable = $features)]
            #[inline]
            fn dot_u8_i8($u: __m256i, $s: __m256i) -> __m256i {
                $dot
            }

            #[target_feature(enable = $features)]
            #[inline]
            fn hsum(v: __m256) -> f32 {
                let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
                let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
                _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)))
            }

            #[target_feature(enable = $features)]
            #[inline]
            unsafe fn f16_at(p: *const u8) -> f32 {
                _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128((p as *const u16).read_unaligned() as i32)))
            }

            #[target_feature(enable = $features)]
            #[inline]
            unsafe fn load(p: *const u8) -> __m256i {
                _mm256_loadu_si256(p as *const __m256i)
            }

            /// Q8_0 weights: the sign of each weight moves onto the activation so the weight's
            /// magnitude is the unsigned operand (|-128| = 128 still fits a u8).
            #[target_feature(enable = $features)]
            pub unsafe fn q8_0<const R: usize>(w: &[u8], x: [&[A32]; R]) -> [f32; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                let w = w.as_ptr();
                for b in 0..x[0].len() {
                    let blk = w.add(b * 34);
                    let dw = f16_at(blk);
                    let q = load(blk.add(2));
                    let mag = _mm256_sign_epi8(q, q);
                    for r in 0..R {
                        let a = x[r].get_unchecked(b);
                        let s = _mm256_sign_epi8(load(a.qs.as_ptr() as *const u8), q);
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8_i8(mag, s)), _mm256_set1_ps(dw * a.d), acc[r]);
                    }
                }
                std::array::from_fn(|r| hsum(acc[r]))
            }

            /// Q5_0 weights as `q + 16` (0..31): low nibbles, plus 16 where the block's high-bit
            /// word has the value's bit set.
            #[target_feature(enable = $features)]
            pub unsafe fn q5_0<const R: usize>(w: &[u8], x: [&[A32]; R]) -> [f32; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                let mut offsets = [0f32; R];
                let w = w.as_ptr();
                let spread = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
                let bit = _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe);
                let nib = _mm256_set1_epi8(0x0f);
                let sixteen = _mm256_set1_epi8(0x10);
                for b in 0..x[0].len() {
                    let blk = w.add(b * 22);
                    let dw = f16_at(blk);
                    let qh = (blk.add(2) as *const i32).read_unaligned();
                    let qs = _mm_loadu_si128(blk.add(6) as *const __m128i);
                    let lo = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(qs, 4), qs), nib);
                    // Byte i is 0xff where bit i of qh is set.
                    let set = _mm256_cmpeq_epi8(_mm256_or_si256(_mm256_shuffle_epi8(_mm256_set1_epi32(qh), spread), bit), _mm256_set1_epi8(-1));
                    let u = _mm256_or_si256(lo, _mm256_and_si256(set, sixteen));
                    for r in 0..R {
                        let a = x[r].get_unchecked(b);
                        let p = dot_u8_i8(u, load(a.qs.as_ptr() as *const u8));
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(dw * a.d), acc[r]);
                        offsets[r] += dw * a.sum;
                    }
                }
                std::array::from_fn(|r| hsum(acc[r]) - 16.0 * offsets[r])
            }

            /// Q4K: eight 32-value sub-blocks of nibbles, each with a 6-bit scale and minimum.
            /// The scale multiplies the i16 pair sums (`vpmaddwd`), so one i32 sum per block.
            #[target_feature(enable = $features)]
            pub unsafe fn q4k<const R: usize>(w: &[u8], x: [&[A256]; R]) -> [f32; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                let mut mins = [0f32; R];
                let w = w.as_ptr();
                let nib = _mm256_set1_epi8(0x0f);
                for b in 0..x[0].len() {
                    let blk = w.add(b * 144);
                    let (d, dmin) = (f16_at(blk), f16_at(blk.add(2)));
                    let (sc, mn) = super::q4k_scales(std::slice::from_raw_parts(blk.add(4), 12));
                    let mut sums = [_mm256_setzero_si256(); R];
                    for i in 0..4 {
                        let q = load(blk.add(16 + 32 * i));
                        let lo = _mm256_and_si256(q, nib);
                        let hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), nib);
                        let (slo, shi) = (_mm256_set1_epi16(sc[2 * i] as i16), _mm256_set1_epi16(sc[2 * i + 1] as i16));
                        for r in 0..R {
                            let xs = x[r].get_unchecked(b).qs.as_ptr() as *const u8;
                            let p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, load(xs.add(64 * i))), slo);
                            let p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, load(xs.add(64 * i + 32))), shi);
                            sums[r] = _mm256_add_epi32(sums[r], _mm256_add_epi32(p0, p1));
                        }
                    }
                    for r in 0..R {
                        let a = x[r].get_unchecked(b);
                        let m: i32 = (0..8).map(|j| mn[j] as i32 * (a.bsums[2 * j] as i32 + a.bsums[2 * j + 1] as i32)).sum();
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums[r]), _mm256_set1_ps(d * a.d), acc[r]);
                        mins[r] += dmin * a.d * m as f32;
                    }
                }
                std::array::from_fn(|r| hsum(acc[r]) - mins[r])
            }

            /// Q6K: values as `q + 32` from a low nibble and two high bits, an i8 scale per 16.
            #[target_feature(enable = $features)]
            pub unsafe fn q6k<const R: usize>(w: &[u8], x: [&[A256]; R]) -> [f32; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                let mut offsets = [0f32; R];
                let w = w.as_ptr();
                let nib = _mm256_set1_epi8(0x0f);
                for b in 0..x[0].len() {
                    let blk = w.add(b * 210);
                    let d = f16_at(blk.add(208));
                    let sc = std::slice::from_raw_parts(blk.add(192) as *const i8, 16);
                    let mut sums = [_mm256_setzero_si256(); R];
                    for n in 0..2 {
                        let qa = load(blk.add(64 * n));
                        let qb = load(blk.add(64 * n + 32));
                        let h = load(blk.add(128 + 32 * n));
                        let u = [
                            _mm256_or_si256(_mm256_and_si256(qa, nib), _mm256_slli_epi16(_mm256_and_si256(h, _mm256_set1_epi8(0x03)), 4)),
                            _mm256_or_si256(_mm256_and_si256(qb, nib), _mm256_slli_epi16(_mm256_and_si256(h, _mm256_set1_epi8(0x0c)), 2)),
                            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(qa, 4), nib), _mm256_and_si256(h, _mm256_set1_epi8(0x30))),
                            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(qb, 4), nib), _mm256_srli_epi16(_mm256_and_si256(h, _mm256_set1_epi8(0xc0u8 as i8)), 2)),
                        ];
                        for c in 0..4 {
                            let s = _mm256_set_m128i(_mm_set1_epi16(sc[8 * n + 2 * c + 1] as i16), _mm_set1_epi16(sc[8 * n + 2 * c] as i16));
                            for r in 0..R {
                                let xs = x[r].get_unchecked(b).qs.as_ptr() as *const u8;
                                let p = _mm256_madd_epi16(_mm256_maddubs_epi16(u[c], load(xs.add(128 * n + 32 * c))), s);
                                sums[r] = _mm256_add_epi32(sums[r], p);
                            }
                        }
                    }
                    for r in 0..R {
                        let a = x[r].get_unchecked(b);
                        let o: i32 = (0..16).map(|j| sc[j] as i32 * a.bsums[j] as i32).sum();
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums[r]), _mm256_set1_ps(d * a.d), acc[r]);
                        offsets[r] += d * a.d * o as f32;
                    }
                }
                std::array::from_fn(|r| hsum(acc[r]) - 32.0 * offsets[r])
            }
            /// A Q4K tile column: 8 rows side by side, so each `dot_u8_i8` takes 4 values of
            /// all 8 rows against 4 activation values broadcast, and the per-row scales and
            /// minimums apply as vectors.
            #[target_feature(enable = $features)]
            pub unsafe fn q4k_tiles<const R: usize>(tiles: &[u8], x: [&[A256]; R]) -> [[f32; 8]; R] {
                let mut acc = [_mm256_setzero_ps(); R];
                let w = tiles.as_ptr();
                let nib = _mm256_set1_epi8(0x0f);
                for b in 0..x[0].len() {
                    let tile = w.add(b * super::Q4K_TILE);
                    let d = _mm256_cvtph_ps(_mm_loadu_si128(tile as *const __m128i));
                    let dmin = _mm256_cvtph_ps(_mm_loadu_si128(tile.add(16) as *const __m128i));
                    let mut sums = [_mm256_setzero_si256(); R];
                    let mut mins = [_mm256_setzero_si256(); R];
                    for j in 0..8 {
                        let sc = _mm256_cvtepu8_epi32(_mm_loadl_epi64(tile.add(32 + 8 * j) as *const __m128i));
                        let mn = _mm256_cvtepu8_epi32(_mm_loadl_epi64(tile.add(96 + 8 * j) as *const __m128i));
                        let mut dots = [_mm256_setzero_si256(); R];
                        for t in 0..4 {
                            let v = load(tile.add(160 + 128 * j + 32 * t));
                            let lo = _mm256_and_si256(v, nib);
                            let hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
                            for r in 0..R {
                                let xs = x[r].get_unchecked(b).qs.as_ptr().add(32 * j + 4 * t);
                                let xlo = _mm256_set1_epi32((xs as *const i32).read_unaligned());
                                let xhi = _mm256_set1_epi32((xs.add(16) as *const i32).read_unaligned());
                                dots[r] = _mm256_add_epi32(dots[r], _mm256_add_epi32(dot_u8_i8(lo, xlo), dot_u8_i8(hi, xhi)));
                            }
                        }
                        for r in 0..R {
                            sums[r] = _mm256_add_epi32(sums[r], _mm256_mullo_epi32(dots[r], sc));
                            mins[r] = _mm256_add_epi32(mins[r], _mm256_mullo_epi32(mn, _mm256_set1_epi32(x[r].get_unchecked(b).sums32[j])));
                        }
                    }
                    for r in 0..R {
                        let dx = _mm256_set1_ps(x[r].get_unchecked(b).d);
                        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums[r]), _mm256_mul_ps(d, dx), acc[r]);
                        acc[r] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(mins[r]), _mm256_mul_ps(dmin, dx), acc[r]);
                    }
                }
                std::array::from_fn(|r| {
                    let mut o = [0f32; 8];
                    _mm256_storeu_ps(o.as_mut_ptr(), acc[r]);
                    o
                })
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
simd_kernels!(avx2, "avx2,fma,f16c", |u, s| _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
#[cfg(target_arch = "x86_64")]
simd_kernels!(vnni, "avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni", |u, s| _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s));

#[cfg(test)]
mod tests {
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

    fn activations(n: usize, seed: u64) -> Vec<f32> {
        bytes(n, seed).iter().map(|&b| (b as f32 - 127.5) / 40.0).collect()
    }

    const FORMATS: [Format; 4] = [Format::Q8_0, Format::Q5_0, Format::Q4K, Format::Q6K];

    #[test]
    fn dequantized_rows_match_candle() {
        use candle_core::quantized::{QStorage, QTensor};
        use candle_core::Device;
        use std::borrow::Cow;
        for (format, rows) in FORMATS.iter().flat_map(|&f| [(f, 3), (f, 16)]) {
            let cols = 512;
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
            assert_eq!(got, want, "{format:?} {rows} rows");
        }
    }

    /// Every instruction set gives the f32 product of the dequantized weights, up to the
    /// activations' 8-bit rounding, for every row count the kernels unroll.
    #[test]
    fn every_isa_matches_the_f32_product() {
        for (format, n) in FORMATS.iter().flat_map(|&f| [(f, 37), (f, 40)]) {
            let k = 768;
            let w = matrix(format, n, k, format as u64 + 1);
            assert_eq!(w.tiled, format == Format::Q4K && n == 40);
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
    fn a_wrong_size_is_an_error() {
        assert!(QMatrix::new(Format::Q4K, 2, 100, vec![0; 10]).is_err());
        assert!(QMatrix::new(Format::Q8_0, 2, 64, vec![0; 4 * 34 - 1]).is_err());
    }
}
