//! `kgent gen`: retrieve, prompt, generate, check, feed back; print the program and a report.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::cli::GenArgs;
use crate::kernel::{Catalog, Hook};
use crate::llm::{Chat, GenerateOptions};
use crate::obj::Target;
use crate::retrieve::corpus::Example;
use crate::retrieve::{host_tool_dirs, index::Location, Hit, Kind, Searcher};
use crate::store::home_dir;
use crate::synth::{self, prompt, Attempt, GenOptions, HostChecker};

/// Everything `kgent gen --json` reports.
#[derive(Debug, Serialize)]
pub struct GenReport {
    pub request: String,
    pub target: Target,
    pub passed: bool,
    pub program: Option<String>,
    pub model: String,
    pub model_sha256: String,
    pub index_version: String,
    pub kernel: String,
    pub examples: Vec<String>,
    pub hooks: Vec<String>,
    /// What the model said the request asks (with `--check-properties`).
    pub properties: Option<crate::comprehend::Properties>,
    pub options: GenOptions,
    pub attempts: Vec<Attempt>,
    pub seconds: Timings,
}

#[derive(Debug, Default, Serialize)]
pub struct Timings {
    pub retrieve: f64,
    pub comprehend: f64,
    pub load_model: f64,
    pub prefill: f64,
    pub decode: f64,
    pub checks: f64,
    pub total: f64,
}

/// Retrieves the prompt context: the closest examples whose probes work on this host (those in the
/// target language first; a small model copies what it sees, kprobes included) and hooks.
pub fn context(searcher: &Searcher, catalog: &Catalog, request: &str, target: Target) -> Result<(Vec<Example>, Vec<Hook>)> {
    let mut examples: Vec<Example> = searcher
        .search(request, Kind::Examples, 8)?
        .into_iter()
        .filter_map(|h| match h {
            Hit::Example { example, .. } => Some(example),
            _ => None,
        })
        .filter(|e| crate::verify::hooks::check(&e.probes, catalog, &mut |_| vec![]).is_ok())
        .collect();
    examples.sort_by_key(|e| e.target != target); // stable: keeps rank within each language
                                                  // A C example is a whole file, and given two the 1.5B writes both programs into one object
                                                  // (openat and unlink handlers for an openat request); one is enough to copy the conventions.
    examples.truncate(match target {
        Target::Bpftrace => 2,
        Target::Libbpf => 1,
    });
    let hooks = searcher
        .search(request, Kind::Hooks, 4)?
        .into_iter()
        .filter_map(|h| match h {
            Hit::Hook { hook, .. } => Some(hook),
            _ => None,
        })
        .collect();
    Ok((examples, hooks))
}

/// What generation needs from this host, opened once (an eval reuses it for every request).
pub struct Host {
    pub home: std::path::PathBuf,
    pub catalog: Catalog,
    pub searcher: Searcher,
}

impl Host {
    pub fn open() -> Result<Host> {
        let home = home_dir()?;
        let bar = super::spinner("reading this host's hooks");
        let catalog = Catalog::load_or_build(&home, false)?;
        bar.set_message("opening the index");
        let searcher = Searcher::open(&Location { home: home.clone() }, &host_tool_dirs(), &mut |why| bar.set_message(format!("building the index ({why})")))?;
        bar.finish_and_clear();
        Ok(Host { home, catalog, searcher })
    }
}

/// One request through the whole pipeline: retrieve, prompt, generate, check, feed back.
pub fn generate(
    host: &Host,
    loaded: &mut super::LoadedModel,
    request: &str,
    opts: &GenOptions,
    on_text: &mut dyn FnMut(&str),
    on_status: &mut dyn FnMut(&str),
) -> Result<GenReport> {
    let start = Instant::now();
    let (examples, hooks) = context(&host.searcher, &host.catalog, request, opts.target)?;
    let retrieve = start.elapsed().as_secs_f64();
    let shots = prompt::shots(opts.target, &examples);
    // With worked examples in front of it, a small model takes a listed hook's name for a hint to
    // use it, even a poor match ("kyber_latency" for run-queue latency): list hooks only without.
    let listed: &[Hook] = if shots.is_empty() { &hooks } else { &[] };
    let first_prompt = prompt::user_prompt(request, opts.target, listed);
    // Comprehension reads the request alone, in its own conversation, before any program exists.
    let t = Instant::now();
    let mut opts = opts.clone();
    if opts.comprehend && opts.properties.is_none() {
        on_status("comprehending the request");
        let mut chat = Chat::new(&mut loaded.model, Some(crate::comprehend::SYSTEM))?;
        let c = crate::comprehend::comprehend(&mut chat, request, &GenerateOptions { max_tokens: 160, ..GenerateOptions::default() })?;
        if !c.dropped.is_empty() {
            on_status(&format!("properties left out, as the request does not say so: {}", c.dropped.join("; ")));
        }
        opts.properties = c.properties;
    }
    let comprehend = t.elapsed().as_secs_f64();
    let opts = &opts;
    let mut chat = Chat::new(&mut loaded.model, Some(prompt::system_prompt(opts.target)))?;
    let mut checker = HostChecker::new(&host.catalog, &host.searcher, host.home.clone());
    let outcome = synth::synthesize(&mut chat, &mut checker, &shots, &first_prompt, opts, on_text, on_status)?;
    let best = outcome.best().cloned();
    let sum = |f: fn(&Attempt) -> f64| outcome.attempts.iter().map(f).sum::<f64>();
    Ok(GenReport {
        request: request.to_string(),
        target: opts.target,
        passed: outcome.passed,
        program: best.as_ref().map(|a| a.program.clone()),
        model: loaded.resolved.name.clone(),
        model_sha256: loaded.resolved.sha256()?,
        index_version: host.searcher.version.clone(),
        kernel: host.catalog.key.release.clone(),
        examples: examples.iter().map(|e| e.id.clone()).collect(),
        hooks: hooks.iter().map(|h| h.probe.clone()).collect(),
        properties: opts.properties.clone(),
        options: opts.clone(),
        seconds: Timings {
            retrieve,
            comprehend,
            load_model: loaded.load_time.as_secs_f64(),
            prefill: sum(|a| a.seconds.prefill),
            decode: sum(|a| a.seconds.decode),
            checks: sum(|a| a.seconds.hooks + a.seconds.compile + a.seconds.symbolic + a.seconds.kernel),
            total: start.elapsed().as_secs_f64(),
        },
        attempts: outcome.attempts,
    })
}

/// Options from the flags shared by `gen` and `eval`.
pub fn options(target: Target, rounds: usize, allow_unsafe: bool, max_tokens: Option<usize>, seed: u64, temperature: f64, comprehend: bool) -> GenOptions {
    let mut opts = GenOptions::new(target);
    opts.comprehend = comprehend;
    opts.rounds = rounds.max(1);
    opts.allow_unsafe = allow_unsafe;
    if let Some(n) = max_tokens {
        opts.generate.max_tokens = n;
    }
    opts.generate = GenerateOptions { seed, temperature, ..opts.generate };
    opts
}

pub fn run(args: GenArgs) -> Result<ExitCode> {
    let opts = options(args.target, args.rounds, args.allow_unsafe, args.max_tokens, args.seed, args.temperature, args.check_properties);
    if args.run {
        crate::run::preflight(args.run_flags.yes)?;
    }
    let host = Host::open()?;
    let mut loaded = super::load_model(&args.model)?;
    let status = super::spinner("generating");
    // The latest line of the model's text, shown on the status line; reset at each stage.
    let line = std::cell::RefCell::new(String::new());
    let mut report = generate(
        &host,
        &mut loaded,
        &args.request,
        &opts,
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
    report.seconds.total += loaded.load_time.as_secs_f64();

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
    if !report.passed {
        if args.run {
            eprintln!("kgent gen: not running it: only a program that passed every check is run");
        }
        return Ok(ExitCode::from(1));
    }
    // The model (gigabytes) and the index's file watcher have no part in running the program.
    drop(loaded);
    drop(host);
    match (&report.program, args.run) {
        (Some(program), true) => {
            let prepared = crate::run::prepare(program, args.target, &home_dir()?)?;
            super::run::execute(&prepared, "the generated program", &args.run_flags, args.json)
        }
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
    if r.passed {
        s.push_str(&format!("\nkgent gen: passed every check in {n} round{}\n", if n == 1 { "" } else { "s" }));
    } else {
        s.push_str(&format!("\nkgent gen: no program passed every check in {n} rounds; the best attempt is shown\n"));
    }
    for a in &r.attempts {
        let c = &a.checks;
        let mut parts = Vec::new();
        if let Some(v) = &c.safety {
            parts.push(format!("safety {}", mark(matches!(v, synth::SafetyVerdict::Ok))));
        }
        if let Some(v) = &c.hooks {
            parts.push(format!("hooks {}", mark(v.is_ok())));
        }
        if let Some(v) = &c.compile {
            parts.push(format!("compile {}", mark(v.is_ok())));
        }
        if let Some(v) = &c.symbolic {
            parts.push(format!("properties {}", mark(v.counterexample().is_none())));
        }
        match &c.kernel {
            Some(crate::verify::kernel::KernelVerdict::NeedsPrivilege { .. }) => parts.push("kernel verifier not run (needs root)".into()),
            Some(v) => parts.push(format!("kernel verifier {}", mark(v.is_ok()))),
            None => {}
        }
        s.push_str(&format!("  round {}: {} ({} tokens)\n", a.round, parts.join(", "), a.generated_tokens));
        if let Some(fb) = &a.feedback {
            for line in fb.lines().take(4) {
                s.push_str(&format!("      > {line}\n"));
            }
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
    s.push_str(&format!(
        "  model {} ({}), index {}, kernel {}\n  seconds: retrieve {:.2}, load {:.1}, comprehend {:.1}, prefill {:.1}, decode {:.1}, checks {:.1}, total {:.1}\n",
        r.model,
        &r.model_sha256[..12.min(r.model_sha256.len())],
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
