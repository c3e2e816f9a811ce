//! Synthesis: ask the model for a program, check it, feed every failure back into the same
//! conversation (its KV cache kept), for a bounded number of rounds.
//!
//! The checks run in order and stop at the first failure: the program is safe to check (no unsafe
//! builtins unless allowed), its probes exist and attach here, it compiles, and the kernel
//! verifier accepts it. Each failure is a verdict with evidence, turned into short feedback.

pub mod checks;
pub mod extract;
pub mod feedback;
mod fixit;
pub mod grammar;
mod options;
pub mod prompt;
mod rounds;

pub use checks::{check, CheckError, Checker, Checks, HostChecker, StageTimes};
pub use feedback::feedback;
pub use options::GenOptions;
pub use rounds::{best, synthesize, Attempt, Outcome, SynthError, WrittenBy};
