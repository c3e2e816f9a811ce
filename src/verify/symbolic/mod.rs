//! The symbolic verifier's front end: BPF objects read into programs of typed instructions.
//! (The executor over z3 bit-vectors that checks a request's properties builds on this.)

pub mod elf;
pub mod insn;

pub use elf::{programs, ElfError, MapRef, Program};
pub use insn::{decode, Insn};
