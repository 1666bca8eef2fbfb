//! toolhost: run computational tools, written as WebAssembly components, in a sandbox.
//!
//! The layers, in the one direction they depend on each other:
//! - [`registry`]: `tool_registry.yaml` parsed into typed, validated entries;
//! - `runtime`: the wasmtime engine, compile cache and per-call sandbox (private);
//! - [`dispatch`]: the API every front end uses ([`Dispatcher::call`]);
//! - the front ends: the CLI ([`cli`]) and the MCP server ([`mcp`]).

pub mod agent;
pub mod authoring;
pub mod builtins;
pub mod cli;
pub mod dispatch;
pub mod error;
pub mod mcp;
pub mod output;
pub mod registry;
pub mod repl;
mod runtime;
mod suggest;

pub use dispatch::{Dispatcher, DispatcherOptions, ToolDescription};
pub use error::{ErrorCode, ToolError};
pub use output::{Content, LogLevel, LogRecord, LogSource, ToolOutput};
pub use registry::ToolRegistry;
pub use runtime::{Allocator, CONTRACT_VERSION, CallObserver};
