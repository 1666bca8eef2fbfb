//! The one API every front end uses: look tools up, describe them, call them.
//! Front ends never see wasmtime; the runtime never sees a front end.

mod components;
mod describe;
mod observer;
mod portable;
mod prune;
mod remote_components;
mod remote_output;
mod remote_tools;
mod scripts;
mod slots;
mod validate;

use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::OnceCell;

pub use describe::{Example, GrantsView, LimitsView, RemoteOrigin, ToolDescription};
pub use observer::CallObserver;
pub use remote_components::RemoteComponents;
pub use scripts::{
    ListedScript, ScriptOutput, resolve as resolve_script, tool_name as script_tool_name,
};

use crate::error::{ErrorCode, ToolError};
use crate::output::ToolOutput;
use crate::registry::{ToolEntry, ToolRegistry};
use crate::runtime::python::PreparedPython;
use crate::runtime::{CacheOutcome, CallPolicy, CompileWatcher, Runtime};
use components::{ComponentKey, ComponentTable, SharedComponent};

/// How a dispatcher is set up.
#[derive(Debug, Clone)]
pub struct DispatcherOptions {
    /// Where compiled components are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Hears when a component must be compiled (a front end may show it: it can take
    /// seconds).
    pub compile_watcher: Option<CompileWatcher>,
    /// Where `oci://` and `https://` components come from; `None` refuses such entries.
    pub remote_components: Option<Arc<dyn RemoteComponents>>,
}

impl Default for DispatcherOptions {
    fn default() -> Self {
        DispatcherOptions::from_flags(None, false)
    }
}

impl DispatcherOptions {
    /// From the command line's `--cache-dir DIR` and `--no-cache`: the default cache
    /// directory is `$TOOLHOST_CACHE_DIR`, else the user cache directory.
    pub fn from_flags(cache_dir: Option<PathBuf>, no_cache: bool) -> Self {
        DispatcherOptions {
            compile_watcher: None,
            remote_components: None,
            cache_dir: if no_cache {
                None
            } else {
                cache_dir.or_else(crate::runtime::CompileCache::default_dir)
            },
        }
    }
}

/// A registry entry ready to call: its own policy over a shared component.
struct LoadedTool {
    /// The registry's name for it, shared with every call's sandbox.
    name: Arc<str>,
    entry: ToolEntry,
    sha256: String,
    component: Arc<SharedComponent>,
}

impl LoadedTool {
    fn description(&self) -> ToolDescription {
        let c = &self.component;
        ToolDescription {
            name: self.entry.name.clone(),
            version: c.version.clone(),
            description: self
                .entry
                .description
                .clone()
                .unwrap_or_else(|| c.description.clone()),
            input_schema: c.input_schema.clone(),
            output_schema: c.output_schema.clone(),
            examples: c.examples.clone(),
            component: self.entry.component.to_string(),
            sha256: self.sha256.clone(),
            limits: describe::limits_view(&self.entry),
            grants: describe::grants_view(&self.entry),
            remote: None,
        }
    }
}

/// Loads tools on first use and runs calls; cheap to clone and share across tasks.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    registry: ToolRegistry,
    runtime: Runtime,
    /// One cell per registry entry, filled when the tool is first loaded. The registry is
    /// fixed for the dispatcher's life, so the table is too: no lock on the call path.
    tools: HashMap<String, OnceCell<Arc<LoadedTool>>>,
    components: ComponentTable,
    /// The tools of other MCP servers (entries with `mcp:`), started when first needed.
    remote: remote_tools::RemoteSources,
    slots: slots::Slots,
    /// `script_NAME` for each of the registry's scripts, in order.
    script_tool_names: Vec<String>,
    /// The Python interpreter component, loaded by the first Python session.
    python: OnceCell<Arc<PreparedPython>>,
    remote_components: Option<Arc<dyn RemoteComponents>>,
}

/// The result of checking one tool (`toolhost check`).
#[derive(Debug, Clone, Serialize)]
pub struct ToolCheck {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ToolError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `hit`, `compiled`, `replaced: why`, or `disabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    pub load_ms: f64,
}

impl Dispatcher {
    pub fn new(registry: ToolRegistry, options: DispatcherOptions) -> Result<Self, ToolError> {
        let runtime = Runtime::new(options.cache_dir, options.compile_watcher)
            .map_err(|e| ToolError::internal(&e))?;
        let script_tool_names = registry
            .scripts
            .iter()
            .map(|s| scripts::tool_name(&s.name))
            .collect();
        let remote = remote_tools::RemoteSources::new(&registry);
        let tools = registry
            .names()
            .into_iter()
            .map(|name| (name.to_owned(), OnceCell::new()))
            .collect();
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                script_tool_names,
                remote,
                registry,
                runtime,
                tools,
                components: ComponentTable::default(),
                slots: slots::Slots::new(),
                python: OnceCell::new(),
                remote_components: options.remote_components,
            }),
        })
    }

    pub fn registry(&self) -> &ToolRegistry {
        &self.inner.registry
    }

    /// One receiver per MCP server of the registry, woken when that server's tools may
    /// have changed (it said so, or it was started again): a front end tells its own
    /// clients. Listings follow by themselves.
    pub fn watch_remote_tools(&self) -> Vec<tokio::sync::watch::Receiver<u64>> {
        self.inner.remote.watch_tools()
    }

    pub fn allocator(&self) -> crate::runtime::Allocator {
        self.inner.runtime.allocator()
    }

    pub(crate) fn runtime(&self) -> &Runtime {
        &self.inner.runtime
    }

    pub(crate) fn python_cell(&self) -> &OnceCell<Arc<PreparedPython>> {
        &self.inner.python
    }

    /// A sandbox slot for a Python session's instance, held while it lives: the
    /// interpreter takes a place in the instance pool like any call.
    pub(crate) async fn python_slot(
        &self,
        wait: std::time::Duration,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, ToolError> {
        self.inner.slots.take_for_session(wait).await
    }

    /// Sandbox instances taken now and the pool's size (what a metrics endpoint shows).
    pub fn sandbox_slots(&self) -> (usize, usize) {
        (
            self.inner.slots.in_use(),
            crate::runtime::MAX_CONCURRENT_INSTANCES as usize,
        )
    }

    /// Run `tool` on `args` in a fresh sandbox.
    pub async fn call(&self, tool: &str, args: Value) -> Result<ToolOutput, ToolError> {
        self.call_observed(tool, args, None).await
    }

    /// As [`Dispatcher::call`], reporting the tool's logs and progress as they happen.
    pub async fn call_observed(
        &self,
        tool: &str,
        args: Value,
        observer: Option<Arc<dyn CallObserver>>,
    ) -> Result<ToolOutput, ToolError> {
        if self.inner.registry.get(tool).is_none()
            && let Some(remote) = self.inner.remote.find(tool).await?
        {
            return remote.call(args, observer).await;
        }
        let loaded = self.load(tool).await?;
        validate::check(
            &loaded.component.validator,
            &loaded.component.input_schema,
            tool,
            &args,
        )?;
        let _slot = self
            .inner
            .slots
            .take(tool, loaded.entry.limits.timeout)
            .await?;
        let started = Instant::now();
        let policy = CallPolicy {
            tool: loaded.name.clone(),
            limits: &loaded.entry.limits,
            grants: &loaded.entry.grants,
            events: observer.map(observer::events),
        };
        let raw = self
            .inner
            .runtime
            .call(&loaded.component.prepared, policy, args_text(&args))
            .await?;
        let content = raw
            .result
            .map_err(|e| e.for_tool(tool).with_logs(raw.logs.clone()))?;
        Ok(ToolOutput {
            content,
            logs: raw.logs,
            duration: started.elapsed(),
        })
    }

    /// The description of a tool already loaded, without loading it.
    pub(crate) fn described(&self, tool: &str) -> Option<ToolDescription> {
        if let Some(remote) = self.inner.remote.known(tool) {
            return Some(remote.description.clone());
        }
        self.inner.tools.get(tool)?.get().map(|t| t.description())
    }

    /// Describe one tool (loading it if needed).
    pub async fn describe(&self, tool: &str) -> Result<ToolDescription, ToolError> {
        if self.inner.registry.get(tool).is_none()
            && let Some(remote) = self.inner.remote.find(tool).await?
        {
            return Ok(remote.description.clone());
        }
        Ok(self.load(tool).await?.description())
    }

    /// Describe every tool, in registry order, then the tools of each MCP server the
    /// registry names (starting them); a tool that fails to load gives its error, and so
    /// does a server that cannot be listed, under its entry's name.
    pub async fn describe_all(&self) -> Vec<(String, Result<ToolDescription, ToolError>)> {
        let names: Vec<String> = self
            .inner
            .registry
            .names()
            .into_iter()
            .map(String::from)
            .collect();
        let loads = futures::future::join_all(names.iter().map(|n| self.describe(n)));
        let (results, remote) = futures::future::join(loads, self.inner.remote.all()).await;
        let mut all: Vec<_> = names.into_iter().zip(results).collect();
        for (server, tools) in remote {
            match tools {
                Ok(tools) => all.extend(
                    tools
                        .iter()
                        .map(|t| (t.description.name.clone(), Ok(t.description.clone()))),
                ),
                Err(e) => all.push((server, Err(e))),
            }
        }
        all
    }

    /// Every tool's name: the registry's, then those of each MCP server it names (listing a
    /// server starts it; one that cannot be listed adds none).
    pub async fn tool_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .inner
            .registry
            .names()
            .into_iter()
            .map(String::from)
            .collect();
        if !self.inner.remote.is_empty() {
            for (_, tools) in self.inner.remote.all().await {
                names.extend(
                    tools
                        .into_iter()
                        .flatten()
                        .map(|t| t.description.name.clone()),
                );
            }
        }
        names
    }

    /// Whether `tool` names a tool (of the registry, or of an MCP server it names).
    pub async fn has_tool(&self, tool: &str) -> bool {
        self.inner.registry.get(tool).is_some()
            || matches!(self.inner.remote.find(tool).await, Ok(Some(_)))
    }

    /// Load every tool and check its examples against its schema.
    pub async fn check(&self) -> Vec<ToolCheck> {
        let mut checks = Vec::new();
        for name in self.inner.registry.names() {
            let started = Instant::now();
            let loaded = self.load(name).await;
            let load_ms = started.elapsed().as_secs_f64() * 1e3;
            let check = match loaded {
                Ok(tool) => {
                    let c = &tool.component;
                    let bad_example = c.examples.iter().find_map(|ex| {
                        validate::check(&c.validator, &c.input_schema, name, &ex.input)
                            .err()
                            .map(|e| (ex.description.clone(), e))
                    });
                    ToolCheck {
                        name: name.to_owned(),
                        error: bad_example.map(|(d, e)| {
                            ToolError::new(
                                ErrorCode::ContractMismatch,
                                format!(
                                    "example '{d}' does not match the input schema: {}",
                                    e.message
                                ),
                            )
                            .for_tool(name)
                        }),
                        version: Some(c.version.clone()),
                        cache: Some(cache_text(&c.prepared.cache)),
                        load_ms,
                    }
                }
                Err(e) => ToolCheck {
                    name: name.to_owned(),
                    error: Some(e),
                    version: None,
                    cache: None,
                    load_ms,
                },
            };
            checks.push(check);
        }
        // Each MCP server the registry names: listed (so started), its tools' schemas
        // compiled.
        let started = Instant::now();
        let remote = self.inner.remote.all().await;
        let load_ms = started.elapsed().as_secs_f64() * 1e3;
        for (server, tools) in remote {
            match tools {
                Ok(tools) => checks.extend(tools.iter().map(|t| ToolCheck {
                    name: t.description.name.clone(),
                    error: t.schema_error(),
                    version: Some(t.description.version.clone()),
                    cache: None,
                    load_ms,
                })),
                Err(e) => checks.push(ToolCheck {
                    name: server,
                    error: Some(e),
                    version: None,
                    cache: None,
                    load_ms,
                }),
            }
        }
        checks
    }

    async fn load(&self, tool: &str) -> Result<Arc<LoadedTool>, ToolError> {
        let (Some(entry), Some(cell)) = (self.inner.registry.get(tool), self.inner.tools.get(tool))
        else {
            let mut known: Vec<String> = self
                .inner
                .registry
                .names()
                .into_iter()
                .map(String::from)
                .collect();
            known.extend(self.inner.remote.known_names());
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            return Err(ToolError::not_found(tool, &known));
        };
        cell.get_or_try_init(|| self.load_entry(entry.clone()))
            .await
            .cloned()
            .map_err(|e| e.for_tool(tool))
    }

    async fn load_entry(&self, entry: ToolEntry) -> Result<Arc<LoadedTool>, ToolError> {
        // A remote component is read from the local file its source gives, like any file.
        let readable = if entry.component.is_remote() {
            let source = self
                .inner
                .remote_components
                .as_ref()
                .ok_or_else(|| remote_components::no_source(&entry))?;
            let path = source.local_file(&entry).await?;
            ToolEntry {
                component: crate::registry::ComponentSource::File(path),
                ..entry.clone()
            }
        } else {
            entry.clone()
        };
        let sha256 = {
            let inner = self.inner.clone();
            let readable = readable.clone();
            blocking(move || inner.components.sha256(&readable)).await?
        };
        if let Some(pin) = &entry.sha256
            && *pin != sha256
        {
            let at = self
                .inner
                .registry
                .describe_location(entry.positions.sha256);
            return Err(ToolError::new(
                ErrorCode::PinMismatch,
                format!(
                    "component {} has sha256 {sha256}, but the registry pins {pin} ({at}); \
                     the tool is refused. If the new component is trusted, update the pin.",
                    entry.component
                ),
            )
            .with_details(serde_json::json!({ "expected": pin, "actual": sha256 })));
        }
        let key = ComponentKey {
            sha256: sha256.clone(),
            network: !entry.grants.network.is_empty(),
        };
        let component = self
            .inner
            .components
            .cell(key)
            .get_or_try_init(|| self.load_component(&readable, &sha256))
            .await?
            .clone();
        Ok(Arc::new(LoadedTool {
            name: Arc::from(entry.name.as_str()),
            entry,
            sha256,
            component,
        }))
    }

    /// Compile the entry's component and ask it to describe itself (in a sandbox slot,
    /// under the entry's limits and grants).
    async fn load_component(
        &self,
        entry: &ToolEntry,
        sha256: &str,
    ) -> Result<Arc<SharedComponent>, ToolError> {
        // Reading and compiling are CPU-bound and can take a second; keep them off the
        // async workers.
        let prepared = {
            let inner = self.inner.clone();
            let entry = entry.clone();
            let expected = sha256.to_owned();
            blocking(move || {
                let (wasm, sha) = inner.components.read(&entry)?;
                if sha != expected {
                    return Err(ToolError::new(
                        ErrorCode::Registry,
                        format!(
                            "component {} changed while it was being loaded; try again",
                            entry.component
                        ),
                    ));
                }
                inner
                    .runtime
                    .prepare(&wasm, &sha, &entry.name, &entry.grants)
            })
            .await?
        };
        let policy = CallPolicy {
            tool: Arc::from(entry.name.as_str()),
            limits: &entry.limits,
            grants: &entry.grants,
            events: None,
        };
        let raw = {
            let _slot = self
                .inner
                .slots
                .take(&entry.name, entry.limits.timeout)
                .await?;
            self.inner.runtime.describe(&prepared, policy).await?
        };
        let bad_schema = |what: &str, e: String| {
            ToolError::new(
                ErrorCode::ContractMismatch,
                format!("the tool's {what} is not valid: {e}"),
            )
        };
        let input_schema: Value = serde_json::from_str(&raw.input_schema)
            .map_err(|e| bad_schema("input schema", e.to_string()))?;
        let input_schema = portable::portable(&entry.name, "input schema", input_schema);
        let validator =
            validate::compile(&input_schema).map_err(|e| bad_schema("input schema", e))?;
        let output_schema = raw
            .output_schema
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| bad_schema("output schema", e.to_string()))?
            .map(|schema| portable::portable(&entry.name, "output schema", schema));
        let examples = raw
            .examples
            .into_iter()
            .map(|(description, input)| {
                let input = serde_json::from_str(&input)
                    .map_err(|e| bad_schema("example", e.to_string()))?;
                Ok(Example { description, input })
            })
            .collect::<Result<Vec<_>, ToolError>>()?;
        Ok(Arc::new(SharedComponent {
            prepared,
            version: raw.version,
            description: raw.description,
            input_schema,
            output_schema,
            examples,
            validator,
        }))
    }
}

/// The input as the tool receives it. `to_string` would go through `Display`'s formatter
/// adapter, measurably slower on the per-call path.
fn args_text(args: &Value) -> String {
    serde_json::to_string(args).expect("a JSON value always serializes")
}

/// Run blocking work (file reads, compiling) on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ToolError> + Send + 'static,
) -> Result<T, ToolError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ToolError::new(ErrorCode::Internal, format!("a loading task failed: {e}")))?
}

fn cache_text(outcome: &CacheOutcome) -> String {
    match outcome {
        CacheOutcome::Hit => "hit".into(),
        CacheOutcome::Compiled => "compiled".into(),
        CacheOutcome::Replaced(why) => format!("replaced ({why})"),
        CacheOutcome::Disabled => "disabled".into(),
    }
}
