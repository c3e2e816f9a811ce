//! BPF objects as programs: every executable section decoded, with the map each 64-bit load
//! refers to (clang's objects name it through a relocation against a `.maps` symbol; bpftrace's
//! `--emit-elf` output carries a placeholder map fd in the instruction itself).

use std::collections::BTreeMap;

use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget, SectionKind};

use super::insn::{decode, Insn};

/// What a 64-bit load refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapRef {
    /// A map declared in the object (clang): its name.
    Named(String),
    /// bpftrace's placeholder file descriptor.
    Fd(i64),
}

/// One executable section.
#[derive(Debug, Clone)]
pub struct Program {
    /// The section name: `tracepoint/syscalls/sys_enter_openat`, `s_kprobe:vfs_read_1`, `.text`.
    pub section: String,
    /// Function symbols in the section, by slot.
    pub functions: BTreeMap<usize, String>,
    /// One entry per 8-byte slot (`None` for the second half of a 64-bit load).
    pub insns: Vec<Option<Insn>>,
    /// Slot of a 64-bit load → the map it loads.
    pub maps: BTreeMap<usize, MapRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    #[error("not an ELF object: {0}")]
    NotElf(String),
    #[error("not a BPF object (architecture {0})")]
    NotBpf(String),
    #[error("section {section}: {message}")]
    BadSection { section: String, message: String },
}

/// `src` of a 64-bit load that holds a map file descriptor.
const PSEUDO_MAP_FD: u8 = 1;

/// Reads every program of a BPF ELF object. Malformed input is an error, never a panic.
pub fn programs(bytes: &[u8]) -> Result<Vec<Program>, ElfError> {
    let file = object::File::parse(bytes).map_err(|e| ElfError::NotElf(e.to_string()))?;
    if file.architecture() != object::Architecture::Bpf {
        return Err(ElfError::NotBpf(format!("{:?}", file.architecture())));
    }
    let mut out = Vec::new();
    for section in file.sections().filter(|s| s.kind() == SectionKind::Text && s.size() > 0) {
        let name = section.name().unwrap_or("?").to_string();
        let bad = |message: String| ElfError::BadSection { section: name.clone(), message };
        let data = section.data().map_err(|e| bad(e.to_string()))?;
        let insns = decode(data);
        let functions = file
            .symbols()
            .filter(|s| s.section_index() == Some(section.index()) && s.kind() == object::SymbolKind::Text)
            .filter_map(|s| Some(((s.address().checked_sub(section.address())? / 8) as usize, s.name().ok()?.to_string())))
            .collect();
        let mut maps = BTreeMap::new();
        for (offset, reloc) in section.relocations() {
            let slot = (offset / 8) as usize;
            if !matches!(insns.get(slot), Some(Some(Insn::LdImm64 { .. }))) {
                continue; // calls to subprograms, BTF and line relocations
            }
            if let RelocationTarget::Symbol(index) = reloc.target() {
                let symbol = file.symbol_by_index(index).map_err(|e| bad(e.to_string()))?;
                let name = symbol.name().unwrap_or("?");
                maps.insert(slot, MapRef::Named(name.to_string()));
            }
        }
        for (slot, insn) in insns.iter().enumerate() {
            if let Some(Insn::LdImm64 { src: PSEUDO_MAP_FD, imm, .. }) = insn {
                maps.entry(slot).or_insert(MapRef::Fd(*imm));
            }
        }
        out.push(Program { section: name, functions, insns, maps });
    }
    Ok(out)
}
