//! Log densities of common distributions, each one tape operation with its
//! exact partial derivatives.
//!
//! Conventions shared by all of them:
//! * a point outside the support (a negative exponential draw, a count
//!   above the number of trials, a non-integer count) has log density
//!   `-inf` and zero partials, so a sampler rejects it instead of following
//!   a gradient out of the support;
//! * an invalid parameter (a scale or rate `<= 0`, a probability outside
//!   `[0, 1]`, a trial count that is not a non-negative integer) gives NaN;
//! * NaN in any operand gives NaN.
//!
//! Counts (`k`, and `n` of the binomial) get zero partials: the densities
//! are not differentiable in them, which [`Dist::is_count`] reports for the
//! smoothness check.

// `!(s > 0.0)` is deliberate throughout: a NaN parameter must take the
// invalid branch, which `s <= 0.0` would not.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::f64::consts::PI;

use crate::special::digamma;

/// ln(2π)/2.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_7;
/// ln(π).
const LN_PI: f64 = 1.144_729_885_849_400_2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dist {
    /// `(x, mu, sigma)`.
    Normal,
    /// `(z, nu, sigma)` with `z = (x - mu) / sigma` computed on the tape, so
    /// that the four-argument call fits a three-operand op.
    StudentT,
    /// `(x, mu, sigma)`.
    Cauchy,
    /// `(x, rate)`.
    Exponential,
    /// `(x, shape, rate)`.
    Gamma,
    /// `(x, a, b)`.
    Beta,
    /// `(x, mu, sigma)`, the normal parameters of `ln x`.
    Lognormal,
    /// `(x, lo, hi)`.
    Uniform,
    /// `(k, n, p)`.
    Binomial,
    /// `(k, lambda)`.
    Poisson,
    /// `(k, p)`.
    Bernoulli,
}

impl Dist {
    pub const fn arity(self) -> usize {
        match self {
            Dist::Exponential | Dist::Poisson | Dist::Bernoulli => 2,
            _ => 3,
        }
    }

    /// True for an operand that must be an integer count: the density is
    /// not smooth in it.
    pub fn is_count(self, operand: usize) -> bool {
        matches!(
            (self, operand),
            (Dist::Binomial, 0 | 1) | (Dist::Poisson, 0) | (Dist::Bernoulli, 0)
        )
    }

    /// The log density; the third operand is ignored by two-operand kinds.
    pub fn eval(self, a: f64, b: f64, c: f64) -> f64 {
        match self {
            Dist::Normal => normal(a, b, c),
            Dist::StudentT => student_t(a, b, c),
            Dist::Cauchy => cauchy(a, b, c),
            Dist::Exponential => exponential(a, b),
            Dist::Gamma => gamma(a, b, c),
            Dist::Beta => beta(a, b, c),
            Dist::Lognormal => lognormal(a, b, c),
            Dist::Uniform => uniform(a, b, c),
            Dist::Binomial => binomial(a, b, c),
            Dist::Poisson => poisson(a, b),
            Dist::Bernoulli => bernoulli(a, b),
        }
    }

    /// The partial derivatives with respect to the three operands.
    pub fn partials(self, a: f64, b: f64, c: f64) -> [f64; 3] {
        match self {
            Dist::Normal => normal_d(a, b, c),
            Dist::StudentT => student_t_d(a, b, c),
            Dist::Cauchy => cauchy_d(a, b, c),
            Dist::Exponential => exponential_d(a, b),
            Dist::Gamma => gamma_d(a, b, c),
            Dist::Beta => beta_d(a, b, c),
            Dist::Lognormal => lognormal_d(a, b, c),
            Dist::Uniform => uniform_d(a, b, c),
            Dist::Binomial => binomial_d(a, b, c),
            Dist::Poisson => poisson_d(a, b),
            Dist::Bernoulli => bernoulli_d(a, b),
        }
    }
}

const NAN3: [f64; 3] = [f64::NAN; 3];
const ZERO3: [f64; 3] = [0.0; 3];

/// `c * ln(y)` with `0 * ln(0) = 0`, the limit the densities need at the
/// edges of their support.
fn xlogy(c: f64, y: f64) -> f64 {
    if c == 0.0 { 0.0 } else { c * libm::log(y) }
}

/// `c * ln(1 + y)` with the same convention.
fn xlog1py(c: f64, y: f64) -> f64 {
    if c == 0.0 { 0.0 } else { c * libm::log1p(y) }
}

/// `c / y` with `0 / 0 = 0`, the derivative of [`xlogy`] in `y`.
fn div0(c: f64, y: f64) -> f64 {
    if c == 0.0 { 0.0 } else { c / y }
}

fn is_count(k: f64) -> bool {
    k >= 0.0 && k.is_finite() && k == k.floor()
}

fn lbeta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

fn normal(x: f64, mu: f64, s: f64) -> f64 {
    if !(s > 0.0) {
        return f64::NAN;
    }
    let z = (x - mu) / s;
    -0.5 * z * z - libm::log(s) - LN_SQRT_2PI
}

fn normal_d(x: f64, mu: f64, s: f64) -> [f64; 3] {
    if !(s > 0.0) {
        return NAN3;
    }
    let z = (x - mu) / s;
    let dx = -z / s;
    [dx, -dx, (z * z - 1.0) / s]
}

fn student_t(z: f64, nu: f64, s: f64) -> f64 {
    if !(nu > 0.0 && s > 0.0) {
        return f64::NAN;
    }
    let half = 0.5 * (nu + 1.0);
    libm::lgamma(half)
        - libm::lgamma(0.5 * nu)
        - 0.5 * libm::log(nu * PI)
        - libm::log(s)
        - half * libm::log1p(z * z / nu)
}

fn student_t_d(z: f64, nu: f64, s: f64) -> [f64; 3] {
    if !(nu > 0.0 && s > 0.0) {
        return NAN3;
    }
    let z2 = z * z;
    let half = 0.5 * (nu + 1.0);
    let dz = -(nu + 1.0) * z / (nu + z2);
    let dnu = 0.5 * (digamma(half) - digamma(0.5 * nu)) - 0.5 / nu - 0.5 * libm::log1p(z2 / nu)
        + half * z2 / (nu * (nu + z2));
    [dz, dnu, -1.0 / s]
}

fn cauchy(x: f64, mu: f64, s: f64) -> f64 {
    if !(s > 0.0) {
        return f64::NAN;
    }
    let z = (x - mu) / s;
    -LN_PI - libm::log(s) - libm::log1p(z * z)
}

fn cauchy_d(x: f64, mu: f64, s: f64) -> [f64; 3] {
    if !(s > 0.0) {
        return NAN3;
    }
    let z = (x - mu) / s;
    let w = s * (1.0 + z * z);
    let dx = -2.0 * z / w;
    [dx, -dx, (z * z - 1.0) / w]
}

fn exponential(x: f64, rate: f64) -> f64 {
    if !(rate > 0.0) {
        return f64::NAN;
    }
    if x < 0.0 {
        return f64::NEG_INFINITY;
    }
    libm::log(rate) - rate * x
}

fn exponential_d(x: f64, rate: f64) -> [f64; 3] {
    if !(rate > 0.0) {
        return NAN3;
    }
    if x < 0.0 {
        return ZERO3;
    }
    [-rate, 1.0 / rate - x, 0.0]
}

fn gamma(x: f64, shape: f64, rate: f64) -> f64 {
    if !(shape > 0.0 && rate > 0.0) {
        return f64::NAN;
    }
    if x < 0.0 {
        return f64::NEG_INFINITY;
    }
    shape * libm::log(rate) - libm::lgamma(shape) + xlogy(shape - 1.0, x) - rate * x
}

fn gamma_d(x: f64, shape: f64, rate: f64) -> [f64; 3] {
    if !(shape > 0.0 && rate > 0.0) {
        return NAN3;
    }
    if x < 0.0 {
        return ZERO3;
    }
    [
        div0(shape - 1.0, x) - rate,
        libm::log(rate) - digamma(shape) + libm::log(x),
        shape / rate - x,
    ]
}

fn beta(x: f64, a: f64, b: f64) -> f64 {
    if !(a > 0.0 && b > 0.0) || x.is_nan() {
        return f64::NAN;
    }
    if !(0.0..=1.0).contains(&x) {
        return f64::NEG_INFINITY;
    }
    xlogy(a - 1.0, x) + xlog1py(b - 1.0, -x) - lbeta(a, b)
}

fn beta_d(x: f64, a: f64, b: f64) -> [f64; 3] {
    if !(a > 0.0 && b > 0.0) || x.is_nan() {
        return NAN3;
    }
    if !(0.0..=1.0).contains(&x) {
        return ZERO3;
    }
    let dab = digamma(a + b);
    [
        div0(a - 1.0, x) - div0(b - 1.0, 1.0 - x),
        libm::log(x) - digamma(a) + dab,
        libm::log1p(-x) - digamma(b) + dab,
    ]
}

fn lognormal(x: f64, mu: f64, s: f64) -> f64 {
    if !(s > 0.0) {
        return f64::NAN;
    }
    if x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let lx = libm::log(x);
    let z = (lx - mu) / s;
    -0.5 * z * z - libm::log(s) - LN_SQRT_2PI - lx
}

fn lognormal_d(x: f64, mu: f64, s: f64) -> [f64; 3] {
    if !(s > 0.0) {
        return NAN3;
    }
    if x <= 0.0 {
        return ZERO3;
    }
    let z = (libm::log(x) - mu) / s;
    [-(z / s + 1.0) / x, z / s, (z * z - 1.0) / s]
}

fn uniform(x: f64, lo: f64, hi: f64) -> f64 {
    if !(lo < hi) || x.is_nan() {
        return f64::NAN;
    }
    if !(lo..=hi).contains(&x) {
        return f64::NEG_INFINITY;
    }
    -libm::log(hi - lo)
}

fn uniform_d(x: f64, lo: f64, hi: f64) -> [f64; 3] {
    if !(lo < hi) || x.is_nan() {
        return NAN3;
    }
    if !(lo..=hi).contains(&x) {
        return ZERO3;
    }
    let w = hi - lo;
    [0.0, 1.0 / w, -1.0 / w]
}

fn binomial(k: f64, n: f64, p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || !is_count(n) || k.is_nan() {
        return f64::NAN;
    }
    if !is_count(k) || k > n {
        return f64::NEG_INFINITY;
    }
    let lchoose = libm::lgamma(n + 1.0) - libm::lgamma(k + 1.0) - libm::lgamma(n - k + 1.0);
    lchoose + xlogy(k, p) + xlog1py(n - k, -p)
}

fn binomial_d(k: f64, n: f64, p: f64) -> [f64; 3] {
    if !(0.0..=1.0).contains(&p) || !is_count(n) || k.is_nan() {
        return NAN3;
    }
    if !is_count(k) || k > n {
        return ZERO3;
    }
    [0.0, 0.0, div0(k, p) - div0(n - k, 1.0 - p)]
}

fn poisson(k: f64, lambda: f64) -> f64 {
    if !(lambda >= 0.0) || k.is_nan() {
        return f64::NAN;
    }
    if !is_count(k) {
        return f64::NEG_INFINITY;
    }
    xlogy(k, lambda) - lambda - libm::lgamma(k + 1.0)
}

fn poisson_d(k: f64, lambda: f64) -> [f64; 3] {
    if !(lambda >= 0.0) || k.is_nan() {
        return NAN3;
    }
    if !is_count(k) {
        return ZERO3;
    }
    [0.0, div0(k, lambda) - 1.0, 0.0]
}

fn bernoulli(k: f64, p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || k.is_nan() {
        return f64::NAN;
    }
    if k == 1.0 {
        libm::log(p)
    } else if k == 0.0 {
        libm::log1p(-p)
    } else {
        f64::NEG_INFINITY
    }
}

fn bernoulli_d(k: f64, p: f64) -> [f64; 3] {
    if !(0.0..=1.0).contains(&p) || k.is_nan() {
        return NAN3;
    }
    let dp = if k == 1.0 {
        1.0 / p
    } else if k == 0.0 {
        -1.0 / (1.0 - p)
    } else {
        0.0
    };
    [0.0, dp, 0.0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_exact_to_the_last_bit() {
        assert_eq!(LN_SQRT_2PI, 0.5 * libm::log(2.0 * PI));
        assert_eq!(LN_PI, libm::log(PI));
    }

    #[test]
    fn edges_of_the_support_take_their_limits() {
        // Gamma(1, rate) is the exponential: finite at 0.
        assert_eq!(gamma(0.0, 1.0, 2.0), libm::log(2.0));
        assert_eq!(gamma(0.0, 0.5, 1.0), f64::INFINITY);
        assert_eq!(gamma(0.0, 2.0, 1.0), f64::NEG_INFINITY);
        assert_eq!(beta(0.0, 1.0, 1.0), 0.0);
        assert_eq!(beta(1.0, 2.0, 1.0), libm::log(2.0));
        assert_eq!(binomial(0.0, 5.0, 0.0), 0.0);
        assert_eq!(binomial(5.0, 5.0, 1.0), 0.0);
        assert_eq!(binomial(1.0, 5.0, 0.0), f64::NEG_INFINITY);
        assert_eq!(poisson(0.0, 0.0), 0.0);
        assert_eq!(bernoulli(1.0, 1.0), 0.0);
        assert_eq!(uniform(1.0, 0.0, 1.0), 0.0);
    }
}
