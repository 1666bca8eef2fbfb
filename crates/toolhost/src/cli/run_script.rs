//! `toolhost run-script NAME ['<json>']`: run a registry script as the REPL's
//! `SCRIPT(name, #{...})` would, with the REPL's limits.

use clap::Args;
use serde_json::{Value, json};

use super::{Cli, ExitCode, report_error};
use crate::dispatch::Dispatcher;
use crate::error::{ErrorCode, ToolError};
use crate::repl::{ReplOptions, ReplSession, resolve_script};

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
    if let Err(e) = resolve_script(dispatcher.registry(), &args.name, &input) {
        return report_error(cli, &e);
    }
    let started = std::time::Instant::now();
    let options = ReplOptions {
        echo_output: !cli.json,
        ..ReplOptions::default()
    };
    let outcome =
        ReplSession::run_script_apart(dispatcher, options, args.name.clone(), input).await;
    let Some(outcome) = outcome else {
        eprintln!("toolhost: the script's thread failed");
        return ExitCode::Host;
    };
    if cli.json {
        let mut out = json!({
            "ok": outcome.error.is_none(),
            "script": args.name,
            "output": outcome.output,
            "tool_calls": outcome.tool_calls.len(),
            "duration_ms": started.elapsed().as_secs_f64() * 1e3,
        });
        match &outcome.error {
            None => out["value"] = outcome.final_value.clone().unwrap_or(Value::Null),
            Some(message) => {
                out["error"] = json!({ "code": "script_error", "message": message });
            }
        }
        println!("{out}");
    } else if let Some(message) = &outcome.error {
        eprintln!("error[script]: {message}");
    } else {
        match outcome.final_value.as_ref().unwrap_or(&Value::Null) {
            Value::Null => {}
            Value::String(s) => println!("{s}"),
            other => println!(
                "{}",
                serde_json::to_string_pretty(other).unwrap_or_default()
            ),
        }
    }
    if outcome.error.is_some() {
        ExitCode::ToolFailed
    } else {
        ExitCode::Ok
    }
}
