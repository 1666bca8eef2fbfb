//! The errors compiling finds in an expression: names that resolve to
//! nothing, arrays outside reductions, operations that are not smooth, and
//! programs too large for the tape.

use super::ir::{IrOp, Rough};
use crate::ast::Node;
use crate::data::Data;
use crate::elementary::Bin;
use crate::error::{ErrorKind, ExprError, Span, suggest};
use crate::expr::Expr;
use crate::functions::{self, CONSTANTS};
use crate::text::Text;

pub(super) fn too_large() -> ExprError {
    ExprError::unlocated(ErrorKind::TooLong, "expression is too large to compile")
}

pub(super) fn unknown_variable<S: AsRef<str>>(
    expr: &Expr,
    span: Span,
    name: &str,
    vars: &[S],
    data: &Data,
) -> ExprError {
    let hint = if functions::lookup(name).is_some() {
        format!(" ('{name}' is a function: call it as {name}(...))")
    } else {
        let known = vars
            .iter()
            .map(|v| v.as_ref())
            .chain(data.names())
            .chain(CONSTANTS.iter().map(|(c, _)| *c));
        match suggest(name, known) {
            Some(s) => format!(" (did you mean '{s}'?)"),
            None => String::new(),
        }
    };
    ExprError::at(
        ErrorKind::UnknownVariable,
        format!("unknown variable '{name}'{hint}"),
        expr.source(),
        span,
    )
}

pub(super) fn unbound_text(expr: &Expr, span: Span, text: &Text) -> ExprError {
    let literal = expr.text(span);
    let message = if *text == Text::new() {
        format!("text {literal} cannot be used here: values are numbers")
    } else {
        format!("text {literal} has no value bound to it")
    };
    ExprError::at(ErrorKind::TextMisuse, message, expr.source(), span)
}

/// For an array-valued node outside any reduction; the shape analysis
/// reports these first, so this is a fallback.
pub(super) fn unreduced(expr: &Expr, node: &Node) -> ExprError {
    ExprError::at(
        ErrorKind::ArrayNotReduced,
        "a data array is used outside a reduction: wrap it in sum(...) or mean(...)",
        expr.source(),
        node.span,
    )
}

pub(super) fn not_smooth(expr: &Expr, rough: Rough) -> ExprError {
    let span = expr.nodes()[rough.node as usize].span;
    let name = expr.text(span);
    let why = match rough.op {
        IrOp::Select(..) => "its result jumps where the condition changes",
        IrOp::Bin(Bin::Rem | Bin::Mod, ..) => "it jumps at multiples of the divisor",
        IrOp::Dist(..) => {
            "its count argument depends on the variables, and a count must be data (an integer), not a sampled value"
        }
        _ => "it is piecewise constant, so its gradient is zero or undefined",
    };
    ExprError::at(
        ErrorKind::NotSmooth,
        format!("'{name}' is not smooth: {why}"),
        expr.source(),
        span,
    )
}
