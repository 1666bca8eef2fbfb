//! Special functions shared by the built-in functions, the log densities
//! and the polygamma functions.

use std::f64::consts::PI;

/// The digamma function ψ = Γ'/Γ, needed for the derivatives of gamma,
/// lgamma and factorial. Absolute error is around 1e-15 away from poles.
pub(crate) fn digamma(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return x;
    }
    let mut x = x;
    let mut acc = 0.0;
    if x <= 0.0 {
        if x == x.floor() {
            return f64::NAN; // pole
        }
        // Reflection ψ(x) = ψ(1-x) - π/tan(πx); reducing x by the nearest
        // integer first keeps tan accurate for large |x|.
        acc -= PI / libm::tan(PI * (x - x.round()));
        x = 1.0 - x;
    }
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    // Asymptotic series; at x >= 10 the first omitted term is below 1e-16.
    let r = 1.0 / (x * x);
    let series = r
        * (1.0 / 12.0
            - r * (1.0 / 120.0
                - r * (1.0 / 252.0
                    - r * (1.0 / 240.0 - r * (1.0 / 132.0 - r * (691.0 / 32760.0))))));
    acc + libm::log(x) - 0.5 / x - series
}

#[cfg(test)]
mod tests {
    use std::f64::consts::{EULER_GAMMA, LN_2};

    use super::*;

    #[test]
    fn digamma_known_values() {
        let cases = [
            (1.0, -EULER_GAMMA),
            (0.5, -EULER_GAMMA - 2.0 * LN_2),
            (2.0, 1.0 - EULER_GAMMA),
            (10.0, 2.251_752_589_066_721),
            (100.0, 4.600_161_852_738_087),
            (-0.5, 0.036_489_973_978_576_52),
            (1e-8, -100_000_000.577_215_66),
        ];
        for (x, want) in cases {
            let got = digamma(x);
            assert!(
                (got - want).abs() <= 2e-15 * want.abs().max(1.0),
                "digamma({x}) = {got}, want {want}"
            );
        }
        assert!(digamma(0.0).is_nan());
        assert!(digamma(-3.0).is_nan());
        assert!(digamma(f64::NAN).is_nan());
    }
}
