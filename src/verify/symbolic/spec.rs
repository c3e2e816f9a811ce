//! Helper specifications (`dataset/specs/helpers.toml`): what each argument must be, checked at
//! every call, and what the result is and shows. A helper without a spec returns an unnamed
//! value and its arguments go unchecked.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::comprehend::Field;

const SPECS: &str = include_str!("../../../dataset/specs/helpers.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arg {
    Map,
    Ctx,
    Key,
    Value,
    Mem,
    MemWrite,
    Size,
    SizeOrZero,
    Record,
    Scalar,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Returns {
    #[default]
    Scalar,
    MapValueOrNull,
    RecordOrNull,
    Void,
}

/// What a helper does besides returning, which the executor models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Writes the current command name into its `mem_write` buffer.
    CopyComm,
    /// Copies bytes from the address in its `any` argument into its `mem_write` buffer.
    ProbeRead,
    /// Stores its `value` under its `key` in its `map`: output user space reads.
    MapUpdate,
    /// Sends a ring-buffer reservation (its `record`) to user space.
    Submit,
    /// Sends its `mem` bytes, `size` long, to user space through its `map`.
    Output,
    /// Writes a line to the trace pipe.
    TracePrintk,
}

/// How a helper acts on the system instead of observing it: the safety gate refuses it unless
/// the user allowed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acts {
    /// On processes or the kernel: signals, memory writes, return overrides, bpf() calls.
    System,
    /// On traffic: rewrites, redirects or steers packets.
    Packets,
}

/// The kind of map a helper's `map` argument must be, when not a hash or array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapKind {
    Hash,
    PerfEventArray,
    StackTrace,
    Ringbuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Helper {
    pub id: i32,
    pub name: String,
    pub args: Vec<Arg>,
    #[serde(default)]
    pub returns: Returns,
    pub origin: Option<String>,
    #[serde(default)]
    pub per_event: bool,
    #[serde(default, deserialize_with = "fields")]
    pub fields: Vec<Field>,
    pub range: Option<(i64, i64)>,
    pub effect: Option<Effect>,
    /// The kind of map its `map` argument is (a hash when not said).
    pub map: Option<MapKind>,
    pub acts: Option<Acts>,
    /// What it does to the system, for the gate's verdict.
    pub does: Option<String>,
}

fn fields<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Field>, D::Error> {
    let names: Vec<String> = Vec::deserialize(d)?;
    names.iter().map(|n| n.parse().map_err(serde::de::Error::custom)).collect()
}

#[derive(Deserialize)]
struct File {
    helper: Vec<Helper>,
}

/// Parses a spec file; an error names the entry that is wrong.
pub fn parse(text: &str) -> Result<BTreeMap<i32, Helper>, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for h in file.helper {
        if h.args.len() > 5 {
            return Err(format!("{}: a helper takes at most 5 arguments", h.name));
        }
        if h.acts.is_some() != h.does.is_some() {
            return Err(format!("{}: a helper that acts on the system says what it does (`acts` and `does` go together)", h.name));
        }
        if let Some(prev) = out.insert(h.id, h) {
            return Err(format!("helper {} is specified twice", prev.id));
        }
    }
    Ok(out)
}

/// The specs shipped with Kgent, by helper number.
pub fn helpers() -> &'static BTreeMap<i32, Helper> {
    static SPECS_PARSED: OnceLock<BTreeMap<i32, Helper>> = OnceLock::new();
    // The file is compiled in and a unit test parses it, so a failure here is a build defect.
    SPECS_PARSED.get_or_init(|| parse(SPECS).expect("dataset/specs/helpers.toml is valid"))
}

/// Which helper an origin name comes from, for the fields it shows.
pub fn fields_of_origin(origin: &str) -> Option<&'static [Field]> {
    helpers().values().find(|h| h.origin.as_deref() == Some(origin)).map(|h| h.fields.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_specs_parse_and_name_the_helpers_programs_use() {
        let h = helpers();
        assert_eq!(h[&1].returns, Returns::MapValueOrNull);
        assert_eq!(h[&14].fields, [Field::Pid, Field::Tid]);
        assert_eq!(h[&25].args[3], Arg::Mem);
        assert!(h[&132].returns == Returns::Void);
        assert_eq!(fields_of_origin("ktime"), Some(&[Field::Latency][..]));
    }

    #[test]
    fn helper_numbers_are_the_kernels() {
        // The UAPI header numbers helpers by their place in __BPF_FUNC_MAPPER; a wrong id would
        // gate or model the wrong call.
        let Ok(header) = std::fs::read_to_string("/usr/include/linux/bpf.h") else { return };
        let Some(start) = header.find("#define __BPF_FUNC_MAPPER(FN") else { return };
        let names: Vec<&str> = header[start..].split("FN(").skip(1).map_while(|s| s.split([')', ',']).next()).take_while(|n| !n.contains('\n')).collect();
        assert!(names.len() > 150, "read {} helper names", names.len());
        for h in helpers().values() {
            assert_eq!(names.get(h.id as usize).map(|n| format!("bpf_{n}")).as_deref(), Some(h.name.as_str()), "helper {}", h.id);
        }
        assert!(helpers().values().filter(|h| h.acts == Some(Acts::System)).any(|h| h.name == "bpf_send_signal"));
    }

    #[test]
    fn a_bad_spec_is_an_error_naming_it() {
        let twice = "[[helper]]\nid = 1\nname = \"a\"\nargs = []\n[[helper]]\nid = 1\nname = \"b\"\nargs = []\n";
        assert!(parse(twice).unwrap_err().contains("twice"));
        let field = "[[helper]]\nid = 1\nname = \"a\"\nargs = []\nfields = [\"colour\"]\n";
        assert!(parse(field).unwrap_err().contains("colour"));
        let arg = "[[helper]]\nid = 1\nname = \"a\"\nargs = [\"pointer\"]\n";
        assert!(parse(arg).is_err());
    }
}
