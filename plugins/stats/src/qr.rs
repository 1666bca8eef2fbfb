//! Least squares by Householder QR. The normal equations square the design's condition
//! number; QR works on the design itself, so a fit keeps about twice the digits.
//!
//! Columns are reduced in the order given. A column whose remainder, after removing its
//! projection on the earlier columns, is below `RANK_TOLERANCE` of its own norm is
//! collinear with them: it is reported, with the combination that reproduces it, rather
//! than pivoted away (R's lm would silently give it an NA coefficient).

use thiserror::Error;

/// The relative size of a column's remainder below which it counts as collinear: R's lm
/// default (`tol = 1e-7` in qr.lm).
pub const RANK_TOLERANCE: f64 = 1e-7;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum QrError {
    #[error("column {column} is all zeros")]
    ZeroColumn { column: usize },
    /// `column` ≈ Σ coefficient × earlier column, over the listed (index, coefficient).
    #[error("column {column} is a linear combination of earlier columns")]
    Collinear {
        column: usize,
        combination: Vec<(usize, f64)>,
    },
}

/// The factorisation X = QR of an n × p design (n ≥ p) of full column rank.
pub struct Qr {
    rows: usize,
    /// Column j holds R's column j in its first j + 1 entries.
    columns: Vec<Vec<f64>>,
    /// Householder vector j acts on entries j.. (its first entry at index 0).
    reflectors: Vec<Vec<f64>>,
    /// 2 / (v·v) for each reflector, 0 when the reflector is the identity.
    betas: Vec<f64>,
}

impl Qr {
    /// Factor the design given as columns of equal length.
    pub fn new(design: &[Vec<f64>]) -> Result<Qr, QrError> {
        let p = design.len();
        let rows = design.first().map_or(0, Vec::len);
        let mut columns = design.to_vec();
        let mut reflectors = Vec::with_capacity(p);
        let mut betas = Vec::with_capacity(p);
        for j in 0..p {
            let original = norm(&design[j]);
            if original == 0.0 {
                return Err(QrError::ZeroColumn { column: j });
            }
            let rest = norm(&columns[j][j..]);
            if rest <= RANK_TOLERANCE * original {
                let combination = solve_upper(&columns[..j], &columns[j][..j]);
                return Err(QrError::Collinear {
                    column: j,
                    combination: combination.into_iter().enumerate().collect(),
                });
            }
            // Reflect onto -sign(head)·rest·e1, the choice that avoids cancellation.
            let head = columns[j][j];
            let alpha = if head >= 0.0 { -rest } else { rest };
            let mut v = columns[j][j..].to_vec();
            v[0] -= alpha;
            let vv: f64 = v.iter().map(|x| x * x).sum();
            let beta = if vv == 0.0 { 0.0 } else { 2.0 / vv };
            columns[j][j] = alpha;
            for x in &mut columns[j][j + 1..] {
                *x = 0.0;
            }
            for column in columns.iter_mut().skip(j + 1) {
                reflect(&v, beta, &mut column[j..]);
            }
            reflectors.push(v);
            betas.push(beta);
        }
        Ok(Qr {
            rows,
            columns,
            reflectors,
            betas,
        })
    }

    /// Q'y.
    pub fn qt(&self, y: &[f64]) -> Vec<f64> {
        assert_eq!(y.len(), self.rows, "y has one value per row");
        let mut out = y.to_vec();
        for (j, (v, &beta)) in self.reflectors.iter().zip(&self.betas).enumerate() {
            reflect(v, beta, &mut out[j..]);
        }
        out
    }

    /// The least-squares coefficients for response `y`.
    pub fn solve(&self, y: &[f64]) -> Vec<f64> {
        let qty = self.qt(y);
        solve_upper(&self.columns, &qty[..self.columns.len()])
    }

    /// The diagonal of (X'X)⁻¹ = R⁻¹R⁻ᵀ: the squared row norms of R⁻¹. Multiplied by the
    /// residual variance these are the coefficients' variances.
    pub fn unscaled_variances(&self) -> Vec<f64> {
        let p = self.columns.len();
        let mut diagonal = vec![0.0; p];
        // Column k of R⁻¹ solves R c = e_k.
        for k in 0..p {
            let mut e = vec![0.0; k + 1];
            e[k] = 1.0;
            let c = solve_upper(&self.columns[..=k], &e);
            for (d, ci) in diagonal.iter_mut().zip(&c) {
                *d += ci * ci;
            }
        }
        diagonal
    }
}

/// Apply I − β v vᵀ to `x`.
fn reflect(v: &[f64], beta: f64, x: &mut [f64]) {
    let w: f64 = v.iter().zip(x.iter()).map(|(a, b)| a * b).sum::<f64>() * beta;
    for (xi, vi) in x.iter_mut().zip(v) {
        *xi -= w * vi;
    }
}

/// Solve R c = b by back substitution, R upper triangular given by its first `b.len()`
/// columns.
fn solve_upper(r: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let k = b.len();
    let mut c = b.to_vec();
    for i in (0..k).rev() {
        let mut s = c[i];
        for (j, cj) in c.iter().enumerate().take(k).skip(i + 1) {
            s -= r[j][i] * cj;
        }
        c[i] = s / r[i][i];
    }
    c
}

/// Euclidean norm, scaled so that squaring neither overflows nor underflows.
fn norm(x: &[f64]) -> f64 {
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale
        * x.iter()
            .map(|v| (v / scale) * (v / scale))
            .sum::<f64>()
            .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn an_exact_fit_recovers_its_coefficients() {
        let x1: Vec<f64> = (0..6).map(|i| i as f64).collect();
        let x2: Vec<f64> = (0..6).map(|i| ((i * i) % 5) as f64).collect();
        let y: Vec<f64> = (0..6).map(|i| 2.0 - 3.0 * x1[i] + 0.5 * x2[i]).collect();
        let qr = Qr::new(&[vec![1.0; 6], x1, x2]).unwrap();
        let b = qr.solve(&y);
        for (got, want) in b.iter().zip([2.0, -3.0, 0.5]) {
            assert!(close(*got, want, 1e-13), "{b:?}");
        }
    }

    #[test]
    fn unscaled_variances_match_the_inverse_of_xtx() {
        // X = [1 0; 1 1; 1 2]: X'X = [3 3; 3 5], inverse diagonal [5/6, 1/2].
        let qr = Qr::new(&[vec![1.0; 3], vec![0.0, 1.0, 2.0]]).unwrap();
        let d = qr.unscaled_variances();
        assert!(
            close(d[0], 5.0 / 6.0, 1e-14) && close(d[1], 0.5, 1e-14),
            "{d:?}"
        );
    }

    #[test]
    fn a_collinear_column_is_named_with_its_combination() {
        let x1 = vec![1.0, 2.0, 4.0, 7.0];
        let x2: Vec<f64> = x1.iter().map(|v| 3.0 * v + 2.0).collect();
        match Qr::new(&[vec![1.0; 4], x1, x2]) {
            Err(QrError::Collinear {
                column,
                combination,
            }) => {
                assert_eq!(column, 2);
                assert!(close(combination[0].1, 2.0, 1e-12), "{combination:?}");
                assert!(close(combination[1].1, 3.0, 1e-12), "{combination:?}");
            }
            other => panic!("expected collinearity, got {:?}", other.err()),
        }
    }

    #[test]
    fn ill_conditioned_but_independent_columns_are_solved_accurately() {
        // x and x + 1e-5·z: the normal equations would square a condition number of ~1e6.
        let n = 50;
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        let z: Vec<f64> = (0..n).map(|i| (i as f64 * 1.91).cos()).collect();
        let w: Vec<f64> = x.iter().zip(&z).map(|(a, b)| a + 1e-5 * b).collect();
        let y: Vec<f64> = (0..n).map(|i| 1.0 + 2.0 * x[i] - 4.0 * w[i]).collect();
        let b = Qr::new(&[vec![1.0; n], x, w]).unwrap().solve(&y);
        for (got, want) in b.iter().zip([1.0, 2.0, -4.0]) {
            assert!(close(*got, want, 1e-8), "{b:?}");
        }
    }
}
