//! The REPL: Rhai scripts that call tools with `TOOL("name", #{...})`.
//!
//! A [`ReplSession`] keeps variables and functions across inputs and enforces limits on
//! every input (operations, call depth, sizes, wall time); a runaway input stops with a
//! message and the session survives. Tool calls go through the [`Dispatcher`], so they run
//! with the same sandbox guarantees as anywhere else. Evaluation is synchronous: call
//! [`ReplSession::eval`] from a blocking thread (it drives async tool calls through the
//! runtime handle it was given).

mod convert;
mod functions;
mod limits;
mod media;
mod script_runner;
mod scripts;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rhai::{AST, Dynamic, Engine, EvalAltResult, Scope};
use serde::Serialize;
use serde_json::Value;

use crate::dispatch::Dispatcher;
pub use limits::ReplLimits;
pub use media::ImageMode;
pub use script_runner::ReplScriptRunner;

/// A sub-call to a language model from code (`llm_query`, `llm_batch`); provided by the
/// agent loop. Without one, those functions raise an error saying so.
pub trait ModelBridge: Send + Sync {
    fn query(&self, prompt: &str) -> Result<String, String>;
    fn batch(&self, prompts: Vec<String>) -> Vec<Result<String, String>>;
}

/// How a session behaves.
#[derive(Clone, Default)]
pub struct ReplOptions {
    pub limits: ReplLimits,
    pub images: ImageMode,
    /// Refuse FINAL until the code has called a tool or explored (TOOLS, HELP).
    pub require_exploration_before_final: bool,
    pub model: Option<Arc<dyn ModelBridge>>,
    /// Print `print`/`debug` output as it happens (interactive use) as well as collecting it.
    pub echo_output: bool,
}

/// One tool call made by code, for trajectories and replays.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ToolCallRecord {
    pub tool: String,
    pub arguments: Value,
    /// The value TOOL returned (or the error), as JSON.
    pub result: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    pub duration_ms: f64,
}

/// What one input did.
#[derive(Debug, Clone, Serialize)]
pub struct EvalOutcome {
    /// Everything the code printed (print, debug, tool notes), in order.
    pub output: String,
    /// The value of the last expression, if it was not unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Set when the code called FINAL(value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_value: Option<Value>,
    pub tool_calls: Vec<ToolCallRecord>,
}

/// State the registered functions share with the session.
#[derive(Default)]
pub(crate) struct SessionState {
    output: String,
    tool_calls: Vec<ToolCallRecord>,
    final_value: Option<Value>,
    /// Tool calls or TOOLS()/HELP() over the whole session.
    explored: bool,
    deadline: Option<Instant>,
    /// The SCRIPT calls under way, outermost first.
    script_stack: Vec<String>,
}

pub(crate) type Shared = Arc<Mutex<SessionState>>;

/// Marker carried by the error that ends an input when FINAL is called.
pub(crate) const FINAL_MARKER: &str = "__toolhost_final__";

pub struct ReplSession {
    engine: Engine,
    scope: Scope<'static>,
    /// Functions defined by earlier inputs (statements are not kept).
    functions: AST,
    state: Shared,
    limits: ReplLimits,
}

impl ReplSession {
    pub fn new(
        dispatcher: Dispatcher,
        runtime: tokio::runtime::Handle,
        options: ReplOptions,
    ) -> Self {
        let state: Shared = Arc::default();
        let mut engine = Engine::new();
        options.limits.apply(&mut engine, state.clone());
        scripts::register(
            &mut engine,
            dispatcher.registry().clone(),
            state.clone(),
            options.limits.max_script_depth,
        );
        functions::register(
            &mut engine,
            functions::Context {
                dispatcher,
                runtime,
                state: state.clone(),
                images: options.images,
                require_exploration: options.require_exploration_before_final,
                model: options.model,
                echo: options.echo_output,
            },
        );
        ReplSession {
            engine,
            scope: Scope::new(),
            functions: AST::empty(),
            state,
            limits: options.limits,
        }
    }

    /// Run one input in the session's scope.
    pub fn eval(&mut self, code: &str) -> EvalOutcome {
        self.start_input();
        let result = self.run(code);
        self.finish_input(result.map(|v| (!v.is_unit()).then(|| convert::display(&v))))
    }

    /// Run the registry script `name` with `args` in a fresh session on a blocking thread
    /// of its own (the engine blocks while tools run on the current runtime), as
    /// `toolhost run-script` and the MCP server do. `None` if that thread failed.
    pub async fn run_script_apart(
        dispatcher: Dispatcher,
        options: ReplOptions,
        name: String,
        args: Value,
    ) -> Option<EvalOutcome> {
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let _enter = handle.enter();
            let runtime = tokio::runtime::Handle::current();
            ReplSession::new(dispatcher, runtime, options).run_script(&name, args)
        })
        .await
        .ok()
    }

    /// Run the registry script `name` with `args` (an object) as one input, with the same
    /// limits as any input. The script's result is `final_value`, as JSON.
    pub fn run_script(&mut self, name: &str, args: Value) -> EvalOutcome {
        self.start_input();
        let mut scope = Scope::new();
        scope.push_constant("ARGS", convert::to_dynamic(&args));
        // Names are checked by the registry (letters, digits, `_`, `-`), so quoting is safe.
        let result = self
            .engine
            .eval_with_scope::<Dynamic>(&mut scope, &format!("SCRIPT({name:?}, ARGS)"));
        self.finish_input(result.map(|v| {
            self.state.lock().expect("repl state").final_value = Some(convert::to_json(&v));
            None
        }))
    }

    fn start_input(&self) {
        let mut s = self.state.lock().expect("repl state");
        s.output.clear();
        s.tool_calls.clear();
        s.final_value = None;
        s.script_stack.clear();
        s.deadline = Some(Instant::now() + self.limits.wall_time);
    }

    fn finish_input(&self, result: Result<Option<String>, Box<EvalAltResult>>) -> EvalOutcome {
        let mut s = self.state.lock().expect("repl state");
        s.deadline = None;
        let (value, error) = match result {
            Ok(value) => (value, None),
            Err(e) => match *e {
                EvalAltResult::ErrorTerminated(ref token, _)
                    if token.to_string() == FINAL_MARKER =>
                {
                    (None, None)
                }
                _ => (None, Some(describe_error(&e, self.limits.wall_time))),
            },
        };
        EvalOutcome {
            output: std::mem::take(&mut s.output),
            value,
            error,
            final_value: s.final_value.take(),
            tool_calls: std::mem::take(&mut s.tool_calls),
        }
    }

    fn run(&mut self, code: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let ast = self
            .engine
            .compile(code)
            .map_err(Box::<EvalAltResult>::from)?;
        let merged = self.functions.merge(&ast);
        let result = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut self.scope, &merged);
        // Keep the functions even when the statements failed: they were defined.
        self.functions = merged.clone_functions_only();
        result
    }
}

/// Whether `code` is an unfinished input (an open brace, bracket or string) that a line
/// editor should keep reading rather than run.
pub fn is_incomplete(code: &str) -> bool {
    match Engine::new_raw().compile(code) {
        Ok(_) => false,
        Err(e) => {
            matches!(
                e.err_type(),
                rhai::ParseErrorType::MissingToken(..) | rhai::ParseErrorType::UnexpectedEOF
            ) && e
                .position()
                .line()
                .is_none_or(|l| l >= code.lines().count())
        }
    }
}

fn describe_error(e: &EvalAltResult, wall_time: Duration) -> String {
    match e {
        EvalAltResult::ErrorTerminated(_, pos) => format!(
            "stopped: the input ran longer than its {} s wall-time limit ({pos})",
            wall_time.as_secs_f64()
        ),
        EvalAltResult::ErrorTooManyOperations(pos) => {
            format!(
                "stopped: the input exceeded its operations limit ({pos}); the session is still usable"
            )
        }
        EvalAltResult::ErrorRuntime(value, pos) if value.is_map() => {
            let v = convert::to_json(value);
            if let Some(script) = v["script"].as_str() {
                return format!(
                    "{} error from script {script}: {} ({pos})",
                    v["code"].as_str().unwrap_or("script_error"),
                    v["message"].as_str().unwrap_or("")
                );
            }
            format!(
                "{} error from {}: {} ({pos})",
                v["code"].as_str().unwrap_or("tool"),
                v["tool"].as_str().unwrap_or("a tool"),
                v["message"].as_str().unwrap_or("")
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
