//! What code run through the server may reach: the tools the caller's token allows and,
//! for `run_python`'s code, only those this server offers (its `--tools`/`--exclude-tools`
//! selection) — otherwise code could call a tool the server was told not to serve.

use toolhost_core::python::ToolAccess;

use super::auth::Caller;
use super::selection::ToolSelection;
use crate::error::{ErrorCode, ToolError};

pub struct CodeAccess {
    /// `None` for a registry script, which may use tools the server does not list.
    pub selection: Option<ToolSelection>,
    pub caller: Option<Caller>,
}

impl CodeAccess {
    fn offers(&self, name: &str) -> bool {
        self.selection.as_ref().is_none_or(|s| s.allows(name))
    }
}

impl ToolAccess for CodeAccess {
    fn allows(&self, name: &str) -> bool {
        self.offers(name) && self.caller.as_ref().is_none_or(|c| c.allows(name))
    }

    fn denied(&self, name: &str) -> ToolError {
        match &self.caller {
            Some(caller) if self.offers(name) => caller.denied(name),
            _ => ToolError::new(
                ErrorCode::Denied,
                format!(
                    "`{name}` is not offered by this server (its --tools/--exclude-tools \
                     selection), so code run through it cannot call it either"
                ),
            )
            .for_tool(name),
        }
    }
}
