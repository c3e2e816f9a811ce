//! Conversations: the ChatML template, sampling, stop conditions and token streaming, with the KV
//! cache kept across turns so that a follow-up only prefills its own new tokens.

use std::time::{Duration, Instant};

use super::sample::{Sampler, Sampling};
use candle_core::Tensor;
use serde::Serialize;

use super::constrain::{CompiledGrammar, Constraint, GrammarText};
use super::model::{LlmError, Model, Result};
use super::template::ChatTemplate;

/// Prefill in slices of this many tokens: the attention scores of one slice are
/// heads × slice × context floats, which stays small even for long prompts.
const PREFILL_CHUNK: usize = 256;

/// Decoding settings. The defaults are greedy and deterministic.
#[derive(Debug, Clone, Serialize)]
pub struct GenerateOptions {
    /// Most tokens to generate in one reply.
    pub max_tokens: usize,
    /// 0 means greedy (argmax); above 0 samples from the softened distribution.
    pub temperature: f64,
    /// Nucleus sampling: keep the smallest set of tokens whose probability reaches this.
    pub top_p: Option<f64>,
    /// Seed of the sampler, so that sampled runs are reproducible.
    pub seed: u64,
    /// Stop as soon as the reply contains one of these; the reply ends before it.
    pub stop: Vec<String>,
    /// Only replies this grammar accepts can be sampled (`None`: free decoding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grammar: Option<GrammarText>,
    /// Most tokens a draft may guess ahead (prompt lookup, see [`Chat::generate`]); 0 decodes
    /// one token per pass. A greedy reply is the same either way; a sampled one is drawn from the
    /// same distribution, but not with the same draws.
    pub draft: usize,
}

/// Tokens a draft guesses by default: each guess adds a row to the pass that checks it, so a long
/// wrong guess costs more than it can save (`kgent bench draft --draft N` measures it).
pub const DEFAULT_DRAFT: usize = 8;

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions { max_tokens: 512, temperature: 0.0, top_p: None, seed: 42, stop: Vec::new(), grammar: None, draft: DEFAULT_DRAFT }
    }
}

impl GenerateOptions {
    fn sampling(&self) -> Sampling {
        match (self.temperature, self.top_p) {
            (t, _) if t <= 0.0 => Sampling::ArgMax,
            (temperature, Some(p)) if p < 1.0 => Sampling::TopP { p, temperature },
            (temperature, _) => Sampling::All { temperature },
        }
    }
}

/// Why a reply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The model closed its turn (`<|im_end|>` or end of text).
    EndOfTurn,
    /// One of the caller's stop strings appeared.
    StopString,
    /// `max_tokens` were generated.
    MaxTokens,
}

/// One assistant reply and what it cost.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    pub text: String,
    pub stop: StopReason,
    /// Tokens run through the model before the reply: only this turn's, thanks to the KV cache.
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
    #[serde(with = "secs")]
    pub prefill_time: Duration,
    #[serde(with = "secs")]
    pub decode_time: Duration,
    /// Of `decode_time`, the part spent on the grammar's masks, token by token.
    #[serde(with = "secs")]
    pub mask_time: Duration,
    /// Of `decode_time`, building the grammar's tables (once per model) and compiling it (once
    /// per grammar).
    #[serde(with = "secs")]
    pub grammar_setup_time: Duration,
    /// Tokens guessed by drafts and run through the model, and of those, the ones the model
    /// then chose itself (each saved a pass).
    pub drafted_tokens: usize,
    pub accepted_tokens: usize,
    /// Passes through the model while decoding (a pass checks a draft, or runs one token).
    pub decode_passes: usize,
}

mod secs {
    pub fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

/// A conversation on one model. The transcript is append-only, so the model's KV cache always
/// holds a prefix of it (`cached`); `pending` is the rest, run at the next prefill.
///
/// The system turn is always prefilled on its own, so a later conversation with the same system
/// message (the next request of an `eval`, an MCP server's next `gen`) takes its keys and values
/// from the cache instead, and computes exactly what a fresh one would.
pub struct Chat<'m> {
    model: &'m mut Model,
    cached: Vec<u32>,
    pending: Vec<u32>,
    /// Length of the system turn: no prefill chunk crosses it.
    system_len: usize,
    /// Tokens the last prefill ran through the model.
    prefilled: usize,
    /// The last grammar compiled, reused while replies ask for the same one.
    compiled: Option<CompiledGrammar>,
    /// Where the last reply starts in `cached`, and the logits its first token was drawn from:
    /// enough to take it back and draw another without running the prompt again. `None` once
    /// another turn follows it.
    reply_start: Option<(usize, Tensor)>,
}

impl<'m> Chat<'m> {
    /// Starts a conversation with a system message, Qwen's default when `None`; the model's
    /// cache is reused when it holds the same system turn.
    pub fn new(model: &'m mut Model, system: Option<&str>) -> Result<Self> {
        let template = model.template();
        let pending = model.encode_turn(&template.system(system.unwrap_or(ChatTemplate::DEFAULT_SYSTEM)))?;
        Ok(Chat { model, cached: Vec::new(), system_len: pending.len(), pending, prefilled: 0, compiled: None, reply_start: None })
    }

    /// Every token of the transcript so far, cached or not.
    pub fn transcript(&self) -> Vec<u32> {
        [self.cached.as_slice(), self.pending.as_slice()].concat()
    }

    /// Tokens whose keys and values are in the cache.
    pub fn cached_len(&self) -> usize {
        self.cached.len()
    }

    /// Queues a user turn and the assistant header after it.
    pub fn push_user(&mut self, text: &str) -> Result<()> {
        // The last reply is part of the conversation now: nothing to take back.
        self.reply_start = None;
        let ids = self.model.encode_turn(&self.model.template().user(text))?;
        self.pending.extend(ids);
        Ok(())
    }

    /// Runs the pending tokens through the model and returns the logits for what comes next.
    pub fn prefill(&mut self) -> Result<Tensor> {
        if self.pending.is_empty() {
            return Err(LlmError::Tokenizer("nothing to prefill: push a user turn first".into()));
        }
        let mut pending = std::mem::take(&mut self.pending);
        if self.cached.is_empty() && pending.len() > self.system_len && self.model.kv_holds(&pending[..self.system_len]) {
            self.cached = pending.drain(..self.system_len).collect();
        }
        self.prefilled = pending.len();
        // The system turn, then the rest, each in chunks from its own start.
        let split = self.system_len.saturating_sub(self.cached.len()).min(pending.len());
        let (system, rest) = pending.split_at(split);
        let mut logits = None;
        for chunk in system.chunks(PREFILL_CHUNK).chain(rest.chunks(PREFILL_CHUNK)) {
            logits = Some(self.model.forward(chunk, self.cached.len())?);
            self.cached.extend_from_slice(chunk);
        }
        Ok(logits.expect("pending was not empty"))
    }

    /// Sends a user message and generates the reply, streaming its text to `on_text`.
    pub fn send(&mut self, text: &str, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.send_with_prefix(text, "", opts, on_text)
    }

    /// Like [`send`](Self::send), but the assistant's reply starts with `prefix` (say, the opening
    /// of a code block), which the model continues. The returned text excludes the prefix.
    pub fn send_with_prefix(&mut self, text: &str, prefix: &str, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.push_user(text)?;
        if !prefix.is_empty() {
            let ids = self.model.encode(prefix)?;
            self.pending.extend(ids);
        }
        let start = Instant::now();
        let logits = self.prefill()?;
        let prefill_time = start.elapsed();
        let prompt_tokens = self.prefilled;
        self.reply_start = Some((self.cached.len(), logits.clone()));
        let mut reply = self.generate(logits, opts, on_text)?;
        reply.prompt_tokens = prompt_tokens;
        reply.prefill_time = prefill_time;
        Ok(reply)
    }

    /// Takes back the last reply of [`send_with_prefix`](Self::send_with_prefix) and generates
    /// another from the same point: the cache keeps the prompt, and the reply's positions are
    /// overwritten as the new one is run.
    pub fn regenerate(&mut self, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        let Some((at, logits)) = self.reply_start.clone() else {
            return Err(LlmError::Tokenizer("no reply to take back: send a message first".into()));
        };
        self.cached.truncate(at);
        self.pending.clear();
        self.generate(logits, opts, on_text)
    }

    /// Generates a reply from the logits of a prefill, then closes the turn in the transcript.
    ///
    /// **Prompt lookup.** Replies copy heavily from their prompt (the worked examples, the
    /// previous attempt), so when the last tokens also occur earlier in the transcript, the
    /// tokens that followed them there are a draft: the token just chosen and the draft run in
    /// one pass, which gives the logits after each. Each draft token the model would have chosen
    /// itself from those logits (the same sampler, the grammar's mask applied in turn) is taken
    /// without a pass of its own; the first it would not have chosen ends the draft. Greedy
    /// replies are the ones plain decoding gives; sampled ones keep plain sampling's
    /// distribution ([`Sampler::sample_drafted`]). Only where a pass of several rows gives each
    /// row exactly what a pass of one would ([`Model::rows_are_exact`]): elsewhere one token
    /// per pass.
    pub fn generate(&mut self, logits: Tensor, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        let limit = self.model.info().context_length;
        let needed = self.cached.len() + opts.max_tokens + 2;
        if needed > limit {
            return Err(LlmError::ContextFull { needed, limit });
        }
        let start = Instant::now();
        let mut constraint = match &opts.grammar {
            Some(g) => Some(self.constraint(g, logits.dims1()?)?),
            None => None,
        };
        let grammar_setup_time = start.elapsed();
        let mut mask_time = Duration::ZERO;
        let mut sampler = Sampler::new(opts.seed, opts.sampling());
        let mut generated: Vec<u32> = Vec::new();
        let mut stream = TextStream::new(&opts.stop);
        let (mut drafted, mut accepted, mut passes) = (0, 0, 0);
        let draft_len = if self.model.rows_are_exact() { opts.draft } else { 0 };
        // Logits not yet used, in order, each with the draft token the model ran after them.
        let mut rows: std::collections::VecDeque<(Vec<f32>, Option<u32>)> = [(logits.to_vec1()?, None)].into();
        let stop = loop {
            let (mut row, guess) = rows.pop_front().expect("a row after every token run");
            if let Some(c) = constraint.as_mut() {
                let t = Instant::now();
                let open = c.mask(&mut row)?;
                mask_time += t.elapsed();
                if !open {
                    break StopReason::EndOfTurn;
                }
            }
            let next = sampler.sample_drafted(&row, guess);
            if self.model.is_stop(next) {
                break StopReason::EndOfTurn;
            }
            if let Some(c) = constraint.as_mut() {
                let t = Instant::now();
                c.commit(next)?;
                mask_time += t.elapsed();
            }
            generated.push(next);
            let text = self.model.decode(&generated)?;
            if stream.update(&text, on_text) {
                break StopReason::StopString;
            }
            if generated.len() >= opts.max_tokens {
                break StopReason::MaxTokens;
            }
            if guess == Some(next) {
                // Already run: its logits are the next row.
                accepted += 1;
                self.cached.push(next);
                continue;
            }
            let draft = prompt_lookup(&self.cached, next, draft_len.min(opts.max_tokens - generated.len()));
            let run: Vec<u32> = std::iter::once(next).chain(draft.iter().copied()).collect();
            let out = if draft.is_empty() { vec![self.model.forward(&run, self.cached.len())?.to_vec1()?] } else { self.model.forward_rows(&run, self.cached.len())? };
            passes += 1;
            drafted += draft.len();
            self.cached.push(next);
            rows = out.into_iter().zip(draft.iter().copied().map(Some).chain([None])).collect();
        };
        // The last sampled token was never run through the model: it opens the next prefill,
        // followed by the end-of-turn marker (the model's own `<|im_end|>` when it stopped itself).
        if stop != StopReason::EndOfTurn {
            self.pending.extend(generated.last());
        }
        self.pending.extend(self.model.encode_turn(&self.model.template().end_of_reply())?);
        let text = stream.finish(on_text);
        Ok(Reply {
            text,
            stop,
            prompt_tokens: 0,
            generated_tokens: generated.len(),
            prefill_time: Duration::ZERO,
            decode_time: start.elapsed(),
            mask_time,
            grammar_setup_time,
            drafted_tokens: drafted,
            accepted_tokens: accepted,
            decode_passes: passes,
        })
    }

    /// A fresh constraint for `grammar`, compiling it only when it is not the last one used.
    fn constraint(&mut self, grammar: &GrammarText, vocab_size: usize) -> Result<Constraint> {
        if self.compiled.as_ref().map(|c| c.text()) != Some(grammar) {
            let factory = self.model.grammars(vocab_size)?;
            self.compiled = Some(factory.compile(grammar)?);
        }
        Ok(self.compiled.as_ref().expect("compiled just now").start())
    }
}

/// Shortest run of tokens matched: a single token recurs too often to predict what follows.
const LOOKUP_MIN: usize = 2;
/// Longest run matched: the longer the match, the likelier the text goes on the same way.
const LOOKUP_MAX: usize = 4;

/// Up to `n` tokens guessed to follow `context` and then `next`: what followed the latest
/// earlier occurrence of its last [`LOOKUP_MAX`]..[`LOOKUP_MIN`] tokens (the longest that occurs).
fn prompt_lookup(context: &[u32], next: u32, n: usize) -> Vec<u32> {
    if n == 0 {
        return Vec::new();
    }
    let seq: Vec<u32> = context.iter().copied().chain([next]).collect();
    for len in (LOOKUP_MIN..=LOOKUP_MAX).rev() {
        let Some(tail) = seq.len().checked_sub(len).map(|at| &seq[at..]) else { continue };
        // Latest first, and never the tail itself.
        if let Some(at) = (0..seq.len() - len).rev().find(|&i| &seq[i..i + len] == tail) {
            let from = at + len;
            return seq[from..(from + n).min(seq.len())].to_vec();
        }
    }
    Vec::new()
}

/// One side of a conversation with a model: the real [`Chat`], or a scripted fake in tests.
pub trait Conversation {
    /// Adds a finished exchange (a worked example) to the transcript without generating.
    fn add_exchange(&mut self, user: &str, assistant: &str) -> Result<()>;
    /// Sends a user message; the reply starts with `prefix` (excluded from the returned text).
    fn send(&mut self, text: &str, prefix: &str, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply>;
    /// Takes back the last reply and generates another to the same message, as if the first
    /// had never been: sampled options give a different one where greedy decoding would give
    /// the same.
    fn redo(&mut self, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply>;
}

impl Conversation for Chat<'_> {
    fn add_exchange(&mut self, user: &str, assistant: &str) -> Result<()> {
        self.push_user(user)?;
        let ids = self.model.encode_turn(&self.model.template().assistant(assistant))?;
        self.pending.extend(ids);
        Ok(())
    }

    fn send(&mut self, text: &str, prefix: &str, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.send_with_prefix(text, prefix, opts, on_text)
    }

    fn redo(&mut self, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.regenerate(opts, on_text)
    }
}

/// A fake model that answers with prepared replies, in order, and records what it was sent.
/// Stop strings apply as they would to a real model.
#[derive(Debug, Default)]
pub struct ScriptedChat {
    pub replies: std::collections::VecDeque<String>,
    pub received: Vec<String>,
    pub exchanges: Vec<(String, String)>,
    /// The temperature of each redo asked for.
    pub redone: Vec<f64>,
}

impl ScriptedChat {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(replies: I) -> Self {
        ScriptedChat { replies: replies.into_iter().map(Into::into).collect(), ..Default::default() }
    }
}

impl Conversation for ScriptedChat {
    fn add_exchange(&mut self, user: &str, assistant: &str) -> Result<()> {
        self.exchanges.push((user.to_string(), assistant.to_string()));
        Ok(())
    }

    fn send(&mut self, text: &str, _prefix: &str, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.received.push(text.to_string());
        self.reply(false, opts, on_text)
    }

    /// The next scripted reply; a redo is recorded as one, with its temperature.
    fn redo(&mut self, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        self.redone.push(opts.temperature);
        self.reply(true, opts, on_text)
    }
}

impl ScriptedChat {
    fn reply(&mut self, redo: bool, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        let full = self.replies.pop_front().ok_or_else(|| LlmError::Tokenizer("the scripted model has no reply left".into()))?;
        let mut stream = TextStream::new(&opts.stop);
        let stopped = stream.update(&full, on_text);
        let text = stream.finish(on_text);
        Ok(Reply {
            generated_tokens: text.split_whitespace().count(),
            text,
            stop: if stopped { StopReason::StopString } else { StopReason::EndOfTurn },
            prompt_tokens: if redo { 0 } else { text_len_tokens(&self.received) },
            prefill_time: Duration::ZERO,
            decode_time: Duration::ZERO,
            mask_time: Duration::ZERO,
            grammar_setup_time: Duration::ZERO,
            drafted_tokens: 0,
            accepted_tokens: 0,
            decode_passes: 0,
        })
    }
}

fn text_len_tokens(received: &[String]) -> usize {
    received.last().map_or(0, |t| t.split_whitespace().count())
}

/// Turns the growing decoded text into streamed pieces. It holds back an incomplete UTF-8
/// character and any tail that could be the start of a stop string, so the caller never sees
/// text past a stop.
pub(super) struct TextStream<'s> {
    stops: &'s [String],
    text: String,
    emitted: usize,
}

impl<'s> TextStream<'s> {
    pub(super) fn new(stops: &'s [String]) -> Self {
        TextStream { stops, text: String::new(), emitted: 0 }
    }

    /// Takes the full decoded reply so far; returns true when a stop string was found.
    pub(super) fn update(&mut self, text: &str, on_text: &mut dyn FnMut(&str)) -> bool {
        self.text = text.to_string();
        if let Some(at) = self.stops.iter().filter_map(|s| self.text.find(s.as_str())).min() {
            self.text.truncate(at);
            return true;
        }
        let mut safe = self.text.len();
        if self.text.ends_with('\u{FFFD}') {
            safe -= '\u{FFFD}'.len_utf8();
        }
        for stop in self.stops {
            for k in (1..stop.len()).rev() {
                if stop.is_char_boundary(k) && self.text[..safe].ends_with(&stop[..k]) {
                    safe = safe.min(self.text.len() - k);
                    break;
                }
            }
        }
        if safe > self.emitted && self.text.is_char_boundary(safe) {
            on_text(&self.text[self.emitted..safe]);
            self.emitted = safe;
        }
        false
    }

    pub(super) fn finish(mut self, on_text: &mut dyn FnMut(&str)) -> String {
        if self.text.len() > self.emitted {
            on_text(&self.text[self.emitted..]);
            self.emitted = self.text.len();
        }
        std::mem::take(&mut self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds successive full decodings of a growing reply, as `generate` does.
    fn stream(decodings: &[&str], stops: &[&str]) -> (Vec<String>, String, bool) {
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut s = TextStream::new(&stops);
        let mut out = Vec::new();
        let mut stopped = false;
        for text in decodings {
            if s.update(text, &mut |t| out.push(t.to_string())) {
                stopped = true;
                break;
            }
        }
        let full = s.finish(&mut |t| out.push(t.to_string()));
        (out, full, stopped)
    }

    #[test]
    fn streamed_pieces_concatenate_to_the_reply() {
        let (out, full, stopped) = stream(&["fn", "fn main", "fn main()"], &[]);
        assert_eq!(out, ["fn", " main", "()"]);
        assert_eq!(full, "fn main()");
        assert!(!stopped);
    }

    #[test]
    fn text_after_a_stop_string_is_never_streamed() {
        let (out, full, stopped) = stream(&["code\n`", "code\n``", "code\n```\nmore"], &["```"]);
        assert!(stopped);
        assert_eq!(full, "code\n");
        assert_eq!(out.concat(), "code\n");
        assert!(out.iter().all(|p| !p.contains('`')), "{out:?}");
    }

    #[test]
    fn an_incomplete_character_waits_for_its_bytes() {
        let (out, full, _) = stream(&["a\u{FFFD}", "a\u{e9}"], &[]);
        assert_eq!(out, ["a", "\u{e9}"]);
        assert_eq!(full, "a\u{e9}");
    }

    #[test]
    fn a_draft_is_what_followed_the_latest_longest_earlier_match() {
        // ... 1 2 3 [9 9] ... 1 2 3 [7 7] ... then 1 2 → after the latest "1 2": 3 7 7.
        let context = [1, 2, 3, 9, 9, 5, 1, 2, 3, 7, 7, 5, 1];
        assert_eq!(prompt_lookup(&context, 2, 3), [3, 7, 7]);
        assert_eq!(prompt_lookup(&context, 2, 8), [3, 7, 7, 5, 1, 2], "up to the end of the context");
        // The longest match wins over a later shorter one: "9 9 5" occurred once, after "3".
        assert_eq!(prompt_lookup(&[3, 9, 9, 5, 4, 8, 9, 5, 6, 3, 9, 9], 5, 2), [4, 8]);
        assert!(prompt_lookup(&context, 42, 4).is_empty(), "nothing follows an unseen token");
        assert!(prompt_lookup(&context, 2, 0).is_empty());
    }

    #[test]
    fn greedy_unless_a_temperature_is_given() {
        assert!(matches!(GenerateOptions::default().sampling(), Sampling::ArgMax));
        let o = GenerateOptions { temperature: 0.7, top_p: Some(0.9), ..Default::default() };
        assert!(matches!(o.sampling(), Sampling::TopP { .. }));
    }
}
