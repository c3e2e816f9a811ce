use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    kgent::commands::run(kgent::cli::Cli::parse())
}
