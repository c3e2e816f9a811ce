//! Checks a candidate program. Each check returns a verdict with its evidence (compiler message,
//! verifier log); a failing candidate is a result, never an `Err`. `Err` means the tool itself
//! could not run the check (clang missing, no permission).

pub mod compile;
pub mod hooks;
pub mod kernel;
pub mod safety;
pub mod symbolic;

use serde::Serialize;

use crate::comprehend::Properties;
use crate::obj::file::ProgramFile;
use compile::{CompileError, CompileVerdict};
use safety::{Allowed, SafetyVerdict};

/// A program the user brought, judged as `kgent verify` judges it (and the MCP `verify` tool).
#[derive(Debug, Serialize)]
pub struct ProgramReport {
    pub properties: Properties,
    /// What the program does to the system besides observing it; an unsafe program's paths are
    /// not checked further.
    pub gate: SafetyVerdict,
    #[serde(flatten)]
    pub report: Option<symbolic::Report>,
    /// With a request: whether the program traces what the request is about and reads what its
    /// words settled, as `gen` holds its own programs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestVerdict>,
    pub seconds: f64,
}

impl ProgramReport {
    /// Refused by the gate, a path that breaks a property, or a program on another event than
    /// the request's or without what its words settled.
    pub fn failed(&self) -> bool {
        self.gate != SafetyVerdict::Ok || self.report.as_ref().is_some_and(|r| r.counterexample().is_some()) || self.request.as_ref().is_some_and(|r| !r.is_ok())
    }
}

/// A program held to a request's words: its probes against the events grounding found (and
/// this host's catalog), and, for bpftrace source, against what the reading settled.
#[derive(Debug, Clone, Serialize)]
pub struct RequestVerdict {
    /// The events grounding found for the request (empty: its words name none precisely).
    pub grounded: Vec<String>,
    pub hooks: hooks::HookVerdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<crate::plan::check::PlanVerdict>,
}

impl RequestVerdict {
    pub fn is_ok(&self) -> bool {
        self.hooks.is_ok() && self.reading.as_ref().is_none_or(|r| r.is_ok())
    }
}

/// Why a brought program could not be judged at all.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    /// The compiler's first lines, for a program that does not compile (and is not refused by
    /// bpftrace's safe mode, which is a verdict).
    #[error("{name} does not compile:\n{diagnostics}")]
    DoesNotCompile { name: String, diagnostics: String },
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error(transparent)]
    Elf(#[from] crate::obj::elf::ElfError),
}

/// The safety gate on `program` (compiled first when it is source), then every path against
/// `props`; verdicts name places in `name`, the file the user knows.
pub fn check_program(program: ProgramFile, name: &str, props: &Properties, allow_unsafe: bool, home: &std::path::Path) -> Result<ProgramReport, ProgramError> {
    let start = std::time::Instant::now();
    let object = match program {
        ProgramFile::Object(object) => object,
        ProgramFile::Source { target, text } => match compile::compile(target, &text, home, allow_unsafe)? {
            CompileVerdict::Compiled { object, .. } => object,
            CompileVerdict::Failed { diagnostics } => {
                let gate = safety::of_failed_compile(&diagnostics);
                if gate == SafetyVerdict::Ok {
                    // The first lines say why; a file of thousands of errors needs no more.
                    let head: Vec<&str> = diagnostics.lines().take(20).collect();
                    let more = diagnostics.lines().count().saturating_sub(20);
                    let tail = if more > 0 { format!("\n… and {more} more lines") } else { String::new() };
                    return Err(ProgramError::DoesNotCompile { name: name.to_string(), diagnostics: format!("{}{tail}", head.join("\n")) });
                }
                return Ok(ProgramReport { properties: props.clone(), gate: gate.in_file(name), report: None, request: None, seconds: start.elapsed().as_secs_f64() });
            }
        },
    };
    let gate = safety::check_object(&object, Allowed::everything(allow_unsafe)).in_file(name);
    let report = match gate {
        SafetyVerdict::Ok => Some(symbolic::verify(&object, props, &symbolic::Tracefs::host())?),
        _ => None,
    };
    Ok(ProgramReport { properties: props.clone(), gate, report, request: None, seconds: start.elapsed().as_secs_f64() })
}
