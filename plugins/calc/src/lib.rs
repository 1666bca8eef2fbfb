//! `calc`: evaluate expressions of the toolhost expression language, once or over a batch
//! of variable values; differentiate, simplify, integrate them symbolically and solve
//! equations. The work itself is plain Rust (see [`evaluate`], [`evaluate_symbolic`],
//! [`integrate::integrate_all`] and [`solve`]); only `export_tool!` is WebAssembly-specific.

mod format;
pub mod integrate;
pub mod solve;
mod symbolic;

use std::collections::BTreeMap;
use toolhost_expr::{Expr, Program};
use toolhost_sdk::{
    Deserialize, JsonSchema, Output, Tool, ToolError, ToolInfo, Value, expr_field_error, json,
};

pub use integrate::{IntegrateSpec, Limit};
pub use solve::SolveSpec;
pub use symbolic::{DiffSpec, MAX_ORDER, SymbolicResult};

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
    /// Differentiate symbolically: a variable name for the first derivative (`"x"`), or the
    /// order per variable (`{"x": 2, "y": 1}` for d³/dx²dy). The result is an expression,
    /// simplified; give `at` to also evaluate it. Step functions (floor, round, sign,
    /// comparisons, %, mod) have no derivative.
    #[serde(default)]
    pub diff: Option<DiffSpec>,
    /// Return the expression simplified (numbers folded, like terms collected, identities
    /// such as x*1, x^0, x/x and ln(exp(x)) applied) instead of only its value.
    #[serde(default)]
    pub simplify: bool,
    /// Also multiply out integer powers of sums in the result: `(x + 1)^2` becomes
    /// `x^2 + 2*x + 1`.
    #[serde(default)]
    pub expand: bool,
    /// Also give the result as LaTeX, e.g. for the render_math tool.
    #[serde(default)]
    pub latex: bool,
    /// Values to evaluate the derivative or simplified expression at: the same as `vars`
    /// (numbers, or lists for a batch). Give `at` or `vars`, not both.
    #[serde(default)]
    pub at: Option<BTreeMap<String, VarValue>>,
    /// Integrate symbolically: a variable name for an antiderivative (`"x"`), or the variable
    /// with its limits for a definite integral (`{"x": [0, 1]}`; a limit may be an expression
    /// such as "pi" or "inf"). Antiderivatives are checked by differentiating them back; a
    /// definite integral without one (or whose antiderivative is not continuous on the
    /// interval) is computed by adaptive quadrature, with a `note` saying so. Parameters of a
    /// definite integral take their values from `vars`.
    #[serde(default)]
    pub integrate: Option<IntegrateSpec>,
    /// Solve for an unknown (`"x"`): `expr` is an equation (`"x^2 = 2"`) or an expression set
    /// to 0. Polynomials are solved exactly (radicals up to degree 4; complex roots as re/im
    /// pairs); other equations need `range`. Several unknowns (`["x", "y"]`) solve the
    /// linear system in `equations` exactly. Every root is substituted back before it is
    /// returned.
    #[serde(default)]
    pub solve: Option<SolveSpec>,
    /// The equations of a system for `solve`, e.g. `["x + y = 3", "x - y = 1"]`.
    #[serde(default)]
    pub equations: Option<Vec<String>>,
    /// `[lo, hi]`: find the real roots in this interval numerically (sampling, Brent's method,
    /// Newton's method for roots that touch zero); for polynomials, keep the real roots in it.
    #[serde(default)]
    pub range: Option<[f64; 2]>,
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
             factorial digamma polygamma clamp if mod. Give `vars` as numbers, or as lists to \
             evaluate a batch.\n\n\
             Symbolic math: `diff` differentiates exactly (\"x\", or {\"x\": 2, \"y\": 1} for \
             mixed partials), `simplify` returns the simplified expression, `expand` multiplies \
             out powers of sums, `latex` adds LaTeX for render_math; `at` (or `vars`) evaluates \
             the result. `integrate` finds antiderivatives (\"x\") or definite integrals \
             ({\"x\": [0, 1]}, by the antiderivative or by quadrature with a note); `solve` \
             finds roots (\"x\": exact for polynomials up to degree 4, numeric on a `range` \
             otherwise) and solves linear systems given as `equations`. Every antiderivative \
             and root is checked before it is returned.",
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
        .example(
            "A derivative, evaluated",
            json!({ "expr": "sin(x)*x^2", "diff": "x", "at": { "x": 1.5 } }),
        )
        .example(
            "A mixed partial derivative as LaTeX",
            json!({ "expr": "x^3*y^2 + exp(x*y)", "diff": { "x": 2, "y": 1 }, "latex": true }),
        )
        .example(
            "Simplify",
            json!({ "expr": "(x^2*x^3)/x + 2*x - x", "simplify": true }),
        )
        .example(
            "An antiderivative",
            json!({ "expr": "x^2*exp(x)", "integrate": "x" }),
        )
        .example(
            "A definite integral",
            json!({ "expr": "1/(x^2 + 1)", "integrate": { "x": [0, 1] } }),
        )
        .example(
            "Roots of a polynomial, exactly",
            json!({ "expr": "x^3 - 2*x = 1", "solve": "x" }),
        )
        .example(
            "Roots on a range, numerically",
            json!({ "expr": "cos(x) = x/5", "solve": "x", "range": [-10, 10] }),
        )
        .example(
            "A linear system",
            json!({ "equations": ["x + y = 3", "x - y = 1"], "solve": ["x", "y"] }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        if input.solve.is_some() {
            return solve::run(&input);
        }
        if input.integrate.is_some() {
            return integrate::run(&input);
        }
        if input.equations.is_some() || input.range.is_some() {
            let field = if input.equations.is_some() {
                "/equations"
            } else {
                "/range"
            };
            return Err(ToolError::invalid_input(format!(
                "`{}` goes with `solve`: name the unknown(s), e.g. \"solve\": \"x\"",
                field.trim_start_matches('/')
            ))
            .at(field));
        }
        if symbolic::requested(&input) {
            let results = evaluate_symbolic(&input)?;
            let text = format::symbolic_text(&results);
            let json = if results.len() == 1 && input.exprs.is_none() {
                results[0].to_json()
            } else {
                json!({ "results": results.iter().map(SymbolicResult::to_json).collect::<Vec<_>>() })
            };
            return Ok(Output::text(text).and_json(&json));
        }
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

/// The expressions of `input`, each with the JSON pointer to it.
fn sources(input: &Input) -> Result<Vec<(String, &str)>, ToolError> {
    match (&input.expr, &input.exprs) {
        (Some(e), None) => Ok(vec![("/expr".to_owned(), e.as_str())]),
        (None, Some(list)) if !list.is_empty() => Ok(list
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("/exprs/{i}"), e.as_str()))
            .collect()),
        (None, Some(_)) => Err(ToolError::invalid_input(
            "`exprs` is empty: give at least one expression",
        )
        .at("/exprs")),
        (Some(_), Some(_)) => {
            Err(ToolError::invalid_input("give either `expr` or `exprs`, not both").at("/"))
        }
        (None, None) => Err(ToolError::invalid_input(
            "missing `expr`: give an expression such as \"1 + 2\"",
        )
        .at("/expr")),
    }
}

/// The variable values, from `vars` or `at`, and the pointer to the field they came from.
fn values(input: &Input) -> Result<(&BTreeMap<String, VarValue>, &'static str), ToolError> {
    match &input.at {
        Some(_) if !input.vars.is_empty() => Err(ToolError::invalid_input(
            "give the values in `at` or in `vars`, not both",
        )
        .at("/at")),
        Some(at) => Ok((at, "/at")),
        None => Ok((&input.vars, "/vars")),
    }
}

/// Evaluate every expression of `input`.
pub fn evaluate(input: &Input) -> Result<Vec<EvalResult>, ToolError> {
    let sources = sources(input)?;
    let (vars, vars_pointer) = values(input)?;
    let names: Vec<&str> = vars.keys().map(String::as_str).collect();
    let batch_len = batch_length(vars, vars_pointer)?;
    let mut results = Vec::with_capacity(sources.len());
    for (pointer, src) in sources {
        let program = Expr::parse(src)
            .and_then(|e| e.compile(&names))
            .map_err(|e| expr_field_error(&e, src, &pointer, None))?;
        results.push(EvalResult {
            expr: src.to_owned(),
            values: run(&program, vars, batch_len),
        });
    }
    Ok(results)
}

/// Differentiate, simplify or expand every expression of `input`, and evaluate the
/// results when values are given (or when a result is a constant).
pub fn evaluate_symbolic(input: &Input) -> Result<Vec<SymbolicResult>, ToolError> {
    let sources = sources(input)?;
    let orders = symbolic::orders(&input.diff)?;
    let (vars, vars_pointer) = values(input)?;
    let names: Vec<&str> = vars.keys().map(String::as_str).collect();
    let batch_len = batch_length(vars, vars_pointer)?;
    let mut results = Vec::with_capacity(sources.len());
    for (pointer, src) in sources {
        let (s, mut result) = symbolic::transform(src, &pointer, input, &orders)?;
        if !vars.is_empty() || s.variables().is_empty() {
            symbolic::check_bound(&s, &names, vars_pointer, &pointer)?;
            let program = s
                .to_expr()
                .map_err(|e| symbolic::unreadable(e, &result.result))?
                .compile(&names)
                .map_err(|e| {
                    ToolError::invalid_input(format!("{vars_pointer}: {e}")).at(vars_pointer)
                })?;
            result.values = Some(run(&program, vars, batch_len));
        }
        results.push(result);
    }
    Ok(results)
}

/// The value of `program` for the values of `vars` (in name order), once or per batch row.
fn run(program: &Program, vars: &BTreeMap<String, VarValue>, batch_len: Option<usize>) -> Values {
    let mut scratch = program.scratch();
    match batch_len {
        None => {
            let row: Vec<f64> = vars.values().map(|v| scalar(v, 0)).collect();
            Values::One(program.eval_with(&row, &mut scratch))
        }
        Some(n) => {
            let mut row = vec![0.0; vars.len()];
            let values = (0..n)
                .map(|i| {
                    for (slot, v) in row.iter_mut().zip(vars.values()) {
                        *slot = scalar(v, i);
                    }
                    program.eval_with(&row, &mut scratch)
                })
                .collect();
            Values::Batch(values)
        }
    }
}

fn scalar(v: &VarValue, i: usize) -> f64 {
    match v {
        VarValue::Number(x) => *x,
        VarValue::Batch(xs) => xs[i],
    }
}

/// The common length of the list-valued variables, or `None` when all are numbers.
fn batch_length(
    vars: &BTreeMap<String, VarValue>,
    pointer: &str,
) -> Result<Option<usize>, ToolError> {
    let mut len: Option<(usize, &str)> = None;
    for (name, v) in vars {
        if let VarValue::Batch(xs) = v {
            if xs.is_empty() {
                return Err(
                    ToolError::invalid_input(format!("`{name}` is an empty list"))
                        .at(&format!("{pointer}/{name}")),
                );
            }
            if xs.len() > MAX_BATCH {
                return Err(ToolError::invalid_input(format!(
                    "`{name}` has {} values; at most {MAX_BATCH} are evaluated per call",
                    xs.len()
                ))
                .at(&format!("{pointer}/{name}")));
            }
            match len {
                Some((n, other)) if n != xs.len() => {
                    return Err(ToolError::invalid_input(format!(
                        "`{name}` has {} values but `{other}` has {n}: batch lists must have equal lengths",
                        xs.len()
                    ))
                    .at(&format!("{pointer}/{name}")));
                }
                None => len = Some((xs.len(), name)),
                _ => {}
            }
        }
    }
    Ok(len.map(|(n, _)| n))
}

#[cfg(test)]
mod tests;
