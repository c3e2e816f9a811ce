//! eBPF instructions: every class decoded into a typed form (the symbolic executor's input),
//! encoded back to the same bytes, and printed the way `llvm-objdump -d` prints them.

use std::fmt;

/// `src` of an ALU or jump: a register or the immediate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    Reg(u8),
    Imm(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AluOp {
    Add,
    Sub,
    Mul,
    Div,
    Or,
    And,
    Lsh,
    Rsh,
    Neg,
    Mod,
    Xor,
    Mov,
    Arsh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JmpOp {
    Ja,
    Jeq,
    Jgt,
    Jge,
    Jset,
    Jne,
    Jsgt,
    Jsge,
    Jlt,
    Jle,
    Jslt,
    Jsle,
}

/// Atomic read-modify-write operations (`BPF_ATOMIC`); `fetch` returns the old value in `src`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomicOp {
    Add,
    Or,
    And,
    Xor,
    Xchg,
    Cmpxchg,
}

/// Size of a memory access in bytes.
pub type Size = u8;

/// One decoded instruction. `LdImm64` takes two slots; every other form takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insn {
    /// `wide` is ALU64; `off` is 1 for the signed forms (sdiv, smod) and the width for movsx.
    Alu {
        wide: bool,
        op: AluOp,
        dst: u8,
        src: Operand,
        off: i16,
    },
    /// Byte swap: `to_be` (or little-endian for the ALU class), `bits` of 16, 32 or 64;
    /// `swap` is the unconditional `bswap` of ALU64.
    Endian {
        dst: u8,
        to_be: bool,
        swap: bool,
        bits: i32,
    },
    /// `wide32` is the JMP32 class; `off` is the target relative to the next slot (from the
    /// immediate for `gotol`, the JMP32-class `Ja`).
    Jmp {
        wide32: bool,
        op: JmpOp,
        dst: u8,
        src: Operand,
        off: i32,
    },
    /// `src` 0: helper `imm`; 1: a bpf-to-bpf call `imm` slots ahead; 2: a kernel function.
    Call {
        src: u8,
        imm: i32,
    },
    Exit,
    /// `src` is the pseudo kind (1: map fd, 2: map value, 0: plain constant, …).
    LdImm64 {
        dst: u8,
        src: u8,
        imm: i64,
    },
    /// Legacy packet loads (`BPF_ABS`, `BPF_IND`).
    LdPacket {
        size: Size,
        indirect: bool,
        src: u8,
        imm: i32,
    },
    Ldx {
        size: Size,
        dst: u8,
        src: u8,
        off: i16,
        sign_extend: bool,
    },
    St {
        size: Size,
        dst: u8,
        off: i16,
        imm: i32,
    },
    Stx {
        size: Size,
        dst: u8,
        src: u8,
        off: i16,
    },
    Atomic {
        size: Size,
        dst: u8,
        src: u8,
        off: i16,
        op: AtomicOp,
        fetch: bool,
    },
    /// An opcode this decoder does not know: kept so the slot count stays right.
    Unknown {
        raw: u64,
    },
}

const CLASS_LD: u8 = 0;
const CLASS_LDX: u8 = 1;
const CLASS_ST: u8 = 2;
const CLASS_STX: u8 = 3;
const CLASS_ALU: u8 = 4;
const CLASS_JMP: u8 = 5;
const CLASS_JMP32: u8 = 6;
const CLASS_ALU64: u8 = 7;

const ALU_OPS: [(u8, AluOp); 13] = [
    (0x00, AluOp::Add),
    (0x10, AluOp::Sub),
    (0x20, AluOp::Mul),
    (0x30, AluOp::Div),
    (0x40, AluOp::Or),
    (0x50, AluOp::And),
    (0x60, AluOp::Lsh),
    (0x70, AluOp::Rsh),
    (0x80, AluOp::Neg),
    (0x90, AluOp::Mod),
    (0xa0, AluOp::Xor),
    (0xb0, AluOp::Mov),
    (0xc0, AluOp::Arsh),
];

const JMP_OPS: [(u8, JmpOp); 12] = [
    (0x00, JmpOp::Ja),
    (0x10, JmpOp::Jeq),
    (0x20, JmpOp::Jgt),
    (0x30, JmpOp::Jge),
    (0x40, JmpOp::Jset),
    (0x50, JmpOp::Jne),
    (0x60, JmpOp::Jsgt),
    (0x70, JmpOp::Jsge),
    (0xa0, JmpOp::Jlt),
    (0xb0, JmpOp::Jle),
    (0xc0, JmpOp::Jslt),
    (0xd0, JmpOp::Jsle),
];

fn size_of(code: u8) -> Size {
    match code & 0x18 {
        0x00 => 4,
        0x08 => 2,
        0x10 => 1,
        _ => 8,
    }
}

fn size_bits(size: Size) -> u8 {
    match size {
        4 => 0x00,
        2 => 0x08,
        1 => 0x10,
        _ => 0x18,
    }
}

/// The fields of one 8-byte slot, undecoded (also read by the bpftrace loader, which patches map
/// fds into them).
#[derive(Debug, Clone, Copy)]
pub struct Raw {
    pub code: u8,
    pub dst: u8,
    pub src: u8,
    pub off: i16,
    pub imm: i32,
}

/// A section's bytes as raw slots; a trailing partial slot is ignored.
pub fn slots(bytes: &[u8]) -> Vec<Raw> {
    bytes.chunks_exact(8).map(Raw::of).collect()
}

impl Raw {
    fn of(b: &[u8]) -> Raw {
        Raw { code: b[0], dst: b[1] & 0x0f, src: b[1] >> 4, off: i16::from_le_bytes([b[2], b[3]]), imm: i32::from_le_bytes([b[4], b[5], b[6], b[7]]) }
    }
    pub fn bytes(self) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[0] = self.code;
        b[1] = (self.src << 4) | (self.dst & 0x0f);
        b[2..4].copy_from_slice(&self.off.to_le_bytes());
        b[4..8].copy_from_slice(&self.imm.to_le_bytes());
        b
    }
    fn word(self) -> u64 {
        u64::from_le_bytes(self.bytes())
    }
}

fn unknown(r: Raw) -> Insn {
    Insn::Unknown { raw: r.word() }
}

/// Decodes one slot. Reserved fields must be zero, as the kernel demands; anything else is
/// `Unknown`, so decoding then encoding gives back exactly the input.
fn decode_one(r: Raw, next: Option<Raw>) -> Insn {
    let class = r.code & 0x07;
    let x = r.code & 0x08 != 0;
    let operand = || if x { Operand::Reg(r.src) } else { Operand::Imm(r.imm) };
    // The source register form carries no immediate, the immediate form no source register.
    let operand_ok = if x { r.imm == 0 } else { r.src == 0 };
    let insn = match class {
        CLASS_ALU | CLASS_ALU64 => {
            let wide = class == CLASS_ALU64;
            if r.code & 0xf0 == 0xd0 {
                let ok = matches!(r.imm, 16 | 32 | 64) && r.src == 0 && r.off == 0 && !(wide && x);
                return if ok { Insn::Endian { dst: r.dst, to_be: x, swap: wide, bits: r.imm } } else { unknown(r) };
            }
            let Some((_, op)) = ALU_OPS.iter().find(|(c, _)| *c == r.code & 0xf0) else { return unknown(r) };
            let off_ok = match op {
                AluOp::Div | AluOp::Mod => matches!(r.off, 0 | 1),
                AluOp::Mov => matches!(r.off, 0 | 8 | 16 | 32) && (r.off == 0 || x),
                _ => r.off == 0,
            };
            let neg_ok = *op != AluOp::Neg || (!x && r.imm == 0);
            (operand_ok && off_ok && neg_ok).then(|| Insn::Alu { wide, op: *op, dst: r.dst, src: operand(), off: r.off })
        }
        CLASS_JMP | CLASS_JMP32 => match r.code & 0xf0 {
            0x80 if class == CLASS_JMP && !x => (r.dst == 0 && r.off == 0 && r.src <= 2).then_some(Insn::Call { src: r.src, imm: r.imm }),
            0x90 if class == CLASS_JMP && !x => (r.dst == 0 && r.src == 0 && r.off == 0 && r.imm == 0).then_some(Insn::Exit),
            op => JMP_OPS.iter().find(|(c, _)| *c == op).and_then(|(_, op)| {
                let wide32 = class == CLASS_JMP32;
                if *op == JmpOp::Ja {
                    // goto uses off; gotol (JMP32 class) uses imm.
                    let ok = !x && r.dst == 0 && r.src == 0 && if wide32 { r.off == 0 } else { r.imm == 0 };
                    let off = if wide32 { r.imm } else { r.off as i32 };
                    return ok.then_some(Insn::Jmp { wide32, op: JmpOp::Ja, dst: 0, src: Operand::Imm(0), off });
                }
                operand_ok.then(|| Insn::Jmp { wide32, op: *op, dst: r.dst, src: operand(), off: r.off as i32 })
            }),
        },
        CLASS_LD => match r.code & 0xe0 {
            0x00 if r.code == 0x18 => next.filter(|n| n.code == 0 && n.dst == 0 && n.src == 0 && n.off == 0 && r.off == 0).map(|n| Insn::LdImm64 {
                dst: r.dst,
                src: r.src,
                imm: (r.imm as u32 as u64 | (n.imm as u32 as u64) << 32) as i64,
            }),
            0x20 if r.dst == 0 && r.off == 0 && r.src == 0 => Some(Insn::LdPacket { size: size_of(r.code), indirect: false, src: 0, imm: r.imm }),
            0x40 if r.dst == 0 && r.off == 0 => Some(Insn::LdPacket { size: size_of(r.code), indirect: true, src: r.src, imm: r.imm }),
            _ => None,
        },
        CLASS_LDX if r.imm == 0 => match r.code & 0xe0 {
            0x60 => Some(Insn::Ldx { size: size_of(r.code), dst: r.dst, src: r.src, off: r.off, sign_extend: false }),
            0x80 if size_of(r.code) != 8 => Some(Insn::Ldx { size: size_of(r.code), dst: r.dst, src: r.src, off: r.off, sign_extend: true }),
            _ => None,
        },
        CLASS_ST if r.code & 0xe0 == 0x60 && r.src == 0 => Some(Insn::St { size: size_of(r.code), dst: r.dst, off: r.off, imm: r.imm }),
        CLASS_STX => match r.code & 0xe0 {
            0x60 if r.imm == 0 => Some(Insn::Stx { size: size_of(r.code), dst: r.dst, src: r.src, off: r.off }),
            0xc0 if matches!(size_of(r.code), 4 | 8) => {
                let fetch = r.imm & 0x01 != 0;
                let op = match r.imm & !0x01 {
                    0x00 => Some(AtomicOp::Add),
                    0x40 => Some(AtomicOp::Or),
                    0x50 => Some(AtomicOp::And),
                    0xa0 => Some(AtomicOp::Xor),
                    // xchg and cmpxchg always fetch.
                    0xe0 if fetch => Some(AtomicOp::Xchg),
                    0xf0 if fetch => Some(AtomicOp::Cmpxchg),
                    _ => None,
                };
                op.map(|op| Insn::Atomic { size: size_of(r.code), dst: r.dst, src: r.src, off: r.off, op, fetch })
            }
            _ => None,
        },
        _ => None,
    };
    insn.unwrap_or_else(|| unknown(r))
}

/// Decodes a section's bytes: one entry per slot, `None` for the second half of an `LdImm64`.
/// A trailing partial slot is ignored; nothing here panics on any input.
pub fn decode(bytes: &[u8]) -> Vec<Option<Insn>> {
    let raws = slots(bytes);
    let mut out = Vec::with_capacity(raws.len());
    let mut i = 0;
    while i < raws.len() {
        let insn = decode_one(raws[i], raws.get(i + 1).copied());
        let wide = matches!(insn, Insn::LdImm64 { .. });
        out.push(Some(insn));
        if wide {
            out.push(None);
            i += 1;
        }
        i += 1;
    }
    out
}

impl Insn {
    /// The instruction's bytes (16 for `LdImm64`): `decode` then `encode` gives back the input.
    pub fn encode(&self) -> Vec<u8> {
        let op_bits = |table: &[(u8, AluOp)], op: AluOp| table.iter().find(|(_, o)| *o == op).map_or(0, |(c, _)| *c);
        let jmp_bits = |op: JmpOp| JMP_OPS.iter().find(|(_, o)| *o == op).map_or(0, |(c, _)| *c);
        let src_fields = |s: Operand| match s {
            Operand::Reg(r) => (0x08u8, r, 0),
            Operand::Imm(i) => (0x00u8, 0, i),
        };
        let raw = |code, dst, src, off, imm| Raw { code, dst, src, off, imm }.bytes().to_vec();
        match *self {
            Insn::Alu { wide, op, dst, src, off } => {
                let (x, s, imm) = src_fields(src);
                raw(op_bits(&ALU_OPS, op) | x | if wide { CLASS_ALU64 } else { CLASS_ALU }, dst, s, off, imm)
            }
            Insn::Endian { dst, to_be, swap, bits } => raw(0xd0 | if to_be { 0x08 } else { 0 } | if swap { CLASS_ALU64 } else { CLASS_ALU }, dst, 0, 0, bits),
            Insn::Jmp { wide32, op: JmpOp::Ja, off, .. } => {
                let (o, imm) = if wide32 { (0, off) } else { (off as i16, 0) };
                raw(if wide32 { CLASS_JMP32 } else { CLASS_JMP }, 0, 0, o, imm)
            }
            Insn::Jmp { wide32, op, dst, src, off, .. } => {
                let (x, s, imm) = src_fields(src);
                raw(jmp_bits(op) | x | if wide32 { CLASS_JMP32 } else { CLASS_JMP }, dst, s, off as i16, imm)
            }
            Insn::Call { src, imm } => raw(0x85, 0, src, 0, imm),
            Insn::Exit => raw(0x95, 0, 0, 0, 0),
            Insn::LdImm64 { dst, src, imm } => {
                let mut b = raw(0x18, dst, src, 0, imm as i32);
                b.extend(raw(0, 0, 0, 0, (imm >> 32) as i32));
                b
            }
            Insn::LdPacket { size, indirect, src, imm } => raw(if indirect { 0x40 } else { 0x20 } | size_bits(size) | CLASS_LD, 0, src, 0, imm),
            Insn::Ldx { size, dst, src, off, sign_extend } => raw(if sign_extend { 0x80 } else { 0x60 } | size_bits(size) | CLASS_LDX, dst, src, off, 0),
            Insn::St { size, dst, off, imm } => raw(0x60 | size_bits(size) | CLASS_ST, dst, 0, off, imm),
            Insn::Stx { size, dst, src, off } => raw(0x60 | size_bits(size) | CLASS_STX, dst, src, off, 0),
            Insn::Atomic { size, dst, src, off, op, fetch } => {
                let bits = match op {
                    AtomicOp::Add => 0x00,
                    AtomicOp::Or => 0x40,
                    AtomicOp::And => 0x50,
                    AtomicOp::Xor => 0xa0,
                    AtomicOp::Xchg => 0xe0,
                    AtomicOp::Cmpxchg => 0xf0,
                };
                raw(0xc0 | size_bits(size) | CLASS_STX, dst, src, off, bits | fetch as i32)
            }
            Insn::Unknown { raw: w } => w.to_le_bytes().to_vec(),
        }
    }
}

fn reg(wide: bool, r: u8) -> String {
    format!("{}{r}", if wide { 'r' } else { 'w' })
}

/// `*(u32 *)(r10 - 4)`; `kind` is `u`, or `s` for sign-extending loads.
fn mem(kind: char, size: Size, base: u8, off: i16) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    format!("*({kind}{} *)(r{base} {sign} {})", size as u32 * 8, (off as i32).abs())
}

/// As llvm-objdump (LLVM 14) prints it, without jump labels.
impl fmt::Display for Insn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Insn::Alu { wide, op, dst, src, off } => {
                let d = reg(wide, dst);
                let s = match src {
                    Operand::Reg(r) => reg(wide, r),
                    Operand::Imm(i) => i.to_string(),
                };
                let sym = match op {
                    AluOp::Add => "+=",
                    AluOp::Sub => "-=",
                    AluOp::Mul => "*=",
                    AluOp::Div if off == 1 => "s/=",
                    AluOp::Div => "/=",
                    AluOp::Or => "|=",
                    AluOp::And => "&=",
                    AluOp::Lsh => "<<=",
                    AluOp::Rsh => ">>=",
                    AluOp::Mod if off == 1 => "s%=",
                    AluOp::Mod => "%=",
                    AluOp::Xor => "^=",
                    AluOp::Arsh => "s>>=",
                    AluOp::Neg => return write!(f, "{d} = -{d}"),
                    AluOp::Mov if off != 0 => return write!(f, "{d} = (s{}){s}", off),
                    AluOp::Mov => return write!(f, "{d} = {s}"),
                };
                write!(f, "{d} {sym} {s}")
            }
            Insn::Endian { dst, to_be, swap, bits } => {
                let kind = if swap {
                    "bswap"
                } else if to_be {
                    "be"
                } else {
                    "le"
                };
                write!(f, "r{dst} = {kind}{bits} r{dst}")
            }
            Insn::Jmp { wide32, op, dst, src, off } => {
                let (target, sign) = (off, if off < 0 { "" } else { "+" });
                if op == JmpOp::Ja {
                    return write!(f, "{} {sign}{target}", if wide32 { "gotol" } else { "goto" });
                }
                let s = match src {
                    Operand::Reg(r) => reg(!wide32, r),
                    Operand::Imm(i) => i.to_string(),
                };
                let sym = match op {
                    JmpOp::Jeq => "==",
                    JmpOp::Jgt => ">",
                    JmpOp::Jge => ">=",
                    JmpOp::Jset => "&",
                    JmpOp::Jne => "!=",
                    JmpOp::Jsgt => "s>",
                    JmpOp::Jsge => "s>=",
                    JmpOp::Jlt => "<",
                    JmpOp::Jle => "<=",
                    JmpOp::Jslt => "s<",
                    JmpOp::Jsle => "s<=",
                    JmpOp::Ja => unreachable!("handled above"),
                };
                write!(f, "if {} {sym} {s} goto {sign}{target}", reg(!wide32, dst))
            }
            Insn::Call { imm, .. } => write!(f, "call {imm}"),
            Insn::Exit => f.write_str("exit"),
            Insn::LdImm64 { dst, imm, .. } => write!(f, "r{dst} = {imm} ll"),
            Insn::LdPacket { size, indirect, src, imm } => {
                if indirect {
                    write!(f, "r0 = *(u{} *)skb[r{src} + {imm}]", size as u32 * 8)
                } else {
                    write!(f, "r0 = *(u{} *)skb[{imm}]", size as u32 * 8)
                }
            }
            Insn::Ldx { size, dst, src, off, sign_extend } => write!(f, "r{dst} = {}", mem(if sign_extend { 's' } else { 'u' }, size, src, off)),
            Insn::St { size, dst, off, imm } => write!(f, "{} = {imm}", mem('u', size, dst, off)),
            // LLVM 14 prints the source of every store as a 64-bit register.
            Insn::Stx { size, dst, src, off } => write!(f, "{} = r{src}", mem('u', size, dst, off)),
            Insn::Atomic { size, dst, src, off, op, fetch } => {
                let m = mem('u', size, dst, off);
                let s = reg(true, src);
                match (op, fetch) {
                    (AtomicOp::Add, false) => write!(f, "lock {m} += {s}"),
                    (AtomicOp::Or, false) => write!(f, "lock {m} |= {s}"),
                    (AtomicOp::And, false) => write!(f, "lock {m} &= {s}"),
                    (AtomicOp::Xor, false) => write!(f, "lock {m} ^= {s}"),
                    (AtomicOp::Add, true) => write!(f, "{s} = atomic_fetch_add({m}, {s})"),
                    (AtomicOp::Or, true) => write!(f, "{s} = atomic_fetch_or({m}, {s})"),
                    (AtomicOp::And, true) => write!(f, "{s} = atomic_fetch_and({m}, {s})"),
                    (AtomicOp::Xor, true) => write!(f, "{s} = atomic_fetch_xor({m}, {s})"),
                    (AtomicOp::Xchg, _) => write!(f, "{s} = xchg_64({m}, {s})"),
                    (AtomicOp::Cmpxchg, _) => write!(f, "r0 = cmpxchg_64({m}, r0, {s})"),
                }
            }
            Insn::Unknown { raw } => write!(f, "<unknown {raw:#018x}>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small xorshift generator: the tests need reproducible noise, not a dependency.
    pub(crate) struct Noise(pub u64);

    impl Noise {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn every_known_instruction_encodes_back_to_its_bytes() {
        // Random slots: whatever decodes to a known form must encode to the same bytes.
        let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
        let mut known = 0;
        for _ in 0..200_000 {
            let bytes: Vec<u8> = (0..2).flat_map(|_| noise.next().to_le_bytes()).collect();
            let decoded = decode(&bytes);
            let Some(Some(first)) = decoded.first() else { panic!("a slot always decodes") };
            if matches!(first, Insn::Unknown { .. }) {
                continue;
            }
            known += 1;
            let width = if matches!(first, Insn::LdImm64 { .. }) { 16 } else { 8 };
            let mut expect = bytes[..width].to_vec();
            if width == 16 {
                // The second slot of a 64-bit load carries only the immediate's high half.
                expect[8..12].fill(0);
            }
            let _ = first.to_string();
            assert_eq!(first.encode(), expect, "{first:?}");
        }
        assert!(known > 500, "only {known} known instructions in the noise");
    }

    #[test]
    fn truncated_input_is_not_a_panic() {
        assert!(decode(&[0x18, 0, 0, 0, 1, 0, 0, 0]).iter().all(|i| matches!(i, Some(Insn::Unknown { .. }))));
        assert!(decode(&[1, 2, 3]).is_empty());
    }
}
