//! `kgent model list | pull | path`.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ModelCommand;
use crate::store::{Manifest, Store};

pub fn run(cmd: ModelCommand) -> Result<ExitCode> {
    let manifest = Manifest::load()?;
    let store = Store::open_default()?;
    match cmd {
        ModelCommand::List { verify, json } => {
            let rows = store.status(&manifest, verify);
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!("{:<46} {:<11} {:>9}  PATH", "MODEL", "STATE", "SIZE");
            for r in &rows {
                let name = if r.default { format!("{} (default)", r.name) } else { r.name.clone() };
                let size = format!("{:.2} GB", r.expected_size as f64 / 1e9);
                println!("{name:<46} {:<11} {size:>9}  {}", r.state, r.path.display());
            }
            if rows.iter().any(|r| r.state == "missing") {
                eprintln!("fetch a missing model with: kgent model pull NAME");
            }
            if rows.iter().any(|r| r.state == "corrupt") {
                eprintln!("a corrupt model is fetched again with: kgent model pull NAME --force");
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Pull { name, source, from, force } => {
            let spec = manifest.get(name.as_deref().unwrap_or(&manifest.default))?;
            eprintln!("pulling {} ({:.2} GB) into {}", spec.name, spec.size as f64 / 1e9, store.dir().display());
            let sha256 = store.pull(spec, source, from.as_deref(), force)?;
            eprintln!("{}: verified, sha256 {sha256}", spec.name);
            // The tiled weight cache, so that the first `kgent gen` maps it instead of tiling.
            let path = store.path_of(spec);
            if crate::llm::TileCache::enabled() {
                let cache = crate::llm::TileCache::for_model(store.dir(), &path, Some(&sha256))?;
                let bar = super::progress::spinner(format!("{}: tiling the weights for the kernels", spec.name));
                let loaded = crate::llm::Model::load_with_cache(&path, &spec.name, &crate::llm::Device::Cpu, Some(&cache));
                bar.finish_and_clear();
                // Fetching and verifying succeeded: a model this runtime cannot load is said, not fatal.
                match loaded.as_ref().map(|m| m.tile_cache()) {
                    Err(e) => eprintln!("kgent: warning: {e}"),
                    Ok(crate::llm::CacheState::NotWritten { reason }) => {
                        eprintln!("kgent: warning: the tiled weight cache was not written ({reason}); every load will tile the weights")
                    }
                    Ok(_) => eprintln!("{}: tiled weights in {}", spec.name, cache.path().display()),
                }
            }
            println!("{}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Path { name } => {
            let resolved = store.resolve(&manifest, Some(name.as_deref().unwrap_or(&manifest.default)))?;
            println!("{}", resolved.path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
