//! The host facts the symbolic verifier takes as input, as PREVAIL's `ebpf_platform_t` gives its
//! verifier: where a tracepoint's fields lie in its context, and which tracepoints exist. The same
//! object with the same platform always gets the same verdicts, on any host; tests pass a
//! committed tracefs-shaped directory and need neither root nor tracefs.

use std::path::{Path, PathBuf};

use crate::kernel::tracefs::{self, Slot};

/// What the verifier needs to know of the host it verifies for.
pub trait Platform {
    /// The record layout of tracepoint `category:name` (every field with its offset), `None` when
    /// the platform does not know it.
    fn tracepoint_layout(&self, category: &str, name: &str) -> Option<Vec<Slot>>;

    /// Whether some tracepoint `category:pattern` exists (`*` allowed in the pattern); `None` when
    /// the platform cannot tell, so the question is no evidence either way.
    fn has_tracepoint(&self, category: &str, pattern: &str) -> Option<bool>;
}

/// A tracefs tree: the host's (`/sys/kernel/tracing`) or a directory laid out the same way
/// (`events/<category>/<name>/format`).
#[derive(Debug, Clone)]
pub struct Tracefs {
    root: Option<PathBuf>,
}

impl Tracefs {
    /// A platform that knows no tracepoint: every layout and existence question is unknown.
    pub const NONE: Tracefs = Tracefs { root: None };

    /// This host's tracefs; one that is not mounted knows nothing, and says so (`None`).
    pub fn host() -> Tracefs {
        Tracefs { root: tracefs::find_root() }
    }

    /// A directory laid out like tracefs.
    pub fn at(root: &Path) -> Tracefs {
        Tracefs { root: Some(root.to_path_buf()) }
    }
}

impl Platform for Tracefs {
    fn tracepoint_layout(&self, category: &str, name: &str) -> Option<Vec<Slot>> {
        let text = std::fs::read_to_string(self.root.as_ref()?.join("events").join(category).join(name).join("format")).ok()?;
        Some(tracefs::parse_layout(&text))
    }

    fn has_tracepoint(&self, category: &str, pattern: &str) -> Option<bool> {
        let root = self.root.as_ref()?;
        let Ok(entries) = std::fs::read_dir(root.join("events").join(category)) else { return Some(false) };
        let glob = crate::obj::probe::glob(pattern);
        Some(entries.flatten().any(|e| e.path().join("format").is_file() && glob.is_match(&e.file_name().to_string_lossy())))
    }
}
