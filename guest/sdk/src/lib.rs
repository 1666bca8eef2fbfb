//! The toolhost guest SDK: write a tool as a typed input struct and a function.
//!
//! ```ignore
//! use toolhost_sdk::{Output, Tool, ToolError, ToolInfo, JsonSchema, Deserialize};
//!
//! #[derive(Deserialize, JsonSchema)]
//! #[serde(deny_unknown_fields)]
//! struct Input { /// Who to greet.
//!     name: String }
//!
//! struct Greet;
//! impl Tool for Greet {
//!     type Input = Input;
//!     fn info() -> ToolInfo { ToolInfo::new("greet", env!("CARGO_PKG_VERSION"), "Say hello.") }
//!     fn call(input: Input) -> Result<Output, ToolError> {
//!         Ok(Output::text(format!("hello, {}", input.name)))
//!     }
//! }
//! toolhost_sdk::export_tool!(Greet);
//! ```
//!
//! The input schema the host validates against is derived from `Input` (schemars), so it
//! is never written twice. Everything except the export glue compiles natively, so a
//! tool's logic is unit-tested with plain `cargo test` (see [`testing`]).

// Lets the generated bindings name this crate by its public path, also from inside it.
extern crate self as toolhost_sdk;

mod content;
mod error;
#[cfg(feature = "expr")]
mod expr_error;
mod host;
mod info;
pub mod operations;
mod schema;
pub mod testing;
mod tool;

#[doc(hidden)]
pub mod __private;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod bindings;

pub use content::{Content, Output};
pub use error::ToolError;
#[cfg(feature = "expr")]
pub use expr_error::{NameScope, expr_field_error};
pub use host::{LogLevel, log, progress};
pub use info::{Example, ToolInfo};
pub use tool::Tool;

pub use schemars::{self, JsonSchema};
pub use serde::{self, Deserialize, Serialize};
pub use serde_json::{self, Value, json};

/// Export a type implementing [`Tool`] as this component's tool.
///
/// Expands to nothing on native targets, so the crate still builds and tests natively.
#[macro_export]
macro_rules! export_tool {
    ($tool:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct ToolhostExport;
            impl $crate::bindings::exports::toolhost::tool::tool::Guest for ToolhostExport {
                fn describe() -> $crate::bindings::exports::toolhost::tool::tool::ToolInfo {
                    $crate::__private::describe::<$tool>()
                }
                fn call(
                    input: ::std::string::String,
                ) -> ::std::result::Result<
                    ::std::vec::Vec<$crate::bindings::exports::toolhost::tool::tool::Content>,
                    $crate::bindings::exports::toolhost::tool::tool::ToolError,
                > {
                    $crate::__private::call::<$tool>(&input)
                }
            }
    $crate::bindings::__export_tool_plugin!(ToolhostExport with_types_in $crate::bindings);
        };
    };
}
