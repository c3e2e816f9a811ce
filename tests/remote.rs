//! The OpenAI-compatible backend against a real server on loopback: llama.cpp's server from
//! `llama-cpp-python[server]` (scripts/pyenv.sh) serving the 0.5B GGUF, and a listener that
//! answers 500, for the errors.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SMALL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
const ALIAS: &str = "qwen-small";

/// llama.cpp's server on a free loopback port, killed when dropped.
struct LlamaServer {
    child: Child,
    url: String,
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn llama_server() -> Option<LlamaServer> {
    let python = common::python_with("llama_cpp.server")?;
    let model = match kgent::store::Store::open_default().unwrap().resolve(&kgent::store::Manifest::load().unwrap(), Some(SMALL)) {
        Ok(m) => m.path,
        Err(e) if std::env::var("KGENT_REQUIRE_MODEL").is_ok_and(|v| v == "1") => panic!("{e}"),
        Err(e) => {
            eprintln!("skipping: {e}");
            return None;
        }
    };
    let port = free_port();
    let child = Command::new(python)
        .args(["-m", "llama_cpp.server", "--model"])
        .arg(&model)
        .args(["--model_alias", ALIAS, "--host", "127.0.0.1", "--port", &port.to_string(), "--n_ctx", "8192", "--n_threads", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = LlamaServer { child, url: format!("http://127.0.0.1:{port}/v1") };
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(120), "llama.cpp's server did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    Some(server)
}

fn kgent(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kgent"))
        .args(args)
        .env_remove("KGENT_MODEL")
        .env_remove("KGENT_BACKEND")
        .env_remove("KGENT_BASE_URL")
        .env_remove("KGENT_API_MODEL")
        .env_remove("KGENT_API")
        .env("KGENT_CONFIG", "/dev/null")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn gen_and_two_eval_shards_against_one_llama_cpp_server() {
    if !common::require_bpf(&["bpftrace"]) {
        return;
    }
    let Some(server) = llama_server() else { return };
    let remote = ["--backend", "openai", "--base-url", server.url.as_str(), "--api-model", ALIAS];

    // --no-plan: this request's plan is complete, and the test is of the model server.
    let gen = kgent(&[&["gen", "count openat calls per process", "--json", "--no-plan"][..], &remote].concat());
    // 4: passed, but with --no-plan the reading's check was off, so it is not confirmed.
    assert_eq!(gen.status.code(), Some(4), "{}", stderr(&gen));
    let report: serde_json::Value = serde_json::from_slice(&gen.stdout).unwrap();
    assert_eq!(report["passed"], true, "{report}");
    assert_eq!(report["model"], ALIAS);
    assert!(report["program"].as_str().unwrap().contains("openat"), "{report}");
    // The grammar is on by default where the model runs in this process; a server cannot be
    // handed the mask, so by default it decodes freely (above), and asking for it is an error.
    let forced = kgent(&[&["gen", "count openat calls per process", "--json", "--no-plan", "--grammar"][..], &remote].concat());
    assert_eq!(forced.status.code(), Some(2), "{}", stderr(&forced));
    assert!(stderr(&forced).contains("needs the local backend"), "{}", stderr(&forced));

    // The same through /v1/completions, from Kgent's own ChatML prompt with the reply started
    // inside the code block, as the local backend decodes.
    let raw = kgent(&[&["gen", "count openat calls per process", "--json", "--no-plan", "--api", "completions"][..], &remote].concat());
    assert_eq!(raw.status.code(), Some(4), "{}", stderr(&raw));
    let report: serde_json::Value = serde_json::from_slice(&raw.stdout).unwrap();
    assert_eq!(report["passed"], true, "{report}");
    let program = report["program"].as_str().unwrap();
    assert!(program.contains("openat") && !program.contains("```"), "the reply is the code block's inside: {report}");

    // Two shard workers at once, as on a Slurm array, against the one server.
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.toml");
    std::fs::write(
        &corpus,
        r#"
[[request]]
id = "openat-per-process"
request = "count openat calls per process"
hooks = ["tracepoint:syscalls:sys_enter_openat"]
fields = ["comm"]

[[request]]
id = "execs"
request = "print every program executed, with its pid"
hooks = ["tracepoint:syscalls:sys_enter_execve*", "tracepoint:sched:sched_process_exec"]
fields = ["pid"]

[[request]]
id = "reads-per-process"
request = "count read calls per process"
hooks = ["tracepoint:syscalls:sys_enter_read"]
fields = ["comm"]
"#,
    )
    .unwrap();
    let workers: Vec<_> = ["1/2", "2/2"]
        .iter()
        .map(|shard| {
            let jsonl = dir.path().join(format!("shard-{}.jsonl", &shard[..1]));
            let child = Command::new(env!("CARGO_BIN_EXE_kgent"))
                .args(["eval", corpus.to_str().unwrap(), "--rounds", "1", "--no-plan", "--shard", shard, "--jsonl", jsonl.to_str().unwrap()])
                .args(remote)
                .env("KGENT_CONFIG", "/dev/null")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (child, jsonl)
        })
        .collect();
    let mut ids = Vec::new();
    for (child, jsonl) in workers {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        for line in std::fs::read_to_string(&jsonl).unwrap().lines() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(record["model"], ALIAS, "{record}");
            ids.push(record["id"].as_str().unwrap().to_string());
        }
    }
    ids.sort();
    assert_eq!(ids, ["execs", "openat-per-process", "reads-per-process"], "each request once, across the shards");

    // A model the server does not have: named, with what it has.
    let wrong = kgent(&["complete", "hi", "--backend", "openai", "--base-url", &server.url, "--api-model", "gpt-9"]);
    assert_eq!(wrong.status.code(), Some(2));
    let err = stderr(&wrong);
    assert!(err.contains("no model \"gpt-9\"") && err.contains(ALIAS), "{err}");
}

/// One HTTP request from `stream`: its request line and its body.
fn read_request(stream: &std::net::TcpStream) -> (String, Vec<u8>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let (mut first, mut length) = (String::new(), 0usize);
    reader.read_line(&mut first).unwrap();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if line.trim().is_empty() {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (first, body)
}

/// Answers `GET /v1/models` with one model and everything else with a 500.
fn failing_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(2) {
            let mut stream = stream.unwrap();
            let (first, _) = read_request(&stream);
            let (status, body) = if first.starts_with("GET /v1/models") {
                ("200 OK", r#"{"object":"list","data":[{"id":"m","object":"model"}]}"#)
            } else {
                ("500 Internal Server Error", r#"{"error":{"message":"out of memory on the GPU"}}"#)
            };
            write!(stream, "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
        }
    });
    (url, handle)
}

#[test]
fn a_refused_connection_and_a_500_are_clear_errors() {
    let port = free_port(); // nothing listens there now
    let refused = kgent(&["complete", "hi", "--backend", "openai", "--base-url", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(refused.status.code(), Some(2));
    let err = stderr(&refused);
    assert!(err.contains("cannot reach the model server at http://127.0.0.1:") && err.contains("--base-url"), "{err}");

    let (url, server) = failing_server();
    let failed = kgent(&["complete", "hi", "--backend", "openai", "--base-url", &url]);
    drop(server); // not joined: a client that connected fewer times must fail here, not hang
    assert_eq!(failed.status.code(), Some(2));
    let err = stderr(&failed);
    assert!(err.contains("500 Internal Server Error") && err.contains("out of memory on the GPU"), "{err}");

    let no_url = kgent(&["complete", "hi", "--backend", "openai"]);
    assert!(stderr(&no_url).contains("--base-url"), "{}", stderr(&no_url));
    let https = kgent(&["complete", "hi", "--backend", "openai", "--base-url", "https://example.invalid/v1"]);
    assert!(stderr(&https).contains("plain HTTP"), "{}", stderr(&https));
}

/// Answers `GET /v1/models` with one model and each chat request with a streamed reply, and
/// sends the body of each chat request it got back on `bodies`.
fn recording_server(replies: usize) -> (String, std::sync::mpsc::Receiver<serde_json::Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().take(replies + 1).enumerate() {
            let mut stream = stream.unwrap();
            let (first, body) = read_request(&stream);
            if first.starts_with("GET /v1/models") {
                let body = r#"{"object":"list","data":[{"id":"m","object":"model"}]}"#;
                write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
                continue;
            }
            tx.send(serde_json::from_slice(&body).unwrap()).unwrap();
            let chunk = serde_json::json!({"choices": [{"delta": {"content": format!("reply {n}")}, "finish_reason": "stop"}]});
            let events = format!("data: {chunk}\n\ndata: [DONE]\n\n");
            write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{events}", events.len()).unwrap();
        }
    });
    (url, rx)
}

/// A redo asks the server again with the same message, in place of the reply taken back, at
/// the redo's temperature; the next message follows the reply that replaced it.
#[test]
fn a_redo_sends_the_same_message_again_in_place_of_the_last_exchange() {
    use kgent::llm::{Conversation, GenerateOptions, Remote};
    let (url, bodies) = recording_server(3);
    let remote = Remote::connect(&url, None, kgent::llm::RemoteApi::Chat).unwrap();
    let mut chat = remote.chat(Some("system"));
    let greedy = GenerateOptions::default();
    let first = chat.send("count opens", "", &greedy, &mut |_| {}).unwrap();
    let again = chat.redo(&GenerateOptions { temperature: 0.8, ..Default::default() }, &mut |_| {}).unwrap();
    assert_ne!(first.text, again.text);
    chat.send("now per process", "", &greedy, &mut |_| {}).unwrap();
    let [sent, redone, next] = [0, 1, 2].map(|_| bodies.recv_timeout(Duration::from_secs(10)).unwrap());
    assert_eq!(sent["messages"], redone["messages"], "the same conversation and message");
    assert_eq!(redone["messages"].as_array().unwrap().last().unwrap()["content"], "count opens");
    assert_eq!(redone["temperature"], 0.8);
    let turns: Vec<&str> = next["messages"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert_eq!(turns, ["system", "count opens", again.text.as_str(), "now per process"]);
}
