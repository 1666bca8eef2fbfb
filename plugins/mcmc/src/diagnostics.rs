//! Convergence diagnostics of Vehtari, Gelman, Simpson, Carpenter and
//! Bürkner (2021): rank-normalised split-R-hat, bulk and tail effective
//! sample sizes with Geyer's initial monotone sequence, and Monte Carlo
//! standard errors, computed as the `posterior` R package computes them.
//!
//! Every function takes one parameter's draws as one vector per chain, all
//! of the same length. Where `posterior` returns NA (too few draws, a
//! non-finite or constant draw set) these return NaN.
//!
//! The work is arranged for long runs: the draws are sorted once, the
//! folded draws' order is merged out of that, and autocovariances are
//! summed directly for the few dozen lags Geyer's truncation usually needs,
//! with an FFT only when the chains remember further back.

use crate::fft::autocovariance;
use crate::normal;

/// Lags summed directly before switching to the FFT.
const DIRECT_LAGS: usize = 64;

/// Halves every chain, dropping the middle draw of an odd length, so that
/// a trend within a chain shows up as disagreement between chains.
pub fn split(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    split_flat(&flatten(chains), chains.len())
        .into_iter()
        .map(<[f64]>::to_vec)
        .collect()
}

fn flatten(chains: &[Vec<f64>]) -> Vec<f64> {
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
fn degenerate(values: &[f64]) -> bool {
    degenerate_chains(&[values])
}

fn degenerate_chains(chains: &[&[f64]]) -> bool {
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

/// Indices of `values` in increasing order (NaN last).
fn order_of(values: &[f64]) -> Vec<u32> {
    // Sorting integer keys beside their indices keeps the comparisons
    // branch-light and the memory access sequential.
    let mut keyed: Vec<(u64, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let bits = x.to_bits();
            // The IEEE total order as an unsigned integer order.
            let key = if bits >> 63 == 1 {
                !bits
            } else {
                bits | (1 << 63)
            };
            (key, i as u32)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Normal scores of the pooled ranks, ties sharing their average rank:
/// Φ⁻¹((r - 3/8) / (S + 1/4)), where `order` lists `values` in increasing
/// order (with equal values adjacent).
fn normal_scores(values: &[f64], order: &[u32]) -> Vec<f64> {
    let total = order.len();
    let mut z = vec![0.0; total];
    let mut start = 0;
    while start < total {
        let v = values[order[start] as usize];
        let mut end = start + 1;
        while end < total && values[order[end] as usize] == v {
            end += 1;
        }
        // 1-based ranks start + 1 ..= end share their average.
        let rank = (start + 1 + end) as f64 / 2.0;
        let score = if v.is_nan() {
            f64::NAN
        } else {
            normal::quantile((rank - 0.375) / (total as f64 + 0.25))
        };
        for &i in &order[start..end] {
            z[i as usize] = score;
        }
        start = end;
    }
    z
}

/// Replaces every draw by the normal score of its pooled rank.
pub fn rank_normalize(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let flat = flatten(chains);
    let z = normal_scores(&flat, &order_of(&flat));
    let n = chains.first().map_or(0, Vec::len);
    z.chunks(n.max(1)).map(<[f64]>::to_vec).collect()
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample variance with the n - 1 denominator.
fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// The classic potential scale reduction factor of the given chains.
fn rhat_basic(chains: &[&[f64]]) -> f64 {
    let n = chains.first().map_or(0, |c| c.len());
    if chains.len() < 2 || n < 2 || chains.iter().any(|c| c.iter().any(|x| !x.is_finite())) {
        return f64::NAN;
    }
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let between = n as f64 * variance(&means);
    let within = chains.iter().map(|c| variance(c)).sum::<f64>() / chains.len() as f64;
    ((between / within + n as f64 - 1.0) / n as f64).sqrt()
}

/// Four running sums instead of one, so that the additions do not wait on
/// each other: several times faster, and the same on every platform.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (a4, a_rest) = a.as_chunks::<4>();
    let (b4, b_rest) = b.as_chunks::<4>();
    for (x, y) in a4.iter().zip(b4) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Autocovariances averaged over chains, computed on demand: directly for
/// the first lags, by FFT for all of them once more are asked for.
struct MeanAutocovariance<'a> {
    chains: &'a [&'a [f64]],
    centred: Vec<Vec<f64>>,
    acov: Vec<f64>,
    complete: bool,
}

impl<'a> MeanAutocovariance<'a> {
    fn new(chains: &'a [&'a [f64]]) -> Self {
        let centred = chains
            .iter()
            .map(|c| {
                let m = mean(c);
                c.iter().map(|x| x - m).collect()
            })
            .collect();
        MeanAutocovariance {
            chains,
            centred,
            acov: Vec::new(),
            complete: false,
        }
    }

    fn at(&mut self, lag: usize) -> f64 {
        while lag >= self.acov.len() && !self.complete {
            if self.acov.len() < DIRECT_LAGS {
                self.push_direct();
            } else {
                self.compute_all();
            }
        }
        self.acov.get(lag).copied().unwrap_or(0.0)
    }

    /// The biased estimate sum_i x_i x_(i+t) / n, as the FFT computes it.
    fn push_direct(&mut self) {
        let t = self.acov.len();
        let m = self.centred.len() as f64;
        let mut sum = 0.0;
        for c in &self.centred {
            let n = c.len();
            if t >= n {
                continue;
            }
            sum += dot(&c[..n - t], &c[t..]) / n as f64;
        }
        self.acov.push(sum / m);
        if self.acov.len() >= self.centred.first().map_or(0, Vec::len) {
            self.complete = true;
        }
    }

    fn compute_all(&mut self) {
        let n = self.chains.first().map_or(0, |c| c.len());
        let mut acov = vec![0.0; n];
        let m = self.chains.len() as f64;
        for c in self.chains {
            for (a, v) in acov.iter_mut().zip(autocovariance(c)) {
                *a += v / m;
            }
        }
        self.acov = acov;
        self.complete = true;
    }
}

/// Effective sample size of the given chains (not split here), from the
/// autocorrelations pooled across chains, truncated by Geyer's initial
/// positive sequence and made monotone.
fn ess_of(chains: &[&[f64]]) -> f64 {
    let m = chains.len();
    let n = chains.first().map_or(0, |c| c.len());
    if n < 3 || chains.iter().any(|c| c.len() != n) || degenerate_chains(chains) {
        return f64::NAN;
    }
    // A constant chain has zero autocovariance at every lag.
    let varying: Vec<&[f64]> = chains
        .iter()
        .copied()
        .filter(|c| variance(c) > 0.0)
        .collect();
    let mut acov = MeanAutocovariance::new(&varying);
    let share = varying.len() as f64 / m as f64;
    let mut acov_at = |t: usize| acov.at(t) * share;

    let nf = n as f64;
    let mean_var = acov_at(0) * nf / (nf - 1.0);
    let mut var_plus = mean_var * (nf - 1.0) / nf;
    if m > 1 {
        let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
        var_plus += variance(&means);
    }
    let mut rho_at = |t: usize| 1.0 - (mean_var - acov_at(t)) / var_plus;

    let mut rho = vec![0.0; n];
    rho[0] = 1.0;
    let mut even = 1.0;
    let mut odd = rho_at(1);
    rho[1] = odd;
    let mut t = 0;
    while t + 5 < n && !(even + odd).is_nan() && even + odd > 0.0 {
        t += 2;
        even = rho_at(t);
        odd = rho_at(t + 1);
        if even + odd >= 0.0 {
            rho[t] = even;
            rho[t + 1] = odd;
        }
    }
    let max_t = t;
    // Part of the improved estimate for antithetic chains.
    if even > 0.0 {
        rho[max_t] = even;
    }
    let mut t = 0;
    while t + 4 <= max_t {
        t += 2;
        let before = rho[t - 2] + rho[t - 1];
        if rho[t] + rho[t + 1] > before {
            rho[t] = before / 2.0;
            rho[t + 1] = rho[t];
        }
    }
    let total = (m * n) as f64;
    // R's sum(rho[1:max_t]) includes rho[1] even when max_t is 0.
    let head: f64 = rho[..max_t.max(1)].iter().sum();
    let tau = (-1.0 + 2.0 * head + rho[max_t]).max(1.0 / libm::log10(total));
    total / tau
}

/// ESS of the given chains as they are (not split).
pub fn ess_basic(chains: &[Vec<f64>]) -> f64 {
    let slices: Vec<&[f64]> = chains.iter().map(Vec::as_slice).collect();
    ess_of(&slices)
}

/// One parameter's draws, pooled and sorted once for all diagnostics.
struct Draws {
    m: usize,
    flat: Vec<f64>,
    order: Vec<u32>,
    sorted: Vec<f64>,
    /// Normal scores of the ranks, shared by bulk ESS and R-hat.
    scores: std::cell::OnceCell<Vec<f64>>,
}

impl Draws {
    fn new(chains: &[Vec<f64>]) -> Self {
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

    fn scores(&self) -> &[f64] {
        self.scores
            .get_or_init(|| normal_scores(&self.flat, &self.order))
    }

    fn split<'a>(&self, values: &'a [f64]) -> Vec<&'a [f64]> {
        split_flat(values, self.m)
    }

    fn ess_mean(&self) -> f64 {
        ess_of(&self.split(&self.flat))
    }

    fn ess_bulk(&self) -> f64 {
        if degenerate(&self.flat) {
            return f64::NAN;
        }
        ess_of(&self.split(self.scores()))
    }

    fn ess_quantile(&self, p: f64) -> f64 {
        if degenerate(&self.flat) {
            return f64::NAN;
        }
        let q = quantile_sorted(&self.sorted, p);
        let below: Vec<f64> = self
            .flat
            .iter()
            .map(|&x| f64::from(u8::from(x <= q)))
            .collect();
        ess_of(&self.split(&below))
    }

    fn ess_tail(&self) -> f64 {
        self.ess_quantile(0.05).min(self.ess_quantile(0.95))
    }

    fn rhat(&self) -> f64 {
        if degenerate(&self.flat) {
            return f64::NAN;
        }
        let bulk = rhat_basic(&self.split(self.scores()));
        // Folding around the median reverses the order below it: merge the
        // two runs outward from the median instead of sorting again.
        let median = quantile_sorted(&self.sorted, 0.5);
        let folded: Vec<f64> = self.flat.iter().map(|x| (x - median).abs()).collect();
        let split_at = self.sorted.partition_point(|&x| x < median);
        let (mut left, mut right) = (split_at, split_at);
        let mut order = Vec::with_capacity(self.order.len());
        while left > 0 || right < self.order.len() {
            let take_left = right == self.order.len()
                || (left > 0
                    && folded[self.order[left - 1] as usize] <= folded[self.order[right] as usize]);
            if take_left {
                left -= 1;
                order.push(self.order[left]);
            } else {
                order.push(self.order[right]);
                right += 1;
            }
        }
        let tail = rhat_basic(&self.split(&normal_scores(&folded, &order)));
        if bulk.is_nan() || tail.is_nan() {
            f64::NAN
        } else {
            bulk.max(tail)
        }
    }

    fn mcse_mean(&self) -> f64 {
        variance(&self.flat).sqrt() / self.ess_mean().sqrt()
    }

    fn mcse_sd(&self) -> f64 {
        let m = mean(&self.flat);
        let squared: Vec<f64> = self.flat.iter().map(|x| (x - m) * (x - m)).collect();
        let ess = ess_of(&self.split(&squared));
        let e_var = mean(&squared);
        let e_4 = squared.iter().map(|s| s * s).sum::<f64>() / squared.len() as f64;
        let var_var = (e_4 - e_var * e_var) / ess;
        (var_var / e_var / 4.0).sqrt()
    }
}

/// Rank-normalised split-R-hat: the larger of the bulk version and the one
/// on draws folded around the median, which catches chains that agree in
/// location but not in scale.
pub fn rhat(chains: &[Vec<f64>]) -> f64 {
    Draws::new(chains).rhat()
}

/// ESS of the mean of split chains.
pub fn ess_mean(chains: &[Vec<f64>]) -> f64 {
    Draws::new(chains).ess_mean()
}

/// ESS of the rank-normalised split chains: efficiency in the bulk.
pub fn ess_bulk(chains: &[Vec<f64>]) -> f64 {
    Draws::new(chains).ess_bulk()
}

/// The smaller ESS of the 5% and 95% quantiles: efficiency in the tails.
pub fn ess_tail(chains: &[Vec<f64>]) -> f64 {
    Draws::new(chains).ess_tail()
}

/// Monte Carlo standard error of the mean.
pub fn mcse_mean(chains: &[Vec<f64>]) -> f64 {
    Draws::new(chains).mcse_mean()
}

/// Monte Carlo standard error of the standard deviation, from the moments
/// of the draws and the ESS of their squared deviations (Kenney and Keeping
/// 1951), without assuming normality.
pub fn mcse_sd(chains: &[Vec<f64>]) -> f64 {
    Draws::new(chains).mcse_sd()
}

/// Everything reported for one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub mean: f64,
    pub sd: f64,
    pub mcse_mean: f64,
    pub mcse_sd: f64,
    /// The 5%, 25%, 50%, 75% and 95% quantiles.
    pub quantiles: [f64; 5],
    pub ess_bulk: f64,
    pub ess_tail: f64,
    pub rhat: f64,
}

pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

pub fn summarize(chains: &[Vec<f64>]) -> Summary {
    let d = Draws::new(chains);
    Summary {
        mean: mean(&d.flat),
        sd: variance(&d.flat).sqrt(),
        mcse_mean: d.mcse_mean(),
        mcse_sd: d.mcse_sd(),
        quantiles: QUANTILES.map(|p| quantile_sorted(&d.sorted, p)),
        ess_bulk: d.ess_bulk(),
        ess_tail: d.ess_tail(),
        rhat: d.rhat(),
    }
}

/// Energy Bayesian fraction of missing information of one chain: low
/// values mean the momentum resampling explores the energy poorly.
pub fn e_bfmi(energy: &[f64]) -> f64 {
    if energy.len() < 2 {
        return f64::NAN;
    }
    let m = mean(energy);
    let num: f64 = energy.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let den: f64 = energy.iter().map(|e| (e - m) * (e - m)).sum();
    num / den
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolhost_rng::Rng;

    fn ar1(phi: f64, chains: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
        (0..chains)
            .map(|c| {
                let mut rng = Rng::stream(seed, c);
                let sd = (1.0 - phi * phi).sqrt();
                let mut x = rng.normal();
                (0..n)
                    .map(|_| {
                        x = phi * x + sd * rng.normal();
                        x
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn independent_draws_have_ess_near_their_count_and_rhat_near_one() {
        let chains = ar1(0.0, 4, 2500, 1);
        let ess = ess_bulk(&chains);
        // The ESS estimate itself varies by a few percent at this size.
        assert!((ess / 10_000.0 - 1.0).abs() < 0.1, "ess {ess}");
        let r = rhat(&chains);
        assert!(r < 1.005 && r > 0.999, "rhat {r}");
        let tail = ess_tail(&chains);
        assert!((tail / 10_000.0 - 1.0).abs() < 0.1, "tail ess {tail}");
    }

    #[test]
    fn autocorrelated_draws_have_the_ar1_ess() {
        // For AR(1), ESS = N (1 - phi) / (1 + phi).
        let phi = 0.8;
        let chains = ar1(phi, 4, 20_000, 2);
        let want = 80_000.0 * (1.0 - phi) / (1.0 + phi);
        for ess in [ess_mean(&chains), ess_bulk(&chains)] {
            assert!((ess / want - 1.0).abs() < 0.1, "ess {ess}, want {want}");
        }
        // An indicator forgets faster than the value it thresholds.
        assert!(ess_tail(&chains) > ess_bulk(&chains));
    }

    #[test]
    fn chains_that_disagree_have_a_large_rhat() {
        let mut chains = ar1(0.5, 4, 1000, 3);
        for x in &mut chains[0] {
            *x += 1.0;
        }
        assert!(rhat(&chains) > 1.1);
        // Same location, different scale: only the folded R-hat sees it.
        let mut chains = ar1(0.5, 4, 1000, 4);
        for x in &mut chains[1] {
            *x *= 3.0;
        }
        assert!(rhat(&chains) > 1.05, "{}", rhat(&chains));
    }

    #[test]
    fn a_drift_within_chains_is_caught_by_splitting() {
        let chains: Vec<Vec<f64>> = ar1(0.0, 4, 1000, 5)
            .into_iter()
            .map(|c| {
                c.iter()
                    .enumerate()
                    .map(|(i, x)| x + i as f64 / 250.0)
                    .collect()
            })
            .collect();
        assert!(rhat(&chains) > 1.1);
    }

    #[test]
    fn mcse_matches_the_sd_over_root_ess_of_iid_draws() {
        let chains = ar1(0.0, 4, 5000, 6);
        let sd = variance(&flatten(&chains)).sqrt();
        let want = sd / 20_000f64.sqrt();
        assert!((mcse_mean(&chains) / want - 1.0).abs() < 0.1);
        // For a normal, sd(sd estimate) = sd / sqrt(2 N).
        let want_sd = sd / (2.0 * 20_000f64).sqrt();
        assert!(
            (mcse_sd(&chains) / want_sd - 1.0).abs() < 0.15,
            "{}",
            mcse_sd(&chains)
        );
    }

    #[test]
    fn degenerate_draws_give_nan() {
        let constant = vec![vec![1.0; 100]; 4];
        assert!(rhat(&constant).is_nan());
        assert!(ess_bulk(&constant).is_nan());
        let mut with_nan = ar1(0.0, 2, 100, 7);
        with_nan[1][3] = f64::NAN;
        assert!(ess_bulk(&with_nan).is_nan());
        assert!(ess_basic(&[vec![1.0, 2.0]]).is_nan());
    }

    #[test]
    fn ranks_are_averaged_over_ties_and_mapped_through_the_normal_quantile() {
        let z = rank_normalize(&[vec![3.0, 1.0], vec![1.0, 2.0]]);
        // Ranks: 3 -> 4, 1 -> 1.5 (tied), 2 -> 3; S = 4.
        let phi = |r: f64| normal::quantile((r - 0.375) / 4.25);
        assert_eq!(z, [vec![phi(4.0), phi(1.5)], vec![phi(1.5), phi(3.0)]]);
    }

    #[test]
    fn quantiles_follow_r_type_7() {
        let s = [1.0, 2.0, 3.0, 4.0, 10.0];
        let q = |p: f64| quantile_sorted(&s, p);
        assert_eq!(q(0.5), 3.0);
        assert!((q(0.05) - 1.2).abs() < 1e-12);
        assert!((q(0.95) - 8.8).abs() < 1e-12);
        assert_eq!(q(1.0), 10.0);
        assert_eq!(q(0.0), 1.0);
    }

    #[test]
    fn direct_and_fft_autocovariances_agree() {
        let chains = ar1(0.9, 3, 500, 10);
        let slices: Vec<&[f64]> = chains.iter().map(Vec::as_slice).collect();
        let mut lazy = MeanAutocovariance::new(&slices);
        let direct: Vec<f64> = (0..DIRECT_LAGS).map(|t| lazy.at(t)).collect();
        let mut all = MeanAutocovariance::new(&slices);
        all.compute_all();
        for (t, d) in direct.iter().enumerate() {
            assert!((d - all.at(t)).abs() < 1e-12, "lag {t}");
        }
        // Asking past the direct lags switches to the full computation.
        assert!((lazy.at(DIRECT_LAGS + 10) - all.at(DIRECT_LAGS + 10)).abs() < 1e-12);
    }

    #[test]
    fn long_memory_chains_use_every_lag_they_need() {
        // phi = 0.99 needs hundreds of lags: the FFT path.
        let phi = 0.99;
        let chains = ar1(phi, 4, 50_000, 11);
        let want = 200_000.0 * (1.0 - phi) / (1.0 + phi);
        let ess = ess_mean(&chains);
        assert!((ess / want - 1.0).abs() < 0.2, "ess {ess}, want {want}");
    }

    #[test]
    fn the_folded_order_merged_from_the_median_matches_a_sort() {
        let chains = ar1(0.3, 4, 301, 12);
        let all = flatten(&chains);
        let s = {
            let mut s = all.clone();
            s.sort_by(f64::total_cmp);
            s
        };
        let median = quantile_sorted(&s, 0.5);
        let folded: Vec<Vec<f64>> = chains
            .iter()
            .map(|c| c.iter().map(|x| (x - median).abs()).collect())
            .collect();
        // Pooled ranks do not depend on the split, so normalise, then split.
        let z = rank_normalize(&folded);
        let tail = rhat_basic(&split(&z).iter().map(Vec::as_slice).collect::<Vec<_>>());
        let bulk_z = rank_normalize(&chains);
        let bulk = rhat_basic(&split(&bulk_z).iter().map(Vec::as_slice).collect::<Vec<_>>());
        assert_eq!(rhat(&chains), bulk.max(tail));
    }

    #[test]
    fn split_drops_the_middle_of_odd_chains() {
        assert_eq!(
            split(&[vec![1.0, 2.0, 3.0, 4.0, 5.0]]),
            [vec![1.0, 2.0], vec![4.0, 5.0]]
        );
    }

    #[test]
    fn e_bfmi_is_two_for_independent_energies_and_small_for_sticky_ones() {
        let iid = &ar1(0.0, 1, 5000, 8)[0];
        assert!((e_bfmi(iid) - 2.0).abs() < 0.1);
        let sticky = &ar1(0.99, 1, 5000, 9)[0];
        assert!(e_bfmi(sticky) < 0.1);
    }
}
