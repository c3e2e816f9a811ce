//! The symbolic verifier's verdicts on programs whose answer we know: correct programs, and
//! mutants with a missing or wrong filter, the wrong id, a missing NULL check. On the safety cases
//! the kernel verifier is asked too, and must agree. Needs clang and bpftrace (root for the
//! kernel); skipped with the reason elsewhere, required in CI.

use std::process::Command;

use kgent::comprehend::Properties;
use kgent::retrieve::corpus::dataset;
use kgent::verify::compile::{compile_bpftrace, compile_c, vmlinux_dir, CompileVerdict, Target};
use kgent::verify::kernel::{load_object, KernelVerdict};
use kgent::verify::symbolic::{verify, Verdict};

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

const C_HEAD: &str = "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n\
struct event { u32 pid; char comm[16]; };\n\
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(\".maps\");\n\
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, u32); __type(value, u64); } counts SEC(\".maps\");\n";

/// A C tracepoint program on openat whose body is `body`.
fn c(body: &str) -> String {
    format!("{C_HEAD}SEC(\"tracepoint/syscalls/sys_enter_openat\")\nint on_open(void *ctx)\n{{\n{body}\n\treturn 0;\n}}\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n")
}

const SUBMIT: &str =
    "\tstruct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);\n\tif (!e) return 0;\n\te->pid = bpf_get_current_pid_tgid() >> 32;\n\tbpf_ringbuf_submit(e, 0);";

struct Case {
    name: &'static str,
    target: Target,
    source: String,
    props: &'static str,
    filters: Want,
    safety: Want,
}

fn cases() -> Vec<Case> {
    let ex = dataset();
    let code = |id: &str| ex.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id}")).code.clone();
    let comm_bash = "event: tracepoint:syscalls:sys_enter_openat\nfilter: comm == \"bash\"";
    let uid_root = "event: tracepoint:syscalls:sys_enter_openat\nfilter: uid == 0";
    let pid_1234 = "event: tracepoint:syscalls:sys_enter_openat\nfilter: pid == 1234";
    let uid_users = "event: tracepoint:syscalls:sys_enter_openat\nfilter: uid >= 1000";
    let none = "event: tracepoint:syscalls:sys_enter_openat";
    use Target::{Bpftrace as B, Libbpf as C};
    use Want::{Counter as X, Proved as P};
    let case = |name, target, source: String, props, filters, safety| Case { name, target, source, props, filters, safety };
    vec![
        case("c: bash only", C, code("libbpf/openat_filter_comm"), comm_bash, P, P),
        case("c: bash filter missing", C, code("libbpf/openat_events"), comm_bash, X, P),
        case("c: root only", C, c(&format!("\tif ((u32)bpf_get_current_uid_gid() != 0) return 0;\n{SUBMIT}")), uid_root, P, P),
        case("c: root filter inverted", C, c(&format!("\tif ((u32)bpf_get_current_uid_gid() == 0) return 0;\n{SUBMIT}")), uid_root, X, P),
        case("c: pid 1234 only", C, c(&format!("\tif ((bpf_get_current_pid_tgid() >> 32) != 1234) return 0;\n{SUBMIT}")), pid_1234, P, P),
        case("c: tid used for pid", C, c(&format!("\tif ((u32)bpf_get_current_pid_tgid() != 1234) return 0;\n{SUBMIT}")), pid_1234, X, P),
        case("c: users only", C, c(&format!("\tif ((u32)bpf_get_current_uid_gid() < 1000) return 0;\n{SUBMIT}")), uid_users, P, P),
        case("c: users bound off by one", C, c(&format!("\tif ((u32)bpf_get_current_uid_gid() < 999) return 0;\n{SUBMIT}")), uid_users, X, P),
        case("c: count by pid, checked lookup", C, c("\tu32 k = bpf_get_current_pid_tgid() >> 32; u64 one = 1;\n\tu64 *v = bpf_map_lookup_elem(&counts, &k);\n\tif (v) __sync_fetch_and_add(v, 1); else bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);"), none, P, P),
        case("c: lookup not checked", C, c("\tu32 k = 0;\n\tu64 *v = bpf_map_lookup_elem(&counts, &k);\n\t__sync_fetch_and_add(v, 1);"), none, P, X),
        case("c: reserve not checked", C, c("\tstruct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);\n\te->pid = 1;\n\tbpf_ringbuf_submit(e, 0);"), none, P, X),
        case("c: checked after use", C, c("\tu32 k = 0;\n\tu64 *v = bpf_map_lookup_elem(&counts, &k);\n\tu64 x = *v;\n\tif (v) *v = x + 1;"), none, P, X),
        case("bt: bash only", B, code("bpftrace/openat_by_comm"), comm_bash, P, P),
        case("bt: bash filter missing", B, code("bpftrace/opensnoop"), comm_bash, X, P),
        case("bt: root only", B, code("bpftrace/openat_by_uid"), uid_root, P, P),
        case("bt: bash filter inverted", B, "tracepoint:syscalls:sys_enter_openat /comm != \"bash\"/ { @[comm] = count(); }".into(), comm_bash, X, P),
        case("bt: pid 1234 only", B, "tracepoint:syscalls:sys_enter_openat /pid == 1234/ { printf(\"%s\\n\", str(args->filename)); }".into(), pid_1234, P, P),
        case("bt: tid used for pid", B, "tracepoint:syscalls:sys_enter_openat /tid == 1234/ { printf(\"%s\\n\", str(args->filename)); }".into(), pid_1234, X, P),
        case("bt: users only", B, "tracepoint:syscalls:sys_enter_openat /uid >= 1000/ { @[uid] = count(); }".into(), uid_users, P, P),
        case("bt: stricter than asked", B, "tracepoint:syscalls:sys_enter_openat /uid > 1000/ { @[uid] = count(); }".into(), uid_users, P, P),
        case("bt: looser than asked", B, "tracepoint:syscalls:sys_enter_openat /uid >= 100/ { @[uid] = count(); }".into(), uid_users, X, P),
        case("bt: filter on another field", B, "tracepoint:syscalls:sys_enter_openat /pid == 0/ { @[comm] = count(); }".into(), uid_root, X, P),
    ]
}

#[test]
fn every_program_gets_its_known_verdict_and_the_kernel_agrees_on_safety() {
    let tools = ["clang", "bpftrace"].iter().all(|t| Command::new(t).arg("--version").output().is_ok());
    if !tools || !kgent::kernel::is_root() {
        assert_ne!(std::env::var("KGENT_REQUIRE_BPF").as_deref(), Ok("1"), "KGENT_REQUIRE_BPF=1 but clang, bpftrace or root is missing");
        eprintln!("skipping: needs clang, bpftrace and root");
        return;
    }
    let vmlinux = vmlinux_dir(&kgent::store::home_dir().unwrap()).unwrap();
    let mut wrong = Vec::new();
    let (mut safety_cases, mut agree) = (0, 0);
    let mut times = Vec::new();
    let all = cases();
    for case in &all {
        let compiled = match case.target {
            Target::Libbpf => compile_c(&case.source, &vmlinux).unwrap(),
            Target::Bpftrace => compile_bpftrace(&case.source).unwrap(),
        };
        let CompileVerdict::Compiled { object, .. } = compiled else { panic!("{}: does not compile: {compiled:?}", case.name) };
        let props: Properties = case.props.parse().unwrap();
        let start = std::time::Instant::now();
        let verdicts = verify(&object, &props).unwrap();
        times.push(start.elapsed().as_secs_f64());
        let filters = verdicts.iter().map(|v| kind(&v.filters)).fold(Some(Want::Proved), |acc, k| match (acc, k) {
            (Some(Want::Counter), _) | (_, Some(Want::Counter)) => Some(Want::Counter),
            (None, _) | (_, None) => None,
            _ => Some(Want::Proved),
        });
        let safety = if verdicts.iter().any(|v| kind(&v.safety) == Some(Want::Counter)) {
            Some(Want::Counter)
        } else if verdicts.iter().all(|v| kind(&v.safety) == Some(Want::Proved)) {
            Some(Want::Proved)
        } else {
            None
        };
        if filters != Some(case.filters) || safety != Some(case.safety) {
            wrong.push(format!("{}: filters {filters:?} (want {:?}), safety {safety:?} (want {:?}): {verdicts:#?}", case.name, case.filters, case.safety));
        }
        if case.target == Target::Libbpf {
            safety_cases += 1;
            let kernel_safe = matches!(load_object(&object), KernelVerdict::Accepted { .. });
            if kernel_safe == (safety == Some(Want::Proved)) {
                agree += 1;
            }
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    eprintln!(
        "{} programs; kernel agreement on safety {agree}/{safety_cases}; verify p50 {:.1} ms, p95 {:.1} ms",
        all.len(),
        times[times.len() / 2] * 1e3,
        times[(times.len() as f64 * 0.95) as usize - 1] * 1e3
    );
    assert!(wrong.is_empty(), "{} of {} verdicts wrong:\n{}", wrong.len(), all.len(), wrong.join("\n"));
    assert_eq!(agree, safety_cases, "the kernel verifier disagrees on safety");
}
