//! bpftrace scripts run through bpftrace itself: the script is a file argument (never a shell
//! string), output streams straight through, and stopping means SIGINT, which makes bpftrace print
//! its maps and detach. If Kgent dies first, the kernel's parent-death signal stops bpftrace too.

use std::io::{BufRead, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::error::RunError;
use super::options::RunOptions;
use super::stop::{Stop, StopReason};

/// How long bpftrace gets to print its maps and exit after SIGINT before it is killed.
const GRACE: Duration = Duration::from_secs(10);

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child's pid; a child that already exited makes it fail harmlessly.
    unsafe { libc::kill(child.id() as i32, sig) };
}

/// Runs `script` until it exits by itself or `stop` fires. Returns why it ended and its status.
pub fn run(script: &Path, opts: &RunOptions, stop: &Stop, out: &mut dyn Write) -> Result<(Option<StopReason>, ExitStatus), RunError> {
    let mut cmd = Command::new("bpftrace");
    if opts.json {
        cmd.args(["-f", "json"]);
    }
    if opts.allow_unsafe {
        cmd.arg("--unsafe");
    }
    cmd.arg(script);
    // Its own process group: a terminal's Ctrl-C reaches Kgent, which stops bpftrace exactly once.
    cmd.process_group(0);
    // SAFETY: prctl is async-signal-safe and touches only the child being set up.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // Not our stdin: under `kgent mcp` that is the client's protocol stream.
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|source| RunError::ToolMissing { tool: "bpftrace", source })?;
    // Its output goes to `out` line by line, from this thread, so callers can capture it.
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    if let Some(stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut reader = std::io::BufReader::new(stdout);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                if tx.send(std::mem::take(&mut line)).is_err() {
                    break;
                }
            }
        });
    }
    let mut copy = |wait: Duration| -> Result<(), RunError> {
        let mut next = rx.recv_timeout(wait).ok();
        while let Some(line) = next {
            out.write_all(&line).map_err(RunError::Io)?;
            next = rx.try_recv().ok();
        }
        out.flush().map_err(RunError::Io)
    };
    // bpftrace warns that it cannot raise RLIMIT_MEMLOCK even where (kernel >= 5.11) BPF memory is
    // not charged to it; the warning is dropped, every other line passes through.
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if !line.contains("RLIMIT_MEMLOCK") {
                    eprintln!("{line}");
                }
            }
        });
    }
    // Whatever bpftrace printed before it exited is still in the pipe: read to the end.
    let finish = |copy: &mut dyn FnMut(Duration) -> Result<(), RunError>| -> Result<(), RunError> {
        for _ in 0..50 {
            copy(Duration::from_millis(20))?;
        }
        Ok(())
    };
    loop {
        if let Some(status) = child.try_wait().map_err(RunError::Io)? {
            finish(&mut copy)?;
            return Ok((None, status));
        }
        if let Some(reason) = stop.reason() {
            signal(&child, libc::SIGINT);
            let asked = Instant::now();
            let mut last_ask = asked;
            loop {
                // bpftrace misses a SIGINT that arrives while it is still attaching: ask again.
                if last_ask.elapsed() > Duration::from_secs(1) {
                    signal(&child, libc::SIGINT);
                    last_ask = Instant::now();
                }
                if let Some(status) = child.try_wait().map_err(RunError::Io)? {
                    finish(&mut copy)?;
                    return Ok((Some(reason), status));
                }
                if asked.elapsed() > GRACE {
                    // Killing bpftrace closes its descriptors, which detaches its programs.
                    signal(&child, libc::SIGKILL);
                    let status = child.wait().map_err(RunError::Io)?;
                    finish(&mut copy)?;
                    return Ok((Some(reason), status));
                }
                copy(Duration::from_millis(20))?;
            }
        }
        copy(Duration::from_millis(50))?;
    }
}
