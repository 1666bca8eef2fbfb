//! The Moré–Thuente line search (MINPACK-2 `dcsrch`/`dcstep`, as L-BFGS-B uses it): a step
//! satisfying the strong Wolfe conditions, found by safeguarded cubic and quadratic
//! interpolation. With L-BFGS-B's parameters (ftol 1e-3, gtol 0.9) the unit step is
//! accepted most of the time, which is where the few evaluations per iteration come from.

/// Sufficient-decrease and curvature constants and the bracket's relative tolerance.
#[derive(Clone, Copy, Debug)]
pub struct Wolfe {
    pub ftol: f64,
    pub gtol: f64,
    pub xtol: f64,
}

/// L-BFGS-B's constants.
pub const LBFGSB: Wolfe = Wolfe {
    ftol: 1e-3,
    gtol: 0.9,
    xtol: 0.1,
};

/// How a search ended: `Converged` met both Wolfe conditions; the others stopped at a
/// step that decreases f (rounding, a bound on the step, too narrow an interval) and are
/// acceptable; `Failed` found no decrease within the evaluations allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Converged,
    Acceptable,
    Failed,
}

/// The step taken and the function's value there.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub stp: f64,
    pub f: f64,
    pub ending: Ending,
}

/// Searches along a ray: `phi(stp)` returns f and its derivative along the direction at
/// `x + stp·d`. `f0` and `g0 < 0` are those at stp = 0; `stp` is the first trial, within
/// [0, `stpmax`]. At most `max_evals` evaluations.
pub fn search(
    phi: &mut impl FnMut(f64) -> (f64, f64),
    f0: f64,
    g0: f64,
    mut stp: f64,
    stpmax: f64,
    wolfe: Wolfe,
    max_evals: usize,
) -> Step {
    const XTRAPL: f64 = 1.1;
    const XTRAPU: f64 = 4.0;
    let stpmin = 0.0;
    let mut brackt = false;
    let mut stage1 = true;
    let gtest = wolfe.ftol * g0;
    let mut width = stpmax - stpmin;
    let mut width1 = 2.0 * width;
    let (mut stx, mut fx, mut gx) = (0.0, f0, g0);
    let (mut sty, mut fy, mut gy) = (0.0, f0, g0);
    let mut stmin = 0.0;
    let mut stmax = stp + XTRAPU * stp;
    // The best decreasing point seen, for an ending short of the Wolfe conditions.
    let mut best = Step {
        stp: 0.0,
        f: f0,
        ending: Ending::Failed,
    };
    for _ in 0..max_evals {
        let (f, g) = phi(stp);
        if !f.is_finite() || !g.is_finite() {
            // Outside the function's domain: come back towards the last good point.
            stmax = stp;
            brackt = true;
            stp = stx + 0.5 * (stp - stx);
            if stp <= stpmin || (stp - stx).abs() <= f64::EPSILON * stp.abs() {
                break;
            }
            continue;
        }
        let ftest = f0 + stp * gtest;
        if f < best.f && f <= ftest {
            best = Step {
                stp,
                f,
                ending: Ending::Acceptable,
            };
        }
        if stage1 && f <= ftest && g >= 0.0 {
            stage1 = false;
        }
        if f <= ftest && g.abs() <= wolfe.gtol * (-g0) {
            return Step {
                stp,
                f,
                ending: Ending::Converged,
            };
        }
        let cornered = (brackt && (stp <= stmin || stp >= stmax))
            || (brackt && stmax - stmin <= wolfe.xtol * stmax)
            || (stp == stpmax && f <= ftest && g <= gtest);
        if cornered {
            return if f <= ftest {
                Step {
                    stp,
                    f,
                    ending: Ending::Acceptable,
                }
            } else {
                best
            };
        }
        let mut bracket = Bracket {
            stx,
            fx,
            dx: gx,
            sty,
            fy,
            dy: gy,
            brackt,
        };
        if stage1 && f <= fx && f > ftest {
            // The modified function ψ(stp) = f − f0 − stp·gtest keeps the search in the
            // sufficient-decrease region until a point there has been found.
            bracket.fx -= stx * gtest;
            bracket.fy -= sty * gtest;
            bracket.dx -= gtest;
            bracket.dy -= gtest;
            stp = bracket.step(stp, f - stp * gtest, g - gtest, stmin, stmax);
            bracket.fx += bracket.stx * gtest;
            bracket.fy += bracket.sty * gtest;
            bracket.dx += gtest;
            bracket.dy += gtest;
        } else {
            stp = bracket.step(stp, f, g, stmin, stmax);
        }
        Bracket {
            stx,
            fx,
            dx: gx,
            sty,
            fy,
            dy: gy,
            brackt,
        } = bracket;
        if brackt {
            if (sty - stx).abs() >= 0.66 * width1 {
                stp = stx + 0.5 * (sty - stx);
            }
            width1 = width;
            width = (sty - stx).abs();
            stmin = stx.min(sty);
            stmax = stx.max(sty);
        } else {
            stmin = stp + XTRAPL * (stp - stx);
            stmax = stp + XTRAPU * (stp - stx);
        }
        stp = stp.clamp(stpmin, stpmax);
        if brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= wolfe.xtol * stmax) {
            stp = stx;
        }
    }
    best
}

/// The interval of uncertainty: stx is the best step so far, sty the other end.
struct Bracket {
    stx: f64,
    fx: f64,
    dx: f64,
    sty: f64,
    fy: f64,
    dy: f64,
    brackt: bool,
}

impl Bracket {
    /// `dcstep`: the next trial step from the trial `stp` (value `fp`, derivative `dp`),
    /// and the interval updated to contain a minimiser.
    fn step(&mut self, stp: f64, fp: f64, dp: f64, stpmin: f64, stpmax: f64) -> f64 {
        let (stx, fx, dx) = (self.stx, self.fx, self.dx);
        let sgnd = dp * dx.signum();
        let stpf;
        if fp > fx {
            // Higher value: the minimum is bracketed; cubic, or halfway to the quadratic.
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).max(0.0).sqrt();
            if stp < stx {
                gamma = -gamma;
            }
            let p = (gamma - dx) + theta;
            let q = ((gamma - dx) + gamma) + dp;
            let stpc = stx + (p / q) * (stp - stx);
            let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
            stpf = if (stpc - stx).abs() < (stpq - stx).abs() {
                stpc
            } else {
                stpc + (stpq - stpc) / 2.0
            };
            self.brackt = true;
        } else if sgnd < 0.0 {
            // Derivatives of opposite sign: bracketed; the cubic or the secant step.
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).max(0.0).sqrt();
            if stp > stx {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = ((gamma - dp) + gamma) + dx;
            let stpc = stp + (p / q) * (stx - stp);
            let stpq = stp + (dp / (dp - dx)) * (stx - stp);
            stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            self.brackt = true;
        } else if dp.abs() < dx.abs() {
            // Same sign, the derivative shrinking: the cubic if it points the right way.
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).max(0.0).sqrt();
            if stp > stx {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = (gamma + (dx - dp)) + gamma;
            let r = p / q;
            let stpc = if r < 0.0 && gamma != 0.0 {
                stp + r * (stx - stp)
            } else if stp > stx {
                stpmax
            } else {
                stpmin
            };
            let stpq = stp + (dp / (dp - dx)) * (stx - stp);
            if self.brackt {
                let nearer = if (stpc - stp).abs() < (stpq - stp).abs() {
                    stpc
                } else {
                    stpq
                };
                stpf = if stp > stx {
                    (stp + 0.66 * (self.sty - stp)).min(nearer)
                } else {
                    (stp + 0.66 * (self.sty - stp)).max(nearer)
                };
            } else {
                let farther = if (stpc - stp).abs() > (stpq - stp).abs() {
                    stpc
                } else {
                    stpq
                };
                stpf = farther.clamp(stpmin, stpmax);
            }
        } else if self.brackt {
            // Same sign, not shrinking, bracketed: the cubic through stp and sty.
            let (sty, fy, dy) = (self.sty, self.fy, self.dy);
            let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
            let s = theta.abs().max(dy.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dy / s) * (dp / s)).max(0.0).sqrt();
            if stp > sty {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = ((gamma - dp) + gamma) + dy;
            stpf = stp + (p / q) * (sty - stp);
        } else if stp > stx {
            stpf = stpmax;
        } else {
            stpf = stpmin;
        }
        if fp > fx {
            self.sty = stp;
            self.fy = fp;
            self.dy = dp;
        } else {
            if sgnd < 0.0 {
                self.sty = stx;
                self.fy = fx;
                self.dy = dx;
            }
            self.stx = stp;
            self.fx = fp;
            self.dx = dp;
        }
        stpf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_wolfe_step_on_a_quartic() {
        // φ(s) = (s − 2)^4 − s, decreasing at 0 with its minimum near 2.63.
        let mut evals = 0;
        let mut phi = |s: f64| {
            evals += 1;
            ((s - 2.0).powi(4) - s, 4.0 * (s - 2.0).powi(3) - 1.0)
        };
        let step = search(&mut phi, 16.0, -33.0, 1.0, 1e10, LBFGSB, 20);
        assert_eq!(step.ending, Ending::Converged);
        assert!(step.f <= 16.0 + 1e-3 * step.stp * -33.0);
        let slope = 4.0 * (step.stp - 2.0f64).powi(3) - 1.0;
        assert!(slope.abs() <= 0.9 * 33.0);
        assert!(evals <= 5, "{evals} evaluations");
    }

    #[test]
    fn accepts_the_unit_step_on_a_quadratic() {
        let mut phi = |s: f64| ((s - 1.0).powi(2), 2.0 * (s - 1.0));
        let step = search(&mut phi, 1.0, -2.0, 1.0, 1e10, LBFGSB, 20);
        assert_eq!(step.stp, 1.0);
        assert_eq!(step.ending, Ending::Converged);
    }

    #[test]
    fn backs_off_from_where_the_function_is_undefined() {
        // −s − 0.1·ln(1 − s): NaN beyond s = 1, its minimum at s = 0.9.
        let mut phi = |s: f64| (-s - 0.1 * (1.0 - s).ln(), -1.0 + 0.1 / (1.0 - s));
        let step = search(&mut phi, 0.0, -0.9, 4.0, 1e10, LBFGSB, 30);
        assert!(step.stp < 1.0 && step.f < 0.0, "{step:?}");
        assert_eq!(step.ending, Ending::Converged);
    }
}
