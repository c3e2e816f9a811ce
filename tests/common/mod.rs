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
        fields: fields.iter().map(|f| Field::new(f.to_string(), "int")).collect(),
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

// Programs that act on the system, for the safety gate's tests (tests/safety.rs, tests/run.rs).

/// A C program on openat whose body is `body`.
pub fn c_tracepoint(body: &str) -> String {
    format!(
        "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n\
         SEC(\"tracepoint/syscalls/sys_enter_openat\")\nint on_open(struct trace_event_raw_sys_enter *ctx)\n{{\n\
         \tchar buf[8] = {{}};\n\t{body}\n\treturn 0;\n}}\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n"
    )
}

/// A tc program that returns `ret` after `body`.
pub fn c_tc(body: &str, ret: &str) -> String {
    format!(
        "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n\
         SEC(\"tc\")\nint on_packet(struct __sk_buff *skb)\n{{\n\tchar buf[2] = {{}};\n\t{body}\n\treturn {ret};\n}}\n\
         char LICENSE[] SEC(\"license\") = \"GPL\";\n"
    )
}

/// Each helper the gate must refuse, in a program that calls it on line 7.
pub fn acting_helpers() -> Vec<(&'static str, String)> {
    vec![
        ("bpf_send_signal", c_tracepoint("bpf_send_signal(9);")),
        ("bpf_send_signal_thread", c_tracepoint("bpf_send_signal_thread(9);")),
        ("bpf_override_return", c_tracepoint("bpf_override_return((struct pt_regs *)ctx, -1);")),
        ("bpf_probe_write_user", c_tracepoint("bpf_probe_write_user((void *)ctx->args[1], buf, sizeof(buf));")),
        ("bpf_sys_bpf", c_tracepoint("bpf_sys_bpf(0, buf, sizeof(buf));")),
        // A packet rewrite on a request that does not ask for one.
        ("bpf_skb_store_bytes", c_tc("bpf_skb_store_bytes(skb, 0, buf, sizeof(buf), 0);", "0")),
        // Called through a macro and by a helper number: the object is what is read.
        ("bpf_send_signal", c_tracepoint("#define QUIET(x) bpf_send_signal(x)\n\tQUIET(9);")),
        ("bpf_send_signal", c_tracepoint("((long (*)(__u32))109)(9);")),
    ]
}

/// bpftrace's unsafe builtins, spelled as a model or a user might.
pub fn acting_scripts() -> Vec<(&'static str, &'static str)> {
    vec![
        ("signal", "tracepoint:syscalls:sys_enter_openat { signal (9); }\n"),
        ("signal", "tracepoint:syscalls:sys_enter_openat\n{\n  signal(\"SIGKILL\") ;\n}\n"),
        ("system", "tracepoint:syscalls:sys_enter_openat { system\n  (\"id\"); }\n"),
        ("override", "kprobe:__x64_sys_openat { override( -1 ); }\n"),
        ("signal", "#define K signal(9)\ntracepoint:syscalls:sys_enter_openat { K; }\n"),
        ("system", "#define SH system(\"id\")\ntracepoint:syscalls:sys_enter_openat { if (pid > 1) { SH; } }\n"),
    ]
}

/// This host's catalog and index in a fresh cache, when BPF and its tools are here.
pub fn host_or_skip() -> Option<(tempfile::TempDir, kgent::kernel::Catalog, kgent::retrieve::Searcher)> {
    if !require_bpf(&["bpftrace", "clang", "bpftool"]) {
        return None;
    }
    let home = tempfile::tempdir().unwrap();
    let catalog = kgent::kernel::Catalog::load_or_build(home.path(), false).unwrap();
    let location = kgent::retrieve::index::Location { home: home.path().into() };
    let searcher = kgent::retrieve::Searcher::open(&location, &kgent::retrieve::host_tool_dirs(), &mut |_| {}).unwrap();
    Some((home, catalog, searcher))
}

/// The Python of `scripts/pyenv.sh` ($KGENT_HOME/pyenv) when `module` imports in it; else the
/// test skips with the reason, or panics when CI requires it (KGENT_REQUIRE_PY=1).
pub fn python_with(module: &str) -> Option<std::path::PathBuf> {
    let python = kgent::store::home_dir().unwrap().join("pyenv/bin/python");
    let ok = Command::new(&python).args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success());
    match ok {
        true => Some(python),
        false if std::env::var("KGENT_REQUIRE_PY").is_ok_and(|v| v == "1") => panic!("KGENT_REQUIRE_PY=1 but {} cannot import {module}: run scripts/pyenv.sh", python.display()),
        false => {
            eprintln!("skipping: {} cannot import {module} (scripts/pyenv.sh installs it)", python.display());
            None
        }
    }
}
