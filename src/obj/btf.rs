//! A reader for BTF, the kernel's type format (`/sys/kernel/btf/vmlinux`, and the `.BTF` section of
//! BPF objects): enough to name every type and print every function's prototype.
//!
//! Written here rather than taken from a crate: the maintained BTF crates are either LGPL or keep
//! their type tables private, and the format is small and stable (kernel `Documentation/bpf/btf.rst`).

use std::fmt::Write as _;

const MAGIC: u16 = 0xeb9f;

/// The kinds this reader distinguishes; numbering is the kernel's `BTF_KIND_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Void,
    Int,
    Ptr,
    Array,
    Struct,
    Union,
    Enum,
    Fwd,
    Typedef,
    Volatile,
    Const,
    Restrict,
    Func,
    FuncProto,
    Var,
    Datasec,
    Float,
    DeclTag,
    TypeTag,
    Enum64,
}

impl Kind {
    fn from_raw(k: u32) -> Option<Kind> {
        use Kind::*;
        Some(match k {
            0 => Void,
            1 => Int,
            2 => Ptr,
            3 => Array,
            4 => Struct,
            5 => Union,
            6 => Enum,
            7 => Fwd,
            8 => Typedef,
            9 => Volatile,
            10 => Const,
            11 => Restrict,
            12 => Func,
            13 => FuncProto,
            14 => Var,
            15 => Datasec,
            16 => Float,
            17 => DeclTag,
            18 => TypeTag,
            19 => Enum64,
            _ => return None,
        })
    }
}

/// One member of a struct or union, or one parameter of a function prototype.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub type_id: u32,
    /// Bit offset in the struct (0 for parameters).
    pub offset: u32,
}

/// One BTF type. `type_id` is the referenced type for pointers, modifiers, typedefs, functions
/// (their prototype), arrays (element) and prototypes (return type).
#[derive(Debug, Clone)]
pub struct Type {
    pub kind: Kind,
    pub name: String,
    pub type_id: u32,
    pub size: u32,
    pub members: Vec<Member>,
    pub kind_flag: bool,
    /// For integers: whether the kernel marked it signed.
    pub signed: bool,
}

/// A parsed BTF blob: types by id (id 0 is void).
#[derive(Debug, Clone)]
pub struct Btf {
    types: Vec<Type>,
}

#[derive(Debug, thiserror::Error)]
#[error("malformed BTF: {0}")]
pub struct BtfError(String);

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn u32(&mut self) -> Result<u32, BtfError> {
        let bytes = self.data.get(self.pos..self.pos + 4).ok_or_else(|| BtfError("type section ends mid-record".into()))?;
        self.pos += 4;
        Ok(u32::from_le_bytes(bytes.try_into().expect("4 bytes")))
    }
}

impl Btf {
    /// Parses a little-endian BTF blob.
    pub fn parse(data: &[u8]) -> Result<Btf, BtfError> {
        let u16_at = |o: usize| data.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
        let u32_at = |o: usize| data.get(o..o + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")));
        if u16_at(0) != Some(MAGIC) {
            return Err(BtfError("bad magic (not little-endian BTF)".into()));
        }
        let field = |o| u32_at(o).map(|v| v as usize).ok_or_else(|| BtfError("truncated header".into()));
        let hdr_len = field(4)?;
        let (type_off, type_len, str_off, str_len) = (field(8)?, field(12)?, field(16)?, field(20)?);
        let section = |off: usize, len: usize| data.get(hdr_len + off..hdr_len + off + len).ok_or_else(|| BtfError("section outside the blob".into()));
        let type_data = section(type_off, type_len)?;
        let strings = section(str_off, str_len)?;
        let string =
            |off: u32| -> String { strings.get(off as usize..).and_then(|s| s.split(|&b| b == 0).next()).map(|s| String::from_utf8_lossy(s).into_owned()).unwrap_or_default() };

        let mut types = vec![Type { kind: Kind::Void, name: "void".into(), type_id: 0, size: 0, members: vec![], kind_flag: false, signed: false }];
        let mut c = Cursor { data: type_data, pos: 0 };
        while c.pos < type_data.len() {
            let name = string(c.u32()?);
            let info = c.u32()?;
            let size_or_type = c.u32()?;
            let vlen = (info & 0xffff) as usize;
            let kind = Kind::from_raw((info >> 24) & 0x1f).ok_or_else(|| BtfError(format!("unknown kind {}", (info >> 24) & 0x1f)))?;
            let mut t = Type { kind, name, type_id: size_or_type, size: 0, members: Vec::new(), kind_flag: info >> 31 == 1, signed: false };
            match kind {
                Kind::Int => {
                    t.size = size_or_type;
                    t.signed = (c.u32()? >> 24) & 1 == 1;
                }
                Kind::Array => {
                    t.type_id = c.u32()?;
                    c.u32()?; // index type
                    t.size = c.u32()?; // element count
                }
                Kind::Struct | Kind::Union => {
                    t.size = size_or_type;
                    for _ in 0..vlen {
                        let name = string(c.u32()?);
                        let type_id = c.u32()?;
                        let offset = c.u32()?;
                        t.members.push(Member { name, type_id, offset });
                    }
                }
                Kind::Enum => {
                    t.size = size_or_type;
                    c.pos += 8 * vlen;
                }
                Kind::Enum64 => {
                    t.size = size_or_type;
                    c.pos += 12 * vlen;
                }
                Kind::FuncProto => {
                    for _ in 0..vlen {
                        let name = string(c.u32()?);
                        let type_id = c.u32()?;
                        t.members.push(Member { name, type_id, offset: 0 });
                    }
                }
                Kind::Var | Kind::DeclTag => {
                    c.u32()?;
                }
                // Each variable of a data section, as a member at its byte offset.
                Kind::Datasec => {
                    for _ in 0..vlen {
                        let type_id = c.u32()?;
                        let offset = c.u32()?;
                        c.u32()?; // size
                        t.members.push(Member { name: String::new(), type_id, offset });
                    }
                }
                Kind::Float => t.size = size_or_type,
                _ => {}
            }
            types.push(t);
        }
        Ok(Btf { types })
    }

    pub fn get(&self, id: u32) -> Option<&Type> {
        self.types.get(id as usize)
    }

    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.len() <= 1
    }

    /// The type behind typedefs and qualifiers (`const volatile u32` → the `unsigned int`).
    pub fn resolve(&self, mut id: u32) -> u32 {
        for _ in 0..32 {
            match self.get(id) {
                Some(t) if matches!(t.kind, Kind::Typedef | Kind::Const | Kind::Volatile | Kind::Restrict | Kind::TypeTag) => id = t.type_id,
                _ => break,
            }
        }
        id
    }

    /// The size in bytes of a value of type `id`, when it has one.
    pub fn size_of(&self, id: u32) -> Option<u32> {
        self.size_of_depth(id, 0)
    }

    /// Arrays nest only so deep: a malformed blob's array of itself has no size.
    fn size_of_depth(&self, id: u32, depth: usize) -> Option<u32> {
        let t = self.get(self.resolve(id))?;
        match t.kind {
            Kind::Int | Kind::Struct | Kind::Union | Kind::Enum | Kind::Float => Some(t.size),
            Kind::Ptr => Some(8),
            Kind::Array if depth < 16 => self.size_of_depth(t.type_id, depth + 1)?.checked_mul(t.size),
            _ => None,
        }
    }

    /// The first type of `kind` named `name`.
    pub fn find(&self, kind: Kind, name: &str) -> Option<u32> {
        self.types.iter().position(|t| t.kind == kind && t.name == name).map(|i| i as u32)
    }

    /// Every function (`BTF_KIND_FUNC`) with its prototype's parameters and return type.
    pub fn functions(&self) -> impl Iterator<Item = (&str, &Type)> + '_ {
        self.types.iter().filter(|t| t.kind == Kind::Func).filter_map(|f| {
            let proto = self.get(f.type_id).filter(|p| p.kind == Kind::FuncProto)?;
            Some((f.name.as_str(), proto))
        })
    }

    /// C spelling of a type: `const char *`, `struct sock *`, `u32`.
    pub fn type_name(&self, id: u32) -> String {
        self.type_name_depth(id, 0)
    }

    fn type_name_depth(&self, id: u32, depth: usize) -> String {
        let Some(t) = self.get(id) else {
            return format!("<type {id}>");
        };
        if depth > 16 {
            return "...".into();
        }
        let inner = || self.type_name_depth(t.type_id, depth + 1);
        match t.kind {
            Kind::Void => "void".into(),
            Kind::Int | Kind::Float | Kind::Typedef => t.name.clone(),
            Kind::Struct => format!("struct {}", t.name),
            Kind::Union => format!("union {}", t.name),
            Kind::Enum | Kind::Enum64 => format!("enum {}", t.name),
            Kind::Fwd => format!("{} {}", if t.kind_flag { "union" } else { "struct" }, t.name),
            Kind::Ptr => match self.get(t.type_id).map(|p| p.kind) {
                Some(Kind::FuncProto) => "void *".into(),
                _ => format!("{} *", inner()),
            },
            Kind::Const => format!("const {}", inner()),
            Kind::Volatile => format!("volatile {}", inner()),
            Kind::Array => format!("{}[{}]", inner(), t.size),
            Kind::Restrict | Kind::TypeTag | Kind::DeclTag | Kind::Var | Kind::Func => inner(),
            Kind::FuncProto | Kind::Datasec => t.name.clone(),
        }
    }

    /// `int do_sys_openat2(int dfd, const char *filename, struct open_how *how)`.
    pub fn prototype(&self, name: &str, proto: &Type) -> String {
        let mut s = String::new();
        let ret = self.type_name(proto.type_id);
        let sep = if ret.ends_with('*') { "" } else { " " };
        let _ = write!(s, "{ret}{sep}{name}(");
        for (i, p) in proto.members.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            if p.type_id == 0 && p.name.is_empty() {
                s.push_str("...");
                continue;
            }
            let ty = self.type_name(p.type_id);
            let sep = if ty.ends_with('*') { "" } else { " " };
            let _ = write!(s, "{ty}{sep}{}", p.name);
        }
        s.push(')');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a BTF blob: int, const char *, and `int open(int dfd, const char *name)`.
    fn blob() -> Vec<u8> {
        let strings = b"\0int\0char\0open\0dfd\0name\0".to_vec();
        let off = |s: &str| {
            let needle = format!("\0{s}\0");
            strings.windows(needle.len()).position(|w| w == needle.as_bytes()).unwrap() as u32 + 1
        };
        let mut types = Vec::new();
        let mut push = |words: &[u32]| words.iter().for_each(|w| types.extend_from_slice(&w.to_le_bytes()));
        let info = |kind: u32, vlen: u32| kind << 24 | vlen;
        push(&[off("int"), info(1, 0), 4, 0x0100_0020]); // 1: int
        push(&[off("char"), info(1, 0), 1, 8]); // 2: char
        push(&[0, info(10, 0), 2]); // 3: const char
        push(&[0, info(2, 0), 3]); // 4: const char *
        push(&[0, info(13, 2), 1, off("dfd"), 1, off("name"), 4]); // 5: proto
        push(&[off("open"), info(12, 1), 5]); // 6: func
        section(types, strings)
    }

    /// A `.BTF` section: the header, then `types` and `strings`.
    fn section(types: Vec<u8>, strings: Vec<u8>) -> Vec<u8> {
        let mut out = Vec::new();
        for w in [0x0001_eb9fu32, 24, 0, types.len() as u32, types.len() as u32, strings.len() as u32] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        // magic+version+flags share the first word: 0x9f 0xeb, version 1, flags 0.
        out[0..4].copy_from_slice(&[0x9f, 0xeb, 1, 0]);
        out.extend(types);
        out.extend(strings);
        out
    }

    #[test]
    fn prototypes_are_spelled_like_c() {
        let btf = Btf::parse(&blob()).unwrap();
        let (name, proto) = btf.functions().next().unwrap();
        assert_eq!(btf.prototype(name, proto), "int open(int dfd, const char *name)");
    }

    #[test]
    fn an_array_of_itself_has_no_size() {
        // Found by fuzz/fuzz_targets/btf.rs: the recursion overflowed the stack.
        // 1: an array of type 1, 4 elements.
        let types = [0u32, 3 << 24, 0, 1, 1, 4].iter().flat_map(|w| w.to_le_bytes()).collect();
        let btf = Btf::parse(&section(types, b"\0".to_vec())).unwrap();
        assert_eq!(btf.size_of(1), None);
        assert!(btf.type_name(1).contains("..."));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Btf::parse(b"hello").is_err());
        let mut b = blob();
        b.truncate(b.len() - 30);
        assert!(Btf::parse(&b).is_err());
    }
}
