//! What a request asks, as checkable properties: the event, the filters on it, the fields each
//! output carries, the aggregation and its interval, and latency pairs. The model writes them in
//! the text form below from the request alone; the symbolic verifier checks a program against them.
//!
//! ```text
//! event: tracepoint:syscalls:sys_enter_openat
//! filter: comm == "bash"
//! filter: uid != 0
//! emit: pid, comm, filename
//! aggregate: count by comm
//! interval: 1s
//! top: 10
//! latency: tracepoint:syscalls:sys_enter_read -> tracepoint:syscalls:sys_exit_read
//! ```
//!
//! One property per line, `key: value`; `#` starts a comment. Parsing is strict: an unknown key,
//! field or operator is an error naming the line and what is allowed, which goes back to the model
//! as it is (a bounded number of times).
//!
//! ```
//! let p: kgent::comprehend::Properties = "event: tracepoint:sched:sched_process_exec\nemit: pid, filename".parse()?;
//! assert_eq!(p.emits, [kgent::comprehend::Field::Pid, kgent::comprehend::Field::Filename]);
//! assert_eq!(p.to_string().parse::<kgent::comprehend::Properties>()?, p);
//! # Ok::<(), kgent::comprehend::ParseError>(())
//! ```

mod ask;
mod ground;
mod language;
mod words;

pub use ask::{comprehend, explain, Comprehension, Try, SYSTEM};
pub use language::{Aggregate, CmpOp, Field, Filter, ParseError, Properties, Value};
pub use words::from_words;

/// Where `gen` and `eval` take the request's properties from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// No properties: only grounding's hooks, the compiler and the kernel verifier judge.
    Off,
    /// What the request's words state outright ([`from_words`]): free, the default.
    #[default]
    Words,
    /// The model restates the request first (seconds per request; reads more than words do).
    Model,
}
