//! Perf events bpftrace can attach to: software events always, hardware events only where the
//! kernel exposes a CPU PMU (virtual machines often do not).

use std::path::Path;

/// bpftrace's software event names with the aliases it also accepts, and what each counts.
pub const SOFTWARE: &[(&str, &str, &str)] = &[
    ("cpu-clock", "cpu", "CPU wall-clock timer: sample what runs on each CPU"),
    ("task-clock", "", "per-task clock"),
    ("page-faults", "faults", "page faults, minor and major"),
    ("context-switches", "cs", "context switches"),
    ("cpu-migrations", "", "task migrations between CPUs"),
    ("minor-faults", "", "minor page faults (no disk I/O)"),
    ("major-faults", "", "major page faults (disk I/O)"),
    ("alignment-faults", "", "alignment faults"),
    ("emulation-faults", "", "emulation faults"),
];

/// bpftrace's hardware event names with their aliases.
pub const HARDWARE: &[(&str, &str, &str)] = &[
    ("cpu-cycles", "cycles", "CPU cycles"),
    ("instructions", "", "retired instructions"),
    ("cache-references", "", "cache references"),
    ("cache-misses", "", "cache misses"),
    ("branch-instructions", "branches", "retired branch instructions"),
    ("branch-misses", "", "mispredicted branches"),
    ("bus-cycles", "", "bus cycles"),
    ("ref-cycles", "", "reference cycles, unaffected by frequency scaling"),
    // perf calls them stalled-cycles-frontend and stalled-cycles-backend.
    ("frontend-stalls", "", "stalled cycles frontend"),
    ("backend-stalls", "", "stalled cycles backend"),
];

/// Whether hardware counters exist: the `cpu` PMU is registered with perf.
pub fn has_hardware_pmu() -> bool {
    Path::new("/sys/bus/event_source/devices/cpu").exists()
}
