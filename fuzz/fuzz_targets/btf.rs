//! The BTF reader: any bytes as a `.BTF` section, then every question callers ask of it.
#![no_main]

use kgent::obj::btf::Btf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(btf) = Btf::parse(data) else { return };
    for id in 0..(btf.len() as u32).min(512) {
        let _ = btf.resolve(id);
        let _ = btf.size_of(id);
        let _ = btf.type_name(id);
        let _ = btf.get(id);
    }
    for (name, proto) in btf.functions().take(64) {
        let _ = btf.prototype(name, proto);
    }
});
