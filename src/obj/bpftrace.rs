//! bpftrace's placeholder maps. bpftrace 0.17's `--emit-elf` object refers to maps by placeholder
//! numbers (`ld_imm64 rX, map #N`) without describing them. [`infer_maps`] reads the bytecode and
//! infers each map's type from the helpers that use it (lookup/update/delete → hash,
//! perf_event_output → perf event array, get_stackid → stack trace) and its key and value sizes
//! from the initialised stack regions passed to those helpers. The inferred sizes are never
//! smaller than the real ones, so a verifier given such maps judges the real program.

use std::collections::{BTreeMap, BTreeSet};

pub const MAP_HASH: u32 = 1;
pub const MAP_PERF_EVENT_ARRAY: u32 = 4;
pub const MAP_STACK_TRACE: u32 = 7;
pub const MAP_RINGBUF: u32 = 27;

/// One 8-byte eBPF instruction, undecoded: this pass only needs opcodes and operands.
type Insn = super::insn::Raw;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    Unknown,
    Const(i64),
    Stack(i64),
    Map(i32),
    /// A pointer into map `.0`'s value at offset `.1` (a lookup's result).
    MapValue(i32, i64),
}

/// What the programs' uses say about one map.
#[derive(Debug, Default)]
pub struct MapUse {
    pub map_type: Option<u32>,
    pub key: Option<u32>,
    pub value: Option<u32>,
    /// The furthest byte the program touches through a looked-up value pointer.
    pub value_reach: u32,
}

impl MapUse {
    fn kind(&mut self, t: u32) {
        self.map_type.get_or_insert(t);
    }
    fn key(&mut self, n: u32) {
        self.key = Some(self.key.map_or(n, |k| k.min(n)));
    }
    fn value(&mut self, n: u32) {
        self.value = Some(self.value.map_or(n, |v| v.min(n)));
    }
    /// The value size to create: what updates pass, and at least what accesses reach.
    pub fn value_size(&self) -> u32 {
        self.value.unwrap_or(8).max(self.value_reach).max(1)
    }
}

/// Length of the initialised stack run starting at `off` (a negative frame offset).
fn init_run(init: &BTreeSet<i64>, off: i64) -> u32 {
    let mut n = 0;
    while off + n < 0 && init.contains(&(off + n)) {
        n += 1;
    }
    n as u32
}

/// What map inference needs to know of one helper, from its spec. Argument positions count
/// from 0 (`r1`).
#[derive(Debug, Clone, Default)]
pub struct HelperUse {
    /// The map argument and the `BPF_MAP_TYPE_*` it implies.
    pub map: Option<(usize, u32)>,
    pub key: Option<usize>,
    pub value: Option<usize>,
    /// Returns a pointer into the map's value (a lookup).
    pub returns_map_value: bool,
    /// `(buffer, size)` argument pairs the helper writes.
    pub fills: Vec<(usize, usize)>,
}

/// What every program of a bpftrace object says about each placeholder map, by its number.
/// `helper` describes a helper by its number (`None`: unknown, its call tells nothing).
pub fn infer_maps<'a>(programs: impl IntoIterator<Item = &'a [Insn]>, helper: &dyn Fn(i32) -> Option<HelperUse>) -> BTreeMap<i32, MapUse> {
    let mut uses = BTreeMap::new();
    for insns in programs {
        scan(insns, &mut uses, helper);
    }
    uses
}

/// Walks one program in order, recording stack stores and helper calls on maps.
fn scan(insns: &[Insn], uses: &mut BTreeMap<i32, MapUse>, helper: &dyn Fn(i32) -> Option<HelperUse>) {
    let mut regs = [Val::Unknown; 11];
    regs[10] = Val::Stack(0);
    let mut init = BTreeSet::new();
    let reach = |uses: &mut BTreeMap<i32, MapUse>, v: Val, off: i64, len: i64| {
        if let Val::MapValue(m, base) = v {
            let end = (base + off + len).max(0) as u32;
            let u = uses.entry(m).or_default();
            u.value_reach = u.value_reach.max(end);
        }
    };
    let mark = |regs: &[Val; 11], reg: u8, off: i64, len: i64, init: &mut BTreeSet<i64>| {
        if let Val::Stack(base) = regs[reg as usize] {
            for b in base + off..base + off + len {
                init.insert(b);
            }
        }
    };
    let mut lookup: Option<i32> = None;
    let mut i = 0;
    while i < insns.len() {
        let x = insns[i];
        let (d, s) = (x.dst as usize, x.src as usize);
        if d > 10 || s > 10 {
            i += 1;
            continue;
        }
        match x.code {
            0x18 => {
                // ld_imm64: a map placeholder when src is BPF_PSEUDO_MAP_FD
                regs[d] = if x.src == 1 { Val::Map(x.imm) } else { Val::Unknown };
                i += 2;
                continue;
            }
            0xb7 => regs[d] = Val::Const(x.imm as i64),
            0xbf => regs[d] = regs[s],
            0x07 => {
                regs[d] = match regs[d] {
                    Val::Stack(o) => Val::Stack(o + x.imm as i64),
                    Val::MapValue(m, o) => Val::MapValue(m, o + x.imm as i64),
                    Val::Const(c) => Val::Const(c + x.imm as i64),
                    _ => Val::Unknown,
                }
            }
            0x62 | 0x6a | 0x72 | 0x7a | 0x63 | 0x6b | 0x73 | 0x7b => {
                let len = match x.code & 0x18 {
                    0x00 => 4,
                    0x08 => 2,
                    0x10 => 1,
                    _ => 8,
                };
                mark(&regs, x.dst, x.off as i64, len, &mut init);
                reach(uses, regs[d], x.off as i64, len);
            }
            0x85 if x.src == 0 => {
                let stack_len = |r: usize, init: &BTreeSet<i64>| match regs[r] {
                    Val::Stack(o) => Some(init_run(init, o)),
                    _ => None,
                };
                if let Some(h) = helper(x.imm) {
                    if let Some((arg, map_type)) = h.map {
                        if let Val::Map(m) = regs[arg + 1] {
                            if h.returns_map_value {
                                lookup = Some(m);
                            }
                            let u = uses.entry(m).or_default();
                            u.kind(map_type);
                            if let Some(n) = h.key.and_then(|k| stack_len(k + 1, &init)) {
                                u.key(n);
                            }
                            if let Some(n) = h.value.and_then(|v| stack_len(v + 1, &init)) {
                                u.value(n);
                            }
                        }
                    }
                    for &(buf, size) in &h.fills {
                        if let Val::Const(len) = regs[size + 1] {
                            mark(&regs, (buf + 1) as u8, 0, len.clamp(0, 512), &mut init);
                            reach(uses, regs[buf + 1], 0, len);
                        }
                    }
                }
                for r in regs.iter_mut().take(6) {
                    *r = Val::Unknown;
                }
                if let Some(m) = lookup.take() {
                    regs[0] = Val::MapValue(m, 0);
                }
            }
            c if c & 0x07 == 0x01 => {
                // LDX: note how far a map value is read, then the destination is unknown
                let len = match c & 0x18 {
                    0x00 => 4,
                    0x08 => 2,
                    0x10 => 1,
                    _ => 8,
                };
                reach(uses, regs[s], x.off as i64, len);
                regs[d] = Val::Unknown;
            }
            c if c & 0x07 == 0x04 || c & 0x07 == 0x07 => regs[d] = Val::Unknown,
            _ => {}
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
        Insn { code, dst, src, off, imm }
    }

    #[test]
    fn map_sizes_come_from_the_initialised_stack_passed_to_helpers() {
        // key: 16 bytes of comm at fp-24 (get_current_comm); value: 8 bytes at fp-8; update(map #3).
        let prog = [
            insn(0xbf, 1, 10, 0, 0),
            insn(0x07, 1, 0, 0, -24),
            insn(0xb7, 2, 0, 0, 16),
            insn(0x85, 0, 0, 0, 16),
            insn(0x7b, 10, 1, -8, 0),
            insn(0x18, 1, 1, 0, 3),
            insn(0, 0, 0, 0, 0),
            insn(0xbf, 2, 10, 0, 0),
            insn(0x07, 2, 0, 0, -24),
            insn(0xbf, 3, 10, 0, 0),
            insn(0x07, 3, 0, 0, -8),
            insn(0x85, 0, 0, 0, 2),
        ];
        // get_current_comm fills r1 for r2 bytes; map_update_elem takes map, key, value.
        let helper = |id| match id {
            16 => Some(HelperUse { fills: vec![(0, 1)], ..HelperUse::default() }),
            2 => Some(HelperUse { map: Some((0, MAP_HASH)), key: Some(1), value: Some(2), ..HelperUse::default() }),
            _ => None,
        };
        let uses = infer_maps([&prog[..]], &helper);
        let u = &uses[&3];
        assert_eq!(u.map_type, Some(MAP_HASH));
        // The key run covers comm and the adjacent value: at least the real 16 bytes, never less.
        assert_eq!(u.key, Some(24));
        assert_eq!(u.value, Some(8));
    }
}
