//! The symbolic executor on arbitrary objects, with its path, step and time bounds in force,
//! and the safety gate that reads the same objects. Each input gets 50 ms of CPU time, not the
//! 8 s `kgent verify` allows an object: after the corpus grows into many-path programs, inputs
//! at the full budget ran at 2.6 s each, nearly all of it inside z3, and the fuzzer's rate fell
//! from 600 a second to under 40. Past the budget the executor answers `Unknown`, the same code
//! whatever the budget.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use kgent::comprehend::Properties;
use kgent::verify::safety::{check_object, Allowed};
use kgent::verify::symbolic::exec::Deadline;
use kgent::verify::symbolic::{verify_within, Tracefs};
use libfuzzer_sys::fuzz_target;

fn props() -> &'static Properties {
    static P: OnceLock<Properties> = OnceLock::new();
    P.get_or_init(|| "event: tracepoint:syscalls:sys_enter_openat\nfilter: pid == 42\nemit: comm, filename\naggregate: count by comm\n".parse().expect("valid properties"))
}

fuzz_target!(|data: &[u8]| {
    let _ = verify_within(data, props(), &Tracefs::NONE, Deadline::after(Duration::from_millis(50)));
    let _ = check_object(data, Allowed::default());
});
