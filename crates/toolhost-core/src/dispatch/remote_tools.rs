//! Tools of other MCP servers (registry entries with `mcp:`), held to the same policy as a
//! component's: arguments checked against the tool's input schema by the same validator,
//! the entry's `timeout_ms` (past it the server is told to cancel) and `max_output_bytes`,
//! and stable error codes (`unavailable`, `remote_error`, `timeout`, `output_too_large`).
//! The protocol itself is `mcp_source`'s.

use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, watch};

use super::describe::{GrantsView, LimitsView, RemoteOrigin, ToolDescription};
use super::observer::CallObserver;
use super::{portable, remote_output, validate};
use crate::error::{ErrorCode, ToolError};
use crate::mcp_source::{McpServer, SourceError};
use crate::output::ToolOutput;
use crate::registry::{McpServerEntry, ToolRegistry};

/// One tool of one server, under the name toolhost offers it by.
pub(super) struct RemoteTool {
    pub description: ToolDescription,
    /// The name the server knows it by (without the entry's `prefix`).
    remote_name: String,
    /// `Err` when the server's schema does not compile; calls then say so.
    validator: Result<validate::InputCheck, String>,
    server: Arc<McpServer>,
}

/// The tools one server offers, filtered and prefixed as its entry says.
pub(super) struct Listing {
    tools: Vec<Arc<RemoteTool>>,
}

struct Source {
    server: Arc<McpServer>,
    /// The last listing, with the server's tools version it was made at: listed on first
    /// need and again once the server says its tools changed (or it was restarted). A
    /// failed listing is tried again next time.
    listing: std::sync::RwLock<Option<(u64, Arc<Listing>)>>,
    /// One listing of a server at a time.
    listing_now: tokio::sync::Mutex<()>,
}

impl Source {
    fn last(&self) -> Option<Arc<Listing>> {
        let last = self.listing.read().expect("listing lock");
        last.as_ref().map(|(_, listing)| listing.clone())
    }

    fn current(&self) -> Option<Arc<Listing>> {
        let last = self.listing.read().expect("listing lock");
        match &*last {
            Some((version, listing)) if *version == self.server.tools_version() => {
                Some(listing.clone())
            }
            _ => None,
        }
    }
}

/// Every server of the registry. Nothing starts until a tool of it is needed.
pub(super) struct RemoteSources {
    sources: Vec<Source>,
    /// The registry's own tools, which win a name clash.
    component_names: HashSet<String>,
}

impl RemoteSources {
    pub fn new(registry: &ToolRegistry) -> Self {
        RemoteSources {
            sources: registry
                .mcp_servers
                .iter()
                .map(|entry| Source {
                    server: Arc::new(McpServer::new(entry.clone())),
                    listing: std::sync::RwLock::new(None),
                    listing_now: tokio::sync::Mutex::new(()),
                })
                .collect(),
            component_names: registry.names().into_iter().map(str::to_owned).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// One receiver per server, woken when its tools may have changed.
    pub fn watch_tools(&self) -> Vec<watch::Receiver<u64>> {
        self.sources
            .iter()
            .map(|s| s.server.watch_tools())
            .collect()
    }

    /// Every server's tools, listing (so starting) those not listed yet, in registry
    /// order; a server that cannot be listed gives its error under its entry's name.
    pub async fn all(&self) -> Vec<(String, Result<Vec<Arc<RemoteTool>>, ToolError>)> {
        let listings =
            futures::future::join_all(self.sources.iter().map(|s| self.listing(s))).await;
        let mut taken = self.component_names.clone();
        let mut all = Vec::new();
        for (source, listing) in self.sources.iter().zip(listings) {
            let entry = source.server.entry();
            match listing {
                Ok(listing) => {
                    let mut tools = Vec::new();
                    for tool in &listing.tools {
                        if taken.insert(tool.description.name.clone()) {
                            tools.push(tool.clone());
                        } else {
                            tracing::warn!(
                                "tool '{}' of the MCP server '{}' is hidden: an earlier tool has \
                                 that name (set a `prefix` on the entry)",
                                tool.description.name,
                                entry.name
                            );
                        }
                    }
                    all.push((entry.name.clone(), Ok(tools)));
                }
                Err(e) => {
                    tracing::warn!(
                        "the tools of the MCP server '{}' are missing: {e}",
                        entry.name
                    );
                    all.push((entry.name.clone(), Err(e)))
                }
            }
        }
        all
    }

    /// The tool offered as `name`, listing the servers it may belong to (by prefix) if
    /// they are not listed yet. `Err` when it is none of theirs but a server it may
    /// belong to could not be listed: that server's error says more than "not found".
    pub async fn find(&self, name: &str) -> Result<Option<Arc<RemoteTool>>, ToolError> {
        if self.component_names.contains(name) {
            return Ok(None);
        }
        let mut unlisted = None;
        for source in &self.sources {
            if !name.starts_with(&source.server.entry().prefix) {
                continue;
            }
            match self.listing(source).await {
                Ok(listing) => {
                    if let Some(tool) = listing.tools.iter().find(|t| t.description.name == name) {
                        return Ok(Some(tool.clone()));
                    }
                }
                Err(e) => {
                    unlisted.get_or_insert(e);
                }
            }
        }
        match unlisted {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    /// The tool offered as `name`, if its server has been listed (never starts one).
    pub fn known(&self, name: &str) -> Option<Arc<RemoteTool>> {
        if self.component_names.contains(name) {
            return None;
        }
        self.sources
            .iter()
            .filter_map(Source::last)
            .find_map(|l| l.tools.iter().find(|t| t.description.name == name).cloned())
    }

    /// Names of the tools of servers already listed (for "did you mean").
    pub fn known_names(&self) -> Vec<String> {
        self.sources
            .iter()
            .filter_map(Source::last)
            .flat_map(|l| {
                l.tools
                    .iter()
                    .map(|t| t.description.name.clone())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    async fn listing(&self, source: &Source) -> Result<Arc<Listing>, ToolError> {
        if let Some(listing) = source.current() {
            return Ok(listing);
        }
        let _one_at_a_time = source.listing_now.lock().await;
        if let Some(listing) = source.current() {
            return Ok(listing);
        }
        // Read before listing: a change announced meanwhile leaves this listing stale.
        let version = source.server.tools_version();
        let listing = list(source.server.clone()).await?;
        *source.listing.write().expect("listing lock") = Some((version, listing.clone()));
        Ok(listing)
    }
}

async fn list(server: Arc<McpServer>) -> Result<Arc<Listing>, ToolError> {
    let entry = server.entry().clone();
    let listed = server
        .list_tools()
        .await
        .map_err(|e| source_error(e, &entry.name, &entry).for_tool(&entry.name))?;
    let mut tools = Vec::new();
    for tool in listed.tools {
        if !entry.filter.allows(&tool.name) {
            continue;
        }
        let name = format!("{}{}", entry.prefix, tool.name);
        let input_schema = portable::portable(
            &name,
            "input schema",
            Value::Object((*tool.input_schema).clone()),
        );
        let output_schema = tool.output_schema.as_ref().map(|schema| {
            portable::portable(&name, "output schema", Value::Object((**schema).clone()))
        });
        let validator = validate::compile(&input_schema);
        let description = ToolDescription {
            name: name.clone(),
            version: listed.version.clone(),
            description: tool.description.as_deref().unwrap_or_default().to_owned(),
            input_schema,
            output_schema,
            examples: Vec::new(),
            component: format!("mcp:{}", entry.name),
            sha256: String::new(),
            limits: limits_view(&entry),
            grants: GrantsView {
                dirs: Vec::new(),
                env: Vec::new(),
                network: Vec::new(),
            },
            remote: Some(RemoteOrigin {
                server: entry.name.clone(),
                name: tool.name.to_string(),
                transport: entry.transport.summary(),
                title: tool
                    .title
                    .clone()
                    .or_else(|| tool.annotations.as_ref().and_then(|a| a.title.clone())),
                annotations: tool
                    .annotations
                    .as_ref()
                    .and_then(|a| serde_json::to_value(a).ok()),
            }),
        };
        tools.push(Arc::new(RemoteTool {
            description,
            remote_name: tool.name.to_string(),
            validator,
            server: server.clone(),
        }));
    }
    Ok(Arc::new(Listing { tools }))
}

fn limits_view(entry: &McpServerEntry) -> LimitsView {
    LimitsView {
        timeout_ms: entry.limits.timeout.as_millis() as u64,
        memory_mb: 0,
        max_output_bytes: entry.limits.max_output_bytes,
        max_response_bytes: 0,
        max_component_mb: 0,
    }
}

impl RemoteTool {
    /// Why the server's input schema cannot be used, if it cannot.
    pub fn schema_error(&self) -> Option<ToolError> {
        let e = self.validator.as_ref().err()?;
        Some(
            ToolError::new(
                ErrorCode::ContractMismatch,
                format!(
                    "the MCP server '{}' gives '{}' an input schema toolhost cannot use: {e}",
                    self.server.entry().name,
                    self.remote_name
                ),
            )
            .for_tool(&self.description.name),
        )
    }

    /// Check `args`, call the server under the entry's limits, and map the result.
    pub async fn call(
        &self,
        args: Value,
        observer: Option<Arc<dyn CallObserver>>,
    ) -> Result<ToolOutput, ToolError> {
        let name = self.description.name.as_str();
        let entry = self.server.entry();
        let Ok(validator) = self.validator.as_ref() else {
            return Err(self.schema_error().expect("the schema did not compile"));
        };
        validate::check(validator, &self.description.input_schema, name, &args)?;
        let Value::Object(arguments) = args else {
            return Err(ToolError::new(
                ErrorCode::InvalidInput,
                "an MCP tool takes its arguments as a JSON object",
            )
            .for_tool(name));
        };
        let started = Instant::now();
        let timeout = entry.limits.timeout;
        let (progress, mut reports) = match &observer {
            Some(_) => {
                let (sender, receiver) = mpsc::unbounded_channel();
                (Some(sender), Some(receiver))
            }
            None => (None, None),
        };
        let call = self
            .server
            .call_tool(&self.remote_name, arguments, timeout, progress);
        tokio::pin!(call);
        // Progress is handed to the observer as it comes, and all of it before the result.
        let result = loop {
            tokio::select! {
                result = &mut call => break result,
                Some(report) = async {
                    match reports.as_mut() {
                        Some(r) => r.recv().await,
                        None => std::future::pending().await,
                    }
                } => report_progress(&observer, name, report),
            }
        };
        if let Some(reports) = reports.as_mut() {
            while let Ok(report) = reports.try_recv() {
                report_progress(&observer, name, report);
            }
        }
        let result = result.map_err(|e| source_error(e, name, entry).for_tool(name))?;
        let content = remote_output::content(result, name, entry)?;
        let size: usize = content.iter().map(|c| c.size()).sum();
        if size as u64 > entry.limits.max_output_bytes {
            return Err(ToolError::new(
                ErrorCode::OutputTooLarge,
                format!(
                    "'{name}' returned {size} bytes, over its max_output_bytes of {} (raise it in \
                     the registry entry '{}')",
                    entry.limits.max_output_bytes, entry.name
                ),
            )
            .for_tool(name)
            .with_details(serde_json::json!({
                "bytes": size,
                "max_output_bytes": entry.limits.max_output_bytes,
            })));
        }
        Ok(ToolOutput {
            content,
            logs: Vec::new(),
            duration: started.elapsed(),
        })
    }
}

fn report_progress(
    observer: &Option<Arc<dyn CallObserver>>,
    tool: &str,
    (done, total, message): crate::mcp_source::Progress,
) {
    if let Some(observer) = observer {
        let total = total.unwrap_or(0.0).max(0.0) as u64;
        observer.on_progress(
            tool,
            done.max(0.0) as u64,
            total,
            message.as_deref().unwrap_or(""),
        );
    }
}

fn source_error(e: SourceError, tool: &str, entry: &McpServerEntry) -> ToolError {
    match e {
        SourceError::Unavailable(message) => ToolError::new(ErrorCode::Unavailable, message)
            .with_details(serde_json::json!({ "retryable": true, "server": entry.name })),
        SourceError::Timeout => ToolError::new(
            ErrorCode::Timeout,
            format!(
                "'{tool}' ran past its timeout_ms of {} ms; the MCP server '{}' was told to \
                 cancel it (notifications/cancelled)",
                entry.limits.timeout.as_millis(),
                entry.name
            ),
        ),
        SourceError::Remote { code, message } => ToolError::new(
            ErrorCode::RemoteError,
            format!(
                "the MCP server '{}' refused the call: {message}",
                entry.name
            ),
        )
        .with_details(serde_json::json!({ "server": entry.name, "jsonrpc_code": code })),
    }
}
