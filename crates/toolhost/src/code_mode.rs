//! Code mode: a Python snippet with every registry tool as a function, run as one call.
//! `toolhost run python '{"code": ...}'` and the MCP server's `run_python` tool come here;
//! a client can then filter a large result in code before it reaches the model, or make
//! many tool calls in one round trip.

use std::time::Instant;

use serde_json::{Value, json};

use crate::dispatch::Dispatcher;
use crate::error::{ErrorCode, ToolError};
use crate::output::{Content, ToolOutput};
use crate::repl::{EvalOutcome, PngPreference, PythonOptions, PythonSession, signature};

/// The name code mode goes by in `toolhost run` (a registry tool of that name wins).
pub const RUN_NAME: &str = "python";
/// Its name over MCP.
pub const MCP_NAME: &str = "run_python";

pub fn input_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "description": "Python code (Monty: classes, comprehensions, f-strings, exceptions, json, math, re, collections, itertools, datetime). Every tool is a function taking keyword arguments; print() and the value of the last expression come back."
            }
        },
        "required": ["code"],
        "additionalProperties": false
    })
}

/// A code-mode session's options: its results go to a client as data, where sixel never
/// shows, so picture tools are asked for PNG.
pub fn options(dispatcher: &Dispatcher) -> PythonOptions {
    PythonOptions {
        prefer_png: PngPreference::Yes,
        ..dispatcher.python_options()
    }
}

/// The `code` argument, or an error naming the field.
pub fn code_argument(args: &Value) -> Result<String, ToolError> {
    let invalid = |message: String| {
        ToolError::new(ErrorCode::InvalidInput, message)
            .for_tool(RUN_NAME)
            .with_details(json!({ "pointer": "/code" }))
    };
    if let Some(extra) = args
        .as_object()
        .and_then(|m| m.keys().find(|k| k.as_str() != "code"))
    {
        return Err(invalid(format!(
            "/{extra}: unknown argument '{extra}'; accepted: code"
        )));
    }
    match args.get("code") {
        Some(Value::String(code)) => Ok(code.clone()),
        Some(other) => Err(invalid(format!("/code: expected a string, got {other}"))),
        None => Err(invalid(
            "/code: missing; give the Python code to run".into(),
        )),
    }
}

/// A description listing the functions compactly (one signature a line): the tools
/// `allows` lets the code call.
pub async fn description(dispatcher: &Dispatcher, allows: impl Fn(&str) -> bool) -> String {
    let mut text = String::from(
        "Run Python code in a sandbox where every tool below is a function taking keyword \
         arguments; results are dicts, lists, numbers and strings. Use it to chain tool calls \
         and to filter or summarise large results before you read them. Variables persist \
         between calls in the same session. A failed call raises ToolError (.code, .message). \
         help(name) shows a tool's full arguments. Functions:\n",
    );
    for (name, described) in dispatcher.describe_all().await {
        if let Ok(d) = described
            && allows(&name)
        {
            text.push_str("- ");
            text.push_str(&signature(&d));
            text.push('\n');
        }
    }
    text.push_str(
        "- TOOL(name, args), TOOLS(), HELP(name), SCRIPT(name, args), tool_batch([...])\n",
    );
    text
}

/// Run `code` in `session` and give the result as a tool's output: what it printed (text),
/// the last value (JSON), the images; a failure as a ToolError with the printed output kept.
pub async fn run(session: &mut PythonSession, code: &str) -> Result<ToolOutput, ToolError> {
    let started = Instant::now();
    let outcome = session.eval(code).await;
    into_output(outcome, started)
}

fn into_output(outcome: EvalOutcome, started: Instant) -> Result<ToolOutput, ToolError> {
    if let Some(e) = outcome.error {
        let mut error =
            ToolError::new(e.code, format!("{}: {}", e.kind, e.message)).for_tool(RUN_NAME);
        if !outcome.output.is_empty() {
            error = error.with_details(json!({ "output": outcome.output }));
        }
        return Err(error);
    }
    let mut content = Vec::new();
    if !outcome.output.is_empty() {
        content.push(Content::Text {
            text: outcome.output,
        });
    }
    let value = outcome
        .final_value
        .or(outcome.value_json)
        .or_else(|| outcome.value.map(Value::String));
    if let Some(value) = value {
        content.push(Content::Json { json: value });
    }
    // Sixel is for terminals; clients get the PNG or SVG the tool also sent.
    for image in outcome
        .images
        .into_iter()
        .filter(|i| i.mime_type != "image/x-sixel")
    {
        content.push(Content::Image {
            mime_type: image.mime_type,
            data: image.data,
        });
    }
    if outcome.images_dropped > 0 {
        content.push(Content::Text {
            text: format!(
                "({} more images were not kept: an input keeps 64 MiB of images)",
                outcome.images_dropped
            ),
        });
    }
    if content.is_empty() {
        content.push(Content::Text {
            text: "(no output: print values or end with an expression)".into(),
        });
    }
    Ok(ToolOutput {
        content,
        logs: Vec::new(),
        duration: started.elapsed(),
    })
}
