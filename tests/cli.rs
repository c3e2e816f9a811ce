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

/// The README's bad-input table, row by row: each input gets exit code 2 and an error naming the
/// problem; none panics. (Program files are checked before any compiler runs, so no BPF tools
/// are needed; requests before any model loads.)
#[test]
fn bad_input_gets_a_clear_error_and_exit_2() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let file = |name: &str, bytes: &[u8]| {
        let p = home.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let props = file("props.txt", b"event: tracepoint:syscalls:sys_enter_openat\n");
    let huge = vec![b'#'; 11 << 20];
    // A host executable: an ELF object, for the wrong machine.
    let elf_x86 = std::fs::read("/bin/true").unwrap();
    let tiny_gguf = home.join("tiny.gguf");
    tiny::write_tiny_qwen2(&tiny_gguf, 3).unwrap();
    let whole = std::fs::read(&tiny_gguf).unwrap();
    let truncated = file("truncated.gguf", &whole[..whole.len() / 3]);
    let llama = home.join("llama.gguf");
    let arch = candle_core::quantized::gguf_file::Value::String("llama".into());
    candle_core::quantized::gguf_file::write(&mut std::fs::File::create(&llama).unwrap(), &[("general.architecture", &arch)], &[]).unwrap();
    let llama = llama.to_str().unwrap().to_string();
    let rows: Vec<(&str, Vec<String>, &str)> = vec![
        ("empty program", vec!["verify".into(), file("empty.bt", b""), "--props".into(), props.clone()], "is empty"),
        ("empty C file", vec!["run".into(), file("empty.bpf.c", b"\n\n"), "--yes".into()], "is empty"),
        ("binary program", vec!["verify".into(), file("bin.bt", &elf_x86[..elf_x86.len().min(4096)]), "--props".into(), props.clone()], "is not text"),
        ("huge program", vec!["run".into(), file("huge.bt", &huge), "--yes".into()], "more than the 1048576"),
        ("huge program, explained", vec!["explain".into(), file("huge2.bpf.c", &huge)], "more than the 1048576"),
        ("wrong extension", vec!["verify".into(), file("prog.py", b"print(1)"), "--props".into(), props.clone()], "expected a bpftrace script (.bt)"),
        ("an object for another architecture", vec!["run".into(), file("x86.o", &elf_x86), "--yes".into()], "not a BPF object (architecture"),
        ("an object for another architecture, verified", vec!["verify".into(), file("x86b.o", &elf_x86), "--props".into(), props.clone()], "not a BPF object"),
        ("truncated GGUF", vec!["complete".into(), "-m".into(), truncated, "hi".into()], "is not a usable GGUF model"),
        ("GGUF of another architecture", vec!["complete".into(), "-m".into(), llama, "hi".into()], "architecture 'llama'"),
        ("100 kB request", vec!["gen".into(), "count opens ".repeat(9000)], "more than the 4096"),
        ("100 kB request, grounded", vec!["ground".into(), "x".repeat(100_000)], "more than the 4096"),
        ("empty request", vec!["gen".into(), "  ".into()], "the request is empty"),
    ];
    for (what, args, want) in rows {
        let out = Command::cargo_bin("kgent").unwrap().args(&args).env("KGENT_HOME", home).env_remove("KGENT_MODEL").output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(want), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(err.len() < 2000, "{what}: the error is short, not an echo of the input: {} bytes", err.len());
    }
    // A request that is not UTF-8 never reaches Kgent's code: clap refuses it.
    let out = Command::cargo_bin("kgent").unwrap().arg("gen").arg(OsStr::from_bytes(b"count \xff\xfe opens")).env("KGENT_HOME", home).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("invalid UTF-8"), "{}", text(&out.stderr));
}

/// The config file stands in for flags not given; the flag's environment variable and the flag
/// itself win over it; `kgent config` says where each setting came from.
#[test]
fn the_config_file_sets_defaults_that_environment_and_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "model = \"from-the-file\"\nrounds = 7\n").unwrap();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = Command::cargo_bin("kgent").unwrap();
        cmd.args(args).env("KGENT_HOME", dir.path()).env("KGENT_CONFIG", &config).env_remove("KGENT_MODEL").env_remove("KGENT_MANIFEST");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // The model a command would load is named in its error (none of these exists).
    let from_file = text(&run(&[], &["complete", "hi"]).stderr);
    assert!(from_file.contains("from-the-file"), "{from_file}");
    let from_env = text(&run(&[("KGENT_MODEL", "from-the-env")], &["complete", "hi"]).stderr);
    assert!(from_env.contains("from-the-env") && !from_env.contains("from-the-file"), "{from_env}");
    let from_flag = text(&run(&[("KGENT_MODEL", "from-the-env")], &["complete", "hi", "-m", "from-the-flag"]).stderr);
    assert!(from_flag.contains("from-the-flag") && !from_flag.contains("from-the-env"), "{from_flag}");

    let shown = run(&[], &["config", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let rounds = v["settings"].as_array().unwrap().iter().find(|s| s["key"] == "rounds").unwrap();
    assert_eq!(rounds["value"], "7");
    assert!(rounds["source"].as_str().unwrap().contains("config.toml"), "{rounds}");
    let target = v["settings"].as_array().unwrap().iter().find(|s| s["key"] == "target").unwrap();
    assert_eq!(target["source"], "default");

    // A typo is an error naming the file and the key, for every command.
    std::fs::write(&config, "rounds = 7\nmodle = \"x\"\n").unwrap();
    let bad = run(&[], &["hooks", "openat"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = text(&bad.stderr);
    assert!(err.contains(config.to_str().unwrap()) && err.contains("modle"), "{err}");
}

#[test]
fn completions_and_man_pages_come_from_the_command_definitions() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, mark) in [("bash", "complete -F _kgent"), ("zsh", "#compdef kgent"), ("fish", "complete -c kgent")] {
        let out = kgent(dir.path(), &["completions", shell]);
        assert!(out.status.success());
        let script = text(&out.stdout);
        assert!(script.contains(mark) && script.contains("verify") && script.contains("--allow-run"), "{shell}: {}", &script[..script.len().min(300)]);
    }
    let man = text(&kgent(dir.path(), &["man"]).stdout);
    assert!(man.contains(".TH kgent 1") && man.contains("mcp"), "{}", &man[..man.len().min(300)]);
    let gen = text(&kgent(dir.path(), &["man", "gen"]).stdout);
    assert!(gen.contains(".TH kgent-gen 1") && gen.contains("\\-\\-rounds"), "{}", &gen[..gen.len().min(300)]);
    let bad = kgent(dir.path(), &["man", "gne"]);
    assert!(text(&bad.stderr).contains("no command \"gne\""), "{}", text(&bad.stderr));
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // The reader is gone before kgent writes (as `kgent man | head -1` after the first line).
    let mut child =
        Command::cargo_bin("kgent").unwrap().args(["man"]).env("KGENT_HOME", dir.path()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.code().is_none() || out.status.success(), "killed by SIGPIPE, or done before the reader left: {:?}", out.status);
}
