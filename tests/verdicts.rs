//! The symbolic verifier's verdicts on programs whose answer we know: correct programs, and
//! mutants with a missing or wrong filter, the wrong hook, the wrong field, the wrong aggregation,
//! a missing NULL check, a bad helper argument.
//!
//! The table runs anywhere, as any user: each case's compiled object is committed under
//! `tests/fixtures/verdicts/objects` (with the sha256 of the source it was built from), and the
//! host facts come from a committed tracefs-shaped directory. `scripts/build-verdict-fixtures.sh`
//! rebuilds both (clang, bpftrace, tracefs). A second test, which needs root, asks the kernel
//! verifier about every C object: it must agree on safety.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kgent::comprehend::Properties;
use kgent::obj::Target;
use kgent::retrieve::corpus::dataset;
use kgent::verify::compile::{compile_bpftrace, compile_c, vmlinux_dir, CompileVerdict};
use kgent::verify::kernel::{load_object, KernelVerdict};
use kgent::verify::symbolic::{verify, Property, Report, Tracefs, Verdict};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    Proved,
    Counter,
}

fn kind(v: &Verdict) -> Option<Want> {
    match v {
        Verdict::Proved => Some(Want::Proved),
        Verdict::Counterexample { .. } => Some(Want::Counter),
        Verdict::Unknown { .. } => None,
    }
}

/// Per property, over the sections it was checked on: a counterexample anywhere, proved
/// everywhere, or unknown.
fn outcome(report: &Report) -> BTreeMap<String, Option<Want>> {
    let mut out: BTreeMap<String, Option<Want>> = BTreeMap::new();
    for c in &report.checks {
        let k = kind(&c.verdict);
        let e = out.entry(c.property.to_string()).or_insert(Some(Want::Proved));
        *e = match (*e, k) {
            (Some(Want::Counter), _) | (_, Some(Want::Counter)) => Some(Want::Counter),
            (None, _) | (_, None) => None,
            _ => Some(Want::Proved),
        };
    }
    out
}

const C_HEAD: &str = "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n\
struct event { u32 pid; char comm[16]; };\n\
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(\".maps\");\n\
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, u32); __type(value, u64); } counts SEC(\".maps\");\n\
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, char[16]); __type(value, u64); } by_comm SEC(\".maps\");\n";

/// A C program on `hook` (a tracepoint `category/name`) whose body is `body`, after `pre`.
fn c_on(hook: &str, pre: &str, body: &str) -> String {
    format!("{C_HEAD}{pre}SEC(\"tracepoint/{hook}\")\nint on_event(void *ctx)\n{{\n{body}\n\treturn 0;\n}}\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n")
}

fn c(body: &str) -> String {
    c_on("syscalls/sys_enter_openat", "", body)
}

const SUBMIT: &str =
    "\tstruct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);\n\tif (!e) return 0;\n\te->pid = bpf_get_current_pid_tgid() >> 32;\n\tbpf_ringbuf_submit(e, 0);";
const SUBMIT_COMM: &str = "\tstruct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);\n\tif (!e) return 0;\n\te->pid = bpf_get_current_pid_tgid() >> 32;\n\tbpf_get_current_comm(e->comm, sizeof(e->comm));\n\tbpf_ringbuf_submit(e, 0);";
const COUNT_BY_COMM: &str = "\tchar k[16]; u64 one = 1;\n\tbpf_get_current_comm(k, sizeof(k));\n\tu64 *v = bpf_map_lookup_elem(&by_comm, k);\n\tif (v) __sync_fetch_and_add(v, 1); else bpf_map_update_elem(&by_comm, k, &one, BPF_NOEXIST);";
const COUNT_BY_PID: &str = "\tu32 k = bpf_get_current_pid_tgid() >> 32; u64 one = 1;\n\tu64 *v = bpf_map_lookup_elem(&counts, &k);\n\tif (v) __sync_fetch_and_add(v, 1); else bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);";
/// A subprogram the kernel verifies on its own: bpf-to-bpf calls.
const BUMP: &str = "static __attribute__((noinline)) int bump(u32 k)\n{\n\tu64 one = 1;\n\tu64 *v = bpf_map_lookup_elem(&counts, &k);\n\tif (v) { __sync_fetch_and_add(v, 1); return 1; }\n\tbpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);\n\treturn 0;\n}\n";
const BUMP_UNCHECKED: &str = "static __attribute__((noinline)) int bump(u32 k)\n{\n\tu64 *v = bpf_map_lookup_elem(&counts, &k);\n\t__sync_fetch_and_add(v, 1);\n\treturn 1;\n}\n";

struct Case {
    name: &'static str,
    target: Target,
    source: String,
    props: &'static str,
    /// Properties expected to have a counterexample; every other checked property is proved.
    counter: &'static [Property],
}

fn cases() -> Vec<Case> {
    let ex = dataset();
    let code = |id: &str| ex.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id}")).code.clone();
    let comm_bash = "event: tracepoint:syscalls:sys_enter_openat\nfilter: comm == \"bash\"";
    let uid_root = "event: tracepoint:syscalls:sys_enter_openat\nfilter: uid == 0";
    let pid_1234 = "event: tracepoint:syscalls:sys_enter_openat\nfilter: pid == 1234";
    let uid_users = "event: tracepoint:syscalls:sys_enter_openat\nfilter: uid >= 1000";
    let none = "event: tracepoint:syscalls:sys_enter_openat";
    let failed_opens = "event: tracepoint:syscalls:sys_exit_openat\nfilter: retval < 0";
    let large_reads = "event: tracepoint:syscalls:sys_enter_read\nfilter: size > 4096";
    let reads = "event: tracepoint:syscalls:sys_enter_read";
    let pid_comm = "event: tracepoint:syscalls:sys_enter_openat\nemit: pid, comm";
    let pid_filename = "event: tracepoint:syscalls:sys_enter_openat\nemit: pid, filename";
    let by_comm = "event: tracepoint:syscalls:sys_enter_openat\naggregate: count by comm";
    let by_pid = "event: tracepoint:syscalls:sys_enter_openat\naggregate: count by pid";
    let read_bytes = "event: tracepoint:syscalls:sys_exit_read\naggregate: sum bytes by comm";
    let read_sizes = "event: tracepoint:syscalls:sys_enter_read\naggregate: hist size";
    let read_latency =
        "event: tracepoint:syscalls:sys_exit_read\nlatency: tracepoint:syscalls:sys_enter_read -> tracepoint:syscalls:sys_exit_read\naggregate: hist latency\nemit: latency";
    let softirq = "event: tracepoint:irq:softirq_exit\naggregate: hist latency";
    use Property::{Aggregate as A, Fields as F, Filters as L, Hooks as H, Safety as S};
    use Target::{Bpftrace as B, Libbpf as C};
    let case = |name, target, source: String, props, counter| Case { name, target, source, props, counter };
    vec![
        // Filters.
        case("c: bash only", C, code("libbpf/openat_filter_comm"), comm_bash, &[]),
        case("c: bash filter missing", C, code("libbpf/openat_events"), comm_bash, &[L]),
        case("c: root only", C, c(&format!("\tif ((u32)bpf_get_current_uid_gid() != 0) return 0;\n{SUBMIT}")), uid_root, &[]),
        case("c: root filter inverted", C, c(&format!("\tif ((u32)bpf_get_current_uid_gid() == 0) return 0;\n{SUBMIT}")), uid_root, &[L]),
        case("c: pid 1234 only", C, c(&format!("\tif ((bpf_get_current_pid_tgid() >> 32) != 1234) return 0;\n{SUBMIT}")), pid_1234, &[]),
        case("c: tid used for pid", C, c(&format!("\tif ((u32)bpf_get_current_pid_tgid() != 1234) return 0;\n{SUBMIT}")), pid_1234, &[L]),
        case("c: users only", C, c(&format!("\tif ((u32)bpf_get_current_uid_gid() < 1000) return 0;\n{SUBMIT}")), uid_users, &[]),
        case("c: users bound off by one", C, c(&format!("\tif ((u32)bpf_get_current_uid_gid() < 999) return 0;\n{SUBMIT}")), uid_users, &[L]),
        case("bt: bash only", B, code("bpftrace/openat_by_comm"), comm_bash, &[]),
        case("bt: bash filter missing", B, code("bpftrace/opensnoop"), comm_bash, &[L]),
        case("bt: root only", B, code("bpftrace/openat_by_uid"), uid_root, &[]),
        case("bt: bash filter inverted", B, "tracepoint:syscalls:sys_enter_openat /comm != \"bash\"/ { @[comm] = count(); }".into(), comm_bash, &[L]),
        case("bt: pid 1234 only", B, "tracepoint:syscalls:sys_enter_openat /pid == 1234/ { printf(\"%s\\n\", str(args->filename)); }".into(), pid_1234, &[]),
        case("bt: tid used for pid", B, "tracepoint:syscalls:sys_enter_openat /tid == 1234/ { printf(\"%s\\n\", str(args->filename)); }".into(), pid_1234, &[L]),
        case("bt: users only", B, "tracepoint:syscalls:sys_enter_openat /uid >= 1000/ { @[uid] = count(); }".into(), uid_users, &[]),
        case("bt: stricter than asked", B, "tracepoint:syscalls:sys_enter_openat /uid > 1000/ { @[uid] = count(); }".into(), uid_users, &[]),
        case("bt: looser than asked", B, "tracepoint:syscalls:sys_enter_openat /uid >= 100/ { @[uid] = count(); }".into(), uid_users, &[L]),
        case("bt: filter on another field", B, "tracepoint:syscalls:sys_enter_openat /pid == 0/ { @[comm] = count(); }".into(), uid_root, &[L]),
        case("bt: failed opens only", B, "tracepoint:syscalls:sys_exit_openat /args->ret < 0/ { @[comm] = count(); }".into(), failed_opens, &[]),
        case("bt: every open where failures were asked", B, "tracepoint:syscalls:sys_exit_openat { @[comm] = count(); }".into(), failed_opens, &[L]),
        case("bt: large reads only", B, "tracepoint:syscalls:sys_enter_read /args->count > 4096/ { @[comm] = count(); }".into(), large_reads, &[]),
        case("bt: a smaller bound than asked", B, "tracepoint:syscalls:sys_enter_read /args->count > 40/ { @[comm] = count(); }".into(), large_reads, &[L]),
        case(
            "bt: printing probe is not an event",
            B,
            "tracepoint:syscalls:sys_enter_openat /comm == \"bash\"/ { @[pid] = count(); }\ninterval:s:1 { time(); print(@); clear(@); }".into(),
            comm_bash,
            &[],
        ),
        // Hooks.
        case("c: wrong syscall", C, code("libbpf/openat_events"), reads, &[H]),
        case("c: exit of the same syscall", C, c_on("syscalls/sys_exit_openat", "", SUBMIT), none, &[]),
        case("bt: wrong syscall", B, code("bpftrace/opensnoop"), reads, &[H]),
        case("bt: latency pair", B, code("bpftrace/read_latency_hist"), read_latency, &[]),
        case("bt: latency without its start", B, "tracepoint:syscalls:sys_exit_read { @[comm] = count(); }".into(), read_latency, &[H, F, A]),
        case("c: latency pair", C, code("libbpf/read_latency_hist"), read_latency, &[]),
        // Fields.
        case("c: pid and comm", C, c(SUBMIT_COMM), pid_comm, &[]),
        case("c: filename missing", C, c(SUBMIT_COMM), pid_filename, &[F]),
        case("c: pid and filename", C, code("libbpf/openat_events"), pid_filename, &[]),
        case("bt: pid and filename", B, "tracepoint:syscalls:sys_enter_openat { printf(\"%d %s\\n\", pid, str(args->filename)); }".into(), pid_filename, &[]),
        case("bt: comm printed for filename", B, "tracepoint:syscalls:sys_enter_openat { printf(\"%d %s\\n\", pid, comm); }".into(), pid_filename, &[F]),
        case("bt: flags printed for filename", B, "tracepoint:syscalls:sys_enter_openat { printf(\"%d %d\\n\", pid, args->flags); }".into(), pid_filename, &[F]),
        // Aggregations.
        case("c: count by comm", C, c(COUNT_BY_COMM), by_comm, &[]),
        case("c: count by cpu asked by comm", C, c(&COUNT_BY_PID.replace("bpf_get_current_pid_tgid() >> 32", "bpf_get_smp_processor_id()")), by_comm, &[A]),
        case("c: count by pid where per process was asked", C, c(COUNT_BY_PID), by_comm, &[]),
        case("c: count by pid", C, c(COUNT_BY_PID), by_pid, &[]),
        case("bt: count by comm", B, "tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }".into(), by_comm, &[]),
        case("bt: count by uid asked by comm", B, "tracepoint:syscalls:sys_enter_openat { @[uid] = count(); }".into(), by_comm, &[A]),
        case("bt: sum of bytes by comm", B, code("bpftrace/read_bytes_by_process"), read_bytes, &[]),
        case("bt: count where a sum was asked", B, "tracepoint:syscalls:sys_exit_read /args->ret > 0/ { @[comm] = count(); }".into(), read_bytes, &[A]),
        case("bt: hist of sizes", B, code("bpftrace/read_size_hist"), read_sizes, &[]),
        case("bt: hist of the fd", B, "tracepoint:syscalls:sys_enter_read { @ = hist(args->fd); }".into(), read_sizes, &[A]),
        case("bt: softirq latency by vector", B, code("bpftrace/softirq_time"), softirq, &[]),
        // Safety: NULL checks, helper arguments, bpf-to-bpf calls.
        case("c: count by pid, checked lookup", C, c(COUNT_BY_PID), none, &[]),
        case("c: lookup not checked", C, c("\tu32 k = 0;\n\tu64 *v = bpf_map_lookup_elem(&counts, &k);\n\t__sync_fetch_and_add(v, 1);"), none, &[S]),
        case("c: reserve not checked", C, c("\tstruct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);\n\te->pid = 1;\n\tbpf_ringbuf_submit(e, 0);"), none, &[S]),
        case("c: checked after use", C, c("\tu32 k = 0;\n\tu64 *v = bpf_map_lookup_elem(&counts, &k);\n\tu64 x = *v;\n\tif (v) *v = x + 1;"), none, &[S]),
        case("c: comm size fits", C, c("\tstruct event e = {};\n\tbpf_get_current_comm(e.comm, sizeof(e.comm));\n\tbpf_ringbuf_output(&events, &e, sizeof(e), 0);"), none, &[]),
        case("c: comm size past the stack", C, c("\tstruct event e = {};\n\tbpf_get_current_comm(e.comm, 64);\n\tbpf_ringbuf_output(&events, &e, sizeof(e), 0);"), none, &[S]),
        case("c: NULL map key", C, c("\tu64 *v = bpf_map_lookup_elem(&counts, (void *)0);\n\tif (v) __sync_fetch_and_add(v, 1);"), none, &[S]),
        case("c: submit of a stack record", C, c("\tstruct event e = {};\n\te.pid = 1;\n\tbpf_ringbuf_submit(&e, 0);"), none, &[S]),
        case("c: output size past the record", C, c("\tstruct event e = {};\n\tbpf_ringbuf_output(&events, &e, 600, 0);"), none, &[S]),
        case("c: call, checked lookup", C, c_on("syscalls/sys_enter_openat", BUMP, "\tbump(bpf_get_current_pid_tgid() >> 32);"), by_pid, &[]),
        case("c: call, lookup not checked", C, c_on("syscalls/sys_enter_openat", BUMP_UNCHECKED, "\tbump(bpf_get_current_pid_tgid() >> 32);"), none, &[S]),
    ]
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verdicts")
}

/// A case's file name: its name in lowercase words joined by `-`.
fn slug(name: &str) -> String {
    let words: Vec<String> = name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect();
    words.join("-")
}

fn source_sha(source: &str) -> String {
    hex::encode(Sha256::digest(source.as_bytes()))
}

/// The committed object of `case`, checked to be built from the case's source as it is now.
fn committed_object(case: &Case) -> Result<Vec<u8>, String> {
    let dir = fixtures().join("objects");
    let rebuild = "rebuild the fixtures with scripts/build-verdict-fixtures.sh";
    let sha = std::fs::read_to_string(dir.join(format!("{}.sha256", slug(case.name)))).map_err(|e| format!("{}: no source hash ({e}); {rebuild}", case.name))?;
    if sha.trim() != source_sha(&case.source) {
        return Err(format!("{}: its source changed since its object was built; {rebuild}", case.name));
    }
    std::fs::read(dir.join(format!("{}.o", slug(case.name)))).map_err(|e| format!("{}: no object ({e}); {rebuild}", case.name))
}

#[test]
fn every_program_gets_its_known_verdict() {
    let platform = Tracefs::at(&fixtures().join("tracefs"));
    let mut wrong = Vec::new();
    let mut times = Vec::new();
    let all = cases();
    let names: std::collections::BTreeSet<String> = all.iter().map(|c| slug(c.name)).collect();
    assert_eq!(names.len(), all.len(), "two cases share a file name");
    for case in &all {
        let object = match committed_object(case) {
            Ok(o) => o,
            Err(e) => {
                wrong.push(e);
                continue;
            }
        };
        let props: Properties = case.props.parse().unwrap();
        let start = std::time::Instant::now();
        let report = verify(&object, &props, &platform).unwrap();
        times.push(start.elapsed().as_secs_f64());
        let got = outcome(&report);
        for (property, verdict) in &got {
            let want = if case.counter.iter().any(|p| p.to_string() == *property) { Want::Counter } else { Want::Proved };
            if *verdict != Some(want) {
                wrong.push(format!("{}: {property} {verdict:?}, want {want:?}: {:#?}", case.name, report.checks));
            }
        }
        for p in case.counter {
            if !got.contains_key(&p.to_string()) {
                wrong.push(format!("{}: {p} was not checked", case.name));
            }
        }
    }
    assert!(wrong.is_empty(), "{} wrong verdicts:\n{}", wrong.len(), wrong.join("\n"));
    times.sort_by(|a, b| a.total_cmp(b));
    eprintln!("{} programs; verify p50 {:.1} ms, p95 {:.1} ms", all.len(), times[times.len() / 2] * 1e3, times[(times.len() as f64 * 0.95) as usize - 1] * 1e3);
    assert!(all.len() >= 40, "the corpus must hold at least 40 programs");
}

#[test]
fn the_kernel_verifier_agrees_on_safety() {
    if !common::require(&[common::Need::Root]) {
        return;
    }
    let platform = Tracefs::at(&fixtures().join("tracefs"));
    let (mut cases, mut agree, mut wrong) = (0, 0, Vec::new());
    for case in cases_of(Target::Libbpf) {
        let object = committed_object(&case).unwrap();
        let report = verify(&object, &case.props.parse().unwrap(), &platform).unwrap();
        let symbolic_safe = outcome(&report)["safety"] == Some(Want::Proved);
        let kernel_safe = matches!(load_object(&object), KernelVerdict::Accepted { .. });
        cases += 1;
        if kernel_safe == symbolic_safe {
            agree += 1;
        } else {
            wrong.push(format!("{}: the kernel says safe = {kernel_safe}, the symbolic verifier {symbolic_safe}", case.name));
        }
    }
    eprintln!("kernel agreement on safety {agree}/{cases}");
    assert!(cases >= 20, "only {cases} C cases");
    assert!(wrong.is_empty(), "the kernel verifier disagrees:\n{}", wrong.join("\n"));
}

fn cases_of(target: Target) -> Vec<Case> {
    cases().into_iter().filter(|c| c.target == target).collect()
}

/// Rebuilds `tests/fixtures/verdicts`: every case compiled, with its source's hash, and the
/// tracefs `format` files of every tracepoint a case attaches to or asks about.
#[test]
#[ignore = "writes the committed fixtures: run scripts/build-verdict-fixtures.sh"]
fn build_fixtures() {
    assert!(common::require(&[common::Need::Tool("clang"), common::Need::Tool("bpftrace"), common::Need::Tool("bpftool"), common::Need::Btf, common::Need::Tracefs]));
    let vmlinux = vmlinux_dir(&kgent::store::home_dir().unwrap()).unwrap();
    let objects = fixtures().join("objects");
    let _ = std::fs::remove_dir_all(fixtures());
    std::fs::create_dir_all(&objects).unwrap();
    let mut tracepoints = std::collections::BTreeSet::new();
    for case in cases() {
        let compiled = match case.target {
            Target::Libbpf => compile_c(&case.source, &vmlinux).unwrap(),
            Target::Bpftrace => compile_bpftrace(&case.source).unwrap(),
        };
        let CompileVerdict::Compiled { object, .. } = compiled else { panic!("{}: does not compile: {compiled:?}", case.name) };
        for program in kgent::obj::elf::programs(&object).unwrap() {
            if let Some(probe) = kgent::obj::Probe::of_section(&program.section) {
                tracepoints.extend(probe.tracepoint().map(|(c, n)| (c.to_string(), n.to_string())));
            }
        }
        let props: Properties = case.props.parse().unwrap();
        for asked in props.events.iter().chain(props.latency.iter().flat_map(|(a, b)| [a, b])) {
            if let Ok(probe) = asked.parse::<kgent::obj::Probe>() {
                tracepoints.extend(probe.tracepoint().map(|(c, n)| (c.to_string(), n.to_string())));
            }
        }
        std::fs::write(objects.join(format!("{}.o", slug(case.name))), &object).unwrap();
        std::fs::write(objects.join(format!("{}.sha256", slug(case.name))), source_sha(&case.source) + "\n").unwrap();
    }
    let root = kgent::kernel::tracefs::find_root().unwrap();
    for (category, name) in tracepoints {
        let to = fixtures().join("tracefs/events").join(&category).join(&name);
        std::fs::create_dir_all(&to).unwrap();
        // Written, not copied: tracefs files are readable by root only, the fixture by anyone.
        std::fs::write(to.join("format"), std::fs::read(root.join("events").join(&category).join(&name).join("format")).unwrap()).unwrap();
    }
}
