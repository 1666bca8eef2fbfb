//! Monte Carlo standard errors of the mean and of the standard deviation.

use super::draws::{Draws, mean, variance};
use super::ess::ess_of;

impl Draws {
    pub(super) fn mcse_mean(&self) -> f64 {
        variance(&self.flat).sqrt() / self.ess_mean().sqrt()
    }

    pub(super) fn mcse_sd(&self) -> f64 {
        let m = mean(&self.flat);
        let squared: Vec<f64> = self.flat.iter().map(|x| (x - m) * (x - m)).collect();
        let ess = ess_of(&self.split(&squared));
        let e_var = mean(&squared);
        let e_4 = squared.iter().map(|s| s * s).sum::<f64>() / squared.len() as f64;
        let var_var = (e_4 - e_var * e_var) / ess;
        (var_var / e_var / 4.0).sqrt()
    }
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
