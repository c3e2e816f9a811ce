//! The property language's parser: any text. What parses prints back to text that parses to
//! the same properties.
#![no_main]

use kgent::comprehend::Properties;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = text.parse::<Properties>() {
        let printed = p.to_string();
        let again: Properties = printed.parse().unwrap_or_else(|e| panic!("{printed:?} does not parse back: {e}"));
        assert_eq!(again, p, "{printed:?}");
    }
});
