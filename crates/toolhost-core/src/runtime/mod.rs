//! The sandboxed component runtime: one Engine, compiled components cached on disk,
//! a fresh Store per call with the tool's limits and grants.

mod bindings;
mod cache;
mod call_state;
mod capture;
mod classify;
mod compile_notice;
mod contract;
mod engine;
mod exports;
mod host_imports;
mod lift;
mod limits;
mod outbound;
pub mod python;
mod symlinks;
mod ticker;

use std::sync::{Arc, OnceLock};
use std::time::Instant;
use wasmtime::component::{Instance, InstancePre, Linker};
use wasmtime::{Engine, Store};

use bindings::ToolPluginPre;
pub use cache::{CacheOutcome, CompileCache};
pub use call_state::{CallEvent, CallEvents};
pub use compile_notice::{CompileObserver, CompileWatcher};
pub use contract::CONTRACT_VERSION;
pub use engine::{Allocator, MAX_CONCURRENT_INSTANCES};

use crate::error::{ErrorCode, ToolError};
use crate::output::{Content, LogRecord};
use crate::registry::{Grants, SandboxLimits};
use call_state::CallState;

/// A component compiled, checked against the contract and ready to instantiate.
pub struct PreparedComponent {
    pre: InstancePre<CallState>,
    exports: exports::ToolExports,
    pub cache: CacheOutcome,
}

/// The most one host call may carry from the guest (wasmtime's "hostcall fuel", 128 MiB
/// by default), so no single WASI call makes the host copy a guest-sized buffer. WASI
/// streams hand out write permits of 64 KiB and HTTP bodies of 1 MiB. The `host`
/// interface and the exports' results are read under their own bounds (lift.rs).
const MAX_HOSTCALL_BYTES: usize = 2 << 20;
/// What a tool's `describe` may return in all; each schema may be at most
/// [`MAX_SCHEMA_BYTES`].
const MAX_DESCRIBE_BYTES: u64 = 4 << 20;
const MAX_SCHEMA_BYTES: usize = 1 << 20;

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
    /// `cache_dir: None` compiles in memory only; `watcher` hears every compile.
    pub fn new(
        cache_dir: Option<std::path::PathBuf>,
        watcher: Option<CompileWatcher>,
    ) -> anyhow::Result<Self> {
        let (engine, allocator) = engine::build_engine()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        symlinks::add_to_linker(&mut linker)?;
        host_imports::add_to_linker(&mut linker)?;
        let cache = CompileCache::new(&engine, cache_dir, watcher);
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
            .load(&self.engine, wasm, wasm_sha256, tool)
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
        // The generated bindings check the exports' types; calls use exports.rs's.
        let pre = ToolPluginPre::new(pre)
            .map_err(|e| ToolError::new(ErrorCode::ContractMismatch, format!("{e:#}")))?
            .instance_pre()
            .clone();
        let exports = exports::ToolExports::find(&component)
            .map_err(|m| ToolError::new(ErrorCode::ContractMismatch, m))?;
        Ok(PreparedComponent {
            pre,
            exports,
            cache,
        })
    }

    /// Ask the component to describe itself (in a sandbox with the tool's limits).
    pub async fn describe(
        &self,
        component: &PreparedComponent,
        policy: CallPolicy<'_>,
    ) -> Result<RawToolInfo, ToolError> {
        let exports = component.exports.clone();
        let raw = self
            .run(component, policy, MAX_DESCRIBE_BYTES, |instance, store| {
                Box::pin(async move { exports.describe(instance, store).await })
            })
            .await
            .map_err(|e| match e.code {
                ErrorCode::OutputTooLarge => ToolError::new(
                    ErrorCode::ContractMismatch,
                    format!(
                        "the tool describes itself in more than {MAX_DESCRIBE_BYTES} bytes (its \
                         describe() result); toolhost accepts at most {MAX_SCHEMA_BYTES} bytes \
                         per schema and {MAX_DESCRIBE_BYTES} in all"
                    ),
                ),
                _ => e,
            })?;
        let info = raw.result;
        let schema = |what: &str, text: String| {
            if text.len() > MAX_SCHEMA_BYTES {
                return Err(ToolError::new(
                    ErrorCode::ContractMismatch,
                    format!(
                        "the tool's {what} is {} bytes; toolhost accepts schemas of at most \
                         {MAX_SCHEMA_BYTES} bytes",
                        text.len()
                    ),
                ));
            }
            Ok(text)
        };
        Ok(RawToolInfo {
            version: info.version.0,
            description: info.description.0,
            input_schema: schema("input schema", info.input_schema.0)?,
            output_schema: info
                .output_schema
                .map(|s| schema("output schema", s.0))
                .transpose()?,
            examples: info
                .examples
                .0
                .into_iter()
                .map(|e| (e.description.0, e.input.0))
                .collect(),
        })
    }

    /// Run one call in a fresh sandbox.
    pub async fn call(
        &self,
        component: &PreparedComponent,
        policy: CallPolicy<'_>,
        input: String,
    ) -> Result<RawCallResult, ToolError> {
        let limits = *policy.limits;
        let exports = component.exports.clone();
        let raw = self
            .run(
                component,
                policy,
                limits.max_output_bytes,
                move |instance, store| {
                    Box::pin(async move { exports.call(instance, store, &input).await })
                },
            )
            .await?;
        let result = match raw.result {
            Ok(items) => items
                .0
                .into_iter()
                .map(convert_content)
                .collect::<Result<Vec<_>, _>>()
                .and_then(|content| check_output_size(content, limits.max_output_bytes)),
            Err(e) => Err(convert_tool_error(e, limits.max_output_bytes)),
        };
        Ok(RawCallResult {
            result,
            logs: raw.logs,
        })
    }

    /// Instantiate in a fresh Store under the policy's limits and run `f`; what `f` lifts
    /// out of the guest is charged to `lift_budget` bytes. Errors here are the sandbox's
    /// (timeout, memory, trap, output size); the tool's own errors are in the result.
    async fn run<R: Send + 'static>(
        &self,
        component: &PreparedComponent,
        policy: CallPolicy<'_>,
        lift_budget: u64,
        f: impl for<'s> FnOnce(
            Instance,
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
        store.set_hostcall_fuel(MAX_HOSTCALL_BYTES);
        store.set_epoch_deadline(ticker::FIRST_CHECK_TICKS);
        store.epoch_deadline_callback(move |_| ticker::on_epoch(deadline));
        let _ticking = self.ticker.active_call();
        let work = lift::with_budget(lift_budget, async {
            let instance = component.pre.instantiate_async(&mut store).await?;
            f(instance, &mut store).await
        });
        let outcome = ticker::within_deadline(deadline, work).await;
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

fn convert_content(c: exports::Content) -> Result<Content, ToolError> {
    Ok(match c {
        exports::Content::Text(text) => Content::Text { text: text.0 },
        exports::Content::Json(text) => Content::Json {
            json: serde_json::from_str(&text.0).map_err(|e| {
                ToolError::new(
                    ErrorCode::ToolError,
                    format!("the tool returned a JSON item that is not valid JSON: {e}"),
                )
            })?,
        },
        exports::Content::Image(image) => Content::Image {
            mime_type: image.mime_type.0,
            data: image.data.0,
        },
        exports::Content::Sixel(sixel) => Content::Sixel { sixel: sixel.0 },
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

/// The tool's own error, its message and details each bounded like the rest of its output
/// (and by 64 KiB): a tool cannot make the host print 100 MiB through an error.
fn convert_tool_error(e: exports::ToolError, max_output_bytes: u64) -> ToolError {
    let bound = usize::try_from(max_output_bytes)
        .unwrap_or(usize::MAX)
        .min(exports::MAX_ERROR_TEXT_BYTES);
    let message = bounded_text(e.message, bound);
    let details = e.details.map(|d| {
        if d.len > bound {
            serde_json::json!({
                "dropped": format!("the tool's details were {} bytes, over the {bound}-byte limit", d.len),
            })
        } else {
            serde_json::from_str(&d.text).unwrap_or(serde_json::Value::String(d.text))
        }
    });
    let code = e.code.text;
    if code == ErrorCode::InvalidInput.as_str() {
        let error = ToolError::new(ErrorCode::InvalidInput, message);
        return match details {
            Some(d) => error.with_details(d),
            None => error,
        };
    }
    let mut merged = serde_json::json!({ "tool_code": code });
    if let Some(d) = details {
        merged["details"] = d;
    }
    ToolError::new(ErrorCode::ToolError, message).with_details(merged)
}

fn bounded_text<const N: usize>(text: lift::PrefixText<N>, bound: usize) -> String {
    if text.len <= bound {
        return text.text;
    }
    let mut kept = text.text;
    kept.truncate(kept.floor_char_boundary(bound));
    format!("{kept} [truncated: {} bytes in all]", text.len)
}
