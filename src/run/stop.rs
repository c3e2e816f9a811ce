//! How a run ends: its stop conditions, what it did, and what it left behind.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::error::RunError;

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
/// Outside runs they act as they always do: an `eval` between two triggered runs still ends on
/// SIGTERM.
pub struct Stop {
    deadline: Option<Instant>,
    done: Option<Arc<AtomicBool>>,
}

/// Live `Stop`s; the signal they were sent.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
static SIGNAL: AtomicUsize = AtomicUsize::new(0);
static HANDLERS: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();

/// Installs, once per process, the handler that ends a run while one is live and otherwise does
/// what the signal would have done. (Unregistering a signal-hook action leaves the signal
/// ignored, so a handler per run would make Kgent deaf to SIGTERM after its first run.)
fn handlers() -> Result<(), RunError> {
    let installed = HANDLERS.get_or_init(|| {
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // SAFETY: the action only touches atomics and calls `emulate_default_handler`, both
            // async-signal-safe.
            let action = move || {
                if ACTIVE.load(Ordering::SeqCst) > 0 {
                    SIGNAL.store(sig as usize, Ordering::SeqCst);
                } else {
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                }
            };
            unsafe { signal_hook::low_level::register(sig, action) }.map_err(|e| e.to_string())?;
        }
        Ok(())
    });
    installed.clone().map_err(|e| RunError::Signals(std::io::Error::other(e)))
}

impl Stop {
    pub fn install(duration: Option<Duration>, done: Option<Arc<AtomicBool>>) -> Result<Stop, RunError> {
        handlers()?;
        if ACTIVE.fetch_add(1, Ordering::SeqCst) == 0 {
            SIGNAL.store(0, Ordering::SeqCst);
        }
        Ok(Stop { deadline: duration.map(|d| Instant::now() + d), done })
    }

    pub fn reason(&self) -> Option<StopReason> {
        match SIGNAL.load(Ordering::SeqCst) as i32 {
            signal_hook::consts::SIGINT => Some(StopReason::Interrupted),
            signal_hook::consts::SIGTERM => Some(StopReason::Terminated),
            _ if self.done.as_ref().is_some_and(|d| d.load(Ordering::SeqCst)) => Some(StopReason::Done),
            _ => self.deadline.filter(|d| Instant::now() >= *d).map(|_| StopReason::Duration),
        }
    }
}

/// The signal that ended the last run (SIGINT or SIGTERM), once no run is live: a command that
/// runs many programs in turn (`eval --run-triggers`) stops too.
pub fn signalled() -> Option<i32> {
    let sig = SIGNAL.load(Ordering::SeqCst) as i32;
    (ACTIVE.load(Ordering::SeqCst) == 0 && sig != 0).then_some(sig)
}

impl Drop for Stop {
    fn drop(&mut self) {
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
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
