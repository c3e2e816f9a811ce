//! `kgent bench llm`: how fast the model loads, reads a prompt and writes tokens, and how much
//! memory it takes. A benchmark, not a test: it reports numbers and asserts nothing.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use serde::Serialize;

use crate::cli::{BenchCommand, BenchLlmArgs};
use crate::llm::{self, Model};

/// Plain English and bpftrace, like a real request, repeated until the prompt is long enough.
const PROMPT_TEXT: &str = "Write a bpftrace program that counts openat system calls per process \
name and prints the top ten every second. tracepoint:syscalls:sys_enter_openat { @opens[comm] = \
count(); } interval:s:1 { print(@opens, 10); clear(@opens); } ";

#[derive(Debug, Serialize)]
struct LlmBench {
    model: String,
    model_sha256: String,
    file_size: u64,
    threads: usize,
    runs: usize,
    load_seconds: f64,
    warmup_seconds: f64,
    prefill_tokens: usize,
    prefill_tok_per_s: f64,
    decode_tokens: usize,
    decode_tok_per_s: f64,
    /// The same decode with every token sampled under the bpftrace grammar of a request
    /// (runs interleaved with the plain ones); absent with --no-grammar.
    #[serde(skip_serializing_if = "Option::is_none")]
    grammar: Option<GrammarBench>,
    /// What the load did with the tiled weight cache (mapped: nothing was read or tiled).
    tile_cache: llm::CacheState,
    peak_rss_bytes: Option<u64>,
    peak_rss_over_file: Option<f64>,
    /// Resident memory after the runs, and its proportional share: the cache's mapped pages
    /// count in full in RSS but are shared by every `kgent` process that maps them.
    rss_bytes: Option<u64>,
    pss_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
struct GrammarBench {
    /// Building the token tables (once per process) and compiling the request's grammar.
    setup_seconds: f64,
    grammar_bytes: usize,
    decode_tok_per_s: f64,
    /// Masking and advancing the grammar, per token (median over runs).
    mask_ms_per_token: f64,
    /// That, over a plain decode step.
    mask_share_of_step: f64,
}

pub fn run(cmd: BenchCommand) -> Result<ExitCode> {
    match cmd {
        BenchCommand::Llm(args) => llm_bench(args),
        BenchCommand::Index { misses, json } => index_bench(misses, json),
        BenchCommand::E2e { run, target, json } => e2e_bench(&run, target, json),
        BenchCommand::Verify { json } => verify_bench(json),
        BenchCommand::Draft { run, draft, json } => draft_bench(&run, draft, json),
    }
}

#[derive(Debug, Serialize)]
struct E2eBench {
    model: String,
    model_sha256: String,
    corpus: String,
    requests: usize,
    load_seconds: f64,
    verified: usize,
    /// Model replies per request, on average.
    mean_rounds: f64,
    /// From the request to the model's first reply starting: retrieval, comprehension and the
    /// first prefill (median, p90).
    first_token_median_seconds: f64,
    first_token_p90_seconds: f64,
    median_seconds: f64,
    p90_seconds: f64,
    /// Of the requests that passed: the time to a checked program (median, p90).
    median_to_verified_seconds: Option<f64>,
    p90_to_verified_seconds: Option<f64>,
    /// Load plus the first request: what one `kgent gen` costs from a cold start.
    first_gen_seconds: f64,
    per_request: Vec<E2eRequest>,
}

#[derive(Debug, Serialize)]
struct E2eRequest {
    id: String,
    passed: bool,
    rounds: usize,
    first_token_seconds: f64,
    seconds: f64,
}

/// The `p` quantile of `values` (nearest rank); `None` when empty.
fn quantile(values: impl IntoIterator<Item = f64>, p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().collect();
    v.sort_by(|a, b| a.total_cmp(b));
    (!v.is_empty()).then(|| v[((v.len() as f64 - 1.0) * p).round() as usize])
}

/// The requests of `run`'s corpus a benchmark takes: every k-th, so all subsystems show up.
fn picked(run: &crate::cli::BenchCorpus) -> Result<Vec<crate::retrieve::quality::EvalRequest>> {
    let all = super::eval::corpus(run.corpus.as_deref())?;
    ensure!(!all.is_empty(), "the corpus holds no requests");
    let n = run.requests.unwrap_or(if run.corpus.is_some() { all.len() } else { 11 });
    ensure!(n > 0, "--requests must be above 0");
    let step = (all.len() / n.min(all.len())).max(1);
    Ok(all.into_iter().step_by(step).take(n).collect())
}

fn corpus_name(run: &crate::cli::BenchCorpus) -> String {
    run.corpus.as_deref().map_or("dataset/eval/requests.toml".into(), |p| p.display().to_string())
}

fn e2e_bench(run: &crate::cli::BenchCorpus, target: crate::obj::Target, json: bool) -> Result<ExitCode> {
    use crate::pipeline::{Session, Settings};
    let (model, picked) = (&run.model, picked(run)?);
    // Loaded before the first request, so its time is reported on its own.
    let loaded = super::progress::load_model(model)?;
    let load_seconds = loaded.load_time.as_secs_f64();
    let mut session = Session::new(super::gen::open_host()?, Some(loaded), super::progress::model_opener(model)?);
    let mut per_request = Vec::new();
    for (i, req) in picked.iter().enumerate() {
        let bar = super::progress::spinner(format!("[{}/{}] {}", i + 1, picked.len(), req.id));
        let t = req.target.unwrap_or(target);
        let report = session.generate(&req.request, &Settings { target: t, ..Settings::default() }, &mut |_| {}, &mut |_| {})?;
        bar.finish_and_clear();
        let s = &report.seconds;
        let first_prefill = report.attempts.first().map_or(0.0, |a| a.seconds.prefill);
        per_request.push(E2eRequest {
            id: req.id.clone(),
            passed: report.passed,
            rounds: report.attempts.len(),
            first_token_seconds: s.retrieve + s.comprehend + first_prefill,
            seconds: s.total,
        });
    }
    let times = || per_request.iter().map(|r| r.seconds);
    let first = || per_request.iter().map(|r| r.first_token_seconds);
    let verified = || per_request.iter().filter(|r| r.passed).map(|r| r.seconds);
    let report = E2eBench {
        model: session.loaded().expect("loaded above").name().to_string(),
        model_sha256: session.loaded().expect("loaded above").sha256()?,
        corpus: corpus_name(run),
        requests: per_request.len(),
        load_seconds,
        verified: per_request.iter().filter(|r| r.passed).count(),
        mean_rounds: per_request.iter().map(|r| r.rounds as f64).sum::<f64>() / per_request.len() as f64,
        first_token_median_seconds: quantile(first(), 0.5).unwrap_or_default(),
        first_token_p90_seconds: quantile(first(), 0.9).unwrap_or_default(),
        median_seconds: quantile(times(), 0.5).unwrap_or_default(),
        p90_seconds: quantile(times(), 0.9).unwrap_or_default(),
        median_to_verified_seconds: quantile(verified(), 0.5),
        p90_to_verified_seconds: quantile(verified(), 0.9),
        first_gen_seconds: load_seconds + per_request[0].seconds,
        per_request,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("model      {}", report.model);
        println!("corpus     {}", report.corpus);
        println!("requests   {} ({} verified), {:.2} model replies each", report.requests, report.verified, report.mean_rounds);
        println!("load       {:.2} s", report.load_seconds);
        println!("first tok  median {:.2} s, p90 {:.2} s (retrieval, comprehension, first prefill)", report.first_token_median_seconds, report.first_token_p90_seconds);
        println!("per gen    median {:.1} s, p90 {:.1} s (model loaded)", report.median_seconds, report.p90_seconds);
        if let (Some(m), Some(p)) = (report.median_to_verified_seconds, report.p90_to_verified_seconds) {
            println!("verified   median {m:.1} s, p90 {p:.1} s to a checked program");
        }
        println!("first gen  {:.1} s (load + first request)", report.first_gen_seconds);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Serialize)]
struct DraftBench {
    model: String,
    corpus: String,
    draft: usize,
    /// Requests the model wrote for (a plan's program decodes nothing).
    requests: usize,
    /// Requests whose every reply came out the same with drafts as without.
    identical: usize,
    generated_tokens: usize,
    plain_decode_tok_per_s: f64,
    draft_decode_tok_per_s: f64,
    speedup: f64,
    per_request: Vec<DraftRequest>,
}

#[derive(Debug, Serialize)]
struct DraftRequest {
    id: String,
    identical: bool,
    generated_tokens: usize,
    plain_decode_seconds: f64,
    draft_decode_seconds: f64,
}

/// Each request twice, drafts off and on, alternating which goes first so that drifting memory
/// bandwidth weighs on both alike.
fn draft_bench(run: &crate::cli::BenchCorpus, draft: usize, json: bool) -> Result<ExitCode> {
    use crate::pipeline::{Session, Settings};
    ensure!(draft > 0, "--draft must be above 0 (0 is the plain decoding it is compared with)");
    let (model, picked) = (&run.model, picked(run)?);
    let n = picked.len();
    let loaded = super::progress::load_model(model)?;
    let name = loaded.name().to_string();
    let mut session = Session::new(super::gen::open_host()?, Some(loaded), super::progress::model_opener(model)?);
    let mut per_request = Vec::new();
    for (i, req) in picked.iter().enumerate() {
        let bar = super::progress::spinner(format!("[{}/{n}] {}", i + 1, req.id));
        let mut run = |d: usize| -> Result<(Vec<String>, usize, f64)> {
            let settings = Settings { target: req.target.unwrap_or(crate::obj::Target::Bpftrace), draft: d, ..Settings::default() };
            let report = session.generate(&req.request, &settings, &mut |_| {}, &mut |_| {})?;
            let model_attempts: Vec<_> = report.attempts.iter().filter(|a| a.generated_tokens > 0).collect();
            Ok((
                model_attempts.iter().map(|a| a.program.clone()).collect(),
                model_attempts.iter().map(|a| a.generated_tokens).sum(),
                model_attempts.iter().map(|a| a.seconds.decode).sum(),
            ))
        };
        let (plain, drafted) = if i % 2 == 0 {
            let p = run(0)?;
            (p, run(draft)?)
        } else {
            let d = run(draft)?;
            (run(0)?, d)
        };
        bar.finish_and_clear();
        if plain.1 == 0 {
            continue;
        }
        per_request.push(DraftRequest {
            id: req.id.clone(),
            identical: plain.0 == drafted.0,
            generated_tokens: plain.1,
            plain_decode_seconds: plain.2,
            draft_decode_seconds: drafted.2,
        });
    }
    let tokens: usize = per_request.iter().map(|r| r.generated_tokens).sum();
    let plain: f64 = per_request.iter().map(|r| r.plain_decode_seconds).sum();
    let drafted: f64 = per_request.iter().map(|r| r.draft_decode_seconds).sum();
    let report = DraftBench {
        model: name,
        corpus: corpus_name(run),
        draft,
        requests: per_request.len(),
        identical: per_request.iter().filter(|r| r.identical).count(),
        generated_tokens: tokens,
        plain_decode_tok_per_s: tokens as f64 / plain.max(1e-9),
        draft_decode_tok_per_s: tokens as f64 / drafted.max(1e-9),
        speedup: plain / drafted.max(1e-9),
        per_request,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("model      {} (drafts of up to {} tokens)", report.model, report.draft);
        println!("requests   {} the model wrote for, {} with the same replies both ways", report.requests, report.identical);
        println!(
            "decode     {:.1} tok/s plain, {:.1} tok/s drafting ({:.2}x, {} tokens)",
            report.plain_decode_tok_per_s, report.draft_decode_tok_per_s, report.speedup, report.generated_tokens
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn llm_bench(args: BenchLlmArgs) -> Result<ExitCode> {
    ensure!(args.runs > 0 && args.prompt_tokens > 0 && args.decode_tokens > 0, "runs and token counts must be above 0");
    let mut loaded = super::progress::load_model(&args.model)?;
    let load_seconds = loaded.load_time.as_secs_f64();
    let (name, sha256) = (loaded.name().to_string(), loaded.sha256()?);
    let model = loaded.local()?;
    let warm = Instant::now();
    model.warm_up()?;
    let warmup = warm.elapsed();

    let mut prompt = Vec::new();
    while prompt.len() < args.prompt_tokens {
        prompt.extend(model.encode(PROMPT_TEXT)?);
    }
    prompt.truncate(args.prompt_tokens);

    // The grammar `gen` would decode "count openat calls per process" under, on this host.
    let grammar = if args.no_grammar {
        None
    } else {
        let t = Instant::now();
        let catalog = crate::kernel::Catalog::load_or_build(&crate::store::home_dir()?, false)?;
        let g = crate::synth::grammar::Grammar::for_request(&catalog, &["tracepoint:syscalls:sys_enter_openat".to_string()], false);
        let text = llm::GrammarText(g.lark.into());
        let vocab = model.forward(&prompt[..1], 0)?.dims1()?;
        let compiled = model.grammars(vocab)?.compile(&text)?;
        Some((compiled, t.elapsed()))
    };

    let mut prefills = Vec::new();
    let mut decodes = Vec::new();
    let (mut masked, mut mask_ms) = (Vec::new(), Vec::new());
    for run in 0..args.runs {
        let bar = super::progress::spinner(format!("run {}/{}: prefill {} tokens", run + 1, args.runs, prompt.len()));
        let (prefill, decode, _) = measure(model, &prompt, args.decode_tokens, None)?;
        prefills.push(prompt.len() as f64 / prefill.as_secs_f64());
        decodes.push(args.decode_tokens as f64 / decode.as_secs_f64());
        if let Some((g, _)) = &grammar {
            bar.set_message("the same under the grammar");
            let (_, decode, mask) = measure(model, &prompt, args.decode_tokens, Some(g))?;
            masked.push(args.decode_tokens as f64 / decode.as_secs_f64());
            mask_ms.push(mask.as_secs_f64() * 1e3 / args.decode_tokens as f64);
        }
        bar.finish_and_clear();
    }

    let file_size = model.info().file_size;
    let peak = llm::peak_rss_bytes();
    let now = llm::rss_and_pss_bytes();
    let report = LlmBench {
        model: name,
        model_sha256: sha256,
        file_size,
        threads: candle_core::utils::get_num_threads(),
        runs: args.runs,
        load_seconds,
        warmup_seconds: warmup.as_secs_f64(),
        prefill_tokens: prompt.len(),
        prefill_tok_per_s: median(&mut prefills),
        decode_tokens: args.decode_tokens,
        decode_tok_per_s: median(&mut decodes),
        grammar: grammar.map(|(compiled, setup)| {
            let mask = median(&mut mask_ms);
            GrammarBench {
                setup_seconds: setup.as_secs_f64(),
                grammar_bytes: compiled.text().0.len(),
                decode_tok_per_s: median(&mut masked),
                mask_ms_per_token: mask,
                mask_share_of_step: mask / (1e3 / median(&mut decodes)),
            }
        }),
        tile_cache: model.tile_cache().clone(),
        peak_rss_bytes: peak,
        peak_rss_over_file: peak.map(|p| p as f64 / file_size as f64),
        rss_bytes: now.map(|(rss, _)| rss),
        pss_bytes: now.map(|(_, pss)| pss),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("model      {} ({} threads)", report.model, report.threads);
        let cache = match &report.tile_cache {
            llm::CacheState::Off => "no tile cache".to_string(),
            llm::CacheState::Mapped => "tiles mapped from the cache".to_string(),
            llm::CacheState::Written => "tiled, cache written".to_string(),
            llm::CacheState::Rebuilt { reason } => format!("tiled, cache rebuilt: {reason}"),
            llm::CacheState::NotWritten { reason } => format!("tiled, cache not written: {reason}"),
        };
        println!("load       {:.2} s (+{:.2} s warm-up; {cache})", report.load_seconds, report.warmup_seconds);
        println!("prefill    {:.1} tok/s ({} tokens)", report.prefill_tok_per_s, report.prefill_tokens);
        println!("decode     {:.1} tok/s ({} tokens)", report.decode_tok_per_s, report.decode_tokens);
        if let Some(g) = &report.grammar {
            println!(
                "grammar    {:.1} tok/s decoding under it; mask {:.2} ms/token, {:.1}% of a step (setup {:.2} s, {} KB)",
                g.decode_tok_per_s,
                g.mask_ms_per_token,
                g.mask_share_of_step * 100.0,
                g.setup_seconds,
                g.grammar_bytes / 1024
            );
        }
        if let (Some(p), Some(r)) = (report.peak_rss_bytes, report.peak_rss_over_file) {
            println!("peak RSS   {:.2} GB ({r:.2}x the file)", p as f64 / 1e9);
        }
        if let (Some(rss), Some(pss)) = (report.rss_bytes, report.pss_bytes) {
            println!("RSS / PSS  {:.2} / {:.2} GB after the runs", rss as f64 / 1e9, pss as f64 / 1e9);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One prefill of `prompt` from an empty cache, then `n` greedy decode steps that ignore stop
/// tokens, so every run does the same amount of work. Under a grammar each token is masked
/// first (a finished program starts another); the third duration is the masks' share.
fn measure(model: &mut Model, prompt: &[u32], n: usize, grammar: Option<&llm::CompiledGrammar>) -> Result<(Duration, Duration, Duration)> {
    model.clear_kv_cache();
    let start = Instant::now();
    let mut logits = model.forward(prompt, 0)?;
    let prefill = start.elapsed();
    let mut sampler = crate::llm::sample::Sampler::new(0, crate::llm::sample::Sampling::ArgMax);
    let mut constraint = grammar.map(|g| g.start());
    let mut mask = Duration::ZERO;
    let start = Instant::now();
    for i in 0..n {
        let next = match (&mut constraint, grammar) {
            (Some(c), Some(g)) => {
                let mut host: Vec<f32> = logits.to_vec1()?;
                let t = Instant::now();
                if !c.mask(&mut host)? {
                    *c = g.start();
                    host = logits.to_vec1()?;
                    c.mask(&mut host)?;
                }
                let next = sampler.sample_slice(&host);
                if c.commit(next).is_err() {
                    // The end of a program (its end-of-turn token): the next one starts afresh.
                    *c = g.start();
                }
                mask += t.elapsed();
                next
            }
            _ => sampler.sample(&logits)?,
        };
        logits = model.forward(&[next], prompt.len() + i)?;
    }
    Ok((prefill, start.elapsed(), mask))
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn index_bench(show_misses: bool, json: bool) -> Result<ExitCode> {
    use crate::retrieve::{host_tool_dirs, index, quality, Searcher};
    let loc = index::Location { home: crate::store::home_dir()? };
    let report = index::build(&loc, &host_tool_dirs())?;
    let searcher = Searcher::open(&loc, &host_tool_dirs(), &mut |_| {})?;
    let q = quality::measure(&searcher)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "build": report, "quality": q }))?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("index      {} ({} examples, {} hooks)", report.version, report.examples, report.hooks);
    println!("build      {:.2} s", report.seconds);
    println!("queries    p50 {:.2} ms, p95 {:.2} ms", q.query_p50_ms, q.query_p95_ms);
    println!("recall     examples@3 {:.1}%, attachable hooks@10 {:.1}% ({} requests)", q.example_recall_at_3 * 100.0, q.hook_recall_at_10 * 100.0, q.requests);
    if show_misses {
        for m in &q.misses {
            println!("miss {}: examples {:?} hooks {:?}", m.id, m.top_examples, m.top_hooks);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Serialize)]
struct VerifyBench {
    programs: usize,
    p50_ms: f64,
    p95_ms: f64,
    max_ms: f64,
    proved: usize,
    counterexamples: usize,
    unknown: usize,
    /// The reasons for `unknown`, with how often each came up.
    unknown_reasons: std::collections::BTreeMap<String, usize>,
    /// The five slowest examples, slowest first: (milliseconds, example id).
    slowest: Vec<(f64, String)>,
}

/// Every dataset example, verified for safety (and trivially its filters: none are given).
fn verify_bench(json: bool) -> Result<ExitCode> {
    use crate::verify::compile::{compile, CompileVerdict};
    use crate::verify::symbolic::{self, Verdict};
    let platform = symbolic::Tracefs::host();
    let home = crate::store::home_dir()?;
    let props: crate::comprehend::Properties = "event: any:any".parse().expect("valid properties");
    let mut times = Vec::new();
    let mut slowest = Vec::new();
    let (mut proved, mut counter, mut unknown) = (0, 0, 0);
    let mut reasons = std::collections::BTreeMap::new();
    let examples = crate::retrieve::corpus::dataset();
    let bar = super::progress::spinner("verifying the dataset");
    for e in &examples {
        let compiled = compile(e.target, &e.code, &home, false)?;
        let CompileVerdict::Compiled { object, .. } = compiled else {
            continue;
        };
        let start = Instant::now();
        let report = symbolic::verify(&object, &props, &platform)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        slowest.push((times[times.len() - 1], e.id.clone()));
        for c in report.checks.iter().filter(|c| c.property == symbolic::Property::Safety) {
            match &c.verdict {
                Verdict::Proved => proved += 1,
                Verdict::Counterexample { .. } => counter += 1,
                Verdict::Unknown { reason } => {
                    unknown += 1;
                    // The instruction number varies; the kind of reason is what matters.
                    let reason = reason.to_string();
                    let kind = reason.split(": ").last().unwrap_or(reason.as_str()).to_string();
                    *reasons.entry(kind).or_insert(0) += 1;
                }
            }
        }
    }
    bar.finish_and_clear();
    ensure!(!times.is_empty(), "no dataset example compiled: are bpftrace and clang installed?");
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    slowest.sort_by(|a: &(f64, String), b| b.0.total_cmp(&a.0));
    slowest.truncate(5);
    let report =
        VerifyBench { programs: times.len(), p50_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1.0), proved, counterexamples: counter, unknown, unknown_reasons: reasons, slowest };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("programs   {} (every dataset example)", report.programs);
        println!("time       p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms per object", report.p50_ms, report.p95_ms, report.max_ms);
        println!("safety     {} proved, {} counterexamples, {} unknown (per program section)", report.proved, report.counterexamples, report.unknown);
        let slow: Vec<String> = report.slowest.iter().map(|(ms, id)| format!("{id} {ms:.0} ms")).collect();
        println!("slowest    {}", slow.join(", "));
        for (why, n) in &report.unknown_reasons {
            println!("  unknown  {n:>3}  {why}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
