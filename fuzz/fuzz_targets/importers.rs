//! The importers: any bytes as a KEN-style JSON file, and as a directory of one bpftrace script
//! and one C file (the first byte splits the input between them).
#![no_main]

use kgent::retrieve::corpus::{directory, ken_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile_dir();
    let ken = dir.join("import.json");
    std::fs::write(&ken, data).expect("scratch file");
    let _ = ken_json(&ken);
    let files = dir.join("files");
    let _ = std::fs::remove_dir_all(&files);
    std::fs::create_dir_all(&files).expect("scratch dir");
    let split = data.first().map_or(0, |b| *b as usize).min(data.len());
    std::fs::write(files.join("tool.bt"), &data[..split]).expect("scratch file");
    std::fs::write(files.join("prog.bpf.c"), &data[split..]).expect("scratch file");
    let _ = directory(&files);
});

/// One scratch directory per fuzzing process.
fn tempfile_dir() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("kgent-fuzz-importers-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("scratch dir");
        d
    })
    .clone()
}
