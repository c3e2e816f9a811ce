//! How to generate: the settings the loop and the checks share.

use serde::Serialize;

use crate::llm::GenerateOptions;
use crate::obj::Target;

/// How to generate.
#[derive(Debug, Clone, Serialize)]
pub struct GenOptions {
    pub target: Target,
    /// Most model replies to try, the first included.
    pub rounds: usize,
    /// What the program may do besides observing (`--unsafe`; packet actions a request asks for).
    pub allowed: crate::verify::safety::Allowed,
    pub generate: GenerateOptions,
    /// What the request asks, as properties (from comprehension): when present, every compiled
    /// program is executed symbolically against its filters before the kernel sees it.
    pub properties: Option<crate::comprehend::Properties>,
    /// Where the properties come from when none are given.
    pub comprehend: crate::comprehend::Source,
    /// The events the request is about (from grounding): a program must attach to one of them,
    /// and may use those that only load here when nothing else can serve the request.
    #[serde(skip)]
    pub grounding: Option<crate::ground::Grounding>,
    /// What the reader made of the request: a bpftrace program must trace its plan's event, read
    /// its values, and say the names it gives ([`crate::plan::check::held`]).
    #[serde(skip)]
    pub reading: Option<crate::plan::Reading>,
    /// The request itself: a bpftrace program may test only conditions it states
    /// ([`crate::plan::check::unasked`]).
    #[serde(skip)]
    pub request: Option<String>,
    /// The start the model was given (a partial reading's program): a reply that reads nothing
    /// more than it has added nothing of what the request says beyond it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<crate::plan::emit::Partial>,
}

impl GenOptions {
    pub fn new(target: Target) -> Self {
        let max_tokens = match target {
            Target::Bpftrace => 384,
            Target::Libbpf => 1024,
        };
        GenOptions {
            target,
            rounds: 3,
            allowed: crate::verify::safety::Allowed::default(),
            // The reply is the inside of a code block we opened: its closing fence ends it.
            generate: GenerateOptions { max_tokens, stop: vec!["```".into()], ..Default::default() },
            properties: None,
            comprehend: crate::comprehend::Source::Words,
            grounding: None,
            reading: None,
            request: None,
            start: None,
        }
    }
}
