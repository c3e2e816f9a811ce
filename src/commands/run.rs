//! `kgent run PROGRAM`: compile if needed, ask, attach, stream output, detach.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::{RunArgs, RunFlags};
use crate::obj::file::ProgramFile;
use crate::obj::source::bpftrace_probes;
use crate::obj::Target;
use crate::run::{self, Prepared, RunOptions, Runnable};
use crate::store::home_dir;
use crate::verify::safety::SafetyVerdict;

impl RunFlags {
    pub fn options(&self, json: bool) -> RunOptions {
        RunOptions {
            duration: self.duration,
            interval: self.interval,
            json,
            iface: self.iface.clone(),
            perf_event: self.perf_event.clone(),
            done: None,
            allow_unsafe: self.allow_unsafe,
        }
    }
}

fn prepare_path(path: &Path) -> Result<Prepared> {
    let name = path.display().to_string();
    match crate::obj::file::read(path, true)? {
        // The user's own file runs as it is, so bpftrace's messages name their file.
        ProgramFile::Source { target: Target::Bpftrace, text } => Ok(Prepared::file(Runnable::Bpftrace(path.to_path_buf()), bpftrace_probes(&text), name)),
        program => run::prepare_program(program, &name, &home_dir()?).with_context(|| name.clone()),
    }
}

/// Gates, asks, runs, and reports on stderr. A program that acts on the system is refused unless
/// `--unsafe` (packet actions pass when `packets`: the request asked for them). Exit 0 when the
/// run ended as asked, 1 when bpftrace failed.
pub(crate) fn execute(prepared: &Prepared, what: &str, packets: bool, flags: &RunFlags, json: bool) -> Result<ExitCode> {
    if !run::is_root() {
        return Err(run::RunError::NotRoot.into());
    }
    let verdict = run::gate(prepared, packets)?;
    if let (Some(refusal), false) = (verdict.refusal(), flags.allow_unsafe) {
        return Err(run::RunError::Unsafe(format!("{what} acts on the system:\n{refusal}")).into());
    }
    let probes = if prepared.probes.is_empty() { "its probes".to_string() } else { prepared.probes.join(", ") };
    if let SafetyVerdict::Unsafe { actions } = &verdict {
        let each: Vec<String> = actions.iter().map(|a| format!("\n  {a}")).collect();
        eprintln!("kgent run: WARNING: {what} acts on the system (allowed by --unsafe):{}", each.concat());
    }
    run::confirm(&format!("kgent run: {what} attaches to {probes}."), flags.yes)?;
    let opts = flags.options(json);
    let mut stdout = std::io::stdout();
    let summary = run::run(&prepared.runnable, &opts, &mut stdout, &mut |programs| {
        let stop = match opts.duration {
            Some(d) => format!("for {}", humantime::format_duration(d)),
            None => "until Ctrl-C".to_string(),
        };
        eprintln!("kgent run: attached {} program{} {stop}", programs.len(), if programs.len() == 1 { "" } else { "s" });
        for (name, at) in programs {
            eprintln!("  {name} -> {at}");
        }
    })?;
    let why = match summary.stopped_by {
        Some(run::StopReason::Duration) => "the duration ended",
        Some(run::StopReason::Interrupted) => "interrupted",
        Some(run::StopReason::Terminated) => "terminated",
        Some(run::StopReason::Done) => "done",
        None => "the program exited",
    };
    eprintln!("kgent run: stopped after {:.1} s ({why}); everything it attached is detached", summary.seconds);
    match summary.exit_code {
        Some(code) if code != 0 && summary.stopped_by.is_none() => {
            eprintln!("kgent run: bpftrace exited with status {code}");
            Ok(ExitCode::from(1))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let prepared = prepare_path(&args.program)?;
    execute(&prepared, &args.program.display().to_string(), false, &args.run_flags, args.json)
}
