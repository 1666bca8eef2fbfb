//! The input schema a tool declares to the host, derived from its input type.

use crate::Tool;
use serde_json::Value;

/// The input schema the host will see.
pub fn input_schema<T: Tool>() -> Value {
    serde_json::to_value(schemars::schema_for!(T::Input)).expect("schemas serialise")
}
