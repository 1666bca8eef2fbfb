//! One Python session: a `MontyRepl` whose globals persist across inputs, driven through
//! its pauses (a name to resolve, a host function to call, an OS call) until each input
//! completes.

use monty::{MontyRepl, ReplProgress, ReplStartError};
use monty_types::unstable::{self, MontyNode};
use monty_types::{
    CodeLoc, CompileOptions, ExcType, ExtFunctionResult, MontyException, MontyObject, NamedValues,
    PrintWriter, ResourceLimits, ResourceTracker, StackFrame,
};
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::convert;
use crate::errors::{self, DENIED, OUTPUT_TOO_LARGE, SCRIPT_ERROR};
use crate::host::{Config, Host, Outcome, PyError};
use crate::objects::Objects;
use crate::os_calls::{self, OsAnswer};
use crate::output::CappedOutput;
use crate::rewrite::{self, LAST_VALUE, SourceMap};

/// The share of the session's memory Python data may take: the rest is the
/// interpreter's own (compiled code, output, conversions) and the allocator's slack.
const PYTHON_MEMORY_SHARE: (u64, u64) = (3, 4);
/// How much before the host's deadline the interpreter stops a runaway input itself,
/// keeping the session: the host's own stop must restart it.
const MAX_TIME_MARGIN: Duration = Duration::from_millis(250);
/// Run when a session starts (see `errors::TOOL_ERROR_EXC` for why this type).
const PRELUDE: &str = "from binascii import Incomplete as ToolError";

pub struct Session {
    pub(crate) config: Config,
    repl: Option<MontyRepl>,
    pub(crate) objects: Objects,
    /// A tool, `TOOLS()` or `HELP()` was called (for `require_exploration_before_final`).
    pub(crate) explored: bool,
    /// Rewritten inputs by file name (`<python-input-N>`), to map tracebacks back.
    source_maps: HashMap<String, SourceMap>,
    /// An input has mentioned `class`: final values may need Python's `repr()`.
    has_classes: bool,
    /// Tool index by name.
    pub(crate) tool_index: HashMap<String, usize>,
}

/// Why the driver stopped an input on purpose.
pub(crate) enum Stop {
    /// `FINAL(value)`.
    Final(Value),
    /// `FINAL_VAR(name)`: the answer is that global, read once the input has ended.
    FinalVar(String),
    /// A limit of this session, already described.
    Limit(PyError),
}

/// State of the input being run.
pub(crate) struct Input {
    pub out: CappedOutput,
    pub tool_calls: u64,
    pub stop: Option<Stop>,
    /// When the interpreter should have given up (a sleep past it ends the input).
    pub deadline: Instant,
    /// The final expression's value is bound to `rewrite::LAST_VALUE`.
    pub captured_value: bool,
}

/// How a paused host-function call continues.
pub(crate) enum Reply {
    Value(MontyObject),
    Raise(MontyException),
    /// End the input uncatchably (`FINAL`, a limit); `Input::stop` says why.
    Abort,
}

impl Session {
    pub fn new(config: Config) -> Session {
        let time_limit = python_time_limit(config.input_timeout);
        let limits = ResourceLimits::default()
            .max_feed_duration(time_limit)
            .max_memory(
                (config.memory_bytes / PYTHON_MEMORY_SHARE.1 * PYTHON_MEMORY_SHARE.0) as usize,
            );
        let repl = MontyRepl::new(
            "main.py",
            ResourceTracker::new(limits),
            CompileOptions::default(),
        );
        let tool_index = config
            .tools
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        let mut session = Session {
            config,
            repl: Some(repl),
            objects: Objects::default(),
            explored: false,
            source_maps: HashMap::new(),
            has_classes: false,
            tool_index,
        };
        session.run_prelude();
        crate::memory::arm();
        session
    }

    /// Names that must exist before the first input. `ToolError` cannot be resolved on
    /// first use like the others: only an imported builtin exception type can be caught.
    fn run_prelude(&mut self) {
        let repl = self.repl();
        let result = repl.feed_run(PRELUDE, NamedValues::new(), PrintWriter::Disabled);
        debug_assert!(result.is_ok(), "the prelude runs: {result:?}");
    }

    fn repl(&mut self) -> &mut MontyRepl {
        self.repl
            .as_mut()
            .expect("the REPL is back in the session between feeds")
    }

    /// Run one input.
    pub fn eval(&mut self, host: &mut dyn Host, code: &str) -> Outcome {
        let mut input = Input {
            out: CappedOutput::new(self.config.max_output_bytes as usize),
            tool_calls: 0,
            stop: None,
            deadline: Instant::now() + python_time_limit(self.config.input_timeout),
            captured_value: false,
        };
        let mut outcome = Outcome::default();
        let result = self.run_input(host, code, &mut input);
        match (result, input.stop.take()) {
            (_, Some(Stop::Final(answer))) => {
                self.set_answer(&mut outcome, answer);
            }
            (_, Some(Stop::FinalVar(name))) => match self.read_global(host, &name, &mut input) {
                Ok(value) => match refuse_empty(&value, &format!("FINAL_VAR({name:?})")) {
                    Some(why) => outcome.error = Some(plain_error("ValueError", why)),
                    None => self.set_answer(&mut outcome, convert::to_json_lenient(&value)),
                },
                Err(e) => outcome.error = Some(e),
            },
            (_, Some(Stop::Limit(error))) => outcome.error = Some(error),
            (Ok(value), None) => self.set_value(host, &mut outcome, value, &mut input),
            (Err(e), None) => outcome.error = Some(self.describe(&e)),
        }
        outcome.output = input.out.finish();
        outcome
    }

    fn run_input(
        &mut self,
        host: &mut dyn Host,
        code: &str,
        input: &mut Input,
    ) -> Result<MontyObject, MontyException> {
        // Scanned before anything parses it: `(` * 100000 must not recurse on our stack.
        self.repl().check_source(code)?;
        self.has_classes |= code.contains("class");
        let file = self.repl().next_script_name();
        let Some(map) = rewrite::rewrite(code, self.has_classes) else {
            return self.feed(host, code, NamedValues::new(), input);
        };
        input.captured_value = map.captures_value;
        let rewritten = map.code.clone();
        self.source_maps.insert(file, map);
        self.feed(host, &rewritten, NamedValues::new(), input)
    }

    /// Bind a global to a JSON value.
    pub fn define(&mut self, host: &mut dyn Host, name: &str, value: &Value) -> Result<(), String> {
        if !is_python_name(name) {
            return Err(format!("`{name}` is not a Python variable name"));
        }
        let mut values = NamedValues::new();
        values.push(name, convert::to_python(value));
        let mut input = self.quiet_input();
        self.feed(host, "pass", values, &mut input)
            .map(|_| ())
            .map_err(|e| e.summary())
    }

    fn quiet_input(&self) -> Input {
        Input {
            out: CappedOutput::new(0),
            tool_calls: 0,
            stop: None,
            deadline: Instant::now() + python_time_limit(self.config.input_timeout),
            captured_value: false,
        }
    }

    /// Compile and run `code`, answering every pause, until it completes or raises.
    fn feed(
        &mut self,
        host: &mut dyn Host,
        code: &str,
        values: NamedValues,
        input: &mut Input,
    ) -> Result<MontyObject, MontyException> {
        let repl = self.repl.take().expect("the REPL is in the session");
        let mut progress = repl.feed_start(code, values, PrintWriter::Callback(&mut input.out));
        loop {
            let step = match progress {
                Ok(ReplProgress::Complete { repl, value }) => {
                    self.repl = Some(repl);
                    return Ok(value);
                }
                Err(failed) => {
                    let ReplStartError { repl, error } = *failed;
                    self.repl = Some(repl);
                    return Err(error);
                }
                Ok(ReplProgress::NameLookup(lookup)) => {
                    let answer = self.lookup(&lookup.name, lookup.object_id());
                    lookup.resume(answer, PrintWriter::Callback(&mut input.out))
                }
                Ok(ReplProgress::FunctionCall(call)) => {
                    let reply =
                        self.call(host, input, &call.function_name, &call.args, call.object_id);
                    let out = PrintWriter::Callback(&mut input.out);
                    match reply {
                        Reply::Value(v) => call.resume(v, out),
                        Reply::Raise(e) => call.resume(ExtFunctionResult::Error(e), out),
                        Reply::Abort => call.abort(stop_marker(), out),
                    }
                }
                Ok(ReplProgress::OsCall(call)) => {
                    match os_calls::answer(&call.function_call, input.deadline) {
                        OsAnswer::Resume(r) => {
                            call.resume(r, PrintWriter::Callback(&mut input.out))
                        }
                        OsAnswer::OutOfTime => call.abort(
                            os_calls::out_of_time(self.config.input_timeout),
                            PrintWriter::Callback(&mut input.out),
                        ),
                    }
                }
                // Host functions answer at once, so nothing is ever left pending.
                Ok(ReplProgress::ResolveFutures(pending)) => pending.abort(
                    MontyException::new(
                        ExcType::RuntimeError,
                        Some("awaiting a host function is not supported here".to_owned()),
                    ),
                    PrintWriter::Callback(&mut input.out),
                ),
            };
            progress = step;
        }
    }

    /// The last value's `repr()` and JSON.
    fn set_value(
        &mut self,
        host: &mut dyn Host,
        outcome: &mut Outcome,
        value: MontyObject,
        input: &mut Input,
    ) {
        if matches!(unstable::root_node(&value), MontyNode::None) {
            return;
        }
        let cap = self.config.max_output_bytes as usize;
        let repr = if input.captured_value && needs_python_repr(&value) {
            match self.python_repr(host, input) {
                Ok(repr) => repr,
                Err(e) => {
                    outcome.error = Some(self.describe(&e));
                    return;
                }
            }
        } else {
            crate::repr::repr(&value)
        };
        outcome.value_repr = Some(truncate(repr, cap));
        outcome.value_json = convert::to_json(value.as_ref())
            .ok()
            .filter(|v| json_size(v) <= cap);
    }

    /// `repr()` run in Python, for values whose class may define `__repr__`; the value
    /// was bound to a global by the rewrite (the instance would be gone otherwise).
    fn python_repr(
        &mut self,
        host: &mut dyn Host,
        input: &mut Input,
    ) -> Result<String, MontyException> {
        let code = format!("repr({LAST_VALUE})");
        let result = self.feed(host, &code, NamedValues::new(), input)?;
        Ok(result
            .as_ref()
            .as_str()
            .map_or_else(|| result.py_repr(), str::to_owned))
    }

    /// The value of global `name`, for `FINAL_VAR`.
    fn read_global(
        &mut self,
        host: &mut dyn Host,
        name: &str,
        input: &mut Input,
    ) -> Result<MontyObject, PyError> {
        self.feed(host, name, NamedValues::new(), input)
            .map_err(|e| {
                if e.exc_type() == ExcType::NameError {
                    plain_error(
                        "NameError",
                        format!("FINAL_VAR({name:?}): there is no variable named `{name}`"),
                    )
                } else {
                    self.describe(&e)
                }
            })
    }

    fn set_answer(&self, outcome: &mut Outcome, answer: Value) {
        let size = json_size(&answer);
        let cap = self.config.max_output_bytes as usize;
        if size > cap {
            outcome.error = Some(PyError {
                code: OUTPUT_TOO_LARGE.to_owned(),
                kind: "output_too_large".to_owned(),
                message: format!(
                    "the answer is {size} bytes of JSON; an answer may have at most {cap} \
                     (max_output_bytes)"
                ),
                traceback: String::new(),
            });
        } else {
            outcome.final_answer = Some(answer);
        }
    }

    /// An exception as the outcome reports it, its traceback showing what was typed
    /// where an input was rewritten.
    pub(crate) fn describe(&self, e: &MontyException) -> PyError {
        let rewritten = |f: &StackFrame| self.source_maps.contains_key(&f.filename);
        let e = if !e.traceback().iter().any(rewritten) {
            e.clone()
        } else {
            let frames = e.traceback().iter().cloned().map(|mut frame| {
                if let Some(map) = self.source_maps.get(&frame.filename) {
                    let (line, column) =
                        map.original_position(frame.start.line, frame.start.column);
                    frame.start = CodeLoc { line, column };
                    let (line, column) = map.original_position(frame.end.line, frame.end.column);
                    frame.end = CodeLoc { line, column };
                    if frame.preview_line.is_some() {
                        frame.preview_line = map
                            .original_lines(frame.start.line, frame.end.line)
                            .map(Into::into);
                    }
                }
                frame
            });
            MontyException::with_traceback(
                e.exc_type(),
                e.message().map(str::to_owned),
                frames.collect(),
            )
        };
        errors::from_exception(&e, self.config.input_timeout, self.config.memory_bytes)
    }

    pub(crate) fn tool_call_limit(&self, input: &mut Input, more: u64) -> Option<Reply> {
        input.tool_calls += more;
        let limit = self.config.max_tool_calls_per_input;
        (input.tool_calls > limit).then(|| {
            input.stop = Some(Stop::Limit(PyError {
                code: DENIED.to_owned(),
                kind: "tool_call_limit".to_owned(),
                message: format!(
                    "the input was stopped at its tool call number {}: an input may make at \
                     most {limit} tool calls (max_tool_calls_per_input)",
                    limit + 1
                ),
                traceback: String::new(),
            }));
            Reply::Abort
        })
    }
}

/// The exception that unwinds an input the driver ended; never shown (the outcome says
/// why the input ended).
fn stop_marker() -> MontyException {
    MontyException::new(
        ExcType::RuntimeError,
        Some("the input was ended by the host".to_owned()),
    )
}

pub(crate) fn plain_error(kind: &str, message: impl Into<String>) -> PyError {
    PyError {
        code: SCRIPT_ERROR.to_owned(),
        kind: kind.to_owned(),
        message: message.into(),
        traceback: String::new(),
    }
}

/// Why `value` is no answer (`None`, blank text), if it is not.
pub(crate) fn refuse_empty(value: &MontyObject, call: &str) -> Option<String> {
    match unstable::root_node(value) {
        MontyNode::None => Some(format!(
            "{call} is refused: the answer is None. Pass the answer itself; a None here \
             usually means a function returned nothing or a variable was never set"
        )),
        MontyNode::String(s) if s.trim().is_empty() => Some(format!(
            "{call} is refused: the answer is an empty string. Pass the answer itself"
        )),
        _ => None,
    }
}

fn python_time_limit(timeout: Duration) -> Duration {
    timeout.saturating_sub((timeout / 20).min(MAX_TIME_MARGIN))
}

/// Values holding instances of classes the code defined: their `__repr__` is Python's.
fn needs_python_repr(value: &MontyObject) -> bool {
    let (graph, _) = unstable::graph_parts(value);
    graph
        .nodes()
        .iter()
        .any(|node| matches!(node, MontyNode::ClassType(class) if !class.host_defined))
}

fn truncate(mut s: String, cap: usize) -> String {
    if s.len() > cap {
        let total = s.len();
        let mut cut = cap;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str(&format!("… [{} more bytes not shown]", total - cut));
    }
    s
}

fn json_size(v: &Value) -> usize {
    serde_json::to_string(v).map_or(usize::MAX, |s| s.len())
}

pub(crate) fn is_python_name(name: &str) -> bool {
    ruff_python_stdlib::identifiers::is_identifier(name)
        && !ruff_python_stdlib::keyword::is_keyword(name)
}
