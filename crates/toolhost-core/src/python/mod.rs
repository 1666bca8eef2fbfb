//! Python sessions: the REPL, the agent and scripts run Python code in which tools are
//! functions.
//!
//! The interpreter (Monty, compiled to a WebAssembly component, components/python) runs
//! in toolhost's own sandbox, one instance per session, never in this process: a stack
//! overflow or an allocator abort in it ends that session, not the host. Its variables,
//! functions and classes persist from one [`PythonSession::eval`] to the next. A tool
//! call from Python pauses the interpreter while the [`Dispatcher`] runs the tool in a
//! fresh tool sandbox, as any call does.
//!
//! Limits ([`PythonLimits`]): each input has a wall-time deadline, the session a memory
//! cap and an output cap. Python that loops or allocates too much is stopped by the
//! interpreter itself and the session lives on; anything the sandbox has to stop (an
//! input outliving its deadline in a tool call, memory beyond the cap, a crash) ends the
//! session, and the next input runs in a fresh one, which its outcome says
//! ([`EvalOutcome::session_restarted`]).

mod bridge;
mod catalogue;
mod options;
mod outcome;
pub(crate) mod scripts;
mod signature;

use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use options::{ModelBridge, PngPreference, PythonLimits, PythonOptions, ToolAccess};
pub use outcome::{EvalOutcome, ImageItem, PythonError, RecordedImage, ToolCallRecord};
pub use scripts::MAX_SCRIPT_DEPTH;
pub use signature::{help_text, signature};

use crate::builtins;
use crate::dispatch::Dispatcher;
use crate::error::{ErrorCode, ToolError};
use crate::runtime::python::{PreparedPython, PythonInstance, SessionLimits, wit};
use bridge::{Recorder, SharedRecorder, ToolBridge};
use catalogue::Catalogue;

/// Time a fresh instance has to start (instantiate and set the session up).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Time `needs_more_input` may take: a parse of one input.
const PARSE_TIMEOUT: Duration = Duration::from_secs(5);

/// A Python session: one interpreter instance whose state persists across inputs.
pub struct PythonSession {
    dispatcher: Dispatcher,
    options: PythonOptions,
    catalogue: Arc<Catalogue>,
    prepared: Arc<PreparedPython>,
    /// `None` once the sandbox ended it; the next input starts a fresh one.
    instance: Option<LiveInstance>,
    /// The next outcome must say the session was restarted.
    restarted: bool,
    recorder: SharedRecorder,
    depth: usize,
}

/// An interpreter instance and the sandbox slot it holds (dropped after it, so the
/// slot is free only once the pool has its instance back).
struct LiveInstance {
    instance: PythonInstance,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

impl Dispatcher {
    /// The limits the registry's `python:` section sets for every session.
    pub fn python_limits(&self) -> PythonLimits {
        PythonLimits::from(&self.registry().python)
    }

    /// The options a front end starts from: the registry's limits, nothing else.
    pub fn python_options(&self) -> PythonOptions {
        PythonOptions {
            limits: self.python_limits(),
            ..PythonOptions::default()
        }
    }

    /// Start a Python session whose tools are this dispatcher's. The first session of a
    /// dispatcher loads the interpreter (compiling it on first use ever, then from the
    /// compile cache). Tools are loaded when Python first needs them; the session then
    /// describes them all in the background, so [`PythonSession::parameter_names`] soon
    /// knows every tool's.
    pub async fn python_session(&self, options: PythonOptions) -> Result<PythonSession, ToolError> {
        let catalogue = Arc::new(Catalogue::new(self, &options).await);
        let session = PythonSession::start(
            self.clone(),
            options,
            catalogue.clone(),
            Arc::new(Mutex::new(Recorder::default())),
            0,
        )
        .await?;
        let dispatcher = self.clone();
        tokio::spawn(async move { catalogue.describe_all(&dispatcher).await });
        Ok(session)
    }

    /// The interpreter component, compiled (or loaded from the cache) once per dispatcher.
    async fn python_component(&self) -> Result<Arc<PreparedPython>, ToolError> {
        self.python_cell()
            .get_or_try_init(|| async {
                let this = self.clone();
                // Compiling takes seconds the first time: keep it off the async workers.
                tokio::task::spawn_blocking(move || {
                    let component = builtins::python_repl();
                    this.runtime()
                        .prepare_python(component.wasm, component.sha256)
                        .map(Arc::new)
                })
                .await
                .map_err(|e| {
                    ToolError::new(ErrorCode::Internal, format!("compilation task failed: {e}"))
                })?
            })
            .await
            .cloned()
    }
}

impl PythonSession {
    async fn start(
        dispatcher: Dispatcher,
        options: PythonOptions,
        catalogue: Arc<Catalogue>,
        recorder: SharedRecorder,
        depth: usize,
    ) -> Result<PythonSession, ToolError> {
        let prepared = dispatcher.python_component().await?;
        let mut session = PythonSession {
            dispatcher,
            options,
            catalogue,
            prepared,
            instance: None,
            restarted: false,
            recorder,
            depth,
        };
        session.instance = Some(session.new_instance().await?);
        Ok(session)
    }

    /// A fresh, started instance in a sandbox slot of its own (waiting for one as a call
    /// does, then `busy`). Everything it needs is cloned first: the session is not `Sync`
    /// (its Store is not), so no borrow of it may live across an await.
    fn new_instance(
        &self,
    ) -> impl Future<Output = Result<LiveInstance, ToolError>> + Send + 'static {
        let dispatcher = self.dispatcher.clone();
        let prepared = self.prepared.clone();
        let bridge = ToolBridge {
            dispatcher: self.dispatcher.clone(),
            options: self.options.clone(),
            catalogue: self.catalogue.clone(),
            recorder: self.recorder.clone(),
            depth: self.depth,
        };
        let limits = SessionLimits {
            memory_bytes: self.options.limits.memory_bytes,
        };
        let config = self
            .catalogue
            .session_config(&self.dispatcher, &self.options);
        async move {
            let slot = dispatcher.python_slot(START_TIMEOUT).await?;
            let runtime = dispatcher.runtime();
            let mut instance = runtime
                .instantiate_python(&prepared, Box::new(bridge), limits, START_TIMEOUT)
                .await?;
            runtime
                .python_start(&mut instance, config, START_TIMEOUT)
                .await?
                .map_err(|m| {
                    ToolError::new(
                        ErrorCode::Internal,
                        format!("the Python session did not start: {m}"),
                    )
                })?;
            Ok(LiveInstance {
                instance,
                _slot: slot,
            })
        }
    }

    /// The live instance, starting a fresh one if the last was ended.
    async fn instance(&mut self) -> Result<&mut PythonInstance, ToolError> {
        if self.instance.is_none() {
            let fresh = self.new_instance().await?;
            self.restarted = true;
            self.instance = Some(fresh);
        }
        Ok(&mut self.instance.as_mut().expect("just started").instance)
    }

    /// Run one input: statements, the value of a final expression returned.
    pub async fn eval(&mut self, code: &str) -> EvalOutcome {
        if self.depth == 0 {
            *self.recorder.lock().expect("recorder lock") = Recorder {
                input_started: Some(Instant::now()),
                ..Recorder::default()
            };
        }
        let timeout = self.options.limits.input_timeout;
        let dispatcher = self.dispatcher.clone();
        let result = match self.instance().await {
            Ok(instance) => {
                dispatcher
                    .runtime()
                    .python_eval(instance, code, timeout)
                    .await
            }
            Err(e) => Err(e),
        };
        let mut outcome = match result {
            Ok(raw) => self.outcome(raw),
            Err(e) => {
                // The sandbox stopped the instance mid-input: it cannot be trusted again.
                self.instance = None;
                EvalOutcome {
                    error: Some(PythonError {
                        code: e.code,
                        kind: e.code.as_str().to_owned(),
                        message: e.message,
                        traceback: String::new(),
                    }),
                    ..EvalOutcome::default()
                }
            }
        };
        outcome.session_restarted = std::mem::take(&mut self.restarted);
        if self.depth == 0 {
            let mut recorder = self.recorder.lock().expect("recorder lock");
            outcome.tool_calls = std::mem::take(&mut recorder.tool_calls);
            outcome.images = std::mem::take(&mut recorder.images);
            outcome.images_dropped = std::mem::take(&mut recorder.images_dropped);
        }
        outcome
    }

    fn outcome(&self, raw: wit::Outcome) -> EvalOutcome {
        let cap = self.options.limits.max_output_bytes as usize;
        let json = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
        EvalOutcome {
            // The interpreter caps what it keeps; this only guards against a component
            // that does not.
            output: cap_text(raw.output, cap),
            value: raw.value_repr.map(|v| cap_text(v, cap)),
            value_json: json(raw.value_json),
            error: raw.error.map(|e| PythonError {
                code: error_code(&e.code),
                kind: e.kind,
                message: e.message,
                traceback: e.traceback,
            }),
            final_value: json(raw.final_answer),
            ..EvalOutcome::default()
        }
    }

    /// Bind a global variable to a JSON value.
    pub async fn define(&mut self, name: &str, value: &Value) -> Result<(), ToolError> {
        let timeout = self.options.limits.input_timeout;
        let dispatcher = self.dispatcher.clone();
        let instance = self.instance().await?;
        match dispatcher
            .runtime()
            .python_define(instance, name, &value.to_string(), timeout)
            .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(ToolError::new(ErrorCode::InvalidInput, message)),
            Err(e) => {
                self.instance = None;
                Err(e)
            }
        }
    }

    /// Whether `code` is an unfinished input that needs more lines (CPython's rules:
    /// open brackets continue, a block continues until an empty line).
    pub async fn needs_more_input(&mut self, code: &str) -> bool {
        let dispatcher = self.dispatcher.clone();
        let Ok(instance) = self.instance().await else {
            return false;
        };
        match dispatcher
            .runtime()
            .python_needs_more(instance, code, PARSE_TIMEOUT)
            .await
        {
            Ok(more) => more,
            Err(_) => {
                // Evaluating the input will report what went wrong.
                self.instance = None;
                false
            }
        }
    }

    /// The tools callable as functions, for tab completion.
    pub fn tool_names(&self) -> Vec<String> {
        self.catalogue
            .names
            .iter()
            .filter(|name| signature::is_python_identifier(name))
            .cloned()
            .collect()
    }

    /// A tool's keyword arguments, required first, for tab completion; empty until the
    /// tool has been described (the session describes them all soon after it starts).
    pub fn parameter_names(&self, tool: &str) -> Vec<String> {
        self.catalogue
            .parameters(tool)
            .map(|params| params.into_iter().map(|p| p.name).collect())
            .unwrap_or_default()
    }
}

fn error_code(code: &str) -> ErrorCode {
    ErrorCode::ALL
        .into_iter()
        .find(|c| c.as_str() == code)
        .unwrap_or(ErrorCode::ScriptError)
}

fn cap_text(mut text: String, cap: usize) -> String {
    // The interpreter's own note about dropped output may pass the cap a little.
    let limit = cap.saturating_add(1024);
    if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n[output truncated by the host]\n");
    }
    text
}
