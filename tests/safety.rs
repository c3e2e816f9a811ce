//! The safety gate on real compiled objects: every helper that acts on the system, in C, and
//! bpftrace's unsafe builtins with odd spacing and through macros, are refused by `kgent verify`
//! and by the synthesis loop's real checks (a scripted model, bpftrace, clang and the kernel
//! verifier), and pass with `--unsafe`. Networking programs may drop or rewrite packets only when
//! the request asks to. (`kgent run` refusing them, with nothing attached, is in tests/run.rs.)

mod common;

use std::process::Command;

use common::{acting_helpers, acting_scripts, c_tc, c_tracepoint};
use kgent::llm::ScriptedChat;
use kgent::obj::Target;
use kgent::synth::{synthesize, GenOptions, HostChecker};
use kgent::verify::safety::{asks_to_act_on_packets, Allowed, SafetyVerdict};

fn kgent() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kgent"))
}

/// `kgent verify FILE --props` with `extra` flags: exit code and standard output.
fn verify(dir: &std::path::Path, name: &str, source: &str, extra: &[&str]) -> (Option<i32>, String) {
    let file = dir.join(name);
    std::fs::write(&file, source).unwrap();
    let props = dir.join("props.txt");
    std::fs::write(&props, "event: tracepoint:syscalls:sys_enter_openat\n").unwrap();
    let out = kgent().arg("verify").arg(&file).arg("--props").arg(&props).args(extra).output().unwrap();
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn verify_refuses_each_helper_that_acts_on_the_system_and_says_where() {
    if !common::require_bpf(&["clang", "bpftool"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (helper, source) in acting_helpers() {
        let (code, out) = verify(dir.path(), "prog.bpf.c", &source, &[]);
        assert_eq!(code, Some(1), "{helper}: {out}");
        assert!(out.contains("gate:      REFUSED") && out.contains(helper) && out.contains("--unsafe"), "{helper}: {out}");
        assert!(out.contains("prog.bpf.c:"), "{helper}: the verdict names the line: {out}");
        assert!(!out.contains("safety:    proved"), "{helper}: an unsafe program's paths are not reported as safe: {out}");
        let (_, allowed) = verify(dir.path(), "prog.bpf.c", &source, &["--unsafe"]);
        assert!(allowed.contains("gate:      ok"), "{helper} with --unsafe: {allowed}");
    }
    // bpf_printk's format is a .rodata global: memory the helper reads, not a map.
    let (code, out) = verify(dir.path(), "prog.bpf.c", &c_tracepoint("bpf_printk(\"open %d\", 1);"), &[]);
    assert_eq!(code, Some(0), "a program that only observes passes: {out}");
    assert!(out.contains("safety:    proved"), "{out}");
}

#[test]
fn verify_refuses_bpftrace_unsafe_builtins_however_they_are_written() {
    if !common::require_bpf(&["bpftrace"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (builtin, script) in acting_scripts() {
        let (code, out) = verify(dir.path(), "prog.bt", script, &[]);
        assert_eq!(code, Some(1), "{script}: {out}");
        assert!(out.contains(&format!("REFUSED: {builtin}() is an unsafe function")) && out.contains("prog.bt:"), "{script}: {out}");
    }
}

/// One round of the real checks on `program`, as `gen` runs them.
fn gate_of(checker: &mut HostChecker, program: &str, target: Target, allowed: Allowed) -> (Option<SafetyVerdict>, bool) {
    let mut opts = GenOptions::new(target);
    opts.rounds = 1;
    opts.allowed = allowed;
    let mut chat = ScriptedChat::new([program]);
    let out = synthesize(&mut chat, checker, &[], "first prompt", &opts, &mut |_| {}, &mut |_| {}).unwrap();
    let checks = &out.attempts[0].checks;
    (checks.safety.clone(), checks.kernel.is_some())
}

#[test]
fn gen_refuses_what_acts_on_the_system_before_the_kernel_sees_it() {
    let Some((home, catalog, searcher)) = common::host_or_skip() else { return };
    let mut checker = HostChecker::new(&catalog, &searcher, home.path().into());
    let programs: Vec<(&str, String, Target)> =
        acting_helpers().into_iter().map(|(h, s)| (h, s, Target::Libbpf)).chain(acting_scripts().into_iter().map(|(b, s)| (b, s.to_string(), Target::Bpftrace))).collect();
    // The kprobe script's hook cannot attach here, so the hook check would stop it first.
    for (call, program, target) in programs.iter().filter(|(_, p, _)| !p.starts_with("kprobe")) {
        let (safety, loaded) = gate_of(&mut checker, program, *target, Allowed::default());
        match safety {
            Some(SafetyVerdict::Unsafe { actions }) => assert!(actions.iter().any(|a| a.call == *call), "{call}: {actions:?}"),
            other => panic!("{call} was not refused: {other:?}\n{program}"),
        }
        assert!(!loaded, "{call}: a refused program never reaches the kernel verifier");
    }
    // With --unsafe the gate lets them by.
    for (call, program, target) in programs.iter().filter(|(_, p, _)| !p.starts_with("kprobe")) {
        let (safety, _) = gate_of(&mut checker, program, *target, Allowed::everything(true));
        assert!(matches!(safety, Some(SafetyVerdict::Ok)), "{call} with --unsafe: {safety:?}");
    }

    // The loop sends the refusal back, and the model's safe rewrite passes.
    let mut opts = GenOptions::new(Target::Libbpf);
    opts.rounds = 2;
    let mut chat = ScriptedChat::new([c_tracepoint("bpf_send_signal(9);"), c_tracepoint("bpf_printk(\"open\");")]);
    let out = synthesize(&mut chat, &mut checker, &[], "first prompt", &opts, &mut |_| {}, &mut |_| {}).unwrap();
    assert!(out.passed, "{:#?}", out.attempts);
    assert!(chat.received[1].contains("bpf_send_signal") && chat.received[1].contains("did not allow"), "{}", chat.received[1]);
}

#[test]
fn networking_programs_drop_or_rewrite_packets_only_when_asked() {
    let Some((home, catalog, searcher)) = common::host_or_skip() else { return };
    let mut checker = HostChecker::new(&catalog, &searcher, home.path().into());
    let xdp = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/dataset/examples/libbpf/xdp_drop_udp_port.bpf.c")).unwrap();
    let rewrite = c_tc("bpf_skb_store_bytes(skb, 0, buf, sizeof(buf), 0);", "0");
    let shot = c_tc("", "2 /* TC_ACT_SHOT */");
    let watching = Allowed { everything: false, packets: asks_to_act_on_packets("count UDP packets to port 9999 on lo") };
    let acting = Allowed { everything: false, packets: asks_to_act_on_packets("drop UDP packets to port 9999 on lo") };
    for (program, refused_as) in [(&xdp, "XDP_DROP"), (&rewrite, "bpf_skb_store_bytes"), (&shot, "TC_ACT_SHOT")] {
        match gate_of(&mut checker, program, Target::Libbpf, watching).0 {
            Some(SafetyVerdict::Unsafe { actions }) => assert!(actions.iter().any(|a| a.call == refused_as), "{refused_as}: {actions:?}"),
            other => panic!("{refused_as} on a request that only watches: {other:?}"),
        }
        assert!(matches!(gate_of(&mut checker, program, Target::Libbpf, acting).0, Some(SafetyVerdict::Ok)), "{refused_as} on a request to drop");
    }
    // Passing every packet on is observing.
    assert!(matches!(gate_of(&mut checker, &c_tc("", "0"), Target::Libbpf, watching).0, Some(SafetyVerdict::Ok)));
    // Every function of a section is a program of its own: the second one's drop is seen.
    let head = "#include \"vmlinux.h\"\n#include <bpf/bpf_helpers.h>\n";
    let two = format!("{head}SEC(\"tc\") int pass_it(struct __sk_buff *skb) {{ return 0; }}\nSEC(\"tc\") int drop_it(struct __sk_buff *skb) {{ return 2; }}\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n");
    // An address returned as the action is no constant, whatever its relocation's offset says.
    let address = format!("{head}char buf[4];\nSEC(\"xdp\") int x(struct xdp_md *ctx) {{ return (long)&buf[2]; }}\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n");
    for (program, refused_as) in [(&two, "TC_ACT_SHOT"), (&address, "a computed value")] {
        match gate_of(&mut checker, program, Target::Libbpf, watching).0 {
            Some(SafetyVerdict::Unsafe { actions }) => assert!(actions.iter().any(|a| a.call == refused_as), "{refused_as}: {actions:?}"),
            other => panic!("{refused_as}: {other:?}"),
        }
    }
}
