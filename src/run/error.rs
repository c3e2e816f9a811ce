//! How running can fail.

/// Failures of running, each naming what to do.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("running BPF programs needs root (CAP_BPF and CAP_PERFMON): rerun with sudo")]
    NotRoot,
    #[error("not attaching without confirmation: standard input is not a terminal; pass --yes to attach anyway")]
    NoTerminal,
    #[error("not attaching: you declined")]
    Declined,
    #[error("cannot run {tool}: {source}; install it with scripts/setup.sh")]
    ToolMissing { tool: &'static str, source: std::io::Error },
    #[error("not attaching: {0}")]
    Unsafe(String),
    #[error("the program does not compile:\n{0}")]
    Compile(String),
    #[error(transparent)]
    Compiler(#[from] crate::verify::compile::CompileError),
    #[error("cannot load the object: {0}")]
    BadObject(String),
    #[error("cannot attach {program} to {probe}: {message}")]
    Attach { program: String, probe: String, message: String },
    #[error("cannot watch for Ctrl-C and SIGTERM: {0}")]
    Signals(std::io::Error),
    #[error("{0}")]
    Io(std::io::Error),
}
