//! The local code model: a Qwen2-architecture GGUF on candle, its tokenizer read from the GGUF
//! metadata, and chat conversations that keep their KV cache between turns.
//!
//! ```no_run
//! use kgent::llm::{Chat, Device, GenerateOptions, Model};
//! let mut model = Model::load("model.gguf".as_ref(), "qwen", &Device::Cpu)?;
//! let mut chat = Chat::new(&mut model, Some("You write bpftrace."))?;
//! let reply = chat.send("Count openat calls per process.", &GenerateOptions::default(), &mut |t| print!("{t}"))?;
//! println!("\n{} tokens", reply.generated_tokens);
//! # Ok::<(), kgent::llm::LlmError>(())
//! ```

pub mod attention;
mod chat;
pub mod constrain;
mod device;
mod elementwise;
pub mod matmul;
mod model;
pub mod qwen2;
pub mod remote;
pub mod sample;
mod template;
pub mod tiles;
pub mod tiny;

pub use candle_core::Device;

pub use chat::{Chat, Conversation, GenerateOptions, Reply, ScriptedChat, StopReason, DEFAULT_DRAFT};
pub use constrain::{CompiledGrammar, Constraint, GrammarFactory, GrammarText};
pub use device::parse_device;
pub use model::{peak_rss_bytes, rss_and_pss_bytes, Header, LlmError, Model, ModelInfo};
pub use remote::{Remote, RemoteChat};
pub use template::{ChatTemplate, Piece};
pub use tiles::{CacheState, TileCache};

/// Where the model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// In this process, on candle and Kgent's kernels (the default; never touches the network).
    #[default]
    Local,
    /// An OpenAI-compatible chat-completions server (vLLM, llama.cpp's server, TGI, SGLang) at
    /// `--base-url`.
    Openai,
}

/// How a remote conversation reaches the model on its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RemoteApi {
    /// `/v1/chat/completions`: the server's chat template renders the messages. Works with any
    /// chat model; the reply cannot be started inside a code block.
    #[default]
    Chat,
    /// `/v1/completions` with Kgent's own ChatML prompt, the one the local backend decodes from,
    /// the reply started inside the code block. For Qwen2.5 (ChatML) models only.
    Completions,
}
