//! `kgent mcp` driven by a real MCP client: the official Python SDK's stdio client
//! (tests/mcp/client.py, installed by scripts/pyenv.sh), against the real binary, model, compiler
//! and kernel.

mod common;

use std::process::Command;
use std::sync::Mutex;

use kgent::run::Footprint;
use serde_json::{json, Value};

/// The run test counts the kernel's programs and links: nothing else of this file may load any
/// meanwhile (gen's checks load programs into the kernel verifier).
static KERNEL: Mutex<()> = Mutex::new(());

const SMALL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

/// Starts `kgent mcp SERVER_ARGS` under the client, makes `calls`, and returns the transcript.
fn session(server_args: &[&str], calls: Value) -> Option<Value> {
    let python = common::python_with("mcp")?;
    let out = Command::new(python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/client.py"))
        .arg(calls.to_string())
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_kgent"))
        .arg("mcp")
        .args(server_args)
        .env_remove("KGENT_MODEL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the client failed:\n{stderr}");
    Some(serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout))))
}

fn result(t: &Value, i: usize) -> &Value {
    &t["results"][i]
}

#[test]
fn an_agent_lists_hooks_verifies_generates_and_is_refused_a_run() {
    if !common::require_bpf(&["bpftrace", "clang"]) {
        return;
    }
    let _kernel = KERNEL.lock().unwrap_or_else(|e| e.into_inner());
    let calls = json!([
        {"tool": "hooks", "args": {"pattern": "tracepoint:syscalls:sys_enter_openat*"}},
        {"tool": "verify", "args": {
            "program": "tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }",
            "properties": "event: tracepoint:syscalls:sys_enter_openat\nfilter: pid == 42\n"}},
        {"tool": "verify", "args": {"program": "tracepoint:syscalls:sys_enter_openat { system(\"id\"); }", "properties": "event: tracepoint:syscalls:sys_enter_openat\n"}},
        {"tool": "run", "args": {"program": "BEGIN { printf(\"hi\\n\"); exit(); }"}},
        {"tool": "gen", "args": {"request": "count openat calls per process", "no_plan": true}},
        {"tool": "search", "args": {"request": "count openat calls per process", "kind": "examples", "k": 2}},
        {"tool": "verify", "args": {"program": "BEGIN { printf(\"hi\\n\"); }"}},
        // Its plan is complete: written without the model.
        {"tool": "gen", "args": {"request": "count openat calls per process every second"}},
        // Held to the request's plan, without the model: the comm filter is missing.
        {"tool": "verify", "args": {"program": "tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }", "request": "count openat calls by processes named bash"}},
        // Held to the request's words as gen holds its own programs: another event; a process
        // the request never names.
        {"tool": "verify", "args": {"program": "tracepoint:sched:sched_process_fork { @[comm] = count(); }", "request": "count openat calls per process every second"}},
        {"tool": "verify", "args": {"program": "tracepoint:syscalls:sys_enter_openat /pid == 4242/ { @[comm] = count(); } interval:s:1 { print(@); clear(@); }", "request": "count openat calls per process every second"}},
        {"tool": "verify", "args": {"program": "tracepoint:syscalls:sys_enter_openat { @[comm] = count(); } interval:s:1 { print(@); clear(@); }", "request": "count openat calls per process every second"}},
    ]);
    let Some(t) = session(&["-m", SMALL], calls) else { return };

    assert_eq!(t["initialize"]["server"], "kgent");
    let mut names: Vec<&str> = t["tools"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["explain", "gen", "hooks", "run", "search", "verify"]);
    let gen_schema = &t["tools"].as_array().unwrap().iter().find(|x| x["name"] == "gen").unwrap()["input_schema"];
    assert_eq!(gen_schema["required"], json!(["request"]), "{gen_schema}");
    assert!(gen_schema["properties"]["target"].to_string().contains("libbpf"), "{gen_schema}");

    let hooks = result(&t, 0);
    assert_eq!(hooks["is_error"], false, "{hooks}");
    let probes: Vec<&str> = hooks["structured"]["hooks"].as_array().unwrap().iter().map(|h| h["probe"].as_str().unwrap()).collect();
    assert!(probes.contains(&"tracepoint:syscalls:sys_enter_openat"), "{probes:?}");
    assert!(probes.iter().all(|p| p.starts_with("tracepoint:syscalls:sys_enter_openat")), "{probes:?}");
    assert!(hooks["structured"]["hooks"][0]["fields"].as_array().is_some_and(|f| !f.is_empty()), "{hooks}");

    // No pid filter in the program: the symbolic verifier shows a path that breaks it.
    let verify = &result(&t, 1)["structured"];
    assert_eq!(verify["failed"], true, "{verify}");
    let filters = verify["checks"].as_array().unwrap().iter().find(|c| c["property"] == "filters").unwrap();
    assert_eq!(filters["verdict"], "counterexample", "{verify}");
    assert!(filters["message"].as_str().unwrap().contains("pid == 42"), "{filters}");

    let unsafe_verify = &result(&t, 2)["structured"];
    assert_eq!(unsafe_verify["failed"], true, "{unsafe_verify}");
    assert!(unsafe_verify["gate"].to_string().contains("system"), "{unsafe_verify}");

    let run = result(&t, 3);
    assert_eq!(run["is_error"], true, "{run}");
    assert!(run["text"].as_str().unwrap().contains("--allow-run"), "{run}");

    let gen = &result(&t, 4)["structured"];
    assert_eq!(result(&t, 4)["is_error"], false, "{}", result(&t, 4));
    assert_eq!(gen["passed"], true, "{gen}");
    assert_eq!(gen["runnable"], true, "{gen}");
    assert_eq!(gen["model"], SMALL);
    let program = gen["program"].as_str().unwrap();
    assert!(program.contains("openat") && program.contains("count()"), "{program}");
    assert!(gen["attempts"].as_array().is_some_and(|a| !a.is_empty()));

    let search = &result(&t, 5)["structured"]["results"];
    assert_eq!(search.as_array().unwrap().len(), 2, "{search}");

    let no_props = result(&t, 6);
    assert_eq!(no_props["is_error"], true);
    assert!(no_props["text"].as_str().unwrap().contains("properties"), "{no_props}");

    let planned = &result(&t, 7)["structured"];
    assert_eq!(planned["passed"], true, "{planned}");
    assert!(planned.get("model").is_none(), "no model wrote it: {planned}");
    assert_eq!(planned["attempts"][0]["written_by"], "plan", "{planned}");
    assert!(planned["program"].as_str().unwrap().contains("interval:s:1"), "{planned}");

    let by_plan = &result(&t, 8)["structured"];
    assert_eq!(by_plan["failed"], true, "{by_plan}");
    let filters = by_plan["checks"].as_array().unwrap().iter().find(|c| c["property"] == "filters").unwrap();
    assert!(filters["message"].as_str().unwrap().contains("comm == \"bash\""), "{filters}");

    let elsewhere = &result(&t, 9)["structured"];
    assert_eq!(elsewhere["failed"], true, "{elsewhere}");
    assert!(elsewhere["request"]["reading"]["missing"][0].as_str().unwrap().contains("attaches to none"), "{elsewhere}");
    let invented = &result(&t, 10)["structured"];
    assert_eq!(invented["failed"], true, "{invented}");
    assert!(invented["request"]["reading"]["missing"].to_string().contains("pid 4242"), "{invented}");
    let answers = &result(&t, 11)["structured"];
    assert_eq!(answers["failed"], false, "{answers}");
    assert_eq!(answers["request"]["reading"]["verdict"], "ok", "{answers}");
}

#[test]
fn with_allow_run_a_run_prints_and_leaves_nothing_attached() {
    if !common::require_bpf(&["bpftrace"]) {
        return;
    }
    let _kernel = KERNEL.lock().unwrap_or_else(|e| e.into_inner());
    let before = Footprint::now();
    let calls = json!([
        {"tool": "run", "args": {"program": "tracepoint:syscalls:sys_enter_openat { @opens = count(); } interval:ms:200 { printf(\"tick\\n\"); }", "seconds": 2}},
        {"tool": "run", "args": {"program": "BEGIN { system(\"id\"); exit(); }"}},
        {"tool": "run", "args": {"program": "BEGIN { exit(); }", "seconds": 120}},
        // Sent together: the server runs one, then the other.
        [
            {"tool": "run", "args": {"program": "interval:ms:100 { printf(\"a\\n\"); }", "seconds": 1}},
            {"tool": "run", "args": {"program": "interval:ms:100 { printf(\"b\\n\"); }", "seconds": 1}},
        ],
    ]);
    let Some(t) = session(&["--allow-run", "--max-run", "30s"], calls) else { return };

    let run = result(&t, 0);
    assert_eq!(run["is_error"], false, "{run}");
    let r = &run["structured"];
    let output = r["output"].as_str().unwrap();
    assert!(output.contains("tick") && output.contains("@opens:"), "{output}");
    assert_eq!(r["summary"]["stopped_by"], "duration", "{r}");
    assert!(r["summary"]["seconds"].as_f64().unwrap() >= 1.9, "{r}");
    assert_eq!(r["detached"], true, "{r}");
    assert_eq!(r["left_attached"], json!({"programs": [], "links": []}), "{r}");

    let refused = result(&t, 1);
    assert_eq!(refused["is_error"], true, "{refused}");
    assert!(refused["text"].as_str().unwrap().contains("system"), "{refused}");

    let too_long = result(&t, 2);
    assert_eq!(too_long["is_error"], true, "{too_long}");
    assert!(too_long["text"].as_str().unwrap().contains("at most 30"), "{too_long}");

    let (a, b) = (result(&t, 3), result(&t, 4));
    assert_eq!((a["is_error"].clone(), b["is_error"].clone()), (json!(false), json!(false)), "{a}\n{b}");
    let gap = (a["seconds"].as_f64().unwrap() - b["seconds"].as_f64().unwrap()).abs();
    assert!(gap >= 0.9, "two 1 s runs sent at once ended {gap:.2} s apart: they were not served one at a time");

    // The server has exited: whatever it attached is gone.
    assert_eq!(Footprint::now().added_since(&before), Footprint::default());
}
