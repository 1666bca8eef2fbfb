//! toolhost: the `toolhost` binary's front ends over [`toolhost_core`].
//!
//! - [`cli`]: the command line;
//! - [`mcp`]: the MCP server (stdio and Streamable HTTP);
//! - [`repl`]: the REPL whose code calls tools;
//! - [`agent`]: a language model writing REPL code until it answers;
//! - [`authoring`]: scaffolding and building new tools.
//!
//! Everything reaches tools through [`Dispatcher`]; nothing here names wasmtime (the
//! crate does not depend on it, and a test keeps it that way).

pub mod agent;
pub mod authoring;
pub mod cli;
pub mod code_mode;
pub mod graphics;
pub mod mcp;
pub mod repl;
pub mod view;

pub use toolhost_core as core;
pub use toolhost_core::{
    Allocator, CONTRACT_VERSION, CallObserver, Content, Dispatcher, DispatcherOptions, ErrorCode,
    LogLevel, LogRecord, LogSource, ToolDescription, ToolError, ToolOutput, ToolRegistry, builtins,
    dispatch, error, output, pictures, registry, suggest,
};
