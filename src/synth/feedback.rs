//! What goes back to the model after a failed check: the first failure in plain words, short
//! enough for a small model, with hints for the mistakes small models repeat.

use super::checks::{Checker, Checks};
use crate::obj::source::{bpftrace_probes, c_probes};
use crate::obj::Target;
use crate::verify::compile::CompileVerdict;
use crate::verify::hooks::HookVerdict;
use crate::verify::kernel::KernelVerdict;
use crate::verify::safety::SafetyVerdict;
use crate::verify::symbolic::{Property, Report, Verdict};

/// First lines of a long message: feedback must stay short for a small model.
fn head(text: &str, lines: usize) -> String {
    let mut out: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(lines).collect();
    if text.lines().filter(|l| !l.trim().is_empty()).count() > lines {
        out.push("...");
    }
    out.join("\n")
}

/// Hints for bpftrace errors small models make again and again, keyed by the compiler's words.
pub(super) fn compile_hints(diagnostics: &str, program: &str, target: Target, checker: &dyn Checker) -> Vec<String> {
    let mut hints = Vec::new();
    if target == Target::Libbpf {
        if diagnostics.contains("no member named") {
            hints.extend(c_context_hints(program, checker));
        }
        return hints;
    }
    if diagnostics.contains("does not contain a field named") {
        for probe in bpftrace_probes(program) {
            let fields = checker.fields_of(&probe);
            if !fields.is_empty() {
                hints.push(format!("The fields of {probe} are: {}.", fields.join(", ")));
            }
        }
        // Told the fields, the 1.5B model was seen to rename the invented one (`value_size`,
        // then `size`) in a line the request never needed: name the line it can delete.
        let mut named: Vec<&str> = Vec::new();
        for line in diagnostics.lines() {
            let Some(field) = line.split("does not contain a field named '").nth(1).and_then(|r| r.split('\'').next()) else { continue };
            if named.contains(&field) {
                continue;
            }
            named.push(field);
            // Statements, not probes or their predicates (`tracepoint:a:b /args->x > 1/`).
            let uses: Vec<&str> = program
                .split(['{', '}', ';', '\n'])
                .map(str::trim)
                .filter(|st| st.contains(&format!("args->{field}")) && !st.split_whitespace().next().is_some_and(|w| w.contains(':')) && !st.starts_with('/'))
                .collect();
            if uses.len() == 1 {
                hints.push(format!("args->{field} is not one of them: read a field the record has, or delete `{};`.", uses[0]));
            }
        }
    }
    if diagnostics.contains("syntax error") && program.contains("if (") {
        hints.push("In bpftrace the body of an if needs braces: if (cond) { ... }. A filter can also sit between the probe and its block: probe /cond/ { ... }.".into());
    }
    // A start's map kept beside a new one of the same name with more keys ("@count[comm]" and
    // "@count[comm, args->drop]"): small models add the line instead of changing the old one.
    if let Some(line) = diagnostics.lines().find(|l| l.contains("Argument mismatch for @")) {
        let map = line.split("Argument mismatch for @").nth(1).and_then(|r| r.split(':').next()).unwrap_or_default();
        // Keep the line with the most keys: the one written for what the start left out.
        let lines: Vec<&str> = program.lines().map(str::trim).filter(|l| l.starts_with(&format!("@{map}["))).collect();
        let keys = |l: &str| l.split(']').next().map_or(0, |k| k.matches(',').count());
        match lines.iter().copied().max_by_key(|l| keys(l)) {
            Some(keep) if lines.len() > 1 => {
                let others: Vec<&str> = lines.iter().copied().filter(|l| *l != keep).collect();
                hints.push(format!("A map keeps one kind of key: keep `{keep}` and delete `{}`.", others.join("` and `")));
            }
            _ => hints.push(format!("A map keeps one kind of key: write @{map} with the same keys everywhere.")),
        }
    }
    // "Unknown identifier: '__syscall_nr'": a field of the record, written bare.
    let mut bare_fields = Vec::new();
    for line in diagnostics.lines() {
        let Some(name) = line.split("Unknown identifier: '").nth(1).and_then(|r| r.split('\'').next()) else { continue };
        for probe in bpftrace_probes(program) {
            if super::checks::field_names(checker, &probe).iter().any(|f| f == name) && !bare_fields.contains(&name.to_string()) {
                hints.push(format!("{name} is a field of {probe}'s record: write it args->{name}."));
                bare_fields.push(name.to_string());
            }
        }
    }
    if diagnostics.contains("Unknown function") || (diagnostics.contains("Unknown identifier") && bare_fields.is_empty()) {
        hints.push("Use only bpftrace builtins (pid, tid, comm, uid, nsecs, args, retval, count(), sum(), hist(), lhist(), printf(), str(), print(), clear(), delete()).".into());
    }
    hints
}

/// What a C tracepoint program's `ctx` holds, from the tracepoint's fields: small models reach for
/// `ctx->args[0]` everywhere, which only syscall-entry tracepoints have.
fn c_context_hints(program: &str, checker: &dyn Checker) -> Vec<String> {
    let mut hints = Vec::new();
    for probe in c_probes(program) {
        let Some(name) = probe.parse::<crate::obj::Probe>().ok().and_then(|p| p.tracepoint().map(|(_, name)| name.to_string())) else {
            continue;
        };
        let fields = checker.fields_of(&probe);
        if name.starts_with("sys_enter_") {
            let args: Vec<String> = fields.iter().filter(|f| !f.ends_with("__syscall_nr")).enumerate().map(|(i, f)| format!("args[{i}] is {f}")).collect();
            hints.push(format!("The context of {probe} is struct trace_event_raw_sys_enter: {}.", args.join(", ")));
        } else if name.starts_with("sys_exit_") {
            hints.push(format!("The context of {probe} is struct trace_event_raw_sys_exit: ctx->ret is the return value."));
        } else if !fields.is_empty() {
            let members: Vec<String> = fields
                .iter()
                .map(|f| match f.rsplit_once(' ') {
                    Some((ty, field)) if ty.starts_with("__data_loc") => {
                        format!("__data_loc_{field}")
                    }
                    Some((_, field)) => field.to_string(),
                    None => f.clone(),
                })
                .collect();
            hints.push(format!("The context of {probe} is struct trace_event_raw_{name}; its members are: {}.", members.join(", ")));
            if fields.iter().any(|f| f.starts_with("__data_loc")) {
                hints.push(
                    "A __data_loc_NAME member holds where the string NAME is: read it with \
                     bpf_probe_read_kernel_str(dst, sizeof(dst), (void *)ctx + (ctx->__data_loc_NAME & 0xffff))."
                        .into(),
                );
            }
        }
    }
    hints
}

/// A counterexample in plain words, with what to do about it.
fn symbolic_feedback(check: &crate::verify::symbolic::Finding, lang: &str) -> String {
    let Verdict::Counterexample { message, slot, line, values } = &check.verdict else {
        return String::new();
    };
    let at = match (slot, line) {
        (Some(_), Some(line)) => format!("at {line}, "),
        (Some(slot), None) => format!("at instruction {slot}, "),
        _ => String::new(),
    };
    let shown: Vec<String> = values.iter().filter(|(k, _)| k.as_str() != "tid").map(|(k, v)| format!("{k} = {v}")).collect();
    let example = if shown.is_empty() || check.property != Property::Filters { String::new() } else { format!("; for example with {}", shown.join(", ")) };
    let fix = match check.property {
        Property::Hooks => "Attach to the probe the request is about",
        Property::Filters => "Make the program produce output only for what was asked",
        Property::Fields => "Make the output show what the request asked for",
        Property::Aggregate => "Fold the events into a map the way the request asks",
        Property::Safety => "Check every pointer for NULL before using it and keep every access and size within its buffer",
    };
    format!("Checking every path of the compiled program: {at}{message}{example}. {fix}, and write the whole {lang} again.")
}

/// Feedback for the first failing check, or `None` when everything passed.
pub fn feedback(checks: &Checks, target: Target) -> Option<String> {
    let lang = match target {
        Target::Bpftrace => "bpftrace program",
        Target::Libbpf => "C program",
    };
    if let Some(SafetyVerdict::Unsafe { actions }) = &checks.safety {
        let each: Vec<String> = actions.iter().map(|a| format!("{} ({})", a.call, a.does)).collect();
        return Some(format!(
            "The program uses {}, which act on the system instead of observing it; the user did not allow that. \
             Write the {lang} again without them.",
            each.join(", ")
        ));
    }
    if let Some(HookVerdict::Problems { problems }) = &checks.hooks {
        let mut s = String::new();
        for p in problems {
            if p.reason.contains("the request is about") {
                s.push_str(&format!("The probe {} is not what the request asks: {}.", p.probe, p.reason));
            } else {
                s.push_str(&format!("The probe {} cannot be used here: {}.", p.probe, p.reason));
            }
            if !p.suggestions.is_empty() {
                // A category's own events are shown as the host lists them; other hooks are
                // only the nearest few.
                let same_category = p.probe.rsplit_once(':').is_some_and(|(c, _)| p.suggestions.iter().all(|s| s.starts_with(&format!("{c}:"))));
                let n = if same_category { crate::synth::checks::CATEGORY_SUGGESTIONS } else { 3 };
                let few: Vec<&str> = p.suggestions.iter().take(n).map(String::as_str).collect();
                s.push_str(&format!(" Probes that work on this host: {}.", few.join(", ")));
            }
            s.push('\n');
        }
        if problems.iter().any(|p| p.reason.contains("the request is about")) {
            s.push_str(&format!("Write the {lang} again on the events the request is about, and only those."));
        } else {
            s.push_str(&format!("Write the {lang} again using probes that work on this host."));
        }
        return Some(s);
    }
    if let Some(crate::plan::check::PlanVerdict::Missing { missing }) = &checks.plan {
        return Some(format!("The program does not do what the request asks: {}.\nWrite the {lang} again so that it does.", missing.join("; ")));
    }
    if let Some(CompileVerdict::Failed { diagnostics }) = &checks.compile {
        let tool = if target == Target::Bpftrace { "bpftrace" } else { "clang" };
        return Some(format!("{tool} rejected the program:\n{}\nFix the error and write the whole {lang} again.", head(diagnostics, 12)));
    }
    if let Some(check) = checks.symbolic.as_ref().and_then(Report::counterexample) {
        return Some(symbolic_feedback(check, lang));
    }
    match &checks.kernel {
        Some(KernelVerdict::Rejected { program, message, verifier_log }) => Some(format!(
            "The kernel verifier rejected {program} ({message}). The end of its log:\n{}\nFix the program and write the whole {lang} again.",
            verifier_log.lines().rev().filter(|l| !l.trim().is_empty()).take(8).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
        )),
        Some(KernelVerdict::NotLoaded { message }) => {
            Some(format!("The program could not be loaded into the kernel: {}\nFix it and write the whole {lang} again.", head(message, 6)))
        }
        _ => None,
    }
}
