//! `kgent hooks`: the probes this host offers, like `bpftrace -l`, plus fields, prototypes and
//! whether each can attach here.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::HooksArgs;
use crate::kernel::{hook_pattern, uprobe, Attach, Catalog, Hook, HookKind};
use crate::store::home_dir;

pub fn run(args: HooksArgs) -> Result<ExitCode> {
    let catalog = Catalog::load_or_build(&home_dir()?, args.refresh)?;
    for w in &catalog.warnings {
        eprintln!("kgent: warning: {w}");
    }
    let mut hooks: Vec<Hook> = match &args.binary {
        // A binary given on the command line is read now; it is not part of the cached catalog.
        Some(bin) => {
            let attach = catalog.hooks.iter().find(|h| h.kind == HookKind::Uprobe).map_or(Attach::Unknown, |h| h.attach);
            uprobe::functions(bin).with_context(|| format!("listing functions of {}", bin.display()))?.iter().map(|f| Hook::uprobe(bin, f, attach)).collect()
        }
        None => catalog.hooks.clone(),
    };
    let pattern = args.pattern.as_deref().map(|p| hook_pattern(p).with_context(|| format!("bad pattern {p:?}"))).transpose()?;
    hooks.retain(|h| h.matches(pattern.as_ref(), args.kind, args.attachable));

    if args.json {
        println!("{}", serde_json::to_string_pretty(&catalog.listing(hooks.iter().collect()))?);
        return Ok(ExitCode::SUCCESS);
    }
    if args.capabilities {
        println!("kernel {} (BTF {})", catalog.key.release, catalog.key.btf_sha256);
        for (ty, s) in &catalog.capabilities {
            println!("  {ty:<15} load: {:<4} attach: {}", short(&s.loads), short(&s.attaches));
        }
        println!("tools: bpftrace {}, clang {}, bpftool {}", or_missing(&catalog.tools.bpftrace), or_missing(&catalog.tools.clang), or_missing(&catalog.tools.bpftool));
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    for h in &hooks {
        let note = match h.attach {
            Attach::Yes => "",
            Attach::LoadOnly => "  [loads, cannot attach here]",
            Attach::No => "  [refused by this kernel]",
            Attach::Unknown => "  [attach not probed]",
        };
        writeln!(out, "{}{note}", h.probe)?;
        if args.fields {
            if let Some(p) = &h.prototype {
                writeln!(out, "    {p}")?;
            } else {
                for f in &h.fields {
                    writeln!(out, "    {} {}", f.ty, f.name)?;
                }
            }
            if !h.about.is_empty() {
                writeln!(out, "    {}", h.about)?;
            }
        }
    }
    if hooks.is_empty() {
        // Timers take any rate, so the catalog (like `bpftrace -l`) lists none; a user asking
        // for them is told how they are written rather than that they do not exist.
        if let Some(kind) = args.pattern.as_deref().and_then(|p| ["profile", "interval"].into_iter().find(|k| p.starts_with(&format!("{k}:")))) {
            let attaches = catalog.capabilities.get("perf_event").map_or("not probed".to_string(), |s| short(&s.attaches));
            eprintln!("{kind} probes are timers bpftrace makes at any rate, so none are listed: write {kind}:hz:N, {kind}:s:N, {kind}:ms:N or {kind}:us:N; they use perf events (attach here: {attaches})");
            return Ok(ExitCode::from(1));
        }
        eprintln!("no hooks match; try a wider pattern such as 'tracepoint:*open*'");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn short(o: &crate::kernel::Outcome) -> String {
    match o {
        crate::kernel::Outcome::Yes => "yes".into(),
        crate::kernel::Outcome::No(why) => format!("no ({why})"),
        crate::kernel::Outcome::Untried(why) => format!("untried ({why})"),
    }
}

fn or_missing(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("missing")
}
