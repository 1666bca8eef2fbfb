//! Adaptive Gauss–Kronrod quadrature (7-point Gauss inside 15-point Kronrod),
//! for definite integrals without an antiderivative and to cross-check the
//! ones with one. Infinite limits are mapped onto finite ones.
//!
//! The `integrate` tool has QUADPACK's QAGS with extrapolation; this simpler
//! rule lives here, not in a guest crate shared with it, because that plugin
//! was being changed on another branch at the same time (moving its QAGS into
//! a shared crate for calc to use is the follow-up once both have landed).
//! calc only needs a value it can trust or a clear failure: the adaptive
//! bisection stops at the tolerance with finite values or reports that it
//! did not converge, and an exact F(b) - F(a) is only returned when this
//! agrees with it.

/// Most subintervals: bounds the evaluations (15 each).
const MAX_INTERVALS: usize = 2_000;

/// Kronrod nodes on [-1, 1] (positive half; the last is 0) and weights.
const XK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
/// Gauss weights for the Kronrod nodes 1, 3, 5 and 7 (the Gauss nodes).
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// A quadrature result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quadrature {
    pub value: f64,
    /// Estimated absolute error (|Kronrod - Gauss| summed over intervals).
    pub error: f64,
    pub evaluations: usize,
    /// The requested tolerance was reached with finite values throughout.
    pub converged: bool,
}

/// `∫_a^b f` to `max(abs_tol, rel_tol·|value|)`; either limit may be infinite.
pub fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, abs_tol: f64, rel_tol: f64) -> Quadrature {
    if a == b {
        return Quadrature {
            value: 0.0,
            error: 0.0,
            evaluations: 0,
            converged: true,
        };
    }
    if a > b {
        let q = integrate(f, b, a, abs_tol, rel_tol);
        return Quadrature {
            value: -q.value,
            ..q
        };
    }
    match (a.is_finite(), b.is_finite()) {
        (true, true) => adaptive(f, a, b, abs_tol, rel_tol),
        // x = a + t/(1 - t)
        (true, false) => adaptive(
            &|t: f64| {
                let s = 1.0 - t;
                f(a + t / s) / (s * s)
            },
            0.0,
            1.0,
            abs_tol,
            rel_tol,
        ),
        // x = b - (1 - t)/t
        (false, true) => adaptive(
            &|t: f64| f(b - (1.0 - t) / t) / (t * t),
            0.0,
            1.0,
            abs_tol,
            rel_tol,
        ),
        // x = t/(1 - t²)
        (false, false) => adaptive(
            &|t: f64| {
                let s = 1.0 - t * t;
                f(t / s) * (1.0 + t * t) / (s * s)
            },
            -1.0,
            1.0,
            abs_tol,
            rel_tol,
        ),
    }
}

struct Piece {
    a: f64,
    b: f64,
    value: f64,
    error: f64,
}

fn adaptive(f: &dyn Fn(f64) -> f64, a: f64, b: f64, abs_tol: f64, rel_tol: f64) -> Quadrature {
    let mut pieces = vec![gauss_kronrod(f, a, b)];
    let mut evaluations = 15;
    loop {
        let value: f64 = pieces.iter().map(|p| p.value).sum();
        let error: f64 = pieces.iter().map(|p| p.error).sum();
        let finite = value.is_finite() && error.is_finite();
        let tol = abs_tol.max(rel_tol * value.abs());
        if (finite && error <= tol) || !finite || pieces.len() >= MAX_INTERVALS {
            return Quadrature {
                value,
                error,
                evaluations,
                converged: finite && error <= tol,
            };
        }
        let worst = (0..pieces.len())
            .max_by(|&i, &j| pieces[i].error.total_cmp(&pieces[j].error))
            .unwrap_or(0);
        let p = pieces.swap_remove(worst);
        let mid = 0.5 * (p.a + p.b);
        if mid <= p.a || mid >= p.b {
            // The interval cannot be split further in f64.
            return Quadrature {
                value,
                error,
                evaluations,
                converged: false,
            };
        }
        pieces.push(gauss_kronrod(f, p.a, mid));
        pieces.push(gauss_kronrod(f, mid, p.b));
        evaluations += 30;
    }
}

fn gauss_kronrod(f: &dyn Fn(f64) -> f64, a: f64, b: f64) -> Piece {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let center = f(c);
    let mut kronrod = WK[7] * center;
    let mut gauss = WG[3] * center;
    for i in 0..7 {
        let dx = h * XK[i];
        let pair = f(c - dx) + f(c + dx);
        kronrod += WK[i] * pair;
        if i % 2 == 1 {
            gauss += WG[i / 2] * pair;
        }
    }
    Piece {
        a,
        b,
        value: kronrod * h,
        error: ((kronrod - gauss) * h).abs(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooth_singular_and_infinite_integrals() {
        let q = integrate(&f64::sin, 0.0, std::f64::consts::PI, 1e-12, 1e-12);
        assert!(q.converged && (q.value - 2.0).abs() < 1e-12, "{q:?}");
        // An endpoint singularity: ∫0^1 x^(-1/2) = 2.
        let q = integrate(&|x: f64| 1.0 / x.sqrt(), 0.0, 1.0, 1e-10, 1e-10);
        assert!(q.converged && (q.value - 2.0).abs() < 1e-9, "{q:?}");
        // ∫ exp(-x²) over the line = sqrt(pi).
        let q = integrate(
            &|x: f64| (-x * x).exp(),
            f64::NEG_INFINITY,
            f64::INFINITY,
            1e-12,
            1e-12,
        );
        assert!(
            q.converged && (q.value - std::f64::consts::PI.sqrt()).abs() < 1e-11,
            "{q:?}"
        );
        // Reversed limits change the sign.
        let q = integrate(&|x: f64| x, 1.0, 0.0, 1e-12, 1e-12);
        assert!((q.value + 0.5).abs() < 1e-15);
    }

    #[test]
    fn a_divergent_integral_does_not_converge() {
        let q = integrate(&|x: f64| 1.0 / x, -1.0, 1.0, 1e-10, 1e-10);
        assert!(!q.converged, "{q:?}");
    }
}
