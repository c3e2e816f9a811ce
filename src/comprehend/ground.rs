//! Keeps only the properties the request's own words support. A small model restating a request
//! adds things nobody asked for (a `comm != "bash"` filter, a `by pid` key); checked against a
//! correct program, those would send it back for nothing. A filter needs its value in the
//! request ("bash", "1234", "root" for uid 0); a field, an aggregation and its keys need a word
//! that names them ("path", "histogram", "per process").

use super::language::{Aggregate, Field, Filter, Properties, Value};

/// Words that name a field in a request (lowercase; matched as substrings).
fn words(f: Field) -> &'static [&'static str] {
    match f {
        Field::Pid | Field::Tid | Field::Comm | Field::RecordPid | Field::RecordComm => &["pid", "tid", "thread", "process", "command", "comm", "who"],
        Field::Uid => &["uid", "user", "root"],
        Field::Gid => &["gid", "group"],
        Field::Cgroup => &["cgroup", "container"],
        // "using the cpu" names no cpu; "per cpu" does.
        Field::Cpu => &["per cpu", "per-cpu", "each cpu", "which cpu", "by cpu", "every cpu", "cpu number", "cpu id", "core"],
        Field::Filename => &["file", "path", "name"],
        Field::Size | Field::Bytes => &["size", "byte", "length", "how much", "large", "big", "amount"],
        Field::Latency => &["latency", "time", "duration", "long", "slow", "wait", "took", "delay", "fast"],
        Field::Retval => &["return", "result", "fail", "error", "exit code", "status", "success"],
        Field::Errno => &["error", "errno", "fail"],
        Field::Signal => &["signal", "kill", "sig"],
        Field::Addr => &["address", "addr", " ip", "host", "destination", "source"],
        Field::Port => &["port"],
        Field::Stack => &["stack", "backtrace", "call chain", "code path"],
        Field::Arg(_) => &["arg", "flag", "mode", "fd", "descriptor", "parameter"],
    }
}

fn mentions(request: &str, f: Field) -> bool {
    words(f).iter().any(|w| request.contains(w))
}

/// The filter's value, in the words a request would use for it.
fn filter_grounded(request: &str, f: &Filter) -> bool {
    match &f.value {
        Value::Str(s) => !s.is_empty() && request.contains(&s.to_lowercase()),
        Value::Int(0) if matches!(f.field, Field::Uid | Field::Gid) => request.contains("root") || request.contains('0'),
        Value::Int(i) => {
            // Latencies are compared in nanoseconds, but requests say 10ms or 1 second.
            let scaled = [1i64, 1_000, 1_000_000, 1_000_000_000];
            scaled.iter().filter(|s| *i % **s == 0).any(|s| request.split(|c: char| !c.is_ascii_digit()).any(|n| n == (*i / *s).to_string()))
        }
    }
}

fn aggregate_grounded(request: &str, a: &Aggregate) -> bool {
    let kind: &[&str] = match a {
        Aggregate::Count { .. } => &["count", "how many", "number of", "rate", "per second", "frequen", "most", "top", "busiest", "often", "each"],
        Aggregate::Sum { .. } => &["total", "sum", "how much", "bytes", "amount"],
        Aggregate::Hist { .. } | Aggregate::Lhist { .. } => &["histogram", "distribution", "hist", "spread", "buckets"],
    };
    kind.iter().any(|w| request.contains(w))
}

/// An event is supported when a word of its name starts a word of the request: `sys_enter_openat`
/// by "opens", `sched_process_exec` by "executed", `tcp_retransmit_skb` by "TCP".
fn event_grounded(request: &str, event: &str) -> bool {
    let name = event.rsplit(':').next().unwrap_or(event);
    let name = ["sys_enter_", "sys_exit_", "__x64_sys_", "sched_process_", "sched_"].iter().find_map(|p| name.strip_prefix(p)).unwrap_or(name);
    name.split('_').filter(|t| t.len() >= 3).any(|t| {
        let stem = &t[..t.len().min(4)];
        request.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w.starts_with(stem))
    })
}

/// What was dropped, one line each, for the user to see.
pub type Dropped = Vec<String>;

impl Properties {
    /// The properties the request's words support, and the lines that were dropped.
    pub fn grounded(&self, request: &str) -> (Properties, Dropped) {
        let request = request.to_lowercase();
        let mut dropped = Vec::new();
        let mut p = self.clone();
        p.events.retain(|e| {
            let keep = event_grounded(&request, e);
            if !keep {
                dropped.push(format!("event: {e}"));
            }
            keep
        });
        if let Some((start, end)) = &p.latency {
            if !event_grounded(&request, start) || !event_grounded(&request, end) {
                dropped.push(format!("latency: {start} -> {end}"));
                p.latency = None;
            }
        }
        p.filters.retain(|f| {
            let keep = filter_grounded(&request, f);
            if !keep {
                dropped.push(format!("filter: {f}"));
            }
            keep
        });
        p.emits.retain(|f| {
            let keep = mentions(&request, *f);
            if !keep {
                dropped.push(format!("emit: {f}"));
            }
            keep
        });
        if let Some(a) = &mut p.aggregate {
            let of_ok = match a {
                Aggregate::Count { .. } => true,
                Aggregate::Sum { of, .. } | Aggregate::Hist { of, .. } | Aggregate::Lhist { of, .. } => mentions(&request, *of),
            };
            if !aggregate_grounded(&request, a) || !of_ok {
                dropped.push(format!("aggregate: {a}"));
                p.aggregate = None;
            } else {
                let by = match a {
                    Aggregate::Count { by } | Aggregate::Sum { by, .. } | Aggregate::Hist { by, .. } | Aggregate::Lhist { by, .. } => by,
                };
                let before = by.clone();
                by.retain(|f| mentions(&request, *f));
                if *by != before {
                    dropped.push(format!("the keys {} of the aggregation", before.iter().filter(|f| !by.contains(f)).map(Field::to_string).collect::<Vec<_>>().join(", ")));
                }
            }
        }
        (p, dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(text: &str) -> Properties {
        text.parse().unwrap()
    }

    #[test]
    fn what_the_request_says_is_kept() {
        let p = props("event: tracepoint:syscalls:sys_enter_openat\nfilter: comm == \"bash\"\nemit: pid, filename\naggregate: count by comm");
        let (g, dropped) = p.grounded("Count files opened by bash per process, with the pid and path");
        assert_eq!(g, p);
        assert!(dropped.is_empty());
        let root = props("event: tracepoint:syscalls:sys_enter_openat\nfilter: uid == 0\nfilter: latency > 10ms");
        assert_eq!(root.grounded("opens by root that take longer than 10 ms").0, root);
    }

    #[test]
    fn what_the_model_added_is_dropped() {
        let p = props("event: tracepoint:syscalls:sys_enter_unlinkat\nfilter: comm != \"bash\"\nfilter: pid != 1\nemit: filename, errno\naggregate: hist latency by pid");
        let (g, dropped) = p.grounded("show files being deleted, with the path");
        assert!(g.filters.is_empty() && g.aggregate.is_none());
        assert_eq!(g.emits, [Field::Filename]);
        assert!(g.events.is_empty(), "nothing in the request says unlink");
        assert_eq!(dropped.len(), 5, "{dropped:?}");
        let exec = props("event: tracepoint:sched:sched_process_exec\nevent: tracepoint:syscalls:sys_enter_openat");
        assert_eq!(exec.grounded("trace every program executed").0.events, ["tracepoint:sched:sched_process_exec"]);
        let keys = props("event: tracepoint:syscalls:sys_exit_read\naggregate: hist latency by pid");
        let (g, _) = keys.grounded("histogram of read latency");
        assert_eq!(g.aggregate, Some(Aggregate::Hist { of: Field::Latency, by: vec![] }));
    }
}
