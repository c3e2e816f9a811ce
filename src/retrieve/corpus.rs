//! Example programs with plain-English descriptions: our own `dataset/` (compiled into the binary),
//! the bpftrace tools installed on the host, KEN-style `{request, bpf}` JSON files and directories
//! of `.bt` / `.bpf.c` files. Imports are read where they are; nothing is copied.
//!
//! Our examples open with a header of `// key: value` lines:
//!
//! ```text
//! // description: Count openat calls per process and print the ten busiest every second.
//! // tags: syscalls, files, count, top-n, interval
//! // probes: tracepoint:syscalls:sys_enter_openat, interval:s:1
//! ```

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use serde::{Deserialize, Serialize};

use crate::obj::source::{bpftrace_probes, c_probes};
use crate::obj::{Probe, Target};

static DATASET: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/dataset/examples");

/// Where an example came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "path")]
pub enum Origin {
    /// Kgent's own `dataset/`.
    Dataset,
    /// A bpftrace tool installed on this host.
    HostTool(PathBuf),
    /// A KEN-style JSON file.
    Ken(PathBuf),
    /// A directory of program files.
    Directory(PathBuf),
}

/// One example program and what it is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Example {
    /// Unique within the corpus: `bpftrace/opensnoop`, `host/biolatency`, `ken:<file>#3`.
    pub id: String,
    pub origin: Origin,
    pub target: Target,
    /// What the program does, phrased like a user's request.
    pub description: String,
    pub tags: Vec<String>,
    /// Probes (bpftrace spelling) the program attaches to.
    pub probes: Vec<String>,
    /// The program, without its descriptive header.
    pub code: String,
    /// For our own examples: a command that fires the event and what the output then shows
    /// (`// trigger:` and `// expect:` header lines), checked by the run tests.
    #[serde(default)]
    pub trigger: Option<crate::run::trigger::Trigger>,
}

impl Example {
    /// Program types (capability names of `kgent hooks --capabilities`) the host must offer, and
    /// binaries that must exist, derived from the probes.
    pub fn requires(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |s: String| {
            if !out.contains(&s) {
                out.push(s);
            }
        };
        for probe in self.probes.iter().filter_map(|p| p.parse::<Probe>().ok()) {
            if let Some(capability) = probe.kind.capability() {
                add(capability.to_string());
            }
            if let Some((binary, _)) = probe.uprobe_target() {
                add(format!("file:{binary}"));
            }
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} is not KEN-style JSON (a list of {{\"request\": …, \"bpf\": …}} objects): {message}")]
    BadJson { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    BadExample { path: PathBuf, message: String },
}

/// Splits our header (`// key: value` lines at the top) from the program.
pub fn parse_header(text: &str) -> (Vec<(String, String)>, String) {
    let mut fields = Vec::new();
    let mut body_start = 0;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("//") else {
            break;
        };
        let Some((k, v)) = rest.split_once(':') else {
            break;
        };
        let key = k.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            break;
        }
        fields.push((key.to_string(), v.trim().to_string()));
        body_start += line.len() + 1;
    }
    (fields, text.get(body_start..).unwrap_or("").to_string())
}

fn list(v: &str) -> Vec<String> {
    v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Parses one of our example files; the header must have a description and probes.
pub fn parse_example(id: &str, origin: Origin, target: Target, text: &str) -> Result<Example, String> {
    let (fields, code) = parse_header(text);
    let get = |k: &str| fields.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let description = get("description").ok_or("no `// description:` line in the header")?;
    let probes = get("probes").map(|p| list(&p)).filter(|p| !p.is_empty()).ok_or("no `// probes:` line in the header")?;
    Ok(Example {
        id: id.to_string(),
        origin,
        target,
        description,
        tags: get("tags").map(|t| list(&t)).unwrap_or_default(),
        probes,
        code: code.trim().to_string(),
        trigger: match (get("trigger"), get("expect")) {
            (Some(command), Some(expect)) => Some(crate::run::trigger::Trigger { command, expect }),
            (None, None) => None,
            _ => return Err("`// trigger:` and `// expect:` go together".into()),
        },
    })
}

/// Every file of the embedded dataset, sorted by path.
fn dataset_files() -> Vec<&'static include_dir::File<'static>> {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<&'static include_dir::File<'static>>) {
        out.extend(dir.files());
        for d in dir.dirs() {
            walk(d, out);
        }
    }
    let mut out = Vec::new();
    walk(&DATASET, &mut out);
    out.sort_by_key(|f| f.path());
    out
}

/// Our own examples, as compiled into this binary.
pub fn dataset() -> Vec<Example> {
    let mut out = Vec::new();
    for file in dataset_files() {
        let path = file.path();
        let (Some(target), Some(text)) = (Target::of_path(path), file.contents_utf8()) else {
            continue;
        };
        let id = path.to_string_lossy().trim_end_matches(".bpf.c").trim_end_matches(".bt").to_string();
        match parse_example(&id, Origin::Dataset, target, text) {
            Ok(e) => out.push(e),
            // The dataset test fails on this; a shipped binary just skips the file.
            Err(e) => eprintln!("kgent: warning: dataset/{}: {e}", path.display()),
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Content hash of the embedded dataset, part of the index version.
pub fn dataset_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for f in dataset_files() {
        h.update(f.path().to_string_lossy().as_bytes());
        h.update(f.contents());
    }
    hex::encode(h.finalize())[..16].to_string()
}

/// `code` without its opening comments (shebang, usage, license, authors) and without any other
/// comment line that states a copyright or a license: the model copies what it is shown, and
/// Kgent never puts someone else's notice on a program it writes. Descriptions come from our own
/// fields (or the header, read before it is dropped).
pub fn without_header(code: &str) -> String {
    let mut out = Vec::new();
    let (mut started, mut in_block) = (false, false);
    for line in code.lines() {
        let t = line.trim();
        if !started {
            if in_block {
                in_block = !t.contains("*/");
                continue;
            }
            if t.is_empty() || t.starts_with("#!") || t.starts_with("//") {
                continue;
            }
            if t.starts_with("/*") {
                // `/* … */ code` keeps its code.
                match t.find("*/") {
                    Some(end) if !t[end + 2..].trim().is_empty() => {}
                    Some(_) => continue,
                    None => {
                        in_block = true;
                        continue;
                    }
                }
            }
            started = true;
        }
        let lower = t.to_lowercase();
        // Only whole `//` lines are dropped past the header: a line of a block comment keeps the
        // block's `/*` and `*/` balanced.
        let comment = t.starts_with("//");
        let notice = ["copyright", "license", "spdx", "created this", "all rights reserved"].iter().any(|w| lower.contains(w));
        if !(comment && notice) {
            out.push(line);
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// Turns a tool's header comment into a description: the first sentence after the tool name.
fn tool_description(name: &str, code: &str) -> Option<String> {
    for line in code.lines().take(20) {
        let t = line.trim().trim_start_matches(['/', '*', '#', ' ']).trim();
        if let Some(rest) = t.strip_prefix(name) {
            let d = rest.trim().trim_start_matches(['-', ':', ' ', '\t']).trim();
            if !d.is_empty() {
                return Some(d.to_string());
            }
        }
    }
    None
}

/// Directories bpftrace packages install their tools into.
pub const HOST_TOOL_DIRS: &[&str] = &["/usr/sbin", "/usr/share/bpftrace/tools"];

/// The bpftrace tools installed on this host (`*.bt` under `dirs`), described by their header.
pub fn host_tools(dirs: &[PathBuf]) -> (Vec<Example>, Vec<String>) {
    let mut out: Vec<Example> = Vec::new();
    let mut warnings = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "bt")).collect();
        paths.sort();
        for path in paths {
            let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            if out.iter().any(|e| e.id == format!("host/{name}")) {
                continue;
            }
            let code = match std::fs::read_to_string(&path) {
                Ok(c) => c,
                Err(e) => {
                    warnings.push(format!("{}: {e}", path.display()));
                    continue;
                }
            };
            let description = tool_description(&name, &code).unwrap_or_else(|| format!("the {name} tool"));
            out.push(Example {
                id: format!("host/{name}"),
                origin: Origin::HostTool(path.clone()),
                target: Target::Bpftrace,
                description,
                tags: vec!["host-tool".into()],
                probes: bpftrace_probes(&code),
                code: without_header(&code),
                trigger: None,
            });
        }
    }
    (out, warnings)
}

#[derive(Deserialize)]
struct KenEntry {
    request: String,
    bpf: String,
}

/// A KEN-style JSON file: `[{"request": "...", "bpf": "..."}, ...]`; `bpf` may be bpftrace or C.
pub fn ken_json(path: &Path) -> Result<Vec<Example>, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io { path: path.into(), source })?;
    let entries: Vec<KenEntry> = serde_json::from_str(&text).map_err(|e| ImportError::BadJson { path: path.into(), message: e.to_string() })?;
    Ok(entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let is_c = e.bpf.contains("SEC(\"");
            Example {
                id: format!("ken:{}#{i}", path.display()),
                origin: Origin::Ken(path.into()),
                target: if is_c { Target::Libbpf } else { Target::Bpftrace },
                description: e.request,
                tags: vec!["imported".into()],
                probes: if is_c { c_probes(&e.bpf) } else { bpftrace_probes(&e.bpf) },
                code: without_header(&e.bpf),
                trigger: None,
            }
        })
        .collect())
}

/// A directory of `.bt` and `.bpf.c` files: our header where present, else the tool header
/// comment, else the file name as the description.
pub fn directory(dir: &Path) -> Result<(Vec<Example>, Vec<String>), ImportError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ImportError::Io { path: dir.into(), source })?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| Target::of_path(p).is_some()).collect();
    paths.sort();
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for path in paths {
        let target = Target::of_path(&path).expect("filtered above");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let id = format!("dir:{}", path.display());
        let origin = Origin::Directory(dir.into());
        match parse_example(&id, origin.clone(), target, &text) {
            Ok(e) => out.push(e),
            Err(_) => {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                let name = name.trim_end_matches(".bpf.c").trim_end_matches(".bt").to_string();
                let probes = match target {
                    Target::Bpftrace => bpftrace_probes(&text),
                    Target::Libbpf => c_probes(&text),
                };
                out.push(Example {
                    description: tool_description(&name, &text).unwrap_or_else(|| name.replace(['_', '-'], " ")),
                    id,
                    origin,
                    target,
                    tags: vec!["imported".into()],
                    probes,
                    code: without_header(&text),
                    trigger: None,
                });
            }
        }
    }
    Ok((out, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_from_code() {
        let (f, code) = parse_header("// description: Count opens.\n// tags: a, b\n// probes: x:y\nx:y { }\n");
        assert_eq!(f.len(), 3);
        assert_eq!(code, "x:y { }\n");
        let e = parse_example("t", Origin::Dataset, Target::Bpftrace, "// description: d\n// probes: a:b, c:d\ncode").unwrap();
        assert_eq!(e.probes, ["a:b", "c:d"]);
        assert!(parse_example("t", Origin::Dataset, Target::Bpftrace, "// tags: x\ncode").is_err());
    }

    #[test]
    fn shown_code_drops_headers_licenses_and_authors() {
        let tool = "#!/usr/bin/env bpftrace\n/*\n * opensnoop\tTrace open() syscalls.\n *\n * Copyright 2018 Netflix, Inc.\n * Licensed under the Apache License, Version 2.0\n *\n * 08-Sep-2018\tBrendan Gregg\tCreated this.\n */\n\nBEGIN\n{\n\tprintf(\"Tracing\\n\");\n}\n// Copyright again, mid-file\ntracepoint:syscalls:sys_enter_openat { @[comm] = count(); } // by comm\n";
        let shown = without_header(tool);
        assert!(shown.starts_with("BEGIN\n"), "{shown}");
        for notice in ["Copyright", "License", "Gregg", "#!"] {
            assert!(!shown.contains(notice), "{notice} in {shown}");
        }
        assert!(shown.contains("@[comm] = count(); } // by comm"), "ordinary comments stay: {shown}");
        let blocks = "BEGIN { }\n/*\n * Copyright 2020 someone\n */\nEND { }\n/* SPDX */ char LICENSE[] SEC(\"license\") = \"GPL\";\n";
        assert_eq!(without_header(blocks), blocks, "block comments past the header stay whole, and code after a comment stays");
        assert!(without_header("/* header */ BEGIN { }\n").starts_with("/* header */ BEGIN"), "code after a header comment on its line stays");
        let c = "// SPDX-License-Identifier: GPL-2.0\n#include \"vmlinux.h\"\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n";
        assert_eq!(without_header(c), "#include \"vmlinux.h\"\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n", "code that says license is code, not a notice");
    }

    #[test]
    fn requirements_follow_the_probes() {
        let e = Example {
            id: "x".into(),
            origin: Origin::Dataset,
            target: Target::Bpftrace,
            description: String::new(),
            tags: vec![],
            probes: vec!["uretprobe:/bin/bash:readline".into(), "interval:s:1".into(), "kprobe:vfs_read".into()],
            code: String::new(),
            trigger: None,
        };
        assert_eq!(e.requires(), ["uprobe", "file:/bin/bash", "kprobe"]);
    }

    #[test]
    fn ken_json_imports_and_bad_json_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("ken.json");
        std::fs::write(&good, r#"[{"request": "count execs", "bpf": "tracepoint:sched:sched_process_exec { @ = count(); }"}]"#).unwrap();
        let ex = ken_json(&good).unwrap();
        assert_eq!(ex[0].probes, ["tracepoint:sched:sched_process_exec"]);
        assert_eq!(ex[0].description, "count execs");
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, r#"{"request": 1}"#).unwrap();
        let err = ken_json(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.json") && err.contains("KEN-style"), "{err}");
    }
}
