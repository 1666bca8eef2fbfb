//! Schemas from tools not built with the SDK (another language, an older SDK) may use
//! `type` lists or Rust integer formats that strict MCP clients reject. The host rewrites
//! them once, at load, into the same constraints said portably (toolhost-schema), and
//! then both publishes and validates against the rewritten schema: clients and the host
//! always see one schema.

use serde_json::Value;

/// `schema` made portable; what had to change is logged, naming the tool.
pub fn portable(tool: &str, what: &str, mut schema: Value) -> Value {
    let findings = toolhost_schema::make_portable(&mut schema);
    if !findings.is_empty() {
        let listed: Vec<String> = findings.iter().take(5).map(|f| f.to_string()).collect();
        let more = findings.len().saturating_sub(listed.len());
        let more = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        tracing::warn!(
            "tool '{tool}' publishes a non-portable {what}; toolhost rewrote it to the same \
             constraints in portable JSON Schema: {}{more}",
            listed.join("; ")
        );
    }
    schema
}
