//! `toolhost run-script NAME ['<json>']`: run a registry script through the dispatcher,
//! as Python's `SCRIPT(name, {...})` and the MCP server's `script_NAME` do.

use clap::Args;
use serde_json::{Value, json};
use std::io::IsTerminal;

use super::terminal::printable;
use super::{Cli, ExitCode, report_error};
use crate::dispatch::Dispatcher;
use crate::error::{ErrorCode, ToolError};

#[derive(Args, Debug)]
pub struct RunScriptArgs {
    /// The script's name in the registry's `scripts:`.
    name: String,
    /// Its arguments as a JSON object (the script's ARGS) [default: {}].
    args: Option<String>,
}

pub async fn run_script(cli: &Cli, dispatcher: Dispatcher, args: &RunScriptArgs) -> ExitCode {
    let input: Value = match args.args.as_deref().map(serde_json::from_str).transpose() {
        Ok(v) => v.unwrap_or_else(|| json!({})),
        Err(e) => {
            let e = ToolError::new(
                ErrorCode::InvalidInput,
                format!("the script's arguments are not valid JSON: {e}"),
            );
            return report_error(cli, &e);
        }
    };
    // Unknown names and arguments the script does not take are the caller's mistakes (exit
    // 2 and 3); anything the script does is its own (exit 4).
    match dispatcher.run_script(&args.name, input).await {
        Ok(out) if cli.json => {
            let out = json!({
                "ok": true,
                "script": args.name,
                "output": out.printed,
                "tool_calls": out.tool_calls,
                "duration_ms": out.duration.as_secs_f64() * 1e3,
                "value": out.value,
            });
            println!("{out}");
            ExitCode::Ok
        }
        Ok(out) => {
            show_printed(&out.printed);
            match &out.value {
                Value::Null => {}
                // A script's answer may be a tool's text: shown, not obeyed, on a terminal.
                Value::String(s) if std::io::stdout().is_terminal() => {
                    println!("{}", printable(s))
                }
                Value::String(s) => println!("{s}"),
                other => println!(
                    "{}",
                    serde_json::to_string_pretty(other).unwrap_or_default()
                ),
            }
            ExitCode::Ok
        }
        Err(e) if e.code == ErrorCode::ScriptError && cli.json => {
            let output = e
                .details
                .as_ref()
                .and_then(|d| d["output"].as_str())
                .unwrap_or("");
            let out = json!({
                "ok": false,
                "script": args.name,
                "output": output,
                "error": { "code": e.code, "message": e.message },
            });
            println!("{out}");
            ExitCode::ToolFailed
        }
        Err(e) if e.code == ErrorCode::ScriptError => {
            if let Some(printed) = e.details.as_ref().and_then(|d| d["output"].as_str()) {
                show_printed(printed);
            }
            eprintln!("error[script]: {}", e.message);
            ExitCode::ToolFailed
        }
        Err(e) => report_error(cli, &e),
    }
}

/// What the script printed, before its answer or its error. It may be a tool's text:
/// shown, not obeyed, on a terminal.
fn show_printed(printed: &str) {
    if printed.is_empty() {
        return;
    }
    if std::io::stdout().is_terminal() {
        print!("{}", printable(printed));
    } else {
        print!("{printed}");
    }
}
