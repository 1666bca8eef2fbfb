//! Compiling the user's expressions, with errors that name the input field at fault and,
//! for a syntax error, its line, column and a caret under it.

use toolhost_expr::{Expr, Program};
use toolhost_sdk::{NameScope, ToolError, expr_field_error};

/// Parses `src`, the value of the field at `pointer`.
pub fn parse(src: &str, pointer: &str) -> Result<Expr, ToolError> {
    Expr::parse(src).map_err(|e| expr_field_error(&e, src, pointer, None))
}

/// Compiles `expr` (from the field at `pointer`) against `names`; `role` says where the
/// names come from, for an unknown one ("a variable in x0 or a parameter in params").
pub fn compile(
    expr: &Expr,
    pointer: &str,
    names: &[String],
    role: &str,
) -> Result<Program, ToolError> {
    expr.compile(names).map_err(|e| {
        let scope = NameScope::new(role).names("known here", names);
        expr_field_error(&e, expr.source(), pointer, Some(&scope))
    })
}

/// What an unknown name in a residual or an equation must be.
pub const UNKNOWN_OR_PARAMETER: &str = "an unknown (a key of x0) or a parameter (in params)";

/// Parses and compiles each `(pointer, source)` against `names`, the unknowns then the
/// parameters: the residuals of a fit, the equations of a system.
pub fn compile_each<'a>(
    sources: impl IntoIterator<Item = (String, &'a str)>,
    names: &[String],
) -> Result<Vec<Program>, ToolError> {
    sources
        .into_iter()
        .map(|(pointer, src)| {
            let expr = parse(src, &pointer)?;
            compile(&expr, &pointer, names, UNKNOWN_OR_PARAMETER)
        })
        .collect()
}
