//! One probe type, one alias table. Every other module reads and writes probes through [`Probe`]:
//! bpftrace's spelling (`tracepoint:syscalls:sys_enter_openat`, `kr:vfs_read`), libbpf's section
//! names (`tracepoint/syscalls/sys_enter_openat`, `raw_tp/sys_enter`) and bpftrace's ELF section
//! names (`s_kprobe:vfs_read_1`) all parse into the same value, and it prints in the spelling the
//! host's bpftrace (0.17) accepts, as bpftrace keeps all of its probe types in `probe_types.h`.

use std::fmt;
use std::str::FromStr;

/// What a probe attaches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProbeKind {
    Begin,
    End,
    Tracepoint,
    RawTracepoint,
    Kprobe,
    Kretprobe,
    /// fentry: bpftrace 0.17 spells it `kfunc`.
    Kfunc,
    /// fexit: bpftrace 0.17 spells it `kretfunc`.
    Kretfunc,
    Uprobe,
    Uretprobe,
    Usdt,
    Profile,
    Interval,
    Software,
    Hardware,
    Watchpoint,
    /// A libbpf `perf_event` section: the event is chosen at attach time.
    PerfEvent,
    Xdp,
    Socket,
    /// A traffic-control classifier (`tc`, `classifier`, `tcx` sections).
    Tc,
    TpBtf,
    Lsm,
}

/// The BPF program types a bpftrace probe section is loaded as (`BPF_PROG_TYPE_*`).
pub mod prog_type {
    pub const KPROBE: u32 = 2;
    pub const TRACEPOINT: u32 = 5;
    pub const PERF_EVENT: u32 = 7;
    pub const RAW_TRACEPOINT: u32 = 17;
}

struct KindInfo {
    kind: ProbeKind,
    /// bpftrace's name, the one printed.
    name: &'static str,
    /// Other spellings bpftrace (0.17 and later) or Kgent's users write.
    aliases: &'static [&'static str],
    /// libbpf `SEC()` prefixes, before the first `/`.
    sections: &'static [&'static str],
    /// The capability (`kgent hooks --capabilities`) a host needs for it; `None` for bpftrace's
    /// own timers and types the capability probe does not try.
    capability: Option<&'static str>,
    /// The program type bpftrace's ELF section is loaded as.
    prog_type: Option<u32>,
}

use prog_type::{KPROBE, PERF_EVENT, RAW_TRACEPOINT, TRACEPOINT};

#[rustfmt::skip]
const KINDS: &[KindInfo] = &[
    KindInfo { kind: ProbeKind::Begin, name: "BEGIN", aliases: &[], sections: &[], capability: None, prog_type: Some(KPROBE) },
    KindInfo { kind: ProbeKind::End, name: "END", aliases: &[], sections: &[], capability: None, prog_type: Some(KPROBE) },
    KindInfo { kind: ProbeKind::Tracepoint, name: "tracepoint", aliases: &["t", "tp"], sections: &["tracepoint", "tp"], capability: Some("tracepoint"), prog_type: Some(TRACEPOINT) },
    KindInfo { kind: ProbeKind::RawTracepoint, name: "rawtracepoint", aliases: &["rt", "raw_tracepoint", "raw_tp"], sections: &["raw_tracepoint", "raw_tp"], capability: Some("raw_tracepoint"), prog_type: Some(RAW_TRACEPOINT) },
    KindInfo { kind: ProbeKind::Kprobe, name: "kprobe", aliases: &["k"], sections: &["kprobe"], capability: Some("kprobe"), prog_type: Some(KPROBE) },
    KindInfo { kind: ProbeKind::Kretprobe, name: "kretprobe", aliases: &["kr"], sections: &["kretprobe"], capability: Some("kprobe"), prog_type: Some(KPROBE) },
    KindInfo { kind: ProbeKind::Kfunc, name: "kfunc", aliases: &["f", "fentry"], sections: &["fentry", "fentry.s"], capability: Some("fentry"), prog_type: None },
    KindInfo { kind: ProbeKind::Kretfunc, name: "kretfunc", aliases: &["fr", "fexit"], sections: &["fexit", "fexit.s"], capability: Some("fentry"), prog_type: None },
    KindInfo { kind: ProbeKind::Uprobe, name: "uprobe", aliases: &["u"], sections: &["uprobe", "uprobe.s"], capability: Some("uprobe"), prog_type: Some(KPROBE) },
    KindInfo { kind: ProbeKind::Uretprobe, name: "uretprobe", aliases: &["ur"], sections: &["uretprobe", "uretprobe.s"], capability: Some("uprobe"), prog_type: Some(KPROBE) },
    KindInfo { kind: ProbeKind::Usdt, name: "usdt", aliases: &["U"], sections: &["usdt"], capability: None, prog_type: Some(KPROBE) },
    KindInfo { kind: ProbeKind::Profile, name: "profile", aliases: &["p"], sections: &[], capability: Some("perf_event"), prog_type: Some(PERF_EVENT) },
    KindInfo { kind: ProbeKind::Interval, name: "interval", aliases: &["i"], sections: &[], capability: None, prog_type: Some(PERF_EVENT) },
    KindInfo { kind: ProbeKind::Software, name: "software", aliases: &["s"], sections: &[], capability: Some("perf_event"), prog_type: Some(PERF_EVENT) },
    KindInfo { kind: ProbeKind::Hardware, name: "hardware", aliases: &["h"], sections: &[], capability: Some("perf_event"), prog_type: Some(PERF_EVENT) },
    KindInfo { kind: ProbeKind::Watchpoint, name: "watchpoint", aliases: &["w"], sections: &[], capability: None, prog_type: None },
    KindInfo { kind: ProbeKind::PerfEvent, name: "perf_event", aliases: &[], sections: &["perf_event"], capability: Some("perf_event"), prog_type: None },
    KindInfo { kind: ProbeKind::Xdp, name: "xdp", aliases: &[], sections: &["xdp", "xdp.frags"], capability: Some("xdp"), prog_type: None },
    KindInfo { kind: ProbeKind::Socket, name: "socket", aliases: &[], sections: &["socket"], capability: Some("socket_filter"), prog_type: None },
    KindInfo { kind: ProbeKind::Tc, name: "tc", aliases: &["classifier", "tcx"], sections: &["tc", "classifier", "tcx"], capability: None, prog_type: None },
    KindInfo { kind: ProbeKind::TpBtf, name: "tp_btf", aliases: &[], sections: &["tp_btf"], capability: None, prog_type: None },
    KindInfo { kind: ProbeKind::Lsm, name: "lsm", aliases: &[], sections: &["lsm", "lsm.s"], capability: Some("lsm"), prog_type: None },
];

impl ProbeKind {
    fn info(self) -> &'static KindInfo {
        KINDS.iter().find(|k| k.kind == self).expect("every kind is in the table")
    }

    /// By bpftrace's name or any alias.
    pub fn from_name(name: &str) -> Option<ProbeKind> {
        KINDS.iter().find(|k| k.name == name || k.aliases.contains(&name)).map(|k| k.kind)
    }

    /// By a libbpf section prefix (`tp`, `raw_tp`, `uretprobe.s`).
    pub fn from_section_prefix(prefix: &str) -> Option<ProbeKind> {
        KINDS.iter().find(|k| k.sections.contains(&prefix)).map(|k| k.kind)
    }

    /// bpftrace's spelling.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The capability name (as `kgent hooks --capabilities` lists them) this kind needs.
    pub fn capability(self) -> Option<&'static str> {
        self.info().capability
    }

    /// The program type of a bpftrace probe section of this kind.
    pub fn bpftrace_prog_type(self) -> Option<u32> {
        self.info().prog_type
    }

    /// The probe of a function's return, rather than its entry.
    pub fn is_return(self) -> bool {
        matches!(self, ProbeKind::Kretprobe | ProbeKind::Kretfunc | ProbeKind::Uretprobe)
    }

    /// The entry kind of a return kind (`kretprobe` → `kprobe`); other kinds are their own.
    pub fn entry(self) -> ProbeKind {
        match self {
            ProbeKind::Kretprobe => ProbeKind::Kprobe,
            ProbeKind::Kretfunc => ProbeKind::Kfunc,
            ProbeKind::Uretprobe => ProbeKind::Uprobe,
            k => k,
        }
    }

    /// Kernel functions, by kprobe or fentry.
    pub fn is_kernel_function(self) -> bool {
        matches!(self, ProbeKind::Kprobe | ProbeKind::Kretprobe | ProbeKind::Kfunc | ProbeKind::Kretfunc)
    }
}

impl fmt::Display for ProbeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One probe: its kind and what follows the kind's `:` (`syscalls:sys_enter_openat`, `vfs_read`,
/// `/bin/bash:readline`, `hz:99`; empty for `BEGIN`). Wildcards are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Probe {
    pub kind: ProbeKind,
    pub target: String,
}

/// A probe spelling that names no known probe type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown probe type '{0}'")]
pub struct UnknownProbeType(pub String);

impl FromStr for Probe {
    type Err = UnknownProbeType;

    /// bpftrace's spelling, aliases included: `t:sched:sched_switch`, `kr:vfs_read`, `BEGIN`.
    fn from_str(s: &str) -> Result<Probe, UnknownProbeType> {
        let s = s.trim();
        let (kind, target) = s.split_once(':').unwrap_or((s, ""));
        let kind = ProbeKind::from_name(kind).ok_or_else(|| UnknownProbeType(kind.to_string()))?;
        Ok(Probe { kind, target: target.to_string() })
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.target.is_empty() {
            f.write_str(self.kind.name())
        } else {
            write!(f, "{}:{}", self.kind.name(), self.target)
        }
    }
}

impl serde::Serialize for Probe {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Probe {
    pub fn new(kind: ProbeKind, target: impl Into<String>) -> Probe {
        Probe { kind, target: target.into() }
    }

    /// The probe a libbpf section name attaches to; `None` for data sections (`.maps`, `license`)
    /// and section kinds outside the table.
    pub fn of_c_section(section: &str) -> Option<Probe> {
        if section.starts_with('.') || section == "license" || section == "version" {
            return None;
        }
        let (prefix, rest) = section.split_once('/').unwrap_or((section, ""));
        let kind = ProbeKind::from_section_prefix(prefix)?;
        let target = match kind {
            ProbeKind::Tracepoint => rest.replace('/', ":"),
            _ => rest.to_string(),
        };
        Some(Probe { kind, target })
    }

    /// The probe of an object's program section: bpftrace names its sections `s_<probe>_<n>`,
    /// libbpf objects use their `SEC()` names.
    pub fn of_section(section: &str) -> Option<Probe> {
        match section.strip_prefix("s_") {
            Some(rest) => {
                let probe = rest.rsplit_once('_').filter(|(_, n)| n.chars().all(|c| c.is_ascii_digit())).map_or(rest, |(p, _)| p);
                probe.parse().ok()
            }
            None => Probe::of_c_section(section),
        }
    }

    /// `(category, name)` of a tracepoint.
    pub fn tracepoint(&self) -> Option<(&str, &str)> {
        (self.kind == ProbeKind::Tracepoint).then(|| self.target.split_once(':')).flatten()
    }

    /// The kernel function of a kprobe or fentry, without a `+offset`.
    pub fn kernel_function(&self) -> Option<&str> {
        self.kind.is_kernel_function().then(|| self.target.split('+').next().unwrap_or(&self.target))
    }

    /// `(binary, function)` of a uprobe.
    pub fn uprobe_target(&self) -> Option<(&str, &str)> {
        matches!(self.kind, ProbeKind::Uprobe | ProbeKind::Uretprobe).then(|| self.target.rsplit_once(':')).flatten()
    }

    /// Fires when something returns: a function's return probe, or a syscall's exit.
    pub fn is_return(&self) -> bool {
        self.kind.is_return()
            || match self.kind {
                ProbeKind::Tracepoint => self.target.split(':').nth(1).is_some_and(|n| n.starts_with("sys_exit")),
                ProbeKind::RawTracepoint => self.target.starts_with("sys_exit"),
                _ => false,
            }
    }

    /// A software or hardware event's bpftrace name, aliases resolved (`software:faults:1` is
    /// `page-faults`).
    pub fn perf_event(&self) -> Option<&'static str> {
        if !matches!(self.kind, ProbeKind::Software | ProbeKind::Hardware) {
            return None;
        }
        crate::kernel::perf::canonical(self.target.split(':').next().unwrap_or_default())
    }

    /// A software event that counts events, not time (a clock), with how many of them one firing
    /// stands for: the count after the name (`software:faults:1`), else bpftrace's default.
    pub fn counted_software_event(&self) -> Option<(&'static str, u64)> {
        let name = self.perf_event().filter(|n| self.kind == ProbeKind::Software && !crate::kernel::perf::is_clock(n))?;
        let count = self.target.split_once(':').map_or("", |(_, c)| c);
        Some((name, count.trim().parse().unwrap_or_else(|_| crate::kernel::perf::default_period(name))))
    }

    /// The same function's entry probe (`kretprobe:f` → `kprobe:f`).
    pub fn entry(&self) -> Probe {
        Probe { kind: self.kind.entry(), target: self.target.clone() }
    }

    /// bpftrace's `BEGIN` and `END`, which run once rather than per event.
    pub fn runs_once(&self) -> bool {
        matches!(self.kind, ProbeKind::Begin | ProbeKind::End)
    }

    /// Runs on a timer or once, to print, not on a traced event (`profile` samples, and is the
    /// event of a profiling request).
    pub fn is_timer(&self) -> bool {
        self.runs_once() || self.kind == ProbeKind::Interval
    }
}

/// A probe pattern in bpftrace's spelling (`tracepoint:syscalls:sys_enter_open*`, `?` for one
/// character) as an anchored regex. For patterns of our own and of programs (short); a pattern
/// from outside goes through [`try_glob`].
pub fn glob(pattern: &str) -> regex::Regex {
    try_glob(pattern).expect("escaped pattern is a valid regex")
}

/// [`glob`], or why the pattern is too big for a regex.
pub fn try_glob(pattern: &str) -> Result<regex::Regex, regex::Error> {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses_to_one_probe_and_prints_in_bpftraces() {
        for (spelled, printed) in [
            ("t:syscalls:sys_enter_openat", "tracepoint:syscalls:sys_enter_openat"),
            ("tracepoint:sched:sched_switch", "tracepoint:sched:sched_switch"),
            ("kr:vfs_read", "kretprobe:vfs_read"),
            ("raw_tracepoint:sys_enter", "rawtracepoint:sys_enter"),
            ("fentry:vfs_read", "kfunc:vfs_read"),
            ("U:/usr/bin/python3:function__entry", "usdt:/usr/bin/python3:function__entry"),
            ("BEGIN", "BEGIN"),
            ("i:s:1", "interval:s:1"),
        ] {
            let p: Probe = spelled.parse().unwrap();
            assert_eq!(p.to_string(), printed);
            assert_eq!(p.to_string().parse::<Probe>().unwrap(), p, "{printed} round-trips");
        }
        assert_eq!("magic:x".parse::<Probe>(), Err(UnknownProbeType("magic".into())));
    }

    #[test]
    fn sections_name_their_probes() {
        let s = |s: &str| Probe::of_section(s).map(|p| p.to_string());
        assert_eq!(s("s_tracepoint:irq:softirq_exit_1").as_deref(), Some("tracepoint:irq:softirq_exit"));
        assert_eq!(s("s_kprobe:vfs_read_12").as_deref(), Some("kprobe:vfs_read"));
        assert_eq!(s("s_BEGIN_1").as_deref(), Some("BEGIN"));
        assert_eq!(s("tracepoint/syscalls/sys_enter_openat").as_deref(), Some("tracepoint:syscalls:sys_enter_openat"));
        assert_eq!(s("raw_tp/sys_enter").as_deref(), Some("rawtracepoint:sys_enter"));
        assert_eq!(s("uretprobe//bin/bash:readline").as_deref(), Some("uretprobe:/bin/bash:readline"));
        assert_eq!(s("xdp").as_deref(), Some("xdp"));
        assert_eq!(s(".maps"), None);
        assert_eq!(s("license"), None);
    }

    #[test]
    fn parts_of_a_probe() {
        let p = |s: &str| s.parse::<Probe>().unwrap();
        assert_eq!(p("tracepoint:syscalls:sys_enter_read").tracepoint(), Some(("syscalls", "sys_enter_read")));
        assert_eq!(p("kprobe:vfs_read+4").kernel_function(), Some("vfs_read"));
        assert_eq!(p("uretprobe:/bin/bash:readline").uprobe_target(), Some(("/bin/bash", "readline")));
        assert!(p("tracepoint:syscalls:sys_exit_read").is_return());
        assert!(p("rawtracepoint:sys_exit").is_return());
        assert!(!p("tracepoint:syscalls:sys_enter_read").is_return());
        assert_eq!(p("kr:vfs_read").entry(), p("kprobe:vfs_read"));
        assert_eq!(p("kretprobe:vfs_read").kind.capability(), Some("kprobe"));
        assert_eq!(p("s:page-faults:1").kind.bpftrace_prog_type(), Some(prog_type::PERF_EVENT));
        assert!(p("END").runs_once() && p("interval:s:1").is_timer() && !p("profile:hz:99").is_timer());
        // bpftrace's ELF sections load as the program type of their probe.
        let prog = |section: &str| Probe::of_section(section).and_then(|p| p.kind.bpftrace_prog_type());
        assert_eq!(prog("s_tracepoint:syscalls:sys_enter_openat_1"), Some(prog_type::TRACEPOINT));
        assert_eq!(prog("s_interval:s:1_1"), Some(prog_type::PERF_EVENT));
        assert_eq!(prog("s_BEGIN_1"), Some(prog_type::KPROBE));
        assert_eq!(prog("s_rawtracepoint:sys_enter_1"), Some(prog_type::RAW_TRACEPOINT));
        assert_eq!(prog(".text"), None);
    }
}
