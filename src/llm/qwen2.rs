//! Qwen2 over quantized GGUF weights: candle-transformers' `quantized_qwen2` (Apache-2.0 / MIT),
//! carried here with two changes that candle's kernels need on a CPU without a native build:
//!
//! - **Q5_0 becomes Q8_0 at load, exactly.** A Q5_0 block holds 32 five-bit values `q - 16` and
//!   one f16 scale; a Q8_0 block holds 32 eight-bit values and the same kind of scale, so copying
//!   the scale and widening each value loses nothing. candle dispatches AVX2 at run time for Q8_0
//!   but runs Q5_0 as scalar code, and the 0.5B model is mostly Q5_0 (its 896-wide rows do not
//!   fit the 256-wide k-quant blocks).
//! - **The token embedding stays quantized.** candle expands it to f32 (545 MB for the 0.5B,
//!   890 MB for the 1.5B) only to look up a few rows per step; here each looked-up row is
//!   dequantized on its own, from the same table the tied output projection uses.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use candle_core::quantized::{gguf_file, GgmlDType, QMatMul, QStorage, QTensor};
use candle_core::{DType, Device, IndexOp, Module, Result, Tensor};
use candle_nn::Embedding;
use candle_transformers::quantized_nn::RmsNorm;
use candle_transformers::utils::{build_causal_mask, repeat_kv};

/// Bytes of one block: Q5_0 is an f16 scale, 4 bytes of high bits and 16 of low nibbles; Q8_0 is
/// an f16 scale and 32 signed bytes.
const Q5_0_BLOCK: usize = 22;
const Q8_0_BLOCK: usize = 34;

/// Widens every Q5_0 block of `data` into a Q8_0 block with the same scale and values. The
/// result is held as u16 words because candle reads Q8_0 blocks (f16 scale first) 2-byte aligned.
pub fn q5_0_to_q8_0(data: &[u8]) -> Vec<u16> {
    let blocks = data.len() / Q5_0_BLOCK;
    let mut out = Vec::with_capacity(blocks * Q8_0_BLOCK / 2);
    let mut block = [0u8; Q8_0_BLOCK];
    for src in data.chunks_exact(Q5_0_BLOCK) {
        block[..2].copy_from_slice(&src[..2]);
        let qh = u32::from_le_bytes([src[2], src[3], src[4], src[5]]);
        let qs = &src[6..22];
        for j in 0..16 {
            let hi0 = (((qh >> j) & 1) << 4) as u8;
            let hi1 = (((qh >> (j + 16)) & 1) << 4) as u8;
            block[2 + j] = (((qs[j] & 0x0f) | hi0) as i8 - 16) as u8;
            block[2 + j + 16] = (((qs[j] >> 4) | hi1) as i8 - 16) as u8;
        }
        out.extend(block.chunks_exact(2).map(|w| u16::from_le_bytes([w[0], w[1]])));
    }
    out
}

fn as_bytes(words: &[u16]) -> &[u8] {
    // SAFETY: any u16 slice is a valid byte slice of twice the length, on a little-endian host
    // the bytes are in the order they were written above.
    unsafe { std::slice::from_raw_parts(words.as_ptr() as *const u8, words.len() * 2) }
}

/// The tensor in the layout candle runs fastest on this CPU (Q5_0 → Q8_0), else unchanged.
fn fast_layout(t: QTensor) -> Result<QTensor> {
    if t.dtype() != GgmlDType::Q5_0 || !matches!(t.device(), Device::Cpu) {
        return Ok(t);
    }
    let shape = t.shape().clone();
    let widened = q5_0_to_q8_0(&t.data()?);
    drop(t);
    QTensor::new(QStorage::from_data(Cow::Borrowed(as_bytes(&widened)), &Device::Cpu, GgmlDType::Q8_0)?, shape)
}

fn qmatmul(t: QTensor) -> Result<QMatMul> {
    QMatMul::from_qtensor(fast_layout(t)?)
}

/// Token embeddings: rows dequantized on demand on the CPU, a dense table elsewhere.
enum Embeddings {
    Quantized { table: Arc<QTensor>, dim: usize },
    Dense(Embedding),
}

impl Embeddings {
    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        match self {
            Embeddings::Dense(e) => e.forward(ids),
            Embeddings::Quantized { table, dim } => {
                let (b, n) = ids.dims2()?;
                let data = table.data()?;
                let rows = table.shape().dims()[0];
                let row_bytes = data.len() / rows;
                let mut out = Vec::with_capacity(b * n * dim);
                for id in ids.flatten_all()?.to_vec1::<u32>()? {
                    let id = id as usize;
                    if id >= rows {
                        candle_core::bail!("token id {id} is outside the vocabulary of {rows}");
                    }
                    let row = &data[id * row_bytes..(id + 1) * row_bytes];
                    let q = QTensor::new(QStorage::from_data(Cow::Borrowed(row), &Device::Cpu, table.dtype())?, (*dim,))?;
                    out.extend(q.dequantize(&Device::Cpu)?.to_vec1::<f32>()?);
                }
                Tensor::from_vec(out, (b, n, *dim), &Device::Cpu)
            }
        }
    }
}

struct Mlp {
    gate: QMatMul,
    down: QMatMul,
    up: QMatMul,
}

impl Mlp {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let w1 = self.gate.forward(xs)?;
        let w3 = self.up.forward(xs)?;
        self.down.forward(&(candle_nn::ops::silu(&w1)? * w3)?)
    }
}

struct Layer {
    wq: QMatMul,
    wk: QMatMul,
    wv: QMatMul,
    bq: Tensor,
    bk: Tensor,
    bv: Tensor,
    wo: QMatMul,
    attention_norm: RmsNorm,
    mlp: Mlp,
    ffn_norm: RmsNorm,
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    cos: Tensor,
    sin: Tensor,
    neg_inf: Tensor,
    kv_cache: Option<(Tensor, Tensor)>,
}

impl Layer {
    fn rotary(&self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (_b, _h, seq_len, _d) = x.dims4()?;
        let cos = self.cos.narrow(0, index_pos, seq_len)?;
        let sin = self.sin.narrow(0, index_pos, seq_len)?;
        candle_nn::rotary_emb::rope(&x.contiguous()?, &cos, &sin)
    }

    fn attention(&mut self, x: &Tensor, mask: Option<&Tensor>, index_pos: usize) -> Result<Tensor> {
        let (b, seq_len, n_embd) = x.dims3()?;
        let q = self.wq.forward(x)?.broadcast_add(&self.bq)?;
        let k = self.wk.forward(x)?.broadcast_add(&self.bk)?;
        let v = self.wv.forward(x)?.broadcast_add(&self.bv)?;
        let heads = |t: Tensor, n: usize| t.reshape((b, seq_len, n, self.head_dim))?.transpose(1, 2)?.contiguous();
        let q = self.rotary(&heads(q, self.n_head)?, index_pos)?;
        let k = self.rotary(&heads(k, self.n_kv_head)?, index_pos)?;
        let v = heads(v, self.n_kv_head)?;
        let (k, v) = match &self.kv_cache {
            Some((kc, vc)) if index_pos > 0 => (Tensor::cat(&[kc, &k], 2)?, Tensor::cat(&[vc, &v], 2)?),
            _ => (k, v),
        };
        self.kv_cache = Some((k.clone(), v.clone()));
        let k = repeat_kv(k, self.n_head / self.n_kv_head)?;
        let v = repeat_kv(v, self.n_head / self.n_kv_head)?;
        let att = (q.matmul(&k.t()?)? / (self.head_dim as f64).sqrt())?;
        let att = match mask {
            None => att,
            Some(mask) => {
                let mask = mask.broadcast_as(att.shape())?;
                mask.where_cond(&self.neg_inf.broadcast_as(att.shape().dims())?, &att)?
            }
        };
        let att = candle_nn::ops::softmax_last_dim(&att)?;
        let y = att.matmul(&v.contiguous()?)?;
        let y = y.transpose(1, 2)?.reshape(&[b, seq_len, n_embd])?;
        self.wo.forward(&y)
    }
}

/// A Qwen2 model: `forward(tokens, position)` gives the last position's logits.
pub struct ModelWeights {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    norm: RmsNorm,
    output: QMatMul,
    masks: HashMap<(usize, usize), Tensor>,
}

fn rope_tables(head_dim: usize, freq_base: f32, context_length: usize, device: &Device) -> Result<(Tensor, Tensor)> {
    let theta: Vec<_> = (0..head_dim).step_by(2).map(|i| 1f32 / freq_base.powf(i as f32 / head_dim as f32)).collect();
    let theta = Tensor::new(theta.as_slice(), device)?;
    let idx_theta = Tensor::arange(0, context_length as u32, device)?.to_dtype(DType::F32)?.reshape((context_length, 1))?.matmul(&theta.reshape((1, theta.elem_count()))?)?;
    Ok((idx_theta.cos()?, idx_theta.sin()?))
}

impl ModelWeights {
    pub fn from_gguf<R: std::io::Seek + std::io::Read>(ct: gguf_file::Content, reader: &mut R, device: &Device) -> Result<Self> {
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

        let table = Arc::new(fast_layout(ct.tensor(reader, "token_embd.weight", device)?)?);
        let embeddings = if matches!(device, Device::Cpu) {
            Embeddings::Quantized { table: Arc::clone(&table), dim: embedding_length }
        } else {
            Embeddings::Dense(Embedding::new(table.dequantize(device)?, embedding_length))
        };
        let norm = RmsNorm::from_qtensor(ct.tensor(reader, "output_norm.weight", device)?, rms_norm_eps)?;
        let output = match ct.tensor(reader, "output.weight", device) {
            Ok(v) => qmatmul(v)?,
            // Tied embeddings: the output projection shares the table.
            Err(_) => QMatMul::from_arc(table)?,
        };
        let (cos, sin) = rope_tables(head_dim, rope_freq_base, context_length, device)?;

        let mut layers = Vec::with_capacity(block_count);
        for i in 0..block_count {
            let mut t = |name: &str| ct.tensor(reader, &format!("blk.{i}.{name}"), device);
            layers.push(Layer {
                wq: qmatmul(t("attn_q.weight")?)?,
                wk: qmatmul(t("attn_k.weight")?)?,
                wv: qmatmul(t("attn_v.weight")?)?,
                bq: t("attn_q.bias")?.dequantize(device)?,
                bk: t("attn_k.bias")?.dequantize(device)?,
                bv: t("attn_v.bias")?.dequantize(device)?,
                wo: qmatmul(t("attn_output.weight")?)?,
                attention_norm: RmsNorm::from_qtensor(t("attn_norm.weight")?, rms_norm_eps)?,
                mlp: Mlp { gate: qmatmul(t("ffn_gate.weight")?)?, down: qmatmul(t("ffn_down.weight")?)?, up: qmatmul(t("ffn_up.weight")?)? },
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

    fn mask(&mut self, seq_len: usize, index_pos: usize, device: &Device) -> Result<Tensor> {
        let key = (seq_len, index_pos + seq_len);
        if let Some(m) = self.masks.get(&key) {
            return Ok(m.clone());
        }
        let m = build_causal_mask(seq_len, index_pos, device)?;
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

    pub fn forward(&mut self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (_b, seq_len) = x.dims2()?;
        let mask = if seq_len == 1 { None } else { Some(self.mask(seq_len, index_pos, x.device())?) };
        let mut h = self.embeddings.forward(x)?;
        for layer in &mut self.layers {
            let attn = layer.attention(&layer.attention_norm.forward(&h)?, mask.as_ref(), index_pos)?;
            let x = (attn + &h)?;
            let m = layer.mlp.forward(&layer.ffn_norm.forward(&x)?)?;
            h = (m + x)?;
        }
        let x = self.norm.forward(&h)?;
        let x = x.i((.., seq_len - 1, ..))?;
        self.output.forward(&x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q5_0_widens_to_q8_0_without_changing_a_value() {
        // One block: scale 0.5 (f16 0x3800), high bits alternating, low nibbles 0..15.
        let mut block = vec![0x00, 0x38];
        let qh: u32 = 0xAAAA_5555;
        block.extend_from_slice(&qh.to_le_bytes());
        block.extend((0..16u8).map(|j| j | ((15 - j) << 4)));
        let q5 = QTensor::new(QStorage::from_data(Cow::Borrowed(&block), &Device::Cpu, GgmlDType::Q5_0).unwrap(), (32,)).unwrap();
        let q8 = fast_layout(QTensor::new(QStorage::from_data(Cow::Borrowed(&block), &Device::Cpu, GgmlDType::Q5_0).unwrap(), (32,)).unwrap()).unwrap();
        assert_eq!(q8.dtype(), GgmlDType::Q8_0);
        let a = q5.dequantize(&Device::Cpu).unwrap().to_vec1::<f32>().unwrap();
        let b = q8.dequantize(&Device::Cpu).unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(a, b);
        assert!(a.iter().any(|&v| v < 0.0) && a.iter().any(|&v| v > 0.0));
    }
}
