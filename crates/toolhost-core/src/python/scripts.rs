//! The registry's scripts are Python files, each run in a fresh session of its own with
//! `ARGS` bound to its arguments; its answer is what it passed to `FINAL`, or else the
//! value of its last expression. Front ends run them through [`Dispatcher::run_script`]
//! (`toolhost run-script`, MCP's `script_NAME` tools), Python through `SCRIPT(name, args)`;
//! scripts may call scripts, to a bounded depth.

use serde_json::{Value, json};
use std::time::{Duration, Instant};

use crate::dispatch::{Dispatcher, ScriptOutput};
use crate::error::{ErrorCode, ToolError};
use crate::registry::ScriptEntry;

use super::PythonSession;
use super::bridge::ToolBridge;

/// Nesting of scripts calling scripts: each level is a session (an instance) of its own.
pub const MAX_SCRIPT_DEPTH: usize = 8;

fn source(entry: &ScriptEntry) -> Result<String, ToolError> {
    std::fs::read_to_string(&entry.file).map_err(|e| {
        ToolError::new(
            ErrorCode::NotFound,
            format!(
                "script `{}`: cannot read {}: {e}",
                entry.name,
                entry.file.display()
            ),
        )
    })
}

/// Run `entry` in `session`: its answer, or its failure as a `script_error` naming the
/// file (what it printed kept in the details). The sandbox's stops keep their own codes.
async fn run_in(
    session: &mut PythonSession,
    entry: &ScriptEntry,
    args: &Value,
) -> Result<ScriptOutput, ToolError> {
    let source = source(entry)?;
    let started = Instant::now();
    session.define("ARGS", args).await?;
    let outcome = session.eval(&source).await;
    if let Some(error) = outcome.error {
        let code = match error.code {
            ErrorCode::ScriptError | ErrorCode::ToolError | ErrorCode::InvalidInput => {
                ErrorCode::ScriptError
            }
            other => other,
        };
        let mut details = json!({
            "script": entry.name,
            "file": entry.file,
            "kind": error.kind,
            "traceback": error.traceback,
        });
        if !outcome.output.is_empty() {
            details["output"] = Value::String(outcome.output);
        }
        return Err(ToolError::new(
            code,
            format!(
                "script `{}` failed: {}: {}",
                entry.name, error.kind, error.message
            ),
        )
        .with_details(details)
        .for_tool(&entry.name));
    }
    let value = outcome
        .final_value
        .or(outcome.value_json)
        .or(outcome.value.map(Value::String))
        .unwrap_or(Value::Null);
    Ok(ScriptOutput {
        printed: outcome.output,
        value,
        tool_calls: outcome.tool_calls.len(),
        duration: started.elapsed(),
    })
}

/// A script a front end runs: a session of its own with `options` (the registry's
/// Python limits, and the caller's access if the front end has one).
pub(crate) async fn run_entry(
    dispatcher: &Dispatcher,
    entry: &ScriptEntry,
    args: &Value,
    options: super::PythonOptions,
) -> Result<ScriptOutput, ToolError> {
    let mut session = dispatcher.python_session(options).await?;
    run_in(&mut session, entry, args).await
}

/// `SCRIPT(name, args)` from Python: the script's calls count as the caller's input's, and
/// it has what is left of that input's time.
pub(crate) async fn run(bridge: &ToolBridge, name: &str, args: Value) -> Result<Value, ToolError> {
    bridge
        .options
        .check_access(&crate::dispatch::script_tool_name(name))?;
    let entry = bridge.dispatcher.resolve_script(name, &args)?;
    if bridge.depth >= MAX_SCRIPT_DEPTH {
        return Err(ToolError::new(
            ErrorCode::Denied,
            format!(
                "script `{name}` was not run: scripts calling scripts may nest {MAX_SCRIPT_DEPTH} \
                 deep at most"
            ),
        ));
    }
    let mut options = bridge.options.clone();
    let started = bridge.recorder.lock().expect("recorder lock").input_started;
    if let Some(started) = started {
        options.limits.input_timeout = options
            .limits
            .input_timeout
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(1));
    }
    let mut session = PythonSession::start(
        bridge.dispatcher.clone(),
        options,
        bridge.catalogue.clone(),
        bridge.recorder.clone(),
        bridge.depth + 1,
    )
    .await?;
    run_in(&mut session, entry, &args)
        .await
        .map(|output| output.value)
}

/// Whether the script's file can be read and parses; `Err` says where (file:line).
pub(crate) async fn check_syntax(
    dispatcher: &Dispatcher,
    entry: &ScriptEntry,
) -> Result<(), String> {
    let file = entry.file.display().to_string();
    let source = source(entry).map_err(|e| e.message)?;
    let mut session = dispatcher
        .python_session(dispatcher.python_options())
        .await
        .map_err(|e| e.message)?;
    // Defining a function parses its body without running it: the script's code is
    // checked, no tool is called.
    let body: String = source.lines().map(|l| format!("    {l}\n")).collect();
    let outcome = session
        .eval(&format!(
            "def __toolhost_syntax_check__():\n{body}    pass\n"
        ))
        .await;
    match outcome.error {
        Some(e) if e.kind == "SyntaxError" || e.kind == "IndentationError" => {
            let at = script_line(&e.traceback)
                .map(|line| format!("{file}:{line}"))
                .unwrap_or(file);
            Err(format!("{at}: {}: {}", e.kind, e.message))
        }
        _ => Ok(()),
    }
}

/// The script's line a syntax error is at: the traceback's last `line N`, less the line
/// the check's wrapper adds.
fn script_line(traceback: &str) -> Option<u64> {
    let at = traceback.rfind("line ")?;
    let digits: String = traceback[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(digits.parse::<u64>().ok()?.saturating_sub(1).max(1))
}
