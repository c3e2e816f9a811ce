//! `kgent ground`: the grounding stage alone, and the properties the request's words state, as
//! `gen` decides them before any model is loaded.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::GroundArgs;
use crate::ground::{Evidence, Grounding};
use crate::kernel::Attach;
use crate::pipeline::Host;

pub fn run(args: GroundArgs) -> Result<ExitCode> {
    crate::pipeline::check_request(&args.request).map_err(anyhow::Error::msg)?;
    let bar = super::progress::spinner("opening this host's catalog");
    let host = Host::open(&mut |stage| bar.set_message(stage.to_string()))?;
    bar.finish_and_clear();
    let grounding = host.ground(&args.request)?;
    // What gen checks every program against by default, also decided before any model.
    let properties = crate::comprehend::from_words(&args.request);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "request": args.request, "grounding": grounding, "properties": properties }))?);
    } else {
        print!("{}", render(&grounding));
        let lines: Vec<String> = properties.to_string().lines().map(String::from).collect();
        if !lines.is_empty() {
            println!("properties the request's words state: {}", lines.join("; "));
        }
    }
    Ok(if grounding.servable.is_here() { ExitCode::SUCCESS } else { ExitCode::from(super::gen::EXIT_CANNOT_HERE) })
}

fn render(g: &Grounding) -> String {
    let mut s = String::new();
    if g.events.is_empty() {
        s.push_str("the request names no event precisely: retrieval and the model choose the hook\n");
    }
    for e in &g.events {
        let why = match &e.evidence {
            Evidence::Named { word } => format!("named: \"{word}\""),
            Evidence::Libc { word, function } => format!("named: \"{word}\"; libc's {function}() makes this syscall"),
            Evidence::Subsystem { word, what, .. } => format!("{what}: \"{word}\""),
            Evidence::Counter { words } => format!("hardware counter: \"{}\"", words.join(" ")),
            Evidence::Described { words, hooks } => format!("described: \"{}\" (best matches {})", words.join(" "), hooks.join(", ")),
        };
        let attach = match e.attach {
            Attach::Yes => "attaches",
            Attach::LoadOnly => "loads only",
            Attach::No => "refused",
            Attach::Unknown => "unknown",
        };
        s.push_str(&format!("{:<48} {attach:<10}  {why}\n", e.probe));
    }
    s.push_str(&format!("{}\n", g.servable));
    s
}
