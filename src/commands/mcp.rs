//! `kgent mcp`: the MCP server ([`crate::mcp`]) on stdio.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::McpArgs;

pub fn run(args: McpArgs) -> Result<ExitCode> {
    let config = crate::mcp::Config { model: args.model.spec()?, allow_run: args.allow_run, max_run: args.max_run };
    crate::mcp::serve(config)?;
    Ok(ExitCode::SUCCESS)
}
