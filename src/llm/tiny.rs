//! A tiny Qwen2-architecture GGUF with random weights and a byte-level vocabulary, written on
//! demand. Tests use it to exercise loading, the tokenizer, the chat template, sampling and KV
//! reuse through exactly the code paths of the real model, in milliseconds.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};

/// Shape of the tiny model. 256-wide rows let the matrices use Q4_K, the real model's main type.
pub const HIDDEN: usize = 256;
pub const HEADS: usize = 4;
pub const KV_HEADS: usize = 2;
pub const FFN: usize = 512;
pub const LAYERS: usize = 2;
pub const CONTEXT: usize = 512;

/// Extra merged tokens after the 256 byte tokens, and the merges that build them.
const MERGES: &[(&str, &str)] = &[("h", "e"), ("Ġ", "t"), ("Ġt", "he"), ("i", "n"), ("O", "K"), ("Ġ", "w")];

/// The specials of the Qwen2 vocabulary, in its order.
pub const SPECIALS: [&str; 3] = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

/// The id of `SPECIALS[i]` in the tiny vocabulary.
pub fn special_id(i: usize) -> u32 {
    (256 + MERGES.len() + i) as u32
}

/// The 256 byte tokens, spelled as byte-level BPE spells them.
fn byte_tokens() -> Vec<String> {
    super::constrain::byte_level_chars().iter().map(char::to_string).collect()
}

/// Deterministic weights in [-scale, scale] (xorshift64*), so every run writes the same file.
struct Weights(u64);

impl Weights {
    fn tensor(&mut self, rows: usize, cols: usize, scale: f32) -> candle_core::Result<Tensor> {
        let data: Vec<f32> = (0..rows * cols)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                let r = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
                (r as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
            })
            .collect();
        let t = Tensor::from_vec(data, (rows, cols), &Device::Cpu)?;
        if rows == 1 {
            t.squeeze(0)
        } else {
            Ok(t)
        }
    }
}

/// Writes the tiny model to `path`. The same `seed` always gives the same bytes.
pub fn write_tiny_qwen2(path: &Path, seed: u64) -> candle_core::Result<()> {
    let mut tokens = byte_tokens();
    tokens.extend(MERGES.iter().map(|(a, b)| format!("{a}{b}")));
    tokens.extend(SPECIALS.iter().map(|s| s.to_string()));
    let vocab = tokens.len();
    let token_type: Vec<Value> = (0..vocab).map(|i| Value::I32(if i >= 256 + MERGES.len() { 3 } else { 1 })).collect();

    let s = |v: &str| Value::String(v.to_string());
    let metadata: Vec<(&str, Value)> = vec![
        ("general.architecture", s("qwen2")),
        ("general.name", s("kgent-tiny-qwen2")),
        ("qwen2.context_length", Value::U32(CONTEXT as u32)),
        ("qwen2.embedding_length", Value::U32(HIDDEN as u32)),
        ("qwen2.feed_forward_length", Value::U32(FFN as u32)),
        ("qwen2.block_count", Value::U32(LAYERS as u32)),
        ("qwen2.attention.head_count", Value::U32(HEADS as u32)),
        ("qwen2.attention.head_count_kv", Value::U32(KV_HEADS as u32)),
        ("qwen2.attention.layer_norm_rms_epsilon", Value::F32(1e-6)),
        ("qwen2.rope.freq_base", Value::F32(1_000_000.0)),
        ("tokenizer.ggml.model", s("gpt2")),
        ("tokenizer.ggml.pre", s("qwen2")),
        ("tokenizer.ggml.tokens", Value::Array(tokens.iter().map(|t| s(t)).collect())),
        ("tokenizer.ggml.token_type", Value::Array(token_type)),
        ("tokenizer.ggml.merges", Value::Array(MERGES.iter().map(|(a, b)| s(&format!("{a} {b}"))).collect())),
        ("tokenizer.ggml.eos_token_id", Value::U32(special_id(2))),
        ("tokenizer.ggml.bos_token_id", Value::U32(special_id(0))),
        ("tokenizer.ggml.add_bos_token", Value::Bool(false)),
    ];

    let mut w = Weights(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let kv = HIDDEN / HEADS * KV_HEADS;
    let q = |t: Tensor| {
        let dtype = if t.dim(t.rank() - 1)? % 256 == 0 { GgmlDType::Q4K } else { GgmlDType::Q8_0 };
        QTensor::quantize(&t, dtype)
    };
    let f = |t: Tensor| QTensor::quantize(&t, GgmlDType::F32);
    let ones = |n: usize| Tensor::ones(n, candle_core::DType::F32, &Device::Cpu);
    let mut tensors: Vec<(String, QTensor)> = vec![
        ("token_embd.weight".into(), q(w.tensor(vocab, HIDDEN, 1.0)?)?),
        ("output_norm.weight".into(), f(ones(HIDDEN)?)?),
        ("output.weight".into(), q(w.tensor(vocab, HIDDEN, 0.2)?)?),
    ];
    for l in 0..LAYERS {
        let p = |n: &str| format!("blk.{l}.{n}");
        tensors.extend([
            (p("attn_norm.weight"), f(ones(HIDDEN)?)?),
            (p("ffn_norm.weight"), f(ones(HIDDEN)?)?),
            (p("attn_q.weight"), q(w.tensor(HIDDEN, HIDDEN, 0.1)?)?),
            (p("attn_k.weight"), q(w.tensor(kv, HIDDEN, 0.1)?)?),
            (p("attn_v.weight"), q(w.tensor(kv, HIDDEN, 0.1)?)?),
            (p("attn_q.bias"), f(w.tensor(1, HIDDEN, 0.05)?)?),
            (p("attn_k.bias"), f(w.tensor(1, kv, 0.05)?)?),
            (p("attn_v.bias"), f(w.tensor(1, kv, 0.05)?)?),
            (p("attn_output.weight"), q(w.tensor(HIDDEN, HIDDEN, 0.1)?)?),
            (p("ffn_gate.weight"), q(w.tensor(FFN, HIDDEN, 0.1)?)?),
            (p("ffn_up.weight"), q(w.tensor(FFN, HIDDEN, 0.1)?)?),
            (p("ffn_down.weight"), q(w.tensor(HIDDEN, FFN, 0.1)?)?),
        ]);
    }

    let md: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (*k, v)).collect();
    let ts: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut out = BufWriter::new(File::create(path)?);
    gguf_file::write(&mut out, &md, &ts)?;
    Ok(())
}
