//! Who is calling, as the bearer token proved it: the name logs and metrics record (never
//! the token), and the tools it may call. The auth middleware puts a [`Caller`] into the
//! HTTP request's extensions; the MCP handler reads it back from the request context.

use serde_json::json;

use super::permissions::{ToolPermissions, scope_for};
use crate::error::{ErrorCode, ToolError};
use toolhost_core::python::ToolAccess;

/// How the caller proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerKind {
    /// A token listed (by hash) in `--auth-tokens`; the name is the token's.
    StaticToken,
    /// A JWT access token from `--auth-issuer`; the name is its `sub`.
    Jwt,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    pub name: String,
    pub kind: CallerKind,
    pub permissions: ToolPermissions,
}

impl Caller {
    pub fn allows(&self, tool: &str) -> bool {
        self.permissions.allows(tool)
    }

    /// How logs name the caller: `token:ci` or `jwt:user@example`.
    pub fn label(&self) -> String {
        match self.kind {
            CallerKind::StaticToken => format!("token:{}", self.name),
            CallerKind::Jwt => format!("jwt:{}", self.name),
        }
    }

    /// The permission `tool` needs, said as the caller's credential would grant it.
    pub fn missing_permission(&self, tool: &str) -> String {
        match self.kind {
            CallerKind::Jwt => format!("scope `{}` (or `tools:*`)", scope_for(tool)),
            CallerKind::StaticToken if self.permissions.excludes(tool) => format!(
                "`{tool}` in the `tools` of token `{}` (its `exclude` lists it)",
                self.name
            ),
            CallerKind::StaticToken => {
                format!("`{tool}` in the `tools` of token `{}`", self.name)
            }
        }
    }
}

/// The caller the auth middleware proved for an MCP request (rmcp hands the handler the
/// HTTP request's parts); `None` when the server has no authentication (stdio, or HTTP
/// without it).
pub fn caller_of(extensions: &rmcp::model::Extensions) -> Option<Caller> {
    extensions
        .get::<axum::http::request::Parts>()?
        .extensions
        .get::<Caller>()
        .cloned()
}

impl Caller {
    /// The `denied` error for a call of `tool` it may not make.
    pub fn denied(&self, tool: &str) -> ToolError {
        ToolError::new(
            ErrorCode::Denied,
            format!(
                "{} may not call `{tool}`: missing permission {}",
                self.label(),
                self.missing_permission(tool)
            ),
        )
        .for_tool(tool)
        .with_details(json!({
            "caller": self.label(),
            "missing_permission": scope_for(tool),
        }))
    }
}

impl ToolAccess for Caller {
    fn allows(&self, name: &str) -> bool {
        Caller::allows(self, name)
    }

    fn denied(&self, tool: &str) -> ToolError {
        Caller::denied(self, tool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denial_names_the_missing_scope() {
        let caller = Caller {
            name: "alice".into(),
            kind: CallerKind::Jwt,
            permissions: ToolPermissions::from_scopes(["tools:calc"]),
        };
        let e = caller.denied("echo");
        assert_eq!(e.code, ErrorCode::Denied);
        assert!(e.message.contains("jwt:alice"), "{}", e.message);
        assert!(e.message.contains("`tools:echo`"), "{}", e.message);
        assert_eq!(e.details.unwrap()["missing_permission"], "tools:echo");
    }
}
