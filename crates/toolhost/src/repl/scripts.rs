//! `SCRIPT(name, #{...})`: run a reusable script listed in the registry's `scripts:`.
//!
//! A script runs in a scope of its own (it sees `ARGS`, not the caller's variables) with
//! the same engine, so the same functions and limits; its value, or what it passed to
//! `FINAL`, is the result. Scripts may call tools and other scripts; the nesting is bounded
//! by `ReplLimits::max_script_depth`.

use rhai::{Dynamic, Engine, EvalAltResult, Map, NativeCallContext, Position, Scope};
use serde_json::{Value, json};

use super::convert::{to_dynamic, to_json};
use super::{FINAL_MARKER, Shared};
use crate::dispatch::resolve_script as resolve;
use crate::error::ErrorCode;
use crate::registry::{ScriptEntry, ToolRegistry};

const SCRIPT_ERROR: &str = ErrorCode::ScriptError.as_str();

/// Stack for each script's evaluation: a script's own call depth starts afresh, so nested
/// scripts on the caller's stack could overflow it long before any limit is reached.
const SCRIPT_STACK_BYTES: usize = 16 << 20;

/// Whether the script's file can be read and parses, for `toolhost check`; `Err` says
/// where (file:line:col) and what is wrong.
pub fn check_syntax(entry: &ScriptEntry) -> Result<(), String> {
    let file = entry.file.display().to_string();
    let source =
        std::fs::read_to_string(&entry.file).map_err(|e| format!("cannot read {file}: {e}"))?;
    Engine::new_raw().compile(&source).map(|_| ()).map_err(|e| {
        format!(
            "{}: {}",
            located(&file, e.position()),
            without_position(e.err_type().to_string())
        )
    })
}

/// A script failure as a catchable Rhai error: `#{code, message, script}`.
fn script_failure(code: &str, message: String, script: &str, pos: Position) -> Box<EvalAltResult> {
    let value = json!({ "code": code, "message": message, "script": script });
    Box::new(EvalAltResult::ErrorRuntime(to_dynamic(&value), pos))
}

pub fn register(engine: &mut Engine, registry: ToolRegistry, state: Shared, max_depth: usize) {
    let (r, s) = (registry.clone(), state.clone());
    engine.register_fn(
        "SCRIPT",
        move |ctx: NativeCallContext, name: &str, args: Map| {
            run(
                &ctx,
                &r,
                &s,
                max_depth,
                name,
                to_json(&Dynamic::from_map(args)),
            )
        },
    );
    let (r, s) = (registry.clone(), state.clone());
    engine.register_fn("SCRIPT", move |ctx: NativeCallContext, name: &str| {
        run(&ctx, &r, &s, max_depth, name, json!({}))
    });
    let r = registry;
    engine.register_fn("SCRIPTS", move || {
        r.scripts
            .iter()
            .map(|s| {
                let params: serde_json::Map<String, Value> = s
                    .params
                    .iter()
                    .flatten()
                    .map(|p| (p.name.clone(), Value::String(p.description.clone())))
                    .collect();
                to_dynamic(&json!({
                    "name": s.name,
                    "description": s.description,
                    "params": params,
                }))
            })
            .collect::<rhai::Array>()
    });
}

fn run(
    ctx: &NativeCallContext,
    registry: &ToolRegistry,
    state: &Shared,
    max_depth: usize,
    name: &str,
    args: Value,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let pos = ctx.call_position();
    let entry = resolve(registry, name, &args)
        .map_err(|e| script_failure(e.code.as_str(), e.message, name, pos))?;
    {
        let mut s = state.lock().expect("repl state");
        if s.script_stack.len() >= max_depth {
            let chain = s.script_stack.join(" → ");
            return Err(script_failure(
                "script_depth",
                format!(
                    "scripts nested deeper than {max_depth} levels: {chain} → {name}; \
                     a script that calls itself needs a condition that stops it"
                ),
                name,
                pos,
            ));
        }
        s.script_stack.push(name.to_owned());
    }
    let result = evaluate(ctx.engine(), entry, &args, state, pos);
    state.lock().expect("repl state").script_stack.pop();
    result
}

fn evaluate(
    engine: &Engine,
    entry: &ScriptEntry,
    args: &Value,
    state: &Shared,
    pos: Position,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let name = entry.name.as_str();
    let file = entry.file.display().to_string();
    let source = std::fs::read_to_string(&entry.file)
        .map_err(|e| script_failure(SCRIPT_ERROR, format!("cannot read {file}: {e}"), name, pos))?;
    let ast = engine.compile(&source).map_err(|e| {
        let at = located(&file, e.position());
        script_failure(
            SCRIPT_ERROR,
            format!("{at}: {}", without_position(e.err_type().to_string())),
            name,
            pos,
        )
    })?;
    let mut scope = Scope::new();
    scope.push_constant("ARGS", to_dynamic(args));
    let outcome = std::thread::scope(|threads| {
        std::thread::Builder::new()
            .name(format!("script {name}"))
            .stack_size(SCRIPT_STACK_BYTES)
            .spawn_scoped(threads, || {
                engine.eval_ast_with_scope::<Dynamic>(&mut scope, &ast)
            })
            .map(|handle| handle.join())
    });
    let result = match outcome {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => {
            return Err(script_failure(
                SCRIPT_ERROR,
                "the script's thread panicked".to_owned(),
                name,
                pos,
            ));
        }
        Err(e) => {
            return Err(script_failure(
                SCRIPT_ERROR,
                format!("cannot start a thread for the script: {e}"),
                name,
                pos,
            ));
        }
    };
    match result {
        Ok(value) => Ok(value),
        Err(e) => match *e {
            // FINAL inside a script ends that script with its value, not the caller's input.
            EvalAltResult::ErrorTerminated(ref token, _) if token.to_string() == FINAL_MARKER => {
                let value = state.lock().expect("repl state").final_value.take();
                Ok(value.map(|v| to_dynamic(&v)).unwrap_or(Dynamic::UNIT))
            }
            // Errors that already say what failed (a tool's, a nested script's) and the
            // limits' stops pass through unchanged, so callers can catch them by code.
            EvalAltResult::ErrorRuntime(ref v, _) if v.is_map() => Err(e),
            ref other if !other.is_catchable() => Err(e),
            other => {
                let at = located(&file, other.position());
                let message = without_position(other.to_string());
                Err(script_failure(
                    SCRIPT_ERROR,
                    format!("{at}: {message}"),
                    name,
                    pos,
                ))
            }
        },
    }
}

/// Rhai appends "(line L, position P)" to messages; scripts' are given as file:line:col.
fn without_position(mut message: String) -> String {
    if let Some(i) = message.rfind(" (line ") {
        message.truncate(i);
    }
    message
}

fn located(file: &str, position: Position) -> String {
    match (position.line(), position.position()) {
        (Some(line), Some(col)) => format!("{file}:{line}:{col}"),
        (Some(line), None) => format!("{file}:{line}"),
        _ => file.to_owned(),
    }
}
