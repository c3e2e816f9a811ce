//! The real Qwen2.5-Coder 0.5B model (fetched by `.ci/run` with `kgent model pull`). Without it
//! these tests say so and skip, unless KGENT_REQUIRE_MODEL=1 (set in CI) makes that a failure.

use kgent::llm::{Chat, Device, GenerateOptions, Model, StopReason};
use kgent::store::{Manifest, Store};

const SMALL: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

fn real_model() -> Option<Model> {
    let manifest = Manifest::load().unwrap();
    let resolved = match Store::open_default().unwrap().resolve(&manifest, Some(SMALL)) {
        Ok(r) => r,
        Err(e) if std::env::var("KGENT_REQUIRE_MODEL").is_ok_and(|v| v == "1") => {
            panic!("KGENT_REQUIRE_MODEL=1 but the model is unusable: {e}")
        }
        Err(e) => {
            eprintln!("skipping: {e}");
            return None;
        }
    };
    Some(Model::load(&resolved.path, &resolved.name, &Device::Cpu).unwrap())
}

#[test]
fn real_model_follows_an_exact_reply_instruction_and_its_tokenizer_matches_qwen() {
    let Some(mut model) = real_model() else { return };
    // Qwen2's ChatML specials are single ids in the real vocabulary.
    assert_eq!(model.encode("<|im_start|>").unwrap(), [151644]);
    assert_eq!(model.encode("<|im_end|>").unwrap(), [151645]);
    assert!(model.is_stop(151645));
    let text = "tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }\n";
    assert_eq!(model.decode(&model.encode(text).unwrap()).unwrap(), text);

    let mut chat = Chat::new(&mut model, None).unwrap();
    let opts = GenerateOptions { max_tokens: 16, ..Default::default() };
    let reply = chat.send("Reply with exactly: OK", &opts, &mut |_| {}).unwrap();
    assert_eq!(reply.text.trim(), "OK");
    assert_eq!(reply.stop, StopReason::EndOfTurn);
    // A follow-up turn prefills only its own tokens, not the whole conversation again.
    let before = chat.cached_len();
    let second = chat.send("Now reply with exactly: YES", &opts, &mut |_| {}).unwrap();
    assert!(second.prompt_tokens < before, "{} new vs {before} cached", second.prompt_tokens);
    assert_eq!(second.text.trim(), "YES");
}
