//! Synthesis: ask the model for a program, check it, feed every failure back into the same
//! conversation (its KV cache kept), for a bounded number of rounds.
//!
//! The checks run in order and stop at the first failure: the program is safe to check (no unsafe
//! builtins unless allowed), its probes exist and attach here, it compiles, and the kernel
//! verifier accepts it. Each failure is a verdict with evidence, turned into short feedback.

pub mod extract;
pub mod prompt;

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::kernel::Catalog;
use crate::llm::{Conversation, GenerateOptions, LlmError};
use crate::obj::source::{bpftrace_probes, c_probes};
use crate::obj::Target;
use crate::retrieve::{Hit, Kind, Searcher};
use crate::verify::compile::{self, CompileError, CompileVerdict};
use crate::verify::hooks::{self, HookVerdict};
use crate::verify::kernel::{KernelVerdict, LoadError};
use crate::verify::symbolic::{Platform, Property, Report, Tracefs, Verdict};

/// How to generate.
#[derive(Debug, Clone, Serialize)]
pub struct GenOptions {
    pub target: Target,
    /// Most model replies to try, the first included.
    pub rounds: usize,
    /// Allow bpftrace's unsafe builtins (system, signal, override).
    pub allow_unsafe: bool,
    pub generate: GenerateOptions,
    /// What the request asks, as properties (from comprehension): when present, every compiled
    /// program is executed symbolically against its filters before the kernel sees it.
    pub properties: Option<crate::comprehend::Properties>,
    /// Have the model restate the request as properties first (`gen --check-properties`).
    pub comprehend: bool,
}

impl GenOptions {
    pub fn new(target: Target) -> Self {
        let max_tokens = match target {
            Target::Bpftrace => 384,
            Target::Libbpf => 1024,
        };
        GenOptions {
            target,
            rounds: 3,
            allow_unsafe: false,
            // The reply is the inside of a code block we opened: its closing fence ends it.
            generate: GenerateOptions { max_tokens, stop: vec!["```".into()], ..Default::default() },
            properties: None,
            comprehend: false,
        }
    }
}

/// Whether the program may be checked at all.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum SafetyVerdict {
    Ok,
    /// Unsafe builtins without `--unsafe`: nothing of it is compiled or loaded.
    Unsafe {
        calls: Vec<String>,
    },
}

/// The verdicts of one attempt; a check after a failing one is not run (`None`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checks {
    pub safety: Option<SafetyVerdict>,
    pub hooks: Option<HookVerdict>,
    pub compile: Option<CompileVerdict>,
    /// The symbolic verifier's report, when the request's properties are known.
    pub symbolic: Option<Report>,
    /// Why the symbolic verifier did not run on a compiled program (no properties, or an object
    /// its reader cannot take: the kernel verifier then decides alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbolic_skipped: Option<String>,
    pub kernel: Option<KernelVerdict>,
}

impl Checks {
    fn symbolic_ok(&self) -> bool {
        self.symbolic.as_ref().is_none_or(|r| r.counterexample().is_none())
    }

    /// How many checks passed, to pick the best failed attempt.
    pub fn passed_count(&self) -> usize {
        [
            matches!(self.safety, Some(SafetyVerdict::Ok)),
            self.hooks.as_ref().is_some_and(|v| v.is_ok()),
            self.compile.as_ref().is_some_and(|v| v.is_ok()),
            self.symbolic.is_some() && self.symbolic_ok(),
            self.kernel.as_ref().is_some_and(|v| v.is_ok()),
        ]
        .iter()
        .filter(|&&b| b)
        .count()
    }

    pub fn passed(&self) -> bool {
        matches!(self.safety, Some(SafetyVerdict::Ok))
            && self.hooks.as_ref().is_some_and(|v| v.is_ok())
            && self.compile.as_ref().is_some_and(|v| v.is_ok())
            && self.symbolic_ok()
            && self.kernel.as_ref().is_some_and(|v| v.is_ok())
    }
}

/// Seconds spent per stage of one attempt.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageTimes {
    pub prefill: f64,
    pub decode: f64,
    pub hooks: f64,
    pub compile: f64,
    pub symbolic: f64,
    pub kernel: f64,
}

/// One model reply and what the checks made of it.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub round: usize,
    pub program: String,
    pub checks: Checks,
    /// What was sent back to the model, when the attempt failed and rounds were left.
    pub feedback: Option<String>,
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
    pub seconds: StageTimes,
}

/// All attempts; the last passes when any does.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub passed: bool,
    pub attempts: Vec<Attempt>,
}

impl Outcome {
    /// The passing attempt, else the one that got furthest (the later on a tie).
    pub fn best(&self) -> Option<&Attempt> {
        best(&self.attempts)
    }
}

/// The passing attempt, else the one that got furthest (the later on a tie).
pub fn best(attempts: &[Attempt]) -> Option<&Attempt> {
    attempts.iter().rev().max_by_key(|a| a.checks.passed_count())
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error(transparent)]
    Model(#[from] LlmError),
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// The checks, behind a seam so tests can swap the kernel for a fake.
pub trait Checker {
    fn hooks(&mut self, probes: &[String]) -> HookVerdict;
    /// The fields of a probe (`type name`), for feedback on a wrong field name.
    fn fields_of(&self, probe: &str) -> Vec<String>;
    fn compile(&mut self, program: &str, target: Target) -> Result<CompileVerdict, CompileError>;
    /// The kernel verifier's word; `Err` when Kgent itself could not put the object before it.
    fn kernel(&mut self, target: Target, object: &[u8]) -> Result<KernelVerdict, LoadError>;
    /// The host facts the symbolic verifier checks a program against.
    fn platform(&self) -> &dyn Platform;
}

/// The real checks on this host: its catalog, bpftrace / clang, and the kernel verifier.
pub struct HostChecker<'a> {
    pub catalog: &'a Catalog,
    pub searcher: &'a Searcher,
    pub home: PathBuf,
    vmlinux: Option<PathBuf>,
    platform: Tracefs,
}

impl<'a> HostChecker<'a> {
    pub fn new(catalog: &'a Catalog, searcher: &'a Searcher, home: PathBuf) -> Self {
        HostChecker { catalog, searcher, home, vmlinux: None, platform: Tracefs::host() }
    }
}

impl Checker for HostChecker<'_> {
    fn fields_of(&self, probe: &str) -> Vec<String> {
        self.catalog.find(probe).map(|h| h.fields.iter().map(|f| format!("{} {}", f.ty, f.name)).collect()).unwrap_or_default()
    }

    fn hooks(&mut self, probes: &[String]) -> HookVerdict {
        let searcher = self.searcher;
        hooks::check(probes, self.catalog, &mut |probe| {
            let words = probe.replace([':', '_', '/', '-', '*'], " ");
            searcher
                .search(&words, Kind::Hooks, 5)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|h| match h {
                    Hit::Hook { hook, .. } => Some(hook.probe),
                    _ => None,
                })
                .collect()
        })
    }

    fn compile(&mut self, program: &str, target: Target) -> Result<CompileVerdict, CompileError> {
        match target {
            Target::Bpftrace => compile::compile_bpftrace(program),
            Target::Libbpf => {
                if self.vmlinux.is_none() {
                    self.vmlinux = Some(compile::vmlinux_dir(&self.home)?);
                }
                compile::compile_c(program, self.vmlinux.as_ref().expect("set above"))
            }
        }
    }

    fn kernel(&mut self, target: Target, object: &[u8]) -> Result<KernelVerdict, LoadError> {
        crate::verify::kernel::load(target, object)
    }

    fn platform(&self) -> &dyn Platform {
        &self.platform
    }
}

/// First lines of a long message: feedback must stay short for a small model.
fn head(text: &str, lines: usize) -> String {
    let mut out: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(lines).collect();
    if text.lines().filter(|l| !l.trim().is_empty()).count() > lines {
        out.push("...");
    }
    out.join("\n")
}

/// Hints for bpftrace errors small models make again and again, keyed by the compiler's words.
fn compile_hints(diagnostics: &str, program: &str, target: Target, checker: &dyn Checker) -> Vec<String> {
    let mut hints = Vec::new();
    if target == Target::Libbpf {
        if diagnostics.contains("no member named") {
            hints.extend(c_context_hints(program, checker));
        }
        return hints;
    }
    if diagnostics.contains("does not contain a field named") {
        for probe in bpftrace_probes(program) {
            let fields = checker.fields_of(&probe);
            if !fields.is_empty() {
                hints.push(format!("The fields of {probe} are: {}.", fields.join(", ")));
            }
        }
    }
    if diagnostics.contains("syntax error") && program.contains("if (") {
        hints.push("In bpftrace the body of an if needs braces: if (cond) { ... }. A filter can also sit between the probe and its block: probe /cond/ { ... }.".into());
    }
    if diagnostics.contains("Unknown function") || diagnostics.contains("Unknown identifier") {
        hints.push("Use only bpftrace builtins (pid, tid, comm, uid, nsecs, args, retval, count(), sum(), hist(), lhist(), printf(), str(), print(), clear(), delete()).".into());
    }
    hints
}

/// What a C tracepoint program's `ctx` holds, from the tracepoint's fields: small models reach for
/// `ctx->args[0]` everywhere, which only syscall-entry tracepoints have.
fn c_context_hints(program: &str, checker: &dyn Checker) -> Vec<String> {
    let mut hints = Vec::new();
    for probe in c_probes(program) {
        let Some(name) = probe.parse::<crate::obj::Probe>().ok().and_then(|p| p.tracepoint().map(|(_, name)| name.to_string())) else {
            continue;
        };
        let fields = checker.fields_of(&probe);
        if name.starts_with("sys_enter_") {
            let args: Vec<String> = fields.iter().filter(|f| !f.ends_with("__syscall_nr")).enumerate().map(|(i, f)| format!("args[{i}] is {f}")).collect();
            hints.push(format!("The context of {probe} is struct trace_event_raw_sys_enter: {}.", args.join(", ")));
        } else if name.starts_with("sys_exit_") {
            hints.push(format!("The context of {probe} is struct trace_event_raw_sys_exit: ctx->ret is the return value."));
        } else if !fields.is_empty() {
            let members: Vec<String> = fields
                .iter()
                .map(|f| match f.rsplit_once(' ') {
                    Some((ty, field)) if ty.starts_with("__data_loc") => {
                        format!("__data_loc_{field}")
                    }
                    Some((_, field)) => field.to_string(),
                    None => f.clone(),
                })
                .collect();
            hints.push(format!("The context of {probe} is struct trace_event_raw_{name}; its members are: {}.", members.join(", ")));
            if fields.iter().any(|f| f.starts_with("__data_loc")) {
                hints.push(
                    "A __data_loc_NAME member holds where the string NAME is: read it with \
                     bpf_probe_read_kernel_str(dst, sizeof(dst), (void *)ctx + (ctx->__data_loc_NAME & 0xffff))."
                        .into(),
                );
            }
        }
    }
    hints
}

/// A counterexample in plain words, with what to do about it.
fn symbolic_feedback(check: &crate::verify::symbolic::Check, lang: &str) -> String {
    let Verdict::Counterexample { message, slot, line, values } = &check.verdict else {
        return String::new();
    };
    let at = match (slot, line) {
        (Some(_), Some(line)) => format!("at {line}, "),
        (Some(slot), None) => format!("at instruction {slot}, "),
        _ => String::new(),
    };
    let shown: Vec<String> = values.iter().filter(|(k, _)| k.as_str() != "tid").map(|(k, v)| format!("{k} = {v}")).collect();
    let example = if shown.is_empty() || check.property != Property::Filters { String::new() } else { format!("; for example with {}", shown.join(", ")) };
    let fix = match check.property {
        Property::Hooks => "Attach to the probe the request is about",
        Property::Filters => "Make the program produce output only for what was asked",
        Property::Fields => "Make the output show what the request asked for",
        Property::Aggregate => "Fold the events into a map the way the request asks",
        Property::Safety => "Check every pointer for NULL before using it and keep every access and size within its buffer",
    };
    format!("Checking every path of the compiled program: {at}{message}{example}. {fix}, and write the whole {lang} again.")
}

/// Feedback for the first failing check, or `None` when everything passed.
pub fn feedback(checks: &Checks, target: Target) -> Option<String> {
    let lang = match target {
        Target::Bpftrace => "bpftrace program",
        Target::Libbpf => "C program",
    };
    if let Some(SafetyVerdict::Unsafe { calls }) = &checks.safety {
        return Some(format!(
            "The program calls {}, which act on the system instead of observing it; the user did not allow that. \
             Write the {lang} again without them.",
            calls.join(", ")
        ));
    }
    if let Some(HookVerdict::Problems { problems }) = &checks.hooks {
        let mut s = String::new();
        for p in problems {
            s.push_str(&format!("The probe {} cannot be used here: {}.", p.probe, p.reason));
            if !p.suggestions.is_empty() {
                let few: Vec<&str> = p.suggestions.iter().take(3).map(String::as_str).collect();
                s.push_str(&format!(" Probes that work on this host: {}.", few.join(", ")));
            }
            s.push('\n');
        }
        s.push_str(&format!("Write the {lang} again using probes that work on this host."));
        return Some(s);
    }
    if let Some(CompileVerdict::Failed { diagnostics }) = &checks.compile {
        let tool = if target == Target::Bpftrace { "bpftrace" } else { "clang" };
        return Some(format!("{tool} rejected the program:\n{}\nFix the error and write the whole {lang} again.", head(diagnostics, 12)));
    }
    if let Some(check) = checks.symbolic.as_ref().and_then(Report::counterexample) {
        return Some(symbolic_feedback(check, lang));
    }
    match &checks.kernel {
        Some(KernelVerdict::Rejected { program, message, verifier_log }) => Some(format!(
            "The kernel verifier rejected {program} ({message}). The end of its log:\n{}\nFix the program and write the whole {lang} again.",
            verifier_log.lines().rev().filter(|l| !l.trim().is_empty()).take(8).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
        )),
        Some(KernelVerdict::NotLoaded { message }) => {
            Some(format!("The program could not be loaded into the kernel: {}\nFix it and write the whole {lang} again.", head(message, 6)))
        }
        _ => None,
    }
}

/// Runs the checks on one program.
pub fn check(program: &str, opts: &GenOptions, checker: &mut dyn Checker, times: &mut StageTimes) -> Result<Checks, SynthError> {
    let mut checks = Checks::default();
    let calls = if opts.target == Target::Bpftrace && !opts.allow_unsafe { extract::unsafe_calls(program) } else { vec![] };
    if !calls.is_empty() {
        checks.safety = Some(SafetyVerdict::Unsafe { calls: calls.into_iter().map(String::from).collect() });
        return Ok(checks);
    }
    checks.safety = Some(SafetyVerdict::Ok);

    let t = Instant::now();
    let probes = crate::obj::source::probes(program, opts.target);
    let hooks = checker.hooks(&probes);
    times.hooks = t.elapsed().as_secs_f64();
    let ok = hooks.is_ok();
    checks.hooks = Some(hooks);
    if !ok {
        return Ok(checks);
    }

    let t = Instant::now();
    let compiled = checker.compile(program, opts.target)?;
    times.compile = t.elapsed().as_secs_f64();
    let object = match &compiled {
        CompileVerdict::Compiled { object, .. } => object.clone(),
        CompileVerdict::Failed { .. } => {
            checks.compile = Some(compiled);
            return Ok(checks);
        }
    };
    checks.compile = Some(compiled);

    match &opts.properties {
        // A program that is not what was asked never reaches the kernel. Objects the reader
        // cannot take leave the decision to the kernel verifier, and say so.
        Some(props) => {
            let t = Instant::now();
            let verified = crate::verify::symbolic::verify(&object, props, checker.platform());
            times.symbolic = t.elapsed().as_secs_f64();
            match verified {
                Ok(report) => {
                    let failed = report.counterexample().is_some();
                    checks.symbolic = Some(report);
                    if failed {
                        return Ok(checks);
                    }
                }
                Err(e) => checks.symbolic_skipped = Some(format!("the symbolic verifier cannot read the object: {e}")),
            }
        }
        None => checks.symbolic_skipped = Some("the request's properties are not known (comprehension is off)".into()),
    }

    let t = Instant::now();
    checks.kernel = Some(checker.kernel(opts.target, &object)?);
    times.kernel = t.elapsed().as_secs_f64();
    Ok(checks)
}

/// The loop: add the worked examples (`shots`), send `first_prompt`, check the program, send
/// feedback, up to `opts.rounds` replies.
/// `on_text` streams the model's text; `on_status` gets one line per stage.
pub fn synthesize(
    conv: &mut dyn Conversation,
    checker: &mut dyn Checker,
    shots: &[(String, String)],
    first_prompt: &str,
    opts: &GenOptions,
    on_text: &mut dyn FnMut(&str),
    on_status: &mut dyn FnMut(&str),
) -> Result<Outcome, SynthError> {
    for (user, assistant) in shots {
        conv.add_exchange(user, assistant)?;
    }
    let prefix = prompt::code_prefix(opts.target);
    let mut message = first_prompt.to_string();
    let mut generate = opts.generate.clone();
    let mut attempts: Vec<Attempt> = Vec::new();
    for round in 1..=opts.rounds.max(1) {
        on_status(&format!("round {round}: generating"));
        let reply = conv.send(&message, prefix, &generate, on_text)?;
        let program = extract::program(&reply.text, opts.target);
        let mut seconds = StageTimes { prefill: reply.prefill_time.as_secs_f64(), decode: reply.decode_time.as_secs_f64(), ..Default::default() };
        on_status(&format!("round {round}: checking"));
        let checks = check(&program, opts, checker, &mut seconds)?;
        let passed = checks.passed();
        let repeated = attempts.iter().any(|a| a.program == program);
        let fb = if passed || round == opts.rounds {
            None
        } else {
            feedback(&checks, opts.target).map(|mut f| {
                if let Some(CompileVerdict::Failed { diagnostics }) = &checks.compile {
                    for hint in compile_hints(diagnostics, &program, opts.target, checker) {
                        f.push('\n');
                        f.push_str(&hint);
                    }
                }
                if repeated {
                    f.push_str("\nThis is the same program as before and it fails the same way: change it.");
                }
                f
            })
        };
        // Greedy decoding repeats itself after the same feedback: sample the next reply instead.
        generate.temperature = if repeated { generate.temperature.max(0.7) } else { opts.generate.temperature };
        attempts.push(Attempt { round, program, checks, feedback: fb.clone(), prompt_tokens: reply.prompt_tokens, generated_tokens: reply.generated_tokens, seconds });
        if passed {
            return Ok(Outcome { passed: true, attempts });
        }
        match fb {
            Some(f) => message = f,
            None => break,
        }
    }
    Ok(Outcome { passed: false, attempts })
}
