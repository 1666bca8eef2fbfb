//! The `eig` (general real matrix: complex eigenvalues and eigenvectors as [re, im]
//! pairs) and `eigh` (symmetric: real eigenvalues ascending, orthonormal eigenvectors)
//! operations.

use faer::{Mat, Side, c64};
use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_sdk::{ToolError, json};

use crate::matrix::{Rows, matrix, square, symmetric};
use crate::report::{Report, num, show_list};

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct EigInput {
    /// A square matrix (rows).
    pub a: Rows,
    /// Also compute the eigenvectors. Default true.
    #[serde(default = "yes")]
    pub vectors: bool,
}

pub fn yes() -> bool {
    true
}

fn not_converged(op: &str) -> ToolError {
    ToolError::new(
        "not_converged",
        format!("{op}: the eigenvalue iteration did not converge for this matrix"),
    )
}

fn pair(z: c64) -> [f64; 2] {
    [z.re, z.im]
}

fn show_complex(z: c64) -> String {
    match z.im {
        0.0 => num(z.re),
        im if im < 0.0 => format!("{}-{}i", num(z.re), num(-im)),
        im => format!("{}+{}i", num(z.re), num(im)),
    }
}

pub fn run_eig(input: &EigInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    square("a", &a, "eig")?;
    let n = a.nrows();
    let (values, vectors): (Vec<c64>, Option<Mat<c64>>) = if input.vectors {
        let evd = a.eigen().map_err(|_| not_converged("eig"))?;
        let s = evd.S().column_vector();
        ((0..n).map(|i| s[i]).collect(), Some(evd.U().to_owned()))
    } else {
        (a.eigenvalues().map_err(|_| not_converged("eig"))?, None)
    };
    // Largest modulus first, a conjugate pair with the positive imaginary part first.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| {
        let (x, y) = (values[i], values[j]);
        y.norm()
            .total_cmp(&x.norm())
            .then(y.re.total_cmp(&x.re))
            .then(y.im.total_cmp(&x.im))
    });
    let eigenvalues: Vec<[f64; 2]> = order.iter().map(|&k| pair(values[k])).collect();
    let all_real = values.iter().all(|z| z.im == 0.0);
    let shown: Vec<String> = order.iter().map(|&k| show_complex(values[k])).collect();
    let mut text = show_list("eigenvalues", &shown);
    let mut out = json!({ "eigenvalues": eigenvalues, "all_real": all_real });
    if let Some(u) = vectors {
        // Each eigenvector to unit 2-norm (numpy's convention).
        let eigenvectors: Vec<Vec<[f64; 2]>> = order
            .iter()
            .map(|&k| {
                let col = u.col(k);
                let norm = col
                    .iter()
                    .map(|z| z.re * z.re + z.im * z.im)
                    .sum::<f64>()
                    .sqrt();
                let scale = if norm > 0.0 { 1.0 / norm } else { 1.0 };
                col.iter().map(|z| [z.re * scale, z.im * scale]).collect()
            })
            .collect();
        out["eigenvectors"] = json!(eigenvectors);
        text.push_str("\neigenvectors: eigenvectors[k] belongs to eigenvalues[k], as [re, im] pairs (in the JSON)");
    }
    Ok(Report::new(text, out, &[]))
}

pub fn run_eigh(input: &EigInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    symmetric("a", &a, "eigh")?;
    let n = a.nrows();
    let mut out;
    let values: Vec<f64> = if input.vectors {
        let evd = a
            .self_adjoint_eigen(Side::Lower)
            .map_err(|_| not_converged("eigh"))?;
        let s = evd.S().column_vector();
        let u = evd.U();
        let eigenvectors: Vec<Vec<f64>> = (0..n)
            .map(|k| (0..n).map(|i| u[(i, k)]).collect())
            .collect();
        let values: Vec<f64> = (0..n).map(|i| s[i]).collect();
        out = json!({ "eigenvalues": values, "eigenvectors": eigenvectors });
        values
    } else {
        let values = a
            .self_adjoint_eigenvalues(Side::Lower)
            .map_err(|_| not_converged("eigh"))?;
        out = json!({ "eigenvalues": values });
        values
    };
    let shown: Vec<String> = values.iter().map(|v| num(*v)).collect();
    let mut text = show_list("eigenvalues (ascending)", &shown);
    if input.vectors {
        text.push_str("\neigenvectors: eigenvectors[k] belongs to eigenvalues[k] (in the JSON)");
    }
    if let Some(map) = out.as_object_mut() {
        map.insert("n".into(), json!(n));
    }
    Ok(Report::new(text, out, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(a: &[&[f64]]) -> EigInput {
        EigInput {
            a: Rows(a.iter().map(|r| r.to_vec()).collect()),
            vectors: true,
        }
    }

    #[test]
    fn a_rotation_has_a_conjugate_pair() {
        let r = run_eig(&input(&[&[0.0, -1.0], &[1.0, 0.0]])).unwrap();
        let values: Vec<[f64; 2]> = serde_json::from_value(r.json["eigenvalues"].clone()).unwrap();
        assert!(
            (values[0][0]).abs() < 1e-15 && (values[0][1] - 1.0).abs() < 1e-15,
            "{values:?}"
        );
        assert!((values[1][1] + 1.0).abs() < 1e-15, "{values:?}");
        assert_eq!(r.json["all_real"], false);
        // A v = λ v for the first pair.
        let v: Vec<Vec<[f64; 2]>> = serde_json::from_value(r.json["eigenvectors"].clone()).unwrap();
        let (x, y) = (v[0][0], v[0][1]);
        // A (x, y) = (-y, x); λ = i: i·x = (-x.im, x.re).
        assert!(
            (-y[0] - (-x[1])).abs() < 1e-14 && (-y[1] - x[0]).abs() < 1e-14,
            "{v:?}"
        );
    }

    #[test]
    fn eigh_returns_ascending_values_and_orthonormal_vectors() {
        let r = run_eigh(&input(&[&[2.0, 1.0], &[1.0, 2.0]])).unwrap();
        let values: Vec<f64> = serde_json::from_value(r.json["eigenvalues"].clone()).unwrap();
        assert!((values[0] - 1.0).abs() < 1e-15 && (values[1] - 3.0).abs() < 1e-15);
        let v: Vec<Vec<f64>> = serde_json::from_value(r.json["eigenvectors"].clone()).unwrap();
        let dot = v[0][0] * v[1][0] + v[0][1] * v[1][1];
        assert!(dot.abs() < 1e-15);
        // (1, -1)/√2 belongs to 1.
        assert!((v[0][0] + v[0][1]).abs() < 1e-15);
    }
}
