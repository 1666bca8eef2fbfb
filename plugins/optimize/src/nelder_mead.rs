//! Nelder–Mead for objectives without a usable gradient (kinks, steps), with the
//! dimension-adapted coefficients of Gao and Han (2012) that scipy's `adaptive` option
//! uses, and every trial point clipped into the bounds.

use crate::bounds::Bounds;
use crate::outcome::{Outcome, Status};

#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub max_iter: usize,
    pub max_fev: usize,
    /// Stop when every vertex is within xatol of the best, in every coordinate…
    pub xatol: f64,
    /// …and every vertex's value within fatol of the best.
    pub fatol: f64,
}

pub fn minimize(
    f: &mut impl FnMut(&[f64]) -> f64,
    x0: &[f64],
    bounds: &Bounds,
    settings: Settings,
) -> Outcome {
    let n = x0.len();
    let nf = n as f64;
    let (rho, chi, psi, sigma) = (
        1.0,
        1.0 + 2.0 / nf,
        0.75 - 1.0 / (2.0 * nf),
        1.0 - 1.0 / nf.max(2.0),
    );
    let mut nfev = 0;
    // NaN counts as +∞, so a vertex where f is undefined is always the first to go.
    let mut eval = |x: &[f64], nfev: &mut usize| {
        *nfev += 1;
        let v = f(x);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut start = x0.to_vec();
    bounds.project(&mut start);
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    let f0 = eval(&start, &mut nfev);
    simplex.push((start.clone(), f0));
    for k in 0..n {
        let mut y = start.clone();
        let step = if y[k] != 0.0 { 0.05 * y[k] } else { 0.00025 };
        y[k] += step;
        if y[k] > bounds.upper[k] || y[k] < bounds.lower[k] {
            y[k] = start[k] - step;
        }
        bounds.project(&mut y);
        let fy = eval(&y, &mut nfev);
        simplex.push((y, fy));
    }
    let order = |s: &mut Vec<(Vec<f64>, f64)>| s.sort_by(|a, b| a.1.total_cmp(&b.1));
    order(&mut simplex);
    let mut iterations = 0;
    let status = loop {
        let best = &simplex[0];
        let spread_x = simplex[1..]
            .iter()
            .flat_map(|(x, _)| x.iter().zip(&best.0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        let spread_f = simplex[1..]
            .iter()
            .map(|(_, v)| (v - best.1).abs())
            .fold(0.0, f64::max);
        if spread_x <= settings.xatol && spread_f <= settings.fatol {
            break Status::StepTolerance;
        }
        if iterations >= settings.max_iter {
            break Status::MaxIterations;
        }
        if nfev >= settings.max_fev {
            break Status::MaxEvaluations;
        }
        iterations += 1;
        let mut centroid = vec![0.0; n];
        for (x, _) in &simplex[..n] {
            for (c, xi) in centroid.iter_mut().zip(x) {
                *c += xi / nf;
            }
        }
        let worst = simplex[n].clone();
        let toward = |t: f64| -> Vec<f64> {
            let mut p: Vec<f64> = (0..n)
                .map(|i| (1.0 + t) * centroid[i] - t * worst.0[i])
                .collect();
            bounds.project(&mut p);
            p
        };
        let xr = toward(rho);
        let fr = eval(&xr, &mut nfev);
        let mut shrink = false;
        if fr < simplex[0].1 {
            let xe = toward(rho * chi);
            let fe = eval(&xe, &mut nfev);
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else if fr < worst.1 {
            let xc = toward(psi * rho);
            let fc = eval(&xc, &mut nfev);
            if fc <= fr {
                simplex[n] = (xc, fc);
            } else {
                shrink = true;
            }
        } else {
            let xcc = toward(-psi);
            let fcc = eval(&xcc, &mut nfev);
            if fcc < worst.1 {
                simplex[n] = (xcc, fcc);
            } else {
                shrink = true;
            }
        }
        if shrink {
            let best = simplex[0].0.clone();
            for vertex in simplex.iter_mut().skip(1) {
                let mut p: Vec<f64> = (0..n)
                    .map(|i| best[i] + sigma * (vertex.0[i] - best[i]))
                    .collect();
                bounds.project(&mut p);
                let fp = eval(&p, &mut nfev);
                *vertex = (p, fp);
            }
        }
        order(&mut simplex);
    };
    let (x, fx) = simplex.swap_remove(0);
    Outcome {
        status: if fx.is_finite() {
            status
        } else {
            Status::NotFinite
        },
        x,
        f: fx,
        grad_norm: f64::NAN,
        iterations,
        nfev,
        ngev: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            max_iter: 5000,
            max_fev: 10_000,
            xatol: 1e-8,
            fatol: 1e-12,
        }
    }

    #[test]
    fn finds_the_corner_of_a_kinked_function() {
        let mut f = |x: &[f64]| (x[0] - 1.0).abs() + 2.0 * (x[1] + 0.5).abs();
        let out = minimize(&mut f, &[3.0, 2.0], &Bounds::unbounded(2), settings());
        assert!(out.status.is_success(), "{out:?}");
        assert!(
            (out.x[0] - 1.0).abs() < 1e-7 && (out.x[1] + 0.5).abs() < 1e-7,
            "{out:?}"
        );
    }

    #[test]
    fn stays_inside_the_bounds() {
        let mut f = |x: &[f64]| (x[0] + 2.0).abs() + x[1] * x[1];
        let bounds = Bounds {
            lower: vec![0.0, f64::NEG_INFINITY],
            upper: vec![f64::INFINITY, f64::INFINITY],
        };
        let out = minimize(&mut f, &[1.0, 1.0], &bounds, settings());
        assert!(out.x[0] >= 0.0 && out.x[0] < 1e-7, "{out:?}");
    }
}
