//! The trust region the acquisition is searched in (after TuRBO, Eriksson
//! et al. 2019): a box centred on the best observation, its sides
//! proportional to the GP's length-scales, that doubles after a run of
//! improvements and halves after a run of evaluations that did not
//! improve; when it has shrunk below [`MIN_SIDE`] it starts over at
//! [`INITIAL_SIDE`].
//!
//! Started wide, it lets expected improvement explore; shrunk, it spends
//! the end of the budget polishing the incumbent instead of probing the
//! corners of the box, where a stationary GP is most uncertain. The side
//! is replayed from the sequence of observed values alone, so ask/tell,
//! which remembers nothing between calls, sees the same region as the
//! loop run here.

/// Side, in the unit box, of a region whose length-scales are all equal;
/// see [`Region::around`] for the shape.
pub const INITIAL_SIDE: f64 = 0.8;
pub const MAX_SIDE: f64 = 1.6;
/// About 1/128 of the box: below this the incumbent is polished enough.
pub const MIN_SIDE: f64 = 0.0078;
/// Consecutive improvements that double the side.
const SUCCESSES: usize = 3;
/// Consecutive evaluations without improvement that halve it. TuRBO uses
/// max(4, d) for budgets in the thousands; with tens of evaluations the
/// region must be able to shrink within the budget.
const FAILURES: usize = 2;
/// An improvement smaller than this fraction of |best| counts as none.
const RELATIVE_GAIN: f64 = 1e-3;

/// A box [lo, hi] inside the encoded unit box.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

impl Region {
    /// The whole encoded box.
    pub fn unit(d: usize) -> Region {
        Region {
            lo: vec![0.0; d],
            hi: vec![1.0; d],
        }
    }

    /// The box centred on `center` whose half-width along coordinate j is
    /// side/2 · l_j / (Π l)^(1/d), clipped to the unit box, for the
    /// coordinates marked in `bounded`; the others keep [0, 1] (the
    /// one-hot coordinates of a categorical, where a narrow box would
    /// freeze the category).
    pub fn around(center: &[f64], lengthscales: &[f64], side: f64, bounded: &[bool]) -> Region {
        let d = center.len();
        let log_mean = lengthscales.iter().map(|l| libm::log(*l)).sum::<f64>() / d as f64;
        let mut region = Region::unit(d);
        for j in (0..d).filter(|&j| bounded[j]) {
            let half = 0.5 * side * libm::exp(libm::log(lengthscales[j]) - log_mean);
            region.lo[j] = (center[j] - half).max(0.0);
            region.hi[j] = (center[j] + half).min(1.0);
        }
        region
    }
}

/// The side after the values `y` (to minimise, in evaluation order), the
/// first `n_initial` of them from the design.
pub fn side(y: &[f64], n_initial: usize) -> f64 {
    let n0 = n_initial.min(y.len());
    let mut best = y[..n0].iter().copied().fold(f64::INFINITY, f64::min);
    let (mut side, mut successes, mut failures) = (INITIAL_SIDE, 0, 0);
    for &v in &y[n0..] {
        if v < best - RELATIVE_GAIN * best.abs() {
            successes += 1;
            failures = 0;
        } else {
            failures += 1;
            successes = 0;
        }
        best = best.min(v);
        if successes == SUCCESSES {
            side = (2.0 * side).min(MAX_SIDE);
            successes = 0;
        } else if failures == FAILURES {
            side /= 2.0;
            failures = 0;
        }
        if side < MIN_SIDE {
            side = INITIAL_SIDE;
        }
    }
    side
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_side_grows_on_improvements_shrinks_on_stalls_and_restarts() {
        let design = [5.0, 4.0];
        let with = |rest: &[f64]| [&design[..], rest].concat();
        assert_eq!(side(&design, 2), INITIAL_SIDE);
        // Three improvements double it, up to the cap.
        assert_eq!(side(&with(&[3.0, 2.0, 1.0]), 2), 2.0 * INITIAL_SIDE);
        assert_eq!(side(&with(&[3.0, 2.0, 1.0, 0.5, 0.2, 0.1]), 2), MAX_SIDE);
        // Two evaluations without improvement halve it; a tiny gain is none.
        assert_eq!(side(&with(&[4.5, 3.9999]), 2), INITIAL_SIDE / 2.0);
        // An improvement breaks a run of failures.
        assert_eq!(side(&with(&[4.5, 3.0, 4.5]), 2), INITIAL_SIDE);
        // Shrunk below the minimum, it starts over.
        let stalls = vec![9.0; 2 * 7];
        const { assert!(INITIAL_SIDE / 128.0 < MIN_SIDE && INITIAL_SIDE / 64.0 > MIN_SIDE) };
        assert_eq!(side(&with(&stalls[..12]), 2), INITIAL_SIDE / 64.0);
        assert_eq!(side(&with(&stalls), 2), INITIAL_SIDE);
    }

    #[test]
    fn the_region_is_centred_shaped_by_length_scales_and_clipped() {
        let r = Region::around(
            &[0.5, 0.5, 0.95],
            &[0.1, 0.4, 0.4],
            0.4,
            &[true, true, true],
        );
        // Geometric mean of the length-scales 0.252: half-widths 0.079, 0.317, 0.317.
        let gm = libm::cbrt(0.1 * 0.4 * 0.4);
        assert!((r.hi[0] - r.lo[0] - 0.4 * 0.1 / gm).abs() < 1e-12);
        assert!((r.hi[1] - r.lo[1] - 0.4 * 0.4 / gm).abs() < 1e-12);
        assert!((r.lo[0] + r.hi[0] - 1.0).abs() < 1e-12);
        assert_eq!(r.hi[2], 1.0);
        assert!(r.lo[2] > 0.6 && r.lo[2] < 0.95);
        // Unbounded (one-hot) coordinates keep the whole range.
        let r = Region::around(&[0.5, 1.0], &[0.2, 0.2], 0.1, &[true, false]);
        assert_eq!((r.lo[1], r.hi[1]), (0.0, 1.0));
    }
}
