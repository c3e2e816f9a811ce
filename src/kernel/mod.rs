//! What this host offers: the hooks a program can use (tracepoints with their fields, kernel
//! functions with BTF prototypes, perf events, uprobe symbols), which program types load and attach
//! here, and which compilers are installed. Built once per kernel and cached.
//!
//! ```no_run
//! let catalog = kgent::kernel::Catalog::load_or_build(&kgent::store::home_dir()?, false)?;
//! for hook in catalog.hooks.iter().filter(|h| h.probe.contains("openat")) {
//!     println!("{} ({:?})", hook.probe, hook.attach);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod capability;
pub mod perf;
pub mod sys;
pub mod tracefs;
pub mod uprobe;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use capability::{Capabilities, Outcome, TypeSupport};
pub use tracefs::{Field, Symbol};

/// Bumped when the catalog's shape or content rules change, so old caches are rebuilt.
const CATALOG_VERSION: u32 = 5;

pub const VMLINUX_BTF: &str = "/sys/kernel/btf/vmlinux";
/// Where the C library's headers are (libc6-dev), which declare its functions.
pub const C_HEADERS: &str = "/usr/include";

/// Whether this process runs as root, which loading and attaching BPF programs needs here.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// What a hook is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HookKind {
    Tracepoint,
    /// A kernel function, reachable by kprobe (and fentry where allowed).
    KernelFunction,
    Software,
    Hardware,
    Uprobe,
}

/// Whether a hook can be used on this host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attach {
    /// Programs load and attach here.
    Yes,
    /// Programs pass the verifier but cannot be attached (kprobes on a kernel without them).
    LoadOnly,
    /// The kernel refuses this program type.
    No,
    /// The capability probe could not run (not root): assumed usable.
    Unknown,
}

/// One hook, spelled as bpftrace spells probes: `tracepoint:syscalls:sys_enter_openat`,
/// `kprobe:do_sys_openat2`, `software:page-faults`, `uprobe:/bin/bash:readline`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hook {
    pub probe: String,
    pub kind: HookKind,
    /// Tracepoint category, `kernel`, `software`, `hardware`, or the binary of a uprobe.
    pub category: String,
    /// Tracepoint fields (`args->name`) or function parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prototype: Option<String>,
    /// A short description, where one is known (perf events).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
    pub attach: Attach,
}

impl Hook {
    /// Whether `kgent hooks`' filters keep this hook.
    pub fn matches(&self, pattern: Option<&regex::Regex>, kind: Option<HookKind>, attachable: bool) -> bool {
        pattern.is_none_or(|re| re.is_match(&self.probe)) && kind.is_none_or(|k| self.kind == k) && (!attachable || matches!(self.attach, Attach::Yes | Attach::Unknown))
    }

    /// A function of a user-space binary.
    pub fn uprobe(binary: &Path, function: &str, attach: Attach) -> Hook {
        Hook {
            probe: format!("uprobe:{}:{function}", binary.display()),
            kind: HookKind::Uprobe,
            category: binary.display().to_string(),
            fields: vec![],
            prototype: None,
            about: String::new(),
            attach,
        }
    }
}

impl TypeSupport {
    /// Whether programs of this type can be used here.
    pub fn attach(&self) -> Attach {
        match self {
            s if s.attaches.is_yes() => Attach::Yes,
            s if s.loads.is_yes() => Attach::LoadOnly,
            TypeSupport { loads: Outcome::Untried(_), .. } => Attach::Unknown,
            _ => Attach::No,
        }
    }
}

/// Identifies a kernel: its release and a hash of its BTF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelKey {
    pub release: String,
    pub btf_sha256: String,
    /// Whether tracefs was readable: a catalog built without it is redone once it is mounted.
    pub tracefs: bool,
    /// Whether the C library's headers were there: they give its functions' parameters, and a
    /// catalog built without them is redone once they are installed.
    #[serde(default)]
    pub headers: bool,
    pub version: u32,
}

impl KernelKey {
    pub fn current() -> KernelKey {
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()).unwrap_or_default();
        let btf_sha256 = std::fs::read(VMLINUX_BTF).map(|b| hex::encode(Sha256::digest(&b))[..16].to_string()).unwrap_or_default();
        KernelKey { release, btf_sha256, tracefs: tracefs::find_root().is_some(), headers: Path::new(C_HEADERS).join("stdlib.h").exists(), version: CATALOG_VERSION }
    }

    fn file_name(&self) -> String {
        let sanitized: String = self.release.chars().map(|c| if c.is_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
        // The version in the name too: two kgent builds on one host keep a catalog each rather
        // than rebuilding over each other.
        format!("catalog-{sanitized}-{}-v{}.json", if self.btf_sha256.is_empty() { "nobtf" } else { &self.btf_sha256 }, self.version)
    }
}

/// Versions of the external tools Kgent drives, `None` where absent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Tools {
    pub bpftrace: Option<String>,
    pub clang: Option<String>,
    pub bpftool: Option<String>,
}

impl Tools {
    pub fn detect() -> Tools {
        let first_line = |cmd: &str, arg: &str| {
            let out = Command::new(cmd).arg(arg).output().ok().filter(|o| o.status.success())?;
            String::from_utf8_lossy(&out.stdout).lines().next().map(|l| l.trim().to_string())
        };
        Tools { bpftrace: first_line("bpftrace", "--version"), clang: first_line("clang", "--version"), bpftool: first_line("bpftool", "version") }
    }
}

/// Everything this host offers, with the problems met while finding out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Catalog {
    pub key: KernelKey,
    pub hooks: Vec<Hook>,
    pub capabilities: Capabilities,
    pub tools: Tools,
    /// Sources that could not be read (tracefs, BTF, a binary) and why; the rest still works.
    pub warnings: Vec<String>,
}

/// `kgent hooks --json` and the MCP `hooks` tool: the host, and the hooks a query kept.
#[derive(Debug, Serialize)]
pub struct Listing<'a> {
    pub kernel: &'a KernelKey,
    pub capabilities: &'a Capabilities,
    pub tools: &'a Tools,
    pub warnings: &'a [String],
    pub hooks: Vec<&'a Hook>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("hook catalog cache {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Where the hooks come from; tests point these at fixtures.
#[derive(Debug, Clone)]
pub struct Sources {
    pub tracefs: Option<PathBuf>,
    pub btf: PathBuf,
    pub binaries: Vec<PathBuf>,
    /// Headers declaring the C library's functions, for the parameters of its uprobes.
    pub headers: Vec<PathBuf>,
    /// Run the capability probe (needs root); otherwise every type is `Unknown`.
    pub probe_capabilities: bool,
}

impl Sources {
    pub fn host() -> Sources {
        Sources {
            tracefs: tracefs::find_root(),
            btf: PathBuf::from(VMLINUX_BTF),
            binaries: uprobe::DEFAULT_BINARIES.iter().map(PathBuf::from).filter(|p| p.exists()).collect(),
            headers: uprobe::header_files(Path::new(C_HEADERS)),
            probe_capabilities: true,
        }
    }
}

impl Catalog {
    /// This host, with `hooks`.
    pub fn listing<'a>(&'a self, hooks: Vec<&'a Hook>) -> Listing<'a> {
        Listing { kernel: &self.key, capabilities: &self.capabilities, tools: &self.tools, warnings: &self.warnings, hooks }
    }

    /// The hooks `kgent hooks` lists (and the MCP `hooks` tool): those matching `pattern`, of
    /// `kind`, and (with `attachable`) those that attach here or were not probed.
    pub fn select(&self, pattern: Option<&str>, kind: Option<HookKind>, attachable: bool) -> Result<Vec<&Hook>, regex::Error> {
        let pattern = pattern.map(hook_pattern).transpose()?;
        Ok(self.hooks.iter().filter(|h| h.matches(pattern.as_ref(), kind, attachable)).collect())
    }

    /// The cached catalog of the running kernel, rebuilt when the kernel, its BTF, tracefs
    /// availability or the catalog format changed (or when `refresh`).
    pub fn load_or_build(home: &Path, refresh: bool) -> Result<Catalog, CatalogError> {
        let key = KernelKey::current();
        let dir = home.join("kernel");
        let path = dir.join(key.file_name());
        let cached = || std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<Catalog>(&b).ok()).filter(|c| c.key == key);
        if !refresh {
            if let Some(c) = cached() {
                return Ok(c);
            }
        }
        std::fs::create_dir_all(&dir).map_err(|source| CatalogError::Io { path: dir.clone(), source })?;
        // One builder at a time; whoever waited finds the catalog the other one wrote.
        let lock_path = dir.join(".catalog.lock");
        let _lock = crate::lock::Lock::exclusive(&lock_path, &mut || eprintln!("kgent: waiting for another kgent building the hook catalog"))
            .map_err(|source| CatalogError::Io { path: lock_path.clone(), source })?;
        if !refresh {
            if let Some(c) = cached() {
                return Ok(c);
            }
        }
        crate::lock::sweep(&dir, &|n| n.contains(".tmp."));
        let catalog = Catalog::build(key, &Sources::host());
        // Write beside, then rename: a reader never sees half a file.
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        let io = |source| CatalogError::Io { path: path.clone(), source };
        std::fs::write(&tmp, serde_json::to_vec(&catalog).expect("catalog serialises")).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(|source| CatalogError::Io { path: path.clone(), source })?;
        Ok(catalog)
    }

    /// Reads every source; a source that fails becomes a warning.
    pub fn build(key: KernelKey, sources: &Sources) -> Catalog {
        let mut warnings = Vec::new();
        let capabilities = if sources.probe_capabilities { capability::probe() } else { Capabilities::new() };
        let attach = |ty: &str| capabilities.get(ty).map_or(Attach::Unknown, TypeSupport::attach);
        let mut hooks = Vec::new();

        match &sources.tracefs {
            None => warnings.push("tracefs is not mounted, so no tracepoints are listed; mount it with: mount -t tracefs nodev /sys/kernel/tracing".into()),
            Some(root) => match tracefs::read_all(root) {
                Err(e) => warnings.push(format!("cannot read tracepoints under {}: {e}", root.display())),
                Ok((tps, unreadable)) => {
                    if unreadable > 0 {
                        warnings.push(format!("{unreadable} tracepoint format files under {} could not be read", root.display()));
                    }
                    let a = attach("tracepoint");
                    hooks.extend(tps.into_iter().map(|tp| Hook {
                        probe: format!("tracepoint:{}:{}", tp.category, tp.name),
                        kind: HookKind::Tracepoint,
                        category: tp.category,
                        fields: tp.fields,
                        prototype: None,
                        about: String::new(),
                        attach: a,
                    }));
                }
            },
        }

        match std::fs::read(&sources.btf).map_err(|e| e.to_string()).and_then(|b| crate::obj::btf::Btf::parse(&b).map_err(|e| e.to_string())) {
            Err(e) => warnings.push(format!("no kernel function prototypes: {}: {e} (the kernel needs CONFIG_DEBUG_INFO_BTF)", sources.btf.display())),
            Ok(types) => {
                let a = attach("kprobe");
                let mut seen = std::collections::HashSet::new();
                for (name, proto) in types.functions() {
                    if !seen.insert(name.to_string()) {
                        continue;
                    }
                    let fields = proto.members.iter().filter(|p| !p.name.is_empty()).map(|p| Field::new(p.name.clone(), types.type_name(p.type_id))).collect();
                    hooks.push(Hook {
                        probe: format!("kprobe:{name}"),
                        kind: HookKind::KernelFunction,
                        category: "kernel".into(),
                        fields,
                        prototype: Some(types.prototype(name, proto)),
                        about: String::new(),
                        attach: a,
                    });
                }
            }
        }

        let perf = attach("perf_event");
        let perf_hooks = |list: &[(&str, &str, &str)], kind: HookKind, prefix: &str| -> Vec<Hook> {
            list.iter()
                .map(|(name, alias, about)| Hook {
                    probe: format!("{prefix}:{name}"),
                    kind,
                    category: prefix.into(),
                    fields: vec![],
                    prototype: None,
                    about: if alias.is_empty() { about.to_string() } else { format!("{about} (alias {prefix}:{alias})") },
                    attach: perf,
                })
                .collect()
        };
        hooks.extend(perf_hooks(perf::SOFTWARE, HookKind::Software, "software"));
        if perf::has_hardware_pmu() {
            hooks.extend(perf_hooks(perf::HARDWARE, HookKind::Hardware, "hardware"));
        }

        let up = attach("uprobe");
        let declared = uprobe::declarations(&sources.headers);
        let mut seen_real = std::collections::HashSet::new();
        for bin in &sources.binaries {
            // /bin and /usr/bin are often the same file; list it once.
            if let Ok(real) = std::fs::canonicalize(bin) {
                if !seen_real.insert(real) {
                    continue;
                }
            }
            match uprobe::functions(bin) {
                Err(e) => warnings.push(e.to_string()),
                Ok(names) => {
                    // The headers declare the C library's functions, not a program's own (bash
                    // defines a `getenv` of its own).
                    let libc = uprobe::is_c_library(bin);
                    hooks.extend(names.iter().map(|f| {
                        let mut hook = Hook::uprobe(bin, f, up);
                        if let Some(d) = declared.get(f).filter(|_| libc) {
                            hook.fields = d.params.clone();
                            hook.prototype = Some(d.prototype.clone());
                        }
                        hook
                    }));
                }
            }
        }

        Catalog { key, hooks, capabilities, tools: Tools::detect(), warnings }
    }

    /// The hook a probe names exactly, if this host has it.
    pub fn find(&self, probe: &str) -> Option<&Hook> {
        self.hooks.iter().find(|h| h.probe == probe)
    }
}

/// bpftrace-style patterns: `*` and `?` wildcards over the whole probe; a pattern without any
/// wildcard or `:` matches as a substring (`kgent hooks openat`).
pub fn hook_pattern(pattern: &str) -> Result<regex::Regex, regex::Error> {
    if pattern.contains(['*', '?', ':']) {
        crate::obj::probe::try_glob(pattern)
    } else {
        regex::Regex::new(&regex::escape(pattern))
    }
}
