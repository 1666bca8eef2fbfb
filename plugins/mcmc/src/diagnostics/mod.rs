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
//!
//! `draws` pools, splits and sorts the draws, `ranks` normalises their
//! ranks, `autocovariance` and `ess` give the effective sample sizes,
//! `rhat` the R-hat and `mcse` the standard errors; this file gathers them
//! into one parameter's [`Summary`].

mod autocovariance;
mod draws;
mod ess;
mod mcse;
mod ranks;
mod rhat;

pub use draws::{quantile_sorted, split};
pub use ess::{ess_basic, ess_bulk, ess_mean, ess_tail};
pub use mcse::{mcse_mean, mcse_sd};
pub use ranks::rank_normalize;
pub use rhat::rhat;

use draws::{Draws, mean, variance};

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
mod tests;
