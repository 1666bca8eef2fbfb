//! Compiling the user's expressions, with errors that name the input field at fault and,
//! for a syntax error, its line, column and a caret under it.

use toolhost_expr::{Expr, Program};
use toolhost_sdk::{NameScope, ToolError, expr_field_error};

/// What every name in an integrand or a right-hand side must be.
const ROLE: &str = "the variable of integration or a parameter (in `params`)";

/// Parses `src`, the value of the field at `pointer`.
pub fn parse(src: &str, pointer: &str) -> Result<Expr, ToolError> {
    Expr::parse(src).map_err(|e| expr_field_error(&e, src, pointer, None))
}

/// Compiles `expr` (from the field at `pointer`) against `names`: the variables the
/// tool supplies followed by the parameters.
pub fn compile(expr: &Expr, pointer: &str, names: &[String]) -> Result<Program, ToolError> {
    expr.compile(names).map_err(|e| {
        let scope = NameScope::new(ROLE).names("known here", names);
        expr_field_error(&e, expr.source(), pointer, Some(&scope))
    })
}
