//! The remote backend: a model behind an OpenAI-compatible chat-completions server (vLLM,
//! llama.cpp's server, TGI, SGLang), for fleets that already run one. The conversation resends
//! the whole message list each turn and relies on the server's prefix cache, where the local
//! [`Chat`](super::Chat) keeps its own KV cache.
//!
//! Plain HTTP only: model servers sit on loopback or inside a cluster. Nothing here runs unless
//! the user chose `--backend openai`; offline use never opens a socket.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::chat::{Conversation, GenerateOptions, Reply, StopReason, TextStream};
use super::model::{LlmError, Result};

/// The longest a server may take to answer, and then to send a whole reply.
const READ_TIMEOUT: Duration = Duration::from_secs(600);

/// A chat-completions server and the model on it that Kgent talks to.
#[derive(Debug, Clone)]
pub struct Remote {
    /// Ends in `/v1`.
    base: String,
    pub model: String,
    agent: ureq::Agent,
}

impl Remote {
    /// Connects to `base_url` (`http://HOST:PORT` or `…/v1`) and checks that it serves `model`;
    /// without one, takes the first model it lists.
    pub fn connect(base_url: &str, model: Option<&str>) -> Result<Remote> {
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
        let mut remote = Remote { base, model: String::new(), agent: config.into() };
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

    /// A conversation with `system` (the server's template default when `None`).
    pub fn chat(&self, system: Option<&str>) -> RemoteChat<'_> {
        let messages = system.map(|s| vec![json!({"role": "system", "content": s})]).unwrap_or_default();
        RemoteChat { remote: self, messages }
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

/// A conversation on a remote model: the message list, resent whole each turn.
pub struct RemoteChat<'r> {
    remote: &'r Remote,
    messages: Vec<Value>,
}

impl Conversation for RemoteChat<'_> {
    fn add_exchange(&mut self, user: &str, assistant: &str) -> Result<()> {
        self.messages.push(json!({"role": "user", "content": user}));
        self.messages.push(json!({"role": "assistant", "content": assistant}));
        Ok(())
    }

    /// Chat completions cannot start the assistant's turn with `prefix` (the opening of a code
    /// block), so the reply's text is what follows the first line that opens like it, or the
    /// whole reply when none does. For the same reason stop strings are applied here, not sent
    /// (the server would stop at the opening fence); a stop closes the stream, which ends the
    /// generation on the server. Without a prefix they are passed to the server.
    fn send(&mut self, text: &str, prefix: &str, opts: &GenerateOptions, on_text: &mut dyn FnMut(&str)) -> Result<Reply> {
        if opts.grammar.is_some() {
            return Err(LlmError::Remote("--grammar needs the local backend: a server decodes freely (drop --grammar, or use --backend local)".into()));
        }
        // The turn joins the conversation only with its reply, so a failed one can be retried.
        let mut messages = self.messages.clone();
        messages.push(json!({"role": "user", "content": text}));
        let mut request = json!({
            "model": self.remote.model,
            "messages": messages,
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": opts.max_tokens,
            "temperature": opts.temperature,
            "seed": opts.seed,
        });
        if prefix.is_empty() && !opts.stop.is_empty() {
            request["stop"] = json!(opts.stop);
        }
        if let Some(p) = opts.top_p {
            request["top_p"] = json!(p);
        }
        let url = format!("{}/chat/completions", self.remote.base);
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
            if let Some(piece) = choice["delta"]["content"].as_str().filter(|p| !p.is_empty()) {
                first_token.get_or_insert_with(|| start.elapsed());
                chunks += 1;
                raw.push_str(piece);
                if let Some(code) = after_prefix(&raw, prefix) {
                    if stream.update(code, on_text) {
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
            return Err(LlmError::Remote(format!("{url} did not stream its reply (no `data:` lines): is it an OpenAI-compatible chat-completions server?")));
        }
        if !stopped && !done && finish.is_none() {
            return Err(LlmError::Remote(format!("the reply from {url} ended before the server said it was done (the connection was cut?)")));
        }
        if !stopped && after_prefix(&raw, prefix).is_none() {
            // No code block opened: the reply is all there is.
            stopped = stream.update(&raw, on_text);
        }
        let text = stream.finish(on_text);
        // What the local chat's transcript holds: the code block, without the words around it.
        let said = if prefix.is_empty() { text.clone() } else { format!("{prefix}{text}\n```") };
        self.messages = messages;
        self.messages.push(json!({"role": "assistant", "content": said}));
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
    use super::after_prefix;

    #[test]
    fn the_reply_is_what_follows_the_opening_fence() {
        assert_eq!(after_prefix("```bpftrace\nBEGIN {}", "```bpftrace\n"), Some("BEGIN {}"));
        assert_eq!(after_prefix("Here it is:\n```c\nBEGIN {}\n```", "```bpftrace\n"), Some("BEGIN {}\n```"));
        assert_eq!(after_prefix("```bpf", "```bpftrace\n"), None, "the fence's line is not complete");
        assert_eq!(after_prefix("BEGIN {}", "```bpftrace\n"), None);
        assert_eq!(after_prefix("anything", ""), Some("anything"));
    }
}
