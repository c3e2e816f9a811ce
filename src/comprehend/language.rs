//! The property language: its types, their text form, and the strict parser.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;

/// A value a program can filter on or emit. The names are the ones bpftrace users know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Pid,
    Tid,
    Uid,
    Gid,
    Comm,
    Cgroup,
    Cpu,
    Filename,
    Size,
    Bytes,
    Latency,
    Retval,
    Errno,
    Signal,
    Addr,
    Port,
    Stack,
    /// The pid of the task the event's record names where that task need not be the running
    /// one: `sched_wakeup`'s wakee, `signal_generate`'s target. A program shows it only from
    /// the record, never from the `pid` builtin (the waker, the sender).
    #[serde(rename = "args->pid")]
    RecordPid,
    /// That task's name, likewise only from the record's `comm`.
    #[serde(rename = "args->comm")]
    RecordComm,
    /// Argument N of the traced function or syscall.
    Arg(u8),
}

impl Field {
    const NAMES: &'static [(&'static str, Field)] = &[
        ("pid", Field::Pid),
        ("tid", Field::Tid),
        ("uid", Field::Uid),
        ("gid", Field::Gid),
        ("comm", Field::Comm),
        ("cgroup", Field::Cgroup),
        ("cpu", Field::Cpu),
        ("filename", Field::Filename),
        ("size", Field::Size),
        ("bytes", Field::Bytes),
        ("latency", Field::Latency),
        ("retval", Field::Retval),
        ("errno", Field::Errno),
        ("signal", Field::Signal),
        ("addr", Field::Addr),
        ("port", Field::Port),
        ("stack", Field::Stack),
        ("args->pid", Field::RecordPid),
        ("args->comm", Field::RecordComm),
    ];

    fn all_names() -> String {
        let mut names: Vec<&str> = Field::NAMES.iter().map(|(n, _)| *n).collect();
        names.push("arg0..arg5");
        names.join(", ")
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Arg(n) => write!(f, "arg{n}"),
            other => {
                let name = Field::NAMES.iter().find(|(_, v)| v == other).map(|(n, _)| *n).expect("every field is named");
                f.write_str(name)
            }
        }
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Field, String> {
        let s = s.trim();
        if let Some(n) = s.strip_prefix("arg").and_then(|n| n.parse::<u8>().ok()).filter(|&n| n < 6) {
            return Ok(Field::Arg(n));
        }
        if let Some((_, f)) = Field::NAMES.iter().find(|(n, _)| *n == s) {
            return Ok(*f);
        }
        Field::alias(s).ok_or_else(|| format!("unknown field '{s}' (known: {})", Field::all_names()))
    }
}

impl Field {
    /// Names models write for a field that has another name here (`src_ip` is an address,
    /// `dport` a port): read as that field rather than sent back.
    fn alias(s: &str) -> Option<Field> {
        let s = s.to_ascii_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| s == *w);
        Some(match () {
            _ if any(&["ip", "saddr", "daddr", "src_ip", "dst_ip", "src_addr", "dst_addr", "source_ip", "dest_ip", "address", "ip_address"]) => Field::Addr,
            _ if any(&["sport", "dport", "lport", "rport", "src_port", "dst_port", "source_port", "dest_port"]) => Field::Port,
            _ if any(&["ret", "return", "return_value", "result"]) => Field::Retval,
            _ if any(&["path", "file", "pathname", "filepath"]) => Field::Filename,
            _ if any(&["process", "process_name", "command", "name", "task"]) => Field::Comm,
            _ if any(&["duration", "time", "elapsed", "delta"]) => Field::Latency,
            _ if any(&["len", "length", "count"]) => Field::Size,
            _ if any(&["sig", "signum"]) => Field::Signal,
            _ if any(&["user", "user_id"]) => Field::Uid,
            _ if any(&["thread", "thread_id"]) => Field::Tid,
            _ if any(&["process_id"]) => Field::Pid,
            _ if any(&["stacktrace", "kstack", "ustack", "backtrace"]) => Field::Stack,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CmpOp {
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl CmpOp {
    // Two-character operators first, so `<=` is not read as `<`.
    const ALL: [(&'static str, CmpOp); 6] = [("==", CmpOp::Eq), ("!=", CmpOp::Ne), ("<=", CmpOp::Le), (">=", CmpOp::Ge), ("<", CmpOp::Lt), (">", CmpOp::Gt)];
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(CmpOp::ALL.iter().find(|(_, o)| o == self).map(|(s, _)| *s).expect("every operator is spelled"))
    }
}

/// The constant a filter compares with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Str(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// `field op value`: only events for which it holds may produce output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub field: Field,
    pub op: CmpOp,
    pub value: Value,
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.field, self.op, self.value)
    }
}

/// How events are folded before they are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Aggregate {
    Count { by: Vec<Field> },
    Sum { of: Field, by: Vec<Field> },
    Hist { of: Field, by: Vec<Field> },
    Lhist { of: Field, min: i64, max: i64, step: i64, by: Vec<Field> },
}

fn by_text(by: &[Field]) -> String {
    if by.is_empty() {
        String::new()
    } else {
        format!(" by {}", by.iter().map(Field::to_string).collect::<Vec<_>>().join(", "))
    }
}

impl fmt::Display for Aggregate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Aggregate::Count { by } => write!(f, "count{}", by_text(by)),
            Aggregate::Sum { of, by } => write!(f, "sum {of}{}", by_text(by)),
            Aggregate::Hist { of, by } => write!(f, "hist {of}{}", by_text(by)),
            Aggregate::Lhist { of, min, max, step, by } => write!(f, "lhist {of} {min} {max} {step}{}", by_text(by)),
        }
    }
}

/// Everything a request asks for. An empty list means the request does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Properties {
    /// Hook patterns (bpftrace spelling, `*` allowed) any of which implements the event.
    pub events: Vec<String>,
    /// All of them must hold on every path that produces output.
    pub filters: Vec<Filter>,
    /// Fields every printed record or map key must carry.
    pub emits: Vec<Field>,
    pub aggregate: Option<Aggregate>,
    /// Output printed every this often.
    #[serde(with = "secs")]
    pub interval: Option<Duration>,
    /// Only the N largest entries are printed.
    pub top: Option<u32>,
    /// Start and end hooks of a latency measurement.
    pub latency: Option<(String, String)>,
}

mod secs {
    pub fn serialize<S: serde::Serializer>(d: &Option<std::time::Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }
}

impl fmt::Display for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.events {
            writeln!(f, "event: {e}")?;
        }
        for flt in &self.filters {
            writeln!(f, "filter: {flt}")?;
        }
        if !self.emits.is_empty() {
            writeln!(f, "emit: {}", self.emits.iter().map(Field::to_string).collect::<Vec<_>>().join(", "))?;
        }
        if let Some(a) = &self.aggregate {
            writeln!(f, "aggregate: {a}")?;
        }
        if let Some(i) = self.interval {
            writeln!(f, "interval: {}", humantime::format_duration(i))?;
        }
        if let Some(n) = self.top {
            writeln!(f, "top: {n}")?;
        }
        if let Some((start, end)) = &self.latency {
            writeln!(f, "latency: {start} -> {end}")?;
        }
        Ok(())
    }
}

/// A line the parser could not read: its number, the text, and what would have been accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}: `{text}`")]
pub struct ParseError {
    pub line: usize,
    pub text: String,
    pub message: String,
}

const KEYS: &str = "event, filter, emit, aggregate, interval, top, latency";

fn probe(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = !s.is_empty() && s.contains(':') && !s.contains(char::is_whitespace);
    ok.then(|| s.to_string()).ok_or_else(|| "expected a probe such as tracepoint:syscalls:sys_enter_openat".to_string())
}

fn int(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let parsed = match s.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("'{s}' is not a number"))
}

/// The inside of a quoted string, with the escapes a string value prints with (`Display` writes
/// Rust's `{:?}`): `\\`, `\"`, `\n`, `\r`, `\t`, `\0`, `\'` and `\u{…}`.
fn unescape(inner: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Err("a quote inside a string value must be escaped: \\\"".into()),
            '\\' => out.push(match chars.next() {
                Some('\\') => '\\',
                Some('"') => '"',
                Some('\'') => '\'',
                Some('n') => '\n',
                Some('r') => '\r',
                Some('t') => '\t',
                Some('0') => '\0',
                Some('u') => {
                    let rest = chars.as_str();
                    let code = rest.strip_prefix('{').and_then(|r| r.split_once('}')).and_then(|(hex, _)| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32));
                    let Some(ch) = code else { return Err(format!("a bad \\u{{…}} escape in \"{inner}\"")) };
                    let skip = rest.find('}').map_or(0, |i| i + 1);
                    chars = rest[skip..].chars();
                    ch
                }
                other => return Err(format!("an unknown escape \\{} in \"{inner}\"", other.map(String::from).unwrap_or_default())),
            }),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn value(s: &str) -> Result<Value, String> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return unescape(inner).map(Value::Str);
    }
    if let Ok(i) = int(s) {
        return Ok(Value::Int(i));
    }
    // A duration (`10ms`) compares with a latency, which programs measure in nanoseconds.
    match humantime::parse_duration(s) {
        Ok(d) => Ok(Value::Int(d.as_nanos().min(i64::MAX as u128) as i64)),
        Err(_) => Err(format!("'{s}' is neither a number, a duration (10ms) nor a \"quoted string\"")),
    }
}

fn filter(s: &str) -> Result<Filter, String> {
    if [" or ", " and ", "||", "&&"].iter().any(|w| s.contains(w)) {
        return Err("one condition per `filter:` line (every line must hold; there is no `or`)".into());
    }
    // `args->pid`'s arrow is no `>`; blanked at the same width, the offsets stay the same.
    let plain = s.replace("->", "  ");
    let (at, sym, op) = CmpOp::ALL
        .iter()
        .filter_map(|(sym, op)| plain.find(sym).map(|at| (at, *sym, *op)))
        .min_by_key(|(at, sym, _)| (*at, std::cmp::Reverse(sym.len())))
        .ok_or("expected FIELD OP VALUE with OP one of == != < <= > >=")?;
    let field: Field = s[..at].parse()?;
    let value = value(&s[at + sym.len()..])?;
    if matches!(value, Value::Str(_)) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return Err("strings compare only with == or !=".into());
    }
    Ok(Filter { field, op, value })
}

fn fields(s: &str) -> Result<Vec<Field>, String> {
    let list: Vec<Field> = s.split(',').map(str::parse).collect::<Result<_, _>>()?;
    if list.is_empty() {
        return Err("expected at least one field".into());
    }
    Ok(list)
}

fn aggregate(s: &str) -> Result<Aggregate, String> {
    let (head, by) = match s.split_once(" by ") {
        Some((h, b)) => (h.trim(), fields(b)?),
        None => (s.trim(), Vec::new()),
    };
    let words: Vec<&str> = head.split_whitespace().collect();
    let of = |w: &[&str]| -> Result<Field, String> { w.get(1).ok_or("name the field it folds, e.g. `sum bytes`")?.parse() };
    Ok(match words.first().copied() {
        Some("count") if words.len() == 1 => Aggregate::Count { by },
        Some("sum") if words.len() == 2 => Aggregate::Sum { of: of(&words)?, by },
        Some("hist") if words.len() == 2 => Aggregate::Hist { of: of(&words)?, by },
        Some("lhist") if words.len() == 5 => {
            let (min, max, step) = (int(words[2])?, int(words[3])?, int(words[4])?);
            if step <= 0 || max <= min {
                return Err("lhist needs MIN < MAX and a STEP above 0".into());
            }
            Aggregate::Lhist { of: of(&words)?, min, max, step, by }
        }
        Some(kind @ ("sum" | "hist")) if words.len() == 1 => return Err(format!("`{kind}` needs the field it folds, e.g. `{kind} bytes by pid`")),
        _ => return Err("expected count, sum FIELD, hist FIELD or lhist FIELD MIN MAX STEP, then optionally `by FIELD, …`".into()),
    })
}

impl FromStr for Properties {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Properties, ParseError> {
        let mut p = Properties::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |message: String| ParseError { line: i + 1, text: raw.trim().to_string(), message };
            let (key, rest) = line.split_once(':').ok_or_else(|| err(format!("expected `key: value` with key one of {KEYS}")))?;
            let rest = rest.trim();
            let once = |present: bool| {
                if present {
                    Err(err(format!("`{}` appears twice", key.trim())))
                } else {
                    Ok(())
                }
            };
            match key.trim() {
                "event" => p.events.push(probe(rest).map_err(err)?),
                "filter" => p.filters.push(filter(rest).map_err(err)?),
                "emit" => {
                    for f in fields(rest).map_err(err)? {
                        if !p.emits.contains(&f) {
                            p.emits.push(f);
                        }
                    }
                }
                "aggregate" => {
                    once(p.aggregate.is_some())?;
                    p.aggregate = Some(aggregate(rest).map_err(err)?);
                }
                "interval" => {
                    once(p.interval.is_some())?;
                    p.interval = Some(humantime::parse_duration(rest).map_err(|e| err(format!("{e}: write a duration such as 1s")))?);
                }
                "top" => {
                    once(p.top.is_some())?;
                    p.top = Some(rest.parse().ok().filter(|&n: &u32| n > 0).ok_or_else(|| err("expected a count above 0".into()))?);
                }
                "latency" => {
                    once(p.latency.is_some())?;
                    let (a, b) = rest.split_once("->").ok_or_else(|| err("expected START_PROBE -> END_PROBE".into()))?;
                    p.latency = Some((probe(a).map_err(err)?, probe(b).map_err(err)?));
                }
                other => return Err(err(format!("unknown key '{other}' (keys: {KEYS})"))),
            }
        }
        if p.events.is_empty() && p.latency.is_none() {
            return Err(ParseError { line: text.lines().count().max(1), text: String::new(), message: "no `event:` line: every request traces some event".into() });
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "event: tracepoint:syscalls:sys_enter_openat\n\
                        filter: comm == \"bash\"\n\
                        filter: uid >= 1000\n\
                        emit: pid, comm, filename\n\
                        aggregate: lhist size 0 4096 512 by comm, pid\n\
                        interval: 1s\n\
                        top: 10\n\
                        latency: tracepoint:syscalls:sys_enter_read -> tracepoint:syscalls:sys_exit_read\n";

    #[test]
    fn the_text_form_round_trips() {
        let p: Properties = FULL.parse().unwrap();
        assert_eq!(p.filters[0], Filter { field: Field::Comm, op: CmpOp::Eq, value: Value::Str("bash".into()) });
        assert_eq!(p.filters[1].op, CmpOp::Ge);
        assert_eq!(p.aggregate, Some(Aggregate::Lhist { of: Field::Size, min: 0, max: 4096, step: 512, by: vec![Field::Comm, Field::Pid] }));
        assert_eq!(p.interval, Some(Duration::from_secs(1)));
        assert_eq!(p.to_string(), FULL);
        assert_eq!(p.to_string().parse::<Properties>().unwrap(), p);
    }

    #[test]
    fn mistakes_name_the_line_and_what_is_allowed() {
        let e = "event: tracepoint:sched:sched_switch\nemit: pid, colour".parse::<Properties>().unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unknown field 'colour'") && e.message.contains("comm"), "{e}");
        let e = "event: x:y\nfilter: comm > \"sh\"".parse::<Properties>().unwrap_err();
        assert!(e.message.contains("only with == or !="), "{e}");
        let e = "event: x:y\nfilter: pid = 4".parse::<Properties>().unwrap_err();
        assert!(e.message.contains("FIELD OP VALUE"), "{e}");
        let e = "event: x:y\nwhen: always".parse::<Properties>().unwrap_err();
        assert!(e.message.contains("unknown key 'when'") && e.message.contains("latency"), "{e}");
        let e = "emit: pid".parse::<Properties>().unwrap_err();
        assert!(e.message.contains("no `event:` line"), "{e}");
        let e = "event: x:y\ntop: 3\ntop: 4".parse::<Properties>().unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (3, "`top` appears twice"));
        assert!("event: x:y\naggregate: lhist size 10 0 5".parse::<Properties>().unwrap_err().message.contains("MIN < MAX"));
        assert!("event: sched switch".parse::<Properties>().unwrap_err().message.contains("expected a probe"));
    }

    #[test]
    fn comments_blank_lines_and_arguments_are_read() {
        let p: Properties = "# what the user asked\n\nevent: kprobe:do_sys_openat2  # the function\nfilter: arg0 != -100\nfilter: pid == 0x10".parse().unwrap();
        assert_eq!(p.filters[0], Filter { field: Field::Arg(0), op: CmpOp::Ne, value: Value::Int(-100) });
        assert_eq!(p.filters[1].value, Value::Int(16));
        let net: Properties = "event: tracepoint:sock:inet_sock_set_state\nemit: src_ip, dport, comm".parse().unwrap();
        assert_eq!(net.emits, [Field::Addr, Field::Port, Field::Comm]);
        assert!("event: tracepoint:exceptions:page_fault_user\nemit: fault".parse::<Properties>().is_err());
        let slow: Properties = "event: tracepoint:syscalls:sys_exit_read\nfilter: latency > 10ms".parse().unwrap();
        assert_eq!(slow.filters[0].value, Value::Int(10_000_000));
        assert!("event: x:y\nemit: arg6".parse::<Properties>().is_err());
        // The task a record names (the wakee), apart from the running one.
        let woken: Properties = "event: tracepoint:sched:sched_wakeup\nfilter: args->pid > 1\nemit: args->comm, comm\naggregate: count by args->comm".parse().unwrap();
        assert_eq!(woken.filters[0], Filter { field: Field::RecordPid, op: CmpOp::Gt, value: Value::Int(1) });
        assert_eq!(woken.emits, [Field::RecordComm, Field::Comm]);
        assert_eq!(woken.to_string().parse::<Properties>().unwrap(), woken);
    }

    #[test]
    fn string_values_print_and_parse_back_with_their_escapes() {
        // Found by fuzz/fuzz_targets/properties.rs: "\0" printed escaped and parsed raw.
        for v in ["ba4\0", "a \"quoted\" word", "back\\slash", "tab\tnew\nline", "bell\u{7}"] {
            let p: Properties = format!("event: tracepoint:syscalls:sys_enter_openat\nfilter: comm == {:?}\n", v).parse().unwrap();
            assert_eq!(p.filters[0].value, Value::Str(v.into()));
            assert_eq!(p.to_string().parse::<Properties>().unwrap(), p);
        }
        assert!("filter: comm == \"a\"b\"".parse::<Properties>().is_err());
    }
}
