//! The sandboxed component runtime: one Engine, compiled components cached on disk,
//! a fresh Store per call with the tool's limits and grants.

mod bindings;
mod cache;
mod call_state;
mod capture;
mod classify;
mod contract;
mod engine;
mod limits;
mod outbound;
pub mod python;
mod ticker;

use std::sync::{Arc, OnceLock};
use std::time::Instant;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Engine, Store, UpdateDeadline};

use bindings::{ToolPlugin, ToolPluginPre, tool_export};
pub use cache::{CacheOutcome, CompileCache};
pub use call_state::{CallEvent, CallEvents};
pub use contract::CONTRACT_VERSION;
pub use engine::{Allocator, MAX_CONCURRENT_INSTANCES};

use crate::error::{ErrorCode, ToolError};
use crate::output::{Content, LogRecord};
use crate::registry::{Grants, SandboxLimits};
use call_state::CallState;
use classify::DeadlineExceeded;

/// A component compiled, checked against the contract and ready to instantiate.
pub struct PreparedComponent {
    pre: ToolPluginPre<CallState>,
    pub cache: CacheOutcome,
}

/// What a component says about itself (`describe`), JSON still as text.
#[derive(Debug, Clone)]
pub struct RawToolInfo {
    pub version: String,
    pub description: String,
    pub input_schema: String,
    pub output_schema: Option<String>,
    pub examples: Vec<(String, String)>,
}

/// One sandboxed call's policy.
pub struct CallPolicy<'a> {
    pub tool: Arc<str>,
    pub limits: &'a SandboxLimits,
    pub grants: &'a Grants,
    /// Who hears the call's logs and progress as they happen.
    pub events: Option<CallEvents>,
}

/// What came back from a call that ran to completion.
pub struct RawCallResult {
    pub result: Result<Vec<Content>, ToolError>,
    pub logs: Vec<LogRecord>,
}

pub struct Runtime {
    engine: Engine,
    allocator: Allocator,
    /// WASI without wasi:http: what every tool gets.
    linker: Linker<CallState>,
    /// The same plus wasi:http, for tools whose entry grants network hosts; built when the
    /// first such tool loads, so processes that run none do not pay for it at start-up.
    network_linker: OnceLock<Linker<CallState>>,
    cache: CompileCache,
    ticker: ticker::EpochTicker,
}

impl Runtime {
    /// `cache_dir: None` compiles in memory only.
    pub fn new(cache_dir: Option<std::path::PathBuf>) -> anyhow::Result<Self> {
        let (engine, allocator) = engine::build_engine()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        ToolPlugin::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
        let cache = CompileCache::new(&engine, cache_dir);
        let ticker = ticker::EpochTicker::start(engine.clone())?;
        Ok(Runtime {
            engine,
            allocator,
            linker,
            network_linker: OnceLock::new(),
            cache,
            ticker,
        })
    }

    fn network_linker(&self) -> Result<&Linker<CallState>, ToolError> {
        if let Some(linker) = self.network_linker.get() {
            return Ok(linker);
        }
        let mut linker = self.linker.clone();
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
            .map_err(|e| ToolError::internal(&anyhow::Error::from(e)))?;
        Ok(self.network_linker.get_or_init(|| linker))
    }

    pub fn allocator(&self) -> Allocator {
        self.allocator
    }

    /// Compile (or load from the cache) and pre-instantiate a component for `tool`. Only a
    /// tool whose grants name network hosts is linked with wasi:http.
    pub fn prepare(
        &self,
        wasm: &[u8],
        wasm_sha256: &str,
        tool: &str,
        grants: &Grants,
    ) -> Result<PreparedComponent, ToolError> {
        let (component, cache) = self
            .cache
            .load(&self.engine, wasm, wasm_sha256)
            .map_err(|e| {
                ToolError::new(
                    ErrorCode::ContractMismatch,
                    format!("not a valid WebAssembly component: {e:#}"),
                )
            })?;
        contract::check(&self.engine, &component)
            .map_err(|m| ToolError::new(ErrorCode::ContractMismatch, m))?;
        let linker = if grants.network.is_empty() {
            contract::check_no_network_imports(&self.engine, &component, tool)
                .map_err(|m| ToolError::new(ErrorCode::Denied, m))?;
            &self.linker
        } else {
            self.network_linker()?
        };
        let pre = linker.instantiate_pre(&component).map_err(|e| {
            ToolError::new(
                ErrorCode::ContractMismatch,
                format!("the component needs an import toolhost does not provide: {e:#}"),
            )
        })?;
        let pre = ToolPluginPre::new(pre)
            .map_err(|e| ToolError::new(ErrorCode::ContractMismatch, format!("{e:#}")))?;
        Ok(PreparedComponent { pre, cache })
    }

    /// Ask the component to describe itself (in a sandbox with the tool's limits).
    pub async fn describe(
        &self,
        component: &PreparedComponent,
        policy: CallPolicy<'_>,
    ) -> Result<RawToolInfo, ToolError> {
        let raw = self
            .run(component, policy, |plugin, store| {
                Box::pin(async move { plugin.toolhost_tool_tool().call_describe(store).await })
            })
            .await?;
        let info = raw.result;
        Ok(RawToolInfo {
            version: info.version,
            description: info.description,
            input_schema: info.input_schema,
            output_schema: info.output_schema,
            examples: info
                .examples
                .into_iter()
                .map(|e| (e.description, e.input))
                .collect(),
        })
    }

    /// Run one call in a fresh sandbox.
    pub async fn call(
        &self,
        component: &PreparedComponent,
        policy: CallPolicy<'_>,
        input: &str,
    ) -> Result<RawCallResult, ToolError> {
        let limits = *policy.limits;
        let input = input.to_owned();
        let raw = self
            .run(component, policy, move |plugin, store| {
                Box::pin(async move { plugin.toolhost_tool_tool().call_call(store, &input).await })
            })
            .await?;
        let result = match raw.result {
            Ok(items) => items
                .into_iter()
                .map(convert_content)
                .collect::<Result<Vec<_>, _>>()
                .and_then(|content| check_output_size(content, limits.max_output_bytes)),
            Err(e) => Err(convert_tool_error(e)),
        };
        Ok(RawCallResult {
            result,
            logs: raw.logs,
        })
    }

    /// Instantiate in a fresh Store under the policy's limits and run `f`. Errors here are
    /// the sandbox's (timeout, memory, trap); the tool's own errors are in the result.
    async fn run<R: Send + 'static>(
        &self,
        component: &PreparedComponent,
        policy: CallPolicy<'_>,
        f: impl for<'s> FnOnce(
            ToolPlugin,
            &'s mut Store<CallState>,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = wasmtime::Result<R>> + Send + 's>,
        >,
    ) -> Result<Ran<R>, ToolError> {
        let limits = *policy.limits;
        let tool = policy.tool.clone();
        // The deadline runs from here, before instantiation: a start-up loop counts too.
        let deadline = Instant::now() + limits.timeout;
        let state = CallState::new(policy.tool, &limits, policy.grants, policy.events, deadline)
            .map_err(|e| ToolError::new(ErrorCode::Denied, format!("{e:#}")).for_tool(&tool))?;
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= deadline {
                Err(DeadlineExceeded.into())
            } else {
                // Yield to the executor at every tick so a busy tool never starves others.
                Ok(UpdateDeadline::Yield(1))
            }
        });
        let _ticking = self.ticker.active_call();
        let work = async {
            let plugin = component.pre.instantiate_async(&mut store).await?;
            f(plugin, &mut store).await
        };
        // The epoch stops code that computes; this stops a tool blocked in a host call
        // (a WASI sleep, say) where no epoch check runs.
        let outcome = tokio::time::timeout_at((deadline + ticker::TICK * 2).into(), work).await;
        let logs = store.data_mut().take_logs();
        // A rule the host enforced decides the outcome whatever the tool made of the error
        // it was handed: swallowed, reported as its own error, or a panic.
        let violation = store.data().network_violation();
        if let (Some(v), Ok(_)) = (violation, &outcome) {
            return Err(classify::violation(v, &limits)
                .for_tool(&tool)
                .with_logs(logs));
        }
        match outcome {
            Ok(Ok(result)) => Ok(Ran { result, logs }),
            Ok(Err(e)) => Err(classify::failure(&e, &limits, &logs)
                .for_tool(&tool)
                .with_logs(logs)),
            Err(_) => Err(classify::timeout(&limits).for_tool(&tool).with_logs(logs)),
        }
    }
}

struct Ran<R> {
    result: R,
    logs: Vec<LogRecord>,
}

fn convert_content(c: tool_export::Content) -> Result<Content, ToolError> {
    Ok(match c {
        tool_export::Content::Text(text) => Content::Text { text },
        tool_export::Content::Json(text) => Content::Json {
            json: serde_json::from_str(&text).map_err(|e| {
                ToolError::new(
                    ErrorCode::ToolError,
                    format!("the tool returned a JSON item that is not valid JSON: {e}"),
                )
            })?,
        },
        tool_export::Content::Image(image) => Content::Image {
            mime_type: image.mime_type,
            data: image.data,
        },
        tool_export::Content::Sixel(sixel) => Content::Sixel { sixel },
    })
}

/// `max_output_bytes` bounds the whole output, whatever its items.
fn check_output_size(content: Vec<Content>, limit: u64) -> Result<Vec<Content>, ToolError> {
    let size: usize = content.iter().map(Content::size).sum();
    if size as u64 > limit {
        return Err(ToolError::new(
            ErrorCode::OutputTooLarge,
            format!(
                "the tool returned {size} bytes of output; the limit is {limit} (max_output_bytes)"
            ),
        ));
    }
    Ok(content)
}

fn convert_tool_error(e: tool_export::ToolError) -> ToolError {
    let details = e
        .details
        .map(|d| serde_json::from_str(&d).unwrap_or(serde_json::Value::String(d)));
    if e.code == ErrorCode::InvalidInput.as_str() {
        let error = ToolError::new(ErrorCode::InvalidInput, e.message);
        return match details {
            Some(d) => error.with_details(d),
            None => error,
        };
    }
    let mut merged = serde_json::json!({ "tool_code": e.code });
    if let Some(d) = details {
        merged["details"] = d;
    }
    ToolError::new(ErrorCode::ToolError, e.message).with_details(merged)
}
