//! The functions scripts can call: TOOL, TOOL_BATCH, TOOLS, HELP, FINAL, llm_query,
//! llm_batch, and the print/debug hooks.

use std::sync::Arc;
use std::time::Instant;

use rhai::{Array, Dynamic, Engine, EvalAltResult, Map, NativeCallContext, Position};
use serde_json::{Value, json};

use super::convert::{to_dynamic, to_json, tool_value};
use super::{FINAL_MARKER, ImageMode, ModelBridge, Shared, ToolCallRecord, media};
use crate::dispatch::Dispatcher;
use crate::error::ToolError;

#[derive(Clone)]
pub struct Context {
    pub dispatcher: Dispatcher,
    pub runtime: tokio::runtime::Handle,
    pub state: Shared,
    pub images: ImageMode,
    pub require_exploration: bool,
    pub model: Option<Arc<dyn ModelBridge>>,
    pub echo: bool,
}

impl Context {
    fn say(&self, line: &str) {
        if self.echo {
            println!("{line}");
        }
        let mut s = self.state.lock().expect("repl state");
        s.output.push_str(line);
        s.output.push('\n');
    }

    fn explored(&self) {
        self.state.lock().expect("repl state").explored = true;
    }
}

/// A tool error as a catchable Rhai error: `catch (e)` gets `#{code, message, tool, details}`.
fn tool_error(e: &ToolError, pos: Position) -> Box<EvalAltResult> {
    let value = json!({
        "code": e.code.as_str(),
        "message": e.message,
        "tool": e.tool,
        "details": e.details,
    });
    Box::new(EvalAltResult::ErrorRuntime(to_dynamic(&value), pos))
}

fn script_error(message: String, pos: Position) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(Dynamic::from(message), pos))
}

/// Run one call to completion and record it.
async fn call_one(cx: &Context, tool: String, args: Value) -> Result<Value, ToolError> {
    let started = Instant::now();
    let result = cx.dispatcher.call(&tool, args.clone()).await;
    let (recorded, error_code, value) = match &result {
        Ok(output) => {
            let (notes, saved) = media::handle(&cx.images, &tool, output);
            for note in notes {
                cx.say(&note);
            }
            let value = tool_value(output, &saved);
            (value.clone(), None, Ok(value))
        }
        Err(e) => (
            json!({ "error": { "code": e.code.as_str(), "message": e.message } }),
            Some(e.code.as_str().to_owned()),
            Err(e.clone()),
        ),
    };
    cx.state
        .lock()
        .expect("repl state")
        .tool_calls
        .push(ToolCallRecord {
            tool,
            arguments: args,
            result: recorded,
            error_code,
            duration_ms: started.elapsed().as_secs_f64() * 1e3,
        });
    value
}

fn batch_entry(entry: &Dynamic) -> Result<(String, Value), String> {
    if let Some(map) = entry.clone().try_cast::<Map>() {
        let tool = map
            .get("tool")
            .map(|t| t.to_string())
            .ok_or("each TOOL_BATCH entry needs `tool`")?;
        let args = map.get("args").map(to_json).unwrap_or_else(|| json!({}));
        return Ok((tool, args));
    }
    if let Some(pair) = entry.clone().try_cast::<Array>()
        && pair.len() == 2
    {
        return Ok((pair[0].to_string(), to_json(&pair[1])));
    }
    Err("TOOL_BATCH takes an array of #{tool: name, args: #{...}} or [name, #{...}]".into())
}

pub fn register(engine: &mut Engine, cx: Context) {
    let c = cx.clone();
    engine.on_print(move |text| c.say(text));
    let c = cx.clone();
    engine.on_debug(move |text, _source, pos| c.say(&format!("[debug {pos}] {text}")));

    let c = cx.clone();
    engine.register_fn(
        "TOOL",
        move |ctx: NativeCallContext, tool: &str, args: Map| {
            c.explored();
            let args = to_json(&Dynamic::from_map(args));
            c.runtime
                .block_on(call_one(&c, tool.to_owned(), args))
                .map(|v| to_dynamic(&v))
                .map_err(|e| tool_error(&e, ctx.call_position()))
        },
    );
    let c = cx.clone();
    engine.register_fn("TOOL", move |ctx: NativeCallContext, tool: &str| {
        c.explored();
        c.runtime
            .block_on(call_one(&c, tool.to_owned(), json!({})))
            .map(|v| to_dynamic(&v))
            .map_err(|e| tool_error(&e, ctx.call_position()))
    });

    // Independent calls run concurrently; a failed one yields #{error: #{code, message}}
    // in its place so the others' results are not lost.
    let c = cx.clone();
    engine.register_fn("TOOL_BATCH", move |ctx: NativeCallContext, calls: Array| {
        c.explored();
        let entries = calls
            .iter()
            .map(batch_entry)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|m| script_error(m, ctx.call_position()))?;
        let futures = entries
            .into_iter()
            .map(|(tool, args)| call_one(&c, tool, args));
        let results = c.runtime.block_on(futures::future::join_all(futures));
        Ok::<Array, Box<EvalAltResult>>(
            results
                .into_iter()
                .map(|r| match r {
                    Ok(v) => to_dynamic(&v),
                    Err(e) => to_dynamic(
                        &json!({ "error": { "code": e.code.as_str(), "message": e.message } }),
                    ),
                })
                .collect(),
        )
    });

    let c = cx.clone();
    engine.register_fn("TOOLS", move || {
        c.explored();
        let all = c.runtime.block_on(c.dispatcher.describe_all());
        all.into_iter()
            .map(|(name, d)| match d {
                Ok(d) => to_dynamic(
                    &json!({ "name": d.name, "version": d.version, "summary": d.summary() }),
                ),
                Err(e) => to_dynamic(&json!({ "name": name, "error": e.message })),
            })
            .collect::<Array>()
    });

    let c = cx.clone();
    engine.register_fn("HELP", move |ctx: NativeCallContext, tool: &str| {
        c.explored();
        let d = c
            .runtime
            .block_on(c.dispatcher.describe(tool))
            .map_err(|e| tool_error(&e, ctx.call_position()))?;
        let mut text = format!(
            "{} {}\n{}\n\nInput schema:\n{}",
            d.name,
            d.version,
            d.description.trim_end(),
            serde_json::to_string_pretty(&d.input_schema).unwrap_or_default()
        );
        for ex in &d.examples {
            text.push_str(&format!(
                "\nExample ({}): TOOL(\"{}\", {})",
                ex.description,
                d.name,
                rhai_literal(&ex.input)
            ));
        }
        Ok::<String, Box<EvalAltResult>>(text)
    });

    let c = cx.clone();
    engine.register_fn("FINAL", move |ctx: NativeCallContext, value: Dynamic| {
        let mut s = c.state.lock().expect("repl state");
        if c.require_exploration && !s.explored {
            return Err(script_error(
                "FINAL refused: call a tool or explore with TOOLS() / HELP(name) before answering"
                    .into(),
                ctx.call_position(),
            ));
        }
        s.final_value = Some(to_json(&value));
        // Not catchable: the answer ends the input, whatever code follows.
        Err::<(), _>(Box::new(EvalAltResult::ErrorTerminated(
            Dynamic::from(FINAL_MARKER),
            ctx.call_position(),
        )))
    });

    let c = cx.clone();
    engine.register_fn("llm_query", move |ctx: NativeCallContext, prompt: &str| {
        let Some(model) = &c.model else {
            return Err(script_error(
                "llm_query is only available inside `toolhost agent`".into(),
                ctx.call_position(),
            ));
        };
        model
            .query(prompt)
            .map_err(|m| script_error(m, ctx.call_position()))
    });
    let c = cx;
    engine.register_fn(
        "llm_batch",
        move |ctx: NativeCallContext, prompts: Array| {
            let Some(model) = &c.model else {
                return Err(script_error(
                    "llm_batch is only available inside `toolhost agent`".into(),
                    ctx.call_position(),
                ));
            };
            let prompts: Vec<String> = prompts.iter().map(|p| p.to_string()).collect();
            Ok(model
                .batch(prompts)
                .into_iter()
                .map(|r| match r {
                    Ok(text) => Dynamic::from(text),
                    Err(m) => to_dynamic(&json!({ "error": m })),
                })
                .collect::<Array>())
        },
    );
}

/// A JSON value written as a Rhai literal (`#{expr: "1+1"}`), for examples in HELP.
fn rhai_literal(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let key = |k: &str| {
                let plain = k
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if plain {
                    k.to_owned()
                } else {
                    format!("{k:?}")
                }
            };
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), rhai_literal(v)))
                .collect();
            format!("#{{{}}}", fields.join(", "))
        }
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(rhai_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Null => "()".into(),
        other => other.to_string(),
    }
}
