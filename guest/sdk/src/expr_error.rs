//! An error of the expression language (`toolhost-expr`) as the `invalid_input` a caller
//! sees: the message starts with the JSON pointer of the field that held the expression,
//! the details carry that pointer, the error's kind and, for an error in the text, its
//! line, column and a caret snippet. For an unknown name, the message says what every
//! name must be and which names are known, so one call can fix it.

use serde_json::json;
use toolhost_expr::{ErrorKind, ExprError};

use crate::ToolError;

/// The names an expression may use, for the message about an unknown one.
#[derive(Clone, Debug, Default)]
pub struct NameScope {
    role: String,
    groups: Vec<(String, String)>,
}

impl NameScope {
    /// `role` says what every name must be: "the variable of integration or a parameter
    /// (in `params`)".
    pub fn new(role: impl Into<String>) -> Self {
        NameScope {
            role: role.into(),
            groups: Vec::new(),
        }
    }

    /// Adds the names known under `label` ("known here", "parameters", "data"); an empty
    /// group reads "none".
    pub fn names<S: AsRef<str>>(mut self, label: &str, names: impl IntoIterator<Item = S>) -> Self {
        let list: Vec<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        let list = if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        };
        self.groups.push((label.to_owned(), list));
        self
    }
}

/// `e`, raised by `src` (the value of the field at `pointer`), as `invalid_input`. With a
/// `scope`, an unknown name is explained by what names must be and which are known.
pub fn expr_field_error(
    e: &ExprError,
    src: &str,
    pointer: &str,
    scope: Option<&NameScope>,
) -> ToolError {
    let mut message = format!("{pointer}: {e}");
    if let (ErrorKind::UnknownVariable, Some(scope)) = (e.kind(), scope) {
        message.push_str(&format!(": every name must be {}", scope.role));
        for (label, list) in &scope.groups {
            message.push_str(&format!("; {label}: {list}"));
        }
    }
    let mut details = json!({ "pointer": pointer, "kind": format!("{:?}", e.kind()) });
    if let Some(loc) = e.location() {
        details["line"] = json!(loc.line);
        details["column"] = json!(loc.column);
        details["snippet"] = json!(e.render(src));
    }
    ToolError::invalid_input(message).with_details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolhost_expr::Expr;

    fn compile_error(src: &str, names: &[&str]) -> ExprError {
        Expr::parse(src)
            .and_then(|e| e.compile(names))
            .expect_err(src)
    }

    #[test]
    fn an_unknown_name_is_explained_with_the_names_known() {
        let src = "k * y";
        let e = compile_error(src, &["x", "k"]);
        let scope = NameScope::new("the variable or a parameter (in `params`)")
            .names("known here", ["x", "k"]);
        let err = expr_field_error(&e, src, "/f", Some(&scope));
        assert_eq!(err.code, "invalid_input");
        assert!(
            err.message.starts_with("/f: line 1, column 5: "),
            "{}",
            err.message
        );
        assert!(
            err.message.ends_with(
                ": every name must be the variable or a parameter (in `params`); known here: x, k"
            ),
            "{}",
            err.message
        );
        let d = err.details.unwrap();
        assert_eq!(d["pointer"], "/f");
        assert_eq!(d["kind"], "UnknownVariable");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(1), Some(5))
        );
        let snippet = d["snippet"].as_str().unwrap();
        assert!(snippet.ends_with("\n  k * y\n      ^"), "{snippet}");
    }

    #[test]
    fn groups_are_listed_in_order_and_an_empty_one_reads_none() {
        let src = "mu + z";
        let e = compile_error(src, &["mu"]);
        let scope = NameScope::new("a parameter (in `parameters`) or data (in `data`)")
            .names("parameters", ["mu"])
            .names("data", Vec::<String>::new());
        let err = expr_field_error(&e, src, "/log_density", Some(&scope));
        assert!(
            err.message.ends_with("; parameters: mu; data: none"),
            "{}",
            err.message
        );
    }

    #[test]
    fn without_a_scope_or_a_location_the_message_is_the_errors_own() {
        let src = "1 +";
        let e = Expr::parse(src).expect_err(src);
        let err = expr_field_error(&e, src, "/expr", None);
        assert_eq!(err.message, format!("/expr: {e}"));
        assert!(
            err.details.unwrap()["snippet"]
                .as_str()
                .unwrap()
                .contains('^')
        );
        // A name-list error has no place in the text: no line, column or snippet.
        let e = Expr::parse("x")
            .unwrap()
            .compile(&["x", "x"])
            .expect_err("duplicate");
        let d = expr_field_error(&e, "x", "/vars", None).details.unwrap();
        assert_eq!(d["kind"], "DuplicateVariable");
        assert!(d.get("snippet").is_none() && d.get("line").is_none(), "{d}");
    }
}
