//! Synthesis: ask the model for a program, check it, feed every failure back into the same
//! conversation (its KV cache kept), for a bounded number of rounds.
//!
//! The checks run in order and stop at the first failure: the program is safe to check (no unsafe
//! builtins unless allowed), its probes exist and attach here, it compiles, and the kernel
//! verifier accepts it. Each failure is a verdict with evidence, turned into short feedback.

pub mod checks;
pub mod extract;
pub mod feedback;
pub mod prompt;

use serde::Serialize;

pub use checks::{check, Checker, Checks, HostChecker};
pub use feedback::feedback;

use crate::llm::{Conversation, GenerateOptions, LlmError};
use crate::obj::Target;
use crate::verify::compile::{CompileError, CompileVerdict};
use crate::verify::kernel::LoadError;

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
                    for hint in feedback::compile_hints(diagnostics, &program, opts.target, checker) {
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
