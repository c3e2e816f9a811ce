//! The symbolic verifier: BPF objects read into programs of typed instructions ([`elf`],
//! [`insn`]), every path executed over z3 bit-vectors ([`exec`]), and the request's properties
//! checked on the paths that emit output, plus NULL safety ([`check`]).

pub mod check;
pub mod elf;
pub mod exec;
pub mod insn;

pub use check::Verdict;
pub use elf::{programs, ElfError, MapRef, Program};
pub use insn::{decode, Insn};

use serde::Serialize;

use crate::comprehend::Properties;

/// The verdicts for one program (one section) of an object.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramVerdicts {
    pub section: String,
    pub paths: usize,
    pub filters: Verdict,
    pub safety: Verdict,
}

/// Checks every program of `object` against `props` (filters) and for NULL safety.
pub fn verify(object: &[u8], props: &Properties) -> Result<Vec<ProgramVerdicts>, ElfError> {
    let mut out = Vec::new();
    // bpftrace's BEGIN and END run once, not per event: a filter on events does not apply to them.
    let per_event = |p: &&Program| p.section != ".text" && !p.section.starts_with("s_BEGIN") && !p.section.starts_with("s_END");
    for prog in programs(object)?.iter().filter(per_event) {
        let expl = exec::explore(prog);
        out.push(ProgramVerdicts { section: prog.section.clone(), paths: expl.paths, filters: check::filters(&expl, &props.filters), safety: check::safety(&expl) });
    }
    Ok(out)
}
