//! `inv` (LU; refused for a singular matrix, with pinv suggested) and `pinv` (the
//! Moore–Penrose pseudo-inverse from the SVD, any shape).

use faer::Mat;
use faer::linalg::solvers::DenseSolveCore;
use faer::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_sdk::{ToolError, json};

use crate::conditioning::{EPS, condition_warnings, inverse_norm1_estimate, norm1, show};
use crate::decompose::MatrixInput;
use crate::matrix::{Rows, matrix, rows_json, square};
use crate::report::{Report, show_matrix};

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct PinvInput {
    /// Any matrix (rows), m×n.
    pub a: Rows,
    /// Singular values below rcond · σ_max count as zero. Default max(m, n) · eps.
    #[serde(default)]
    pub rcond: Option<f64>,
}

pub fn run_inv(input: &MatrixInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    square("a", &a, "inv")?;
    let lu = a.partial_piv_lu();
    let exactly_singular = lu.U().diagonal().column_vector().iter().any(|u| *u == 0.0);
    let condition = if exactly_singular {
        f64::INFINITY
    } else {
        norm1(&a)
            * inverse_norm1_estimate(
                a.nrows(),
                |v| lu.solve_in_place(v.as_mut()),
                |v| lu.solve_transpose_in_place(v.as_mut()),
            )
    };
    if !condition.is_finite() || condition * EPS >= 1.0 {
        return Err(ToolError::invalid_input(format!(
            "a is singular to working precision (1-norm condition estimate {}), so it has \
             no inverse; pinv gives the pseudo-inverse",
            show(condition)
        ))
        .with_details(json!({
            "pointer": "/a",
            "condition_estimate": condition.is_finite().then_some(condition),
        })));
    }
    let inverse = lu.inverse();
    Ok(Report::new(
        show_matrix("inv", &inverse, false),
        json!({ "inv": rows_json(&inverse), "condition_estimate": condition }),
        &condition_warnings("a", condition, "1-norm"),
    ))
}

pub fn run_pinv(input: &PinvInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    let (m, n) = a.shape();
    let rcond = match input.rcond {
        Some(r) if !r.is_finite() || r < 0.0 => {
            return Err(ToolError::invalid_input("rcond must be a finite number ≥ 0").at("/rcond"));
        }
        Some(r) => r,
        None => m.max(n) as f64 * EPS,
    };
    let svd = a
        .thin_svd()
        .map_err(|_| ToolError::new("not_converged", "pinv: the SVD did not converge"))?;
    let s = svd.S().column_vector();
    let cutoff = rcond * s.iter().copied().fold(0.0, f64::max);
    let rank = s.iter().filter(|v| **v > cutoff).count();
    // A⁺ = V Σ⁺ Uᵀ over the singular values above the cutoff.
    let v_scaled = Mat::from_fn(n, rank, |i, k| svd.V()[(i, k)] / s[k]);
    let pinv = v_scaled * svd.U().subcols(0, rank).transpose();
    Ok(Report::new(
        format!("{}\nrank = {rank}", show_matrix("pinv", &pinv, false)),
        json!({ "pinv": rows_json(&pinv), "rank": rank }),
        &[],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::matrix::rows;

    #[test]
    fn the_inverse_of_a_two_by_two() {
        let r = run_inv(&MatrixInput {
            a: rows(&[&[4.0, 7.0], &[2.0, 6.0]]),
        })
        .unwrap();
        let inv: Vec<Vec<f64>> = serde_json::from_value(r.json["inv"].clone()).unwrap();
        let want = [[0.6, -0.7], [-0.2, 0.4]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((inv[i][j] - want[i][j]).abs() < 1e-15, "{inv:?}");
            }
        }
    }

    #[test]
    fn a_singular_matrix_has_no_inverse_but_a_pseudo_inverse() {
        let a = rows(&[&[1.0, 2.0], &[2.0, 4.0]]);
        let e = run_inv(&MatrixInput { a: a.clone() }).unwrap_err();
        assert!(e.message.contains("pinv"), "{e}");
        let r = run_pinv(&PinvInput { a, rcond: None }).unwrap();
        // pinv of x yᵀ-shaped [[1, 2], [2, 4]] = A / 25.
        let p: Vec<Vec<f64>> = serde_json::from_value(r.json["pinv"].clone()).unwrap();
        assert!(
            (p[0][0] - 0.04).abs() < 1e-15 && (p[1][1] - 0.16).abs() < 1e-15,
            "{p:?}"
        );
        assert_eq!(r.json["rank"], 1);
    }
}
