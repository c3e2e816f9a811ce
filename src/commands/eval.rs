//! `kgent eval`: `gen` over a corpus, one JSON line per request, and a summary table.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::gen::open_host;
use crate::cli::EvalArgs;
use crate::eval::{score, summarise, Record, TriggerOutcome};
use crate::obj::Target;
use crate::pipeline::{Session, Settings};
use crate::retrieve::quality::{eval_requests, parse_requests};
use crate::run::trigger::{check, Trigger};
use crate::verify::kernel::KernelVerdict;
use std::path::Path;
use std::time::Duration;

fn read_records(path: &std::path::Path) -> Result<Vec<Record>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        // A line cut short by an interrupted run is skipped (and redone with --resume).
        match serde_json::from_str(&line) {
            Ok(r) => out.push(r),
            Err(e) => eprintln!("kgent: warning: {}:{}: skipped an unreadable line ({e})", path.display(), i + 1),
        }
    }
    Ok(out)
}

/// Runs a program that passed every check while its trigger fires; a run that cannot even start
/// (compile or attach failure) is an outcome, not an error of the eval.
fn run_trigger(program: Option<&str>, target: Target, trigger: &Trigger, duration: Duration, home: &Path) -> TriggerOutcome {
    let Some(program) = program else {
        return TriggerOutcome { ran: false, matched: false, error: Some("no program passed every check".into()), output_tail: String::new() };
    };
    let verdict = crate::run::prepare(program, target, home).and_then(|p| check(&p.runnable, trigger, duration));
    match verdict {
        Ok(v) => TriggerOutcome { ran: true, matched: v.matched, error: v.error, output_tail: v.output_tail },
        Err(e) => TriggerOutcome { ran: true, matched: false, error: Some(e.to_string()), output_tail: String::new() },
    }
}

pub fn run(args: EvalArgs) -> Result<ExitCode> {
    if args.run_triggers {
        // Checked before the model loads: attaching needs root, and eval asks nobody.
        crate::run::preflight(true)?;
    }
    let requests = corpus(args.corpus.as_deref())?;
    // Every request is checked before the model loads: one bad line must not end a long run.
    for r in &requests {
        crate::pipeline::check_request(&r.request).map_err(|e| anyhow::anyhow!("request {}: {e}", r.id))?;
    }
    if args.resume && args.jsonl.is_none() {
        bail!("--resume needs --jsonl FILE to know what was already done");
    }
    let done: HashSet<String> = match (&args.jsonl, args.resume) {
        (Some(p), true) => read_records(p)?.into_iter().map(|r| r.id).collect(),
        _ => HashSet::new(),
    };
    let todo: Vec<_> = requests.iter().enumerate().filter(|(i, _)| args.shard.is_none_or(|s| s.takes(*i))).filter(|(_, r)| !done.contains(&r.id)).map(|(_, r)| r).collect();
    let mut out = match &args.jsonl {
        Some(p) => {
            Some(std::fs::OpenOptions::new().create(true).append(args.resume).write(true).truncate(!args.resume).open(p).with_context(|| format!("opening {}", p.display()))?)
        }
        None => None,
    };

    let settings_for = |target| Settings {
        target,
        rounds: args.rounds,
        seed: args.seed,
        comprehend: if args.check_properties { crate::comprehend::Source::Model } else { args.properties },
        grammar: crate::pipeline::GrammarUse::from_flags(args.grammar, args.no_grammar),
        plan: !args.no_plan,
        ..Settings::default()
    };
    let mut records = Vec::new();
    // Nothing left to run (a finished --resume): summarise without loading anything.
    // The model loads when a request first needs it (refusals and programs written from the
    // plan do not).
    let mut session = if todo.is_empty() { None } else { Some(Session::new(open_host()?, None, super::progress::model_opener(&args.model)?)) };
    for (n, req) in todo.iter().enumerate() {
        let session = session.as_mut().expect("loaded when there is work");
        let bar = super::progress::spinner(format!("[{}/{}] {}", n + 1, todo.len(), req.id));
        let target = req.target.unwrap_or(args.target);
        let report = session.generate(&req.request, &settings_for(target), &mut |_| {}, &mut |s| bar.set_prefix(format!("{s} ")))?;
        bar.finish_and_clear();
        // The same attempt whose program the report carries.
        let best = crate::synth::best(&report.attempts);
        let checks = best.map(|a| &a.checks);
        let program = report.program.clone().unwrap_or_default();
        let trigger = match req.trigger().filter(|_| args.run_triggers) {
            Some(trigger) => Some(run_trigger(report.runnable().then_some(program.as_str()), target, &trigger, args.trigger_duration, &session.host.home)),
            None => None,
        };
        if let Some(sig) = crate::run::signalled() {
            // The run was cut short, so this request is not recorded; --resume redoes it.
            eprintln!("kgent eval: stopped by signal {sig} after {n} of {} requests; `--resume` with the same --jsonl goes on", todo.len());
            return Ok(ExitCode::from((128 + sig) as u8));
        }
        let record = Record {
            id: req.id.clone(),
            request: req.request.clone(),
            target,
            // The model that wrote the program; empty when none was needed (a refusal, or a
            // program written from the plan).
            model: report.model.clone(),
            model_sha256: report.model_sha256.clone(),
            index_version: report.index_version.clone(),
            hooks_ok: checks.and_then(|c| c.hooks.as_ref()).is_some_and(|v| v.is_ok()),
            compiled: checks.and_then(|c| c.compile.as_ref()).is_some_and(|v| v.is_ok()),
            kernel_verified: checks.and_then(|c| c.kernel.as_ref()).is_some_and(|v| matches!(v, KernelVerdict::Accepted { .. })),
            rubric: score(req, &program, target),
            rounds: report.attempts.len(),
            seconds: report.seconds.total,
            trigger,
            outcome: report.grounding.servable.name().to_string(),
            expected_outcome: req.outcome.clone(),
            grounded: report.grounding.events.iter().map(|e| e.probe.clone()).collect(),
            confirmed: report.confirmed,
            properties_unknown: checks.and_then(|c| c.symbolic.as_ref()).is_some_and(|r| !r.unknown().is_empty()),
            sent_back_by_properties: report.attempts.iter().filter(|a| a.checks.symbolic.as_ref().is_some_and(|r| r.counterexample().is_some())).count(),
            grammar: report.options.generate.grammar.is_some(),
            rejections: report.attempts.iter().filter_map(|a| crate::eval::rejection(&a.checks)).map(String::from).collect(),
            written_by: best.map(|a| a.written_by).unwrap_or_default(),
            program: report.program,
        };
        eprintln!(
            "{:<24} {:<8} {:<8} {:<8} {:>2} rounds {:>6.1} s{}",
            record.id,
            if record.compiled { "compiled" } else { "-" },
            if record.kernel_verified { "verified" } else { "-" },
            if record.rubric.passed { "rubric" } else { "-" },
            record.rounds,
            record.seconds,
            match &record.trigger {
                Some(t) if t.matched => "  trigger seen",
                Some(t) if t.ran => "  trigger NOT seen",
                Some(_) => "  trigger not run",
                None => "",
            }
        );
        if let Some(f) = out.as_mut() {
            writeln!(f, "{}", serde_json::to_string(&record)?)?;
            f.flush()?;
        }
        records.push(record);
    }
    // With a JSONL file the summary covers all of it, resumed lines included.
    let all = match &args.jsonl {
        Some(p) => read_records(p)?,
        None => records,
    };
    let summary = summarise(&all);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The requests of the corpus at `path`; without one, ours (`dataset/eval/requests.toml`).
pub(crate) fn corpus(path: Option<&std::path::Path>) -> Result<Vec<crate::retrieve::quality::EvalRequest>> {
    let Some(path) = path else { return Ok(eval_requests()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_requests(&text).with_context(|| format!("{} is not a corpus like dataset/eval/requests.toml", path.display()))
}
