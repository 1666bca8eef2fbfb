//! The prior on the GP's length-scales that turns the marginal-likelihood
//! fit into a maximum a posteriori one.
//!
//! With ten to a few tens of points the likelihood alone often sends some
//! length-scales to the upper bound (the dimension "does not matter") and
//! others to the lower one (each point its own bump); the acquisition then
//! chases the corners of the box. A Gamma(3, 6) prior on each length-scale
//! of the unit box (mode 1/3, mean 1/2, the long-standing default of
//! BoTorch's SingleTaskGP) keeps them where the data can still move them
//! and lets evidence pull them out when it is there.

/// Gamma shape α and rate β.
const SHAPE: f64 = 3.0;
const RATE: f64 = 6.0;

/// -log p(ℓ) summed over length-scales given as θ_j = log ℓ_j, up to a
/// constant, with its gradient added to `grad`. The density is taken in ℓ
/// (no Jacobian), so its mode in θ is the Gamma mode (α - 1) / β.
pub fn neg_log_prior(log_lengthscales: &[f64], grad: &mut [f64]) -> f64 {
    let mut value = 0.0;
    for (t, g) in log_lengthscales.iter().zip(grad) {
        let l = libm::exp(*t);
        value += RATE * l - (SHAPE - 1.0) * t;
        *g += RATE * l - (SHAPE - 1.0);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gradient_matches_finite_differences_and_vanishes_at_the_mode() {
        let theta = [-2.0, -0.5, 1.0];
        let mut g = [0.0; 3];
        neg_log_prior(&theta, &mut g);
        let mut scratch = [0.0; 3];
        for k in 0..3 {
            let h = 1e-6;
            let (mut tp, mut tm) = (theta, theta);
            tp[k] += h;
            tm[k] -= h;
            let fd =
                (neg_log_prior(&tp, &mut scratch) - neg_log_prior(&tm, &mut scratch)) / (2.0 * h);
            assert!((fd - g[k]).abs() < 1e-6, "θ{k}: {fd} vs {}", g[k]);
        }
        let mut at_mode = [0.0];
        neg_log_prior(&[libm::log((SHAPE - 1.0) / RATE)], &mut at_mode);
        assert!(at_mode[0].abs() < 1e-12);
    }
}
