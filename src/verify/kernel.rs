//! The kernel verifier, in one place: load every program of an object, attaching nothing, and
//! report what the kernel said. C objects load through aya; bpftrace's objects through Kgent's own
//! `BPF_PROG_LOAD` over the maps their bytecode implies. Everything loaded is released before
//! returning. A program the kernel refuses is a verdict; Kgent failing to prepare what bpftrace
//! left out is a [`LoadError`], never blamed on the program.

use std::collections::BTreeMap;
use std::os::fd::OwnedFd;

use aya::programs::{Program, ProgramError};
use aya::{Btf, EbpfLoader};
use serde::Serialize;

use crate::kernel::sys::{bpf_fd, Attr, BPF_MAP_CREATE, BPF_PROG_LOAD};
use crate::obj::bpftrace::{infer_maps, HelperUse, MapUse, MAP_HASH, MAP_PERF_EVENT_ARRAY, MAP_RINGBUF, MAP_STACK_TRACE};
use crate::obj::elf::code_sections;
use crate::obj::insn::{slots as raw_slots, Raw};
use crate::obj::{Probe, Target};
use crate::verify::symbolic::spec::{self, Arg, MapKind, Returns};

/// Kgent could not put an object before the verifier: not the program's fault.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the compiled object: {0}")]
    Object(String),
    /// The maps inferred for bpftrace's placeholders could not be made (a Kgent defect).
    #[error("Kgent could not prepare bpftrace's maps for the kernel verifier: {0}")]
    Inference(String),
}

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

/// Loads the programs of bpftrace's `--emit-elf` output into the verifier.
pub fn load_bpftrace_object(object: &[u8]) -> Result<KernelVerdict, LoadError> {
    match needs_privilege() {
        Some(v) => Ok(v),
        None => load_bpftrace(object),
    }
}

/// Loads a compiled object of either language into the verifier. Needs root (CAP_BPF).
pub fn load(target: Target, object: &[u8]) -> Result<KernelVerdict, LoadError> {
    match target {
        Target::Libbpf => Ok(load_object(object)),
        Target::Bpftrace => load_bpftrace_object(object),
    }
}

fn create_map(u: &MapUse) -> std::io::Result<OwnedFd> {
    let cpus = std::thread::available_parallelism().map_or(64, |n| n.get()) as u32;
    let (t, key, value, max) = match u.map_type.unwrap_or(MAP_HASH) {
        MAP_PERF_EVENT_ARRAY => (MAP_PERF_EVENT_ARRAY, 4, 4, cpus.max(1)),
        MAP_STACK_TRACE => (MAP_STACK_TRACE, 4, 8 * 127, 4096),
        MAP_RINGBUF => (MAP_RINGBUF, 0, 0, 1 << 16),
        _ => (MAP_HASH, u.key.unwrap_or(8).max(1), u.value_size(), 4096),
    };
    bpf_fd(BPF_MAP_CREATE, Attr::new().u32(0, t).u32(4, key).u32(8, value).u32(12, max))
}

fn load_program(ty: u32, insns: &[u8], log: Option<&mut Vec<u8>>) -> std::io::Result<OwnedFd> {
    let license = b"GPL\0";
    let mut attr = Attr::new().u32(0, ty).u32(4, (insns.len() / 8) as u32).u64(8, insns.as_ptr() as u64).u64(16, license.as_ptr() as u64);
    if let Some(buf) = log {
        attr = attr.u32(24, 1).u32(28, buf.len() as u32).u64(32, buf.as_mut_ptr() as u64);
    }
    bpf_fd(BPF_PROG_LOAD, attr)
}

/// What a helper's spec says about the maps and buffers it touches, for map inference.
fn helper_use(id: i32) -> Option<HelperUse> {
    let h = spec::helpers().get(&id)?;
    let at = |kind: Arg| h.args.iter().position(|a| *a == kind);
    let map_type = match h.map.unwrap_or(MapKind::Hash) {
        MapKind::Hash => MAP_HASH,
        MapKind::PerfEventArray => MAP_PERF_EVENT_ARRAY,
        MapKind::StackTrace => MAP_STACK_TRACE,
        MapKind::Ringbuf => MAP_RINGBUF,
    };
    Some(HelperUse {
        map: at(Arg::Map).map(|i| (i, map_type)),
        key: at(Arg::Key),
        value: at(Arg::Value),
        returns_map_value: h.returns == Returns::MapValueOrNull,
        // A written buffer's size is the argument after it.
        fills: h.args.iter().enumerate().filter(|(_, a)| **a == Arg::MemWrite).map(|(i, _)| (i, i + 1)).collect(),
    })
}

/// A bpftrace probe program: its name, `BPF_PROG_TYPE_*` and instructions.
pub type BpftraceProgram = (String, u32, Vec<Raw>);

/// The probe programs of bpftrace's `--emit-elf` output and the maps their bytecode implies:
/// everything loading needs before its first syscall (fuzzed: `fuzz/fuzz_targets/bpftrace_maps.rs`).
pub fn bpftrace_programs(object: &[u8]) -> Result<(Vec<BpftraceProgram>, BTreeMap<i32, MapUse>), LoadError> {
    let sections = code_sections(object).map_err(|e| LoadError::Object(e.to_string()))?;
    let programs: Vec<BpftraceProgram> = sections
        .into_iter()
        .filter(|(name, _)| name.starts_with("s_"))
        .filter_map(|(name, data)| {
            let ty = Probe::of_section(&name)?.kind.bpftrace_prog_type()?;
            Some((name.trim_start_matches("s_").to_string(), ty, raw_slots(&data)))
        })
        .collect();
    if programs.is_empty() {
        return Err(LoadError::Object("the object holds no bpftrace probe sections".into()));
    }
    let uses = infer_maps(programs.iter().map(|(_, _, insns)| insns.as_slice()), &helper_use);
    Ok((programs, uses))
}

/// Loads every probe program of bpftrace's `--emit-elf` output into the verifier, attaching
/// nothing: bpftrace 0.17 has no load-only mode, so Kgent creates the maps
/// [`infer_maps`](crate::obj::bpftrace::infer_maps) infers, patches their file descriptors into
/// the placeholders and runs `BPF_PROG_LOAD` itself. Everything is closed before returning.
fn load_bpftrace(object: &[u8]) -> Result<KernelVerdict, LoadError> {
    let (programs, uses) = bpftrace_programs(object)?;
    let mut fds = BTreeMap::new();
    for (id, u) in &uses {
        let fd = create_map(u).map_err(|e| LoadError::Inference(format!("the kernel refused map #{id} as inferred ({u:?}): {e}")))?;
        fds.insert(*id, fd);
    }
    let mut loaded = Vec::new();
    for (name, ty, insns) in &programs {
        let mut bytes: Vec<u8> = Vec::with_capacity(insns.len() * 8);
        for x in insns {
            let mut imm = x.imm;
            if x.code == 0x18 && x.src == 1 {
                match fds.get(&x.imm) {
                    Some(fd) => imm = std::os::fd::AsRawFd::as_raw_fd(fd),
                    None => return Err(LoadError::Inference(format!("{name}: map #{} is never used by a helper, so its type is unknown", x.imm))),
                }
            }
            bytes.extend(Raw { imm, ..*x }.bytes());
        }
        match load_program(*ty, &bytes, None) {
            Ok(fd) => drop(fd),
            Err(io) => {
                let mut log = vec![0u8; 1 << 20];
                let _ = load_program(*ty, &bytes, Some(&mut log));
                let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
                return Ok(KernelVerdict::Rejected { program: name.clone(), message: io.to_string(), verifier_log: String::from_utf8_lossy(&log[..end]).into_owned() });
            }
        }
        loaded.push(name.clone());
    }
    loaded.sort();
    Ok(KernelVerdict::Accepted { programs: loaded })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helper_specs_say_which_maps_and_buffers_each_helper_touches() {
        let lookup = helper_use(1).unwrap();
        assert_eq!((lookup.map, lookup.key, lookup.value, lookup.returns_map_value), (Some((0, MAP_HASH)), Some(1), None, true));
        let update = helper_use(2).unwrap();
        assert_eq!((update.map, update.key, update.value), (Some((0, MAP_HASH)), Some(1), Some(2)));
        assert_eq!(helper_use(25).unwrap().map, Some((1, MAP_PERF_EVENT_ARRAY)));
        assert_eq!(helper_use(27).unwrap().map, Some((1, MAP_STACK_TRACE)));
        assert_eq!(helper_use(131).unwrap().map, Some((0, MAP_RINGBUF)));
        for fills in [16, 4, 45, 112, 113, 114, 115] {
            assert_eq!(helper_use(fills).unwrap().fills, [(0, 1)], "helper {fills}");
        }
        assert!(helper_use(5).unwrap().map.is_none());
        assert!(helper_use(9999).is_none());
    }
}
