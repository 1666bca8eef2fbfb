//! calc's `integrate`: antiderivatives, checked by differentiating them back, and
//! definite integrals by the antiderivative (confirmed by quadrature) or, without one, by
//! adaptive Gauss–Kronrod quadrature (QUADPACK's QAGS/QAGI from `toolhost-quadrature`,
//! as the `integrate` tool uses) with a note saying so.

use std::collections::BTreeMap;

use toolhost_expr::{Symbolic, Verification};
use toolhost_quadrature::{Outcome, Status, Tolerance};
use toolhost_sdk::{Deserialize, JsonSchema, Output, ToolError, Value, expr_field_error, json};

use crate::{Input, Values, VarValue, format, sources, symbolic};

/// Quadrature tolerance, absolute and relative: the same as the agreement asked of an
/// antiderivative's value.
const QUAD_TOL: f64 = 1e-10;
/// Most subintervals: bounds the work at 21·(2·2000 − 1), about 84,000 evaluations.
const QUAD_INTERVALS: usize = 2_000;
/// Points at which the integrand must be finite for `F(b) - F(a)` to be trusted.
const CONTINUITY_SAMPLES: usize = 1_000;

/// What to integrate by.
#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(untagged)]
pub enum IntegrateSpec {
    /// An antiderivative in this variable: `"x"`.
    Variable(String),
    /// A definite integral: the variable and its limits, `{"x": [0, 1]}`. A limit is a
    /// number or an expression without variables (`"pi"`, `"inf"`).
    Definite(BTreeMap<String, [Limit; 2]>),
}

#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(untagged)]
pub enum Limit {
    Number(f64),
    Expr(String),
}

/// One integral, as returned.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegralResult {
    pub expr: String,
    pub var: String,
    /// The antiderivative, if one was found (and checked).
    pub antiderivative: Option<String>,
    pub verification: Option<Verification>,
    /// For a definite integral: the limits as given, the exact value if the antiderivative
    /// gave it, and how the value was found.
    pub definite: Option<Definite>,
    pub latex: Option<String>,
    /// The antiderivative evaluated at `at`/`vars`, for an indefinite integral.
    pub values: Option<Values>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Definite {
    pub limits: [String; 2],
    pub exact: Option<String>,
    pub value: f64,
    pub method: &'static str,
    pub error_estimate: Option<f64>,
    pub note: Option<String>,
}

impl IntegralResult {
    pub fn to_json(&self) -> Value {
        let mut out = json!({ "expr": self.expr });
        match &self.definite {
            None => {
                out["integrate"] = json!(self.var);
                out["result"] = json!(self.antiderivative);
            }
            Some(d) => {
                out["integrate"] = json!({ &self.var: d.limits });
                if let Some(a) = &self.antiderivative {
                    out["antiderivative"] = json!(a);
                }
                if let Some(e) = &d.exact {
                    out["result"] = json!(e);
                }
                out["value"] = format::json_number(d.value);
                out["method"] = json!(d.method);
                if let Some(e) = d.error_estimate {
                    out["error_estimate"] = format::json_number(e);
                }
                if let Some(n) = &d.note {
                    out["note"] = json!(n);
                }
            }
        }
        match self.verification {
            Some(Verification::Symbolic) => out["verified"] = json!("symbolic"),
            Some(Verification::Numeric { points }) => {
                out["verified"] = json!("numeric");
                out["check_points"] = json!(points);
            }
            None => {}
        }
        if let Some(l) = &self.latex {
            out["latex"] = json!(l);
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

    fn text(&self) -> String {
        let mut lines = Vec::new();
        match &self.definite {
            None => {
                lines.push(format!(
                    "{} + C",
                    self.antiderivative.as_deref().unwrap_or("?")
                ));
            }
            Some(d) => {
                if let Some(e) = &d.exact {
                    lines.push(e.clone());
                }
                let mut value = format!("= {}", format::number(d.value));
                if let Some(err) = d.error_estimate {
                    value.push_str(&format!(" (± {})", format::number(err)));
                }
                lines.push(value);
                if let Some(n) = &d.note {
                    lines.push(format!("note: {n}"));
                }
            }
        }
        if let Some(l) = &self.latex {
            lines.push(format!("LaTeX: {l}"));
        }
        match self.verification {
            Some(Verification::Symbolic) => lines.push(format!(
                "checked: d/d{} of the antiderivative simplifies to the integrand",
                self.var
            )),
            Some(Verification::Numeric { points }) => lines.push(format!(
                "checked: d/d{} of the antiderivative equals the integrand at {points} points",
                self.var
            )),
            None => {}
        }
        match &self.values {
            Some(Values::One(v)) => lines.push(format!("= {}", format::number(*v))),
            Some(Values::Batch(vs)) => {
                lines.push("=".to_owned());
                lines.extend(vs.iter().map(|v| format::number(*v)));
            }
            None => {}
        }
        lines.join("\n")
    }
}

/// Integrates every expression of `input` as `input.integrate` asks.
pub fn run(input: &Input) -> Result<Output, ToolError> {
    let results = integrate_all(input)?;
    let text = results
        .iter()
        .map(|r| {
            if results.len() == 1 {
                r.text()
            } else {
                format!("{} ->\n{}", r.expr, r.text())
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let json = if results.len() == 1 && input.exprs.is_none() {
        results[0].to_json()
    } else {
        json!({ "results": results.iter().map(IntegralResult::to_json).collect::<Vec<_>>() })
    };
    Ok(Output::text(text).and_json(&json))
}

pub fn integrate_all(input: &Input) -> Result<Vec<IntegralResult>, ToolError> {
    let Some(spec) = &input.integrate else {
        return Ok(Vec::new());
    };
    if input.diff.is_some() {
        return Err(ToolError::invalid_input(
            "give `diff` or `integrate`, not both (differentiate and integrate in separate calls)",
        )
        .at("/integrate"));
    }
    let sources = sources(input)?;
    let mut out = Vec::with_capacity(sources.len());
    match spec {
        IntegrateSpec::Variable(var) => {
            symbolic::check_name(var, "/integrate")?;
            for (pointer, src) in sources {
                out.push(indefinite(input, src, &pointer, var)?);
            }
        }
        IntegrateSpec::Definite(map) => {
            let mut entries = map.iter();
            let (Some((var, limits)), None) = (entries.next(), entries.next()) else {
                return Err(ToolError::invalid_input(
                    "`integrate` takes one variable with its limits, e.g. {\"x\": [0, 1]}",
                )
                .at("/integrate"));
            };
            symbolic::check_name(var, &format!("/integrate/{var}"))?;
            if input.at.is_some() {
                return Err(ToolError::invalid_input(
                    "a definite integral is a number: give other variables' values in `vars`, \
                     and no `at`",
                )
                .at("/at"));
            }
            let lo = limit(&limits[0], &format!("/integrate/{var}/0"))?;
            let hi = limit(&limits[1], &format!("/integrate/{var}/1"))?;
            for (pointer, src) in sources {
                out.push(definite(input, src, &pointer, var, &lo, &hi)?);
            }
        }
    }
    Ok(out)
}

fn parse(src: &str, pointer: &str) -> Result<Symbolic, ToolError> {
    Symbolic::parse(src).map_err(|e| expr_field_error(&e, src, pointer, None))
}

fn not_found(src: &str, var: &str, pointer: &str) -> ToolError {
    ToolError::new(
        "not_found",
        format!(
            "{pointer}: no antiderivative of `{src}` in {var} was found (tried partial fractions, \
             standard forms, substitution, trigonometric identities and integration by parts; \
             many integrands, such as exp(x)/x, have none in elementary functions). For its \
             value over an interval give limits, e.g. {{\"{var}\": [0, 1]}}: that falls back \
             to quadrature."
        ),
    )
    .with_details(json!({ "pointer": pointer }))
}

fn indefinite(
    input: &Input,
    src: &str,
    pointer: &str,
    var: &str,
) -> Result<IntegralResult, ToolError> {
    let f = parse(src, pointer)?;
    let found = f
        .integrate(var)
        .map_err(|e| expr_field_error(&e, src, pointer, None))?
        .ok_or_else(|| not_found(src, var, pointer))?;
    let s = found.antiderivative;
    let (vars, vars_pointer) = crate::values(input)?;
    let values = if vars.is_empty() {
        None
    } else {
        let names: Vec<&str> = vars.keys().map(String::as_str).collect();
        let batch_len = crate::batch_length(vars, vars_pointer)?;
        symbolic::check_bound(&s, &names, vars_pointer, pointer)?;
        let result = s.to_string();
        let program = s
            .to_expr()
            .map_err(|e| symbolic::unreadable(e, &result))?
            .compile(&names)
            .map_err(|e| {
                ToolError::invalid_input(format!("{vars_pointer}: {e}")).at(vars_pointer)
            })?;
        Some(crate::run(&program, vars, batch_len))
    };
    Ok(IntegralResult {
        expr: src.to_owned(),
        var: var.to_owned(),
        antiderivative: Some(s.to_string()),
        verification: Some(found.verification),
        definite: None,
        latex: input.latex.then(|| s.latex()),
        values,
    })
}

/// A limit: its text as given, its value, and its exact form.
struct LimitValue {
    text: String,
    value: f64,
    exact: Symbolic,
}

fn limit(l: &Limit, pointer: &str) -> Result<LimitValue, ToolError> {
    let text = match l {
        Limit::Number(v) => format::number(*v),
        Limit::Expr(s) => s.clone(),
    };
    let exact = parse(&text, pointer)?;
    if !exact.variables().is_empty() {
        return Err(ToolError::invalid_input(format!(
            "the limit `{text}` has variables ({}): a limit is a number or an expression such as \"pi\"",
            exact.variables().join(", ")
        ))
        .at(pointer));
    }
    let value = match l {
        Limit::Number(v) => *v,
        Limit::Expr(_) => eval_constant(&exact),
    };
    if value.is_nan() {
        return Err(
            ToolError::invalid_input(format!("the limit `{text}` is not a number")).at(pointer),
        );
    }
    Ok(LimitValue { text, value, exact })
}

fn eval_constant(s: &Symbolic) -> f64 {
    s.to_expr()
        .and_then(|e| e.compile::<&str>(&[]))
        .map(|p| p.eval(&[]))
        .unwrap_or(f64::NAN)
}

fn definite(
    input: &Input,
    src: &str,
    pointer: &str,
    var: &str,
    lo: &LimitValue,
    hi: &LimitValue,
) -> Result<IntegralResult, ToolError> {
    let mut f = parse(src, pointer)?;
    // Other variables are parameters with the values in `vars`.
    for (name, v) in &input.vars {
        if name == var {
            return Err(ToolError::invalid_input(format!(
                "`{name}` is the variable of integration: it takes no value in `vars`"
            ))
            .at(&format!("/vars/{name}")));
        }
        let VarValue::Number(x) = v else {
            return Err(ToolError::invalid_input(format!(
                "`{name}`: a definite integral takes one number per parameter, not a list"
            ))
            .at(&format!("/vars/{name}")));
        };
        f = f.substitute(name, *x);
    }
    let free: Vec<String> = f.variables().into_iter().filter(|v| v != var).collect();
    if !free.is_empty() {
        return Err(ToolError::invalid_input(format!(
            "{pointer}: the integrand depends on {}: give {} in `vars`",
            free.join(", "),
            if free.len() == 1 {
                "its value"
            } else {
                "their values"
            }
        ))
        .at("/vars"));
    }
    let program = f
        .to_expr()
        .and_then(|e| e.compile(&[var]))
        .map_err(|e| expr_field_error(&e, src, pointer, None))?;
    let integrand = |x: f64| program.eval(&[x]);
    let tol = Tolerance::new(QUAD_TOL, QUAD_TOL, QUAD_INTERVALS)
        .expect("calc's quadrature tolerance is a valid constant");
    let quad = toolhost_quadrature::integrate(integrand, lo.value, hi.value, tol);
    let found = f
        .integrate(var)
        .map_err(|e| expr_field_error(&e, src, pointer, None))?;
    let limits = [lo.text.clone(), hi.text.clone()];
    let mut result = IntegralResult {
        expr: src.to_owned(),
        var: var.to_owned(),
        antiderivative: None,
        verification: None,
        definite: None,
        latex: None,
        values: None,
    };
    let mut note = None;
    if let Some(found) = found {
        let big_f = found.antiderivative;
        result.antiderivative = Some(big_f.to_string());
        result.verification = Some(found.verification);
        match by_antiderivative(&big_f, var, lo, hi, &integrand, &quad) {
            Ok((exact, value)) => {
                result.latex = input.latex.then(|| exact.latex());
                result.definite = Some(Definite {
                    limits,
                    exact: Some(exact.to_string()),
                    value,
                    method: "antiderivative",
                    error_estimate: None,
                    note: None,
                });
                return Ok(result);
            }
            Err(why) => note = Some(why),
        }
    }
    if !converged(&quad) {
        return Err(ToolError::new(
            "not_found",
            format!(
                "{pointer}: the integral of `{src}` over [{}, {}] did not converge: quadrature \
                 stopped ({}) at {} with error estimate {} after {} evaluations (is the \
                 integrand singular or divergent on the interval?){}",
                lo.text,
                hi.text,
                stop_reason(&quad),
                format::number(quad.value),
                format::number(quad.abserr),
                quad.neval,
                note.map(|n| format!("; {n}")).unwrap_or_default()
            ),
        )
        .with_details(json!({ "pointer": pointer })));
    }
    let why = note.unwrap_or_else(|| "no antiderivative was found".to_owned());
    result.definite = Some(Definite {
        limits,
        exact: None,
        value: quad.value,
        method: "quadrature",
        error_estimate: Some(quad.abserr),
        note: Some(format!(
            "{why}; the value is by adaptive Gauss–Kronrod quadrature ({} evaluations)",
            quad.neval
        )),
    });
    Ok(result)
}

/// `F(b) - F(a)`, exact and numeric, if the integrand is finite inside the interval, `F`
/// is finite at both limits, and quadrature (when it converged) agrees; else why not.
fn by_antiderivative(
    big_f: &Symbolic,
    var: &str,
    lo: &LimitValue,
    hi: &LimitValue,
    integrand: &dyn Fn(f64) -> f64,
    quad: &Outcome,
) -> Result<(Symbolic, f64), String> {
    let (a, b) = (lo.value, hi.value);
    if a.is_finite() && b.is_finite() {
        let h = (b - a) / CONTINUITY_SAMPLES as f64;
        if let Some(x) = (0..CONTINUITY_SAMPLES)
            .map(|i| a + h * (i as f64 + 0.5))
            .find(|&x| !integrand(x).is_finite())
        {
            return Err(format!(
                "the integrand is not finite at {var} = {} inside the interval, so F(b) - F(a) \
                 does not apply",
                format::number(x)
            ));
        }
    }
    let exact = big_f
        .substitute_expr(var, &hi.exact)
        .minus(&big_f.substitute_expr(var, &lo.exact));
    let value = eval_constant(&exact);
    if !value.is_finite() {
        return Err(format!(
            "the antiderivative {big_f} has no finite value at a limit"
        ));
    }
    if converged(quad) {
        let tol = (100.0 * quad.abserr).max(1e-8 * value.abs()).max(1e-12);
        if (value - quad.value).abs() > tol {
            return Err(format!(
                "F(b) - F(a) = {} for the antiderivative {big_f} disagrees with quadrature \
                 ({}): it is not continuous on the interval",
                format::number(value),
                format::number(quad.value)
            ));
        }
        Ok((exact, value))
    } else {
        Err(format!(
            "quadrature could not confirm F(b) - F(a) = {} for the antiderivative {big_f}",
            format::number(value)
        ))
    }
}

/// A value calc can trust: QUADPACK reached the tolerance, with finite numbers throughout.
fn converged(quad: &Outcome) -> bool {
    quad.status == Status::Converged && quad.value.is_finite() && quad.abserr.is_finite()
}

/// Why quadrature that did not converge stopped, in words: QUADPACK's status, or the
/// values that were not finite.
fn stop_reason(quad: &Outcome) -> String {
    match quad.status {
        Status::Converged => "values not finite".to_owned(),
        status => status.name().replace('_', " "),
    }
}
