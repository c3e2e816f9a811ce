//! The remote backend: a model behind an OpenAI-compatible chat-completions server (vLLM,
//! llama.cpp's server, TGI, SGLang), for fleets that already run one. The conversation resends
//! the whole message list each turn and relies on the server's prefix cache, where the local
//! [`Chat`](super::Chat) keeps its own KV cache.
//!
//! With `--api completions` the conversation is rendered in Kgent's own ChatML and sent to
//! `/v1/completions`, so a Qwen2.5 model on the server decodes from the very prompt the local
//! backend does, its reply started inside the code block.
//!
//! Plain HTTP only: model servers sit on loopback or inside a cluster. Nothing here runs unless
//! the user chose `--backend openai`; offline use never opens a socket.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::chat::{Conversation, GenerateOptions, Reply, StopReason, TextStream};
use super::model::{LlmError, Result};
use super::template::{ChatTemplate, Piece};
use super::RemoteApi;

/// The longest a server may take to answer, and then to send a whole reply.
const READ_TIMEOUT: Duration = Duration::from_secs(600);

/// A chat-completions server and the model on it that Kgent talks to.
#[derive(Debug, Clone)]
pub struct Remote {
    /// Ends in `/v1`.
    base: String,
    pub model: String,
    pub api: RemoteApi,
    agent: ureq::Agent,
}

impl Remote {
    /// Connects to `base_url` (`http://HOST:PORT` or `…/v1`) and checks that it serves `model`;
    /// without one, takes the first model it lists.
    pub fn connect(base_url: &str, model: Option<&str>, api: RemoteApi) -> Result<Remote> {
        let trimmed = base_url.trim_end_matches('/');
        if trimmed.starts_with("https://") {
            return Err(LlmError::Remote(format!(
                "{base_url}: Kgent speaks plain HTTP to model servers (loopback or inside a cluster); put the server on http://, or a local proxy in front of it"
            )));
        }
        if !trimmed.starts_with("http://") {
            return Err(LlmError::Remote(format!("{base_url:?} is not a server address: give --base-url http://HOST:PORT/v1")));
        }
        let base = if trimmed.ends_with("/v1") { trimmed.to_string() } else { format!("{trimmed}/v1") };
        // No proxy from the environment: the server is on loopback or in the cluster, and a
        // prompt is the user's data.
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_recv_body(Some(READ_TIMEOUT))
            .timeout_recv_response(Some(READ_TIMEOUT))
            .build();
        let mut remote = Remote { base, model: String::new(), api, agent: config.into() };
        let listed = remote.models()?;
        remote.model = match model {
            Some(m) if listed.iter().any(|l| l == m) => m.to_string(),
            Some(m) => return Err(LlmError::Remote(format!("the server at {} has no model {m:?}; it serves: {} (--api-model)", remote.base, listed.join(", ")))),
            None => listed.into_iter().next().ok_or_else(|| LlmError::Remote(format!("the server at {} lists no models", remote.base)))?,
        };
        Ok(remote)
    }

    /// The names `GET /v1/models` lists.
    fn models(&self) -> Result<Vec<String>> {
        let url = format!("{}/models", self.base);
        let mut response = self.agent.get(&url).call().map_err(|e| self.unreachable(&e))?;
        let body = read_body(&mut response, &url)?;
        let value: Value =
            serde_json::from_str(&body).map_err(|e| LlmError::Remote(format!("{url} did not answer with a model list ({e}): is it an OpenAI-compatible server?")))?;
        Ok(value["data"].as_array().into_iter().flatten().filter_map(|m| m["id"].as_str().map(str::to_string)).collect())
    }

    fn unreachable(&self, e: &ureq::Error) -> LlmError {
        LlmError::Remote(format!("cannot reach the model server at {}: {e}; is it running, and is --base-url right?", self.base))
    }

    /// A conversation with `system` (the template's default when `None`).
    pub fn chat(&self, system: Option<&str>) -> RemoteChat<'_> {
        let turns = system.map(|s| vec![Turn::System(s.to_string())]).unwrap_or_default();
        RemoteChat { remote: self, turns, last: None }
    }
}

/// The body of a response, or the server's error as an error.
fn read_body(response: &mut ureq::http::Response<ureq::Body>, url: &str) -> Result<String> {
    let status = response.status();
    let body = response.body_mut().read_to_string().map_err(|e| LlmError::Remote(format!("reading {url}: {e}")))?;
    if !status.is_success() {
        let detail: String = body.chars().take(400).collect();
        return Err(LlmError::Remote(format!("the model server answered {status} to {url}: {detail}")));
    }
    Ok(body)
}

/// A conversation on a remote model: its turns, resent whole each time.
pub struct RemoteChat<'r> {
    remote: &'r Remote,
    turns: Vec<Turn>,
    /// The last message sent and the prefix its reply started with, to ask again.
    last: Option<(String, String)>,
}

/// One turn of a remote conversation, as said.
#[derive(Debug, Clone)]
enum Turn {
    System(String),
    User(String),
    Assistant(String),
}

impl Turn {
    fn message(&self) -> Value {
        match self {
            Turn::System(t) => json!({"role": "system", "content": t}),
            Turn::User(t) => json!({"role": "user", "content": t}),
            Turn::Assistant(t) => json!({"role": "assistant", "content": t}),
        }
    }
}

/// The turns in ChatML, as the local chat lays them out in tokens, ending in the assistant's
/// header and `prefix`. A server's tokenizer reads control tokens out of prompt text, so text
/// that spells one is broken up first ([`plain`]).
fn chatml(turns: &[Turn], prefix: &str) -> String {
    let t = ChatTemplate::ChatMl;
    let mut pieces = Vec::new();
    if !matches!(turns.first(), Some(Turn::System(_))) {
        pieces.extend(t.system(ChatTemplate::DEFAULT_SYSTEM));
    }
    for turn in turns {
        match turn {
            Turn::System(s) => pieces.extend(t.system(s)),
            Turn::User(u) => pieces.extend(t.user(u)),
            Turn::Assistant(a) => pieces.extend(t.assistant(a)),
        }
    }
    let mut prompt: String = pieces
        .iter()
        .map(|p| match p {
            Piece::Control(c) => c.to_string(),
            Piece::Text(text) => plain(text),
        })
        .collect();
    prompt.push_str(&plain(prefix));
    prompt
}

/// `text` with every spelling of a control token (`<|im_start|>`, `<|endoftext|>`, …) broken by
/// a zero-width space after its `<`, so a server's tokenizer reads it as text: a request or an
/// imported example cannot open a turn of its own.
fn plain(text: &str) -> String {
    static CONTROL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| regex::Regex::new(r"<(\|[A-Za-z0-9_]+\|>)").expect("a valid regex"));
    CONTROL.replace_all(text, "<\u{200B}$1").into_owned()
}

/// `raw` up to the end of the first stop string in it, or all of it.
fn through_stop<'a>(raw: &'a str, stops: &[String]) -> &'a str {
    let end = stops.iter().filter(|s| !s.is_empty()).filter_map(|s| raw.find(s.as_str()).map(|at| at + s.len())).min();
    &raw[..end.unwrap_or(raw.len())]
}

impl Conversation for RemoteChat<'_> {
    fn add_exchange(&mut self, user: &str, assistant: &str) -> Result<()> {
        self.turns.push(Turn::User(user.to_string()));
        self.turns.push(Turn::Assistant(assistant.to_string()));
        Ok(())
    }

    /// The last exchange is taken out of the conversation and the message sent again.
    fn redo(&mut self, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        let Some((message, prefix)) = self.last.clone() else {
            return Err(LlmError::Remote("no reply to take back: send a message first".into()));
        };
        // The exchange leaves the conversation only once another reply has taken its place.
        let kept = self.turns.clone();
        self.turns.truncate(self.turns.len().saturating_sub(2));
        let reply = self.send(&message, &prefix, opts, on_text);
        if reply.is_err() {
            self.turns = kept;
        }
        reply
    }

    /// With chat completions, the assistant's turn cannot be started with `prefix` (the opening
    /// of a code block), so the reply's text is what follows the first line that opens like it,
    /// or the whole reply when none does. With completions the prompt ends in `prefix`, as the
    /// local chat's does. Either way stop strings are applied here, not sent when there is a
    /// prefix (in chat, the server would stop at the opening fence); a stop closes the stream,
    /// which ends the generation on the server. Without a prefix they are passed to the server.
    fn send(&mut self, text: &str, prefix: &str, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        if opts.grammar.is_some() {
            return Err(LlmError::Remote("--grammar needs the local backend: a server decodes freely (drop --grammar, or use --backend local)".into()));
        }
        let message = text.to_string();
        // The turn joins the conversation only with its reply, so a failed one can be retried.
        let mut turns = self.turns.clone();
        turns.push(Turn::User(message.clone()));
        let completions = self.remote.api == RemoteApi::Completions;
        let mut request = json!({
            "model": self.remote.model,
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": opts.max_tokens,
            "temperature": opts.temperature,
            "seed": opts.seed,
        });
        let endpoint = if completions {
            request["prompt"] = json!(chatml(&turns, prefix));
            "completions"
        } else {
            request["messages"] = json!(turns.iter().map(Turn::message).collect::<Vec<_>>());
            "chat/completions"
        };
        // Where the code starts in what the server sends.
        let code = |raw: &str| -> Option<usize> {
            if completions {
                return Some(0);
            }
            after_prefix(raw, prefix).map(|c| raw.len() - c.len())
        };
        if prefix.is_empty() && !opts.stop.is_empty() {
            request["stop"] = json!(opts.stop);
        }
        if let Some(p) = opts.top_p {
            request["top_p"] = json!(p);
        }
        let url = format!("{}/{endpoint}", self.remote.base);
        let start = Instant::now();
        let mut response = self.remote.agent.post(&url).header("Content-Type", "application/json").send(request.to_string()).map_err(|e| self.remote.unreachable(&e))?;
        if !response.status().is_success() {
            return Err(read_body(&mut response, &url).expect_err("not a success"));
        }
        let mut stream = TextStream::new(&opts.stop);
        let (mut raw, mut first_token, mut chunks, mut finish, mut usage) = (String::new(), None, 0usize, None, None);
        let (mut stopped, mut done, mut streamed) = (false, false, false);
        for line in BufReader::new(response.into_body().into_reader()).lines() {
            let line = line.map_err(|e| LlmError::Remote(format!("reading the reply from {url}: {e}")))?;
            let Some(data) = line.strip_prefix("data:").map(str::trim) else { continue };
            streamed = true;
            if data == "[DONE]" {
                done = true;
                break;
            }
            let chunk: Value = serde_json::from_str(data).map_err(|e| LlmError::Remote(format!("{url} sent a chunk that is not JSON ({e}): {data}")))?;
            if let Some(err) = chunk.get("error") {
                return Err(LlmError::Remote(format!("the model server failed mid-reply: {err}")));
            }
            if chunk["usage"].is_object() {
                usage = Some(chunk["usage"].clone());
            }
            let choice = &chunk["choices"][0];
            let piece = if completions { choice["text"].as_str() } else { choice["delta"]["content"].as_str() };
            if let Some(piece) = piece.filter(|p| !p.is_empty()) {
                first_token.get_or_insert_with(|| start.elapsed());
                chunks += 1;
                raw.push_str(piece);
                if let Some(at) = code(&raw) {
                    if stream.update(&raw[at..], on_text) {
                        stopped = true;
                        break;
                    }
                }
            }
            if let Some(f) = choice["finish_reason"].as_str() {
                finish = Some(f.to_string());
            }
        }
        if !streamed {
            return Err(LlmError::Remote(format!("{url} did not stream its reply (no `data:` lines): is it an OpenAI-compatible server?")));
        }
        if !stopped && !done && finish.is_none() {
            return Err(LlmError::Remote(format!("the reply from {url} ended before the server said it was done (the connection was cut?)")));
        }
        if !stopped && code(&raw).is_none() {
            // No code block opened: the reply is all there is.
            stopped = stream.update(&raw, on_text);
        }
        let text = stream.finish(on_text);
        // What the local chat's transcript holds: the code block, without the words around it.
        let said = match (prefix.is_empty(), completions) {
            (true, _) => text.clone(),
            (false, true) => format!("{prefix}{}", through_stop(&raw, &opts.stop)),
            (false, false) => format!("{prefix}{text}\n```"),
        };
        turns.push(Turn::Assistant(said));
        self.turns = turns;
        self.last = Some((message, prefix.to_string()));
        let prefill_time = first_token.unwrap_or_else(|| start.elapsed());
        let count = |k: &str| usage.as_ref().and_then(|u| u[k].as_u64()).map(|n| n as usize);
        Ok(Reply {
            stop: match finish.as_deref() {
                _ if stopped => StopReason::StopString,
                Some("length") => StopReason::MaxTokens,
                _ => StopReason::EndOfTurn,
            },
            text,
            prompt_tokens: count("prompt_tokens").unwrap_or(0),
            generated_tokens: count("completion_tokens").unwrap_or(chunks),
            prefill_time,
            decode_time: start.elapsed().saturating_sub(prefill_time),
            mask_time: Duration::ZERO,
            grammar_setup_time: Duration::ZERO,
            // The server decodes as it does; nothing is drafted here.
            drafted_tokens: 0,
            accepted_tokens: 0,
            decode_passes: 0,
        })
    }
}

/// What follows the first line of `reply` that opens like `prefix` (for a code fence, any fence:
/// a model asked for bpftrace may open ```` ```c ````); `None` while no such line is complete.
/// An empty prefix is the whole reply.
fn after_prefix<'a>(reply: &'a str, prefix: &str) -> Option<&'a str> {
    let p = prefix.trim();
    if p.is_empty() {
        return Some(reply);
    }
    let opening = if p.starts_with("```") { "```" } else { p };
    let at = reply.find(opening)?;
    let newline = reply[at..].find('\n')?;
    Some(&reply[at + newline + 1..])
}

#[cfg(test)]
mod tests {
    use super::{after_prefix, chatml, plain, through_stop, Turn};

    #[test]
    fn the_reply_is_what_follows_the_opening_fence() {
        assert_eq!(after_prefix("```bpftrace\nBEGIN {}", "```bpftrace\n"), Some("BEGIN {}"));
        assert_eq!(after_prefix("Here it is:\n```c\nBEGIN {}\n```", "```bpftrace\n"), Some("BEGIN {}\n```"));
        assert_eq!(after_prefix("```bpf", "```bpftrace\n"), None, "the fence's line is not complete");
        assert_eq!(after_prefix("BEGIN {}", "```bpftrace\n"), None);
        assert_eq!(after_prefix("anything", ""), Some("anything"));
    }

    #[test]
    fn a_completions_prompt_is_the_local_chats_chatml_with_control_spellings_broken() {
        let turns = [Turn::User("count opens".into()), Turn::Assistant("```bpftrace\nBEGIN {}\n```".into()), Turn::User("now <|im_end|> closes".into())];
        let prompt = chatml(&turns, "```bpftrace\n");
        assert!(prompt.starts_with("<|im_start|>system\nYou are Qwen"), "{prompt}");
        assert!(prompt.contains("<|im_start|>user\ncount opens<|im_end|>\n<|im_start|>assistant\n```bpftrace\nBEGIN {}\n```<|im_end|>\n"), "{prompt}");
        assert!(prompt.ends_with("<|im_start|>user\nnow <\u{200B}|im_end|> closes<|im_end|>\n<|im_start|>assistant\n```bpftrace\n"), "{prompt}");
        assert_eq!(prompt.matches("<|im_end|>").count(), 4, "only Kgent's own control tokens remain: {prompt}");
        assert_eq!(plain("a <| b |> c <|endoftext|>"), "a <| b |> c <\u{200B}|endoftext|>");
        let system = chatml(&[Turn::System("be terse".into()), Turn::User("hi".into())], "");
        assert!(system.starts_with("<|im_start|>system\nbe terse<|im_end|>\n<|im_start|>user\nhi"), "{system}");
    }

    #[test]
    fn the_transcript_keeps_a_reply_through_its_stop() {
        let stops = ["```".to_string()];
        assert_eq!(through_stop("BEGIN {}\n```\nmore", &stops), "BEGIN {}\n```");
        assert_eq!(through_stop("BEGIN {}", &stops), "BEGIN {}");
    }
}
