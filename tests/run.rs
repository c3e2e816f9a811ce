//! Running programs for real: dataset examples of both targets report what their trigger does,
//! and nothing stays attached after the duration ends, after Ctrl-C or after SIGTERM (counted
//! as the host's BPF program and link ids before and after). Needs root, BPF, bpftrace and
//! clang: skipped with the reason elsewhere, required in CI (KGENT_REQUIRE_BPF=1).
//!
//! Every test takes one lock: the footprint checks count the whole host's programs, so no other
//! test of this file may load any meanwhile (test binaries themselves run one after another).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kgent::obj::Target;
use kgent::retrieve::corpus::dataset;
use kgent::run::trigger::check;
use kgent::run::{prepare, Footprint};

static HOST: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    HOST.lock().unwrap_or_else(|p| p.into_inner())
}

fn require_bpf() -> bool {
    common::require_bpf(&["bpftrace", "clang", "bpftool"])
}

fn home() -> PathBuf {
    kgent::store::home_dir().expect("a cache directory")
}

fn example_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dataset/examples").join(name)
}

fn assert_clean(before: &Footprint, what: &str) {
    // Programs are freed once their last descriptor closes; give the kernel a moment.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = Footprint::now().added_since(before);
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: still loaded afterwards: {left:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn triggers_fire(target: Target) {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    let before = Footprint::now();
    let examples: Vec<_> = dataset().into_iter().filter(|e| e.target == target && e.trigger.is_some()).collect();
    assert!(examples.len() >= 15, "only {} {target:?} examples have a trigger", examples.len());
    let mut failures = Vec::new();
    for e in &examples {
        let trigger = e.trigger.as_ref().expect("filtered");
        let prepared = prepare(&e.code, target, &home()).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        let verdict = check(&prepared.runnable, trigger, Duration::from_secs(6)).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        if !verdict.matched {
            failures.push(format!("{}: expected /{}/ after `{}`; error {:?}; output ends:\n{}", e.id, trigger.expect, trigger.command, verdict.error, verdict.output_tail));
        }
    }
    assert!(failures.is_empty(), "{} of {} examples did not report their trigger:\n{}", failures.len(), examples.len(), failures.join("\n\n"));
    assert_clean(&before, "trigger runs");
}

#[test]
fn bpftrace_examples_report_what_their_trigger_does() {
    triggers_fire(Target::Bpftrace);
}

#[test]
fn c_examples_report_what_their_trigger_does() {
    triggers_fire(Target::Libbpf);
}

fn kgent() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kgent"))
}

/// Starts `kgent run PROGRAM --yes ARGS`, waits until its programs are attached, and checks that
/// they are.
fn start(program: &str, args: &[&str], before: &Footprint) -> (Child, std::thread::JoinHandle<String>, std::thread::JoinHandle<String>) {
    let mut child =
        kgent().arg("run").arg(example_path(program)).arg("--yes").args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("kgent runs");
    // bpftrace announces "Attaching N probes..." on stdout, kgent's C runner "attached" on stderr.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let reader = |stream: Box<dyn Read + Send>, tx: std::sync::mpsc::Sender<()>| {
        std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if line.contains("Attaching") || line.contains("kgent run: attached") {
                    let _ = tx.send(());
                }
                all.push_str(&line);
                all.push('\n');
            }
            all
        })
    };
    let out = reader(Box::new(child.stdout.take().expect("piped")), tx.clone());
    let err = reader(Box::new(child.stderr.take().expect("piped")), tx);
    rx.recv_timeout(Duration::from_secs(30)).expect("the program attaches within 30 s");
    // bpftrace prints its banner just before attaching.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Footprint::now().added_since(before).programs.is_empty() {
        assert!(Instant::now() < deadline, "{program}: nothing new is loaded while it runs");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    (child, out, err)
}

fn finish(mut child: Child, out: std::thread::JoinHandle<String>, err: std::thread::JoinHandle<String>) -> (i32, String, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kgent run did not stop within 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status.code().unwrap_or(-1), out.join().expect("stdout"), err.join().expect("stderr"))
}

/// The final maps of each program, as the stop prints them.
const CASES: &[(&str, &str)] = &[("libbpf/syscall_count_per_pid.bpf.c", "@syscalls["), ("bpftrace/syscall_count_by_process.bt", "@syscalls[")];

fn stops_clean_on(signal: Option<i32>, why: &str) {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    for (program, final_maps) in CASES {
        let before = Footprint::now();
        let args: &[&str] = if signal.is_some() { &[] } else { &["--duration", "2s"] };
        let (child, out, err) = start(program, args, &before);
        if let Some(sig) = signal {
            unsafe { libc::kill(child.id() as i32, sig) };
        }
        let (code, stdout, stderr) = finish(child, out, err);
        assert_eq!(code, 0, "{program}: exit {code}\n{stderr}");
        assert!(stdout.contains(final_maps), "{program}: final maps missing from\n{stdout}\n{stderr}");
        assert!(stderr.contains(why), "{program}: expected '{why}' in\n{stderr}");
        assert_clean(&before, &format!("{program} stopped by {why}"));
    }
}

#[test]
fn the_duration_ending_detaches_everything_and_prints_the_maps() {
    stops_clean_on(None, "the duration ended");
}

#[test]
fn ctrl_c_detaches_everything_and_prints_the_maps() {
    stops_clean_on(Some(libc::SIGINT), "interrupted");
}

#[test]
fn sigterm_detaches_everything_and_prints_the_maps() {
    stops_clean_on(Some(libc::SIGTERM), "terminated");
}

/// Pids whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let child: u32 = e.file_name().to_str()?.parse().ok()?;
            let ppid: u32 = stat_field(child, 1)?.parse().ok()?;
            (ppid == pid).then_some(child)
        })
        .collect()
}

/// Field `n` of /proc/PID/stat counted from the state (0), after the command name, which may hold spaces.
fn stat_field(pid: u32, n: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(stat.rsplit_once(')')?.1.split_whitespace().nth(n)?.to_string())
}

#[test]
fn sigkill_of_kgent_during_a_bpftrace_run_leaves_no_bpftrace_and_nothing_attached() {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    let before = Footprint::now();
    let (mut child, _out, _err) = start("bpftrace/syscall_count_by_process.bt", &[], &before);
    let bpftrace = children_of(child.id());
    assert!(!bpftrace.is_empty(), "kgent runs bpftrace as its child");
    // A pid is known by its start time too, so a pid the kernel hands out again is not mistaken for it.
    let bpftrace: Vec<(u32, String)> = bpftrace.into_iter().filter_map(|p| Some((p, stat_field(p, 19)?))).collect();
    child.kill().unwrap(); // SIGKILL: kgent gets no chance to stop bpftrace itself
    child.wait().unwrap();
    // The parent-death signal makes bpftrace detach and exit. Detaching waits for the kernel's RCU
    // grace periods, which a loaded two-core CI machine can stretch to seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    let living =
        || -> Vec<u32> { bpftrace.iter().filter(|(p, start)| stat_field(*p, 19).as_ref() == Some(start) && stat_field(*p, 0).as_deref() != Some("Z")).map(|(p, _)| *p).collect() };
    loop {
        let left = living();
        if left.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            let why: Vec<String> = left
                .iter()
                .map(|p| {
                    let status = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
                    let keep: Vec<&str> = status.lines().filter(|l| ["State", "PPid", "SigPnd", "ShdPnd", "SigBlk", "SigCgt"].iter().any(|k| l.starts_with(k))).collect();
                    let wchan = std::fs::read_to_string(format!("/proc/{p}/wchan")).unwrap_or_default();
                    let stack = std::fs::read_to_string(format!("/proc/{p}/stack")).unwrap_or_default();
                    format!("{p}: {} wchan {wchan}\n{stack}", keep.join(" "))
                })
                .collect();
            for p in &left {
                // SAFETY: kill(2) on a pid checked just above to be the bpftrace this test started.
                unsafe { libc::kill(*p as i32, libc::SIGKILL) };
            }
            panic!("bpftrace outlived the kgent that started it by 30 s:\n{}", why.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_clean(&before, "bpftrace after kgent was killed");
}

#[test]
fn nothing_is_attached_without_a_yes_when_nobody_can_be_asked() {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    let before = Footprint::now();
    let out = kgent().arg("run").arg(example_path("libbpf/exec_events.bpf.c")).arg("--duration=1s").stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("standard input is not a terminal") && stderr.contains("--yes"), "{stderr}");
    assert_eq!(Footprint::now().added_since(&before), Footprint::default());
}

#[test]
fn programs_that_act_on_the_system_are_refused_before_anything_is_attached() {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    let dir = tempfile::tempdir().unwrap();
    let before = Footprint::now();
    let c = common::acting_helpers().into_iter().map(|(h, src)| (h, src, "prog.bpf.c"));
    let bt = common::acting_scripts().into_iter().map(|(b, src)| (b, src.to_string(), "prog.bt"));
    for (call, source, name) in c.chain(bt) {
        let file = dir.path().join(name);
        std::fs::write(&file, &source).unwrap();
        let out = kgent().arg("run").arg(&file).args(["--yes", "--duration=1s"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{call}: {stderr}");
        let named = format!("{call}() is an unsafe function being used in safe mode");
        assert!(stderr.contains("not attaching") && stderr.contains(&named) && stderr.contains("--unsafe"), "{call}: {stderr}");
        assert!(stderr.contains(&format!("{}:", file.display())), "{call}: the refusal names the line: {stderr}");
        assert_eq!(Footprint::now().added_since(&before), Footprint::default(), "nothing was loaded for {call}");
    }
    // The XDP example drops packets: with --unsafe it runs, says so, and leaves nothing behind.
    let xdp = example_path("libbpf/xdp_drop_udp_port.bpf.c");
    let out = kgent().arg("run").arg(&xdp).args(["--yes", "--duration=1s"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("returns XDP_DROP"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = kgent().arg("run").arg(&xdp).args(["--yes", "--duration=1s", "--unsafe"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("WARNING") && stderr.contains("XDP_DROP"), "{stderr}");
    assert_clean(&before, "the xdp run");
}

#[test]
fn a_kprobe_that_cannot_attach_says_so_and_leaves_nothing_behind() {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    let kprobes_attach = kgent::kernel::capability::probe().get("kprobe").is_some_and(|t| t.attaches.is_yes());
    let before = Footprint::now();
    let out = kgent().arg("run").arg(example_path("libbpf/kprobe_openat2.bpf.c")).args(["--yes", "--duration=1s"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if kprobes_attach {
        assert_eq!(out.status.code(), Some(0), "{stderr}");
    } else {
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("to kprobe:do_sys_openat2") && stderr.contains("cannot attach kprobes") && stderr.contains("use a tracepoint"), "{stderr}");
    }
    assert_clean(&before, "the kprobe run");
}

#[test]
fn bad_programs_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "hello").unwrap();
    let out = kgent().arg("run").arg(&txt).arg("--yes").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected a bpftrace script (.bt), libbpf C (.bpf.c, .c) or a BPF object (.o)"));
    let out = kgent().args(["run", "x.bt", "--duration", "soon"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("10s, 2m or 500ms"), "{}", String::from_utf8_lossy(&out.stderr));
    if !require_bpf() {
        return;
    }
    let broken = dir.path().join("broken.bpf.c");
    std::fs::write(&broken, "int x(void) { return undeclared; }\n").unwrap();
    let out = kgent().arg("run").arg(&broken).arg("--yes").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not compile") && stderr.contains("undeclared"), "{stderr}");
}

/// Every trigger of the eval corpus is met by a program known to answer its request (the first of
/// the request's own examples), so a miss in `kgent eval --run-triggers` is the generated
/// program's, not the corpus's.
#[test]
fn eval_triggers_are_met_by_a_reference_program() {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    let before = Footprint::now();
    let examples = dataset();
    let requests: Vec<_> = kgent::retrieve::quality::eval_requests().into_iter().filter(|r| r.trigger().is_some()).collect();
    assert!(requests.len() >= 30, "only {} eval requests have a trigger", requests.len());
    let mut failures = Vec::new();
    for r in &requests {
        let trigger = r.trigger().expect("filtered");
        let Some(e) = r.examples.iter().find_map(|id| examples.iter().find(|e| &e.id == id)) else {
            failures.push(format!("{}: none of its examples {:?} is in the dataset", r.id, r.examples));
            continue;
        };
        let prepared = prepare(&e.code, e.target, &home()).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        let verdict = check(&prepared.runnable, &trigger, Duration::from_secs(6)).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        if !verdict.matched {
            failures.push(format!(
                "{} (with {}): expected /{}/ after `{}`; error {:?}; output ends:\n{}",
                r.id, e.id, trigger.expect, trigger.command, verdict.error, verdict.output_tail
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} eval triggers are not met:\n{}", failures.len(), requests.len(), failures.join("\n\n"));
    assert_clean(&before, "eval trigger runs");
}

#[test]
fn maps_are_printed_every_interval_and_at_the_end() {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    let before = Footprint::now();
    let out = kgent().arg("run").arg(example_path("libbpf/syscall_count_per_pid.bpf.c")).args(["--yes", "--duration=3500ms", "--interval=1s", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let dumps: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).expect("JSON lines")).collect();
    let of_map = dumps.iter().filter(|d| d["type"] == "map" && d["map"] == "syscalls").count();
    assert!(of_map >= 4, "3 interval dumps and a final one expected, got {of_map}:\n{stdout}");
    assert!(dumps.iter().all(|d| d["data"].as_array().is_some_and(|a| a.iter().all(|e| e["key"].is_u64() && e["value"].is_u64()))), "{stdout}");
    assert_clean(&before, "the interval run");
}

/// `eval --run-triggers` runs one program after another; SIGTERM, during a run or between two,
/// ends the whole eval (the handler a run installs must not leave Kgent deaf to it), with the
/// requests done so far in the JSONL and nothing attached.
#[test]
fn sigterm_ends_an_eval_that_runs_triggers() {
    if !require_bpf() {
        return;
    }
    let _guard = lock();
    let before = Footprint::now();
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.toml");
    let mut text = String::new();
    // Plans write these: no model is loaded.
    for call in ["openat", "read", "write", "close", "fstat", "lseek"] {
        text += &format!("[[request]]\nid = \"{call}\"\nrequest = \"count {call} calls per process\"\ntrigger = \"cat /etc/hostname\"\nexpect = \"\\\\bcat\\\\b\"\nhooks = [\"tracepoint:syscalls:sys_enter_{call}\"]\nfields = [\"comm\"]\n\n");
    }
    std::fs::write(&corpus, text).unwrap();
    let jsonl = dir.path().join("out.jsonl");
    let mut child =
        kgent().args(["eval", corpus.to_str().unwrap(), "--run-triggers", "--jsonl", jsonl.to_str().unwrap()]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let start = Instant::now();
    while std::fs::read_to_string(&jsonl).map_or(true, |t| t.lines().count() < 1) {
        assert!(start.elapsed() < Duration::from_secs(120), "no request finished");
        std::thread::sleep(Duration::from_millis(100));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let sent = Instant::now();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(sent.elapsed() < Duration::from_secs(15), "eval went on after SIGTERM: {err}");
    // During a run Kgent ends it and exits 143; between two, the signal ends Kgent as usual.
    use std::os::unix::process::ExitStatusExt;
    assert!(status.code() == Some(128 + libc::SIGTERM) || status.signal() == Some(libc::SIGTERM), "{status:?}: {err}");
    let done = std::fs::read_to_string(&jsonl).unwrap().lines().count();
    assert!(done < 6, "all {done} requests ran: {err}");
    assert_clean(&before, "a stopped eval");
}
