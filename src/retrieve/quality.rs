//! Retrieval quality on our eval requests (`dataset/eval/requests.toml`): is a relevant example in
//! the top 3, and an attachable correct hook in the top 10? Plus query latency.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::index::{Hit, IndexError, Kind, Searcher};
use crate::kernel::Attach;

const REQUESTS: &str = include_str!("../../dataset/eval/requests.toml");
const HELDOUT: &str = include_str!("../../dataset/eval/heldout.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct EvalRequest {
    pub id: String,
    pub request: String,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub hooks: Vec<String>,
    /// Words a bpftrace answer must use (the rubric of `kgent eval`).
    #[serde(default)]
    pub fields: Vec<String>,
    /// The language this request needs (XDP is C only) [default: eval's --target].
    #[serde(default)]
    pub target: Option<crate::obj::Target>,
    /// A shell command that makes the event happen here (`kgent eval --run-triggers`).
    #[serde(default)]
    pub trigger: Option<String>,
    /// A regex that the output of any correct program matches while the trigger fires.
    #[serde(default)]
    pub expect: Option<String>,
    /// For a request this host cannot serve as asked: the honest answer expected instead of a
    /// program (`cannot_attach_here`, `absent_here`, `no_pmu`, `no_such_event`).
    #[serde(default)]
    pub outcome: Option<String>,
}

impl EvalRequest {
    /// The trigger, when the request has both halves of one.
    pub fn trigger(&self) -> Option<crate::run::trigger::Trigger> {
        Some(crate::run::trigger::Trigger { command: self.trigger.clone()?, expect: self.expect.clone()? })
    }
}

#[derive(Deserialize)]
struct File {
    request: Vec<EvalRequest>,
}

/// Our eval requests, as compiled in.
pub fn eval_requests() -> Vec<EvalRequest> {
    parse_requests(REQUESTS).expect("dataset/eval/requests.toml parses (checked by tests)")
}

/// The held-out corpus (`dataset/eval/heldout.toml`), as compiled in: frozen, never tuned on.
pub fn heldout_requests() -> Vec<EvalRequest> {
    parse_requests(HELDOUT).expect("dataset/eval/heldout.toml parses (checked by tests)")
}

/// Parses a corpus in the format of `dataset/eval/requests.toml`.
pub fn parse_requests(text: &str) -> Result<Vec<EvalRequest>, toml::de::Error> {
    Ok(toml::from_str::<File>(text)?.request)
}

/// One request's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub example_hit: bool,
    pub hook_hit: Option<bool>,
    pub top_examples: Vec<String>,
    pub top_hooks: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Quality {
    pub requests: usize,
    pub example_recall_at_3: f64,
    pub hook_recall_at_10: f64,
    pub query_p50_ms: f64,
    pub query_p95_ms: f64,
    pub misses: Vec<Outcome>,
}

/// Whether `probe` matches a pattern with `*` wildcards.
pub fn probe_matches(pattern: &str, probe: &str) -> bool {
    crate::obj::probe::glob(pattern).is_match(probe)
}

/// Runs every eval request against `searcher`.
pub fn measure(searcher: &Searcher) -> Result<Quality, IndexError> {
    let requests = eval_requests();
    let mut times = Vec::new();
    let mut outcomes = Vec::new();
    for r in &requests {
        let t = Instant::now();
        let examples = searcher.search(&r.request, Kind::Examples, 3)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let hooks = searcher.search(&r.request, Kind::Hooks, 10)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        let top_examples: Vec<String> = examples
            .iter()
            .filter_map(|h| match h {
                Hit::Example { example, .. } => Some(example.id.clone()),
                _ => None,
            })
            .collect();
        let attachable: Vec<String> = hooks
            .iter()
            .filter_map(|h| match h {
                Hit::Hook { hook, .. } if matches!(hook.attach, Attach::Yes | Attach::Unknown) => Some(hook.probe.clone()),
                _ => None,
            })
            .collect();
        outcomes.push(Outcome {
            id: r.id.clone(),
            example_hit: top_examples.iter().any(|e| r.examples.contains(e)),
            hook_hit: (!r.hooks.is_empty()).then(|| attachable.iter().any(|p| r.hooks.iter().any(|pat| probe_matches(pat, p)))),
            top_examples,
            top_hooks: attachable,
        });
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let with_hooks = outcomes.iter().filter(|o| o.hook_hit.is_some()).count().max(1);
    Ok(Quality {
        requests: requests.len(),
        example_recall_at_3: outcomes.iter().filter(|o| o.example_hit).count() as f64 / requests.len() as f64,
        hook_recall_at_10: outcomes.iter().filter(|o| o.hook_hit == Some(true)).count() as f64 / with_hooks as f64,
        query_p50_ms: pct(0.5),
        query_p95_ms: pct(0.95),
        misses: outcomes.into_iter().filter(|o| !o.example_hit || o.hook_hit == Some(false)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_globs() {
        assert!(probe_matches("tracepoint:syscalls:sys_enter_open*", "tracepoint:syscalls:sys_enter_openat"));
        assert!(probe_matches("uprobe:*libc.so.6:malloc", "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc"));
        assert!(probe_matches("tracepoint:syscalls:sys_enter_*chmod*", "tracepoint:syscalls:sys_enter_fchmodat"));
        assert!(!probe_matches("tracepoint:syscalls:sys_enter_open*", "tracepoint:syscalls:sys_exit_openat"));
        assert!(!probe_matches("software:page-faults", "software:page-faults2"));
    }

    #[test]
    fn the_heldout_corpus_is_large_and_mixes_honest_outcomes_and_triggers() {
        let held = heldout_requests();
        assert!(held.len() >= 60, "{} held-out requests", held.len());
        let honest: Vec<&EvalRequest> = held.iter().filter(|r| r.outcome.is_some()).collect();
        assert!(honest.len() >= 15, "{} with an expected honest outcome", honest.len());
        assert!(held.iter().filter(|r| r.trigger().is_some()).count() >= 20);
        for r in honest {
            let o = r.outcome.as_deref().unwrap_or_default();
            assert!(["cannot_attach_here", "absent_here", "no_pmu", "no_such_event"].contains(&o), "{}: outcome {o:?}", r.id);
        }
        let ours: std::collections::BTreeSet<String> = eval_requests().into_iter().map(|r| r.request).collect();
        assert!(held.iter().all(|r| !ours.contains(&r.request)), "a held-out request is also in requests.toml");
    }

    #[test]
    fn eval_requests_parse_and_name_real_dataset_examples() {
        let ids: Vec<String> = crate::retrieve::corpus::dataset().into_iter().map(|e| e.id).collect();
        let reqs = eval_requests();
        assert!(reqs.len() >= 50, "{} requests", reqs.len());
        for r in &reqs {
            // `host/` tools are acceptable answers where installed; ours must exist.
            for e in r.examples.iter().filter(|e| !e.starts_with("host/")) {
                assert!(ids.contains(e), "{}: unknown example {e}", r.id);
            }
        }
    }
}
