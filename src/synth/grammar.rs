//! What the model may write: bpftrace's language as a grammar for constrained decoding,
//! specialised per request so that only this host's probes can be named and, inside a
//! tracepoint's block, only that tracepoint's fields follow `args->`.
//!
//! The language is bpftrace 0.17's (Debian's, this host's), written from its `parser.yy` and
//! `lexer.l` into `bpftrace.lark`. Its rules are per *probe class*: the probes whose blocks may
//! read the same things (one tracepoint field set; kprobes and uprobes with `arg0`…; their return
//! probes with `retval`; `BEGIN`, `interval` and the like with neither). A block is parsed by its
//! class's copy of the rules, which is how a context-free grammar says "these fields here".
//!
//! [`Grammar::generic`] is the unspecialised language (any probe name, any field, C
//! definitions, bare identifiers): tests check that it accepts every example and installed tool,
//! and rejects what bpftrace rejects.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::kernel::{Catalog, Hook, HookKind};

const TEMPLATE: &str = include_str!("bpftrace.lark");

/// A Lark grammar for llguidance.
#[derive(Debug, Clone)]
pub struct Grammar {
    pub lark: String,
}

/// What a block may read besides the common builtins (`pid`, `comm`, `nsecs`, …).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Context {
    /// `BEGIN`, `END`, `interval`, `profile`, software and hardware events.
    Nothing,
    /// A tracepoint's `args->NAME`, each with whether a member, an element or a dereference
    /// may follow it (pointers, arrays, structs: `args->filename`, not `args->pid`).
    Fields(Vec<(String, bool)>),
    /// kprobes and uprobes: `arg0` … `arg9`.
    Args,
    /// Their return probes: `retval`.
    Retval,
}

/// How a class reads its context: alternatives of its primary expressions, of its unary ones
/// (a scalar field, which nothing may follow), and the terminals they use.
#[derive(Default)]
struct ContextRules {
    primary: String,
    unary: String,
    terminals: String,
}

impl Context {
    fn lark(&self, class: &str) -> ContextRules {
        let upper = class.to_uppercase();
        match self {
            Context::Nothing => ContextRules::default(),
            Context::Fields(fields) => {
                let mut rules = ContextRules::default();
                let (deref, scalar): (Vec<_>, Vec<_>) = fields.iter().partition(|(_, d)| *d);
                if !deref.is_empty() {
                    rules.primary = format!(" | \"args\" \"->\" DEREF_{upper}");
                    rules.terminals += &format!("DEREF_{upper}: {}\n", alternatives(deref.iter().map(|f| &f.0)));
                }
                if !scalar.is_empty() {
                    rules.unary = format!(" | \"args\" \"->\" SCALAR_{upper}");
                    rules.terminals += &format!("SCALAR_{upper}: {}\n", alternatives(scalar.iter().map(|f| &f.0)));
                }
                rules
            }
            Context::Args => ContextRules { primary: " | ARGN".into(), ..Default::default() },
            Context::Retval => ContextRules { primary: " | \"retval\"".into(), ..Default::default() },
        }
    }
}

/// Whether a field of this C type can be read further: `->`, `.` or `[…]`.
fn derefs(ty: &str) -> bool {
    ty.contains('*') || ty.contains('[') || ty.starts_with("struct ") || ty.starts_with("union ") || ty.contains(" struct ")
}

/// One class: the probes (literal names, or regexes for parameterised ones) and what they read.
struct Class {
    probes: BTreeSet<String>,
    patterns: Vec<String>,
    context: Context,
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn alternatives<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> String {
    items.into_iter().map(|s| quote(s.as_ref())).collect::<Vec<_>>().join(" | ")
}

/// C types a cast may name: kernel structs (from BTF) and bpftrace's integer types.
const TYPE_SPECIALISED: &str = r#"TYPE: /(struct|union|enum)[ \t]+[_a-zA-Z][_a-zA-Z0-9]*|u?int(8|16|32|64)|char|bool|void/"#;
const TYPE_GENERIC: &str = r#"TYPE: /((struct|union|enum)[ \t]+)?[_a-zA-Z][_a-zA-Z0-9]*/"#;
/// A predicate without division outside parentheses, for generation: bpftrace reads
/// `/a == 1 / b == 2/` as one predicate dividing by `b` (a small model's two filters), and
/// programs divide inside a predicate only in parentheses.
const PREDICATE: &str = r#"
pexpr_@K: plor_@K | plor_@K "?" expr_@K ":" expr_@K
plor_@K: pland_@K | plor_@K "||" pland_@K
pland_@K: pbor_@K | pland_@K "&&" pbor_@K
pbor_@K: pbxor_@K | pbor_@K "|" pbxor_@K
pbxor_@K: pband_@K | pbxor_@K "^" pband_@K
pband_@K: peq_@K | pband_@K "&" peq_@K
peq_@K: prel_@K | peq_@K ("==" | "!=") prel_@K
prel_@K: pshift_@K | prel_@K ("<=" | ">=" | "<" | ">") pshift_@K
pshift_@K: padd_@K | pshift_@K ("<<" | ">>") padd_@K
padd_@K: pmul_@K | padd_@K ("+" | "-") pmul_@K
pmul_@K: cast_@K | pmul_@K ("*" | "%") cast_@K
"#;
/// Most probe blocks in a generated program: more is a model repeating itself until the token
/// limit cuts the program (the longest installed tool has 8).
const MOST_BLOCKS: usize = 12;
const UNSAFE: &str = r#"| "system" "(" STRING ("," expr_@K)* ")" | "signal" "(" (STRING | expr_@K) ")" | "override" "(" expr_@K ")""#;
/// bpftrace 0.17's probe providers and their short forms.
const PROVIDERS: &str = "tracepoint|t|kprobe|k|kretprobe|kr|uprobe|u|uretprobe|ur|usdt|U|interval|i|profile|p|software|s|hardware|h|kfunc|f|kretfunc|fr|rawtracepoint|rt|watchpoint|w|asyncwatchpoint|aw|iter|it";
const TIMERS: [&str; 2] = [r#"/interval:(s|ms|us|hz):[0-9]+/"#, r#"/profile:(hz|s|ms|us):[0-9]+/"#];

impl Grammar {
    /// bpftrace's whole language: any probe, any field, C definitions first, bare identifiers
    /// (macros, enum values), the unsafe builtins.
    pub fn generic() -> Grammar {
        let mut out = shared();
        out.push_str(TYPE_GENERIC);
        out.push('\n');
        // An attach point as the lexer reads one: a provider bpftrace knows, then `:`-separated
        // paths (the lexer takes any word; bpftrace's attach-point parser refuses the rest).
        let _ = writeln!(out, "PROBE_ANY: /BEGIN|END|({PROVIDERS})(:[_\\-.\\/a-zA-Z0-9#*+\\[\\]$]*)+/");
        out.push_str("ARGN: /s?arg[0-9]/\n");
        out.push_str("SHEBANG: /#![^\\n]*/\n");
        out.push_str("CPREPROC: /#[^!\\n][^\\n]*/\n");
        let body = r#"([^{}]|\{([^{}]|\{[^{}]*\})*\})*"#;
        let _ = writeln!(out, "STRUCT_DEFN: /(struct|union|enum)[ \\t\\n]+[_a-zA-Z][_a-zA-Z0-9]*[ \\t\\n]*\\{{{body}\\}}[ \\t]*;?/");
        out.push_str("start: SHEBANG? LEAD? (CPREPROC | STRUCT_DEFN)* probe_block_any+ FENCE?\n");
        out.push_str(&class_rules("any", r#" | "args" "->" MEMBER | "args" | ARGN | "retval""#, "", " | IDENT", true).replace("@PREDICATE", "expr_any"));
        Grammar { lark: out }
    }

    /// The language with only this host's probes. `featured` are the probes the request is
    /// about (its grounded events, the hooks retrieval ranks first and the examples it is
    /// shown): each tracepoint gets its exact fields, a wildcard the fields all its matches
    /// share. The timers, software events, `BEGIN` and `END` are always there. The rest of the
    /// catalog is left out: given every tracepoint (with the fields any of them has), the 1.5B
    /// wandered to unrelated ones (`fs_dax:dax_writeback_range` for `mkdir`) and read fields
    /// they lack; and ~56,000 kernel functions make a lexer llguidance refuses to build.
    pub fn for_request(catalog: &Catalog, featured: &[String], allow_unsafe: bool) -> Grammar {
        let mut by_fields: BTreeMap<Vec<(String, bool)>, BTreeSet<String>> = BTreeMap::new();
        let field_names = |h: &Hook| -> Vec<(String, bool)> {
            let mut f: Vec<(String, bool)> = h.fields.iter().map(|f| (f.name.clone(), derefs(&f.ty))).collect();
            f.sort();
            f.dedup();
            f
        };
        let (wildcards, named): (Vec<&String>, Vec<&String>) = featured.iter().partition(|p| p.contains(['*', '?']));
        for probe in wildcards {
            let re = crate::obj::probe::glob(probe);
            let matches: Vec<&Hook> = catalog.hooks.iter().filter(|h| h.kind == HookKind::Tracepoint && re.is_match(&h.probe)).collect();
            let Some(first) = matches.first() else { continue };
            let shared: Vec<(String, bool)> = field_names(first).into_iter().filter(|f| matches.iter().all(|h| h.fields.iter().any(|g| g.name == f.0))).collect();
            by_fields.entry(shared).or_default().insert(probe.clone());
        }
        let hooks = hooks_of(catalog, named.iter().map(|p| p.as_str()));
        // Each field set is a copy of the rules: past this many, tracepoints are left out.
        const MOST_FEATURED: usize = 48;
        for h in hooks.iter().filter(|h| h.kind == HookKind::Tracepoint).take(MOST_FEATURED) {
            by_fields.entry(field_names(h)).or_default().insert(h.probe.clone());
        }
        let mut classes: Vec<Class> = by_fields.into_iter().map(|(fields, probes)| Class { probes, patterns: vec![], context: Context::Fields(fields) }).collect();
        let mut plain = Class { probes: ["BEGIN", "END"].map(String::from).into(), patterns: TIMERS.map(String::from).into(), context: Context::Nothing };
        let mut entry = Class { probes: BTreeSet::new(), patterns: vec![], context: Context::Args };
        let mut exit = Class { probes: BTreeSet::new(), patterns: vec![], context: Context::Retval };
        for h in &catalog.hooks {
            match h.kind {
                HookKind::Software | HookKind::Hardware => {
                    plain.probes.insert(h.probe.clone());
                    // A sampling period may follow: `software:page-faults:100`.
                    plain.patterns.push(format!("/{}:[0-9]+/", regex::escape(&h.probe).replace('/', "\\/")));
                }
                _ => {}
            }
        }
        // Of the ~60,000 kernel functions and the libraries' symbols, only the featured ones: all
        // of them make a lexer llguidance refuses to build, and grounding names the functions a
        // request is about.
        for h in &hooks {
            match h.kind {
                HookKind::KernelFunction => {
                    let name = h.probe.trim_start_matches("kprobe:");
                    entry.probes.insert(format!("kprobe:{name}"));
                    exit.probes.insert(format!("kretprobe:{name}"));
                }
                HookKind::Uprobe => {
                    let rest = h.probe.trim_start_matches("uprobe:");
                    entry.probes.insert(format!("uprobe:{rest}"));
                    exit.probes.insert(format!("uretprobe:{rest}"));
                }
                _ => {}
            }
        }
        classes.extend([plain, entry, exit].into_iter().filter(|c| !c.probes.is_empty()));

        let mut out = shared();
        out.push_str(TYPE_SPECIALISED);
        out.push('\n');
        out.push_str("ARGN: /arg[0-9]/\n");
        let names: Vec<String> = (0..classes.len()).map(|i| format!("c{i}")).collect();
        let _ = writeln!(out, "start: LEAD? ({}){{1,{MOST_BLOCKS}}} FENCE?", names.iter().map(|n| format!("probe_block_{n}")).collect::<Vec<_>>().join(" | "));
        for (class, name) in classes.iter().zip(&names) {
            let mut alts: Vec<String> = class.probes.iter().map(|p| quote(p)).collect();
            alts.extend(class.patterns.iter().cloned());
            let _ = writeln!(out, "PROBE_{}: {}", name.to_uppercase(), alts.join(" | "));
            let context = class.context.lark(name);
            out.push_str(&context.terminals);
            out.push_str(&class_rules(name, &context.primary, &context.unary, "", allow_unsafe).replace("@PREDICATE", &format!("pexpr_{name}")));
            out.push_str(&PREDICATE.replace("@K", name));
        }
        Grammar { lark: out }
    }
}

/// The catalog's hooks behind probe names as programs write them: a return probe is its
/// function's hook (`kretprobe:f` is `kprobe:f`'s, `uretprobe:b:f` is `uprobe:b:f`'s).
pub fn hooks_of<'c, 'p>(catalog: &'c Catalog, probes: impl IntoIterator<Item = &'p str>) -> Vec<&'c Hook> {
    let mut out: Vec<&Hook> = Vec::new();
    for p in probes {
        let p = p.trim();
        let name = if let Some(f) = p.strip_prefix("kretprobe:").or_else(|| p.strip_prefix("kfunc:")).or_else(|| p.strip_prefix("kretfunc:")) {
            format!("kprobe:{f}")
        } else if let Some(rest) = p.strip_prefix("uretprobe:") {
            format!("uprobe:{rest}")
        } else {
            p.to_string()
        };
        if let Some(h) = catalog.find(&name) {
            if !out.iter().any(|o| std::ptr::eq(*o, h)) {
                out.push(h);
            }
        }
    }
    out
}

/// The template's shared part.
fn shared() -> String {
    let start = TEMPLATE.find("@begin shared").expect("template has a shared part");
    let end = TEMPLATE.find("@end shared").expect("template ends its shared part");
    let shared = &TEMPLATE[start + "@begin shared".len()..end];
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(shared.trim_start());
    out
}

/// The per-class rules for class `name`.
fn class_rules(name: &str, context: &str, scalar: &str, bare: &str, allow_unsafe: bool) -> String {
    let end = TEMPLATE.find("@end shared").expect("template ends its shared part") + "@end shared".len();
    let rules = &TEMPLATE[end..];
    let probe = format!("PROBE_{}", name.to_uppercase());
    let mut text = rules
        .replace("@CONTEXT", context)
        .replace("@SCALAR", scalar)
        .replace("@BARE", bare)
        .replace("@UNSAFE", if allow_unsafe { UNSAFE } else { "" })
        .replace("PROBE_@K", &probe)
        .replace("@K", name);
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{GrammarFactory, GrammarText};

    fn accepts(factory: &GrammarFactory, g: &Grammar, program: &str) -> Result<(), String> {
        let compiled = factory.compile(&GrammarText(g.lark.as_str().into())).map_err(|e| e.to_string())?;
        let tokens = factory.tokenize(program);
        compiled.accepts(&tokens).map_err(|(at, why)| {
            let at = at.min(program.len());
            format!("{why} at byte {at}: {:?}", &program[at.saturating_sub(40)..(at + 20).min(program.len())])
        })
    }

    fn programs() -> Vec<(String, String)> {
        let mut out = Vec::new();
        let dirs = [concat!(env!("CARGO_MANIFEST_DIR"), "/dataset/examples/bpftrace"), "/usr/sbin", "/usr/share/bpftrace/tools"];
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().is_some_and(|x| x == "bt") {
                    out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_generic_grammar_accepts_every_example_and_installed_tool() {
        let factory = GrammarFactory::bytes().unwrap();
        let g = Grammar::generic();
        let programs = programs();
        assert!(programs.len() >= 50, "{} programs", programs.len());
        let failed: Vec<String> = programs.iter().filter_map(|(p, text)| accepts(&factory, &g, text).err().map(|e| format!("{p}: {e}"))).collect();
        assert!(failed.is_empty(), "{} of {} rejected:\n{}", failed.len(), programs.len(), failed.join("\n"));
    }

    #[test]
    fn a_software_event_may_carry_its_sampling_period() {
        let hook = Hook {
            probe: "software:page-faults".into(),
            kind: HookKind::Software,
            category: "software".into(),
            fields: vec![],
            prototype: None,
            about: String::new(),
            attach: crate::kernel::Attach::Yes,
        };
        let catalog = Catalog { key: crate::kernel::KernelKey::current(), hooks: vec![hook], capabilities: Default::default(), tools: Default::default(), warnings: vec![] };
        let g = Grammar::for_request(&catalog, &[], false);
        let factory = GrammarFactory::bytes().unwrap();
        for ok in ["software:page-faults { @n = count(); }", "software:page-faults:100 { @n = count(); }"] {
            assert_eq!(accepts(&factory, &g, ok), Ok(()), "{ok}");
        }
        assert!(accepts(&factory, &g, "software:page-faultsx:100 { @n = count(); }").is_err());
    }
}
