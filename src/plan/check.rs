//! A program the model wrote, held to what the reading of the request settled: it must trace the
//! event the reading found and no other, and read every value the request named (what to show,
//! key by, fold and test). A reading in part still knows these; only what it left unsettled, and
//! the values a reading merely fills in, are the model's to decide.
//!
//! It reads the bpftrace source, as a reviewer would: the probes a program names, and the
//! `args->` fields and builtins it reads. That is enough to say "the request asks for the
//! capability number, and the program never reads `args->cap`"; whether a value it reads ends
//! up in the output is the symbolic verifier's to prove.

use serde::Serialize;

use super::read::NamedHooks;
use super::{Builtin, Fold, Output, PairKey, Plan, Reading, Start, Term};
use crate::verify::symbolic::origin::implements;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum PlanVerdict {
    Ok,
    /// Where the program departs from the request, in plain words: what it leaves out of what
    /// the reading settled, and conditions it adds that the request never states.
    Missing {
        missing: Vec<String>,
    },
}

impl PlanVerdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, PlanVerdict::Ok)
    }

    /// Both verdicts' findings in one.
    pub fn and(self, other: PlanVerdict) -> PlanVerdict {
        match (self, other) {
            (PlanVerdict::Ok, v) | (v, PlanVerdict::Ok) => v,
            (PlanVerdict::Missing { mut missing }, PlanVerdict::Missing { missing: more }) => {
                missing.extend(more);
                PlanVerdict::Missing { missing }
            }
        }
    }
}

/// A bpftrace program's code without comments, with each string literal blanked out (its
/// quotes kept, so the code around keeps its shape), and the literals themselves.
fn code_and_strings(program: &str) -> (String, Vec<String>) {
    let mut code = String::new();
    let mut strings = Vec::new();
    let mut literal: Option<String> = None;
    let mut escaped = false;
    for c in without_comments(program).chars() {
        match (&mut literal, escaped, c) {
            (Some(l), false, '\\') => {
                escaped = true;
                l.push(c);
            }
            (Some(_), false, '"') => {
                strings.push(literal.take().unwrap_or_default());
                code.push('"');
            }
            (Some(l), _, c) => {
                escaped = false;
                l.push(c);
            }
            (None, _, '"') => {
                literal = Some(String::new());
                code.push('"');
            }
            (None, _, c) => code.push(c),
        }
    }
    (code, strings)
}

/// The record fields a bpftrace program reads (`args->NAME`, `args.NAME`, `argN`), outside
/// strings and comments, in order, each once.
pub(crate) fn fields_read(program: &str) -> Vec<String> {
    static FIELD: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let field = FIELD.get_or_init(|| regex::Regex::new(r"args->([A-Za-z_][A-Za-z0-9_]*)|args\.([A-Za-z_][A-Za-z0-9_]*)|\b(arg[0-9]+)\b").expect("a valid regex"));
    let (code, _) = code_and_strings(program);
    let mut out: Vec<String> = Vec::new();
    for name in field.captures_iter(&code).filter_map(|c| c.iter().skip(1).flatten().next().map(|m| m.as_str().to_string())) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// What a bpftrace program does, as the things it is made of: the probes it attaches to, the
/// fields and builtins it reads, the functions it calls (`count`, `print`), the numbers in its
/// code and the strings it compares with. A program made of nothing another is not made of does
/// nothing more than it (a header's words aside).
fn made_of(program: &str) -> std::collections::BTreeSet<String> {
    const BUILTINS: &[&str] =
        &["comm", "pid", "tid", "tgid", "uid", "gid", "cpu", "cgroup", "kstack", "ustack", "probe", "retval", "nsecs", "elapsed", "username", "func", "curtask"];
    static CALL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static NUMBER: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let call = CALL.get_or_init(|| regex::Regex::new(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(").expect("a valid regex"));
    let number = NUMBER.get_or_init(|| regex::Regex::new(r"\b(0x[0-9A-Fa-f]+|[0-9]+)\b").expect("a valid regex"));
    let probes = crate::obj::source::bpftrace_probes(program);
    let (code, strings) = code_and_strings(program);
    // The probes' own words (`tracepoint:cgroup:cgroup_mkdir`) read nothing.
    let body: String = probes.iter().fold(code, |code, p| code.replace(p.as_str(), " "));
    let mut out: std::collections::BTreeSet<String> = probes.iter().map(|p| format!("probe {p}")).collect();
    out.extend(fields_read(&body).into_iter().map(|f| format!("field {f}")));
    out.extend(BUILTINS.iter().filter(|b| reads(&body, b)).map(|b| format!("builtin {b}")));
    out.extend(call.captures_iter(&body).map(|c| format!("call {}", &c[1])));
    out.extend(number.captures_iter(&body).map(|c| format!("number {}", &c[1])));
    // A string compared with (`comm == "nginx"`): the n-th literal of the code is the n-th string.
    let quotes: Vec<usize> = body.match_indices('"').map(|(i, _)| i).collect();
    for (n, pair) in quotes.chunks(2).enumerate() {
        let (open, close) = (pair[0], pair.get(1).copied().unwrap_or(body.len()));
        let before = &body[..open];
        let after = &body[(close + 1).min(body.len())..];
        let b = before.trim_end();
        let in_strncmp = b.rfind("strncmp(").is_some_and(|k| !b[k..].contains(')'));
        let tested = b.ends_with("==") || b.ends_with("!=") || after.trim_start().starts_with("==") || after.trim_start().starts_with("!=") || in_strncmp;
        if tested {
            if let Some(s) = strings.get(n) {
                out.insert(format!("string {s}"));
            }
        }
    }
    out
}

/// Holds a program the model wrote from a start (a partial reading's program) to adding to it:
/// one made of nothing the start is not made of (no other probe, field, builtin, call, number or
/// compared string) has left out everything the reading could not place, and passing it would
/// answer a narrower question than the one asked.
pub fn beyond(program: &str, start: &crate::plan::emit::Partial) -> PlanVerdict {
    let given = made_of(&start.program);
    if made_of(program).iter().any(|v| !given.contains(v)) {
        return PlanVerdict::Ok;
    }
    PlanVerdict::Missing { missing: vec![format!("it does nothing the program it started from does not, so it still leaves out what the request says with {}", start.quoted())] }
}

/// Whether `text` uses `word` as an identifier (`comm`, not `comm_len`; `args->cap`).
fn reads(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// The words of the request behind the value called `name`, for the message.
fn said_of(plan: &Plan, name: &str) -> Option<String> {
    plan.said.iter().find(|s| s.means.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == name)).map(|s| s.words.clone())
}

/// Holds a bpftrace `program` to `plan`.
pub fn against(program: &str, plan: &Plan) -> PlanVerdict {
    let probes = crate::obj::source::bpftrace_probes(program);
    let events: Vec<&String> = probes.iter().filter(|p| !p.parse::<crate::obj::Probe>().is_ok_and(|p| p.is_timer())).collect();
    let asked: Vec<&String> = plan.probes.iter().chain(plan.start.iter().flat_map(|s| &s.probes)).collect();
    let asked_words = asked.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(" or ");
    let mut missing = Vec::new();
    if !events.iter().any(|p| asked.iter().any(|a| implements(p, a))) {
        let words = plan
            .said
            .iter()
            .find(|s| asked.iter().any(|a| s.means.contains(a.as_str()) || a.contains(s.means.trim_start_matches("the ").split(' ').next().unwrap_or("-"))))
            .map(|s| format!(" (it says \"{}\")", s.words))
            .unwrap_or_default();
        missing.push(format!("the request is about {asked_words}{words}, and the program attaches to none of them"));
        return PlanVerdict::Missing { missing };
    }
    // Output from events the request does not name answers another question beside this one
    // ("report reboot calls" printing setuid calls too). A syscall's entry serving its exit is
    // the same event; BEGIN, END and interval are not events.
    let extra: Vec<&str> = events.iter().filter(|p| !asked.iter().any(|a| implements(p, a))).map(|p| p.as_str()).collect();
    if !extra.is_empty() {
        missing.push(format!("it also traces {}, which the request does not ask for: trace only {asked_words}", extra.join(", ")));
    }
    // A software event that fires once per N events (bpftrace's default for page faults is 100)
    // counts and prints a sample, not what happened.
    // Software events only: a hardware counter on every event is throttled by perf, and is
    // sampled by nature.
    for p in &events {
        if let Some((name, period)) = p.parse::<crate::obj::Probe>().ok().and_then(|probe| probe.counted_software_event()).filter(|(_, period)| *period > 1) {
            missing.push(format!("{p} fires once every {period} {name}, so it sees a sample of them: write software:{name}:1 to see each one"));
        }
    }
    // Field names are the plan's tracepoint's: a program on an equivalent event (a syscall's
    // kprobe) names them otherwise, and only the builtins are held to.
    let same_hooks = events.iter().any(|p| asked.iter().any(|a| p.as_str() == a.as_str()));
    // Lines the request did not describe get the event's own defaults (who, and the record's
    // fields): a reading's choice, not the request's, so the model may choose others.
    let mut terms: Vec<&Term> = match &plan.output {
        Output::Lines { values } => values.iter().filter(|t| said_of(plan, t.name()).is_some()).collect(),
        Output::Map { of, keys, .. } => of.iter().chain(keys).collect(),
    };
    terms.extend(plan.conditions.iter().map(|c| &c.term));
    for t in terms {
        let (read, what) = match t {
            Term::Builtin(b) => (reads(program, b.name()) || (*b == Builtin::Pid && reads(program, "tgid")), format!("bpftrace's builtin {}", b.name())),
            Term::Field { name, .. } if same_hooks => {
                let spelled = plan.spelling(name);
                (reads(program, spelled.trim_start_matches("args->")), spelled)
            }
            Term::Field { .. } => continue,
            Term::Errno => (reads(program, "ret") || reads(program, "retval"), "the call's error (args->ret)".to_string()),
            Term::Elapsed => (reads(program, "nsecs") || reads(program, "elapsed"), "the time between the two events (nsecs)".to_string()),
        };
        if !read && !missing.iter().any(|m: &String| m.contains(&what)) {
            let words = said_of(plan, t.name()).map(|w| format!(" (the request says \"{w}\")")).unwrap_or_default();
            missing.push(format!("it never reads {what}{words}"));
        }
    }
    // The object a start and its end are matched by, when the words said it ("for the same
    // inode"): a program that never reads it cannot match by it, and matched by thread the time
    // it measures runs between other events. (Reading it is not proof it keys by it.)
    if let Some(Start { key: PairKey::Fields { start, end }, .. }) = &plan.start {
        if same_hooks {
            if let Some(s) = plan.said.iter().find(|s| s.means.starts_with("matched by ")) {
                let mut names: Vec<String> = Vec::new();
                for f in start.iter().chain(end).filter(|f| !reads(program, f)) {
                    let name = format!("args->{f}");
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                if !names.is_empty() {
                    missing.push(format!(
                        "it never reads {} (the request says \"{}\"): key the start's timestamp by it at the start event and look it up by it at the end",
                        names.join(", "),
                        s.words
                    ));
                }
            }
        }
    }
    // The fold the words asked for ("the average", "a histogram"): counting instead answers
    // another question. A fold the reader only chose by default is the model's to choose.
    for fold in plan.output.folds() {
        let (said, calls): (&str, &[&str]) = match fold {
            Fold::Count => ("a count", &["count(", "++", "+= 1"]),
            Fold::Sum => ("the sum", &["sum(", "+="]),
            Fold::Hist => ("a histogram", &["hist(", "lhist("]),
            Fold::Avg => ("the average", &["avg(", "stats("]),
            Fold::Max => ("the maximum", &["max("]),
            Fold::Min => ("the minimum", &["min("]),
        };
        let code = without_comments(program);
        if let Some(s) = plan.said.iter().find(|s| s.means == said) {
            if !calls.iter().any(|c| code.contains(c)) {
                missing.push(format!("it never folds the events into {said} (the request says \"{}\"): use {}", s.words, calls[0].trim_end_matches('(').to_string() + "()"));
            }
        }
    }
    // Linear buckets asked for with their bounds ("from 0 to 4096 in 512 byte steps").
    if let Some((min, max, step)) = plan.linear {
        let code = without_comments(program);
        let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if !compact.contains(&format!(",{min},{max},{step})")) || !code.contains("lhist(") {
            missing.push(format!("it never folds the value into linear buckets from {min} to {max}, {step} wide, as the request asks: use lhist(value, {min}, {max}, {step})"));
        }
    }
    // Lines are printed as each event happens; values kept in maps that END clears are never
    // seen.
    if matches!(plan.output, Output::Lines { .. }) && !prints_per_event(program) {
        missing.push("it prints nothing when the event happens: the request asks to see each one, so printf them in the event's block".to_string());
    }
    if missing.is_empty() {
        PlanVerdict::Ok
    } else {
        PlanVerdict::Missing { missing }
    }
}

/// Whether a block of some event (not BEGIN, END or a timer) prints.
fn prints_per_event(program: &str) -> bool {
    let code = without_comments(program);
    let mut rest = code.as_str();
    while let Some(open) = rest.find('{') {
        let header = rest[..open].trim();
        let Some(end) = closing(&rest[open..], '{', '}') else { return true };
        let body = &rest[open..open + end];
        // The probe list, without a predicate.
        let probes = header.rsplit(['}', ';']).next().unwrap_or(header).split('/').next().unwrap_or_default();
        let timer = probes.split(',').map(str::trim).all(|p| p.parse::<crate::obj::Probe>().is_ok_and(|p| p.is_timer()));
        if !timer && ["printf(", "print(", "join(", "cat(", "time("].iter().any(|f| body.contains(f)) {
            return true;
        }
        rest = &rest[open + end + 1..];
    }
    false
}

/// `program` without its comments.
fn without_comments(program: &str) -> String {
    static BLOCK_COMMENT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let block_comment = BLOCK_COMMENT.get_or_init(|| regex::Regex::new(r"(?s)/\*.*?\*/").expect("a valid regex"));
    let code = block_comment.replace_all(program, " ");
    // A line comment starts at `//` outside a string.
    code.lines()
        .map(|l| {
            let mut quoted = false;
            let mut prev = ' ';
            for (i, c) in l.char_indices() {
                match c {
                    '"' if prev != '\\' => quoted = !quoted,
                    '/' if !quoted && prev == '/' => return &l[..i - 1],
                    _ => {}
                }
                prev = c;
            }
            l
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The conditions under which a bpftrace program keeps an event: its predicates, and its `if`
/// conditions that guard output with no `else` (an `if` with an `else` keeps both sides; one
/// whose block only returns keeps the rest). Comments are removed first.
fn conditions(program: &str) -> Vec<String> {
    let code = without_comments(program);
    let mut out = Vec::new();
    // A predicate sits between a probe list and its block: `/.../ {`.
    static PREDICATE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let predicate = PREDICATE.get_or_init(|| regex::Regex::new(r"(?m)(?:^|[\s,}])/([^/{}\n][^{}\n]*?)/\s*\{").expect("a valid regex"));
    out.extend(predicate.captures_iter(&code).map(|c| c[1].to_string()));
    let bytes = code.as_bytes();
    for (i, _) in code.match_indices("if") {
        let word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let rest = code[i + 2..].trim_start();
        if !word_start || !rest.starts_with('(') {
            continue;
        }
        let Some(end) = closing(rest, '(', ')') else { continue };
        let after = rest[end + 1..].trim_start();
        let Some(block_end) = closing(after, '{', '}') else { continue };
        let block = after[1..block_end].trim().trim_end_matches(';').trim();
        let has_else = after[block_end + 1..].trim_start().starts_with("else");
        if !has_else && block != "return" && !block.starts_with("exit()") {
            out.push(rest[1..end].to_string());
        }
    }
    out
}

/// Where the bracket opening `text` closes.
fn closing(text: &str, open: char, close: char) -> Option<usize> {
    if !text.starts_with(open) {
        return None;
    }
    let mut depth = 0;
    for (j, c) in text.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// Whether the request speaks of failures, errors or results at all: then a program may test them.
fn speaks_of_results(request: &str) -> bool {
    let lower = request.to_lowercase();
    ["can't", "cannot", "not found", "missing", "don't exist", "doesn't exist", "do not exist", "does not exist", "no such", "timed out", "timeout"]
        .iter()
        .any(|p| lower.contains(p))
        || request.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| {
            let l = w.to_lowercase();
            ["fail", "error", "errno", "unsuccess", "denied", "refus", "reject", "return", "result", "status", "succe", "exit", "code", "ret", "bad", "invalid", "wrong"]
                .iter()
                .any(|p| l.starts_with(p))
                || super::constants::errno(&w.to_uppercase()).is_some()
        })
}

/// Conditions a program adds that the request never states, each in plain words: only failed
/// calls where the request speaks of no failure ("which programs resolve symlinks" printing
/// only the readlinks that fail), or a process, pid or string the request never names. A filter
/// the request did not ask for hides exactly the events the user wanted to see.
pub fn unasked(program: &str, request: &str) -> Vec<String> {
    static FAILURE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static LITERAL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static NUMBER: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    // `!= 0` is no failure test: a read's bytes, a function's pointer or true are nonzero.
    let failure = FAILURE.get_or_init(|| regex::Regex::new(r"(?:args->|args\.|\$)?\b(?:ret|retval|rc|err|error)\b\s*(?:<\s*0\b|<=\s*-|==\s*-|<\s*-)").expect("a valid regex"));
    // strncmp(...) == 0 keeps a name; != 0 leaves one out (bpftrace excluding itself).
    let literal = LITERAL.get_or_init(|| regex::Regex::new(r#"==\s*"([^"]*)"|"([^"]*)"\s*==|strncmp\([^,]*,\s*"([^"]*)"\s*,[^)]*\)\s*==\s*0"#).expect("a valid regex"));
    // Identities a request names by number when it means one: a process, a user, a file
    // descriptor, a CPU (`args->out_fd == 3` is no answer to "bytes nginx sends").
    let number = NUMBER.get_or_init(|| regex::Regex::new(r"\b(\w*(?:pid|tid|uid|gid|fd|cpu))\s*==\s*(\d+)\b").expect("a valid regex"));
    static EXCLUDING: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static NOT_ROOT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    // "not root", "skip the root user", "nothing from root", "root is excluded".
    let not_root = NOT_ROOT.get_or_init(|| {
        let (aside, out) = (crate::plan::read::SETS_ASIDE.join("|"), crate::plan::read::TAKES_OUT.join("|"));
        regex::Regex::new(&format!(r"\b(?:{aside}|(?:{out})\s+out)\b(?:\W+\w+){{0,3}}?\W+root\b|\broot\b\W+(?:\w+\W+){{0,2}}(?:excluded|ignored|filtered|left out)"))
            .expect("a valid regex")
    });
    let excluding = EXCLUDING.get_or_init(|| regex::Regex::new(r"\b(\w*(?:pid|tid|uid|gid|fd|cpu))\s*(!=|>=|<=|>|<)\s*(\d+)\b").expect("a valid regex"));
    let lower = request.to_lowercase();
    let casts = regex::Regex::new(r"\(\s*u?int(?:8|16|32|64)?\s*\)").expect("a valid regex");
    let mut out: Vec<String> = Vec::new();
    let mut add = |m: String| {
        if !out.contains(&m) {
            out.push(m);
        }
    };
    for condition in conditions(program) {
        let condition = casts.replace_all(&condition, "");
        if let Some(m) = failure.find(&condition) {
            if !speaks_of_results(request) {
                add(format!("it keeps only failures ({}), and the request does not ask for failures: report every call", m.as_str().trim()));
            }
        }
        for c in literal.captures_iter(&condition) {
            let text = c.iter().skip(1).flatten().next().map(|m| m.as_str()).unwrap_or_default();
            // `python3` for "python": a name the request gives, as the process runs under it.
            let given = |t: &str| lower.contains(t) || lower.split(|c: char| !c.is_alphanumeric()).any(|w| w.len() >= 3 && t.starts_with(w));
            if !text.is_empty() && !given(&text.to_lowercase()) {
                add(format!("it keeps only events where a value equals \"{text}\", which the request never names"));
            }
        }
        // Events left out by identity: `uid != 0` hides root's, which no request for "every
        // time any process" wants hidden. Leaving out the idle task (`pid != 0`) hides nothing
        // a request asks about.
        for c in excluding.captures_iter(&condition) {
            let (what, op, n) = (&c[1], &c[2], &c[3]);
            let idle = (what.ends_with("pid") || what.ends_with("tid")) && n == "0" && matches!(op, "!=" | ">");
            let unprivileged = what.ends_with("uid")
                && (["non-root", "nonroot", "non root", "unprivileged", "non-privileged", "regular user", "normal user", "human user", "other than root", "ordinary user"]
                    .iter()
                    .any(|w| lower.contains(w))
                    || not_root.is_match(&lower));
            if !idle && !unprivileged && !lower.split(|ch: char| !ch.is_ascii_digit()).any(|d| d == n) {
                add(format!("it keeps only events where {what} {op} {n}, which the request never asks: report every one"));
            }
        }
        for c in number.captures_iter(&condition) {
            let (what, n) = (&c[1], &c[2]);
            let root = what.ends_with("uid") && n == "0" && (lower.contains("root") || lower.contains("superuser"));
            let standard = what.ends_with("fd") && ["0", "1", "2"].contains(&n) && ["stdin", "stdout", "stderr", "standard", "terminal", "tty"].iter().any(|w| lower.contains(w));
            if !root && !standard && !lower.split(|ch: char| !ch.is_ascii_digit()).any(|d| d == n) {
                add(format!("it keeps only {what} {n}, which the request never names"));
            }
        }
    }
    out
}

/// Holds a bpftrace `program` to the request: to what the reader made of it where it read it
/// (the plan, complete or not; the names it gives that nothing read; the events it names side
/// by side; the tracepoints and events its words name), and always to the conditions the
/// request states.
pub fn held(program: &str, reading: Option<&Reading>, request: Option<&str>) -> PlanVerdict {
    // Where the words name two events side by side, the plan holds one of them at best (and the
    // values of its record): the program is held to tracing both instead.
    let plan = reading.filter(|r| r.events.is_empty()).and_then(|r| r.plan.as_ref());
    let mut missing = match plan.map(|p| against(program, p)) {
        Some(PlanVerdict::Missing { missing }) => missing,
        _ => Vec::new(),
    };
    if let Some(reading) = reading {
        missing.extend(unsaid(program, &reading.names));
        missing.extend(too_few_events(program, &reading.events));
        missing.extend(untraced(program, &reading.hooks));
        // With no event read at all, nothing else says the program traces what was asked.
        let no_event = reading.plan.is_none() && reading.gaps.iter().any(|g| g == super::read::NO_EVENT);
        if let (true, Some(request)) = (no_event, request) {
            missing.extend(unnamed(program, request));
        }
        // "How long did each sleep block": a time, which a plan holding it checks itself.
        let plan_times = plan.is_some_and(|p| p.terms().any(|t| *t == Term::Elapsed));
        if reading.timed && !plan_times && !reads(program, "nsecs") && !reads(program, "elapsed") {
            missing.push(
                "the request asks how long something takes, and the program measures no time: keep nsecs where it starts (by tid) and print or fold nsecs minus it where it ends"
                    .to_string(),
            );
        }
    }
    missing.extend(positional(program));
    // A reading that tests the result ("'No such file or directory'" is `ret == -2`) asked
    // for it, in words `unasked` does not know.
    let tests_result = plan.is_some_and(|p| p.conditions.iter().any(|c| matches!(c.term, Term::Errno) || c.term.name() == "ret"));
    if let Some(request) = request {
        missing.extend(unasked(program, request).into_iter().filter(|m| !(tests_result && m.starts_with("it keeps only failures"))));
        let given: Vec<i64> = reading
            .and_then(|r| r.plan.as_ref())
            .map(|p| {
                p.conditions
                    .iter()
                    .flat_map(|c| match &c.test {
                        super::Test::Cmp { value, .. } => vec![*value],
                        super::Test::Bits { mask } => vec![*mask],
                        super::Test::OneOf { values } => values.clone(),
                        _ => vec![],
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Only where the reader settled a plan: an event chosen from the everyday words for
        // it carries values of its own ("outgoing connections" are `newstate == 2`).
        if reading.is_some_and(|r| r.plan.is_some()) {
            missing.extend(invented(program, request, &given));
        }
    }
    if missing.is_empty() {
        PlanVerdict::Ok
    } else {
        PlanVerdict::Missing { missing }
    }
}

/// Filters on a record's value by a number the request never gives, in a request that asks
/// for no restriction at all: "Show each modify_ldt() call" answered with `if (args->func ==
/// 0x1000)` passed every other check. A number the request writes (in any common unit:
/// "64 KiB" is 65536), one the reading took from its words (`given`: "IPC_RMID" is 0), and 0
/// and 1 (null, false, true) are the request's; a request with words of restriction ("only",
/// "over", "except", …) or constants and protocols written as names may ask for a filter in
/// words this check cannot weigh, and is left to the other checks.
pub fn invented(program: &str, request: &str, given: &[i64]) -> Vec<String> {
    static TEST: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static NUMBER: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static CONSTANT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    // Comparisons only: a mask (`args->flags & 0x3`) takes a value apart as often as it tests one.
    let test = TEST.get_or_init(|| regex::Regex::new(r"args->(\w+)\s*(==|!=|>=|<=|>|<)\s*(0[xX][0-9a-fA-F]+|[0-9]+)\b").expect("a valid regex"));
    let number = NUMBER.get_or_init(|| regex::Regex::new(r"\d+(?:\.\d+)?").expect("a valid regex"));
    // A constant's name (`IPC_RMID`, `SIGKILL`, `ENOENT`) or a protocol's, whose number the
    // program may rightly test; acronyms such as PID or CPU name none.
    let constant = CONSTANT
        .get_or_init(|| regex::Regex::new(r"\b(?:[A-Z][A-Z0-9]*_[A-Z0-9_]+|SIG[A-Z0-9]+|E[A-Z]{3,}|TCP|UDP|ICMP|ICMPV6|SCTP|IPV4|IPV6|IPv4|IPv6|ARP)\b").expect("a valid regex"));
    const RESTRICTING: &[&str] = &[
        "only",
        "just",
        "except",
        "excluding",
        "exclude",
        "without",
        "unless",
        "whose",
        "filter",
        "filtered",
        "ignore",
        "ignoring",
        "skip",
        "specific",
        "specifically",
        "particular",
        "over",
        "above",
        "below",
        "exceed",
        "exceeds",
        "exceeding",
        "least",
        "most",
        "more",
        "less",
        "fewer",
        "greater",
        "bigger",
        "larger",
        "smaller",
        "higher",
        "lower",
        "longer",
        "shorter",
        "slower",
        "faster",
        "nonzero",
        "non-zero",
        "zero",
        "negative",
        "positive",
        "failed",
        "failing",
        "fails",
        "failure",
        "failures",
        "error",
        "errors",
        "succeeded",
        "successful",
        "success",
        "large",
        "small",
        "big",
        "huge",
        "tiny",
    ];
    let lower = request.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !(c.is_alphanumeric() || c == '-')).collect();
    if words.iter().any(|w| RESTRICTING.contains(w)) || constant.is_match(request) {
        return Vec::new();
    }
    let said: Vec<f64> = number.find_iter(request).filter_map(|m| m.as_str().parse::<f64>().ok()).collect();
    let units = [1.0, 1e3, 1024.0, 1e6, 1048576.0, 1e9, 1073741824.0];
    let mut out = Vec::new();
    for condition in conditions(program) {
        for c in test.captures_iter(&condition) {
            let raw = &c[3];
            let value = match raw.strip_prefix("0x").or_else(|| raw.strip_prefix("0X")) {
                Some(hex) => i64::from_str_radix(hex, 16).ok(),
                None => raw.parse::<i64>().ok(),
            };
            let Some(value) = value else { continue };
            if value <= 1 || given.contains(&value) || said.iter().any(|d| units.iter().any(|u| (d * u - value as f64).abs() < 0.5)) {
                continue;
            }
            let m = format!("it keeps only events where args->{} {} {raw}, which the request never asks: report every one", &c[1], &c[2]);
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// Positional parameters (`$1`, `str($2)`, `$#`): Kgent runs a program with none, so `$1` is 0
/// or "" and a filter on it (`/comm == str($1)/`) keeps nothing the request asked for.
fn positional(program: &str) -> Vec<String> {
    static STRINGS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static PARAM: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let strings = STRINGS.get_or_init(|| regex::Regex::new(r#""([^"\\]|\\.)*""#).expect("a valid regex"));
    let param = PARAM.get_or_init(|| regex::Regex::new(r"\$(\d+|#)").expect("a valid regex"));
    let code = without_comments(program);
    let code = strings.replace_all(&code, "\"\"");
    match param.find(&code) {
        Some(m) => vec![format!(
            "it reads the positional parameter {}, and Kgent runs programs with none (it is 0 or \"\"): write the value the request names, or leave it out",
            m.as_str()
        )],
        None => vec![],
    }
}

/// The events a program traces that no word of the request names, when the reader found no
/// event: a program counting `sys_enter_sync` for "alarm timers as they get armed" passes every
/// other check. An event is named when a part of its hook's name is a word of the request
/// ("alarm" of `alarmtimer_start`, "allocations" of `percpu_alloc_percpu`). Timers, BEGIN/END
/// and sampling (`profile`) are not events of the request's.
fn unnamed(program: &str, request: &str) -> Vec<String> {
    let words: Vec<String> = request
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .flat_map(|w| std::iter::once(w.to_string()).chain(w.split('_').map(str::to_string)).collect::<Vec<_>>())
        .filter(|w| w.len() >= 3)
        .map(|w| crate::ground::stem(&w))
        .collect();
    use crate::obj::ProbeKind;
    let probes: Vec<(String, Option<crate::obj::Probe>)> = crate::obj::source::bpftrace_probes(program).into_iter().map(|p| (p.clone(), p.parse().ok())).collect();
    // A user-space function is named by the program's own words ("DNS lookups" are
    // getaddrinfo's), which this check cannot weigh; what it cannot parse it does not judge.
    let user_space = |p: &crate::obj::Probe| matches!(p.kind, ProbeKind::Uprobe | ProbeKind::Uretprobe | ProbeKind::Usdt);
    if probes.iter().any(|(_, p)| p.as_ref().is_none_or(user_space)) {
        return Vec::new();
    }
    let events: Vec<String> = probes.into_iter().filter(|(_, p)| !p.as_ref().is_some_and(|p| p.is_timer() || p.kind == ProbeKind::Profile)).map(|(s, _)| s).collect();
    // A subsystem's name names none of its events ("task structs … freed" is no `task_newtask`):
    // a part of the event's own name must be said, where it has one.
    let named = |probe: &String| {
        let category: Vec<String> = probe.split(':').nth(1).map(|c| crate::ground::name_parts(&format!("x:{c}")).into_iter().collect()).unwrap_or_default();
        let parts = crate::ground::name_parts(probe);
        let own: Vec<&String> = parts.iter().filter(|p| !category.contains(p)).collect();
        let parts: Vec<&String> = if own.is_empty() { parts.iter().collect() } else { own };
        parts.iter().any(|part| words.iter().any(|w| crate::ground::same_part(w, part)))
    };
    if events.is_empty() || events.iter().any(named) {
        return Vec::new();
    }
    vec![format!("it traces {}, and no word of the request names that event: trace the event the request describes, on a hook whose name says it", events.join(", "))]
}

/// Where each `printf(…)` call's arguments lie in `code` (comments already removed).
fn printf_spans(code: &str) -> Vec<std::ops::Range<usize>> {
    static CALL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let call = CALL.get_or_init(|| regex::Regex::new(r"\bprintf\s*\(").expect("a valid regex"));
    let bytes = code.as_bytes();
    call.find_iter(code)
        .map(|m| {
            let (mut depth, mut quoted, mut k) = (1usize, false, m.end());
            while k < bytes.len() && depth > 0 {
                match bytes[k] {
                    b'\\' if quoted => k += 1,
                    b'"' => quoted = !quoted,
                    b'(' if !quoted => depth += 1,
                    b')' if !quoted => depth -= 1,
                    _ => {}
                }
                k += 1;
            }
            m.start()..k
        })
        .collect()
}

/// The names a program never says, in a string or a probe: a request about what nginx sends
/// is not answered by a program that counts every process's bytes (a map called `@nginx`
/// says nothing).
fn unsaid(program: &str, names: &[String]) -> Vec<String> {
    static STRING: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let string = STRING.get_or_init(|| regex::Regex::new(r#""((?:[^"\\]|\\.)*)""#).expect("a valid regex"));
    let code = without_comments(program);
    // What a program prints is no filter: a header's "OPEN_FILES" column does not say `open`.
    let printed = printf_spans(&code);
    let strings: Vec<String> =
        string.captures_iter(&code).filter(|c| !printed.iter().any(|r| r.contains(&c.get(0).map_or(0, |m| m.start())))).map(|c| c[1].to_lowercase()).collect();
    // In a probe, a name is a whole part: a binary's path (`/usr/sbin/nginx`), a tracepoint's
    // word (`mm_vmscan_kswapd_wake`); `nanosleep` does not name `sleep`.
    let parts: Vec<String> =
        crate::obj::source::bpftrace_probes(program).iter().flat_map(|p| p.to_lowercase().split([':', '/', '_', '.', '-']).map(str::to_string).collect::<Vec<_>>()).collect();
    names
        .iter()
        .filter(|n| {
            let n = n.to_lowercase();
            !strings.iter().any(|s| s.contains(&n)) && !parts.contains(&n)
        })
        .map(|n| format!("the request names \"{n}\", and the program never says it: keep only its events (comm == \"{n}\"), or trace it by name"))
        .collect()
}

/// The hooks the request names by name that the program does not trace.
fn untraced(program: &str, named: &[NamedHooks]) -> Vec<String> {
    let probes = crate::obj::source::bpftrace_probes(program);
    let traces = |h: &String| probes.iter().any(|p| implements(p, h) || (p.contains('*') && crate::obj::probe::glob(p).is_match(h)));
    named.iter().filter(|n| !n.hooks.iter().any(traces)).map(|n| format!("the request names {}, and the program does not trace it: use {}", n.word, n.hooks.join(" or "))).collect()
}

/// Whether the program traces as many events as the request names side by side ("cgroups
/// created and destroyed" is two).
fn too_few_events(program: &str, events: &[String]) -> Vec<String> {
    if events.len() < 2 {
        return vec![];
    }
    let mut traced: Vec<String> =
        crate::obj::source::bpftrace_probes(program).into_iter().filter(|p| p.parse::<crate::obj::Probe>().map_or(true, |p| !p.is_timer() && !p.runs_once())).collect();
    traced.sort();
    traced.dedup();
    // A wildcard traces many.
    if traced.len() >= events.len() || traced.iter().any(|p| p.contains('*')) {
        return vec![];
    }
    let asked = events.iter().map(|e| format!("\"{e}\"")).collect::<Vec<_>>().join(" and ");
    let got = if traced.is_empty() { "none".to_string() } else { traced.join(", ") };
    vec![format!("the request asks about {} events ({asked}), and the program traces {got}: trace each of them", events.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Condition, Fold, Said, Test};

    fn plan() -> Plan {
        let mut p = Plan::on(
            vec!["tracepoint:capability:cap_capable".into()],
            Output::Map { fold: Fold::Count, also: vec![], of: None, keys: vec![Term::Builtin(Builtin::Comm), Term::field("cap", "int")] },
        );
        p.said.push(Said { words: "capability number".into(), means: "keyed by cap".into() });
        p.conditions.push(Condition { term: Term::Builtin(Builtin::Uid), test: Test::Cmp { op: crate::comprehend::CmpOp::Eq, value: 0 }, words: "root".into() });
        p
    }

    #[test]
    fn a_filter_by_a_number_the_request_never_gives_is_invented() {
        let request = "Old 16-bit games under Wine crash on our test rig right at startup. Show each modify_ldt() call (process, pid, func and bytecount).";
        let program = "tracepoint:syscalls:sys_enter_modify_ldt {\n  if (args->func == 0x1000) { printf(\"%s %d\\n\", comm, args->func); }\n}";
        let m = invented(program, request, &[]);
        assert_eq!(m, ["it keeps only events where args->func == 0x1000, which the request never asks: report every one"]);
        // The number said in a unit ("64 KiB"), taken by the reading from a name, 0 and 1, a
        // request with a word of restriction or a constant's name: not invented here.
        assert!(invented("k:f /args->len > 65536/ { }", "print preallocations bigger than 64 KiB", &[]).is_empty());
        assert!(invented("k:f /args->len >= 65536/ { }", "print preallocations of 64 KiB", &[]).is_empty());
        assert!(invented("k:f /args->cmd == 3/ { }", "show the removals of segments", &[3]).is_empty());
        assert!(invented("k:f /(args->flags & 0x3) == 1/ { }", "show each call", &[]).is_empty());
        assert!(invented("k:f /args->protocol == 6/ { }", "show each TCP connection", &[]).is_empty());
        // An acronym is no constant: the check still holds.
        assert_eq!(invented("k:f /args->func == 7/ { }", "show each call with its PID", &[]).len(), 1);
        assert!(invented("k:f /args->cmd == 3/ { }", "show only the removals", &[]).is_empty());
        assert!(invented("k:f /args->cmd == 0/ { }", "show the IPC_RMID calls", &[]).is_empty());
        // A comment is not a condition.
        assert!(invented("k:f { // if (args->func == 4096) { }\n @[comm] = count(); }", "count the calls", &[]).is_empty());
    }

    #[test]
    fn a_reply_to_a_start_must_do_something_the_start_does_not() {
        let start = crate::plan::emit::Partial {
            program: "BEGIN { printf(\"%-16s\\n\", \"COMM\"); }\ntracepoint:ext4:ext4_drop_inode\n{\n  @count[comm] = count();\n}\n".into(),
            leaves_out: vec!["per outcome".into()],
        };
        let missing = |p: &str| match beyond(p, &start) {
            PlanVerdict::Missing { missing } => missing.join("; "),
            PlanVerdict::Ok => String::new(),
        };
        assert!(missing(&start.program).contains("\"per outcome\""));
        // Said in a string or a comment, a header's words, a probe's own name: nothing more.
        for same in [
            "tracepoint:ext4:ext4_drop_inode { printf(\"args->drop\"); @count[comm] = count(); }",
            "tracepoint:ext4:ext4_drop_inode { @count[comm] = count(); } // and args->drop",
            "BEGIN { printf(\"%-16s %s\\n\", \"COMM\", \"OUTCOME\"); }\ntracepoint:ext4:ext4_drop_inode { @count[comm] = count(); }",
        ] {
            assert!(!missing(same).is_empty(), "{same}");
        }
        // A value, a builtin, a threshold, a name compared with, a ranking: something more.
        for more in [
            "tracepoint:ext4:ext4_drop_inode { @count[comm, args->drop] = count(); }",
            "tracepoint:ext4:ext4_drop_inode { @count[comm, probe] = count(); }",
            "tracepoint:ext4:ext4_drop_inode /args->ino > 4096/ { @count[comm] = count(); }",
            "tracepoint:ext4:ext4_drop_inode /comm == \"nginx\"/ { @count[comm] = count(); }",
            "tracepoint:ext4:ext4_drop_inode { @count[comm] = count(); } END { print(@count, 10); }",
        ] {
            assert_eq!(missing(more), "", "{more}");
        }
        assert_eq!(fields_read("t { printf(\"%s \\\"args->pid\\\" %d\\n\", comm, args->x, arg12); } // args->y"), ["x", "arg12"]);
    }

    #[test]
    fn a_perf_event_that_samples_counts_a_sample() {
        let faults = Plan::on(vec!["software:page-faults".into()], Output::Map { fold: Fold::Count, also: vec![], of: None, keys: vec![Term::Builtin(Builtin::Comm)] });
        let verdict = |p: &str| match against(p, &faults) {
            PlanVerdict::Missing { missing } => missing.join("; "),
            PlanVerdict::Ok => String::new(),
        };
        // bpftrace's default for page faults is one firing in 100; an alias is the same event.
        assert!(verdict("software:page-faults { @[comm] = count(); }").contains("software:page-faults:1"));
        assert!(verdict("software:faults:100 { @[comm] = count(); }").contains("once every 100"));
        assert_eq!(verdict("software:faults:1 { @[comm] = count(); }"), "");
        assert_eq!(verdict("software:page-faults:1 { @[comm] = count(); }"), "");
        // The plan's own program says :1, and a clock stays a sampler.
        assert!(crate::plan::emit::bpftrace(&faults).contains("software:page-faults:1\n"));
        let clock = Plan::on(vec!["software:cpu-clock".into()], Output::Map { fold: Fold::Count, also: vec![], of: None, keys: vec![Term::Builtin(Builtin::Comm)] });
        assert!(crate::plan::emit::bpftrace(&clock).contains("software:cpu-clock\n"));
    }

    #[test]
    fn a_subsystems_name_names_none_of_its_events() {
        let request = "How many task structs are getting freed, broken down by the name of the task that died?";
        assert_eq!(unnamed("tracepoint:task:task_newtask { @[comm] = count(); }", request).len(), 1);
        assert!(unnamed("tracepoint:sched:sched_process_free { @[args->comm] = count(); }", request).is_empty());
        // A name that is all the subsystem's is named by it.
        assert!(unnamed("tracepoint:irq:irq_handler_entry { @[comm] = count(); }", "count irq handler runs").is_empty());
    }

    #[test]
    fn positional_parameters_are_sent_back() {
        assert_eq!(positional("tracepoint:syscalls:sys_enter_timerfd_settime /comm == str($1)/ { @[args->ufd] = count(); }").len(), 1);
        assert_eq!(positional("BEGIN { if ($# > 0) { exit(); } }").len(), 1);
        assert!(positional("tracepoint:syscalls:sys_enter_read { $n = args->count; printf(\"$1 %d\\n\", $n); }").is_empty());
        assert!(positional("// usage: prog.bt $1\ntracepoint:syscalls:sys_enter_read { @[comm] = count(); } /* $# */").is_empty());
    }

    #[test]
    fn a_pair_keyed_by_a_said_object_must_read_it() {
        let mut p = Plan::on(vec!["tracepoint:ext4:ext4_ext_remove_space_done".into()], Output::Map { fold: Fold::Hist, also: vec![], of: Some(Term::Elapsed), keys: vec![] });
        p.start = Some(Start { probes: vec!["tracepoint:ext4:ext4_ext_remove_space".into()], key: PairKey::Fields { start: vec!["ino".into()], end: vec!["ino".into()] } });
        let by_tid = "tracepoint:ext4:ext4_ext_remove_space { @s[tid] = nsecs; } tracepoint:ext4:ext4_ext_remove_space_done /@s[tid]/ { @us = hist((nsecs - @s[tid]) / 1000); delete(@s[tid]); }";
        let by_ino = by_tid.replace("[tid]", "[args->ino]");
        // Unsaid, the key is the model's to choose.
        assert_eq!(against(by_tid, &p), PlanVerdict::Ok);
        p.said.push(Said { words: "for the same inode".into(), means: "matched by ino".into() });
        let v = against(by_tid, &p);
        assert!(matches!(&v, PlanVerdict::Missing { missing } if missing[0].starts_with("it never reads args->ino (the request says \"for the same inode\")")), "{v:?}");
        assert_eq!(against(&by_ino, &p), PlanVerdict::Ok);
    }

    #[test]
    fn a_program_must_read_what_the_reading_settled() {
        let good = "tracepoint:capability:cap_capable /uid == 0/ { @[comm, args->cap] = count(); }";
        assert_eq!(against(good, &plan()), PlanVerdict::Ok);
        let no_cap = "tracepoint:capability:cap_capable /uid == 0/ { @[comm] = count(); }";
        assert_eq!(against(no_cap, &plan()), PlanVerdict::Missing { missing: vec!["it never reads args->cap (the request says \"capability number\")".into()] });
        // The asked event and another one beside it.
        let beside = "tracepoint:capability:cap_capable /uid == 0/ { @[comm, args->cap] = count(); } tracepoint:syscalls:sys_enter_setuid { @[comm, 0] = count(); }";
        assert!(matches!(against(beside, &plan()), PlanVerdict::Missing { missing } if missing[0].starts_with("it also traces tracepoint:syscalls:sys_enter_setuid")));
        let timers = "BEGIN { printf(\"start\\n\"); } tracepoint:capability:cap_capable /uid == 0/ { @[comm, args->cap] = count(); } interval:s:1 { print(@); } END { clear(@); }";
        assert_eq!(against(timers, &plan()), PlanVerdict::Ok);
        let elsewhere = "tracepoint:syscalls:sys_enter_setuid { @[comm] = count(); }";
        assert!(matches!(against(elsewhere, &plan()), PlanVerdict::Missing { missing } if missing[0].contains("attaches to none")));
        // `comm_len` is not `comm`.
        let lookalike = "tracepoint:capability:cap_capable /uid == 0/ { @[comm_len, args->cap] = count(); }";
        assert!(!against(lookalike, &plan()).is_ok());
    }

    #[test]
    fn the_fold_the_words_asked_for_is_the_programs() {
        let mut avg = Plan::on(
            vec!["tracepoint:irq:irq_handler_entry".into()],
            Output::Map { fold: Fold::Avg, also: vec![], of: None, keys: vec![Term::field("name", "__data_loc char[]")] },
        );
        avg.said.push(Said { words: "average".into(), means: "the average".into() });
        let counted = "tracepoint:irq:irq_handler_entry { @[str(args->name)] = count(); }";
        assert!(matches!(against(counted, &avg), PlanVerdict::Missing { missing } if missing[0].starts_with("it never folds the events into the average")));
        let averaged = "tracepoint:irq:irq_handler_entry { @[str(args->name)] = avg(args->irq); }";
        assert_eq!(against(averaged, &avg), PlanVerdict::Ok);
        // The worst case said too: the average alone answers half.
        let mut both = avg.clone();
        if let Output::Map { also, .. } = &mut both.output {
            also.push(Fold::Max);
        }
        both.said.push(Said { words: "worst-case".into(), means: "the maximum".into() });
        assert!(matches!(against(averaged, &both), PlanVerdict::Missing { missing } if missing[0].starts_with("it never folds the events into the maximum")));
        let and_max = "tracepoint:irq:irq_handler_entry { @a[str(args->name)] = avg(args->irq); @m[str(args->name)] = max(args->irq); }";
        assert_eq!(against(and_max, &both), PlanVerdict::Ok);
        // A fold the reader chose by default is not held to.
        avg.said.clear();
        assert_eq!(against(counted, &avg), PlanVerdict::Ok);
    }

    #[test]
    fn lines_are_printed_by_the_events_block() {
        let lines = Plan::on(vec!["tracepoint:syscalls:sys_enter_readlink".into()], Output::Lines { values: vec![Term::Builtin(Builtin::Comm)] });
        let kept = "BEGIN { printf(\"COMM\\n\"); } tracepoint:syscalls:sys_enter_readlink { @c[tid] = comm; } END { clear(@c); }";
        assert!(matches!(against(kept, &lines), PlanVerdict::Missing { missing } if missing[0].starts_with("it prints nothing")));
        let printed = "BEGIN { printf(\"COMM\\n\"); } tracepoint:syscalls:sys_enter_readlink /pid != 1/ { printf(\"%s\\n\", comm); } // { }";
        assert_eq!(against(printed, &lines), PlanVerdict::Ok);
    }

    #[test]
    fn a_filter_the_request_never_states_is_a_departure() {
        let request = "which programs are resolving symlinks with readlink? print the caller and the link path";
        let failures_only = "tracepoint:syscalls:sys_enter_readlink { @path[tid] = args->path; }\ntracepoint:syscalls:sys_exit_readlink /@path[tid]/ {\n  if (args->ret < 0) { printf(\"%s %s\\n\", comm, str(@path[tid])); }\n  delete(@path[tid]);\n}";
        assert!(unasked(failures_only, request)[0].starts_with("it keeps only failures (args->ret < 0)"), "{:?}", unasked(failures_only, request));
        assert!(unasked(failures_only, "readlink calls that fail, with the path").is_empty());
        assert!(unasked(failures_only, "readlink calls returning EACCES").is_empty());
        let every = "tracepoint:syscalls:sys_exit_readlink /@path[tid]/ { printf(\"%d\\n\", args->ret); delete(@path[tid]); }";
        assert!(unasked(every, request).is_empty());
        let predicate = "tracepoint:syscalls:sys_exit_connect\n/(int64)args->ret < 0/\n{ @[comm] = count(); }";
        assert_eq!(unasked(predicate, "count connect calls per process").len(), 1);
        let named = "tracepoint:syscalls:sys_enter_openat /comm == \"bash\"/ { printf(\"%s\\n\", str(args->filename)); }";
        assert!(unasked(named, "what files does bash open").is_empty());
        assert_eq!(unasked(named, "what files do processes open").len(), 1);
        let pid = "tracepoint:syscalls:sys_enter_openat /pid == 1234 || uid == 0/ { @[comm] = count(); }";
        assert_eq!(unasked(pid, "openat calls by root").len(), 1, "the pid is invented, root is uid 0");
        assert!(unasked(pid, "openat calls by root or by pid 1234").is_empty());
        // Both sides of an if/else are kept; an if that only returns keeps the rest; commented
        // code tests nothing; `!= 0` is no failure test; excluding itself is no filter.
        let both = "tracepoint:syscalls:sys_exit_openat { if (args->ret < 0) { $e = -args->ret; } else { $e = 0; } printf(\"%d\\n\", $e); }";
        assert!(unasked(both, "every openat").is_empty());
        let skip = "tracepoint:syscalls:sys_exit_openat { if (args->ret < 0) { return; } printf(\"%d\\n\", args->ret); }";
        assert!(unasked(skip, "every openat").is_empty());
        let commented = "tracepoint:syscalls:sys_exit_openat {\n  // if (args->ret < 0) { printf(\"x\"); }\n  /* if (args->ret < 0) { } */ printf(\"%d\\n\", args->ret); }";
        assert!(conditions(commented).is_empty(), "{:?}", conditions(commented));
        let nonzero = "kretprobe:vfs_read /retval != 0/ { @[comm] = count(); }";
        assert!(unasked(nonzero, "count vfs_read calls per process").is_empty());
        let itself = "tracepoint:syscalls:sys_enter_openat /strncmp(comm, \"bpftrace\", 8) != 0/ { @[comm] = count(); }";
        assert!(unasked(itself, "count openat per process").is_empty());
        let interpreter = "tracepoint:syscalls:sys_enter_openat /comm == \"python3\"/ { @[comm] = count(); }";
        assert!(unasked(interpreter, "what files does python open").is_empty());
        assert!(unasked(failures_only, "readlink calls on links that don't exist").is_empty());
        // Division in a block is no predicate.
        let division = "tracepoint:syscalls:sys_exit_read /@s[tid]/ { @us = hist((nsecs - @s[tid]) / 1000); }";
        assert!(conditions(division).iter().all(|c| c == "@s[tid]"), "{:?}", conditions(division));
    }

    #[test]
    fn a_program_says_the_names_the_request_gives_and_traces_each_event_it_names() {
        let reading = |names: &[&str], events: &[&str]| Reading {
            plan: None,
            gaps: vec![],
            unread: names.iter().map(|n| n.to_string()).collect(),
            names: names.iter().map(|n| n.to_string()).collect(),
            events: events.iter().map(|n| n.to_string()).collect(),
            hooks: vec![],
            timed: false,
        };
        let nginx = reading(&["nginx"], &[]);
        // A map named after it says nothing; a comm test or a uprobe's path does.
        let every = "tracepoint:syscalls:sys_enter_sendfile64 { @nginx_bytes = sum(args->count); } // \"nginx\"";
        assert!(matches!(held(every, Some(&nginx), None), PlanVerdict::Missing { missing } if missing[0].starts_with("the request names \"nginx\"")));
        let filtered = "tracepoint:syscalls:sys_enter_sendfile64 /comm == \"nginx\"/ { @bytes = sum(args->count); }";
        assert!(held(filtered, Some(&nginx), None).is_ok());
        // Nor does a printed header or legend ("NGINX_BYTES", "(nginx) …"), though a test
        // beside a printf does.
        let printed = "BEGIN { printf(\"%s\\n\", \"NGINX_BYTES\"); } tracepoint:syscalls:sys_enter_sendfile64 { printf(\"(nginx) %d\\n\", args->count); }";
        assert!(!held(printed, Some(&nginx), None).is_ok());
        let tested = "tracepoint:syscalls:sys_enter_sendfile64 { if (comm == \"nginx\") { printf(\"%s %d\\n\", \"nginx\", args->count); } }";
        assert!(held(tested, Some(&nginx), None).is_ok());
        let uprobe = "uprobe:/usr/sbin/nginx:ngx_http_process_request { @ = count(); }";
        assert!(held(uprobe, Some(&nginx), None).is_ok());
        let sleep = reading(&["sleep"], &[]);
        assert!(!held("tracepoint:syscalls:sys_enter_nanosleep { @ = count(); }", Some(&sleep), None).is_ok(), "nanosleep does not name sleep");
        assert!(held("tracepoint:vmscan:mm_vmscan_kswapd_wake { @ = count(); }", Some(&reading(&["kswapd"], &[])), None).is_ok());
        let two = reading(&[], &["created", "destroyed"]);
        let one = "tracepoint:cgroup:cgroup_destroy_root { printf(\"%s\\n\", str(args->name)); }";
        assert!(matches!(held(one, Some(&two), None), PlanVerdict::Missing { missing } if missing[0].starts_with("the request asks about 2 events")));
        let both = "tracepoint:cgroup:cgroup_mkdir, tracepoint:cgroup:cgroup_rmdir { printf(\"%s\\n\", str(args->path)); } END { }";
        assert!(held(both, Some(&two), None).is_ok());
        assert!(held("tracepoint:cgroup:cgroup_* { @[probe] = count(); }", Some(&two), None).is_ok());
        // "between queue_work and execution start": the event named by its name is traced.
        let queue_work = Reading {
            hooks: vec![NamedHooks {
                word: "queue_work".into(),
                hooks: vec!["tracepoint:sched:sched_kthread_work_queue_work".into(), "tracepoint:workqueue:workqueue_queue_work".into()],
            }],
            ..reading(&[], &[])
        };
        let execution = "tracepoint:workqueue:workqueue_execute_start { @s[tid] = nsecs; } tracepoint:workqueue:workqueue_execute_end /@s[tid]/ { @us = hist((nsecs - @s[tid]) / 1000); delete(@s[tid]); }";
        assert!(matches!(held(execution, Some(&queue_work), None), PlanVerdict::Missing { missing } if missing[0].starts_with("the request names queue_work")));
        let queued = "tracepoint:workqueue:workqueue_queue_work { @s[args->work] = nsecs; } tracepoint:workqueue:workqueue_execute_start /@s[args->work]/ { @us = hist((nsecs - @s[args->work]) / 1000); delete(@s[args->work]); }";
        assert!(held(queued, Some(&queue_work), None).is_ok());
        assert!(held("tracepoint:workqueue:* { @[probe] = count(); }", Some(&queue_work), None).is_ok());
    }

    #[test]
    fn a_request_that_asks_how_long_is_answered_by_a_time() {
        let timed = Reading { plan: None, gaps: vec!["no event".into()], unread: vec![], names: vec![], events: vec![], hooks: vec![], timed: true };
        let asked = "tracepoint:syscalls:sys_enter_nanosleep { printf(\"%d\\n\", args->rqtp->tv_sec); }";
        assert!(matches!(held(asked, Some(&timed), None), PlanVerdict::Missing { missing } if missing[0].contains("measures no time")));
        let measured = "tracepoint:syscalls:sys_enter_nanosleep { @s[tid] = nsecs; } tracepoint:syscalls:sys_exit_nanosleep /@s[tid]/ { printf(\"%d\\n\", (nsecs - @s[tid]) / 1000000); delete(@s[tid]); }";
        assert!(held(measured, Some(&timed), None).is_ok());
    }

    #[test]
    fn an_identity_the_request_never_gives_is_an_invented_filter() {
        let fd = "tracepoint:syscalls:sys_enter_sendfile64 /args->out_fd == 3/ { @ = sum(args->count); }";
        assert!(unasked(fd, "bytes sent with sendfile")[0].contains("out_fd 3"), "{:?}", unasked(fd, "bytes sent with sendfile"));
        assert!(unasked(fd, "bytes sendfile writes to fd 3").is_empty());
        let stdout = "tracepoint:syscalls:sys_enter_write /args->fd == 1/ { @ = sum(args->count); }";
        assert!(unasked(stdout, "bytes written to stdout").is_empty());
        assert_eq!(unasked("profile:hz:99 /cpu == 2/ { @[kstack] = count(); }", "kernel stacks on cpu 0").len(), 1);
        // Leaving root's events out is a filter too; leaving out the idle task is none.
        let no_root = "tracepoint:syscalls:sys_enter_userfaultfd { if (uid != 0) { printf(\"%s %d\\n\", comm, args->flags); } }";
        assert!(unasked(no_root, "tell me every time any process creates a userfaultfd")[0].contains("uid != 0"));
        assert!(unasked(no_root, "userfaultfd created by non-root users").is_empty());
        for request in ["every userfaultfd, we do not care about root", "userfaultfd calls, skip the root user", "userfaultfd calls; root is excluded"] {
            assert!(unasked(no_root, request).is_empty(), "{request}");
        }
        assert!(unasked("tracepoint:sched:sched_switch /args->prev_pid != 0/ { @[args->prev_comm] = count(); }", "context switches by task").is_empty());
    }

    #[test]
    fn with_no_event_read_the_program_traces_one_the_words_name() {
        let none = Reading { plan: None, gaps: vec![crate::plan::read::NO_EVENT.into()], unread: vec![], names: vec![], events: vec![], hooks: vec![], timed: false };
        let request = "Trace alarm timers as they get armed: the process, the alarm type and when it expires";
        let sync = "tracepoint:syscalls:sys_enter_sync { @syncs = count(); } interval:s:1 { print(@syncs); }";
        assert!(matches!(held(sync, Some(&none), Some(request)), PlanVerdict::Missing { missing } if missing[0].contains("no word of the request names")));
        let alarm = "tracepoint:alarmtimer:alarmtimer_start { printf(\"%s %d %lld\\n\", comm, args->alarm_type, args->expires); }";
        assert!(held(alarm, Some(&none), Some(request)).is_ok());
        // A user-space function is the program's own word for what was asked.
        assert!(held("uprobe:/lib/x86_64-linux-gnu/libc.so.6:getaddrinfo { printf(\"%s\\n\", str(arg0)); }", Some(&none), Some("trace DNS lookups")).is_ok());
        // Sampling and timers are no event of the request's.
        assert!(held("profile:hz:99 { @[kstack] = count(); }", Some(&none), Some("where is the kernel spending its time")).is_ok());
    }

    #[test]
    fn lines_the_request_did_not_describe_are_the_models_choice() {
        let values = vec![Term::Builtin(Builtin::Comm), Term::Builtin(Builtin::Pid), Term::field("fd", "unsigned int")];
        let mut p = Plan::on(vec!["tracepoint:syscalls:sys_enter_read".into()], Output::Lines { values });
        let own = "tracepoint:syscalls:sys_enter_read { printf(\"%d\\n\", args->count); }";
        assert_eq!(against(own, &p), PlanVerdict::Ok);
        p.said.push(Said { words: "file descriptor".into(), means: "show fd".into() });
        assert!(matches!(against(own, &p), PlanVerdict::Missing { missing } if missing == ["it never reads args->fd (the request says \"file descriptor\")"]));
    }
}
