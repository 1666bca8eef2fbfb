//! Run a tool natively the way the host runs it in the sandbox: JSON in, output out.

use crate::{Output, Tool, ToolError};
use serde_json::Value;

pub use crate::schema::input_schema;

/// Deserialize `input` as the tool's input and call it, mapping a bad input to
/// `invalid_input` exactly as the component does.
pub fn call<T: Tool>(input: Value) -> Result<Output, ToolError> {
    let typed = crate::__private::parse_input::<T>(&input.to_string())?;
    T::call(typed)
}
