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
    /// A global in a data section (`.rodata`, `.data`, `.bss`: a `bpf_printk` format string, a
    /// `const volatile` setting), at this byte offset: memory, not a map.
    Data { section: String, offset: i64 },
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
    /// Key and value sizes of the object's maps, where its BTF gives them.
    pub map_sizes: BTreeMap<String, (i64, i64)>,
    /// Slot → ``file:line `source text` ``, from the object's BTF line info (clang `-g`).
    pub lines: BTreeMap<usize, String>,
    /// How many of `insns` are the section's own; the rest is linked-in callees.
    pub own: usize,
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

/// A bpf-to-bpf call: its slot, the callee's section and the callee's slot in it.
type Call = (usize, String, usize);

/// Reads every program of a BPF ELF object. Malformed input is an error, never a panic. A
/// program that calls functions in `.text` gets `.text` appended, its calls pointed there, the way
/// libbpf links it.
pub fn programs(bytes: &[u8]) -> Result<Vec<Program>, ElfError> {
    let file = object::File::parse(bytes).map_err(|e| ElfError::NotElf(e.to_string()))?;
    if file.architecture() != object::Architecture::Bpf {
        return Err(ElfError::NotBpf(format!("{:?}", file.architecture())));
    }
    let lines = file.section_by_name(".BTF.ext").and_then(|ext| Some(line_info(ext.data().ok()?, file.section_by_name(".BTF")?.data().ok()?))).unwrap_or_default();
    let types = super::types::Types::of_object(bytes);
    let mut out = Vec::new();
    let mut calls: Vec<Vec<Call>> = Vec::new();
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
        let mut to = Vec::new();
        for (offset, reloc) in section.relocations() {
            let slot = (offset / 8) as usize;
            let RelocationTarget::Symbol(index) = reloc.target() else {
                continue;
            };
            let symbol = file.symbol_by_index(index).map_err(|e| bad(e.to_string()))?;
            match insns.get(slot) {
                Some(Some(Insn::LdImm64 { imm, .. })) => {
                    let data = symbol
                        .section_index()
                        .and_then(|i| file.section_by_index(i).ok())
                        .and_then(|s| s.name().ok().map(str::to_string))
                        .filter(|n| [".rodata", ".data", ".bss"].iter().any(|d| n.starts_with(d)));
                    let target = match data {
                        Some(section) => MapRef::Data { section, offset: symbol.address() as i64 + imm },
                        None => MapRef::Named(symbol.name().unwrap_or("?").to_string()),
                    };
                    maps.insert(slot, target);
                }
                Some(Some(Insn::Call { src: 1, imm })) => {
                    let Some(target) = symbol.section_index().and_then(|i| file.section_by_index(i).ok()) else {
                        continue;
                    };
                    let callee = (symbol.address().saturating_sub(target.address()) / 8) as i64 + *imm as i64 + 1;
                    if callee >= 0 {
                        to.push((slot, target.name().unwrap_or("?").to_string(), callee as usize));
                    }
                }
                _ => {} // BTF and line relocations
            }
        }
        for (slot, insn) in insns.iter().enumerate() {
            if let Some(Insn::LdImm64 { src: PSEUDO_MAP_FD, imm, .. }) = insn {
                maps.entry(slot).or_insert(MapRef::Fd(*imm));
            }
        }
        let lines = lines.get(&name).cloned().unwrap_or_default();
        let map_sizes = maps
            .values()
            .filter_map(|m| match m {
                MapRef::Named(n) => types.map_sizes(n).map(|(k, v)| (n.clone(), (k as i64, v as i64))),
                MapRef::Fd(_) | MapRef::Data { .. } => None,
            })
            .collect();
        let own = insns.len();
        out.push(Program { section: name, functions, insns, maps, map_sizes, lines, own });
        calls.push(to);
    }
    link(&mut out, &calls);
    Ok(out)
}

/// Which function sits in which section: aya names programs by function, libbpf attaches by
/// section.
pub fn function_sections(bytes: &[u8]) -> Result<BTreeMap<String, String>, ElfError> {
    use object::SymbolSection;
    let file = object::File::parse(bytes).map_err(|e| ElfError::NotElf(e.to_string()))?;
    let mut out = BTreeMap::new();
    for sym in file.symbols().filter(|s| s.kind() == object::SymbolKind::Text && s.is_global()) {
        let SymbolSection::Section(index) = sym.section() else { continue };
        let Ok(section) = file.section_by_index(index) else { continue };
        let (Ok(name), Ok(section)) = (sym.name(), section.name()) else { continue };
        if section != ".text" {
            out.insert(name.to_string(), section.to_string());
        }
    }
    Ok(out)
}

/// Every non-empty executable section's name and bytes, undecoded: a loader patches and submits
/// them as they are.
pub fn code_sections(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ElfError> {
    let file = object::File::parse(bytes).map_err(|e| ElfError::NotElf(e.to_string()))?;
    let mut out = Vec::new();
    for section in file.sections().filter(|s| s.kind() == SectionKind::Text && s.size() > 0) {
        let name = section.name().unwrap_or("?").to_string();
        let data = section.data().map_err(|e| ElfError::BadSection { section: name.clone(), message: e.to_string() })?;
        out.push((name, data.to_vec()));
    }
    Ok(out)
}

/// Appends the callee sections each program calls into (once) and points its calls there.
fn link(progs: &mut [Program], calls: &[Vec<Call>]) {
    // Most objects call nothing: no copy of their sections is needed then.
    if calls.iter().all(Vec::is_empty) {
        return;
    }
    let sections: BTreeMap<String, (Program, Vec<Call>)> = progs.iter().zip(calls).map(|(p, c)| (p.section.clone(), (p.clone(), c.clone()))).collect();
    for (prog, calls) in progs.iter_mut().zip(calls) {
        let mut base: BTreeMap<String, usize> = BTreeMap::from([(prog.section.clone(), 0)]);
        // (absolute call slot, callee section, callee slot in it)
        let mut pending: Vec<Call> = calls.clone();
        while let Some((slot, target, callee)) = pending.pop() {
            let at = match base.get(&target) {
                Some(at) => *at,
                None => {
                    let Some((other, inner)) = sections.get(&target) else {
                        continue;
                    };
                    let at = prog.insns.len();
                    prog.insns.extend(other.insns.iter().copied());
                    prog.maps.extend(other.maps.iter().map(|(s, m)| (s + at, m.clone())));
                    prog.lines.extend(other.lines.iter().map(|(s, l)| (s + at, l.clone())));
                    prog.map_sizes.extend(other.map_sizes.clone());
                    prog.functions.extend(other.functions.iter().map(|(s, f)| (s + at, f.clone())));
                    pending.extend(inner.iter().map(|(s, t, c)| (s + at, t.clone(), *c)));
                    base.insert(target.clone(), at);
                    at
                }
            };
            if let Some(Some(Insn::Call { src: 1, imm })) = prog.insns.get_mut(slot) {
                *imm = (at + callee) as i32 - (slot as i32 + 1);
            }
        }
    }
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn str_at(strings: &[u8], at: usize) -> Option<&str> {
    let s = strings.get(at..)?;
    std::str::from_utf8(&s[..s.iter().position(|&b| b == 0)?]).ok()
}

/// `.BTF.ext` line info: section name → slot → `file:line: source text`. Malformed input gives
/// what could be read before it.
fn line_info(ext: &[u8], btf: &[u8]) -> BTreeMap<String, BTreeMap<usize, String>> {
    let mut out = BTreeMap::new();
    let strings = (|| {
        let hdr = u32_at(btf, 4)? as usize;
        let (off, len) = (u32_at(btf, 16)? as usize, u32_at(btf, 20)? as usize);
        btf.get(hdr.checked_add(off)?..hdr.checked_add(off)?.checked_add(len)?)
    })();
    let (Some(strings), Some(hdr), Some(off), Some(len)) = (strings, u32_at(ext, 4), u32_at(ext, 16), u32_at(ext, 20)) else {
        return out;
    };
    let Some(start) = (hdr as usize).checked_add(off as usize) else {
        return out;
    };
    let Some(rec) = u32_at(ext, start).map(|r| r as usize).filter(|r| *r >= 16) else {
        return out;
    };
    let end = start.saturating_add(len as usize).min(ext.len());
    let mut at = start + 4;
    while at + 8 <= end {
        let (Some(sec), Some(n)) = (u32_at(ext, at), u32_at(ext, at + 4)) else {
            break;
        };
        at += 8;
        let name = str_at(strings, sec as usize).unwrap_or("?").to_string();
        let lines: &mut BTreeMap<usize, String> = out.entry(name).or_default();
        for _ in 0..n {
            if at + rec > end {
                return out;
            }
            let (Some(insn), Some(file), Some(text), Some(line_col)) = (u32_at(ext, at), u32_at(ext, at + 4), u32_at(ext, at + 8), u32_at(ext, at + 12)) else {
                return out;
            };
            let file = str_at(strings, file as usize).unwrap_or("?");
            let file = file.rsplit('/').next().unwrap_or(file);
            let text = str_at(strings, text as usize).unwrap_or("").trim();
            lines.insert(insn as usize / 8, format!("{file}:{} `{text}`", line_col >> 10));
            at += rec;
        }
    }
    out
}
