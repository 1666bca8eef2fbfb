//! Other MCP servers as tool sources: one [`McpServer`] per registry entry with `mcp:`.
//! It is started on first use (listing or calling its tools), restarted after a crash
//! (with [`backoff`]), and stopped when the dispatcher holding it is dropped or toolhost
//! exits (a stdio server's stdin closes and the child is killed).
//!
//! Only the protocol lives here; what a call may do (its schema, timeout, output cap, the
//! error codes a front end sees) is decided in `dispatch/remote.rs`, like a component's.
//!
//! The client is in the core, not in a front-end crate, so that every holder of a
//! `Dispatcher` (CLI, REPL, agent, MCP server, tests, embedders) serves these tools with no
//! wiring of its own; rmcp is already in toolhost's tree for the server side.

mod backoff;
mod client;
mod connect;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rmcp::RoleClient;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, CancelledNotificationParam,
    ClientRequest, JsonObject, RequestId, ServerResult, Tool,
};
use rmcp::service::{Peer, PeerRequestOptions, ServiceError};
use tokio::sync::mpsc;

use crate::registry::McpServerEntry;
use backoff::RestartBackoff;
pub(crate) use client::Progress;
use client::{ProgressRoutes, SourceClient};
use connect::{Connected, StderrTail};

/// How long a call observed for progress waits after its result for the server's last
/// reports (their tasks are already spawned; this is scheduling slack, not network time).
const PROGRESS_GRACE: Duration = Duration::from_millis(50);

/// How long past its timeout a call may wait for rmcp to give up on it.
const DEADLINE_GRACE: Duration = Duration::from_secs(1);

/// Why a request to a server failed.
#[derive(Debug)]
pub(crate) enum SourceError {
    /// The server is down, could not be started or reached, or went away mid-call.
    Unavailable(String),
    /// The call ran past its deadline; the server was sent `notifications/cancelled`.
    Timeout,
    /// The server answered with a JSON-RPC error.
    Remote { code: i32, message: String },
}

/// What the server says about itself and its tools.
pub(crate) struct ServerListing {
    pub version: String,
    pub tools: Vec<Tool>,
}

struct Live {
    peer: Peer<RoleClient>,
    /// Owns the session: dropping it closes the transport (and kills a child process).
    _session: connect::Session,
    stderr: StderrTail,
    generation: u64,
}

#[derive(Default)]
struct State {
    live: Option<Live>,
    backoff: RestartBackoff,
    /// Why the server went down last, for the messages of calls made while it is down.
    last_failure: Option<String>,
    generations: u64,
}

/// One MCP server named by the registry.
pub(crate) struct McpServer {
    entry: McpServerEntry,
    state: tokio::sync::Mutex<State>,
    progress: Arc<ProgressRoutes>,
    /// Kept across reconnections, so an HTTP server's connections are reused.
    http: reqwest::Client,
    /// Bumped when the server says its tools changed, and when it is started again (a
    /// restarted server may offer other tools): listings older than this are stale.
    tools_changed: tokio::sync::watch::Sender<u64>,
}

impl McpServer {
    pub fn new(entry: McpServerEntry) -> Self {
        McpServer {
            entry,
            state: tokio::sync::Mutex::default(),
            progress: Arc::default(),
            http: connect::http_client(),
            tools_changed: tokio::sync::watch::Sender::new(0),
        }
    }

    /// How many times the server's tools may have changed: a listing made at an older
    /// count is stale.
    pub fn tools_version(&self) -> u64 {
        *self.tools_changed.borrow()
    }

    /// Wakes whenever [`Self::tools_version`] moves.
    pub fn watch_tools(&self) -> tokio::sync::watch::Receiver<u64> {
        self.tools_changed.subscribe()
    }

    pub fn entry(&self) -> &McpServerEntry {
        &self.entry
    }

    /// The server's tools (every page of them), starting the server if needed.
    pub async fn list_tools(&self) -> Result<ServerListing, SourceError> {
        let (peer, generation) = self.peer().await?;
        let tools = tokio::time::timeout(connect::STARTUP_TIMEOUT, peer.list_all_tools()).await;
        let tools = match tools {
            Ok(Ok(tools)) => tools,
            Ok(Err(e)) => return Err(self.failed(generation, e).await),
            Err(_) => {
                return Err(SourceError::Unavailable(format!(
                    "{} did not list its tools within {} s",
                    self.what(),
                    connect::STARTUP_TIMEOUT.as_secs()
                )));
            }
        };
        let version = peer
            .peer_info()
            .and_then(|info| info.server_info.as_ref().map(|s| s.version.clone()))
            .unwrap_or_default();
        Ok(ServerListing { version, tools })
    }

    /// Call `tool`. Past `timeout` the server is sent `notifications/cancelled` and the
    /// call is a [`SourceError::Timeout`]; a caller that stops waiting (its future is
    /// dropped) cancels the request the same way. Progress reports go to `progress`.
    pub async fn call_tool(
        &self,
        tool: &str,
        arguments: JsonObject,
        timeout: Duration,
        progress: Option<mpsc::UnboundedSender<Progress>>,
    ) -> Result<CallToolResult, SourceError> {
        let (peer, generation) = self.peer().await?;
        let mut params = CallToolRequestParams::new(tool.to_owned());
        params.arguments = Some(arguments);
        let request = ClientRequest::from(CallToolRequest::new(params));
        // Starting the server (above) is bounded by STARTUP_TIMEOUT, not by the call's
        // timeout; from here on the call's own clock runs. rmcp cancels the request at
        // `timeout`; the grace bounds a server that stops reading what is sent to it.
        let deadline = tokio::time::Instant::now() + timeout + DEADLINE_GRACE;
        let sent = tokio::time::timeout_at(
            deadline,
            peer.send_cancellable_request(request, PeerRequestOptions::with_timeout(timeout)),
        )
        .await;
        let handle = match sent {
            Ok(Ok(handle)) => handle,
            Ok(Err(e)) => return Err(self.failed(generation, e).await),
            Err(_) => return Err(SourceError::Timeout),
        };
        let token = handle.progress_token.clone();
        let observed = progress.is_some();
        if let Some(to) = progress {
            self.progress.add(token.clone(), to);
        }
        let mut abandoned = CancelOnDrop {
            peer: Some(peer.clone()),
            id: handle.id.clone(),
        };
        let response = tokio::time::timeout_at(deadline, handle.await_response()).await;
        let Ok(response) = response else {
            // `abandoned` tells the server to cancel it.
            self.progress.remove(&token);
            return Err(SourceError::Timeout);
        };
        abandoned.peer = None;
        if observed {
            // rmcp hands each notification to a task of its own, spawned before the
            // response that follows it is read: give the last reports a moment to arrive.
            tokio::time::sleep(PROGRESS_GRACE).await;
        }
        self.progress.remove(&token);
        let response = match response {
            Ok(response) => response,
            Err(e) => return Err(self.failed(generation, e).await),
        };
        match response {
            ServerResult::CallToolResult(result) => {
                self.state.lock().await.backoff.succeeded();
                Ok(result)
            }
            other => Err(SourceError::Remote {
                code: 0,
                message: format!(
                    "{} answered tools/call with something other than a tool result \
                     (tasks and input requests are not supported): {}",
                    self.what(),
                    serde_json::to_string(&other)
                        .unwrap_or_default()
                        .chars()
                        .take(300)
                        .collect::<String>()
                ),
            }),
        }
    }

    /// "the MCP server 'files' (npx -y …)".
    fn what(&self) -> String {
        format!(
            "the MCP server '{}' ({})",
            self.entry.name,
            self.entry.transport.summary()
        )
    }

    /// A live session, starting or restarting the server when it is not running and its
    /// backoff allows.
    async fn peer(&self) -> Result<(Peer<RoleClient>, u64), SourceError> {
        let mut state = self.state.lock().await;
        if let Some(live) = &state.live {
            if !live.peer.is_transport_closed() {
                return Ok((live.peer.clone(), live.generation));
            }
            let why = format!("it exited or closed the connection{}", live.stderr.suffix());
            state.live = None;
            state.backoff.failed(Instant::now());
            state.last_failure = Some(why);
        }
        if let Some(wait) = state.backoff.wait(Instant::now()) {
            return Err(SourceError::Unavailable(format!(
                "{} is down ({}); toolhost starts it again in {} ms",
                self.what(),
                state.last_failure.as_deref().unwrap_or("it failed"),
                wait.as_millis().max(1)
            )));
        }
        let client = SourceClient {
            progress: self.progress.clone(),
            tools_changed: self.tools_changed.clone(),
        };
        match connect::connect(&self.entry, client, &self.http).await {
            Ok(Connected { session, stderr }) => {
                if state.generations > 0 {
                    self.tools_changed.send_modify(|changes| *changes += 1);
                }
                state.generations += 1;
                let peer = session.peer().clone();
                let generation = state.generations;
                state.live = Some(Live {
                    peer: peer.clone(),
                    _session: session,
                    stderr,
                    generation,
                });
                Ok((peer, generation))
            }
            Err(why) => {
                state.backoff.failed(Instant::now());
                let retry = match state.backoff.wait(Instant::now()) {
                    Some(wait) => format!("; toolhost tries again in {} ms", wait.as_millis()),
                    None => String::new(),
                };
                let message = format!("{} could not be started: {why}{retry}", self.what());
                state.last_failure = Some(why);
                Err(SourceError::Unavailable(message))
            }
        }
    }

    /// Map a request's failure; a closed transport marks the session (if it is still the
    /// current one) as down, with the server's last words.
    async fn failed(&self, generation: u64, e: ServiceError) -> SourceError {
        match e {
            ServiceError::Timeout { .. } => SourceError::Timeout,
            ServiceError::McpError(data) => SourceError::Remote {
                code: data.code.0,
                message: data.message.into_owned(),
            },
            ServiceError::UnexpectedResponse => SourceError::Remote {
                code: 0,
                message: format!("{} answered with an unexpected response", self.what()),
            },
            other => {
                // Give the process a moment to be reaped and its last stderr lines read.
                tokio::time::sleep(Duration::from_millis(200)).await;
                let mut state = self.state.lock().await;
                let stderr = match &state.live {
                    Some(live) if live.generation == generation => {
                        let suffix = live.stderr.suffix();
                        state.live = None;
                        state.backoff.failed(Instant::now());
                        state.last_failure = Some(format!("it went away{suffix}"));
                        suffix
                    }
                    _ => String::new(),
                };
                SourceError::Unavailable(format!(
                    "{} went away during the request ({other}){stderr}",
                    self.what()
                ))
            }
        }
    }
}

/// Tells the server to stop a request whose caller stopped waiting for it.
struct CancelOnDrop {
    peer: Option<Peer<RoleClient>>,
    id: RequestId,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(peer) = self.peer.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let param = CancelledNotificationParam::new(
                Some(self.id.clone()),
                Some("the caller stopped waiting".to_owned()),
            );
            runtime.spawn(async move {
                let _ = peer.notify_cancelled(param).await;
            });
        }
    }
}
