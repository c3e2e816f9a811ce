//! The kernel verifier: load every program of an object with aya, attaching nothing, and report
//! what the kernel said. Everything loaded is released before returning.

use aya::programs::{Program, ProgramError};
use aya::{Btf, EbpfLoader};
use serde::Serialize;

/// What the kernel said about one object.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum KernelVerdict {
    /// Every program passed the verifier.
    Accepted { programs: Vec<String> },
    /// A program was refused; the verifier's log says why.
    Rejected { program: String, message: String, verifier_log: String },
    /// The object could not even be prepared (bad ELF, a map the kernel refused).
    NotLoaded { message: String },
    /// Not tried: loading needs root (CAP_BPF), which this process lacks. Not the program's fault,
    /// so it is not fed back to the model.
    NeedsPrivilege { message: String },
}

impl KernelVerdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, KernelVerdict::Accepted { .. })
    }
}

fn load_one(program: &mut Program) -> Result<(), ProgramError> {
    match program {
        Program::TracePoint(p) => p.load(),
        Program::RawTracePoint(p) => p.load(),
        Program::KProbe(p) => p.load(),
        Program::UProbe(p) => p.load(),
        Program::PerfEvent(p) => p.load(),
        Program::Xdp(p) => p.load(),
        Program::SocketFilter(p) => p.load(),
        Program::SchedClassifier(p) => p.load(),
        Program::CgroupSkb(p) => p.load(),
        Program::SockOps(p) => p.load(),
        Program::SkMsg(p) => p.load(),
        // fentry/fexit/lsm/tp_btf need their BTF target spelled out at load time; Kgent does not
        // generate them (the catalog shows whether a kernel accepts them at all).
        _ => Err(ProgramError::UnexpectedProgramType),
    }
}

fn describe(e: &ProgramError) -> (String, String) {
    match e {
        ProgramError::LoadError { io_error, verifier_log } => (io_error.to_string(), verifier_log.to_string()),
        other => (other.to_string(), String::new()),
    }
}

fn needs_privilege() -> Option<KernelVerdict> {
    (!crate::kernel::is_root())
        .then(|| KernelVerdict::NeedsPrivilege { message: "the kernel verifier needs root (CAP_BPF): rerun with sudo to have the kernel check the program".into() })
}

/// Loads each program of `object` into the verifier. Needs root (CAP_BPF).
pub fn load_object(object: &[u8]) -> KernelVerdict {
    if let Some(v) = needs_privilege() {
        return v;
    }
    let btf = Btf::from_sys_fs().ok();
    let mut ebpf = match EbpfLoader::new().btf(btf.as_ref()).load(object) {
        Ok(e) => e,
        Err(e) => return KernelVerdict::NotLoaded { message: crate::error_chain(&e) },
    };
    let mut programs = Vec::new();
    for (name, program) in ebpf.programs_mut() {
        if let Err(e) = load_one(program) {
            let (message, verifier_log) = describe(&e);
            return KernelVerdict::Rejected { program: name.to_string(), message, verifier_log };
        }
        programs.push(name.to_string());
    }
    programs.sort();
    KernelVerdict::Accepted { programs }
}

/// Loads the programs of bpftrace's `--emit-elf` output into the verifier (see
/// [`bpftrace_elf`](super::bpftrace_elf) for how its placeholder maps are made real).
pub fn load_bpftrace_object(object: &[u8]) -> KernelVerdict {
    if let Some(v) = needs_privilege() {
        return v;
    }
    super::bpftrace_elf::load(object)
}
