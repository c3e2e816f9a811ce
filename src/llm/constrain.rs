//! Grammar-constrained decoding with llguidance: before each sampled token, every token that
//! cannot continue a sentence of the grammar gets a logit of -inf.
//!
//! llguidance needs each token's bytes (its trie), which come from the model's own tokenizer;
//! the factory built from them is made once per model and reused by every reply.

use std::sync::Arc;

use llguidance::api::TopLevelGrammar;
use llguidance::toktrie::{ApproximateTokEnv, TokEnv, TokRxInfo, TokTrie};
use llguidance::{Matcher, ParserFactory, TokenParser};
use tokenizers::Tokenizer;

use super::model::{LlmError, Result};

/// A grammar in llguidance's Lark syntax, shared cheaply between options and rounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrammarText(pub Arc<str>);

impl serde::Serialize for GrammarText {
    /// Reports say a grammar was used, not its (large) text.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format!("lark grammar, {} bytes", self.0.len()))
    }
}

/// What compiles grammars for one tokenizer.
pub struct GrammarFactory {
    factory: ParserFactory,
}

impl GrammarFactory {
    /// From a byte-level BPE tokenizer (Qwen's); `vocab_size` is the width of the model's logits,
    /// which may exceed the tokenizer's (padding ids that are never allowed).
    pub fn new(tokenizer: &Tokenizer, eos: u32, vocab_size: usize) -> Result<GrammarFactory> {
        let mut words = token_bytes(tokenizer)?;
        words.resize(words.len().max(vocab_size), Vec::new());
        let mut info = TokRxInfo::new(words.len() as u32, eos);
        info.tok_end_of_turn = Some(eos);
        Self::from_env(Arc::new(ApproximateTokEnv::new(TokTrie::from(&info, &words))))
    }

    /// One token per byte: grammar tests that need no model.
    pub fn bytes() -> Result<GrammarFactory> {
        Self::from_env(ApproximateTokEnv::single_byte_env())
    }

    fn from_env(env: TokEnv) -> Result<GrammarFactory> {
        // No token slices: they cost ~0.3 s to build per process and, for grammars this size,
        // saved nothing per token when measured.
        let mut factory = ParserFactory::new(&env, Default::default(), &[]).map_err(|e| LlmError::Grammar(e.to_string()))?;
        factory.quiet();
        Ok(GrammarFactory { factory })
    }

    /// Compiles a grammar; a parser is cloned from it for each reply.
    pub fn compile(&self, grammar: &GrammarText) -> Result<CompiledGrammar> {
        let parser = self.factory.create_parser(TopLevelGrammar::from_lark(grammar.0.to_string())).map_err(|e| LlmError::Grammar(e.to_string()))?;
        Ok(CompiledGrammar { text: grammar.clone(), parser })
    }

    /// The tokens of `text`, one per byte for [`bytes`](Self::bytes).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.factory.tok_env().tokenize(text)
    }
}

/// GPT-2's reversible byte → printable-character map, which byte-level BPE vocabularies use:
/// the character that spells byte `b` is at index `b`.
pub(crate) fn byte_level_chars() -> Vec<char> {
    let printable = |b: u32| (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || (0xae..=0xff).contains(&b);
    let mut shifted = 0;
    (0u32..256)
        .map(|b| {
            let c = if printable(b) {
                b
            } else {
                shifted += 1;
                255 + shifted
            };
            char::from_u32(c).expect("below the surrogates")
        })
        .collect()
}

/// Each token's bytes, as llguidance's trie wants them: byte-level BPE spells bytes as
/// printable characters, and special tokens are marked so no text can match them.
fn token_bytes(tokenizer: &Tokenizer) -> Result<Vec<Vec<u8>>> {
    let byte_of: std::collections::HashMap<char, u8> = byte_level_chars().into_iter().zip(0..=255u8).collect();
    let vocab = tokenizer.get_vocab(true);
    let mut words = vec![Vec::new(); vocab.values().map(|&id| id as usize + 1).max().unwrap_or(0)];
    let specials: std::collections::HashSet<u32> = tokenizer.get_added_tokens_decoder().iter().filter(|(_, t)| t.special).map(|(&id, _)| id).collect();
    for (piece, id) in vocab {
        words[id as usize] = if specials.contains(&id) {
            [&[TokTrie::SPECIAL_TOKEN_MARKER][..], piece.as_bytes()].concat()
        } else {
            piece
                .chars()
                .map(|c| byte_of.get(&c).copied())
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| LlmError::Tokenizer(format!("token {id} ({piece:?}) is not byte-level BPE")))?
        };
    }
    Ok(words)
}

/// A compiled grammar, ready to start replies.
pub struct CompiledGrammar {
    text: GrammarText,
    parser: TokenParser,
}

impl CompiledGrammar {
    pub fn text(&self) -> &GrammarText {
        &self.text
    }

    /// A fresh constraint for one reply.
    pub fn start(&self) -> Constraint {
        Constraint { matcher: Matcher::new(Ok(self.parser.deep_clone())) }
    }

    /// Whether the grammar accepts all of `tokens` as a complete sentence; otherwise where (in
    /// tokens) it stopped accepting, and why.
    pub fn accepts(&self, tokens: &[u32]) -> std::result::Result<(), (usize, String)> {
        let mut m = self.start();
        for (i, &t) in tokens.iter().enumerate() {
            let mask = m.matcher.compute_mask().map_err(|e| (i, e.to_string()))?;
            if !mask.is_allowed(t) {
                return Err((i, "token not allowed here".into()));
            }
            m.matcher.consume_token(t).map_err(|e| (i, e.to_string()))?;
        }
        match m.matcher.is_accepting() {
            Ok(true) => Ok(()),
            Ok(false) => Err((tokens.len(), "the program is incomplete".into())),
            Err(e) => Err((tokens.len(), e.to_string())),
        }
    }
}

/// The grammar's state in one reply.
#[derive(Clone)]
pub struct Constraint {
    matcher: Matcher,
}

impl Constraint {
    /// Sets every token the grammar does not allow next to -inf. Returns false when the grammar
    /// allows nothing at all (it has finished), so the reply must end.
    pub fn mask(&mut self, logits: &mut [f32]) -> Result<bool> {
        if self.matcher.is_stopped() {
            return Ok(false);
        }
        let mask = self.matcher.compute_mask().map_err(|e| LlmError::Grammar(e.to_string()))?;
        let mut any = false;
        for (id, l) in logits.iter_mut().enumerate() {
            if mask.is_allowed(id as u32) {
                any = true;
            } else {
                *l = f32::NEG_INFINITY;
            }
        }
        Ok(any)
    }

    /// Advances past the sampled token.
    pub fn commit(&mut self, token: u32) -> Result<()> {
        self.matcher.consume_token(token).map_err(|e| LlmError::Grammar(e.to_string()))
    }
}
