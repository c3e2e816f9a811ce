//! A tantivy BM25 index over example programs and the host's hooks. It is built under
//! `$KGENT_HOME/index` from the embedded dataset, the host's bpftrace tools, the user's imports and
//! the kernel's hook catalog, and rebuilt by itself when any of those change: its version stamp is
//! a hash of all of them, recorded in every report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING};
use tantivy::{doc, Index, IndexReader, TantivyDocument, Term};

use super::corpus::{self, Example};
use crate::kernel::{Attach, Catalog, Hook, HookKind, KernelKey};

/// Bumped when the schema or what is indexed changes.
const SCHEMA_VERSION: u32 = 3;

/// Plain words for hook categories whose names users would not type ("disk" for `block`).
const CATEGORY_WORDS: &[(&str, &str)] = &[
    ("syscalls", "system call syscall"),
    ("raw_syscalls", "system call syscall any all"),
    ("sched", "scheduler process task cpu context switch wakeup run queue"),
    ("block", "disk storage block device io request"),
    ("net", "network packet device interface transmit receive"),
    ("sock", "socket network tcp udp connection state"),
    ("tcp", "tcp network connection"),
    ("udp", "udp network datagram"),
    ("kmem", "kernel memory allocation slab"),
    ("exceptions", "page fault memory"),
    ("vmscan", "memory reclaim pressure swap"),
    ("oom", "out of memory killer"),
    ("signal", "signal kill"),
    ("irq", "interrupt"),
    ("timer", "timer"),
    ("filemap", "page cache file"),
    ("writeback", "writeback dirty pages disk"),
    ("ext4", "ext4 filesystem file"),
    ("software", "perf event software counter sampling"),
    ("hardware", "perf event hardware counter pmu"),
];

/// Words of requests that say how to report, not what to trace: every example has them, and
/// they drowned the words that matter ("log every file that gets deleted by which process").
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "of",
    "by",
    "with",
    "and",
    "or",
    "to",
    "in",
    "on",
    "for",
    "from",
    "is",
    "are",
    "be",
    "do",
    "does",
    "me",
    "my",
    "i",
    "it",
    "its",
    "their",
    "them",
    "this",
    "that",
    "what",
    "which",
    "who",
    "how",
    "many",
    "much",
    "when",
    "where",
    "gets",
    "get",
    "got",
    "being",
    "been",
    "there",
    "any",
    "some",
    "all",
    "each",
    "every",
    "per",
    "show",
    "print",
    "tell",
    "log",
    "list",
    "trace",
    "tracing",
    "count",
    "counts",
    "counting",
    "number",
    "process",
    "processes",
    "program",
    "programs",
    "please",
    "want",
    "like",
    "see",
    "display",
    "report",
];

/// What to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Examples,
    Hooks,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Hit {
    Example { score: f32, example: Example },
    Hook { score: f32, hook: Hook },
}

impl Hit {
    pub fn score(&self) -> f32 {
        match self {
            Hit::Example { score, .. } | Hit::Hook { score, .. } => *score,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index at {path}: {message}; rebuild it with: kgent index build")]
    Tantivy { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Catalog(#[from] crate::kernel::CatalogError),
}

/// An import source: a KEN-style JSON file or a directory of programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: u128,
}

impl FileStamp {
    fn of(path: &Path) -> FileStamp {
        let meta = std::fs::metadata(path).ok();
        FileStamp {
            path: path.to_path_buf(),
            size: meta.as_ref().map_or(0, |m| m.len()),
            mtime_ns: meta.and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos()),
        }
    }
}

/// Everything the index content depends on. Equal stamps mean the index is current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub schema: u32,
    pub dataset: String,
    pub host_tools: Vec<FileStamp>,
    pub imports: Vec<FileStamp>,
    pub kernel: KernelKey,
}

impl Stamp {
    /// A short hash of the stamp: the index version shown in reports.
    pub fn version(&self) -> String {
        let json = serde_json::to_vec(self).expect("stamp serialises");
        format!("v{SCHEMA_VERSION}-{}", &hex::encode(Sha256::digest(&json))[..12])
    }
}

/// What a build found, for `kgent index build` and `status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildReport {
    pub version: String,
    pub examples: usize,
    pub dataset_examples: usize,
    pub host_tools: usize,
    pub imported: usize,
    pub hooks: usize,
    pub seconds: f64,
    pub warnings: Vec<String>,
}

struct Fields {
    doc_type: Field,
    id: Field,
    title: Field,
    body: Field,
    tags: Field,
    probes: Field,
    attach: Field,
    kind: Field,
    /// The bare function name of a uprobe hook, to tell whether a request names one.
    symbol: Field,
    json: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer("en_stem").set_index_option(IndexRecordOption::WithFreqsAndPositions));
    let fields = Fields {
        doc_type: b.add_text_field("doc_type", STRING),
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text.clone()),
        tags: b.add_text_field("tags", text.clone()),
        probes: b.add_text_field("probes", text),
        attach: b.add_text_field("attach", STRING),
        kind: b.add_text_field("kind", STRING),
        symbol: b.add_text_field("symbol", STRING),
        json: b.add_text_field("json", STORED),
    };
    (b.build(), fields)
}

/// Where the index and its list of imports live.
#[derive(Debug, Clone)]
pub struct Location {
    pub home: PathBuf,
}

impl Location {
    /// The lock whoever builds the index holds (beside it, so the swap never moves it).
    pub fn lock(&self, on_wait: &mut dyn FnMut()) -> Result<crate::lock::Lock, IndexError> {
        let path = self.index_dir().with_file_name(".index.lock");
        crate::lock::Lock::exclusive(&path, on_wait).map_err(|source| IndexError::Io { path, source })
    }

    pub fn index_dir(&self) -> PathBuf {
        self.home.join("index")
    }
    fn stamp_path(&self) -> PathBuf {
        self.index_dir().join("stamp.json")
    }
    fn report_path(&self) -> PathBuf {
        self.index_dir().join("build.json")
    }
    fn imports_path(&self) -> PathBuf {
        self.home.join("imports.json")
    }

    /// The registered imports (paths given to `kgent index build --import`).
    pub fn imports(&self) -> Vec<PathBuf> {
        std::fs::read(self.imports_path()).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub fn set_imports(&self, paths: &[PathBuf]) -> Result<(), IndexError> {
        let path = self.imports_path();
        std::fs::create_dir_all(&self.home).map_err(|source| IndexError::Io { path: self.home.clone(), source })?;
        std::fs::write(&path, serde_json::to_vec_pretty(paths).expect("paths serialise")).map_err(|source| IndexError::Io { path, source })
    }

    /// The stamp the index would have if built now.
    pub fn current_stamp(&self, host_tool_dirs: &[PathBuf]) -> Stamp {
        let mut host_tools: Vec<FileStamp> = host_tool_dirs
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flat_map(|rd| rd.flatten().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "bt"))
            .map(|p| FileStamp::of(&p))
            .collect();
        host_tools.sort_by(|a, b| a.path.cmp(&b.path));
        Stamp {
            schema: SCHEMA_VERSION,
            dataset: corpus::dataset_fingerprint(),
            host_tools,
            imports: self.imports().iter().map(|p| FileStamp::of(p)).collect(),
            kernel: KernelKey::current(),
        }
    }

    pub fn built_stamp(&self) -> Option<Stamp> {
        serde_json::from_slice(&std::fs::read(self.stamp_path()).ok()?).ok()
    }

    pub fn last_report(&self) -> Option<BuildReport> {
        serde_json::from_slice(&std::fs::read(self.report_path()).ok()?).ok()
    }
}

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |e| IndexError::Tantivy { path: path.to_path_buf(), message: e.to_string() }
}

/// Everything that goes into the index, gathered from its sources.
pub struct Corpus {
    pub examples: Vec<Example>,
    pub hooks: Vec<Hook>,
    pub counts: (usize, usize, usize),
    pub warnings: Vec<String>,
}

/// Reads the dataset, host tools, imports and catalog; a bad source is a warning.
pub fn gather(catalog: &Catalog, host_tool_dirs: &[PathBuf], imports: &[PathBuf]) -> Corpus {
    let mut warnings = catalog.warnings.clone();
    let mut examples = corpus::dataset();
    let dataset = examples.len();
    let (tools, w) = corpus::host_tools(host_tool_dirs);
    warnings.extend(w);
    let host = tools.len();
    examples.extend(tools);
    let mut imported = 0;
    for path in imports {
        let result = if path.is_dir() {
            corpus::directory(path).map(|(ex, w)| {
                warnings.extend(w);
                ex
            })
        } else {
            corpus::ken_json(path)
        };
        match result {
            Ok(ex) => {
                imported += ex.len();
                examples.extend(ex);
            }
            Err(e) => warnings.push(format!("import skipped: {e}")),
        }
    }
    Corpus { examples, hooks: catalog.hooks.clone(), counts: (dataset, host, imported), warnings }
}

fn hook_text(h: &Hook) -> (String, String) {
    let mut title = h.probe.replace([':', '_', '/', '-'], " ");
    let mut body = String::new();
    if let Some((_, words)) = CATEGORY_WORDS.iter().find(|(c, _)| *c == h.category) {
        body.push_str(words);
        body.push(' ');
    }
    if h.kind == HookKind::Tracepoint && h.category == "syscalls" {
        // `sys_enter_openat` → "openat system call entry"
        if let Some(name) = h.probe.rsplit(':').next() {
            let (phase, call) = name
                .strip_prefix("sys_enter_")
                .map(|c| ("entry arguments", c))
                .or_else(|| name.strip_prefix("sys_exit_").map(|c| ("exit return value result errors", c)))
                .unwrap_or(("", name));
            title.push_str(&format!(" {call} {call} {phase}"));
        }
    }
    for f in &h.fields {
        body.push_str(&format!("{} {} ", f.name.replace('_', " "), f.ty));
    }
    if let Some(p) = &h.prototype {
        body.push_str(p);
        body.push(' ');
    }
    body.push_str(&h.about);
    (title, body)
}

/// Builds the index from `corpus` into `dir` (replacing what is there) and returns counts.
pub fn build_into(dir: &Path, corpus: &Corpus) -> Result<(), IndexError> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| IndexError::Io { path: parent.into(), source })?;
    // Build beside, then swap: a crash or Ctrl-C never leaves a half-written index in place.
    let tmp = parent.join(format!(".index-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|source| IndexError::Io { path: tmp.clone(), source })?;
    let (schema, f) = schema();
    let err = tantivy_err(&tmp);
    let index = Index::create_in_dir(&tmp, schema).map_err(&err)?;
    let mut writer: tantivy::IndexWriter = index.writer(64 * 1024 * 1024).map_err(&err)?;
    for e in &corpus.examples {
        writer
            .add_document(doc!(
                f.doc_type => "example",
                f.id => e.id.clone(),
                f.title => e.description.clone(),
                f.body => e.code.clone(),
                f.tags => e.tags.join(" "),
                f.probes => e.probes.join(" ").replace([':', '_', '/'], " "),
                f.attach => "yes",
                f.kind => format!("{:?}", e.target).to_lowercase(),
                f.json => serde_json::to_string(e).expect("example serialises"),
            ))
            .map_err(&err)?;
    }
    for h in &corpus.hooks {
        let (title, body) = hook_text(h);
        let attach = match h.attach {
            Attach::Yes | Attach::Unknown => "yes",
            Attach::LoadOnly => "load-only",
            Attach::No => "no",
        };
        writer
            .add_document(doc!(
                f.doc_type => "hook",
                f.id => h.probe.clone(),
                f.title => title,
                f.body => body,
                f.tags => h.category.clone(),
                f.probes => h.probe.replace([':', '_', '/'], " "),
                f.attach => attach,
                f.kind => serde_json::to_value(h.kind).expect("kind serialises").as_str().unwrap_or("").to_string(),
                f.symbol => if h.kind == HookKind::Uprobe { h.probe.rsplit(':').next().unwrap_or("").to_lowercase() } else { String::new() },
                f.json => serde_json::to_string(h).expect("hook serialises"),
            ))
            .map_err(&err)?;
    }
    writer.commit().map_err(&err)?;
    drop(writer);
    let old = parent.join(format!(".index-old-{}", std::process::id()));
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|source| IndexError::Io { path: dir.into(), source })?;
    }
    std::fs::rename(&tmp, dir).map_err(|source| IndexError::Io { path: dir.into(), source })?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Builds the index for this host now, waiting for any other process building it.
pub fn build(loc: &Location, host_tool_dirs: &[PathBuf]) -> Result<BuildReport, IndexError> {
    let _lock = loc.lock(&mut || eprintln!("kgent: waiting for another kgent building the index"))?;
    build_locked(loc, host_tool_dirs)
}

/// [`build`], for a caller holding the index's lock.
fn build_locked(loc: &Location, host_tool_dirs: &[PathBuf]) -> Result<BuildReport, IndexError> {
    if let Some(parent) = loc.index_dir().parent() {
        crate::lock::sweep(parent, &|n| n.starts_with(".index-build-") || n.starts_with(".index-old-"));
    }
    let start = Instant::now();
    let catalog = Catalog::load_or_build(&loc.home, false)?;
    let stamp = loc.current_stamp(host_tool_dirs);
    let corpus = gather(&catalog, host_tool_dirs, &loc.imports());
    build_into(&loc.index_dir(), &corpus)?;
    let report = BuildReport {
        version: stamp.version(),
        examples: corpus.examples.len(),
        dataset_examples: corpus.counts.0,
        host_tools: corpus.counts.1,
        imported: corpus.counts.2,
        hooks: corpus.hooks.len(),
        seconds: start.elapsed().as_secs_f64(),
        warnings: corpus.warnings,
    };
    let write = |path: PathBuf, bytes: Vec<u8>| std::fs::write(&path, bytes).map_err(|source| IndexError::Io { path, source });
    write(loc.report_path(), serde_json::to_vec_pretty(&report).expect("report serialises"))?;
    write(loc.stamp_path(), serde_json::to_vec_pretty(&stamp).expect("stamp serialises"))?;
    Ok(report)
}

/// An open index, ready for queries.
pub struct Searcher {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    pub version: String,
}

impl Searcher {
    /// Opens the index, (re)building it first when it is missing, outdated or unreadable.
    /// `on_rebuild` is told why, so the caller can show progress.
    pub fn open(loc: &Location, host_tool_dirs: &[PathBuf], on_rebuild: &mut dyn FnMut(&str)) -> Result<Searcher, IndexError> {
        let current = loc.current_stamp(host_tool_dirs);
        let reason = match loc.built_stamp() {
            None => Some("no index yet"),
            Some(s) if s != current => Some("the corpus, imports or kernel changed"),
            Some(_) => None,
        };
        if let Some(why) = reason {
            let _lock = loc.lock(&mut || on_rebuild("waiting for another kgent building the index"))?;
            // Another process may have built it while this one waited.
            if loc.built_stamp().as_ref() != Some(&current) {
                on_rebuild(why);
                build_locked(loc, host_tool_dirs)?;
            }
        }
        match Self::open_dir(&loc.index_dir(), current.version()) {
            Ok(s) => Ok(s),
            Err(_) => {
                // A builder may have been between its two renames: wait for it, then look again.
                let _lock = loc.lock(&mut || {})?;
                if loc.built_stamp().as_ref() == Some(&current) {
                    if let Ok(s) = Self::open_dir(&loc.index_dir(), current.version()) {
                        return Ok(s);
                    }
                }
                on_rebuild("the index could not be read");
                build_locked(loc, host_tool_dirs)?;
                Self::open_dir(&loc.index_dir(), current.version())
            }
        }
    }

    pub fn open_dir(dir: &Path, version: String) -> Result<Searcher, IndexError> {
        let err = tantivy_err(dir);
        let index = Index::open_in_dir(dir).map_err(&err)?;
        let (_, fields) = schema();
        let reader = index.reader().map_err(&err)?;
        Ok(Searcher { index, reader, fields, version })
    }

    /// The `k` best matches of `kind` for a request in plain English. Hooks that cannot attach
    /// on this host are left out.
    pub fn search(&self, request: &str, kind: Kind, k: usize) -> Result<Vec<Hit>, IndexError> {
        self.search_with(request, kind, k, false)
    }

    /// `kgent search` and the MCP `search` tool: [`search_with`](Self::search_with) for `kind`,
    /// or for examples and then hooks when `None`.
    pub fn search_kinds(&self, request: &str, kind: Option<Kind>, k: usize, unattachable: bool) -> Result<Vec<(Kind, Vec<Hit>)>, IndexError> {
        let kinds = kind.map_or(vec![Kind::Examples, Kind::Hooks], |k| vec![k]);
        kinds.into_iter().map(|kind| Ok((kind, self.search_with(request, kind, k, unattachable)?))).collect()
    }

    /// As [`search`](Self::search); `unattachable` also returns hooks that only load here.
    ///
    /// Hooks come first from the probes of the best matching examples (people's programs are
    /// the most precise evidence of which hook answers a request), then from BM25 over the hooks.
    pub fn search_with(&self, request: &str, kind: Kind, k: usize, unattachable: bool) -> Result<Vec<Hit>, IndexError> {
        match kind {
            Kind::Examples => self.bm25(request, kind, k, unattachable),
            Kind::Hooks => {
                let mut hits: Vec<Hit> = Vec::new();
                for example in self.bm25(request, Kind::Examples, 3, false)? {
                    let Hit::Example { score, example } = example else { continue };
                    for probe in &example.probes {
                        // The catalog lists a function once; return probes attach to the same hook.
                        let probe = probe.replacen("uretprobe:", "uprobe:", 1).replacen("kretprobe:", "kprobe:", 1);
                        if let Some(hook) = self.hook(&probe)? {
                            let usable = unattachable || matches!(hook.attach, Attach::Yes | Attach::Unknown);
                            if usable && !hits.iter().any(|h| matches!(h, Hit::Hook { hook: x, .. } if x.probe == hook.probe)) {
                                hits.push(Hit::Hook { score, hook });
                            }
                        }
                    }
                }
                for hit in self.bm25(request, Kind::Hooks, k, unattachable)? {
                    let Hit::Hook { hook, .. } = &hit else { continue };
                    if !hits.iter().any(|h| matches!(h, Hit::Hook { hook: x, .. } if x.probe == hook.probe)) {
                        hits.push(hit);
                    }
                }
                hits.truncate(k);
                Ok(hits)
            }
        }
    }

    /// Hooks that attach here ranked by BM25 alone (not by the examples' probes), best first: how
    /// closely each hook's own name, fields and description match the request's words.
    pub fn rank_hooks(&self, request: &str, k: usize) -> Result<Vec<(f32, Hook)>, IndexError> {
        Ok(self
            .bm25(request, Kind::Hooks, k, false)?
            .into_iter()
            .filter_map(|h| match h {
                Hit::Hook { score, hook } => Some((score, hook)),
                _ => None,
            })
            .collect())
    }

    /// How many example programs use `word` (in their title, description, tags or code), as the
    /// index's stemmer reads it.
    pub fn examples_using(&self, word: &str) -> Result<usize, IndexError> {
        let f = &self.fields;
        let err = tantivy_err(Path::new("index"));
        let mut tokenizer = self.index.tokenizer_for_field(f.body).map_err(&err)?;
        let mut stream = tokenizer.token_stream(word);
        let Some(token) = stream.next().map(|t| t.text.clone()) else { return Ok(0) };
        let term = |field: Field| -> Box<dyn Query> { Box::new(TermQuery::new(Term::from_field_text(field, &token), IndexRecordOption::Basic)) };
        let anywhere = BooleanQuery::new([f.title, f.body, f.tags].into_iter().map(|field| (Occur::Should, term(field))).collect());
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.doc_type, "example"), IndexRecordOption::Basic)) as Box<dyn Query>),
            (Occur::Must, Box::new(anywhere)),
        ]);
        self.reader.searcher().search(&query, &tantivy::collector::Count).map_err(&err)
    }

    /// The hook with exactly this probe name, if the index has it.
    fn hook(&self, probe: &str) -> Result<Option<Hook>, IndexError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let err = tantivy_err(Path::new("index"));
        let q = TermQuery::new(Term::from_field_text(f.id, probe), IndexRecordOption::Basic);
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score()).map_err(&err)?;
        let Some((_, addr)) = top.first() else { return Ok(None) };
        let doc: TantivyDocument = searcher.doc(*addr).map_err(&err)?;
        Ok(doc.get_first(f.json).and_then(|v| v.as_str()).and_then(|j| serde_json::from_str(j).ok()))
    }

    fn bm25(&self, request: &str, kind: Kind, k: usize, unattachable: bool) -> Result<Vec<Hit>, IndexError> {
        let f = &self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body, f.tags, f.probes]);
        parser.set_field_boost(f.title, 3.0);
        parser.set_field_boost(f.tags, 1.5);
        parser.set_field_boost(f.probes, 2.0);
        // Words only: the query syntax (quotes, colons, +/-) would turn a sentence into field queries.
        let words: String = request.chars().map(|c| if c.is_alphanumeric() || c == '_' { c.to_ascii_lowercase() } else { ' ' }).collect();
        let words: String = words.split_whitespace().filter(|w| !STOP_WORDS.contains(w)).collect::<Vec<_>>().join(" ");
        let (text_query, _) = parser.parse_query_lenient(&words);
        let term = |field: Field, value: &str| -> Box<dyn Query> { Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic)) };
        let doc_type = match kind {
            Kind::Examples => "example",
            Kind::Hooks => "hook",
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, term(f.doc_type, doc_type)), (Occur::Must, text_query)];
        if kind == Kind::Hooks {
            // Prefer what attaches here, and stable tracepoints over kernel internals.
            clauses.push((Occur::Should, Box::new(ConstScoreQuery::new(term(f.attach, "yes"), 3.0))));
            clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(ConstScoreQuery::new(term(f.kind, "tracepoint"), 1.0)), 2.0))));
            clauses.push((Occur::MustNot, term(f.attach, "no")));
            if !unattachable {
                clauses.push((Occur::MustNot, term(f.attach, "load-only")));
            }
            // Thousands of user-space function names match everyday words ("file", "command"):
            // offer uprobes only when the request names one of those functions.
            let searcher = self.reader.searcher();
            let named: Vec<&str> = words.split_whitespace().filter(|w| w.len() >= 4 && searcher.doc_freq(&Term::from_field_text(f.symbol, w)).unwrap_or(0) > 0).collect();
            if named.is_empty() {
                clauses.push((Occur::MustNot, term(f.kind, "uprobe")));
            }
            for w in named {
                clauses.push((Occur::Should, Box::new(ConstScoreQuery::new(term(f.symbol, w), 20.0))));
            }
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let err = tantivy_err(Path::new("index"));
        let top = searcher.search(&query, &TopDocs::with_limit(k).order_by_score()).map_err(&err)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(&err)?;
            let Some(json) = doc.get_first(f.json).and_then(|v| v.as_str()) else { continue };
            let hit = match kind {
                Kind::Examples => serde_json::from_str(json).ok().map(|example| Hit::Example { score, example }),
                Kind::Hooks => serde_json::from_str(json).ok().map(|hook| Hit::Hook { score, hook }),
            };
            hits.extend(hit);
        }
        Ok(hits)
    }
}
