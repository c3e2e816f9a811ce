//! A complete plan written as a bpftrace program, the way bpftrace's own tools are written: a
//! header for per-event lines, a predicate for the conditions, a start map keyed by thread (or
//! by the fields both records share) for pairs, an interval that prints and clears, and an `END`
//! that leaves no map of the program's own bookkeeping behind.
//!
//! The program does what the plan says by construction; it still goes through every check
//! (the compiler, the safety gate, the symbolic verifier against the plan's properties, the
//! kernel verifier) like a program the model wrote.

use super::{field_is_text, Builtin, Condition, Fold, Output, PairKey, Plan, Radix, Term, Test};

/// The probes as the program attaches them: a software event on every occurrence (bpftrace's
/// `software:page-faults` alone fires on one fault in 100; `:1` says so whatever the default),
/// a clock as it samples.
fn spelled(probes: &[String]) -> String {
    let every = |p: &String| match p.parse::<crate::obj::Probe>().ok().and_then(|probe| probe.counted_software_event()) {
        Some((name, _)) => format!("software:{name}:1"),
        None => p.clone(),
    };
    probes.iter().map(every).collect::<Vec<_>>().join(",\n")
}

/// The program for `plan`.
pub fn bpftrace(plan: &Plan) -> String {
    let mut out = String::new();
    // The start map's key as the start event computes it; the end event's is `pair_key`.
    let start_key = plan.start.as_ref().map(|s| match &s.key {
        PairKey::Tid => "tid".to_string(),
        PairKey::Fields { start, .. } => start.iter().map(|n| plan.spelling(n)).collect::<Vec<_>>().join(", "),
        PairKey::Task { start } => plan.spelling(start),
    });
    let key = plan.start.as_ref().map(|_| pair_key(plan));
    let lines = match &plan.output {
        Output::Lines { values } => Some(values),
        Output::Map { .. } => None,
    };
    if let Some(values) = lines {
        // In the order the line prints them: a list of strings last.
        let ordered: Vec<&Term> = values.iter().filter(|t| !t.is_strings()).chain(values.iter().filter(|t| t.is_strings())).collect();
        let header: Vec<String> = ordered.iter().map(|t| column_name(t, plan)).collect();
        let formats: Vec<&str> = ordered.iter().map(|t| header_format(format(t, plan))).collect();
        out.push_str(&format!("BEGIN\n{{\n  printf(\"{}\\n\", {});\n}}\n\n", formats.join(" "), header.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ")));
    }
    // The start event: its time and the fields the end event shows, by key.
    let saved: Vec<&Term> = dedup(plan.terms().filter(|t| matches!(t, Term::Field { at_start: true, .. })).collect());
    let (at_start, at_end): (Vec<&Condition>, Vec<&Condition>) = plan.conditions.iter().partition(|c| plan.start.is_some() && starts(&c.term));
    if let (Some(start), Some(key)) = (&plan.start, &start_key) {
        out.push_str(&spelled(&start.probes));
        out.push('\n');
        push_predicate(&mut out, &at_start, plan, Side::Start);
        out.push_str(&format!("{{\n  @start[{key}] = nsecs;\n"));
        for t in &saved {
            if let Term::Field { name, ty, .. } = t {
                // A record's own strings (`__data_loc`, arrays) last only as long as the record.
                let raw = plan.spelling(name);
                let value = if ty.starts_with("__data_loc") { format!("str({raw})") } else { raw };
                out.push_str(&format!("  {}[{key}] = {value};\n", saved_map(name, plan)));
            }
        }
        out.push_str("}\n\n");
    }
    out.push_str(&spelled(&plan.probes));
    out.push('\n');
    let body_conditions: Vec<&Condition> = match &key {
        Some(key) => {
            out.push_str(&format!("/@start[{key}]/\n"));
            at_end
        }
        None => {
            push_predicate(&mut out, &at_end, plan, Side::End);
            vec![]
        }
    };
    out.push_str("{\n");
    let action = action(plan);
    if body_conditions.is_empty() {
        out.push_str(&format!("  {}\n", action.join("\n  ")));
    } else {
        let test: Vec<String> = body_conditions.iter().map(|c| condition(c, plan, Side::End)).collect();
        out.push_str(&format!("  if ({}) {{\n    {}\n  }}\n", test.join(" && "), action.join("\n    ")));
    }
    if let Some(key) = &key {
        out.push_str(&format!("  delete(@start[{key}]);\n"));
        for t in &saved {
            out.push_str(&format!("  delete({}[{key}]);\n", saved_map(t.name(), plan)));
        }
    }
    out.push_str("}\n");
    if let Output::Map { .. } = &plan.output {
        let maps = map_names(plan);
        let print = |map: &String| match plan.top {
            Some(n) => format!("  print(@{map}, {n});\n  clear(@{map});\n"),
            None => format!("  print(@{map});\n  clear(@{map});\n"),
        };
        let prints: String = maps.iter().map(print).collect();
        if let Some(s) = plan.every {
            out.push_str(&format!("\ninterval:s:{s}\n{{\n  time(\"%H:%M:%S\\n\");\n{prints}}}\n"));
        } else if plan.top.is_some() {
            out.push_str(&format!("\nEND\n{{\n{prints}}}\n"));
        }
    }
    if let Some(s) = plan.stop_after {
        // Maps not cleared are printed as bpftrace exits.
        out.push_str(&format!("\ninterval:s:{s}\n{{\n  exit();\n}}\n"));
    }
    if plan.start.is_some() {
        // The bookkeeping of unfinished pairs is not output.
        let mut clears = vec!["  clear(@start);".to_string()];
        clears.extend(saved.iter().map(|t| format!("  clear({});", saved_map(t.name(), plan))));
        if out.contains("\nEND\n{\n") {
            out = out.replace("\nEND\n{\n", &format!("\nEND\n{{\n{}\n", clears.join("\n")));
        } else {
            out.push_str(&format!("\nEND\n{{\n{}\n}}\n", clears.join("\n")));
        }
    }
    out
}

/// A partial reading's plan written out, for the model to finish: a small model asked for a whole
/// program keeps leaving out what the reading did settle (a `comm` it listed, a count), and
/// repeats the same reply after feedback; given a program that does that part, it only has to add
/// what the reading could not place (`leaves_out`: the request's own words).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Partial {
    pub program: String,
    pub leaves_out: Vec<String>,
}

impl Partial {
    /// The words it leaves out as the model is told them: `"initial access rights", "x86"`.
    pub fn quoted(&self) -> String {
        self.leaves_out.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")
    }
}

/// The program for as much of `request` as `reading` settled, when that much is one program and
/// the rest is words the model can be told of. Only on events the request names (`grounding`'s
/// evidence: a call or tracepoint by its name): an event the reader chose from a description may
/// be the wrong one, and a start on it leads the model to a program that passes on that event
/// (dev13's "removes a range from the extent status cache" on `es_cache_extent`). None, too,
/// where the event is in doubt (several events, words naming other tracepoints), where there is
/// no value to fold yet, or where a time is asked and the plan measures none.
pub fn partial(reading: &super::Reading, request: &str, grounding: &crate::ground::Grounding) -> Option<Partial> {
    use crate::ground::Evidence;
    let plan = reading.plan.as_ref()?;
    if reading.complete().is_some() || !reading.events.is_empty() || !reading.hooks.is_empty() {
        return None;
    }
    let syscall = super::read::syscall_of;
    let named = |p: &String| {
        grounding
            .events
            .iter()
            .any(|e| matches!(e.evidence, Evidence::Named { .. } | Evidence::Libc { .. }) && (e.probe == *p || syscall(&e.probe).is_some_and(|s| Some(s) == syscall(p))))
    };
    if !plan.probes.iter().chain(plan.start.iter().flat_map(|s| &s.probes)).all(named) {
        return None;
    }
    // Gaps the model can be told of in the request's words ("per outcome"), or a family of
    // syscalls the plan traces together; any other gap (a port the record lacks, several
    // events) is something the start would silently leave out or get wrong.
    if !reading.gaps.iter().all(|g| g.starts_with('"') || g.contains("several syscalls")) {
        return None;
    }
    if let Output::Map { fold, of: None, .. } = &plan.output {
        if *fold != Fold::Count {
            return None;
        }
    }
    if reading.timed && !plan.terms().any(|t| *t == Term::Elapsed) {
        return None;
    }
    let leaves_out = left_out(reading, request);
    if leaves_out.is_empty() {
        return None;
    }
    Some(Partial { program: bpftrace(plan), leaves_out })
}

/// What a partial reading leaves out, in the request's words: its unread words, runs of them
/// that stand side by side in the request kept together ("initial access rights"), then any the
/// request does not write as a word of its own ("10" for "ten"), then the quoted words of each
/// gap (`"per outcome": the event's record holds no outcome`).
fn left_out(reading: &super::Reading, request: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let unread: Vec<String> = reading.unread.iter().map(|w| w.to_lowercase()).collect();
    let mut found: Vec<String> = Vec::new();
    // A word as the reader keeps it: no surrounding punctuation, no possessive.
    let bare = |w: &str| {
        let w = w.trim_matches(|c: char| !(c.is_alphanumeric() || "_/".contains(c)));
        w.strip_suffix("'s").or_else(|| w.strip_suffix("’s")).unwrap_or(w).to_lowercase()
    };
    let mut run: Vec<String> = Vec::new();
    let push = |run: &mut Vec<String>, out: &mut Vec<String>| {
        let phrase = run.join(" ");
        if !run.is_empty() && !out.contains(&phrase) {
            out.push(phrase);
        }
        run.clear();
    };
    for word in request.split_whitespace() {
        let b = bare(word);
        if !b.is_empty() && unread.contains(&b) {
            found.push(b.clone());
            run.push(b);
            // A run ends at the word's punctuation.
            if word.ends_with(|c: char| ",.;:?!)\"'".contains(c)) {
                push(&mut run, &mut out);
            }
        } else {
            push(&mut run, &mut out);
        }
    }
    push(&mut run, &mut out);
    for w in unread.iter().filter(|w| !found.contains(w)) {
        if !out.contains(w) {
            out.push(w.clone());
        }
    }
    for gap in &reading.gaps {
        if let Some(quoted) = gap.strip_prefix('"').and_then(|g| g.split_once('"')).map(|(q, _)| q.to_string()) {
            if !out.contains(&quoted) {
                out.push(quoted);
            }
        }
    }
    out
}

fn dedup(terms: Vec<&Term>) -> Vec<&Term> {
    let mut out: Vec<&Term> = Vec::new();
    for t in terms {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Whether a condition is decided at the start event: builtins (the thread that starts is the
/// one asked about) and the start record's fields.
fn starts(term: &Term) -> bool {
    matches!(term, Term::Builtin(_) | Term::Field { at_start: true, .. })
}

fn push_predicate(out: &mut String, conditions: &[&Condition], plan: &Plan, side: Side) {
    if !conditions.is_empty() {
        let test: Vec<String> = conditions.iter().map(|c| condition(c, plan, side)).collect();
        out.push_str(&format!("/{}/\n", test.join(" && ")));
    }
}

/// The key of a start map, as the end event computes it.
fn pair_key(plan: &Plan) -> String {
    match plan.start.as_ref().map(|s| &s.key) {
        Some(PairKey::Fields { end, .. }) => end.iter().map(|n| format!("args->{n}")).collect::<Vec<_>>().join(", "),
        _ => "tid".to_string(),
    }
}

/// Which event's block a value is computed in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// The map that keeps a start record's field until the end event.
fn saved_map(name: &str, plan: &Plan) -> String {
    // Not the output's own map (`@count` is a count, not write's `count` argument).
    if map_names(plan).iter().any(|m| m == name) || name == "start" {
        format!("@{name}_at_start")
    } else {
        format!("@{name}")
    }
}

/// The value of `term` as the event computes it on `side`; a condition on an elapsed time
/// compares nanoseconds, what is shown is in the plan's unit.
fn value(term: &Term, plan: &Plan, shown: bool, side: Side) -> String {
    match term {
        Term::Builtin(b) => b.name().to_string(),
        Term::Field { name, ty, at_start } => {
            let kept = *at_start && plan.start.is_some() && side == Side::End;
            let raw = if kept { format!("{}[{}]", saved_map(name, plan), pair_key(plan)) } else { plan.spelling(name) };
            let pointer_text = ty.contains('*') && field_is_text(ty);
            if pointer_text || (ty.starts_with("__data_loc") && !kept) {
                format!("str({raw})")
            } else if is_address_bytes(name, ty) {
                format!("ntop({raw})")
            } else if shown && is_user_code(ty, plan) {
                format!("usym({raw})")
            } else if shown && is_code_address(name, ty) {
                format!("ksym({raw})")
            } else {
                raw
            }
        }
        Term::Errno => "-args->ret".to_string(),
        Term::Elapsed => {
            let elapsed = format!("(nsecs - @start[{}])", pair_key(plan));
            match plan.unit.divisor() {
                1 => elapsed,
                d if shown => format!("{elapsed} / {d}"),
                _ => elapsed,
            }
        }
    }
}

/// An IPv4 or IPv6 address held as bytes (`__u8 saddr[4]`).
pub(super) fn is_address_bytes(name: &str, ty: &str) -> bool {
    (name.contains("addr") || ["src", "dst"].contains(&name)) && (ty.ends_with("[4]") || ty.ends_with("[16]"))
}

/// A function a library is handed (a thread's start routine): code of the traced program,
/// shown as its symbol with `usym`.
fn is_user_code(ty: &str, plan: &Plan) -> bool {
    !plan.params.is_empty() && ty.contains("(*)")
}

/// A kernel code address (`call_site`, a work item's `function`), shown as its symbol.
fn is_code_address(name: &str, ty: &str) -> bool {
    ["call_site", "function", "ip", "caller", "func"].contains(&name) && (ty.contains('*') || ty.contains("long"))
}

fn condition(c: &Condition, plan: &Plan, side: Side) -> String {
    let v = value(&c.term, plan, false, side);
    match &c.test {
        Test::Cmp { op, value } => format!("{v} {op} {value}"),
        Test::Str { equal, value } => format!("{v} {} \"{}\"", if *equal { "==" } else { "!=" }, escape(value)),
        Test::Prefix { value } => format!("strncmp({v}, \"{}\", {}) == 0", escape(value), value.len()),
        Test::Bits { mask } => format!("({v} & {mask:#x}) != 0"),
        Test::OneOf { values } => format!("({})", values.iter().map(|n| format!("{v} == {n}")).collect::<Vec<_>>().join(" || ")),
        Test::AnyPrefix { values } => format!("({})", values.iter().map(|p| format!("strncmp({v}, \"{}\", {}) == 0", escape(p), p.len())).collect::<Vec<_>>().join(" || ")),
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The output's maps, one a fold, each named for what it holds.
fn map_names(plan: &Plan) -> Vec<String> {
    plan.output.folds().into_iter().map(|f| map_name(plan, f)).collect()
}

fn map_name(plan: &Plan, fold: Fold) -> String {
    match (&plan.output, fold) {
        (_, Fold::Count) => "count".into(),
        (Output::Map { of: Some(of), .. }, fold) => {
            let what = if *of == Term::Elapsed { plan.unit.name().to_string() } else { of.name().to_string() };
            match fold {
                Fold::Hist => what,
                other => format!("{}_{what}", other.name()),
            }
        }
        _ => "out".into(),
    }
}

/// The statements the event's block runs: a printf, or one fold a map.
fn action(plan: &Plan) -> Vec<String> {
    match &plan.output {
        Output::Lines { values } => {
            // A list of strings (argv) is printed by join(), which ends the line: the other
            // values go before it on the same line.
            let (lists, scalars): (Vec<&Term>, Vec<&Term>) = values.iter().partition(|t| t.is_strings());
            let formats: Vec<&str> = scalars.iter().map(|t| format(t, plan)).collect();
            let args: Vec<String> = scalars.iter().map(|t| value(t, plan, true, Side::End)).collect();
            match lists.first() {
                None => vec![format!("printf(\"{}\\n\", {});", formats.join(" "), args.join(", "))],
                Some(list) => {
                    let join = format!("join({});", value(list, plan, true, Side::End));
                    if scalars.is_empty() {
                        vec![join]
                    } else {
                        vec![format!("printf(\"{} \", {});", formats.join(" "), args.join(", ")), join]
                    }
                }
            }
        }
        Output::Map { of, keys, .. } => {
            let keys: Vec<String> = keys.iter().map(|t| value(t, plan, true, Side::End)).collect();
            let of = of.as_ref().map(|t| value(t, plan, true, Side::End)).unwrap_or_default();
            plan.output
                .folds()
                .into_iter()
                .map(|f| {
                    let name = map_name(plan, f);
                    let map = if keys.is_empty() { format!("@{name}") } else { format!("@{name}[{}]", keys.join(", ")) };
                    match (f, plan.linear) {
                        (Fold::Hist, Some((min, max, step))) => format!("{map} = lhist({of}, {min}, {max}, {step});"),
                        // A count beside the value's folds counts the same events.
                        (Fold::Count, _) => format!("{map} = count();"),
                        _ => format!("{map} = {}({of});", f.name()),
                    }
                })
                .collect()
        }
    }
}

/// The printf conversion for a value.
fn format(term: &Term, plan: &Plan) -> &'static str {
    if term.is_strings() {
        return "%s";
    }
    match plan.radix.iter().find(|(n, _)| n == term.name()).map(|(_, r)| *r) {
        Some(Radix::Octal) => return "0%-7o",
        Some(Radix::Hex) => return "0x%-8lx",
        None => {}
    }
    match term {
        Term::Builtin(Builtin::Comm) => "%-16s",
        Term::Builtin(Builtin::Kstack | Builtin::Ustack) => "%s",
        Term::Field { name, ty, .. } if is_code_address(name, ty) || is_user_code(ty, plan) => "%-24s",
        Term::Field { name, ty, .. } if is_address_bytes(name, ty) => "%-16s",
        t if t.is_text() => "%s",
        Term::Field { name, ty, .. } if name.contains("addr") || name.contains("ptr") || ty.contains('*') => "0x%-14lx",
        Term::Field { ty, .. } if ty.contains("unsigned") || ty.contains("u8") || ty.contains("u16") || ty.contains("u32") || ty.contains("u64") || ty.contains("size_t") => {
            "%-8lu"
        }
        // bpftrace 0.17 prints `%d` and `%u` from the low 32 bits.
        _ => "%-8ld",
    }
}

/// The header's conversion for a value's column (as wide as the value's).
fn header_format(format: &str) -> &'static str {
    match format {
        "0%-7o" => "%-8s",
        "0x%-8lx" => "%-10s",
        "%-16s" => "%-16s",
        "%-24s" => "%-24s",
        "0x%-14lx" => "%-16s",
        "%-8lu" | "%-8ld" => "%-8s",
        _ => "%s",
    }
}

fn column_name(term: &Term, plan: &Plan) -> String {
    match term {
        Term::Elapsed => plan.unit.name().to_uppercase(),
        t => t.label().replace("args->", "ARG_").to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comprehend::CmpOp;
    use crate::plan::{Start, TimeUnit};

    fn reading(plan: Plan, gaps: &[&str], unread: &[&str]) -> crate::plan::Reading {
        crate::plan::Reading { plan: Some(plan), gaps: gaps.iter().map(|g| g.to_string()).collect(), unread: unread.iter().map(|w| w.to_string()).collect(), ..Default::default() }
    }

    #[test]
    fn a_partial_plan_is_a_start_with_the_words_it_leaves_out_in_the_requests_order() {
        let count = Plan::on(vec!["tracepoint:ext4:ext4_drop_inode".into()], Output::Map { fold: Fold::Count, also: vec![], of: None, keys: vec![Term::Builtin(Builtin::Comm)] });
        let request = "Which x86 programs drop inodes? Count per process and per outcome, with the initial access rights.";
        let r = reading(count.clone(), &["\"per outcome\": the event's record holds no outcome"], &["rights", "x86", "initial", "access"]);
        use crate::ground::{Evidence, Grounded, Grounding, Servable};
        use crate::kernel::Attach;
        let named = Grounding {
            events: vec![Grounded { probe: "tracepoint:ext4:ext4_drop_inode".into(), attach: Attach::Yes, evidence: Evidence::Named { word: "ext4_drop_inode".into() } }],
            servable: Servable::Here,
            told: vec![],
        };
        let start = partial(&r, request, &named).expect("a start");
        assert_eq!(start.leaves_out, ["x86", "initial access rights", "per outcome"]);
        assert!(start.program.contains("tracepoint:ext4:ext4_drop_inode") && start.program.contains("@count[comm] = count();"), "{}", start.program);
        // Possessives and punctuation are the reader's words too; a word the request does not
        // write as it stands is still told.
        let r = reading(count.clone(), &[], &["inode", "bytes", "10"]);
        assert_eq!(partial(&r, "Count each inode's drops (bytes). Top ten.", &named).expect("a start").leaves_out, ["inode", "bytes", "10"]);
        // A gap not told in the request's words: no start.
        assert_eq!(partial(&reading(count.clone(), &["port 80 is asked for, and the event's record has no port"], &["80"]), request, &named), None);
        // An event the reader chose from the words that describe it: no start.
        let described = Grounding {
            events: vec![Grounded {
                probe: "tracepoint:ext4:*".into(),
                attach: Attach::Yes,
                evidence: Evidence::Subsystem { word: "ext4".into(), what: "ext4".into(), functions: vec![] },
            }],
            servable: Servable::Here,
            told: vec![],
        };
        assert_eq!(partial(&r, request, &described), None);
        // Complete, or nothing to tell the model: no start.
        assert_eq!(partial(&reading(count.clone(), &[], &[]), request, &named), None);
        // The event itself in doubt: the start would hold the model to a guess.
        assert_eq!(partial(&reading(count.clone(), &["the request names several events (a, b); a plan has one"], &["x86"]), request, &named), None);
        // A histogram of nothing yet is no program.
        let hist = Plan::on(vec!["tracepoint:ext4:ext4_drop_inode".into()], Output::Map { fold: Fold::Hist, also: vec![], of: None, keys: vec![] });
        assert_eq!(partial(&reading(hist, &[], &["sizes"]), "histogram of sizes", &named), None);
        // A time asked for and none measured.
        let mut timed = reading(count, &[], &["long"]);
        timed.timed = true;
        assert_eq!(partial(&timed, "how long", &named), None);
    }

    #[test]
    fn a_count_by_process_every_second() {
        let mut plan =
            Plan::on(vec!["tracepoint:syscalls:sys_enter_openat".into()], Output::Map { fold: Fold::Count, also: vec![], of: None, keys: vec![Term::Builtin(Builtin::Comm)] });
        plan.every = Some(1);
        let p = bpftrace(&plan);
        assert!(p.contains("tracepoint:syscalls:sys_enter_openat\n{\n  @count[comm] = count();\n}"), "{p}");
        assert!(p.contains("interval:s:1\n{\n  time(\"%H:%M:%S\\n\");\n  print(@count);\n  clear(@count);\n}"), "{p}");
    }

    #[test]
    fn entry_fields_shown_at_the_exit_of_failing_calls() {
        let mut plan = Plan::on(
            vec!["tracepoint:syscalls:sys_exit_openat".into()],
            Output::Lines { values: vec![Term::Builtin(Builtin::Comm), Term::Field { name: "filename".into(), ty: "const char *".into(), at_start: true }, Term::Errno] },
        );
        plan.start = Some(Start { probes: vec!["tracepoint:syscalls:sys_enter_openat".into()], key: PairKey::Tid });
        plan.conditions.push(Condition { term: Term::field("ret", "long"), test: Test::Cmp { op: CmpOp::Lt, value: 0 }, words: "fail".into() });
        plan.conditions.push(Condition { term: Term::Builtin(Builtin::Comm), test: Test::Str { equal: true, value: "cat".into() }, words: "cat".into() });
        let p = bpftrace(&plan);
        assert!(p.contains("tracepoint:syscalls:sys_enter_openat\n/comm == \"cat\"/\n{\n  @start[tid] = nsecs;\n  @filename[tid] = args->filename;\n}"), "{p}");
        assert!(p.contains("/@start[tid]/\n{\n  if (args->ret < 0) {\n    printf(\"%-16s %s %-8ld\\n\", comm, str(@filename[tid]), -args->ret);\n  }\n  delete(@start[tid]);\n  delete(@filename[tid]);\n}"), "{p}");
        assert!(p.contains("END\n{\n  clear(@start);\n  clear(@filename);\n}"), "{p}");
        assert!(p.starts_with("BEGIN\n{\n  printf(\"%-16s %s %-8s\\n\", \"COMM\", \"FILENAME\", \"ERRNO\");\n}"), "{p}");
    }

    #[test]
    fn a_start_keyed_by_the_task_it_names_ends_in_that_thread() {
        let mut plan = Plan::on(vec!["tracepoint:signal:signal_deliver".into()], Output::Map { fold: Fold::Hist, also: vec![], of: Some(Term::Elapsed), keys: vec![] });
        plan.start = Some(Start { probes: vec!["tracepoint:signal:signal_generate".into()], key: PairKey::Task { start: "pid".into() } });
        let p = bpftrace(&plan);
        assert!(p.contains("tracepoint:signal:signal_generate\n{\n  @start[args->pid] = nsecs;"), "{p}");
        assert!(p.contains("tracepoint:signal:signal_deliver\n/@start[tid]/\n{\n  @usecs = hist((nsecs - @start[tid]) / 1000);\n  delete(@start[tid]);"), "{p}");
    }

    #[test]
    fn a_latency_histogram_in_microseconds() {
        let mut plan = Plan::on(vec!["tracepoint:syscalls:sys_exit_write".into()], Output::Map { fold: Fold::Hist, also: vec![], of: Some(Term::Elapsed), keys: vec![] });
        plan.start = Some(Start { probes: vec!["tracepoint:syscalls:sys_enter_write".into()], key: PairKey::Tid });
        plan.unit = TimeUnit::Us;
        plan.conditions.push(Condition { term: Term::Elapsed, test: Test::Cmp { op: CmpOp::Gt, value: 10_000_000 }, words: "slower than 10ms".into() });
        let p = bpftrace(&plan);
        assert!(p.contains("if ((nsecs - @start[tid]) > 10000000) {\n    @usecs = hist((nsecs - @start[tid]) / 1000);\n  }"), "{p}");
    }

    #[test]
    fn more_folds_of_one_value_are_maps_side_by_side() {
        let mut plan = Plan::on(
            vec!["tracepoint:syscalls:sys_exit_write".into()],
            Output::Map { fold: Fold::Avg, also: vec![Fold::Max], of: Some(Term::Elapsed), keys: vec![Term::Builtin(Builtin::Comm)] },
        );
        plan.start = Some(Start { probes: vec!["tracepoint:syscalls:sys_enter_write".into()], key: PairKey::Tid });
        plan.every = Some(5);
        plan.conditions.push(Condition { term: Term::Elapsed, test: Test::Cmp { op: CmpOp::Gt, value: 1000 }, words: "over 1us".into() });
        let p = bpftrace(&plan);
        assert!(p.contains("    @avg_usecs[comm] = avg((nsecs - @start[tid]) / 1000);\n    @max_usecs[comm] = max((nsecs - @start[tid]) / 1000);\n  }"), "{p}");
        assert!(p.contains("  print(@avg_usecs);\n  clear(@avg_usecs);\n  print(@max_usecs);\n  clear(@max_usecs);\n}"), "{p}");
    }
}
