//! How trustworthy a result is: a 1-norm condition estimate from a factorisation already
//! computed (Hager's method as refined by Higham, LAPACK's xLACON: a few solves, O(n²)
//! each, instead of the O(n³) an exact inverse would cost), and the warnings a result
//! carries when the matrix is singular or ill-conditioned.

use faer::Mat;
use serde::Serialize;

/// Relative machine precision of f64.
pub const EPS: f64 = f64::EPSILON;

/// Beyond this condition number half of the 16 significant digits may be lost; the
/// result is returned with a warning.
const ILL_CONDITIONED: f64 = 6.7e7; // 1 / sqrt(EPS)

/// A note attached to a result: what is wrong with the matrix and how badly.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Warning {
    /// `singular`, `ill_conditioned` or `rank_deficient`.
    pub kind: &'static str,
    /// The condition estimate behind the warning (null when infinite: exactly singular).
    pub condition_estimate: Option<f64>,
    pub message: String,
}

/// Estimate ||A⁻¹||₁ given solves with A and with Aᵀ (each applied to one column).
pub fn inverse_norm1_estimate(
    n: usize,
    solve: impl Fn(&mut Mat<f64>),
    solve_transpose: impl Fn(&mut Mat<f64>),
) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let mut x = Mat::from_fn(n, 1, |_, _| 1.0 / n as f64);
    let mut estimate = 0.0_f64;
    let mut last_j = usize::MAX;
    for iteration in 0..5 {
        let mut y = x.clone();
        solve(&mut y);
        let norm_y: f64 = (0..n).map(|i| y[(i, 0)].abs()).sum();
        if !norm_y.is_finite() {
            return f64::INFINITY;
        }
        estimate = estimate.max(norm_y);
        let mut z = Mat::from_fn(n, 1, |i, _| if y[(i, 0)] >= 0.0 { 1.0 } else { -1.0 });
        solve_transpose(&mut z);
        let (j, z_max) = (0..n)
            .map(|i| (i, z[(i, 0)].abs()))
            .fold((0, -1.0), |best, c| if c.1 > best.1 { c } else { best });
        let z_dot_x: f64 = (0..n).map(|i| z[(i, 0)] * x[(i, 0)]).sum();
        if iteration > 0 && (z_max <= z_dot_x || j == last_j) {
            break;
        }
        last_j = j;
        x = Mat::zeros(n, 1);
        x[(j, 0)] = 1.0;
    }
    // Higham's extra test vector catches matrices that fool the iteration.
    let mut alt = Mat::from_fn(n, 1, |i, _| {
        let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
        sign * (1.0 + i as f64 / (n.max(2) - 1) as f64)
    });
    solve(&mut alt);
    let alt_norm: f64 = (0..n).map(|i| alt[(i, 0)].abs()).sum::<f64>() * 2.0 / (3.0 * n as f64);
    estimate.max(alt_norm)
}

/// The 1-norm of a matrix: its largest column sum of absolute values.
pub fn norm1(a: &Mat<f64>) -> f64 {
    (0..a.ncols())
        .map(|j| (0..a.nrows()).map(|i| a[(i, j)].abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// Warnings for a matrix whose condition number (in whatever norm `norm` names) is
/// `condition`; empty when it is well conditioned.
pub fn condition_warnings(field: &str, condition: f64, norm: &str) -> Vec<Warning> {
    let digits = |c: f64| (c.log10().ceil() as i64).clamp(0, 16);
    if !condition.is_finite() || condition * EPS >= 1.0 {
        vec![Warning {
            kind: "singular",
            condition_estimate: condition.is_finite().then_some(condition),
            message: format!(
                "{field} is singular to working precision ({norm} condition estimate {}): \
                 the result is not meaningful",
                show(condition)
            ),
        }]
    } else if condition > ILL_CONDITIONED {
        vec![Warning {
            kind: "ill_conditioned",
            condition_estimate: Some(condition),
            message: format!(
                "{field} is ill-conditioned ({norm} condition estimate {}): about {} of the \
                 16 significant digits of the result may be lost",
                show(condition),
                digits(condition)
            ),
        }]
    } else {
        Vec::new()
    }
}

pub fn show(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3e}")
    } else {
        "∞".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::prelude::*;

    fn estimate(a: &Mat<f64>) -> f64 {
        let lu = a.partial_piv_lu();
        let n = a.nrows();
        norm1(a)
            * inverse_norm1_estimate(
                n,
                |x| lu.solve_in_place(x.as_mut()),
                |x| lu.solve_transpose_in_place(x.as_mut()),
            )
    }

    #[test]
    fn the_hilbert_matrix_estimate_is_near_its_true_condition() {
        // cond₁(H₈) = 3.387e10 (numpy.linalg.cond(hilbert(8), 1)).
        let h = Mat::from_fn(8, 8, |i, j| 1.0 / (i + j + 1) as f64);
        let c = estimate(&h);
        assert!((c / 3.387e10 - 1.0).abs() < 0.05, "{c}");
        let w = condition_warnings("a", c, "1-norm");
        assert_eq!(w[0].kind, "ill_conditioned");
        assert!(w[0].message.contains("11 of the 16"), "{}", w[0].message);
    }

    #[test]
    fn a_well_conditioned_matrix_has_no_warning() {
        let a = Mat::from_fn(4, 4, |i, j| if i == j { 4.0 } else { 1.0 });
        // A = 3I + J, A⁻¹ = (I - J/7)/3: cond₁ = ||A||₁ ||A⁻¹||₁ = 7 · 3/7 = 3.
        let c = estimate(&a);
        assert!((c - 3.0).abs() < 1e-12, "{c}");
        assert!(condition_warnings("a", c, "1-norm").is_empty());
    }
}
