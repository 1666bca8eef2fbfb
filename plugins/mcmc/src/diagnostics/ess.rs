//! Effective sample sizes: of the draws as they are, of the mean, of the
//! rank-normalised draws (bulk) and of the 5% and 95% quantiles (tail),
//! with Geyer's initial monotone sequence.

use super::autocovariance::MeanAutocovariance;
use super::draws::{Draws, degenerate, degenerate_chains, mean, quantile_sorted, variance};

/// Effective sample size of the given chains (not split here), from the
/// autocorrelations pooled across chains, truncated by Geyer's initial
/// positive sequence and made monotone.
pub(super) fn ess_of(chains: &[&[f64]]) -> f64 {
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

impl Draws {
    pub(super) fn ess_mean(&self) -> f64 {
        ess_of(&self.split(&self.flat))
    }

    pub(super) fn ess_bulk(&self) -> f64 {
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

    pub(super) fn ess_tail(&self) -> f64 {
        self.ess_quantile(0.05).min(self.ess_quantile(0.95))
    }
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
