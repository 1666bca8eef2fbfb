//! Numbers that describe a matrix: `det` (with log|det| and sign, which do not
//! overflow), `rank` (singular values above a tolerance), `cond` and `norm` in the
//! Frobenius, 1, 2, ∞ and nuclear norms.

use std::borrow::Cow;

use faer::Mat;
use faer::linalg::solvers::DenseSolveCore;
use faer::prelude::*;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use toolhost_sdk::{ToolError, json};

use crate::conditioning::{EPS, condition_warnings, inverse_norm1_estimate, norm1, show};
use crate::decompose::MatrixInput;
use crate::matrix::{Rows, VectorOrRows, matrix, operand, square};
use crate::report::{Report, num};

/// Which norm: numpy's `ord`.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(try_from = "RawOrd")]
pub enum NormOrd {
    Fro,
    Nuc,
    One,
    Two,
    Inf,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawOrd {
    Int(i64),
    Text(String),
}

impl TryFrom<RawOrd> for NormOrd {
    type Error = String;

    fn try_from(raw: RawOrd) -> Result<Self, String> {
        match raw {
            RawOrd::Int(1) => Ok(NormOrd::One),
            RawOrd::Int(2) => Ok(NormOrd::Two),
            RawOrd::Text(t) => match t.as_str() {
                "fro" => Ok(NormOrd::Fro),
                "nuc" => Ok(NormOrd::Nuc),
                "1" => Ok(NormOrd::One),
                "2" => Ok(NormOrd::Two),
                "inf" => Ok(NormOrd::Inf),
                other => Err(format!(
                    "unknown norm {other:?}; expected \"fro\", \"nuc\", 1, 2 or \"inf\""
                )),
            },
            RawOrd::Int(other) => Err(format!(
                "unknown norm {other}; expected \"fro\", \"nuc\", 1, 2 or \"inf\""
            )),
        }
    }
}

impl NormOrd {
    fn name(self) -> &'static str {
        match self {
            NormOrd::Fro => "Frobenius",
            NormOrd::Nuc => "nuclear",
            NormOrd::One => "1-norm",
            NormOrd::Two => "2-norm",
            NormOrd::Inf => "∞-norm",
        }
    }
}

impl JsonSchema for NormOrd {
    fn schema_name() -> Cow<'static, str> {
        "NormOrder".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "\"fro\" (Frobenius), \"nuc\" (nuclear: sum of singular values), 1 (largest column sum of |entries|), 2 (largest singular value) or \"inf\" (largest row sum). For a vector: 1, 2 (\"fro\" too) or \"inf\" (largest |entry|).",
            "enum": ["fro", "nuc", 1, 2, "1", "2", "inf"]
        })
    }
}

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct NormInput {
    /// A matrix (rows) or a vector.
    pub a: VectorOrRows,
    /// Which norm. Default "fro" for a matrix, 2 for a vector (the same number).
    #[serde(default)]
    pub ord: Option<NormOrd>,
}

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct CondInput {
    /// The matrix (rows); square unless p is 2.
    pub a: Rows,
    /// The norm: 2 (default: σ_max / σ_min, any shape), "fro", 1 or "inf" (square a).
    #[serde(default)]
    pub p: Option<NormOrd>,
}

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct RankInput {
    /// The matrix (rows).
    pub a: Rows,
    /// Singular values at or below this count as zero. Default σ_max · max(m, n) · eps
    /// (numpy's `matrix_rank`).
    #[serde(default)]
    pub tol: Option<f64>,
}

fn not_converged() -> ToolError {
    ToolError::new(
        "not_converged",
        "the SVD iteration did not converge for this matrix",
    )
}

pub fn singular_values(a: &Mat<f64>) -> Result<Vec<f64>, ToolError> {
    a.singular_values().map_err(|_| not_converged())
}

pub fn run_det(input: &MatrixInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    square("a", &a, "det")?;
    let n = a.nrows();
    let lu = a.partial_piv_lu();
    let (forward, _) = lu.P().arrays();
    let mut sign = permutation_sign(forward);
    let mut log_abs = 0.0;
    for i in 0..n {
        let u = lu.U()[(i, i)];
        if u < 0.0 {
            sign = -sign;
        }
        log_abs += u.abs().ln();
    }
    let singular = log_abs == f64::NEG_INFINITY;
    let det = if singular { 0.0 } else { sign * log_abs.exp() };
    let condition = if singular {
        f64::INFINITY
    } else {
        norm1(&a)
            * inverse_norm1_estimate(
                n,
                |v| lu.solve_in_place(v.as_mut()),
                |v| lu.solve_transpose_in_place(v.as_mut()),
            )
    };
    let warnings = condition_warnings("a", condition, "1-norm");
    let mut text = format!("det = {}", num(det));
    if !det.is_finite() || (det == 0.0 && !singular) {
        text.push_str(&format!(
            " (out of floating-point range: sign {sign}, ln|det| = {})",
            num(log_abs)
        ));
    }
    let out = json!({
        // JSON has no infinity: a determinant past f64's range is null, with its logarithm.
        "det": det.is_finite().then_some(det),
        "sign": if singular { 0.0 } else { sign },
        "log_abs_det": log_abs.is_finite().then_some(log_abs),
        "condition_estimate": condition.is_finite().then_some(condition),
    });
    Ok(Report::new(text, out, &warnings))
}

/// +1 for an even permutation, -1 for an odd one (from its cycles).
fn permutation_sign(p: &[usize]) -> f64 {
    let mut seen = vec![false; p.len()];
    let mut sign = 1.0;
    for start in 0..p.len() {
        let mut i = start;
        let mut length = 0;
        while !seen[i] {
            seen[i] = true;
            i = p[i];
            length += 1;
        }
        if length > 0 && length % 2 == 0 {
            sign = -sign;
        }
    }
    sign
}

pub fn run_rank(input: &RankInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    let s = singular_values(&a)?;
    let largest = s.first().copied().unwrap_or(0.0);
    let tol = match input.tol {
        Some(t) if !t.is_finite() || t < 0.0 => {
            return Err(ToolError::invalid_input("tol must be a finite number ≥ 0").at("/tol"));
        }
        Some(t) => t,
        None => largest * a.nrows().max(a.ncols()) as f64 * EPS,
    };
    let rank = s.iter().filter(|v| **v > tol).count();
    Ok(Report::new(
        format!("rank = {rank} (singular values above {})", show(tol)),
        json!({ "rank": rank, "tol": tol, "singular_values": s }),
        &[],
    ))
}

pub fn run_cond(input: &CondInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    let p = input.p.unwrap_or(NormOrd::Two);
    let condition = match p {
        NormOrd::Two => {
            let s = singular_values(&a)?;
            let smallest = s.last().copied().unwrap_or(0.0);
            if smallest == 0.0 {
                f64::INFINITY
            } else {
                s[0] / smallest
            }
        }
        NormOrd::Nuc => {
            return Err(ToolError::invalid_input(
                "cond takes p = 2, \"fro\", 1 or \"inf\"; not \"nuc\"",
            )
            .at("/p"));
        }
        _ => {
            square("a", &a, &format!("cond with p = {}", p.name()))?;
            let lu = a.partial_piv_lu();
            if lu.U().diagonal().column_vector().iter().any(|u| *u == 0.0) {
                f64::INFINITY
            } else {
                let inverse = lu.inverse();
                matrix_norm(&a, p)? * matrix_norm(&inverse, p)?
            }
        }
    };
    let warnings = condition_warnings("a", condition, p.name());
    Ok(Report::new(
        format!("cond ({}) = {}", p.name(), show(condition)),
        json!({ "cond": condition.is_finite().then_some(condition), "p": p.name() }),
        &warnings,
    ))
}

pub fn matrix_norm(a: &Mat<f64>, ord: NormOrd) -> Result<f64, ToolError> {
    Ok(match ord {
        NormOrd::Fro => a.norm_l2(),
        NormOrd::One => norm1(a),
        NormOrd::Inf => (0..a.nrows())
            .map(|i| (0..a.ncols()).map(|j| a[(i, j)].abs()).sum::<f64>())
            .fold(0.0, f64::max),
        NormOrd::Two => singular_values(a)?.first().copied().unwrap_or(0.0),
        NormOrd::Nuc => singular_values(a)?.iter().sum(),
    })
}

pub fn run_norm(input: &NormInput) -> Result<Report, ToolError> {
    let a = operand("a", &input.a)?;
    let m = &a.matrix;
    let (ord, value) = if a.was_vector {
        let ord = input.ord.unwrap_or(NormOrd::Two);
        let column = m.col(0);
        let value = match ord {
            NormOrd::Fro | NormOrd::Two => m.norm_l2(),
            NormOrd::One => column.iter().map(|v| v.abs()).sum(),
            NormOrd::Inf => column.iter().map(|v| v.abs()).fold(0.0, f64::max),
            NormOrd::Nuc => {
                return Err(
                    ToolError::invalid_input("\"nuc\" is a matrix norm; a is a vector").at("/ord"),
                );
            }
        };
        (ord, value)
    } else {
        let ord = input.ord.unwrap_or(NormOrd::Fro);
        (ord, matrix_norm(m, ord)?)
    };
    Ok(Report::new(
        format!("norm ({}) = {}", ord.name(), num(value)),
        json!({ "norm": value, "ord": ord.name() }),
        &[],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::matrix::rows;

    #[test]
    fn det_of_a_permuted_matrix_has_the_right_sign() {
        let r = run_det(&MatrixInput {
            a: rows(&[&[0.0, 1.0, 0.0], &[0.0, 0.0, 2.0], &[3.0, 0.0, 0.0]]),
        })
        .unwrap();
        assert_eq!(r.json["det"], json!(6.0));
        let r = run_det(&MatrixInput {
            a: rows(&[&[1.0, 2.0], &[3.0, 4.0]]),
        })
        .unwrap();
        assert!((r.json["det"].as_f64().unwrap() + 2.0).abs() < 1e-15);
    }

    #[test]
    fn det_of_a_singular_matrix_is_zero_with_a_warning() {
        let r = run_det(&MatrixInput {
            a: rows(&[&[1.0, 2.0], &[2.0, 4.0]]),
        })
        .unwrap();
        assert_eq!(r.json["det"], json!(0.0));
        assert_eq!(r.json["warnings"][0]["kind"], "singular");
    }

    #[test]
    fn norms_match_their_definitions() {
        let a = Mat::from_fn(2, 2, |i, j| [[1.0, -2.0], [3.0, 4.0]][i][j]);
        assert_eq!(matrix_norm(&a, NormOrd::One).unwrap(), 6.0);
        assert_eq!(matrix_norm(&a, NormOrd::Inf).unwrap(), 7.0);
        assert!((matrix_norm(&a, NormOrd::Fro).unwrap() - 30f64.sqrt()).abs() < 1e-15);
        // σ = √(15 ± √125) for AᵀA = [[10, 10], [10, 20]].
        let two = (15.0 + 125f64.sqrt()).sqrt();
        assert!((matrix_norm(&a, NormOrd::Two).unwrap() - two).abs() < 1e-14);
    }

    #[test]
    fn an_unknown_norm_is_refused_with_the_choices() {
        let e = serde_json::from_value::<NormOrd>(json!("max")).unwrap_err();
        assert!(
            e.to_string().contains("\"fro\", \"nuc\", 1, 2 or \"inf\""),
            "{e}"
        );
    }
}
