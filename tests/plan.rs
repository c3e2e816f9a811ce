//! Programs written from the request's plan, without the model, as a user runs them: a complete
//! reading passes every check of this host (hooks, compiler, safety gate, symbolic verifier
//! against the plan's properties, kernel verifier) with no model file at all; run while its event
//! happens, the program shows that event; a reading that leaves words unread goes to the model.
//! Needs root, tracefs, kernel BTF and bpftrace (CI: KGENT_REQUIRE_BPF=1).

mod common;

use std::process::Command;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use kgent::obj::Target;
use kgent::run::trigger::{check, Trigger};

/// `kgent gen --json` with a model file that does not exist: only a program written from the
/// plan can come out of it.
fn gen_without_a_model(home: &std::path::Path, request: &str) -> (std::process::Output, serde_json::Value) {
    let out = Command::cargo_bin("kgent")
        .unwrap()
        .args(["gen", "--json", "-m", "/nonexistent/model.gguf", request])
        .env("KGENT_HOME", home)
        .env("KGENT_CONFIG", "/dev/null")
        .env_remove("KGENT_MODEL")
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, report)
}

/// Requests whose words settle a plan, the trigger that makes their event happen, and what the
/// program's output must then show.
const CASES: &[(&str, &str, &str)] = &[
    ("every open that fails with ENOENT, with the process name and the path", "cat /tmp/kgent-plan-missing 2> /dev/null; true", "kgent-plan-missing"),
    ("count unlinkat calls per process every second", "touch /tmp/kgent-plan-gone && rm -f /tmp/kgent-plan-gone", r"\brm\b"),
    ("histogram of write sizes for processes named dd", "dd if=/dev/zero of=/dev/null bs=4k count=50 2> /dev/null", r"\[4K, 8K\)\s+\d+ "),
    ("latency of nanosleep calls made by processes named sleep, as a histogram in microseconds", "sleep 0.05", r"\|@+ *\|"),
    ("log mkdir calls with the path", "rm -rf /tmp/kgent-plan-dir && mkdir /tmp/kgent-plan-dir", "kgent-plan-dir"),
    ("show who sends SIGUSR1, with the target pid", "sleep 3 & sleep 0.3; kill -USR1 $!", r"\bsh\b"),
    // A C library function: a uprobe, its parameters by position, as its header declares them.
    (
        "Which programs shell out through libc's system()? Print the process and the command string it passes.",
        "python3 -c 'import os; os.system(\"true kgent-plan-system\")'",
        r"python3 +\d+ +true kgent-plan-system",
    ),
    ("Histogram in microseconds of how long getpwnam() takes inside libc", "getent passwd root > /dev/null", r"\|@+ *\|"),
];

#[test]
fn complete_plans_pass_every_check_without_a_model_and_show_their_event() {
    if !common::require_bpf(&["bpftrace"]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (request, command, expect) in CASES {
        let (out, report) = gen_without_a_model(home.path(), request);
        assert!(out.status.success(), "{request}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(report["passed"], true, "{request}: {report:#}");
        assert_eq!(report["confirmed"], true, "a complete reading leaves nothing unchecked: {request}: {report:#}");
        assert!(report.get("unchecked").is_none(), "{request}: {report:#}");
        assert!(report.get("model").is_none(), "{request}: no model wrote it: {report:#}");
        let attempt = &report["attempts"][0];
        assert_eq!(attempt["written_by"], "plan", "{request}: {report:#}");
        assert_eq!(attempt["checks"]["kernel"]["verdict"], "accepted", "{request}: {attempt:#}");
        assert!(attempt["checks"]["symbolic"].is_object(), "checked against the plan's properties: {attempt:#}");
        let program = report["program"].as_str().unwrap();
        // What the program shows while its event happens.
        let prepared = kgent::run::prepare(program, Target::Bpftrace, home.path()).unwrap();
        let verdict = check(&prepared.runnable, &Trigger { command: command.to_string(), expect: expect.to_string() }, Duration::from_secs(4)).unwrap();
        if !verdict.matched {
            failures.push(format!("{request}: expected /{expect}/ after `{command}`; error {:?}; program:\n{program}\noutput ends:\n{}", verdict.error, verdict.output_tail));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_reading_with_words_it_did_not_read_goes_to_the_model() {
    if !common::require(&[common::Need::Tracefs, common::Need::Btf]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    // "except" narrows the count, and the plan has no place for it: the model must write it, and
    // there is no model here.
    let (out, _) = gen_without_a_model(home.path(), "count opens except those by systemd");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/model.gguf"), "{}", String::from_utf8_lossy(&out.stderr));
    // `kgent ground` says which words were not read.
    let out = Command::cargo_bin("kgent").unwrap().args(["ground", "--json", "count opens except those by systemd"]).env("KGENT_HOME", home.path()).output().unwrap();
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(g["reading"]["unread"], serde_json::json!(["except"]), "{g:#}");
    assert!(g["program"].is_null(), "{g:#}");
}

#[test]
fn verify_holds_a_brought_program_to_the_requests_words_without_a_model() {
    if !common::require_bpf(&["bpftrace"]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let verify = |program: &str, request: &str| {
        let file = home.path().join("prog.bt");
        std::fs::write(&file, program).unwrap();
        let out = Command::cargo_bin("kgent")
            .unwrap()
            .args(["verify", "--json", "-m", "/nonexistent/model.gguf", "--request", request])
            .arg(&file)
            .env("KGENT_HOME", home.path())
            .env("KGENT_CONFIG", "/dev/null")
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (out.status.code(), report, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let request = "How many bytes does nginx push out via sendfile? sum it every 10 s";
    // Every path proves the words' properties, but the program counts whichever process writes
    // to descriptor 3.
    let (code, report, err) = verify("tracepoint:syscalls:sys_enter_sendfile64 /args->out_fd == 3/ { @b = sum(args->count); }\ninterval:s:10 { print(@b); clear(@b); }", request);
    assert_eq!(code, Some(1), "{err}\n{report:#}");
    assert_eq!(report["request"]["hooks"]["verdict"], "ok", "{report:#}");
    let missing = report["request"]["reading"]["missing"].to_string();
    assert!(missing.contains("\\\"nginx\\\"") && missing.contains("out_fd 3"), "{report:#}");
    let (code, report, err) = verify("tracepoint:syscalls:sys_enter_sendfile64 /comm == \"nginx\"/ { @b = sum(args->count); }\ninterval:s:10 { print(@b); clear(@b); }", request);
    assert_eq!(code, Some(0), "{err}\n{report:#}");
    // Another event than the request's.
    let (code, report, err) = verify("tracepoint:syscalls:sys_enter_write /comm == \"nginx\"/ { @b = sum(args->count); }\ninterval:s:10 { print(@b); clear(@b); }", request);
    assert_eq!(code, Some(1), "{err}\n{report:#}");
    assert_eq!(report["request"]["hooks"]["verdict"], "problems", "{report:#}");

    // `verify` with the exit status it must end with (0 passes, 1 a check fails): the report.
    let exits = |code: i32, program: &str, request: &str| {
        let (got, report, err) = verify(program, request);
        assert_eq!(got, Some(code), "{program}\n{err}\n{report:#}");
        report.to_string()
    };
    // The woken task is the record's; the `comm` builtin on sched_wakeup is the waker's.
    let request = "which processes are woken up most often? top 10";
    let report = exits(1, "tracepoint:sched:sched_wakeup { @w[comm] = count(); }\nEND { print(@w, 10); clear(@w); }", request);
    assert!(report.contains("args->comm"), "the counterexample names the record's comm: {report}");
    exits(0, "tracepoint:sched:sched_wakeup { @w[args->comm] = count(); }\nEND { print(@w, 10); clear(@w); }", request);
    // Wakeups of tickd by waker: the filter is on the woken task's name, the key the waker's.
    let request = "count wakeups of the tickd process by waker name";
    let report = exits(1, "tracepoint:sched:sched_wakeup /comm == \"tickd\"/ { @w[comm] = count(); }", request);
    assert!(report.contains("args->comm == \\\"tickd\\\" does not hold"), "{report}");
    exits(0, "tracepoint:sched:sched_wakeup /args->comm == \"tickd\"/ { @w[comm] = count(); }", request);
    // A key past bpftrace's 64-byte strings: the cpu after the name is seen, and missed when
    // it is not there.
    let request = "count sched_stat_runtime events per process name and cpu";
    exits(0, "tracepoint:sched:sched_stat_runtime { @r[str(args->comm), cpu] = count(); }", request);
    exits(1, "tracepoint:sched:sched_stat_runtime { @r[str(args->comm)] = count(); }", request);
    // On block I/O the record's task is the running one: either spelling shows it.
    for key in ["comm", "args->comm"] {
        exits(0, &format!("tracepoint:block:block_plug {{ @p[{key}] = count(); }}"), "count block layer plug events by process name");
    }
}
