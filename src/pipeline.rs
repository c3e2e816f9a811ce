//! One request through every stage, as a library call. `kgent gen`, `eval` and `bench e2e` (and
//! next the MCP server) open a [`Session`] once and call [`Session::generate`] per request; the
//! commands only parse flags, show progress and print the [`GenReport`].
//!
//! ```no_run
//! use kgent::pipeline::{Host, LoadedModel, Session, Settings};
//! let host = Host::open(&mut |stage| eprintln!("{stage}"))?;
//! // The model is opened only when a request needs it (a complete plan is written without it).
//! let open = Box::new(|| LoadedModel::load(None, &kgent::llm::Device::Cpu));
//! let mut session = Session::new(host, None, open);
//! let report = session.generate("count openat calls per process every second", &Settings::default(), &mut |_| {}, &mut |_| {})?;
//! println!("{}", report.program.unwrap_or_default());
//! # Ok::<(), kgent::pipeline::PipelineError>(())
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::ground::{ground, Grounding, Retrieval, Servable};
use crate::kernel::{Catalog, CatalogError, Hook};
use crate::llm::{Backend, Chat, Conversation, Device, GenerateOptions, LlmError, Model, Remote, RemoteApi, TileCache};
use crate::obj::Target;
use crate::retrieve::corpus::Example;
use crate::retrieve::index::{IndexError, Location};
use crate::retrieve::{host_tool_dirs, Hit, Kind, Searcher};
use crate::store::{home_dir, Manifest, ResolvedModel, Store, StoreError};
use crate::synth::{self, prompt, Attempt, Checker, GenOptions, HostChecker, SynthError};
use crate::verify::compile::CompileVerdict;

/// How the tool itself failed (not a program: a failing program is a report).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("{0}")]
    Request(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Model(#[from] LlmError),
    #[error(transparent)]
    Synth(#[from] SynthError),
}

/// The longest request Kgent takes: a paragraph. Longer text is a file pasted by mistake, and would
/// crowd the examples out of the model's context.
pub const MAX_REQUEST_BYTES: usize = 4096;

/// Whether `request` can be a request, with what to do when not.
pub fn check_request(request: &str) -> Result<(), String> {
    if request.trim().is_empty() {
        return Err("the request is empty: say what the program should do, e.g. \"count openat calls per process every second\"".into());
    }
    if request.len() > MAX_REQUEST_BYTES {
        return Err(format!("the request is {} bytes, more than the {MAX_REQUEST_BYTES} Kgent takes: say in a paragraph what the program should do", request.len()));
    }
    // Control characters, and the invisible format characters (bidi overrides, zero-width
    // spaces) that make text read otherwise than it is.
    let hidden = |c: char| matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
    if request.chars().any(|c| (c.is_control() && !c.is_whitespace()) || hidden(c)) {
        return Err("the request holds control or invisible formatting characters: write it as plain text".into());
    }
    Ok(())
}

/// The settings of a generation, resolved once from flags (and, later, the config file).
#[derive(Debug, Clone)]
pub struct Settings {
    pub target: Target,
    /// Most model replies to try, the first included (at least 1).
    pub rounds: usize,
    /// Allow helpers and builtins that act on the system (signals, memory writes, return
    /// overrides, `system`) and packet actions the request does not ask for (`--unsafe`).
    pub allow_unsafe: bool,
    /// Longest reply; `None` for the target's default.
    pub max_tokens: Option<usize>,
    pub seed: u64,
    /// 0 is greedy.
    pub temperature: f64,
    /// Where the request's properties come from; every program is checked against them.
    pub comprehend: crate::comprehend::Source,
    /// Whether bpftrace replies are decoded under the grammar of the language and the
    /// request's probes and fields (README, *Constrained decoding*).
    pub grammar: GrammarUse,
    /// Write a complete plan as a program without the model (on by default; off, the model
    /// writes every program).
    pub plan: bool,
    /// Most tokens a draft guesses ahead while decoding (0: one token per pass); greedy programs
    /// are the same either way, only faster.
    pub draft: usize,
}

/// When bpftrace replies are decoded under the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GrammarUse {
    /// Wherever the model runs in this process (the default); a server decodes freely, as it
    /// cannot be handed the mask.
    #[default]
    Auto,
    /// Always: with a server, an error.
    On,
    /// Never: free decoding, for comparisons.
    Off,
}

impl GrammarUse {
    /// From a command's `--grammar` and `--no-grammar` (the later given wins, by clap).
    pub fn from_flags(grammar: bool, no_grammar: bool) -> Self {
        match (grammar, no_grammar) {
            (_, true) => GrammarUse::Off,
            (true, _) => GrammarUse::On,
            _ => GrammarUse::Auto,
        }
    }

    /// Whether a model on `backend` decodes under it.
    pub fn applies(self, backend: Backend) -> bool {
        match self {
            GrammarUse::Auto => backend == Backend::Local,
            GrammarUse::On => true,
            GrammarUse::Off => false,
        }
    }
}

impl Default for Settings {
    /// bpftrace, 3 rounds, greedy, seed 42, properties from the request's words, the grammar,
    /// complete plans written without the model: `kgent gen`'s defaults.
    fn default() -> Self {
        Settings {
            target: Target::Bpftrace,
            rounds: 3,
            allow_unsafe: false,
            max_tokens: None,
            seed: 42,
            temperature: 0.0,
            comprehend: crate::comprehend::Source::Words,
            grammar: GrammarUse::Auto,
            plan: true,
            draft: crate::llm::DEFAULT_DRAFT,
        }
    }
}

impl Settings {
    /// What the synthesis loop is given.
    pub fn gen_options(&self) -> GenOptions {
        let mut opts = GenOptions::new(self.target);
        opts.comprehend = self.comprehend;
        opts.rounds = self.rounds.max(1);
        opts.allowed = crate::verify::safety::Allowed::everything(self.allow_unsafe);
        if let Some(n) = self.max_tokens {
            opts.generate.max_tokens = n;
        }
        opts.generate = GenerateOptions { seed: self.seed, temperature: self.temperature, draft: self.draft, ..opts.generate };
        opts
    }
}

/// How many of BM25's best hooks grounding weighs for a request that names nothing precisely.
const GROUNDING_RANKS: usize = 30;

/// How many of BM25's best hooks the grammar lets the model write, beside the grounded ones.
const GRAMMAR_HOOKS: usize = 24;

/// What generation needs from this host, opened once (an eval reuses it for every request).
pub struct Host {
    pub home: PathBuf,
    pub catalog: Catalog,
    pub searcher: Searcher,
}

impl Host {
    /// Reads (or builds) the hook catalog and the index; `progress` hears what is being done.
    pub fn open(progress: &mut dyn FnMut(&str)) -> Result<Host, PipelineError> {
        let home = home_dir()?;
        progress("reading this host's hooks");
        let catalog = Catalog::load_or_build(&home, false)?;
        progress("opening the index");
        let searcher = Searcher::open(&Location { home: home.clone() }, &host_tool_dirs(), &mut |why| progress(&format!("building the index ({why})")))?;
        Ok(Host { home, catalog, searcher })
    }

    /// Which of this host's events implement `request`, and whether it can serve it as asked:
    /// no model needed.
    pub fn ground(&self, request: &str) -> Result<Grounding, PipelineError> {
        let ranked = self.searcher.rank_hooks(request, GROUNDING_RANKS)?;
        let mut familiar = std::collections::BTreeSet::new();
        for w in crate::ground::words(request) {
            if self.searcher.examples_using(&w)? >= 2 {
                familiar.insert(w);
            }
        }
        Ok(ground(
            request,
            &self.catalog,
            crate::kernel::perf::has_hardware_pmu(),
            &Retrieval { ranked, familiar, everyday: crate::plan::read::everyday_event_words(request, &self.catalog) },
        ))
    }
}

/// Which model, and where it runs: what `--backend`, `--model`, `--device`, `--base-url` and
/// `--api-model` say, after the config file.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    pub backend: Backend,
    /// A manifest name or a .gguf path (`None`: the default), for the local backend.
    pub model: Option<String>,
    pub device: Device,
    pub base_url: Option<String>,
    /// The server's model name (`None`: the first it lists).
    pub api_model: Option<String>,
    /// How the server is asked.
    pub api: RemoteApi,
}

/// The model, in this process or behind a server.
#[allow(clippy::large_enum_variant)] // one per process, never moved once opened
pub enum Engine {
    Local { model: Model, resolved: ResolvedModel },
    Remote(Remote),
}

/// A model ready to talk to, with what it is and how long opening it took.
pub struct LoadedModel {
    pub engine: Engine,
    pub load_time: Duration,
}

impl LoadedModel {
    /// The local model `name` (a manifest name or a path; `None`: `KGENT_MODEL`, else the
    /// default), verified in the store, on `device`.
    pub fn load(name: Option<&str>, device: &Device) -> Result<LoadedModel, PipelineError> {
        let manifest = Manifest::load()?;
        let store = Store::open_default()?;
        let resolved = store.resolve(&manifest, name)?;
        let start = Instant::now();
        // Without a cache (turned off, or a model file that cannot be looked at) the model loads
        // all the same, only slower.
        let cache = if !TileCache::enabled() { None } else { TileCache::for_model(store.dir(), &resolved.path, resolved.sha256.as_deref()).ok() };
        let model = Model::load_with_cache(&resolved.path, &resolved.name, device, cache.as_ref())?;
        Ok(LoadedModel { engine: Engine::Local { model, resolved }, load_time: start.elapsed() })
    }

    /// The model `spec` names: loaded here, or a connection to its server (checked to serve it).
    pub fn open(spec: &ModelSpec) -> Result<LoadedModel, PipelineError> {
        match spec.backend {
            Backend::Local => LoadedModel::load(spec.model.as_deref(), &spec.device),
            Backend::Openai => {
                let Some(url) = &spec.base_url else {
                    return Err(PipelineError::Request(
                        "--backend openai needs the server's address: --base-url http://HOST:PORT/v1 (or base_url in the config file, or KGENT_BASE_URL)".into(),
                    ));
                };
                let start = Instant::now();
                let remote = Remote::connect(url, spec.api_model.as_deref(), spec.api)?;
                Ok(LoadedModel { engine: Engine::Remote(remote), load_time: start.elapsed() })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::Local { .. } => Backend::Local,
            Engine::Remote(_) => Backend::Openai,
        }
    }

    /// The model's name: the manifest's or the file's, or the server's.
    pub fn name(&self) -> &str {
        match &self.engine {
            Engine::Local { resolved, .. } => &resolved.name,
            Engine::Remote(r) => &r.model,
        }
    }

    /// The local file's sha256 (hashing a file given by path now); empty for a server's model,
    /// whose weights Kgent cannot see.
    pub fn sha256(&mut self) -> Result<String, PipelineError> {
        match &mut self.engine {
            Engine::Local { resolved, .. } => Ok(resolved.sha256()?),
            Engine::Remote(_) => Ok(String::new()),
        }
    }

    /// A new conversation with `system` (the model's default when `None`).
    pub fn conversation(&mut self, system: Option<&str>) -> Result<Box<dyn Conversation + '_>, LlmError> {
        Ok(match &mut self.engine {
            Engine::Local { model, .. } => Box::new(Chat::new(model, system)?),
            Engine::Remote(r) => Box::new(r.chat(system)),
        })
    }

    /// The request restated as properties, in a conversation of its own.
    pub fn comprehend(&mut self, request: &str) -> Result<crate::comprehend::Comprehension, LlmError> {
        let mut chat = self.conversation(Some(crate::comprehend::SYSTEM))?;
        crate::comprehend::comprehend(chat.as_mut(), request, &properties_options())
    }

    /// What a program's text does, as properties. Our examples' header says what the program is
    /// for (and how to trigger it): that would be reading the answer, so the model never sees it.
    pub fn explain(&mut self, program: &str) -> Result<crate::comprehend::Comprehension, LlmError> {
        let (_, body) = crate::retrieve::corpus::parse_header(program);
        let mut chat = self.conversation(Some(crate::comprehend::SYSTEM))?;
        crate::comprehend::explain(chat.as_mut(), &body, &properties_options())
    }

    /// The local model, for what only it can do (benchmarks of the runtime, grammars).
    pub fn local(&mut self) -> Result<&mut Model, PipelineError> {
        match &mut self.engine {
            Engine::Local { model, .. } => Ok(model),
            Engine::Remote(r) => Err(PipelineError::Request(format!("this needs the local backend; the model here is {} on a server", r.model))),
        }
    }
}

/// Decoding for a restatement as properties: a few lines.
fn properties_options() -> GenerateOptions {
    GenerateOptions { max_tokens: 160, ..GenerateOptions::default() }
}

/// Everything `kgent gen --json` reports.
#[derive(Debug, Serialize)]
pub struct GenReport {
    pub request: String,
    pub target: Target,
    pub passed: bool,
    /// Passed, attachable here, and nothing of the request was left unchecked: the only kind
    /// of program Kgent calls confirmed.
    pub confirmed: bool,
    /// What the checks of a passing program could not cover ([`unchecked`]): the user reads
    /// the program for these before relying on it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
    pub program: Option<String>,
    /// The model that wrote the program; empty (and left out of JSON) when none was needed.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub model: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub model_sha256: String,
    pub index_version: String,
    pub kernel: String,
    pub examples: Vec<String>,
    pub hooks: Vec<String>,
    /// The events the request is about and whether this host can serve it as asked.
    pub grounding: Grounding,
    /// When it cannot: hooks that work here and come closest, offered as alternatives (never
    /// used in the request's place).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    /// The request read as a plan, and what the reading left unsettled: a complete plan is
    /// written as a program without the model (the attempt of round 0).
    pub reading: Option<crate::plan::Reading>,
    /// The request's properties every program was checked against (its plan's, else from its
    /// words, or the model's with `--check-properties`); `None` when there were none.
    pub properties: Option<crate::comprehend::Properties>,
    pub options: GenOptions,
    pub attempts: Vec<Attempt>,
    pub seconds: Timings,
}

#[derive(Debug, Default, Serialize)]
pub struct Timings {
    pub retrieve: f64,
    pub comprehend: f64,
    /// Loading the model during this request (0 when it was loaded already, or not needed);
    /// not part of `total`.
    pub load_model: f64,
    pub prefill: f64,
    pub decode: f64,
    pub checks: f64,
    pub total: f64,
}

/// Retrieves the prompt context: the closest examples whose probes work on this host (those in the
/// target language first; a small model copies what it sees, kprobes included) and hooks.
pub fn context(searcher: &Searcher, catalog: &Catalog, request: &str, target: Target) -> Result<(Vec<Example>, Vec<Hook>), IndexError> {
    let mut examples: Vec<Example> = searcher
        .search(request, Kind::Examples, 8)?
        .into_iter()
        .filter_map(|h| match h {
            Hit::Example { example, .. } => Some(example),
            _ => None,
        })
        .filter(|e| crate::verify::hooks::check(&e.probes, catalog, &mut |_| vec![]).is_ok())
        .collect();
    examples.sort_by_key(|e| e.target != target); // stable: keeps rank within each language
                                                  // A C example is a whole file, and given two the 1.5B writes both programs into one object
                                                  // (openat and unlink handlers for an openat request); one is enough to copy the conventions.
    examples.truncate(match target {
        Target::Bpftrace => 2,
        Target::Libbpf => 1,
    });
    let hooks = searcher
        .search(request, Kind::Hooks, 4)?
        .into_iter()
        .filter_map(|h| match h {
            Hit::Hook { hook, .. } => Some(hook),
            _ => None,
        })
        .collect();
    Ok((examples, hooks))
}

/// Opens the model when a request first needs it.
pub type ModelOpener = Box<dyn FnMut() -> Result<LoadedModel, PipelineError> + Send>;

/// The host and the model, opened once, serving requests one at a time. The model is opened
/// when a request first needs one: a refusal, or a program written from the request's plan,
/// needs none.
pub struct Session {
    pub host: Host,
    model: Option<LoadedModel>,
    open: ModelOpener,
}

impl Session {
    /// A session that opens its model with `open` when first needed (`model`: one already open).
    pub fn new(host: Host, model: Option<LoadedModel>, open: ModelOpener) -> Session {
        Session { host, model, open }
    }

    /// The model, opened now if it was not; `load` is how long that took (zero if it was open).
    pub fn model(&mut self) -> Result<(&mut LoadedModel, Duration), PipelineError> {
        opened(&mut self.model, &mut self.open)
    }

    /// The model, if a request has opened it.
    pub fn loaded(&mut self) -> Option<&mut LoadedModel> {
        self.model.as_mut()
    }

    pub fn into_parts(self) -> (Host, Option<LoadedModel>) {
        (self.host, self.model)
    }
}

/// The model in `slot`, opened with `open` if it is not, and how long that took.
fn opened<'a>(slot: &'a mut Option<LoadedModel>, open: &mut ModelOpener) -> Result<(&'a mut LoadedModel, Duration), PipelineError> {
    let mut load = Duration::ZERO;
    if slot.is_none() {
        let start = Instant::now();
        *slot = Some(open()?);
        load = start.elapsed();
    }
    Ok((slot.as_mut().expect("opened above"), load))
}

/// The properties every program for `request` is checked against, from its words: its complete
/// plan's, else what its words state outright; `None` when they state nothing.
pub fn properties_of(request: &str, reading: &crate::plan::Reading) -> Option<crate::comprehend::Properties> {
    let p = match (reading.complete(), &reading.plan) {
        (Some(plan), _) => plan.properties(),
        // A reading in part still knows the filters the words state outright ("fail", "ENOENT",
        // "named dd", "uid 1000"), the fold asked and its keys, and the values asked to show: the
        // model's program must keep what it settled. The coarser word scan used before read
        // "error count" as a count and "(nbytes)" of "sync_file_range" as a file name, and held
        // the model to them. (A line per event states no aggregate here, so these properties do
        // not send back a program that counts instead.)
        (None, Some(partial)) => partial.settled_properties(),
        (None, None) => crate::comprehend::from_words(request),
    };
    // Words that state nothing leave nothing to check (the kernel verifier judges safety).
    Some(p).filter(|p| *p != crate::comprehend::Properties::default())
}

impl GenReport {
    /// Passed every check, and attachable here: the only kind of program `--run` runs.
    pub fn runnable(&self) -> bool {
        self.passed && self.grounding.servable.is_here()
    }
}

/// What the checks of a program could not cover: what the reading of the request left
/// unsettled or unread (nothing held the program to those words), and properties the symbolic
/// verifier could neither prove nor refute in a program the model wrote (a program written from
/// a complete reading states its filters by construction), and what the reading settled when
/// nothing held a model's program to it (`reading_checked` false: `--no-plan`; the check reads
/// bpftrace only). On requests written by other people, most programs that passed with
/// something here answered a different question; one that passes with nothing here was checked
/// against every word.
pub fn unchecked(reading: &crate::plan::Reading, checks: &synth::Checks, written_by: synth::WrittenBy, target: Target, reading_checked: bool) -> Vec<String> {
    let model_written = written_by == synth::WrittenBy::Model;
    let mut out: Vec<String> = reading.gaps.iter().map(|g| format!("not settled: {g}")).collect();
    if !reading.unread.is_empty() {
        out.push(format!("words not read: {}", reading.unread.join(", ")));
    }
    if let (Some(report), true) = (&checks.symbolic, model_written) {
        for f in report.unknown() {
            if let crate::verify::symbolic::Verdict::Unknown { reason } = &f.verdict {
                let line = format!("{} unknown: {reason}", f.property);
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
    }
    if let (Some(why), true) = (&checks.symbolic_skipped, model_written) {
        out.push(format!("properties not checked: {why}"));
    }
    if model_written && target == Target::Bpftrace && !reading_checked {
        out.push("what the reading settled: its check was off (--no-plan)".into());
    }
    if model_written && target != Target::Bpftrace {
        out.push("what the reading settled beyond the properties: its check reads bpftrace only".into());
    }
    out
}

/// A request grounded and read against this host ([`Host::read_request`]).
pub struct ReadRequest {
    pub request: String,
    pub grounding: Grounding,
    pub reading: crate::plan::Reading,
}

impl ReadRequest {
    /// The properties `gen` checks its programs' paths against by default ([`properties_of`]).
    /// `None`: the words state nothing a path could break.
    pub fn properties(&self) -> Option<crate::comprehend::Properties> {
        properties_of(&self.request, &self.reading)
    }
}

impl Host {
    /// The request as `gen` reads it, grounded and read once, for `verify --request` to take
    /// its properties and hold a program to it.
    pub fn read_request(&self, request: &str) -> Result<ReadRequest, PipelineError> {
        let grounding = self.ground(request)?;
        let reading = crate::plan::read(request, &grounding, &self.catalog);
        Ok(ReadRequest { request: request.to_string(), grounding, reading })
    }

    /// What a program someone else wrote is held to by `read`, as `gen` holds its own: its
    /// probes against this host and the events grounding found, and bpftrace source against
    /// what the reading settled (the event, the values named, the names given, the events named
    /// side by side, no condition the request never states).
    pub fn hold(&self, read: &ReadRequest, source: &str, target: Target) -> crate::verify::RequestVerdict {
        let probes = crate::obj::source::probes(source, target);
        let mut checker = HostChecker::new(&self.catalog, &self.searcher, self.home.clone());
        let hooks = crate::synth::checks::against_grounding(checker.hooks(&probes), &probes, &read.grounding);
        let reading = (target == Target::Bpftrace).then(|| crate::plan::check::held(source, Some(&read.reading), Some(&read.request)));
        crate::verify::RequestVerdict { grounded: read.grounding.events.iter().map(|e| e.probe.clone()).collect(), hooks, reading }
    }

    /// The report for a request this host cannot serve and for which no program will be
    /// written (an absent subsystem, no PMU, no such event): decided from the grounding alone,
    /// before any model is loaded. `None` when generation should go on.
    pub fn refusal(&self, request: &str, settings: &Settings) -> Result<Option<GenReport>, PipelineError> {
        let start = Instant::now();
        self.refusal_of(request, settings, &self.ground(request)?, start)
    }

    /// [`refusal`](Self::refusal) for a grounding already made; `start` is when the request's
    /// work began.
    fn refusal_of(&self, request: &str, settings: &Settings, grounding: &Grounding, start: Instant) -> Result<Option<GenReport>, PipelineError> {
        if grounding.servable.is_here() || matches!(grounding.servable, Servable::CannotAttachHere { .. }) {
            return Ok(None);
        }
        let (examples, hooks) = context(&self.searcher, &self.catalog, request, settings.target)?;
        let retrieve = start.elapsed().as_secs_f64();
        Ok(Some(GenReport {
            request: request.to_string(),
            target: settings.target,
            passed: false,
            confirmed: false,
            unchecked: vec![],
            program: None,
            model: String::new(),
            model_sha256: String::new(),
            index_version: self.searcher.version.clone(),
            kernel: self.catalog.key.release.clone(),
            examples: examples.iter().map(|e| e.id.clone()).collect(),
            alternatives: hooks.iter().map(|h| h.probe.clone()).collect(),
            hooks: hooks.into_iter().map(|h| h.probe).collect(),
            grounding: grounding.clone(),
            reading: None,
            properties: None,
            options: settings.gen_options(),
            attempts: vec![],
            seconds: Timings { retrieve, total: start.elapsed().as_secs_f64(), ..Timings::default() },
        }))
    }
}

impl Session {
    /// One request through the whole pipeline: ground, read the plan, retrieve, comprehend (when
    /// asked); then the plan's program, and the model's replies while no program passes,
    /// each checked with the failures fed back. `on_text` streams the model's text; `on_status`
    /// gets one line per stage.
    pub fn generate(&mut self, request: &str, settings: &Settings, on_text: &mut dyn FnMut(&str), on_status: &mut dyn FnMut(&str)) -> Result<GenReport, PipelineError> {
        let start = Instant::now();
        check_request(request).map_err(PipelineError::Request)?;
        let Session { host, model: slot, open } = self;
        let host = &*host;
        let grounding = host.ground(request)?;
        if let Some(refused) = host.refusal_of(request, settings, &grounding, start)? {
            // Nothing here implements the request: say so, and write nothing on another event.
            return Ok(refused);
        }
        let reading = crate::plan::read(request, &grounding, &host.catalog);
        let mut opts = settings.gen_options();
        let (examples, hooks) = context(&host.searcher, &host.catalog, request, opts.target)?;
        let retrieve = start.elapsed().as_secs_f64();
        opts.grounding = Some(grounding.clone());
        opts.request = Some(request.to_string());
        // A networking program may drop or rewrite packets when that is what was asked.
        opts.allowed.packets |= crate::verify::safety::asks_to_act_on_packets(request);
        let mut load = Duration::ZERO;
        let t = Instant::now();
        match opts.comprehend {
            crate::comprehend::Source::Words => opts.properties = properties_of(request, &reading),
            crate::comprehend::Source::Model => {
                on_status("comprehending the request");
                let (loaded, took) = opened(slot, open)?;
                load += took;
                let c = loaded.comprehend(request)?;
                if !c.dropped.is_empty() {
                    on_status(&format!("properties left out, as the request does not say so: {}", c.dropped.join("; ")));
                }
                opts.properties = c.properties;
            }
            crate::comprehend::Source::Off => {}
        }
        let comprehend = (t.elapsed() - load).as_secs_f64();
        let mut checker = HostChecker::new(&host.catalog, &host.searcher, host.home.clone());
        let mut attempts: Vec<Attempt> = Vec::new();
        let report = |passed: bool, program, attempts: Vec<Attempt>, options: GenOptions, seconds, model: Option<(String, String)>| {
            let (model, model_sha256) = model.unwrap_or_default();
            let unchecked = match synth::best(&attempts) {
                Some(best) if passed => unchecked(&reading, &best.checks, best.written_by, settings.target, options.reading.is_some()),
                _ => vec![],
            };
            GenReport {
                request: request.to_string(),
                target: settings.target,
                passed,
                confirmed: passed && grounding.servable.is_here() && unchecked.is_empty(),
                unchecked,
                program,
                model,
                model_sha256,
                index_version: host.searcher.version.clone(),
                kernel: host.catalog.key.release.clone(),
                examples: examples.iter().map(|e| e.id.clone()).collect(),
                hooks: hooks.iter().map(|h| h.probe.clone()).collect(),
                alternatives: if grounding.servable.is_here() { vec![] } else { hooks.iter().map(|h| h.probe.clone()).collect() },
                grounding: grounding.clone(),
                reading: Some(reading.clone()),
                properties: options.properties.clone(),
                options,
                attempts,
                seconds,
            }
        };
        let timings = |attempts: &[Attempt], load: Duration| {
            let sum = |f: fn(&Attempt) -> f64| attempts.iter().map(f).sum::<f64>();
            Timings {
                retrieve,
                comprehend,
                load_model: load.as_secs_f64(),
                prefill: sum(|a| a.seconds.prefill),
                decode: sum(|a| a.seconds.decode),
                checks: sum(|a| a.seconds.hooks + a.seconds.compile + a.seconds.symbolic + a.seconds.kernel),
                total: (start.elapsed() - load).as_secs_f64(),
            }
        };
        // A complete plan is written without the model, and checked like any program.
        if let (Some(plan), Target::Bpftrace, true) = (reading.complete(), opts.target, settings.plan) {
            on_status("writing the program from the plan");
            let program = crate::plan::emit::bpftrace(plan);
            on_text(&program);
            let mut seconds = synth::StageTimes::default();
            let checks = synth::check(&program, &opts, &mut checker, &mut seconds).map_err(SynthError::from)?;
            let passed = checks.passed();
            attempts.push(Attempt {
                round: 0,
                written_by: synth::WrittenBy::Plan,
                program: program.clone(),
                checks,
                feedback: None,
                fixed: Vec::new(),
                redrawn: 0,
                prompt_tokens: 0,
                generated_tokens: 0,
                seconds,
            });
            if passed {
                let seconds = timings(&attempts, load);
                return Ok(report(true, Some(program), attempts, opts, seconds, None));
            }
            on_status("the plan's program failed a check: asking the model");
        }
        // The model's programs are held to what the reading settled, complete or not.
        if opts.target == Target::Bpftrace && settings.plan {
            opts.reading = Some(reading.clone());
        }
        let (loaded, took) = opened(slot, open)?;
        load += took;
        let model = Some((loaded.name().to_string(), loaded.sha256()?));
        let kernel_function_only = matches!(grounding.servable, Servable::CannotAttachHere { .. });
        // A request only kernel functions implement gets the program for them (verified by
        // loading; this host cannot attach it): the examples still show the shape of an answer,
        // the grounded hooks are listed, and the grounding check sends back a program on any
        // other event.
        let grounded_hooks: Vec<Hook> = grounding.load_only_probes().iter().filter_map(|p| host.catalog.find(p.replace("kfunc:", "kprobe:").as_str()).cloned()).collect();
        let shots = prompt::shots(opts.target, &examples);
        // With worked examples in front of it, a small model takes a listed hook's name for a
        // hint to use it, even a poor match ("kyber_latency" for run-queue latency): list hooks
        // only without.
        // The event the reading found, with its fields: the program is held to it.
        let read_hooks: Vec<Hook> = match (opts.reading.as_ref().and_then(|r| r.plan.as_ref()), opts.target) {
            (Some(plan), Target::Bpftrace) => plan.start.iter().flat_map(|s| &s.probes).chain(&plan.probes).filter_map(|p| host.catalog.find(p).cloned()).take(4).collect(),
            _ => vec![],
        };
        let listed: &[Hook] = if kernel_function_only {
            &grounded_hooks
        } else if !read_hooks.is_empty() {
            &read_hooks
        } else if shots.is_empty() {
            &hooks
        } else {
            &[]
        };
        // A partial reading's program, when it compiles, is the model's start.
        let start = match (opts.reading.as_ref(), opts.target) {
            (Some(reading), Target::Bpftrace) => crate::plan::emit::partial(reading, request, &grounding),
            _ => None,
        }
        .filter(|s| matches!(checker.compile(&s.program, opts.target, false), Ok(CompileVerdict::Compiled { .. })));
        let first_prompt = match &start {
            Some(s) => {
                on_status(&format!("asking the model to finish the plan's program (it leaves out {})", s.leaves_out.join(", ")));
                prompt::user_prompt_from(request, listed, s)
            }
            None => prompt::user_prompt(request, opts.target, listed),
        };
        opts.start = start;
        if settings.grammar.applies(loaded.backend()) && opts.target == Target::Bpftrace {
            // The probes the model may write: what the request is about, as grounding, retrieval
            // and the examples see it.
            let mut featured: Vec<String> = grounding.events.iter().map(|e| e.probe.clone()).collect();
            featured.extend(hooks.iter().chain(&grounded_hooks).map(|h| h.probe.clone()));
            featured.extend(host.searcher.rank_hooks(request, GRAMMAR_HOOKS)?.into_iter().map(|(_, h)| h.probe));
            featured.extend(examples.iter().filter(|e| e.target == Target::Bpftrace).flat_map(|e| crate::obj::source::bpftrace_probes(&e.code)));
            let grammar = crate::synth::grammar::Grammar::for_request(&host.catalog, &featured, settings.allow_unsafe);
            opts.generate.grammar = Some(crate::llm::GrammarText(grammar.lark.into()));
        }
        let mut chat = loaded.conversation(Some(prompt::system_prompt(opts.target)))?;
        // Given a start, a small model copies the worked examples' shape instead of finishing
        // it (a TCP drop tool's state table in an ext4 count): the start is the example.
        let shots = if opts.start.is_some() { vec![] } else { shots };
        let outcome = synth::synthesize(chat.as_mut(), &mut checker, &shots, &first_prompt, &opts, on_text, on_status)?;
        drop(chat);
        attempts.extend(outcome.attempts);
        let best = synth::best(&attempts).cloned();
        let seconds = timings(&attempts, load);
        Ok(report(outcome.passed, best.as_ref().map(|a| a.program.clone()), attempts, opts, seconds, model))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_is_confirmed_only_when_nothing_of_the_request_went_unchecked() {
        let reading = |gaps: &[&str], unread: &[&str]| crate::plan::Reading {
            plan: None,
            gaps: gaps.iter().map(|g| g.to_string()).collect(),
            unread: unread.iter().map(|u| u.to_string()).collect(),
            names: vec![],
            events: vec![],
            hooks: vec![],
            timed: false,
        };
        let checked = synth::Checks { symbolic_skipped: None, ..Default::default() };
        assert!(unchecked(&reading(&[], &[]), &checked, synth::WrittenBy::Model, Target::Bpftrace, true).is_empty());
        assert_eq!(unchecked(&reading(&[], &["udp"]), &checked, synth::WrittenBy::Model, Target::Bpftrace, true), ["words not read: udp"]);
        assert_eq!(unchecked(&reading(&["no event"], &[]), &checked, synth::WrittenBy::Model, Target::Bpftrace, true), ["not settled: no event"]);
        let skipped = synth::Checks { symbolic_skipped: Some("the request states no properties".into()), ..Default::default() };
        assert_eq!(unchecked(&reading(&[], &[]), &skipped, synth::WrittenBy::Model, Target::Bpftrace, true), ["properties not checked: the request states no properties"]);
        // A program written from a complete reading states its filters by construction.
        assert!(unchecked(&reading(&[], &[]), &skipped, synth::WrittenBy::Plan, Target::Bpftrace, false).is_empty());
        // Nothing held a model's program to the reading.
        assert_eq!(unchecked(&reading(&[], &[]), &checked, synth::WrittenBy::Model, Target::Bpftrace, false).len(), 1);
        assert_eq!(unchecked(&reading(&[], &[]), &checked, synth::WrittenBy::Model, Target::Libbpf, true).len(), 1);
    }
}
