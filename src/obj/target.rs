use std::path::Path;

use serde::Serialize;

/// Which language a program is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Bpftrace,
    Libbpf,
}

impl Target {
    /// By file name: `.bt` is bpftrace, `.bpf.c` / `.c` is libbpf C.
    pub fn of_path(path: &Path) -> Option<Target> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".bt") {
            Some(Target::Bpftrace)
        } else if name.ends_with(".c") {
            Some(Target::Libbpf)
        } else {
            None
        }
    }

    /// The name a program without a file of its own is compiled and shown under (`program.bt`,
    /// `program.bpf.c`): verdicts replace it with the user's file name.
    pub fn scratch_name(self) -> &'static str {
        match self {
            Target::Bpftrace => "program.bt",
            Target::Libbpf => "program.bpf.c",
        }
    }

    /// What the model is told it writes: "bpftrace program", "C program".
    pub fn program_noun(self) -> &'static str {
        match self {
            Target::Bpftrace => "bpftrace program",
            Target::Libbpf => "C program",
        }
    }
}
