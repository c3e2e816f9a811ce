//! Grounding as a user meets it: `kgent gen` on a request this host cannot serve gives the honest
//! outcome (exit 3, its own line in `--json`) instead of a program on another event; a request
//! only a kernel function implements gets the program for that function, verified by the kernel
//! verifier and marked as not attachable here. Needs tracefs and kernel BTF (the host's catalog);
//! the kprobe test also needs root, bpftrace and the kernel verifier.

mod common;

use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use common::Need;
use kgent::ground::{ground, Retrieval, Servable};
use kgent::kernel::{perf, Attach, Catalog};
use kgent::llm::{tiny, ScriptedChat};
use kgent::obj::Target;
use kgent::retrieve::{host_tool_dirs, index::Location, Searcher};
use kgent::synth::{synthesize, GenOptions, HostChecker};
use kgent::verify::kernel::KernelVerdict;

fn gen_json(home: &std::path::Path, model: &str, request: &str) -> (Output, serde_json::Value) {
    let out = Command::cargo_bin("kgent").unwrap().args(["gen", "-m", model, "--json", request]).env("KGENT_HOME", home).env_remove("KGENT_MODEL").output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, report)
}

#[test]
fn an_event_that_exists_nowhere_and_a_counter_without_a_pmu_get_the_honest_outcome() {
    if !common::require(&[Need::Tracefs, Need::Btf]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let gguf = home.path().join("tiny.gguf");
    tiny::write_tiny_qwen2(&gguf, 5).unwrap();
    let model = gguf.to_str().unwrap();

    let (out, report) = gen_json(home.path(), model, "count calls to the sys_teleport syscall per process");
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report["grounding"]["outcome"], "no_such_event", "{report:#}");
    assert_eq!(report["grounding"]["names"][0], "sys_teleport");
    assert!(report.get("model").is_none(), "decided before any model is loaded: {report:#}");
    // The grounding stage alone, as a user or an agent asks it.
    let ground = |request: &str| Command::cargo_bin("kgent").unwrap().args(["ground", "--json", request]).env("KGENT_HOME", home.path()).output().unwrap();
    let out = ground("count calls to the sys_teleport syscall per process");
    assert_eq!(out.status.code(), Some(3));
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(g["grounding"]["outcome"], "no_such_event", "{g:#}");
    let out = ground("sizes of write(2) calls");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(g["grounding"]["grounded"][0]["probe"], "tracepoint:syscalls:sys_enter_write", "{g:#}");
    assert_eq!(g["grounding"]["grounded"][0]["evidence"]["word"], "write", "{g:#}");
    assert!(report["program"].is_null() && report["attempts"].as_array().unwrap().is_empty(), "nothing is written on another event: {report:#}");

    let (out, report) = gen_json(home.path(), model, "last-level cache misses by process");
    if perf::has_hardware_pmu() {
        assert_ne!(report["grounding"]["outcome"], "no_pmu", "this machine has a PMU: {report:#}");
    } else {
        assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(report["grounding"]["outcome"], "no_pmu", "{report:#}");
        assert_eq!(report["grounding"]["events"][0], "hardware:cache-misses");
        assert!(report["program"].is_null());
    }
}

#[test]
fn a_kernel_function_only_request_gets_its_kprobe_program_verified_by_load_and_marked_not_attachable() {
    if !common::require_bpf(&["bpftrace"]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let catalog = Catalog::load_or_build(home.path(), false).unwrap();
    let searcher = Searcher::open(&Location { home: home.path().into() }, &host_tool_dirs(), &mut |_| {}).unwrap();
    let request = "count calls to vfs_read() per process";
    let grounding = ground(request, &catalog, perf::has_hardware_pmu(), &Retrieval { ranked: searcher.rank_hooks(request, 10).unwrap(), ..Retrieval::default() });
    let kprobes_attach = catalog.find("kprobe:vfs_read").is_some_and(|h| h.attach == Attach::Yes);
    if kprobes_attach {
        assert_eq!(grounding.servable, Servable::Here, "kprobes attach on this host");
    } else {
        assert!(matches!(&grounding.servable, Servable::CannotAttachHere { events, .. } if events == &["kprobe:vfs_read"]), "{:?}", grounding.servable);
    }
    let mut opts = GenOptions::new(Target::Bpftrace);
    opts.grounding = Some(grounding);
    // First a substitute on another event (what the model used to fall back to), then the program
    // for the function the request names.
    let mut chat = ScriptedChat::new(["tracepoint:syscalls:sys_enter_read { @[comm] = count(); }", "kprobe:vfs_read { @[comm] = count(); }"]);
    let mut checker = HostChecker::new(&catalog, &searcher, home.path().into());
    let out = synthesize(&mut chat, &mut checker, &[], request, &opts, &mut |_| {}, &mut |_| {}).unwrap();
    let first = &out.attempts[0];
    assert!(!first.checks.hooks.as_ref().unwrap().is_ok(), "the substitute is sent back: {:?}", first.checks.hooks);
    assert!(first.feedback.as_deref().unwrap_or_default().contains("kprobe:vfs_read"), "{:?}", first.feedback);
    assert!(out.passed, "{:#?}", out.attempts.last().unwrap().checks);
    assert!(matches!(out.attempts[1].checks.kernel, Some(KernelVerdict::Accepted { .. })), "the kernel verifier loaded the kprobe program");
}
