//! Trust-region Newton–CG (Steihaug 1983; Nocedal and Wright, Algorithm 7.2, as scipy's
//! `trust-ncg`): each step minimises the quadratic model with the exact Hessian inside a
//! trust region by conjugate gradients, stopping at the boundary on negative curvature,
//! so indefinite Hessians are handled without forming or factoring the matrix.

use crate::bfgs_matrix::dot;
use crate::outcome::{Outcome, Status};

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub max_iter: usize,
    pub max_fev: usize,
    /// Stop when the gradient's largest component is ≤ gtol.
    pub gtol: f64,
}

const INITIAL_RADIUS: f64 = 1.0;
/// Large enough not to bind: doubling from 1 reaches a minimum 10⁶ away in 20 steps
/// (scipy's trust-ncg caps it at 1000, which took Brown's badly scaled function 2,000).
const MAX_RADIUS: f64 = 1e10;
/// The smallest ratio of actual to predicted decrease at which a step is taken.
const ETA: f64 = 0.15;

/// Minimises `f` (value and gradient) given `hv(x, v, out)`, the product H(x)·v.
pub fn minimize(
    f: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
    hv: &mut impl FnMut(&[f64], &[f64], &mut [f64]),
    x0: &[f64],
    settings: Settings,
) -> Outcome {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut nfev = 1;
    let mut radius = INITIAL_RADIUS;
    let mut iterations = 0;
    let inf_norm = |v: &[f64]| v.iter().fold(0.0, |m: f64, a| m.max(a.abs()));
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let status = loop {
        if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
            break Status::NotFinite;
        }
        if inf_norm(&g) <= settings.gtol {
            break Status::GradientTolerance;
        }
        if iterations >= settings.max_iter {
            break Status::MaxIterations;
        }
        if nfev >= settings.max_fev {
            break Status::MaxEvaluations;
        }
        iterations += 1;
        let (p, hp, on_boundary) = steihaug(&x, &g, radius, &mut *hv);
        let predicted = -(dot(&g, &p) + 0.5 * dot(&p, &hp));
        for i in 0..n {
            x_new[i] = x[i] + p[i];
        }
        let f_new = f(&x_new, &mut g_new);
        nfev += 1;
        let actual = fx - f_new;
        let rho = if predicted > 0.0 && f_new.is_finite() {
            actual / predicted
        } else {
            -1.0
        };
        if rho < 0.25 {
            radius *= 0.25;
        } else if rho > 0.75 && on_boundary {
            radius = (2.0 * radius).min(MAX_RADIUS);
        }
        if rho > ETA {
            x.copy_from_slice(&x_new);
            g.copy_from_slice(&g_new);
            fx = f_new;
        }
        if radius < f64::EPSILON * (1.0 + dot(&x, &x).sqrt()) {
            break Status::StepTolerance;
        }
    };
    Outcome {
        grad_norm: inf_norm(&g),
        x,
        f: fx,
        iterations,
        nfev,
        ngev: nfev,
        status,
    }
}

/// Steihaug's truncated CG on the model g·p + ½ pᵀHp, ‖p‖ ≤ radius. Returns the step p,
/// Hp (kept up to date from the products CG makes anyway, so the predicted decrease costs
/// no extra product) and whether it stopped on the boundary.
fn steihaug(
    x: &[f64],
    g: &[f64],
    radius: f64,
    hv: &mut impl FnMut(&[f64], &[f64], &mut [f64]),
) -> (Vec<f64>, Vec<f64>, bool) {
    let n = g.len();
    let gnorm = dot(g, g).sqrt();
    let tol = gnorm.sqrt().min(0.5) * gnorm;
    let mut z = vec![0.0; n];
    let mut hz = vec![0.0; n];
    let mut r = g.to_vec();
    let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut bd = vec![0.0; n];
    for _ in 0..(2 * n).max(10) {
        hv(x, &d, &mut bd);
        let dbd = dot(&d, &bd);
        if dbd <= 0.0 || !dbd.is_finite() {
            let (p, tau) = to_boundary(&z, &d, radius);
            return (p, combine(&hz, tau, &bd), true);
        }
        let rr = dot(&r, &r);
        let alpha = rr / dbd;
        let z_next: Vec<f64> = (0..n).map(|i| z[i] + alpha * d[i]).collect();
        if dot(&z_next, &z_next).sqrt() >= radius {
            let (p, tau) = to_boundary(&z, &d, radius);
            return (p, combine(&hz, tau, &bd), true);
        }
        for i in 0..n {
            r[i] += alpha * bd[i];
            hz[i] += alpha * bd[i];
        }
        z = z_next;
        let rr_next = dot(&r, &r);
        if rr_next.sqrt() < tol {
            return (z, hz, false);
        }
        let beta = rr_next / rr;
        for i in 0..n {
            d[i] = -r[i] + beta * d[i];
        }
    }
    (z, hz, false)
}

/// a + t·b.
fn combine(a: &[f64], t: f64, b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a + t * b).collect()
}

/// z + τd with τ ≥ 0 and ‖z + τd‖ = radius, and τ.
fn to_boundary(z: &[f64], d: &[f64], radius: f64) -> (Vec<f64>, f64) {
    let a = dot(d, d);
    let b = 2.0 * dot(z, d);
    let c = dot(z, z) - radius * radius;
    let disc = (b * b - 4.0 * a * c).max(0.0).sqrt();
    // The positive root, computed without cancellation.
    let tau = if b >= 0.0 {
        (2.0 * -c) / (b + disc)
    } else {
        (-b + disc) / (2.0 * a)
    };
    (combine(z, tau, d), tau)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converges_quadratically_on_rosenbrock() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (1.0 - x[0], x[1] - x[0] * x[0]);
            g[0] = -2.0 * a - 400.0 * x[0] * b;
            g[1] = 200.0 * b;
            a * a + 100.0 * b * b
        };
        let mut hv = |x: &[f64], v: &[f64], out: &mut [f64]| {
            let h00 = 2.0 - 400.0 * (x[1] - 3.0 * x[0] * x[0]);
            let h01 = -400.0 * x[0];
            out[0] = h00 * v[0] + h01 * v[1];
            out[1] = h01 * v[0] + 200.0 * v[1];
        };
        let settings = Settings {
            max_iter: 200,
            max_fev: 200,
            gtol: 1e-10,
        };
        let out = minimize(&mut f, &mut hv, &[-1.2, 1.0], settings);
        assert!(out.status.is_success(), "{out:?}");
        assert!((out.x[0] - 1.0).abs() < 1e-9 && (out.x[1] - 1.0).abs() < 1e-9);
        assert!(out.iterations < 40, "{out:?}");
    }
}
