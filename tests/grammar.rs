//! The grammar constrained decoding uses: specialised to this host's catalog it still accepts
//! every example of our corpus (their probes exist here, with the fields they read), and the
//! generic language rejects what bpftrace itself rejects. The bpftrace half needs bpftrace and
//! root; skipped with the reason elsewhere, required in CI (KGENT_REQUIRE_BPF=1).

mod common;

use std::time::Instant;

use kgent::kernel::{Catalog, KernelKey, Sources};
use kgent::llm::{GrammarFactory, GrammarText};
use kgent::obj::source::bpftrace_probes;
use kgent::obj::Target;
use kgent::retrieve::corpus::dataset;
use kgent::synth::grammar::Grammar;
use kgent::verify::compile::{compile_bpftrace, CompileVerdict};

fn accepts(factory: &GrammarFactory, grammar: &Grammar, program: &str) -> Result<(), String> {
    let compiled = factory.compile(&GrammarText(grammar.lark.as_str().into())).map_err(|e| e.to_string())?;
    compiled.accepts(&factory.tokenize(program)).map_err(|(at, why)| {
        let at = at.min(program.len());
        format!("{} at byte {at}: {:?}", why.lines().next().unwrap_or(""), &program[at.saturating_sub(40)..(at + 20).min(program.len())])
    })
}

#[test]
fn specialised_to_this_host_the_grammar_accepts_every_example_with_its_own_probes() {
    if !common::require(&[common::Need::Tracefs, common::Need::Btf]) {
        return;
    }
    let catalog = Catalog::build(KernelKey::current(), &Sources { probe_capabilities: false, ..Sources::host() });
    let factory = GrammarFactory::bytes().unwrap();
    let mut failed = Vec::new();
    let mut seconds = Vec::new();
    let examples: Vec<_> = dataset().into_iter().filter(|e| e.target == Target::Bpftrace).collect();
    for e in &examples {
        let probes = bpftrace_probes(&e.code);
        let t = Instant::now();
        let grammar = Grammar::for_request(&catalog, &probes, false);
        if let Err(why) = accepts(&factory, &grammar, &e.code) {
            failed.push(format!("{}: {why}", e.id));
        }
        seconds.push(t.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    eprintln!("{} examples; grammar built, compiled and run in median {:.3} s, max {:.3} s", examples.len(), seconds[seconds.len() / 2], seconds[seconds.len() - 1]);
    assert!(failed.is_empty(), "{} of {} rejected:\n{}", failed.len(), examples.len(), failed.join("\n"));
}

/// Mistakes small models make (issue 16 lists them), each a program bpftrace refuses.
const MUTANTS: &[(&str, &str)] = &[
    ("a for-in loop from a newer bpftrace", "BEGIN { @m[1] = 1; for ($k in @m) { print($k); } }"),
    ("a function from another tracer", "tracepoint:syscalls:sys_enter_read { @m = histogram(args->count); }"),
    ("a shell comment", "tracepoint:syscalls:sys_enter_read {\n  # count reads\n  @n = count();\n}"),
    ("a provider that does not exist", "probe:raw_syscalls:sys_enter { @n = count(); }"),
    ("an assignment to a bare name", "BEGIN { x = 1; printf(\"%d\\n\", x); }"),
    ("an if without braces", "tracepoint:syscalls:sys_enter_read { if (pid > 1) printf(\"%d\\n\", pid); }"),
    ("an if without parentheses", "tracepoint:syscalls:sys_enter_read { if pid > 1 { printf(\"%d\\n\", pid); } }"),
    ("two statements without a semicolon", "BEGIN { printf(\"a\\n\") printf(\"b\\n\") }"),
    ("an aggregation inside an expression", "tracepoint:syscalls:sys_enter_read { @n = count() + 1; }"),
    ("printf without a format string", "tracepoint:syscalls:sys_enter_read { printf(pid); }"),
    ("delete without parentheses", "BEGIN { @m[1] = 1; delete @m[1]; }"),
    ("print without parentheses", "BEGIN { @m = 1; print @m; }"),
    ("a semicolon between probes", "BEGIN { @n = 1; }; END { print(@n); }"),
    ("an unclosed block", "tracepoint:syscalls:sys_enter_read { @n = count();"),
    ("a stray closing brace", "BEGIN { exit(); } }"),
    ("a C-style declaration", "BEGIN { int x = 1; }"),
];

#[test]
fn the_grammar_rejects_what_bpftrace_rejects() {
    let factory = GrammarFactory::bytes().unwrap();
    let generic = Grammar::generic();
    let accepted: Vec<&str> = MUTANTS.iter().filter(|(_, p)| accepts(&factory, &generic, p).is_ok()).map(|(what, _)| *what).collect();
    assert!(accepted.is_empty(), "the grammar accepts: {accepted:?}");
    // And each really is an error for bpftrace, not a grammar stricter than the language.
    if common::require_bpf(&["bpftrace"]) {
        for (what, program) in MUTANTS {
            let verdict = compile_bpftrace(program).unwrap();
            assert!(matches!(verdict, CompileVerdict::Failed { .. }), "bpftrace accepts {what}: {program}");
        }
    }
}

/// A scripted sampler walks the grammar at random (one token per byte, comments and strings
/// left out so the walk writes code): whatever it writes names only the request's probes (a
/// tracepoint of the catalog that is not one of them cannot be written), and inside each block
/// only that tracepoint's fields follow `args->`.
#[test]
fn a_random_walk_under_the_grammar_names_only_catalog_probes_and_their_fields() {
    use kgent::llm::sample::{Sampler, Sampling};
    let catalog = common::tracepoint_catalog(&[
        ("tracepoint:syscalls:sys_enter_openat", &["dfd", "filename", "flags"][..]),
        ("tracepoint:sched:sched_switch", &["prev_pid", "next_pid"][..]),
        ("tracepoint:irq:softirq_entry", &["vec"][..]),
    ]);
    let featured = ["tracepoint:syscalls:sys_enter_openat".to_string(), "tracepoint:sched:sched_switch".to_string()];
    let grammar = Grammar::for_request(&catalog, &featured, false);
    let factory = GrammarFactory::bytes().unwrap();
    let compiled = factory.compile(&GrammarText(grammar.lark.as_str().into())).unwrap();
    let fields_of = |probe: &str| catalog.hooks.iter().find(|h| h.probe == probe).map(|h| h.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>());
    let (mut probes, mut fields) = (0, 0);
    for seed in 0..40 {
        let mut sampler = Sampler::new(seed, Sampling::All { temperature: 1.0 });
        let mut c = compiled.start();
        let mut bytes = Vec::new();
        while bytes.len() < 400 {
            // Uniform over what the grammar allows, bar comments, strings and odd characters.
            let mut logits: Vec<f32> = (0..257u32).map(|b| if b < 128 && !b"/\"#\\\t\r\n".contains(&(b as u8)) { 0.0 } else { f32::NEG_INFINITY }).collect();
            if !c.mask(&mut logits).unwrap() || logits.iter().all(|l| l.is_infinite()) {
                break;
            }
            let t = sampler.sample_slice(&logits);
            c.commit(t).unwrap();
            bytes.push(t as u8);
        }
        let program = String::from_utf8(bytes).unwrap();
        let mut current: Option<String> = None;
        let mut depth = 0;
        let mut rest = program.as_str();
        while !rest.is_empty() {
            if depth == 0 {
                if let Some(p) = catalog.hooks.iter().map(|h| h.probe.as_str()).chain(["BEGIN", "END", "interval:", "profile:"]).find(|p| rest.starts_with(p)) {
                    current = Some(p.to_string());
                    probes += 1;
                } else if rest.starts_with("tracepoint:") || rest.starts_with("kprobe:") {
                    panic!("a probe the catalog lacks: {rest:?}");
                }
            }
            if let Some(after) = rest.strip_prefix("args->") {
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let probe = current.clone().unwrap_or_default();
                if after.len() > name.len() {
                    assert!(fields_of(&probe).is_some_and(|f| f.contains(&name)), "{probe} has no field {name:?}: {program}");
                    fields += 1;
                }
            }
            match rest.as_bytes()[0] {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                _ => {}
            }
            rest = &rest[1..];
        }
    }
    assert!(probes >= 40, "the walk wrote {probes} probes and {fields} fields");

    // After `args->` in a block, the names the grammar lets one spell are exactly the probe's
    // fields: every identifier the mask allows, enumerated byte by byte.
    fn names(c: &kgent::llm::Constraint, prefix: String, out: &mut Vec<String>) {
        let mut logits = vec![0.0f32; 257];
        let mut c = c.clone();
        c.mask(&mut logits).unwrap();
        for b in 0..128u8 {
            if logits[b as usize].is_finite() {
                if b.is_ascii_alphanumeric() || b == b'_' {
                    let mut next = c.clone();
                    next.commit(b as u32).unwrap();
                    names(&next, format!("{prefix}{}", b as char), out);
                } else if !prefix.is_empty() && !out.contains(&prefix) {
                    out.push(prefix.clone());
                }
            }
        }
    }
    let mut c = compiled.start();
    for t in factory.tokenize("tracepoint:") {
        c.commit(t).unwrap();
    }
    let mut logits = vec![0.0f32; 257];
    c.mask(&mut logits).unwrap();
    assert!(logits[b'i' as usize].is_infinite() && logits[b's' as usize].is_finite(), "only the request's tracepoints can follow");
    for probe in featured {
        let mut c = compiled.start();
        for t in factory.tokenize(&format!("{probe} {{ @x = args->")) {
            c.commit(t).unwrap();
        }
        let mut spelled = Vec::new();
        names(&c, String::new(), &mut spelled);
        spelled.sort();
        let mut expected = fields_of(&probe).unwrap();
        expected.sort();
        assert_eq!(spelled, expected, "{probe}");
    }
}
