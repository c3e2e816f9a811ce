//! `kgent verify PROGRAM`: the safety gate on the compiled program, then every path of it against a
//! request's properties.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::cli::VerifyArgs;
use crate::comprehend::{self, Properties, SYSTEM};
use crate::llm::{Chat, GenerateOptions};
use crate::store::home_dir;
use crate::verify::compile::{compile, CompileVerdict};
use crate::verify::safety::{self, Allowed, SafetyVerdict};
use crate::verify::symbolic::{self, Verdict};

#[derive(Serialize)]
struct Report {
    properties: Properties,
    /// What the program does to the system besides observing it; an unsafe program's paths are
    /// not checked further.
    gate: SafetyVerdict,
    #[serde(flatten)]
    report: Option<symbolic::Report>,
    seconds: f64,
}

/// The compiled object (none when bpftrace refused it in safe mode) and the safety gate's verdict
/// on it, in the places of the user's file.
fn gated_object(path: &std::path::Path, allow_unsafe: bool) -> Result<(Option<Vec<u8>>, SafetyVerdict)> {
    let object = match crate::obj::file::read(path, true)? {
        crate::obj::file::ProgramFile::Object(object) => object,
        crate::obj::file::ProgramFile::Source { target, text } => match compile(target, &text, &home_dir()?, allow_unsafe)? {
            CompileVerdict::Compiled { object, .. } => object,
            CompileVerdict::Failed { diagnostics } => {
                let gate = safety::of_failed_compile(&diagnostics);
                if gate == SafetyVerdict::Ok {
                    // The first lines say why; a file of thousands of errors needs no more.
                    let head: Vec<&str> = diagnostics.lines().take(20).collect();
                    let more = diagnostics.lines().count().saturating_sub(20);
                    let tail = if more > 0 { format!("\n… and {more} more lines") } else { String::new() };
                    bail!("{} does not compile:\n{}{tail}", path.display(), head.join("\n"))
                }
                return Ok((None, gate.in_file(&path.display().to_string())));
            }
        },
    };
    let gate = safety::check_object(&object, Allowed::everything(allow_unsafe)).in_file(&path.display().to_string());
    Ok((Some(object), gate))
}

fn properties(args: &VerifyArgs) -> Result<Properties> {
    if let Some(path) = &args.props {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return text.parse().with_context(|| format!("{} is not a property file", path.display()));
    }
    let Some(request) = &args.request else { bail!("say what the program should do: --request \"…\" or --props FILE") };
    crate::pipeline::check_request(request).map_err(anyhow::Error::msg)?;
    let mut loaded = super::progress::load_model(&args.model)?;
    let mut chat = Chat::new(&mut loaded.model, Some(SYSTEM))?;
    let c = comprehend::comprehend(&mut chat, request, &GenerateOptions { max_tokens: 160, ..GenerateOptions::default() })?;
    match c.properties {
        Some(p) => {
            eprint!("kgent verify: the request as properties:\n{p}");
            if !c.dropped.is_empty() {
                eprintln!("kgent verify: left out, as the request does not say so: {}", c.dropped.join("; "));
            }
            Ok(p)
        }
        None => bail!("the model's properties did not parse in {} tries: {}", c.tries.len(), c.tries.last().and_then(|t| t.error.clone()).unwrap_or_default()),
    }
}

fn show(v: &Verdict) -> String {
    match v {
        Verdict::Proved => "proved".into(),
        Verdict::Counterexample { message, values, .. } => {
            let at = v.location().map(|l| format!(" at {l}")).unwrap_or_default();
            let vals: Vec<String> = values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let eg = if vals.is_empty() { String::new() } else { format!(", e.g. {}", vals.join(", ")) };
            format!("COUNTEREXAMPLE{at}: {message}{eg}")
        }
        Verdict::Unknown { reason } => format!("unknown ({reason})"),
    }
}

pub fn run(args: VerifyArgs) -> Result<ExitCode> {
    let (object, gate) = gated_object(&args.program, args.allow_unsafe)?;
    let props = properties(&args)?;
    let start = std::time::Instant::now();
    let report = match (&object, &gate) {
        (Some(object), SafetyVerdict::Ok) => Some(symbolic::verify(object, &props, &symbolic::Tracefs::host())?),
        _ => None,
    };
    let failed = gate != SafetyVerdict::Ok || report.as_ref().is_some_and(|r| r.counterexample().is_some());
    let out = Report { properties: props, gate, report, seconds: start.elapsed().as_secs_f64() };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        match out.gate.refusal() {
            None => println!("{:<10} ok: it calls nothing that acts on the system", "gate:"),
            Some(refusal) => {
                for line in refusal.lines() {
                    println!("{:<10} REFUSED: {line}", "gate:");
                }
            }
        }
        for p in out.report.iter().flat_map(|r| &r.programs) {
            println!("{} ({}, {} paths)", p.section, p.probe.as_deref().unwrap_or("no probe"), p.paths);
        }
        for c in out.report.iter().flat_map(|r| &r.checks) {
            let on = c.section.as_deref().map(|s| format!(" [{s}]")).unwrap_or_default();
            println!("{:<10} {}{on}", format!("{}:", c.property), show(&c.verdict));
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
