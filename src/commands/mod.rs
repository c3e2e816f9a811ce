//! One file per subcommand. Each returns the process exit code; errors of the tool itself
//! (bad flag, missing model, unreadable file) are reported here with exit code 2.

mod bench;
mod complete;
mod eval;
mod explain;
mod gen;
mod ground;
mod hooks;
mod mcp;
mod model;
mod progress;
mod run;
mod search;
mod shell;
mod verify;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit code for a failure of the tool itself (usage, missing model, I/O).
pub const EXIT_TOOL_ERROR: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Gen(args) => gen::run(args),
        Command::Run(args) => run::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Complete(args) => complete::run(args),
        Command::Model(cmd) => model::run(cmd),
        Command::Ground(args) => ground::run(args),
        Command::Search(args) => search::search(args),
        Command::Index(cmd) => search::index(cmd),
        Command::Hooks(args) => hooks::run(args),
        Command::Mcp(args) => mcp::run(args),
        Command::Config { json } => shell::config(json),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man { command } => shell::man(command.as_deref()),
        Command::Bench(cmd) => bench::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kgent: error: {e:#}");
            ExitCode::from(EXIT_TOOL_ERROR)
        }
    }
}
