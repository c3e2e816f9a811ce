//! `kgent explain PROGRAM`: the model reads a program and states what it does as properties.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ExplainArgs;
use crate::comprehend::{self, SYSTEM};
use crate::llm::GenerateOptions;

pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let crate::obj::file::ProgramFile::Source { text, .. } = crate::obj::file::read(&args.program, false)? else { unreachable!("objects were not allowed") };
    // Our examples' header says what the program is for (and how to trigger it): that would be
    // reading the answer, not the program.
    let (_, program) = crate::retrieve::corpus::parse_header(&text);
    let mut loaded = super::progress::load_model(&args.model)?;
    let bar = super::progress::spinner("reading the program");
    let mut chat = loaded.conversation(Some(SYSTEM))?;
    let opts = GenerateOptions { max_tokens: 160, ..GenerateOptions::default() };
    let c = comprehend::explain(chat.as_mut(), &program, &opts)?;
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
