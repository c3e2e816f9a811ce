//! Properties against explored paths: every path that emits output must satisfy the requested
//! filters, and no feasible path may dereference a pointer that can be NULL. z3's answer is read
//! exactly: `unsat` proves, `sat` gives a counterexample, `unknown` is `Unknown`.

use std::collections::BTreeMap;

use serde::Serialize;
use std::rc::Rc;
use z3::ast::{Bool, BV};

use super::exec::{Answer, Exploration, PathSolver};
use crate::comprehend::{CmpOp, Field, Filter, Value};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    Proved,
    /// A feasible path that breaks the property, with input values that drive it there.
    Counterexample {
        message: String,
        slot: usize,
        values: BTreeMap<String, String>,
    },
    Unknown {
        reason: String,
    },
}

/// The symbols a field is made of, and the filter as a z3 formula over them.
fn formula(f: &Filter) -> Result<Bool, String> {
    let num = |v: &Value| match v {
        Value::Int(i) => Ok(*i as u64),
        Value::Str(_) => Err(format!("{} compares with a number", f.field)),
    };
    let cmp = |a: BV, b: BV| match f.op {
        CmpOp::Eq => a.eq(&b),
        CmpOp::Ne => a.eq(&b).not(),
        CmpOp::Lt => a.bvult(&b),
        CmpOp::Le => a.bvule(&b),
        CmpOp::Gt => a.bvugt(&b),
        CmpOp::Ge => a.bvuge(&b),
    };
    let half = |sym: &str, high: bool| {
        let v = BV::new_const(sym, 64);
        if high {
            v.extract(63, 32)
        } else {
            v.extract(31, 0)
        }
    };
    Ok(match f.field {
        Field::Pid => cmp(half("pid_tgid", true), BV::from_u64(num(&f.value)?, 32)),
        Field::Tid => cmp(half("pid_tgid", false), BV::from_u64(num(&f.value)?, 32)),
        Field::Uid => cmp(half("uid_gid", false), BV::from_u64(num(&f.value)?, 32)),
        Field::Gid => cmp(half("uid_gid", true), BV::from_u64(num(&f.value)?, 32)),
        Field::Comm => {
            let Value::Str(s) = &f.value else { return Err("comm compares with a string".into()) };
            let mut bytes: Vec<u8> = s.bytes().take(15).collect();
            bytes.push(0);
            let eq: Vec<Bool> = bytes.iter().enumerate().map(|(i, b)| BV::new_const(format!("comm[{i}]"), 8).eq(BV::from_u64(*b as u64, 8))).collect();
            let all = Bool::and(&eq);
            match f.op {
                CmpOp::Eq => all,
                CmpOp::Ne => all.not(),
                _ => return Err("comm compares only with == or !=".into()),
            }
        }
        other => return Err(format!("filters on {other} are not checked yet")),
    })
}

/// Input values of a model, for the fields a reader cares about.
fn values(model: &z3::Model) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let comm: Vec<u8> = (0..16).map(|i| model.eval(&BV::new_const(format!("comm[{i}]"), 8), true).and_then(|v| v.as_u64()).unwrap_or(0) as u8).take_while(|&b| b != 0).collect();
    let printable: String = comm.iter().flat_map(|b| std::ascii::escape_default(*b)).map(char::from).collect();
    out.insert("comm".into(), format!("\"{printable}\""));
    if let Some(v) = model.eval(&BV::new_const("pid_tgid", 64), true).and_then(|v| v.as_u64()) {
        out.insert("pid".into(), (v >> 32).to_string());
        out.insert("tid".into(), (v & 0xffff_ffff).to_string());
    }
    if let Some(v) = model.eval(&BV::new_const("uid_gid", 64), true).and_then(|v| v.as_u64()) {
        out.insert("uid".into(), (v & 0xffff_ffff).to_string());
    }
    out
}

fn printable_comm() -> Bool {
    let byte = |i: usize| BV::new_const(format!("comm[{i}]"), 8);
    let within = |i: usize, lo: u64, hi: u64| Bool::and(&[byte(i).bvuge(BV::from_u64(lo, 8)), byte(i).bvule(BV::from_u64(hi, 8))]);
    let mut all = vec![within(0, 0x61, 0x7a)];
    all.extend((1..16).map(|i| Bool::or(&[byte(i).eq(BV::from_u64(0, 8)), within(i, 0x20, 0x7e)])));
    Bool::and(&all)
}

/// A model of `condition` (the path's own one when it has one), for the values a reader sees.
fn model_of(paths: &mut PathSolver, condition: &[Bool], known: Option<&Rc<z3::Model>>) -> Option<Rc<z3::Model>> {
    if let Some(m) = known {
        return Some(m.clone());
    }
    match paths.check(condition, &[]) {
        Answer::Sat(m) => Some(m),
        _ => None,
    }
}

/// Every emitting path satisfies every filter.
pub fn filters(expl: &Exploration, filters: &[Filter]) -> Verdict {
    if let Some(reason) = &expl.unknown {
        return Verdict::Unknown { reason: reason.clone() };
    }
    if filters.is_empty() {
        return Verdict::Proved;
    }
    let wanted = match filters.iter().map(formula).collect::<Result<Vec<_>, _>>() {
        Ok(f) => Bool::and(&f),
        Err(reason) => return Verdict::Unknown { reason },
    };
    let broken = wanted.not();
    let readable = printable_comm();
    // Emits come in path order, so consecutive queries share most of their path condition.
    let mut paths = PathSolver::new();
    for emit in &expl.emits {
        if std::time::Instant::now() > expl.deadline {
            return Verdict::Unknown { reason: "the time budget ran out while checking the filters".into() };
        }
        let model = match paths.check(&emit.condition, &[&broken]) {
            Answer::Unsat => continue,
            Answer::Unknown => return Verdict::Unknown { reason: "z3 answered unknown".into() },
            // A readable counterexample where one exists: a command name in printable ASCII.
            Answer::Sat(m) => match paths.check(&emit.condition, &[&broken, &readable]) {
                Answer::Sat(readable) => readable,
                _ => m,
            },
        };
        let shown: Vec<String> = filters.iter().map(Filter::to_string).collect();
        return Verdict::Counterexample {
            message: format!("the program emits a {} when {} does not hold", emit.kind, shown.join(" and ")),
            slot: emit.slot,
            values: values(&model),
        };
    }
    Verdict::Proved
}

/// No feasible path dereferences a pointer that may be NULL. Every followed path is feasible, so
/// a hazard recorded on one is a counterexample as it stands.
pub fn safety(expl: &Exploration) -> Verdict {
    if let Some(h) = expl.hazards.first() {
        let mut paths = PathSolver::new();
        let values = model_of(&mut paths, &h.condition, h.model.as_ref()).map(|m| values(&m)).unwrap_or_default();
        return Verdict::Counterexample { message: h.message.clone(), slot: h.slot, values };
    }
    match &expl.unknown {
        Some(reason) => Verdict::Unknown { reason: reason.clone() },
        None => Verdict::Proved,
    }
}
