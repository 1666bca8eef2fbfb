//! One parameter's draws as the diagnostics take them: pooled, split into
//! halves, tested for degeneracy, their quantiles and moments, and
//! [`Draws`], the draws pooled and sorted once for all the diagnostics.

use super::ranks::{normal_scores, order_of};

/// Halves every chain, dropping the middle draw of an odd length, so that
/// a trend within a chain shows up as disagreement between chains.
pub fn split(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    split_flat(&flatten(chains), chains.len())
        .into_iter()
        .map(<[f64]>::to_vec)
        .collect()
}

pub(super) fn flatten(chains: &[Vec<f64>]) -> Vec<f64> {
    chains.iter().flatten().copied().collect()
}

/// The split halves of `m` equal chains stored one after another.
fn split_flat(flat: &[f64], m: usize) -> Vec<&[f64]> {
    let n = flat.len().checked_div(m).unwrap_or(0);
    let chains = flat.chunks(n.max(1));
    if n < 2 {
        return chains.collect();
    }
    let half = n / 2;
    chains.flat_map(|c| [&c[..half], &c[n - half..]]).collect()
}

/// NaN, infinite or constant draws have no meaningful diagnostics.
pub(super) fn degenerate(values: &[f64]) -> bool {
    degenerate_chains(&[values])
}

pub(super) fn degenerate_chains(chains: &[&[f64]]) -> bool {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for &x in chains.iter().flat_map(|c| c.iter()) {
        if !x.is_finite() {
            return true;
        }
        lo = lo.min(x);
        hi = hi.max(x);
    }
    // As posterior's is_constant: the range is below machine epsilon.
    (hi - lo).abs() < f64::EPSILON
}

/// The sample quantile of sorted values, R's default (type 7).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let index = (n - 1) as f64 * p;
            let lo = index.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let h = index - lo as f64;
            (1.0 - h) * sorted[lo] + h * sorted[hi]
        }
    }
}

pub(super) fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance with the n - 1 denominator.
pub(super) fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// One parameter's draws, pooled and sorted once for all diagnostics.
pub(super) struct Draws {
    m: usize,
    pub(super) flat: Vec<f64>,
    pub(super) order: Vec<u32>,
    pub(super) sorted: Vec<f64>,
    /// Normal scores of the ranks, shared by bulk ESS and R-hat.
    scores: std::cell::OnceCell<Vec<f64>>,
}

impl Draws {
    pub(super) fn new(chains: &[Vec<f64>]) -> Self {
        let flat = flatten(chains);
        let order = order_of(&flat);
        let sorted = order.iter().map(|&i| flat[i as usize]).collect();
        Draws {
            m: chains.len(),
            flat,
            order,
            sorted,
            scores: std::cell::OnceCell::new(),
        }
    }

    pub(super) fn scores(&self) -> &[f64] {
        self.scores
            .get_or_init(|| normal_scores(&self.flat, &self.order))
    }

    pub(super) fn split<'a>(&self, values: &'a [f64]) -> Vec<&'a [f64]> {
        split_flat(values, self.m)
    }
}
