//! What the integration tests share: whether this host offers what a test needs, and the rule
//! that a test needing it skips with the reason elsewhere but fails in CI (KGENT_REQUIRE_BPF=1).
#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;
use std::process::Command;

/// One thing a test needs from the host.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// Loading and attaching BPF programs.
    Root,
    Tracefs,
    /// `/sys/kernel/btf/vmlinux`, for `vmlinux.h` and the catalog's functions.
    Btf,
    /// A program on PATH that answers `--version`.
    Tool(&'static str),
}

/// Why this host lacks something in `needs`, or `Ok` when it has everything.
pub fn host_has(needs: &[Need]) -> Result<(), String> {
    for need in needs {
        match need {
            Need::Root if !kgent::kernel::is_root() => return Err("not root".into()),
            Need::Tracefs if kgent::kernel::tracefs::find_root().is_none() => return Err("tracefs is not mounted".into()),
            Need::Btf if !Path::new(kgent::kernel::VMLINUX_BTF).exists() => return Err("no kernel BTF".into()),
            Need::Tool(tool) if Command::new(tool).arg("--version").output().is_err() => return Err(format!("{tool} is not installed (scripts/setup.sh installs it)")),
            _ => {}
        }
    }
    Ok(())
}

/// True when the test can run; prints why it skips, or panics when CI requires it.
pub fn require(needs: &[Need]) -> bool {
    match host_has(needs) {
        Ok(()) => true,
        Err(why) if std::env::var("KGENT_REQUIRE_BPF").is_ok_and(|v| v == "1") => {
            panic!("KGENT_REQUIRE_BPF=1 but this host cannot run this test: {why}")
        }
        Err(why) => {
            eprintln!("skipping: {why}");
            false
        }
    }
}

/// Root, tracefs, kernel BTF and `tools`: what loading and attaching programs needs here.
pub fn require_bpf(tools: &[&'static str]) -> bool {
    let mut needs = vec![Need::Root, Need::Tracefs, Need::Btf];
    needs.extend(tools.iter().map(|t| Need::Tool(t)));
    require(&needs)
}

/// A catalog of attachable tracepoints with `int` fields, for grammar and sampling tests.
pub fn tracepoint_catalog(tracepoints: &[(&str, &[&str])]) -> kgent::kernel::Catalog {
    use kgent::kernel::{Attach, Field, Hook, HookKind};
    let hook = |probe: &str, fields: &[&str]| Hook {
        probe: probe.into(),
        kind: HookKind::Tracepoint,
        category: probe.split(':').nth(1).unwrap_or_default().into(),
        fields: fields.iter().map(|f| Field { name: f.to_string(), ty: "int".into() }).collect(),
        prototype: None,
        about: String::new(),
        attach: Attach::Yes,
    };
    kgent::kernel::Catalog {
        key: kgent::kernel::KernelKey::current(),
        hooks: tracepoints.iter().map(|(p, f)| hook(p, f)).collect(),
        capabilities: Default::default(),
        tools: Default::default(),
        warnings: vec![],
    }
}
