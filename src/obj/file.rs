//! A program file the user brings (`kgent run`, `verify`, `explain`): read once and checked before
//! any compiler or the kernel sees it. Every refusal names the file, the problem and what to do.

use std::path::{Path, PathBuf};

use super::Target;

/// The largest source file Kgent reads: bpftrace's own tools and our examples are a few kB.
pub const MAX_SOURCE_BYTES: u64 = 1 << 20;
/// The largest object file Kgent reads.
pub const MAX_OBJECT_BYTES: u64 = 16 << 20;

/// A program file, read.
#[derive(Debug, Clone)]
pub enum ProgramFile {
    Source {
        target: Target,
        text: String,
    },
    /// A compiled BPF object whose programs the ELF reader could read.
    Object(Vec<u8>),
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0}: expected a bpftrace script (.bt), libbpf C (.bpf.c, .c) or a BPF object (.o)")]
    Kind(PathBuf),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("{0} is not a file")]
    NotAFile(PathBuf),
    #[error("{0} is empty: write the program in it first")]
    Empty(PathBuf),
    #[error("{path} is {size} bytes, more than the {max} Kgent reads as a {what} (programs are a few kB): is it the right file?")]
    TooBig { path: PathBuf, size: u64, max: u64, what: &'static str },
    #[error("{path} is not text (byte {at} is not UTF-8): a compiled object must be named .o")]
    NotText { path: PathBuf, at: usize },
    #[error("{0}: {1}: compile C with `clang -target bpf`, or pass the source")]
    NotBpf(PathBuf, String),
    #[error("{0} holds no BPF program: no executable section with a SEC(\"…\") name")]
    NoPrograms(PathBuf),
}

/// Reads `path` as a program, by its extension: `.o` (when `objects` allows it), `.bt`, `.bpf.c`,
/// `.c`.
pub fn read(path: &Path, objects: bool) -> Result<ProgramFile, FileError> {
    let is_object = objects && path.extension().is_some_and(|e| e == "o");
    let target = Target::of_path(path);
    if !is_object && target.is_none() {
        return Err(FileError::Kind(path.into()));
    }
    let meta = std::fs::metadata(path).map_err(|e| FileError::Io(path.into(), e))?;
    if !meta.is_file() {
        return Err(FileError::NotAFile(path.into()));
    }
    let (max, what) = if is_object { (MAX_OBJECT_BYTES, "BPF object") } else { (MAX_SOURCE_BYTES, "program source") };
    if meta.len() > max {
        return Err(FileError::TooBig { path: path.into(), size: meta.len(), max, what });
    }
    // Read no more than the limit allows, whatever the size said (a file may grow meanwhile).
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(std::fs::File::open(path).map_err(|e| FileError::Io(path.into(), e))?, max + 1), &mut bytes)
        .map_err(|e| FileError::Io(path.into(), e))?;
    check_size(&bytes, path, max, what)?;
    if is_object {
        let programs = super::elf::programs(&bytes).map_err(|e| FileError::NotBpf(path.into(), e.to_string()))?;
        if programs.iter().all(|p| p.section == ".text") {
            return Err(FileError::NoPrograms(path.into()));
        }
        return Ok(ProgramFile::Object(bytes));
    }
    let text = String::from_utf8(bytes).map_err(|e| FileError::NotText { path: path.into(), at: e.utf8_error().valid_up_to() })?;
    Ok(ProgramFile::Source { target: target.expect("checked above"), text })
}

/// Program text given without a file (an agent's `program` argument), checked as a file's would
/// be; `name` is what errors and verdicts call it.
pub fn source(text: String, target: Target, name: &str) -> Result<ProgramFile, FileError> {
    check_size(text.as_bytes(), Path::new(name), MAX_SOURCE_BYTES, "program source")?;
    Ok(ProgramFile::Source { target, text })
}

/// Within `max`, and not blank.
fn check_size(bytes: &[u8], path: &Path, max: u64, what: &'static str) -> Result<(), FileError> {
    if bytes.len() as u64 > max {
        return Err(FileError::TooBig { path: path.into(), size: bytes.len() as u64, max, what });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::Empty(path.into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_file_is_named_with_its_problem() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        let check = |p: PathBuf, objects: bool, want: &str| {
            let e = read(&p, objects).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains(&p.display().to_string()), "{e}");
        };
        check(at("empty.bt", b""), false, "is empty");
        check(at("blank.bpf.c", b"  \n\t\n"), false, "is empty");
        check(at("bin.bt", &[0x7f, b'E', b'L', b'F', 0xff, 0xfe]), false, "is not text (byte 4");
        check(at("huge.bt", &vec![b'#'; MAX_SOURCE_BYTES as usize + 1]), false, "more than the 1048576");
        check(at("notes.txt", b"hello"), false, "expected a bpftrace script");
        check(at("prog.o", b"\x7fELF junk"), true, "not an ELF object");
        check(at("prog.o", b"\x7fELF junk"), false, "expected a bpftrace script");
        check(dir.path().to_path_buf().join("missing.bt"), false, "No such file");
        let d = dir.path().join("dir.bt");
        std::fs::create_dir(&d).unwrap();
        check(d, false, "is not a file");
        let ok = at("ok.bt", b"BEGIN { exit(); }\n");
        assert!(matches!(read(&ok, false).unwrap(), ProgramFile::Source { target: Target::Bpftrace, .. }));
    }
}
