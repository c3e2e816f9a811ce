//! A program the model wrote, held to what the reading of the request settled: it must trace the
//! event the reading found and no other, and read every value the request named (what to show,
//! key by, fold and test). A reading in part still knows these; only what it left unsettled, and
//! the values a reading merely fills in, are the model's to decide.
//!
//! It reads the bpftrace source, as a reviewer would: the probes a program names, and the
//! `args->` fields and builtins it reads. That is enough to say "the request asks for the
//! capability number, and the program never reads `args->cap`"; whether a value it reads ends
//! up in the output is the symbolic verifier's to prove.

use serde::Serialize;

use super::{Builtin, Output, Plan, Term};
use crate::verify::symbolic::origin::implements;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum PlanVerdict {
    Ok,
    /// What the program leaves out of what the reading settled, in plain words.
    Missing {
        missing: Vec<String>,
    },
}

impl PlanVerdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, PlanVerdict::Ok)
    }
}

/// Whether `text` uses `word` as an identifier (`comm`, not `comm_len`; `args->cap`).
fn reads(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// The words of the request behind the value called `name`, for the message.
fn said_of(plan: &Plan, name: &str) -> Option<String> {
    plan.said.iter().find(|s| s.means.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == name)).map(|s| s.words.clone())
}

/// Holds a bpftrace `program` to `plan`.
pub fn against(program: &str, plan: &Plan) -> PlanVerdict {
    let probes = crate::obj::source::bpftrace_probes(program);
    let events: Vec<&String> = probes.iter().filter(|p| !p.parse::<crate::obj::Probe>().is_ok_and(|p| p.is_timer())).collect();
    let asked: Vec<&String> = plan.probes.iter().chain(plan.start.iter().flat_map(|s| &s.probes)).collect();
    let asked_words = asked.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(" or ");
    let mut missing = Vec::new();
    if !events.iter().any(|p| asked.iter().any(|a| implements(p, a))) {
        let words = plan
            .said
            .iter()
            .find(|s| asked.iter().any(|a| s.means.contains(a.as_str()) || a.contains(s.means.trim_start_matches("the ").split(' ').next().unwrap_or("-"))))
            .map(|s| format!(" (it says \"{}\")", s.words))
            .unwrap_or_default();
        missing.push(format!("the request is about {asked_words}{words}, and the program attaches to none of them"));
        return PlanVerdict::Missing { missing };
    }
    // Output from events the request does not name answers another question beside this one
    // ("report reboot calls" printing setuid calls too). A syscall's entry serving its exit is
    // the same event; BEGIN, END and interval are not events.
    let extra: Vec<&str> = events.iter().filter(|p| !asked.iter().any(|a| implements(p, a))).map(|p| p.as_str()).collect();
    if !extra.is_empty() {
        missing.push(format!("it also traces {}, which the request does not ask for: trace only {asked_words}", extra.join(", ")));
    }
    // Field names are the plan's tracepoint's: a program on an equivalent event (a syscall's
    // kprobe) names them otherwise, and only the builtins are held to.
    let same_hooks = events.iter().any(|p| asked.iter().any(|a| p.as_str() == a.as_str()));
    // Lines the request did not describe get the event's own defaults (who, and the record's
    // fields): a reading's choice, not the request's, so the model may choose others.
    let mut terms: Vec<&Term> = match &plan.output {
        Output::Lines { values } => values.iter().filter(|t| said_of(plan, t.name()).is_some()).collect(),
        Output::Map { of, keys, .. } => of.iter().chain(keys).collect(),
    };
    terms.extend(plan.conditions.iter().map(|c| &c.term));
    for t in terms {
        let (read, what) = match t {
            Term::Builtin(b) => (reads(program, b.name()) || (*b == Builtin::Pid && reads(program, "tgid")), b.name().to_string()),
            Term::Field { name, .. } if same_hooks => (reads(program, name), format!("args->{name}")),
            Term::Field { .. } => continue,
            Term::Errno => (reads(program, "ret") || reads(program, "retval"), "the call's error (args->ret)".to_string()),
            Term::Elapsed => (reads(program, "nsecs") || reads(program, "elapsed"), "the time between the two events (nsecs)".to_string()),
        };
        if !read && !missing.iter().any(|m: &String| m.contains(&what)) {
            let words = said_of(plan, t.name()).map(|w| format!(" (the request says \"{w}\")")).unwrap_or_default();
            missing.push(format!("it never reads {what}{words}"));
        }
    }
    if missing.is_empty() {
        PlanVerdict::Ok
    } else {
        PlanVerdict::Missing { missing }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Condition, Fold, Said, Test};

    fn plan() -> Plan {
        let mut p = Plan::on(
            vec!["tracepoint:capability:cap_capable".into()],
            Output::Map { fold: Fold::Count, of: None, keys: vec![Term::Builtin(Builtin::Comm), Term::field("cap", "int")] },
        );
        p.said.push(Said { words: "capability number".into(), means: "keyed by cap".into() });
        p.conditions.push(Condition { term: Term::Builtin(Builtin::Uid), test: Test::Cmp { op: crate::comprehend::CmpOp::Eq, value: 0 }, words: "root".into() });
        p
    }

    #[test]
    fn a_program_must_read_what_the_reading_settled() {
        let good = "tracepoint:capability:cap_capable /uid == 0/ { @[comm, args->cap] = count(); }";
        assert_eq!(against(good, &plan()), PlanVerdict::Ok);
        let no_cap = "tracepoint:capability:cap_capable /uid == 0/ { @[comm] = count(); }";
        assert_eq!(against(no_cap, &plan()), PlanVerdict::Missing { missing: vec!["it never reads args->cap (the request says \"capability number\")".into()] });
        // The asked event and another one beside it.
        let beside = "tracepoint:capability:cap_capable /uid == 0/ { @[comm, args->cap] = count(); } tracepoint:syscalls:sys_enter_setuid { @[comm, 0] = count(); }";
        assert!(matches!(against(beside, &plan()), PlanVerdict::Missing { missing } if missing[0].starts_with("it also traces tracepoint:syscalls:sys_enter_setuid")));
        let timers = "BEGIN { printf(\"start\\n\"); } tracepoint:capability:cap_capable /uid == 0/ { @[comm, args->cap] = count(); } interval:s:1 { print(@); } END { clear(@); }";
        assert_eq!(against(timers, &plan()), PlanVerdict::Ok);
        let elsewhere = "tracepoint:syscalls:sys_enter_setuid { @[comm] = count(); }";
        assert!(matches!(against(elsewhere, &plan()), PlanVerdict::Missing { missing } if missing[0].contains("attaches to none")));
        // `comm_len` is not `comm`.
        let lookalike = "tracepoint:capability:cap_capable /uid == 0/ { @[comm_len, args->cap] = count(); }";
        assert!(!against(lookalike, &plan()).is_ok());
    }

    #[test]
    fn lines_the_request_did_not_describe_are_the_models_choice() {
        let values = vec![Term::Builtin(Builtin::Comm), Term::Builtin(Builtin::Pid), Term::field("fd", "unsigned int")];
        let mut p = Plan::on(vec!["tracepoint:syscalls:sys_enter_read".into()], Output::Lines { values });
        let own = "tracepoint:syscalls:sys_enter_read { printf(\"%d\\n\", args->count); }";
        assert_eq!(against(own, &p), PlanVerdict::Ok);
        p.said.push(Said { words: "file descriptor".into(), means: "show fd".into() });
        assert!(matches!(against(own, &p), PlanVerdict::Missing { missing } if missing == ["it never reads args->fd (the request says \"file descriptor\")"]));
    }
}
