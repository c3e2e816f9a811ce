//! `kgent explain PROGRAM`: the model reads a program and states what it does as properties.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ExplainArgs;

pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let crate::obj::file::ProgramFile::Source { text, .. } = crate::obj::file::read(&args.program, false)? else { unreachable!("objects were not allowed") };
    let mut loaded = super::progress::load_model(&args.model)?;
    let bar = super::progress::spinner("reading the program");
    let c = loaded.explain(&text)?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&c)?);
    } else if let Some(p) = &c.properties {
        print!("{p}");
    } else {
        eprintln!("kgent explain: the model's answer did not parse in {} tries; the last was:", c.tries.len());
        if let Some(t) = c.tries.last() {
            eprintln!("{}\n({})", t.text, t.error.as_deref().unwrap_or(""));
        }
    }
    Ok(if c.properties.is_some() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
