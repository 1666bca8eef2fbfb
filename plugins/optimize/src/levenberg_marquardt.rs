//! Levenberg–Marquardt for min ½‖r(x)‖² with the exact Jacobian: each step solves the
//! damped Gauss–Newton system [J; √μ D] δ = [−r; 0] by QR (no normal equations, so no
//! squared condition number), with D the running column norms of J (Moré 1978's scale
//! invariance) and μ updated from the gain ratio (Nielsen 1999). The covariance follows
//! scipy's curve_fit: the pseudo-inverse of JᵀJ from the SVD of J.

use faer::Mat;
use faer::prelude::*;

use crate::bfgs_matrix::dot;
use crate::outcome::Status;

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub max_nfev: usize,
    /// Stop when an accepted step reduces the cost by at most ftol·cost.
    pub ftol: f64,
    /// Stop when the step is at most xtol·(‖x‖ + xtol).
    pub xtol: f64,
}

#[derive(Debug)]
pub struct Solution {
    pub x: Vec<f64>,
    pub residuals: Vec<f64>,
    /// ∂r/∂x at x, m×n.
    pub jacobian: Mat<f64>,
    /// ½‖r‖².
    pub cost: f64,
    pub iterations: usize,
    pub nfev: usize,
    pub njev: usize,
    pub status: Status,
}

impl Solution {
    /// Largest component of the gradient Jᵀr of the cost.
    pub fn grad_norm(&self) -> f64 {
        let (m, n) = self.jacobian.shape();
        (0..n)
            .map(|j| {
                (0..m)
                    .map(|i| self.jacobian[(i, j)] * self.residuals[i])
                    .sum::<f64>()
            })
            .fold(0.0, |a: f64, g: f64| a.max(g.abs()))
    }
}

/// A residual vector and its Jacobian.
pub trait Residuals {
    fn len(&self) -> usize;
    /// r(x) into `r`.
    fn residuals(&mut self, x: &[f64], r: &mut [f64]);
    /// ∂r/∂x at x into `jac` (m×n).
    fn jacobian(&mut self, x: &[f64], jac: &mut Mat<f64>);
}

pub fn solve(problem: &mut impl Residuals, x0: &[f64], settings: Settings) -> Solution {
    let n = x0.len();
    let m = problem.len();
    let mut x = x0.to_vec();
    let mut r = vec![0.0; m];
    problem.residuals(&x, &mut r);
    let mut nfev = 1;
    let mut jac = Mat::zeros(m, n);
    problem.jacobian(&x, &mut jac);
    let mut njev = 1;
    let mut cost = 0.5 * dot(&r, &r);
    let mut scale: Vec<f64> = vec![0.0; n];
    let mut mu = 1e-3;
    let mut nu = 2.0;
    let mut iterations = 0;
    let mut r_new = vec![0.0; m];
    let finite = |v: &[f64]| v.iter().all(|a| a.is_finite());
    let status = loop {
        if !cost.is_finite() || !finite(&r) {
            break Status::NotFinite;
        }
        for j in 0..n {
            let norm = (0..m).map(|i| jac[(i, j)].powi(2)).sum::<f64>().sqrt();
            scale[j] = scale[j].max(norm);
        }
        let grad: Vec<f64> = (0..n)
            .map(|j| (0..m).map(|i| jac[(i, j)] * r[i]).sum())
            .collect();
        if cost == 0.0 || grad.iter().all(|g| *g == 0.0) {
            break Status::GradientTolerance;
        }
        if nfev >= settings.max_nfev {
            break Status::MaxEvaluations;
        }
        iterations += 1;
        let step = damped_step(&jac, &r, &scale, mu);
        let step_norm = dot(&step, &step).sqrt();
        if !step_norm.is_finite() {
            break Status::NotFinite;
        }
        if step_norm <= settings.xtol * (dot(&x, &x).sqrt() + settings.xtol) {
            break Status::StepTolerance;
        }
        let x_new: Vec<f64> = (0..n).map(|j| x[j] + step[j]).collect();
        problem.residuals(&x_new, &mut r_new);
        nfev += 1;
        let cost_new = 0.5 * dot(&r_new, &r_new);
        // Predicted decrease of the Gauss–Newton model: −(δ·g + ½‖Jδ‖²).
        let jd: Vec<f64> = (0..m)
            .map(|i| (0..n).map(|j| jac[(i, j)] * step[j]).sum())
            .collect();
        let predicted = -(dot(&step, &grad) + 0.5 * dot(&jd, &jd));
        let rho = if cost_new.is_finite() && predicted > 0.0 {
            (cost - cost_new) / predicted
        } else {
            -1.0
        };
        if rho > 1e-4 {
            let reduction = cost - cost_new;
            x = x_new;
            r.copy_from_slice(&r_new);
            cost = cost_new;
            problem.jacobian(&x, &mut jac);
            njev += 1;
            mu *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
            nu = 2.0;
            if reduction <= settings.ftol * cost && predicted <= settings.ftol * cost {
                break Status::FunctionTolerance;
            }
        } else {
            mu *= nu;
            nu *= 2.0;
            if mu > 1e30 {
                break Status::StepTolerance;
            }
        }
    };
    Solution {
        x,
        residuals: r,
        jacobian: jac,
        cost,
        iterations,
        nfev,
        njev,
        status,
    }
}

/// The least-squares solution of [J; √μ D] δ = [−r; 0].
fn damped_step(jac: &Mat<f64>, r: &[f64], scale: &[f64], mu: f64) -> Vec<f64> {
    let (m, n) = jac.shape();
    let a = Mat::from_fn(m + n, n, |i, j| {
        if i < m {
            jac[(i, j)]
        } else if i - m == j {
            mu.sqrt() * if scale[j] > 0.0 { scale[j] } else { 1.0 }
        } else {
            0.0
        }
    });
    let mut b = Mat::from_fn(m + n, 1, |i, _| if i < m { -r[i] } else { 0.0 });
    a.qr().solve_lstsq_in_place(b.as_mut());
    (0..n).map(|j| b[(j, 0)]).collect()
}

/// (JᵀJ)⁺ from the SVD of J, singular values at most eps·max(m, n)·σ₁ dropped, as scipy's
/// curve_fit computes it. None if the SVD fails.
pub fn jtj_pseudo_inverse(jac: &Mat<f64>) -> Option<Mat<f64>> {
    let (m, n) = jac.shape();
    let svd = jac.thin_svd().ok()?;
    let s: Vec<f64> = svd.S().column_vector().iter().copied().collect();
    let largest = s.iter().copied().fold(0.0, f64::max);
    let threshold = f64::EPSILON * m.max(n) as f64 * largest;
    let v = svd.V();
    Some(Mat::from_fn(n, n, |a, b| {
        s.iter()
            .enumerate()
            .filter(|&(_, &sk)| sk > threshold)
            .map(|(k, &sk)| v[(a, k)] * v[(b, k)] / (sk * sk))
            .sum()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock as residuals: r = (10(y − x²), 1 − x).
    struct Rosenbrock;

    impl Residuals for Rosenbrock {
        fn len(&self) -> usize {
            2
        }
        fn residuals(&mut self, x: &[f64], r: &mut [f64]) {
            r[0] = 10.0 * (x[1] - x[0] * x[0]);
            r[1] = 1.0 - x[0];
        }
        fn jacobian(&mut self, x: &[f64], jac: &mut Mat<f64>) {
            jac[(0, 0)] = -20.0 * x[0];
            jac[(0, 1)] = 10.0;
            jac[(1, 0)] = -1.0;
            jac[(1, 1)] = 0.0;
        }
    }

    #[test]
    fn solves_rosenbrock_as_least_squares() {
        let settings = Settings {
            max_nfev: 1000,
            ftol: 1e-12,
            xtol: 1e-12,
        };
        let sol = solve(&mut Rosenbrock, &[-1.2, 1.0], settings);
        assert!(sol.status.is_success(), "{sol:?}");
        assert!(
            (sol.x[0] - 1.0).abs() < 1e-10 && (sol.x[1] - 1.0).abs() < 1e-10,
            "{sol:?}"
        );
    }

    #[test]
    fn the_pseudo_inverse_inverts_a_well_posed_normal_matrix() {
        let j = Mat::from_fn(3, 2, |i, k| [[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]][i][k]);
        let p = jtj_pseudo_inverse(&j).unwrap();
        // JᵀJ = [[3, 3], [3, 5]], inverse [[5, −3], [−3, 3]]/6.
        let want = [[5.0 / 6.0, -0.5], [-0.5, 0.5]];
        for a in 0..2 {
            for b in 0..2 {
                assert!((p[(a, b)] - want[a][b]).abs() < 1e-12);
            }
        }
    }
}
