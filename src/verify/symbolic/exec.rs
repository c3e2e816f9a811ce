//! Executes one program on every path, registers and memory as z3 bit-vectors, and records what
//! each path emits (ring-buffer submits, perf outputs, map updates, printk) under which path
//! condition. Values from the outside are fresh symbols named after their origin: `pid_tgid`,
//! `uid_gid`, `comm[i]`, `ctx+OFF`, `read#N[i]`, `map#N+OFF`. Pointer offsets must be constant;
//! anything this model cannot follow makes the result `Unknown` with the reason, never a guess.

use std::collections::BTreeMap;

use std::rc::Rc;
use z3::ast::{Ast, Bool, BV};

use z3::{Model, SatResult, Solver};

use super::elf::{MapRef, Program};
use super::insn::{AluOp, AtomicOp, Insn, JmpOp, Operand};

/// Limits of one exploration.
const MAX_PATHS: usize = 256;
const MAX_STEPS: usize = 20_000;
/// Wall-clock budget of one exploration: past it the answer is `Unknown`, never a wait.
const BUDGET: std::time::Duration = std::time::Duration::from_millis(500);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    Ctx,
    Stack,
    /// A map lookup's result (`id` distinguishes lookups) or a ring-buffer reservation.
    MapValue {
        id: usize,
    },
    Ringbuf {
        id: usize,
    },
    /// A map itself (the first argument of map helpers).
    Map(String),
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

/// What a path sent to user space.
#[derive(Debug, Clone)]
pub struct Emit {
    pub slot: usize,
    pub kind: String,
    /// The path condition under which it happens, branch by branch.
    pub condition: Vec<Bool>,
    /// Input values that drive the program down this path (none before the first branch).
    pub model: Option<Rc<Model>>,
    /// The bytes emitted (record, or key then value), each a symbolic byte.
    pub bytes: Vec<BV>,
}

/// A memory-safety problem found on a feasible path.
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
    /// When the checks on this exploration must give up too.
    pub deadline: std::time::Instant,
}

#[derive(Clone)]
struct State {
    pc: usize,
    regs: [Val; 11],
    /// Byte-addressed memory per region: (region, offset) → byte.
    mem: BTreeMap<(String, i64), BV>,
    condition: Vec<Bool>,
    /// A model of `condition`, so a branch side it already satisfies needs no solver call.
    model: Option<Rc<Model>>,
    lookups: usize,
}

fn key(region: &Region) -> String {
    match region {
        Region::Ctx => "ctx".into(),
        Region::Stack => "stack".into(),
        Region::MapValue { id } => format!("map#{id}"),
        Region::Ringbuf { id } => format!("rec#{id}"),
        Region::Map(name) => format!("mapdef:{name}"),
    }
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
}

impl PathSolver {
    pub(crate) fn new() -> PathSolver {
        PathSolver { solver: solver(), asserted: Vec::new() }
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

struct Explorer<'a> {
    prog: &'a Program,
    out: Exploration,
    steps: usize,
    reads: usize,
    deadline: std::time::Instant,
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
                    .or_insert_with(|| BV::new_const(format!("{k}+{}", off + i), 8))
                    .clone()
            })
            .collect();
        // Little-endian: the highest address is the most significant byte.
        let mut v = bytes[bytes.len() - 1].clone();
        for b in bytes.iter().rev().skip(1) {
            v = v.concat(b);
        }
        v.zero_ext(64 - 8 * size as u32)
    }

    fn store(&mut self, region: &Region, off: i64, size: u8, value: &BV) {
        let k = key(region);
        for i in 0..size as u32 {
            self.mem.insert((k.clone(), off + i as i64), value.extract(8 * i + 7, 8 * i));
        }
    }

    fn bytes(&mut self, region: &Region, off: i64, len: i64) -> Vec<BV> {
        (0..len).map(|i| self.load(region, off + i, 1).extract(7, 0)).collect()
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

    fn run(&mut self) {
        let mut regs: [Val; 11] = std::array::from_fn(|_| Val::Uninit);
        regs[1] = Val::Ptr { region: Region::Ctx, off: 0, nullable: false };
        regs[10] = Val::Ptr { region: Region::Stack, off: 0, nullable: false };
        let mut work = vec![State { pc: 0, regs, mem: BTreeMap::new(), condition: Vec::new(), model: None, lookups: 0 }];
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

    /// Runs one path until it exits (counted) or forks (the two continuations are returned).
    fn step_path(&mut self, mut s: State) -> Result<Vec<State>, String> {
        loop {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return Err(format!("more than {MAX_STEPS} steps"));
            }
            if self.steps % 64 == 0 && std::time::Instant::now() > self.deadline {
                return Err(format!("the time budget of {} ms ran out", BUDGET.as_millis()));
            }
            let slot = s.pc;
            let insn = match self.prog.insns.get(slot) {
                Some(Some(i)) => *i,
                _ => return Err(format!("slot {slot} is not an instruction")),
            };
            s.pc += 1;
            match insn {
                Insn::Exit => {
                    self.out.paths += 1;
                    return Ok(vec![]);
                }
                Insn::Alu { wide, op, dst, src, off } => self.alu(&mut s, wide, op, dst, src, off)?,
                Insn::Endian { dst, .. } => {
                    s.regs[dst as usize] = Val::Scalar(BV::fresh_const("swapped", 64));
                }
                Insn::LdImm64 { dst, imm, .. } => {
                    s.regs[dst as usize] = match self.prog.maps.get(&slot) {
                        Some(MapRef::Named(n)) => Val::Ptr { region: Region::Map(n.clone()), off: 0, nullable: false },
                        Some(MapRef::Fd(fd)) => Val::Ptr { region: Region::Map(format!("fd{fd}")), off: 0, nullable: false },
                        None => Val::Scalar(c64(imm as u64)),
                    };
                    s.pc += 1;
                }
                Insn::Ldx { size, dst, src, off, .. } => {
                    let (region, base) = self.deref(&s, src, slot)?;
                    s.regs[dst as usize] = Val::Scalar(s.load(&region, base + off as i64, size));
                }
                Insn::St { size, dst, off, imm } => {
                    let (region, base) = self.deref(&s, dst, slot)?;
                    s.store(&region, base + off as i64, size, &c64(imm as i64 as u64));
                }
                Insn::Stx { size, dst, src, off } => {
                    let (region, base) = self.deref(&s, dst, slot)?;
                    let v = match &s.regs[src as usize] {
                        Val::Scalar(b) => b.clone(),
                        // A pointer spilled to the stack: its value is not interesting here.
                        _ => BV::fresh_const("spilled_ptr", 64),
                    };
                    s.store(&region, base + off as i64, size, &v);
                }
                Insn::Atomic { size, dst, src, off, op, fetch } => {
                    let (region, base) = self.deref(&s, dst, slot)?;
                    let old = s.load(&region, base + off as i64, size);
                    let v = self.scalar(&s.regs[src as usize]).ok_or("atomic with a pointer operand")?;
                    let new = match op {
                        AtomicOp::Add => old.bvadd(&v),
                        AtomicOp::Or => old.bvor(&v),
                        AtomicOp::And => old.bvand(&v),
                        AtomicOp::Xor => old.bvxor(&v),
                        AtomicOp::Xchg | AtomicOp::Cmpxchg => v.clone(),
                    };
                    s.store(&region, base + off as i64, size, &new);
                    if fetch {
                        s.regs[src as usize] = Val::Scalar(old);
                    }
                    if matches!(region, Region::MapValue { .. }) {
                        let bytes = s.bytes(&region, 0, 8);
                        self.emit(&s, slot, "map value update", bytes);
                    }
                }
                Insn::Call { src: 0, imm } => self.helper(&mut s, slot, imm)?,
                Insn::Call { .. } => return Err(format!("slot {slot}: calls to other functions are not followed yet")),
                Insn::Jmp { op: JmpOp::Ja, off, .. } => s.pc = (s.pc as i64 + off as i64) as usize,
                Insn::Jmp { wide32, op, dst, src, off } => return self.branch(s, slot, wide32, op, dst, src, off),
                Insn::LdPacket { .. } => return Err(format!("slot {slot}: legacy packet loads are not modelled")),
                Insn::Unknown { raw } => return Err(format!("slot {slot}: unknown instruction {raw:#x}")),
            }
        }
    }

    fn deref(&mut self, s: &State, reg: u8, slot: usize) -> Result<(Region, i64), String> {
        match &s.regs[reg as usize] {
            Val::Ptr { region, off, nullable } => {
                if *nullable {
                    self.out.hazards.push(Hazard {
                        slot,
                        message: format!("r{reg} may be NULL here (the result of a map lookup or ring-buffer reserve that was not checked)"),
                        condition: s.condition.clone(),
                        model: s.model.clone(),
                    });
                }
                Ok((region.clone(), *off))
            }
            Val::Uninit => Err(format!("slot {slot}: r{reg} is read before it is written")),
            Val::Scalar(_) => Err(format!("slot {slot}: memory through a scalar in r{reg} is not modelled")),
        }
    }

    fn emit(&mut self, s: &State, slot: usize, kind: &str, bytes: Vec<BV>) {
        self.out.emits.push(Emit { slot, kind: kind.into(), condition: s.condition.clone(), model: s.model.clone(), bytes });
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
                let new = match from {
                    Operand::Reg(r) => self.scalar(&s.regs[*r as usize]),
                    Operand::Imm(i) => Some(c64(*i as i64 as u64)),
                };
                if let (Some(old), Some(new)) = (self.scalar(&s.regs[*x as usize]), new) {
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

    fn helper(&mut self, s: &mut State, slot: usize, id: i32) -> Result<(), String> {
        let size_arg = |s: &State, r: usize| s.regs[r].clone();
        let const_of = |v: &Val| match v {
            Val::Scalar(b) => b.simplify().as_u64().map(|v| v as i64),
            _ => None,
        };
        let ret = match id {
            // bpf_get_current_pid_tgid, bpf_get_current_uid_gid: one value per event.
            14 => Val::Scalar(BV::new_const("pid_tgid", 64)),
            15 => Val::Scalar(BV::new_const("uid_gid", 64)),
            // bpf_get_current_comm(buf, size)
            16 => {
                let (region, off) = self.deref(s, 1, slot)?;
                let n = const_of(&size_arg(s, 2)).ok_or("get_current_comm with a non-constant size")?.min(16);
                for i in 0..n {
                    s.store(&region, off + i, 1, &BV::new_const(format!("comm[{i}]"), 8).zero_ext(56));
                }
                Val::Scalar(c64(0))
            }
            // bpf_map_lookup_elem(map, key)
            1 => {
                s.lookups += 1;
                Val::Ptr { region: Region::MapValue { id: s.lookups }, off: 0, nullable: true }
            }
            // bpf_map_update_elem(map, key, value, flags)
            2 => {
                let (kr, ko) = self.deref(s, 2, slot)?;
                let (vr, vo) = self.deref(s, 3, slot)?;
                let mut bytes = s.bytes(&kr, ko, 8);
                bytes.extend(s.bytes(&vr, vo, 8));
                self.emit(s, slot, "map update", bytes);
                Val::Scalar(BV::fresh_const("update_ret", 64))
            }
            // bpf_ringbuf_reserve(map, size, flags)
            131 => {
                s.lookups += 1;
                Val::Ptr { region: Region::Ringbuf { id: s.lookups }, off: 0, nullable: true }
            }
            // bpf_ringbuf_submit(data, flags)
            132 => {
                let (r, o) = self.deref(s, 1, slot)?;
                let bytes = s.bytes(&r, o, 64);
                self.emit(s, slot, "ring buffer record", bytes);
                Val::Uninit
            }
            // bpf_perf_event_output(ctx, map, flags, data, size), bpf_ringbuf_output(map, data, size, flags)
            25 | 130 => {
                let (data_reg, size_reg): (u8, usize) = if id == 25 { (4, 5) } else { (2, 3) };
                let (r, o) = self.deref(s, data_reg, slot)?;
                let n = const_of(&size_arg(s, size_reg)).unwrap_or(64).clamp(0, 256);
                let bytes = s.bytes(&r, o, n);
                self.emit(s, slot, "perf event record", bytes);
                Val::Scalar(BV::fresh_const("output_ret", 64))
            }
            // bpf_trace_printk
            6 => {
                self.emit(s, slot, "trace_printk", Vec::new());
                Val::Scalar(BV::fresh_const("printk_ret", 64))
            }
            // bpf_probe_read*, bpf_probe_read_{user,kernel}[_str](dst, size, src): the bytes are new
            4 | 45 | 112 | 113 | 114 | 115 => {
                let (region, off) = self.deref(s, 1, slot)?;
                let n = const_of(&size_arg(s, 2)).unwrap_or(0).clamp(0, 512);
                self.reads += 1;
                for i in 0..n {
                    s.store(&region, off + i, 1, &BV::new_const(format!("read#{}[{i}]", self.reads), 8).zero_ext(56));
                }
                Val::Scalar(BV::fresh_const("read_ret", 64))
            }
            // Everything else returns something we do not model further.
            _ => Val::Scalar(BV::fresh_const(&format!("helper{id}"), 64)),
        };
        s.regs[0] = ret;
        // Caller-saved registers are clobbered by the call.
        for r in 1..=5 {
            s.regs[r] = Val::Uninit;
        }
        Ok(())
    }
}

/// Explores every path of `prog`.
pub fn explore(prog: &Program) -> Exploration {
    let paths = PathSolver::new();
    let deadline = std::time::Instant::now() + BUDGET;
    let out = Exploration { emits: Vec::new(), hazards: Vec::new(), paths: 0, unknown: None, deadline };
    let mut e = Explorer { prog, out, steps: 0, reads: 0, deadline, paths };
    e.run();
    e.out
}
