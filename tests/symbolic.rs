//! The instruction decoder against LLVM's: every dataset example, compiled with clang or bpftrace, decodes
//! slot by slot into the same text `llvm-objdump -d` prints, and encodes back to its bytes. Needs
//! clang, bpftool and llvm-objdump; skipped with the reason elsewhere, required in CI.

mod common;

use common::Need;
use std::process::Command;

use kgent::obj::elf::{programs, ElfError, MapRef};
use kgent::obj::insn::decode;
use kgent::obj::Target;
use kgent::retrieve::corpus::dataset;
use kgent::verify::compile::{compile_bpftrace, compile_c, vmlinux_dir, CompileVerdict};

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
    if !common::require(&[Need::Tool("clang"), Need::Tool("bpftool"), Need::Btf]) {
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

fn noise(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Programs and their map references come out of both compilers' objects, and no corruption of
/// an object makes the reader panic: the fuzz loop mutates real objects byte by byte.
#[test]
fn objects_read_into_programs_and_mutated_objects_never_panic() {
    if !common::require(&[Need::Tool("clang"), Need::Tool("bpftrace"), Need::Tool("bpftool"), Need::Btf]) {
        return;
    }
    let vmlinux = vmlinux_dir(&kgent::store::home_dir().unwrap()).unwrap();
    let examples = dataset();
    let find = |id: &str| examples.iter().find(|e| e.id == id).unwrap();
    let CompileVerdict::Compiled { object: c, .. } = compile_c(&find("libbpf/read_latency_hist").code, &vmlinux).unwrap() else { panic!() };
    let CompileVerdict::Compiled { object: bt, .. } = compile_bpftrace(&find("bpftrace/opensnoop").code).unwrap() else { panic!() };

    let progs = programs(&c).unwrap();
    let sections: Vec<&str> = progs.iter().map(|p| p.section.as_str()).collect();
    assert!(sections.contains(&"tracepoint/syscalls/sys_exit_read"), "{sections:?}");
    let exit = progs.iter().find(|p| p.section == "tracepoint/syscalls/sys_exit_read").unwrap();
    let maps: Vec<_> = exit.maps.values().cloned().collect();
    assert!(maps.contains(&MapRef::Named("start".into())) && maps.contains(&MapRef::Named("read_us_log2".into())), "{maps:?}");
    assert_eq!(exit.functions.get(&0).map(String::as_str), Some("read_exit"));

    let progs = programs(&bt).unwrap();
    assert!(progs.iter().any(|p| p.maps.values().any(|m| matches!(m, MapRef::Fd(_)))), "bpftrace's placeholder fds are found");

    assert!(matches!(programs(b"not an object"), Err(ElfError::NotElf(_))));
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut runs = 0;
    for base in [&c, &bt] {
        for _ in 0..5_000 {
            let mut bytes = base.clone();
            for _ in 0..1 + noise(&mut state) % 8 {
                let at = (noise(&mut state) % bytes.len() as u64) as usize;
                bytes[at] = noise(&mut state) as u8;
            }
            let _ = programs(&bytes);
            runs += 1;
        }
    }
    eprintln!("{runs} mutated objects read without a panic");

    // Mutated instructions, executed: the executor and the checks must answer (any verdict),
    // never panic, whatever the code does.
    use object::{Object, ObjectSection};
    let props: kgent::comprehend::Properties =
        "event: tracepoint:syscalls:sys_enter_openat\nfilter: comm == \"bash\"\nemit: pid, filename\naggregate: count by comm".parse().unwrap();
    let mut executed = 0;
    for base in [&c, &bt] {
        let file = object::File::parse(base.as_slice()).unwrap();
        let code: Vec<(usize, usize)> =
            file.sections().filter(|s| s.kind() == object::SectionKind::Text && s.size() > 0).filter_map(|s| s.file_range().map(|(at, len)| (at as usize, len as usize))).collect();
        for _ in 0..400 {
            let mut bytes = base.clone();
            let (at, len) = code[(noise(&mut state) % code.len() as u64) as usize];
            for _ in 0..1 + noise(&mut state) % 4 {
                bytes[at + (noise(&mut state) % len as u64) as usize] = noise(&mut state) as u8;
            }
            let _ = kgent::verify::symbolic::verify(&bytes, &props, &kgent::verify::symbolic::Tracefs::NONE);
            executed += 1;
        }
    }
    eprintln!("{executed} objects with mutated instructions verified without a panic");
}

/// Inputs the coverage-guided fuzzer (`scripts/fuzz.sh`) crashed on: each now gets an answer,
/// whatever it is. `crash-2a5d…`: a branch over one move whose register number (12) is no
/// register, peeked at before the move itself was checked.
#[test]
fn inputs_the_fuzzer_crashed_on_get_an_answer() {
    use kgent::verify::safety::{check_object, Allowed};
    let props: kgent::comprehend::Properties = "event: tracepoint:syscalls:sys_enter_openat\nfilter: pid == 42\nemit: comm, filename\naggregate: count by comm\n".parse().unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/symbolic");
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = kgent::verify::symbolic::verify(&bytes, &props, &kgent::verify::symbolic::Tracefs::NONE);
        let _ = check_object(&bytes, Allowed::default());
        inputs += 1;
    }
    assert!(inputs >= 1, "the crash inputs are in {}", dir.display());
}
