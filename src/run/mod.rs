//! Running a program, only when the user asks (`kgent run`, `kgent gen --run`): confirm, attach,
//! print what it reports, and detach everything when the duration ends, on Ctrl-C or on SIGTERM.
//!
//! bpftrace scripts run through bpftrace ([`bpftrace`]); C objects are loaded and attached with
//! aya by section name ([`attach`]), their records and maps decoded through the object's BTF
//! ([`output`]).

pub mod attach;
pub mod bpftrace;
mod error;
mod options;
pub mod output;
mod stop;
pub mod trigger;

pub use error::RunError;
pub use options::{PerfSpec, RunOptions, Runnable};
pub use stop::{signalled, Footprint, RunSummary, Stop, StopReason};

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::obj::source::{bpftrace_probes, c_probes};
use crate::obj::Target;
use crate::verify::compile::{compile, compile_bpftrace, CompileVerdict};
use crate::verify::safety::{self, Allowed, SafetyVerdict};

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
    /// The file name the user knows it by, for the places verdicts point at.
    pub name: String,
    _dir: Option<tempfile::TempDir>,
}

impl Prepared {
    /// A bpftrace script file or a compiled object, as they are.
    pub fn file(runnable: Runnable, probes: Vec<String>, name: String) -> Prepared {
        Prepared { runnable, probes, name, _dir: None }
    }
}

/// Readies program text: bpftrace text goes to a private file (bpftrace takes the script as a
/// file argument), C is compiled against this kernel's `vmlinux.h` (cached under `home`).
pub fn prepare(source: &str, target: Target, home: &Path) -> Result<Prepared, RunError> {
    match target {
        Target::Bpftrace => {
            let dir = tempfile::tempdir().map_err(RunError::Io)?;
            let path = dir.path().join(target.scratch_name());
            std::fs::write(&path, source).map_err(RunError::Io)?;
            Ok(Prepared { runnable: Runnable::Bpftrace(path), probes: bpftrace_probes(source), name: target.scratch_name().into(), _dir: Some(dir) })
        }
        Target::Libbpf => {
            let object = match compile(Target::Libbpf, source, home, false)? {
                CompileVerdict::Compiled { object, .. } => object,
                CompileVerdict::Failed { diagnostics } => return Err(RunError::Compile(diagnostics)),
            };
            let types = match record_types_source(source).map(|s| compile(Target::Libbpf, &s, home, false)).transpose()? {
                Some(CompileVerdict::Compiled { object, .. }) => Some(object),
                _ => None,
            };
            Ok(Prepared { runnable: Runnable::Object { object, types }, probes: c_probes(source), name: target.scratch_name().into(), _dir: None })
        }
    }
}

/// A program the user brought, readied under the name they know it by: source as [`prepare`]
/// readies it, an object as it is, its probes in bpftrace's spelling as for source (a section
/// outside the probe table keeps its name).
pub fn prepare_program(program: crate::obj::file::ProgramFile, name: &str, home: &Path) -> Result<Prepared, RunError> {
    let mut prepared = match program {
        crate::obj::file::ProgramFile::Source { target, text } => prepare(&text, target, home)?,
        crate::obj::file::ProgramFile::Object(object) => {
            let sections = crate::obj::elf::function_sections(&object).map_err(|e| RunError::BadObject(e.to_string()))?;
            let probes = sections.values().map(|s| crate::obj::Probe::of_c_section(s).map_or_else(|| s.clone(), |p| p.to_string())).collect();
            Prepared::file(Runnable::Object { object, types: None }, probes, String::new())
        }
    };
    prepared.name = name.to_string();
    Ok(prepared)
}

/// What a prepared program does to the system beyond observing it, by the same gate `gen` applies
/// ([`crate::verify::safety`]), with packet actions passing when `packets` allows them; `--unsafe`
/// is the caller's to weigh. A script that does not compile has nothing to report here: bpftrace
/// says why when it runs.
pub fn gate(prepared: &Prepared, packets: bool) -> Result<SafetyVerdict, RunError> {
    let allowed = Allowed { everything: false, packets };
    let verdict = match &prepared.runnable {
        Runnable::Bpftrace(path) => {
            let source = std::fs::read_to_string(path).map_err(RunError::Io)?;
            match compile_bpftrace(&source)? {
                CompileVerdict::Compiled { object, .. } => safety::check_object(&object, allowed),
                CompileVerdict::Failed { diagnostics } => safety::of_failed_compile(&diagnostics),
            }
        }
        Runnable::Object { object, .. } => safety::check_object(object, allowed),
    };
    Ok(verdict.in_file(&prepared.name))
}

/// clang writes BTF only for types that globals and function signatures use, so the `struct
/// event` a program sends through its ring buffer (used only through a local pointer) is usually
/// missing. For decoding, the same source is compiled once more with a global pointer to it; the
/// object that runs is the one that was verified.
pub fn record_types_source(source: &str) -> Option<String> {
    let defines = regex::Regex::new(r"struct\s+event\s*\{").expect("valid regex").is_match(source);
    defines.then(|| format!("{source}\nstruct event *__kgent_record_type __attribute__((unused));\n"))
}

/// Told once a C object's programs are in: `(program, where it was attached)` for each.
pub type OnAttached<'a> = dyn FnMut(&[(String, String)]) + 'a;

/// Runs `what` until it ends, the duration passes, or a signal arrives; everything attached is
/// detached before this returns. `on_attached` is told once programs are in (C objects).
pub fn run(what: &Runnable, opts: &RunOptions, out: &mut dyn Write, on_attached: &mut OnAttached) -> Result<RunSummary, RunError> {
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
