//! calc's `solve`: polynomial equations exactly (up to degree four in radicals, numeric
//! beyond), linear systems exactly, and other equations numerically on a range. Every root
//! and solution is substituted back by `toolhost_expr` before it is returned.

use toolhost_expr::{LinearOutcome, Root, Symbolic, solve_linear_system};
use toolhost_sdk::{Deserialize, JsonSchema, Output, ToolError, Value, expr_field_error, json};

use crate::{Input, format, symbolic};

/// Most unknowns in one linear system.
pub const MAX_UNKNOWNS: usize = 100;

/// What to solve for.
#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(untagged)]
pub enum SolveSpec {
    /// One unknown: `"x"`.
    Unknown(String),
    /// Several unknowns of a linear system given in `equations`: `["x", "y"]`.
    Unknowns(Vec<String>),
}

pub fn run(input: &Input) -> Result<Output, ToolError> {
    let Some(spec) = &input.solve else {
        return Err(ToolError::invalid_input("missing `solve`").at("/solve"));
    };
    if input.diff.is_some() || input.integrate.is_some() {
        return Err(ToolError::invalid_input(
            "give one of `diff`, `integrate` and `solve` per call",
        )
        .at("/solve"));
    }
    let unknowns: Vec<String> = match spec {
        SolveSpec::Unknown(u) => vec![u.clone()],
        SolveSpec::Unknowns(us) => us.clone(),
    };
    if unknowns.is_empty() || unknowns.len() > MAX_UNKNOWNS {
        return Err(ToolError::invalid_input(format!(
            "`solve` names {} unknowns: give 1 to {MAX_UNKNOWNS}",
            unknowns.len()
        ))
        .at("/solve"));
    }
    for (i, u) in unknowns.iter().enumerate() {
        let pointer = match spec {
            SolveSpec::Unknown(_) => "/solve".to_owned(),
            SolveSpec::Unknowns(_) => format!("/solve/{i}"),
        };
        symbolic::check_name(u, &pointer)?;
        if unknowns[..i].contains(u) {
            return Err(ToolError::invalid_input(format!("`{u}` is named twice")).at(&pointer));
        }
    }
    let equations = equations(input)?;
    let (json, text) = if unknowns.len() == 1 && equations.len() == 1 {
        let (pointer, src, eq) = &equations[0];
        one_unknown(input, src, pointer, eq, &unknowns[0])?
    } else {
        system(&equations, &unknowns)?
    };
    Ok(Output::text(text).and_json(&json))
}

/// The equations as `lhs - rhs`, each with its pointer and text.
fn equations(input: &Input) -> Result<Vec<(String, String, Symbolic)>, ToolError> {
    let list: Vec<(String, &str)> = match (&input.expr, &input.equations, &input.exprs) {
        (_, _, Some(_)) => {
            return Err(ToolError::invalid_input(
                "`solve` takes `expr` (one equation) or `equations`, not `exprs`",
            )
            .at("/exprs"));
        }
        (Some(e), None, None) => vec![("/expr".to_owned(), e.as_str())],
        (None, Some(es), None) if !es.is_empty() => es
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("/equations/{i}"), e.as_str()))
            .collect(),
        (None, Some(_), None) => {
            return Err(ToolError::invalid_input("`equations` is empty").at("/equations"));
        }
        (Some(_), Some(_), None) => {
            return Err(
                ToolError::invalid_input("give `expr` or `equations`, not both").at("/equations"),
            );
        }
        (None, None, None) => {
            return Err(ToolError::invalid_input(
                "missing the equation: give `expr` (\"x^2 = 2\", or an expression equal to 0) \
                 or `equations` for a system",
            )
            .at("/expr"));
        }
    };
    list.into_iter()
        .map(|(pointer, src)| {
            let eq = equation(src, &pointer)?;
            Ok((pointer, src.to_owned(), eq))
        })
        .collect()
}

/// `lhs = rhs` as `lhs - rhs`; an expression without `=` is set equal to 0.
fn equation(src: &str, pointer: &str) -> Result<Symbolic, ToolError> {
    let bytes = src.as_bytes();
    let equals: Vec<usize> = (0..bytes.len())
        .filter(|&i| {
            bytes[i] == b'='
                && !matches!(
                    bytes.get(i.wrapping_sub(1)),
                    Some(b'=' | b'<' | b'>' | b'!')
                )
                && bytes.get(i + 1) != Some(&b'=')
        })
        .collect();
    let parse = |s: &str| Symbolic::parse(s).map_err(|e| expr_field_error(&e, s, pointer, None));
    match equals.as_slice() {
        [] => parse(src),
        [i] => {
            let (lhs, rhs) = (&src[..*i], &src[i + 1..]);
            Ok(parse(lhs)?.minus(&parse(rhs)?))
        }
        _ => Err(ToolError::invalid_input(format!(
            "{pointer}: `{src}` has more than one `=`: give one equation per entry"
        ))
        .at(pointer)),
    }
}

fn root_json(r: &Root) -> Value {
    let text = |s: &Option<Symbolic>| s.as_ref().map(ToString::to_string);
    let mut out = if r.is_real() {
        let mut o = json!({ "value": format::json_number(r.re) });
        if let Some(e) = text(&r.exact_re) {
            o["exact"] = json!(e);
        }
        o
    } else {
        let mut o = json!({ "re": format::json_number(r.re), "im": format::json_number(r.im) });
        if let (Some(re), Some(im)) = (text(&r.exact_re), text(&r.exact_im)) {
            o["exact_re"] = json!(re);
            o["exact_im"] = json!(im);
        }
        o
    };
    if r.multiplicity > 1 {
        out["multiplicity"] = json!(r.multiplicity);
    }
    out
}

fn root_text(r: &Root) -> String {
    let exact = |s: &Option<Symbolic>| s.as_ref().map(ToString::to_string);
    let mut line = if r.is_real() {
        match exact(&r.exact_re) {
            Some(e) if e != format::number(r.re) => format!("{e} ≈ {}", format::number(r.re)),
            _ => format::number(r.re),
        }
    } else {
        let sign = if r.im < 0.0 { "-" } else { "+" };
        let numeric = format!(
            "{} {sign} {}i",
            format::number(r.re),
            format::number(r.im.abs())
        );
        match (exact(&r.exact_re), exact(&r.exact_im)) {
            (Some(re), Some(im)) => format!("{re} + ({im})*i ≈ {numeric}"),
            _ => numeric,
        }
    };
    if r.multiplicity > 1 {
        line.push_str(&format!(" (multiplicity {})", r.multiplicity));
    }
    line
}

fn one_unknown(
    input: &Input,
    src: &str,
    pointer: &str,
    eq: &Symbolic,
    var: &str,
) -> Result<(Value, String), ToolError> {
    let others: Vec<String> = eq.variables().into_iter().filter(|v| v != var).collect();
    if !others.is_empty() {
        return Err(ToolError::invalid_input(format!(
            "{pointer}: the equation has variables besides {var} ({}): solve takes numbers as \
             coefficients",
            others.join(", ")
        ))
        .at(pointer));
    }
    if eq.variables().is_empty() {
        return Err(ToolError::invalid_input(format!(
            "{pointer}: `{src}` does not depend on {var}: there is nothing to solve"
        ))
        .at(pointer));
    }
    let range = match input.range {
        Some([lo, hi]) if lo.is_finite() && hi.is_finite() && lo < hi => Some((lo, hi)),
        Some(_) => {
            return Err(
                ToolError::invalid_input("`range` is [lo, hi] with finite lo < hi").at("/range"),
            );
        }
        None => None,
    };
    let located = |e: toolhost_expr::ExprError| expr_field_error(&e, src, pointer, None);
    let mut out = json!({ "expr": src, "solve": var });
    let mut lines = Vec::new();
    let (roots, method) = match eq.polynomial_roots(var).map_err(located)? {
        Some(mut roots) => {
            if let Some((lo, hi)) = range {
                let all = roots.len();
                roots.retain(|r| r.is_real() && (lo..=hi).contains(&r.re));
                if roots.len() < all {
                    out["note"] = json!(format!(
                        "{} root(s) outside the range or complex left out",
                        all - roots.len()
                    ));
                }
            }
            (roots, "exact")
        }
        None => {
            let Some((lo, hi)) = range else {
                return Err(ToolError::invalid_input(format!(
                    "{pointer}: `{src}` is not a polynomial in {var} (of degree at most 64 \
                     with numeric coefficients): give `range` [lo, hi] to find its real roots \
                     there numerically"
                ))
                .at("/range"));
            };
            let values = eq.real_roots_in(var, lo, hi).map_err(located)?;
            let roots = values
                .into_iter()
                .map(|v| Root {
                    re: v,
                    im: 0.0,
                    exact_re: None,
                    exact_im: None,
                    multiplicity: 1,
                })
                .collect();
            (roots, "numeric")
        }
    };
    if let Some((lo, hi)) = range {
        out["range"] = json!([lo, hi]);
    }
    out["method"] = json!(method);
    out["roots"] = roots.iter().map(root_json).collect();
    out["verified"] = json!("each root substituted back");
    if roots.is_empty() {
        lines.push(match range {
            Some((lo, hi)) => format!(
                "no {}roots in [{}, {}]",
                if method == "exact" { "real " } else { "" },
                format::number(lo),
                format::number(hi)
            ),
            None => "no roots".to_owned(),
        });
    }
    for r in &roots {
        lines.push(format!("{var} = {}", root_text(r)));
    }
    if let Some(n) = out.get("note").and_then(Value::as_str) {
        lines.push(format!("note: {n}"));
    }
    Ok((out, lines.join("\n")))
}

fn system(
    equations: &[(String, String, Symbolic)],
    unknowns: &[String],
) -> Result<(Value, String), ToolError> {
    let names: Vec<&str> = unknowns.iter().map(String::as_str).collect();
    let eqs: Vec<Symbolic> = equations.iter().map(|(_, _, e)| e.clone()).collect();
    let outcome = solve_linear_system(&eqs, &names).map_err(|e| {
        let pointer = match &e {
            toolhost_expr::SystemError::NotLinear { equation, .. }
            | toolhost_expr::SystemError::NotNumeric { equation, .. }
            | toolhost_expr::SystemError::CheckFailed { equation } => {
                equations[*equation].0.clone()
            }
        };
        ToolError::invalid_input(format!("{pointer}: {e}")).at(&pointer)
    })?;
    let texts: Vec<&str> = equations.iter().map(|(_, s, _)| s.as_str()).collect();
    let mut out = json!({ "equations": texts, "solve": unknowns });
    let text = match outcome {
        LinearOutcome::Unique(values) => {
            let mut solution = serde_json::Map::new();
            let mut lines = Vec::new();
            for (u, v) in unknowns.iter().zip(&values) {
                let value = v.as_number().unwrap_or(f64::NAN);
                solution.insert(
                    u.clone(),
                    json!({ "exact": v.to_string(), "value": format::json_number(value) }),
                );
                let shown = v.to_string();
                lines.push(if shown == format::number(value) {
                    format!("{u} = {shown}")
                } else {
                    format!("{u} = {shown} ≈ {}", format::number(value))
                });
            }
            out["status"] = json!("unique");
            out["solution"] = Value::Object(solution);
            out["verified"] = json!("substituted back into every equation");
            lines.join("\n")
        }
        LinearOutcome::Inconsistent { rank } => {
            out["status"] = json!("inconsistent");
            out["rank"] = json!(rank);
            format!("no solution: the equations contradict each other (rank {rank})")
        }
        LinearOutcome::Underdetermined { rank } => {
            out["status"] = json!("underdetermined");
            out["rank"] = json!(rank);
            format!(
                "infinitely many solutions: {rank} independent equation(s) for {} unknowns",
                unknowns.len()
            )
        }
    };
    Ok((out, text))
}
