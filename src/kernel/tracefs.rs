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
    /// The names tracefs prints for the field's values (`__print_symbolic` in the format's print
    /// line): `tlb_flush`'s `reason` 1 is "remote shootdown", `kfree_skb`'s 3 is "NO_SOCKET".
    /// How a request's words for a value become the number a program compares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<Symbol>,
    /// The names tracefs prints for the field's bits (`__print_flags`): `sched_switch`'s
    /// `prev_state` bit 0x2 is "D", the state `ps` calls uninterruptible sleep.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Symbol>,
}

/// One value of a field with the name tracefs prints for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Symbol {
    pub value: i64,
    pub name: String,
}

impl Field {
    pub fn new(name: impl Into<String>, ty: impl Into<String>) -> Field {
        Field { name: name.into(), ty: ty.into(), symbols: Vec::new(), flags: Vec::new() }
    }
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
    let mut symbols = print_symbols(text);
    let mut flags = print_flags(text);
    parse_layout(text)
        .into_iter()
        .filter(|s| !s.field.name.starts_with("common_"))
        .map(|s| Field { symbols: symbols.remove(&s.field.name).unwrap_or_default(), flags: flags.remove(&s.field.name).unwrap_or_default(), ..s.field })
        .collect()
}

/// The bit names of each field the print line shows with `__print_flags(REC->NAME …, "|", {
/// BIT, "NAME" }, …)`; the field may be masked first (`REC->prev_state & (…)`). Only a whole
/// table of single bits counts.
fn print_flags(text: &str) -> std::collections::HashMap<String, Vec<Symbol>> {
    let mut out = std::collections::HashMap::new();
    let Some(line) = text.lines().find_map(|l| l.strip_prefix("print fmt:")) else { return out };
    for (at, opening) in line.match_indices("__print_flags(REC->") {
        let rest = &line[at + opening.len()..];
        let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let field = &rest[..name_end];
        // The table follows the separator string (`…, "|", { 0x00000001, "S" }, …`), within
        // this call: not the next one's.
        let own = &rest[..rest.find("__print_").unwrap_or(rest.len())];
        let Some(sep) = own.find("\"|\",") else { continue };
        let bits = table(&own[sep + 4..]).filter(|bits| bits.iter().all(|b| b.value > 0 && b.value.count_ones() == 1));
        if let (Some(bits), false) = (bits, field.is_empty()) {
            out.entry(field.to_string()).or_insert(bits);
        }
    }
    out
}

/// The value names of each field the print line shows with `__print_symbolic(REC->NAME, { V,
/// "NAME" }, …)`. Only plain numbers count as values (`2`, `0x20`, `-1`, `1ULL`); a table whose
/// values are expressions, or whose field is a computed one, is left out rather than guessed.
fn print_symbols(text: &str) -> std::collections::HashMap<String, Vec<Symbol>> {
    let mut out = std::collections::HashMap::new();
    let Some(line) = text.lines().find_map(|l| l.strip_prefix("print fmt:")) else { return out };
    for (at, opening) in line.match_indices("__print_symbolic(REC->") {
        // One of two tables a ternary picks (`kvm_exit`'s VMX or SVM reasons) holds only
        // sometimes.
        if line[..at].trim_end().ends_with(['?', ':']) {
            continue;
        }
        let rest = &line[at + opening.len()..];
        let Some(comma) = rest.find(',') else { continue };
        let field = &rest[..comma];
        if !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(symbols) = table(&rest[comma + 1..]) {
            out.entry(field.to_string()).or_insert(symbols);
        }
    }
    out
}

/// The `{ V, "NAME" }` pairs at the start of `body`, up to the table's closing parenthesis;
/// `None` for an empty table or one with an entry this cannot read (a partial table is left
/// out rather than guessed). A name that is not a string (`{ -1, ((void *)0) }`) names nothing.
fn table(mut body: &str) -> Option<Vec<Symbol>> {
    let mut symbols = Vec::new();
    while let Some((entry, after)) = body.trim_start().strip_prefix('{').and_then(|e| e.split_once('}')) {
        let (value, name) = entry.split_once(',')?;
        match (literal(value), string(name)) {
            (Some(value), Some(name)) => symbols.push(Symbol { value, name }),
            (Some(_), None) if name.trim().starts_with("((void") => {}
            _ => return None,
        }
        body = after.trim_start().strip_prefix(',').unwrap_or(after);
    }
    (!symbols.is_empty()).then_some(symbols)
}

/// A C string, adjacent literals joined (`"KVM_EXIT_" "HLT"` is `KVM_EXIT_HLT`); `None` for
/// anything else or an empty string.
fn string(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('"')?;
        let end = inner.find('"')?;
        out.push_str(&inner[..end]);
        rest = inner[end + 1..].trim_start();
    }
    (!out.is_empty()).then_some(out)
}

/// A C integer literal: `12`, `0x1f`, `-1`, `(-1)`, `1ULL`.
fn literal(s: &str) -> Option<i64> {
    let s = s.trim().trim_start_matches('(').trim_end_matches(')').trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let s = s.trim_end_matches(['U', 'L', 'u', 'l']);
    let n = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok()?,
        None => s.parse::<i64>().ok()?,
    };
    Some(if negative { -n } else { n })
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
            Some(Slot { field: Field::new(name, ty), offset, size, signed })
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
    fn value_names_come_from_the_print_line() {
        let tlb = "name: tlb_flush\nformat:\n\tfield:int reason;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:unsigned long pages;\toffset:16;\tsize:8;\tsigned:0;\n\n\
            print fmt: \"pages:%ld reason:%s (%d)\", REC->pages, __print_symbolic(REC->reason, { 0, \"flush on task switch\" }, { 1, \"remote shootdown\" }, { 0x2, \"local shootdown\" }, { (-1), \"none\" }, { 7, ((void *)0) }), REC->reason\n";
        let fields = parse_format(tlb);
        let names: Vec<(i64, &str)> = fields[0].symbols.iter().map(|s| (s.value, s.name.as_str())).collect();
        assert_eq!(names, [(0, "flush on task switch"), (1, "remote shootdown"), (2, "local shootdown"), (-1, "none")]);
        assert!(fields[1].symbols.is_empty());
        // A computed field or values that are expressions are left out, not guessed.
        let computed = "format:\n\tfield:int ioprio;\toffset:8;\tsize:4;\tsigned:1;\n\nprint fmt: \"%s\", __print_symbolic((((REC->ioprio) >> 13) & 7), { 1, \"RT\" }), __print_symbolic(REC->ioprio, { ((1UL) << 3), \"X\" })\n";
        assert!(parse_format(computed)[0].symbols.is_empty());
        assert!(parse_format(OPENAT).iter().all(|f| f.symbols.is_empty() && f.flags.is_empty()));
        // Bits by name, the field masked first (`sched_switch`'s task state).
        let switch = "format:\n\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n\n\
            print fmt: \"prev_state=%s%s\", (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002) + 1) << 1) - 1), \"|\", { 0x00000001, \"S\" }, { 0x00000002, \"D\" }) : \"R\", REC->prev_state & 4 ? \"+\" : \"\"\n";
        let flags: Vec<(i64, String)> = parse_format(switch)[0].flags.iter().map(|s| (s.value, s.name.clone())).collect();
        assert_eq!(flags, [(1, "S".to_string()), (2, "D".to_string())]);
        // Adjacent literals are one name; a table a ternary picks, or one partly read, is left out.
        let kvm = "format:\n\tfield:int reason;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:int isa;\toffset:12;\tsize:4;\tsigned:1;\n\tfield:int flags;\toffset:16;\tsize:4;\tsigned:1;\n\n\
            print fmt: \"%s %s %s\", __print_symbolic(REC->reason, { 5, \"KVM_EXIT_\" \"HLT\" }), (REC->isa == 1) ? __print_symbolic(REC->isa, { 1, \"VMX\" }) : \"x\", __print_symbolic(REC->flags, { 1, \"real\" }, { (1 << 2), \"prot16\" })\n";
        let fields = parse_format(kvm);
        assert_eq!(fields[0].symbols, [Symbol { value: 5, name: "KVM_EXIT_HLT".into() }]);
        assert!(fields[1].symbols.is_empty() && fields[2].symbols.is_empty());
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
