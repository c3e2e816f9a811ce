//! The model writes properties: from a request alone (comprehension; never from the program, so
//! the check stays independent of what the program does), or from a program (`kgent explain`).
//! A reply that does not parse goes back with the parser's message, a bounded number of times.

use serde::Serialize;

use super::language::{ParseError, Properties};
use crate::llm::{Conversation, GenerateOptions, LlmError};

/// The system message: the language, in the fewest words a small model follows.
pub const SYSTEM: &str = "You restate Linux tracing tasks as properties, one per line, and nothing else. Lines:\n\
event: PROBE (bpftrace spelling, e.g. tracepoint:syscalls:sys_enter_openat; one line per acceptable probe)\n\
filter: FIELD OP VALUE (OP is == != < <= > >=; strings in double quotes)\n\
emit: FIELD, FIELD (what each output line or map key shows)\n\
aggregate: count | sum FIELD | hist FIELD | lhist FIELD MIN MAX STEP, optionally followed by: by FIELD, FIELD\n\
interval: DURATION (e.g. 1s)\n\
top: N\n\
latency: START_PROBE -> END_PROBE\n\
FIELD is one of pid, tid, uid, gid, comm, cgroup, cpu, filename, size, bytes, latency, retval, errno, signal, addr, port, stack, arg0..arg5.\n\
Write only what the task says: no filter it does not state, no field it does not ask to see.";

/// Worked exchanges shown before the task.
const SHOTS: &[(&str, &str)] = &[
    ("Task: count openat calls per process every second", "event: tracepoint:syscalls:sys_enter_openat\naggregate: count by comm\nemit: comm\ninterval: 1s"),
    (
        "Task: show files opened by bash, with the pid",
        "event: tracepoint:syscalls:sys_enter_openat\nevent: tracepoint:syscalls:sys_enter_open\nfilter: comm == \"bash\"\nemit: pid, filename",
    ),
    ("Task: total bytes written by each process", "event: tracepoint:syscalls:sys_exit_write\naggregate: sum bytes by comm\nemit: comm, bytes"),
];

/// Tries the model gets to write properties that parse.
pub const TRIES: usize = 3;

/// What the model wrote, try by try, and the properties once a try parsed.
#[derive(Debug, Clone, Serialize)]
pub struct Comprehension {
    pub properties: Option<Properties>,
    pub tries: Vec<Try>,
    /// Lines the model wrote that the request's words do not support, left out of `properties`.
    pub dropped: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Try {
    pub text: String,
    pub error: Option<String>,
}

fn ask(conv: &mut dyn Conversation, first: String, opts: &GenerateOptions) -> Result<Comprehension, LlmError> {
    for (user, assistant) in SHOTS {
        conv.add_exchange(user, assistant)?;
    }
    let mut message = first;
    let mut tries = Vec::new();
    for _ in 0..TRIES {
        let reply = conv.send(&message, "", opts, &mut |_| {})?;
        // Models like to fence their answer; the fence is not part of the language.
        let text: String = reply.text.lines().filter(|l| !l.trim_start().starts_with("```")).collect::<Vec<_>>().join("\n");
        match text.parse::<Properties>() {
            Ok(p) => {
                tries.push(Try { text, error: None });
                return Ok(Comprehension { properties: Some(p), tries, dropped: Vec::new() });
            }
            Err(e) => {
                message = reparse_message(&e);
                tries.push(Try { text, error: Some(e.to_string()) });
            }
        }
    }
    Ok(Comprehension { properties: None, tries, dropped: Vec::new() })
}

fn reparse_message(e: &ParseError) -> String {
    format!("That does not parse: {e}. Write all the properties again, one per line, using only the lines described.")
}

/// Properties of what `request` asks, from the request alone.
pub fn comprehend(conv: &mut dyn Conversation, request: &str, opts: &GenerateOptions) -> Result<Comprehension, LlmError> {
    let mut c = ask(conv, format!("Task: {request}"), opts)?;
    if let Some(p) = &c.properties {
        let (grounded, dropped) = p.grounded(request);
        c.properties = Some(grounded);
        c.dropped = dropped;
    }
    Ok(c)
}

/// Properties of what `program` does: `kgent explain`.
pub fn explain(conv: &mut dyn Conversation, program: &str, opts: &GenerateOptions) -> Result<Comprehension, LlmError> {
    ask(conv, format!("Task: what this program does:\n```\n{}\n```", program.trim()), opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::ScriptedChat;

    #[test]
    fn a_reply_that_does_not_parse_is_sent_back_with_the_reason() {
        let mut chat = ScriptedChat::new([
            "```\nevent: tracepoint:syscalls:sys_enter_kill\nemit: sender, signal\n```",
            "event: tracepoint:syscalls:sys_enter_kill\nemit: pid, signal",
            "never asked for",
        ]);
        let c = comprehend(&mut chat, "who sends signals", &GenerateOptions::default()).unwrap();
        let p = c.properties.expect("the second try parses");
        assert_eq!(p.emits, [super::super::language::Field::Pid, super::super::language::Field::Signal]);
        assert_eq!(c.tries.len(), 2);
        assert_eq!(chat.received[0], "Task: who sends signals");
        assert!(chat.received[1].contains("line 2: unknown field 'sender'"), "{}", chat.received[1]);
        assert_eq!(chat.exchanges.len(), SHOTS.len());
    }

    #[test]
    fn the_tries_are_bounded() {
        let mut chat = ScriptedChat::new(["nonsense"; 5]);
        let c = explain(&mut chat, "BEGIN { exit(); }", &GenerateOptions::default()).unwrap();
        assert!(c.properties.is_none());
        assert_eq!(c.tries.len(), TRIES);
        assert!(chat.received[0].contains("BEGIN { exit(); }"));
    }

    #[test]
    fn the_worked_examples_are_valid_properties() {
        for (_, answer) in SHOTS {
            answer.parse::<Properties>().unwrap();
        }
    }
}
