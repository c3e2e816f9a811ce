//! The checks one candidate goes through, in order, stopping at the first failure: the hooks,
//! the compiler, the safety gate on the compiled object, the request's properties by symbolic
//! execution (when known) and the kernel verifier. [`Checker`] is the seam: the host's real tools, or a fake in tests.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use super::options::GenOptions;
use crate::ground::{Evidence, Grounded, Grounding};
use crate::kernel::Catalog;
use crate::obj::Probe;
use crate::obj::Target;
use crate::retrieve::{Hit, Kind, Searcher};
use crate::verify::compile::{self, CompileError, CompileVerdict};
use crate::verify::hooks::{self, HookProblem, HookVerdict};
use crate::verify::kernel::{KernelVerdict, LoadError};
use crate::verify::safety::{self, SafetyVerdict};
use crate::verify::symbolic::origin::implements;
use crate::verify::symbolic::{Platform, Report, Tracefs};

/// The verdicts of one attempt; a check after a failing one is not run (`None`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checks {
    pub hooks: Option<HookVerdict>,
    /// What the program leaves out of the request's reading (bpftrace, when the model wrote it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<crate::plan::check::PlanVerdict>,
    pub compile: Option<CompileVerdict>,
    /// What the compiled program does to the system; an unsafe one is never loaded.
    pub safety: Option<SafetyVerdict>,
    /// The symbolic verifier's report, when the request's properties are known.
    pub symbolic: Option<Report>,
    /// Why the symbolic verifier did not run on a compiled program (no properties, or an object
    /// its reader cannot take: the kernel verifier then decides alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbolic_skipped: Option<String>,
    pub kernel: Option<KernelVerdict>,
}

impl Checks {
    fn symbolic_ok(&self) -> bool {
        self.symbolic.as_ref().is_none_or(|r| r.counterexample().is_none())
    }

    /// How many checks passed, to pick the best failed attempt.
    pub fn passed_count(&self) -> usize {
        [
            self.hooks.as_ref().is_some_and(|v| v.is_ok()) && self.plan.as_ref().is_none_or(|v| v.is_ok()),
            self.compile.as_ref().is_some_and(|v| v.is_ok()),
            matches!(self.safety, Some(SafetyVerdict::Ok)),
            self.symbolic.is_some() && self.symbolic_ok(),
            self.kernel.as_ref().is_some_and(|v| v.is_ok()),
        ]
        .iter()
        .filter(|&&b| b)
        .count()
    }

    /// How many checks, in the order they run, passed before the first that failed: a
    /// program that gets past the hooks to the plan has got further than one stopped at them.
    pub fn reached(&self) -> usize {
        let stages = [
            self.hooks.as_ref().is_some_and(|v| v.is_ok()),
            self.hooks.is_some() && self.plan.as_ref().is_none_or(|v| v.is_ok()),
            self.compile.as_ref().is_some_and(|v| v.is_ok()),
            matches!(self.safety, Some(SafetyVerdict::Ok)),
            self.symbolic_ok(),
            self.kernel.as_ref().is_some_and(|v| v.is_ok()),
        ];
        stages.iter().take_while(|&&b| b).count()
    }

    pub fn passed(&self) -> bool {
        self.plan.as_ref().is_none_or(|v| v.is_ok())
            && matches!(self.safety, Some(SafetyVerdict::Ok))
            && self.hooks.as_ref().is_some_and(|v| v.is_ok())
            && self.compile.as_ref().is_some_and(|v| v.is_ok())
            && self.symbolic_ok()
            && self.kernel.as_ref().is_some_and(|v| v.is_ok())
    }
}

/// Seconds spent per stage of one attempt.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageTimes {
    pub prefill: f64,
    pub decode: f64,
    /// Of `decode`, the grammar: its masks, and compiling it.
    pub mask: f64,
    pub grammar_setup: f64,
    pub hooks: f64,
    pub compile: f64,
    pub symbolic: f64,
    pub kernel: f64,
}

/// The hook verdict, held against the request's grounded events: a probe that only loads here is
/// accepted when it is a grounded event (the honest "not attachable here" answer carries such a
/// program), and a program none of whose event probes implements a grounded event is sent back.
pub(crate) fn against_grounding(verdict: HookVerdict, probes: &[String], g: &Grounding) -> HookVerdict {
    // Where only kernel functions implement the request, every grounded event is one of them
    // (none is usable here), so they alone decide, loading (kprobes) or not (refused fentry).
    let deciding = &g.events;
    let grounded = |p: &str| deciding.iter().any(|e| serves(p, e));
    let kernel_function_only = matches!(g.servable, crate::ground::Servable::CannotAttachHere { .. });
    let verdict = match verdict {
        HookVerdict::Problems { problems } if kernel_function_only => {
            let load_only = g.load_only_probes();
            let mut left: Vec<HookProblem> = problems.into_iter().filter(|p| !(p.reason.contains("cannot attach") && load_only.iter().any(|l| implements(&p.probe, l)))).collect();
            if left.is_empty() {
                HookVerdict::Ok { probes: probes.to_vec() }
            } else {
                // Only the grounded functions answer the request: never suggest another event.
                if !load_only.is_empty() {
                    left.iter_mut().for_each(|p| p.suggestions = load_only.clone());
                }
                return HookVerdict::Problems { problems: left };
            }
        }
        ok => ok,
    };
    if !verdict.is_ok() {
        return verdict;
    }
    let events: Vec<&String> = probes.iter().filter(|p| !p.parse::<Probe>().is_ok_and(|p| p.is_timer())).collect();
    if deciding.is_empty() || events.is_empty() {
        return verdict;
    }
    let asked: Vec<&str> = deciding.iter().map(|e| e.probe.as_str()).collect();
    if events.iter().any(|p| grounded(p)) {
        let extra = beside_grounding(&events, g);
        if extra.is_empty() {
            return verdict;
        }
        return HookVerdict::Problems { problems: extra };
    }
    // The events to offer: the named ones, and the hooks a description matched best.
    let offered: Vec<String> = deciding
        .iter()
        .flat_map(|e| match &e.evidence {
            Evidence::Described { hooks, .. } | Evidence::Fields { hooks, .. } => hooks.clone(),
            _ if e.probe.ends_with(":*") => vec![],
            _ => vec![e.probe.clone()],
        })
        .collect();
    let words: Vec<String> = deciding
        .iter()
        .map(|e| match &e.evidence {
            Evidence::Named { word } | Evidence::Subsystem { word, .. } => format!("\"{word}\""),
            Evidence::Libc { word, function } => format!("\"{word}\", and libc's {function}() makes that syscall"),
            Evidence::Counter { words } | Evidence::Described { words, .. } => format!("\"{}\"", words.join(" ")),
            Evidence::Fields { fields, .. } => format!("the values it lists ({})", fields.join(", ")),
            Evidence::Sampling { words, hz } => format!("\"{}\": sample every CPU {hz} times a second", words.join(" ")),
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    HookVerdict::Problems {
        problems: vec![HookProblem {
            probe: events.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "),
            reason: format!("the request is about {} (it says {}), and the program attaches to none of them", asked.join(" or "), words.join(", ")),
            suggestions: offered,
        }],
    }
}

/// The events a program traces beside the grounded ones, each a problem: output from an event
/// the request is not about answers another question next to this one (a dirty-page stall
/// traced together with page allocations and page faults). Allowed beside a grounded event: the
/// other events of its tracepoint category (the start of a latency pair, `block_rq_issue` for
/// `block_rq_complete`). A raw syscall hook fires for every syscall: where grounding named the
/// syscalls and their own tracepoints attach, it stands for none of them.
fn beside_grounding(events: &[&String], g: &Grounding) -> Vec<HookProblem> {
    let category = |p: &str| p.parse::<Probe>().ok().and_then(|p| p.tracepoint().map(|(c, _)| c.to_string()));
    let grounded_categories: Vec<String> = g.events.iter().filter_map(|e| category(&e.probe)).filter(|c| c != "syscalls").collect();
    let named_syscalls: Vec<&str> = g
        .events
        .iter()
        .filter(|e| e.attach == crate::kernel::Attach::Yes)
        .filter_map(|e| e.probe.strip_prefix("tracepoint:syscalls:").filter(|n| !n.contains('*')))
        .map(|n| n.trim_start_matches("sys_enter_").trim_start_matches("sys_exit_"))
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    // Counters come in ratios (misses per reference): a counter beside a grounded one is its
    // denominator.
    let counter =
        |p: &str| p.parse::<Probe>().is_ok_and(|p| matches!(p.kind, crate::obj::ProbeKind::Hardware | crate::obj::ProbeKind::Software | crate::obj::ProbeKind::PerfEvent));
    let counters_grounded = g.events.iter().any(|e| e.probe.starts_with("hardware:") || e.probe.starts_with("software:"));
    // Every syscall: raw_syscalls, and `sys_enter_*` spelled as a wildcard.
    let raw_syscall = |p: &str| {
        p.parse::<Probe>().is_ok_and(|p| {
            p.tracepoint().is_some_and(|(c, n)| c == "raw_syscalls" || (c == "syscalls" && matches!(n, "sys_enter_*" | "sys_exit_*" | "*")))
                || (p.kind == crate::obj::ProbeKind::RawTracepoint && matches!(p.target.as_str(), "sys_enter" | "sys_exit"))
        })
    };
    let mut problems = Vec::new();
    for p in events {
        if raw_syscall(p) && !named_syscalls.is_empty() {
            let own: Vec<String> = named_syscalls.iter().map(|n| format!("tracepoint:syscalls:sys_enter_{n}")).collect();
            problems.push(HookProblem {
                probe: p.to_string(),
                reason: format!("it fires for every syscall, and the request is about {} alone: use their own tracepoints", named_syscalls.join(", ")),
                suggestions: own,
            });
        } else if !(g.events.iter().any(|e| serves(p, e)) || category(p).is_some_and(|c| grounded_categories.contains(&c)) || (counters_grounded && counter(p))) {
            problems.push(HookProblem {
                probe: p.to_string(),
                reason: format!("the request is about {}, not this event: trace only what was asked", g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>().join(" or ")),
                suggestions: vec![],
            });
        }
    }
    problems
}

/// Whether a program's probe serves a grounded event: the same event by any spelling, a call
/// libc makes for a grounded syscall, a subsystem's function, and for a hardware counter, the
/// counter by name or alias (or a C `perf_event` program, whose event is chosen when it is
/// attached).
fn serves(probe: &str, event: &Grounded) -> bool {
    let grounded = event.probe.as_str();
    if implements(probe, grounded) {
        return true;
    }
    let syscall = |p: &str| {
        p.parse::<Probe>().ok().and_then(|p| {
            p.tracepoint().and_then(|(c, n)| (c == "syscalls").then(|| n.strip_prefix("sys_enter_").or_else(|| n.strip_prefix("sys_exit_")).map(str::to_string))).flatten()
        })
    };
    if let (Some(a), Some(b)) = (syscall(probe), syscall(grounded)) {
        if same_syscall_family(&a, &b) {
            return true;
        }
    }
    // A subsystem's functions serve it as its tracepoints do (`kprobe:ext4_sync_file` for ext4,
    // `kprobe:ata_qc_issue` for libata by its own prefix).
    if let (Some(category), Ok(p)) = (grounded.strip_prefix("tracepoint:").and_then(|c| c.strip_suffix(":*")), probe.parse::<Probe>()) {
        let prefixes: &[String] = match &event.evidence {
            Evidence::Subsystem { functions, .. } => functions,
            _ => &[],
        };
        if p.kernel_function().is_some_and(|f| f.starts_with(&format!("{category}_")) || prefixes.iter().any(|pre| f.starts_with(pre.as_str()))) {
            return true;
        }
    }
    let Some(counter) = grounded.strip_prefix("hardware:").map(|c| c.trim_end_matches(":*")) else { return false };
    match probe.parse::<Probe>() {
        Ok(p) if p.kind == crate::obj::ProbeKind::PerfEvent => true,
        Ok(p) if p.kind == crate::obj::ProbeKind::Hardware => {
            let name = p.target.split(':').next().unwrap_or_default();
            crate::kernel::perf::HARDWARE.iter().any(|(n, alias, _)| *n == counter && (name == *n || (!alias.is_empty() && name == *alias)))
        }
        _ => false,
    }
}

/// Whether two syscalls are one call as libc makes it: `chown` is `fchownat` on some
/// architectures, `symlink` is `symlinkat`, `accept` is `accept4`, `stat` is `newfstatat`.
fn same_syscall_family(a: &str, b: &str) -> bool {
    fn core(name: &str) -> &str {
        let name = name.strip_prefix("new").unwrap_or(name);
        // `stat`'s own "at" is no `*at` suffix: fstat is not "fst".
        let suffixes: &[&str] = if name.ends_with("stat") { &["64"] } else { &["at2", "at", "64", "2", "3", "4"] };
        suffixes.iter().find_map(|s| name.strip_suffix(s).filter(|r| r.len() >= 3)).unwrap_or(name)
    }
    // sync flushes every filesystem, fsync one file: one letter apart, not one call.
    if [a, b].iter().any(|n| n.ends_with("sync")) && a != b {
        return false;
    }
    // The fd and no-follow variants (fchown, lchown) are the call too.
    let root = |name: &str| -> String {
        let c = core(name);
        ["f", "l"].iter().find_map(|p| c.strip_prefix(p).filter(|r| r.len() >= 3)).unwrap_or(c).to_string()
    };
    root(a) == root(b)
}

/// A check that could not run (the tool failing, not the program).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// The checks, behind a seam so tests can swap the kernel for a fake.
pub trait Checker {
    fn hooks(&mut self, probes: &[String]) -> HookVerdict;
    /// The fields of a probe (`type name`), for feedback on a wrong field name.
    fn fields_of(&self, probe: &str) -> Vec<String>;
    /// Compiles in safe mode unless `allow_unsafe` (bpftrace refuses its unsafe builtins then).
    fn compile(&mut self, program: &str, target: Target, allow_unsafe: bool) -> Result<CompileVerdict, CompileError>;
    /// The kernel verifier's word; `Err` when Kgent itself could not put the object before it.
    fn kernel(&mut self, target: Target, object: &[u8]) -> Result<KernelVerdict, LoadError>;
    /// The host facts the symbolic verifier checks a program against.
    fn platform(&self) -> &dyn Platform;
    /// The safety gate on a compiled object (fakes whose objects are not real ELF override it).
    fn safety(&self, object: &[u8], allowed: safety::Allowed) -> SafetyVerdict {
        safety::check_object(object, allowed)
    }
}

/// The real checks on this host: its catalog, bpftrace / clang, and the kernel verifier.
pub struct HostChecker<'a> {
    pub catalog: &'a Catalog,
    pub searcher: &'a Searcher,
    pub home: PathBuf,
    platform: Tracefs,
}

impl<'a> HostChecker<'a> {
    pub fn new(catalog: &'a Catalog, searcher: &'a Searcher, home: PathBuf) -> Self {
        HostChecker { catalog, searcher, home, platform: Tracefs::host() }
    }
}

/// How many of a tracepoint category's events a missing one's feedback names: enough to show
/// the category's verbs (mkdir and rmdir beside destroy_root), few enough to read.
pub const CATEGORY_SUGGESTIONS: usize = 8;

impl Checker for HostChecker<'_> {
    fn fields_of(&self, probe: &str) -> Vec<String> {
        self.catalog.find(probe).map(|h| h.fields.iter().map(|f| format!("{} {}", f.ty, f.name)).collect()).unwrap_or_default()
    }

    fn hooks(&mut self, probes: &[String]) -> HookVerdict {
        let searcher = self.searcher;
        let catalog = self.catalog;
        hooks::check(probes, self.catalog, &mut |probe| {
            // A tracepoint its category lacks ("cgroup_create_root"): that category's events,
            // those sharing a word with it first; else the hooks nearest its words.
            if let Some((category, name)) = probe.parse::<Probe>().ok().as_ref().and_then(|p| p.tracepoint().map(|(c, n)| (c.to_string(), n.to_string()))) {
                let prefix = format!("tracepoint:{category}:");
                let words: Vec<&str> = name.split('_').filter(|w| *w != category && w.len() > 2).collect();
                let mut own: Vec<(usize, &str)> =
                    catalog.hooks.iter().filter_map(|h| h.probe.strip_prefix(&prefix).map(|n| (n.split('_').filter(|w| words.contains(w)).count(), h.probe.as_str()))).collect();
                if own.len() > 1 && category != "syscalls" {
                    own.sort_by_key(|(shared, _)| std::cmp::Reverse(*shared));
                    return own.into_iter().take(CATEGORY_SUGGESTIONS).map(|(_, p)| p.to_string()).collect();
                }
                // A syscall's tracepoint misspelt (`sys_setxattr`, `sys_enter_setxattr_exit`):
                // its entry and exit, then the calls of its family (`lsetxattr`, `fsetxattr`).
                // Words searched find `statfs` for `setxattr`.
                if category == "syscalls" {
                    if let Some(found) = syscall_names(&name).iter().map(|call| syscall_tracepoints(catalog, call)).find(|f| !f.is_empty()) {
                        return found;
                    }
                }
            }
            let words = probe.replace([':', '_', '/', '-', '*'], " ");
            searcher
                .search(&words, Kind::Hooks, 5)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|h| match h {
                    Hit::Hook { hook, .. } => Some(hook.probe),
                    _ => None,
                })
                .collect()
        })
    }

    fn compile(&mut self, program: &str, target: Target, allow_unsafe: bool) -> Result<CompileVerdict, CompileError> {
        compile::compile(target, program, &self.home, allow_unsafe)
    }

    fn kernel(&mut self, target: Target, object: &[u8]) -> Result<KernelVerdict, LoadError> {
        crate::verify::kernel::load(target, object)
    }

    fn platform(&self) -> &dyn Platform {
        &self.platform
    }
}

/// The syscalls a tracepoint name written by hand may mean, likeliest first: `sys_setxattr`,
/// `sys_enter_setxattr_exit` and `setxattr_enter` mean `setxattr`; `sys_exit_group` means
/// `exit_group` before `group`.
fn syscall_names(name: &str) -> Vec<String> {
    let bare = name.strip_prefix("sys_").unwrap_or(name);
    let mut call = bare;
    for affix in ["enter_", "exit_"] {
        call = call.strip_prefix(affix).unwrap_or(call);
    }
    for affix in ["_enter", "_exit", "_entry", "_return"] {
        call = call.strip_suffix(affix).unwrap_or(call);
    }
    let mut out = vec![bare.to_string()];
    if call != bare {
        out.push(call.to_string());
    }
    out
}

/// The catalog's tracepoints of syscall `call` (entry, then exit), then of the calls whose
/// names hold it (`lsetxattr`, `fsetxattr` for `setxattr`), at most [`CATEGORY_SUGGESTIONS`].
fn syscall_tracepoints(catalog: &Catalog, call: &str) -> Vec<String> {
    if call.len() < 3 {
        return Vec::new();
    }
    let of = |h: &str| h.strip_prefix("tracepoint:syscalls:sys_enter_").or_else(|| h.strip_prefix("tracepoint:syscalls:sys_exit_")).map(str::to_string);
    let mut exact: Vec<String> = Vec::new();
    let mut family: Vec<String> = Vec::new();
    for h in &catalog.hooks {
        let Some(name) = of(&h.probe) else { continue };
        if name == call {
            exact.push(h.probe.clone());
        } else if name.contains(call) {
            family.push(h.probe.clone());
        }
    }
    exact.sort();
    family.sort_by_key(|p| (p.contains("sys_exit_"), p.len(), p.clone()));
    exact.into_iter().chain(family).take(CATEGORY_SUGGESTIONS).collect()
}

/// The names of a probe's record fields, as the catalog has them.
pub(crate) fn field_names(checker: &dyn Checker, probe: &str) -> Vec<String> {
    checker.fields_of(probe).iter().filter_map(|f| f.rsplit(' ').next().map(str::to_string)).collect()
}

/// Each `args->NAME` of a bpftrace program that none of its tracepoints' records holds, with the
/// fields they do hold. Only where every event probe is a tracepoint whose fields the catalog
/// knows.
fn unknown_fields(program: &str, probes: &[String], checker: &dyn Checker) -> Vec<String> {
    let mut known: Vec<(&String, Vec<String>)> = Vec::new();
    for p in probes.iter().filter(|p| !p.parse::<Probe>().is_ok_and(|p| p.is_timer())) {
        let fields = field_names(checker, p);
        if !p.starts_with("tracepoint:") || fields.is_empty() {
            return vec![];
        }
        known.push((p, fields));
    }
    if known.is_empty() {
        return vec![];
    }
    let held: Vec<String> = known.iter().map(|(p, f)| format!("{p} has {}", f.join(", "))).collect();
    crate::plan::check::fields_read(program)
        .into_iter()
        .filter(|name| !name.starts_with("arg") || program.contains(&format!("args->{name}")))
        .filter(|name| known.iter().all(|(_, fields)| !fields.contains(name)))
        .map(|name| format!("args->{name} is no field of its event ({})", held.join("; ")))
        .collect()
}

/// Runs the checks on one program.
pub fn check(program: &str, opts: &GenOptions, checker: &mut dyn Checker, times: &mut StageTimes) -> Result<Checks, CheckError> {
    let mut checks = Checks::default();
    let t = Instant::now();
    let probes = crate::obj::source::probes(program, opts.target);
    let mut hooks = checker.hooks(&probes);
    if let Some(g) = &opts.grounding {
        hooks = against_grounding(hooks, &probes, g);
    }
    times.hooks = t.elapsed().as_secs_f64();
    let ok = hooks.is_ok();
    checks.hooks = Some(hooks);
    if !ok {
        return Ok(checks);
    }
    // What the reading settled, before the compiler ("the request asks for args->cap"), and
    // the conditions the request never states.
    if opts.target == Target::Bpftrace && (opts.reading.is_some() || opts.request.is_some()) {
        let mut verdict = crate::plan::check::held(program, opts.reading.as_ref(), opts.request.as_deref());
        // The compiler is not reached: a field the record lacks goes back with the rest, or
        // the model fixes one and repeats the other ("args->parent_comm" three rounds running).
        if !verdict.is_ok() {
            let unknown = unknown_fields(program, &probes, checker);
            if !unknown.is_empty() {
                verdict = verdict.and(crate::plan::check::PlanVerdict::Missing { missing: unknown });
            }
        }
        let ok = verdict.is_ok();
        checks.plan = Some(verdict);
        if !ok {
            return Ok(checks);
        }
    }

    let t = Instant::now();
    let compiled = checker.compile(program, opts.target, opts.allowed.everything)?;
    times.compile = t.elapsed().as_secs_f64();
    let object = match &compiled {
        CompileVerdict::Compiled { object, .. } => object.clone(),
        CompileVerdict::Failed { diagnostics } => {
            // bpftrace read its unsafe builtins from its AST and refused them in safe mode.
            let gate = safety::of_failed_compile(diagnostics);
            if gate != SafetyVerdict::Ok {
                checks.safety = Some(gate);
            }
            checks.compile = Some(compiled);
            return Ok(checks);
        }
    };
    checks.compile = Some(compiled);
    // A reply to a start that added nothing to it: after the compiler, whose words about a
    // value it tried to add (`drop` for `args->drop`) help the model more.
    if let Some(start) = &opts.start {
        if let crate::plan::check::PlanVerdict::Missing { mut missing } = crate::plan::check::beyond(program, start) {
            let mut fields: Vec<String> = Vec::new();
            for f in probes.iter().flat_map(|p| field_names(checker, p)) {
                if !fields.contains(&f) {
                    fields.push(f);
                }
            }
            if !fields.is_empty() {
                missing.push(format!("the record's fields are args->{}", fields.join(", args->")));
            }
            checks.plan = Some(crate::plan::check::PlanVerdict::Missing { missing });
            return Ok(checks);
        }
    }
    let gate = checker.safety(&object, opts.allowed);
    let refused = gate != SafetyVerdict::Ok;
    checks.safety = Some(gate);
    if refused {
        return Ok(checks);
    }

    match &opts.properties {
        // A program that is not what was asked never reaches the kernel. Objects the reader
        // cannot take leave the decision to the kernel verifier, and say so.
        Some(props) => {
            let t = Instant::now();
            let verified = crate::verify::symbolic::verify(&object, props, checker.platform());
            times.symbolic = t.elapsed().as_secs_f64();
            match verified {
                Ok(report) => {
                    let failed = report.counterexample().is_some();
                    checks.symbolic = Some(report);
                    if failed {
                        return Ok(checks);
                    }
                }
                Err(e) => checks.symbolic_skipped = Some(format!("the symbolic verifier cannot read the object: {e}")),
            }
        }
        None => checks.symbolic_skipped = Some("no properties to check (the request's words state none, or --properties off)".into()),
    }

    let t = Instant::now();
    checks.kernel = Some(checker.kernel(opts.target, &object)?);
    times.kernel = t.elapsed().as_secs_f64();
    Ok(checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(probe: &str) -> Grounded {
        Grounded { probe: probe.into(), attach: crate::kernel::Attach::Yes, evidence: Evidence::Named { word: String::new() } }
    }

    #[test]
    fn a_syscall_is_served_by_the_calls_libc_makes_for_it() {
        for (a, b) in [("chown", "fchownat"), ("symlink", "symlinkat"), ("accept", "accept4"), ("stat", "newfstatat"), ("open", "openat"), ("pipe", "pipe2"), ("chmod", "fchmodat")]
        {
            assert!(same_syscall_family(a, b) && same_syscall_family(b, a), "{a} {b}");
            assert!(serves(&format!("tracepoint:syscalls:sys_exit_{b}"), &named(&format!("tracepoint:syscalls:sys_enter_{a}"))), "{a} {b}");
        }
        assert!(same_syscall_family("fstat", "newfstatat") && same_syscall_family("lstat", "newfstatat"));
        for (a, b) in [("read", "write"), ("fork", "vfork"), ("open", "close"), ("link", "unlink"), ("sync", "fsync"), ("fsync", "fdatasync")] {
            assert!(!same_syscall_family(a, b), "{a} {b}");
        }
        assert!(serves("kprobe:ext4_sync_file", &named("tracepoint:ext4:*")));
        let libata = Grounding {
            events: vec![Grounded {
                probe: "tracepoint:libata:*".into(),
                attach: crate::kernel::Attach::Yes,
                evidence: Evidence::Subsystem { word: "sata".into(), what: "libata".into(), functions: vec!["ata_".into()] },
            }],
            servable: crate::ground::Servable::Here,
            told: vec![],
        };
        let ok = HookVerdict::Ok { probes: vec![] };
        assert!(against_grounding(ok.clone(), &["kprobe:ata_qc_issue".into()], &libata).is_ok(), "a subsystem's function by its own prefix");
        assert!(!against_grounding(ok, &["tracepoint:block:block_rq_issue".into()], &libata).is_ok());
        assert!(!serves("kprobe:vfs_fsync", &named("tracepoint:ext4:*")));
        assert!(!serves("tracepoint:syscalls:sys_enter_sync", &named("tracepoint:tlb:*")));
    }

    #[test]
    fn every_event_a_program_traces_serves_the_request() {
        let grounding = |probes: &[&str]| Grounding { events: probes.iter().map(|p| named(p)).collect(), servable: crate::ground::Servable::Here, told: vec![] };
        let held = |probes: &[&str], g: &Grounding| against_grounding(HookVerdict::Ok { probes: vec![] }, &probes.iter().map(|p| p.to_string()).collect::<Vec<_>>(), g);
        let dirty = grounding(&["tracepoint:writeback:balance_dirty_pages"]);
        match held(&["tracepoint:kmem:mm_page_alloc", "tracepoint:writeback:balance_dirty_pages", "interval:s:1"], &dirty) {
            HookVerdict::Problems { problems } => {
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].probe, "tracepoint:kmem:mm_page_alloc");
                assert!(problems[0].reason.contains("the request is about tracepoint:writeback:balance_dirty_pages"), "{}", problems[0].reason);
            }
            ok => panic!("{ok:?}"),
        }
        // Its category's other events (a latency pair's start), BEGIN/END and timers are allowed.
        assert!(held(&["BEGIN", "tracepoint:writeback:writeback_start", "tracepoint:writeback:balance_dirty_pages", "interval:s:1", "END"], &dirty).is_ok());
        // A raw syscall hook stands for none of the syscalls grounding named; their own
        // tracepoints, entry or exit, do.
        let stat = grounding(&["tracepoint:syscalls:sys_enter_newfstatat", "tracepoint:syscalls:sys_enter_statx"]);
        match held(&["tracepoint:raw_syscalls:sys_enter"], &stat) {
            HookVerdict::Problems { problems } => assert!(problems[0].suggestions.contains(&"tracepoint:syscalls:sys_enter_statx".to_string())),
            ok => panic!("{ok:?}"),
        }
        assert!(held(&["tracepoint:syscalls:sys_enter_statx", "tracepoint:syscalls:sys_exit_statx", "tracepoint:syscalls:sys_enter_newfstatat"], &stat).is_ok());
        assert!(!held(&["tracepoint:syscalls:sys_enter_statx", "tracepoint:syscalls:sys_enter_read"], &stat).is_ok(), "another syscall beside them");
    }
}
