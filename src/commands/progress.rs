//! What every command shares: a spinner on stderr, and the model the flags name, loaded behind one.

use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::ModelArgs;
use crate::llm;
use crate::pipeline::{LoadedModel, ModelOpener};

/// A spinner on stderr for work without a known length; hidden when stderr is not a terminal.
pub(crate) fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {prefix}{msg} {elapsed}").expect("valid template"));
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The model the flags, environment and config file name, loaded (or its server reached) behind
/// a spinner.
pub(crate) fn load_model(args: &ModelArgs) -> Result<LoadedModel> {
    let spec = args.spec()?;
    if spec.backend == llm::Backend::Local && spec.base_url.is_some() {
        eprintln!("kgent: warning: a model server is set (--base-url, KGENT_BASE_URL or the config file) but the backend is local; add --backend openai to use it");
    }
    let bar = spinner(if spec.backend == llm::Backend::Local { "loading the model" } else { "connecting to the model server" });
    let loaded = LoadedModel::open(&spec)?;
    bar.finish_and_clear();
    Ok(loaded)
}

/// Opens the model the flags name when a request first needs it, behind a spinner: a request
/// answered from the host's catalog or its plan never loads it.
pub(crate) fn model_opener(args: &ModelArgs) -> Result<ModelOpener> {
    let spec = args.spec()?;
    if spec.backend == llm::Backend::Local && spec.base_url.is_some() {
        eprintln!("kgent: warning: a model server is set (--base-url, KGENT_BASE_URL or the config file) but the backend is local; add --backend openai to use it");
    }
    Ok(Box::new(move || {
        let bar = spinner(if spec.backend == llm::Backend::Local { "loading the model" } else { "connecting to the model server" });
        let loaded = LoadedModel::open(&spec);
        bar.finish_and_clear();
        loaded
    }))
}
