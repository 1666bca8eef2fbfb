//! The registry's scripts are Python files; each runs in a fresh session of its own with
//! its arguments bound to `ARGS`. Its answer is what it passes to `FINAL`, else the value
//! of its last expression. Dispatch calls this for `toolhost run-script`, the MCP server's
//! `script_NAME` tools and `toolhost check`.

use serde_json::Value;

use super::EvalOutcome;
use crate::dispatch::{Dispatcher, ScriptOutput, ScriptRunner};
use crate::error::{ErrorCode, ToolError};
use crate::registry::ScriptEntry;

pub struct PythonScriptRunner;

/// Run `source` (from `file`, for messages) as a script with `args`; `echo` prints its
/// output as well as returning it.
pub async fn run_script_source(
    dispatcher: &Dispatcher,
    file: &str,
    source: &str,
    args: &Value,
    echo: bool,
) -> Result<(EvalOutcome, Value), ToolError> {
    let mut session = dispatcher
        .python_session(dispatcher.python_options())
        .await?;
    session.define("ARGS", args).await?;
    let outcome = session.eval(source).await;
    if echo && !outcome.output.is_empty() {
        // What a script prints may be a tool's text: shown, not obeyed, on a terminal.
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            print!("{}", crate::cli::terminal::printable(&outcome.output));
        } else {
            print!("{}", outcome.output);
        }
    }
    if let Some(error) = &outcome.error {
        let message = format!("{file}: {}: {}", error.kind, error.message);
        let code = match error.code {
            // An exception the script raised or did not catch is the script's failure; the
            // sandbox's stops keep their own codes.
            ErrorCode::ScriptError | ErrorCode::ToolError | ErrorCode::InvalidInput => {
                ErrorCode::ScriptError
            }
            other => other,
        };
        let mut e = ToolError::new(code, message);
        if !outcome.output.is_empty() {
            e = e.with_details(serde_json::json!({ "output": outcome.output }));
        }
        return Err(e);
    }
    let value = outcome
        .final_value
        .clone()
        .or_else(|| outcome.value_json.clone())
        .unwrap_or(Value::Null);
    Ok((outcome, value))
}

#[async_trait::async_trait]
impl ScriptRunner for PythonScriptRunner {
    async fn run(
        &self,
        dispatcher: Dispatcher,
        entry: ScriptEntry,
        args: Value,
        echo: bool,
    ) -> Result<ScriptOutput, ToolError> {
        let file = entry.file.display().to_string();
        let source = std::fs::read_to_string(&entry.file).map_err(|e| {
            ToolError::new(ErrorCode::ScriptError, format!("cannot read {file}: {e}"))
        })?;
        let (outcome, value) = run_script_source(&dispatcher, &file, &source, &args, echo)
            .await
            .map_err(|e| e.for_tool(&entry.name))?;
        Ok(ScriptOutput {
            printed: outcome.output,
            value,
            tool_calls: outcome.tool_calls.len(),
            duration: Default::default(),
        })
    }

    async fn check_syntax(
        &self,
        dispatcher: Dispatcher,
        entry: &ScriptEntry,
    ) -> Result<(), String> {
        let file = entry.file.display().to_string();
        let source =
            std::fs::read_to_string(&entry.file).map_err(|e| format!("cannot read {file}: {e}"))?;
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
