//! What people read while a C program runs: records and map entries decoded through the object's
//! own BTF, printed as `name=value` lines or JSON lines, and histograms drawn the way bpftrace
//! draws them.
//!
//! The conventions the generated C follows (the libbpf system prompt states them): records go
//! through a ring buffer (or perf event array) as a `struct event`; every other hash or array map
//! is printed by name; an array map whose name ends in `_log2` holds log2 histogram buckets (slot
//! `s` counts values in `[2^s, 2^(s+1))`, slot 0 also counts 0), one ending in `_lin<STEP>` holds
//! linear buckets of width STEP, and a value that is a struct with a `slots` array is a histogram
//! per key (libbpf-tools' `struct hist`).

use serde_json::{json, Map as JsonMap, Value};

use crate::obj::btf::{Btf, Kind};
use crate::obj::types::Types;

/// Integers wider than this many bits are printed as hex strings in JSON.
const MAX_JSON_INT_BITS: u32 = 64;

fn uint(bytes: &[u8]) -> u128 {
    bytes.iter().rev().fold(0u128, |acc, b| acc << 8 | *b as u128)
}

/// An integer of 1, 2, 4 or 8 bytes as a number; anything else as hex.
fn raw(bytes: &[u8]) -> Value {
    match bytes.len() {
        1 | 2 | 4 | 8 => json!(uint(bytes) as u64),
        _ => Value::String(hex::encode(bytes)),
    }
}

fn int(bytes: &[u8], signed: bool) -> Value {
    let bits = bytes.len() as u32 * 8;
    if bits > MAX_JSON_INT_BITS || bits == 0 {
        return Value::String(format!("0x{}", hex::encode(bytes.iter().rev().copied().collect::<Vec<_>>())));
    }
    let v = uint(bytes) as u64;
    if signed {
        let shift = 64 - bits;
        json!(((v << shift) as i64) >> shift)
    } else {
        json!(v)
    }
}

/// Whether `id` is spelled as a byte type (`u8`, `__u8`, `uint8_t`): such arrays are data
/// (addresses, hashes), while `char` arrays are text.
fn is_byte_typedef(btf: &Btf, mut id: u32) -> bool {
    for _ in 0..8 {
        let Some(t) = btf.get(id) else { return false };
        if t.kind == Kind::Typedef && matches!(t.name.as_str(), "u8" | "__u8" | "uint8_t" | "__uint8_t") {
            return true;
        }
        if t.kind == Kind::Int && t.name == "unsigned char" {
            return true;
        }
        if !matches!(t.kind, Kind::Typedef | Kind::Const | Kind::Volatile) {
            return false;
        }
        id = t.type_id;
    }
    false
}

/// Decodes `bytes` as type `id` of the object's BTF; without a type, as an unsigned integer of its
/// size (or hex).
pub fn value(types: &Types, id: Option<u32>, bytes: &[u8]) -> Value {
    match (types.btf(), id) {
        (Some(btf), Some(id)) => decode(btf, id, bytes, 0),
        _ => raw(bytes),
    }
}

fn decode(btf: &Btf, id: u32, bytes: &[u8], depth: usize) -> Value {
    let Some(t) = btf.get(btf.resolve(id)) else {
        return raw(bytes);
    };
    if depth > 8 {
        return Value::String(hex::encode(bytes));
    }
    match t.kind {
        Kind::Int => int(&bytes[..(t.size as usize).min(bytes.len())], t.signed),
        Kind::Enum | Kind::Enum64 => int(&bytes[..(t.size as usize).min(bytes.len())], false),
        Kind::Ptr => Value::String(format!("0x{:x}", uint(&bytes[..8.min(bytes.len())]))),
        Kind::Float if bytes.len() >= 8 && t.size == 8 => {
            json!(f64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")))
        }
        Kind::Float if bytes.len() >= 4 => {
            json!(f32::from_le_bytes(bytes[..4].try_into().expect("4 bytes")))
        }
        Kind::Array => {
            let elem_id = t.type_id;
            let elem = btf.get(btf.resolve(elem_id));
            let width = elem.map_or(1, |e| type_size(btf, e)) as usize;
            let n = (t.size as usize).min(bytes.len() / width.max(1));
            if elem.is_some_and(|e| e.kind == Kind::Int && e.size == 1) && !is_byte_typedef(btf, elem_id) {
                let text = &bytes[..n];
                let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
                return Value::String(String::from_utf8_lossy(&text[..end]).into_owned());
            }
            Value::Array((0..n).map(|i| decode(btf, elem_id, &bytes[i * width..(i + 1) * width], depth + 1)).collect())
        }
        Kind::Struct | Kind::Union => {
            let mut out = JsonMap::new();
            for (i, m) in t.members.iter().enumerate() {
                if t.kind == Kind::Union && i > 0 {
                    break; // the first member names a union's bytes
                }
                let (bit_off, bit_size) = if t.kind_flag { (m.offset & 0xff_ffff, m.offset >> 24) } else { (m.offset, 0) };
                let start = (bit_off / 8) as usize;
                let value = if bit_size > 0 {
                    let word = uint(&bytes[start.min(bytes.len())..(start + 8).min(bytes.len())]) as u64;
                    json!((word >> (bit_off % 8)) & ((1u64 << bit_size.min(63)) - 1))
                } else {
                    let size = btf.get(btf.resolve(m.type_id)).map_or(0, |mt| type_size(btf, mt)) as usize;
                    let field = bytes.get(start..(start + size).min(bytes.len())).unwrap_or(&[]);
                    address(btf, &m.name, m.type_id, field).unwrap_or_else(|| decode(btf, m.type_id, field, depth + 1))
                };
                let name = if m.name.is_empty() { format!("_{i}") } else { m.name.clone() };
                out.insert(name, value);
            }
            Value::Object(out)
        }
        _ => Value::String(hex::encode(bytes)),
    }
}

/// A member named like an address (`saddr`, `daddr6`) that holds 4 or 16 bytes reads as an IP
/// address, as bpftrace's `ntop()` would print it.
fn address(btf: &Btf, name: &str, id: u32, bytes: &[u8]) -> Option<Value> {
    if !name.contains("addr") {
        return None;
    }
    let t = btf.get(btf.resolve(id)).filter(|t| t.kind == Kind::Array)?;
    btf.get(btf.resolve(t.type_id)).filter(|e| e.kind == Kind::Int && e.size == 1)?;
    let ip = match bytes.len() {
        4 => std::net::IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?),
        16 => std::net::IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?),
        _ => return None,
    };
    Some(Value::String(ip.to_string()))
}

/// Size in bytes of a resolved type (arrays multiply their element's).
fn type_size(btf: &Btf, t: &crate::obj::btf::Type) -> u32 {
    match t.kind {
        Kind::Array => {
            let elem = btf.get(btf.resolve(t.type_id));
            elem.map_or(0, |e| type_size(btf, e)).saturating_mul(t.size)
        }
        Kind::Ptr => 8,
        _ => t.size,
    }
}

/// A value as text: strings bare, numbers as numbers, structs as `{a: 1, b: x}`.
pub fn text(v: &Value) -> String {
    match v {
        // Kernel memory read wrongly shows up as control bytes; never send those to a terminal.
        Value::String(s) if s.chars().any(char::is_control) => s.escape_debug().to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(text).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!("{{{}}}", o.iter().map(|(k, v)| format!("{k}: {}", text(v))).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// A record as one line: `pid=42 comm=bash filename="/tmp/a b"`.
pub fn record_line(v: &Value) -> String {
    match v {
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| {
                let t = text(v);
                if t.is_empty() || t.contains(char::is_whitespace) {
                    format!("{k}={t:?}")
                } else {
                    format!("{k}={t}")
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => text(other),
    }
}

/// A map key as bpftrace prints it inside `@name[...]`: struct members joined by commas.
pub fn key_text(v: &Value) -> String {
    match v {
        Value::Object(o) => o.values().map(text).collect::<Vec<_>>().join(", "),
        other => text(other),
    }
}

/// How a bucket index turns into a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buckets {
    /// Slot `s` counts `[2^s, 2^(s+1))`; slot 0 also counts 0.
    Log2,
    /// Slot `s` counts `[s*step, (s+1)*step)`.
    Linear { step: u64 },
}

impl Buckets {
    /// From a map's name: `..._log2` or `..._lin<STEP>`.
    pub fn of_map_name(name: &str) -> Option<Buckets> {
        if name.ends_with("_log2") {
            return Some(Buckets::Log2);
        }
        let (_, step) = name.rsplit_once("_lin")?;
        step.parse().ok().filter(|&s| s > 0).map(|step| Buckets::Linear { step })
    }

    /// The half-open range `[lo, hi)` of slot `s`.
    pub fn range(self, s: usize) -> (u64, u64) {
        match self {
            Buckets::Log2 if s == 0 => (0, 2),
            Buckets::Log2 => (1u64.checked_shl(s as u32).unwrap_or(u64::MAX), 1u64.checked_shl(s as u32 + 1).unwrap_or(u64::MAX)),
            Buckets::Linear { step } => ((s as u64).saturating_mul(step), (s as u64 + 1).saturating_mul(step)),
        }
    }
}

/// 1024-based suffixes, as bpftrace labels histogram buckets (`1K`, `4M`).
fn short(v: u64) -> String {
    const SUFFIXES: [&str; 7] = ["", "K", "M", "G", "T", "P", "E"];
    let mut v = v;
    let mut i = 0;
    while v >= 1024 && v.is_multiple_of(1024) && i < SUFFIXES.len() - 1 {
        v /= 1024;
        i += 1;
    }
    format!("{v}{}", SUFFIXES[i])
}

/// bpftrace's bar width.
const BAR: u64 = 52;

/// Draws `counts` (one per slot) as bpftrace draws `hist()` and `lhist()`: only the slots from the
/// first to the last non-empty one, a 16-column range label, an 8-column count and a bar scaled to
/// the largest count.
pub fn render_hist(counts: &[u64], buckets: Buckets) -> String {
    let Some(first) = counts.iter().position(|&c| c > 0) else {
        return String::new();
    };
    let last = counts.iter().rposition(|&c| c > 0).unwrap_or(first);
    let max = counts.iter().copied().max().unwrap_or(1).max(1);
    let mut out = String::new();
    for (s, &count) in counts.iter().enumerate().take(last + 1).skip(first) {
        let (lo, hi) = buckets.range(s);
        let label = format!("[{}, {})", short(lo), short(hi));
        let bar = "@".repeat((count as u128 * BAR as u128 / max as u128) as usize);
        out.push_str(&format!("{label:<16}{count:>8} |{bar:<width$}|\n", width = BAR as usize));
    }
    out
}

/// A histogram as JSON: `[{"min": lo, "max": hi, "count": n}, …]` for non-empty slots.
pub fn hist_json(counts: &[u64], buckets: Buckets) -> Value {
    Value::Array(
        counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(s, &c)| {
                let (lo, hi) = buckets.range(s);
                json!({"min": lo, "max": hi, "count": c})
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_histogram_looks_like_bpftrace() {
        let mut counts = vec![0u64; 12];
        counts[2] = 1;
        counts[3] = 26;
        counts[10] = 13;
        let h = render_hist(&counts, Buckets::Log2);
        let lines: Vec<&str> = h.lines().collect();
        assert_eq!(lines.len(), 9, "{h}");
        assert_eq!(lines[0], format!("[4, 8)                 1 |{:<52}|", "@@"), "1 of 26 is 2 of 52 columns");
        assert_eq!(lines[1], format!("[8, 16)               26 |{}|", "@".repeat(52)));
        assert_eq!(lines[8], format!("[1K, 2K)              13 |{:<52}|", "@".repeat(26)));
    }

    #[test]
    fn linear_buckets_come_from_the_map_name() {
        assert_eq!(Buckets::of_map_name("sizes_lin100"), Some(Buckets::Linear { step: 100 }));
        assert_eq!(Buckets::of_map_name("lat_log2"), Some(Buckets::Log2));
        assert_eq!(Buckets::of_map_name("counts"), None);
        assert_eq!(Buckets::of_map_name("x_lin0"), None);
        let h = render_hist(&[0, 3, 0, 1], Buckets::Linear { step: 10 });
        assert!(h.starts_with("[10, 20)               3 |"), "{h}");
        assert!(h.lines().nth(2).unwrap().starts_with("[30, 40)               1 |"), "{h}");
    }

    #[test]
    fn records_read_as_name_value_pairs() {
        let v = json!({"pid": 42, "comm": "bash", "file": "/tmp/a b", "empty": ""});
        assert_eq!(record_line(&v), "pid=42 comm=bash file=\"/tmp/a b\" empty=\"\"");
        assert_eq!(key_text(&json!({"pid": 1, "comm": "sh"})), "1, sh");
        assert_eq!(record_line(&json!({"path": "a\u{1b}[2Jb"})), "path=a\\u{1b}[2Jb");
    }

    #[test]
    fn integers_keep_their_sign_and_size() {
        assert_eq!(int(&(-5i32).to_le_bytes(), true), json!(-5));
        assert_eq!(int(&(-5i32).to_le_bytes(), false), json!(4294967291u64));
        assert_eq!(raw(&7u64.to_le_bytes()), json!(7));
        assert_eq!(raw(&[1, 2, 3]), json!("010203"));
    }
}
