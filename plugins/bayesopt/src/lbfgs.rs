//! Box-constrained L-BFGS by projection: the two-loop direction restricted
//! to the variables not held at a bound, a projected Armijo backtracking
//! line search, and a restart from steepest descent when the curvature
//! memory misleads. Enough for the smooth, low-dimensional problems here
//! (GP hyperparameters, acquisition functions).

const MEMORY: usize = 7;

/// Minimises `f` (which writes its gradient into the second argument) over
/// the box [lo, hi] from `x0`, for at most `max_iter` iterations. Returns
/// the best point and its value.
pub fn minimize(
    f: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    lo: &[f64],
    hi: &[f64],
    max_iter: usize,
) -> (Vec<f64>, f64) {
    let n = x0.len();
    let clamp = |x: &mut [f64]| {
        for i in 0..n {
            x[i] = x[i].clamp(lo[i], hi[i]);
        }
    };
    let mut x = x0.to_vec();
    clamp(&mut x);
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    if !fx.is_finite() {
        return (x, fx);
    }
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    for iter in 0..max_iter {
        // Variables at a bound with the gradient pushing outwards stay put.
        let free: Vec<bool> = (0..n)
            .map(|i| !((x[i] <= lo[i] && g[i] > 0.0) || (x[i] >= hi[i] && g[i] < 0.0)))
            .collect();
        if (0..n).all(|i| !free[i] || g[i].abs() < 1e-9) {
            break;
        }
        let mut dir = direction(&g, &s_hist, &y_hist, &free);
        let mut slope: f64 = dir.iter().zip(&g).map(|(d, g)| d * g).sum();
        if slope >= 0.0 || !slope.is_finite() {
            s_hist.clear();
            y_hist.clear();
            dir = (0..n).map(|i| if free[i] { -g[i] } else { 0.0 }).collect();
            slope = dir.iter().zip(&g).map(|(d, g)| d * g).sum();
        }
        // Without curvature information, a first step of unit length.
        let mut step = if s_hist.is_empty() {
            1.0 / dir.iter().map(|d| d * d).sum::<f64>().sqrt().max(1e-12)
        } else {
            1.0
        };
        let mut accepted = None;
        for _ in 0..40 {
            for i in 0..n {
                x_new[i] = x[i] + step * dir[i];
            }
            clamp(&mut x_new);
            let f_new = f(&x_new, &mut g_new);
            let decrease: f64 = (0..n).map(|i| g[i] * (x_new[i] - x[i])).sum();
            if f_new.is_finite() && f_new <= fx + 1e-4 * decrease.min(0.0) {
                accepted = Some(f_new);
                break;
            }
            step *= 0.5;
        }
        let Some(f_new) = accepted else {
            if s_hist.is_empty() {
                break;
            }
            s_hist.clear();
            y_hist.clear();
            continue;
        };
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let yv: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        let sy: f64 = s.iter().zip(&yv).map(|(a, b)| a * b).sum();
        if sy > 1e-12 {
            if s_hist.len() == MEMORY {
                s_hist.remove(0);
                y_hist.remove(0);
            }
            s_hist.push(s);
            y_hist.push(yv);
        }
        let converged = (fx - f_new).abs() <= 1e-10 * (1.0 + fx.abs()) && iter > 0;
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        fx = f_new;
        if converged {
            break;
        }
    }
    (x, fx)
}

/// The L-BFGS two-loop recursion on the free variables: -H g.
fn direction(g: &[f64], s_hist: &[Vec<f64>], y_hist: &[Vec<f64>], free: &[bool]) -> Vec<f64> {
    let dot = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .zip(free)
            .filter(|(_, f)| **f)
            .map(|((a, b), _)| a * b)
            .sum()
    };
    let mut q: Vec<f64> = g
        .iter()
        .zip(free)
        .map(|(g, f)| if *f { *g } else { 0.0 })
        .collect();
    let m = s_hist.len();
    let mut alpha = vec![0.0; m];
    let mut rho = vec![0.0; m];
    for k in (0..m).rev() {
        let sy = dot(&s_hist[k], &y_hist[k]);
        rho[k] = if sy > 1e-300 { 1.0 / sy } else { 0.0 };
        alpha[k] = rho[k] * dot(&s_hist[k], &q);
        for i in 0..q.len() {
            q[i] -= alpha[k] * y_hist[k][i];
        }
    }
    if m > 0 {
        let yy = dot(&y_hist[m - 1], &y_hist[m - 1]);
        let sy = dot(&s_hist[m - 1], &y_hist[m - 1]);
        if yy > 0.0 && sy > 0.0 {
            q.iter_mut().for_each(|v| *v *= sy / yy);
        }
    }
    for k in 0..m {
        let beta = rho[k] * dot(&y_hist[k], &q);
        for i in 0..q.len() {
            q[i] += s_hist[k][i] * (alpha[k] - beta);
        }
    }
    q.iter()
        .zip(free)
        .map(|(v, f)| if *f { -v } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (1.0 - x[0], x[1] - x[0] * x[0]);
            g[0] = -2.0 * a - 400.0 * x[0] * b;
            g[1] = 200.0 * b;
            a * a + 100.0 * b * b
        };
        let (x, v) = minimize(&mut f, &[-1.2, 1.0], &[-5.0, -5.0], &[5.0, 5.0], 500);
        assert!(v < 1e-8 && (x[0] - 1.0).abs() < 1e-3, "{x:?} {v}");
    }

    #[test]
    fn stops_at_an_active_bound() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 3.0);
            g[1] = 2.0 * (x[1] + 1.0);
            (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2)
        };
        let (x, _) = minimize(&mut f, &[0.5, 0.5], &[0.0, 0.0], &[1.0, 1.0], 100);
        assert_eq!(x, vec![1.0, 0.0]);
    }
}
