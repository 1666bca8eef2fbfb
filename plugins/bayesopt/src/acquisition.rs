//! Acquisition functions for minimisation, on standardised outputs, as
//! losses to minimise: -log EI, -log PI, or the lower confidence bound.
//!
//! EI and PI are taken in log space with the Mills ratio's continued
//! fraction in the far tail, so that a tiny improvement probability still
//! has a finite value and a useful gradient instead of underflowing to 0.

use serde::Deserialize;

use schemars::JsonSchema;

/// Which acquisition function chooses the next point.
#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Expected improvement (default).
    #[default]
    Ei,
    /// Upper confidence bound (for minimisation, the lower bound mean - kappa·sd).
    Ucb,
    /// Probability of improvement.
    Pi,
}

#[derive(Debug, Clone, Copy)]
pub struct Acquisition {
    pub kind: Kind,
    /// Standardised best observed value.
    pub best: f64,
    /// Improvement margin for EI and PI, standardised like `best`.
    pub xi: f64,
    /// Exploration weight of UCB.
    pub kappa: f64,
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

fn log_phi(z: f64) -> f64 {
    -0.5 * z * z - LN_SQRT_2PI
}

/// Mills ratio R(t) = (1 - Φ(t)) / φ(t) for t ≥ 4, by its continued fraction.
fn mills(t: f64) -> f64 {
    let mut f = t;
    for k in (1..=80).rev() {
        f = t + f64::from(k) / f;
    }
    1.0 / f
}

/// log Φ(z).
pub fn log_cdf(z: f64) -> f64 {
    if z > -4.0 {
        libm::log(0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2))
    } else {
        log_phi(z) + libm::log(mills(-z))
    }
}

/// log h(z), h(z) = φ(z) + z Φ(z), so that EI = σ h(z).
pub fn log_h(z: f64) -> f64 {
    if z > -4.0 {
        let cdf = 0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2);
        libm::log(libm::exp(log_phi(z)) + z * cdf)
    } else {
        // h(-t) = φ(t) (1 - t R(t)).
        let t = -z;
        log_phi(z) + libm::log((1.0 - t * mills(t)).max(1e-300))
    }
}

impl Acquisition {
    /// The loss at a prediction (mean, sd) and its derivatives with respect
    /// to the mean and to the sd.
    pub fn loss(&self, mean: f64, sd: f64) -> (f64, f64, f64) {
        match self.kind {
            Kind::Ucb => (mean - self.kappa * sd, 1.0, -self.kappa),
            Kind::Ei => {
                let z = (self.best - self.xi - mean) / sd;
                let lh = log_h(z);
                // d log EI/dμ = -Φ/(σh), d log EI/dσ = φ/(σh).
                let cdf_over_h = libm::exp(log_cdf(z) - lh);
                let pdf_over_h = libm::exp(log_phi(z) - lh);
                (-(libm::log(sd) + lh), cdf_over_h / sd, -pdf_over_h / sd)
            }
            Kind::Pi => {
                let z = (self.best - self.xi - mean) / sd;
                let lc = log_cdf(z);
                let pdf_over_cdf = libm::exp(log_phi(z) - lc);
                (-lc, pdf_over_cdf / sd, pdf_over_cdf * z / sd)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ei_is_finite_and_matches_the_closed_form_where_that_is_accurate() {
        for z in [-3.9, -1.0, 0.0, 2.5] {
            let cdf = 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2);
            let direct = libm::exp(log_phi(z)) + z * cdf;
            assert!((log_h(z) - libm::log(direct)).abs() < 1e-9, "z = {z}");
        }
        // Continuous at the switch to the continued fraction.
        assert!((log_h(-4.0 - 1e-9) - log_h(-4.0 + 1e-9)).abs() < 1e-6);
        assert!((log_cdf(-4.0 - 1e-9) - log_cdf(-4.0 + 1e-9)).abs() < 1e-6);
        // Deep in the tail, where EI itself underflows to 0, its log does not.
        let far = log_h(-40.0);
        assert!(far.is_finite() && far < -800.0);
        // h(-t) ≈ φ(t)/t² for large t.
        assert!((far - (log_phi(40.0) - 2.0 * libm::log(40.0))).abs() < 2e-3);
    }

    #[test]
    fn loss_derivatives_match_finite_differences() {
        for kind in [Kind::Ei, Kind::Pi, Kind::Ucb] {
            let acq = Acquisition {
                kind,
                best: -0.3,
                xi: 0.01,
                kappa: 1.96,
            };
            for (m, s) in [(0.2, 0.5), (2.0, 0.1), (-1.0, 0.3)] {
                let (_, dm, ds) = acq.loss(m, s);
                let h = 1e-6;
                let fm = (acq.loss(m + h, s).0 - acq.loss(m - h, s).0) / (2.0 * h);
                let fs = (acq.loss(m, s + h).0 - acq.loss(m, s - h).0) / (2.0 * h);
                assert!(
                    (fm - dm).abs() < 1e-4 * (1.0 + dm.abs()),
                    "{kind:?} dμ {fm} {dm}"
                );
                assert!(
                    (fs - ds).abs() < 1e-4 * (1.0 + ds.abs()),
                    "{kind:?} dσ {fs} {ds}"
                );
            }
        }
    }
}
