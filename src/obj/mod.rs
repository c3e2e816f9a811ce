//! BPF objects and what they name, as data: no syscalls and no reads of the host, as `aya-obj` is
//! to `aya`. Everything that reads an object or a probe spelling goes through here.
//!
//! - [`probe`]: one [`Probe`] type over one alias table (bpftrace spellings, libbpf section names,
//!   bpftrace's ELF section names);
//! - [`source`]: the probes a program's source names, before it is compiled;
//! - [`insn`]: instructions, decoded, encoded back and printed as `llvm-objdump` does;
//! - [`elf`]: an object's programs (decoded, linked across `.text` calls), map references, BTF
//!   line info, and which function sits in which section;
//! - [`bpftrace`]: the maps bpftrace's placeholder references imply;
//! - [`btf`] and [`types`]: the BTF reader and what an object's BTF says of its records and maps;
//! - [`Target`]: the language a program is written in.
//!
//! ```
//! use kgent::obj::{Probe, ProbeKind};
//! let p: Probe = "kr:vfs_read".parse()?;
//! assert_eq!((p.kind, p.to_string().as_str()), (ProbeKind::Kretprobe, "kretprobe:vfs_read"));
//! assert_eq!(Probe::of_section("raw_tp/sys_enter").unwrap().to_string(), "rawtracepoint:sys_enter");
//! # Ok::<(), kgent::obj::probe::UnknownProbeType>(())
//! ```

pub mod bpftrace;
pub mod btf;
pub mod elf;
pub mod file;
pub mod insn;
pub mod probe;
pub mod source;
pub mod types;

mod target;

pub use probe::{Probe, ProbeKind};
pub use target::Target;
