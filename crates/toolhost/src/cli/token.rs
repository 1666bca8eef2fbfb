//! `toolhost token new NAME [--tools a,b]`: a random bearer token for the HTTP MCP server,
//! printed once; its SHA-256 is appended to the token file `--auth-tokens` reads.

use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;

use super::{Cli, ExitCode};
use crate::dispatch::Dispatcher;
use crate::mcp::{self, auth::tokens};

#[derive(Args, Debug)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Make a new random token: print it once (stdout) and append its SHA-256 to the file.
    New {
        /// What logs call this token's caller (letters, digits, . _ @ -).
        name: String,
        /// Tools it may call (comma-separated names as MCP clients see them: tools,
        /// run_python, script_NAME) [default: all].
        #[arg(long, value_name = "NAMES", value_delimiter = ',')]
        tools: Option<Vec<String>>,
        /// Tools it may never call (comma-separated).
        #[arg(long, value_name = "NAMES", value_delimiter = ',')]
        exclude: Vec<String>,
        /// The token file (created if missing).
        #[arg(long, value_name = "FILE", default_value = "toolhost-tokens.yaml")]
        file: PathBuf,
    },
}

pub async fn token(cli: &Cli, args: &TokenArgs, dispatcher: &Dispatcher) -> ExitCode {
    let TokenCommand::New {
        name,
        tools,
        exclude,
        file,
    } = &args.command;
    let offered = mcp::offered(dispatcher).await;
    match tokens::add_token(file, name, tools.as_deref(), exclude, &offered) {
        Ok(new) => {
            let grants = match tools {
                None => "every tool".to_owned(),
                Some(list) => list.join(", "),
            };
            let except = if exclude.is_empty() {
                String::new()
            } else {
                format!(" except {}", exclude.join(", "))
            };
            if cli.json {
                println!(
                    "{}",
                    json!({ "ok": true, "name": name, "token": new.token, "sha256": new.sha256, "file": file })
                );
            } else {
                println!("{}", new.token);
            }
            eprintln!(
                "toolhost: token `{name}` ({grants}{except}) added to {}. It is shown only now: \
                 the file keeps its SHA-256. Clients send `Authorization: Bearer TOKEN`.",
                file.display()
            );
            ExitCode::Ok
        }
        Err(e) => {
            if cli.json {
                println!(
                    "{}",
                    json!({ "ok": false, "error": { "code": "usage", "message": e.to_string() } })
                );
            } else {
                eprintln!("error[usage]: {e}");
            }
            ExitCode::Usage
        }
    }
}
