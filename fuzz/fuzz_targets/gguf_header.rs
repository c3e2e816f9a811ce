//! The GGUF header and metadata reader, and the tokenizer rebuilt from it: any bytes as a model
//! file's start.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kgent::llm::Header::read(&mut std::io::Cursor::new(data), std::path::Path::new("fuzz.gguf"));
});
