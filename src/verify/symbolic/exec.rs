//! Executes one program on every path, registers and memory as z3 bit-vectors, and records what
//! each path emits (ring-buffer submits, perf outputs, map writes, printk) under which path
//! condition. Values from the outside are symbols named after their origin (see [`super::origin`]
//! for the names and what they show). Pointer offsets must be constant; anything this model
//! cannot follow makes the result `Unknown` with the reason, never a guess. Helper calls follow
//! their specs ([`super::spec`]): a violated precondition is a hazard, like a NULL dereference.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use z3::ast::{Ast, Bool, BV};
use z3::{Model, SatResult, Solver};

use super::origin::sym;
use super::spec::{self, Arg, Effect, Returns};
use crate::obj::elf::{MapRef, Program};
use crate::obj::insn::{AluOp, AtomicOp, Insn, JmpOp, Operand};

/// Limits of one exploration.
const MAX_PATHS: usize = 256;
const MAX_STEPS: usize = 20_000;
/// bpf-to-bpf calls nest at most this deep (the kernel allows 8 frames).
const MAX_FRAMES: usize = 8;
/// Bytes of stack below r10 a frame may use.
const STACK_SIZE: i64 = 512;
/// CPU-time budget of one exploration and its checks: past it the answer is `Unknown`. A log2
/// histogram of a latency divided by 1000 (dataset's read_latency_hist.bpf.c) takes 0.6-0.9 s on
/// an AMD EPYC; 500 ms turned it unknown on some machines, so the bound leaves room for slower CPUs.
const BUDGET: std::time::Duration = std::time::Duration::from_millis(2_000);
/// CPU-time budget of every exploration of one object together: an object of many programs
/// (crafted, or a fuzzer's) must not take minutes. Real objects stay far below it.
pub const OBJECT_BUDGET: std::time::Duration = std::time::Duration::from_millis(8_000);

/// A budget of this thread's CPU time, not of the wall clock: on a busy machine (a build beside
/// it, two cores shared) the same program must get the same verdict, not run out of time.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    until_ns: u64,
}

impl Deadline {
    pub fn after(budget: std::time::Duration) -> Deadline {
        Deadline { until_ns: thread_cpu_ns().saturating_add(budget.as_nanos() as u64) }
    }

    pub fn passed(&self) -> bool {
        thread_cpu_ns() > self.until_ns
    }

    /// Whichever of the two comes first.
    pub fn or(self, other: Deadline) -> Deadline {
        Deadline { until_ns: self.until_ns.min(other.until_ns) }
    }
}

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes only the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    Ctx,
    /// The stack of call frame N (0 is the program's own).
    Stack(usize),
    /// A map lookup's result (`id` distinguishes lookups).
    MapValue {
        map: String,
        id: usize,
    },
    /// A ring-buffer reservation of `size` bytes when the size is a constant.
    Ringbuf {
        id: usize,
        size: Option<i64>,
    },
    /// A map itself (the first argument of map helpers).
    Map(String),
    /// A data section's globals (`.rodata`, `.data`, `.bss`): readable memory of unknown content.
    Data(String),
}

#[derive(Debug, Clone)]
pub enum Val {
    Uninit,
    Scalar(BV),
    /// `nullable` until a comparison with 0 proves otherwise.
    Ptr {
        region: Region,
        off: i64,
        nullable: bool,
    },
}

/// What a path sent to user space: a record (ring buffer, perf buffer, printk) or a map write.
#[derive(Debug, Clone)]
pub struct Emit {
    pub slot: usize,
    pub kind: &'static str,
    /// The map written or output through, when there is one.
    pub map: Option<String>,
    /// A map write's key bytes (as far as the program wrote them); empty for records.
    pub key: Vec<BV>,
    /// The record, or the value written, each a symbolic byte.
    pub value: Vec<BV>,
    /// The path condition under which it happens, branch by branch.
    pub condition: Vec<Bool>,
    /// Input values that drive the program down this path (none before the first branch).
    pub model: Option<Rc<Model>>,
}

/// A memory-safety problem or broken helper precondition found on a feasible path.
#[derive(Debug, Clone)]
pub struct Hazard {
    pub slot: usize,
    pub message: String,
    /// The path reaching it; feasible, since only feasible branches are followed.
    pub condition: Vec<Bool>,
    pub model: Option<Rc<Model>>,
}

#[derive(Debug)]
pub struct Exploration {
    pub emits: Vec<Emit>,
    pub hazards: Vec<Hazard>,
    pub paths: usize,
    /// Why some path could not be followed; the checks then answer `Unknown`.
    pub unknown: Option<String>,
    /// For each `bpf_probe_read*` (by number): the symbols its source address was made of.
    pub reads: BTreeMap<usize, Vec<String>>,
    /// When the checks on this exploration must give up too.
    pub deadline: Deadline,
}

/// Where a bpf-to-bpf call returns to, and the callee-saved registers of the caller.
#[derive(Clone)]
struct Frame {
    ret: usize,
    saved: [Val; 5],
}

#[derive(Clone)]
struct State {
    pc: usize,
    regs: [Val; 11],
    frames: Vec<Frame>,
    /// Byte-addressed memory per region: (region, offset) → byte.
    mem: BTreeMap<(String, i64), BV>,
    condition: Vec<Bool>,
    /// A model of `condition`, so a branch side it already satisfies needs no solver call.
    model: Option<Rc<Model>>,
    lookups: usize,
    /// The key bytes of each lookup, for the map write that follows through its value pointer.
    keys: BTreeMap<usize, Vec<BV>>,
    /// Pointers spilled whole to the stack, by where: short of registers, the compiler keeps the
    /// context there (bpftrace's printf after a long string copy), and reads it back for the
    /// helper that needs it. A store over any of its bytes forgets it.
    spills: BTreeMap<(String, i64), Val>,
}

fn key(region: &Region) -> String {
    match region {
        Region::Ctx => "ctx".into(),
        Region::Stack(0) => "stack".into(),
        Region::Stack(n) => format!("stack@{n}"),
        Region::MapValue { map, id } => format!("map:{map}#{id}"),
        Region::Ringbuf { id, .. } => format!("rec#{id}"),
        Region::Map(name) => format!("mapdef:{name}"),
        Region::Data(name) => format!("data:{name}"),
    }
}

/// Bytes in memory order as one value: the highest address is the most significant byte.
pub(crate) fn little_endian(bytes: &[BV]) -> BV {
    bytes.iter().skip(1).fold(bytes[0].clone(), |acc, b| b.concat(&acc))
}

fn c64(v: u64) -> BV {
    BV::from_u64(v, 64)
}

/// A solver that gives up (answers `unknown`) after a fifth of a second: one hard query must not
/// stall a check that runs inside `gen`.
pub(crate) fn solver() -> Solver {
    let solver = Solver::new();
    let mut params = z3::Params::new();
    params.set_u32("timeout", 200);
    solver.set_params(&params);
    solver
}
/// z3's answer to one query, read exactly.
pub(crate) enum Answer {
    Sat(Rc<Model>),
    Unsat,
    Unknown,
}

/// One solver kept with its assertion stack equal to the path condition being extended. Sibling
/// paths share their prefix, so z3 keeps what it learned about it; a fresh solver per query cost
/// seconds on bpftrace's unrolled histogram code (64-bit division bit-blasted again each time).
pub(crate) struct PathSolver {
    solver: Solver,
    asserted: Vec<Bool>,
    /// How many path solvers this z3 solver has served, counting this one.
    uses: u32,
}

/// Solvers with empty assertion stacks, kept for the next path solver on this thread: z3 takes
/// about 8 ms to make a new solver ready for its first check, and a push, check and pop on a
/// kept one about 0.2 ms. A check of one program made several; the fuzzer met the cost on every
/// input.
struct Spare(Solver, u32);
thread_local! {
    static SPARE: RefCell<Vec<Spare>> = const { RefCell::new(Vec::new()) };
}
/// A kept solver is made anew after this many uses, so whatever z3 keeps across pops cannot
/// grow without bound.
const SOLVER_USES: u32 = 256;

impl PathSolver {
    pub(crate) fn new() -> PathSolver {
        let Spare(solver, uses) = SPARE.with(|s| s.borrow_mut().pop()).unwrap_or_else(|| Spare(solver(), 0));
        PathSolver { solver, asserted: Vec::new(), uses: uses + 1 }
    }

    fn sync(&mut self, condition: &[Bool]) {
        let common = self.asserted.iter().zip(condition).take_while(|(a, b)| a == b).count();
        if common < self.asserted.len() {
            self.solver.pop((self.asserted.len() - common) as u32);
            self.asserted.truncate(common);
        }
        for c in &condition[common..] {
            self.solver.push();
            self.solver.assert(c);
            self.asserted.push(c.clone());
        }
    }

    /// Whether `condition` and then every `extra` can hold together, with a model when they can.
    pub(crate) fn check(&mut self, condition: &[Bool], extra: &[&Bool]) -> Answer {
        self.sync(condition);
        self.solver.push();
        for e in extra {
            self.solver.assert(*e);
        }
        let answer = match self.solver.check() {
            SatResult::Sat => self.solver.get_model().map_or(Answer::Unknown, |m| Answer::Sat(Rc::new(m))),
            SatResult::Unsat => Answer::Unsat,
            SatResult::Unknown => Answer::Unknown,
        };
        self.solver.pop(1);
        answer
    }
}

impl Drop for PathSolver {
    fn drop(&mut self) {
        if self.uses >= SOLVER_USES {
            return;
        }
        // Every assertion sits in a scope of its own (see `sync`), so popping them all leaves
        // the solver as it was made.
        if !self.asserted.is_empty() {
            self.solver.pop(self.asserted.len() as u32);
        }
        let solver = std::mem::replace(&mut self.solver, Solver::new());
        SPARE.with(|s| s.borrow_mut().push(Spare(solver, self.uses)));
    }
}

struct Explorer<'a> {
    prog: &'a Program,
    out: Exploration,
    steps: usize,
    paths: PathSolver,
}

impl State {
    fn load(&mut self, region: &Region, off: i64, size: u8) -> BV {
        let k = key(region);
        let bytes: Vec<BV> = (0..size as i64)
            .map(|i| {
                self.mem
                    .entry((k.clone(), off + i))
                    // Memory nobody wrote holds what the kernel put there: a symbol named after it.
                    .or_insert_with(|| BV::new_const(sym::memory(&k, off + i), 8))
                    .clone()
            })
            .collect();
        little_endian(&bytes).zero_ext(64 - 8 * size as u32)
    }

    fn store(&mut self, region: &Region, off: i64, size: u8, value: &BV) {
        let k = key(region);
        if !self.spills.is_empty() {
            self.spills.retain(|(sk, so), _| *sk != k || *so + 8 <= off || *so >= off + size as i64);
        }
        for i in 0..size as u32 {
            self.mem.insert((k.clone(), off + i as i64), value.extract(8 * i + 7, 8 * i));
        }
    }

    fn bytes(&mut self, region: &Region, off: i64, len: i64) -> Vec<BV> {
        (0..len).map(|i| self.load(region, off + i, 1).extract(7, 0)).collect()
    }

    /// The bytes the program wrote from `off` on, up to `max` (a map key's size is not in the
    /// object, so a key is what was written where it points).
    fn written(&self, region: &Region, off: i64, max: i64) -> Vec<BV> {
        let k = key(region);
        self.mem.range((k.clone(), off)..(k, off + max)).map(|(_, b)| b.clone()).collect()
    }
}

impl Explorer<'_> {
    fn scalar(&self, v: &Val) -> Option<BV> {
        match v {
            Val::Scalar(b) => Some(b.clone()),
            _ => None,
        }
    }

    fn unknown(&mut self, why: String) {
        self.out.unknown.get_or_insert(why);
    }

    fn hazard(&mut self, s: &State, slot: usize, message: String) {
        self.out.hazards.push(Hazard { slot, message, condition: s.condition.clone(), model: s.model.clone() });
    }

    fn run(&mut self) {
        let mut regs: [Val; 11] = std::array::from_fn(|_| Val::Uninit);
        regs[1] = Val::Ptr { region: Region::Ctx, off: 0, nullable: false };
        regs[10] = Val::Ptr { region: Region::Stack(0), off: 0, nullable: false };
        let start = State { pc: 0, regs, frames: Vec::new(), mem: BTreeMap::new(), condition: Vec::new(), model: None, lookups: 0, keys: BTreeMap::new(), spills: BTreeMap::new() };
        let mut work = vec![start];
        while let Some(state) = work.pop() {
            if self.out.paths >= MAX_PATHS {
                self.unknown(format!("more than {MAX_PATHS} paths"));
                return;
            }
            match self.step_path(state) {
                Ok(more) => work.extend(more),
                Err(why) => {
                    // Any path not followed makes every verdict Unknown: stop here.
                    self.unknown(why);
                    self.out.paths += 1;
                    return;
                }
            }
        }
    }

    /// Runs one path until it exits (counted) or forks (the continuations are returned).
    fn step_path(&mut self, mut s: State) -> Result<Vec<State>, String> {
        loop {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return Err(format!("more than {MAX_STEPS} steps"));
            }
            if self.steps.is_multiple_of(64) && self.out.deadline.passed() {
                return Err(format!("the budget of CPU time ran out ({} ms a program, {} ms an object)", BUDGET.as_millis(), OBJECT_BUDGET.as_millis()));
            }
            let slot = s.pc;
            let insn = match self.prog.insns.get(slot) {
                Some(Some(i)) => *i,
                _ => return Err(format!("slot {slot} is not an instruction")),
            };
            s.pc += 1;
            // Registers past r10 do not exist and r10 is read-only: the kernel rejects both.
            if let Some(problem) = bad_register(&insn) {
                self.hazard(&s, slot, problem);
                self.out.paths += 1;
                return Ok(vec![]);
            }
            // The kernel rejects a read of a register nothing wrote; so does this model, and
            // the path ends there.
            if let Some(r) = reads(&insn).into_iter().find(|&r| matches!(s.regs[r as usize], Val::Uninit)) {
                self.hazard(&s, slot, format!("r{r} is read before anything is written to it"));
                self.out.paths += 1;
                return Ok(vec![]);
            }
            match insn {
                Insn::Exit => match s.frames.pop() {
                    None => {
                        self.out.paths += 1;
                        return Ok(vec![]);
                    }
                    Some(frame) => {
                        s.pc = frame.ret;
                        for (i, v) in frame.saved.into_iter().enumerate() {
                            s.regs[6 + i] = v;
                        }
                        for r in 1..=5 {
                            s.regs[r] = Val::Uninit;
                        }
                    }
                },
                Insn::Alu { wide, op, dst, src, off } => self.alu(&mut s, wide, op, dst, src, off)?,
                Insn::Endian { dst, to_be, swap, bits } => {
                    let v = self.scalar(&s.regs[dst as usize]).ok_or_else(|| format!("slot {slot}: byte swap of a pointer"))?;
                    let n = (bits / 8) as u32;
                    // Little-endian host: to big-endian (or `bswap`) reverses the bytes.
                    let r = if to_be || swap { (1..n).fold(v.extract(7, 0), |acc, i| acc.concat(v.extract(8 * i + 7, 8 * i))) } else { v.extract(8 * n - 1, 0) };
                    s.regs[dst as usize] = Val::Scalar(r.zero_ext(64 - 8 * n));
                }
                Insn::LdImm64 { dst, imm, .. } => {
                    s.regs[dst as usize] = match self.prog.maps.get(&slot) {
                        Some(MapRef::Named(n)) => Val::Ptr { region: Region::Map(n.clone()), off: 0, nullable: false },
                        Some(MapRef::Fd(fd)) => Val::Ptr { region: Region::Map(format!("fd{fd}")), off: 0, nullable: false },
                        Some(MapRef::Data { section, offset }) => Val::Ptr { region: Region::Data(section.clone()), off: *offset, nullable: false },
                        None => Val::Scalar(c64(imm as u64)),
                    };
                    s.pc += 1;
                }
                Insn::Ldx { size, dst, src, off, .. } => {
                    let (region, at) = self.access(&s, src, off, size as i64, false, slot)?;
                    let spilled = if size == 8 { s.spills.get(&(key(&region), at)).cloned() } else { None };
                    s.regs[dst as usize] = match spilled {
                        Some(ptr) => ptr,
                        None => Val::Scalar(s.load(&region, at, size)),
                    };
                }
                Insn::St { size, dst, off, imm } => {
                    let (region, at) = self.access(&s, dst, off, size as i64, true, slot)?;
                    s.store(&region, at, size, &c64(imm as i64 as u64));
                    self.wrote(&mut s, slot, &region, at, size);
                }
                Insn::Stx { size, dst, src, off } => {
                    let (region, at) = self.access(&s, dst, off, size as i64, true, slot)?;
                    let v = match &s.regs[src as usize] {
                        Val::Scalar(b) => b.clone(),
                        // A pointer spilled to the stack: its value is not interesting here.
                        _ => BV::fresh_const(sym::SPILLED, 64),
                    };
                    s.store(&region, at, size, &v);
                    if let (8, Region::Stack(_), ptr @ Val::Ptr { .. }) = (size, &region, &s.regs[src as usize]) {
                        s.spills.insert((key(&region), at), ptr.clone());
                    }
                    self.wrote(&mut s, slot, &region, at, size);
                }
                Insn::Atomic { size, dst, src, off, op, fetch } => {
                    let (region, at) = self.access(&s, dst, off, size as i64, true, slot)?;
                    let old = s.load(&region, at, size);
                    let v = self.scalar(&s.regs[src as usize]).ok_or("atomic with a pointer operand")?;
                    let new = match op {
                        AtomicOp::Add => old.bvadd(&v),
                        AtomicOp::Or => old.bvor(&v),
                        AtomicOp::And => old.bvand(&v),
                        AtomicOp::Xor => old.bvxor(&v),
                        AtomicOp::Xchg | AtomicOp::Cmpxchg => v.clone(),
                    };
                    s.store(&region, at, size, &new);
                    if fetch {
                        s.regs[src as usize] = Val::Scalar(old);
                    }
                    self.wrote(&mut s, slot, &region, at, size);
                }
                Insn::Call { src: 0, imm } => self.helper(&mut s, slot, imm)?,
                Insn::Call { src: 1, imm } => {
                    if s.frames.len() + 1 >= MAX_FRAMES {
                        return Err(format!("slot {slot}: calls nest deeper than {MAX_FRAMES} frames"));
                    }
                    let saved = std::array::from_fn(|i| s.regs[6 + i].clone());
                    s.frames.push(Frame { ret: s.pc, saved });
                    s.regs[10] = Val::Ptr { region: Region::Stack(s.frames.len()), off: 0, nullable: false };
                    s.pc = (s.pc as i64 + imm as i64) as usize;
                }
                Insn::Call { .. } => return Err(format!("slot {slot}: calls to kernel functions are not modelled")),
                Insn::Jmp { op: JmpOp::Ja, off, .. } => s.pc = (s.pc as i64 + off as i64) as usize,
                Insn::Jmp { wide32, op, dst, src, off } => return self.branch(s, slot, wide32, op, dst, src, off),
                Insn::LdPacket { .. } => return Err(format!("slot {slot}: legacy packet loads are not modelled")),
                Insn::Unknown { raw } => return Err(format!("slot {slot}: unknown instruction {raw:#x}")),
            }
        }
    }

    /// The region and offset `reg + off` points to, for an access of `size` bytes; a NULL or
    /// out-of-bounds access is a hazard (the access is still modelled, so the path goes on).
    fn access(&mut self, s: &State, reg: u8, off: i16, size: i64, write: bool, slot: usize) -> Result<(Region, i64), String> {
        let (region, at) = self.deref(s, reg, slot)?;
        let at = at + off as i64;
        match &region {
            Region::Stack(_) if at < -STACK_SIZE || at + size > 0 => {
                self.hazard(s, slot, format!("the stack is accessed at r10{at:+}, outside its {STACK_SIZE} bytes"));
            }
            Region::Ringbuf { size: Some(n), .. } if at < 0 || at + size > *n => {
                self.hazard(s, slot, format!("byte {at} of a {n}-byte ring-buffer record is accessed"));
            }
            Region::Ctx if write => self.hazard(s, slot, "the program writes into its context, which is read-only".into()),
            Region::Map(m) => return Err(format!("slot {slot}: the map {m} itself is read or written")),
            _ => {}
        }
        Ok((region, at))
    }

    fn deref(&mut self, s: &State, reg: u8, slot: usize) -> Result<(Region, i64), String> {
        match &s.regs[reg as usize] {
            Val::Ptr { region, off, nullable } => {
                if *nullable {
                    self.hazard(s, slot, format!("r{reg} may be NULL here (the result of a map lookup or ring-buffer reserve that was not checked)"));
                }
                Ok((region.clone(), *off))
            }
            Val::Uninit => Err(format!("slot {slot}: r{reg} is read before it is written")),
            Val::Scalar(_) => Err(format!("slot {slot}: memory through a scalar in r{reg} is not modelled")),
        }
    }

    /// A store into a map value is a map write: the user sees it when the map is printed.
    fn wrote(&mut self, s: &mut State, slot: usize, region: &Region, at: i64, size: u8) {
        if let Region::MapValue { map, id } = region {
            let value = s.bytes(region, at, size as i64);
            let key = s.keys.get(id).cloned().unwrap_or_default();
            self.emit(s, slot, "map value write", Some(map.clone()), key, value);
        }
    }

    fn emit(&mut self, s: &State, slot: usize, kind: &'static str, map: Option<String>, key: Vec<BV>, value: Vec<BV>) {
        self.out.emits.push(Emit { slot, kind, map, key, value, condition: s.condition.clone(), model: s.model.clone() });
    }

    fn alu(&mut self, s: &mut State, wide: bool, op: AluOp, dst: u8, src: Operand, off: i16) -> Result<(), String> {
        let rhs = match src {
            Operand::Reg(r) => s.regs[r as usize].clone(),
            Operand::Imm(i) => Val::Scalar(c64(i as i64 as u64)),
        };
        // Pointer arithmetic with constants keeps the pointer; a copy keeps anything.
        if op == AluOp::Mov && off == 0 {
            s.regs[dst as usize] = match (rhs, wide) {
                (Val::Scalar(b), false) => Val::Scalar(b.extract(31, 0).zero_ext(32)),
                (v, _) => v,
            };
            return Ok(());
        }
        if let Val::Ptr { region, off: p, nullable } = s.regs[dst as usize].clone() {
            let k = self.scalar(&rhs).and_then(|b| b.simplify().as_u64()).map(|v| v as i64);
            return match (op, k) {
                (AluOp::Add, Some(k)) => {
                    s.regs[dst as usize] = Val::Ptr { region, off: p + k, nullable };
                    Ok(())
                }
                (AluOp::Sub, Some(k)) => {
                    s.regs[dst as usize] = Val::Ptr { region, off: p - k, nullable };
                    Ok(())
                }
                _ => Err(format!("pointer arithmetic {op:?} with a non-constant operand")),
            };
        }
        let a = match &s.regs[dst as usize] {
            Val::Scalar(b) => b.clone(),
            Val::Uninit if op == AluOp::Neg => return Err("negation of an unwritten register".into()),
            Val::Uninit => return Err(format!("r{dst} is read before it is written")),
            Val::Ptr { .. } => unreachable!("handled above"),
        };
        let b = match rhs {
            Val::Scalar(b) => b,
            // Subtracting two pointers, or mixing them with scalars: a value we do not track.
            _ => BV::fresh_const("ptr_arith", 64),
        };
        let (a, b) = if wide { (a, b) } else { (a.extract(31, 0), b.extract(31, 0)) };
        let width = if wide { 64 } else { 32 };
        let shift = |b: &BV| b.bvand(BV::from_u64(width as u64 - 1, width));
        let r = match op {
            AluOp::Add => a.bvadd(&b),
            AluOp::Sub => a.bvsub(&b),
            AluOp::Mul => a.bvmul(&b),
            // BPF defines division by zero as 0 and modulo by zero as the dividend.
            AluOp::Div => b.eq(BV::from_u64(0, width)).ite(&BV::from_u64(0, width), &if off == 1 { a.bvsdiv(&b) } else { a.bvudiv(&b) }),
            AluOp::Mod => b.eq(BV::from_u64(0, width)).ite(&a, &if off == 1 { a.bvsrem(&b) } else { a.bvurem(&b) }),
            AluOp::Or => a.bvor(&b),
            AluOp::And => a.bvand(&b),
            AluOp::Xor => a.bvxor(&b),
            AluOp::Lsh => a.bvshl(shift(&b)),
            AluOp::Rsh => a.bvlshr(shift(&b)),
            AluOp::Arsh => a.bvashr(shift(&b)),
            AluOp::Neg => a.bvneg(),
            AluOp::Mov => b.extract(off as u32 - 1, 0).sign_ext(width - off as u32),
        };
        s.regs[dst as usize] = Val::Scalar(if wide { r } else { r.zero_ext(32) });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn branch(&mut self, s: State, slot: usize, wide32: bool, op: JmpOp, dst: u8, src: Operand, off: i32) -> Result<Vec<State>, String> {
        let target = (s.pc as i64 + off as i64) as usize;
        let rhs = match src {
            Operand::Reg(r) => s.regs[r as usize].clone(),
            Operand::Imm(i) => Val::Scalar(c64(i as i64 as u64)),
        };
        // A possibly-NULL pointer compared with 0: one path where it is NULL, one where it is not.
        if let (Val::Ptr { region, off: p, nullable: true }, Some(k)) = (&s.regs[dst as usize], self.scalar(&rhs).and_then(|b| b.simplify().as_u64())) {
            if k == 0 && matches!(op, JmpOp::Jeq | JmpOp::Jne) {
                let mut null = s.clone();
                null.regs[dst as usize] = Val::Scalar(c64(0));
                let mut live = s.clone();
                live.regs[dst as usize] = Val::Ptr { region: region.clone(), off: *p, nullable: false };
                // Other registers holding the same pointer learn the same.
                for r in 0..11 {
                    if let Val::Ptr { region: rr, off: o, nullable: true } = &s.regs[r] {
                        if rr == region && o == p {
                            null.regs[r] = Val::Scalar(c64(0));
                            live.regs[r] = Val::Ptr { region: rr.clone(), off: *o, nullable: false };
                        }
                    }
                }
                let (taken, fall) = if op == JmpOp::Jeq { (null, live) } else { (live, null) };
                let mut taken = taken;
                taken.pc = target;
                return Ok(vec![fall, taken]);
            }
        }
        let (Some(a), Some(b)) = (self.scalar(&s.regs[dst as usize]), self.scalar(&rhs)) else {
            return Err(format!("slot {slot}: a comparison involving a pointer is not modelled"));
        };
        let (a, b) = if wide32 { (a.extract(31, 0), b.extract(31, 0)) } else { (a, b) };
        let cond = match op {
            JmpOp::Jeq => a.eq(&b),
            JmpOp::Jne => a.eq(&b).not(),
            JmpOp::Jgt => a.bvugt(&b),
            JmpOp::Jge => a.bvuge(&b),
            JmpOp::Jlt => a.bvult(&b),
            JmpOp::Jle => a.bvule(&b),
            JmpOp::Jsgt => a.bvsgt(&b),
            JmpOp::Jsge => a.bvsge(&b),
            JmpOp::Jslt => a.bvslt(&b),
            JmpOp::Jsle => a.bvsle(&b),
            JmpOp::Jset => a.bvand(&b).eq(BV::from_u64(0, a.get_size())).not(),
            JmpOp::Ja => unreachable!("handled by the caller"),
        };
        // A comparison of constants decides itself; only a symbolic one needs the solver.
        if let Some(taken) = cond.simplify().as_bool() {
            let mut n = s;
            if taken {
                n.pc = target;
            }
            return Ok(vec![n]);
        }
        let cond = cond.simplify();
        // `if cond goto +1; rX = v` selects a value; merged into one `ite` instead of two paths,
        // it keeps bpftrace's branchy log2 (five such selects per histogram) from forking 32 ways.
        if off == 1 {
            if let Some(Some(Insn::Alu { wide, op: AluOp::Mov, dst: x, src: from, off: 0 })) = self.prog.insns.get(s.pc) {
                // Only a peek: the move is not yet checked, and its registers may not exist.
                let new = match from {
                    Operand::Reg(r) => s.regs.get(*r as usize).and_then(|v| self.scalar(v)),
                    Operand::Imm(i) => Some(c64(*i as i64 as u64)),
                };
                if let (Some(old), Some(new), true) = (s.regs.get(*x as usize).and_then(|v| self.scalar(v)), new, *x != 10) {
                    let new = if *wide { new } else { new.extract(31, 0).zero_ext(32) };
                    let mut n = s;
                    n.regs[*x as usize] = Val::Scalar(cond.ite(&old, &new));
                    n.pc += 1;
                    return Ok(vec![n]);
                }
            }
        }
        let mut next = Vec::new();
        for (side, pc) in [(cond.not(), s.pc), (cond, target)] {
            let known = s.model.as_ref().and_then(|m| m.eval(&side, true)).and_then(|b| b.as_bool());
            let model = match known {
                Some(true) => s.model.clone(),
                _ => match self.paths.check(&s.condition, &[&side]) {
                    Answer::Sat(m) => Some(m),
                    Answer::Unsat => None,
                    Answer::Unknown => return Err(format!("slot {slot}: z3 answered unknown")),
                },
            };
            if let Some(model) = model {
                let mut n = s.clone();
                n.condition.push(side);
                n.model = Some(model);
                n.pc = pc;
                next.push(n);
            }
        }
        Ok(next)
    }

    /// The bytes a `mem`/`mem_write` argument may cover, when its region bounds them.
    fn room(region: &Region, at: i64) -> Option<i64> {
        match region {
            Region::Stack(_) => Some(-at),
            Region::Ringbuf { size: Some(n), .. } => Some(n - at),
            _ => None,
        }
    }

    /// Checks the arguments of a call against the helper's spec; a broken precondition is a
    /// hazard naming the argument.
    fn preconditions(&mut self, s: &State, slot: usize, helper: &spec::Helper) {
        let name = &helper.name;
        for (i, arg) in helper.args.iter().enumerate() {
            let r = i + 1;
            let v = &s.regs[r];
            let bad = |what: &str| format!("argument {r} of {name} (r{r}) must be {what}");
            let problem = match (arg, v) {
                (Arg::Map, Val::Ptr { region: Region::Map(_), .. }) => None,
                (Arg::Map, _) => Some(bad("a map")),
                (Arg::Ctx, Val::Ptr { region: Region::Ctx, off: 0, .. }) => None,
                (Arg::Ctx, _) => Some(bad("the program's context (its first argument)")),
                (Arg::Record, Val::Ptr { region: Region::Ringbuf { .. }, off: 0, nullable: false }) => None,
                (Arg::Record, Val::Ptr { region: Region::Ringbuf { .. }, off: 0, nullable: true }) => Some(bad("a reservation checked for NULL")),
                (Arg::Record, _) => Some(bad("a record from bpf_ringbuf_reserve")),
                (Arg::Key | Arg::Value | Arg::Mem | Arg::MemWrite, Val::Ptr { region, off, nullable }) => {
                    if *nullable {
                        Some(bad("a pointer checked for NULL"))
                    } else if matches!(region, Region::Map(_)) {
                        Some(bad("a pointer to memory, not a map"))
                    } else if *arg == Arg::MemWrite && *region == Region::Ctx {
                        Some(bad("writable memory (the context is read-only)"))
                    } else {
                        self.size_problem(s, helper, r, region, *off)
                    }
                }
                (Arg::Key | Arg::Value | Arg::Mem | Arg::MemWrite, _) => Some(bad("a pointer to memory (the stack or a map value)")),
                (Arg::Size | Arg::SizeOrZero | Arg::Scalar, Val::Ptr { .. }) => Some(bad("a number, not a pointer")),
                _ => None,
            };
            if let Some(message) = problem {
                self.hazard(s, slot, message);
            }
        }
    }

    /// A buffer argument `r` and its size (the next argument): the size must fit the room the
    /// buffer has on this path, which the solver decides when the size is not a constant.
    fn size_problem(&mut self, s: &State, helper: &spec::Helper, r: usize, region: &Region, at: i64) -> Option<String> {
        let zero_ok = match helper.args.get(r) {
            Some(Arg::Size) => false,
            Some(Arg::SizeOrZero) => true,
            _ => return None,
        };
        let size = self.scalar(&s.regs[r + 1])?;
        let room = Self::room(region, at)?;
        let too_big = size.bvsgt(c64(room as u64));
        let negative = size.bvslt(c64(0));
        let mut broken = vec![too_big, negative];
        if !zero_ok {
            broken.push(size.eq(c64(0)));
        }
        let broken = Bool::or(&broken);
        match self.paths.check(&s.condition, &[&broken]) {
            Answer::Sat(m) => {
                let n = m.eval(&size, true).and_then(|v| v.as_u64()).map(|v| v as i64).unwrap_or(0);
                Some(format!("the size in r{} of {} can be {n}, but the buffer in r{r} has {room} bytes", r + 1, helper.name))
            }
            _ => None,
        }
    }

    /// Key and value sizes of map `m`: from the object's BTF, else (bpftrace's maps) a guess that
    /// never takes in the value: 8-byte values (counts, sums, histogram buckets) and a key that
    /// ends where the value begins, at most 64 bytes. bpftrace's strings are 64 bytes, so a key
    /// that opens with one (`@[str(args->comm), cpu]`) is longer: there the run of bytes the
    /// path holds from the key's start on finds its end, up to 256. (Only there: bpftrace
    /// reuses stack slots, and a short key's neighbours may be an earlier printf's leftovers.)
    fn sizes(&self, s: &State, m: &str, key: (&Region, i64), value: Option<(&Region, i64)>) -> (i64, i64) {
        if let Some(sizes) = self.prog.map_sizes.get(m) {
            return *sizes;
        }
        let k = self::key(key.0);
        // The probe reads a byte comes from (a copy moves them in 8-byte words, whose bytes keep
        // all eight symbols).
        let reads_of = |i: i64| -> BTreeSet<usize> {
            let symbols = s.mem.get(&(k.clone(), key.1 + i)).map(super::origin::symbols).unwrap_or_default();
            symbols.iter().filter_map(|n| sym::read_number(n)).collect()
        };
        let opens_with_a_string = !reads_of(0).is_disjoint(&reads_of(63));
        let longest = if opens_with_a_string { ((0..256).take_while(|i| s.mem.contains_key(&(k.clone(), key.1 + i))).count() as i64).max(64) } else { 64 };
        let key_len = match value {
            Some((vr, vo)) if vr == key.0 && vo > key.1 => (vo - key.1).min(longest),
            _ => longest,
        };
        (key_len, 8)
    }

    fn helper(&mut self, s: &mut State, slot: usize, id: i32) -> Result<(), String> {
        let specs = spec::helpers();
        let Some(helper) = specs.get(&id) else {
            // No spec: a value we cannot name, and arguments we cannot check.
            s.regs[0] = Val::Scalar(BV::fresh_const(&sym::helper(id), 64));
            for r in 1..=5 {
                s.regs[r] = Val::Uninit;
            }
            return Ok(());
        };
        self.preconditions(s, slot, helper);
        let const_of = |v: &Val| match v {
            Val::Scalar(b) => b.simplify().as_u64().map(|v| v as i64),
            _ => None,
        };
        let ptr = |v: &Val| match v {
            Val::Ptr { region, off, .. } => Some((region.clone(), *off)),
            _ => None,
        };
        // What the call does besides returning, as its spec says.
        match helper.effect {
            None => {}
            Some(Effect::CopyComm) => {
                if let (Some((region, off)), Some(n)) = (ptr(&s.regs[1]), const_of(&s.regs[2])) {
                    for i in 0..n.clamp(0, 16) {
                        s.store(&region, off + i, 1, &BV::new_const(sym::comm(i as usize), 8).zero_ext(56));
                    }
                }
            }
            Some(Effect::MapUpdate) => {
                if let (Some((kr, ko)), Some((vr, vo)), Val::Ptr { region: Region::Map(m), .. }) = (ptr(&s.regs[2]), ptr(&s.regs[3]), &s.regs[1]) {
                    let (ks, vs) = self.sizes(s, m, (&kr, ko), Some((&vr, vo)));
                    let (key, value) = (s.written(&kr, ko, ks), s.written(&vr, vo, vs));
                    self.emit(s, slot, "map update", Some(m.clone()), key, value);
                }
            }
            Some(Effect::Submit) => {
                if let Some((region @ Region::Ringbuf { size, .. }, off)) = ptr(&s.regs[1]) {
                    let value = s.bytes(&region, off, size.unwrap_or(64).clamp(0, 512));
                    self.emit(s, slot, "ring buffer record", None, Vec::new(), value);
                }
            }
            Some(Effect::Output) => {
                // The map, the record and its size sit where the spec's argument kinds say.
                let at = |kind: Arg| helper.args.iter().position(|a| *a == kind).map(|i| i + 1);
                if let (Some(map_reg), Some(data_reg)) = (at(Arg::Map), at(Arg::Mem)) {
                    let size_reg = data_reg + 1;
                    if let Some((region, off)) = ptr(&s.regs[data_reg]) {
                        let n = const_of(&s.regs[size_reg]).unwrap_or(64).clamp(0, 512);
                        let value = s.bytes(&region, off, n);
                        let map = match &s.regs[map_reg] {
                            Val::Ptr { region: Region::Map(m), .. } => Some(m.clone()),
                            _ => None,
                        };
                        self.emit(s, slot, "perf event record", map, Vec::new(), value);
                    }
                }
            }
            Some(Effect::TracePrintk) => self.emit(s, slot, "trace_printk line", None, Vec::new(), Vec::new()),
            Some(Effect::ProbeRead) => {
                if let Some((region, off)) = ptr(&s.regs[1]) {
                    let n = const_of(&s.regs[2]).unwrap_or(0).clamp(0, 512);
                    let read = self.out.reads.len() + 1;
                    let source = match &s.regs[3] {
                        Val::Scalar(b) => super::origin::symbols(b),
                        Val::Ptr { region, off, .. } => vec![sym::memory(&key(region), *off)],
                        Val::Uninit => Vec::new(),
                    };
                    self.out.reads.insert(read, source);
                    for i in 0..n {
                        s.store(&region, off + i, 1, &BV::new_const(sym::read(read, i as usize), 8).zero_ext(56));
                    }
                }
            }
        }
        let ret = match helper.returns {
            Returns::MapValueOrNull => {
                s.lookups += 1;
                let map = match &s.regs[1] {
                    Val::Ptr { region: Region::Map(m), .. } => m.clone(),
                    _ => "?".into(),
                };
                if let Some((kr, ko)) = ptr(&s.regs[2]) {
                    let (ks, _) = self.sizes(s, &map, (&kr, ko), None);
                    let k = s.written(&kr, ko, ks);
                    s.keys.insert(s.lookups, k);
                }
                Val::Ptr { region: Region::MapValue { map, id: s.lookups }, off: 0, nullable: true }
            }
            Returns::RecordOrNull => {
                s.lookups += 1;
                Val::Ptr { region: Region::Ringbuf { id: s.lookups, size: const_of(&s.regs[2]) }, off: 0, nullable: true }
            }
            Returns::Void => Val::Uninit,
            Returns::Scalar => {
                let v = match (&helper.origin, helper.per_event) {
                    (Some(o), true) => BV::new_const(o.as_str(), 64),
                    (Some(o), false) => BV::fresh_const(o, 64),
                    (None, _) => BV::fresh_const(&sym::result(&helper.name), 64),
                };
                if let Some((lo, hi)) = helper.range {
                    // The result's range joins the path condition; it cannot make the path infeasible.
                    let range = Bool::and(&[v.bvsge(c64(lo as u64)), v.bvsle(c64(hi as u64))]);
                    // The path's model must stay a model of its condition (hazards rely on it).
                    if s.model.as_ref().and_then(|m| m.eval(&range, true)).and_then(|b| b.as_bool()) != Some(true) {
                        s.model = None;
                    }
                    s.condition.push(range);
                }
                Val::Scalar(v)
            }
        };
        s.regs[0] = ret;
        // Caller-saved registers are clobbered by the call.
        for r in 1..=5 {
            s.regs[r] = Val::Uninit;
        }
        Ok(())
    }
}

/// Why `insn` names a register no program may use that way, if it does.
fn bad_register(insn: &Insn) -> Option<String> {
    let written = writes(insn);
    let mut named = reads(insn);
    named.extend(written);
    if let Insn::LdPacket { src, .. } = insn {
        named.push(*src);
    }
    if let Some(r) = named.iter().find(|r| **r > 10) {
        return Some(format!("the instruction names r{r}; there are only r0 to r10"));
    }
    (written == Some(10)).then(|| "the instruction writes r10, the read-only frame pointer".to_string())
}

/// The register `insn` writes, if any (a call's r0 aside).
fn writes(insn: &Insn) -> Option<u8> {
    match insn {
        Insn::Alu { dst, .. } | Insn::Endian { dst, .. } | Insn::LdImm64 { dst, .. } | Insn::Ldx { dst, .. } => Some(*dst),
        _ => None,
    }
}

/// The registers `insn` reads, for the uninitialised-read check (helper arguments by spec).
fn reads(insn: &Insn) -> Vec<u8> {
    let src = |o: &Operand| match o {
        Operand::Reg(r) => vec![*r],
        Operand::Imm(_) => vec![],
    };
    match insn {
        Insn::Alu { op: AluOp::Mov, src: o, .. } => src(o),
        Insn::Alu { dst, src: o, .. } => [vec![*dst], src(o)].concat(),
        Insn::Endian { dst, .. } => vec![*dst],
        Insn::Jmp { op: JmpOp::Ja, .. } => vec![],
        Insn::Jmp { dst, src: o, .. } => [vec![*dst], src(o)].concat(),
        Insn::Call { src: 0, imm } => spec::helpers().get(imm).map_or(vec![], |h| (1..=h.args.len() as u8).collect()),
        Insn::Exit => vec![0],
        Insn::Ldx { src, .. } => vec![*src],
        Insn::St { dst, .. } => vec![*dst],
        Insn::Stx { dst, src, .. } | Insn::Atomic { dst, src, .. } => vec![*dst, *src],
        _ => vec![],
    }
}

/// Explores every path of `prog`.
pub fn explore(prog: &Program) -> Exploration {
    explore_within(prog, Deadline::after(BUDGET))
}

/// `explore`, stopping at `whole` too: the deadline of the object the program is one of.
pub fn explore_within(prog: &Program, whole: Deadline) -> Exploration {
    let deadline = Deadline::after(BUDGET).or(whole);
    let out = Exploration { emits: Vec::new(), hazards: Vec::new(), paths: 0, unknown: None, reads: BTreeMap::new(), deadline };
    let mut e = Explorer { prog, out, steps: 0, paths: PathSolver::new() };
    e.run();
    e.out
}

/// Hand-assembled programs whose behaviour is known, for the executor and the property checks.
#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::obj::insn::Raw;

    /// `(code, dst, src, off, imm)` per slot; a 64-bit load takes its second slot as `(0, 0, 0, 0, 0)`.
    pub(crate) fn program(slots: &[(u8, u8, u8, i16, i32)]) -> Program {
        let bytes: Vec<u8> = slots.iter().flat_map(|&(code, dst, src, off, imm)| Raw { code, dst, src, off, imm }.bytes()).collect();
        let insns = crate::obj::insn::decode(&bytes);
        let maps = insns
            .iter()
            .enumerate()
            .filter_map(|(slot, i)| match i {
                Some(Insn::LdImm64 { src: 1, imm, .. }) => Some((slot, MapRef::Named(format!("m{imm}")))),
                _ => None,
            })
            .collect();
        let own = insns.len();
        Program { section: "tracepoint/syscalls/sys_enter_openat".into(), functions: BTreeMap::new(), insns, maps, map_sizes: BTreeMap::new(), lines: BTreeMap::new(), own }
    }

    const EXIT: [(u8, u8, u8, i16, i32); 2] = [(0xb7, 0, 0, 0, 0), (0x95, 0, 0, 0, 0)];

    /// `r0 = map_lookup(m1, &zero)`, then `then` (with `r0` the looked-up value or NULL).
    fn lookup_then(then: &[(u8, u8, u8, i16, i32)]) -> Program {
        let mut slots = vec![
            (0x62, 10, 0, -8, 0), // *(u32 *)(r10 - 8) = 0
            (0x18, 1, 1, 0, 1),   // r1 = map m1
            (0, 0, 0, 0, 0),
            (0xbf, 2, 10, 0, 0), // r2 = r10
            (0x07, 2, 0, 0, -8), // r2 += -8
            (0x85, 0, 0, 0, 1),  // call map_lookup_elem
        ];
        slots.extend_from_slice(then);
        slots.extend_from_slice(&EXIT);
        program(&slots)
    }

    #[test]
    fn a_lookup_used_without_a_null_check_is_a_hazard_and_a_checked_one_is_not() {
        let unchecked = explore(&lookup_then(&[(0x79, 1, 0, 0, 0)])); // r1 = *(u64 *)(r0 + 0)
        assert_eq!(unchecked.hazards.len(), 1, "{:?}", unchecked.hazards.iter().map(|h| &h.message).collect::<Vec<_>>());
        assert_eq!(unchecked.hazards[0].slot, 6);
        let checked = explore(&lookup_then(&[(0x15, 0, 0, 1, 0), (0x79, 1, 0, 0, 0)])); // if r0 == 0 goto +1
        assert!(checked.hazards.is_empty(), "{:?}", checked.hazards.iter().map(|h| &h.message).collect::<Vec<_>>());
        assert_eq!(checked.paths, 2, "both sides of the NULL check are followed");
        assert!(checked.unknown.is_none());
    }

    /// `if (pid != PID) return 0; bpf_trace_printk(buf, 8)`.
    pub(crate) fn printk_for_pid(pid: i32) -> Program {
        program(&[
            (0x85, 0, 0, 0, 14),  // call get_current_pid_tgid
            (0x77, 0, 0, 0, 32),  // r0 >>= 32
            (0x55, 0, 0, 6, pid), // if r0 != pid goto exit
            (0x7a, 10, 0, -8, 0), // *(u64 *)(r10 - 8) = 0
            (0xbf, 1, 10, 0, 0),  // r1 = r10
            (0x07, 1, 0, 0, -8),  // r1 += -8
            (0xb7, 2, 0, 0, 8),   // r2 = 8
            (0x85, 0, 0, 0, 6),   // call trace_printk
            (0xb7, 0, 0, 0, 0),   // r0 = 0 (fall through to exit)
            EXIT[0],
            EXIT[1],
        ])
    }

    #[test]
    fn output_is_recorded_with_the_branches_that_lead_to_it() {
        let e = explore(&printk_for_pid(1234));
        assert_eq!(e.paths, 2);
        assert_eq!(e.emits.len(), 1, "only the path where the pid matched prints");
        assert_eq!(e.emits[0].kind, "trace_printk line");
        assert_eq!(e.emits[0].slot, 7);
        assert!(!e.emits[0].condition.is_empty());
        assert!(e.hazards.is_empty() && e.unknown.is_none());
    }

    /// The context spilled to `r10 - 192` and read back for `bpf_perf_event_output`, with
    /// `overwrite` stored between (bpftrace's printf after a long string copy, short of registers).
    fn output_through_spilled_context(overwrite: Option<(u8, u8, u8, i16, i32)>) -> Program {
        let mut slots = vec![
            (0x7b, 10, 1, -192, 0), // *(u64 *)(r10 - 192) = r1
            (0xb7, 1, 0, 0, 0),     // r1 = 0
            (0x7a, 10, 0, -8, 0),   // *(u64 *)(r10 - 8) = 0
        ];
        slots.extend(overwrite);
        slots.extend_from_slice(&[
            (0x79, 1, 10, -192, 0), // r1 = *(u64 *)(r10 - 192)
            (0x18, 2, 1, 0, 1),     // r2 = map m1
            (0, 0, 0, 0, 0),
            (0xb7, 3, 0, 0, -1), // r3 = BPF_F_CURRENT_CPU
            (0xbf, 4, 10, 0, 0), // r4 = r10
            (0x07, 4, 0, 0, -8), // r4 += -8
            (0xb7, 5, 0, 0, 8),  // r5 = 8
            (0x85, 0, 0, 0, 25), // call perf_event_output
        ]);
        slots.extend_from_slice(&EXIT);
        program(&slots)
    }

    #[test]
    fn a_context_spilled_to_the_stack_is_the_context_when_read_back_whole() {
        let messages = |e: &Exploration| e.hazards.iter().map(|h| h.message.clone()).collect::<Vec<_>>();
        let kept = explore(&output_through_spilled_context(None));
        assert!(kept.hazards.is_empty() && kept.unknown.is_none(), "{:?} {:?}", messages(&kept), kept.unknown);
        assert_eq!(kept.emits.len(), 1, "the perf output is recorded");
        // One byte stored over the spill makes it a number, no longer the context.
        let clobbered = explore(&output_through_spilled_context(Some((0x72, 10, 0, -187, 7)))); // *(u8 *)(r10 - 187) = 7
        assert!(messages(&clobbered).iter().any(|m| m.contains("the program's context")), "{:?}", messages(&clobbered));
    }

    #[test]
    fn what_the_executor_cannot_model_is_unknown_not_a_verdict() {
        // Opcode 0xff is no instruction; r11 is no register.
        for bad in [(0xff, 0, 0, 0, 0), (0xbf, 11, 1, 0, 0)] {
            let e = explore(&program(&[bad, EXIT[0], EXIT[1]]));
            assert!(e.unknown.is_some() || !e.hazards.is_empty(), "{bad:?} was taken as a normal instruction");
            assert!(e.emits.is_empty());
        }
    }
}
