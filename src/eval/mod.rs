//! `kgent eval`: run `gen` over a corpus of requests, score each program against the request's
//! rubric, and summarise. One JSON line per request, so shards from many machines concatenate.

use serde::{Deserialize, Serialize};

use crate::obj::{Probe, Target};
use crate::retrieve::quality::{probe_matches, EvalRequest};

/// How a program fares against its request's rubric.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rubric {
    /// Uses an acceptable hook (`None` when the request lists none).
    pub hook: Option<bool>,
    /// Rubric words the program does not use (bpftrace only).
    pub missing_fields: Vec<String>,
    pub passed: bool,
}

/// Scores `program` against `req`.
pub fn score(req: &EvalRequest, program: &str, target: Target) -> Rubric {
    // A function's return probe counts for its entry: the rubric lists entries.
    let probes: Vec<String> = crate::obj::source::probes(program, target).iter().map(|p| p.parse::<Probe>().map_or_else(|_| p.clone(), |p| p.entry().to_string())).collect();
    let hook = (!req.hooks.is_empty()).then(|| probes.iter().any(|p| req.hooks.iter().any(|pat| probe_matches(pat, p) || probe_matches(p, pat))));
    let missing_fields: Vec<String> = if target == Target::Bpftrace { req.fields.iter().filter(|f| !has_word(program, f)).cloned().collect() } else { Vec::new() };
    Rubric { passed: hook != Some(false) && missing_fields.is_empty(), hook, missing_fields }
}

/// `word` as an identifier or the last part of one (`comm` counts in `args->prev_comm`).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        (!ident(before) || before == Some('_')) && !ident(after)
    })
}

/// One line of the eval's JSONL.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub request: String,
    pub target: Target,
    pub model: String,
    pub model_sha256: String,
    pub index_version: String,
    /// The checks of the best attempt.
    pub hooks_ok: bool,
    pub compiled: bool,
    pub kernel_verified: bool,
    pub rubric: Rubric,
    pub rounds: usize,
    pub seconds: f64,
    pub program: Option<String>,
    /// With `--run-triggers`, for requests that have a trigger: did the program, run while the
    /// trigger fired, print what it should?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<TriggerOutcome>,
    /// What grounding said of the request (`here`, or the honest outcome given instead).
    #[serde(default = "here")]
    pub outcome: String,
    /// The honest outcome the corpus expects, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_outcome: Option<String>,
    /// The events grounding held the program to (empty: it named or described none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounded: Vec<String>,
    /// The program that passed has properties the symbolic verifier
    /// could neither prove nor refute (counted apart from proved ones).
    #[serde(default)]
    pub properties_unknown: bool,
    /// The program passed with nothing of the request left unchecked (`gen`'s "confirmed").
    #[serde(default)]
    pub confirmed: bool,
    /// Attempts the symbolic verifier sent back with a counterexample.
    #[serde(default)]
    pub sent_back_by_properties: usize,
    /// Whether replies were decoded under the bpftrace grammar.
    #[serde(default)]
    pub grammar: bool,
    /// Why each failed attempt was sent back, in a word (see [`rejection`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejections: Vec<String>,
    /// Who wrote the program the record judges: the request's plan, without the model, or the
    /// model.
    #[serde(default)]
    pub written_by: crate::synth::WrittenBy,
}

/// Why a failed attempt was sent back, in a word. `syntax`, `probe` (a probe this host does not
/// have) and `field` (one its tracepoint lacks) are what the grammar makes impossible; `types`
/// (bpftrace's semantic errors: a `%d` given a string, a map read with the wrong keys),
/// `event` (not the grounded event), `attach`, `unsafe`, `properties` and `verifier` are not.
pub fn rejection(checks: &crate::synth::Checks) -> Option<&'static str> {
    use crate::verify::compile::CompileVerdict;
    use crate::verify::hooks::HookVerdict;
    use crate::verify::kernel::KernelVerdict;
    use crate::verify::safety::SafetyVerdict;
    if let Some(SafetyVerdict::Unsafe { .. }) = &checks.safety {
        return Some("unsafe");
    }
    if let Some(crate::plan::check::PlanVerdict::Missing { .. }) = &checks.plan {
        return Some("plan");
    }
    if let Some(HookVerdict::Problems { problems }) = &checks.hooks {
        let missing = |r: &str| r.starts_with("no tracepoint") || r.contains("has no function") || r.contains("needs binary") || r.contains("unknown") || r.contains("not a probe");
        return Some(if problems.iter().any(|p| missing(&p.reason)) {
            "probe"
        } else if problems.iter().any(|p| p.reason.contains("the request is about")) {
            "event"
        } else {
            "attach"
        });
    }
    if let Some(CompileVerdict::Failed { diagnostics }) = &checks.compile {
        let d = diagnostics.as_str();
        return Some(if d.contains("does not contain a field") {
            "field"
        } else if ["syntax error", "unexpected", "Unknown function", "invalid character", "unterminated", "end of file", "Invalid provider", "not found"]
            .iter()
            .any(|s| d.contains(s))
        {
            "syntax"
        } else {
            "types"
        });
    }
    if checks.symbolic.as_ref().is_some_and(|r| r.counterexample().is_some()) {
        return Some("properties");
    }
    match &checks.kernel {
        Some(KernelVerdict::Rejected { .. } | KernelVerdict::NotLoaded { .. }) => Some("verifier"),
        _ => None,
    }
}

fn here() -> String {
    "here".into()
}

/// How one request came out, judged against what it asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// A checked program that does what was asked (rubric, and the trigger where run), or the
    /// expected honest outcome.
    Correct,
    /// A program passed every check but does not do what was asked: the rubric or the trigger
    /// fails, or the request expected an honest "cannot do that here".
    FalsePositive,
    /// An honest outcome where a program (or another outcome) was expected.
    WrongRefusal,
    /// No program passed the checks, and no honest outcome was given.
    Missed,
}

impl Record {
    /// Whether a program passed every check.
    pub fn passed(&self) -> bool {
        self.kernel_verified && self.hooks_ok && self.compiled
    }

    pub fn judgement(&self) -> Judgement {
        let refused = self.outcome != "here";
        let trigger_ok = self.trigger.as_ref().is_none_or(|t| t.matched);
        match (&self.expected_outcome, refused) {
            (Some(want), true) if *want == self.outcome => Judgement::Correct,
            (_, true) => Judgement::WrongRefusal,
            (Some(_), false) if self.passed() => Judgement::FalsePositive,
            (None, false) if self.passed() && self.rubric.passed && trigger_ok => Judgement::Correct,
            (None, false) if self.passed() => Judgement::FalsePositive,
            (_, false) => Judgement::Missed,
        }
    }
}

/// A program run while its request's trigger fired.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TriggerOutcome {
    /// False when no program passed every check, so there was nothing to run.
    pub ran: bool,
    pub matched: bool,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub output_tail: String,
}

/// `K/N`: this machine runs the requests whose position modulo N is K-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s.split_once('/').ok_or("expected K/N, like 2/8")?;
        let k: usize = k.trim().parse().map_err(|_| "K must be a number")?;
        let n: usize = n.trim().parse().map_err(|_| "N must be a number")?;
        if n == 0 || k == 0 || k > n {
            return Err(format!("need 1 <= K <= N, got {k}/{n}"));
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    pub fn takes(&self, position: usize) -> bool {
        position % self.n == self.k - 1
    }
}

/// The summary table of a set of records.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub requests: usize,
    pub compiled: usize,
    pub kernel_verified: usize,
    pub rubric_passing: usize,
    pub verified_and_rubric: usize,
    pub median_seconds: f64,
    pub p90_seconds: f64,
    pub median_seconds_to_verified: Option<f64>,
    /// Requests run with their trigger, and those whose output showed the triggered event.
    pub triggered: usize,
    pub trigger_confirmed: usize,
    pub sent_back_by_properties: usize,
    /// Judged against the request: correct programs and expected honest outcomes.
    pub correct: usize,
    /// Passed every check, yet not what was asked: the headline number beside `correct`.
    pub false_positives: usize,
    /// Honest outcomes given ("cannot do that here"), and how many were the expected one.
    pub honest_outcomes: usize,
    pub honest_outcomes_expected: usize,
    pub wrong_refusals: usize,
    pub missed: usize,
    /// Passed with some property unknown to the symbolic verifier.
    pub passed_with_unknown_properties: usize,
    /// Programs `gen` called confirmed (nothing of the request left unchecked), and how many of
    /// those are false positives: what "confirmed" is worth.
    pub confirmed: usize,
    pub confirmed_false_positives: usize,
    /// Programs that passed every check, attachable here (confirmed or not).
    pub passed: usize,
    /// Model replies in all, and how many were sent back for each reason ([`rejection`]).
    pub attempts: usize,
    pub rejections: std::collections::BTreeMap<String, usize>,
    /// Programs that passed every check written from the request's plan (no model), and how
    /// many of those were correct and false positives.
    pub from_plan: usize,
    pub from_plan_correct: usize,
    pub from_plan_false_positives: usize,
}

impl Summary {
    /// Replies rejected for what a grammar rules out: syntax, a probe or a field that is not here.
    pub fn rejected_for_language(&self) -> usize {
        ["syntax", "probe", "field"].iter().filter_map(|k| self.rejections.get(*k)).sum()
    }
}

pub fn summarise(records: &[Record]) -> Summary {
    let mut all: Vec<f64> = records.iter().map(|r| r.seconds).collect();
    let mut ok: Vec<f64> = records.iter().filter(|r| r.kernel_verified).map(|r| r.seconds).collect();
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            0.0
        } else {
            v[((v.len() as f64 - 1.0) * p).round() as usize]
        }
    };
    Summary {
        requests: records.len(),
        compiled: records.iter().filter(|r| r.compiled).count(),
        kernel_verified: records.iter().filter(|r| r.kernel_verified).count(),
        rubric_passing: records.iter().filter(|r| r.rubric.passed).count(),
        verified_and_rubric: records.iter().filter(|r| r.kernel_verified && r.rubric.passed).count(),
        median_seconds: pct(&mut all, 0.5),
        p90_seconds: pct(&mut all, 0.9),
        median_seconds_to_verified: (!ok.is_empty()).then(|| pct(&mut ok, 0.5)),
        triggered: records.iter().filter(|r| r.trigger.is_some()).count(),
        trigger_confirmed: records.iter().filter(|r| r.trigger.as_ref().is_some_and(|t| t.matched)).count(),
        sent_back_by_properties: records.iter().map(|r| r.sent_back_by_properties).sum(),
        correct: records.iter().filter(|r| r.judgement() == Judgement::Correct).count(),
        false_positives: records.iter().filter(|r| r.judgement() == Judgement::FalsePositive).count(),
        honest_outcomes: records.iter().filter(|r| r.outcome != "here").count(),
        honest_outcomes_expected: records.iter().filter(|r| r.outcome != "here" && r.judgement() == Judgement::Correct).count(),
        wrong_refusals: records.iter().filter(|r| r.judgement() == Judgement::WrongRefusal).count(),
        missed: records.iter().filter(|r| r.judgement() == Judgement::Missed).count(),
        passed_with_unknown_properties: records.iter().filter(|r| r.passed() && r.properties_unknown).count(),
        confirmed: records.iter().filter(|r| r.passed() && r.confirmed).count(),
        passed: records.iter().filter(|r| r.passed() && r.outcome == "here").count(),
        confirmed_false_positives: records.iter().filter(|r| r.confirmed && r.judgement() == Judgement::FalsePositive).count(),
        attempts: records.iter().map(|r| r.rounds).sum(),
        from_plan: records.iter().filter(|r| r.passed() && r.written_by == crate::synth::WrittenBy::Plan).count(),
        from_plan_correct: records.iter().filter(|r| r.written_by == crate::synth::WrittenBy::Plan && r.judgement() == Judgement::Correct && r.passed()).count(),
        from_plan_false_positives: records.iter().filter(|r| r.written_by == crate::synth::WrittenBy::Plan && r.judgement() == Judgement::FalsePositive).count(),
        rejections: records.iter().flat_map(|r| &r.rejections).fold(std::collections::BTreeMap::new(), |mut m, r| {
            *m.entry(r.clone()).or_insert(0) += 1;
            m
        }),
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pc = |n: usize| if self.requests == 0 { 0.0 } else { 100.0 * n as f64 / self.requests as f64 };
        writeln!(f, "{:<28} {:>5} {:>7}", "", "count", "share")?;
        writeln!(f, "{:<28} {:>5}", "requests", self.requests)?;
        writeln!(f, "{:<28} {:>5} {:>6.1}%", "correct", self.correct, pc(self.correct))?;
        writeln!(f, "{:<28} {:>5} {:>6.1}%", "FALSE POSITIVES", self.false_positives, pc(self.false_positives))?;
        writeln!(f, "{:<28} {:>5}   ({} false positives)", "  confirmed by the checks", self.confirmed, self.confirmed_false_positives)?;
        writeln!(
            f,
            "{:<28} {:>5}   ({} false positives)",
            "  passed, not confirmed",
            self.passed.saturating_sub(self.confirmed),
            self.false_positives.saturating_sub(self.confirmed_false_positives)
        )?;
        writeln!(f, "{:<28} {:>5}   ({} the expected one)", "honest outcomes", self.honest_outcomes, self.honest_outcomes_expected)?;
        writeln!(f, "{:<28} {:>5}", "wrong refusals", self.wrong_refusals)?;
        writeln!(f, "{:<28} {:>5}", "missed", self.missed)?;
        for (name, n) in [
            ("compiled", self.compiled),
            ("kernel-verified", self.kernel_verified),
            ("rubric-passing", self.rubric_passing),
            ("verified and rubric-passing", self.verified_and_rubric),
        ] {
            writeln!(f, "{name:<28} {n:>5} {:>6.1}%", pc(n))?;
        }
        writeln!(f, "{:<28} {:>8.1} s", "median time", self.median_seconds)?;
        writeln!(f, "{:<28} {:>8.1} s", "p90 time", self.p90_seconds)?;
        if let Some(m) = self.median_seconds_to_verified {
            writeln!(f, "{:<28} {m:>8.1} s", "median time to verified")?;
        }
        if self.passed_with_unknown_properties > 0 {
            writeln!(f, "{:<28} {:>5}", "passed, properties unknown", self.passed_with_unknown_properties)?;
        }
        if self.sent_back_by_properties > 0 {
            writeln!(f, "{:<28} {:>5}", "sent back by properties", self.sent_back_by_properties)?;
        }
        if self.from_plan > 0 {
            writeln!(f, "{:<28} {:>5}   ({} correct, {} false positives)", "written from the plan", self.from_plan, self.from_plan_correct, self.from_plan_false_positives)?;
        }
        if self.attempts > 0 {
            let reasons: Vec<String> = self.rejections.iter().map(|(k, n)| format!("{k} {n}")).collect();
            writeln!(f, "{:<28} {:>5}   ({:.2} a request)", "model replies", self.attempts, self.attempts as f64 / self.requests.max(1) as f64)?;
            writeln!(f, "{:<28} {:>5}   ({})", "sent back", self.rejections.values().sum::<usize>(), if reasons.is_empty() { "none".into() } else { reasons.join(", ") })?;
            writeln!(f, "{:<28} {:>5}", "  for syntax, probe, field", self.rejected_for_language())?;
        }
        if self.triggered > 0 {
            let share = 100.0 * self.trigger_confirmed as f64 / self.triggered as f64;
            writeln!(f, "{:<28} {:>5} {share:>6.1}% of {} with a trigger", "trigger-confirmed", self.trigger_confirmed, self.triggered)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_attempt_is_filed_under_the_first_check_it_failed() {
        use crate::synth::Checks;
        use crate::verify::compile::CompileVerdict;
        let failed = |d: &str| Checks { compile: Some(CompileVerdict::Failed { diagnostics: d.into() }), ..Default::default() };
        let field = "program.bt:1:40-55: ERROR: Struct/union of type 'struct _tracepoint_syscalls_sys_enter_read' does not contain a field named 'filename'";
        assert_eq!(rejection(&failed(field)), Some("field"));
        assert_eq!(rejection(&failed("program.bt:2:1-5: ERROR: syntax error, unexpected identifier")), Some("syntax"));
        assert_eq!(rejection(&failed("program.bt:2:3-46: ERROR: printf: %d specifier expects a value of type integer (string supplied)")), Some("types"));
        let missing = crate::verify::hooks::HookProblem { probe: "tracepoint:x:y".into(), reason: "no tracepoint x:y on this kernel".into(), suggestions: vec![] };
        let hooks = Checks { hooks: Some(crate::verify::hooks::HookVerdict::Problems { problems: vec![missing] }), compile: failed(field).compile, ..Default::default() };
        assert_eq!(rejection(&hooks), Some("probe"), "the hook check runs before the compiler");
        assert_eq!(rejection(&Checks::default()), None);
    }

    fn req() -> EvalRequest {
        EvalRequest {
            id: "x".into(),
            request: "files opened by root".into(),
            examples: vec![],
            hooks: vec!["tracepoint:syscalls:sys_enter_open*".into()],
            fields: vec!["uid".into(), "filename".into()],
            target: None,
            trigger: None,
            expect: None,
            outcome: None,
        }
    }

    #[test]
    fn the_rubric_wants_an_acceptable_hook_and_every_field() {
        let good = "tracepoint:syscalls:sys_enter_openat /uid == 0/ { printf(\"%s\\n\", str(args->filename)); }";
        assert!(score(&req(), good, Target::Bpftrace).passed);
        let no_filter = "tracepoint:syscalls:sys_enter_openat { printf(\"%s\\n\", str(args->filename)); }";
        let r = score(&req(), no_filter, Target::Bpftrace);
        assert!(!r.passed && r.missing_fields == ["uid"]);
        let wrong_hook = "tracepoint:syscalls:sys_enter_read /uid == 0/ { @[args->filename] = count(); }";
        assert_eq!(score(&req(), wrong_hook, Target::Bpftrace).hook, Some(false));
        // "uid" inside another word does not count; the end of a field name does.
        assert_eq!(score(&req(), "tracepoint:syscalls:sys_enter_openat { @[uidx, args->filename] = count(); }", Target::Bpftrace).missing_fields, ["uid"]);
        assert!(score(&req(), "tracepoint:syscalls:sys_enter_openat { @[args->owner_uid, args->filename] = count(); }", Target::Bpftrace).passed);
    }

    fn record(outcome: &str, expected: Option<&str>, passed: bool, rubric: bool) -> Record {
        Record {
            id: "x".into(),
            request: "r".into(),
            target: Target::Bpftrace,
            model: String::new(),
            model_sha256: String::new(),
            index_version: String::new(),
            hooks_ok: passed,
            compiled: passed,
            kernel_verified: passed,
            rubric: Rubric { hook: Some(rubric), missing_fields: vec![], passed: rubric },
            rounds: 1,
            seconds: 1.0,
            program: None,
            trigger: None,
            outcome: outcome.into(),
            expected_outcome: expected.map(String::from),
            grounded: vec![],
            properties_unknown: false,
            confirmed: false,
            sent_back_by_properties: 0,
            grammar: false,
            rejections: vec![],
            written_by: crate::synth::WrittenBy::Model,
        }
    }

    #[test]
    fn a_program_that_passes_the_checks_but_not_the_request_is_a_false_positive() {
        assert_eq!(record("here", None, true, true).judgement(), Judgement::Correct);
        assert_eq!(record("here", None, true, false).judgement(), Judgement::FalsePositive);
        assert_eq!(record("here", Some("no_pmu"), true, true).judgement(), Judgement::FalsePositive, "a program where the honest answer was expected");
        assert_eq!(record("no_pmu", Some("no_pmu"), false, false).judgement(), Judgement::Correct);
        assert_eq!(record("absent_here", Some("no_pmu"), false, false).judgement(), Judgement::WrongRefusal);
        assert_eq!(record("no_pmu", None, false, false).judgement(), Judgement::WrongRefusal);
        assert_eq!(record("here", None, false, true).judgement(), Judgement::Missed);
        let mut seen = record("here", None, true, true);
        seen.trigger = Some(TriggerOutcome { ran: true, matched: false, error: None, output_tail: String::new() });
        assert_eq!(seen.judgement(), Judgement::FalsePositive, "the trigger fired and the program did not see it");
        let s = summarise(&[record("here", None, true, true), record("here", None, true, false), record("no_pmu", Some("no_pmu"), false, false)]);
        assert_eq!((s.correct, s.false_positives, s.honest_outcomes, s.honest_outcomes_expected), (2, 1, 1, 1));
        let mut confirmed_wrong = record("here", None, true, false);
        confirmed_wrong.confirmed = true;
        let s = summarise(&[confirmed_wrong, record("here", None, true, false), record("here", None, true, true)]);
        assert_eq!((s.passed, s.confirmed, s.false_positives, s.confirmed_false_positives), (3, 1, 2, 1), "false positives split by what gen called them");
    }

    #[test]
    fn shards_split_a_corpus_without_overlap() {
        let a: Shard = "1/3".parse().unwrap();
        let b: Shard = "3/3".parse().unwrap();
        assert!(a.takes(0) && a.takes(3) && !a.takes(1));
        assert!(b.takes(2) && !b.takes(0));
        assert!("0/3".parse::<Shard>().is_err() && "4/3".parse::<Shard>().is_err() && "x".parse::<Shard>().is_err());
    }
}
