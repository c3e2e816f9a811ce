//! The symbolic executor on arbitrary objects, with its path, step and time bounds in force,
//! and the safety gate that reads the same objects.
#![no_main]

use std::sync::OnceLock;

use kgent::comprehend::Properties;
use kgent::verify::safety::{check_object, Allowed};
use kgent::verify::symbolic::{verify, Tracefs};
use libfuzzer_sys::fuzz_target;

fn props() -> &'static Properties {
    static P: OnceLock<Properties> = OnceLock::new();
    P.get_or_init(|| "event: tracepoint:syscalls:sys_enter_openat\nfilter: pid == 42\nemit: comm, filename\naggregate: count by comm\n".parse().expect("valid properties"))
}

fuzz_target!(|data: &[u8]| {
    let _ = verify(data, props(), &Tracefs::NONE);
    let _ = check_object(data, Allowed::default());
});
