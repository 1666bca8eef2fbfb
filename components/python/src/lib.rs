//! toolhost's Python: the Monty interpreter (pydantic's sandboxed Python in Rust) as a
//! WebAssembly component that keeps one session per instance (wit/repl/repl.wit).
//!
//! The host runs this component in its own sandbox, so a crash in the interpreter ends a
//! session, never the host. Tools are Python functions: a call pauses the interpreter,
//! the host runs the tool in a sandbox of its own, and the result comes back as a Python
//! value. Everything but the thin export layer (`wasm.rs`) compiles and is tested
//! natively, against the [`Host`] trait.

mod continuation;
mod convert;
mod errors;
mod functions;
mod host;
mod memory;
mod objects;
mod os_calls;
mod output;
mod repr;
mod rewrite;
mod session;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use continuation::needs_more;
pub use host::{
    Config, Failure, Host, Image, LogLevel, Outcome, PyError, ScriptEntry, ToolDetails, ToolEntry,
    ToolResult,
};
pub use session::Session;
