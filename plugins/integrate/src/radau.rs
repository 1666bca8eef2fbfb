//! Radau IIA of order 5 (three stages) for stiff systems, after Hairer and Wanner's
//! RADAU5: simplified Newton iterations with the exact Jacobian, the embedded error
//! estimate filtered through (I − γ₀hJ)⁻¹, and the collocation polynomial as dense
//! output. For clarity over speed the Newton system is solved as one real 3n×3n system
//! (RADAU5 splits it into a real and a complex n×n one): the systems given as
//! expressions here have a handful of unknowns, where the difference is small.

use crate::lu::Lu;
use crate::solver::{
    Control, Counts, Dense, Ending, Jacobian, Settings, Step, lagrange_weights, rms_norm,
};

const SQ6: f64 = 2.449_489_742_783_178;
const C: [f64; 3] = [(4.0 - SQ6) / 10.0, (4.0 + SQ6) / 10.0, 1.0];
const A: [[f64; 3]; 3] = [
    [
        (88.0 - 7.0 * SQ6) / 360.0,
        (296.0 - 169.0 * SQ6) / 1800.0,
        (-2.0 + 3.0 * SQ6) / 225.0,
    ],
    [
        (296.0 + 169.0 * SQ6) / 1800.0,
        (88.0 + 7.0 * SQ6) / 360.0,
        (-2.0 - 3.0 * SQ6) / 225.0,
    ],
    [(16.0 - SQ6) / 36.0, (16.0 + SQ6) / 36.0, 1.0 / 9.0],
];
/// The error estimate's weights on the stages (RADAU5's dd1..dd3).
const DD: [f64; 3] = [
    -(13.0 + 7.0 * SQ6) / 3.0,
    (-13.0 + 7.0 * SQ6) / 3.0,
    -1.0 / 3.0,
];
/// Newton iterations per step at most.
const MAX_NEWTON: usize = 7;
const SAFE: f64 = 0.9;

/// 1/γ₀, the real eigenvalue of A⁻¹: (6 + 81^⅓ − 9^⅓)/30 inverted.
fn u1() -> f64 {
    30.0 / (6.0 + 81f64.cbrt() - 9f64.cbrt())
}

pub fn solve<S: Jacobian>(
    sys: &mut S,
    t0: f64,
    y0: &[f64],
    t_end: f64,
    settings: Settings,
    mut on_step: impl FnMut(&Step) -> Control,
) -> (Ending, Counts) {
    let n = sys.dim();
    let mut counts = Counts::default();
    if t_end == t0 {
        return (Ending::Reached, counts);
    }
    let dir = if t_end > t0 { 1.0 } else { -1.0 };
    // The tolerances as given, as scipy's Radau takes them. RADAU5 loosens them to
    // 0.1·rtol^(2/3), which at rtol 1e-8 gave van der Pol 60× scipy's end-point error.
    let (rtol, atol) = (settings.rtol, settings.atol);
    let fnewt = (10.0 * f64::EPSILON / rtol).max(rtol.sqrt().min(0.03));
    let max_step = settings.max_step.min((t_end - t0).abs());

    let mut t = t0;
    let mut y = y0.to_vec();
    let mut f0 = vec![0.0; n];
    let mut jac = vec![0.0; n * n];
    let mut scale = vec![0.0; n];
    let mut z: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; n]);
    let mut z_prev: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; n]);
    let mut fz: [Vec<f64>; 3] = std::array::from_fn(|_| vec![0.0; n]);
    let mut ytmp = vec![0.0; n];
    let mut rhs = vec![0.0; 3 * n];
    let mut err = vec![0.0; n];
    let mut y_old = vec![0.0; n];
    sys.rhs(t, &y, &mut f0);
    counts.nfev += 1;
    let mut h = settings.first_step.unwrap_or(1e-6).abs().min(max_step);
    let mut have_prev = false;
    let mut h_prev = h;
    let mut first = true;
    let mut last_rejected = false;

    loop {
        if counts.accepted + counts.rejected >= settings.max_steps {
            return (Ending::MaxSteps, counts);
        }
        if 0.1 * h <= t.abs() * f64::EPSILON {
            return (Ending::StepTooSmall, counts);
        }
        let mut last = false;
        if (t + dir * h - t_end) * dir >= 0.0 {
            h = (t_end - t).abs();
            last = true;
        }
        let hs = dir * h;
        for i in 0..n {
            scale[i] = atol + rtol * y[i].abs();
        }
        sys.jacobian(t, &y, &mut jac);
        // Newton matrix I − h (A ⊗ J), 3n × 3n.
        let m = 3 * n;
        let mut newton = vec![0.0; m * m];
        for a in 0..3 {
            for b in 0..3 {
                for i in 0..n {
                    for j in 0..n {
                        let v = -hs * A[a][b] * jac[i * n + j];
                        newton[(a * n + i) * m + b * n + j] =
                            v + if a == b && i == j { 1.0 } else { 0.0 };
                    }
                }
            }
        }
        let Some(lu) = Lu::factor(newton, m) else {
            // Singular: a smaller step makes the matrix closer to I.
            h *= 0.5;
            counts.rejected += 1;
            last_rejected = true;
            continue;
        };
        // Starting values: the previous collocation polynomial, extrapolated.
        if have_prev {
            let r = h / h_prev;
            let end = z_prev[2].clone();
            for k in 0..3 {
                let w = lagrange_weights(&C, 1.0 + C[k] * r);
                for i in 0..n {
                    z[k][i] =
                        w[0] * z_prev[0][i] + w[1] * z_prev[1][i] + w[2] * z_prev[2][i] - end[i];
                }
            }
        } else {
            for zk in z.iter_mut() {
                zk.fill(0.0);
            }
        }
        // Simplified Newton iterations.
        let mut converged = false;
        let mut faccon: f64 = 1.0;
        let mut dynold: f64 = 0.0;
        let mut newt = 0;
        let mut diverging = false;
        let mut slow_factor = 0.5;
        while newt < MAX_NEWTON {
            for k in 0..3 {
                for i in 0..n {
                    ytmp[i] = y[i] + z[k][i];
                }
                sys.rhs(t + C[k] * hs, &ytmp, &mut fz[k]);
            }
            counts.nfev += 3;
            if fz.iter().flatten().any(|v| !v.is_finite()) {
                diverging = true;
                break;
            }
            for a in 0..3 {
                for i in 0..n {
                    let mut s = -z[a][i];
                    for b in 0..3 {
                        s += hs * A[a][b] * fz[b][i];
                    }
                    rhs[a * n + i] = s;
                }
            }
            lu.solve(&mut rhs);
            let mut dyno = 0.0;
            for a in 0..3 {
                for i in 0..n {
                    let d = rhs[a * n + i];
                    z[a][i] += d;
                    dyno += (d / scale[i]) * (d / scale[i]);
                }
            }
            let dyno = (dyno / m as f64).sqrt();
            newt += 1;
            if newt > 1 {
                let theta = dyno / dynold;
                if theta >= 0.99 || !theta.is_finite() {
                    diverging = true;
                    break;
                }
                faccon = theta / (1.0 - theta);
                // RADAU5's forecast: will the iterations left reach fnewt at this rate?
                // If not, retry at once with the step that the rate suggests.
                if newt < MAX_NEWTON {
                    let left = (MAX_NEWTON - 1 - newt) as i32;
                    let dyth = faccon * dyno * theta.powi(left) / fnewt;
                    if dyth >= 1.0 {
                        let qnewt = dyth.clamp(1e-4, 20.0);
                        slow_factor = 0.8 * qnewt.powf(-1.0 / (4.0 + left as f64));
                        diverging = true;
                        break;
                    }
                }
            }
            dynold = dyno.max(f64::EPSILON);
            if faccon * dyno <= fnewt {
                converged = true;
                break;
            }
        }
        if !converged || diverging {
            h *= slow_factor;
            counts.rejected += 1;
            last_rejected = true;
            have_prev = false;
            continue;
        }
        // Error estimate: (I − γ₀hJ)⁻¹ (γ₀h f0 + γ₀ Σ dd_k z_k), via E1 = (u1/h) I − J.
        let fac1 = u1() / hs;
        let mut e1 = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                e1[i * n + j] = -jac[i * n + j] + if i == j { fac1 } else { 0.0 };
            }
        }
        let Some(e1) = Lu::factor(e1, n) else {
            h *= 0.5;
            counts.rejected += 1;
            last_rejected = true;
            continue;
        };
        let mut f2 = vec![0.0; n];
        for i in 0..n {
            f2[i] = (DD[0] * z[0][i] + DD[1] * z[1][i] + DD[2] * z[2][i]) / hs;
            err[i] = f0[i] + f2[i];
        }
        e1.solve(&mut err);
        for i in 0..n {
            scale[i] = atol + rtol * y[i].abs().max((y[i] + z[2][i]).abs());
        }
        let mut e = rms_norm(&err, &scale).max(1e-10);
        if e >= 1.0 && (first || last_rejected) {
            // RADAU5's second estimate on a doubtful step: one more f, one more solve.
            for i in 0..n {
                ytmp[i] = y[i] + err[i];
            }
            sys.rhs(t, &ytmp, &mut err);
            counts.nfev += 1;
            for i in 0..n {
                err[i] += f2[i];
            }
            e1.solve(&mut err);
            e = rms_norm(&err, &scale).max(1e-10);
        }
        let fac = SAFE.min(SAFE * (1 + 2 * MAX_NEWTON) as f64 / (newt + 2 * MAX_NEWTON) as f64);
        let quot = (e.powf(0.25) / fac).clamp(1.0 / 8.0, 5.0);
        let mut hnew = h / quot;
        if e < 1.0 {
            first = false;
            counts.accepted += 1;
            y_old.copy_from_slice(&y);
            for i in 0..n {
                y[i] += z[2][i];
            }
            let t_new = if last { t_end } else { t + hs };
            let step = Step {
                t0: t,
                h: t_new - t,
                y1: &y,
                dense: Dense::Collocation {
                    y0: &y_old,
                    c: C,
                    z: &z,
                },
            };
            let control = on_step(&step);
            t = t_new;
            if matches!(control, Control::Stop) {
                return (Ending::Stopped, counts);
            }
            if last {
                return (Ending::Reached, counts);
            }
            sys.rhs(t, &y, &mut f0);
            counts.nfev += 1;
            if y.iter().any(|v| !v.is_finite()) {
                return (Ending::NotFinite, counts);
            }
            if last_rejected {
                hnew = hnew.min(h);
            }
            last_rejected = false;
            for k in 0..3 {
                z_prev[k].copy_from_slice(&z[k]);
            }
            have_prev = true;
            h_prev = h;
        } else {
            counts.rejected += 1;
            last_rejected = true;
            if first {
                hnew = h * 0.1;
            }
        }
        h = hnew.min(max_step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::System;

    /// y' = −1000 (y − cos t): stiff, with the slow solution ≈ cos t.
    struct Stiff;
    impl System for Stiff {
        fn dim(&self) -> usize {
            1
        }
        fn rhs(&mut self, t: f64, y: &[f64], dy: &mut [f64]) {
            dy[0] = -1000.0 * (y[0] - t.cos());
        }
    }
    impl Jacobian for Stiff {
        fn jacobian(&mut self, _t: f64, _y: &[f64], jac: &mut [f64]) {
            jac[0] = -1000.0;
        }
    }

    #[test]
    fn a_stiff_scalar_problem_takes_few_steps_and_is_accurate() {
        let settings = Settings {
            rtol: 1e-8,
            atol: 1e-10,
            max_steps: 100_000,
            first_step: None,
            max_step: f64::INFINITY,
        };
        let mut end = 0.0;
        let (ending, counts) = solve(&mut Stiff, 0.0, &[1.0], 10.0, settings, |s| {
            end = s.y1[0];
            Control::Continue
        });
        assert_eq!(ending, Ending::Reached);
        // Exact: y = (1e6 cos t + 1e3 sin t)/(1e6 + 1) + C e^{−1000 t}, C negligible at 10.
        let exact = (1e6 * 10f64.cos() + 1e3 * 10f64.sin()) / (1e6 + 1.0);
        assert!((end - exact).abs() < 1e-7, "{end} vs {exact}");
        assert!(counts.accepted < 2000, "{counts:?}");
    }
}
