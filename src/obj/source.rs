//! The probes a program's source names, before anything is compiled: the hook check runs first and
//! costs nothing, so it reads the text. Spellings come back as written; [`Probe`] parses them
//! (and a spelling that does not parse is the hook check's "unknown probe type").

use super::probe::Probe;
use super::Target;

/// Probes a program names, in bpftrace spelling.
pub fn probes(code: &str, target: Target) -> Vec<String> {
    match target {
        Target::Bpftrace => bpftrace_probes(code),
        Target::Libbpf => c_probes(code),
    }
}

/// Probes named in a bpftrace program: the comma-separated specs before each `{` or `/filter/`
/// at the top level.
pub fn bpftrace_probes(code: &str) -> Vec<String> {
    let mut probes = Vec::new();
    let mut depth = 0usize;
    let mut spec = String::new();
    let mut in_comment = false;
    for line in code.lines() {
        let t = line.trim();
        if depth == 0 && (t.starts_with("//") || t.starts_with('#')) {
            continue;
        }
        if depth == 0 && t.starts_with("/*") {
            in_comment = true;
        }
        if in_comment {
            if t.contains("*/") {
                in_comment = false;
            }
            continue;
        }
        for c in line.chars() {
            match c {
                '{' => {
                    if depth == 0 {
                        take_specs(&spec, &mut probes);
                        spec.clear();
                    }
                    depth += 1;
                }
                '}' => depth = depth.saturating_sub(1),
                _ if depth == 0 => spec.push(c),
                _ => {}
            }
        }
        if depth == 0 {
            spec.push('\n');
        }
    }
    probes
}

fn take_specs(spec: &str, probes: &mut Vec<String>) {
    // Drop a `/predicate/` after the probe list.
    let head = spec.split('/').next().unwrap_or("");
    let head = if spec.trim_start().starts_with("uprobe:/") || spec.trim_start().starts_with("uretprobe:/") {
        // Paths contain slashes: the predicate starts at the first slash after a space or a
        // line break.
        spec.char_indices().find(|&(i, c)| c == '/' && spec[..i].ends_with(char::is_whitespace) && !spec[..i].trim().is_empty()).map_or(spec, |(i, _)| &spec[..i])
    } else {
        head
    };
    for p in head.split(',') {
        let p = p.trim();
        if !p.is_empty() && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            probes.push(p.to_string());
        }
    }
}

/// Probes of a libbpf C program, from its `SEC("…")` names, in bpftrace spelling.
pub fn c_probes(code: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"SEC\("([^"]+)"\)"#).expect("valid regex");
    re.captures_iter(code).filter_map(|c| c_section_spelling(&c[1])).collect()
}

/// A program section's probe in bpftrace spelling. A section kind outside the probe table is kept
/// as `kind:rest`, so the hook check can name it; data sections give `None`.
fn c_section_spelling(section: &str) -> Option<String> {
    if section.starts_with('.') || section == "license" || section == "version" {
        return None;
    }
    Some(match Probe::of_c_section(section) {
        Some(p) => p.to_string(),
        None => match section.split_once('/') {
            Some((kind, rest)) => format!("{kind}:{rest}"),
            None => section.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_found_in_bpftrace_and_c() {
        let bt = "BEGIN { printf(\"hi\"); }\ntracepoint:sched:sched_wakeup,\ntracepoint:sched:sched_wakeup_new { @q[args->pid] = nsecs; }\n\
                  kprobe:vfs_read /pid == 1/ { @ = count(); }\nuretprobe:/bin/bash:readline /pid/ { }\nuprobe:/bin/bash:readline\n/@start[tid]/\n{ }\n";
        assert_eq!(
            bpftrace_probes(bt),
            ["BEGIN", "tracepoint:sched:sched_wakeup", "tracepoint:sched:sched_wakeup_new", "kprobe:vfs_read", "uretprobe:/bin/bash:readline", "uprobe:/bin/bash:readline"]
        );
        let c = "SEC(\"tracepoint/syscalls/sys_enter_openat\") int a() {}\nSEC(\"uretprobe//bin/bash:readline\") int b() {}\n\
                 SEC(\"xdp\") int c() {}\nSEC(\"raw_tp/sys_enter\") int d() {}\nSEC(\"cgroup_skb/ingress\") int e() {}\nSEC(\".maps\");\nSEC(\"license\")";
        assert_eq!(c_probes(c), ["tracepoint:syscalls:sys_enter_openat", "uretprobe:/bin/bash:readline", "xdp", "rawtracepoint:sys_enter", "cgroup_skb:ingress"]);
    }
}
