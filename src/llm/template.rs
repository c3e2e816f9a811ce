//! The chat format the model was trained on, in one place. A turn is a list of [`Piece`]s: the
//! control tokens Kgent places, and text. Text is always encoded as text, so a request, an
//! example or a reply that spells `<|im_start|>` cannot open a turn of its own.

use serde::Serialize;

/// How a chat is laid out in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChatTemplate {
    /// `<|im_start|>role\n…<|im_end|>\n`, as Qwen2.5 was trained.
    ChatMl,
}

/// One part of a turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A control token, by its spelling in the vocabulary: encoded as its single id.
    Control(&'static str),
    /// Text, encoded with special-token parsing off.
    Text(String),
}

const IM_START: &str = "<|im_start|>";
const IM_END: &str = "<|im_end|>";

impl ChatTemplate {
    /// Qwen2.5's own template inserts this system message when the caller gives none.
    pub const DEFAULT_SYSTEM: &'static str = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    pub fn system(self, text: &str) -> Vec<Piece> {
        vec![Piece::Control(IM_START), Piece::Text(format!("system\n{text}")), Piece::Control(IM_END), Piece::Text("\n".into())]
    }

    /// A user turn followed by the header the assistant's reply continues from.
    pub fn user(self, text: &str) -> Vec<Piece> {
        vec![
            Piece::Control(IM_START),
            Piece::Text(format!("user\n{text}")),
            Piece::Control(IM_END),
            Piece::Text("\n".into()),
            Piece::Control(IM_START),
            Piece::Text("assistant\n".into()),
        ]
    }

    /// A finished assistant reply, as the transcript holds it.
    pub fn assistant(self, text: &str) -> Vec<Piece> {
        let mut turn = vec![Piece::Text(text.to_string())];
        turn.extend(self.end_of_reply());
        turn
    }

    /// What closes an assistant reply in the transcript.
    pub fn end_of_reply(self) -> Vec<Piece> {
        vec![Piece::Control(IM_END), Piece::Text("\n".into())]
    }
}
