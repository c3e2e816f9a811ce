//! The safety gate: a program that would act on the system instead of observing it is refused,
//! with a verdict naming what it calls and where, unless the user allowed it with `--unsafe`.
//! Nothing of a refused program is loaded.
//!
//! The gate reads the compiled object, so it holds for both languages and for any spelling of the
//! source (macros, odd spacing, a helper called by number):
//! - every helper call, through the symbolic layer's decoder, against the helper specs'
//!   `acts` kind (`dataset/specs/helpers.toml`); a kernel-function call (kfunc) Kgent has no spec
//!   for is refused too, as what it does is unknown;
//! - what a networking program returns at each exit, by constant propagation over both sides of
//!   every branch: an XDP program that can return anything but `XDP_PASS` (or a value it
//!   computes), or a tc program anything but `TC_ACT_OK`/`UNSPEC`/`PIPE`, drops or redirects
//!   traffic; an LSM program's non-zero return denies. Those, and the packet helpers, are allowed
//!   when the request asks to drop, block, rewrite or redirect packets
//!   ([`asks_to_act_on_packets`]);
//! - for bpftrace, the builtins its own semantic analyser refuses in safe mode (`system`,
//!   `signal`, `override`): Kgent compiles without `--unsafe`, so bpftrace reads them from its
//!   AST, and [`of_failed_compile`] turns its message into this verdict.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::obj::elf::{programs, Program};
use crate::obj::insn::{AluOp, Insn, JmpOp, Operand};
use crate::obj::{Probe, ProbeKind, Target};
use crate::verify::symbolic::spec::{self, Acts};

/// What the user allowed besides observing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Allowed {
    /// `--unsafe`: anything.
    pub everything: bool,
    /// The request asks to drop, rewrite or redirect packets: networking programs may.
    pub packets: bool,
}

impl Allowed {
    pub fn everything(yes: bool) -> Allowed {
        Allowed { everything: yes, packets: yes }
    }
}

/// How a program acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Helper,
    /// A bpftrace builtin.
    Builtin,
    /// A kernel function called directly.
    Kfunc,
    /// What a networking or LSM program returns.
    Return,
    /// An object the gate cannot read.
    Unreadable,
}

/// One thing a program does to the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub kind: ActionKind,
    /// The helper, builtin or return value (`bpf_send_signal`, `system`, `XDP_DROP`).
    pub call: String,
    /// What it does, in words.
    pub does: String,
    /// Where: ``program.bpf.c:12 `source` `` from the object's line info, bpftrace's line, or the
    /// section and instruction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            ActionKind::Helper | ActionKind::Builtin => write!(f, "{}() {}", self.call, self.does)?,
            ActionKind::Return => write!(f, "returns {}: {}", self.call, self.does)?,
            ActionKind::Kfunc | ActionKind::Unreadable => write!(f, "{} {}", self.call, self.does)?,
        }
        if let Some(at) = &self.at {
            write!(f, " at {at}")?;
        }
        Ok(())
    }
}

/// Whether the program may go further.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum SafetyVerdict {
    Ok,
    /// It acts on the system and the user did not allow that: it is not loaded.
    Unsafe {
        actions: Vec<Action>,
    },
}

impl SafetyVerdict {
    fn of(actions: Vec<Action>) -> SafetyVerdict {
        if actions.is_empty() {
            SafetyVerdict::Ok
        } else {
            SafetyVerdict::Unsafe { actions }
        }
    }

    /// The refusal in bpftrace's words (`signal() is an unsafe function being used in safe
    /// mode`), with what to pass to allow it.
    pub fn refusal(&self) -> Option<String> {
        let SafetyVerdict::Unsafe { actions } = self else { return None };
        let each: Vec<String> = actions
            .iter()
            .map(|a| match a.kind {
                ActionKind::Helper | ActionKind::Builtin => {
                    format!("{}() is an unsafe function being used in safe mode: it {}{}", a.call, a.does, a.at.as_ref().map(|at| format!(", at {at}")).unwrap_or_default())
                }
                _ => a.to_string(),
            })
            .collect();
        Some(format!("{}\n(pass --unsafe to allow unsafe/destructive functionality)", each.join("\n")))
    }

    /// The verdict with the compiler's scratch file name ([`Target::scratch_name`]) in its
    /// places replaced by the name the user knows.
    pub fn in_file(self, file: &str) -> SafetyVerdict {
        match self {
            SafetyVerdict::Ok => SafetyVerdict::Ok,
            SafetyVerdict::Unsafe { actions } => SafetyVerdict::Unsafe {
                actions: actions
                    .into_iter()
                    .map(|a| Action { at: a.at.map(|at| at.replacen(Target::Libbpf.scratch_name(), file, 1).replacen(Target::Bpftrace.scratch_name(), file, 1)), ..a })
                    .collect(),
            },
        }
    }
}

/// bpftrace's builtins that act on the system, as bpftrace itself names them.
fn builtin_does(name: &str) -> &'static str {
    match name {
        "system" => "runs a shell command",
        "signal" => "sends a signal",
        "override" => "changes what a kernel function returns",
        _ => "acts on the system",
    }
}

/// The gate's verdict on a program bpftrace would not compile: the unsafe builtins it refused in
/// safe mode, from its diagnostics (`program.bt:3:5-15: ERROR: signal() is an unsafe function
/// being used in safe mode`); `Ok` when it failed for another reason (the compiler's verdict).
pub fn of_failed_compile(diagnostics: &str) -> SafetyVerdict {
    let re = regex::Regex::new(r"(?m)^(?:([^:\s]+):(\d+)(?:-\d+)?(?::[\d-]+)?: )?ERROR: (\w+)\(\) is an unsafe function being used in safe mode").expect("valid regex");
    SafetyVerdict::of(
        re.captures_iter(diagnostics)
            .map(|c| Action {
                kind: ActionKind::Builtin,
                call: c[3].to_string(),
                does: builtin_does(&c[3]).into(),
                at: c.get(2).map(|l| format!("{}:{}", c.get(1).map_or("", |f| f.as_str()), l.as_str())),
            })
            .collect(),
    )
}

/// The gate on a compiled object.
pub fn check_object(object: &[u8], allowed: Allowed) -> SafetyVerdict {
    if allowed.everything {
        return SafetyVerdict::Ok;
    }
    let progs = match programs(object) {
        Ok(p) => p,
        // Fail closed: what cannot be read cannot be vouched for.
        Err(e) => {
            return SafetyVerdict::of(vec![Action {
                kind: ActionKind::Unreadable,
                call: "the object".into(),
                does: format!("cannot be read, so what it calls is unknown ({e})"),
                at: None,
            }])
        }
    };
    let mut actions = Vec::new();
    // `.text` holds subprograms: each runs linked into the programs that call it, and is read there.
    for prog in progs.iter().filter(|p| p.section != ".text") {
        let probe = Probe::of_section(&prog.section);
        let networking = probe.as_ref().is_some_and(|p| matches!(p.kind, ProbeKind::Xdp | ProbeKind::Tc));
        actions.extend(calls(prog, allowed.packets && networking));
        // Packet actions a request asks for are a networking program's; an LSM denial never is.
        if !(allowed.packets && networking) {
            actions.extend(returns_that_act(prog, probe.as_ref()));
        }
    }
    actions.dedup();
    SafetyVerdict::of(actions)
}

/// Where slot `slot` of `prog` is, for a reader.
fn location(prog: &Program, slot: usize) -> String {
    match prog.lines.range(..=slot).next_back() {
        Some((_, line)) => line.clone(),
        None => format!("{} instruction {slot}", prog.section),
    }
}

/// The calls of `prog` that act on the system; packet helpers pass when `packets` allows them.
fn calls(prog: &Program, packets: bool) -> Vec<Action> {
    let helpers = spec::helpers();
    let mut out = Vec::new();
    for (slot, insn) in prog.insns.iter().enumerate() {
        match insn {
            Some(Insn::Call { src: 0, imm }) => {
                let Some(h) = helpers.get(imm) else { continue };
                let refused = match h.acts {
                    Some(Acts::System) => true,
                    Some(Acts::Packets) => !packets,
                    None => false,
                };
                if refused {
                    out.push(Action { kind: ActionKind::Helper, call: h.name.clone(), does: h.does.clone().unwrap_or_default(), at: Some(location(prog, slot)) });
                }
            }
            Some(Insn::Call { src: 2, imm }) => out.push(Action {
                kind: ActionKind::Kfunc,
                call: format!("kfunc #{imm}"),
                does: "calls a kernel function directly, which Kgent cannot vouch for".into(),
                at: Some(location(prog, slot)),
            }),
            // An instruction the decoder does not know (a module kfunc, a newer jump) may be a
            // call or a branch: what cannot be read is not vouched for.
            Some(Insn::Unknown { raw }) => out.push(Action {
                kind: ActionKind::Unreadable,
                call: format!("instruction {raw:#018x}"),
                does: "is one Kgent cannot decode, so what it does is unknown".into(),
                at: Some(location(prog, slot)),
            }),
            _ => {}
        }
    }
    out
}

/// What a return value means: its name and what it does.
type Meaning = fn(i64) -> (&'static str, &'static str);

/// What a networking program's returns do to its packet: the returns that pass it on untouched,
/// and what the others mean. Tracing programs' returns change nothing.
fn passing(kind: ProbeKind) -> Option<(&'static [i64], Meaning)> {
    match kind {
        ProbeKind::Xdp => Some((&[2], |v| match v {
            0 => ("XDP_ABORTED", "drops the packet"),
            1 => ("XDP_DROP", "drops the packet"),
            3 => ("XDP_TX", "bounces the packet back out of the interface"),
            4 => ("XDP_REDIRECT", "redirects the packet"),
            _ => ("an unknown XDP action", "drops the packet"),
        })),
        ProbeKind::Tc => Some((&[-1, 0, 3], |v| match v {
            2 => ("TC_ACT_SHOT", "drops the packet"),
            4 => ("TC_ACT_STOLEN", "consumes the packet"),
            7 => ("TC_ACT_REDIRECT", "redirects the packet"),
            _ => ("a tc action other than OK", "changes where the packet goes"),
        })),
        // A non-zero return denies the operation it guards.
        ProbeKind::Lsm => Some((&[0], |_| ("a non-zero LSM return", "denies the operation"))),
        _ => None,
    }
}

/// A register's possible values: a few known constants, each with the slot that set it (where a
/// verdict points), or anything.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Known {
    Consts(BTreeMap<i64, usize>),
    Any,
}

impl Known {
    fn one(v: i64, slot: usize) -> Known {
        Known::Consts(BTreeMap::from([(v, slot)]))
    }

    fn join(&self, other: &Known) -> Known {
        match (self, other) {
            (Known::Consts(a), Known::Consts(b)) if a.len() + b.len() <= 16 => {
                let mut all = a.clone();
                for (v, s) in b {
                    all.entry(*v).and_modify(|old| *old = (*old).min(*s)).or_insert(*s);
                }
                Known::Consts(all)
            }
            _ => Known::Any,
        }
    }

    /// The value a 32-bit operation leaves: the low half, zero-extended.
    fn low32(self) -> Known {
        match self {
            Known::Consts(c) => Known::Consts(c.into_iter().map(|(v, s)| (v as u32 as i64, s)).collect()),
            Known::Any => Known::Any,
        }
    }
}

/// What `prog` can return at each exit, by constant propagation over every branch (both sides of
/// each, so it over-approximates): `Any` where the value is computed. Every function of the
/// section is a program of its own (libbpf and aya load each), so each is an entry; linked-in
/// callees are not. The kernel's verifier bounds the program, and so does the step limit here.
fn returns(prog: &Program) -> Vec<(usize, Known)> {
    let insns = &prog.insns;
    let mut at: BTreeMap<usize, [Known; 11]> = BTreeMap::new();
    let entries: Vec<usize> = std::iter::once(0).chain(prog.functions.keys().copied().filter(|&s| s > 0 && s < prog.own)).collect();
    let mut work = entries.clone();
    for e in entries {
        at.insert(e, std::array::from_fn(|_| Known::Any));
    }
    let mut exits: BTreeMap<usize, Known> = BTreeMap::new();
    let mut steps = 0;
    while let Some(slot) = work.pop() {
        steps += 1;
        let Some(Some(insn)) = insns.get(slot) else { return vec![(slot, Known::Any)] };
        if steps > 100_000 {
            return vec![(slot, Known::Any)];
        }
        let mut regs = at[&slot].clone();
        let mut next = vec![slot + 1];
        match *insn {
            Insn::Exit => {
                let r0 = exits.get(&slot).map_or(regs[0].clone(), |k| k.join(&regs[0]));
                exits.insert(slot, r0);
                next.clear();
            }
            Insn::Alu { wide, op: AluOp::Mov, dst, src, off: 0 } => {
                let v = match src {
                    Operand::Imm(i) => Known::one(i as i64, slot),
                    Operand::Reg(r) => regs.get(r as usize).cloned().unwrap_or(Known::Any),
                };
                if let Some(d) = regs.get_mut(dst as usize) {
                    *d = if wide { v } else { v.low32() };
                }
            }
            Insn::Alu { dst, .. } | Insn::Endian { dst, .. } | Insn::Ldx { dst, .. } => {
                if let Some(d) = regs.get_mut(dst as usize) {
                    *d = Known::Any;
                }
            }
            Insn::LdImm64 { dst, src, imm } => {
                // A relocated load becomes an address when the object is loaded: not its `imm`.
                let constant = src == 0 && !prog.maps.contains_key(&slot);
                if let Some(d) = regs.get_mut(dst as usize) {
                    *d = if constant { Known::one(imm, slot) } else { Known::Any };
                }
                next = vec![slot + 2];
            }
            // Legacy packet loads write r0 and clobber r1-r5, as calls do.
            Insn::Call { .. } | Insn::LdPacket { .. } => regs[..6].iter_mut().for_each(|r| *r = Known::Any),
            // Where the decoder cannot tell what an instruction does, it may jump anywhere.
            Insn::Unknown { .. } => return vec![(slot, Known::Any)],
            // A fetching atomic writes its source register, and compare-exchange writes r0.
            Insn::Atomic { src, .. } => {
                regs[0] = Known::Any;
                if let Some(r) = regs.get_mut(src as usize) {
                    *r = Known::Any;
                }
            }
            Insn::Jmp { op: JmpOp::Ja, off, .. } => next = vec![(slot as i64 + 1 + off as i64) as usize],
            Insn::Jmp { off, .. } => next.push((slot as i64 + 1 + off as i64) as usize),
            _ => {}
        }
        for n in next {
            let changed = match at.get_mut(&n) {
                None => {
                    at.insert(n, regs.clone());
                    true
                }
                Some(old) => {
                    let joined: [Known; 11] = std::array::from_fn(|i| old[i].join(&regs[i]));
                    let changed = joined != *old;
                    *old = joined;
                    changed
                }
            };
            if changed {
                work.push(n);
            }
        }
    }
    exits.into_iter().collect()
}

/// Returns of `prog` that drop, redirect or deny.
fn returns_that_act(prog: &Program, probe: Option<&Probe>) -> Vec<Action> {
    let Some((pass, meaning)) = probe.and_then(|p| passing(p.kind)) else { return vec![] };
    let mut out = Vec::new();
    for (slot, value) in returns(prog) {
        match value {
            Known::Any => out.push(Action {
                kind: ActionKind::Return,
                call: "a computed value".into(),
                does: "may drop or redirect packets: Kgent cannot tell which action it is".into(),
                at: Some(location(prog, slot)),
            }),
            Known::Consts(values) => {
                for (v, set) in values.into_iter().map(|(v, s)| (v as u32 as i32 as i64, s)).filter(|(v, _)| !pass.contains(v)) {
                    let (name, does) = meaning(v);
                    out.push(Action { kind: ActionKind::Return, call: name.into(), does: does.into(), at: Some(location(prog, set)) });
                }
            }
        }
    }
    out
}

/// Whether a request asks a networking program to act on traffic, not only to watch it: an
/// imperative verb of dropping, blocking, rewriting or redirecting. "Count dropped packets" and
/// "packets the kernel drops" watch.
pub fn asks_to_act_on_packets(request: &str) -> bool {
    // The verb, then what it acts on: "drop UDP packets", "block all incoming ICMP", "rewrite the
    // TTL of every packet". A verb as a noun ("tc redirect statistics", "packet drop events") has
    // no such object; one after a negation ("but don't drop any") is not asked for.
    let re = regex::Regex::new(
        r"(?i)\b(?P<neg>(?:don'?t|do not|never|without|not)\s+)?(?:drop|block|discard|reject|deny|redirect|rewrite|modify|mangle|bounce|reflect|rate[- ]limit)\s+(?:(?:all|every|any|each|incoming|outgoing|inbound|outbound|the|its|their|ttl|header|headers|of)\s+)*(?:packets?|traffic|frames?|udp|tcp|icmp|ipv[46]|connections?|syn|dns|http)\b",
    )
    .expect("valid regex");
    let asks = re.captures_iter(request).any(|c| c.name("neg").is_none());
    asks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bpftrace_refusals_name_the_builtin_and_the_line() {
        let d = "ERROR: couldn't set RLIMIT_MEMLOCK\nprogram.bt:2:40-50: ERROR: signal() is an unsafe function being used in safe mode\ntracepoint:x { signal (9); }\n";
        let signal = Action { kind: ActionKind::Builtin, call: "signal".into(), does: "sends a signal".into(), at: Some("program.bt:2".into()) };
        assert_eq!(of_failed_compile(d), SafetyVerdict::Unsafe { actions: vec![signal.clone()] });
        assert_eq!(of_failed_compile(d).in_file("mine.bt"), SafetyVerdict::Unsafe { actions: vec![Action { at: Some("mine.bt:2".into()), ..signal }] });
        assert_eq!(of_failed_compile("program.bt:1:5: ERROR: syntax error"), SafetyVerdict::Ok);
        // A call spread over lines is located by a line range.
        let SafetyVerdict::Unsafe { actions: spread } = of_failed_compile("program.bt:1-2: ERROR: system() is an unsafe function being used in safe mode") else {
            panic!("refused")
        };
        assert_eq!((spread[0].call.as_str(), spread[0].at.as_deref()), ("system", Some("program.bt:1")));
    }

    #[test]
    fn what_the_propagation_cannot_follow_counts_as_acting() {
        let program = |bytes: &[u8]| {
            let insns = crate::obj::insn::decode(bytes);
            let own = insns.len();
            Program { section: "tc".into(), functions: Default::default(), insns, maps: Default::default(), map_sizes: Default::default(), lines: Default::default(), own }
        };
        let tc = Probe::of_section("tc");
        // r0 = 0; r0 = *(u8 *)skb[0] (a legacy packet load writes r0); exit
        let ld_abs = program(&[0xb7, 0, 0, 0, 0, 0, 0, 0, 0x30, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(returns_that_act(&ld_abs, tc.as_ref()).len(), 1);
        // r0 = 0; an opcode the decoder does not know; exit
        let unknown = program(&[0xb7, 0, 0, 0, 0, 0, 0, 0, 0xe5, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(returns_that_act(&unknown, tc.as_ref()).len(), 1);
        assert!(calls(&unknown, false).iter().any(|a| a.kind == ActionKind::Unreadable));
        // r0 = 0; exit: passes.
        let pass = program(&[0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
        assert!(returns_that_act(&pass, tc.as_ref()).is_empty());
        assert_eq!(spec::helpers()[&12].acts, Some(Acts::System), "a tail call runs a program nobody checked");
    }

    #[test]
    fn an_unreadable_object_is_refused_unless_unsafe() {
        assert!(matches!(check_object(b"not elf", Allowed::default()), SafetyVerdict::Unsafe { .. }));
        assert_eq!(check_object(b"not elf", Allowed::everything(true)), SafetyVerdict::Ok);
    }

    #[test]
    fn requests_that_act_on_packets_are_told_from_those_that_watch() {
        for r in [
            "drop UDP packets to port 9999",
            "block all incoming ICMP",
            "redirect traffic from eth0 to eth1",
            "rewrite the TTL of every packet",
            "an XDP program to reject TCP SYN on port 22",
        ] {
            assert!(asks_to_act_on_packets(r), "{r}");
        }
        for r in [
            "count dropped packets per reason",
            "which packets does the kernel drop",
            "trace packet drop events",
            "show tcp retransmits",
            "block I/O latency histogram",
            "count hits per firewall rule",
            "show tc redirect statistics",
            "which process modifies /etc/passwd",
            "count packets but don't drop any packets",
        ] {
            assert!(!asks_to_act_on_packets(r), "{r}");
        }
    }
}
