//! The adaptive driver the explicit Runge–Kutta pairs share (Dormand–Prince 5(4) and
//! 8(5,3)): Hairer's starting step, the step-size rule of scipy's solve_ivp (Hairer's with
//! the PI term off), the last step cut to end on t_end, a retry at a tenth of the step
//! after a NaN, and the call to `on_step` with each accepted step's interpolant. A pair
//! only says how it takes a step, estimates its error and interpolates.

use crate::solver::{Control, Counts, Dense, Ending, Settings, Step, System, rms_norm};

/// One embedded explicit Runge–Kutta pair whose last stage is f at the step's end
/// ("first same as last"): that derivative starts the next step.
pub trait EmbeddedPair {
    /// The order q of the error estimate: the error is O(h^(q+1)), so the step-size rule
    /// and the starting step take the (q+1)-th root.
    const ERROR_ORDER: u32;
    /// Evaluations of f per attempted step.
    const EVALS_PER_STEP: usize;

    fn with_dim(n: usize) -> Self;
    /// f at the start of the next step: the driver fills it once at t0, and
    /// [`advance`](Self::advance) leaves the accepted step's end derivative there.
    fn f_start(&mut self) -> &mut [f64];
    /// Takes the step of signed size `h` from (t, y), ending at `t_new`: writes the
    /// solution there into `y1` and evaluates f(t_new, y1).
    fn attempt(
        &mut self,
        sys: &mut dyn System,
        t: f64,
        y: &[f64],
        h: f64,
        t_new: f64,
        y1: &mut [f64],
    );
    /// The attempted step's error relative to `scale` (atol + rtol·|y|), in the pair's
    /// norm: a step with error ≤ 1 is accepted.
    fn error_norm(&self, h: f64, scale: &[f64]) -> f64;
    /// The interpolant of the accepted step from (t, y) to (t + h, y1).
    fn dense<'a>(
        &'a mut self,
        sys: &'a mut dyn System,
        t: f64,
        h: f64,
        y: &'a [f64],
        y1: &'a [f64],
    ) -> Dense<'a>;
    /// Moves on past the accepted step (its end derivative becomes the next start);
    /// returns the evaluations of f its interpolant made, if any.
    fn advance(&mut self) -> usize;
}

/// scipy's solve_ivp rule: a new step is h·0.9·err^(−1/(q+1)), by a factor in [0.2, 10],
/// and no larger than the rejected one right after a rejection.
const SAFETY: f64 = 0.9;
const MIN_FACTOR: f64 = 0.2;
const MAX_FACTOR: f64 = 10.0;

/// Integrates from t0 to t_end (either direction) with the pair `P`, calling `on_step`
/// after every accepted step; it may stop the integration.
pub fn solve<P: EmbeddedPair>(
    sys: &mut dyn System,
    t0: f64,
    y0: &[f64],
    t_end: f64,
    settings: Settings,
    mut on_step: impl FnMut(&Step) -> Control,
) -> (Ending, Counts) {
    let n = sys.dim();
    let Settings {
        rtol,
        atol,
        max_steps,
        first_step,
        max_step,
    } = settings;
    let mut counts = Counts::default();
    let dir = if t_end >= t0 { 1.0 } else { -1.0 };
    if t_end == t0 {
        return (Ending::Reached, counts);
    }
    let mut pair = P::with_dim(n);
    let mut t = t0;
    let mut y = y0.to_vec();
    let mut y1 = vec![0.0; n];
    let mut scale = vec![0.0; n];
    sys.rhs(t, &y, pair.f_start());
    counts.nfev += 1;
    let max_step = max_step.min((t_end - t0).abs());
    let expo = 1.0 / f64::from(P::ERROR_ORDER + 1);

    let mut h = match first_step {
        Some(h) => h.abs().min(max_step),
        None => {
            counts.nfev += 1;
            initial_step(sys, t, &y, pair.f_start(), dir, expo, rtol, atol, max_step)
        }
    };
    // Written as Hairer's dopri5.f writes it (h divided by a clamped factor), which is
    // scipy's rule to the last bit of the reference runs' step sequences.
    let (facc1, facc2) = (1.0 / MIN_FACTOR, 1.0 / MAX_FACTOR);
    let mut last_rejected = false;
    loop {
        if counts.accepted + counts.rejected >= max_steps {
            return (Ending::MaxSteps, counts);
        }
        if 0.1 * h.abs() <= t.abs() * f64::EPSILON {
            return (Ending::StepTooSmall, counts);
        }
        let mut last = false;
        if (t + dir * h - t_end) * dir >= 0.0 {
            h = (t_end - t).abs();
            last = true;
        }
        let hs = dir * h;
        let t_new = if last { t_end } else { t + hs };
        pair.attempt(sys, t, &y, hs, t_new, &mut y1);
        counts.nfev += P::EVALS_PER_STEP;
        for i in 0..n {
            scale[i] = atol + rtol * y[i].abs().max(y1[i].abs());
        }
        let e = pair.error_norm(hs, &scale);
        if !e.is_finite() {
            if y1.iter().any(|v| !v.is_finite()) && h <= 1e-12 * (1.0 + t.abs()) {
                return (Ending::NotFinite, counts);
            }
            // A NaN from too long a step: retry much shorter.
            h *= 0.1;
            counts.rejected += 1;
            last_rejected = true;
            continue;
        }
        let fac11 = e.powf(expo);
        let fac = (fac11 / SAFETY).clamp(facc2, facc1);
        let mut hnew = h / fac;
        if e <= 1.0 {
            counts.accepted += 1;
            let control = {
                let step = Step {
                    t0: t,
                    h: t_new - t,
                    y1: &y1,
                    dense: pair.dense(sys, t, t_new - t, &y, &y1),
                };
                on_step(&step)
            };
            counts.nfev += pair.advance();
            std::mem::swap(&mut y, &mut y1);
            t = t_new;
            if matches!(control, Control::Stop) {
                return (Ending::Stopped, counts);
            }
            if last {
                return (Ending::Reached, counts);
            }
            if last_rejected {
                hnew = hnew.min(h);
            }
            last_rejected = false;
        } else {
            hnew = h / facc1.min(fac11 / SAFETY);
            counts.rejected += 1;
            last_rejected = true;
        }
        h = hnew.min(max_step);
    }
}

/// Hairer's hinit, as scipy's select_initial_step: a step whose explicit Euler error is
/// about the tolerance, grown at most 100-fold by the change of f over it. Makes one
/// evaluation of f.
#[allow(clippy::too_many_arguments)]
fn initial_step(
    sys: &mut dyn System,
    t: f64,
    y: &[f64],
    f0: &[f64],
    dir: f64,
    expo: f64,
    rtol: f64,
    atol: f64,
    max_step: f64,
) -> f64 {
    let n = y.len();
    let scale: Vec<f64> = y.iter().map(|v| atol + rtol * v.abs()).collect();
    let d0 = rms_norm(y, &scale);
    let d1 = rms_norm(f0, &scale);
    let h0 = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    };
    let h0 = h0.min(max_step);
    let ytmp: Vec<f64> = (0..n).map(|i| y[i] + dir * h0 * f0[i]).collect();
    let mut f1 = vec![0.0; n];
    sys.rhs(t + dir * h0, &ytmp, &mut f1);
    let diff: Vec<f64> = (0..n).map(|i| f1[i] - f0[i]).collect();
    let d2 = rms_norm(&diff, &scale) / h0;
    let h1 = if d1.max(d2) <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d1.max(d2)).powf(expo)
    };
    (100.0 * h0).min(h1).min(max_step)
}
