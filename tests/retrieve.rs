//! Retrieval end to end: importers, the index (built from fixtures, and for this host), automatic
//! rebuilds, and recall on our eval requests.

mod common;

use common::Need;
use std::fs;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use kgent::kernel::{Catalog, KernelKey, Sources};
use kgent::retrieve::index::{build_into, gather, Location, Searcher};
use kgent::retrieve::{quality, Hit, Kind};

const OPENAT: &str = "name: sys_enter_openat\nID: 1\nformat:\n\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n\
    \tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n";

fn fixture_catalog(dir: &std::path::Path) -> Catalog {
    let ev = dir.join("tracing/events/syscalls/sys_enter_openat");
    fs::create_dir_all(&ev).unwrap();
    fs::write(ev.join("format"), OPENAT).unwrap();
    let sources = Sources { tracefs: Some(dir.join("tracing")), btf: dir.join("none"), binaries: vec![], headers: vec![], probe_capabilities: false };
    Catalog::build(KernelKey::current(), &sources)
}

fn ids(hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| match h {
            Hit::Example { example, .. } => example.id.clone(),
            Hit::Hook { hook, .. } => hook.probe.clone(),
        })
        .collect()
}

#[test]
fn imports_and_our_dataset_are_searchable_and_a_bad_import_is_only_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = fixture_catalog(dir.path());
    let ken = dir.path().join("ken.json");
    fs::write(&ken, r#"[{"request": "measure zebra stripe allocations", "bpf": "tracepoint:kmem:kmalloc { @ = count(); }"}]"#).unwrap();
    let progs = dir.path().join("progs");
    fs::create_dir_all(&progs).unwrap();
    fs::write(
        progs.join("giraffe.bt"),
        "// description: Watch giraffe necks stretching.\n// probes: tracepoint:syscalls:sys_enter_openat\ntracepoint:syscalls:sys_enter_openat { }\n",
    )
    .unwrap();
    let broken = dir.path().join("broken.json");
    fs::write(&broken, "{ not json").unwrap();
    let tools = dir.path().join("tools");
    fs::create_dir_all(&tools).unwrap();
    fs::write(tools.join("walrus.bt"), "/*\n * walrus  Count walrus tusks per second.\n */\nkprobe:vfs_read { @ = count(); }\n").unwrap();

    let corpus = gather(&catalog, &[tools], &[ken, progs, broken.clone()]);
    assert!(corpus.warnings.iter().any(|w| w.contains("broken.json")), "{:?}", corpus.warnings);
    let index_dir = dir.path().join("index");
    build_into(&index_dir, &corpus).unwrap();
    let s = Searcher::open_dir(&index_dir, "test".into()).unwrap();

    let top = ids(&s.search("count openat calls per process every second", Kind::Examples, 3).unwrap());
    assert_eq!(top[0], "bpftrace/openat_top_per_second", "{top:?}");
    assert!(ids(&s.search("zebra stripes", Kind::Examples, 3).unwrap())[0].starts_with("ken:"));
    assert!(ids(&s.search("giraffe necks", Kind::Examples, 3).unwrap())[0].contains("giraffe.bt"));
    let walrus = s.search("walrus tusks", Kind::Examples, 1).unwrap();
    let Hit::Example { example, .. } = &walrus[0] else { panic!() };
    assert_eq!(example.id, "host/walrus");
    assert_eq!(example.description, "Count walrus tusks per second.");
    assert_eq!(example.probes, ["kprobe:vfs_read"]);

    let hooks = ids(&s.search("which files do processes open", Kind::Hooks, 5).unwrap());
    assert_eq!(hooks[0], "tracepoint:syscalls:sys_enter_openat", "{hooks:?}");
}

fn host_ready() -> bool {
    common::require(&[Need::Tracefs, Need::Btf])
}

#[test]
fn the_host_index_rebuilds_itself_when_imports_change_and_meets_recall_targets() {
    if !host_ready() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let loc = Location { home: home.path().to_path_buf() };
    let dirs = kgent::retrieve::host_tool_dirs();
    let mut reasons = Vec::new();
    let s = Searcher::open(&loc, &dirs, &mut |why| reasons.push(why.to_string())).unwrap();
    assert_eq!(reasons, ["no index yet"]);
    let q = quality::measure(&s).unwrap();
    assert!(q.example_recall_at_3 >= 0.9, "example recall@3 {:.2}; misses {:?}", q.example_recall_at_3, q.misses);
    assert!(q.hook_recall_at_10 >= 0.9, "hook recall@10 {:.2}; misses {:?}", q.hook_recall_at_10, q.misses);
    let version = s.version.clone();
    drop(s);

    Searcher::open(&loc, &dirs, &mut |why| reasons.push(why.to_string())).unwrap();
    assert_eq!(reasons.len(), 1, "an up-to-date index was rebuilt: {reasons:?}");

    let ken = home.path().join("mine.json");
    fs::write(&ken, r#"[{"request": "okapi counter", "bpf": "tracepoint:sched:sched_switch { @ = count(); }"}]"#).unwrap();
    loc.set_imports(&[ken]).unwrap();
    let s = Searcher::open(&loc, &dirs, &mut |why| reasons.push(why.to_string())).unwrap();
    assert_eq!(reasons.len(), 2);
    assert_ne!(s.version, version, "the version stamp follows the imports");
    assert!(ids(&s.search("okapi", Kind::Examples, 1).unwrap())[0].starts_with("ken:"));
}

#[test]
fn search_and_hooks_commands_answer_in_text_and_json() {
    if !host_ready() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("kgent").unwrap().args(args).env("KGENT_HOME", home.path()).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&run(&["search", "count page faults by process", "--json", "-k", "10"])).unwrap();
    assert!(json["index_version"].as_str().unwrap().starts_with('v'));
    let results = json["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["kind"] == "hook" && r["hook"]["probe"].as_str().unwrap().contains("page")), "{json}");
    let text = run(&["hooks", "tracepoint:syscalls:sys_enter_openat", "--fields"]);
    assert!(text.contains("const char * filename"), "{text}");
    // Timers are not catalog entries; asking for them says how they are written.
    let out = Command::cargo_bin("kgent").unwrap().args(["hooks", "profile:*"]).env("KGENT_HOME", home.path()).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("profile:hz:N"), "{said}");
    let status = run(&["index", "status"]);
    assert!(status.contains("up to date"), "{status}");
}

/// Cache files that are some process's unfinished work: `.index-build-PID`, `NAME.tmp.PID`, ….
fn scratch_in(home: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for dir in [home.to_path_buf(), home.join("kernel")] {
        for e in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".index-build-") || name.starts_with(".index-old-") || name.contains(".tmp.") {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn two_index_builds_at_once_take_turns_and_leave_a_sound_index() {
    if !host_ready() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let spawn = || Command::cargo_bin("kgent").unwrap().args(["index", "build"]).env("KGENT_HOME", home.path()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let children = [spawn(), spawn()];
    let mut waited = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        waited += stderr.contains("waiting for another kgent building") as usize;
    }
    assert!(waited >= 1, "the builds ran side by side instead of taking turns");
    assert!(scratch_in(home.path()).is_empty(), "{:?}", scratch_in(home.path()));
    let out = Command::cargo_bin("kgent").unwrap().args(["index", "status"]).env("KGENT_HOME", home.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_killed_build_leaves_no_partial_cache_file_that_is_used_and_the_next_one_sweeps_it() {
    if !host_ready() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    // `gen` builds the catalog and the index before it loads a model: kill it in the middle.
    let mut child = Command::cargo_bin("kgent")
        .unwrap()
        .args(["gen", "count openat calls per process", "-m", "/nonexistent.gguf"])
        .env("KGENT_HOME", home.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while scratch_in(home.path()).is_empty() {
        assert!(std::time::Instant::now() < deadline, "gen never started writing the cache");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: nothing of kgent runs after it
    child.wait().unwrap();
    let left = scratch_in(home.path());
    // Whatever it left is scratch beside the cache, never a cache file itself: the next build
    // reads nothing of it, removes it, and ends with a sound index.
    let out = Command::cargo_bin("kgent").unwrap().args(["index", "build"]).env("KGENT_HOME", home.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(scratch_in(home.path()).is_empty(), "left by the killed gen: {left:?}; still there: {:?}", scratch_in(home.path()));
    let out = Command::cargo_bin("kgent").unwrap().args(["search", "open files", "--json"]).env("KGENT_HOME", home.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
