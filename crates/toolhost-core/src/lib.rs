//! toolhost's core: run computational tools, written as WebAssembly components, in a
//! sandbox.
//!
//! The layers, in the one direction they depend on each other:
//! - [`registry`]: `tool_registry.yaml` parsed into typed, validated entries;
//! - `runtime`: the wasmtime engine, compile cache and per-call sandbox (private: no
//!   wasmtime type appears in this crate's public API);
//! - [`dispatch`]: the API every front end uses ([`Dispatcher::call`]), over components
//!   and over the tools of other MCP servers (`mcp_source`, the client side of MCP);
//! - [`python`]: Python sessions over the dispatcher (the interpreter runs in the
//!   sandbox too), for the REPL, the agent and scripts.

pub mod builtins;
pub mod dispatch;
pub mod error;
mod mcp_source;
pub mod output;
pub mod pictures;
pub mod python;
pub mod registry;
mod runtime;
pub mod suggest;

pub use dispatch::{CallObserver, Dispatcher, DispatcherOptions, ToolDescription};
pub use error::{ErrorCode, ToolError};
pub use output::{Content, LogLevel, LogRecord, LogSource, ToolOutput};
pub use registry::ToolRegistry;
pub use runtime::{Allocator, CONTRACT_VERSION};
pub use runtime::{CompileObserver, CompileWatcher};

/// Where the build put the test-only components (hostile fixtures); for the workspace's
/// end-to-end tests.
#[doc(hidden)]
pub const TEST_FIXTURES_DIR: &str = env!("TOOLHOST_FIXTURES_DIR");
