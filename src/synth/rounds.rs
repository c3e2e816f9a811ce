//! The loop: the model's reply, the checks, feedback in the same conversation (its KV cache
//! kept), for a bounded number of rounds.

use serde::Serialize;

use super::checks::{check, CheckError, Checker, Checks, StageTimes};
use super::extract;
use super::feedback;
use super::fixit::{self, Past};
use super::options::GenOptions;
use super::prompt;
use crate::llm::{Conversation, GenerateOptions, LlmError, StopReason};
use crate::verify::compile::{CompileError, CompileVerdict};
use crate::verify::hooks::HookVerdict;
use crate::verify::kernel::LoadError;

/// Who wrote a candidate program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WrittenBy {
    /// Written from the request's complete plan, without the model (round 0).
    Plan,
    #[default]
    Model,
}

/// One candidate program (a model reply, or the plan's) and what the checks made of it.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// 0 for the plan's program, then 1, 2, … for the model's replies.
    pub round: usize,
    pub written_by: WrittenBy,
    pub program: String,
    pub checks: Checks,
    /// What was sent back to the model, when the attempt failed and rounds were left.
    pub feedback: Option<String>,
    /// Mechanical fixes made to the reply before its checks (see `fixit`), each in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// Replies taken back and drawn again because they repeated an earlier program.
    #[serde(skip_serializing_if = "is_zero")]
    pub redrawn: usize,
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
    // `max_by_key` keeps the last of equals: the later attempt.
    attempts.iter().max_by_key(|a| (a.checks.passed(), a.checks.passed_count()))
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

impl From<CheckError> for SynthError {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::Compile(e) => SynthError::Compile(e),
            CheckError::Load(e) => SynthError::Load(e),
        }
    }
}

/// The temperature (and nucleus) of each reply drawn again in one round because it repeats an
/// earlier program: the first enough to leave a shallow rut, the second hotter, cut to its
/// likeliest tokens so it stays code.
const REDRAWS: [(f64, Option<f64>); 2] = [(0.8, None), (1.0, Some(0.95))];

/// Where and how an attempt failed, to tell one failure from another: the stage, and what the
/// hook, plan and compile checks said.
fn failure(c: &Checks) -> String {
    let hooks = match &c.hooks {
        Some(HookVerdict::Problems { problems }) => problems.iter().map(|p| p.probe.as_str()).collect::<Vec<_>>().join(" "),
        _ => String::new(),
    };
    let plan = match &c.plan {
        Some(crate::plan::check::PlanVerdict::Missing { missing }) => missing.join(" "),
        _ => String::new(),
    };
    let compile = match &c.compile {
        Some(CompileVerdict::Failed { diagnostics }) => diagnostics.as_str(),
        _ => "",
    };
    format!("{}|{hooks}|{plan}|{compile}", c.reached())
}

/// Whether two programs are the same but for spacing.
fn same(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    // The replies as the model wrote them, before any fix: a repeat is a repeat of these too.
    let mut written: Vec<String> = Vec::new();
    for round in 1..=opts.rounds.max(1) {
        on_status(&format!("round {round}: generating"));
        let mut reply = conv.send(&message, prefix, &generate, on_text)?;
        let mut program = extract::program(&reply.text, opts.target);
        let mut seconds = StageTimes {
            prefill: reply.prefill_time.as_secs_f64(),
            decode: reply.decode_time.as_secs_f64(),
            mask: reply.mask_time.as_secs_f64(),
            grammar_setup: reply.grammar_setup_time.as_secs_f64(),
            ..Default::default()
        };
        // A reply that repeats an earlier attempt (or copies its start) fails as that one did:
        // the 1.5B model, shown feedback, was seen to write the same program again in most
        // failed rounds. It is taken back and another drawn, at a temperature, before it costs
        // a round.
        let mut redrawn = 0;
        let (prompt_tokens, mut generated_tokens) = (reply.prompt_tokens, reply.generated_tokens);
        let seen = |p: &str| written.iter().any(|w| same(w, p)) || attempts.iter().any(|a| same(&a.program, p)) || opts.start.as_ref().is_some_and(|s| same(&s.program, p));
        while seen(&program) && redrawn < REDRAWS.len() {
            let (temperature, top_p) = REDRAWS[redrawn];
            redrawn += 1;
            on_status(&format!("round {round}: the reply repeats an earlier program; drawing another"));
            let sampled = GenerateOptions {
                temperature: generate.temperature.max(temperature),
                top_p: generate.top_p.or(top_p),
                seed: generate.seed.wrapping_add(round as u64 * 100 + redrawn as u64),
                ..generate.clone()
            };
            reply = conv.redo(&sampled, on_text)?;
            program = extract::program(&reply.text, opts.target);
            generated_tokens += reply.generated_tokens;
            // A server's redo runs the prompt again; the local chat's does not.
            seconds.prefill += reply.prefill_time.as_secs_f64();
            seconds.decode += reply.decode_time.as_secs_f64();
            seconds.mask += reply.mask_time.as_secs_f64();
        }
        written.push(program.clone());
        let mut fixed = Vec::new();
        if let Some(w) = fixit::widen_printf(&program, opts.target) {
            program = w.program;
            fixed.extend(w.edits);
        }
        on_status(&format!("round {round}: checking"));
        let mut checks = check(&program, opts, checker, &mut seconds)?;
        // A reply that went on past its first program (started again, or ran into the token
        // limit) also offers that program: taken where it gets further, or where the rest only
        // wrote it again and it passes as well.
        let cut_off = reply.stop == StopReason::MaxTokens;
        if let Some((w, past)) = fixit::first_whole(&program, opts.target, cut_off).filter(|(_, past)| !checks.passed() || *past == Past::Repeated) {
            on_status(&format!("round {round}: {}; checking that", w.edits.join("; ")));
            let again = check(&w.program, opts, checker, &mut seconds)?;
            let further = (again.passed(), again.reached()) > (checks.passed(), checks.reached());
            if further || (past == Past::Repeated && again.passed()) {
                program = w.program;
                checks = again;
                fixed.extend(w.edits);
            }
        }
        // A fix can uncover the next (a probe's colon, then a body's braces): each is kept only
        // where the checks get further with it.
        for _ in 0..3 {
            let Some(f) = fixit::fix(&program, &checks, opts.target) else { break };
            on_status(&format!("round {round}: fixing how it is written ({}) and checking again", f.edits.join("; ")));
            let again = check(&f.program, opts, checker, &mut seconds)?;
            // The fixed program is the same program, better written: kept unless it fails just
            // where and as the reply did. Its failure may come earlier (a filter the plan check
            // could not see in an `if` without braces), and is then the one to tell.
            if failure(&again) == failure(&checks) {
                break;
            }
            program = f.program;
            checks = again;
            fixed.extend(f.edits);
        }
        let passed = checks.passed();
        let repeated = attempts.iter().any(|a| same(&a.program, &program));
        let fb = if passed || round == opts.rounds {
            None
        } else {
            feedback::feedback(&checks, opts.target).map(|mut f| {
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
        attempts.push(Attempt { round, written_by: WrittenBy::Model, program, checks, feedback: fb.clone(), fixed, redrawn, prompt_tokens, generated_tokens, seconds });
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
