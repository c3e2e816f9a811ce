//! A loaded model: its weights, tokenizer and chat format, and the runtime's errors.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file;
use candle_core::quantized::tokenizer::TokenizerFromGguf;
use candle_core::Device;
use candle_core::Tensor;
use serde::Serialize;
use tokenizers::Tokenizer;

use super::constrain::GrammarFactory;

use super::qwen2::{ModelWeights, TileSource};
use super::template::{ChatTemplate, Piece};
use super::tiles::{self, CacheState, TileCache, Unusable};

/// Failures of the model runtime itself (never of a generated program).
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The file could not be opened or read.
    #[error("model file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The file is not a GGUF file candle can read, or lacks a tensor or metadata key.
    #[error("model file {path} is not a usable GGUF model: {message}")]
    BadGguf { path: PathBuf, message: String },
    /// A GGUF model of an architecture this runtime does not implement.
    #[error("model file {path} has architecture '{found}'; kgent runs qwen2 models")]
    UnsupportedArchitecture { path: PathBuf, found: String },
    /// A grammar for constrained decoding did not compile, or the decoder left it.
    #[error("grammar: {0}")]
    Grammar(String),
    /// The tokenizer could not be built from the GGUF metadata, or failed on some text.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The conversation would not fit in the model's context window.
    #[error("the conversation needs {needed} tokens but the model's context holds {limit}; start a new chat or lower --max-tokens")]
    ContextFull { needed: usize, limit: usize },
    /// `--device` named something this build cannot use.
    #[error("device '{device}': {message}")]
    Device { device: String, message: String },
    /// The OpenAI-compatible model server could not be reached, refused the request, or
    /// answered with something else than a chat completion.
    #[error("{0}")]
    Remote(String),
    /// A tensor operation failed inside candle.
    #[error("inference failed: {0}")]
    Candle(#[from] candle_core::Error),
}

pub(super) type Result<T, E = LlmError> = std::result::Result<T, E>;

/// What the GGUF says about the model, shown in reports and `kgent bench`.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub path: PathBuf,
    pub architecture: String,
    pub file_size: u64,
    pub context_length: usize,
    pub vocab_size: usize,
    pub layers: usize,
    pub embedding_length: usize,
}

/// What a GGUF file says before its weights: its metadata and tensor table, and the tokenizer
/// rebuilt from them. Malformed input is an error naming the file, never a panic (fuzzed:
/// `fuzz/fuzz_targets/gguf_header.rs`).
pub struct Header {
    pub content: gguf_file::Content,
    pub tokenizer: Tokenizer,
    /// Token ids that end a reply: `<|im_end|>`, `<|endoftext|>` and the file's eos.
    pub stop_ids: Vec<u32>,
    pub architecture: String,
    pub context_length: usize,
    pub layers: usize,
    pub embedding_length: usize,
}

impl Header {
    /// Reads the header of a Qwen2 GGUF file (`path` names it in errors).
    pub fn read<R: std::io::Read + std::io::Seek>(reader: &mut R, path: &Path) -> Result<Header> {
        let bad = |message: String| LlmError::BadGguf { path: path.to_path_buf(), message };
        let content = gguf_file::Content::read(reader).map_err(|e| bad(e.to_string()))?;
        let md = |key: &str| content.metadata.get(key);
        let architecture = md("general.architecture").and_then(|v| v.to_string().ok().cloned()).ok_or_else(|| bad("no general.architecture".into()))?;
        if architecture != "qwen2" {
            return Err(LlmError::UnsupportedArchitecture { path: path.to_path_buf(), found: architecture });
        }
        let num = |key: &str| md(key).and_then(|v| v.to_u32().ok()).map(|v| v as usize).unwrap_or(0);
        let mut tokenizer = Tokenizer::from_gguf(&content).map_err(|e| LlmError::Tokenizer(e.to_string()))?;
        // Text is text: a special token's spelling inside a request or a retrieved file stays
        // plain characters. Control tokens are placed by id ([`Model::encode_turn`]).
        tokenizer.set_encode_special_tokens(true);
        let mut stop_ids: Vec<u32> = ["<|im_end|>", "<|endoftext|>"].iter().filter_map(|t| tokenizer.token_to_id(t)).collect();
        if let Some(eos) = md("tokenizer.ggml.eos_token_id").and_then(|v| v.to_u32().ok()) {
            if !stop_ids.contains(&eos) {
                stop_ids.push(eos);
            }
        }
        let (context_length, layers, embedding_length) = (num("qwen2.context_length"), num("qwen2.block_count"), num("qwen2.embedding_length"));
        Ok(Header { content, tokenizer, stop_ids, architecture, context_length, layers, embedding_length })
    }
}

/// Loaded weights plus tokenizer. The KV cache lives inside the weights, so a `Model` serves one
/// conversation at a time: [`Chat`] borrows it mutably.
pub struct Model {
    weights: ModelWeights,
    tokenizer: Tokenizer,
    device: Device,
    info: ModelInfo,
    template: ChatTemplate,
    /// Token ids that end a reply: `<|im_end|>`, `<|endoftext|>` and the GGUF's eos.
    stop_ids: Vec<u32>,
    /// Built on the first constrained reply (it reads the whole vocabulary).
    grammars: Option<std::sync::Arc<GrammarFactory>>,
    /// The tokens whose keys and values the cache holds, by position: what a new conversation
    /// may reuse ([`Chat`] reuses a system turn it shares).
    kv_tokens: Vec<u32>,
    /// What the load did with the tiled weight cache.
    tile_cache: CacheState,
}

impl Model {
    /// Loads a Qwen2 GGUF file. Weights are read into memory once, quantized as in the file (on
    /// the CPU regrouped into 8-row tiles, see [`matmul`](super::matmul)), and the tokenizer is rebuilt from the
    /// file's own vocabulary and merges.
    pub fn load(path: &Path, name: &str, device: &Device) -> Result<Self> {
        Self::load_with_cache(path, name, device, None)
    }

    /// As [`Model::load`], with the CPU's tiles mapped from `cache` when it holds them for this
    /// file, else tiled from the file and written to it ([`tiles`](super::tiles)). A cache that
    /// cannot be written costs only speed: the model loads all the same.
    pub fn load_with_cache(path: &Path, name: &str, device: &Device, cache: Option<&TileCache>) -> Result<Self> {
        let io = |source| LlmError::Io { path: path.to_path_buf(), source };
        let file = File::open(path).map_err(io)?;
        let file_size = file.metadata().map_err(io)?.len();
        let mut reader = BufReader::new(file);
        let Header { content, tokenizer, stop_ids, architecture, context_length, layers, embedding_length } = Header::read(&mut reader, path)?;
        let info = ModelInfo {
            name: name.to_string(),
            path: path.to_path_buf(),
            architecture,
            file_size,
            context_length,
            vocab_size: tokenizer.get_vocab_size(true),
            layers,
            embedding_length,
        };
        let cache = cache.filter(|_| device.is_cpu());
        let (mut source, mut tile_cache) = match cache.map(|c| c.open(&tiles::expected(&content))) {
            None => (TileSource::File { keep: None }, CacheState::Off),
            Some(Ok(mapped)) => (TileSource::Cache { mapped, read: Vec::new(), lacked: None }, CacheState::Mapped),
            Some(Err(Unusable::Missing)) => (TileSource::File { keep: Some(Vec::new()) }, CacheState::Written),
            Some(Err(Unusable::Invalid(reason))) => (TileSource::File { keep: Some(Vec::new()) }, CacheState::Rebuilt { reason }),
        };
        let weights = ModelWeights::from_gguf(content, &mut reader, device, &mut source).map_err(|e| LlmError::BadGguf { path: path.to_path_buf(), message: e.to_string() })?;
        let to_write = match &source {
            TileSource::File { keep: Some(matrices) } => Some(matrices),
            TileSource::Cache { read, lacked: Some(name), .. } => {
                tile_cache = CacheState::Rebuilt { reason: format!("it lacked {name}") };
                Some(read)
            }
            _ => None,
        };
        if let (Some(cache), Some(matrices)) = (cache, to_write) {
            if let Err(e) = cache.write(matrices) {
                tile_cache = CacheState::NotWritten { reason: format!("{}: {e}", cache.path().display()) };
            }
        }
        Ok(Model { weights, tokenizer, device: device.clone(), info, template: ChatTemplate::ChatMl, stop_ids, grammars: None, kv_tokens: Vec::new(), tile_cache })
    }

    /// Whether a pass over several tokens gives each the logits a pass over it alone would, bit
    /// for bit: on the CPU with every matrix on our kernels (each row accumulates on its own).
    /// candle's products, and other devices, may round a batch differently.
    pub fn rows_are_exact(&self) -> bool {
        self.device.is_cpu() && self.weights.all_on_own_kernels()
    }

    /// What the load did with the tiled weight cache.
    pub fn tile_cache(&self) -> &CacheState {
        &self.tile_cache
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    pub fn template(&self) -> ChatTemplate {
        self.template
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// What compiles grammars for this model's tokenizer; `vocab_size` is the logits' width.
    pub fn grammars(&mut self, vocab_size: usize) -> Result<std::sync::Arc<GrammarFactory>> {
        if let Some(g) = &self.grammars {
            return Ok(g.clone());
        }
        let eos = self.stop_ids.first().copied().ok_or_else(|| LlmError::Tokenizer("no end-of-turn token".into()))?;
        let g = std::sync::Arc::new(GrammarFactory::new(&self.tokenizer, eos, vocab_size)?);
        self.grammars = Some(g.clone());
        Ok(g)
    }

    pub fn is_stop(&self, id: u32) -> bool {
        self.stop_ids.contains(&id)
    }

    /// Text to ids, as text: special tokens spelled in it (`<|im_start|>`) are not parsed.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let enc = self.tokenizer.encode(text, false).map_err(|e| LlmError::Tokenizer(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// A turn of the chat template to ids: each control token as its single id, text as text.
    pub fn encode_turn(&self, pieces: &[Piece]) -> Result<Vec<u32>> {
        let mut ids = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Control(token) => ids.push(self.tokenizer.token_to_id(token).ok_or_else(|| LlmError::Tokenizer(format!("the vocabulary has no {token}")))?),
                Piece::Text(text) => ids.extend(self.encode(text)?),
            }
        }
        Ok(ids)
    }

    /// Ids to text, special tokens included (callers decide what to show).
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.tokenizer.decode(ids, false).map_err(|e| LlmError::Tokenizer(e.to_string()))
    }

    /// Runs `tokens` at positions `pos..pos+len` against the KV cache and returns the logits
    /// (f32, vocabulary-sized) for the token after the last one. `pos == 0` starts afresh.
    pub fn forward(&mut self, tokens: &[u32], pos: usize) -> Result<Tensor> {
        self.run(tokens, pos, false)
    }

    /// As [`Model::forward`], but the logits after each of `tokens`, one row per token.
    pub fn forward_rows(&mut self, tokens: &[u32], pos: usize) -> Result<Vec<Vec<f32>>> {
        Ok(self.run(tokens, pos, true)?.to_vec2()?)
    }

    fn run(&mut self, tokens: &[u32], pos: usize, every: bool) -> Result<Tensor> {
        if pos + tokens.len() > self.info.context_length.max(1) {
            return Err(LlmError::ContextFull { needed: pos + tokens.len(), limit: self.info.context_length });
        }
        let input = Tensor::new(tokens, &self.device)?.unsqueeze(0)?;
        // From `pos` on the cache is overwritten, and until the pass succeeds it holds nothing
        // trustworthy there.
        debug_assert!(pos <= self.kv_tokens.len(), "a pass at {pos} past the {} cached positions", self.kv_tokens.len());
        self.kv_tokens.truncate(pos);
        // The whole pass runs on a worker of the thread pool, so the matrix products that fan
        // out on it find the other workers still spinning instead of waking them per product.
        let weights = &mut self.weights;
        let logits = rayon::scope(|_| weights.forward_positions(&input, pos, every))?;
        self.kv_tokens.extend_from_slice(tokens);
        Ok(logits.squeeze(0)?.to_dtype(candle_core::DType::F32)?)
    }

    /// Whether the cache holds `prefix` at positions `0..prefix.len()`.
    pub fn kv_holds(&self, prefix: &[u32]) -> bool {
        self.kv_tokens.len() >= prefix.len() && self.kv_tokens.get(..prefix.len()) == Some(prefix)
    }

    /// Forgets every cached position.
    pub fn clear_kv_cache(&mut self) {
        self.kv_tokens.clear();
        self.weights.clear_kv_cache();
    }

    /// One short multi-token forward, then a cleared cache: the first pass grows the thread
    /// pool, the KV cache and the allocator's arenas, so the first real prefill is not the one
    /// that pays for them.
    pub fn warm_up(&mut self) -> Result<()> {
        let ids = self.encode("fn main() {}")?;
        self.forward(&ids, 0)?;
        self.clear_kv_cache();
        Ok(())
    }
}

/// This process's resident memory now, and its proportional share (`Pss`: a page mapped by `n`
/// processes counts `1/n`, so the tiled weight cache's pages shared between `kgent` processes
/// are counted once overall), in bytes (Linux `smaps_rollup`).
pub fn rss_and_pss_bytes() -> Option<(u64, u64)> {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = rollup.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    Some((field("Rss:")?, field("Pss:")?))
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
