//! Causal attention on the CPU, straight over the KV cache, for prefill and decode alike.
//!
//! candle's path multiplies every query row by every cached key, masks the upper triangle after
//! the fact and keeps the whole `(heads, seq, keys)` score tensor: at a 1,500-token prompt that is
//! twice the work and 100 MB of scores per layer, and at decode a 6-row product through a general
//! GEMM. Here each task takes one K/V head and a few query rows, so a key or value row is read
//! once for all the query heads that share it, rows stop at their own position, and the scores
//! stay in cache. The loops are plain Rust compiled once per instruction set, so the compiler's
//! vectoriser emits the SIMD (see [`Isa`]).

use rayon::prelude::*;

use super::matmul::Isa;

/// Vectors of `d` values: row `p` of head `h` starts at `h * head_stride + p * row_stride`.
#[derive(Clone, Copy)]
pub struct Rows<'a> {
    pub data: &'a [f32],
    pub head_stride: usize,
    pub row_stride: usize,
}

impl<'a> Rows<'a> {
    fn row(&self, h: usize, p: usize, d: usize) -> &'a [f32] {
        let at = h * self.head_stride + p * self.row_stride;
        &self.data[at..at + d]
    }
}

/// Head counts and sizes of one attention call; query row `i` sits at position `first_pos + i`.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub n_head: usize,
    pub n_kv: usize,
    pub d: usize,
    pub seq: usize,
    pub first_pos: usize,
}

/// Query rows per task: enough to reuse each key row a few times, few enough that the task's
/// scores stay in L2 at long contexts.
const ROWS: usize = 4;

/// `out[i][h][..]` (`seq × n_head × d`) = Σ over positions `p ≤ first_pos + i` of
/// `softmax_p(q[h][i] · k[g][p] / √d) · v[g][p]`, where `g = h / (n_head / n_kv)`. `k` and `v` hold
/// at least `first_pos + seq` positions.
pub fn causal(isa: Isa, q: Rows, k: Rows, v: Rows, s: Shape, out: &mut [f32]) {
    assert!(s.n_kv > 0 && s.n_head.is_multiple_of(s.n_kv), "{s:?}");
    assert_eq!(out.len(), s.seq * s.n_head * s.d);
    let groups = s.n_head / s.n_kv;
    let tasks: Vec<(usize, usize)> = (0..s.n_kv).flat_map(|g| (0..s.seq).step_by(ROWS).map(move |i0| (g, i0))).collect();
    let blocks: Vec<Vec<f32>> = tasks.par_iter().map(|&(g, i0)| block(isa, q, k, v, &s, g, i0, (i0 + ROWS).min(s.seq))).collect();
    for (&(g, i0), acc) in tasks.iter().zip(&blocks) {
        for (r, a) in acc.chunks_exact(s.d).enumerate() {
            let (i, h) = (i0 + r / groups, g * groups + r % groups);
            out[(i * s.n_head + h) * s.d..][..s.d].copy_from_slice(a);
        }
    }
}

/// One task: query rows `i0..i1` of the query heads sharing K/V head `g`, as `(row, head)` pairs
/// in that order, `d` values each.
#[allow(clippy::too_many_arguments)]
fn block(isa: Isa, q: Rows, k: Rows, v: Rows, s: &Shape, g: usize, i0: usize, i1: usize) -> Vec<f32> {
    match isa {
        // SAFETY: `Isa::available` listed these only where the CPU has the features.
        #[cfg(target_arch = "x86_64")]
        Isa::Vnni => unsafe { avx512::block(q, k, v, s, g, i0, i1) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { avx2::block(q, k, v, s, g, i0, i1) },
        Isa::Scalar => portable::block(q, k, v, s, g, i0, i1),
    }
}

/// The task's body, compiled per instruction set. `$fma(a, b, c)` is `a · b + c`: fused where
/// the target has FMA, and a plain multiply-add where it has not (a fused `mul_add` without the
/// instruction is a slow library call).
macro_rules! attention_kernel {
    ($name:ident, $($features:literal,)? |$a:ident, $b:ident, $c:ident| $fma:expr) => {
        mod $name {
            use super::{Rows, Shape};

            const LANES: usize = 16;

            #[inline(always)]
            fn fma($a: f32, $b: f32, $c: f32) -> f32 {
                $fma
            }

            #[inline(always)]
            fn dot(x: &[f32], y: &[f32]) -> f32 {
                let mut acc = [0f32; LANES];
                for (x, y) in x.chunks_exact(LANES).zip(y.chunks_exact(LANES)) {
                    for j in 0..LANES {
                        acc[j] = fma(x[j], y[j], acc[j]);
                    }
                }
                let tail = x.len() / LANES * LANES;
                let rest: f32 = x[tail..].iter().zip(&y[tail..]).map(|(x, y)| x * y).sum();
                acc.iter().sum::<f32>() + rest
            }

            #[inline(always)]
            fn axpy(acc: &mut [f32], w: f32, x: &[f32]) {
                for (a, x) in acc.iter_mut().zip(x) {
                    *a = fma(w, *x, *a);
                }
            }

            #[inline(always)]
            fn exp(x: f32) -> f32 {
                super::super::elementwise::exp(x, fma)
            }

            /// Softmax of `row` in place.
            #[inline(always)]
            fn softmax(row: &mut [f32]) {
                let mut m = [f32::NEG_INFINITY; LANES];
                for c in row.chunks(LANES) {
                    for (m, x) in m.iter_mut().zip(c) {
                        *m = if *x > *m { *x } else { *m };
                    }
                }
                let max = m.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
                for x in row.iter_mut() {
                    *x = exp(*x - max);
                }
                let mut sum = [0f32; LANES];
                for c in row.chunks(LANES) {
                    for (s, x) in sum.iter_mut().zip(c) {
                        *s += x;
                    }
                }
                let inv = 1.0 / sum.iter().sum::<f32>();
                for x in row.iter_mut() {
                    *x *= inv;
                }
            }

            $(#[target_feature(enable = $features)])?
            pub fn block(q: Rows, k: Rows, v: Rows, s: &Shape, g: usize, i0: usize, i1: usize) -> Vec<f32> {
                let (d, groups) = (s.d, s.n_head / s.n_kv);
                let scale = 1.0 / (d as f32).sqrt();
                let keys = s.first_pos + i1;
                let rows: Vec<(usize, &[f32])> = (i0..i1).flat_map(|i| (0..groups).map(move |h| (s.first_pos + i, q.row(g * groups + h, i, d)))).collect();
                // Scores for every key up to the block's last position; a row's keys past its own
                // position are dropped below (at most ROWS - 1 of them).
                let mut scores = vec![0f32; rows.len() * keys];
                for p in 0..keys {
                    let key = k.row(g, p, d);
                    for (r, (_, query)) in rows.iter().enumerate() {
                        scores[r * keys + p] = dot(query, key) * scale;
                    }
                }
                for (r, &(pos, _)) in rows.iter().enumerate() {
                    let row = &mut scores[r * keys..(r + 1) * keys];
                    softmax(&mut row[..=pos]);
                    row[pos + 1..].fill(0.0);
                }
                let mut acc = vec![0f32; rows.len() * d];
                for p in 0..keys {
                    let value = v.row(g, p, d);
                    for (r, acc) in acc.chunks_exact_mut(d).enumerate() {
                        axpy(acc, scores[r * keys + p], value);
                    }
                }
                acc
            }
        }
    };
}

super::elementwise::per_isa!(attention_kernel);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::matmul::tests::activations as values;

    /// The textbook formula in f64, one query row and head at a time.
    fn reference(q: &[f32], k: &[f32], v: &[f32], s: Shape, cap: usize) -> Vec<f32> {
        let groups = s.n_head / s.n_kv;
        let mut out = vec![0f32; s.seq * s.n_head * s.d];
        for i in 0..s.seq {
            for h in 0..s.n_head {
                let g = h / groups;
                let qr = &q[(h * s.seq + i) * s.d..][..s.d];
                let keys = s.first_pos + i + 1;
                let scores: Vec<f64> =
                    (0..keys).map(|p| qr.iter().zip(&k[(g * cap + p) * s.d..][..s.d]).map(|(a, b)| *a as f64 * *b as f64).sum::<f64>() / (s.d as f64).sqrt()).collect();
                let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = scores.iter().map(|x| (x - max).exp()).collect();
                let sum: f64 = e.iter().sum();
                for c in 0..s.d {
                    out[(i * s.n_head + h) * s.d + c] = (0..keys).map(|p| e[p] / sum * v[(g * cap + p) * s.d + c] as f64).sum::<f64>() as f32;
                }
            }
        }
        out
    }

    #[test]
    fn every_isa_matches_the_formula() {
        // Prefill from 0, a later chunk, and single decode steps; head sizes of both models and
        // one that is not a multiple of the vector width.
        for (n_head, n_kv, d, seq, first_pos) in [(12, 2, 128, 9, 0), (14, 2, 64, 6, 5), (4, 4, 24, 1, 40), (12, 2, 128, 1, 0), (2, 1, 16, 3, 200)] {
            let s = Shape { n_head, n_kv, d, seq, first_pos };
            let cap = first_pos + seq + 3;
            let q = values(n_head * seq * d, 1);
            let (k, v) = (values(n_kv * cap * d, 2), values(n_kv * cap * d, 3));
            let want = reference(&q, &k, &v, s, cap);
            for isa in Isa::available() {
                let mut got = vec![f32::NAN; want.len()];
                let rows = |data| Rows { data, head_stride: cap * d, row_stride: d };
                causal(isa, Rows { data: &q, head_stride: seq * d, row_stride: d }, rows(&k), rows(&v), s, &mut got);
                for (j, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert!((g - w).abs() <= 1e-4 * (1.0 + w.abs()), "{isa:?} {s:?} at {j}: {g} vs {w}");
                }
            }
        }
    }

    #[test]
    fn large_scores_do_not_overflow() {
        let s = Shape { n_head: 1, n_kv: 1, d: 16, seq: 2, first_pos: 0 };
        let q = vec![30f32; 2 * 16];
        let k = [vec![30f32; 16], vec![-30f32; 16]].concat();
        let v = [vec![1f32; 16], vec![2f32; 16]].concat();
        for isa in Isa::available() {
            let mut out = vec![0f32; 2 * 16];
            let rows = |data| Rows { data, head_stride: 0, row_stride: 16 };
            causal(isa, rows(&q), rows(&k), rows(&v), s, &mut out);
            // Row 0 sees only key 0; row 1's second score is e^-7200 below its first.
            assert!(out.iter().all(|x| (x - 1.0).abs() < 1e-6), "{isa:?}: {out:?}");
        }
    }
}
