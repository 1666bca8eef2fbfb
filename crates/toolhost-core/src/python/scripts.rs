//! `SCRIPT(name, args)`: a script listed in the registry runs in a fresh session of its
//! own, with `ARGS` bound to its arguments; its answer is what it passed to `FINAL`, or
//! else the value of its last expression. Scripts may call scripts, to a bounded depth.

use serde_json::{Value, json};
use std::time::Duration;

use crate::error::{ErrorCode, ToolError};

use super::PythonSession;
use super::bridge::ToolBridge;

/// Nesting of scripts calling scripts: each level is a session (an instance) of its own.
pub const MAX_SCRIPT_DEPTH: usize = 8;

pub(crate) async fn run(bridge: &ToolBridge, name: &str, args: Value) -> Result<Value, ToolError> {
    let registry = bridge.dispatcher.registry();
    let Some(entry) = registry.script(name) else {
        let known: Vec<&str> = registry.scripts.iter().map(|s| s.name.as_str()).collect();
        let hint = crate::suggest::closest(name, known.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        let listing = if known.is_empty() {
            "the registry lists no scripts".to_owned()
        } else {
            format!("scripts: {}", known.join(", "))
        };
        return Err(ToolError::new(
            ErrorCode::NotFound,
            format!("no script named `{name}`{hint}; {listing}"),
        ));
    };
    let Some(map) = args.as_object() else {
        return Err(ToolError::new(
            ErrorCode::InvalidInput,
            format!("the arguments of script `{name}` must be a dict"),
        ));
    };
    if let Some(params) = &entry.params
        && let Some(key) = map.keys().find(|k| !params.iter().any(|p| &p.name == *k))
    {
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        return Err(ToolError::new(
            ErrorCode::InvalidInput,
            format!(
                "/{key}: script `{name}` has no parameter `{key}`; its parameters are: {}",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            ),
        )
        .with_details(json!({ "pointer": format!("/{key}") })));
    }
    if bridge.depth >= MAX_SCRIPT_DEPTH {
        return Err(ToolError::new(
            ErrorCode::Denied,
            format!(
                "script `{name}` was not run: scripts calling scripts may nest {MAX_SCRIPT_DEPTH} \
                 deep at most"
            ),
        ));
    }
    let source = std::fs::read_to_string(&entry.file).map_err(|e| {
        ToolError::new(
            ErrorCode::NotFound,
            format!("script `{name}`: cannot read {}: {e}", entry.file.display()),
        )
    })?;

    // The script has what is left of the input that called it.
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
    session.define("ARGS", &args).await?;
    let outcome = session.eval(&source).await;
    if let Some(error) = outcome.error {
        return Err(ToolError::new(
            error.code,
            format!("script `{name}` failed: {}: {}", error.kind, error.message),
        )
        .with_details(
            json!({ "script": name, "kind": error.kind, "traceback": error.traceback }),
        ));
    }
    Ok(outcome
        .final_value
        .or(outcome.value_json)
        .or(outcome.value.map(Value::String))
        .unwrap_or(Value::Null))
}
