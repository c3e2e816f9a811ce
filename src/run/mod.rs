//! Running a program, only when the user asks (`kgent run`, `kgent gen --run`): confirm, attach,
//! print what it reports, and detach everything when the duration ends, on Ctrl-C or on SIGTERM.
//!
//! bpftrace scripts run through bpftrace ([`bpftrace`]); C objects are loaded and attached with
//! aya by section name ([`attach`]), their records and maps decoded through the object's BTF
//! ([`output`]).

pub mod attach;
pub mod bpftrace;
pub mod output;
pub mod trigger;

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

pub use attach::PerfSpec;

use crate::obj::source::{bpftrace_probes, c_probes};
use crate::obj::Target;
use crate::verify::compile::{compile, CompileVerdict};

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Stop after this long [default: run until Ctrl-C or SIGTERM].
    pub duration: Option<Duration>,
    /// For C programs: print the maps this often, besides at the end.
    pub interval: Option<Duration>,
    /// JSON lines instead of text.
    pub json: bool,
    /// The interface XDP, tc and socket-filter programs attach to.
    pub iface: String,
    /// The event `perf_event` programs sample.
    pub perf_event: PerfSpec,
    /// Set by the caller to end the run early (a trigger check that already saw its pattern).
    pub done: Option<Arc<AtomicBool>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            duration: None,
            interval: None,
            json: false,
            iface: "lo".into(),
            perf_event: PerfSpec { hardware: false, event: "cpu-clock".into(), frequency: 99 },
            done: None,
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub enum Runnable {
    /// A bpftrace script file.
    Bpftrace(PathBuf),
    /// A compiled C object (clang's ELF), and where to read its record types when its own BTF
    /// lacks them (see [`record_types_source`]).
    Object { object: Vec<u8>, types: Option<Vec<u8>> },
}

/// Failures of running, each naming what to do.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("running BPF programs needs root (CAP_BPF and CAP_PERFMON): rerun with sudo")]
    NotRoot,
    #[error("not attaching without confirmation: standard input is not a terminal; pass --yes to attach anyway")]
    NoTerminal,
    #[error("not attaching: you declined")]
    Declined,
    #[error("cannot run {tool}: {source}; install it with scripts/setup.sh")]
    ToolMissing { tool: &'static str, source: std::io::Error },
    #[error("the program does not compile:\n{0}")]
    Compile(String),
    #[error(transparent)]
    Compiler(#[from] crate::verify::compile::CompileError),
    #[error("cannot load the object: {0}")]
    BadObject(String),
    #[error("cannot attach {program} to {probe}: {message}")]
    Attach { program: String, probe: String, message: String },
    #[error("cannot watch for Ctrl-C and SIGTERM: {0}")]
    Signals(std::io::Error),
    #[error("{0}")]
    Io(std::io::Error),
}

/// Why a run ended before the program ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Duration,
    Interrupted,
    Terminated,
    /// The caller asked (`RunOptions::done`).
    Done,
}

/// The stop conditions of one run: the duration's deadline, SIGINT and SIGTERM. While a `Stop`
/// exists those signals no longer kill Kgent; they end the run, so cleanup always happens.
pub struct Stop {
    signal: Arc<AtomicUsize>,
    deadline: Option<Instant>,
    done: Option<Arc<AtomicBool>>,
    ids: Vec<signal_hook::SigId>,
}

impl Stop {
    pub fn install(duration: Option<Duration>, done: Option<Arc<AtomicBool>>) -> Result<Stop, RunError> {
        let signal = Arc::new(AtomicUsize::new(0));
        let mut ids = Vec::new();
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            ids.push(signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize).map_err(RunError::Signals)?);
        }
        Ok(Stop { signal, deadline: duration.map(|d| Instant::now() + d), done, ids })
    }

    pub fn reason(&self) -> Option<StopReason> {
        match self.signal.load(Ordering::SeqCst) as i32 {
            signal_hook::consts::SIGINT => Some(StopReason::Interrupted),
            signal_hook::consts::SIGTERM => Some(StopReason::Terminated),
            _ if self.done.as_ref().is_some_and(|d| d.load(Ordering::SeqCst)) => Some(StopReason::Done),
            _ => self.deadline.filter(|d| Instant::now() >= *d).map(|_| StopReason::Duration),
        }
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// `None` when the program ended by itself (a bpftrace `exit()`).
    pub stopped_by: Option<StopReason>,
    /// `(program, where it was attached)`; for bpftrace, its own report on stdout says.
    pub attached: Vec<(String, String)>,
    /// Ring-buffer and perf-event records printed (C programs).
    pub events: u64,
    pub seconds: f64,
    /// bpftrace's exit status, when it ran.
    pub exit_code: Option<i32>,
}

/// The BPF programs and links alive on this host, by id: taken before and after a run, the
/// difference is what the run left behind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Footprint {
    pub programs: BTreeSet<u32>,
    pub links: BTreeSet<u32>,
}

impl Footprint {
    pub fn now() -> Footprint {
        Footprint {
            programs: aya::programs::loaded_programs().filter_map(Result::ok).map(|p| p.id()).collect(),
            links: aya::programs::loaded_links().filter_map(Result::ok).map(|l| l.id()).collect(),
        }
    }

    /// What exists now that did not exist in `before`.
    pub fn added_since(&self, before: &Footprint) -> Footprint {
        Footprint { programs: self.programs.difference(&before.programs).copied().collect(), links: self.links.difference(&before.links).copied().collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.programs.is_empty() && self.links.is_empty()
    }
}

pub use crate::kernel::is_root;

/// What `--run` needs, checked before any slow work (a gen that cannot run its result should say
/// so before the model spends a minute on it).
pub fn preflight(yes: bool) -> Result<(), RunError> {
    if !is_root() {
        return Err(RunError::NotRoot);
    }
    if !yes && !std::io::stdin().is_terminal() {
        return Err(RunError::NoTerminal);
    }
    Ok(())
}

/// Asks before anything goes into the kernel. `--yes` skips the question; without a terminal
/// to ask on, the answer is no.
pub fn confirm(what: &str, yes: bool) -> Result<(), RunError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(RunError::NoTerminal);
    }
    eprint!("{what}\nAttach it to the running kernel? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(RunError::Io)?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(RunError::Declined),
    }
}

/// A program in memory, ready to run, with the probes it names (for the confirmation).
pub struct Prepared {
    pub runnable: Runnable,
    pub probes: Vec<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Prepared {
    /// A bpftrace script file or a compiled object, as they are.
    pub fn file(runnable: Runnable, probes: Vec<String>) -> Prepared {
        Prepared { runnable, probes, _dir: None }
    }
}

/// Readies program text: bpftrace text goes to a private file (bpftrace takes the script as a
/// file argument), C is compiled against this kernel's `vmlinux.h` (cached under `home`).
pub fn prepare(source: &str, target: Target, home: &Path) -> Result<Prepared, RunError> {
    match target {
        Target::Bpftrace => {
            let dir = tempfile::tempdir().map_err(RunError::Io)?;
            let path = dir.path().join("program.bt");
            std::fs::write(&path, source).map_err(RunError::Io)?;
            Ok(Prepared { runnable: Runnable::Bpftrace(path), probes: bpftrace_probes(source), _dir: Some(dir) })
        }
        Target::Libbpf => {
            let object = match compile(Target::Libbpf, source, home)? {
                CompileVerdict::Compiled { object, .. } => object,
                CompileVerdict::Failed { diagnostics } => return Err(RunError::Compile(diagnostics)),
            };
            let types = match record_types_source(source).map(|s| compile(Target::Libbpf, &s, home)).transpose()? {
                Some(CompileVerdict::Compiled { object, .. }) => Some(object),
                _ => None,
            };
            Ok(Prepared { runnable: Runnable::Object { object, types }, probes: c_probes(source), _dir: None })
        }
    }
}

/// clang writes BTF only for types that globals and function signatures use, so the `struct
/// event` a program sends through its ring buffer (used only through a local pointer) is usually
/// missing. For decoding, the same source is compiled once more with a global pointer to it; the
/// object that runs is the one that was verified.
pub fn record_types_source(source: &str) -> Option<String> {
    let defines = regex::Regex::new(r"struct\s+event\s*\{").expect("valid regex").is_match(source);
    defines.then(|| format!("{source}\nstruct event *__kgent_record_type __attribute__((unused));\n"))
}

/// Runs `what` until it ends, the duration passes, or a signal arrives; everything attached is
/// detached before this returns. `on_attached` is told once programs are in (C objects).
pub fn run(what: &Runnable, opts: &RunOptions, out: &mut dyn Write, on_attached: &mut dyn FnMut(&[(String, String)])) -> Result<RunSummary, RunError> {
    if !is_root() {
        return Err(RunError::NotRoot);
    }
    let stop = Stop::install(opts.duration, opts.done.clone())?;
    let start = Instant::now();
    match what {
        Runnable::Bpftrace(script) => {
            let (stopped_by, status) = bpftrace::run(script, opts, &stop, out)?;
            Ok(RunSummary { stopped_by, attached: Vec::new(), events: 0, seconds: start.elapsed().as_secs_f64(), exit_code: status.code() })
        }
        Runnable::Object { object, types } => {
            let mut attached = attach::load_and_attach(object, types.as_deref(), opts)?;
            on_attached(&attached.programs);
            let mut events = 0;
            let mut last_print = Instant::now();
            let stopped_by = loop {
                if let Some(r) = stop.reason() {
                    break r;
                }
                events += attached.drain(Duration::from_millis(100), opts.json, out).map_err(RunError::Io)?;
                if let Some(every) = opts.interval {
                    if last_print.elapsed() >= every {
                        attached.print_maps(opts.json, out).map_err(RunError::Io)?;
                        last_print = Instant::now();
                    }
                }
            };
            // Records already in the buffers, then the final maps, then detach (on drop).
            events += attached.drain(Duration::ZERO, opts.json, out).map_err(RunError::Io)?;
            attached.print_maps(opts.json, out).map_err(RunError::Io)?;
            let programs = attached.programs.clone();
            drop(attached);
            Ok(RunSummary { stopped_by: Some(stopped_by), attached: programs, events, seconds: start.elapsed().as_secs_f64(), exit_code: None })
        }
    }
}
