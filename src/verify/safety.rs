//! The safety gate: a program that would act on the system instead of observing it (bpftrace's
//! `system`, `signal` and `override`) is refused, with a verdict naming what it calls, unless the
//! user allowed it with `--unsafe`. Nothing of a refused program is compiled or loaded.

use serde::Serialize;

use crate::obj::Target;

/// Whether the program may be checked at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum SafetyVerdict {
    Ok,
    /// Unsafe builtins without `--unsafe`: nothing of it is compiled or loaded.
    Unsafe {
        calls: Vec<String>,
    },
}

/// Builtins that make bpftrace act on the system instead of observing it; bpftrace itself wants
/// `--unsafe` for them.
pub const UNSAFE_BUILTINS: &[&str] = &["system", "signal", "override"];

/// The unsafe builtins a bpftrace program calls.
pub fn unsafe_calls(program: &str) -> Vec<&'static str> {
    UNSAFE_BUILTINS
        .iter()
        .copied()
        .filter(|b| {
            program.match_indices(b).any(|(i, _)| {
                let before = program[..i].chars().next_back();
                let after = program[i + b.len()..].trim_start().starts_with('(');
                after && !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '@' || c == '$')
            })
        })
        .collect()
}

/// The gate for `program`: its unsafe calls refuse it unless `allow_unsafe`.
pub fn check(program: &str, target: Target, allow_unsafe: bool) -> SafetyVerdict {
    let calls = if target == Target::Bpftrace && !allow_unsafe { unsafe_calls(program) } else { vec![] };
    if calls.is_empty() {
        SafetyVerdict::Ok
    } else {
        SafetyVerdict::Unsafe { calls: calls.into_iter().map(String::from).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_builtins_are_found_but_not_in_names() {
        assert_eq!(unsafe_calls("BEGIN { system(\"ls\"); signal(9); }"), ["system", "signal"]);
        assert!(unsafe_calls("tracepoint:signal:signal_generate { @sig_count = count(); @system_calls[comm] = count(); }").is_empty());
    }
}
