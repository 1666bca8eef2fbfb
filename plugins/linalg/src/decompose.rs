//! The factorisations returned as matrices: `svd` (A = U diag(s) Vᵀ), `qr` (A = Q R),
//! `cholesky` (A = L Lᵀ) and `lu` (A[perm] = L U, partial pivoting).

use faer::{Mat, Side};
use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_sdk::{ToolError, json};

use crate::eigen::yes;
use crate::matrix::{Rows, matrix, rows_json, symmetric};
use crate::report::{Report, num, show_list, show_matrix};

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct SvdInput {
    /// Any matrix (rows), m×n.
    pub a: Rows,
    /// Also compute U and Vᵀ. Default true; false gives the singular values alone.
    #[serde(default = "yes")]
    pub vectors: bool,
    /// Square U (m×m) and Vᵀ (n×n) rather than the thin ones (m×k and k×n, k = min(m, n)).
    /// Default false.
    #[serde(default)]
    pub full_matrices: bool,
}

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct QrInput {
    /// Any matrix (rows), m×n.
    pub a: Rows,
    /// "reduced" (default: Q is m×k, R is k×n, k = min(m, n)) or "complete" (Q is m×m).
    #[serde(default)]
    pub mode: QrMode,
}

#[derive(Deserialize, JsonSchema, Debug, Default, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum QrMode {
    #[default]
    Reduced,
    Complete,
}

/// Operations that take one matrix and nothing else.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct MatrixInput {
    /// The matrix (rows).
    pub a: Rows,
}

pub fn run_svd(input: &SvdInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    let failed = || ToolError::new("not_converged", "svd: the iteration did not converge");
    if !input.vectors {
        let s = a.singular_values().map_err(|_| failed())?;
        let shown: Vec<String> = s.iter().map(|v| num(*v)).collect();
        return Ok(Report::new(
            show_list("singular values", &shown),
            json!({ "s": s }),
            &[],
        ));
    }
    let svd = if input.full_matrices {
        a.svd()
    } else {
        a.thin_svd()
    }
    .map_err(|_| failed())?;
    let s: Vec<f64> = svd.S().column_vector().iter().copied().collect();
    let vt = svd.V().transpose().to_owned();
    let u = svd.U().to_owned();
    let shown: Vec<String> = s.iter().map(|v| num(*v)).collect();
    let text = format!(
        "{}\n{}\n{}",
        show_list("s", &shown),
        show_matrix("u", &u, false),
        show_matrix("vt", &vt, false)
    );
    Ok(Report::new(
        text,
        json!({ "u": rows_json(&u), "s": s, "vt": rows_json(&vt) }),
        &[],
    ))
}

pub fn run_qr(input: &QrInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    let qr = a.qr();
    let (q, r) = match input.mode {
        QrMode::Reduced => (qr.compute_thin_Q(), qr.thin_R().to_owned()),
        QrMode::Complete => (qr.compute_Q(), qr.R().to_owned()),
    };
    let text = format!(
        "{}\n{}",
        show_matrix("q", &q, false),
        show_matrix("r", &r, false)
    );
    Ok(Report::new(
        text,
        json!({ "q": rows_json(&q), "r": rows_json(&r) }),
        &[],
    ))
}

pub fn run_cholesky(input: &MatrixInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    symmetric("a", &a, "cholesky")?;
    let llt = a.llt(Side::Lower).map_err(|e| {
        ToolError::invalid_input(format!(
            "a is not positive definite, so it has no Cholesky factor ({e:?})"
        ))
        .at("/a")
    })?;
    let l = llt.L().to_owned();
    Ok(Report::new(
        show_matrix("l", &l, false),
        json!({ "l": rows_json(&l) }),
        &[],
    ))
}

pub fn run_lu(input: &MatrixInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    let lu = a.partial_piv_lu();
    let (l, u): (Mat<f64>, Mat<f64>) = (lu.L().to_owned(), lu.U().to_owned());
    let (forward, _) = lu.P().arrays();
    let perm: Vec<usize> = forward.to_vec();
    let shown: Vec<String> = perm.iter().map(|p| p.to_string()).collect();
    let text = format!(
        "{} (row i of l·u is row perm[i] of a)\n{}\n{}",
        show_list("perm", &shown),
        show_matrix("l", &l, false),
        show_matrix("u", &u, false)
    );
    Ok(Report::new(
        text,
        json!({ "perm": perm, "l": rows_json(&l), "u": rows_json(&u) }),
        &[],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::matrix::rows;

    fn mat(v: &toolhost_sdk::Value) -> Mat<f64> {
        let r: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
        Mat::from_fn(r.len(), r[0].len(), |i, j| r[i][j])
    }

    #[test]
    fn lu_rows_permuted_by_perm_are_l_times_u() {
        let a = [&[1.0, 2.0, 3.0][..], &[4.0, 5.0, 6.0], &[7.0, 8.0, 10.0]];
        let r = run_lu(&MatrixInput { a: rows(&a) }).unwrap();
        let lu = mat(&r.json["l"]) * mat(&r.json["u"]);
        let perm: Vec<usize> = serde_json::from_value(r.json["perm"].clone()).unwrap();
        assert_eq!(perm[0], 2, "the largest pivot, 7, comes first");
        for i in 0..3 {
            for j in 0..3 {
                assert!((lu[(i, j)] - a[perm[i]][j]).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn svd_reconstructs_a_wide_matrix() {
        let a = [&[3.0, 2.0, 2.0][..], &[2.0, 3.0, -2.0]];
        let r = run_svd(&SvdInput {
            a: rows(&a),
            vectors: true,
            full_matrices: false,
        })
        .unwrap();
        let s: Vec<f64> = serde_json::from_value(r.json["s"].clone()).unwrap();
        assert!(
            (s[0] - 5.0).abs() < 1e-14 && (s[1] - 3.0).abs() < 1e-14,
            "{s:?}"
        );
        let (u, vt) = (mat(&r.json["u"]), mat(&r.json["vt"]));
        assert_eq!((u.shape(), vt.shape()), ((2, 2), (2, 3)));
        for i in 0..2 {
            for j in 0..3 {
                let back: f64 = (0..2).map(|k| u[(i, k)] * s[k] * vt[(k, j)]).sum();
                assert!((back - a[i][j]).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn a_matrix_that_is_not_positive_definite_has_no_cholesky_factor() {
        let e = run_cholesky(&MatrixInput {
            a: rows(&[&[1.0, 2.0], &[2.0, 1.0]]),
        })
        .unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert!(e.message.contains("not positive definite"), "{e}");
    }
}
