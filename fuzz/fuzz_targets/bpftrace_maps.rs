//! bpftrace map inference: any bytes as bpftrace's `--emit-elf` object, read up to the first
//! syscall loading would make.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((_, maps)) = kgent::verify::kernel::bpftrace_programs(data) {
        for m in maps.values() {
            assert!(m.value_size() >= 1);
        }
    }
});
