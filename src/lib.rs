//! Kgent turns a plain-English request ("count openat calls per process every second") into an eBPF
//! program, with a local quantized code model and no network.
//!
//! The crate follows the data: [`store`] finds and verifies model files and [`llm`] runs them;
//! [`kernel`] says what this host offers and [`retrieve`] finds examples and hooks for a request;
//! [`synth`] prompts the model and loops over the checks of [`verify`]; [`run`] attaches a program
//! only when asked; [`eval`] scores a corpus; [`commands`] wires each stage to the command line.
//!
//! ```no_run
//! use kgent::{llm, store};
//! let manifest = store::Manifest::load()?;
//! let resolved = store::Store::open_default()?.resolve(&manifest, None)?;
//! let mut model = llm::Model::load(&resolved.path, &resolved.name, &llm::Device::Cpu)?;
//! let mut chat = llm::Chat::new(&mut model, None)?;
//! let reply = chat.send("Reply with exactly: OK", &llm::GenerateOptions::default(), &mut |_| {})?;
//! assert_eq!(reply.text.trim(), "OK");
//! # Ok::<(), anyhow::Error>(())
//! ```

pub mod cli;
pub mod commands;
pub mod comprehend;
pub mod config;
pub mod eval;
pub mod ground;
pub mod kernel;
pub mod llm;
pub mod lock;
pub mod mcp;
pub mod obj;
pub mod pipeline;
pub mod plan;
pub mod retrieve;
pub mod run;
pub mod store;
pub mod synth;
pub mod verify;

/// An error and every error under it, `outer: inner: innermost`: aya's load errors keep the
/// kernel's reason (and the verifier's log) in their sources.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
