//! Function symbols of a user-space binary or library, the places a uprobe can attach.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use object::{Object, ObjectSymbol, SymbolKind};

use super::Field;

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

/// Whether `binary` is the C library (`libc.so.6`), wherever it lies.
pub fn is_c_library(binary: &Path) -> bool {
    binary.file_name().is_some_and(|f| f.to_string_lossy().starts_with("libc.so"))
}

/// Where the C library's declarations live: its headers, and the multiarch directories'
/// `sys/` (`syslog()` is declared in `<x86_64-linux-gnu/sys/syslog.h>`).
pub fn header_files(root: &Path) -> Vec<PathBuf> {
    let headers = |dir: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "h") && p.is_file()).collect();
        files.sort();
        files
    };
    let mut files = headers(root);
    let mut arch: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("sys"))
        .filter(|p| p.is_dir() && p.parent().is_some_and(|d| d.file_name().is_some_and(|n| n.to_string_lossy().contains("-linux-"))))
        .collect();
    arch.sort();
    files.extend(arch.iter().flat_map(|d| headers(d)));
    files
}

/// A library function's declaration: its prototype as the header writes it, and its
/// parameters in register order (`arg0` first), named without glibc's `__` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub prototype: String,
    pub params: Vec<Field>,
}

/// The functions the headers in `files` declare `extern`, first declaration first: a library
/// has no types of its own (no BTF, rarely DWARF), so its headers are what says that
/// `system()`'s `arg0` is the command string. A variadic tail is left out; a function
/// pointer is a code address.
pub fn declarations(files: &[PathBuf]) -> HashMap<String, Declaration> {
    let mut out = HashMap::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for (name, decl) in declared(&text) {
            out.entry(name).or_insert(decl);
        }
    }
    out
}

fn declared(text: &str) -> Vec<(String, Declaration)> {
    static COMMENT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let comment = COMMENT.get_or_init(|| regex::Regex::new(r"(?s)/\*.*?\*/|//[^\n]*").expect("a valid regex"));
    let code = comment.replace_all(text, " ");
    // Preprocessor lines (with their continuations) declare nothing.
    let mut lines = Vec::new();
    let mut continued = false;
    for line in code.lines() {
        let directive = continued || line.trim_start().starts_with('#');
        continued = directive && line.trim_end().ends_with('\\');
        if !directive {
            lines.push(line);
        }
    }
    let code = without_cpp_blocks(&lines.join("\n"));
    let mut out = Vec::new();
    for statement in code.split([';', '{', '}']) {
        let statement = statement.split_whitespace().collect::<Vec<_>>().join(" ");
        // C++'s overloads (string.h's `char *strchr (char *__s, int __c)`) are not the C function.
        if statement.contains("\"C++\"") {
            continue;
        }
        // After whatever macro opened the block without a semicolon (`__BEGIN_DECLS`).
        let Some(at) = statement.match_indices("extern ").map(|(i, _)| i).filter(|&i| i == 0 || statement[..i].ends_with(' ')).last() else { continue };
        let rest = &statement[at + "extern ".len()..];
        let Some(open) = rest.find('(') else { continue };
        let head = rest[..open].trim_end();
        let name = head.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or_default();
        let ret = head[..head.len() - name.len()].trim();
        // Not glibc's own (`__REDIRECT`, `__sysv_signal`), nor a pointer to a function.
        if name.is_empty() || name.starts_with("__") || ret.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let Some(close) = matching(rest, open, ('(', ')')) else { continue };
        let inner = &rest[open + 1..close];
        let mut params = Vec::new();
        for p in split_top(inner) {
            let p = p.trim();
            if p.is_empty() || p == "void" || p == "..." {
                continue;
            }
            params.push(param(p, params.len()));
        }
        out.push((name.to_string(), Declaration { prototype: format!("{ret} {name}({inner})").replace("* ", "*").replace(" (", "("), params }));
    }
    out
}

/// `code` without the bodies of its `extern "C++" { … }` blocks.
fn without_cpp_blocks(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("extern \"C++\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "extern \"C++\"".len()..];
        let trimmed = after.trim_start();
        if !trimmed.starts_with('{') {
            // One declaration: its statement is skipped by its mark.
            out.push_str("extern \"C++\"");
            rest = after;
            continue;
        }
        let open = after.len() - trimmed.len();
        let end = matching(after, open, ('{', '}')).map_or(after.len(), |close| close + 1);
        out.push(';');
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Where the bracket `pair.1` closes the `pair.0` at `open`.
fn matching(s: &str, open: usize, pair: (char, char)) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices().skip_while(|(i, _)| *i < open) {
        if c == pair.0 {
            depth += 1;
        } else if c == pair.1 {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

fn split_top(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut from) = (Vec::new(), 0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[from..]);
    out
}

/// One parameter: `const char *__restrict __filename` is `filename`, a `const char *`.
fn param(p: &str, index: usize) -> Field {
    let ident = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !s.is_empty();
    // A function pointer, `void *(*__start_routine) (void *)`.
    if let Some(at) = p.find("(*") {
        let inner = p[at + 2..].split(')').next().unwrap_or_default();
        let name = inner.trim().trim_start_matches('_');
        let ty = format!("{}(*){}", p[..at].trim_end(), p[at + 2 + inner.len() + 1..].trim_start()).replace(" (", "(");
        return Field::new(if ident(name) { name.to_string() } else { format!("arg{index}") }, ty);
    }
    // An array parameter is a pointer (`char *const __argv[]` is `char *const *`).
    let arrays = p.matches('[').count();
    let p = p.split('[').next().unwrap_or(p);
    let words: Vec<&str> = p.split(|c: char| c.is_whitespace() || c == '*').filter(|w| !w.is_empty() && *w != "__restrict" && *w != "restrict").collect();
    const TYPE_WORDS: &[&str] = &["const", "volatile", "unsigned", "signed", "int", "long", "short", "char", "void", "struct", "union", "enum", "double", "float", "_Bool"];
    let last = words.last().copied().unwrap_or_default();
    let named = words.len() > 1 && ident(last) && !TYPE_WORDS.contains(&last) && !(words.len() == 2 && ["struct", "union", "enum"].contains(&words[0]));
    let (name, ty_words) = if named { (last.trim_start_matches('_').to_string(), &words[..words.len() - 1]) } else { (format!("arg{index}"), &words[..]) };
    let stars = p.matches('*').count() + arrays;
    let ty = format!("{}{}{}", ty_words.join(" "), if stars > 0 { " " } else { "" }, "*".repeat(stars));
    Field::new(if name.is_empty() { format!("arg{index}") } else { name }, ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_are_read_the_way_glibc_writes_them() {
        let header = "/* Execute the given line as a shell command. */\n#ifdef __USE_MISC\n__BEGIN_DECLS\nextern int system (const char *__command) __wur;\n#endif\n\
            extern FILE *fopen (const char *__restrict __filename,\n\t\t    const char *__restrict __modes)\n  __attribute_malloc__ __wur;\n\
            extern FILE *__REDIRECT (fopen, (const char *__restrict __filename, const char *__restrict __modes), fopen64) __wur;\n\
            extern int pthread_create (pthread_t *__restrict __newthread,\n const pthread_attr_t *__restrict __attr,\n void *(*__start_routine) (void *),\n void *__restrict __arg) __THROWNL __nonnull ((1, 3));\n\
            extern void syslog (int __pri, const char *__fmt, ...)\n     __attribute__ ((__format__ (__printf__, 2, 3)));\n\
            extern \"C++\"\n{\nextern char *strchr (char *__s, int __c) __THROW;\n__extern_always_inline char *strchr (char *__s, int __c) { return __builtin_strchr (__s, __c); }\n}\n\
            extern char *strchr (const char *__s, int __c) __THROW;\nextern int execv (const char *__path, char *const __argv[]) __THROW;\nextern int pipe (int __pipedes[2]) __THROW __wur;\n\
            extern int rand (void) __THROW;\nextern int (*hook_ptr) (int);\nextern char **environ;\nextern int dup2 (int, int);\n";
        let got: HashMap<String, Declaration> = declared(header).into_iter().collect();
        let params = |f: &str| got[f].params.iter().map(|p| format!("{}:{}", p.name, p.ty)).collect::<Vec<_>>();
        assert_eq!(params("system"), ["command:const char *"]);
        assert_eq!(params("fopen"), ["filename:const char *", "modes:const char *"]);
        assert_eq!(params("pthread_create"), ["newthread:pthread_t *", "attr:const pthread_attr_t *", "start_routine:void *(*)(void *)", "arg:void *"]);
        assert_eq!(params("syslog"), ["pri:int", "fmt:const char *"]);
        assert_eq!(params("dup2"), ["arg0:int", "arg1:int"]);
        assert!(params("rand").is_empty());
        // Arrays are pointers; C++'s overloads are not the C function.
        assert_eq!(params("execv"), ["path:const char *", "argv:char const **"]);
        assert_eq!(params("pipe"), ["pipedes:int *"]);
        assert_eq!(params("strchr"), ["s:const char *", "c:int"]);
        assert_eq!(got["system"].prototype, "int system(const char *__command)");
        assert!(!got.contains_key("__REDIRECT") && !got.contains_key("hook_ptr") && !got.contains_key("environ"), "{:?}", got.keys());
    }

    #[test]
    fn the_hosts_c_library_headers_declare_its_functions_where_installed() {
        let files = header_files(Path::new("/usr/include"));
        if !Path::new("/usr/include/stdlib.h").exists() {
            assert!(!declarations(&files).contains_key("system"));
            return;
        }
        let got = declarations(&files);
        assert_eq!(got["system"].params, [Field::new("command", "const char *")]);
        assert_eq!(got["dlopen"].params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["file", "mode"]);
        assert_eq!(got["syslog"].params.len(), 2, "{:?}", got["syslog"]);
    }

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
