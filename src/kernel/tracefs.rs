//! Tracepoints and their fields, read from tracefs `events/<category>/<name>/format` files.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One field of a tracepoint record, as bpftrace exposes it under `args`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    /// C type: `const char *`, `int`, `char[16]`, `__data_loc char[]`.
    #[serde(rename = "type")]
    pub ty: String,
}

/// A tracepoint: `category:name` with its fields (the `common_*` header fields left out).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tracepoint {
    pub category: String,
    pub name: String,
    pub fields: Vec<Field>,
}

/// Where tracefs is mounted, preferring the modern path; `None` when neither is readable.
pub fn find_root() -> Option<PathBuf> {
    ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"].into_iter().map(PathBuf::from).find(|p| p.join("events").is_dir())
}

/// Parses one `format` file. Lines look like
/// `\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;`.
pub fn parse_format(text: &str) -> Vec<Field> {
    parse_layout(text).into_iter().filter(|s| !s.field.name.starts_with("common_")).map(|s| s.field).collect()
}

/// A field with where it lies in the record the program's context points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub field: Field,
    pub offset: u32,
    pub size: u32,
    pub signed: bool,
}

/// Every field of a `format` file with its offset and size, the `common_*` header included.
pub fn parse_layout(text: &str) -> Vec<Slot> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.trim().split(';').map(str::trim);
            let (ty, name) = split_decl(parts.next()?.strip_prefix("field:")?.trim())?;
            let mut number = |key: &str| parts.find_map(|p| p.strip_prefix(key)?.parse::<u32>().ok());
            let offset = number("offset:")?;
            let size = number("size:")?;
            let signed = number("signed:") == Some(1);
            Some(Slot { field: Field { name, ty }, offset, size, signed })
        })
        .collect()
}

/// The layout of tracepoint `category:name` on this host, when tracefs is readable.
pub fn layout(category: &str, name: &str) -> Option<Vec<Slot>> {
    let text = fs::read_to_string(find_root()?.join("events").join(category).join(name).join("format")).ok()?;
    Some(parse_layout(&text))
}

/// `const char * filename` → (`const char *`, `filename`); `char comm[16]` → (`char[16]`, `comm`).
fn split_decl(decl: &str) -> Option<(String, String)> {
    // Only a trailing `[N]` belongs to the name; `__data_loc char[] name` keeps its `[]`.
    let (decl, array) = match decl.rfind('[') {
        Some(i) if decl.ends_with(']') => (&decl[..i], &decl[i..]),
        _ => (decl, ""),
    };
    let at = decl.rfind(|c: char| !(c.is_alphanumeric() || c == '_'))? + 1;
    let name = decl[at..].to_string();
    let ty = format!("{}{array}", decl[..at].trim_end());
    (!name.is_empty() && !ty.is_empty()).then_some((ty, name))
}

/// Every tracepoint under `root/events`, sorted; unreadable entries are counted, not fatal.
pub fn read_all(root: &Path) -> std::io::Result<(Vec<Tracepoint>, usize)> {
    let mut out = Vec::new();
    let mut unreadable = 0;
    for cat in fs::read_dir(root.join("events"))?.flatten() {
        if !cat.path().is_dir() {
            continue;
        }
        let category = cat.file_name().to_string_lossy().into_owned();
        let Ok(events) = fs::read_dir(cat.path()) else {
            unreadable += 1;
            continue;
        };
        for ev in events.flatten() {
            let format = ev.path().join("format");
            if !format.is_file() {
                continue;
            }
            match fs::read_to_string(&format) {
                Ok(text) => out.push(Tracepoint { category: category.clone(), name: ev.file_name().to_string_lossy().into_owned(), fields: parse_format(&text) }),
                Err(_) => unreadable += 1,
            }
        }
    }
    out.sort_by(|a, b| (&a.category, &a.name).cmp(&(&b.category, &b.name)));
    Ok((out, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENAT: &str = "name: sys_enter_openat\nID: 782\nformat:\n\
        \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\
        \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\
        \tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n\
        \tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n\
        \tfield:char comm[16];\toffset:32;\tsize:16;\tsigned:0;\n\
        \tfield:__data_loc char[] name;\toffset:48;\tsize:4;\tsigned:0;\n\n\
        print fmt: \"dfd: 0x%08lx\", ((unsigned long)(REC->dfd))\n";

    #[test]
    fn fields_keep_their_c_types_and_drop_the_common_header() {
        let fields = parse_format(OPENAT);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|f| (f.name.as_str(), f.ty.as_str())).collect();
        assert_eq!(pairs, [("__syscall_nr", "int"), ("filename", "const char *"), ("comm", "char[16]"), ("name", "__data_loc char[]")]);
    }

    #[test]
    fn a_directory_tree_like_tracefs_is_read_and_bad_entries_counted() {
        let dir = tempfile::tempdir().unwrap();
        let ev = dir.path().join("events/syscalls/sys_enter_openat");
        fs::create_dir_all(&ev).unwrap();
        fs::write(ev.join("format"), OPENAT).unwrap();
        fs::create_dir_all(dir.path().join("events/sched/sched_switch/format")).unwrap(); // a dir, not a file
        let (tps, bad) = read_all(dir.path()).unwrap();
        assert_eq!(tps.len(), 1);
        assert_eq!(tps[0].category, "syscalls");
        assert_eq!(bad, 0);
        assert!(read_all(&dir.path().join("missing")).is_err());
    }
}
