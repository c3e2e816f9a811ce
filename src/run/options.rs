//! What to run and how.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use aya::programs::perf_event::{HardwareEvent, PerfEventConfig, SoftwareEvent};

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
    /// `--unsafe`: bpftrace runs with its own `--unsafe`, once Kgent's gate let the program by.
    pub allow_unsafe: bool,
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
            allow_unsafe: false,
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

/// The perf event `perf_event` programs attach to: `software:cpu-clock:99` (KIND:EVENT:HZ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerfSpec {
    pub hardware: bool,
    pub event: String,
    pub frequency: u64,
}

impl std::fmt::Display for PerfSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", if self.hardware { "hardware" } else { "software" }, self.event, self.frequency)
    }
}

impl std::str::FromStr for PerfSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<PerfSpec, String> {
        let mut parts = s.split(':');
        let (kind, event) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let frequency = match parts.next() {
            Some(hz) => hz.parse().ok().filter(|&h| h > 0).ok_or_else(|| format!("bad frequency {hz:?} in {s:?}: give samples per second, e.g. 99"))?,
            None => 99,
        };
        let hardware = match kind {
            "software" | "s" => false,
            "hardware" | "h" => true,
            _ => return Err(format!("{s:?}: expected software:EVENT[:HZ] or hardware:EVENT[:HZ]")),
        };
        let spec = PerfSpec { hardware, event: event.to_string(), frequency };
        spec.config()?;
        Ok(spec)
    }
}

impl PerfSpec {
    pub(super) fn config(&self) -> Result<PerfEventConfig, String> {
        let e = self.event.as_str();
        if self.hardware {
            let ev = match e {
                "cpu-cycles" | "cycles" => HardwareEvent::CpuCycles,
                "instructions" => HardwareEvent::Instructions,
                "cache-references" => HardwareEvent::CacheReferences,
                "cache-misses" => HardwareEvent::CacheMisses,
                "branch-instructions" | "branches" => HardwareEvent::BranchInstructions,
                "branch-misses" => HardwareEvent::BranchMisses,
                _ => return Err(format!("unknown hardware event {e:?} (cpu-cycles, instructions, cache-references, cache-misses, branches, branch-misses)")),
            };
            Ok(PerfEventConfig::Hardware(ev))
        } else {
            let ev = match e {
                "cpu-clock" | "cpu" => SoftwareEvent::CpuClock,
                "task-clock" => SoftwareEvent::TaskClock,
                "page-faults" | "faults" => SoftwareEvent::PageFaults,
                "context-switches" | "cs" => SoftwareEvent::ContextSwitches,
                "cpu-migrations" | "migrations" => SoftwareEvent::CpuMigrations,
                "minor-faults" => SoftwareEvent::PageFaultsMin,
                "major-faults" => SoftwareEvent::PageFaultsMaj,
                _ => return Err(format!("unknown software event {e:?} (cpu-clock, task-clock, page-faults, context-switches, cpu-migrations, minor-faults, major-faults)")),
            };
            Ok(PerfEventConfig::Software(ev))
        }
    }
}
