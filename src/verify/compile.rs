//! Compiling candidates: bpftrace scripts with `bpftrace --emit-elf` (a dry run: nothing is
//! attached), libbpf C with `clang -target bpf` against a `vmlinux.h` made from the host's BTF.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::kernel::{KernelKey, VMLINUX_BTF};
pub use crate::obj::Target;

/// The outcome of compiling one program.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum CompileVerdict {
    /// The ELF object (bpftrace's has placeholder map fds: fine to analyse, not to load).
    Compiled {
        #[serde(skip)]
        object: Vec<u8>,
        warnings: String,
    },
    /// The compiler's diagnostics, as it printed them.
    Failed { diagnostics: String },
}

impl CompileVerdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, CompileVerdict::Compiled { .. })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("cannot run {tool}: {source}; install it with scripts/setup.sh (Debian package {package})")]
    ToolMissing { tool: &'static str, package: &'static str, source: std::io::Error },
    #[error("cannot write vmlinux.h for this kernel: {0}")]
    Vmlinux(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

fn scratch() -> Result<tempfile::TempDir, CompileError> {
    tempfile::tempdir().map_err(|source| CompileError::Io { path: std::env::temp_dir(), source })
}

/// Text of a failed run, without the memlock notice bpftrace prints in containers.
fn diagnostics(out: &std::process::Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    text.lines().filter(|l| !l.contains("RLIMIT_MEMLOCK")).collect::<Vec<_>>().join("\n")
}

/// Writes `source` as `name` in a scratch directory, runs the compiler `tool` that `args` builds
/// (given the source and object paths), and turns its result into a verdict.
fn compile_with(source: &str, name: &str, tool: &'static str, args: impl FnOnce(&mut Command, &Path, &Path)) -> Result<CompileVerdict, CompileError> {
    let dir = scratch()?;
    let file = dir.path().join(name);
    let object = dir.path().join("program.o");
    std::fs::write(&file, source).map_err(|e| CompileError::Io { path: file.clone(), source: e })?;
    let mut cmd = Command::new(tool);
    args(&mut cmd, &file, &object);
    let out = cmd.output().map_err(|source| CompileError::ToolMissing { tool, package: tool, source })?;
    // Diagnostics name the file as the user knows it, not our scratch path.
    let text = diagnostics(&out).replace(&file.display().to_string(), name);
    match std::fs::read(&object) {
        Ok(bytes) if out.status.success() => Ok(CompileVerdict::Compiled { object: bytes, warnings: text }),
        _ => Ok(CompileVerdict::Failed { diagnostics: text }),
    }
}

/// Compiles a bpftrace script without attaching anything, in bpftrace's safe mode: its unsafe
/// builtins (`system`, `signal`, `override`) are refused (see [`crate::verify::safety`]).
pub fn compile_bpftrace(source: &str) -> Result<CompileVerdict, CompileError> {
    compile_bpftrace_with(source, false)
}

/// [`compile_bpftrace`], with bpftrace's `--unsafe` when the user allowed it.
pub fn compile_bpftrace_with(source: &str, allow_unsafe: bool) -> Result<CompileVerdict, CompileError> {
    compile_with(source, Target::Bpftrace.scratch_name(), "bpftrace", |cmd, file, object| {
        if allow_unsafe {
            cmd.arg("--unsafe");
        }
        cmd.arg("--emit-elf").arg(object).arg(file);
    })
}

/// Compiles libbpf-style C for the BPF target with the host's `vmlinux.h` on the include path.
pub fn compile_c(source: &str, vmlinux_dir: &Path) -> Result<CompileVerdict, CompileError> {
    compile_with(source, Target::Libbpf.scratch_name(), "clang", |cmd, file, object| {
        cmd.args(["-target", "bpf", "-O2", "-g", "-Wall", "-Wno-unused-variable", "-Wno-unused-function"])
            .arg(format!("-D__TARGET_ARCH_{}", target_arch()))
            .arg("-I")
            .arg(vmlinux_dir)
            .arg("-c")
            .arg(file)
            .arg("-o")
            .arg(object);
    })
}

fn target_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        "riscv64" => "riscv",
        "s390x" => "s390",
        "powerpc64" => "powerpc",
        _ => "x86",
    }
}

/// The directory holding `vmlinux.h` for the running kernel, generated once per kernel with
/// `bpftool btf dump` and cached under `home/kernel/`.
pub fn vmlinux_dir(home: &Path) -> Result<PathBuf, CompileError> {
    let key = KernelKey::current();
    let dir = home.join("kernel").join(format!("vmlinux-{}-{}", key.release, key.btf_sha256));
    let header = dir.join("vmlinux.h");
    if header.is_file() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|source| CompileError::Io { path: dir.clone(), source })?;
    let lock_path = dir.join(".lock");
    let _lock = crate::lock::Lock::exclusive(&lock_path, &mut || {}).map_err(|source| CompileError::Io { path: lock_path.clone(), source })?;
    if header.is_file() {
        return Ok(dir);
    }
    crate::lock::sweep(&dir, &|n| n.starts_with(".vmlinux.h."));
    let out = Command::new("bpftool").args(["btf", "dump", "file", VMLINUX_BTF, "format", "c"]).output().map_err(|source| CompileError::ToolMissing {
        tool: "bpftool",
        package: "bpftool",
        source,
    })?;
    if !out.status.success() || out.stdout.is_empty() {
        return Err(CompileError::Vmlinux(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    // Written beside and renamed, so a concurrent compile never reads half a header.
    let tmp = dir.join(format!(".vmlinux.h.{}", std::process::id()));
    std::fs::write(&tmp, &out.stdout).map_err(|source| CompileError::Io { path: tmp.clone(), source })?;
    std::fs::rename(&tmp, &header).map_err(|source| CompileError::Io { path: header.clone(), source })?;
    Ok(dir)
}

/// Compiles `source` in the language `target` names: the one entry point every stage uses. C
/// needs this kernel's `vmlinux.h`, made once per kernel under `home`. bpftrace compiles in safe
/// mode unless `allow_unsafe`.
pub fn compile(target: Target, source: &str, home: &Path, allow_unsafe: bool) -> Result<CompileVerdict, CompileError> {
    match target {
        Target::Bpftrace => compile_bpftrace_with(source, allow_unsafe),
        Target::Libbpf => compile_c(source, &vmlinux_dir(home)?),
    }
}
