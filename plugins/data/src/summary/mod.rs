//! Summaries of numeric columns: count, mean, sample sd, extremes and
//! quartiles, in two passes over the values without sorting them.

mod order_statistics;
mod scan;
mod windows;

#[cfg(test)]
mod tests;

pub use order_statistics::{median, quantiles};

use order_statistics::{RADIX_MIN, interpolate, order_statistics_by_selection, ranks_for};
use scan::scan;
use windows::{Guess, guess_windows, order_statistics_in_windows};

/// Count, mean, sample sd, extremes and quartiles of a column.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberSummary {
    pub count: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub min: f64,
    pub max: f64,
    /// 25%, 50% and 75%, as [`quantiles`] computes them.
    pub quartiles: [f64; 3],
}

impl NumberSummary {
    /// The summary of a column with no number: nothing counted, NaN for the rest.
    pub const EMPTY: NumberSummary = NumberSummary {
        count: 0,
        mean: None,
        sd: None,
        min: f64::NAN,
        max: f64::NAN,
        quartiles: [f64::NAN; 3],
    };
}

const QS: [f64; 3] = [0.25, 0.5, 0.75];

/// Summarises `values`, NaN being missing, in two passes without sorting.
/// The quartiles' order statistics are sought in windows guessed from a
/// sample: the first pass counts, sums and finds the extremes, and per window
/// counts the values below it and in it and keeps those in it (a few percent
/// of all; none for a window of one number). A rank no window holds, which
/// takes an unlucky sample, is found by another pass over the gap it must
/// lie in. The second pass adds squared deviations from the mean. Short
/// columns are copied and their order statistics selected.
pub fn summarise(values: &[f64]) -> NumberSummary {
    let small = values.len() < RADIX_MIN;
    let guess = if small {
        Guess::default()
    } else {
        guess_windows(values)
    };
    // Room for the values the spans likely hold, and some: growing the
    // buffer would copy it.
    let room = (1.25 * guess.share * values.len() as f64) as usize;
    let first = scan(values, &guess.windows, room);
    let n = first.n;
    if n == 0 {
        return NumberSummary::EMPTY;
    }
    let mean = first.sum / n as f64;
    let (ranks, spots) = ranks_for(n, &QS);
    let (mut stats, zeros) = if small {
        let mut copy: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        (order_statistics_by_selection(&mut copy, &ranks), Vec::new())
    } else {
        order_statistics_in_windows(values, first.round, &ranks, n, guess.sample)
    };
    let (m2, negative_zeros) = if zeros.is_empty() {
        squared_deviations::<false>(values, mean)
    } else {
        squared_deviations::<true>(values, mean)
    };
    // total_cmp orders -0.0 before 0.0.
    for (i, offset) in zeros {
        stats[i] = if offset < negative_zeros { -0.0 } else { 0.0 };
    }
    let q = interpolate(&ranks, &stats, &spots);
    NumberSummary {
        count: n,
        mean: Some(mean),
        sd: (n > 1).then(|| (m2 / (n - 1) as f64).sqrt()),
        min: first_equal(values, first.min),
        max: first_equal(values, first.max),
        quartiles: [q[0], q[1], q[2]],
    }
}

/// Count, sum, extremes and (when asked) sample sd of a column, NaN being
/// missing: the first pass of [`summarise`] without its windows, and its
/// second only for the sd.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    pub count: usize,
    pub sum: f64,
    /// NaN when there is no number.
    pub mean: f64,
    /// NaN when there are fewer than two numbers, or it was not asked for.
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

pub fn moments(values: &[f64], with_sd: bool) -> Moments {
    let first = scan(values, &[], 0);
    let n = first.n;
    if n == 0 {
        return Moments {
            count: 0,
            sum: 0.0,
            mean: f64::NAN,
            sd: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
        };
    }
    let mean = first.sum / n as f64;
    let sd = if with_sd && n > 1 {
        let (m2, _) = squared_deviations::<false>(values, mean);
        (m2 / (n - 1) as f64).sqrt()
    } else {
        f64::NAN
    };
    Moments {
        count: n,
        sum: first.sum,
        mean,
        sd,
        min: first_equal(values, first.min),
        max: first_equal(values, first.max),
    }
}

/// The first of `values` equal to `extreme`: what a scan in order keeping
/// the first extreme finds, which for a zero tells -0.0 from 0.0.
fn first_equal(values: &[f64], extreme: f64) -> f64 {
    if extreme == 0.0 {
        values
            .iter()
            .copied()
            .find(|&v| v == 0.0)
            .unwrap_or(extreme)
    } else {
        extreme
    }
}

/// Σ(x − mean)² over the values that are not NaN, in eight running sums so
/// that each addition need not wait for the last; and, when asked, how many
/// values are -0.0.
fn squared_deviations<const NEGATIVE_ZEROS: bool>(values: &[f64], mean: f64) -> (f64, usize) {
    let mut sums = [0.0; 8];
    let mut negative_zeros = 0usize;
    let mut add = |sum: &mut f64, v: f64| {
        let d = if v.is_nan() { 0.0 } else { v - mean };
        *sum += d * d;
        if NEGATIVE_ZEROS {
            negative_zeros += usize::from(v.to_bits() == (-0.0f64).to_bits());
        }
    };
    let (chunks, rest) = values.as_chunks::<8>();
    for chunk in chunks {
        for (sum, &v) in sums.iter_mut().zip(chunk) {
            add(sum, v);
        }
    }
    for (sum, &v) in sums.iter_mut().zip(rest) {
        add(sum, v);
    }
    let [a, b, c, d, e, f, g, h] = sums;
    (((a + b) + (c + d)) + ((e + f) + (g + h)), negative_zeros)
}
