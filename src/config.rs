//! The config file: `$XDG_CONFIG_HOME/kgent/config.toml` (or `$KGENT_CONFIG`), read once before
//! the flags. A value in it stands in for a flag the user did not give, on every command that
//! takes that flag; the flag's environment variable, and the flag itself, win over it. Values go
//! through clap like typed flags, so one rule decides everywhere.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::llm::Backend;
use crate::obj::Target;

/// What the file may set. Unknown keys are an error, so a typo is not silently ignored.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// A model name from `kgent model list`, or a .gguf path.
    pub model: Option<String>,
    pub backend: Option<Backend>,
    /// The OpenAI-compatible server, for `backend = "openai"`.
    pub base_url: Option<String>,
    /// The model name to ask that server for.
    pub api_model: Option<String>,
    /// `chat` or `completions`: how that server is asked.
    pub api: Option<crate::llm::RemoteApi>,
    pub target: Option<Target>,
    pub rounds: Option<usize>,
    pub device: Option<String>,
}

/// One setting: its key in the file, its flag, the environment variable the flag reads, and the
/// value when nothing sets it.
pub struct Key {
    pub key: &'static str,
    pub flag: &'static str,
    pub env: Option<&'static str>,
    pub default: &'static str,
}

pub const KEYS: &[Key] = &[
    Key { key: "model", flag: "--model", env: Some("KGENT_MODEL"), default: "the manifest's default (qwen2.5-coder-1.5b-instruct-q4_k_m)" },
    Key { key: "backend", flag: "--backend", env: Some("KGENT_BACKEND"), default: "local" },
    Key { key: "base_url", flag: "--base-url", env: Some("KGENT_BASE_URL"), default: "none" },
    Key { key: "api_model", flag: "--api-model", env: Some("KGENT_API_MODEL"), default: "the server's first model" },
    Key { key: "api", flag: "--api", env: Some("KGENT_API"), default: "chat" },
    Key { key: "target", flag: "--target", env: None, default: "bpftrace" },
    Key { key: "rounds", flag: "--rounds", env: None, default: "3" },
    Key { key: "device", flag: "--device", env: None, default: "cpu" },
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading the config file {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("the config file {0} is not valid: {1}fix it, or set KGENT_CONFIG=/dev/null to ignore it; `kgent config` lists the keys")]
    Parse(PathBuf, String),
}

/// The file as read, with where it is.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// `None` when there is no file.
    pub path: Option<PathBuf>,
    pub file: File,
}

/// Where the file is looked for: `$KGENT_CONFIG`, else `$XDG_CONFIG_HOME/kgent/config.toml`
/// (`~/.config/kgent/config.toml`).
pub fn path() -> Option<PathBuf> {
    match std::env::var_os("KGENT_CONFIG") {
        Some(p) => Some(PathBuf::from(p)),
        None => dirs::config_dir().map(|d| d.join("kgent/config.toml")),
    }
}

impl Config {
    /// Reads the file; no file is no settings.
    pub fn load() -> Result<Config, ConfigError> {
        let Some(path) = path() else { return Ok(Config::default()) };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(ConfigError::Io(path, e)),
        };
        let file = toml::from_str(&text).map_err(|e| ConfigError::Parse(path.clone(), e.to_string()))?;
        Ok(Config { path: Some(path), file })
    }

    /// The file's values by key, as flag text.
    pub fn values(&self) -> BTreeMap<&'static str, String> {
        let table = toml::Value::try_from(&self.file).expect("the file's fields serialize");
        KEYS.iter()
            .filter_map(|k| {
                let v = table.get(k.key)?;
                Some((k.key, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            })
            .collect()
    }

    /// `argv` with each of the file's values added as its flag, where the command being run
    /// takes that flag and neither the command line nor the flag's environment variable set it.
    pub fn apply(&self, argv: Vec<OsString>, cli: &clap::Command) -> Vec<OsString> {
        let values = self.values();
        if values.is_empty() {
            return argv;
        }
        // Bad command lines are clap's to report, on the real parse.
        let Ok(matches) = cli.clone().try_get_matches_from(&argv) else { return argv };
        let (mut m, mut cmd) = (&matches, cli);
        while let Some((name, sub)) = m.subcommand() {
            (m, cmd) = (sub, cmd.find_subcommand(name).expect("clap matched it"));
        }
        let mut extra = Vec::new();
        for key in KEYS {
            let Some(value) = values.get(key.key) else { continue };
            // Asking clap about an argument the command lacks panics in debug builds.
            if !cmd.get_arguments().any(|a| a.get_id() == key.key) {
                continue;
            }
            let set = matches!(m.value_source(key.key), Some(clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable));
            if !set {
                extra.push(OsString::from(format!("{}={value}", key.flag)));
            }
        }
        // Before a `--`, after which everything is positional.
        let at = argv.iter().position(|a| a == "--").unwrap_or(argv.len());
        let mut out = argv;
        out.splice(at..at, extra);
        out
    }
}

/// One resolved setting, for `kgent config`.
#[derive(Debug, Serialize)]
pub struct Resolved {
    pub key: &'static str,
    pub value: String,
    /// `environment KGENT_MODEL`, `config file PATH`, or `default`.
    pub source: String,
}

/// What each setting is when no flag is given, and why.
pub fn resolve(config: &Config) -> Vec<Resolved> {
    let values = config.values();
    KEYS.iter()
        .map(|k| {
            if let Some(v) = k.env.and_then(|e| std::env::var(e).ok().map(|v| (e, v))) {
                return Resolved { key: k.key, value: v.1, source: format!("environment {}", v.0) };
            }
            match (values.get(k.key), &config.path) {
                (Some(v), Some(p)) => Resolved { key: k.key, value: v.clone(), source: format!("config file {}", p.display()) },
                _ => Resolved { key: k.key, value: k.default.to_string(), source: "default".into() },
            }
        })
        .collect()
}
