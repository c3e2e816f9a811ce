//! `kgent complete`: one chat turn with the local model, streamed.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::CompleteArgs;
use crate::llm::GenerateOptions;

pub fn run(args: CompleteArgs) -> Result<ExitCode> {
    let prompt = if args.prompt == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading the prompt from standard input")?;
        text
    } else {
        args.prompt.clone()
    };
    let opts = GenerateOptions {
        max_tokens: args.max_tokens,
        temperature: args.temperature,
        top_p: args.top_p,
        seed: args.seed,
        stop: args.stop.clone(),
        grammar: None,
        draft: args.draft,
    };
    let mut loaded = super::progress::load_model(&args.model)?;
    let mut chat = loaded.conversation(args.system.as_deref())?;
    let stdout = std::io::stdout();
    let reply = if args.json {
        chat.send(&prompt, "", &opts, &mut |_| {})?
    } else {
        let mut out = stdout.lock();
        let reply = chat.send(&prompt, "", &opts, &mut |piece| {
            let _ = out.write_all(piece.as_bytes());
            let _ = out.flush();
        })?;
        let _ = writeln!(out);
        reply
    };
    drop(chat);
    if args.json {
        let sha256 = loaded.sha256()?;
        let report = json!({
            "backend": loaded.backend(),
            "model": loaded.name(),
            "model_sha256": sha256,
            "load_seconds": loaded.load_time.as_secs_f64(),
            "tile_cache": match &loaded.engine {
                crate::pipeline::Engine::Local { model, .. } => serde_json::to_value(model.tile_cache())?,
                crate::pipeline::Engine::Remote(_) => serde_json::Value::Null,
            },
            "options": opts,
            "reply": reply,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let rate = |n: usize, d: std::time::Duration| n as f64 / d.as_secs_f64().max(1e-9);
        eprintln!(
            "-- {} ({}): {} prompt tokens at {:.1} tok/s, {} generated at {:.1} tok/s, stop: {:?}",
            loaded.name(),
            match &loaded.engine {
                crate::pipeline::Engine::Local { resolved, .. } => resolved.sha256.as_deref().map_or("local file", |h| &h[..12]),
                crate::pipeline::Engine::Remote(_) => "on the server",
            },
            reply.prompt_tokens,
            rate(reply.prompt_tokens, reply.prefill_time),
            reply.generated_tokens,
            rate(reply.generated_tokens, reply.decode_time),
            reply.stop,
        );
    }
    Ok(ExitCode::SUCCESS)
}
