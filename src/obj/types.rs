//! What an object's BTF says about its records and maps: the `struct event` its ring buffers
//! carry, each map's key and value types and sizes, histogram slots. The symbolic verifier reads
//! map sizes from here, `kgent run` decodes what it prints.

use super::btf::{Btf, Kind, Type};

/// The key and value types of one map, from the `.maps` section's BTF (absent for maps declared
/// with `key_size` / `value_size` only).
#[derive(Debug, Clone, Default)]
pub struct MapTypes {
    pub key: Option<u32>,
    pub value: Option<u32>,
}

/// Reads what the object's BTF says about its records and maps.
pub struct Types {
    btf: Option<Btf>,
}

impl Types {
    /// From the object's `.BTF` section; without one every value is printed as integers or hex.
    pub fn of_object(object: &[u8]) -> Types {
        use object::{Object, ObjectSection};
        let btf = object::File::parse(object).ok().and_then(|f| f.section_by_name(".BTF").and_then(|s| s.data().ok().map(|d| d.to_vec()))).and_then(|data| Btf::parse(&data).ok());
        Types { btf }
    }

    /// The record type of ring buffers and perf event arrays: `struct event`.
    pub fn event(&self) -> Option<u32> {
        self.btf.as_ref()?.find(Kind::Struct, "event")
    }

    /// The struct defining map `name`: the type of its variable in the `.maps` data section.
    fn map_def(&self, name: &str) -> Option<(&Btf, &Type)> {
        let btf = self.btf.as_ref()?;
        let sec = btf.get(btf.find(Kind::Datasec, ".maps")?)?;
        let var = sec.members.iter().filter_map(|m| btf.get(m.type_id)).find(|v| v.kind == Kind::Var && v.name == name)?;
        Some((btf, btf.get(btf.resolve(var.type_id))?))
    }

    /// Key and value types of the map called `name` (its definition holds `key` and `value`
    /// pointers to them).
    pub fn map(&self, name: &str) -> MapTypes {
        let Some((btf, def)) = self.map_def(name) else { return MapTypes::default() };
        let pointee = |field: &str| {
            let m = def.members.iter().find(|m| m.name == field)?;
            let ptr = btf.get(btf.resolve(m.type_id)).filter(|t| t.kind == Kind::Ptr)?;
            Some(ptr.type_id)
        };
        MapTypes { key: pointee("key"), value: pointee("value") }
    }

    /// Key and value sizes of map `name`, from `key`/`value` types or `key_size`/`value_size`.
    pub fn map_sizes(&self, name: &str) -> Option<(u32, u32)> {
        let (btf, def) = self.map_def(name)?;
        let types = self.map(name);
        // `__uint(key_size, N)` is a pointer to an array of N ints.
        let declared = |field: &str| {
            let ptr = btf.get(btf.resolve(def.members.iter().find(|m| m.name == field)?.type_id)).filter(|t| t.kind == Kind::Ptr)?;
            btf.get(btf.resolve(ptr.type_id)).filter(|t| t.kind == Kind::Array).map(|a| a.size)
        };
        let key = types.key.and_then(|k| btf.size_of(k)).or_else(|| declared("key_size"))?;
        let value = types.value.and_then(|v| btf.size_of(v)).or_else(|| declared("value_size"))?;
        Some((key, value))
    }

    /// The object's BTF, when it has a `.BTF` section.
    pub fn btf(&self) -> Option<&Btf> {
        self.btf.as_ref()
    }

    /// When the value type is a struct with a `slots` array of integers: the slots' offset, count
    /// and width (libbpf-tools' `struct hist { u32 slots[N]; }`).
    pub fn hist_slots(&self, value: Option<u32>) -> Option<(usize, usize, usize)> {
        let btf = self.btf.as_ref()?;
        let t = btf.get(btf.resolve(value?))?;
        if t.kind != Kind::Struct {
            return None;
        }
        let m = t.members.iter().find(|m| m.name == "slots")?;
        let arr = btf.get(btf.resolve(m.type_id)).filter(|a| a.kind == Kind::Array)?;
        let elem = btf.get(btf.resolve(arr.type_id)).filter(|e| e.kind == Kind::Int)?;
        Some(((m.offset / 8) as usize, arr.size as usize, elem.size as usize))
    }
}
