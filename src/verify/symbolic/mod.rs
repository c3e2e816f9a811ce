//! The symbolic verifier: BPF objects read into programs of typed instructions
//! ([`crate::obj::elf`], [`crate::obj::insn`]), every path executed over z3 bit-vectors with helper calls checked against their
//! specs ([`exec`], [`spec`]), values traced back to the fields they show ([`origin`]), and the
//! request's properties checked ([`check`]).

pub mod exec;
pub mod origin;
pub mod platform;
pub mod properties;
pub mod spec;

use std::collections::BTreeMap;

pub use platform::{Platform, Tracefs};
pub use properties::{Unknown, Verdict};

use serde::Serialize;

use crate::comprehend::Properties;
use crate::obj::elf::{programs, ElfError, Program};
use crate::obj::Probe;
use origin::{Shown, Sources};
use properties::MapWrite;

/// A property the verifier checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    /// The hooks implement the requested event.
    Hooks,
    /// Every path that emits output satisfies the requested filters.
    Filters,
    /// The output shows the requested fields.
    Fields,
    /// A map has the requested aggregation's shape.
    Aggregate,
    /// No NULL dereference, out-of-bounds stack access, uninitialised register or broken helper
    /// precondition.
    Safety,
}

impl std::fmt::Display for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Property::Hooks => "hooks",
            Property::Filters => "filters",
            Property::Fields => "fields",
            Property::Aggregate => "aggregate",
            Property::Safety => "safety",
        })
    }
}

/// One property's verdict, on one program section or (`section: None`) the whole object.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub property: Property,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// A program section that was executed.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramSummary {
    pub section: String,
    pub probe: Option<String>,
    pub paths: usize,
}

/// Everything the verifier found about one object.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub programs: Vec<ProgramSummary>,
    /// In the order a reader (and the model) should fix them: hooks, filters, fields, aggregate,
    /// safety.
    pub checks: Vec<Finding>,
}

impl Report {
    /// The first check with a counterexample.
    pub fn counterexample(&self) -> Option<&Finding> {
        self.checks.iter().find(|c| matches!(c.verdict, Verdict::Counterexample { .. }))
    }

    /// The properties neither proved nor broken: a program that passes with these is not shown
    /// as proved.
    pub fn unknown(&self) -> Vec<&Finding> {
        self.checks.iter().filter(|c| matches!(c.verdict, Verdict::Unknown { .. })).collect()
    }
}

/// Checks every program of `object` against `props`, and for safety, with the host facts
/// `platform` gives (tracepoint layouts and which tracepoints exist).
pub fn verify(object: &[u8], props: &Properties, platform: &dyn Platform) -> Result<Report, ElfError> {
    verify_within(object, props, platform, exec::Deadline::after(exec::OBJECT_BUDGET))
}

/// `verify` with the object's CPU-time budget ending at `whole` (earlier than the usual one
/// where it is shorter). The fuzzer gives each input a few tens of milliseconds: an input that
/// spends its two seconds inside z3 teaches it nothing more about our code than one stopped
/// early, and the answer past the budget (`Unknown`) is the same code path either way.
pub fn verify_within(object: &[u8], props: &Properties, platform: &dyn Platform, whole: exec::Deadline) -> Result<Report, ElfError> {
    // bpftrace's BEGIN and END run once and `.text` holds subprograms: none runs per event.
    let per_event = |p: &&Program| p.section != ".text" && !Probe::of_section(&p.section).is_some_and(|p| p.runs_once());
    struct Run {
        prog: Program,
        probe: Option<Probe>,
        context: Vec<origin::CtxField>,
        expl: exec::Exploration,
    }
    let runs: Vec<Run> = programs(object)?
        .into_iter()
        .filter(|p| per_event(&p))
        .map(|prog| {
            let probe = Probe::of_section(&prog.section);
            let context = probe.as_ref().map(|p| origin::context(p, platform)).unwrap_or_default();
            let expl = exec::explore_within(&prog, whole);
            Run { prog, probe, context, expl }
        })
        .collect();

    // What each map holds, from every write into it; a value read back from a map shows what
    // was stored (a start timestamp, a filename pointer), so resolve until nothing changes.
    let mut maps: BTreeMap<String, Shown> = BTreeMap::new();
    let mut writes = Vec::new();
    for _ in 0..4 {
        writes.clear();
        let mut next: BTreeMap<String, Shown> = BTreeMap::new();
        for r in &runs {
            let sources = Sources { context: &r.context, reads: &r.expl.reads, maps: &maps };
            for e in &r.expl.emits {
                // Records go to user space through a map but are not stored in it.
                if let (Some(map), false) = (&e.map, e.kind.ends_with("record")) {
                    let value = sources.shown(&e.value);
                    next.entry(map.clone()).or_default().add(&value);
                    let guard = sources.shown_by(e.condition.iter().map(|c| z3::ast::Dynamic::from_ast(c)));
                    writes.push(MapWrite { map: map.clone(), key: sources.shown(&e.key), value, guard });
                }
            }
        }
        if next == maps {
            break;
        }
        maps = next;
    }
    let mut output = Shown::default();
    for r in &runs {
        let sources = Sources { context: &r.context, reads: &r.expl.reads, maps: &maps };
        for e in &r.expl.emits {
            output.add(&sources.shown(&e.key));
            output.add(&sources.shown(&e.value));
        }
    }

    let mut checks = Vec::new();
    let event_hooks: Vec<String> = runs.iter().filter_map(|r| r.probe.as_ref()).filter(|p| !p.is_timer()).map(Probe::to_string).collect();
    checks.push(Finding { property: Property::Hooks, section: None, verdict: properties::hooks(&event_hooks, props, platform) });
    for r in runs.iter().filter(|r| !r.probe.as_ref().is_some_and(Probe::is_timer)) {
        let verdict = with_line(properties::filters(&r.expl, &props.filters, &r.context), &r.prog);
        checks.push(Finding { property: Property::Filters, section: Some(r.prog.section.clone()), verdict });
    }
    let unknown = runs.iter().find_map(|r| r.expl.unknown.clone());
    let whole = |v: Verdict| match (&v, &unknown) {
        // A path not followed may hold what is missing.
        (Verdict::Counterexample { .. }, Some(reason)) => Verdict::Unknown { reason: properties::Unknown::Exploration(reason.clone()) },
        _ => v,
    };
    if !props.emits.is_empty() {
        checks.push(Finding { property: Property::Fields, section: None, verdict: whole(properties::fields(&output, &props.emits)) });
    }
    if let Some(asked) = &props.aggregate {
        let verdict = properties::latency_events(&event_hooks, asked).unwrap_or_else(|| whole(properties::aggregate(&writes, asked)));
        checks.push(Finding { property: Property::Aggregate, section: None, verdict });
    }
    for r in &runs {
        let verdict = with_line(properties::safety(&r.expl), &r.prog);
        checks.push(Finding { property: Property::Safety, section: Some(r.prog.section.clone()), verdict });
    }
    let programs = runs.iter().map(|r| ProgramSummary { section: r.prog.section.clone(), probe: r.probe.as_ref().map(Probe::to_string), paths: r.expl.paths }).collect();
    Ok(Report { programs, checks })
}

/// A counterexample at an instruction gets the source line, where the object has line info.
fn with_line(v: Verdict, prog: &Program) -> Verdict {
    match v {
        Verdict::Counterexample { message, slot: Some(slot), line: None, values } => {
            let line = prog.lines.range(..=slot).next_back().map(|(_, l)| l.clone());
            Verdict::Counterexample { message, slot: Some(slot), line, values }
        }
        v => v,
    }
}
