//! The symbolic side of calc: derivatives, simplification, expansion and LaTeX, with the
//! result optionally evaluated like any expression.

use std::collections::BTreeMap;

use toolhost_expr::{ErrorKind, Symbolic};
use toolhost_sdk::{Deserialize, JsonSchema, ToolError, Value, expr_field_error, json};

use crate::{Input, Values, format};

/// Most differentiations in one call, over all variables; growth is bounded separately.
pub const MAX_ORDER: u32 = 100;

/// What to differentiate by.
#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(untagged)]
pub enum DiffSpec {
    /// One variable, once: `"x"`.
    Variable(String),
    /// The order per variable: `{"x": 2, "y": 1}` is d³/dx²dy.
    Orders(BTreeMap<String, u32>),
}

/// One expression after the symbolic operations, and its value(s) if asked.
#[derive(Debug, Clone, PartialEq)]
pub struct SymbolicResult {
    pub expr: String,
    /// The orders differentiated by, if any.
    pub diff: BTreeMap<String, u32>,
    /// The result, as an expression of the language.
    pub result: String,
    pub latex: Option<String>,
    pub values: Option<Values>,
}

impl SymbolicResult {
    pub fn to_json(&self) -> Value {
        let mut out = json!({ "expr": self.expr, "result": self.result });
        if !self.diff.is_empty() {
            out["diff"] = json!(self.diff);
        }
        if let Some(latex) = &self.latex {
            out["latex"] = json!(latex);
        }
        match &self.values {
            Some(Values::One(v)) => out["value"] = format::json_number(*v),
            Some(Values::Batch(vs)) => {
                out["values"] = vs.iter().map(|v| format::json_number(*v)).collect();
            }
            None => {}
        }
        out
    }
}

/// True when the input asks for anything symbolic.
pub fn requested(input: &Input) -> bool {
    input.diff.is_some() || input.simplify || input.expand || input.latex
}

/// The differentiation orders, checked.
pub fn orders(spec: &Option<DiffSpec>) -> Result<BTreeMap<String, u32>, ToolError> {
    let orders = match spec {
        None => return Ok(BTreeMap::new()),
        Some(DiffSpec::Variable(v)) => {
            check_name(v, "/diff")?;
            BTreeMap::from([(v.clone(), 1)])
        }
        Some(DiffSpec::Orders(map)) => {
            if map.is_empty() {
                return Err(ToolError::invalid_input(
                    "`diff` names no variable: give e.g. {\"x\": 2} for the second derivative in x",
                )
                .at("/diff"));
            }
            for (name, &order) in map {
                let pointer = format!("/diff/{name}");
                check_name(name, &pointer)?;
                if order == 0 {
                    return Err(ToolError::invalid_input(format!(
                        "the order for `{name}` is 0: give 1 or more, or leave `{name}` out"
                    ))
                    .at(&pointer));
                }
            }
            map.clone()
        }
    };
    let total: u64 = orders.values().map(|&o| u64::from(o)).sum();
    if total > u64::from(MAX_ORDER) {
        return Err(ToolError::invalid_input(format!(
            "`diff` asks for {total} differentiations; at most {MAX_ORDER} are done per call"
        ))
        .at("/diff"));
    }
    Ok(orders)
}

pub(crate) fn check_name(name: &str, pointer: &str) -> Result<(), ToolError> {
    let mut bytes = name.bytes();
    let identifier = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !identifier {
        return Err(ToolError::invalid_input(format!(
            "`{name}` is not a variable name: use letters, digits and '_', not starting with a digit"
        ))
        .at(pointer));
    }
    if toolhost_expr::CONSTANTS.iter().any(|(c, _)| *c == name) {
        return Err(
            ToolError::invalid_input(format!("`{name}` is a constant, not a variable")).at(pointer),
        );
    }
    Ok(())
}

/// Differentiates, simplifies or expands `src` as `input` asks.
pub fn transform(
    src: &str,
    pointer: &str,
    input: &Input,
    orders: &BTreeMap<String, u32>,
) -> Result<(Symbolic, SymbolicResult), ToolError> {
    let located = |e: toolhost_expr::ExprError| expr_field_error(&e, src, pointer, None);
    let mut s = Symbolic::parse(src).map_err(located)?;
    for (var, &order) in orders {
        s.differentiate(var, order).map_err(located)?;
    }
    if input.expand {
        s.expand().map_err(located)?;
    }
    let result = SymbolicResult {
        expr: src.to_owned(),
        diff: orders.clone(),
        result: s.to_string(),
        latex: input.latex.then(|| s.latex()),
        values: None,
    };
    Ok((s, result))
}

/// Checks that `values` binds every variable of the result before it is compiled, so the
/// error names what is missing rather than a position in text the caller never wrote.
pub fn check_bound(
    s: &Symbolic,
    bound: &[&str],
    values_pointer: &str,
    expr_pointer: &str,
) -> Result<(), ToolError> {
    let missing: Vec<String> = s
        .variables()
        .into_iter()
        .filter(|v| !bound.contains(&v.as_str()))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ToolError::invalid_input(format!(
        "{expr_pointer}: the result depends on {}: give {} in `{}` to evaluate it",
        missing.join(", "),
        if missing.len() == 1 {
            "its value"
        } else {
            "their values"
        },
        values_pointer.trim_start_matches('/'),
    ))
    .at(values_pointer))
}

/// The error kind of a result that could not be written back: a bug, reported plainly.
pub fn unreadable(e: toolhost_expr::ExprError, result: &str) -> ToolError {
    let kind = if e.kind() == ErrorKind::TooLong {
        "too_large"
    } else {
        "internal"
    };
    ToolError::new(
        kind,
        format!("the result `{result}` could not be compiled: {e}"),
    )
}
