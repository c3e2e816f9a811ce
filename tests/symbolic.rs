//! The instruction decoder against LLVM's: every dataset example, compiled with clang or bpftrace, decodes
//! slot by slot into the same text `llvm-objdump -d` prints, and encodes back to its bytes. Needs
//! clang, bpftool and llvm-objdump; skipped with the reason elsewhere, required in CI.

use std::process::Command;

use kgent::retrieve::corpus::dataset;
use kgent::verify::compile::{compile_bpftrace, compile_c, vmlinux_dir, CompileVerdict, Target};
use kgent::verify::symbolic::decode;

fn objdump() -> Option<&'static str> {
    ["llvm-objdump-14", "llvm-objdump"].into_iter().find(|t| Command::new(t).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// `(section, slot, text)` for every instruction llvm-objdump prints, jump labels removed.
fn llvm_listing(object: &std::path::Path, tool: &str) -> Vec<(String, usize, String)> {
    let out = Command::new(tool).arg("-d").arg(object).output().expect("objdump runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let label = regex::Regex::new(r" <[^>]+>$").unwrap();
    let mut section = String::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(s) = line.strip_prefix("Disassembly of section ") {
            section = s.trim_end_matches(':').to_string();
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        if parts.len() == 3 {
            if let Ok(slot) = parts[0].trim().trim_end_matches(':').parse::<usize>() {
                rows.push((section.clone(), slot, label.replace(parts[2].trim(), "").to_string()));
            }
        }
    }
    rows
}

#[test]
fn every_dataset_object_decodes_as_llvm_prints_it() {
    let Some(tool) = objdump() else {
        if std::env::var("KGENT_REQUIRE_BPF").is_ok_and(|v| v == "1") {
            panic!("KGENT_REQUIRE_BPF=1 but llvm-objdump is missing");
        }
        eprintln!("skipping: no llvm-objdump");
        return;
    };
    if Command::new("clang").arg("--version").output().is_err() || !std::path::Path::new(kgent::kernel::VMLINUX_BTF).exists() {
        assert_ne!(std::env::var("KGENT_REQUIRE_BPF").as_deref(), Ok("1"), "KGENT_REQUIRE_BPF=1 but clang or the kernel BTF is missing");
        eprintln!("skipping: no clang or no kernel BTF");
        return;
    }
    let vmlinux = vmlinux_dir(&kgent::store::home_dir().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    let bpftrace = Command::new("bpftrace").arg("--version").output().is_ok();
    for e in dataset().into_iter().filter(|e| e.target == Target::Libbpf || bpftrace) {
        let compiled = match e.target {
            Target::Libbpf => compile_c(&e.code, &vmlinux).unwrap(),
            Target::Bpftrace => compile_bpftrace(&e.code).unwrap(),
        };
        let CompileVerdict::Compiled { object, .. } = compiled else { panic!("{} does not compile", e.id) };
        let path = dir.path().join("o.o");
        std::fs::write(&path, &object).unwrap();
        let file = object::File::parse(&*object).unwrap();
        for (section, slot, expected) in llvm_listing(&path, tool) {
            use object::{Object, ObjectSection};
            let data = file.section_by_name(&section).unwrap().data().unwrap();
            let decoded = decode(data);
            let insn = decoded[slot].unwrap_or_else(|| panic!("{}: {section}:{slot} is the middle of a 64-bit load", e.id));
            assert_eq!(insn.to_string(), expected, "{}: {section}:{slot} ({insn:?})", e.id);
            let width = insn.encode().len();
            assert_eq!(insn.encode(), &data[slot * 8..slot * 8 + width], "{}: {section}:{slot} encodes differently", e.id);
            checked += 1;
        }
    }
    eprintln!("{checked} instructions match llvm-objdump");
    assert!(checked > 800, "only {checked} instructions compared");
}
