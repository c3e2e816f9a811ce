//! The request read as a program plan: the event (or a start and an end event), the records that
//! count (conditions over the hook's real fields and bpftrace's builtins), and what to show or
//! fold, each with the words of the request that said it.
//!
//! A plan is the request in a form both a reader and a checker can hold a program to:
//! - [`read`] makes one from the request, the grounding and this host's catalog, and says what
//!   it could not settle ([`Reading::gaps`]) and which constraining words it did not read
//!   ([`Reading::unread`]). Only a plan with neither is complete.
//! - [`emit`] writes a complete plan as a bpftrace program, with no model: the program does what
//!   the plan says by construction, and goes through every check like any other.
//! - [`Plan::properties`] is what any program, the model's too, is checked against.
//!
//! ```
//! use kgent::plan::{Output, Plan, Term, Builtin, Fold};
//! let plan = Plan::on(vec!["tracepoint:syscalls:sys_enter_close".into()], Output::Map { fold: Fold::Count, also: vec![], of: None, keys: vec![Term::Builtin(Builtin::Comm)] });
//! let program = kgent::plan::emit::bpftrace(&plan);
//! assert!(program.contains("tracepoint:syscalls:sys_enter_close") && program.contains("count()"));
//! ```

pub mod check;
pub(crate) mod constants;
pub mod emit;
pub mod read;

use std::fmt;

use serde::Serialize;

use crate::comprehend::{Aggregate, CmpOp, Field, Filter, Properties, Value};

pub use read::{read, Reading};

/// A bpftrace builtin a plan can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    Pid,
    Tid,
    Uid,
    Gid,
    Comm,
    Cpu,
    Cgroup,
    Kstack,
    Ustack,
    /// The probe that fired: which of several events a key or line is about.
    Probe,
}

impl Builtin {
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Pid => "pid",
            Builtin::Tid => "tid",
            Builtin::Uid => "uid",
            Builtin::Gid => "gid",
            Builtin::Comm => "comm",
            Builtin::Cpu => "cpu",
            Builtin::Cgroup => "cgroup",
            Builtin::Kstack => "kstack",
            Builtin::Ustack => "ustack",
            Builtin::Probe => "probe",
        }
    }

    /// The property language's name for it, where it has one.
    fn field(self) -> Option<Field> {
        Some(match self {
            Builtin::Pid => Field::Pid,
            Builtin::Tid => Field::Tid,
            Builtin::Uid => Field::Uid,
            Builtin::Gid => Field::Gid,
            Builtin::Comm => Field::Comm,
            Builtin::Cpu => Field::Cpu,
            Builtin::Cgroup => Field::Cgroup,
            Builtin::Kstack | Builtin::Ustack => Field::Stack,
            Builtin::Probe => return None,
        })
    }
}

/// A value a program reads on an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Term {
    Builtin(Builtin),
    /// A field of the event's record, `args->NAME` (`ty` is its C type from tracefs). With a
    /// start event, `at_start` fields are read there and kept until the end event.
    Field {
        name: String,
        ty: String,
        at_start: bool,
    },
    /// The error a syscall returned, as a positive errno (`-args->ret` on its exit).
    Errno,
    /// Time from the start event to the end event, in the plan's unit.
    Elapsed,
}

impl Term {
    pub fn field(name: &str, ty: &str) -> Term {
        Term::Field { name: name.into(), ty: ty.into(), at_start: false }
    }

    /// What a reader calls it: `comm`, `filename`, `errno`, `latency`.
    pub fn name(&self) -> &str {
        match self {
            Term::Builtin(b) => b.name(),
            Term::Field { name, .. } => name,
            Term::Errno => "errno",
            Term::Elapsed => "latency",
        }
    }

    /// How it is shown to people: a record's field named like a builtin is `args->pid`, the
    /// event's object (a signal's target), not the task that caused it.
    pub fn label(&self) -> String {
        match self {
            Term::Field { name, .. } if ["pid", "comm", "tid", "uid", "gid", "cpu"].contains(&name.as_str()) => format!("args->{name}"),
            t => t.name().to_string(),
        }
    }

    /// Whether it is a list of strings (argv), which bpftrace prints with `join()`.
    pub fn is_strings(&self) -> bool {
        matches!(self, Term::Field { ty, .. } if field_is_strings(ty))
    }

    /// A string rather than a number.
    pub fn is_text(&self) -> bool {
        match self {
            Term::Builtin(b) => matches!(b, Builtin::Comm | Builtin::Kstack | Builtin::Ustack | Builtin::Probe),
            Term::Field { ty, .. } => field_is_text(ty),
            _ => false,
        }
    }

    /// The property language's field for it, where it has one: what the symbolic verifier
    /// traces output back to.
    fn property_field(&self) -> Option<Field> {
        Some(match self {
            Term::Builtin(b) => return b.field(),
            Term::Errno => Field::Errno,
            Term::Elapsed => Field::Latency,
            Term::Field { name, ty, .. } => match name.as_str() {
                "filename" | "pathname" | "path" if field_is_text(ty) => Field::Filename,
                // The record's task (sched_wakeup's wakee): the symbolic executor reads the
                // record's `comm` and the builtin as one origin.
                "comm" if field_is_text(ty) => Field::Comm,
                "ret" => Field::Retval,
                "sig" => Field::Signal,
                "sport" | "dport" | "lport" | "rport" => Field::Port,
                "saddr" | "daddr" => Field::Addr,
                "count" | "len" | "size" | "bytes" => Field::Size,
                _ => return None,
            },
        })
    }
}

/// Whether a tracefs field type holds text: `const char *`, `char[16]`, `__data_loc char[]`.
pub fn field_is_text(ty: &str) -> bool {
    let t = ty.replace("const ", "");
    !field_is_strings(ty) && (t.starts_with("char *") || t.starts_with("char*") || t.starts_with("char[") || t.starts_with("__data_loc char"))
}

/// Whether a field of this type is a list of strings (execve's `const char *const * argv`),
/// which bpftrace prints with `join()`, not `str()`.
pub fn field_is_strings(ty: &str) -> bool {
    let t = ty.replace("const ", "").replace(' ', "");
    t.starts_with("char**")
}

/// What a condition asks of its term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "test")]
pub enum Test {
    /// A number compared with a constant (signed).
    Cmp { op: CmpOp, value: i64 },
    /// A string equal (or not) to a constant.
    Str { equal: bool, value: String },
    /// A string beginning with a constant (`python` for `python3`).
    Prefix { value: String },
    /// Any of these bits set (`PROT_EXEC`).
    Bits { mask: i64 },
    /// Equal to one of these numbers (`SIGSEGV or SIGKILL`).
    OneOf { values: Vec<i64> },
    /// A string beginning with one of these (`/tmp or /dev/shm`).
    AnyPrefix { values: Vec<String> },
}

/// One condition an event must meet to count, with the words that asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub term: Term,
    #[serde(flatten)]
    pub test: Test,
    pub words: String,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.term.label();
        match &self.test {
            Test::Cmp { op, value } => write!(f, "{name} {op} {value}"),
            Test::Str { equal, value } => write!(f, "{name} {} {value:?}", if *equal { "==" } else { "!=" }),
            Test::Prefix { value } => write!(f, "{name} starts with {value:?}"),
            Test::Bits { mask } => write!(f, "{name} & {mask:#x} != 0"),
            Test::OneOf { values } => write!(f, "{name} in {}", values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("|")),
            Test::AnyPrefix { values } => write!(f, "{name} starts with {}", values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(" or ")),
        }
    }
}

/// How events are folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fold {
    Count,
    Sum,
    Hist,
    Avg,
    Min,
    Max,
}

impl Fold {
    pub fn name(self) -> &'static str {
        match self {
            Fold::Count => "count",
            Fold::Sum => "sum",
            Fold::Hist => "hist",
            Fold::Avg => "avg",
            Fold::Min => "min",
            Fold::Max => "max",
        }
    }
}

/// What the program shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "shape")]
pub enum Output {
    /// A line per event with these values.
    Lines { values: Vec<Term> },
    /// Events folded into a map by `keys`; `of` is the value folded (none for a count). `also`:
    /// more folds of the same value, each its own map ("the average and the worst case").
    Map {
        fold: Fold,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        also: Vec<Fold>,
        of: Option<Term>,
        keys: Vec<Term>,
    },
}

impl Output {
    /// Every fold of a map, the first one first; none for lines.
    pub fn folds(&self) -> Vec<Fold> {
        match self {
            Output::Map { fold, also, .. } => std::iter::once(*fold).chain(also.iter().copied()).collect(),
            Output::Lines { .. } => vec![],
        }
    }
}

/// How a start event is matched with its end event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum PairKey {
    /// Both happen in one thread (a syscall's entry and exit, a handler's entry and exit).
    Tid,
    /// The start record's fields `start` hold the values the end record's `end` do (a block
    /// request's device and sector in both; the woken `pid` and the switched-to `next_pid`).
    Fields { start: Vec<String>, end: Vec<String> },
    /// The start record's field names the thread the end event happens in: a signal's target
    /// `pid` when it is generated, which then takes its delivery.
    Task { start: String },
}

/// A start event whose time or fields the end event uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Start {
    pub probes: Vec<String>,
    pub key: PairKey,
}

/// The unit elapsed times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Ns,
    Us,
    Ms,
}

impl TimeUnit {
    pub fn divisor(self) -> u64 {
        match self {
            TimeUnit::Ns => 1,
            TimeUnit::Us => 1_000,
            TimeUnit::Ms => 1_000_000,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Ns => "nsecs",
            TimeUnit::Us => "usecs",
            TimeUnit::Ms => "msecs",
        }
    }
}

/// Words of the request and what the reader made of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Said {
    pub words: String,
    pub means: String,
}

/// What a program must do, read from the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The event (the end event, with a start): probes with the same fields, any of which counts.
    pub probes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Start>,
    /// Every one must hold for an event to count.
    pub conditions: Vec<Condition>,
    pub output: Output,
    pub unit: TimeUnit,
    /// Print (and clear) the maps this often, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// A histogram's linear buckets ("from 0 to 4096 in 512 byte steps"): min, max, step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear: Option<(i64, i64, i64)>,
    /// Stop after this many seconds ("for 10 seconds"), printing what was gathered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_after: Option<u64>,
    /// Print only the N largest entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top: Option<u32>,
    /// Values asked for in another base than ten ("the new mask in octal"), by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub radix: Vec<(String, Radix)>,
    /// The words behind each part.
    pub said: Vec<Said>,
    /// A library function's parameters in order, where the event is a uprobe: bpftrace reads
    /// them as `arg0`, `arg1`, … (a library carries no types of its own), not as `args->`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
}

/// The base a value is printed in, when the request names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Radix {
    Octal,
    Hex,
}

impl Radix {
    /// The base the word names: "octal", "hex", "hexadecimal".
    pub fn named(word: &str) -> Option<Radix> {
        match word {
            "octal" | "oct" => Some(Radix::Octal),
            "hex" | "hexadecimal" => Some(Radix::Hex),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Radix::Octal => "octal",
            Radix::Hex => "hex",
        }
    }
}

impl Plan {
    /// A plan on `probes` with nothing else said.
    pub fn on(probes: Vec<String>, output: Output) -> Plan {
        Plan {
            probes,
            start: None,
            conditions: vec![],
            output,
            unit: TimeUnit::Us,
            every: None,
            linear: None,
            stop_after: None,
            top: None,
            radix: vec![],
            said: vec![],
            params: vec![],
        }
    }

    /// How a program reads the event's field `name`: `args->name`, or a function's `argN`.
    pub fn spelling(&self, name: &str) -> String {
        match self.params.iter().position(|p| p == name) {
            Some(i) => format!("arg{i}"),
            None if name == "retval" && self.on_return() => "retval".into(),
            None => format!("args->{name}"),
        }
    }

    /// Whether the event is a library function's return, where bpftrace's `retval` is what it
    /// returned.
    fn on_return(&self) -> bool {
        self.probes.iter().any(|p| p.starts_with("uretprobe:"))
    }

    /// The property language's field for `term`: a library function's parameter is its
    /// argument register, whatever its name.
    fn property_field(&self, term: &Term) -> Option<Field> {
        match term {
            Term::Field { name, .. } if name == "retval" && self.on_return() => Some(Field::Retval),
            Term::Field { name, .. } if !self.params.is_empty() => self.params.iter().position(|p| p == name).and_then(|i| u8::try_from(i).ok()).map(Field::Arg),
            t => t.property_field(),
        }
    }

    /// Every value the plan reads.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        let shown: Vec<&Term> = match &self.output {
            Output::Lines { values } => values.iter().collect(),
            Output::Map { of, keys, .. } => of.iter().chain(keys).collect(),
        };
        self.conditions.iter().map(|c| &c.term).chain(shown)
    }

    /// The properties every program for this request is held to: its events, the conditions
    /// the property language can state, the values shown, and the aggregation.
    pub fn properties(&self) -> Properties {
        let mut p = Properties { events: self.probes.clone(), ..Properties::default() };
        if let Some(start) = &self.start {
            if self.terms().any(|t| *t == Term::Elapsed) {
                p.latency = Some((start.probes[0].clone(), self.probes[0].clone()));
            }
        }
        for c in &self.conditions {
            // Conditions on the start event hold at the end only through a map the symbolic
            // executor does not follow; they are checked by reading the plan, not the program.
            let at_start = matches!(c.term, Term::Field { at_start: true, .. }) || (self.start.is_some() && matches!(c.term, Term::Builtin(_)));
            let Some(field) = self.property_field(&c.term).filter(|_| !at_start) else { continue };
            let filter = match &c.test {
                Test::Cmp { op, value } if c.term != Term::Errno => Filter { field, op: *op, value: Value::Int(*value) },
                Test::Str { equal, value } => Filter { field, op: if *equal { CmpOp::Eq } else { CmpOp::Ne }, value: Value::Str(value.clone()) },
                _ => continue,
            };
            p.filters.push(filter);
        }
        let field = |t: &Term| self.property_field(t);
        match &self.output {
            Output::Lines { values } => p.emits = values.iter().filter_map(field).collect(),
            Output::Map { fold, of, keys, .. } => {
                let by: Vec<Field> = keys.iter().filter_map(field).collect();
                p.aggregate = match (fold, of.as_ref().and_then(field)) {
                    (Fold::Count, _) => Some(Aggregate::Count { by }),
                    (Fold::Sum, Some(of)) => Some(Aggregate::Sum { of, by }),
                    (Fold::Hist, Some(of)) => Some(Aggregate::Hist { of, by }),
                    _ => None,
                };
            }
        }
        unique(&mut p.emits);
        p.interval = self.every.map(std::time::Duration::from_secs);
        p.top = self.top;
        p
    }

    /// What a plan read in part settled, to hold a model's program to: its filters, whether a
    /// line per event or which fold, the keys, the interval and the top. Not its events or pair
    /// (they may be what is unsettled), and of its values only those the words asked to show
    /// (a plan prints who caused the event unasked).
    pub fn settled_properties(&self) -> Properties {
        let all = self.properties();
        let emits = match &self.output {
            Output::Lines { values } => {
                let asked = |t: &Term| self.said.iter().any(|s| s.means == format!("show {}", t.name()));
                let mut emits: Vec<Field> = values.iter().filter(|t| asked(t)).filter_map(|t| self.property_field(t)).collect();
                unique(&mut emits);
                emits
            }
            Output::Map { .. } => vec![],
        };
        Properties { filters: all.filters, emits, aggregate: all.aggregate, interval: all.interval, top: all.top, ..Properties::default() }
    }
}

/// `fields` with each once, in order: the builtin and the record's `comm` are one property.
fn unique(fields: &mut Vec<Field>) {
    let mut seen = std::collections::BTreeSet::new();
    fields.retain(|f| seen.insert(*f));
}

impl fmt::Display for Plan {
    /// One sentence: "on sys_exit_openat (started at sys_enter_openat, by thread) where ret ==
    /// -2: print comm, filename".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "on {}", self.probes.join(", "))?;
        if let Some(start) = &self.start {
            let key = match &start.key {
                PairKey::Tid => "thread".to_string(),
                PairKey::Fields { start, end } if start == end => start.join(", "),
                PairKey::Fields { start, end } => format!("{} = {}", start.join(", "), end.join(", ")),
                PairKey::Task { start } => format!("{start} = the thread of the end"),
            };
            write!(f, " (started at {}, matched by {key})", start.probes.join(", "))?;
        }
        if !self.conditions.is_empty() {
            write!(f, " where {}", self.conditions.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" and "))?;
        }
        let names = |ts: &[Term]| {
            ts.iter()
                .map(|t| match self.radix.iter().find(|(n, _)| n == t.name()) {
                    Some((_, r)) => format!("{} in {}", t.label(), r.name()),
                    None => t.label(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.output {
            Output::Lines { values } => write!(f, ": print {}", names(values))?,
            Output::Map { fold, also, of, keys } => {
                write!(f, ": {}", fold.name())?;
                for more in also {
                    write!(f, " and {}", more.name())?;
                }
                if let Some(of) = of {
                    write!(f, " of {}", of.label())?;
                }
                if let (Fold::Hist, Some((min, max, step))) = (fold, self.linear) {
                    write!(f, " in linear buckets {min}..{max} by {step}")?;
                }
                if !keys.is_empty() {
                    write!(f, " by {}", names(keys))?;
                }
            }
        }
        if self.terms().any(|t| *t == Term::Elapsed) {
            write!(f, " (in {})", self.unit.name())?;
        }
        if let Some(n) = self.top {
            write!(f, ", top {n}")?;
        }
        if let Some(s) = self.every {
            write!(f, ", every {s} s")?;
        }
        if let Some(s) = self.stop_after {
            write!(f, ", for {s} s")?;
        }
        Ok(())
    }
}
