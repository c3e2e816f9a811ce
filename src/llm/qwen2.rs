//! Qwen2 over quantized GGUF weights, written for Kgent on candle's public API: weights by their
//! GGUF names, RoPE, RMS norms, grouped-query attention over a KV cache, SwiGLU, and the tied
//! output projection. candle-transformers' `quantized_qwen2` is the reference it is tested
//! against (a dev-dependency only: the logits test below), not code carried here.
//!
//! - **Weights stay in the file's blocks, once.** Every weight matrix in a format
//!   [`matmul`](super::matmul) multiplies (Q8_0, Q5_0, Q4K, Q6K) is read straight from the file
//!   and multiplied by [`matmul::QMatrix`] as a candle custom op, with SIMD chosen at run time.
//!   candle's own CPU path keeps a repacked second copy of most weights and runs Q5_0 — most of
//!   the 0.5B model — as scalar code. Other formats, and other devices, use candle's `QMatMul`.
//! - **The token embedding stays quantized.** candle expands it to f32 (545 MB for the 0.5B,
//!   890 MB for the 1.5B) only to look up a few rows per step; here each looked-up row is
//!   dequantized on its own, from the same table the tied output projection uses.
//! - **Attention on the CPU is [`attention::causal`]** over the KV cache's memory, without the
//!   full masked score matrix; other devices keep candle's.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use candle_core::quantized::{gguf_file, QMatMul};
use candle_core::{CpuStorage, CustomOp1, DType, Device, IndexOp, Layout, Module, Result, Shape, Storage, Tensor, D};
use candle_nn::Embedding;

use super::attention::{self, Rows};
use super::elementwise;
use super::matmul::{self, Format, QMatrix};
use super::tiles;

/// RMS normalisation by the file's weight (dequantized once), through candle-nn's fused op.
struct RmsNorm {
    weight: Tensor,
    eps: f32,
}

impl RmsNorm {
    fn from_qtensor(weight: candle_core::quantized::QTensor, eps: f64) -> Result<Self> {
        Ok(RmsNorm { weight: weight.dequantize(&weight.device())?, eps: eps as f32 })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        candle_nn::ops::rms_norm(x, &self.weight, self.eps)
    }
}

/// `(seq_len, index_pos + seq_len)`: 1 where a key lies after the query's own position (query
/// `i` sits at `index_pos + i`), for candle's attention, which masks the full score matrix.
fn causal_mask(seq_len: usize, index_pos: usize, device: &Device) -> Result<Tensor> {
    let keys = index_pos + seq_len;
    let hidden: Vec<u8> = (0..seq_len).flat_map(|i| (0..keys).map(move |j| u8::from(j > index_pos + i))).collect();
    Tensor::from_vec(hidden, (seq_len, keys), device)
}

/// Whether [`attention::causal`] runs a batch: on the CPU, one sequence at a time. It keeps
/// each row to its own positions, so only candle's attention needs a mask.
fn own_attention(device: &Device, batch: usize) -> bool {
    device.is_cpu() && batch == 1
}

/// A CPU tensor's `(1, heads, rows, d)` f32 memory as [`Rows`].
fn rows<'a>(storage: &'a Storage, layout: &Layout) -> Result<Rows<'a>> {
    let Storage::Cpu(CpuStorage::F32(data)) = storage else { candle_core::bail!("attention on the CPU takes f32 tensors in memory") };
    let &[_, head_stride, row_stride, 1] = layout.stride() else { candle_core::bail!("attention rows must be contiguous, got strides {:?}", layout.stride()) };
    Ok(Rows { data: &data[layout.start_offset()..], head_stride, row_stride })
}

/// A custom op's input as contiguous f32 values in memory, with its shape.
fn cpu_f32<'a>(op: &str, storage: &'a CpuStorage, layout: &Layout) -> Result<(&'a [f32], Vec<usize>)> {
    let CpuStorage::F32(data) = storage else { candle_core::bail!("{op} takes f32 values") };
    let Some((from, to)) = layout.contiguous_offsets() else { candle_core::bail!("{op} takes contiguous values") };
    Ok((&data[from..to], layout.dims().to_vec()))
}

/// `[x · W₀ᵀ + b₀ | x · W₁ᵀ + b₁ | …]` for an f32 `x` of shape `(…, cols)`, by our kernels: one
/// matrix, or several that read the same input (one pass over all of them).
struct OwnMatMul {
    mats: Vec<Arc<QMatrix>>,
    bias: Option<Vec<f32>>,
}

impl OwnMatMul {
    fn single(m: Arc<QMatrix>) -> Self {
        OwnMatMul { mats: vec![m], bias: None }
    }

    fn rows(&self) -> usize {
        self.mats.iter().map(|w| w.rows()).sum()
    }
}

impl CustomOp1 for OwnMatMul {
    fn name(&self) -> &'static str {
        "kgent-qmatmul"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let (x, mut dims) = cpu_f32(self.name(), storage, layout)?;
        let cols = self.mats[0].cols();
        if dims.last() != Some(&cols) {
            candle_core::bail!("kgent-qmatmul: activations of shape {dims:?} against matrices of {cols} columns");
        }
        let (m, n) = (x.len() / cols, self.rows());
        let mut out = vec![0f32; m * n];
        let mats: Vec<&QMatrix> = self.mats.iter().map(|w| w.as_ref()).collect();
        matmul::matmul_many(matmul::isa(), &mats, x, m, &mut out);
        if let Some(bias) = &self.bias {
            for row in out.chunks_exact_mut(n) {
                row.iter_mut().zip(bias).for_each(|(o, b)| *o += b);
            }
        }
        *dims.last_mut().expect("checked above") = n;
        Ok((CpuStorage::F32(out), Shape::from(dims)))
    }
}

enum Linear {
    Own(OwnMatMul),
    Candle(QMatMul),
}

impl Linear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Linear::Own(op) => x.contiguous()?.apply_op1_no_bwd(op),
            Linear::Candle(q) => q.forward(x),
        }
    }
}

/// Where a load's tiled matrices come from.
pub enum TileSource {
    /// Tiled now from the GGUF; `keep` collects them (by tensor name) for the cache.
    File { keep: Option<Vec<(String, Arc<QMatrix>)>> },
    /// Mapped from the tiled weight cache; a matrix it lacks is tiled from the GGUF (`lacked`
    /// names the first), and `read` collects them all so the cache can be written whole again.
    Cache { mapped: tiles::Mapped, read: Vec<(String, Arc<QMatrix>)>, lacked: Option<String> },
}

/// Reads a weight matrix in the file's own blocks when our kernels multiply its format on this
/// device, else `None`.
fn read_matrix<R: Read + Seek>(ct: &gguf_file::Content, reader: &mut R, name: &str, device: &Device, source: &mut TileSource) -> Result<Option<Arc<QMatrix>>> {
    let Some(info) = ct.tensor_infos.get(name) else { candle_core::bail!("cannot find tensor info for {name}") };
    let (Some(format), Device::Cpu, &[rows, cols]) = (Format::from_ggml(info.ggml_dtype), device, info.shape.dims()) else { return Ok(None) };
    if let TileSource::Cache { mapped, read, .. } = source {
        if let Some(m) = mapped.matrix(name).map(Arc::new) {
            read.push((name.to_string(), Arc::clone(&m)));
            return Ok(Some(m));
        }
    }
    reader.seek(SeekFrom::Start(ct.tensor_data_offset + info.offset))?;
    let m = QMatrix::read(format, rows, cols, reader).map(Arc::new).map_err(|e| candle_core::Error::Msg(format!("{name}: {e}")))?;
    match source {
        TileSource::File { keep: Some(keep) } => keep.push((name.to_string(), Arc::clone(&m))),
        TileSource::Cache { read, lacked, .. } => {
            read.push((name.to_string(), Arc::clone(&m)));
            lacked.get_or_insert_with(|| name.to_string());
        }
        TileSource::File { keep: None } => {}
    }
    Ok(Some(m))
}

fn linear<R: Read + Seek>(ct: &gguf_file::Content, reader: &mut R, name: &str, device: &Device, source: &mut TileSource) -> Result<Linear> {
    Ok(match read_matrix(ct, reader, name, device, source)? {
        Some(m) => Linear::Own(OwnMatMul::single(m)),
        None => Linear::Candle(QMatMul::from_qtensor(ct.tensor(reader, name, device)?)?),
    })
}

/// Projections of one input (Q, K and V; gate and up), one tensor each with its bias added.
/// Where our kernels run all of them they go in one pass: a decode step then starts a third as
/// many parallel loops, each of which must wake the other thread.
enum Projections {
    Fused { op: OwnMatMul, widths: Vec<usize> },
    Separate(Vec<(Linear, Option<Tensor>)>),
}

impl Projections {
    /// `parts` are `(weight, bias)` tensor names.
    fn load<R: Read + Seek>(ct: &gguf_file::Content, reader: &mut R, parts: &[(String, Option<String>)], device: &Device, source: &mut TileSource) -> Result<Self> {
        let mut bias = |name: &Option<String>| name.as_ref().map(|n| ct.tensor(reader, n, device)?.dequantize(device)).transpose();
        let biases = parts.iter().map(|(_, b)| bias(b)).collect::<Result<Vec<_>>>()?;
        let mut own = Vec::new();
        for (weight, _) in parts {
            match read_matrix(ct, reader, weight, device, source)? {
                Some(m) => own.push(m),
                None => break,
            }
        }
        if own.len() < parts.len() {
            // The matrices already read stay ours; only the rest are read again, for candle.
            let read = own.len();
            let mut linears: Vec<Linear> = own.into_iter().map(|m| Linear::Own(OwnMatMul::single(m))).collect();
            for (weight, _) in &parts[read..] {
                linears.push(linear(ct, reader, weight, device, source)?);
            }
            return Ok(Projections::Separate(linears.into_iter().zip(biases).collect()));
        }
        let widths = own.iter().map(|w| w.rows()).collect();
        let bias = if biases.iter().all(Option::is_none) {
            None
        } else {
            let mut all = Vec::new();
            for (b, w) in biases.iter().zip(&own) {
                match b {
                    Some(b) => all.extend(b.to_vec1::<f32>()?),
                    None => all.extend(std::iter::repeat_n(0f32, w.rows())),
                }
            }
            Some(all)
        };
        Ok(Projections::Fused { op: OwnMatMul { mats: own, bias }, widths })
    }

    fn forward(&self, x: &Tensor) -> Result<Vec<Tensor>> {
        match self {
            Projections::Fused { op, widths } => {
                let all = x.contiguous()?.apply_op1_no_bwd(op)?;
                let mut at = 0;
                widths
                    .iter()
                    .map(|&w| {
                        at += w;
                        all.narrow(D::Minus1, at - w, w)
                    })
                    .collect()
            }
            Projections::Separate(parts) => parts
                .iter()
                .map(|(l, b)| {
                    let y = l.forward(x)?;
                    match b {
                        Some(b) => y.broadcast_add(b),
                        None => Ok(y),
                    }
                })
                .collect(),
        }
    }
}

/// Token embeddings: rows dequantized on demand from the quantized table, or a dense table.
enum Embeddings {
    Quantized(Arc<QMatrix>),
    Dense(Embedding),
}

impl Embeddings {
    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        match self {
            Embeddings::Dense(e) => e.forward(ids),
            Embeddings::Quantized(table) => {
                let (b, n) = ids.dims2()?;
                let (rows, dim) = (table.rows(), table.cols());
                let mut out = vec![0f32; b * n * dim];
                for (id, row) in ids.flatten_all()?.to_vec1::<u32>()?.into_iter().zip(out.chunks_exact_mut(dim)) {
                    if id as usize >= rows {
                        candle_core::bail!("token id {id} is outside the vocabulary of {rows}");
                    }
                    table.dequantize_row(id as usize, row);
                }
                Tensor::from_vec(out, (b, n, dim), &Device::Cpu)
            }
        }
    }
}

struct Mlp {
    gate_up: Projections,
    down: Linear,
}

impl Mlp {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let act = match &self.gate_up {
            // Our kernels (the CPU) leave `[gate | up]` per row, which SwiGLU reads in one pass.
            Projections::Fused { op, widths } if widths.len() == 2 && widths[0] == widths[1] => xs.contiguous()?.apply_op1_no_bwd(op)?.apply_op1_no_bwd(&SwiGlu)?,
            _ => {
                let [gate, up] = <[Tensor; 2]>::try_from(self.gate_up.forward(xs)?).map_err(|_| candle_core::Error::Msg("gate and up projections".into()))?;
                (candle_nn::ops::silu(&gate)? * up)?
            }
        };
        self.down.forward(&act)
    }
}

/// `silu(gate) · up` over rows of `[gate | up]`, by [`elementwise::silu_mul`].
struct SwiGlu;

impl CustomOp1 for SwiGlu {
    fn name(&self) -> &'static str {
        "kgent-swiglu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let (gate_up, mut dims) = cpu_f32(self.name(), storage, layout)?;
        let Some(last) = dims.last_mut().filter(|w| **w > 0 && **w % 2 == 0) else { candle_core::bail!("kgent-swiglu takes rows of [gate | up], got shape {dims:?}") };
        *last /= 2;
        let mut out = vec![0f32; gate_up.len() / 2];
        elementwise::silu_mul(matmul::isa(), gate_up, *last, &mut out);
        Ok((CpuStorage::F32(out), Shape::from(dims)))
    }
}

struct Layer {
    qkv: Projections,
    wo: Linear,
    attention_norm: RmsNorm,
    mlp: Mlp,
    ffn_norm: RmsNorm,
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    cos: Tensor,
    sin: Tensor,
    neg_inf: Tensor,
    kv_cache: Option<KvCache>,
}

impl Layer {
    fn rotary(&self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (_b, _h, seq_len, _d) = x.dims4()?;
        let cos = self.cos.narrow(0, index_pos, seq_len)?;
        let sin = self.sin.narrow(0, index_pos, seq_len)?;
        candle_nn::rotary_emb::rope(&x.contiguous()?, &cos, &sin)
    }

    fn attention(&mut self, x: &Tensor, mask: Option<&Tensor>, index_pos: usize) -> Result<Tensor> {
        let (b, seq_len, _) = x.dims3()?;
        let [q, k, v] = <[Tensor; 3]>::try_from(self.qkv.forward(x)?).map_err(|_| candle_core::Error::Msg("q, k and v projections".into()))?;
        let heads = |t: Tensor, n: usize| t.reshape((b, seq_len, n, self.head_dim))?.transpose(1, 2)?.contiguous();
        let q = self.rotary(&heads(q, self.n_head)?, index_pos)?;
        let k = self.rotary(&heads(k, self.n_kv_head)?, index_pos)?;
        let v = heads(v, self.n_kv_head)?;
        let (k, v) = KvCache::append(&mut self.kv_cache, &k, &v, index_pos)?;
        let y = if own_attention(x.device(), b) { self.attend_on_cpu(&q, &k, &v, index_pos)? } else { self.attend(&q, &k, &v, mask)? };
        self.wo.forward(&y)
    }

    /// Causal attention by [`attention::causal`] over the cache's own memory.
    fn attend_on_cpu(&self, q: &Tensor, k: &Tensor, v: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (_b, n_head, seq, d) = q.dims4()?;
        let shape = attention::Shape { n_head, n_kv: self.n_kv_head, d, seq, first_pos: index_pos };
        let mut out = vec![0f32; seq * n_head * d];
        let ((qs, ql), (ks, kl), (vs, vl)) = (q.storage_and_layout(), k.storage_and_layout(), v.storage_and_layout());
        attention::causal(matmul::isa(), rows(&qs, ql)?, rows(&ks, kl)?, rows(&vs, vl)?, shape, &mut out);
        Tensor::from_vec(out, (1, seq, n_head * d), q.device())
    }

    /// candle's attention, for other devices: the full score matrix, masked.
    fn attend(&self, q: &Tensor, k: &Tensor, v: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        let (b, _n_head, seq_len, _d) = q.dims4()?;
        let n_embd = self.n_head * self.head_dim;
        // Grouped-query attention without copying the shared K/V heads: the query heads that
        // share a K/V head become extra rows of one product against it.
        let groups = self.n_head / self.n_kv_head;
        let kv_len = k.dim(2)?;
        let q = q.reshape((b, self.n_kv_head, groups * seq_len, self.head_dim))?;
        let att = (q.matmul(&k.t()?)? / (self.head_dim as f64).sqrt())?.reshape((b, self.n_head, seq_len, kv_len))?;
        let att = match mask {
            None => att,
            Some(mask) => {
                let mask = mask.broadcast_as(att.shape())?;
                mask.where_cond(&self.neg_inf.broadcast_as(att.shape().dims())?, &att)?
            }
        };
        let att = candle_nn::ops::softmax_last_dim(&att)?.reshape((b, self.n_kv_head, groups * seq_len, kv_len))?;
        let y = att.matmul(v)?.reshape((b, self.n_head, seq_len, self.head_dim))?;
        let y = y.transpose(1, 2)?.reshape(&[b, seq_len, n_embd])?;
        Ok(y)
    }
}

/// One layer's keys and values, `(batch, kv heads, capacity, head dim)`, valid up to `len`.
/// Positions are written in place, so a step copies only its own rows; capacity grows in steps
/// of 512 positions.
struct KvCache {
    k: Tensor,
    v: Tensor,
    len: usize,
}

impl KvCache {
    /// Writes `k` and `v` at `pos` (dropping anything cached from `pos` on) and returns the
    /// cached keys and values up to and including them.
    fn append(cache: &mut Option<KvCache>, k: &Tensor, v: &Tensor, pos: usize) -> Result<(Tensor, Tensor)> {
        let (b, heads, seq, dim) = k.dims4()?;
        let need = pos + seq;
        let capacity = cache.as_ref().map_or(0, |c| c.k.dim(2).unwrap_or(0));
        if need > capacity {
            let grown = need.next_multiple_of(512).max(2 * capacity);
            let k_all = Tensor::zeros((b, heads, grown, dim), k.dtype(), k.device())?;
            let v_all = Tensor::zeros((b, heads, grown, dim), v.dtype(), v.device())?;
            if let Some(old) = cache.as_ref().filter(|_| pos > 0) {
                k_all.slice_set(&old.k.narrow(2, 0, pos.min(old.len))?.contiguous()?, 2, 0)?;
                v_all.slice_set(&old.v.narrow(2, 0, pos.min(old.len))?.contiguous()?, 2, 0)?;
            }
            *cache = Some(KvCache { k: k_all, v: v_all, len: 0 });
        }
        let c = cache.as_mut().expect("allocated above");
        c.k.slice_set(&k.contiguous()?, 2, pos)?;
        c.v.slice_set(&v.contiguous()?, 2, pos)?;
        c.len = need;
        Ok((c.k.narrow(2, 0, need)?, c.v.narrow(2, 0, need)?))
    }
}

/// A Qwen2 model: `forward(tokens, position)` gives the last position's logits.
pub struct ModelWeights {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    norm: RmsNorm,
    output: Linear,
    masks: HashMap<(usize, usize), Tensor>,
}

fn rope_tables(head_dim: usize, freq_base: f32, context_length: usize, device: &Device) -> Result<(Tensor, Tensor)> {
    let theta: Vec<_> = (0..head_dim).step_by(2).map(|i| 1f32 / freq_base.powf(i as f32 / head_dim as f32)).collect();
    let theta = Tensor::new(theta.as_slice(), device)?;
    let idx_theta = Tensor::arange(0, context_length as u32, device)?.to_dtype(DType::F32)?.reshape((context_length, 1))?.matmul(&theta.reshape((1, theta.elem_count()))?)?;
    Ok((idx_theta.cos()?, idx_theta.sin()?))
}

impl ModelWeights {
    /// The model in `ct`, its tensors read from `reader`, its matrices tiled from there or mapped
    /// as `source` says.
    pub fn from_gguf<R: std::io::Seek + std::io::Read>(ct: gguf_file::Content, reader: &mut R, device: &Device, source: &mut TileSource) -> Result<Self> {
        let md = |s: &str| match ct.metadata.get(s) {
            None => candle_core::bail!("cannot find {s} in metadata"),
            Some(v) => Ok(v),
        };
        let head_count = md("qwen2.attention.head_count")?.to_u32()? as usize;
        let head_count_kv = md("qwen2.attention.head_count_kv")?.to_u32()? as usize;
        let embedding_length = md("qwen2.embedding_length")?.to_u32()? as usize;
        let context_length = md("qwen2.context_length")?.to_u32()? as usize;
        let block_count = md("qwen2.block_count")?.to_u32()? as usize;
        let rms_norm_eps = md("qwen2.attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let rope_freq_base = md("qwen2.rope.freq_base").and_then(|m| m.to_f32()).unwrap_or(10000f32);
        let head_dim = embedding_length / head_count;
        let neg_inf = Tensor::new(f32::NEG_INFINITY, device)?;

        let embeddings = match read_matrix(&ct, reader, "token_embd.weight", device, source)? {
            Some(table) => Embeddings::Quantized(table),
            None => Embeddings::Dense(Embedding::new(ct.tensor(reader, "token_embd.weight", device)?.dequantize(device)?, embedding_length)),
        };
        let norm = RmsNorm::from_qtensor(ct.tensor(reader, "output_norm.weight", device)?, rms_norm_eps)?;
        let output = if ct.tensor_infos.contains_key("output.weight") {
            linear(&ct, reader, "output.weight", device, source)?
        } else {
            // Tied embeddings: the output projection shares the table.
            match &embeddings {
                Embeddings::Quantized(table) => Linear::Own(OwnMatMul::single(Arc::clone(table))),
                Embeddings::Dense(_) => Linear::Candle(QMatMul::from_qtensor(ct.tensor(reader, "token_embd.weight", device)?)?),
            }
        };
        let (cos, sin) = rope_tables(head_dim, rope_freq_base, context_length, device)?;

        let mut layers = Vec::with_capacity(block_count);
        for i in 0..block_count {
            let name = |n: &str| format!("blk.{i}.{n}");
            let with_bias = |n: &str| (name(&format!("{n}.weight")), Some(name(&format!("{n}.bias"))));
            let qkv = Projections::load(&ct, reader, &[with_bias("attn_q"), with_bias("attn_k"), with_bias("attn_v")], device, source)?;
            let wo = linear(&ct, reader, &name("attn_output.weight"), device, source)?;
            let gate_up = Projections::load(&ct, reader, &[(name("ffn_gate.weight"), None), (name("ffn_up.weight"), None)], device, source)?;
            let mlp = Mlp { gate_up, down: linear(&ct, reader, &name("ffn_down.weight"), device, source)? };
            let mut t = |n: &str| ct.tensor(reader, &name(n), device);
            layers.push(Layer {
                qkv,
                wo,
                attention_norm: RmsNorm::from_qtensor(t("attn_norm.weight")?, rms_norm_eps)?,
                mlp,
                ffn_norm: RmsNorm::from_qtensor(t("ffn_norm.weight")?, rms_norm_eps)?,
                n_head: head_count,
                n_kv_head: head_count_kv,
                head_dim,
                cos: cos.clone(),
                sin: sin.clone(),
                neg_inf: neg_inf.clone(),
                kv_cache: None,
            });
        }
        Ok(ModelWeights { embeddings, layers, norm, output, masks: HashMap::new() })
    }

    /// Whether every matrix product runs on our kernels (none fell back to candle's).
    pub fn all_on_own_kernels(&self) -> bool {
        let own = |l: &Linear| matches!(l, Linear::Own(_));
        let own_all = |p: &Projections| match p {
            Projections::Fused { .. } => true,
            Projections::Separate(parts) => parts.iter().all(|(l, _)| own(l)),
        };
        matches!(self.embeddings, Embeddings::Quantized(_))
            && own(&self.output)
            && self.layers.iter().all(|l| own_all(&l.qkv) && own(&l.wo) && own_all(&l.mlp.gate_up) && own(&l.mlp.down))
    }

    fn mask(&mut self, seq_len: usize, index_pos: usize, device: &Device) -> Result<Tensor> {
        let key = (seq_len, index_pos + seq_len);
        if let Some(m) = self.masks.get(&key) {
            return Ok(m.clone());
        }
        let m = causal_mask(seq_len, index_pos, device)?;
        // Every prompt length and position makes a new mask; a long eval would keep them all.
        if self.masks.len() >= 16 {
            self.masks.clear();
        }
        self.masks.insert(key, m.clone());
        Ok(m)
    }

    pub fn clear_kv_cache(&mut self) {
        for layer in &mut self.layers {
            layer.kv_cache = None;
        }
    }

    /// The logits of the last position: `(batch, vocab)`.
    pub fn forward(&mut self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        self.forward_positions(x, index_pos, false)
    }

    /// The logits of every position, `(batch, seq, vocab)` (speculative decoding checks a
    /// draft's tokens in one pass), or of the last one only.
    pub fn forward_positions(&mut self, x: &Tensor, index_pos: usize, every: bool) -> Result<Tensor> {
        let (b, seq_len) = x.dims2()?;
        let mask = if seq_len == 1 || own_attention(x.device(), b) { None } else { Some(self.mask(seq_len, index_pos, x.device())?) };
        let mut h = self.embeddings.forward(x)?;
        for layer in &mut self.layers {
            let attn = layer.attention(&layer.attention_norm.forward(&h)?, mask.as_ref(), index_pos)?;
            let x = (attn + &h)?;
            let m = layer.mlp.forward(&layer.ffn_norm.forward(&x)?)?;
            h = (m + x)?;
        }
        let x = self.norm.forward(&h)?;
        let x = if every { x } else { x.i((.., seq_len - 1, ..))? };
        self.output.forward(&x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_transformers::models::quantized_qwen2 as reference;

    /// The whole forward pass (our matrix kernels, attention, SwiGLU, KV cache) gives the logits
    /// of candle-transformers' own `quantized_qwen2` on the tiny model: for a prompt, and for
    /// each decode step after it.
    #[test]
    fn logits_match_candle_quantized_qwen2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tiny.gguf");
        super::super::tiny::write_tiny_qwen2(&path, 3).unwrap();
        let open = || {
            let mut file = std::fs::File::open(&path).unwrap();
            let content = gguf_file::Content::read(&mut file).unwrap();
            (content, file)
        };
        let (ct, mut file) = open();
        let mut ours = ModelWeights::from_gguf(ct, &mut file, &Device::Cpu, &mut TileSource::File { keep: None }).unwrap();
        let (ct, mut file) = open();
        let mut theirs = reference::ModelWeights::from_gguf(ct, &mut file, &Device::Cpu).unwrap();

        let prompt: &[u32] = &[72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100];
        let steps: Vec<(&[u32], usize)> = vec![(prompt, 0), (&[33], prompt.len()), (&[10], prompt.len() + 1), (&[65], prompt.len() + 2)];
        for (tokens, pos) in steps {
            let input = Tensor::new(tokens, &Device::Cpu).unwrap().unsqueeze(0).unwrap();
            let got = ours.forward(&input, pos).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let want = theirs.forward(&input, pos).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            assert_eq!(got.len(), want.len());
            let scale = want.iter().fold(0f32, |a, v| a.max(v.abs()));
            let worst = got.iter().zip(&want).map(|(g, w)| (g - w).abs()).fold(0f32, f32::max);
            assert!(worst <= 1e-3 * scale, "position {pos}: logits differ by {worst} (largest logit {scale})");
        }
    }
}
