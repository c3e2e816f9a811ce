//! The host hook catalog: from fixture sources (any machine), and from this host's real tracefs,
//! BTF and kernel (needs root and BPF: skipped with the reason elsewhere, required in CI through
//! KGENT_REQUIRE_BPF=1).

mod common;

use std::fs;

use kgent::kernel::{capability, Attach, Catalog, HookKind, KernelKey, Sources};

const FORMAT: &str = "name: sched_process_exec\nID: 1\nformat:\n\
    \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n\
    \tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n\
    \tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n";

fn fixture_sources(dir: &std::path::Path) -> Sources {
    let ev = dir.join("tracing/events/sched/sched_process_exec");
    fs::create_dir_all(&ev).unwrap();
    fs::write(ev.join("format"), FORMAT).unwrap();
    let not_elf = dir.join("script.sh");
    fs::write(&not_elf, "#!/bin/sh\n").unwrap();
    Sources {
        tracefs: Some(dir.join("tracing")),
        btf: dir.join("no-such-vmlinux"),
        binaries: vec![not_elf, std::env::current_exe().unwrap()],
        headers: vec![],
        probe_capabilities: false,
    }
}

#[test]
fn missing_btf_and_bad_binaries_are_warnings_and_the_rest_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::build(KernelKey::current(), &fixture_sources(dir.path()));
    let exec = catalog.find("tracepoint:sched:sched_process_exec").expect("tracepoint listed");
    assert_eq!(exec.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["filename", "pid"]);
    assert_eq!(exec.attach, Attach::Unknown, "capabilities were not probed");
    assert!(catalog.hooks.iter().any(|h| h.kind == HookKind::Uprobe && h.probe.ends_with(":main")));
    assert!(catalog.hooks.iter().any(|h| h.probe == "software:page-faults"));
    let warnings = catalog.warnings.join("\n");
    assert!(warnings.contains("no-such-vmlinux") && warnings.contains("CONFIG_DEBUG_INFO_BTF"), "{warnings}");
    assert!(warnings.contains("script.sh") && warnings.contains("not an ELF"), "{warnings}");
}

#[test]
fn an_unreadable_tracefs_is_named_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let mut sources = fixture_sources(dir.path());
    sources.tracefs = Some(dir.path().join("nowhere"));
    let catalog = Catalog::build(KernelKey::current(), &sources);
    assert!(catalog.hooks.iter().all(|h| h.kind != HookKind::Tracepoint));
    assert!(catalog.warnings.iter().any(|w| w.contains("cannot read tracepoints")), "{:?}", catalog.warnings);
    sources.tracefs = None;
    let catalog = Catalog::build(KernelKey::current(), &sources);
    assert!(catalog.warnings.iter().any(|w| w.contains("mount -t tracefs")), "{:?}", catalog.warnings);
}

fn require_bpf() -> bool {
    common::require_bpf(&[])
}

/// BPF tests run one at a time: each counts the kernel's programs, which the others would change.
static BPF: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn loaded_program_count() -> usize {
    aya::programs::loaded_programs().filter(|p| p.is_ok()).count()
}

#[test]
fn the_capability_probe_attaches_tracepoints_and_leaves_nothing_behind() {
    if !require_bpf() {
        return;
    }
    let _serial = BPF.lock().unwrap_or_else(|e| e.into_inner());
    let before = loaded_program_count();
    let caps = capability::probe();
    // The kernel frees a closed program after an RCU grace period: allow it a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while loaded_program_count() > before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(loaded_program_count(), before, "the probe left programs in the kernel");
    let tp = &caps["tracepoint"];
    assert!(tp.loads.is_yes() && tp.attaches.is_yes(), "{tp:?}");
    assert!(caps["kprobe"].loads.is_yes(), "{:?}", caps["kprobe"]);
    for ty in ["raw_tracepoint", "uprobe", "perf_event", "xdp", "socket_filter", "fentry", "lsm"] {
        assert!(caps.contains_key(ty), "{ty} was not probed");
    }
}

#[test]
fn the_host_catalog_has_syscall_tracepoints_with_fields_and_btf_prototypes() {
    if !require_bpf() {
        return;
    }
    let _serial = BPF.lock().unwrap_or_else(|e| e.into_inner());
    let home = tempfile::tempdir().unwrap();
    let catalog = Catalog::load_or_build(home.path(), false).unwrap();
    let openat = catalog.find("tracepoint:syscalls:sys_enter_openat").expect("openat tracepoint");
    assert!(openat.fields.iter().any(|f| f.name == "filename" && f.ty.contains("char")), "{:?}", openat.fields);
    assert_eq!(openat.attach, Attach::Yes);
    let kfunc = catalog.find("kprobe:do_sys_openat2").expect("do_sys_openat2 in BTF");
    let proto = kfunc.prototype.as_deref().unwrap();
    assert!(proto.contains(" do_sys_openat2(int dfd, const char *filename"), "{proto}");
    assert!(catalog.hooks.iter().filter(|h| h.kind == HookKind::Tracepoint).count() > 500);
    // The second call reads the cache; same content.
    let again = Catalog::load_or_build(home.path(), false).unwrap();
    assert_eq!(again.hooks.len(), catalog.hooks.len());
    // One catalog file, beside the lock its builder held.
    let files: Vec<String> = fs::read_dir(home.path().join("kernel")).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(files.iter().filter(|f| !f.starts_with('.')).count(), 1, "{files:?}");
}
