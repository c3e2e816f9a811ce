//! Our example corpus: every file is well-formed, every bpftrace example compiles with bpftrace
//! and its emitted object passes the kernel verifier, every C example compiles with clang against this kernel's vmlinux.h and passes the kernel
//! verifier here. Needs bpftrace, clang, bpftool and root; skipped with the reason elsewhere,
//! required in CI (KGENT_REQUIRE_BPF=1).

mod common;

use kgent::obj::source::{bpftrace_probes, c_probes};
use kgent::obj::Target;
use kgent::retrieve::corpus::{dataset, Origin};
use kgent::verify::compile::{compile_bpftrace, compile_c, vmlinux_dir, CompileVerdict};
use kgent::verify::kernel::{load_bpftrace_object, load_object, KernelVerdict};

const SUBSYSTEMS: &[&str] = &["syscalls", "process", "signals", "scheduler", "memory", "block", "files", "network", "uprobe", "timers", "interrupts", "cpu"];
const SHAPES: &[&str] = &["trace", "count", "sum", "histogram", "latency", "top-n", "interval", "profile", "filter"];

#[test]
fn the_corpus_is_large_enough_and_every_example_is_described() {
    let examples = dataset();
    let bt = examples.iter().filter(|e| e.target == Target::Bpftrace).count();
    let c = examples.iter().filter(|e| e.target == Target::Libbpf).count();
    assert!(bt >= 60 && c >= 25, "{bt} bpftrace and {c} C examples");
    for e in &examples {
        assert_eq!(e.origin, Origin::Dataset);
        assert!(e.description.len() >= 20 && e.description.ends_with('.'), "{}: {:?}", e.id, e.description);
        assert!(e.tags.iter().any(|t| SUBSYSTEMS.contains(&t.as_str())), "{}: no subsystem tag in {:?}", e.id, e.tags);
        assert!(e.tags.iter().any(|t| SHAPES.iter().any(|s| t.starts_with(s))) || e.target == Target::Libbpf, "{}: no output-shape tag in {:?}", e.id, e.tags);
        // The declared probes are the ones the code uses.
        let found = match e.target {
            Target::Bpftrace => bpftrace_probes(&e.code),
            Target::Libbpf => c_probes(&e.code),
        };
        if e.target == Target::Bpftrace {
            for p in &e.probes {
                assert!(found.iter().any(|f| f == p || f.starts_with(&format!("{p}:"))), "{}: declares {p}, code has {found:?}", e.id);
            }
        }
        assert!(!found.is_empty(), "{}: no probe found in the code", e.id);
    }
}

/// Our examples answer their own descriptions: none is held to filter by a number its
/// description never gives (the check that sends back invented filters must not send back a
/// program written by a person for those words).
#[test]
fn no_example_filters_by_a_number_its_description_never_gives() {
    for e in dataset().iter().filter(|e| e.target == Target::Bpftrace) {
        let invented = kgent::plan::check::invented(&e.code, &e.description, &[]);
        assert!(invented.is_empty(), "{}: {:?} for {:?}", e.id, invented, e.description);
    }
}

fn tools_or_skip() -> bool {
    common::require_bpf(&["bpftrace", "clang", "bpftool"])
}

#[test]
fn every_bpftrace_example_compiles_and_passes_the_kernel_verifier() {
    if !tools_or_skip() {
        return;
    }
    let mut failures = Vec::new();
    for e in dataset().iter().filter(|e| e.target == Target::Bpftrace) {
        match compile_bpftrace(&e.code).unwrap() {
            CompileVerdict::Compiled { object, .. } => match load_bpftrace_object(&object).expect("Kgent prepares the maps") {
                KernelVerdict::Accepted { programs } => assert!(!programs.is_empty(), "{}", e.id),
                other => failures.push(format!("{} was refused: {other:?}", e.id)),
            },
            CompileVerdict::Failed { diagnostics } => failures.push(format!("{}:\n{diagnostics}", e.id)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_c_example_compiles_and_passes_the_kernel_verifier() {
    if !tools_or_skip() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let vmlinux = vmlinux_dir(home.path()).unwrap();
    let mut failures = Vec::new();
    for e in dataset().iter().filter(|e| e.target == Target::Libbpf) {
        let object = match compile_c(&e.code, &vmlinux).unwrap() {
            CompileVerdict::Compiled { object, .. } => object,
            CompileVerdict::Failed { diagnostics } => {
                failures.push(format!("{} does not compile:\n{diagnostics}", e.id));
                continue;
            }
        };
        match load_object(&object) {
            KernelVerdict::Accepted { programs } => assert!(!programs.is_empty(), "{}", e.id),
            other => failures.push(format!("{} was refused: {other:?}", e.id)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_broken_program_is_a_verdict_with_the_compiler_message() {
    if !tools_or_skip() {
        return;
    }
    let bad = compile_bpftrace("tracepoint:syscalls:sys_enter_openat { @[args->nope] = count(); }").unwrap();
    let CompileVerdict::Failed { diagnostics } = bad else { panic!("compiled a program with a wrong field") };
    assert!(diagnostics.contains("does not contain a field named 'nope'"), "{diagnostics}");
    let home = tempfile::tempdir().unwrap();
    let vmlinux = vmlinux_dir(home.path()).unwrap();
    // Compiles, but reads a map value without the null check the verifier insists on.
    let unsafe_c = r#"#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, u32); __type(value, u64); } m SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_openat") int f(void *ctx) { u32 k = 0; u64 *v = bpf_map_lookup_elem(&m, &k); return *v; }
char LICENSE[] SEC("license") = "GPL";
"#;
    let CompileVerdict::Compiled { object, .. } = compile_c(unsafe_c, &vmlinux).unwrap() else { panic!("should compile") };
    match load_object(&object) {
        KernelVerdict::Rejected { program, verifier_log, .. } => {
            assert_eq!(program, "f");
            assert!(verifier_log.contains("map_value_or_null"), "{verifier_log}");
        }
        other => panic!("the verifier accepted a null dereference: {other:?}"),
    }
}
