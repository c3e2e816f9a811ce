//! Function symbols of a user-space binary or library, the places a uprobe can attach.

use std::collections::BTreeSet;
use std::path::Path;

use object::{Object, ObjectSymbol, SymbolKind};

/// Binaries whose functions are offered as hooks by default: the shell (its `readline` is the
/// classic uprobe) and the C library.
pub const DEFAULT_BINARIES: &[&str] = &["/bin/bash", "/usr/bin/bash", "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6"];

#[derive(Debug, thiserror::Error)]
pub enum UprobeError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} is not an ELF file uprobes can attach to: {message}")]
    NotElf { path: String, message: String },
}

/// Defined function symbols (static and dynamic), sorted and without duplicates or versions.
pub fn functions(path: &Path) -> Result<Vec<String>, UprobeError> {
    let shown = path.display().to_string();
    let data = std::fs::read(path).map_err(|source| UprobeError::Io { path: shown.clone(), source })?;
    let file = object::File::parse(&*data).map_err(|e| UprobeError::NotElf { path: shown, message: e.to_string() })?;
    let mut names = BTreeSet::new();
    for sym in file.symbols().chain(file.dynamic_symbols()) {
        if sym.kind() == SymbolKind::Text && sym.is_definition() {
            if let Ok(name) = sym.name() {
                let name = name.split('@').next().unwrap_or(name);
                if !name.is_empty() {
                    names.insert(name.to_string());
                }
            }
        }
    }
    Ok(names.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_binary_itself_has_functions_and_text_files_are_refused() {
        let me = std::env::current_exe().unwrap();
        let names = functions(&me).unwrap();
        assert!(names.iter().any(|n| n == "main"), "{} symbols", names.len());
        let dir = tempfile::tempdir().unwrap();
        let txt = dir.path().join("notes.txt");
        std::fs::write(&txt, "hello").unwrap();
        assert!(matches!(functions(&txt), Err(UprobeError::NotElf { .. })));
        assert!(matches!(functions(&dir.path().join("absent")), Err(UprobeError::Io { .. })));
    }
}
