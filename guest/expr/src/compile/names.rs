//! Binding the names `compile` is given, variables and data, after checking
//! that each is a valid identifier, not a constant, and given once.

use std::collections::HashMap;

use super::errors::too_large;
use crate::ast::NodeKind;
use crate::data::{Data, Datum};
use crate::error::{ErrorKind, ExprError};
use crate::expr::Expr;
use crate::functions;
use crate::shape::Binding;

fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Checks a name given to `compile`; `role` is "variable" or "data".
fn check_name(expr: &Expr, name: &str, role: &str) -> Result<(), ExprError> {
    if functions::constant(name).is_some() {
        let msg = format!("'{name}' is a reserved constant and cannot be a {role} name");
        // Point at a use of the constant if there is one.
        let used = expr
            .nodes()
            .iter()
            .find(|n| matches!(n.kind, NodeKind::Num(_)) && expr.text(n.span) == name);
        return Err(match used {
            Some(n) => ExprError::at(ErrorKind::ReservedName, msg, expr.source(), n.span),
            None => ExprError::unlocated(ErrorKind::ReservedName, msg),
        });
    }
    if !is_identifier(name) {
        return Err(ExprError::unlocated(
            ErrorKind::InvalidVariableName,
            format!(
                "'{name}' is not a valid {role} name (use letters, digits and '_', not starting with a digit)"
            ),
        ));
    }
    Ok(())
}

/// Every name the expression may use, and the data arrays by index.
pub(super) struct Names<'a> {
    pub(super) index: HashMap<&'a str, Binding>,
    pub(super) arrays: Vec<&'a [f64]>,
}

pub(super) fn bind<'a, S: AsRef<str>>(
    expr: &Expr,
    vars: &'a [S],
    data: &'a Data,
) -> Result<Names<'a>, ExprError> {
    let mut index: HashMap<&str, Binding> = HashMap::with_capacity(vars.len() + data.len());
    for (i, name) in vars.iter().enumerate() {
        let name = name.as_ref();
        check_name(expr, name, "variable")?;
        let i = u32::try_from(i).map_err(|_| too_large())?;
        if index.insert(name, Binding::Var(i)).is_some() {
            return Err(ExprError::unlocated(
                ErrorKind::DuplicateVariable,
                format!("variable '{name}' is listed more than once"),
            ));
        }
    }
    let mut arrays = Vec::new();
    for (name, datum) in data.entries() {
        let name = name.as_str();
        check_name(expr, name, "data")?;
        let binding = match datum {
            Datum::Number(x) => Binding::Number(*x),
            Datum::Array(xs) => {
                arrays.push(xs.as_slice());
                Binding::Array(u32::try_from(arrays.len() - 1).map_err(|_| too_large())?)
            }
        };
        if index.insert(name, binding).is_some() {
            return Err(ExprError::unlocated(
                ErrorKind::DuplicateVariable,
                format!("'{name}' is both a variable and a data name"),
            ));
        }
    }
    Ok(Names { index, arrays })
}
