//! Grounding: which real events implement a request, whether or not they attach here, before any
//! program is written. A request that names a kernel function this kernel cannot attach to, a
//! subsystem this host lacks, a hardware counter on a machine without a PMU, or an event that
//! exists nowhere gets an honest [`Servable`] answer instead of a program on some other event.
//!
//! The evidence is the request's own words: identifiers it names (`vfs_read`, `write(2)`,
//! `sys_teleport`), subsystems it names (`nfs`, `nvme`; `dataset/specs/subsystems.toml` lists
//! what Linux has), hardware counters it describes (perf's event names and descriptions), libc
//! functions by the syscall their wrapper makes, bare syscall names no example uses, and, for a
//! request that names nothing, the categories it describes by words only the catalog knows
//! ([`Retrieval`]). Requests that name and describe nothing are [`Servable::Here`]: retrieval and
//! the model choose the event.
//!
//! ```
//! use kgent::ground::{ground, Retrieval, Servable};
//! use kgent::kernel::{Attach, Catalog, Hook, HookKind, KernelKey};
//! let openat = Hook { probe: "tracepoint:syscalls:sys_enter_openat".into(), kind: HookKind::Tracepoint, category: "syscalls".into(), fields: vec![], prototype: None, about: String::new(), attach: Attach::Yes };
//! let catalog = Catalog { key: KernelKey::current(), hooks: vec![openat], capabilities: Default::default(), tools: Default::default(), warnings: vec![] };
//! assert!(matches!(ground("count calls to the sys_teleport syscall", &catalog, false, &Retrieval::default()).servable, Servable::NoSuchEvent { .. }));
//! assert_eq!(ground("who calls openat()?", &catalog, false, &Retrieval::default()).servable, Servable::Here);
//! ```

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::kernel::{perf, Attach, Catalog, HookKind};

/// Why a grounded event was chosen: the words of the request that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum Evidence {
    /// The request names it (`vfs_read`, `close()`, `io_uring`).
    Named { word: String },
    /// The request names a libc function whose wrapper makes another syscall on Linux
    /// (`nanosleep()` is `clock_nanosleep`, `open()` is `openat`): the syscall it really makes.
    Libc { word: String, function: String },
    /// The request names its subsystem (`ext4`, `kvm`); its kernel functions are named
    /// `<category>_…` or begin with one of `functions` (`ata_` for libata).
    Subsystem {
        word: String,
        what: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        functions: Vec<String>,
    },
    /// The request describes a hardware counter ("cache misses").
    Counter { words: Vec<String> },
    /// The request names nothing precisely, but describes the event: the best BM25 matches
    /// among this host's hooks, whose names share these words with the request ("TLB flushes"
    /// → `tlb:tlb_flush`). Their categories decide the hook.
    Described { words: Vec<String>, hooks: Vec<String> },
    /// The request lists values that only these tracepoints' records hold, three or more by
    /// their field names ("error type, error count, the DIMM label and the physical address":
    /// `ras:mc_event`'s `error_type`, `error_count`, `label`, `address`).
    Fields { fields: Vec<String>, hooks: Vec<String> },
    /// The request asks to sample what runs on the CPUs ("99Hz on-cpu samples", "sample kernel
    /// stacks at 99 Hz"): bpftrace's `profile:hz:N`, on every CPU, at the rate said (99 where
    /// none is).
    Sampling { words: Vec<String>, hz: u64 },
}

impl Evidence {
    /// The word that names the event as a call or tracepoint (`Named` and `Libc`), which the
    /// request writes as it stands.
    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            Evidence::Named { word } | Evidence::Libc { word, .. } => Some(word),
            _ => None,
        }
    }
}

/// One event the request is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grounded {
    /// bpftrace spelling; a category's tracepoints as `tracepoint:CATEGORY:*`.
    pub probe: String,
    pub attach: Attach,
    pub evidence: Evidence,
}

/// Whether this host can serve the request as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Servable {
    /// Some grounded event attaches here, or the request names nothing precisely.
    Here,
    /// The events exist only as kernel functions, and this kernel does not attach their probes.
    CannotAttachHere { reason: String, events: Vec<String> },
    /// The request names a subsystem (a module, filesystem or driver) this host does not have.
    AbsentHere { what: String, word: String, categories: Vec<String> },
    /// A hardware counter, and this machine exposes no hardware PMU.
    NoPmu { events: Vec<String> },
    /// Names that no event, syscall or kernel function has, here or in the subsystems Kgent knows.
    NoSuchEvent { names: Vec<String> },
}

impl Servable {
    pub fn is_here(&self) -> bool {
        matches!(self, Servable::Here)
    }

    /// The snake_case name used in `--json` and by eval's expected outcomes.
    pub fn name(&self) -> &'static str {
        match self {
            Servable::Here => "here",
            Servable::CannotAttachHere { .. } => "cannot_attach_here",
            Servable::AbsentHere { .. } => "absent_here",
            Servable::NoPmu { .. } => "no_pmu",
            Servable::NoSuchEvent { .. } => "no_such_event",
        }
    }
}

impl std::fmt::Display for Servable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Servable::Here => f.write_str("this host can trace it"),
            Servable::CannotAttachHere { reason, events } => write!(f, "{} exists only as a kernel function here, and {reason}", events.join(", ")),
            Servable::AbsentHere { what, word, .. } => write!(f, "the request is about {what} (\"{word}\"), which this host does not have: none of its trace events exist here"),
            Servable::NoPmu { events } => {
                write!(f, "{} is a hardware counter, and this machine exposes no hardware performance counters (no PMU; common in virtual machines)", events.join(", "))
            }
            Servable::NoSuchEvent { names } => {
                write!(f, "no event, syscall or kernel function is named {}: not on this host, and not in any subsystem Kgent knows", names.join(", "))
            }
        }
    }
}

/// The request's events and whether they can be served here.
#[derive(Debug, Clone, Serialize)]
pub struct Grounding {
    /// (`grounded` in JSON: the outcome's own `events` sit beside it.)
    #[serde(rename = "grounded")]
    pub events: Vec<Grounded>,
    #[serde(flatten)]
    pub servable: Servable,
    /// Events the words name as the setting, not as what to trace: calls said not to be meant
    /// ("not the old futex()"), calls only the story before the ask names ("bind() and
    /// connect() get slow …", left out for what the ask names), and a category named beside an
    /// event whose name it begins ("our io_uring based server sits in io_uring_enter()").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub told: Vec<Grounded>,
}

impl Grounding {
    /// Grounded events that are kernel functions this host loads but cannot attach: the probes a
    /// not-attachable-here program may use.
    pub fn load_only_probes(&self) -> Vec<String> {
        self.events.iter().filter(|e| e.attach == Attach::LoadOnly).map(|e| e.probe.clone()).collect()
    }
}

#[derive(Debug, Deserialize)]
struct Subsystem {
    what: String,
    words: Vec<String>,
    categories: Vec<String>,
    #[serde(default)]
    functions: Vec<String>,
}

#[derive(Deserialize)]
struct SubsystemFile {
    subsystem: Vec<Subsystem>,
}

const SUBSYSTEMS: &str = include_str!("../dataset/specs/subsystems.toml");

/// Whether `word` is one of the subsystem table's words ("ext4", "nfs").
pub(crate) fn names_a_subsystem(word: &str) -> bool {
    subsystems().iter().any(|s| s.words.iter().any(|w| w == word))
}

fn subsystems() -> &'static [Subsystem] {
    static PARSED: OnceLock<Vec<Subsystem>> = OnceLock::new();
    // Compiled in and parsed by a unit test: a failure here is a build defect.
    PARSED.get_or_init(|| toml::from_str::<SubsystemFile>(SUBSYSTEMS).expect("dataset/specs/subsystems.toml is valid").subsystem)
}

/// Lowercase words of the request; `_`, `-`, `.` and digits stay inside a word (`io_uring`,
/// `wi-fi`, `802.11`), trailing punctuation does not.
pub(crate) fn words(request: &str) -> Vec<String> {
    request
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map(|w| w.trim_matches(|c: char| c == '-' || c == '.').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The words without the ones an idiom spends: "how many times", "every time" count or say
/// when, and name no timer (`itimer_state` of "how many times … in D state").
fn without_idioms(words: &[String]) -> Vec<String> {
    const HOW_OFTEN: &[&str] = &["many", "several", "few", "multiple", "every", "each", "any", "some", "one", "two", "three"];
    // ("times" is always so: "ten times", "hundreds of times".)
    let spent = |i: usize| {
        let before = |k: usize| i.checked_sub(k).and_then(|j| words.get(j)).map(String::as_str);
        words[i] == "times" || (words[i] == "time" && before(1).is_some_and(|b| HOW_OFTEN.contains(&b) || b == "of" || b.chars().all(|c| c.is_ascii_digit())))
    };
    words.iter().enumerate().filter(|&(i, _)| !spent(i)).map(|(_, w)| w.clone()).collect()
}

/// Identifiers the request names as code: lowercase words with an underscore, or followed by
/// `(` (`vfs_read`, `close()`, `write(2)`). All-caps words are constants (`SYN_SENT`,
/// `PROT_EXEC`), not events.
/// Whether `id` is written only inside a path ("/proc/self/oom_score_adj"): a file, not a value.
fn in_path(request: &str, id: &str) -> bool {
    let lower = request.to_lowercase();
    lower.match_indices(id).all(|(at, _)| at > 0 && lower.as_bytes()[at - 1] == b'/')
}

fn identifiers(request: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = request.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_alphabetic() || chars[i] == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let called = chars.get(i) == Some(&'(');
            let constant = word.chars().all(|c| !c.is_ascii_lowercase());
            if !constant && (word.contains('_') || called) && word.chars().any(|c| c.is_ascii_alphabetic()) {
                out.push(word.to_lowercase());
            }
        } else {
            i += 1;
        }
    }
    out.dedup();
    out
}

/// Whether the words ask for a kernel probe outright ("attach a kprobe", "kretprobe on"), not
/// ruled one out ("we can't use kprobes").
fn kernel_probe_said(all_words: &[String]) -> bool {
    all_words.iter().enumerate().any(|(i, w)| {
        ["kprobe", "kprobes", "kretprobe", "kretprobes", "fentry", "fexit", "kfunc", "kretfunc"].contains(&w.as_str())
            && !all_words[i.saturating_sub(3)..i].iter().any(|n| ["no", "not", "t", "can't", "cannot", "without", "never", "avoid"].contains(&n.as_str()))
    })
}

/// Whether every mention of `word` in the (lower-case) request names a setting ("transparent
/// huge pages in 'madvise' mode"), not the call.
fn names_a_setting(lower: &str, word: &str) -> bool {
    let count = |p: &str| regex::Regex::new(p).map_or(0, |re| re.find_iter(lower).count());
    // Quoted, as a setting's value is ("'madvise' mode"): "the mbind mode" is the call's argument.
    let setting = count(&format!(r#"['"`]{}['"`]\s+(mode|setting|policy)\b"#, regex::escape(word)));
    setting > 0 && setting == count(&format!(r"\b{}\b", regex::escape(word)))
}

/// Syscalls whose names are everyday words ("access", "select", "sync"): such a word alone
/// names no syscall.
const ENGLISH_SYSCALLS: &[&str] = &[
    "access",
    "alarm",
    "bind",
    "close",
    "connect",
    "exit",
    "kill",
    "link",
    "listen",
    "mount",
    "open",
    "pause",
    "personality",
    "pipe",
    "poll",
    "read",
    "reboot",
    "rename",
    "select",
    "shutdown",
    "socket",
    "sync",
    "time",
    "times",
    "truncate",
    "wait",
    "write",
];

/// libc functions whose glibc wrapper makes another syscall than its name on Linux (x86_64 and
/// arm64), and the syscalls it makes. A program on the syscall of the function's name alone
/// would see almost nothing: `open()` has called `openat` since glibc 2.26, `nanosleep()`
/// `clock_nanosleep` since 2.31, `stat()` `newfstatat` since 2.33. The flag: whether the name
/// alone, without `()`, names the function (`nanosleep` does; `open` and `sleep` are words).
const LIBC_ROUTES: &[(&str, bool, &[&str])] = &[
    ("open", false, &["openat"]),
    ("opendir", true, &["openat"]),
    ("nanosleep", true, &["clock_nanosleep"]),
    ("sleep", false, &["clock_nanosleep"]),
    ("usleep", true, &["clock_nanosleep"]),
    ("stat", false, &["newfstatat", "statx"]),
    ("lstat", true, &["newfstatat", "statx"]),
    ("wait", false, &["wait4"]),
    ("waitpid", true, &["wait4"]),
    ("wait3", true, &["wait4"]),
    // glibc's name for syslog(2), whose own name is libc's logger.
    ("klogctl", true, &["syslog"]),
    ("sbrk", true, &["brk"]),
    ("signal", false, &["rt_sigaction"]),
    ("sigaction", true, &["rt_sigaction"]),
    ("sigprocmask", true, &["rt_sigprocmask"]),
    ("sigqueue", true, &["rt_sigqueueinfo"]),
    ("pthread_sigqueue", true, &["rt_tgsigqueueinfo"]),
    ("sigsuspend", true, &["rt_sigsuspend"]),
    ("sigtimedwait", true, &["rt_sigtimedwait"]),
    ("sigwaitinfo", true, &["rt_sigtimedwait"]),
    ("sigwait", true, &["rt_sigtimedwait"]),
    ("sigpending", true, &["rt_sigpending"]),
    ("raise", false, &["tgkill"]),
    ("pthread_kill", true, &["tgkill"]),
    ("semop", true, &["semtimedop", "semop"]),
    ("mq_send", true, &["mq_timedsend"]),
    ("mq_receive", true, &["mq_timedreceive"]),
    // fadvise64_64 on arm64 and the other asm-generic tables.
    ("posix_fadvise", true, &["fadvise64", "fadvise64_64"]),
    ("posix_fallocate", true, &["fallocate"]),
    ("getdents", true, &["getdents64"]),
    ("readdir", true, &["getdents64"]),
    ("send", false, &["sendto"]),
    ("recv", false, &["recvfrom"]),
    ("execl", true, &["execve"]),
    ("execlp", true, &["execve"]),
    ("execle", true, &["execve"]),
    ("execv", true, &["execve"]),
    ("execvp", true, &["execve"]),
    ("execvpe", true, &["execve"]),
];

/// The syscalls `name()` makes, as this catalog spells them; `None` when it makes its own.
pub(crate) fn libc_route<'c>(name: &str, bare: bool, catalog: &'c Catalog) -> Option<Vec<&'c crate::kernel::Hook>> {
    let (_, _, to) = LIBC_ROUTES.iter().find(|(f, as_word, _)| *f == name && (*as_word || !bare))?;
    let hooks: Vec<&crate::kernel::Hook> = to.iter().filter_map(|s| catalog.find(&format!("tracepoint:syscalls:sys_enter_{s}"))).collect();
    (!hooks.is_empty()).then_some(hooks)
}

/// A crude stem, so "misses"/"miss", "flushes"/"flush", "dirtied"/"dirty" and
/// "mispredictions"/"mispredicted" meet.
pub(crate) fn stem(word: &str) -> String {
    let mut w = word.to_lowercase();
    if let Some(r) = w.strip_suffix("ies").or_else(|| w.strip_suffix("ied")).filter(|r| r.len() >= 3) {
        w = format!("{r}y");
    } else if let Some(r) = w.strip_suffix("sses") {
        w = format!("{r}ss");
    } else if let Some(r) = ["shes", "ches", "xes"].iter().find_map(|s| w.strip_suffix(s)).filter(|r| !r.ends_with('a')) {
        w = format!("{r}{}", &w[r.len()..w.len() - 2]);
    } else if w.ends_with('s') && !w.ends_with("ss") && w.len() > 3 {
        w.pop();
    }
    let w = ["ion", "ed", "ing"].iter().find_map(|s| w.strip_suffix(s).filter(|r| r.len() >= 4)).unwrap_or(&w).to_string();
    w.chars().take(6).collect()
}

/// Parts of a hook's name that say what it is: `tracepoint:tlb:tlb_flush` → tlb, flush. The
/// phase of an event (enter, exit, start, end) and the `sys`/`mm` prefixes say nothing of which.
pub(crate) fn name_parts(probe: &str) -> BTreeSet<String> {
    const PHASE: &[&str] = &[
        "sys",
        "enter",
        "exit",
        "mm",
        "start",
        "end",
        "begin",
        "entry",
        "return",
        "to",
        "of",
        "on",
        "for",
        "from",
        "the",
        "do",
        "x64",
        "tracepoint",
        "raw",
        "and",
        "or",
        "in",
        "at",
        "by",
        "with",
    ];
    name_tokens(probe).filter(|t| !PHASE.contains(t)).map(stem).collect()
}

/// The words of a hook's name after its kind, as written: `tracepoint:timer:hrtimer_expire_entry`
/// → timer, hrtimer, expire, entry.
fn name_tokens(probe: &str) -> impl Iterator<Item = &str> {
    probe.split_once(':').map_or(probe, |(_, rest)| rest).split([':', '_', '-']).filter(|t| t.len() >= 2 && t.chars().any(|c| c.is_ascii_alphabetic()))
}

/// What retrieval knows about a request: BM25's ranking of this host's attachable hooks for it
/// ([`Searcher::rank_hooks`](crate::retrieve::Searcher::rank_hooks)), and which of its words
/// the example programs use (so the examples can show which hook means them).
#[derive(Debug, Clone, Default)]
pub struct Retrieval {
    pub ranked: Vec<(f32, crate::kernel::Hook)>,
    /// Lowercase words of the request that two or more examples use.
    pub familiar: BTreeSet<String>,
    /// How many of the request's words the everyday words for events read as its event
    /// ([`everyday_event_words`](crate::plan::read::everyday_event_words)): a hook's name must
    /// say more of the request to decide instead ("kswapd wakeups" is kswapd's wakeup, not the
    /// scheduler's "wakeups").
    pub everyday: Option<usize>,
}

/// Tracepoints a request describes without naming them: among the hooks BM25 ranks within
/// [`DESCRIBED_BAND`] of the best, those whose category the request names by a word no example
/// program uses ("TLB", "workqueue", "compaction"), and, when one does, the others those words
/// name; with the request's words their names share, and whether the words name the category.
///
/// Everyday words ("blocked", "error", "root") name categories by accident, and where examples
/// use a word, retrieval already shows the model a program that means it; a word only the
/// catalog knows is where a small model, with nothing to copy, writes a program on another
/// event. Syscalls are left to the names the request gives them.
///
/// A filesystem's, driver's or hypervisor's events are described only where the request names
/// its subsystem: "send its reply to a client's connection request" is no `fuse_request_send`,
/// "who is triggering memory cgroup statistics flushes" no `btrfs_trigger_flush`.
fn described(words: &[String], retrieval: &Retrieval) -> Vec<(String, Vec<String>, bool)> {
    let tracepoints: Vec<&(f32, crate::kernel::Hook)> =
        retrieval.ranked.iter().filter(|(_, h)| matches!(h.kind, HookKind::Tracepoint | HookKind::Software) && !subsystem_unsaid(&h.category, words)).collect();
    let unfamiliar: Vec<&String> = words.iter().filter(|w| !retrieval.familiar.contains(*w) && w.chars().any(|c| c.is_alphabetic())).collect();
    let names = |parts: &BTreeSet<String>| unfamiliar.iter().any(|w| parts.contains(&stem(w)));
    let Some((best, _)) = tracepoints.first() else { return Vec::new() };
    let band: Vec<&crate::kernel::Hook> = tracepoints
        .iter()
        .filter(|(score, h)| *score >= best * DESCRIBED_BAND && !matches!(h.category.as_str(), "syscalls" | "raw_syscalls"))
        .map(|(_, h)| h)
        .filter(|h| names(&name_parts(&h.probe)))
        .collect();
    // A category named outright decides; then every close match the same words name counts
    // ("migrations": page migration's category, and the scheduler's sched_migrate_task).
    let names_category = |h: &crate::kernel::Hook| h.kind == HookKind::Tracepoint && names(&h.category.split('_').map(stem).collect());
    if !band.iter().any(|h| names_category(h)) {
        let named = named_by_parts(words, &tracepoints).into_iter().filter(|(_, shared, _)| retrieval.everyday.is_none_or(|n| shared.len() > n)).collect();
        return undominated(named, words);
    }
    let found = band
        .into_iter()
        .map(|h| {
            let parts = name_parts(&h.probe);
            let mut shared: Vec<String> = Vec::new();
            for w in words {
                if parts.contains(&stem(w)) && !shared.contains(w) {
                    shared.push(w.clone());
                }
            }
            (h.probe.clone(), shared, names_category(h))
        })
        .collect();
    undominated(found, words)
}

/// A name that is another's with parts added the words do not say loses to it: "kernel timer
/// … expire-entry" is `timer_expire_entry`, not `hrtimer_expire_entry`; "scheduler wakeups"
/// `sched_wakeup`, not `sched_wakeup_new`. Names not one inside the other both stay
/// (`break_lease_block` and `break_lease_noblock`, `hrtimer_start` and `hrtimer_expire_entry`).
fn undominated(found: Vec<(String, Vec<String>, bool)>, words: &[String]) -> Vec<(String, Vec<String>, bool)> {
    // Phases count here, unlike in `name_parts`: they tell the events of one object apart.
    let parts = |probe: &str| -> BTreeSet<String> { name_tokens(probe).map(stem).collect() };
    // Said as the verb with a prefix or without ("queued" of `enqueue`).
    let says = |w: &str, p: &str| {
        let w = stem(w);
        same_part(&w, p) || ["en", "de", "re", "un"].iter().any(|v| p.strip_prefix(v).is_some_and(|rest| w.len() >= 4 && rest.starts_with(&w)))
    };
    let said = |p: &String| words.iter().any(|w| says(w, p) || w.split('-').any(|piece| says(piece, p)));
    let all: Vec<BTreeSet<String>> = found.iter().map(|(probe, _, _)| parts(probe)).collect();
    let dominated = |k: usize| {
        found.iter().enumerate().any(|(o, (_, shared, _))| {
            all[o].len() < all[k].len() && all[o].is_subset(&all[k]) && all[k].difference(&all[o]).all(|p| !said(p)) && found[k].1.iter().all(|w| shared.contains(w))
        })
    };
    found.iter().enumerate().filter(|(k, _)| !dominated(*k)).map(|(_, f)| f.clone()).collect()
}

/// Whether `category` belongs to a subsystem of `subsystems.toml` that the words name neither by
/// one of its words nor by the category's own name.
fn subsystem_unsaid(category: &str, words: &[String]) -> bool {
    let said = |w: &str| if w.contains(' ') { phrase_in(words, w) } else { words.iter().any(|x| x == w) };
    let mut owners = subsystems().iter().filter(|s| s.categories.iter().any(|c| c == category)).peekable();
    owners.peek().is_some() && !said(category) && !owners.any(|s| s.words.iter().any(|w| said(w)))
}

/// Field names too common to say which event (`comm`, `flags`, `size`).
const COMMON_FIELDS: &[&str] = &[
    "comm",
    "pid",
    "tid",
    "uid",
    "gid",
    "name",
    "flags",
    "flag",
    "ret",
    "len",
    "size",
    "count",
    "type",
    "mode",
    "id",
    "dev",
    "cpu",
    "error",
    "err",
    "state",
    "reason",
    "addr",
    "value",
    "data",
    "file",
    "path",
    "ip",
    "fd",
    "prio",
    "func",
    "function",
    "call_site",
    "ptr",
    "time",
    "index",
    "order",
    "device",
    "driver",
    "parent",
    "child",
    "errno",
    "code",
    "result",
    "status",
    "used",
    "updated",
    "confirmed",
    "online",
    "dead",
    "bytes",
    "sector",
    "family",
    "protocol",
    "start",
    "end",
    "delta",
    "nr",
    "total",
];

/// The tracepoints whose records hold the most values the request lists by their field names
/// (words, or two or three words joined: "error count" is `error_count`), when they hold three
/// or more beyond the common ones, one of them of several words, and are all of one category;
/// with the names found.
fn by_fields(words: &[String], catalog: &Catalog) -> Option<(Vec<String>, Vec<String>)> {
    let mut phrases: BTreeSet<String> = words.iter().filter(|w| w.len() >= 4).cloned().collect();
    for n in [2, 3] {
        phrases.extend(words.windows(n).map(|w| w.join("_")));
    }
    let mut best: (usize, Vec<String>, Vec<String>) = (0, vec![], vec![]);
    for h in catalog.hooks.iter().filter(|h| h.kind == HookKind::Tracepoint && h.category != "syscalls") {
        let found: Vec<String> = h.fields.iter().filter(|f| phrases.contains(&f.name) && !COMMON_FIELDS.contains(&f.name.as_str())).map(|f| f.name.clone()).collect();
        match found.len().cmp(&best.0) {
            std::cmp::Ordering::Greater => best = (found.len(), vec![h.probe.clone()], found),
            std::cmp::Ordering::Equal if !found.is_empty() => best.1.push(h.probe.clone()),
            _ => {}
        }
    }
    let category = |p: &String| p.split(':').nth(1).map(str::to_string);
    // One of them a name of several words ("error type"): everyday words alone name fields of
    // many records by accident.
    let distinctive = best.2.iter().any(|f| f.contains('_'));
    (best.0 >= 3 && distinctive && best.1.iter().all(|p| category(p) == category(&best.1[0]))).then_some((best.1, best.2))
}

/// Whether a request's stem and a part of a hook's name are one word: equal, one the other's
/// abbreviation or inflection ("cong" of "congestion", "wake" of "wakeups"), or words Linux
/// uses for one another in event names ("removals" of the page cache are its deletions).
pub(crate) fn same_part(word: &str, part: &str) -> bool {
    const ONE: &[&[&str]] = &[&["remov", "delet", "evict"], &["creat", "alloc"], &["destro", "free"], &["activ"]];
    let prefix = |a: &str, b: &str| a.len() >= 4 && b.starts_with(a);
    let root = |w: &str| ONE.iter().position(|group| group.iter().any(|g| w.starts_with(g)));
    word == part || prefix(word, part) || prefix(part, word) || root(word).is_some_and(|r| root(part) == Some(r))
}

/// The words an abbreviation in the kernel's event names stands for, as users write them out:
/// `memcg` is a memory cgroup, `xmit` a transmit. Only where every word is said does the
/// abbreviation count as said.
fn jargon(part: &str) -> Option<&'static [&'static str]> {
    const JARGON: &[(&str, &[&str])] = &[
        ("memcg", &["memory", "cgroup"]),
        ("thp", &["transparent", "huge"]),
        ("hugetlb", &["huge", "page"]),
        ("kmem", &["kernel", "memory"]),
        ("oom", &["out", "memory"]),
        ("qdisc", &["queue", "discipline"]),
        ("netif", &["network", "interface"]),
        ("xmit", &["transmit"]),
        ("rcv", &["receive"]),
        ("recv", &["receive"]),
        ("irq", &["interrupt"]),
        ("cgroup", &["control", "group"]),
        ("dir", &["directory"]),
        ("addr", &["address"]),
        ("msg", &["message"]),
        ("ino", &["inode"]),
        ("buf", &["buffer"]),
        ("pi", &["priority", "inheritance"]),
    ];
    JARGON.iter().find(|(short, _)| stem(short) == part).map(|(_, words)| *words)
}

/// Tracepoints among BM25's matches whose names say what the request says in two or more of
/// its words ("kswapd wakeups" → `mm_vmscan_wakeup_kswapd`, "slab shrinker" →
/// `mm_shrink_slab_start`/`_end`, "tcp congestion state" → `tcp_cong_state_set`); only those
/// that share the most. One shared word is an accident of everyday language ("page" of page
/// allocation for page-cache removals); two are a name.
fn named_by_parts(words: &[String], tracepoints: &[&(f32, crate::kernel::Hook)]) -> Vec<(String, Vec<String>, bool)> {
    let stems: Vec<(String, &String)> = words.iter().filter(|w| w.chars().any(|c| c.is_alphabetic()) && w.len() >= 2).map(|w| (stem(w), w)).collect();
    let matches: Vec<(String, Vec<String>, usize)> = tracepoints
        .iter()
        // ftrace's own records (`function`, `context_switch`) are the tracer's, not events.
        .filter(|(_, h)| h.kind == HookKind::Tracepoint && !matches!(h.category.as_str(), "syscalls" | "raw_syscalls" | "ftrace"))
        .map(|(_, h)| {
            let mut shared: Vec<String> = Vec::new();
            let mut said = 0;
            let parts = name_parts(&h.probe);
            // The category is every event's of it (`kmem`): spelled out, it names none of them.
            let category = stem(&h.category);
            for part in &parts {
                let mut push = |w: &String| {
                    if !shared.contains(w) {
                        shared.push(w.clone());
                    }
                };
                if let Some((_, w)) = stems.iter().find(|(st, _)| same_part(st, part)) {
                    push(w);
                    said += 1;
                } else if let Some(spelled) = jargon(part).filter(|_| *part != category) {
                    // "memory cgroup" for `memcg`: every word the abbreviation stands for.
                    let found: Vec<&String> = spelled.iter().filter_map(|j| stems.iter().find(|(st, _)| same_part(st, &stem(j))).map(|(_, w)| *w)).collect();
                    if found.len() == spelled.len() {
                        found.into_iter().for_each(&mut push);
                        said += 1;
                    }
                }
            }
            (h.probe.clone(), shared, said, parts.len())
        })
        // Two words of a long name are a coincidence (`dma_sync_single_for_cpu` for "single
        // stretch on CPU"): they must say more than half of it.
        // Two distinct words too: one word can say two parts ("writeback" of `writeback_write_inode`).
        .filter(|(_, shared, said, parts)| *said >= 2 && shared.len() >= 2 && said * 2 > *parts)
        .map(|(probe, shared, said, _)| (probe, shared, said))
        .collect();
    let most = matches.iter().map(|(_, _, n)| *n).max().unwrap_or(0);
    matches.into_iter().filter(|(_, _, n)| *n == most).map(|(probe, shared, _)| (probe, shared, false)).collect()
}

/// Words between "not" and a call's name that still say the call is not what is meant ("not the
/// old futex()"); the plan reader reads the same words.
pub(crate) const NOT_MEANT_QUALIFIERS: &[&str] = &["old", "older", "legacy", "classic", "plain", "original", "usual"];

/// How close to the best BM25 score a hook must come to count as described by the request:
/// near ties ("page cache" → filemap's and readahead's page-cache events) all count; a hook
/// matched by a weaker word ("page" → page allocation) does not.
const DESCRIBED_BAND: f32 = 0.9;

/// Words that put a counter request in hardware terms: "cache misses" alone may mean the page
/// cache, "instructions" a signal's illegal instruction.
const HARDWARE_CONTEXT: &[&str] =
    &["cpu", "cpus", "hardware", "hw", "pmu", "llc", "last-level", "l1", "l2", "l3", "ipc", "perf", "counter", "counters", "cycle", "cycles", "branch", "branches", "retired"];

/// Hardware counters the request describes: every word of an event's name (or alias, or
/// description) appears in it, and it speaks of the hardware.
fn counters(words: &[String]) -> Vec<(&'static str, Vec<String>)> {
    let text = words.join(" ");
    if !words.iter().any(|w| HARDWARE_CONTEXT.contains(&w.as_str())) || text.contains("page cache") {
        return Vec::new();
    }
    // perf's names are hyphenated ("stalled-cycles-backend"): their parts count as words too.
    let request_stems: BTreeSet<String> = words.iter().flat_map(|w| std::iter::once(w.as_str()).chain(w.split('-'))).map(stem).collect();
    let content =
        |text: &str| -> Vec<String> { text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2 && !["the", "and", "unaffected", "by"].contains(w)).map(stem).collect() };
    let found: Vec<(&'static str, Vec<String>)> = perf::HARDWARE
        .iter()
        .filter_map(|(name, alias, about)| {
            [content(&name.replace('-', " ")), content(alias), content(about)]
                .into_iter()
                .find(|ws| !ws.is_empty() && ws.iter().all(|w| request_stems.contains(w)))
                // One word ("cycle", "branch") is a counter's only beside another word of the
                // hardware: "per checkpoint cycle", "every git branch" are not.
                .filter(|ws| ws.len() > 1 || words.iter().any(|w| HARDWARE_CONTEXT.contains(&w.as_str()) && stem(w) != ws[0]))
                .map(|ws| (*name, ws))
        })
        .collect();
    // "retired-branch-instructions" is branch-instructions, not also instructions: a counter
    // whose name is part of another's that the words name is that one.
    let parts = |n: &str| n.split('-').map(str::to_string).collect::<BTreeSet<String>>();
    let names: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
    // "hw ref-cycles": `ref-cycles`, not also `cpu-cycles` by its alias "cycles" alone: a
    // counter found by some of the words that found another is that one.
    // Only where those words are said once ("cycles and ref-cycles" asks for both).
    let once = |w: &String| words.iter().flat_map(|x| std::iter::once(x.as_str()).chain(x.split('-'))).filter(|x| stem(x) == *w).count() <= 1;
    let words_of: Vec<BTreeSet<String>> = found.iter().map(|(_, ws)| ws.iter().cloned().collect()).collect();
    found
        .iter()
        .enumerate()
        .filter(|(i, (n, _))| {
            !names.iter().any(|o| o != n && parts(n).is_subset(&parts(o)))
                && !words_of.iter().enumerate().any(|(j, o)| j != *i && words_of[*i].len() < o.len() && words_of[*i].is_subset(o) && words_of[*i].iter().all(once))
        })
        .map(|(_, f)| f.clone())
        .collect()
}

/// Words that ask to sample, and those that say that what runs on a CPU is sampled.
const SAMPLING: &[&str] = &["sample", "samples", "sampled", "sampling", "profile", "profiles", "profiled", "profiling", "on-cpu", "oncpu"];
const ON_CPU: &[&str] = &["on-cpu", "oncpu", "stack", "stacks", "kstack", "kstacks", "ustack", "ustacks", "flame", "flamegraph", "flamegraphs"];

/// What a request to sample the CPUs says: a rate in hertz beside a word that asks to sample,
/// of what runs on the CPUs ("99Hz on-cpu samples", "sample kernel stacks at 99 Hz", "sample
/// what's running on the CPUs at 99 Hz"); or, with no rate, samples of stacks or of what is
/// on-CPU ("profile on-cpu kernel stacks"), at bpftrace's usual 99 (a prime, off the timer
/// tick's beat). The rate, whether it was said, and the words. Not "sample the dirty pages at 1
/// Hz" (a timer's), a rate the story gives ("the NIC raises 8000 Hz of interrupts"), or a
/// sampling period ("sample stacks every 10 ms", left to the model). `asked` tells the words
/// of the ask from those only the story says.
fn sampling(words: &[String], asked: &dyn Fn(&str) -> bool) -> Option<(u64, bool, Vec<String>)> {
    let at: Vec<usize> = (0..words.len()).filter(|&i| SAMPLING.contains(&words[i].as_str()) && asked(&words[i])).collect();
    if at.is_empty() {
        return None;
    }
    let said: Vec<String> = at.iter().map(|&i| words[i].clone()).collect();
    let near = |i: usize| at.iter().any(|&k| k.abs_diff(i) <= 5);
    let rate = words.iter().enumerate().filter(|&(i, w)| near(i) && asked(w)).find_map(|(i, w)| {
        if let Some(n) = w.strip_suffix("hz").filter(|n| !n.is_empty()).and_then(|n| n.parse::<u64>().ok()) {
            return Some((n, vec![w.clone()]));
        }
        let n = (["hz", "hertz"].contains(&w.as_str()) && i > 0).then(|| words[i - 1].parse::<u64>().ok()).flatten()?;
        Some((n, vec![words[i - 1].clone(), w.clone()]))
    });
    let on_cpu = |extra: &[&str]| words.iter().any(|w| (ON_CPU.contains(&w.as_str()) || extra.contains(&w.as_str())) && asked(w));
    let using_cpu = (1..words.len()).any(|i| {
        ["cpu", "cpus"].contains(&words[i].as_str())
            && words[i.saturating_sub(2)..i].iter().any(|w| ["using", "on", "running", "hogging", "burning", "eating"].contains(&w.as_str()))
    });
    let period = at.iter().any(|&k| words.iter().skip(k + 1).take(5).any(|w| ["every", "each", "period", "interval"].contains(&w.as_str())));
    match rate {
        Some((0, _)) => None,
        Some((n, mut ws)) if on_cpu(&["cpu", "cpus", "running", "runs", "run"]) => {
            ws.extend(said);
            Some((n, true, ws))
        }
        // ("sample which processes are using the cpu": what runs there.)
        None if (on_cpu(&[]) || using_cpu) && !period => Some((99, false, said)),
        _ => None,
    }
}

/// Whether `a` and `b` are items of one list in `lower`: next to each other, separated only by
/// a comma, a slash, "or", "and" or "&" (with a call's `()` allowed after either).
fn listed_together(lower: &str, a: &str, b: &str) -> bool {
    let item = |w: &str| format!(r"\b{}\b(\(\))?", regex::escape(w));
    let joint = r"\s*(,|/|&|\bor\b|\band\b|,\s*or\b|,\s*and\b)\s*";
    [(a, b), (b, a)].iter().any(|(x, y)| regex::Regex::new(&format!("{}{joint}{}", item(x), item(y))).is_ok_and(|re| re.is_match(lower)))
}

/// Where the words whose stems are `stems` follow each other in `words` (the first word's place):
/// "alignment faults" for `alignment-faults`, "cache misses" for a counter's words.
fn stems_at<'a>(words: &'a [String], stems: &'a [String]) -> impl Iterator<Item = usize> + 'a {
    words.windows(stems.len().max(1)).enumerate().filter(move |(_, w)| !stems.is_empty() && w.iter().zip(stems).all(|(a, b)| stem(a) == *b)).map(|(i, _)| i)
}

/// Whether the words of `phrase` follow each other in `words`.
fn phrase_in(words: &[String], phrase: &str) -> bool {
    let parts: Vec<&str> = phrase.split_whitespace().collect();
    words.windows(parts.len()).any(|w| w.iter().zip(&parts).all(|(a, b)| a == b))
}

/// Tracepoints the words name by the parts of their name, as people write them: "ext4 zero-range
/// operation" is `ext4_zero_range`, "hugetlbfs fallocate calls" `hugetlbfs_fallocate`, "every
/// iomap iteration" `iomap_iter`, "an mm enters KSM" `ksm_enter`, "IPv6 FIB table lookup"
/// `fib6_table_lookup`. The category is said right before the rest of the name, or right after a
/// one-part rest said as a verb; the rest's parts follow one another. Each with the words that
/// named it. Categories written with `_` (`io_uring`) are split like the request's words and
/// never match; their events are named by their identifiers.
fn phrased(request: &str, catalog: &Catalog) -> Vec<(String, String)> {
    let words: Vec<String> = request.to_lowercase().split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect();
    const V6: &[&str] = &["ipv6", "v6", "inet6"];
    let v6 = words.iter().any(|w| V6.contains(&w.as_str()));
    // "fib6" is said as "FIB" beside "IPv6".
    let says_category = |w: &str, category: &str| w == category || (v6 && category.strip_suffix('6') == Some(w));
    let says_part = |w: &str, part: &str| {
        let w1 = w.strip_suffix('s').unwrap_or(w);
        // An ending of the same word ("iteration" for `iter`, "enters" for `enter`), not another
        // word ("freezer" is the subsystem, not `cgroup_freeze`).
        const ENDINGS: &[&str] = &["s", "es", "ed", "d", "ing", "ion", "ions", "ation", "ations"];
        w == part || w1 == part || (part.len() >= 4 && w.strip_prefix(part).is_some_and(|end| ENDINGS.contains(&end)))
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for h in catalog.hooks.iter().filter(|h| h.kind == HookKind::Tracepoint && h.category != "syscalls") {
        let name = h.probe.rsplit(':').next().unwrap_or_default();
        let Some(rest) = name.strip_prefix(&format!("{}_", h.category)) else { continue };
        let parts: Vec<&str> = rest.split('_').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() || parts.iter().all(|p| p.len() < 3) {
            continue;
        }
        for i in 0..words.len() {
            let fits = parts.iter().enumerate().all(|(k, p)| words.get(i + k).is_some_and(|w| says_part(w, p)));
            if !fits {
                continue;
            }
            let end = i + parts.len();
            let before = (i.saturating_sub(1)..i).find(|&j| says_category(&words[j], &h.category));
            // After a one-part rest only as a verb's form ("an mm enters KSM"; "probe TCP
            // retransmits" is no `tcp_probe`).
            let verb_form = words[i] != parts[0];
            let after = (parts.len() == 1 && verb_form).then(|| (end..(end + 1).min(words.len())).find(|&j| says_category(&words[j], &h.category))).flatten();
            // "per block plug unplug": the next word names another of the category's events, and
            // the words are no one event's name.
            let next_names_another = words.get(end).is_some_and(|n| {
                let n = n.strip_suffix('s').unwrap_or(n);
                n != parts[parts.len() - 1] && catalog.find(&format!("tracepoint:{0}:{0}_{n}", h.category)).is_some()
            });
            if next_names_another {
                continue;
            }
            if let Some(c) = before.or(after) {
                let (mut a, b) = (c.min(i), (c + 1).max(end));
                // "IPv6 FIB …": the word that said which is the phrase's too.
                if a > 0 && h.category.ends_with('6') && V6.contains(&words[a - 1].as_str()) {
                    a -= 1;
                }
                out.push((h.probe.clone(), words[a..b].join(" ")));
                break;
            }
        }
    }
    // "IPv6 FIB table lookup" is fib6's, not also fib's; without IPv6, fib's alone.
    let sixes: Vec<(String, String)> = out
        .iter()
        .filter_map(|(p, _)| {
            let (cat, name) = p.strip_prefix("tracepoint:")?.split_once(':')?;
            let six = format!("tracepoint:{cat}6:{}", name.replacen(&format!("{cat}_"), &format!("{cat}6_"), 1));
            out.iter().any(|(q, _)| *q == six).then(|| (p.clone(), six))
        })
        .collect();
    out.retain(|(p, _)| !sixes.iter().any(|(plain, six)| if v6 { p == plain } else { p == six }));
    out
}

/// A driver the request names by its model's name ("using the i40e driver tracepoints") that
/// has no trace events and no functions on this host: not loaded here. Only such a name, not a
/// word for a kind of driver ("the network driver").
fn absent_driver(words: &[String], catalog: &Catalog) -> Option<String> {
    words.windows(2).find_map(|w| {
        let (name, next) = (&w[0], &w[1]);
        let named = ["driver", "drivers"].contains(&next.as_str()) && name.len() >= 3 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        // A model's name, with its digits ("i40e", "mlx4", "e1000"): no everyday word.
        // Not a kind with a number ("usb3 drivers", "the 40g driver").
        const KINDS: &[&str] = &["usb", "pcie", "pci", "x86", "arm", "ipv", "sata", "ddr", "gen", "wifi"];
        let name_like = name.starts_with(|c: char| c.is_ascii_alphabetic()) && name.chars().any(|c| c.is_ascii_digit()) && !KINDS.iter().any(|k| name.starts_with(k));
        if !(named && name_like) {
            return None;
        }
        let prefix = format!("{name}_");
        let here = catalog.hooks.iter().any(|h| h.category == *name || h.probe.rsplit(':').next().is_some_and(|f| f.starts_with(&prefix)));
        // A loaded module's functions are not in vmlinux's BTF, nor always named after it
        // (r8169's are `rtl_*`): loaded is here.
        let loaded = || std::path::Path::new("/sys/module").join(name.replace('-', "_")).exists();
        (!here && !loaded()).then(|| name.clone())
    })
}

/// The C library's names in a request ("libc's system()", "through glibc").
pub(crate) const C_LIBRARY_WORDS: &[&str] = &["libc", "glibc", "musl"];

/// The C library's function `name`, where the host has the library (a uprobe on it).
fn library_function<'a>(name: &str, catalog: &'a Catalog) -> Option<&'a crate::kernel::Hook> {
    let suffix = format!(":{name}");
    catalog.hooks.iter().find(|h| h.kind == HookKind::Uprobe && h.probe.ends_with(&suffix) && crate::kernel::uprobe::is_c_library(std::path::Path::new(&h.category)))
}

/// Whether `id` is written as a call, `id(`.
fn marked_call(lower: &str, id: &str) -> bool {
    lower.match_indices(id).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && lower[i + id.len()..].starts_with('(')
    })
}

/// Whether the request says `id` is the C library's: its manual section ("syslog(3)") or the
/// library named beside it ("libc's system()", "glibc setenv", "getpwnam() inside libc").
fn said_of_library(lower: &str, id: &str) -> bool {
    if lower.contains(&format!("{id}(3)")) {
        return true;
    }
    let words: Vec<&str> = lower.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let library = |w: &str| C_LIBRARY_WORDS.contains(&w);
    words.iter().enumerate().any(|(i, w)| {
        // Right before it, or after it, told as where it is ("getpwnam() inside libc"); not a
        // library said of the programs ("for each glibc program, count open() calls").
        let before = library_before(&words, i);
        let after = (i + 2..(i + 4).min(words.len())).any(|j| library(words[j]) && ["from", "in", "inside", "of", "through", "via"].contains(&words[j - 1]));
        *w == id && (before || after)
    })
}

/// Whether the C library is named right before word `i` ("glibc setenv", "libc's system":
/// libc, s, system).
fn library_before<S: AsRef<str>>(words: &[S], i: usize) -> bool {
    let library = |k: usize| C_LIBRARY_WORDS.contains(&words[k].as_ref());
    (i >= 1 && library(i - 1)) || (i >= 2 && words[i - 1].as_ref() == "s" && library(i - 2))
}

/// Whether `id` sits right next to words that make it a kernel event ("the foo_bar syscall",
/// "kprobe foo_bar", "tracepoint foo_bar"), not merely somewhere in a request that mentions one;
/// or is spelled as a tracepoint (`kmem:kmem_leak_detected`) or called an event, where the
/// request is not about user space (`uprobe:/usr/lib/libssl.so.3:SSL_write`).
fn named_as_kernel_event(lower: &str, id: &str, user_space: bool) -> bool {
    let words: Vec<&str> = lower.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let kernel = ["syscall", "syscalls", "tracepoint", "tracepoints", "kprobe", "kretprobe", "fentry", "kfunc"];
    // Spelled as a probe ("kmem:kmem_leak_detected"), or an identifier called an event.
    // The category before the colon is one word of its own ("kmem:"), not a path's, a host's
    // or a library's tail.
    let spelled = !user_space
        && lower.match_indices(&format!(":{id}")).any(|(i, _)| {
            let before = lower[..i].rsplit(char::is_whitespace).next().unwrap_or_default();
            !before.is_empty() && before.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    let called_event = !user_space && id.contains('_') && words.iter().enumerate().any(|(i, w)| *w == id && words.get(i + 1).is_some_and(|n| ["event", "events"].contains(n)));
    spelled
        || called_event
        || words.iter().enumerate().any(|(i, w)| *w == id && [i.checked_sub(1), Some(i + 1)].into_iter().flatten().filter_map(|j| words.get(j)).any(|n| kernel.contains(n)))
}

/// Grounds `request` in `catalog` (this host's events) and the subsystems and counters Linux
/// has; `pmu` says whether hardware counters exist here; `retrieval` is consulted when the
/// request names nothing precisely.
pub fn ground(request: &str, catalog: &Catalog, pmu: bool, retrieval: &Retrieval) -> Grounding {
    // "the setuid bit" names a mode bit, not the setuid syscall.
    let request = &crate::plan::constants::mode_bits_named(request);
    let mut events: Vec<Grounded> = Vec::new();
    let mut unknown = Vec::new();
    let all_words = words(request);
    let lower = request.to_lowercase();
    let wants_fentry = all_words.iter().any(|w| w == "fentry" || w == "fexit" || w == "kfunc");
    // A request about a program or library names user-space symbols (libc's strlen, connect):
    // those are not kernel functions.
    // ("copy out to user space … put a kprobe on _copy_to_user": a kernel probe said outright
    // is the kernel's, whatever the words say of user space.)
    let kernel_probe = kernel_probe_said(&all_words);
    let user_space = all_words.iter().any(|w| ["libc", "uprobe", "uprobes", "uretprobe", "library", "usdt", "binary"].contains(&w.as_str()))
        || ((lower.contains("user space") || all_words.iter().any(|w| ["userspace", "user-space"].contains(&w.as_str()))) && !kernel_probe)
        // A binary's or a library's path (" /usr/bin/nginx"), not a slash between alternatives
        // ("A / B") nor a file or device the story names ("logging to /dev/log stalls").
        || request.match_indices(" /").any(|(i, _)| {
            let path = request[i + 1..].split(|c: char| c.is_whitespace() || c == ',' || c == ')').next().unwrap_or_default();
            let path = path.trim_end_matches(['.', ':', ';', '!', '?', '\'', '"']);
            // Only where no program lives: /tmp, /srv or /data may hold the binary itself.
            let file = ["/dev", "/proc", "/sys", "/etc", "/run", "/var/log"].iter().any(|d| path.strip_prefix(d).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')));
            // A directory and a name in it at least ("hammering /proc." names no binary).
            path[1..].starts_with(|c: char| c.is_alphanumeric()) && path[1..].contains('/') && !file
        });
    // A catalog without tracepoints (no tracefs, not root) cannot tell what is absent.
    let complete = catalog.hooks.iter().any(|h| h.kind == HookKind::Tracepoint);
    let categories: BTreeSet<&str> = catalog.hooks.iter().filter(|h| h.kind == HookKind::Tracepoint).map(|h| h.category.as_str()).collect();
    let tracepoint = |name: &str| catalog.hooks.iter().find(|h| h.kind == HookKind::Tracepoint && h.probe.rsplit(':').next() == Some(name));
    // A tracepoint by its name without its category's prefix, as people write it ("wakeup_new"
    // is sched_wakeup_new, "rq_issue" block_rq_issue).
    let in_category = |id: &str| {
        let mut found = catalog.hooks.iter().filter(|h| h.kind == HookKind::Tracepoint && h.probe.rsplit(':').next() == Some(&format!("{}_{id}", h.category)));
        found.next().filter(|_| found.next().is_none())
    };
    // A value the one tracepoint named after it holds ("who changes oom_score_adj" is
    // `oom_score_adj_update`, whose record has `oom_score_adj`): the name and the field agree.
    // Whole parts, in a run (`cpu_id` is not inside `cpu_idle_miss`); only where nothing else
    // grounded the request (below), as a task's `oom_score_adj` is also `task_newtask`'s.
    let named_after_field = |id: &str| {
        let parts: Vec<&str> = id.split('_').collect();
        let mut found = catalog.hooks.iter().filter(|h| {
            let name: Vec<&str> = h.probe.rsplit(':').next().unwrap_or_default().split('_').collect();
            h.kind == HookKind::Tracepoint && name.len() > parts.len() && name.windows(parts.len()).any(|w| w == parts.as_slice()) && h.fields.iter().any(|f| f.name == id)
        });
        found.next().filter(|_| found.next().is_none())
    };
    let mut after_field: Vec<Grounded> = Vec::new();
    // A kernel function the kernel traces with tracepoints of its own name: `ext4_sync_file`
    // at `ext4_sync_file_enter` and `_exit`, `filemap_get_pages` at `mm_filemap_get_pages`. The
    // function is traceable wherever those attach, kprobes or not.
    let own_tracepoints = |id: &str| -> Vec<&crate::kernel::Hook> {
        if wants_fentry || catalog.find(&format!("kprobe:{id}")).is_none() {
            return Vec::new();
        }
        let ends: Vec<&crate::kernel::Hook> = ["_enter", "_entry", "_exit"].iter().filter_map(|e| tracepoint(&format!("{id}{e}"))).collect();
        if ends.is_empty() {
            tracepoint(&format!("mm_{id}")).into_iter().collect()
        } else {
            ends
        }
    };
    // Library functions found only by being written as calls: beside a syscall the request
    // names, one is the syscall's wrapper ("fcntl()/lockf() record locks": lockf() makes fcntl).
    let mut only_marked: Vec<String> = Vec::new();
    let mut ids = identifiers(request);
    // A C library function said as a word, not as code: "hook libc's initgroups", "hook mkfifo
    // (and mkfifoat if you can) in libc". Said of the library, or hooked in a request about
    // user space, and listed with one so said.
    if complete {
        const HOOKING: &[&str] = &["hook", "hooking", "uprobe", "uprobes", "uretprobe", "instrument", "probe"];
        let mut last = None;
        for (i, w) in all_words.iter().enumerate() {
            let before = |k: usize| i.checked_sub(k).map(|j| all_words[j].as_str()).unwrap_or_default();
            // (Listed with one: not an everyday word, "hook libc's dlopen and raise an alert".)
            let listed = ["and", "or"].contains(&before(1)) && i >= 2 && last == Some(i - 2) && w.len() >= 6;
            let hooked = user_space && (HOOKING.contains(&before(1)) || listed);
            // The library named right before it ("libc's initgroups"), not somewhere after
            // ("random crashes in libc").
            let said = library_before(&all_words, i) || hooked;
            if w.len() >= 4 && said && library_function(w, catalog).is_some() && !ENGLISH_SYSCALLS.contains(&w.as_str()) {
                last = Some(i);
                if !ids.contains(w) {
                    ids.push(w.clone());
                }
            }
        }
    }
    for id in ids.clone() {
        let syscall = id.strip_prefix("sys_").unwrap_or(&id);
        let named = |probe: String, attach| Grounded { probe, attach, evidence: Evidence::Named { word: id.clone() } };
        // Syscalls by their libc names, as the kernel may spell them (stat → newstat, pread → pread64).
        let syscall_hook = [syscall.to_string(), format!("new{syscall}"), format!("{syscall}64")].iter().find_map(|n| catalog.find(&format!("tracepoint:syscalls:sys_enter_{n}")));
        let library = library_function(&id, catalog);
        if let (Some(h), true) = (library, said_of_library(&lower, &id)) {
            // "syslog(3)", "libc's syslog()": the library's function, not the syscall of its name.
            events.push(named(h.probe.clone(), h.attach));
        } else if let (Some(routed), false) = (libc_route(syscall, false, catalog), id.starts_with("sys_")) {
            // `sys_open` is the syscall itself; `open()` is libc's, which makes another.
            events.extend(routed.into_iter().map(|h| Grounded {
                probe: h.probe.clone(),
                attach: h.attach,
                evidence: Evidence::Libc { word: id.clone(), function: syscall.to_string() },
            }));
        } else if let Some(h) = syscall_hook {
            events.push(named(h.probe.clone(), h.attach));
        } else if let Some(h) = tracepoint(&id).or_else(|| in_category(&id)) {
            events.push(named(h.probe.clone(), h.attach));
        } else if let (Some(h), true, false) = (named_after_field(&id), id.contains('_'), in_path(request, &id)) {
            after_field.push(named(h.probe.clone(), h.attach));
        } else if categories.contains(id.as_str()) {
            events.push(named(format!("tracepoint:{id}:*"), Attach::Yes));
        } else if let (own @ [_, ..], false) = (own_tracepoints(&id).as_slice(), user_space) {
            events.extend(own.iter().map(|h| named(h.probe.clone(), h.attach)));
        } else if let (Some(h), false) = (catalog.find(&format!("kprobe:{id}")), user_space) {
            let attach = if wants_fentry { catalog.capabilities.get("fentry").map_or(Attach::Unknown, |c| c.attach()) } else { h.attach };
            events.push(named(if wants_fentry { format!("kfunc:{id}") } else { h.probe.clone() }, attach));
        } else if let (Some(h), true) = (library.filter(|_| complete), user_space || marked_call(&lower, &id)) {
            // "system()", "pthread_create() calls": no kernel event has the name, the C library
            // has the function, and the request calls it or is about user space.
            events.push(named(h.probe.clone(), h.attach));
            if !user_space {
                only_marked.push(h.probe.clone());
            }
        } else if id.starts_with("sys_") || named_as_kernel_event(&lower, &id, user_space) {
            // Named as a kernel event, and nothing has that name.
            unknown.push(id);
        }
    }
    // A program's own function, said with the program ("readline() in bash", "bash's
    // readline"): a uprobe on that binary, whatever the kernel or libc have by the name.
    if complete && events.is_empty() {
        // Each program's functions with the program's name (`bash`), libraries left out.
        let programs: Vec<(&crate::kernel::Hook, String)> = catalog
            .hooks
            .iter()
            .filter(|h| h.kind == HookKind::Uprobe)
            .filter_map(|h| Some((h, std::path::Path::new(&h.category).file_name()?.to_string_lossy().into_owned())))
            .filter(|(_, program)| !program.starts_with("lib"))
            .collect();
        for (i, w) in all_words.iter().enumerate() {
            let near = |name: &str| all_words.iter().enumerate().any(|(j, b)| b == name && j != i && j.abs_diff(i) <= 3);
            let owned = programs.iter().find(|(h, program)| h.probe.rsplit(':').next() == Some(w.as_str()) && (ids.contains(w) || w.len() >= 5) && near(program)).map(|(h, _)| *h);
            if let Some(h) = owned.filter(|h| !events.iter().any(|e| e.probe == h.probe)) {
                events.push(Grounded { probe: h.probe.clone(), attach: h.attach, evidence: Evidence::Named { word: w.clone() } });
            }
        }
    }
    let syscall_words: Vec<String> = events.iter().filter(|e| e.probe.starts_with("tracepoint:syscalls:")).filter_map(|e| e.evidence.name().map(str::to_string)).collect();
    events.retain(|e| {
        let function = e.probe.rsplit(':').next().unwrap_or_default();
        !(only_marked.contains(&e.probe) && syscall_words.iter().any(|w| listed_together(&lower, function, w)))
    });
    // A word alone in parentheses names the event it spells ("request allocations (getrq)" is
    // `block_getrq`), even without its category's prefix or an underscore to mark it a name.
    for aside in request.split('(').skip(1).filter_map(|a| a.split_once(')').map(|(w, _)| w.trim().to_lowercase())) {
        let word_like = !aside.is_empty() && aside.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && aside.chars().any(|c| c.is_ascii_alphabetic());
        if let Some(h) = tracepoint(&aside).or_else(|| in_category(&aside)).filter(|_| word_like) {
            if !events.iter().any(|e| e.probe == h.probe) {
                events.push(Grounded { probe: h.probe.clone(), attach: h.attach, evidence: Evidence::Named { word: aside.clone() } });
            }
        }
    }
    // A TCP state by its name ("sockets stuck in CLOSE_WAIT") is the state change, whose record
    // carries the state.
    if let (Some(state), Some(h)) = (
        request.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).find(|w| w.chars().any(|c| c.is_ascii_uppercase()) && crate::plan::read::tcp_state(w).is_some()),
        catalog.find("tracepoint:sock:inet_sock_set_state"),
    ) {
        if !events.iter().any(|e| e.probe == h.probe) {
            events.push(Grounded { probe: h.probe.clone(), attach: h.attach, evidence: Evidence::Named { word: state.to_string() } });
        }
    }
    // A bare word that is a syscall's name names it when no example uses the word ("mmap",
    // "getrandom"); everyday words that are also syscalls ("open", "exit", "kill") are left to
    // retrieval, which has programs that show what they mean.
    let mut bare = Vec::new();
    // Syscalls a word named only through its plural ("symlinks").
    let mut plural: Vec<String> = Vec::new();
    // A request that marks its calls ("pkey_alloc()") marks each: a word it leaves unmarked
    // ("the initial access rights it asks for") names no call unless listed with a marked one
    // (added back below).
    let marks_calls = request.contains("()");
    // The words so marked, whole ("fsync(" does not mark sync).
    static MARK: OnceLock<regex::Regex> = OnceLock::new();
    let mark = MARK.get_or_init(|| regex::Regex::new(r"\b([a-z0-9_]+)(\(|\s+(sys)?calls?\b|\s+system\s+calls?\b)").expect("a valid regex"));
    // Each marked word, and whether it is called a call: not where "calls" is a verb with its
    // object after it ("a signal calls its handler").
    const OBJECTS: &[&str] = &["its", "the", "a", "an", "their", "his", "her", "this", "that", "into", "back"];
    let marks: Vec<(&str, bool)> =
        mark.captures_iter(&lower).filter_map(|c| Some((c.get(1)?.as_str(), !OBJECTS.contains(&lower[c.get(0)?.end()..].split_whitespace().next().unwrap_or_default())))).collect();
    let marked: BTreeSet<&str> = marks.iter().map(|(w, _)| *w).collect();
    let called: BTreeSet<&str> = marks.iter().filter(|(_, call)| *call).map(|(w, _)| *w).collect();
    for w in all_words.iter().filter(|w| w.len() >= 4 && !ids.contains(w) && !ENGLISH_SYSCALLS.contains(&w.trim_end_matches('s')) && (!marks_calls || marked.contains(w.as_str())))
    {
        let singular = w.strip_suffix('s').unwrap_or(w);
        // A libc function's route holds however familiar the word: examples that show
        // `sys_enter_nanosleep` for "nanosleep" show a hook that current glibc never reaches.
        // Called a call ("stat calls"), a familiar word is the function's name.
        let as_word = !called.contains(w.as_str());
        if let Some(routed) = [w.as_str(), singular].iter().find_map(|n| libc_route(n, as_word, catalog).map(|r| (n.to_string(), r))) {
            let (function, routed) = routed;
            bare.extend(routed.into_iter().map(|h| Grounded {
                probe: h.probe.clone(),
                attach: h.attach,
                evidence: Evidence::Libc { word: w.clone(), function: function.clone() },
            }));
        } else if retrieval.familiar.contains(w) {
            // An example shows what the word means.
        } else if let Some((n, h)) =
            [w.to_string(), singular.to_string(), format!("{singular}64")].iter().find_map(|n| catalog.find(&format!("tracepoint:syscalls:sys_enter_{n}")).map(|h| (n, h)))
        {
            // As the kernel may spell it: sendfile is sendfile64 on x86_64.
            if n != w && singular != w.as_str() && !n.ends_with("64") {
                plural.push(h.probe.clone());
            }
            bare.push(Grounded { probe: h.probe.clone(), attach: h.attach, evidence: Evidence::Named { word: w.clone() } });
        }
    }
    // A plural names the things, beside a syscall named as itself ("resolving symlinks with
    // readlink" is about readlink, not symlink(2)); plurals alone name calls ("mmaps and
    // munmaps").
    if bare.iter().chain(&events).any(|g| g.probe.starts_with("tracepoint:syscalls:") && !plural.contains(&g.probe)) {
        bare.retain(|g| !plural.contains(&g.probe));
    }
    // A familiar or everyday word listed with a syscall the request names is a syscall's name
    // too: in "truncate or ftruncate", "kill/tgkill" the list says what kind of word it is.
    // The list as a whole: "clone/clone3/fork()" lists clone beside clone3, which is listed
    // beside the marked fork.
    let mut named_syscalls: Vec<String> = events
        .iter()
        .chain(&bare)
        .filter_map(|g| match &g.evidence {
            Evidence::Named { word } | Evidence::Libc { word, .. } if g.probe.starts_with("tracepoint:syscalls:") => Some(word.clone()),
            _ => None,
        })
        .collect();
    let mut grew = true;
    while grew {
        grew = false;
        for w in all_words.iter() {
            if named_syscalls.contains(w) {
                continue;
            }
            let singular = w.strip_suffix('s').unwrap_or(w);
            if !named_syscalls.iter().any(|n| listed_together(&lower, w, n)) {
                continue;
            }
            // Listed with calls, a libc function's name is that function ("stat, lstat, fstat").
            let found: Vec<Grounded> = match [w.as_str(), singular].iter().find_map(|n| catalog.find(&format!("tracepoint:syscalls:sys_enter_{n}"))) {
                Some(h) => vec![Grounded { probe: h.probe.clone(), attach: h.attach, evidence: Evidence::Named { word: w.clone() } }],
                None => [w.as_str(), singular]
                    .iter()
                    .find_map(|n| libc_route(n, false, catalog))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|h| Grounded { probe: h.probe.clone(), attach: h.attach, evidence: Evidence::Libc { word: w.clone(), function: w.clone() } })
                    .collect(),
            };
            // A word that names a call anchors the rest of the list, even where its probes are
            // in already (a libc name beside its own syscall); a word that names none never does.
            if found.is_empty() {
                continue;
            }
            let new: Vec<Grounded> = found.into_iter().filter(|g| !bare.iter().chain(&events).any(|b| b.probe == g.probe)).collect();
            named_syscalls.push(w.clone());
            if !new.is_empty() {
                bare.extend(new);
                grew = true;
            }
        }
    }
    let mut absent = None;
    for s in subsystems() {
        // A phrase ("kernel module") where the word alone says too little ("a python module").
        let said = |w: &String| if w.contains(' ') { phrase_in(&all_words, w) } else { all_words.contains(w) };
        // "Already checked: no NFS involved": a subsystem the words rule out is not the subject.
        let ruled_out = |w: &String| {
            let every = regex::Regex::new(&format!(r"\b{}\b", regex::escape(w))).map_or(0, |re| re.find_iter(&lower).count());
            // Only the subsystem itself ruled out: not "no NFS attribute caching".
            let negated = regex::Regex::new(&format!(
                r"\b(no|not|without|never|isn't|wasn't)\s+(the\s+|an?\s+|any\s+)?{}(\s+(involved|here|either|used|in use|at all|is|was)\b|\s*[.,;:)!?]|\s*$)",
                regex::escape(w)
            ))
            .map_or(0, |re| re.find_iter(&lower).count());
            every > 0 && every == negated
        };
        let Some(word) = s.words.iter().find(|w| said(w) && !ruled_out(w)).cloned() else { continue };
        let here: Vec<&String> = s.categories.iter().filter(|c| categories.contains(c.as_str())).collect();
        if here.is_empty() {
            absent.get_or_insert((s, word.clone()));
        } else {
            events.extend(here.iter().map(|c| Grounded {
                probe: format!("tracepoint:{c}:*"),
                attach: Attach::Yes,
                evidence: Evidence::Subsystem { word: word.clone(), what: s.what.clone(), functions: s.functions.clone() },
            }));
        }
    }
    let described_counters = counters(&all_words);
    // A bare word is weaker evidence than an absent subsystem ("NFS latency by mount"), a
    // counter or a name that exists nowhere.
    if absent.is_none() && unknown.is_empty() && described_counters.is_empty() {
        events.extend(bare);
    }
    // A tracepoint named by its name's parts; the syscall one of those words names is not what
    // the words name ("hugetlbfs fallocate calls" are not fallocate(2)'s).
    for (probe, phrase) in phrased(request, catalog) {
        let Some(h) = catalog.find(&probe) else { continue };
        events.retain(|e| !(e.probe.starts_with("tracepoint:syscalls:") && e.evidence.name().is_some_and(|word| phrase.split(' ').any(|p| p == word))));
        if !events.iter().any(|e| e.probe == probe) {
            events.push(Grounded { probe, attach: h.attach, evidence: Evidence::Named { word: phrase } });
        }
    }
    // Nor where everyday words name the event ("count OOM kills …, and keep the largest
    // oom_score_adj": the victim's value, not `oom_score_adj_update`).
    if events.is_empty() && unknown.is_empty() && retrieval.everyday.is_none() {
        events.extend(after_field);
    }
    // A software perf event by its name ("alignment faults", "cpu migrations from the software
    // event"): where the words say software, or no tracepoint counts the same thing, that event
    // and no tracepoint that happens to share a word ("faults" is not page_fault_user).
    for (name, alias, _) in perf::SOFTWARE {
        let phrase: Vec<&str> = name.split('-').collect();
        let stems: Vec<String> = phrase.iter().map(|p| stem(p)).collect();
        // "major page faults" for `major-faults`; "the software cs event" by its alias.
        let paged: Vec<String> = match stems.as_slice() {
            [kind, faults] if *faults == stem("faults") => vec![kind.clone(), stem("page"), faults.clone()],
            _ => vec![],
        };
        let alias_said = !alias.is_empty() && all_words.windows(2).any(|w| w[0] == *alias && ["event", "events"].contains(&w[1].as_str()));
        let said = stems_at(&all_words, &stems).next().is_some()
            || (!paged.is_empty() && stems_at(&all_words, &paged).next().is_some())
            || all_words.iter().any(|w| w == name)
            || alias_said;
        // No tracepoint tells these apart: a major fault is only the software event's.
        let only_software = ["alignment-faults", "emulation-faults", "major-faults", "minor-faults"].contains(name);
        if !said || !(only_software || all_words.iter().any(|w| w == "software" || w == "sw")) {
            continue;
        }
        let probe = format!("software:{name}");
        if let Some(h) = catalog.find(&probe) {
            if !events.iter().any(|e| e.probe == probe) {
                events.push(Grounded { probe, attach: h.attach, evidence: Evidence::Named { word: phrase.join(" ") } });
            }
        }
    }
    // "major page faults" are not also every page fault.
    if events.iter().any(|e| ["software:major-faults", "software:minor-faults"].contains(&e.probe.as_str())) {
        events.retain(|e| e.probe != "software:page-faults");
    }
    // Samples of what runs on the CPUs, unless what is sampled is a counter or another perf
    // event the words name ("sample cache misses at 99 Hz" samples the counter). Without a rate,
    // only where nothing else is named ("profile kernel stacks while read() runs" is read's).
    let sampled_event = !described_counters.is_empty() || events.iter().any(|e| e.probe.starts_with("software:"));
    // The story before the ask, whose words ask for nothing.
    let story = words(&crate::plan::read::story_words(request).join(" "));
    let asked = |w: &str| {
        let count = |ws: &[String]| ws.iter().filter(|x| *x == w).count();
        count(&story) < count(&all_words)
    };
    if let Some((hz, _, ws)) = sampling(&all_words, &asked).filter(|(_, rated, _)| !sampled_event && (*rated || events.is_empty())) {
        let attach = catalog.capabilities.get("perf_event").map_or(Attach::Unknown, |c| c.attach());
        events.push(Grounded { probe: format!("profile:hz:{hz}"), attach, evidence: Evidence::Sampling { words: ws, hz } });
    }
    for (name, ws) in described_counters {
        events.push(Grounded { probe: format!("hardware:{name}:*"), attach: if pmu { Attach::Yes } else { Attach::No }, evidence: Evidence::Counter { words: ws } });
    }

    // "the new futex_wait() syscall (not the old futex())": a name said to be not what is meant,
    // beside one that is.
    let negated: Vec<bool> = events
        .iter()
        .map(|g| {
            g.evidence.name().is_some_and(|word| {
                let pattern = format!(r"\b(not|instead of|rather than)\s+(the\s+|an?\s+)?(({})\s+)?{}\b", NOT_MEANT_QUALIFIERS.join("|"), regex::escape(word));
                regex::Regex::new(&pattern).is_ok_and(|re| re.is_match(&lower))
            })
        })
        .collect();
    let mut not_meant = Vec::new();
    // A setting named by a call is never the call, whatever else is named.
    let settings: Vec<bool> = events.iter().map(|g| g.evidence.name().is_some_and(|word| names_a_setting(&lower, word))).collect();
    let others = negated.contains(&false);
    let drop: Vec<bool> = negated.iter().zip(&settings).map(|(n, s)| *s || (*n && others)).collect();
    if drop.contains(&true) {
        let (said_not, kept): (Vec<_>, Vec<_>) = events.into_iter().zip(&drop).partition(|(_, n)| **n);
        not_meant = said_not.into_iter().map(|(g, _)| g).collect();
        events = kept.into_iter().map(|(g, _)| g).collect();
    }
    // Words only the story before the ask says.
    // Words only the story says, by a test of each word.
    let only_in_story_by = |same: &dyn Fn(&str) -> bool| {
        let count = |ws: &[String]| ws.iter().filter(|w| same(w)).count();
        count(&story) > 0 && count(&story) == count(&all_words)
    };
    let only_in_story = |word: &str| only_in_story_by(&|w| w == word);
    // A category named beside an event whose name it begins ("our io_uring based server sits in
    // io_uring_enter()"): the setting of the event, not another. Not when the ask names the
    // category and only the story the event ("… sits in io_uring_enter(). Count all io_uring
    // events.").
    let named_word = |g: &Grounded| match &g.evidence {
        Evidence::Named { word } | Evidence::Libc { word, .. } | Evidence::Subsystem { word, .. } => Some(word.clone()),
        _ => None,
    };
    let specific: Vec<String> = events.iter().filter(|g| !g.probe.ends_with(":*") && !matches!(g.evidence, Evidence::Subsystem { .. })).filter_map(named_word).collect();
    let setting = |g: &Grounded| {
        let category = g.probe.strip_prefix("tracepoint:").and_then(|p| p.strip_suffix(":*"));
        let asked = named_word(g).is_some_and(|w| !only_in_story(&w));
        // The subsystem's other categories too ("ext4_file_read_iter() on the ext4 log volume"
        // is not jbd2's events).
        let subsystem = match &g.evidence {
            Evidence::Subsystem { word, .. } => Some(word.as_str()),
            _ => None,
        };
        category.is_some_and(|c| {
            specific.iter().any(|w| (w.starts_with(&format!("{c}_")) || subsystem.is_some_and(|s| w.starts_with(&format!("{s}_")))) && !(asked && only_in_story(w)))
        })
    };
    let (mut told, kept): (Vec<Grounded>, Vec<Grounded>) = events.into_iter().partition(setting);
    told.extend(not_meant);
    events = kept;
    // A call only the story before the ask names ("bind() and connect() get slow when ports run
    // low.") yields to what the ask names ("Histogram of the time inside inet_csk_get_port()").
    // So does a subsystem only the story names ("Already ruled out: … ext4 auto_da_alloc. Ask:
    // kprobe + kretprobe on __fput").
    let story_only: Vec<bool> = events.iter().map(|g| named_word(g).is_some_and(|w| only_in_story(&w))).collect();
    // Only for an event the ask names itself: "How long does each of those calls take?" asks
    // for the story's call.
    let sampled_in_ask = |g: &Grounded| matches!(&g.evidence, Evidence::Sampling { words, .. } if words.iter().any(|w| !only_in_story(w)));
    let ask_names = events.iter().zip(&story_only).any(|(g, s)| (!s && g.evidence.name().is_some()) || sampled_in_ask(g));
    if story_only.contains(&true) && ask_names {
        let (story, asked): (Vec<_>, Vec<_>) = events.into_iter().zip(&story_only).partition(|(_, s)| **s);
        told.extend(story.into_iter().map(|(g, _)| g));
        events = asked.into_iter().map(|(g, _)| g).collect();
    }
    // "attach a kprobe and kretprobe to generic_perform_write()": the probe type said outright
    // asks for that kernel function, whatever calls the rest of the request names ("write()
    // latency went up").
    // Not ruled out ("we can't use kprobes"), and no call asked beside it ("and also count write()").
    let probe_type_said = kernel_probe_said(&all_words) && !all_words.iter().any(|w| ["also", "too", "both"].contains(&w.as_str()));
    let function_named = |g: &Grounded| matches!(g.evidence, Evidence::Named { .. }) && g.probe.parse::<crate::obj::Probe>().is_ok_and(|p| p.kind.is_kernel_function());
    if probe_type_said && events.iter().any(function_named) {
        let (calls, kept): (Vec<Grounded>, Vec<Grounded>) =
            events.into_iter().partition(|g| g.probe.starts_with("tracepoint:syscalls:") && matches!(g.evidence, Evidence::Named { .. }));
        told.extend(calls);
        events = kept;
    }
    let usable = |a: Attach| matches!(a, Attach::Yes | Attach::Unknown);
    // A hardware counter asked for is what is measured ("cache misses while inside read()"):
    // without a PMU no other event the words name stands in for it.
    // Only a counter said as its phrase ("cache misses", "cpu cycles") in the ask: one word
    // ("cycle", "branch") or the story names no counter to measure.
    let said_as_phrase = |ws: &[String]| ws.len() >= 2 && stems_at(&all_words, ws).any(|i| !only_in_story(&all_words[i]));
    let counters_missing: Vec<String> = events
        .iter()
        .filter(|e| e.probe.starts_with("hardware:") && !usable(e.attach) && matches!(&e.evidence, Evidence::Counter { words } if said_as_phrase(words)))
        .map(|e| e.probe.trim_end_matches(":*").to_string())
        .collect();
    let servable = if !counters_missing.is_empty() {
        Servable::NoPmu { events: counters_missing }
    } else if events.iter().any(|e| usable(e.attach)) {
        Servable::Here
    } else if !events.is_empty() && events.iter().all(|e| e.probe.starts_with("hardware:")) {
        Servable::NoPmu { events: events.iter().map(|e| e.probe.trim_end_matches(":*").to_string()).collect() }
    } else if !events.is_empty() {
        let kinds: Vec<&str> = events.iter().map(|e| if e.probe.starts_with("kfunc:") { "fentry" } else { "kprobe" }).collect();
        let reason = match (kinds.contains(&"fentry"), kinds.contains(&"kprobe")) {
            (true, false) => "this kernel refuses fentry programs".to_string(),
            _ => "this kernel loads kprobe programs but does not attach them (no kprobe events)".to_string(),
        };
        Servable::CannotAttachHere { reason, events: events.iter().map(|e| e.probe.clone()).collect() }
    } else if let (Some((s, word)), true) = (absent, complete) {
        Servable::AbsentHere { what: s.what.clone(), word, categories: s.categories.clone() }
    } else if let (Some(driver), true, true) = (absent_driver(&all_words, catalog), complete, unknown.is_empty()) {
        Servable::AbsentHere { what: format!("the {driver} driver"), word: driver.clone(), categories: vec![driver] }
    } else if !unknown.is_empty() && complete {
        Servable::NoSuchEvent { names: unknown }
    } else {
        Servable::Here
    };
    if events.is_empty() && servable.is_here() && !user_space {
        // Group by category: a request described in words is served by its subsystem's events
        // (a program on `writeback_dirty_inode_start` answers "inodes dirtied for writeback").
        let mut by_category: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
        let listed = by_fields(&all_words, catalog);
        if let Some((hooks, fields)) = &listed {
            let probe = match hooks.as_slice() {
                [one] => one.clone(),
                _ => format!("tracepoint:{}:*", hooks[0].split(':').nth(1).unwrap_or_default()),
            };
            events.push(Grounded { probe, attach: Attach::Yes, evidence: Evidence::Fields { fields: fields.clone(), hooks: hooks.clone() } });
        }
        // Words only the story says ("Already checked: … 'File exists'") describe no event
        // where the everyday words of the ask name one ("trace opens that … fail").
        // (Not where the ask points back at the story: "Which processes trigger it?")
        let points_back = all_words.iter().skip(story.len()).any(|w| ["it", "them", "those", "these"].contains(&w.as_str()));
        let asked = |shared: &Vec<String>| retrieval.everyday.is_none() || points_back || !shared.iter().all(|w| only_in_story(w));
        // Words that only ever say what events are counted by ("forks per cgroup id", "which
        // cgroup is creating the most …") name no event where everyday words name one. Not
        // "caused by compaction" or "which signal is killing it": an agent, or the thing asked.
        let keyed_only = |shared: &Vec<String>| {
            const GROUPING: &[&str] = &["down", "grouped", "keyed", "split", "bucketed", "aggregated", "sorted", "count", "counts", "total", "totals"];
            let ranks = |i: usize| all_words.iter().skip(i + 1).take(6).any(|w| ["most", "busiest", "biggest", "largest", "top"].contains(&w.as_str()));
            let asks_which = |i: usize| {
                i >= 1 && all_words[i - 1] == "which" && all_words.get(i + 1).is_some_and(|v| ["is", "are", "was", "does", "do", "has"].contains(&v.as_str())) && ranks(i)
            };
            let marks = |k: usize| ["per", "each"].contains(&all_words[k].as_str()) || (all_words[k] == "by" && k > 0 && GROUPING.contains(&all_words[k - 1].as_str()));
            let key_at = |i: usize| asks_which(i) || (1..=2).any(|d| i >= d && marks(i - d) && (d == 1 || ["the", "its", "their"].contains(&all_words[i - 1].as_str())));
            retrieval.everyday.is_some() && !shared.is_empty() && shared.iter().all(|w| all_words.iter().enumerate().filter(|(_, x)| *x == w).all(|(i, _)| key_at(i)))
        };
        // A subsystem only the story names ("khugepaged and compaction seem busier") where the
        // ask's everyday words name the event ("count the page allocations of order 9").
        // (By stem, as `described` matches: "compactions" in the ask is the category asked.)
        let told_category = |probe: &str, named: bool| {
            let category = stem(probe.split(':').nth(1).unwrap_or_default());
            named && retrieval.everyday.is_some() && !points_back && only_in_story_by(&|w| stem(w) == category)
        };
        for (probe, shared, category_named) in described(&without_idioms(&all_words), retrieval)
            .into_iter()
            .filter(|(probe, shared, named)| listed.is_none() && asked(shared) && !keyed_only(shared) && !told_category(probe, *named))
        {
            // A tracepoint whose category the words name stands for the category; another match
            // (a perf software event, a runner-up in another category) for itself.
            let grounded = if category_named { format!("tracepoint:{}:*", probe.split(':').nth(1).unwrap_or_default()) } else { probe.clone() };
            match by_category.iter_mut().find(|(g, ..)| *g == grounded) {
                Some((_, ws, hooks)) => {
                    for w in shared {
                        if !ws.contains(&w) {
                            ws.push(w);
                        }
                    }
                    hooks.push(probe);
                }
                None => by_category.push((grounded, shared, vec![probe])),
            }
        }
        events.extend(by_category.into_iter().map(|(probe, words, hooks)| Grounded { probe, attach: Attach::Yes, evidence: Evidence::Described { words, hooks } }));
    }
    // Once each. A told word may route to a probe traced all the same ("posix_fadvise … Show
    // fadvise64 calls"): it stays, as the reader reads its word.
    let mut seen = BTreeSet::new();
    told.retain(|g| seen.insert(g.probe.clone()));
    Grounding { events, servable, told }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Capabilities, Hook, KernelKey, Outcome, Tools, TypeSupport};

    fn catalog() -> Catalog {
        let hook = |probe: &str, kind, category: &str, attach| Hook {
            probe: probe.into(),
            kind,
            category: category.into(),
            fields: vec![],
            prototype: None,
            about: String::new(),
            attach,
        };
        let mut capabilities = Capabilities::new();
        capabilities.insert("fentry".into(), TypeSupport { loads: Outcome::No("refused".into()), attaches: Outcome::No("refused".into()) });
        Catalog {
            key: KernelKey::current(),
            hooks: vec![
                hook("tracepoint:syscalls:sys_enter_write", HookKind::Tracepoint, "syscalls", Attach::Yes),
                hook("tracepoint:syscalls:sys_enter_close", HookKind::Tracepoint, "syscalls", Attach::Yes),
                hook("tracepoint:io_uring:io_uring_submit_req", HookKind::Tracepoint, "io_uring", Attach::Yes),
                hook("tracepoint:ext4:ext4_sync_file_enter", HookKind::Tracepoint, "ext4", Attach::Yes),
                hook("tracepoint:kmem:kmalloc", HookKind::Tracepoint, "kmem", Attach::Yes),
                hook("tracepoint:sock:inet_sock_set_state", HookKind::Tracepoint, "sock", Attach::Yes),
                hook("kprobe:vfs_read", HookKind::KernelFunction, "kernel", Attach::LoadOnly),
                hook("kprobe:copy_process", HookKind::KernelFunction, "kernel", Attach::LoadOnly),
            ],
            capabilities,
            tools: Tools::default(),
            warnings: vec![],
        }
    }

    #[test]
    fn a_c_library_function_is_its_uprobe_and_a_syscall_keeps_its_name() {
        let mut c = catalog();
        let libc = std::path::Path::new("/lib/x86_64-linux-gnu/libc.so.6");
        for f in ["system", "syslog", "lockf", "vfs_read", "initgroups", "mkfifo", "mkfifoat"] {
            c.hooks.push(crate::kernel::Hook::uprobe(libc, f, Attach::Yes));
        }
        c.hooks.push(crate::kernel::Hook::uprobe(std::path::Path::new("/usr/bin/bash"), "readline", Attach::Yes));
        for s in ["syslog", "fcntl"] {
            c.hooks.push(Hook {
                probe: format!("tracepoint:syscalls:sys_enter_{s}"),
                kind: HookKind::Tracepoint,
                category: "syscalls".into(),
                fields: vec![],
                prototype: None,
                about: String::new(),
                attach: Attach::Yes,
            });
        }
        let probes = |r: &str| ground(r, &c, false, &Retrieval::default()).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        assert_eq!(probes("Which programs shell out through system()?"), ["uprobe:/lib/x86_64-linux-gnu/libc.so.6:system"]);
        // The manual's section 3 or the library said beside it: the function, not the syscall.
        assert_eq!(probes("who calls syslog(3)?"), ["uprobe:/lib/x86_64-linux-gnu/libc.so.6:syslog"]);
        assert_eq!(probes("programs that log through libc's syslog()"), ["uprobe:/lib/x86_64-linux-gnu/libc.so.6:syslog"]);
        assert_eq!(probes("count syslog() calls"), ["tracepoint:syscalls:sys_enter_syslog"]);
        // Said as a word: of the library, or hooked in a request about user space.
        assert_eq!(probes("hook libc's initgroups and log every call"), ["uprobe:/lib/x86_64-linux-gnu/libc.so.6:initgroups"]);
        assert_eq!(probes("hook mkfifo (and mkfifoat if you can) in libc"), ["uprobe:/lib/x86_64-linux-gnu/libc.so.6:mkfifo", "uprobe:/lib/x86_64-linux-gnu/libc.so.6:mkfifoat"]);
        assert!(probes("how often do we initgroups").is_empty(), "a plain word, neither code nor said of the library");
        assert_eq!(probes("for each glibc program, count syslog() calls"), ["tracepoint:syscalls:sys_enter_syslog"]);
        // Listed with a syscall, a function written as a call is its wrapper; beside one, itself.
        assert_eq!(probes("fcntl()/lockf() locks that get refused"), ["tracepoint:syscalls:sys_enter_fcntl"]);
        assert_eq!(probes("system() calls, and the fcntl() calls they cause"), ["uprobe:/lib/x86_64-linux-gnu/libc.so.6:system", "tracepoint:syscalls:sys_enter_fcntl"]);
        // A kernel function keeps its name; a program's own function is not the library's.
        assert_eq!(probes("count vfs_read() calls"), ["kprobe:vfs_read"]);
        assert!(probes("count readline() calls").is_empty());
        // Said with its program, it is that program's.
        assert_eq!(probes("trace readline() calls in bash"), ["uprobe:/usr/bin/bash:readline"]);
        assert_eq!(probes("bash readline latency"), ["uprobe:/usr/bin/bash:readline"]);
        // Not written as a call, a library's name is just a word.
        assert!(probes("the system is slow").is_empty());
    }

    #[test]
    fn a_call_said_to_be_not_what_is_meant_is_left_out() {
        let probes = |r: &str| ground(r, &catalog(), false, &Retrieval::default()).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        assert_eq!(probes("time in write() (not the old close())"), ["tracepoint:syscalls:sys_enter_write"]);
        assert_eq!(probes("write() calls instead of close()"), ["tracepoint:syscalls:sys_enter_write"]);
        // Said alone, it is still the event: a plan without one is no answer.
        assert_eq!(probes("calls that are not write()"), ["tracepoint:syscalls:sys_enter_write"]);
        assert_eq!(probes("write() and close() latency"), ["tracepoint:syscalls:sys_enter_write", "tracepoint:syscalls:sys_enter_close"]);
    }

    #[test]
    fn a_call_only_the_story_names_is_told_not_traced() {
        let g = ground("write() and close() get slow on our proxy. Histogram of the time spent inside vfs_read().", &catalog(), false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["kprobe:vfs_read"]);
        assert_eq!(g.told.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:syscalls:sys_enter_write", "tracepoint:syscalls:sys_enter_close"]);
        assert_eq!(g.servable.name(), "cannot_attach_here", "the story's calls attach, but are not what is asked");
        // Named again in the ask, the story's call is asked for.
        let g = ground("Our app calls write() a lot. Count write() and close() calls per process.", &catalog(), false, &Retrieval::default());
        assert_eq!(g.events.len(), 2);
        assert!(g.told.is_empty());
        // A story alone, with no other event to ask for, still names the event.
        let g = ground("Our proxy calls close() too often. Show it per second.", &catalog(), false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:syscalls:sys_enter_close"]);
        // A setting named like a call ("'write' mode") is never the call.
        let g = ground("Our pool runs in 'io_uring_submit_req' mode. Count close() calls per process.", &catalog(), false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:syscalls:sys_enter_close"], "{g:?}");
        assert!(g.told.iter().any(|e| e.probe == "tracepoint:io_uring:io_uring_submit_req"), "{g:?}");
        // A category named beside an event whose name it begins is the event's setting.
        let g = ground("our io_uring based proxy: count io_uring_submit_req per process", &catalog(), false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:io_uring:io_uring_submit_req"]);
        assert_eq!(g.told.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:io_uring:*"]);
        // Unless the ask names the category and only the story the event.
        let g = ground("Our proxy sits in io_uring_submit_req. Count all io_uring events per second.", &catalog(), false, &Retrieval::default());
        assert!(g.events.iter().any(|e| e.probe == "tracepoint:io_uring:*"), "{g:?}");
        // A device or file the story names is no program's path: vfs_read() is the kernel's.
        let g = ground("Logging to /dev/log stalls. How long does the kernel spend inside vfs_read()?", &catalog(), false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["kprobe:vfs_read"]);
        let g = ground("How long does /usr/bin/nginx spend inside vfs_read()?", &catalog(), false, &Retrieval::default());
        assert!(g.events.is_empty(), "a binary's path makes the names user-space symbols: {g:?}");
        // Beside a subsystem the story names too, the ask's "those calls" are the story's.
        let g = ground("Our io_uring server sits in close() waiting. How long does each of those calls take?", &catalog(), false, &Retrieval::default());
        assert!(g.told.is_empty() && g.events.iter().any(|e| e.probe == "tracepoint:syscalls:sys_enter_close"), "{g:?}");
    }

    #[test]
    fn the_request_words_find_the_events_and_constants_are_not_events() {
        assert_eq!(identifiers("histogram of write(2) sizes and close() per SYN_SENT vfs_read"), ["write", "close", "vfs_read"]);
        let g = ground("byte counts passed to write(2), for dd", &catalog(), false, &Retrieval::default());
        assert_eq!(g.servable, Servable::Here);
        assert_eq!(g.events[0].probe, "tracepoint:syscalls:sys_enter_write");
        assert_eq!(ground("io_uring submissions by opcode", &catalog(), false, &Retrieval::default()).events[0].probe, "tracepoint:io_uring:*");
        assert_eq!(ground("ext4 fsync latency", &catalog(), false, &Retrieval::default()).servable, Servable::Here);
        // Naming nothing precisely leaves the choice to retrieval and the model.
        assert_eq!(ground("count page faults by process", &catalog(), false, &Retrieval::default()).servable, Servable::Here);
        // A constant is no function's name; a TCP state's is the state change's.
        let listen: Vec<String> = ground("which processes bind sockets, TCP_LISTEN state", &catalog(), false, &Retrieval::default()).events.into_iter().map(|e| e.probe).collect();
        assert_eq!(listen, ["tracepoint:sock:inet_sock_set_state"]);
    }

    #[test]
    fn a_tracepoint_is_named_by_the_parts_of_its_name() {
        let mut c = catalog();
        let tp = |probe: &str| Hook {
            probe: probe.into(),
            kind: HookKind::Tracepoint,
            category: probe.split(':').nth(1).unwrap_or_default().into(),
            fields: vec![],
            prototype: None,
            about: String::new(),
            attach: Attach::Yes,
        };
        for p in [
            "tracepoint:syscalls:sys_enter_fallocate",
            "tracepoint:ext4:ext4_zero_range",
            "tracepoint:hugetlbfs:hugetlbfs_fallocate",
            "tracepoint:fib:fib_table_lookup",
            "tracepoint:fib6:fib6_table_lookup",
            "tracepoint:ksm:ksm_enter",
            "tracepoint:cgroup:cgroup_freeze",
            "tracepoint:block:block_getrq",
        ] {
            c.hooks.push(tp(p));
        }
        let probes = |request: &str| -> Vec<String> { ground(request, &c, false, &Retrieval::default()).events.into_iter().map(|e| e.probe).collect() };
        // The words in a row, hyphens and plurals as people write them; the category before.
        assert!(probes("For every ext4 zero-range operation print the inode").contains(&"tracepoint:ext4:ext4_zero_range".to_string()));
        // The syscall one of the phrase's words names is not what it names.
        assert_eq!(probes("Show me hugetlbfs fallocate calls that fail"), ["tracepoint:hugetlbfs:hugetlbfs_fallocate"]);
        // The category after a one-word rest; a verb's ending.
        assert_eq!(probes("print the pid each time an mm enters KSM"), ["tracepoint:ksm:ksm_enter"]);
        // IPv6 says which of two categories.
        assert_eq!(probes("Show each IPv6 FIB table lookup"), ["tracepoint:fib6:fib6_table_lookup"]);
        assert_eq!(probes("Show each FIB table lookup"), ["tracepoint:fib:fib_table_lookup"]);
        // A word alone in parentheses, without its category's prefix.
        assert_eq!(probes("Count request allocations (getrq) by process name"), ["tracepoint:block:block_getrq"]);
        // Another word that begins the same ("freezer", the subsystem) names nothing.
        assert!(!probes("jobs paused with the cgroup v2 freezer").contains(&"tracepoint:cgroup:cgroup_freeze".to_string()));
    }

    #[test]
    fn what_this_host_cannot_trace_gets_an_honest_answer() {
        let c = catalog();
        let g = ground("latency histogram of vfs_read() in the kernel", &c, false, &Retrieval::default());
        assert!(matches!(&g.servable, Servable::CannotAttachHere { events, .. } if events == &["kprobe:vfs_read"]), "{:?}", g.servable);
        assert_eq!(g.load_only_probes(), ["kprobe:vfs_read"]);
        assert!(
            matches!(ground("fentry on copy_process to count forks", &c, false, &Retrieval::default()).servable, Servable::CannotAttachHere { reason, .. } if reason.contains("fentry"))
        );
        assert!(matches!(ground("NFS client read latency by mount", &c, false, &Retrieval::default()).servable, Servable::AbsentHere { word, .. } if word == "nfs"));
        // A subsystem the words rule out is not what the request is about.
        assert!(ground("Already checked: no NFS involved. Trace each write with its pid", &c, false, &Retrieval::default()).servable.is_here());
        assert!(ground("writes are slow, but not NFS: trace each write", &c, false, &Retrieval::default()).servable.is_here());
        assert!(!ground("no NFS mounts are slow, but the NFS client reads are", &c, false, &Retrieval::default()).servable.is_here());
        // Whatever the words say of user space, a kprobe said outright is the kernel's.
        let g = ground("how many bytes does the kernel copy out to user space? put a kprobe on vfs_read and sum its count", &c, false, &Retrieval::default());
        assert!(matches!(&g.servable, Servable::CannotAttachHere { events, .. } if events == &["kprobe:vfs_read"]), "{:?}", g.servable);
        // A subsystem only the story names yields to the function the ask names.
        let g = ground("Already ruled out: ext4 auto_da_alloc (off). Ask: kprobe + kretprobe on vfs_read, histogram of its duration", &c, false, &Retrieval::default());
        assert!(matches!(&g.servable, Servable::CannotAttachHere { events, .. } if events == &["kprobe:vfs_read"]), "{:?}", g.servable);
        // Upstream subsystems this host lacks, by name.
        assert!(
            matches!(ground("trace the kernel's PWM tracepoints and log each duty cycle change", &c, false, &Retrieval::default()).servable, Servable::AbsentHere { word, .. } if word == "pwm")
        );
        // A kprobe said outright asks for the function, whatever call the story names.
        let g = ground("write() latency went up. Attach a kprobe to vfs_read() and histogram its time", &c, false, &Retrieval::default());
        assert!(matches!(&g.servable, Servable::CannotAttachHere { events, .. } if events == &["kprobe:vfs_read"]), "{:?}", g.servable);
        assert!(g.told.iter().any(|t| t.probe == "tracepoint:syscalls:sys_enter_write"));
        assert!(ground("write() latency went up. Time vfs_read() too", &c, false, &Retrieval::default()).servable.is_here());
        assert!(matches!(ground("per-queue NVMe command latency", &c, false, &Retrieval::default()).servable, Servable::AbsentHere { .. }));
        // A phrase where the word alone says too little.
        assert!(matches!(ground("log kernel modules being loaded", &c, false, &Retrieval::default()).servable, Servable::AbsentHere { word, .. } if word == "kernel modules"));
        assert!(ground("which python modules get imported", &c, false, &Retrieval::default()).servable.is_here());
        assert!(
            matches!(ground("count calls to the sys_teleport syscall", &c, false, &Retrieval::default()).servable, Servable::NoSuchEvent { names } if names == ["sys_teleport"])
        );
        // Spelled as a probe, or an identifier called an event, that nothing has.
        for named in ["print every kmem:kmem_leak_detected event", "print every kmem_leak_detected event"] {
            assert!(matches!(ground(named, &c, false, &Retrieval::default()).servable, Servable::NoSuchEvent { .. }), "{named}");
        }
        // A driver by its model's name that has nothing here is absent; a kind of driver is no name.
        assert!(
            matches!(ground("using the i40e driver tracepoints, count rx packets", &c, false, &Retrieval::default()).servable, Servable::AbsentHere { word, .. } if word == "i40e")
        );
        assert!(ground("count packets the network driver receives", &c, false, &Retrieval::default()).servable.is_here());
        // Not a probe's spelling in user space, nor a numbered kind of driver, nor one word of a
        // counter ("cycle") beside a call.
        assert!(!matches!(ground("count uprobe:/usr/lib/libssl.so.3:SSL_write calls", &c, false, &Retrieval::default()).servable, Servable::NoSuchEvent { .. }));
        assert!(!matches!(ground("count packets the usb3 drivers see", &c, false, &Retrieval::default()).servable, Servable::AbsentHere { .. }));
        assert!(ground("count write calls per checkpoint cycle", &c, false, &Retrieval::default()).servable.is_here());
        // A counter asked for is what is measured: a syscall beside it stands in for nothing.
        assert!(matches!(ground("count hardware cache misses while inside write(), per process", &c, false, &Retrieval::default()).servable, Servable::NoPmu { .. }));
        for counter in ["last-level cache misses by process", "branch mispredictions per process", "instructions per cycle, per CPU"] {
            assert!(matches!(ground(counter, &c, false, &Retrieval::default()).servable, Servable::NoPmu { .. }), "{counter}");
            assert_eq!(ground(counter, &c, true, &Retrieval::default()).servable, Servable::Here, "{counter} with a PMU");
        }
        // A user-space symbol is not a kernel event that fails to exist, nor a kernel function.
        assert_eq!(ground("time pthread_mutex_lock in libc", &c, false, &Retrieval::default()).servable, Servable::Here);
        assert_eq!(ground("count vfs_read() calls in libc", &c, false, &Retrieval::default()).servable, Servable::Here);
        assert_eq!(ground("malloc_trim and the syscalls it makes", &c, false, &Retrieval::default()).servable, Servable::Here);
        // The page cache, a signal's illegal instruction: not hardware counters.
        for not_counter in ["page cache misses per second", "processes killed by an illegal instruction", "cache misses"] {
            assert_eq!(ground(not_counter, &c, false, &Retrieval::default()).servable, Servable::Here, "{not_counter}");
        }
        assert!(matches!(ground("cpu cache miss rate", &c, false, &Retrieval::default()).servable, Servable::NoPmu { .. }), "singular and plural meet");
        // One counter's name inside another's that the words name: that one only.
        assert!(
            matches!(ground("sample the retired-branch-instructions hardware counter by process", &c, false, &Retrieval::default()).servable, Servable::NoPmu { events } if events == ["hardware:branch-instructions"])
        );
        // perf's stalled-cycles-backend is bpftrace's backend-stalls.
        assert!(
            matches!(ground("count samples of the stalled-cycles-backend hardware counter per process", &c, false, &Retrieval::default()).servable, Servable::NoPmu { events } if events.contains(&"hardware:backend-stalls".to_string()))
        );
        // A subsystem by its product's name, in two words.
        assert!(matches!(ground("Log every Open vSwitch datapath upcall", &c, false, &Retrieval::default()).servable, Servable::AbsentHere { word, .. } if word == "open vswitch"));
        // Without tracepoints in the catalog (no tracefs) nothing is called absent.
        let blind = Catalog { hooks: vec![], ..catalog() };
        assert_eq!(ground("NFS client read latency", &blind, false, &Retrieval::default()).servable, Servable::Here);
        assert_eq!(ground("count the sys_teleport syscall", &blind, false, &Retrieval::default()).servable, Servable::Here);
    }

    /// A tracepoint that attaches here, with these fields (of type int).
    fn tracepoint_with(probe: &str, fields: &[&str]) -> Hook {
        Hook {
            probe: probe.into(),
            kind: HookKind::Tracepoint,
            category: probe.split(':').nth(1).unwrap_or_default().into(),
            fields: fields.iter().map(|f| crate::kernel::Field::new(*f, "int")).collect(),
            prototype: None,
            about: String::new(),
            attach: Attach::Yes,
        }
    }

    fn ranked(probes: &[(&str, f32)]) -> Retrieval {
        let hook = |probe: &str| Hook {
            probe: probe.into(),
            kind: if probe.starts_with("software:") { HookKind::Software } else { HookKind::Tracepoint },
            category: probe.split(':').nth(1).unwrap_or_default().into(),
            fields: vec![],
            prototype: None,
            about: String::new(),
            attach: Attach::Yes,
        };
        Retrieval { ranked: probes.iter().map(|(p, s)| (*s, hook(p))).collect(), familiar: BTreeSet::new(), everyday: None }
    }

    #[test]
    fn values_listed_by_their_field_names_find_the_record_that_holds_them() {
        let mut c = catalog();
        let with = tracepoint_with;
        c.hooks.push(with("tracepoint:ras:mc_event", &["error_type", "error_count", "msg", "label", "address"]));
        c.hooks.push(with("tracepoint:error_report:error_report_end", &["error_detector", "id"]));
        c.hooks.push(with("tracepoint:alarmtimer:alarmtimer_start", &["alarm", "alarm_type", "expires", "now"]));
        c.hooks.push(with("tracepoint:alarmtimer:alarmtimer_fired", &["alarm", "alarm_type", "expires", "now"]));
        let g =
            ground("print memory controller error events as EDAC reports them: error type, error count, the DIMM label and the physical address", &c, false, &Retrieval::default());
        assert!(matches!(&g.events[..], [e] if e.probe == "tracepoint:ras:mc_event" && matches!(&e.evidence, Evidence::Fields { fields, .. } if fields.len() == 4)), "{g:?}");
        // Records of one category that hold them alike: the category, each hook offered. A
        // slash between alternatives is no binary's path.
        let g = ground("alarm timers (CLOCK_REALTIME_ALARM / CLOCK_BOOTTIME_ALARM) as they get armed: the alarm type and when it expires", &c, false, &Retrieval::default());
        assert!(matches!(&g.events[..], [e] if e.probe == "tracepoint:alarmtimer:*" && matches!(&e.evidence, Evidence::Fields { hooks, .. } if hooks.len() == 2)), "{g:?}");
        // Two values, or common ones (comm, flags, size), say too little.
        assert!(ground("print the error type and the label of each one", &c, false, &Retrieval::default()).events.is_empty());
    }

    #[test]
    fn a_tracepoint_named_without_its_category_prefix() {
        let g = ground("how long do fsyncs take, from sync_file_enter on", &catalog(), false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:ext4:ext4_sync_file_enter"]);
        assert!(matches!(&g.events[0].evidence, Evidence::Named { word } if word == "sync_file_enter"));
        // Only the category's own prefix: a word another category's event ends with is not it.
        assert!(ground("count every uring_submit_req", &catalog(), false, &Retrieval::default()).events.is_empty());
        // A value the one tracepoint named after it holds names that tracepoint.
        let mut c = catalog();
        let hook = tracepoint_with;
        c.hooks.push(hook("tracepoint:oom:oom_score_adj_update", &["pid", "comm", "oom_score_adj"]));
        c.hooks.push(hook("tracepoint:oom:mark_victim", &["pid", "oom_score_adj"]));
        let g = ground("who keeps changing oom_score_adj on the database?", &c, false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:oom:oom_score_adj_update"], "{g:?}");
        // Not where another event is named, nor inside a path, nor by part of a name's part.
        c.hooks.push(hook("tracepoint:power:cpu_idle_miss", &["cpu_id", "state"]));
        let g = ground("print the oom_score_adj at each mark_victim", &c, false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:oom:mark_victim"], "{g:?}");
        let g = ground("which processes read /proc/self/oom_score_adj?", &c, false, &Retrieval::default());
        assert!(g.events.iter().all(|e| e.probe != "tracepoint:oom:oom_score_adj_update"), "{g:?}");
        assert!(ground("print each cpu_id", &c, false, &Retrieval::default()).events.is_empty());
    }

    #[test]
    fn a_kernel_function_with_tracepoints_of_its_own_name_is_traced_there() {
        let mut c = catalog();
        c.hooks.push(Hook {
            probe: "kprobe:ext4_sync_file".into(),
            kind: HookKind::KernelFunction,
            category: "kernel".into(),
            fields: vec![],
            prototype: None,
            about: String::new(),
            attach: Attach::LoadOnly,
        });
        let g = ground("ext4_sync_file latency, enter to exit", &c, false, &Retrieval::default());
        assert!(g.servable.is_here(), "{:?}", g.servable);
        assert!(g.events.iter().any(|e| e.probe == "tracepoint:ext4:ext4_sync_file_enter") && !g.events.iter().any(|e| e.probe.starts_with("kprobe:")), "{g:?}");
        // A subsystem none of whose events exist here is absent, whatever else its words match.
        assert!(matches!(ground("NBD request latency, from send to reply", &c, false, &Retrieval::default()).servable, Servable::AbsentHere { .. }));
        // A function with none is a kernel function, here only loaded.
        assert!(matches!(ground("vfs_read latency", &c, false, &Retrieval::default()).servable, Servable::CannotAttachHere { .. }));
    }

    #[test]
    fn a_tcp_state_by_name_is_the_state_change() {
        let g = ground("which sockets end up in TIME_WAIT, per remote port", &catalog(), false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:sock:inet_sock_set_state"]);
        assert!(matches!(&g.events[0].evidence, Evidence::Named { word } if word == "TIME_WAIT"));
        // A word that only looks like one is not.
        assert!(ground("count closes that wait", &catalog(), false, &Retrieval::default()).events.iter().all(|e| !e.probe.contains("inet_sock")));
    }

    #[test]
    fn a_category_said_only_as_what_events_are_counted_by_is_no_event() {
        let c = catalog();
        let cgroup = ranked(&[("tracepoint:cgroup:cgroup_mkdir", 100.0), ("tracepoint:cgroup:cgroup_attach_task", 90.0)]);
        // Everyday words name the event ("forks"); "per cgroup id" and "which cgroup is …" say the key.
        let everyday = Retrieval { everyday: Some(1), ..cgroup.clone() };
        assert!(ground("which cgroup is creating the most new processes? a count of forks per cgroup id", &c, false, &everyday).events.is_empty());
        // An agent, or the thing a question asks about, is no key.
        assert_eq!(ground("count forks caused by cgroup attach", &c, false, &everyday).events.len(), 1);
        assert_eq!(ground("which cgroup is forking? count forks per cgroup id", &c, false, &everyday).events.len(), 1);
        // Said as what happens, it is the event.
        assert_eq!(ground("count cgroup directories created, per cgroup id", &c, false, &everyday).events.len(), 1);
        // With no everyday event, the category is all there is.
        assert_eq!(ground("count cgroup events per cgroup id", &c, false, &cgroup).events.len(), 1);
    }

    #[test]
    fn a_category_named_by_a_word_no_example_uses_decides_the_hook() {
        let c = catalog();
        let tlb = ranked(&[("tracepoint:tlb:tlb_flush", 100.0), ("tracepoint:kvm:kvm_pv_tlb_flush", 95.0), ("tracepoint:sched:sched_switch", 30.0)]);
        let g = ground("how often is the TLB flushed, by reason", &c, false, &tlb);
        assert_eq!(g.servable, Servable::Here);
        let probes: Vec<&str> = g.events.iter().map(|e| e.probe.as_str()).collect();
        assert_eq!(probes, ["tracepoint:tlb:*"], "a runner-up whose name is the event's with parts the words do not say (kvm, pv) loses");
        assert!(
            matches!(&g.events[0].evidence, Evidence::Described { words, hooks } if words == &["tlb", "flushed"] && hooks == &["tracepoint:tlb:tlb_flush"]),
            "{:?}",
            g.events[0]
        );
        // A word the examples use names no category, and the hook whose name says the words
        // stands for itself; a category named only by a weak match names nothing.
        let mut familiar = tlb.clone();
        familiar.familiar.insert("tlb".into());
        let probes: Vec<String> = ground("how often is the TLB flushed, by reason", &c, false, &familiar).events.into_iter().map(|e| e.probe).collect();
        assert_eq!(probes, ["tracepoint:tlb:tlb_flush"]);
        let blocked = ranked(&[("tracepoint:block:block_plug", 50.0)]);
        assert!(ground("time spent blocked off cpu", &c, false, &ranked(&[("tracepoint:sched:sched_switch", 100.0), ("tracepoint:block:block_plug", 50.0)])).events.is_empty());
        assert_eq!(ground("time spent blocked off cpu", &c, false, &blocked).events.len(), 1, "within the band, a named category decides");
        // Only tracepoints name a category; a software event the same words name joins them.
        let migrations = ranked(&[("tracepoint:migrate:mm_migrate_pages", 80.0), ("software:cpu-migrations:*", 78.0), ("tracepoint:sched:sched_migrate_task", 76.0)]);
        let probes: Vec<String> = ground("count task migrations", &c, false, &migrations).events.iter().map(|e| e.probe.clone()).collect();
        assert_eq!(probes, ["tracepoint:migrate:*", "software:cpu-migrations:*", "tracepoint:sched:sched_migrate_task"]);
        // A request that names its event is not held to what it merely describes.
        assert_eq!(ground("write(2) calls that flush the TLB", &c, false, &tlb).events.len(), 1);
    }

    #[test]
    fn a_hook_whose_name_says_two_of_the_requests_words_is_the_event() {
        let c = catalog();
        let probes = |request: &str, r: &Retrieval| ground(request, &c, false, r).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        let kswapd = ranked(&[("tracepoint:vmscan:mm_vmscan_wakeup_kswapd", 70.0), ("tracepoint:sched:sched_wakeup", 42.0), ("tracepoint:vmscan:mm_vmscan_kswapd_sleep", 40.0)]);
        assert_eq!(probes("kswapd wakeups per NUMA node", &kswapd), ["tracepoint:vmscan:mm_vmscan_wakeup_kswapd"]);
        // Only the hooks that share the most; Linux's words for removal count as one.
        let cache = ranked(&[
            ("tracepoint:readahead:page_cache_ra_order", 50.0),
            ("tracepoint:exceptions:page_fault_user", 41.0),
            ("tracepoint:filemap:mm_filemap_delete_from_page_cache", 30.0),
            ("tracepoint:filemap:mm_filemap_add_to_page_cache", 30.0),
        ]);
        assert_eq!(probes("page cache removals per second", &cache), ["tracepoint:filemap:mm_filemap_delete_from_page_cache"]);
        let mut tcp = ranked(&[("tracepoint:tcp:tcp_send_reset", 77.0), ("tracepoint:tcp:tcp_cong_state_set", 77.0)]);
        tcp.familiar.insert("tcp".into());
        assert_eq!(probes("how often do tcp sockets enter each congestion state?", &tcp), ["tracepoint:tcp:tcp_cong_state_set"], "an abbreviation is the word");
        // One shared word is no name; the everyday words for events decide where they can.
        assert!(probes("pages allocated per second", &ranked(&[("tracepoint:kmem:mm_page_alloc", 50.0)])).len() == 1, "page and alloc");
        assert!(probes("pages written per second", &ranked(&[("tracepoint:kmem:mm_page_alloc", 50.0)])).is_empty());
        assert!(probes("kswapd wakeups per NUMA node", &Retrieval { everyday: Some(2), ..kswapd.clone() }).is_empty(), "everyday words as many decide");
        assert_eq!(probes("kswapd wakeups per NUMA node", &Retrieval { everyday: Some(1), ..kswapd.clone() }).len(), 1, "a name that says more decides");
        let dma = ranked(&[("tracepoint:dma:dma_sync_single_for_cpu", 40.0)]);
        assert!(probes("longest single stretch on CPU per process", &dma).is_empty(), "two words of a long name are a coincidence");
        // An abbreviation in the name counts as said when every word it stands for is.
        let memcg = ranked(&[("tracepoint:vmscan:mm_vmscan_direct_reclaim_begin", 50.0), ("tracepoint:vmscan:mm_vmscan_memcg_reclaim_begin", 50.0)]);
        assert_eq!(probes("how long does each memory cgroup reclaim take", &memcg), ["tracepoint:vmscan:mm_vmscan_memcg_reclaim_begin"]);
        assert!(probes("how long does each cgroup reclaim take", &memcg).is_empty(), "one of its words is not the abbreviation");
    }

    #[test]
    fn a_name_with_unsaid_parts_added_loses_and_an_unsaid_subsystem_describes_nothing() {
        let mut c = catalog();
        for p in ["tracepoint:fuse:fuse_request_send", "tracepoint:timer:timer_expire_entry", "tracepoint:timer:hrtimer_expire_entry", "tracepoint:jbd2:jbd2_commit_flushing"] {
            c.hooks.push(Hook { probe: p.into(), category: p.split(':').nth(1).unwrap_or_default().into(), ..c.hooks[0].clone() });
        }
        let probes = |request: &str, r: &Retrieval| ground(request, &c, false, r).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        let timers = ranked(&[("tracepoint:timer:hrtimer_expire_entry", 60.0), ("tracepoint:timer:timer_expire_entry", 58.0)]);
        let described = |request: &str, r: &Retrieval| -> Vec<String> {
            ground(request, &c, false, r)
                .events
                .into_iter()
                .flat_map(|e| match e.evidence {
                    Evidence::Described { hooks, .. } => hooks,
                    _ => vec![e.probe],
                })
                .collect()
        };
        assert_eq!(described("how long do timer callbacks run after the expire-entry event?", &timers), ["tracepoint:timer:timer_expire_entry"]);
        // "how many times" counts: it names no timer.
        let itimer = ranked(&[("tracepoint:timer:itimer_state", 30.0)]);
        assert!(described("how many times was a task switched out while in D state", &itimer).is_empty());
        assert!(described("every time a task changes state", &itimer).is_empty());
        assert_eq!(described("count itimer state changes", &itimer), ["tracepoint:timer:itimer_state"]);
        // Neither name inside the other: both stay.
        let leases = ranked(&[("tracepoint:filelock:break_lease_block", 50.0), ("tracepoint:filelock:break_lease_noblock", 50.0)]);
        assert_eq!(described("non-blocking opens that break file leases", &leases).len(), 2);
        // A filesystem's events only where the request names it (so jbd2's "journal commit
        // flushing" wants ext4 or jbd2 said too).
        let fuse = ranked(&[("tracepoint:fuse:fuse_request_send", 40.0)]);
        assert!(probes("whenever this server must send its reply to a connection request again", &fuse).is_empty());
        assert_eq!(probes("how often does fuse send a request", &fuse), ["tracepoint:fuse:*"]);
        let jbd2 = ranked(&[("tracepoint:jbd2:jbd2_commit_flushing", 40.0)]);
        assert!(described("how often is a journal commit flushing its buffers", &jbd2).is_empty());
        assert!(described("how often is an ext4 journal commit flushing its buffers", &jbd2).contains(&"tracepoint:jbd2:*".to_string()));
    }

    #[test]
    fn a_path_under_proc_is_a_file_and_a_binary_has_a_directory() {
        let c = catalog();
        for story in ["Something is hammering /proc. Count write() calls by process.", "Something keeps writing to /proc/self/status: write() calls by process"] {
            let g = ground(story, &c, false, &Retrieval::default());
            assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:syscalls:sys_enter_write"], "{story}");
        }
        assert!(ground("count teleport_now() calls in /opt/app/bin/server", &c, false, &Retrieval::default()).servable.is_here(), "a function of a binary");
    }

    #[test]
    fn a_bare_syscall_name_no_example_uses_names_it() {
        let c = catalog();
        let mut c = c;
        c.hooks.push(Hook { probe: "tracepoint:syscalls:sys_enter_getrandom".into(), ..c.hooks[0].clone() });
        let g = ground("tally getrandoms by program", &c, false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:syscalls:sys_enter_getrandom"]);
        assert!(ground("tally closes by program", &c, false, &Retrieval::default()).events.is_empty(), "close is an everyday word");
        c.hooks.push(Hook { probe: "tracepoint:syscalls:sys_enter_sendfile64".into(), ..c.hooks[0].clone() });
        let g = ground("bytes pushed out via sendfile", &c, false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:syscalls:sys_enter_sendfile64"], "as the kernel spells it");
        let mut familiar = Retrieval::default();
        familiar.familiar.insert("close".into());
        assert!(
            ground("count each getrandom by process", &c, false, &Retrieval { familiar: ["getrandom".to_string()].into(), ..familiar }).events.is_empty(),
            "a word the examples use is theirs"
        );
        // A familiar word listed with a named syscall is named too; alone it stays the examples'.
        for call in ["truncate", "ftruncate"] {
            c.hooks.push(Hook { probe: format!("tracepoint:syscalls:sys_enter_{call}"), ..c.hooks[0].clone() });
        }
        let familiar = Retrieval { familiar: ["truncate".to_string(), "truncates".to_string()].into(), ..Retrieval::default() };
        // ("truncate" is also an everyday word.)
        let probes = |r: &str| ground(r, &c, false, &familiar).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        let both = ["tracepoint:syscalls:sys_enter_ftruncate", "tracepoint:syscalls:sys_enter_truncate"];
        assert_eq!(probes("print every truncate or ftruncate: the length it truncates to"), both);
        assert_eq!(probes("log ftruncate() and truncate() calls"), both);
        assert_eq!(probes("ftruncate calls that truncate files to zero"), ["tracepoint:syscalls:sys_enter_ftruncate"], "not a list");
        // A plural names the things beside a syscall named as itself.
        for call in ["symlink", "readlink"] {
            c.hooks.push(Hook { probe: format!("tracepoint:syscalls:sys_enter_{call}"), ..c.hooks[0].clone() });
        }
        let none = Retrieval::default();
        let probes = |r: &str| ground(r, &c, false, &none).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        assert_eq!(probes("which programs are resolving symlinks with readlink?"), ["tracepoint:syscalls:sys_enter_readlink"]);
        assert_eq!(probes("count symlinks being made"), ["tracepoint:syscalls:sys_enter_symlink"], "alone, the plural names the call");
        // A request that marks its calls marks each: an unmarked word is English, unless listed
        // with one it marks.
        for call in ["pkey_alloc", "access", "clone", "clone3", "fork", "time", "newfstatat", "statx"] {
            c.hooks.push(Hook { probe: format!("tracepoint:syscalls:sys_enter_{call}"), ..c.hooks[0].clone() });
        }
        let probes = |r: &str| ground(r, &c, false, &none).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        assert_eq!(probes("Print each pkey_alloc() call: pid, the flags and the initial access rights it asks for."), ["tracepoint:syscalls:sys_enter_pkey_alloc"]);
        assert_eq!(probes("Print each pkey_alloc call and access call"), ["tracepoint:syscalls:sys_enter_pkey_alloc", "tracepoint:syscalls:sys_enter_access"]);
        assert_eq!(probes("time spent in clone/clone3() per process"), ["tracepoint:syscalls:sys_enter_clone3", "tracepoint:syscalls:sys_enter_clone"]);
        // The list as a whole: clone is listed beside clone3, which is listed beside fork().
        let mut all = probes("fork() is slow. time spent inside clone/clone3/fork per process");
        all.sort();
        assert_eq!(all, ["tracepoint:syscalls:sys_enter_clone", "tracepoint:syscalls:sys_enter_clone3", "tracepoint:syscalls:sys_enter_fork"]);
        // A word that names no call anchors nothing: "pid" does not bring "time" in.
        assert_eq!(probes("trace clone3() or clone, pid and time"), ["tracepoint:syscalls:sys_enter_clone3", "tracepoint:syscalls:sys_enter_clone"]);
        // A familiar libc name called a call is the function, as glibc makes it.
        assert_eq!(probes("count stat calls per process"), ["tracepoint:syscalls:sys_enter_newfstatat", "tracepoint:syscalls:sys_enter_statx"]);
        assert!(probes("how often the stat page is read").is_empty(), "a word, not a call");
        // A software event by its name, where no tracepoint counts it or the words say software.
        let mut soft = catalog();
        for name in ["alignment-faults", "page-faults", "major-faults", "context-switches"] {
            soft.hooks.push(Hook { probe: format!("software:{name}"), kind: HookKind::Software, category: "software".into(), ..c.hooks[0].clone() });
        }
        let probes = |r: &str| ground(r, &soft, false, &none).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        assert_eq!(probes("alignment faults per process, every 10 seconds"), ["software:alignment-faults"]);
        assert_eq!(probes("page faults per process from the software event"), ["software:page-faults"]);
        assert!(!probes("page faults per process").contains(&"software:page-faults".to_string()), "a tracepoint may count them");
        // No tracepoint tells a major fault; an alias said as the event's name.
        assert_eq!(probes("how many major page faults happen each second, per process?"), ["software:major-faults"]);
        assert_eq!(probes("ctx switches/s per CPU, software cs event"), ["software:context-switches"]);
        // "hw" speaks of the hardware; a counter found by some of another's words is that one.
        let words = |r: &str| r.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(counters(&words("hw ref-cycles per cgroup")).into_iter().map(|(n, _)| n).collect::<Vec<_>>(), ["ref-cycles"]);
        assert_eq!(counters(&words("cpu cycles and cache misses per process")).len(), 2);
        // An absent subsystem outweighs a bare word.
        let mount = Catalog { hooks: vec![Hook { probe: "tracepoint:syscalls:sys_enter_mount".into(), ..c.hooks[0].clone() }], ..catalog() };
        assert!(matches!(ground("NFS getattr calls by mount", &mount, false, &Retrieval::default()).servable, Servable::AbsentHere { .. }));
    }

    #[test]
    fn a_libc_function_is_grounded_in_the_syscall_it_really_makes() {
        let mut c = catalog();
        for call in ["nanosleep", "clock_nanosleep", "open", "openat", "rt_sigqueueinfo", "semop", "semtimedop"] {
            c.hooks.push(Hook { probe: format!("tracepoint:syscalls:sys_enter_{call}"), ..c.hooks[0].clone() });
        }
        let probes = |request: &str| ground(request, &c, false, &Retrieval::default()).events.into_iter().map(|e| e.probe).collect::<Vec<_>>();
        assert_eq!(probes("trace nanosleep requests by process"), ["tracepoint:syscalls:sys_enter_clock_nanosleep"]);
        assert_eq!(probes("files passed to open()"), ["tracepoint:syscalls:sys_enter_openat"]);
        assert_eq!(probes("count sys_open calls"), ["tracepoint:syscalls:sys_enter_open"], "the syscall itself, by its kernel name");
        // glibc's sigqueue() is rt_sigqueueinfo; its semop() is semtimedop, though a program
        // may still make semop itself.
        assert_eq!(probes("Show each queued signal sent with sigqueue(): sender comm, target pid"), ["tracepoint:syscalls:sys_enter_rt_sigqueueinfo"]);
        assert_eq!(probes("count semop() calls"), ["tracepoint:syscalls:sys_enter_semtimedop", "tracepoint:syscalls:sys_enter_semop"]);
        let familiar = Retrieval { familiar: ["open".to_string()].into(), ..Retrieval::default() };
        assert!(ground("which files do processes open", &c, false, &familiar).events.is_empty(), "\"open\" alone is a word the examples show, not libc's open()");
        let g = ground("trace nanosleep requests by process", &c, false, &Retrieval::default());
        assert!(matches!(&g.events[0].evidence, Evidence::Libc { function, .. } if function == "nanosleep"));
        let familiar = Retrieval { familiar: ["nanosleep".to_string()].into(), ..Retrieval::default() };
        assert_eq!(
            ground("trace nanosleep requests by process", &c, false, &familiar).events[0].probe,
            "tracepoint:syscalls:sys_enter_clock_nanosleep",
            "however familiar the word"
        );
    }

    #[test]
    fn weak_words_stay_weak() {
        let c = catalog();
        // Everyday words that are syscalls name none; a bare word yields to a counter.
        let mut with_sync = catalog();
        with_sync.hooks.push(Hook { probe: "tracepoint:syscalls:sys_enter_sync".into(), ..c.hooks[0].clone() });
        assert!(ground("why does sync take so long", &with_sync, false, &Retrieval::default()).events.is_empty());
        with_sync.hooks.push(Hook { probe: "tracepoint:syscalls:sys_enter_getrandom".into(), ..c.hooks[0].clone() });
        assert_eq!(ground("count getrandom calls", &with_sync, false, &Retrieval::default()).events.len(), 1);
        assert!(matches!(ground("cpu cycles spent in getrandom", &with_sync, false, &Retrieval::default()).servable, Servable::NoPmu { .. }));
        // A request about a library is not held to the kernel's tracepoints.
        let tlb = ranked(&[("tracepoint:tlb:tlb_flush", 100.0)]);
        assert!(ground("tlb flushes caused by the libc allocator", &c, false, &tlb).events.is_empty());
        // Where fentry is refused, the refused kfunc still decides: nothing may stand in.
        let g = ground("fentry on copy_process to count forks", &c, false, &Retrieval::default());
        assert!(matches!(g.servable, Servable::CannotAttachHere { .. }));
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["kfunc:copy_process"]);
        assert_eq!(stem("caches"), stem("cache"));
        assert_eq!(stem("flushes"), stem("flush"));
        assert_eq!(stem("dirtied"), stem("dirty"));
    }

    #[test]
    fn cpu_samples_asked_for_are_the_profile_probe_at_the_rate_said() {
        let c = catalog();
        let probes = |r: &str| ground(r, &c, false, &Retrieval::default()).events.iter().map(|e| e.probe.clone()).collect::<Vec<_>>();
        assert_eq!(probes("99Hz on-cpu samples, top 10 (cpu, comm) every 5s"), ["profile:hz:99"]);
        assert_eq!(probes("sample kernel stacks at 49 hertz for blobcopy"), ["profile:hz:49"]);
        assert_eq!(probes("profile on-cpu kernel stacks"), ["profile:hz:99"]);
        // A call only the story names is the setting of the samples the ask wants.
        let g = ground("strace -c says mostly write(). Ask: sample kernel stacks at 99 Hz and count them.", &c, false, &Retrieval::default());
        assert_eq!(g.events.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["profile:hz:99"]);
        assert_eq!(g.told.iter().map(|e| e.probe.as_str()).collect::<Vec<_>>(), ["tracepoint:syscalls:sys_enter_write"]);
        // Sampling a counter samples the counter; a sample every second is a timer's; a rate with
        // no word of sampling is no request for samples.
        assert!(probes("sample cache misses at 99 Hz on every cpu").iter().all(|p| p.starts_with("hardware:")));
        assert!(probes("sample the number of open files every second").is_empty());
        assert!(probes("the timer tick runs at 250 Hz; count close() calls").iter().all(|p| !p.starts_with("profile:")));
        // Without a rate, only samples of what runs on a CPU, and only where nothing else is named.
        assert_eq!(probes("profile kernel stacks while close() runs"), ["tracepoint:syscalls:sys_enter_close"]);
        // A rate the story gives is not the sampling rate; a period is left to the model.
        assert_eq!(probes("The NIC raises 8000 Hz of interrupts. Sample on-cpu kernel stacks and count them."), ["profile:hz:99"]);
        assert!(probes("sample kernel stacks every 10 ms").is_empty());
        assert!(probes("sample the dirty pages at 1 Hz").is_empty());
    }

    #[test]
    fn the_subsystem_table_parses() {
        assert!(subsystems().len() >= 40);
        assert!(subsystems().iter().all(|s| !s.words.is_empty() && !s.categories.is_empty()));
    }
}
