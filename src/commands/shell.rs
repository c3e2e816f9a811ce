//! The conventions of a command-line tool: `kgent config`, `kgent completions`, `kgent man`, all
//! from the clap definitions and the config file's keys.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::config::{resolve, Config};

pub fn config(json: bool) -> Result<ExitCode> {
    let config = Config::load()?;
    let resolved = resolve(&config);
    if json {
        let out = serde_json::json!({ "file": crate::config::path(), "found": config.path.is_some(), "settings": resolved });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    match (&config.path, crate::config::path()) {
        (Some(p), _) => println!("config file {}", p.display()),
        (None, Some(p)) => println!("config file {} (none there)", p.display()),
        (None, None) => println!("config file: no config directory on this system"),
    }
    for r in &resolved {
        println!("{:<10} {:<44} {}", r.key, r.value, r.source);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    clap_complete::generate(shell, &mut Cli::command(), "kgent", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

pub fn man(command: Option<&str>) -> Result<ExitCode> {
    let cli = Cli::command();
    let page = match command {
        None => cli,
        Some(name) => {
            let names: Vec<String> = cli.get_subcommands().map(|c| c.get_name().to_string()).collect();
            let sub = cli.find_subcommand(name).with_context(|| format!("no command {name:?}; the commands are: {}", names.join(", ")))?.clone();
            // The page's name and its synopsis say `kgent gen`, as git's pages do.
            // clap names are `&'static str`; this process prints one page and exits.
            let page_name: &'static str = Box::leak(format!("kgent-{name}").into_boxed_str());
            sub.name(page_name).bin_name(format!("kgent {name}")).version(env!("CARGO_PKG_VERSION"))
        }
    };
    clap_mangen::Man::new(page).render(&mut std::io::stdout()).context("writing the man page")?;
    Ok(ExitCode::SUCCESS)
}
