//! The `solve` operation: A x = b by LU with partial pivoting (general square A), by
//! Cholesky (`assume: "pos"`, symmetric positive definite A), and in the least-squares
//! sense by Householder QR when A has more rows than columns. A singular or
//! rank-deficient A, or one with fewer rows than columns, gets the minimum-norm
//! least-squares solution from the SVD, as numpy's `lstsq` gives, with a warning.

use faer::prelude::*;
use faer::{Mat, Side};
use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_sdk::{ToolError, json};

use crate::conditioning::{EPS, Warning, condition_warnings, inverse_norm1_estimate, norm1, show};
use crate::matrix::{Rows, VectorOrRows, matrix, operand, shaped_json, symmetric};
use crate::report::{Report, show_matrix};

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct SolveInput {
    /// The coefficient matrix A (rows). Square for an exact solve; more rows than columns
    /// for least squares; fewer for the minimum-norm solution.
    pub a: Rows,
    /// The right-hand side: a vector, or a matrix whose columns are solved for at once.
    /// Its row count must equal A's.
    pub b: VectorOrRows,
    /// What A is known to be: "general" (LU with partial pivoting; default) or "pos"
    /// (symmetric positive definite: Cholesky, about twice as fast; A must be so).
    #[serde(default)]
    pub assume: Assume,
}

#[derive(Deserialize, JsonSchema, Debug, Default, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Assume {
    #[default]
    General,
    Pos,
}

pub fn run(input: &SolveInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    let b = operand("b", &input.b)?;
    let (m, n) = a.shape();
    if b.matrix.nrows() != m {
        return Err(ToolError::invalid_input(format!(
            "b has {} rows but a has {m}; they must agree",
            b.matrix.nrows()
        ))
        .at("/b"));
    }
    if m != n && input.assume == Assume::Pos {
        return Err(ToolError::invalid_input(format!(
            "assume \"pos\" needs a square matrix; a is {m}×{n}"
        ))
        .at("/assume"));
    }
    let solution = if m == n && input.assume == Assume::Pos {
        cholesky_solve(&a, &b.matrix)?
    } else if m == n {
        lu_solve(&a, &b.matrix)
    } else if m > n {
        qr_least_squares(&a, &b.matrix)
    } else {
        let mut s = svd_least_squares(&a, &b.matrix);
        s.method = "svd_minimum_norm";
        s
    };

    let mut text = show_matrix("x", &solution.x, b.was_vector);
    text.push_str(&format!("\nmethod: {}", solution.method));
    if let Some(c) = solution.condition {
        text.push_str(&format!(", 1-norm condition estimate {}", show(c)));
    }
    let mut out = json!({
        "x": shaped_json(&solution.x, b.was_vector),
        "method": solution.method,
        "condition_estimate": solution.condition.filter(|c| c.is_finite()),
    });
    if m != n || solution.rank.is_some() {
        let residual = &a * &solution.x - &b.matrix;
        out["residual_norm"] = json!(residual.norm_l2());
        out["rank"] = json!(solution.rank.unwrap_or(n));
    }
    Ok(Report::new(text, out, &solution.warnings))
}

struct Solution {
    x: Mat<f64>,
    method: &'static str,
    /// 1-norm condition estimate of A (of R for least squares), when one was made.
    condition: Option<f64>,
    /// The numerical rank, when the SVD found it.
    rank: Option<usize>,
    warnings: Vec<Warning>,
}

fn cholesky_solve(a: &Mat<f64>, b: &Mat<f64>) -> Result<Solution, ToolError> {
    symmetric("a", a, "solve with assume \"pos\"")?;
    let llt = a.llt(Side::Lower).map_err(|_| {
        ToolError::invalid_input(
            "a is not positive definite (Cholesky failed); solve with assume \"general\"",
        )
        .at("/a")
    })?;
    let mut x = b.clone();
    llt.solve_in_place(x.as_mut());
    let condition = norm1(a)
        * inverse_norm1_estimate(
            a.nrows(),
            |v| llt.solve_in_place(v.as_mut()),
            |v| llt.solve_in_place(v.as_mut()),
        );
    Ok(Solution {
        x,
        method: "cholesky",
        condition: Some(condition),
        rank: None,
        warnings: condition_warnings("a", condition, "1-norm"),
    })
}

fn lu_solve(a: &Mat<f64>, b: &Mat<f64>) -> Solution {
    let lu = a.partial_piv_lu();
    let exactly_singular = lu.U().diagonal().column_vector().iter().any(|u| *u == 0.0);
    let condition = if exactly_singular {
        f64::INFINITY
    } else {
        norm1(a)
            * inverse_norm1_estimate(
                a.nrows(),
                |v| lu.solve_in_place(v.as_mut()),
                |v| lu.solve_transpose_in_place(v.as_mut()),
            )
    };
    if !condition.is_finite() || condition * EPS >= 1.0 {
        let mut s = svd_least_squares(a, b);
        s.condition = Some(condition);
        s.warnings.insert(
            0,
            Warning {
                kind: "singular",
                condition_estimate: condition.is_finite().then_some(condition),
                message: format!(
                    "a is singular to working precision (1-norm condition estimate {}): x is \
                     the minimum-norm least-squares solution, which solves A x = b only if b \
                     is in the range of A (see residual_norm)",
                    show(condition)
                ),
            },
        );
        return s;
    }
    let mut x = b.clone();
    lu.solve_in_place(x.as_mut());
    Solution {
        x,
        method: "lu",
        condition: Some(condition),
        rank: None,
        warnings: condition_warnings("a", condition, "1-norm"),
    }
}

fn qr_least_squares(a: &Mat<f64>, b: &Mat<f64>) -> Solution {
    let (m, n) = a.shape();
    let qr = a.qr();
    let r = qr.thin_R();
    let diag: Vec<f64> = (0..n).map(|i| r[(i, i)].abs()).collect();
    let largest = diag.iter().copied().fold(0.0, f64::max);
    if diag.iter().any(|d| *d <= largest * m.max(n) as f64 * EPS) {
        return svd_least_squares(a, b);
    }
    let mut x = b.clone();
    qr.solve_lstsq_in_place(x.as_mut());
    let x = x.subrows(0, n).to_owned();
    // cond(R) is cond(A) in the 2-norm; its 1-norm estimate is within a factor n of it.
    let r = r.to_owned();
    let condition = norm1(&r)
        * inverse_norm1_estimate(
            n,
            |v| r.solve_upper_triangular_in_place(v.as_mut()),
            |v| r.transpose().solve_lower_triangular_in_place(v.as_mut()),
        );
    Solution {
        x,
        method: "qr_least_squares",
        condition: Some(condition),
        rank: None,
        warnings: condition_warnings("a", condition, "1-norm"),
    }
}

/// The minimum-norm least-squares solution: singular values below
/// max(m, n)·eps·σ₁ count as zero (numpy's `lstsq` default).
fn svd_least_squares(a: &Mat<f64>, b: &Mat<f64>) -> Solution {
    let (m, n) = a.shape();
    let Ok(svd) = a.thin_svd() else {
        return Solution {
            x: Mat::zeros(n, b.ncols()),
            method: "svd_least_squares",
            condition: None,
            rank: Some(0),
            warnings: vec![Warning {
                kind: "singular",
                condition_estimate: None,
                message: "the SVD of a did not converge; x is zero".into(),
            }],
        };
    };
    let s = svd.S().column_vector();
    let largest = s.iter().copied().fold(0.0, f64::max);
    let cutoff = largest * m.max(n) as f64 * EPS;
    let rank = s.iter().filter(|v| **v > cutoff).count();
    // x = V Σ⁺ Uᵀ b, keeping the first `rank` singular triplets.
    let mut utb = svd.U().transpose() * b;
    for i in 0..utb.nrows() {
        let scale = if i < rank { 1.0 / s[i] } else { 0.0 };
        for j in 0..utb.ncols() {
            utb[(i, j)] *= scale;
        }
    }
    let x = svd.V() * &utb;
    let mut warnings = Vec::new();
    if rank < m.min(n) {
        warnings.push(Warning {
            kind: "rank_deficient",
            condition_estimate: None,
            message: format!(
                "a has numerical rank {rank} of {}: singular values below {} were treated \
                 as zero",
                m.min(n),
                show(cutoff)
            ),
        });
    }
    Solution {
        x,
        method: "svd_least_squares",
        condition: None,
        rank: Some(rank),
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::matrix::rows;

    fn solve(a: &[&[f64]], b: Vec<f64>, assume: Assume) -> Result<Report, ToolError> {
        run(&SolveInput {
            a: rows(a),
            b: VectorOrRows::Vector(b),
            assume,
        })
    }

    fn x(r: &Report) -> Vec<f64> {
        serde_json::from_value(r.json["x"].clone()).unwrap()
    }

    #[test]
    fn a_square_system_is_solved_by_lu() {
        let r = solve(&[&[3.0, 2.0], &[1.0, 2.0]], vec![5.0, 5.0], Assume::General).unwrap();
        let got = x(&r);
        assert!(
            (got[0] - 0.0).abs() < 1e-15 && (got[1] - 2.5).abs() < 1e-15,
            "{got:?}"
        );
        assert_eq!(r.json["method"], "lu");
        assert_eq!(r.json["warnings"], json!([]));
    }

    #[test]
    fn a_positive_definite_system_is_solved_by_cholesky() {
        let r = solve(&[&[4.0, 1.0], &[1.0, 3.0]], vec![1.0, 2.0], Assume::Pos).unwrap();
        let got = x(&r);
        assert!((got[0] - 1.0 / 11.0).abs() < 1e-15, "{got:?}");
        assert!((got[1] - 7.0 / 11.0).abs() < 1e-15, "{got:?}");
        assert_eq!(r.json["method"], "cholesky");
        let e = solve(&[&[1.0, 2.0], &[2.0, 1.0]], vec![1.0, 2.0], Assume::Pos).unwrap_err();
        assert!(e.message.contains("not positive definite"), "{e}");
    }

    #[test]
    fn an_overdetermined_system_is_fitted_by_least_squares() {
        // The line through (0, 1), (1, 3), (2, 4): y = 1.1667 + 1.5 t.
        let r = solve(
            &[&[1.0, 0.0], &[1.0, 1.0], &[1.0, 2.0]],
            vec![1.0, 3.0, 4.0],
            Assume::General,
        )
        .unwrap();
        let got = x(&r);
        assert!((got[0] - 7.0 / 6.0).abs() < 1e-14, "{got:?}");
        assert!((got[1] - 1.5).abs() < 1e-14, "{got:?}");
        assert_eq!(r.json["method"], "qr_least_squares");
        assert!((r.json["residual_norm"].as_f64().unwrap() - (1.0f64 / 6.0).sqrt()).abs() < 1e-14);
    }

    #[test]
    fn a_singular_system_gets_the_minimum_norm_solution_and_a_warning() {
        let r = solve(&[&[1.0, 2.0], &[2.0, 4.0]], vec![1.0, 2.0], Assume::General).unwrap();
        let got = x(&r);
        // x = (1, 2)/5 is the shortest x with x₀ + 2x₁ = 1.
        assert!(
            (got[0] - 0.2).abs() < 1e-14 && (got[1] - 0.4).abs() < 1e-14,
            "{got:?}"
        );
        assert_eq!(r.json["warnings"][0]["kind"], "singular");
        assert_eq!(r.json["rank"], 1);
    }

    #[test]
    fn mismatched_rows_name_b() {
        let e = solve(
            &[&[1.0, 0.0], &[0.0, 1.0]],
            vec![1.0, 2.0, 3.0],
            Assume::General,
        )
        .unwrap_err();
        assert_eq!(e.details, Some(json!({ "pointer": "/b" })));
    }
}
