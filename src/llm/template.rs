//! The chat format the model was trained on, in one place.

use serde::Serialize;

/// How a chat is laid out in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChatTemplate {
    /// `<|im_start|>role\n…<|im_end|>\n`, as Qwen2.5 was trained.
    ChatMl,
}

impl ChatTemplate {
    /// Qwen2.5's own template inserts this system message when the caller gives none.
    pub const DEFAULT_SYSTEM: &'static str = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    pub fn system(self, text: &str) -> String {
        format!("<|im_start|>system\n{text}<|im_end|>\n")
    }

    /// A user turn followed by the header the assistant's reply continues from.
    pub fn user(self, text: &str) -> String {
        format!("<|im_start|>user\n{text}<|im_end|>\n<|im_start|>assistant\n")
    }

    /// What closes an assistant reply in the transcript.
    pub fn end_of_reply(self) -> &'static str {
        "<|im_end|>\n"
    }
}
