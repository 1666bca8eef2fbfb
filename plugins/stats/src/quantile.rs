//! Quantiles (inverse cdfs) to full precision.
//!
//! Continuous: statrs's inverse cdfs are a good start but lose digits in the tails (gamma
//! and beta far below the median are off by orders of magnitude at p = 1e-10; exponential
//! and cauchy lose digits to `1 - p`), while its cdf and survival functions keep them. So
//! the start is polished by safeguarded Newton steps on the cdf (below the median) or the
//! survival function (above it), falling back to bisection of a shrinking bracket.
//!
//! Discrete: the smallest k with cdf(k) >= p, by doubling then bisection.

use crate::family::{ContinuousLaw, DiscreteLaw};

/// Newton steps or bisections before giving up on the last ulps; convergence is
/// normally a handful of steps.
const MAX_STEPS: usize = 200;

pub fn continuous(d: &dyn ContinuousLaw, p: f64) -> f64 {
    let (mut lo, mut hi) = d.bounds();
    if p <= 0.0 {
        return lo;
    }
    if p >= 1.0 {
        return hi;
    }
    // g increases with x and is 0 at the quantile; each half uses the function that is
    // accurate there.
    let upper = p > 0.5;
    let target = if upper { 1.0 - p } else { p };
    let g = |x: f64| {
        if upper {
            target - d.sf(x)
        } else {
            d.cdf(x) - target
        }
    };
    let mut x = d.quantile(p);
    if !(x > lo && x < hi) {
        x = finite_point(lo, hi);
    }
    for _ in 0..MAX_STEPS {
        let gx = g(x);
        if gx == 0.0 {
            return x;
        }
        if gx < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let slope = d.pdf(x);
        let newton = x - gx / slope;
        let next = if slope > 0.0 && slope.is_finite() && newton > lo && newton < hi {
            newton
        } else {
            split(lo, hi, x)
        };
        if (next - x).abs() <= 2.0 * f64::EPSILON * x.abs() || next == lo || next == hi {
            return next;
        }
        x = next;
    }
    x
}

/// A point strictly inside (lo, hi).
fn finite_point(lo: f64, hi: f64) -> f64 {
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) => lo + (hi - lo) / 2.0,
        (true, false) => lo + lo.abs().max(1.0),
        (false, true) => hi - hi.abs().max(1.0),
        (false, false) => 0.0,
    }
}

/// The next trial point when Newton's step leaves the bracket: the bracket's midpoint,
/// geometric when it spans orders of magnitude on one side of zero (tails), and a
/// doubling step away from `x` towards an infinite end.
fn split(lo: f64, hi: f64, x: f64) -> f64 {
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) => {
            if lo > 0.0 && hi / lo > 4.0 {
                (lo * hi).sqrt()
            } else if hi < 0.0 && lo / hi > 4.0 {
                -(lo * hi).sqrt()
            } else if lo == 0.0 && hi > 0.0 {
                // A bracket against 0: halve towards it, reaching tiny quantiles in a few
                // dozen steps.
                hi / 2.0
            } else if hi == 0.0 && lo < 0.0 {
                lo / 2.0
            } else {
                lo + (hi - lo) / 2.0
            }
        }
        (true, false) => x + 2.0 * (x - lo).abs().max(x.abs()).max(1.0),
        (false, true) => x - 2.0 * (hi - x).abs().max(x.abs()).max(1.0),
        (false, false) => x,
    }
}

/// The smallest k with cdf(k) >= p. The target is lowered by 8 ulps (R lowers it by
/// 64) so that the quantile of a cdf value is the point it came from even when that value
/// was computed elsewhere, a few ulps off; near 1 consecutive cdf values can be only
/// tens of ulps apart, so the margin stays small. (The survival function cannot help
/// there: p itself only resolves 1 − p to an ulp of 1.)
pub fn discrete(d: &dyn DiscreteLaw, p: f64) -> f64 {
    let (min, max) = (d.min(), d.max());
    if p >= 1.0 {
        return if max == u64::MAX {
            f64::INFINITY
        } else {
            max as f64
        };
    }
    let target = p * (1.0 - 8.0 * f64::EPSILON);
    let reaches = |k: u64| d.cdf(k) >= target;
    if reaches(min) {
        return min as f64;
    }
    // Invariant: not reaches(lo), reaches(hi) (or hi is the top of the support).
    let mut lo = min;
    let mut step = 1u64;
    let mut hi = loop {
        let probe = lo.saturating_add(step).min(max);
        if probe == max || reaches(probe) {
            break probe;
        }
        lo = probe;
        step = step.saturating_mul(2);
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reaches(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    if hi == u64::MAX {
        f64::INFINITY
    } else {
        hi as f64
    }
}
