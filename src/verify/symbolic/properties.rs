//! Properties against explored paths: every path that emits output must satisfy the requested
//! filters, and no feasible path may dereference a pointer that can be NULL. z3's answer is read
//! exactly: `unsat` proves, `sat` gives a counterexample, `unknown` is `Unknown`.

use std::collections::BTreeMap;

use super::exec::{little_endian, Answer, Exploration, PathSolver};
use super::origin::{exists, implements, implements_at, sym, CtxField, Shown};
use super::platform::Platform;
use crate::comprehend::{Aggregate, CmpOp, Field, Filter, Properties, Value};
use serde::Serialize;
use z3::ast::{Bool, BV};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    Proved,
    /// A feasible path that breaks the property, with input values that drive it there. `slot`
    /// is the instruction where it shows (none for properties of the whole object), `line` the
    /// source line when the object carries BTF line info.
    Counterexample {
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        slot: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<String>,
        values: BTreeMap<String, String>,
    },
    Unknown {
        reason: Unknown,
    },
}

/// Why a property could be neither proved nor broken. Printed (and serialised) as a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// The exploration did not follow every path: too many paths, the time budget, or an
    /// instruction or memory access the executor does not model.
    Exploration(String),
    /// The filters were being checked when the time budget ran out.
    Budget,
    /// z3 answered `unknown`.
    Solver,
    /// A requested filter cannot be written over this hook's fields.
    Filter(String),
    /// No program section names a probe.
    NoProbe,
    /// None of the requested events exists on the platform.
    NoSuchEvent { events: Vec<String> },
    /// One end of a requested latency does not exist on the platform.
    NoSuchLatencyEnd { which: &'static str, probe: String },
    /// Requested fields were not found, but the output holds values the verifier cannot name.
    UnnamedOutput { missing: Vec<String>, unnamed: String },
    /// No map has the requested shape by the values the verifier can name.
    UnnamedAggregate { asked: String, unnamed: String },
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unknown::Exploration(why) | Unknown::Filter(why) => f.write_str(why),
            Unknown::Budget => f.write_str("the budget of CPU time ran out while checking the filters"),
            Unknown::Solver => f.write_str("z3 answered unknown"),
            Unknown::NoProbe => f.write_str("no program section names a probe"),
            Unknown::NoSuchEvent { events } => write!(f, "no requested event exists on this host ({})", events.join(", ")),
            Unknown::NoSuchLatencyEnd { which, probe } => write!(f, "the requested {which} of the latency, {probe}, does not exist on this host"),
            Unknown::UnnamedOutput { missing, unnamed } => write!(f, "{} not found, but the output also holds values the verifier cannot name ({unnamed})", missing.join(", ")),
            Unknown::UnnamedAggregate { asked, unnamed } => write!(f, "no map has the shape of {asked} by the values the verifier can name; some hold others ({unnamed})"),
        }
    }
}

impl Serialize for Unknown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Verdict {
    /// Where a counterexample shows: its source line where known, else its instruction.
    pub fn location(&self) -> Option<String> {
        match self {
            Verdict::Counterexample { line: Some(line), .. } => Some(line.clone()),
            Verdict::Counterexample { slot: Some(slot), .. } => Some(format!("instruction {slot}")),
            _ => None,
        }
    }
}

/// The symbols a field is made of, and the filter as a z3 formula over them. Fields of the
/// context (syscall arguments, return values, sizes) are read where the hook's layout puts them.
fn formula(f: &Filter, context: &[CtxField]) -> Result<Bool, String> {
    let num = |v: &Value| match v {
        Value::Int(i) => Ok(*i as u64),
        Value::Str(_) => Err(format!("{} compares with a number", f.field)),
    };
    let cmp_as = |a: BV, b: BV, signed: bool| match (f.op, signed) {
        (CmpOp::Eq, _) => a.eq(&b),
        (CmpOp::Ne, _) => a.eq(&b).not(),
        (CmpOp::Lt, false) => a.bvult(&b),
        (CmpOp::Le, false) => a.bvule(&b),
        (CmpOp::Gt, false) => a.bvugt(&b),
        (CmpOp::Ge, false) => a.bvuge(&b),
        (CmpOp::Lt, true) => a.bvslt(&b),
        (CmpOp::Le, true) => a.bvsle(&b),
        (CmpOp::Gt, true) => a.bvsgt(&b),
        (CmpOp::Ge, true) => a.bvsge(&b),
    };
    let cmp = |a: BV, b: BV| cmp_as(a, b, false);
    let half = |sym: &str, high: bool| {
        let v = BV::new_const(sym, 64);
        if high {
            v.extract(63, 32)
        } else {
            v.extract(31, 0)
        }
    };
    Ok(match f.field {
        Field::Pid => cmp(half("pid_tgid", true), BV::from_u64(num(&f.value)?, 32)),
        Field::Tid => cmp(half("pid_tgid", false), BV::from_u64(num(&f.value)?, 32)),
        Field::Uid => cmp(half("uid_gid", false), BV::from_u64(num(&f.value)?, 32)),
        Field::Gid => cmp(half("uid_gid", true), BV::from_u64(num(&f.value)?, 32)),
        Field::Comm => name_is(f, |i| BV::new_const(sym::comm(i), 8))?,
        // The record's task name, a char[16] of the layout (a `__data_loc` name is not).
        Field::RecordComm => {
            let Some(c) = record_comm(context) else { return Err(format!("filters on {} are not checked for this hook", f.field)) };
            name_is(f, |i| BV::new_const(sym::memory("ctx", c.offset + i as i64), 8))?
        }
        Field::Cgroup => cmp(BV::new_const("cgroup", 64), BV::from_u64(num(&f.value)?, 64)),
        other => {
            // A context field: one field of the layout must show it, and be the only one.
            let mut at = context.iter().filter(|c| c.shows.contains(&other) && matches!(c.size, 1 | 2 | 4 | 8));
            let (Some(c), None) = (at.next(), at.next()) else { return Err(format!("filters on {other} are not checked for this hook")) };
            let bytes: Vec<BV> = (0..c.size).map(|i| BV::new_const(sym::memory("ctx", c.offset + i), 8)).collect();
            let value = little_endian(&bytes);
            let width = 8 * c.size as u32;
            let constant = BV::from_u64(num(&f.value)?, 64).extract(width - 1, 0);
            // Negative constants (an error return, AT_FDCWD) compare as signed values.
            let signed = c.signed || matches!(f.value, Value::Int(i) if i < 0);
            cmp_as(value, constant, signed)
        }
    })
}

/// A task name (15 bytes and the NUL the kernel keeps) equal, or not, to the filter's string.
fn name_is(f: &Filter, byte: impl Fn(usize) -> BV) -> Result<Bool, String> {
    let Value::Str(s) = &f.value else {
        return Err(format!("{} compares with a string", f.field));
    };
    let mut bytes: Vec<u8> = s.bytes().take(15).collect();
    bytes.push(0);
    let eq: Vec<Bool> = bytes.iter().enumerate().map(|(i, b)| byte(i).eq(BV::from_u64(*b as u64, 8))).collect();
    let all = Bool::and(&eq);
    match f.op {
        CmpOp::Eq => Ok(all),
        CmpOp::Ne => Ok(all.not()),
        _ => Err(format!("{} compares only with == or !=", f.field)),
    }
}

fn record_comm(context: &[CtxField]) -> Option<&CtxField> {
    context.iter().find(|c| c.shows.contains(&Field::RecordComm) && c.size == 16)
}

/// What the symbols of a path mean together: the bytes a probe read copied from the record's
/// name are that name's bytes (bpftrace copies `args->comm` to the stack before comparing it;
/// C reads it in place).
fn copies_of_the_record(expl: &Exploration, context: &[CtxField]) -> Bool {
    let Some(c) = record_comm(context) else { return Bool::from_bool(true) };
    let from = sym::memory("ctx", c.offset);
    let same: Vec<Bool> = expl
        .reads
        .iter()
        .filter(|(_, source)| source.len() == 1 && source[0] == from)
        .flat_map(|(n, _)| (0..16).map(move |i| BV::new_const(sym::read(*n, i), 8).eq(BV::new_const(sym::memory("ctx", c.offset + i as i64), 8))))
        .collect();
    Bool::and(&same)
}

/// Input values of a model, for the fields a reader cares about.
fn values(model: &z3::Model) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let comm: Vec<u8> = (0..16).map(|i| model.eval(&BV::new_const(sym::comm(i), 8), true).and_then(|v| v.as_u64()).unwrap_or(0) as u8).take_while(|&b| b != 0).collect();
    let printable: String = comm.iter().flat_map(|b| std::ascii::escape_default(*b)).map(char::from).collect();
    out.insert("comm".into(), format!("\"{printable}\""));
    if let Some(v) = model.eval(&BV::new_const("pid_tgid", 64), true).and_then(|v| v.as_u64()) {
        out.insert("pid".into(), (v >> 32).to_string());
        out.insert("tid".into(), (v & 0xffff_ffff).to_string());
    }
    if let Some(v) = model.eval(&BV::new_const("uid_gid", 64), true).and_then(|v| v.as_u64()) {
        out.insert("uid".into(), (v & 0xffff_ffff).to_string());
    }
    out
}

fn printable_comm() -> Bool {
    let byte = |i: usize| BV::new_const(sym::comm(i), 8);
    let within = |i: usize, lo: u64, hi: u64| Bool::and(&[byte(i).bvuge(BV::from_u64(lo, 8)), byte(i).bvule(BV::from_u64(hi, 8))]);
    let mut all = vec![within(0, 0x61, 0x7a)];
    all.extend((1..16).map(|i| Bool::or(&[byte(i).eq(BV::from_u64(0, 8)), within(i, 0x61, 0x7a)])));
    Bool::and(&all)
}

/// Every emitting path satisfies every filter.
pub fn filters(expl: &Exploration, filters: &[Filter], context: &[CtxField]) -> Verdict {
    if let Some(reason) = &expl.unknown {
        return Verdict::Unknown { reason: Unknown::Exploration(reason.clone()) };
    }
    if filters.is_empty() {
        return Verdict::Proved;
    }
    let wanted = match filters.iter().map(|f| formula(f, context)).collect::<Result<Vec<_>, _>>() {
        Ok(f) => Bool::and(&f),
        Err(reason) => return Verdict::Unknown { reason: Unknown::Filter(reason) },
    };
    let broken = Bool::and(&[wanted.not(), copies_of_the_record(expl, context)]);
    let readable = printable_comm();
    // Emits come in path order, so consecutive queries share most of their path condition.
    let mut paths = PathSolver::new();
    for emit in &expl.emits {
        if expl.deadline.passed() {
            return Verdict::Unknown { reason: Unknown::Budget };
        }
        let model = match paths.check(&emit.condition, &[&broken]) {
            Answer::Unsat => continue,
            Answer::Unknown => return Verdict::Unknown { reason: Unknown::Solver },
            // A readable counterexample where one exists: a command name in printable ASCII.
            Answer::Sat(m) => match paths.check(&emit.condition, &[&broken, &readable]) {
                Answer::Sat(readable) => readable,
                _ => m,
            },
        };
        let shown: Vec<String> = filters.iter().map(Filter::to_string).collect();
        return Verdict::Counterexample {
            message: format!("the program emits a {} when {} does not hold", emit.kind, shown.join(" and ")),
            slot: Some(emit.slot),
            line: None,
            values: values(&model).into_iter().filter(|(k, _)| filters.iter().any(|f| f.field.to_string() == *k)).collect(),
        };
    }
    Verdict::Proved
}

/// No feasible path breaks memory safety or a helper precondition. Every followed path is
/// feasible, so a hazard recorded on one is a counterexample as it stands.
pub fn safety(expl: &Exploration) -> Verdict {
    if let Some(h) = expl.hazards.first() {
        return Verdict::Counterexample { message: h.message.clone(), slot: Some(h.slot), line: None, values: BTreeMap::new() };
    }
    match &expl.unknown {
        Some(reason) => Verdict::Unknown { reason: Unknown::Exploration(reason.clone()) },
        None => Verdict::Proved,
    }
}

fn counterexample(message: String) -> Verdict {
    Verdict::Counterexample { message, slot: None, line: None, values: BTreeMap::new() }
}

/// Some program's hook implements one of the requested events, and a latency pair has a hook at
/// each end. `hooks` are the probes of the programs that run per event.
pub fn hooks(hooks: &[String], props: &Properties, platform: &dyn Platform) -> Verdict {
    if props.events.is_empty() && props.latency.is_none() {
        return Verdict::Proved;
    }
    if hooks.is_empty() {
        return Verdict::Unknown { reason: Unknown::NoProbe };
    }
    // bpftrace compiles `a, b { … }` into one program named by the whole list: each is a hook.
    let hooks: Vec<String> = hooks.iter().flat_map(|h| h.split(',').map(|p| p.trim().to_string())).filter(|p| !p.is_empty()).collect();
    let attached = hooks.join(", ");
    let asked: Vec<&String> = props.events.iter().filter(|e| exists(e, platform)).collect();
    if !props.events.is_empty() && asked.is_empty() {
        return Verdict::Unknown { reason: Unknown::NoSuchEvent { events: props.events.clone() } };
    }
    if !asked.is_empty() && !hooks.iter().any(|h| asked.iter().any(|e| implements(h, e))) {
        return counterexample(format!("the program attaches to {attached}, but the request is about {}", asked.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(" or ")));
    }
    if let Some((start, end)) = &props.latency {
        for (which, probe) in [("start", start), ("end", end)] {
            if !exists(probe, platform) {
                return Verdict::Unknown { reason: Unknown::NoSuchLatencyEnd { which, probe: probe.clone() } };
            }
            if !hooks.iter().any(|h| implements_at(h, probe)) {
                return counterexample(format!("the request times from {start} to {end}, but nothing attaches at the {which} ({probe}); the program attaches to {attached}"));
            }
        }
    }
    Verdict::Proved
}

/// Fields that stand for each other: a pid comes with its tid, a size is a byte count.
fn has(shown: &Shown, f: Field) -> bool {
    let same: &[Field] = match f {
        Field::Size | Field::Bytes => &[Field::Size, Field::Bytes],
        // The process, however named: requests say "per process" and mean either.
        Field::Pid | Field::Tid | Field::Comm => &[Field::Pid, Field::Tid, Field::Comm],
        // The task the record names, by its pid or its name; never by the builtins.
        Field::RecordPid | Field::RecordComm => &[Field::RecordPid, Field::RecordComm],
        Field::Retval | Field::Errno => &[Field::Retval, Field::Errno],
        _ => std::slice::from_ref(&f),
    };
    same.iter().any(|s| shown.fields.contains(s))
}

fn unnamed_list(shown: &Shown) -> String {
    shown.unnamed.iter().cloned().chain(shown.others.iter().map(|o| format!("the context field {o}"))).take(3).collect::<Vec<_>>().join(", ")
}

/// The current task's own values, which come from helpers, and the record's task's, which its
/// `pid` and `comm` always name: a field of the event's record that shows none of them is not
/// one of them.
fn of_the_task(f: Field) -> bool {
    matches!(f, Field::Pid | Field::Tid | Field::Uid | Field::Gid | Field::Comm | Field::Cgroup | Field::Cpu | Field::RecordPid | Field::RecordComm)
}

/// Whether what `shown` holds beside its named fields could be one of `asked`: values of unknown
/// origin could be anything; the record's other fields could be a record value the vocabulary
/// misses, but never the task's own.
fn could_hide(shown: &Shown, asked: &[Field]) -> bool {
    !shown.unnamed.is_empty() || (!shown.others.is_empty() && !asked.iter().all(|f| of_the_task(*f)))
}

/// Every requested field shows in the program's output (records, map keys and values).
pub fn fields(output: &Shown, asked: &[Field]) -> Verdict {
    let missing: Vec<String> = asked.iter().filter(|f| !has(output, **f)).map(Field::to_string).collect();
    if missing.is_empty() {
        return Verdict::Proved;
    }
    let missed: Vec<Field> = asked.iter().filter(|f| !has(output, **f)).copied().collect();
    if could_hide(output, &missed) {
        return Verdict::Unknown { reason: Unknown::UnnamedOutput { missing, unnamed: unnamed_list(output) } };
    }
    counterexample(format!("the output never shows {}, which the request asked for; it shows {}", missing.join(", "), output.field_list()))
}

/// A latency is the time between two events. Asked for one, a program on a single event measures
/// nothing of the kind: it times that event against itself, or buckets some field of it. `None`
/// when the request asks no latency or the program has other events.
pub fn latency_events(event_hooks: &[String], asked: &Aggregate) -> Option<Verdict> {
    let of = match asked {
        Aggregate::Hist { of, .. } | Aggregate::Lhist { of, .. } | Aggregate::Sum { of, .. } => *of,
        Aggregate::Count { .. } => return None,
    };
    let mut distinct = event_hooks.to_vec();
    distinct.sort();
    distinct.dedup();
    (of == Field::Latency && distinct.len() == 1).then(|| {
        counterexample(format!(
            "the request asks for {asked}, the time between two events, but the program attaches to one event only ({}): what it measures is not a latency. Take a timestamp where the operation starts and read it where it ends",
            distinct[0]
        ))
    })
}

/// One write into a map, by what its key and value show.
#[derive(Debug, Clone)]
pub struct MapWrite {
    pub map: String,
    pub key: Shown,
    pub value: Shown,
    /// What the path to the write branched on: a histogram bucket found by a loop of
    /// comparisons is a constant on each path, and shows its field only here.
    pub guard: Shown,
}

/// Some map has the requested shape: keyed by the `by` fields, counting (a value that shows no
/// field of the event), summing the field, or bucketing it (the field in the key).
pub fn aggregate(writes: &[MapWrite], asked: &Aggregate) -> Verdict {
    let (by, of, bucketed) = match asked {
        Aggregate::Count { by } => (by, None, false),
        Aggregate::Sum { of, by } => (by, Some(*of), false),
        Aggregate::Hist { of, by } | Aggregate::Lhist { of, by, .. } => (by, Some(*of), true),
    };
    let fits = |w: &MapWrite| {
        by.iter().all(|f| has(&w.key, *f))
            && match of {
                None => w.value.fields.is_empty(),
                Some(f) if bucketed => has(&w.key, f) || has(&w.guard, f),
                Some(f) => has(&w.value, f),
            }
    };
    if writes.iter().any(fits) {
        return Verdict::Proved;
    }
    let asked_fields: Vec<Field> = by.iter().copied().chain(of).collect();
    if writes.iter().any(|w| could_hide(&w.key, &asked_fields) || could_hide(&w.value, &asked_fields)) {
        let mut all = Shown::default();
        writes.iter().for_each(|w| {
            all.add(&w.key);
            all.add(&w.value)
        });
        return Verdict::Unknown { reason: Unknown::UnnamedAggregate { asked: asked.to_string(), unnamed: unnamed_list(&all) } };
    }
    if writes.is_empty() {
        return counterexample(format!("the request asks for {asked}, but the program writes no map"));
    }
    let mut seen = Vec::new();
    for w in writes {
        let d = format!("{} keyed by {} holding {}", w.map, w.key.field_list(), if w.value.fields.is_empty() { "a count".to_string() } else { w.value.field_list() });
        if !seen.contains(&d) {
            seen.push(d);
        }
    }
    counterexample(format!("the request asks for {asked}, but the program's maps are: {}", seen.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::symbolic::exec::{explore, tests::printk_for_pid};
    use crate::verify::symbolic::platform::Tracefs;

    fn props(text: &str) -> Properties {
        let text = if text.starts_with("event:") { text.to_string() } else { format!("event: tracepoint:syscalls:sys_enter_openat\n{text}") };
        text.parse().unwrap()
    }

    #[test]
    fn a_latency_on_a_single_event_is_a_counterexample() {
        let asked = Aggregate::Hist { of: Field::Latency, by: vec![] };
        let one = ["tracepoint:ext4:ext4_sync_fs".to_string(), "tracepoint:ext4:ext4_sync_fs".to_string()];
        assert!(matches!(latency_events(&one, &asked), Some(Verdict::Counterexample { .. })));
        let pair = ["kprobe:vfs_fsync_range".to_string(), "kretprobe:vfs_fsync_range".to_string()];
        assert_eq!(latency_events(&pair, &asked), None);
        assert_eq!(latency_events(&one[..1], &Aggregate::Hist { of: Field::Size, by: vec![] }), None);
    }

    #[test]
    fn a_filter_the_program_enforces_is_proved_and_one_it_breaks_has_a_counterexample() {
        let e = explore(&printk_for_pid(1234));
        assert_eq!(filters(&e, &props("filter: pid == 1234").filters, &[]), Verdict::Proved);
        let Verdict::Counterexample { values, slot, .. } = filters(&e, &props("filter: pid == 99").filters, &[]) else { panic!("pid 99 is not enforced") };
        assert_eq!(values.get("pid").map(String::as_str), Some("1234"), "{values:?}");
        assert_eq!(slot, Some(7));
        // Looser than the program is still enforced on every emitting path.
        assert_eq!(filters(&e, &props("filter: pid > 1000").filters, &[]), Verdict::Proved);
    }

    #[test]
    fn hooks_are_checked_against_the_asked_event_and_a_missing_event_is_unknown() {
        let none = Tracefs::NONE;
        let hooks_of = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let openat = props("event: tracepoint:syscalls:sys_enter_openat");
        assert_eq!(hooks(&hooks_of(&["tracepoint:syscalls:sys_exit_openat"]), &openat, &none), Verdict::Proved);
        assert!(matches!(hooks(&hooks_of(&["tracepoint:syscalls:sys_enter_read"]), &openat, &none), Verdict::Counterexample { .. }));
        assert_eq!(hooks(&[], &openat, &none), Verdict::Unknown { reason: Unknown::NoProbe });
        // bpftrace's one program for a probe list.
        let listed = hooks_of(&["tracepoint:syscalls:sys_enter_openat,tracepoint:syscalls:sys_enter_openat2"]);
        assert_eq!(hooks(&listed, &props("event: tracepoint:syscalls:sys_enter_openat2"), &none), Verdict::Proved);
        // A platform without the event: no evidence either way.
        let empty = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(empty.path().join("events/syscalls")).unwrap();
        let v = hooks(&hooks_of(&["tracepoint:syscalls:sys_enter_read"]), &openat, &Tracefs::at(empty.path()));
        assert_eq!(v, Verdict::Unknown { reason: Unknown::NoSuchEvent { events: vec!["tracepoint:syscalls:sys_enter_openat".into()] } });
    }

    fn shown(fields: &[Field]) -> Shown {
        Shown { fields: fields.iter().copied().collect(), ..Default::default() }
    }

    #[test]
    fn fields_and_aggregations_follow_what_the_output_shows() {
        assert_eq!(fields(&shown(&[Field::Pid, Field::Filename]), &[Field::Filename]), Verdict::Proved);
        assert!(matches!(fields(&shown(&[Field::Pid]), &[Field::Filename]), Verdict::Counterexample { .. }));
        let mut partly = shown(&[Field::Pid]);
        partly.unnamed.insert("the result of helper 99".into());
        assert!(matches!(fields(&partly, &[Field::Filename]), Verdict::Unknown { reason: Unknown::UnnamedOutput { .. } }));

        let write = |key: &[Field], value: &[Field]| MapWrite { map: "m".into(), key: shown(key), value: shown(value), guard: Shown::default() };
        let count_by_comm = props("aggregate: count by comm").aggregate.unwrap();
        assert_eq!(aggregate(&[write(&[Field::Comm], &[])], &count_by_comm), Verdict::Proved);
        assert!(matches!(aggregate(&[write(&[Field::Cpu], &[])], &count_by_comm), Verdict::Counterexample { .. }));
        assert!(matches!(aggregate(&[], &count_by_comm), Verdict::Counterexample { .. }));
        let sum = props("aggregate: sum bytes by comm").aggregate.unwrap();
        assert_eq!(aggregate(&[write(&[Field::Comm], &[Field::Bytes])], &sum), Verdict::Proved);
        assert!(matches!(aggregate(&[write(&[Field::Comm], &[])], &sum), Verdict::Counterexample { .. }));
        // A timer's callback address is a field of the record, never the task's name; it may
        // still be a byte count the vocabulary does not name.
        let mut by_function = write(&[], &[]);
        by_function.key.others.insert("function".into());
        match aggregate(std::slice::from_ref(&by_function), &count_by_comm) {
            Verdict::Counterexample { message, .. } => assert!(message.contains("keyed by args->function"), "{message}"),
            other => panic!("{other:?}"),
        }
        let mut bytes_by_comm = write(&[Field::Comm], &[]);
        bytes_by_comm.value.others.insert("len".into());
        assert!(matches!(aggregate(&[bytes_by_comm], &sum), Verdict::Unknown { .. }));
    }
}
