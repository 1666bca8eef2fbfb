//! The REPL as dispatch's script runner: `toolhost run-script`, the MCP server and
//! `toolhost check` reach scripts through the dispatcher, which hands them here.

use serde_json::Value;

use super::{ImageMode, ReplOptions, ReplSession, scripts};
use crate::dispatch::{Dispatcher, ScriptOutput, ScriptRunner};
use crate::error::{ErrorCode, ToolError};
use crate::registry::ScriptEntry;

/// Runs each script in a fresh REPL session with the default limits, on a blocking thread
/// of its own (the interpreter blocks while tools run on the async runtime).
pub struct ReplScriptRunner;

#[async_trait::async_trait]
impl ScriptRunner for ReplScriptRunner {
    async fn run(
        &self,
        dispatcher: Dispatcher,
        entry: ScriptEntry,
        args: Value,
        echo: bool,
    ) -> Result<ScriptOutput, ToolError> {
        let options = ReplOptions {
            // Never on stdout, which may be the MCP transport.
            images: ImageMode::Save(None),
            echo_output: echo,
            ..ReplOptions::default()
        };
        let name = entry.name.clone();
        let outcome = ReplSession::run_script_apart(dispatcher, options, name.clone(), args)
            .await
            .ok_or_else(|| ToolError::new(ErrorCode::Internal, "the script's thread failed"))?;
        if let Some(message) = outcome.error {
            let mut error = ToolError::new(ErrorCode::ScriptError, message);
            if !outcome.output.is_empty() {
                error = error.with_details(serde_json::json!({ "output": outcome.output }));
            }
            return Err(error.for_tool(&name));
        }
        Ok(ScriptOutput {
            printed: outcome.output,
            value: outcome.final_value.unwrap_or(Value::Null),
            tool_calls: outcome.tool_calls.len(),
            duration: Default::default(),
        })
    }

    fn check_syntax(&self, entry: &ScriptEntry) -> Result<(), String> {
        scripts::check_syntax(entry)
    }
}
