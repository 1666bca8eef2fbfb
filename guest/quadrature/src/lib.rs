//! Adaptive Gauss–Kronrod quadrature as QUADPACK does it, and so as scipy.integrate.quad:
//! QAGS on a finite interval (the 21-point rule, bisection of the interval with the
//! largest error, Wynn's epsilon extrapolation towards endpoint singularities) and QAGI on
//! an infinite one (the 15-point rule on t ∈ (0, 1] through x = a ± (1 − t)/t). The result
//! carries QUADPACK's error estimate, evaluation count and status, so a caller can hold it
//! to scipy's and tell a trusted value from a failure.
//!
//! The integrand is any `FnMut(f64) -> f64`: no JSON, no expression language, no SDK. The
//! `integrate` tool (`quad`) and calc's definite integrals both call [`integrate`].

mod adaptive;
mod epsilon;
mod kronrod;
mod tolerance;

use kronrod::{Kronrod15Infinite, Kronrod21, Range};

pub use adaptive::{Outcome, Status};
pub use tolerance::{MIN_EPSREL, Tolerance, ToleranceError};

/// ∫ f over [a, b], where a and b may be infinite and in either order: QAGS when both are
/// finite, QAGI otherwise. NaN limits are the caller's to refuse (the result is NaN).
pub fn integrate<F: FnMut(f64) -> f64>(f: F, a: f64, b: f64, tol: Tolerance) -> Outcome {
    if a == b {
        return Outcome {
            value: 0.0,
            abserr: 0.0,
            neval: 0,
            intervals: 0,
            status: Status::Converged,
        };
    }
    if a.is_finite() && b.is_finite() {
        return adaptive::integrate(&mut Kronrod21 { f }, a, b, tol);
    }
    // Infinite: integrate upwards and flip the sign for a > b.
    let (lo, hi, sign) = if a < b { (a, b, 1.0) } else { (b, a, -1.0) };
    let (bound, range) = match (lo.is_finite(), hi.is_finite()) {
        (true, false) => (lo, Range::Above),
        (false, true) => (hi, Range::Below),
        _ => (0.0, Range::Both),
    };
    let mut rule = Kronrod15Infinite { f, bound, range };
    let mut outcome = adaptive::integrate(&mut rule, 0.0, 1.0, tol);
    outcome.value *= sign;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A named integral over [a, b] and its exact value.
    type Case = (&'static str, fn(f64) -> f64, f64, f64, f64);

    fn tol(eps: f64) -> Tolerance {
        Tolerance::new(eps, eps, 200).unwrap()
    }

    #[test]
    fn smooth_singular_and_infinite_integrals_converge_within_their_estimates() {
        let pi = std::f64::consts::PI;
        let cases: [Case; 5] = [
            ("sin on [0, π]", f64::sin, 0.0, pi, 2.0),
            ("x^-1/2 on [0, 1]", |x| 1.0 / x.sqrt(), 0.0, 1.0, 2.0),
            ("ln(x)/√x on [0, 1]", |x| x.ln() / x.sqrt(), 0.0, 1.0, -4.0),
            (
                "exp(-x²) on the line",
                |x| (-x * x).exp(),
                f64::NEG_INFINITY,
                f64::INFINITY,
                pi.sqrt(),
            ),
            ("1/x² on [1, ∞)", |x| 1.0 / (x * x), 1.0, f64::INFINITY, 1.0),
        ];
        for (name, f, a, b, exact) in cases {
            let o = integrate(f, a, b, tol(1e-12));
            assert_eq!(o.status, Status::Converged, "{name}: {o:?}");
            let error = (o.value - exact).abs();
            assert!(error < 1e-11, "{name}: {o:?}");
            assert!(
                o.abserr >= error,
                "{name}: the estimate covers the error: {o:?}"
            );
        }
    }

    #[test]
    fn reversed_limits_change_the_sign_finite_or_not() {
        let o = integrate(|x| x, 1.0, 0.0, tol(1e-12));
        assert_eq!(o.value, -0.5);
        let o = integrate(|x: f64| (-x).exp(), f64::INFINITY, 0.0, tol(1e-12));
        assert!((o.value + 1.0).abs() < 1e-12, "{o:?}");
        let o = integrate(|x| x, 2.0, 2.0, tol(1e-12));
        assert_eq!((o.value, o.neval), (0.0, 0));
    }

    #[test]
    fn evaluations_are_counted_as_the_integrand_sees_them() {
        let mut calls = 0;
        let o = integrate(
            |x: f64| {
                calls += 1;
                x.sqrt().ln()
            },
            0.0,
            1.0,
            tol(1e-10),
        );
        assert_eq!(o.neval, calls);
        assert_eq!(o.neval, 21 * (2 * o.intervals - 1));
    }

    #[test]
    fn a_pole_inside_the_interval_is_not_reported_converged() {
        let o = integrate(|x| 1.0 / x, -1.0, 2.0, tol(1e-10));
        assert!(
            o.status != Status::Converged || !o.value.is_finite(),
            "{o:?}"
        );
    }
}
