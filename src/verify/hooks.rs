//! The first check: does every probe a program names exist on this host, and can it attach here?
//! A program on `kprobe:page_fault` compiles nowhere; one on `kprobe:vfs_read` compiles but cannot
//! attach on a kernel without kprobes. Either way the verdict names hooks that would work.

use serde::Serialize;

use crate::kernel::{perf, uprobe, Attach, Catalog, HookKind};
use crate::obj::probe::glob as probe_glob;
use crate::obj::{Probe, ProbeKind};

/// One probe that will not work here.
#[derive(Debug, Clone, Serialize)]
pub struct HookProblem {
    pub probe: String,
    pub reason: String,
    /// Hooks that exist and attach here, nearest first.
    pub suggestions: Vec<String>,
}

/// The outcome of the hook check.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum HookVerdict {
    Ok { probes: Vec<String> },
    Problems { problems: Vec<HookProblem> },
}

impl HookVerdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, HookVerdict::Ok { .. })
    }
}

/// Checks `probes` (bpftrace spelling; C section names already converted) against the catalog.
/// `suggest` proposes attachable hooks for a failing probe.
pub fn check(probes: &[String], catalog: &Catalog, suggest: &mut dyn FnMut(&str) -> Vec<String>) -> HookVerdict {
    let mut problems = Vec::new();
    for probe in probes {
        if let Some(reason) = problem(probe, catalog) {
            problems.push(HookProblem { probe: probe.clone(), reason, suggestions: suggest(probe) });
        }
    }
    if problems.is_empty() {
        HookVerdict::Ok { probes: probes.to_vec() }
    } else {
        HookVerdict::Problems { problems }
    }
}

fn capability_problem(catalog: &Catalog, capability: &str, what: &str) -> Option<String> {
    let support = catalog.capabilities.get(capability)?;
    if support.attaches.is_yes() {
        None
    } else if support.loads.is_yes() {
        Some(format!("{what} programs load but cannot attach on this host"))
    } else {
        Some(format!("this kernel refuses {what} programs"))
    }
}

fn attach_problem(attach: Attach, what: &str) -> Option<String> {
    match attach {
        Attach::Yes | Attach::Unknown => None,
        Attach::LoadOnly => Some(format!("{what} programs load but cannot attach on this host")),
        Attach::No => Some(format!("this kernel refuses {what} programs")),
    }
}

/// Why `spelled` will not work here, or `None` when it will.
fn problem(spelled: &str, catalog: &Catalog) -> Option<String> {
    let probe: Probe = match spelled.parse() {
        Ok(p) => p,
        Err(e) => return Some(e.to_string()),
    };
    let rest = probe.target.as_str();
    let matching = |kind: HookKind, pattern: &str| {
        let re = probe_glob(pattern);
        catalog.hooks.iter().filter(move |h| h.kind == kind && re.is_match(&h.probe)).map(|h| h.attach).collect::<Vec<_>>()
    };
    let capability = |what: &str| capability_problem(catalog, probe.kind.capability()?, what);
    match probe.kind {
        ProbeKind::Begin | ProbeKind::End | ProbeKind::Interval => None,
        ProbeKind::Tracepoint => {
            let found = matching(HookKind::Tracepoint, &format!("tracepoint:{rest}"));
            match found.first() {
                None => Some(format!("no tracepoint {rest} on this kernel")),
                Some(a) => attach_problem(*a, "tracepoint"),
            }
        }
        ProbeKind::RawTracepoint => {
            if matching(HookKind::Tracepoint, &format!("tracepoint:*:{rest}")).is_empty() {
                Some(format!("no tracepoint named {rest} for a raw tracepoint"))
            } else {
                capability("raw tracepoint")
            }
        }
        ProbeKind::Kprobe | ProbeKind::Kretprobe => {
            let function = probe.kernel_function().unwrap_or(rest);
            match matching(HookKind::KernelFunction, &format!("kprobe:{function}")).first() {
                None => Some(format!("the kernel has no function {function}")),
                Some(a) => attach_problem(*a, "kprobe"),
            }
        }
        ProbeKind::Kfunc | ProbeKind::Kretfunc => {
            capability("fentry/kfunc").or_else(|| matching(HookKind::KernelFunction, &format!("kprobe:{rest}")).is_empty().then(|| format!("the kernel has no function {rest}")))
        }
        ProbeKind::Uprobe | ProbeKind::Uretprobe => {
            let Some((path, function)) = probe.uprobe_target() else {
                return Some("a uprobe needs binary:function".into());
            };
            if !path.starts_with('/') {
                return None; // a library name bpftrace resolves itself (`libc`)
            }
            match uprobe::functions(std::path::Path::new(path)) {
                Err(e) => Some(e.to_string()),
                Ok(names) if !function.contains('*') && !names.iter().any(|n| n == function) => Some(format!("{path} has no function {function}")),
                Ok(_) => capability("uprobe"),
            }
        }
        ProbeKind::Software | ProbeKind::Hardware => {
            let name = rest.split(':').next().unwrap_or(rest);
            let hw = probe.kind == ProbeKind::Hardware;
            let list = if hw { perf::HARDWARE } else { perf::SOFTWARE };
            if !list.iter().any(|(n, alias, _)| *n == name || (!alias.is_empty() && *alias == name)) {
                Some(format!("no {} event named {name}", if hw { "hardware" } else { "software" }))
            } else if hw && !perf::has_hardware_pmu() {
                Some("this machine exposes no hardware performance counters".into())
            } else {
                capability("perf event")
            }
        }
        ProbeKind::Profile | ProbeKind::PerfEvent => capability("perf event"),
        ProbeKind::Xdp => capability("XDP"),
        ProbeKind::Socket => capability("socket filter"),
        ProbeKind::Lsm => capability("LSM"),
        // Not among the capability probe's types; `kgent run` (or bpftrace) says so at attach
        // time if needed.
        ProbeKind::Tc | ProbeKind::Usdt | ProbeKind::Watchpoint | ProbeKind::TpBtf => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Field, Hook, KernelKey, Outcome, Tools, TypeSupport};

    fn catalog() -> Catalog {
        let hook = |probe: &str, kind, attach| Hook {
            probe: probe.into(),
            kind,
            category: String::new(),
            fields: vec![Field::new("x", "int")],
            prototype: None,
            about: String::new(),
            attach,
        };
        let mut capabilities = crate::kernel::Capabilities::new();
        capabilities.insert("kprobe".into(), TypeSupport { loads: Outcome::Yes, attaches: Outcome::No("no kprobes".into()) });
        capabilities.insert("perf_event".into(), TypeSupport { loads: Outcome::Yes, attaches: Outcome::Yes });
        Catalog {
            key: KernelKey::current(),
            hooks: vec![hook("tracepoint:syscalls:sys_enter_openat", HookKind::Tracepoint, Attach::Yes), hook("kprobe:vfs_read", HookKind::KernelFunction, Attach::LoadOnly)],
            capabilities,
            tools: Tools::default(),
            warnings: vec![],
        }
    }

    #[test]
    fn existing_attachable_probes_pass_and_others_say_why() {
        let c = catalog();
        let mut suggest = |_: &str| vec!["tracepoint:syscalls:sys_enter_openat".to_string()];
        let ok = ["tracepoint:syscalls:sys_enter_open*", "BEGIN", "interval:s:1", "software:page-faults:1", "profile:hz:99"];
        let v = check(&ok.map(String::from), &c, &mut suggest);
        assert!(v.is_ok(), "{v:?}");
        let bad = ["kprobe:page_fault", "kprobe:vfs_read", "tracepoint:syscalls:sys_enter_nope", "software:bogus", "magic:x"];
        let HookVerdict::Problems { problems } = check(&bad.map(String::from), &c, &mut suggest) else { panic!() };
        let reasons: Vec<&str> = problems.iter().map(|p| p.reason.as_str()).collect();
        assert_eq!(problems.len(), 5, "{reasons:?}");
        assert!(reasons[0].contains("no function page_fault"));
        assert!(reasons[1].contains("cannot attach"));
        assert!(reasons[2].contains("no tracepoint"));
        assert!(problems.iter().all(|p| p.suggestions == ["tracepoint:syscalls:sys_enter_openat"]));
    }
}
