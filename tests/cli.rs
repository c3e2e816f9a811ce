//! The binary as a user runs it, on the tiny test model: help text, streamed and JSON completions,
//! and the errors a user meets first.

use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use kgent::llm::tiny;

fn kgent(home: &std::path::Path, args: &[&str]) -> Output {
    Command::cargo_bin("kgent").unwrap().args(args).env("KGENT_HOME", home).env_remove("KGENT_MODEL").env_remove("KGENT_MANIFEST").output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help_names_every_command_and_states_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let top = text(&kgent(dir.path(), &["--help"]).stdout);
    for cmd in ["complete", "model", "bench"] {
        assert!(top.contains(cmd), "{top}");
    }
    let complete = text(&kgent(dir.path(), &["complete", "--help"]).stdout);
    assert!(complete.contains("[default: 512]") && complete.contains("--seed"), "{complete}");
    let pull = text(&kgent(dir.path(), &["model", "pull", "--help"]).stdout);
    assert!(pull.contains("pypi") && pull.contains("--from"), "{pull}");
}

#[test]
fn complete_streams_a_reply_from_a_gguf_path_and_json_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let gguf = dir.path().join("tiny.gguf");
    tiny::write_tiny_qwen2(&gguf, 9).unwrap();
    let path = gguf.to_str().unwrap();
    let args = ["complete", "-m", path, "--max-tokens", "8", "hello"];
    let streamed = kgent(dir.path(), &args);
    assert!(streamed.status.success(), "{}", text(&streamed.stderr));
    assert!(text(&streamed.stderr).contains("generated at"), "{}", text(&streamed.stderr));

    let out = kgent(dir.path(), &[&args[..], &["--json"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["model"], path);
    assert_eq!(report["model_sha256"].as_str().unwrap().len(), 64);
    assert!(report["reply"]["generated_tokens"].as_u64().unwrap() <= 8);
    // Greedy by default: the streamed text is the JSON reply, plus the closing newline.
    assert_eq!(text(&streamed.stdout), format!("{}\n", report["reply"]["text"].as_str().unwrap()));
}

#[test]
fn a_model_not_yet_pulled_names_the_pull_command_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = kgent(dir.path(), &["complete", "-m", "qwen2.5-coder-0.5b-instruct-q4_k_m", "hi"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("kgent model pull qwen2.5-coder-0.5b-instruct-q4_k_m"), "{err}");
}

#[test]
fn a_missing_gguf_path_and_a_bad_device_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = kgent(dir.path(), &["complete", "-m", "/nonexistent/model.gguf", "hi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/model.gguf"), "{}", text(&out.stderr));
    let out = kgent(dir.path(), &["bench", "llm", "--device", "gpu9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expected cpu, cuda or cuda:N"), "{}", text(&out.stderr));
}

#[test]
fn eval_resume_skips_finished_requests_and_summarises_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.toml");
    std::fs::write(&corpus, "[[request]]\nid = \"a\"\nrequest = \"count opens\"\n\n[[request]]\nid = \"b\"\nrequest = \"count reads\"\n").unwrap();
    let record = |id: &str, verified: bool, seconds: f64| {
        serde_json::json!({
            "id": id, "request": "r", "target": "bpftrace", "model": "m", "model_sha256": "s", "index_version": "v",
            "hooks_ok": true, "compiled": true, "kernel_verified": verified,
            "rubric": {"hook": true, "missing_fields": [], "passed": verified}, "rounds": 1, "seconds": seconds, "program": "x"
        })
        .to_string()
    };
    let jsonl = dir.path().join("out.jsonl");
    std::fs::write(&jsonl, format!("{}\n{}\n{{\"id\": \"cut sh", record("a", true, 10.0), record("b", false, 30.0))).unwrap();
    // Every request is done: no model is needed, and the summary covers both lines.
    let out = kgent(dir.path(), &["eval", corpus.to_str().unwrap(), "--jsonl", jsonl.to_str().unwrap(), "--resume", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["requests"], 2);
    assert_eq!(summary["kernel_verified"], 1);
    assert_eq!(summary["median_seconds_to_verified"], 10.0);
    assert!(text(&out.stderr).contains("skipped an unreadable line"), "{}", text(&out.stderr));
    let bad = kgent(dir.path(), &["eval", corpus.to_str().unwrap(), "--resume"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--resume needs --jsonl"), "{}", text(&bad.stderr));
}
