//! `kgent search` and `kgent index`: query and maintain the retrieval index.

use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::cli::{IndexCommand, SearchArgs};
use crate::retrieve::index::{self, Location};
use crate::retrieve::{host_tool_dirs, Hit, Kind, Searcher};
use crate::store::home_dir;

pub fn search(args: SearchArgs) -> Result<ExitCode> {
    crate::pipeline::check_request(&args.request).map_err(anyhow::Error::msg)?;
    let loc = Location { home: home_dir()? };
    let bar = super::progress::spinner("opening the index");
    let searcher = Searcher::open(&loc, &host_tool_dirs(), &mut |why| bar.set_message(format!("building the index ({why})")))?;
    bar.finish_and_clear();
    let results = searcher.search_kinds(&args.request, args.kind, args.k, args.all_hooks)?;
    if args.json {
        let out = json!({
            "request": args.request,
            "index_version": searcher.version,
            "results": results.iter().flat_map(|(_, hits)| hits).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (kind, hits) in &results {
        println!("{}:", if *kind == Kind::Examples { "examples" } else { "hooks" });
        if hits.is_empty() {
            println!("  (none)");
        }
        for hit in hits {
            match hit {
                Hit::Example { score, example } => {
                    println!("  {score:6.2}  {:<36} {}", example.id, example.description);
                    if args.code {
                        for line in example.code.lines() {
                            println!("          | {line}");
                        }
                    }
                }
                Hit::Hook { score, hook } => {
                    let fields: Vec<&str> = hook.fields.iter().map(|f| f.name.as_str()).collect();
                    let note = match hook.attach {
                        crate::kernel::Attach::LoadOnly => "  [loads, cannot attach here]",
                        _ => "",
                    };
                    println!("  {score:6.2}  {}{note}  {}", hook.probe, fields.join(", "));
                }
            }
        }
    }
    eprintln!("index {}", searcher.version);
    Ok(ExitCode::SUCCESS)
}

pub fn index(cmd: IndexCommand) -> Result<ExitCode> {
    let loc = Location { home: home_dir()? };
    match cmd {
        IndexCommand::Build { import, forget_imports, json } => {
            let mut imports = if forget_imports { Vec::new() } else { loc.imports() };
            for path in import {
                let path = std::fs::canonicalize(&path).map_err(|e| anyhow::anyhow!("import {}: {e}", path.display()))?;
                if !imports.contains(&path) {
                    imports.push(path);
                }
            }
            loc.set_imports(&imports)?;
            let bar = super::progress::spinner("building the index");
            let report = index::build(&loc, &host_tool_dirs())?;
            bar.finish_and_clear();
            for w in &report.warnings {
                eprintln!("kgent: warning: {w}");
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "index {} built in {:.2} s: {} examples ({} ours, {} host tools, {} imported), {} hooks",
                    report.version, report.seconds, report.examples, report.dataset_examples, report.host_tools, report.imported, report.hooks
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        IndexCommand::Status { json } => {
            let current = loc.current_stamp(&host_tool_dirs());
            let built = loc.built_stamp();
            let fresh = built.as_ref() == Some(&current);
            let report = loc.last_report();
            if json {
                let out = json!({ "dir": loc.index_dir(), "up_to_date": fresh, "version": built.map(|b| b.version()), "last_build": report, "imports": loc.imports() });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!("index dir  {}", loc.index_dir().display());
                match (&built, fresh) {
                    (None, _) => println!("state      not built (kgent index build, or any search, builds it)"),
                    (Some(b), true) => println!("state      up to date, version {}", b.version()),
                    (Some(b), false) => println!("state      outdated (version {}); the next search rebuilds it", b.version()),
                }
                if let Some(r) = report {
                    println!("contents   {} examples, {} hooks", r.examples, r.hooks);
                }
                for p in loc.imports() {
                    println!("import     {}", p.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
