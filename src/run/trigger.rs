//! Proving a program reports what it should: run it for a few seconds while a trigger command
//! fires (exec a process, open a file, send a signal, type into bash) and look for the expected
//! pattern in its output. Used by `kgent eval --run-triggers` and the dataset's own tests.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::error::RunError;
use super::options::{RunOptions, Runnable};

/// A command that makes the traced event happen, and a regex its output must then match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// Run with `sh -c`, repeatedly, while the program is attached. These come from our own corpus
    /// files, never from a model.
    pub command: String,
    /// A regular expression the program's output must match.
    pub expect: String,
}

/// What happened when the program ran with its trigger.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerVerdict {
    pub matched: bool,
    /// The end of the program's output, for the report.
    pub output_tail: String,
    /// Why it could not run at all (attach failure, bpftrace error).
    pub error: Option<String>,
    pub seconds: f64,
}

/// An output sink several threads can read while the run writes to it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

fn tail(text: &str, max: usize) -> String {
    let start = text.char_indices().rev().nth(max).map_or(0, |(i, _)| i);
    text[start..].to_string()
}

/// Runs `what` for at most `duration` (text output), firing `trigger.command` every half second
/// once the program is attached, then matches `trigger.expect` against everything it printed.
pub fn check(what: &Runnable, trigger: &Trigger, duration: Duration) -> Result<TriggerVerdict, RunError> {
    let pattern = regex::Regex::new(&trigger.expect).map_err(|e| RunError::BadObject(format!("bad expect pattern {:?}: {e}", trigger.expect)))?;
    let out = Shared::default();
    let attached = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicBool::new(false));
    // Ends the run as soon as the pattern shows up (records printed as they come); programs that
    // print only at exit run for the whole duration.
    let seen = Arc::new(AtomicBool::new(false));
    let opts = RunOptions { duration: Some(duration), done: Some(Arc::clone(&seen)), ..RunOptions::default() };
    let firing = {
        let (out, attached, done, seen, pattern, command) = (out.clone(), Arc::clone(&attached), Arc::clone(&done), Arc::clone(&seen), pattern.clone(), trigger.command.clone());
        std::thread::spawn(move || {
            // bpftrace says "Attaching N probes..." just before it attaches; C runs say so through
            // `attached`. Either way, give the attach a moment.
            while !done.load(Ordering::SeqCst) && !attached.load(Ordering::SeqCst) && !out.text().contains("Attaching") {
                std::thread::sleep(Duration::from_millis(50));
            }
            std::thread::sleep(Duration::from_millis(500));
            while !done.load(Ordering::SeqCst) {
                if pattern.is_match(&out.text()) {
                    seen.store(true, Ordering::SeqCst);
                }
                let _ = Command::new("sh").arg("-c").arg(&command).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status();
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    let start = Instant::now();
    let mut sink = out.clone();
    let result = super::run(what, &opts, &mut sink, &mut |_| attached.store(true, Ordering::SeqCst));
    done.store(true, Ordering::SeqCst);
    let _ = firing.join();
    let text = out.text();
    let (error, exited_badly) = match &result {
        Ok(s) => (None, s.stopped_by.is_none() && s.exit_code.is_some_and(|c| c != 0)),
        Err(e) => (Some(e.to_string()), true),
    };
    if matches!(result, Err(RunError::NotRoot)) {
        return Err(RunError::NotRoot);
    }
    Ok(TriggerVerdict {
        matched: !exited_badly && pattern.is_match(&text),
        output_tail: tail(&text, 600),
        error: error.or_else(|| exited_badly.then(|| "bpftrace exited with an error".to_string())),
        seconds: start.elapsed().as_secs_f64(),
    })
}
