//! The polygamma functions ψ⁽ⁿ⁾, the derivatives of digamma, which the
//! derivatives of `gamma`, `lgamma` and the log densities need to any
//! order.

use std::f64::consts::PI;

use crate::special::digamma;

/// B₂ₖ/(2k)! for k = 1..=10, the coefficients of the asymptotic series of
/// the Hurwitz zeta function.
const BERNOULLI_OVER_FACTORIAL: [f64; 10] = [
    1.0 / 12.0,
    -1.0 / 720.0,
    1.0 / 30_240.0,
    -1.0 / 1_209_600.0,
    1.0 / 47_900_160.0,
    -691.0 / 1_307_674_368_000.0,
    1.0 / 74_724_249_600.0,
    -3617.0 / 10_670_622_842_880_000.0,
    43_867.0 / 5_109_094_217_170_944_000.0,
    -174_611.0 / 802_857_662_698_291_200_000.0,
];

/// Orders above this overflow `n!` in f64 anyway.
const MAX_ORDER: f64 = 170.0;

/// ψ⁽ⁿ⁾(x) for a whole number `n >= 0`; NaN for any other `n`, at the poles
/// (x = 0, -1, -2, ...) and for NaN input.
pub(crate) fn polygamma(n: f64, x: f64) -> f64 {
    if !(n >= 0.0 && n == n.floor() && n <= MAX_ORDER) || x.is_nan() {
        return f64::NAN;
    }
    if n == 0.0 {
        return digamma(x);
    }
    let order = n as u32;
    if x == f64::INFINITY {
        return 0.0;
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        return reflected(order, x);
    }
    // ψ⁽ⁿ⁾(x) = (-1)^(n+1) n! ζ(n+1, x), with ζ the Hurwitz zeta function.
    let sign = if order.is_multiple_of(2) { -1.0 } else { 1.0 };
    sign * factorial(order) * hurwitz_zeta(f64::from(order) + 1.0, x)
}

fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// ζ(s, x) = Σₖ (x + k)^-s for s > 1 and x > 0: the first terms summed
/// directly until x is large enough for the Euler–Maclaurin tail.
fn hurwitz_zeta(s: f64, x: f64) -> f64 {
    // The tail's terms shrink like ((s + 2k)/(2πy))², so y must grow with s.
    let start = 10.0 + s;
    let mut sum = 0.0;
    let mut y = x;
    while y < start {
        sum += libm::pow(y, -s);
        y += 1.0;
    }
    let mut tail = libm::pow(y, 1.0 - s) / (s - 1.0) + 0.5 * libm::pow(y, -s);
    // (s)(s+1)...(s+2k-2) y^(-s-2k+1), built up term by term.
    let mut rising = s * libm::pow(y, -s - 1.0);
    let y2 = y * y;
    for (k, b) in BERNOULLI_OVER_FACTORIAL.iter().enumerate() {
        tail += b * rising;
        let k = k as f64 + 1.0;
        rising *= (s + 2.0 * k - 1.0) * (s + 2.0 * k) / y2;
    }
    sum + tail
}

/// ψ⁽ⁿ⁾(x) for x < 0 from the reflection formula
/// ψ⁽ⁿ⁾(x) = (-1)ⁿ ψ⁽ⁿ⁾(1 - x) - πⁿ⁺¹ Qₙ(cot πx), where Qₙ is the
/// polynomial with dⁿ/dθⁿ cot θ = Qₙ(cot θ).
fn reflected(n: u32, x: f64) -> f64 {
    // cot has period π: reducing x first keeps tan accurate for large |x|.
    let c = 1.0 / libm::tan(PI * (x - x.round()));
    let direct = polygamma(f64::from(n), 1.0 - x);
    let sign = if n.is_multiple_of(2) { 1.0 } else { -1.0 };
    sign * direct - libm::pow(PI, f64::from(n) + 1.0) * cot_derivative(n, c)
}

/// Qₙ(c), with Q₀ = c and Qₖ₊₁(c) = -(1 + c²) Qₖ'(c).
fn cot_derivative(n: u32, c: f64) -> f64 {
    // Coefficients of Qₖ, lowest degree first; Qₖ has degree k + 1.
    let mut q = vec![0.0, 1.0];
    for _ in 0..n {
        let mut next = vec![0.0; q.len() + 1];
        for (j, &a) in q.iter().enumerate().skip(1) {
            let d = a * j as f64; // coefficient of c^(j-1) in Qₖ'
            next[j - 1] -= d;
            next[j + 1] -= d;
        }
        q = next;
    }
    q.iter().rev().fold(0.0, |acc, &a| acc * c + a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ζ(3) and ζ(5).
    const ZETA3: f64 = 1.202_056_903_159_594_3;
    const ZETA5: f64 = 1.036_927_755_143_37;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn known_values() {
        let cases = [
            (1.0, 1.0, PI * PI / 6.0),
            (1.0, 0.5, PI * PI / 2.0),
            (2.0, 1.0, -2.0 * ZETA3),
            (3.0, 1.0, PI.powi(4) / 15.0),
            (4.0, 1.0, -24.0 * ZETA5),
            (1.0, 10.0, 0.105_166_335_681_685_75),
            // ψ'(x) = ψ'(x + 1) + 1/x² carries the value below zero.
            (1.0, -0.5, PI * PI / 2.0 + 4.0),
            (1.0, -1.5, PI * PI / 2.0 + 4.0 + 4.0 / 9.0),
            (2.0, -0.5, -14.0 * ZETA3 + 16.0),
        ];
        for (n, x, want) in cases {
            let got = polygamma(n, x);
            assert!(
                close(got, want, 1e-13),
                "polygamma({n}, {x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn recurrence_holds_across_orders_and_arguments() {
        // ψ⁽ⁿ⁾(x + 1) = ψ⁽ⁿ⁾(x) + (-1)ⁿ n! / x^(n+1).
        for n in 1..8u32 {
            for x in [0.3, 1.7, 4.2, 12.5, 40.0, -2.3] {
                let lhs = polygamma(f64::from(n), x + 1.0);
                let sign = if n.is_multiple_of(2) { 1.0 } else { -1.0 };
                let step = sign * factorial(n) / libm::pow(x, f64::from(n) + 1.0);
                let rhs = polygamma(f64::from(n), x) + step;
                assert!(close(lhs, rhs, 1e-11), "n={n} x={x}: {lhs} vs {rhs}");
            }
        }
    }

    #[test]
    fn order_must_be_a_whole_number() {
        assert!(polygamma(0.5, 1.0).is_nan());
        assert!(polygamma(-1.0, 1.0).is_nan());
        assert!(polygamma(1.0, 0.0).is_nan());
        assert!(polygamma(1.0, -3.0).is_nan());
        assert_eq!(polygamma(0.0, 1.0), digamma(1.0));
        assert_eq!(polygamma(2.0, f64::INFINITY), 0.0);
    }
}
