//! The affine-invariant ensemble sampler with the stretch move (Goodman and
//! Weare 2010), as emcee runs it (Foreman-Mackey et al. 2013): walkers are
//! split in two halves, and each walker of one half moves along the line
//! through a random walker of the other half. Needs no gradient and no
//! tuning, and is unaffected by linear correlations and scales.

use crate::model::LogDensity;
use toolhost_rng::Rng;

/// The stretch factor's range: z is drawn from g(z) ∝ 1/sqrt(z) on
/// [1/a, a]. emcee's default, 2, is Goodman and Weare's choice.
pub const STRETCH_SCALE: f64 = 2.0;

/// The most walkers an ensemble may have: bounds memory with the limits on
/// stored draws.
pub const MAX_WALKERS: usize = 4096;

/// Walkers per ensemble when the user names none: at least twice the
/// dimension (emcee's minimum; fewer leaves the walkers' span thin), and
/// 32 in low dimensions, where more walkers cost little and steady the
/// moves.
pub fn default_walkers(dim: usize) -> usize {
    (2 * dim).max(32)
}

/// The fewest walkers a `dim`-dimensional ensemble works with: walkers only
/// ever move within the affine span of the starting ensemble, so each half
/// must be able to span the space.
pub fn min_walkers(dim: usize) -> usize {
    (2 * dim).max(4)
}

pub struct Ensemble {
    dim: usize,
    /// Walker positions, row-major: `walkers x dim`.
    q: Vec<f64>,
    lp: Vec<f64>,
    proposal: Vec<f64>,
}

impl Ensemble {
    /// `q` holds the starting positions, `walkers x dim`, each with a
    /// finite density.
    pub fn new<M: LogDensity>(model: &mut M, q: Vec<f64>) -> Self {
        let dim = model.dim();
        let lp = q
            .chunks_exact(dim.max(1))
            .map(|w| model.log_density(w))
            .collect();
        Ensemble {
            dim,
            q,
            lp,
            proposal: vec![0.0; dim],
        }
    }

    pub fn walkers(&self) -> usize {
        self.lp.len()
    }

    /// Walker `k`'s position.
    pub fn position(&self, k: usize) -> &[f64] {
        &self.q[k * self.dim..(k + 1) * self.dim]
    }

    /// One sweep: every walker proposes a stretch move once. Writes each
    /// walker's acceptance probability into `accept`.
    pub fn sweep<M: LogDensity>(&mut self, model: &mut M, rng: &mut Rng, accept: &mut [f64]) {
        let n = self.walkers();
        let half = n / 2;
        // The first half moves against the second as it stands, then the
        // second against the updated first: each half's moves depend only
        // on the other half, which keeps the ensemble's stationary law.
        self.move_half(model, rng, 0..half, half..n, accept);
        self.move_half(model, rng, half..n, 0..half, accept);
    }

    fn move_half<M: LogDensity>(
        &mut self,
        model: &mut M,
        rng: &mut Rng,
        movers: std::ops::Range<usize>,
        others: std::ops::Range<usize>,
        accept: &mut [f64],
    ) {
        let d = self.dim;
        let a = STRETCH_SCALE;
        let n_others = others.len() as u64;
        for k in movers {
            // Multiply-shift maps 64 random bits onto the other half without
            // the bias of a modulus.
            let j =
                others.start + ((u128::from(rng.next_u64()) * u128::from(n_others)) >> 64) as usize;
            let u = rng.uniform();
            let root = (a - 1.0) * u + 1.0;
            let z = root * root / a;
            for i in 0..d {
                let xj = self.q[j * d + i];
                self.proposal[i] = xj + z * (self.q[k * d + i] - xj);
            }
            let lp = model.log_density(&self.proposal);
            // The (d - 1) log z term is the Jacobian of the stretch.
            let log_ratio = if lp.is_nan() {
                f64::NEG_INFINITY
            } else {
                (d as f64 - 1.0) * libm::log(z) + lp - self.lp[k]
            };
            let p = if log_ratio >= 0.0 {
                1.0
            } else {
                libm::exp(log_ratio)
            };
            accept[k] = p;
            if rng.uniform() < p {
                self.q[k * d..(k + 1) * d].copy_from_slice(&self.proposal);
                self.lp[k] = lp;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2-d Gaussian with correlation 0.99 and scales 1 and 100: the
    /// stretch move sees it as it sees a standard one.
    struct Skewed;

    impl LogDensity for Skewed {
        fn dim(&self) -> usize {
            2
        }
        fn log_density_grad(&mut self, q: &[f64], _grad: &mut [f64]) -> f64 {
            self.log_density(q)
        }
        fn log_density(&mut self, q: &[f64]) -> f64 {
            let (x, y) = (q[0], q[1] / 100.0);
            let rho: f64 = 0.99;
            -(x * x - 2.0 * rho * x * y + y * y) / (2.0 * (1.0 - rho * rho))
        }
    }

    #[test]
    fn walkers_recover_a_badly_scaled_correlated_gaussian() {
        let mut rng = Rng::stream(3, 0);
        let walkers = 32;
        let q: Vec<f64> = (0..walkers * 2)
            .map(|_| rng.uniform_in(-1.0, 1.0))
            .collect();
        let mut model = Skewed;
        let mut e = Ensemble::new(&mut model, q);
        let mut accept = vec![0.0; walkers];
        let (mut n, mut sxx, mut syy, mut sxy, mut acc) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for it in 0..6000 {
            e.sweep(&mut model, &mut rng, &mut accept);
            if it >= 1000 {
                for k in 0..walkers {
                    let p = e.position(k);
                    sxx += p[0] * p[0];
                    syy += p[1] * p[1];
                    sxy += p[0] * p[1];
                    n += 1.0;
                }
                acc += accept.iter().sum::<f64>();
            }
        }
        let (vx, vy, cxy) = (sxx / n, syy / n, sxy / n);
        assert!((vx - 1.0).abs() < 0.15, "var x {vx}");
        assert!((vy / 1e4 - 1.0).abs() < 0.15, "var y {vy}");
        assert!((cxy / 100.0 - 0.99).abs() < 0.15, "cov {cxy}");
        // emcee's acceptance on Gaussians is 0.2 to 0.5 whatever the scales.
        let rate = acc / n;
        assert!((0.2..0.8).contains(&rate), "acceptance {rate}");
    }
}
