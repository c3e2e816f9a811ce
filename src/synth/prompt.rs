//! What the model sees: a short system message, the request, the closest working examples in the
//! target language and the hooks that exist here with their fields, within a size budget (every
//! prompt token costs ~50 ms on two cores).

use crate::kernel::{Hook, HookKind};
use crate::obj::Target;
use crate::retrieve::corpus::Example;

/// Characters of examples and hooks in the first prompt (about 4 characters a token).
pub const CONTEXT_BUDGET_CHARS: usize = 1600;

pub fn system_prompt(target: Target) -> &'static str {
    match target {
        Target::Bpftrace => {
            "You write bpftrace programs for Linux. Use only the probes and fields listed as available on this host. \
             Reply with the complete program only: no shell command, no explanation."
        }
        Target::Libbpf => {
            "You write the kernel side of libbpf programs in C for Linux: #include \"vmlinux.h\" and <bpf/bpf_helpers.h>, \
             maps in SEC(\".maps\"), events sent through a BPF_MAP_TYPE_RINGBUF map named events holding a struct event, \
             counts kept in hash or array maps (printed by name when the program stops; a u64 array named NAME_log2 is printed as a log2 histogram), \
             and char LICENSE[] SEC(\"license\") = \"GPL\". Use only hooks listed as available on this host. \
             Reply with the complete C file only, no explanation."
        }
    }
}

/// The opening of the assistant's reply: the model continues inside a code block, which keeps
/// small models from wrapping programs in shell commands and prose.
pub fn code_prefix(target: Target) -> &'static str {
    match target {
        Target::Bpftrace => "```bpftrace\n",
        Target::Libbpf => "```c\n",
    }
}

fn hook_line(h: &Hook) -> String {
    // bpftrace reads a kernel function's parameters as arg0, arg1, … and its result as retval;
    // `args->` is for tracepoints (written next to a kprobe, small models copy the colon too).
    if h.kind == HookKind::KernelFunction {
        let name = h.probe.trim_start_matches("kprobe:");
        let args: Vec<String> = h.fields.iter().enumerate().map(|(i, f)| format!("arg{i} is {} {}", f.ty, f.name)).collect();
        return format!("kprobe:{name} on entry ({}), kretprobe:{name} on return (retval)", if args.is_empty() { "no arguments".to_string() } else { args.join(", ") });
    }
    // A library's function likewise: its header's parameters, by position.
    if let (HookKind::Uprobe, false) = (h.kind, h.fields.is_empty()) {
        let target = h.probe.trim_start_matches("uprobe:");
        let args: Vec<String> = h.fields.iter().enumerate().map(|(i, f)| format!("arg{i} is {} {}", f.ty, f.name)).collect();
        return format!("uprobe:{target} on entry ({}), uretprobe:{target} on return (retval)", args.join(", "));
    }
    if h.fields.is_empty() {
        return h.probe.clone();
    }
    let fields: Vec<String> = h.fields.iter().map(|f| format!("{} {}", f.ty, f.name)).collect();
    format!("{}: args->{{{}}}", h.probe, fields.join(", "))
}

fn ask(request: &str, target: Target) -> String {
    let lang = match target {
        Target::Bpftrace => "bpftrace",
        Target::Libbpf => "libbpf C",
    };
    format!("Write a {lang} program that does this: {request}")
}

/// The closest examples as finished exchanges (request → program): a small model copies the
/// shape of a worked answer far better than it follows a list of examples in one message.
pub fn shots(target: Target, examples: &[Example]) -> Vec<(String, String)> {
    let mut budget = CONTEXT_BUDGET_CHARS;
    let mut out = Vec::new();
    for (i, e) in examples.iter().filter(|e| e.target == target).enumerate() {
        let answer = format!("{}{}\n```", code_prefix(target), e.code.trim());
        // Always keep the closest example; the rest only while they fit.
        if i > 0 && answer.len() > budget {
            continue;
        }
        budget = budget.saturating_sub(answer.len());
        out.push((ask(e.description.trim_end_matches('.'), target), answer));
    }
    out
}

/// The user message that asks for the program from a start (a partial reading's program): the
/// request, the start, and the request's words it leaves out.
pub fn user_prompt_from(request: &str, hooks: &[Hook], start: &crate::plan::emit::Partial) -> String {
    format!(
        "{}\n\nThis program does part of it:\n```bpftrace\n{}```\nIt does not yet do what the request says with {}. \
         Write the whole program: keep what it does, and add what those words ask for.",
        user_prompt(request, Target::Bpftrace, hooks),
        start.program,
        start.quoted()
    )
}

/// The user message that asks for the program: the hooks that exist here, then the request.
pub fn user_prompt(request: &str, target: Target, hooks: &[Hook]) -> String {
    let mut budget = CONTEXT_BUDGET_CHARS / 2;
    let mut out = String::new();
    if !hooks.is_empty() {
        out.push_str("Probes available on this host:\n");
        for h in hooks {
            let line = hook_line(h);
            if line.len() > budget {
                break;
            }
            budget -= line.len();
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&ask(request, target));
    out
}
