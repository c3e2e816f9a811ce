//! `kgent verify PROGRAM`: the safety gate on the compiled program, then every path of it against a
//! request's properties.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::cli::VerifyArgs;
use crate::comprehend::{Properties, Source};
use crate::obj::file::ProgramFile;
use crate::pipeline::ReadRequest;
use crate::plan::check::PlanVerdict;
use crate::store::home_dir;
use crate::verify::check_program;
use crate::verify::hooks::HookVerdict;
use crate::verify::symbolic::Verdict;

fn properties(args: &VerifyArgs, read: Option<&ReadRequest>) -> Result<Properties> {
    if let Some(path) = &args.props {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return text.parse().with_context(|| format!("{} is not a property file", path.display()));
    }
    let (Some(request), Some(read)) = (&args.request, read) else { bail!("say what the program should do: --request \"…\" or --props FILE") };
    match args.properties {
        Source::Off => Ok(Properties::default()),
        Source::Words => match read.properties() {
            Some(p) => {
                eprint!("kgent verify: the request as properties (from its words):\n{p}");
                Ok(p)
            }
            None => {
                eprintln!("kgent verify: the request's words state no property a path could break; --properties model has the model restate it");
                Ok(Properties::default())
            }
        },
        Source::Model => {
            let mut loaded = super::progress::load_model(&args.model)?;
            let c = loaded.comprehend(request)?;
            match c.properties {
                Some(p) => {
                    eprint!("kgent verify: the request as properties (from the model):\n{p}");
                    if !c.dropped.is_empty() {
                        eprintln!("kgent verify: left out, as the request does not say so: {}", c.dropped.join("; "));
                    }
                    Ok(p)
                }
                None => bail!("the model's properties did not parse in {} tries: {}", c.tries.len(), c.tries.last().and_then(|t| t.error.clone()).unwrap_or_default()),
            }
        }
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
    let name = args.program.display().to_string();
    let program = crate::obj::file::read(&args.program, true)?;
    if let Some(request) = &args.request {
        crate::pipeline::check_request(request).map_err(anyhow::Error::msg)?;
    }
    // A request is read against this host (grounding, the reading); property files are not.
    let host = if args.props.is_none() && args.request.is_some() { Some(super::gen::open_host()?) } else { None };
    let read = match (&host, &args.request) {
        (Some(host), Some(request)) => Some(host.read_request(request)?),
        _ => None,
    };
    let props = properties(&args, read.as_ref())?;
    let held = match (&host, &read, &program) {
        (Some(host), Some(read), ProgramFile::Source { target, text }) => Some(host.hold(read, text, *target)),
        _ => None,
    };
    let mut out = match check_program(program, &name, &props, args.allow_unsafe, &home_dir()?) {
        Ok(out) => out,
        Err(e) => {
            // A probe this host lacks is why most brought programs fail to compile: say so first.
            if let Some(HookVerdict::Problems { problems }) = held.as_ref().map(|h| &h.hooks) {
                for p in problems {
                    eprintln!("kgent verify: {}: {}{}", p.probe, p.reason, if p.suggestions.is_empty() { String::new() } else { format!(" (here: {})", p.suggestions.join(", ")) });
                }
            }
            return Err(e.into());
        }
    };
    out.request = held;
    let failed = out.failed();
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
        if let Some(r) = &out.request {
            match &r.hooks {
                HookVerdict::Ok { .. } if r.grounded.is_empty() => println!("{:<10} ok: its probes work here (the request names no event precisely)", "event:"),
                HookVerdict::Ok { .. } => println!("{:<10} ok: it traces what the request is about ({})", "event:", r.grounded.join(", ")),
                HookVerdict::Problems { problems } => {
                    for p in problems {
                        println!("{:<10} FAILED: {}: {}", "event:", p.probe, p.reason);
                    }
                }
            }
            match &r.reading {
                Some(PlanVerdict::Ok) => println!("{:<10} ok: it reads what the request's words settled", "request:"),
                Some(PlanVerdict::Missing { missing }) => {
                    for m in missing {
                        println!("{:<10} FAILED: {m}", "request:");
                    }
                }
                None => {}
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
