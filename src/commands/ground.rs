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
    let reading = crate::plan::read(&args.request, &grounding, &host.catalog);
    let properties = crate::pipeline::properties_of(&args.request, &reading);
    let program = reading.complete().map(crate::plan::emit::bpftrace);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "request": args.request, "grounding": grounding, "reading": reading, "properties": properties, "program": program })
            )?
        );
    } else {
        print!("{}", render(&grounding));
        print!("{}", render_reading(&reading));
        let lines: Vec<String> = properties.map(|p| p.to_string()).unwrap_or_default().lines().map(String::from).collect();
        if !lines.is_empty() {
            println!("properties every program is checked against: {}", lines.join("; "));
        }
        if let (Some(program), true) = (program, args.program) {
            println!("\n{program}");
        }
    }
    Ok(if grounding.servable.is_here() { ExitCode::SUCCESS } else { ExitCode::from(super::gen::EXIT_CANNOT_HERE) })
}

/// What the plan reader made of the request, and what it could not settle.
pub fn render_reading(r: &crate::plan::Reading) -> String {
    let mut s = String::new();
    match (&r.plan, r.complete()) {
        (Some(p), Some(_)) => s.push_str(&format!("read as: {p}\n")),
        (Some(p), None) => s.push_str(&format!("read in part as: {p}\n")),
        (None, _) => {}
    }
    for g in &r.gaps {
        s.push_str(&format!("not settled: {g}\n"));
    }
    if !r.unread.is_empty() {
        s.push_str(&format!("words not read: {}\n", r.unread.join(", ")));
    }
    s
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
            Evidence::Fields { fields, hooks } => format!("its record holds the values listed: {} (in {})", fields.join(", "), hooks.join(", ")),
            Evidence::Sampling { words, hz } => format!("CPU samples, {hz} a second on every CPU: \"{}\"", words.join(" ")),
        };
        let attach = match e.attach {
            Attach::Yes => "attaches",
            Attach::LoadOnly => "loads only",
            Attach::No => "refused",
            Attach::Unknown => "unknown",
        };
        s.push_str(&format!("{:<48} {attach:<10}  {why}\n", e.probe));
    }
    // Not a probe traced all the same ("open() got slow. Count openat() per process.").
    let told: Vec<&str> = g.told.iter().map(|e| e.probe.as_str()).filter(|p| !g.events.iter().any(|e| e.probe == *p)).collect();
    if !told.is_empty() {
        s.push_str(&format!("left out (the story, the setting, or said not to be meant): {}\n", told.join(", ")));
    }
    s.push_str(&format!("{}\n", g.servable));
    s
}
