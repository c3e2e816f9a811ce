//! Checks a candidate program. Each check returns a verdict with its evidence (compiler message,
//! verifier log); a failing candidate is a result, never an `Err`. `Err` means the tool itself
//! could not run the check (clang missing, no permission).

pub mod compile;
pub mod hooks;
pub mod kernel;
pub mod safety;
pub mod symbolic;
