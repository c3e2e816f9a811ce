//! Retrieval: example programs and host hooks close to a request, for the prompt.
//!
//! ```no_run
//! use kgent::retrieve::{index, Kind};
//! let loc = index::Location { home: kgent::store::home_dir()? };
//! let dirs: Vec<_> = kgent::retrieve::corpus::HOST_TOOL_DIRS.iter().map(Into::into).collect();
//! let searcher = index::Searcher::open(&loc, &dirs, &mut |why| eprintln!("building the index: {why}"))?;
//! for hit in searcher.search("count page faults by process", Kind::Hooks, 10)? {
//!     println!("{:.1} {hit:?}", hit.score());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod corpus;
pub mod index;
pub mod quality;

pub use index::{Hit, Kind, Searcher};

/// The host directories scanned for installed bpftrace tools.
pub fn host_tool_dirs() -> Vec<std::path::PathBuf> {
    corpus::HOST_TOOL_DIRS.iter().map(std::path::PathBuf::from).collect()
}
