//! `kgent gen`: retrieve, prompt, generate, check, feed back; print the program and a report.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::GenArgs;
use crate::pipeline::{GenReport, Host, Session, Settings};
use crate::store::home_dir;

/// Exit code when this host cannot serve the request as asked (an event only kernel functions
/// implement on a kernel that does not attach them, an absent subsystem, no PMU, no such event).
pub const EXIT_CANNOT_HERE: u8 = 3;

/// Exit code for a program that passed every check that ran, where the checks did not cover the
/// whole request (`confirmed: false`; the report lists what they left out).
pub const EXIT_UNCONFIRMED: u8 = 4;

/// The settings of `gen`'s flags.
pub fn settings(args: &GenArgs) -> Settings {
    Settings {
        target: args.target,
        rounds: args.rounds,
        allow_unsafe: args.run_flags.allow_unsafe,
        max_tokens: args.max_tokens,
        seed: args.seed,
        temperature: args.temperature,
        comprehend: if args.check_properties { crate::comprehend::Source::Model } else { args.properties },
        grammar: crate::pipeline::GrammarUse::from_flags(args.grammar, args.no_grammar),
        plan: !args.no_plan,
        ..Settings::default()
    }
}

/// The host's catalog and index, opened behind a spinner.
pub fn open_host() -> Result<Host> {
    let bar = super::progress::spinner("reading this host's hooks");
    let host = Host::open(&mut |stage| bar.set_message(stage.to_string()))?;
    bar.finish_and_clear();
    Ok(host)
}

pub fn run(args: GenArgs) -> Result<ExitCode> {
    crate::pipeline::check_request(&args.request).map_err(anyhow::Error::msg)?;
    let settings = settings(&args);
    if args.run {
        crate::run::preflight(args.run_flags.yes)?;
    }
    let host = open_host()?;
    // A request this host cannot serve is answered before the model is loaded (seconds, for
    // the 1.5B).
    if let Some(report) = host.refusal(&args.request, &settings)? {
        return finish(&args, report, None);
    }
    let mut session = Session::new(host, None, super::progress::model_opener(&args.model)?);
    let status = super::progress::spinner("generating");
    // The latest line of the model's text, shown on the status line; reset at each stage.
    let line = std::cell::RefCell::new(String::new());
    let mut report = session.generate(
        &args.request,
        &settings,
        &mut |piece| {
            let mut line = line.borrow_mut();
            line.push_str(piece);
            if let Some(last) = line.rsplit('\n').next() {
                status.set_message(last.chars().take(70).collect::<String>());
            }
        },
        &mut |s| {
            line.borrow_mut().clear();
            status.set_prefix(format!("{s}: "));
            status.set_message("");
        },
    )?;
    status.finish_and_clear();
    report.seconds.total += report.seconds.load_model;
    finish(&args, report, Some(session))
}

/// Writes, prints and (when asked and allowed) runs what `gen` produced.
fn finish(args: &GenArgs, report: GenReport, session: Option<Session>) -> Result<ExitCode> {
    if let (Some(path), Some(program)) = (&args.output, &report.program) {
        std::fs::write(path, program).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        if args.output.is_none() {
            if let Some(p) = &report.program {
                print!("{p}");
                std::io::stdout().flush()?;
            }
        }
        eprint!("{}", render(&report));
    }
    if !report.grounding.servable.is_here() {
        if args.run {
            eprintln!("kgent gen: not running anything: {}", report.grounding.servable);
        }
        return Ok(ExitCode::from(EXIT_CANNOT_HERE));
    }
    if !report.passed {
        if args.run {
            eprintln!("kgent gen: not running it: only a program that passed every check is run");
        }
        return Ok(ExitCode::from(1));
    }
    // The model (gigabytes) and the index's file watcher have no part in running the program.
    drop(session);
    match (&report.program, args.run) {
        (Some(program), true) => {
            let prepared = crate::run::prepare(program, args.target, &home_dir()?)?;
            super::run::execute(&prepared, "the generated program", report.options.allowed.packets, &args.run_flags, args.json)
        }
        // Passed every check that ran, but something the request says went unchecked: on
        // requests nobody tuned for, most such programs answered another question. Scripts and
        // agents see it in the status, not only in the text.
        _ if !report.confirmed => Ok(ExitCode::from(EXIT_UNCONFIRMED)),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "FAILED"
    }
}

/// The human report, on stderr.
pub fn render(r: &GenReport) -> String {
    let mut s = String::new();
    let n = r.attempts.len();
    if !r.grounding.servable.is_here() {
        s.push_str(&format!("\nkgent gen: this host cannot do that as asked: {}\n", r.grounding.servable));
        if let (Some(_), true) = (&r.program, r.passed) {
            s.push_str("  the program above is for the right hook: it compiles and the kernel verifier loads it, but it cannot attach on this host\n");
        }
        if !r.alternatives.is_empty() {
            s.push_str(&format!("  closest hooks that do work here (a different question, not an answer): {}\n", r.alternatives.join(", ")));
        }
    } else if r.passed && !r.unchecked.is_empty() {
        s.push_str(&format!(
            "\nkgent gen: passed every check in {n} round{}, but the checks did not cover the whole request, so it is not confirmed; read the program for:\n",
            if n == 1 { "" } else { "s" }
        ));
        for u in &r.unchecked {
            s.push_str(&format!("  - {u}\n"));
        }
    } else if r.passed && r.attempts.last().is_some_and(|a| a.written_by == crate::synth::WrittenBy::Plan) {
        s.push_str("\nkgent gen: confirmed: passed every check, against every word of the request; written from the request's plan, without the model\n");
    } else if r.passed {
        s.push_str(&format!("\nkgent gen: confirmed: passed every check in {n} round{}, against every word of the request\n", if n == 1 { "" } else { "s" }));
    } else {
        s.push_str(&format!("\nkgent gen: no program passed every check in {n} rounds; the best attempt is shown\n"));
    }
    for a in &r.attempts {
        let c = &a.checks;
        let mut parts = Vec::new();
        if let Some(v) = &c.hooks {
            parts.push(format!("hooks {}", mark(v.is_ok())));
        }
        if let Some(v) = &c.plan {
            parts.push(format!("reading {}", mark(v.is_ok())));
        }
        let safe = c.safety.as_ref().map(|v| matches!(v, crate::verify::safety::SafetyVerdict::Ok));
        // bpftrace refusing an unsafe builtin is the gate's verdict, not a compile error.
        if let (Some(v), false) = (&c.compile, safe == Some(false) && !c.compile.as_ref().is_some_and(|v| v.is_ok())) {
            parts.push(format!("compile {}", mark(v.is_ok())));
        }
        if let Some(ok) = safe {
            parts.push(format!("safety {}", mark(ok)));
        }
        if let Some(v) = &c.symbolic {
            let unknown: Vec<String> = v.unknown().iter().map(|f| f.property.to_string()).collect();
            parts.push(match (v.counterexample(), unknown.is_empty()) {
                (Some(_), _) => "properties FAILED".to_string(),
                (None, true) => "properties proved".to_string(),
                (None, false) => format!("properties not refuted, {} unknown", unknown.join(", ")),
            });
        }
        match &c.kernel {
            Some(crate::verify::kernel::KernelVerdict::NeedsPrivilege { .. }) => parts.push("kernel verifier not run (needs root)".into()),
            Some(v) => parts.push(format!("kernel verifier {}", mark(v.is_ok()))),
            None => {}
        }
        match a.written_by {
            crate::synth::WrittenBy::Plan => s.push_str(&format!("  plan: {}\n", parts.join(", "))),
            crate::synth::WrittenBy::Model => s.push_str(&format!("  round {}: {} ({} tokens)\n", a.round, parts.join(", "), a.generated_tokens)),
        }
        for fix in &a.fixed {
            s.push_str(&format!("      fixed before checking: {fix}\n"));
        }
        if let Some(fb) = &a.feedback {
            for line in fb.lines().take(4) {
                s.push_str(&format!("      > {line}\n"));
            }
        }
    }
    if let Some(reading) = &r.reading {
        for line in super::ground::render_reading(reading).lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(p) = &r.properties {
        let lines: Vec<String> = p.to_string().lines().map(String::from).collect();
        s.push_str(&format!("  the request as properties: {}\n", lines.join("; ")));
    }
    if let Some(crate::verify::kernel::KernelVerdict::NeedsPrivilege { message }) = r.attempts.last().and_then(|a| a.checks.kernel.as_ref()) {
        s.push_str(&format!("  {message}\n"));
    }
    let t = &r.seconds;
    if r.model.is_empty() {
        let from = if r.attempts.is_empty() { "decided from this host's catalog" } else { "written from the plan" };
        s.push_str(&format!("  {from}, no model needed: index {}, kernel {}, {:.2} s\n", r.index_version, r.kernel, t.total));
        return s;
    }
    s.push_str(&format!(
        "  model {} ({}), index {}, kernel {}\n  seconds: retrieve {:.2}, load {:.1}, comprehend {:.1}, prefill {:.1}, decode {:.1}, checks {:.1}, total {:.1}\n",
        r.model,
        if r.model_sha256.is_empty() { "on the model server" } else { &r.model_sha256[..12.min(r.model_sha256.len())] },
        r.index_version,
        r.kernel,
        t.retrieve,
        t.load_model,
        t.comprehend,
        t.prefill,
        t.decode,
        t.checks,
        t.total
    ));
    s
}
