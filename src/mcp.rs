//! `kgent mcp`: the pipeline as Model Context Protocol tools over stdio, for AI agents.
//!
//! Each tool calls the same library functions as its command and returns the same serde types as
//! the command's `--json`, as structured content. A program that fails a check is a result, not
//! an error; a tool error (`isError`) means the call could not be answered (a bad argument, a
//! program that does not compile, `run` without `--allow-run`).
//!
//! The host (hook catalog and index) and the model are opened on first use and kept for the life
//! of the server, so `hooks` answers without loading a model. Calls are served one at a time: a
//! second call waits for the first (the model and the kernel are one each).

use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::comprehend::{Properties, Source};
use crate::kernel::HookKind;
use crate::obj::file::ProgramFile;
use crate::obj::Target;
use crate::pipeline::{check_request, Host, LoadedModel, ModelSpec, Session, Settings};
use crate::retrieve::Kind;

/// How `kgent mcp` was started.
#[derive(Debug, Clone)]
pub struct Config {
    /// The model `gen` and `explain` load (or connect to) on first use.
    pub model: ModelSpec,
    /// `--allow-run`: the user's consent, given once, for agents to attach programs.
    pub allow_run: bool,
    /// The longest `run` an agent may ask for.
    pub max_run: Duration,
}

/// The most of a run's output a result carries (its last bytes).
pub const MAX_RUN_OUTPUT: usize = 256 << 10;

/// The run an agent gets when it does not say how long.
pub const DEFAULT_RUN: Duration = Duration::from_secs(10);

/// What the server opened so far.
#[derive(Default)]
struct State {
    host: Option<Host>,
    model: Option<LoadedModel>,
}

impl State {
    fn host(&mut self) -> Result<&mut Host, String> {
        if self.host.is_none() {
            self.host = Some(Host::open(&mut |stage| eprintln!("kgent mcp: {stage}")).map_err(|e| e.to_string())?);
        }
        Ok(self.host.as_mut().expect("opened above"))
    }

    fn model(&mut self, config: &Config) -> Result<&mut LoadedModel, String> {
        if self.model.is_none() {
            eprintln!("kgent mcp: loading the model");
            self.model = Some(LoadedModel::open(&config.model).map_err(|e| e.to_string())?);
        }
        Ok(self.model.as_mut().expect("loaded above"))
    }
}

#[derive(Clone)]
pub struct Server {
    config: Arc<Config>,
    state: Arc<tokio::sync::Mutex<State>>,
    // Read by the code `#[tool_handler]` writes.
    #[allow(dead_code)]
    tool_router: ToolRouter<Self>,
}

/// A tool's answer: a JSON value, or why there is none.
type Answer = Result<Value, String>;

fn to_value(v: &impl serde::Serialize) -> Answer {
    serde_json::to_value(v).map_err(|e| e.to_string())
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct HooksParams {
    /// bpftrace-style pattern with `*` and `?` (`tracepoint:syscalls:*open*`); without a wildcard
    /// or `:`, a substring (`openat`).
    pub pattern: Option<String>,
    pub kind: Option<HookKind>,
    /// Only hooks that attach on this host (or whose attachment was not probed).
    #[serde(default)]
    pub attachable: bool,
    /// Most hooks to return [default 200]; `matched` says how many there were.
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchParams {
    /// What the program should do, in plain English.
    pub request: String,
    /// Examples or hooks [default: both].
    pub kind: Option<Kind>,
    /// Results per kind [default 5, at most 50].
    pub k: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct GenParams {
    /// What the program should do, in plain English ("count openat calls per process every second").
    pub request: String,
    /// bpftrace [default] or libbpf (C).
    pub target: Option<Target>,
    /// Most model replies to try [default 3].
    pub rounds: Option<usize>,
    /// Where the request's properties come from [default words].
    pub properties: Option<Source>,
    /// Decode bpftrace under the grammar of the language and the request's probes [default: yes
    /// where the model runs locally; a server decodes freely].
    pub grammar: Option<bool>,
    /// Have the model write the program even when the request's plan is complete [default false:
    /// a complete plan is written without the model].
    #[serde(default)]
    pub no_plan: bool,
    /// Sampling temperature [default 0, greedy].
    pub temperature: Option<f64>,
    pub seed: Option<u64>,
}

/// A program, given as text or as a file on the server's machine.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ProgramParams {
    /// The program's text (bpftrace, or libbpf-style C).
    pub program: Option<String>,
    /// Or a path to a .bt, .bpf.c, .c (or, for verify and run, .o) file.
    pub path: Option<String>,
    /// The language of `program` [default: C when it has a `SEC(` section, else bpftrace].
    pub target: Option<Target>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct VerifyParams {
    #[serde(flatten)]
    pub program: ProgramParams,
    /// What the program must do, in Kgent's property language
    /// ("event: tracepoint:syscalls:sys_enter_openat\nemit: comm\naggregate: count by comm").
    pub properties: Option<String>,
    /// Or the request in plain English, restated as properties by the model.
    pub request: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RunParams {
    #[serde(flatten)]
    pub program: ProgramParams,
    /// How long to run, in seconds [default 10; at most the server's --max-run].
    pub seconds: Option<f64>,
}

impl ProgramParams {
    /// The program read as `kgent verify` reads a file (limits, kind, text), with the name
    /// verdicts point at.
    fn read(&self, objects: bool) -> Result<(ProgramFile, String), String> {
        match (&self.program, &self.path) {
            (Some(_), Some(_)) => Err("give the program as `program` (its text) or as `path`, not both".into()),
            (None, None) => Err("give the program: `program` (its text) or `path` (a file on this machine)".into()),
            (None, Some(path)) => {
                let path = std::path::Path::new(path);
                Ok((crate::obj::file::read(path, objects).map_err(|e| e.to_string())?, path.display().to_string()))
            }
            (Some(text), None) => {
                let target = self.target.unwrap_or(if text.contains("SEC(") { Target::Libbpf } else { Target::Bpftrace });
                let name = target.scratch_name();
                Ok((crate::obj::file::source(text.clone(), target, name).map_err(|e| e.to_string())?, name.into()))
            }
        }
    }
}

#[tool_router]
impl Server {
    pub fn new(config: Config) -> Server {
        Server { config: Arc::new(config), state: Arc::default(), tool_router: Self::tool_router() }
    }

    /// Runs `work` on the blocking pool, after any call before it: the model, the compiler and
    /// the kernel are used by one call at a time.
    async fn serve_one(&self, work: impl FnOnce(&mut State, &Config) -> Answer + Send + 'static) -> CallToolResult {
        let mut state = self.state.clone().lock_owned().await;
        let config = self.config.clone();
        let answer = tokio::task::spawn_blocking(move || work(&mut state, &config)).await.unwrap_or_else(|e| Err(format!("the call failed inside Kgent: {e}")));
        match answer {
            Ok(value) => CallToolResult::structured(value),
            Err(why) => CallToolResult::error(vec![ContentBlock::text(why)]),
        }
    }

    #[tool(description = "List the hooks (probes) this host offers, like `bpftrace -l`, with their fields and whether each attaches here. Needs no model.")]
    async fn hooks(&self, Parameters(p): Parameters<HooksParams>) -> CallToolResult {
        self.serve_one(move |state, _| {
            if p.pattern.as_ref().is_some_and(|p| p.len() > 512) {
                return Err("the pattern is longer than 512 characters: probe names are short".into());
            }
            let catalog = &state.host()?.catalog;
            let hooks = catalog.select(p.pattern.as_deref(), p.kind, p.attachable).map_err(|e| format!("bad pattern: {e}"))?;
            let matched = hooks.len();
            let mut value = to_value(&catalog.listing(hooks.into_iter().take(p.limit.unwrap_or(200)).collect()))?;
            value["matched"] = matched.into();
            Ok(value)
        })
        .await
    }

    #[tool(description = "Find example programs and hooks close to a request (BM25 over Kgent's retrieval index). Needs no model.")]
    async fn search(&self, Parameters(p): Parameters<SearchParams>) -> CallToolResult {
        self.serve_one(move |state, _| {
            check_request(&p.request)?;
            let searcher = &state.host()?.searcher;
            let results = searcher.search_kinds(&p.request, p.kind, p.k.unwrap_or(5).clamp(1, 50), false).map_err(|e| e.to_string())?;
            let hits: Vec<_> = results.iter().flat_map(|(_, hits)| hits).collect();
            Ok(json!({ "request": p.request, "index_version": searcher.version, "results": hits }))
        })
        .await
    }

    #[tool(
        description = "Write an eBPF program for a plain-English request and check it against this host: grounding in real events, compiler, safety gate, symbolic verifier on the request's properties, kernel verifier; failed checks go back to the local model. Returns the program, every attempt's verdicts, and whether this host can serve the request as asked (it never traces another event instead). Loads the model on first use."
    )]
    async fn gen(&self, Parameters(p): Parameters<GenParams>) -> CallToolResult {
        self.serve_one(move |state, config| {
            check_request(&p.request)?;
            let defaults = Settings::default();
            let settings = Settings {
                target: p.target.unwrap_or(defaults.target),
                rounds: p.rounds.unwrap_or(defaults.rounds).clamp(1, 10),
                comprehend: p.properties.unwrap_or(defaults.comprehend),
                grammar: match p.grammar {
                    None => crate::pipeline::GrammarUse::Auto,
                    Some(true) => crate::pipeline::GrammarUse::On,
                    Some(false) => crate::pipeline::GrammarUse::Off,
                },
                plan: !p.no_plan,
                temperature: p.temperature.unwrap_or(defaults.temperature),
                seed: p.seed.unwrap_or(defaults.seed),
                ..defaults
            };
            // A request this host cannot serve is answered without the model.
            if let Some(report) = state.host()?.refusal(&p.request, &settings).map_err(|e| e.to_string())? {
                return gen_answer(&report);
            }
            // The model loads only if the request's plan does not settle a program.
            let spec = config.model.clone();
            let open: crate::pipeline::ModelOpener = Box::new(move || {
                eprintln!("kgent mcp: loading the model");
                LoadedModel::open(&spec)
            });
            state.host()?;
            let mut session = Session::new(state.host.take().expect("opened above"), state.model.take(), open);
            let report = session.generate(&p.request, &settings, &mut |_| {}, &mut |s| eprintln!("kgent mcp: {s}"));
            let (host, model) = session.into_parts();
            (state.host, state.model) = (Some(host), model);
            gen_answer(&report.map_err(|e| e.to_string())?)
        })
        .await
    }

    #[tool(
        description = "Check a program against what a request asks (event, filters, emitted fields, aggregation) by executing every path symbolically, after the safety gate (helpers that signal, write memory, override returns or act on packets are refused). A broken property comes back as a counterexample with the path's values. Give `properties` in Kgent's property language, or `request` in English (read as `gen` reads it: its plan, and what its words state outright). With `request`, the program is also held to the events the request is about and to what its words settle (`request` in the answer), as `gen` holds its own programs."
    )]
    async fn verify(&self, Parameters(p): Parameters<VerifyParams>) -> CallToolResult {
        self.serve_one(move |state, _config| {
            let (program, name) = p.program.read(true)?;
            // The request grounded and read once: its properties, and what the program is held to.
            let read = match (&p.properties, &p.request) {
                (None, Some(request)) => {
                    check_request(request)?;
                    Some(state.host()?.read_request(request).map_err(|e| e.to_string())?)
                }
                _ => None,
            };
            let props: Properties = match (&p.properties, &p.request) {
                (Some(text), _) => text.parse().map_err(|e| format!("the properties do not parse: {e}"))?,
                (None, Some(_)) => {
                    // What gen checks its own programs' paths against, without the model.
                    read.as_ref().and_then(|r| r.properties()).unwrap_or_default()
                }
                (None, None) => return Err("say what the program should do: `properties` (Kgent's property language) or `request`".into()),
            };
            // A request also holds the program to its events and to what its words settled.
            let held = match (&read, &program) {
                (Some(read), ProgramFile::Source { target, text }) => Some(state.host()?.hold(read, text, *target)),
                _ => None,
            };
            let home = state.host()?.home.clone();
            let mut report = crate::verify::check_program(program, &name, &props, false, &home).map_err(|e| e.to_string())?;
            report.request = held;
            let mut value = to_value(&report)?;
            value["failed"] = report.failed().into();
            Ok(value)
        })
        .await
    }

    #[tool(description = "Say what a program does, as properties (event, filters, emitted fields, aggregation), read by the local model. Loads the model on first use.")]
    async fn explain(&self, Parameters(p): Parameters<ProgramParams>) -> CallToolResult {
        self.serve_one(move |state, config| {
            let (ProgramFile::Source { text, .. }, _) = p.read(false)? else { unreachable!("objects were not allowed") };
            to_value(&state.model(config)?.explain(&text).map_err(|e| e.to_string())?)
        })
        .await
    }

    #[tool(
        description = "Attach a program for a few seconds, return what it printed, and detach it: refused unless the server was started with `kgent mcp --allow-run`. The safety gate applies (nothing that signals, writes memory, overrides returns or acts on packets). The result carries the BPF programs and links left attached afterwards, which must be none."
    )]
    async fn run(&self, Parameters(p): Parameters<RunParams>) -> CallToolResult {
        self.serve_one(move |state, config| {
            if !config.allow_run {
                return Err("run is refused: this server was started without --allow-run. Attaching a program to the kernel needs the user's consent; they give it by starting `kgent mcp --allow-run`".into());
            }
            let seconds = p.seconds.unwrap_or(DEFAULT_RUN.as_secs_f64());
            if !(seconds > 0.0 && seconds <= config.max_run.as_secs_f64()) {
                return Err(format!("`seconds` must be above 0 and at most {} (this server's --max-run)", config.max_run.as_secs_f64()));
            }
            let (program, name) = p.program.read(true)?;
            let home = state.host()?.home.clone();
            run_for(program, &name, Duration::from_secs_f64(seconds), &home).map_err(|e| e.to_string())
        })
        .await
    }
}

/// `gen`'s report, with whether it may be run here.
fn gen_answer(report: &crate::pipeline::GenReport) -> Answer {
    let mut value = to_value(report)?;
    value["runnable"] = report.runnable().into();
    Ok(value)
}

/// Gates, attaches for `duration`, detaches, and says what is left attached.
fn run_for(program: ProgramFile, name: &str, duration: Duration, home: &std::path::Path) -> Result<Value, crate::run::RunError> {
    use crate::run::{self, Footprint, RunError, RunOptions};
    if !run::is_root() {
        return Err(RunError::NotRoot);
    }
    let prepared = run::prepare_program(program, name, home)?;
    if let Some(refusal) = run::gate(&prepared, false)?.refusal() {
        return Err(RunError::Unsafe(format!("{name} acts on the system:\n{refusal}")));
    }
    let before = Footprint::now();
    let mut output = Vec::new();
    let opts = RunOptions { duration: Some(duration), ..RunOptions::default() };
    let summary = run::run(&prepared.runnable, &opts, &mut output, &mut |_| {})?;
    let left = Footprint::now().added_since(&before);
    let truncated = output.len() > MAX_RUN_OUTPUT;
    if truncated {
        // The end holds the final maps, the part an agent needs most.
        output.drain(..output.len() - MAX_RUN_OUTPUT);
    }
    Ok(json!({
        "program": name,
        "probes": prepared.probes,
        "output": String::from_utf8_lossy(&output),
        "output_truncated": truncated,
        "summary": summary,
        "detached": left.is_empty(),
        "left_attached": left,
    }))
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build());
        info.server_info = Implementation::new("kgent", env!("CARGO_PKG_VERSION"));
        info.instructions = Some(
            "Kgent writes eBPF programs (bpftrace or libbpf C) from plain-English requests with a local model and checks them on this host. \
             Use `gen` to get a checked program, `hooks` and `search` to look around, `verify` to check a program you have against properties, \
             `explain` to read one, and `run` (only when the user started the server with --allow-run) to run one for a few seconds."
                .into(),
        );
        info
    }
}

/// Serves MCP on stdin and stdout until the client closes them.
pub fn serve(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    runtime.block_on(async {
        let service = Server::new(config).serve(rmcp::transport::stdio()).await?;
        service.waiting().await?;
        Ok(())
    })
}
