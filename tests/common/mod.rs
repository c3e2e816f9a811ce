//! What the integration tests share: whether this host can run BPF, and the rule that a test
//! needing it skips with the reason elsewhere but fails in CI (KGENT_REQUIRE_BPF=1).

use std::path::Path;
use std::process::Command;

/// Whether this process can use BPF here with `tools` installed; otherwise why not.
pub fn bpf_host(tools: &[&str]) -> Result<(), String> {
    if !kgent::kernel::is_root() {
        return Err("not root".into());
    }
    if kgent::kernel::tracefs::find_root().is_none() {
        return Err("tracefs is not mounted".into());
    }
    if !Path::new(kgent::kernel::VMLINUX_BTF).exists() {
        return Err("no kernel BTF".into());
    }
    for tool in tools {
        if Command::new(tool).arg("--version").output().is_err() {
            return Err(format!("{tool} is not installed"));
        }
    }
    Ok(())
}

/// True when the test can run; prints why it skips, or panics when CI requires BPF.
pub fn require_bpf(tools: &[&str]) -> bool {
    match bpf_host(tools) {
        Ok(()) => true,
        Err(why) if std::env::var("KGENT_REQUIRE_BPF").is_ok_and(|v| v == "1") => {
            panic!("KGENT_REQUIRE_BPF=1 but this host cannot run BPF tests: {why}")
        }
        Err(why) => {
            eprintln!("skipping: {why}");
            false
        }
    }
}
