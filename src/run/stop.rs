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
