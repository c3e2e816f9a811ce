use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    // Output piped into `head` ends when the reader does: die of SIGPIPE quietly, as Unix tools
    // do, instead of panicking on the failed write. Nothing stays attached: aya's links close
    // with the process's fds, and bpftrace is told by PR_SET_PDEATHSIG.
    // SAFETY: setting a signal's disposition to the default, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // The config file stands in for flags not given; it is read once, before the flags.
    let config = match kgent::config::Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kgent: error: {e}");
            return ExitCode::from(kgent::commands::EXIT_TOOL_ERROR);
        }
    };
    let argv = config.apply(std::env::args_os().collect(), &kgent::cli::Cli::command());
    let matches = kgent::cli::Cli::command().get_matches_from(argv);
    let cli = kgent::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    kgent::commands::run(cli)
}
