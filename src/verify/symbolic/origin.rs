//! Where values come from, in the request's terms. The executor names every value from outside
//! the program by its origin ([`sym`]); here a name becomes the fields it shows: `comm[3]` is the
//! command name, `ctx+24` is whatever the hook's context holds at byte 24 (for
//! `sys_enter_openat`, the filename pointer), `read#2[0]` is what a `bpf_probe_read*` copied from
//! an address made of other names, `map:start#1+0` is what the programs stored into map `start`.
//! Names that cannot be tied to a field are kept as `unnamed`, so a check can say Unknown rather
//! than claim a field is missing.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use z3::ast::{Ast, Dynamic, BV};
use z3::{AstKind, DeclKind};

use super::platform::Platform;
use crate::comprehend::Field;
use crate::obj::probe::glob;
use crate::obj::{Probe, ProbeKind};

/// The names the executor gives values, in one place.
pub mod sym {
    /// A pointer spilled to the stack and read back.
    pub const SPILLED: &str = "spilled_ptr";

    /// Byte `off` of a memory region nobody wrote in this program (`ctx+16`, `stack+-8`).
    pub fn memory(region: &str, off: i64) -> String {
        format!("{region}+{off}")
    }

    pub fn comm(i: usize) -> String {
        format!("comm[{i}]")
    }

    /// Byte `i` copied by probe read number `n`.
    pub fn read(n: usize, i: usize) -> String {
        format!("read#{n}[{i}]")
    }

    /// The probe read a [`read`] name's byte was copied by.
    pub fn read_number(name: &str) -> Option<usize> {
        name.strip_prefix("read#").and_then(|r| r.split('[').next()).and_then(|n| n.parse().ok())
    }

    /// The result of a helper without a spec.
    pub fn helper(id: i32) -> String {
        format!("helper{id}")
    }

    /// The result of a specified helper that does not show anything (a status code).
    pub fn result(name: &str) -> String {
        format!("ret:{name}")
    }
}

/// The uninterpreted constants (input symbols) `values` are built from.
pub fn symbols_of(values: impl IntoIterator<Item = Dynamic>) -> BTreeSet<String> {
    let mut seen: HashSet<Dynamic> = HashSet::new();
    let mut out = BTreeSet::new();
    let mut todo: Vec<Dynamic> = values.into_iter().collect();
    while let Some(a) = todo.pop() {
        if !seen.insert(a.clone()) || a.kind() != AstKind::App {
            continue;
        }
        let children = a.children();
        if children.is_empty() {
            let decl = a.decl();
            if decl.kind() == DeclKind::UNINTERPRETED {
                out.insert(decl.name());
            }
        }
        todo.extend(children);
    }
    out
}

pub fn symbols(value: &BV) -> Vec<String> {
    symbols_of([Dynamic::from_ast(value)]).into_iter().collect()
}

/// One field of a hook's context: its byte range and what it shows.
#[derive(Debug, Clone)]
pub struct CtxField {
    pub name: String,
    pub offset: i64,
    pub size: i64,
    pub shows: Vec<Field>,
    /// Whether the layout says what it is (a tracepoint field) or only where it is (a register
    /// or raw argument of a function whose parameters are not known here: it may be anything).
    pub named: bool,
    /// Whether it holds a signed number (tracefs says so; registers are taken as signed).
    pub signed: bool,
}

/// What a tracepoint field, by its name, shows.
fn shows_by_name(name: &str) -> Vec<Field> {
    use Field::*;
    let n = name.trim_start_matches('_');
    match n {
        "filename" | "pathname" | "path" | "oldname" | "newname" | "name" | "file" => {
            vec![Filename]
        }
        "count" | "size" | "len" | "bytes" | "nr_bytes" | "bytes_req" | "bytes_alloc" | "length" | "bytes_acked" | "bytes_received" => vec![Size, Bytes],
        "ret" => vec![Retval, Errno, Size, Bytes],
        "sig" | "signal" => vec![Signal],
        // The record's own `pid` and `comm` also show the task it names, which the builtins
        // (the running task) do not.
        "pid" => vec![Pid, Tid, RecordPid],
        "comm" => vec![Comm, RecordComm],
        "prev_pid" | "next_pid" | "child_pid" | "parent_pid" | "tgid" | "old_pid" => vec![Pid, Tid],
        "prev_comm" | "next_comm" | "parent_comm" | "child_comm" => vec![Comm],
        "cpu" | "target_cpu" | "orig_cpu" | "dest_cpu" => vec![Cpu],
        "uid" => vec![Uid],
        "sport" | "dport" | "port" | "lport" | "rport" | "snum" | "num" => vec![Port],
        _ if n.contains("addr") || n == "ptr" || n == "call_site" || n == "ip" => vec![Addr],
        // `dev_name`, `dir_name`, `oldpath`, `target_file`: names of things in the filesystem.
        _ if n.ends_with("name") || n.contains("path") || n.ends_with("dir") || n.contains("file") => vec![Filename],
        _ => vec![],
    }
}

/// x86-64 `struct pt_regs`: the offsets of the argument and return registers.
const PT_REGS: [(&str, i64, &[Field]); 8] = [
    ("di", 112, &[Field::Arg(0)]),
    ("si", 104, &[Field::Arg(1)]),
    ("dx", 96, &[Field::Arg(2)]),
    ("cx", 88, &[Field::Arg(3)]),
    ("r10", 56, &[Field::Arg(3)]),
    ("r8", 72, &[Field::Arg(4)]),
    ("r9", 64, &[Field::Arg(5)]),
    ("ax", 80, &[Field::Retval, Field::Errno, Field::Size, Field::Bytes]),
];

/// The context layout of `probe` on `platform` (empty when it is not known).
pub fn context(probe: &Probe, platform: &dyn Platform) -> Vec<CtxField> {
    match probe.kind {
        ProbeKind::Tracepoint => {
            let Some((category, name)) = probe.tracepoint() else {
                return Vec::new();
            };
            let Some(layout) = platform.tracepoint_layout(category, name) else {
                return Vec::new();
            };
            let syscall = category == "syscalls" && name.starts_with("sys_enter_");
            let mut arg = 0u8;
            let mut out = Vec::new();
            for slot in layout {
                let fname = slot.field.name;
                let (offset, size) = (slot.offset as i64, slot.size as i64);
                if fname.starts_with("common_") || fname == "__syscall_nr" {
                    continue;
                }
                if fname == "args" && size == 48 {
                    // raw_syscalls: `unsigned long args[6]`.
                    out.extend((0..6).map(|i| CtxField {
                        name: format!("args[{i}]"),
                        offset: offset + 8 * i,
                        size: 8,
                        shows: vec![Field::Arg(i as u8)],
                        named: false,
                        signed: false,
                    }));
                    continue;
                }
                let mut shows = shows_by_name(&fname);
                if syscall {
                    shows.push(Field::Arg(arg));
                    arg += 1;
                }
                out.push(CtxField { name: fname, offset, size, shows, named: true, signed: slot.signed });
            }
            out
        }
        ProbeKind::Kprobe | ProbeKind::Kretprobe | ProbeKind::Uprobe | ProbeKind::Uretprobe => {
            // `ax` holds the result only on return; on entry it is nothing the request names.
            let returns = probe.kind.is_return();
            PT_REGS
                .iter()
                .map(|(name, offset, shows)| CtxField {
                    name: (*name).into(),
                    offset: *offset,
                    size: 8,
                    shows: if *name == "ax" && !returns { vec![] } else { shows.to_vec() },
                    named: false,
                    signed: true,
                })
                .collect()
        }
        ProbeKind::RawTracepoint | ProbeKind::TpBtf | ProbeKind::Kfunc | ProbeKind::Kretfunc => {
            (0..6).map(|i| CtxField { name: format!("args[{i}]"), offset: 8 * i, size: 8, shows: vec![Field::Arg(i as u8)], named: false, signed: true }).collect()
        }
        _ => Vec::new(),
    }
}

/// What some bytes show: fields, and origins that cannot be named as fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub fields: BTreeSet<Field>,
    pub unnamed: BTreeSet<String>,
    /// Fields of the event's record that show none of the fields a request names (a timer's
    /// `function`): known, so never the current task's name, pid or uid.
    pub others: BTreeSet<String>,
}

impl Shown {
    pub fn add(&mut self, other: &Shown) {
        self.fields.extend(other.fields.iter().copied());
        self.unnamed.extend(other.unnamed.iter().cloned());
        self.others.extend(other.others.iter().cloned());
    }

    pub fn field_list(&self) -> String {
        let names: Vec<String> = self.fields.iter().map(Field::to_string).chain(self.others.iter().map(|o| format!("args->{o}"))).collect();
        if names.is_empty() {
            return "no field of the event".into();
        }
        names.join(", ")
    }
}

/// Names → fields for one program: its context layout, its probe reads, and what every program
/// of the object stores in each map.
pub struct Sources<'a> {
    pub context: &'a [CtxField],
    pub reads: &'a BTreeMap<usize, Vec<String>>,
    pub maps: &'a BTreeMap<String, Shown>,
}

impl Sources<'_> {
    pub fn shown(&self, values: &[BV]) -> Shown {
        self.shown_by(values.iter().map(|v| Dynamic::from_ast(v)))
    }

    /// What the conditions of a path depend on (a bucket picked by branches, not arithmetic).
    pub fn shown_by(&self, terms: impl IntoIterator<Item = Dynamic>) -> Shown {
        let mut out = Shown::default();
        for name in symbols_of(terms) {
            self.resolve(&name, 0, &mut out);
        }
        out
    }

    fn resolve(&self, name: &str, depth: usize, out: &mut Shown) {
        if depth > 8 {
            out.unnamed.insert(format!("{name} (through too many reads)"));
            return;
        }
        if name.starts_with("comm[") {
            out.fields.insert(Field::Comm);
            return;
        }
        if let Some(n) = sym::read_number(name) {
            match self.reads.get(&n).filter(|s| !s.is_empty()) {
                Some(source) => source.iter().for_each(|s| self.resolve(s, depth + 1, out)),
                None => {
                    out.unnamed.insert("memory read from a constant address".into());
                }
            }
            return;
        }
        if let Some((region, off)) = name.split_once('+') {
            let off: i64 = off.parse().unwrap_or(-1);
            if region == "ctx" {
                match self.context.iter().find(|f| f.offset <= off && off < f.offset + f.size) {
                    Some(f) if !f.shows.is_empty() => {
                        out.fields.extend(f.shows.iter().copied());
                        if !f.named {
                            out.unnamed.insert(format!("the probed function's {}", f.name));
                        }
                    }
                    // A name with a task's word in it (`cpu_id`, `src_pid`, `oldcomm`) may be
                    // one the vocabulary misses: unnamed, not known to be another.
                    Some(f) if ["pid", "tid", "comm", "uid", "gid", "cpu", "cgroup"].iter().any(|w| f.name.contains(w)) => {
                        out.unnamed.insert(format!("the context field {}", f.name));
                    }
                    Some(f) => {
                        out.others.insert(f.name.clone());
                    }
                    None => {
                        out.unnamed.insert(format!("byte {off} of the context"));
                    }
                }
            } else if let Some(map) = region.strip_prefix("map:").and_then(|m| m.split('#').next()) {
                if let Some(shown) = self.maps.get(map) {
                    out.add(shown);
                }
            }
            // Stack and record bytes nobody wrote, and map definitions, show nothing.
            return;
        }
        let base = name.split('!').next().unwrap_or(name);
        if let Some(fields) = super::spec::fields_of_origin(base) {
            if fields.is_empty() {
                out.unnamed.insert(format!("a value derived from {base}"));
            }
            out.fields.extend(fields.iter().copied());
        } else if let Some(id) = base.strip_prefix("helper") {
            out.unnamed.insert(format!("the result of helper {id}"));
        }
        // Status codes of specified helpers, spilled pointers and pointer differences show nothing.
    }
}

/// Whether `hook` implements `asked` and at the same end (entry or return): the two hooks of a
/// latency pair.
pub fn implements_at(hook: &str, asked: &str) -> bool {
    let on_return = |p: &str| p.parse::<Probe>().is_ok_and(|p| p.is_return());
    implements(hook, asked) && on_return(hook) == on_return(asked)
}

/// The probe as (class, target) so that equivalent hooks compare equal: a syscall's tracepoints
/// and its kprobes, a function's entry and return probes.
fn event_key(spelled: &str) -> (String, String) {
    let Ok(probe) = spelled.parse::<Probe>() else {
        let (kind, rest) = spelled.split_once(':').unwrap_or((spelled, ""));
        return (kind.into(), rest.into());
    };
    let rest = probe.target.as_str();
    let syscall = |name: &str| {
        for prefix in ["__x64_sys_", "__arm64_sys_", "__se_sys_", "__do_sys_", "ksys_", "sys_"] {
            if let Some(s) = name.strip_prefix(prefix) {
                return Some(s.to_string());
            }
        }
        None
    };
    let key = match probe.kind {
        ProbeKind::Tracepoint => match probe.tracepoint() {
            Some(("syscalls", name)) => {
                let n = name.strip_prefix("sys_enter_").or_else(|| name.strip_prefix("sys_exit_")).unwrap_or(name);
                ("syscall".into(), n.into())
            }
            Some(("raw_syscalls", _)) => ("syscall".into(), "*".into()),
            _ => ("tracepoint".into(), rest.into()),
        },
        ProbeKind::RawTracepoint if rest == "sys_enter" || rest == "sys_exit" => ("syscall".into(), "*".into()),
        // A raw or BTF tracepoint is the tracepoint of the same name, in whichever category.
        ProbeKind::RawTracepoint | ProbeKind::TpBtf => ("tracepoint".into(), format!("*:{rest}")),
        kind if kind.is_kernel_function() => match syscall(rest) {
            Some(s) => ("syscall".into(), s),
            None => ("function".into(), rest.into()),
        },
        // One library however it is reached: `/usr/lib/…/libc.so.6` is `/lib/…/libc.so.6` on a
        // merged /usr, and bpftrace resolves a bare `libc` itself.
        ProbeKind::Uprobe | ProbeKind::Uretprobe => {
            let (path, function) = rest.rsplit_once(':').unwrap_or((rest, ""));
            let file = std::fs::canonicalize(path).ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
            let base = file.unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
            let library = if base == "libc" || crate::kernel::uprobe::is_c_library(std::path::Path::new(&base)) { "libc".to_string() } else { base };
            ("uprobe".into(), format!("{library}:{function}"))
        }
        // A perf event is its event, however often it samples (`software:faults:1`).
        ProbeKind::Software | ProbeKind::Hardware => (probe.kind.name().into(), probe.perf_event().unwrap_or(rest).into()),
        kind => (kind.name().into(), rest.into()),
    };
    // A process's life is traced equally well from the scheduler's tracepoints or its syscalls.
    const FAMILIES: &[(&str, &[(&str, &str)])] = &[
        ("exec", &[("tracepoint", "sched:sched_process_exec"), ("syscall", "execve"), ("syscall", "execveat")]),
        ("fork", &[("tracepoint", "sched:sched_process_fork"), ("syscall", "clone"), ("syscall", "clone3"), ("syscall", "fork"), ("syscall", "vfork")]),
        ("exit", &[("tracepoint", "sched:sched_process_exit"), ("syscall", "exit"), ("syscall", "exit_group")]),
        ("signal", &[("tracepoint", "signal:signal_generate"), ("tracepoint", "signal:signal_deliver"), ("syscall", "kill"), ("syscall", "tkill"), ("syscall", "tgkill")]),
    ];
    match FAMILIES.iter().find(|(_, members)| members.iter().any(|(k, n)| key.0 == *k && key.1 == *n)) {
        Some((family, _)) => ("process".into(), (*family).into()),
        None => key,
    }
}

/// Whether an asked event names a hook `platform` has. Only tracepoints are looked up; the model
/// sometimes names tracepoints that do not exist, and those are no evidence either way. A
/// platform that cannot tell counts as having it.
pub fn exists(asked: &str, platform: &dyn Platform) -> bool {
    let Ok(probe) = asked.parse::<Probe>() else { return true };
    if probe.kind != ProbeKind::Tracepoint {
        return true;
    }
    let Some((category, name)) = probe.tracepoint() else { return false };
    platform.has_tracepoint(category, name).unwrap_or(true)
}

/// Whether `hook` (a program's probe) implements the event `asked` (a property's probe pattern,
/// `*` allowed). Entry and return probes of one function count as one event, as do a syscall's
/// tracepoints and kprobes; a raw syscall hook implements every syscall.
pub fn implements(hook: &str, asked: &str) -> bool {
    let (ak, an) = event_key(asked);
    if ak == "any" || an == "*" {
        return true;
    }
    let (hk, hn) = event_key(hook);
    if hk != ak {
        return false;
    }
    hn == "*" || hn == an || glob(&an).is_match(&hn) || glob(&hn).is_match(&an)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_hooks_implement_the_same_event() {
        assert!(implements("tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_enter_openat"));
        assert!(implements("tracepoint:syscalls:sys_exit_openat", "tracepoint:syscalls:sys_enter_openat"));
        assert!(implements("kprobe:__x64_sys_openat", "tracepoint:syscalls:sys_enter_openat"));
        assert!(implements("tracepoint:raw_syscalls:sys_enter", "tracepoint:syscalls:sys_enter_read"));
        assert!(implements("tracepoint:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_enter_open*"));
        assert!(implements("kretprobe:vfs_read", "kprobe:vfs_read"));
        assert!(implements("uretprobe:/bin/bash:readline", "uprobe:/bin/bash:readline"));
        assert!(implements("uprobe:libc:system", "uprobe:/lib/x86_64-linux-gnu/libc.so.6:system"));
        assert!(!implements("uprobe:libc:popen", "uprobe:/lib/x86_64-linux-gnu/libc.so.6:system"));
        assert!(!implements("tracepoint:syscalls:sys_enter_read", "tracepoint:syscalls:sys_enter_openat"));
        assert!(!implements("kprobe:vfs_write", "kprobe:vfs_read"));
        assert!(!implements("tracepoint:sched:sched_switch", "tracepoint:sched:sched_wakeup"));
        assert!(implements("tracepoint:sched:sched_process_exec", "tracepoint:syscalls:sys_enter_execve"));
        assert!(implements("tracepoint:syscalls:sys_enter_kill", "tracepoint:signal:signal_deliver"));
        assert!(!implements("tracepoint:sched:sched_process_exec", "tracepoint:sched:sched_process_fork"));
        assert!(implements_at("kretprobe:vfs_read", "kretprobe:vfs_read"));
        assert!(!implements_at("tracepoint:syscalls:sys_exit_read", "tracepoint:syscalls:sys_enter_read"));
    }

    #[test]
    fn tracepoint_fields_show_what_their_names_say() {
        assert_eq!(shows_by_name("filename"), [Field::Filename]);
        assert!(shows_by_name("ret").contains(&Field::Retval));
        assert!(shows_by_name("saddr").contains(&Field::Addr));
        assert!(shows_by_name("flags").is_empty());
        assert_eq!(shows_by_name("dir_name"), [Field::Filename]);
    }
}
