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

/// How many events one firing of a software event that counts (not a clock) stands for when a
/// bpftrace probe gives no count (`software:page-faults` fires on every 100th fault), by
/// bpftrace's name; read off bpftrace 0.17's default periods. A program that counts or prints
/// each event needs `:1`.
pub fn default_period(name: &str) -> u64 {
    match name {
        "page-faults" | "minor-faults" => 100,
        "context-switches" => 1_000,
        _ => 1,
    }
}

/// bpftrace's name for a software or hardware event, also when spelled by its alias (`cs`,
/// `faults`); `None` for a name bpftrace does not know.
pub fn canonical(name: &str) -> Option<&'static str> {
    SOFTWARE.iter().chain(HARDWARE).find(|(n, a, _)| *n == name || (!a.is_empty() && *a == name)).map(|(n, ..)| *n)
}

/// Whether the event is a clock, whose period is time: sampled by nature, never counted one by one.
pub fn is_clock(name: &str) -> bool {
    matches!(canonical(name), Some("cpu-clock" | "task-clock"))
}

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
