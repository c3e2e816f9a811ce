//! The ELF reader and the instruction decoder: any bytes, as an object and as raw slots.
//! Decoded instructions encode back to the bytes they came from.
#![no_main]

use kgent::obj::{elf, insn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(programs) = elf::programs(data) {
        // A section's own instructions come first; linked callees only add to them.
        for p in &programs {
            assert!(p.own <= p.insns.len(), "{}: {} own of {}", p.section, p.own, p.insns.len());
        }
    }
    let _ = elf::function_sections(data);
    let _ = elf::code_sections(data);
    let usable = &data[..data.len() - data.len() % 8];
    for (slot, decoded) in insn::decode(usable).iter().enumerate() {
        if let Some(i) = decoded {
            let bytes = i.encode();
            assert_eq!(&bytes[..], &usable[slot * 8..slot * 8 + bytes.len()], "{i:?} at slot {slot}");
        }
    }
});
