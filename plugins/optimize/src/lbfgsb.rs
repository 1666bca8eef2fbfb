//! L-BFGS-B (Byrd, Lu, Nocedal and Zhu 1995; Morales and Nocedal 2011): each iteration
//! finds the generalized Cauchy point of the limited-memory quadratic model on the box,
//! minimises the model over the variables left free, and searches along the way there
//! with the Moré–Thuente line search. Its defaults are scipy's (m = 10, ftol = 2.2e-9,
//! gtol = 1e-5 on the projected gradient), so evaluation counts compare like for like.

use crate::bfgs_matrix::{BfgsMatrix, dot};
use crate::bounds::Bounds;
use crate::line_search::{self, Ending};
use crate::outcome::{Outcome, Status};

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Correction pairs kept.
    pub memory: usize,
    pub max_iter: usize,
    pub max_fev: usize,
    /// Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol.
    pub ftol: f64,
    /// Stop when the projected gradient's largest component is ≤ gtol.
    pub gtol: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            memory: 10,
            max_iter: 15_000,
            max_fev: 15_000,
            ftol: 1e7 * f64::EPSILON,
            gtol: 1e-5,
        }
    }
}

/// Evaluations the line search may spend in one iteration, as L-BFGS-B's.
const SEARCH_EVALS: usize = 20;

/// Minimises `f` (value, gradient written to its second argument) over `bounds` from `x0`.
pub fn minimize(
    f: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    bounds: &Bounds,
    settings: Settings,
) -> Outcome {
    let n = x0.len();
    let mut x = x0.to_vec();
    bounds.project(&mut x);
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut nfev = 1;
    let finish = |x: Vec<f64>, fx: f64, g: Vec<f64>, nfev, nit, status| {
        let grad_norm = bounds.projected_gradient_norm(&x, &g);
        Outcome {
            x,
            f: fx,
            grad_norm,
            iterations: nit,
            nfev,
            ngev: nfev,
            status,
        }
    };
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return finish(x, fx, g, nfev, 0, Status::NotFinite);
    }
    if bounds.projected_gradient_norm(&x, &g) <= settings.gtol {
        return finish(x, fx, g, nfev, 0, Status::GradientTolerance);
    }
    let constrained = bounds.any();
    let boxed = bounds.all_boxed();
    let mut matrix = BfgsMatrix::new(settings.memory);
    let mut iter = 0;
    let mut xt = vec![0.0; n];
    let mut gt = vec![0.0; n];
    loop {
        if iter >= settings.max_iter {
            return finish(x, fx, g, nfev, iter, Status::MaxIterations);
        }
        if nfev >= settings.max_fev {
            return finish(x, fx, g, nfev, iter, Status::MaxEvaluations);
        }
        let (xc, c) = matrix.cauchy_point(&x, &g, bounds);
        let xbar = matrix.subspace_minimum(&x, &g, &xc, &c, bounds);
        let d: Vec<f64> = (0..n).map(|i| xbar[i] - x[i]).collect();
        let gd = dot(&g, &d);
        if gd >= 0.0 || !gd.is_finite() {
            // The model misleads (rounding, or stale pairs): start again from the gradient.
            if matrix.pairs() == 0 {
                return finish(x, fx, g, nfev, iter, Status::LineSearchFailed);
            }
            matrix.clear();
            continue;
        }
        let mut stpmx = 1e10;
        if constrained {
            if iter == 0 {
                stpmx = 1.0;
            } else {
                for i in 0..n {
                    if d[i] < 0.0 && bounds.lower[i].is_finite() {
                        stpmx = f64::min(stpmx, (bounds.lower[i] - x[i]) / d[i]);
                    } else if d[i] > 0.0 && bounds.upper[i].is_finite() {
                        stpmx = f64::min(stpmx, (bounds.upper[i] - x[i]) / d[i]);
                    }
                }
            }
        }
        let dnorm = dot(&d, &d).sqrt();
        let stp0 = if iter == 0 && !boxed {
            (1.0 / dnorm).min(stpmx)
        } else {
            1.0
        };
        // Every trial's gradient, so the accepted one needs no second evaluation.
        let mut trials: Vec<(f64, Vec<f64>)> = Vec::new();
        let budget = SEARCH_EVALS.min(settings.max_fev - nfev);
        let step = {
            let mut phi = |s: f64| {
                for i in 0..n {
                    xt[i] = x[i] + s * d[i];
                }
                bounds.project(&mut xt);
                let v = f(&xt, &mut gt);
                nfev += 1;
                trials.push((s, gt.clone()));
                (v, dot(&gt, &d))
            };
            line_search::search(&mut phi, fx, gd, stp0, stpmx, line_search::LBFGSB, budget)
        };
        if step.ending == Ending::Failed || step.stp == 0.0 {
            if nfev >= settings.max_fev {
                return finish(x, fx, g, nfev, iter, Status::MaxEvaluations);
            }
            if matrix.pairs() == 0 {
                return finish(x, fx, g, nfev, iter, Status::LineSearchFailed);
            }
            matrix.clear();
            continue;
        }
        let g_new = trials
            .iter()
            .rev()
            .find(|(s, _)| *s == step.stp)
            .map(|(_, g)| g.clone())
            .expect("the accepted step was evaluated");
        let mut x_new: Vec<f64> = (0..n).map(|i| x[i] + step.stp * d[i]).collect();
        bounds.project(&mut x_new);
        iter += 1;
        let f_old = fx;
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        x = x_new;
        g = g_new;
        fx = step.f;
        if bounds.projected_gradient_norm(&x, &g) <= settings.gtol {
            return finish(x, fx, g, nfev, iter, Status::GradientTolerance);
        }
        if f_old - fx <= settings.ftol * f_old.abs().max(fx.abs()).max(1.0) {
            return finish(x, fx, g, nfev, iter, Status::FunctionTolerance);
        }
        // Keep the pair only with enough curvature, as L-BFGS-B does.
        let sy = dot(&s, &y);
        if sy > f64::EPSILON * (-gd * step.stp) {
            matrix.push(s, y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (1.0 - x[0], x[1] - x[0] * x[0]);
        g[0] = -2.0 * a - 400.0 * x[0] * b;
        g[1] = 200.0 * b;
        a * a + 100.0 * b * b
    }

    #[test]
    fn solves_rosenbrock_from_the_standard_start() {
        let out = minimize(
            &mut rosenbrock,
            &[-1.2, 1.0],
            &Bounds::unbounded(2),
            Settings::default(),
        );
        assert!(out.status.is_success(), "{out:?}");
        assert!(out.f < 1e-10 && (out.x[0] - 1.0).abs() < 1e-5, "{out:?}");
        assert!(out.nfev < 60, "{out:?}");
    }

    #[test]
    fn stops_on_an_active_bound_with_the_kkt_sign() {
        let bounds = Bounds {
            lower: vec![f64::NEG_INFINITY, 1.5],
            upper: vec![f64::INFINITY, f64::INFINITY],
        };
        let out = minimize(&mut rosenbrock, &[-1.2, 2.0], &bounds, Settings::default());
        assert!(out.status.is_success(), "{out:?}");
        // min (1 − x)² + 100 (1.5 − x²)² has x ≈ 1.2243 on the bound y = 1.5.
        assert_eq!(out.x[1], 1.5);
        let mut g = [0.0; 2];
        rosenbrock(&out.x, &mut g);
        assert!(g[0].abs() < 1e-5 && g[1] > 0.0, "{out:?} {g:?}");
    }

    #[test]
    fn a_box_holds_the_minimum_in_a_corner() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 3.0);
            g[1] = 2.0 * (x[1] + 1.0);
            (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2)
        };
        let bounds = Bounds {
            lower: vec![0.0, 0.0],
            upper: vec![1.0, 1.0],
        };
        let out = minimize(&mut f, &[0.5, 0.5], &bounds, Settings::default());
        assert_eq!(out.x, vec![1.0, 0.0]);
        assert!(out.status.is_success());
    }
}
