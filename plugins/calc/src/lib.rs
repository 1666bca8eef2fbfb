//! `calc`: evaluate expressions of the toolhost expression language, once or over a batch
//! of variable values. The evaluation itself is plain Rust (see [`evaluate`]); only
//! `export_tool!` is WebAssembly-specific.

mod format;

use std::collections::BTreeMap;
use toolhost_expr::{Expr, ExprError};
use toolhost_sdk::{Deserialize, JsonSchema, Output, Tool, ToolError, ToolInfo, Value, json};

/// Batch evaluations per call: a bound on work and on output size.
pub const MAX_BATCH: usize = 1_000_000;

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// One expression, e.g. `2^10 + sqrt(x)`.
    #[serde(default)]
    pub expr: Option<String>,
    /// Several expressions, evaluated with the same variables.
    #[serde(default)]
    pub exprs: Option<Vec<String>>,
    /// Variable values. A number binds one value; a list binds a batch: every expression
    /// is evaluated once per element (lists must have equal lengths; numbers repeat).
    #[serde(default)]
    pub vars: BTreeMap<String, VarValue>,
}

#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(untagged)]
pub enum VarValue {
    Number(f64),
    Batch(Vec<f64>),
}

pub struct Calc;

impl Tool for Calc {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "calc",
            env!("CARGO_PKG_VERSION"),
            "Evaluate math expressions, once or over a batch of values.\n\n\
             Operators: + - * / % ^ (right-associative; -2^2 = -4), comparisons, && || !. \
             Constants: pi, e, tau, inf, nan. Functions: sin cos tan asin acos atan atan2 \
             sinh cosh tanh asinh acosh atanh exp expm1 ln log log10 log2 log1p sqrt cbrt \
             abs sign floor ceil round trunc min max pow hypot erf erfc gamma lgamma \
             factorial clamp if mod. Give `vars` as numbers, or as lists to evaluate a batch.",
        )
        .example("Arithmetic", json!({ "expr": "2^10 + sqrt(2)" }))
        .example(
            "With variables",
            json!({ "expr": "hypot(x, y)", "vars": { "x": 3, "y": 4 } }),
        )
        .example(
            "A batch",
            json!({ "expr": "x^2", "vars": { "x": [1, 2, 3] } }),
        )
        .example(
            "Several expressions",
            json!({ "exprs": ["sin(pi/6)", "gamma(5)"] }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let results = evaluate(&input)?;
        let text = format::text(&results);
        let json = if results.len() == 1 && input.exprs.is_none() {
            results[0].to_json()
        } else {
            json!({ "results": results.iter().map(EvalResult::to_json).collect::<Vec<_>>() })
        };
        Ok(Output::text(text).and_json(&json))
    }
}

toolhost_sdk::export_tool!(Calc);

/// The value(s) of one expression.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalResult {
    pub expr: String,
    pub values: Values,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    One(f64),
    Batch(Vec<f64>),
}

impl EvalResult {
    fn to_json(&self) -> Value {
        match &self.values {
            Values::One(v) => json!({ "expr": self.expr, "value": format::json_number(*v) }),
            Values::Batch(vs) => json!({
                "expr": self.expr,
                "values": vs.iter().map(|v| format::json_number(*v)).collect::<Vec<_>>(),
            }),
        }
    }
}

/// Evaluate every expression of `input`.
pub fn evaluate(input: &Input) -> Result<Vec<EvalResult>, ToolError> {
    let sources: Vec<(String, &str)> = match (&input.expr, &input.exprs) {
        (Some(e), None) => vec![("/expr".to_owned(), e.as_str())],
        (None, Some(list)) if !list.is_empty() => list
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("/exprs/{i}"), e.as_str()))
            .collect(),
        (None, Some(_)) => {
            return Err(
                ToolError::invalid_input("`exprs` is empty: give at least one expression")
                    .at("/exprs"),
            );
        }
        (Some(_), Some(_)) => {
            return Err(
                ToolError::invalid_input("give either `expr` or `exprs`, not both").at("/"),
            );
        }
        (None, None) => {
            return Err(ToolError::invalid_input(
                "missing `expr`: give an expression such as \"1 + 2\"",
            )
            .at("/expr"));
        }
    };
    let names: Vec<&str> = input.vars.keys().map(String::as_str).collect();
    let batch_len = batch_length(&input.vars)?;
    let mut results = Vec::with_capacity(sources.len());
    for (pointer, src) in sources {
        let program = Expr::parse(src)
            .and_then(|e| e.compile(&names))
            .map_err(|e| expr_error(&e, src, &pointer))?;
        let mut scratch = program.scratch();
        let values = match batch_len {
            None => {
                let row: Vec<f64> = input.vars.values().map(|v| scalar(v, 0)).collect();
                Values::One(program.eval_with(&row, &mut scratch))
            }
            Some(n) => {
                let mut row = vec![0.0; names.len()];
                let values = (0..n)
                    .map(|i| {
                        for (slot, v) in row.iter_mut().zip(input.vars.values()) {
                            *slot = scalar(v, i);
                        }
                        program.eval_with(&row, &mut scratch)
                    })
                    .collect();
                Values::Batch(values)
            }
        };
        results.push(EvalResult {
            expr: src.to_owned(),
            values,
        });
    }
    Ok(results)
}

fn scalar(v: &VarValue, i: usize) -> f64 {
    match v {
        VarValue::Number(x) => *x,
        VarValue::Batch(xs) => xs[i],
    }
}

/// The common length of the list-valued variables, or `None` when all are numbers.
fn batch_length(vars: &BTreeMap<String, VarValue>) -> Result<Option<usize>, ToolError> {
    let mut len: Option<(usize, &str)> = None;
    for (name, v) in vars {
        if let VarValue::Batch(xs) = v {
            if xs.is_empty() {
                return Err(
                    ToolError::invalid_input(format!("`{name}` is an empty list"))
                        .at(&format!("/vars/{name}")),
                );
            }
            if xs.len() > MAX_BATCH {
                return Err(ToolError::invalid_input(format!(
                    "`{name}` has {} values; at most {MAX_BATCH} are evaluated per call",
                    xs.len()
                ))
                .at(&format!("/vars/{name}")));
            }
            match len {
                Some((n, other)) if n != xs.len() => {
                    return Err(ToolError::invalid_input(format!(
                        "`{name}` has {} values but `{other}` has {n}: batch lists must have equal lengths",
                        xs.len()
                    ))
                    .at(&format!("/vars/{name}")));
                }
                None => len = Some((xs.len(), name)),
                _ => {}
            }
        }
    }
    Ok(len.map(|(n, _)| n))
}

fn expr_error(e: &ExprError, src: &str, pointer: &str) -> ToolError {
    let mut details = json!({ "pointer": pointer, "kind": format!("{:?}", e.kind()) });
    if let Some(loc) = e.location() {
        details["line"] = json!(loc.line);
        details["column"] = json!(loc.column);
    }
    details["snippet"] = json!(e.render(src));
    ToolError::invalid_input(format!("{pointer}: {e}")).with_details(details)
}

#[cfg(test)]
mod tests;
