//! The MCP request handler: tools/list and tools/call over the dispatcher (the registry's
//! scripts included, as `script_NAME`), progress notifications, cancellation, and
//! tools/list_changed after a registry reload.

use std::sync::{Arc, Mutex, RwLock};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{NotificationContext, Peer, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use tokio::sync::mpsc;

use super::annotations::{self, Hints};
use super::auth::{Caller, caller_of};
use super::call_controls::CallControls;
use super::code_access::CodeAccess;
use super::request_log::RequestInfo;
use super::selection::{SelectionArgs, SelectionError, ToolSelection};
use super::{convert, scripts};
use crate::code_mode;
use crate::dispatch::CallObserver;
use crate::dispatch::Dispatcher;
use crate::error::ErrorCode;
use crate::output::LogRecord;
use crate::repl::PythonSession;

/// One MCP server; clones share the dispatcher and the list of connected clients, and
/// each MCP session ([`ToolhostMcp::for_new_session`]) has its own Python state.
#[derive(Clone)]
pub struct ToolhostMcp {
    shared: Arc<Shared>,
    /// `run_python`'s interpreter, started on the session's first call, and the caller
    /// it was started for (it reaches that caller's tools only).
    python: Arc<tokio::sync::Mutex<Option<CallersPython>>>,
    /// Limits, drain and metrics every tools/call runs under (replica.rs).
    controls: Arc<CallControls>,
}

/// A `run_python` interpreter and the caller whose tools it reaches (`None`: every tool).
type CallersPython = (Option<Caller>, PythonSession);

struct Shared {
    /// The registry served, and which of its tools clients see.
    dispatcher: RwLock<(Dispatcher, ToolSelection)>,
    /// `--tools` / `--exclude-tools`, applied to every registry served.
    selection_args: SelectionArgs,
    /// Clients to tell when the tool list changes.
    peers: Mutex<Vec<Peer<RoleServer>>>,
}

impl ToolhostMcp {
    /// `Err` when the selection names a tool the registry does not offer.
    pub async fn new(
        dispatcher: Dispatcher,
        selection_args: SelectionArgs,
    ) -> Result<Self, SelectionError> {
        let selection = select(&dispatcher, &selection_args).await?;
        let remote = dispatcher.watch_remote_tools();
        let server = ToolhostMcp {
            shared: Arc::new(Shared {
                dispatcher: RwLock::new((dispatcher, selection)),
                selection_args,
                peers: Mutex::new(Vec::new()),
            }),
            python: Arc::default(),
            controls: Arc::default(),
        };
        server.follow_remote_tools(remote);
        Ok(server)
    }

    /// When another MCP server's tools change, tell this server's clients. The tasks end
    /// with the dispatcher that owns those servers.
    fn follow_remote_tools(&self, receivers: Vec<tokio::sync::watch::Receiver<u64>>) {
        for mut changed in receivers {
            let shared = Arc::downgrade(&self.shared);
            tokio::spawn(async move {
                while changed.changed().await.is_ok() {
                    let Some(shared) = shared.upgrade() else {
                        return;
                    };
                    tell_tools_changed(&shared).await;
                }
            });
        }
    }

    /// Every session made from this server runs its calls under `controls`.
    pub fn with_call_controls(mut self, controls: Arc<CallControls>) -> Self {
        self.controls = controls;
        self
    }

    /// The registry served now, as a dispatcher.
    pub fn current_dispatcher(&self) -> Dispatcher {
        self.dispatcher()
    }

    /// Whether clients are offered `run_python` (so readiness warms the interpreter).
    pub fn offers_python(&self) -> bool {
        let (dispatcher, selection) = self.served();
        dispatcher.registry().get(code_mode::MCP_NAME).is_none()
            && selection.allows(code_mode::MCP_NAME)
    }

    /// Sandbox instances taken now and the pool's size.
    pub fn sandbox_slots(&self) -> (usize, usize) {
        self.dispatcher().sandbox_slots()
    }

    fn dispatcher(&self) -> Dispatcher {
        self.shared
            .dispatcher
            .read()
            .expect("dispatcher lock")
            .0
            .clone()
    }

    fn served(&self) -> (Dispatcher, ToolSelection) {
        self.shared
            .dispatcher
            .read()
            .expect("dispatcher lock")
            .clone()
    }

    /// Serve a new registry from now on (calls in flight finish on the old one) and tell
    /// every connected client that the tool list changed. A registry whose `mcp:` names
    /// an unknown tool is not served.
    pub async fn replace_dispatcher(&self, dispatcher: Dispatcher) -> Result<(), SelectionError> {
        let selection = select(&dispatcher, &self.shared.selection_args).await?;
        let remote = dispatcher.watch_remote_tools();
        *self.shared.dispatcher.write().expect("dispatcher lock") = (dispatcher, selection);
        self.follow_remote_tools(remote);
        tell_tools_changed(&self.shared).await;
        Ok(())
    }

    /// The server as a new MCP session sees it: the same tools, Python state of its own.
    pub fn for_new_session(&self) -> Self {
        ToolhostMcp {
            shared: self.shared.clone(),
            python: Arc::default(),
            controls: self.controls.clone(),
        }
    }

    /// `run_python`: the code in this session's interpreter (started on first use, and
    /// again when another caller, or the same with other permissions, uses the session).
    async fn run_python(
        &self,
        args: serde_json::Value,
        caller: Option<Caller>,
    ) -> Result<CallToolResult, ErrorData> {
        let code = match code_mode::code_argument(&args) {
            Ok(code) => code,
            Err(e) => return Err(ErrorData::invalid_params(e.message, None)),
        };
        // Taken out while it runs: a call the client cancels drops the interpreter with
        // it, and the session's next call starts a fresh one.
        let mut slot = self.python.lock().await;
        let mut session = match slot.take() {
            Some((owner, session)) if owner == caller => session,
            _ => {
                let (dispatcher, selection) = self.served();
                let options = python_options(&dispatcher, Some(&selection), &caller);
                match dispatcher.python_session(options).await {
                    Ok(session) => session,
                    Err(e) => return Ok(convert::failure(&e)),
                }
            }
        };
        let result = code_mode::run(&mut session, &code).await;
        *slot = Some((caller, session));
        Ok(match result {
            Ok(output) => convert::success(&output),
            Err(e) => convert::failure(&e),
        })
    }
}

/// Send every connected client `notifications/tools/list_changed`, forgetting those gone.
async fn tell_tools_changed(shared: &Shared) {
    let peers: Vec<Peer<RoleServer>> = shared.peers.lock().expect("peers lock").clone();
    let mut alive = Vec::with_capacity(peers.len());
    for peer in peers {
        if peer.notify_tool_list_changed().await.is_ok() {
            alive.push(peer);
        }
    }
    *shared.peers.lock().expect("peers lock") = alive;
}

/// Every name the server offers before selection: the registry's tools, those of the MCP
/// servers it names (listing them starts them), `run_python` (unless a tool has its name)
/// and the listed scripts.
pub async fn offered(dispatcher: &Dispatcher) -> Vec<String> {
    offered_from(dispatcher, dispatcher.tool_names().await)
}

/// Whether `name` is among [`offered`], without building the list: every call asks.
async fn offers(dispatcher: &Dispatcher, name: &str) -> bool {
    name == code_mode::MCP_NAME
        || dispatcher.has_tool(name).await
        || dispatcher.script_for_tool_name(name).is_some()
}

fn offered_from(dispatcher: &Dispatcher, mut names: Vec<String>) -> Vec<String> {
    if !names.iter().any(|n| n == code_mode::MCP_NAME) {
        names.push(code_mode::MCP_NAME.to_owned());
    }
    names.extend(
        dispatcher
            .listed_scripts()
            .into_iter()
            .map(|s| s.tool_name.to_owned()),
    );
    names
}

/// Code mode's options (pictures as PNG), reaching only what `caller` may call and, for
/// code the client wrote, only what the server offers. A script the registry lists runs
/// with the caller's access alone: an operator may serve a script and not the tools it
/// uses.
fn python_options(
    dispatcher: &Dispatcher,
    selection: Option<&ToolSelection>,
    caller: &Option<Caller>,
) -> crate::repl::PythonOptions {
    crate::repl::PythonOptions {
        access: Some(Arc::new(CodeAccess {
            selection: selection.cloned(),
            caller: caller.clone(),
        })),
        ..crate::code_mode::options(dispatcher)
    }
}

/// The selection, checked against what the server offers. Other MCP servers are started
/// for it only when it names something the registry itself does not offer.
pub async fn select(
    dispatcher: &Dispatcher,
    args: &SelectionArgs,
) -> Result<ToolSelection, SelectionError> {
    let registry = dispatcher.registry();
    let local: Vec<String> = registry.names().into_iter().map(String::from).collect();
    match ToolSelection::resolve(registry, args, &offered_from(dispatcher, local)) {
        Ok(selection) => Ok(selection),
        Err(_) if !registry.mcp_servers.is_empty() => {
            ToolSelection::resolve(registry, args, &offered(dispatcher).await)
        }
        Err(e) => Err(e),
    }
}

/// Forwards a tool's progress reports to the client as progress notifications.
struct ProgressForwarder {
    sender: mpsc::UnboundedSender<(u64, u64, String)>,
}

impl CallObserver for ProgressForwarder {
    fn on_log(&self, _tool: &str, _record: &LogRecord) {}

    fn on_progress(&self, _tool: &str, done: u64, total: u64, message: &str) {
        let _ = self.sender.send((done, total, message.to_owned()));
    }
}

impl ServerHandler for ToolhostMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
        .with_server_info(Implementation::new("toolhost", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "Computational tools that run in a sandbox. Each tool's inputSchema says what it \
                 takes; failures come back as results with isError and a stable error code. \
                 Tools named script_NAME are the registry's scripts: code that calls the tools.",
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let (dispatcher, selection) = self.served();
        // A caller sees only the tools it may call.
        let caller = caller_of(&context.extensions);
        let caller_allows = |n: &str| caller.as_ref().is_none_or(|c| c.allows(n));
        let visible = |n: &str| selection.allows(n) && caller_allows(n);
        let registry = dispatcher.registry();
        let mut tools = Vec::new();
        let names: Vec<String> = dispatcher
            .tool_names()
            .await
            .into_iter()
            .filter(|n| visible(n))
            .collect();
        let described =
            futures::future::join_all(names.iter().map(|n| dispatcher.describe(n))).await;
        for (name, described) in names.into_iter().zip(described) {
            match described {
                Ok(d) => tools.push(match registry.get(&name) {
                    Some(entry) => annotations::annotate(
                        convert::tool(&d),
                        annotations::title(entry),
                        Hints::of(entry),
                    ),
                    // Another MCP server's tool keeps the title and hints it gave.
                    None => convert::remote_tool(&d),
                }),
                // A tool that cannot load is left out rather than failing the whole list;
                // calling it by name reports why.
                Err(e) => tracing::warn!("tool '{name}' is unavailable: {e}"),
            }
        }
        if !dispatcher.has_tool(code_mode::MCP_NAME).await && visible(code_mode::MCP_NAME) {
            let tool = Tool::new(
                code_mode::MCP_NAME,
                code_mode::description(&dispatcher, visible).await,
                Arc::new(
                    code_mode::input_schema()
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                ),
            );
            tools.push(annotations::annotate(
                tool,
                "Run Python".to_owned(),
                Hints::of_code(registry, true),
            ));
        }
        for listed in dispatcher.listed_scripts() {
            if visible(listed.tool_name) {
                let title = format!(
                    "{} (script)",
                    annotations::title_from_name(&listed.entry.name)
                );
                tools.push(annotations::annotate(
                    scripts::tool(listed),
                    title,
                    Hints::of_code(registry, false),
                ));
            }
        }
        for hidden in dispatcher.shadowed_scripts() {
            // The script stays reachable from the REPL.
            tracing::warn!(
                "script '{}' is not listed over MCP: a tool is named '{}'",
                hidden.entry.name,
                hidden.tool_name
            );
        }
        Ok(ListToolsResult {
            tools,
            ..Default::default()
        })
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        // A name the server does not offer is counted under one label: clients choose
        // names, and each label value is a time series to store.
        let label = if offers(&self.dispatcher(), &name).await {
            name.clone()
        } else {
            "(unknown)".to_owned()
        };
        let info = context
            .extensions
            .get::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestInfo>())
            .cloned();
        let controls = self.controls.clone();
        controls
            .run(&name, &label, info, self.call_tool_now(request, context))
            .await
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.shared
            .peers
            .lock()
            .expect("peers lock")
            .push(context.peer);
    }
}

impl ToolhostMcp {
    /// tools/call itself, once the replica's controls have admitted it.
    async fn call_tool_now(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let (dispatcher, selection) = self.served();
        let name = request.name.to_string();
        let mut args = serde_json::Value::Object(request.arguments.unwrap_or_default());
        let caller = caller_of(&context.extensions);
        let caller_allows = |n: &str| caller.as_ref().is_none_or(|c| c.allows(n));
        if !selection.allows(&name) || !caller_allows(&name) {
            let offered = offered(&dispatcher).await;
            if let Some(caller) = &caller
                && selection.allows(&name)
                && offered.contains(&name)
            {
                tracing::warn!(caller = %caller.label(), tool = %name, "tools/call denied");
                return Ok(convert::failure(&caller.denied(&name)).into());
            }
            let shown: Vec<String> = offered
                .into_iter()
                .filter(|n| selection.allows(n) && caller_allows(n))
                .collect();
            let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
            let e = crate::error::ToolError::not_found(&name, &shown);
            return Err(ErrorData::invalid_params(e.message, None));
        }
        if let Some(caller) = &caller {
            // Logs name the caller, never its token.
            tracing::info!(caller = %caller.label(), tool = %name, "tools/call");
        }
        if !dispatcher.has_tool(&name).await {
            if name == code_mode::MCP_NAME {
                return tokio::select! {
                    result = self.run_python(args, caller) => result.map(Into::into),
                    _ = context.ct.cancelled() => Err(ErrorData::internal_error(
                        format!("the call to '{name}' was cancelled by the client"),
                        None,
                    )),
                };
            }
            if let Some(script) = dispatcher.script_for_tool_name(&name).cloned() {
                // A script's own limits bound it; a cancelled one finishes on its thread,
                // unseen.
                return tokio::select! {
                    result = scripts::call(dispatcher.clone(), &script, args, python_options(&dispatcher, None, &caller)) => result.map(Into::into),
                    _ = context.ct.cancelled() => Err(ErrorData::internal_error(
                        format!("the call to '{name}' was cancelled by the client"),
                        None,
                    )),
                };
            }
            let known = dispatcher.tool_names().await;
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            let e = crate::error::ToolError::not_found(&name, &known);
            return Err(ErrorData::invalid_params(e.message, None));
        }

        let (observer, forwarding) = match context.meta.get_progress_token() {
            Some(token) => {
                let (sender, mut receiver) = mpsc::unbounded_channel::<(u64, u64, String)>();
                let peer = context.peer.clone();
                let forwarding = tokio::spawn(async move {
                    while let Some((done, total, message)) = receiver.recv().await {
                        let mut param = ProgressNotificationParam::new(token.clone(), done as f64);
                        if total > 0 {
                            param = param.with_total(total as f64);
                        }
                        if !message.is_empty() {
                            param = param.with_message(message);
                        }
                        if peer.notify_progress(param).await.is_err() {
                            break;
                        }
                    }
                });
                let observer: Arc<dyn CallObserver> = Arc::new(ProgressForwarder { sender });
                (Some(observer), Some(forwarding))
            }
            None => (None, None),
        };

        // A picture comes as PNG unless the client asked for SVG: sixel never shows here.
        if let Ok(d) = dispatcher.describe(&name).await {
            crate::pictures::prefer_png(&d.input_schema, &mut args, &["sixel", "both"]);
        }
        // Dropping the call future drops its Store: a cancelled call stops at once.
        let outcome = tokio::select! {
            outcome = dispatcher.call_observed(&name, args, observer) => outcome,
            _ = context.ct.cancelled() => {
                return Err(ErrorData::internal_error(
                    format!("the call to '{name}' was cancelled by the client"),
                    None,
                ));
            }
        };
        if let Some(f) = forwarding {
            // Every progress report is sent before the result.
            let _ = f.await;
        }
        Ok(match outcome {
            Ok(output) => convert::success(&output),
            Err(e) if e.code == ErrorCode::Internal => {
                return Err(ErrorData::internal_error(e.message, None));
            }
            Err(e) => convert::failure(&e),
        }
        .into())
    }
}
