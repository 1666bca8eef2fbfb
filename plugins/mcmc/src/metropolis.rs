//! Random-walk Metropolis with a Gaussian proposal whose covariance and
//! scale are learnt in warm-up: for densities without a usable gradient.

use crate::model::LogDensity;
use toolhost_rng::Rng;

pub struct Metropolis {
    /// Multiplies the proposal's Cholesky factor.
    pub scale: f64,
    /// Lower-triangular Cholesky factor of the proposal covariance,
    /// row-major.
    chol: Vec<f64>,
    q: Vec<f64>,
    lp: f64,
    proposal: Vec<f64>,
    z: Vec<f64>,
}

/// What one step did.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub accept_prob: f64,
    pub accepted: bool,
}

/// The acceptance rate that is optimal for random-walk proposals: 0.44 in
/// one dimension, falling towards 0.234 in many (Roberts and Rosenthal 2001).
pub fn target_acceptance(dim: usize) -> f64 {
    0.234 + 0.206 * libm::exp(-((dim.max(1) - 1) as f64) / 2.0)
}

/// A good proposal scale relative to the target's covariance.
pub fn default_scale(dim: usize) -> f64 {
    2.38 / (dim.max(1) as f64).sqrt()
}

/// The lower Cholesky factor of the row-major d x d matrix `a`, or `None`
/// if it is not positive definite.
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

impl Metropolis {
    pub fn new(dim: usize) -> Self {
        let mut chol = vec![0.0; dim * dim];
        for i in 0..dim {
            chol[i * dim + i] = 1.0;
        }
        Metropolis {
            scale: default_scale(dim),
            chol,
            q: vec![0.0; dim],
            lp: f64::NEG_INFINITY,
            proposal: vec![0.0; dim],
            z: vec![0.0; dim],
        }
    }

    pub fn set_position<M: LogDensity>(&mut self, model: &mut M, q: &[f64]) -> f64 {
        self.q.copy_from_slice(q);
        self.lp = model.log_density(q);
        self.lp
    }

    pub fn position(&self) -> &[f64] {
        &self.q
    }

    /// Uses `cov` (row-major) as the proposal covariance; keeps the old one
    /// if `cov` is not positive definite.
    pub fn set_covariance(&mut self, cov: &[f64]) {
        let d = self.q.len();
        if let Some(l) = cholesky(cov, d) {
            self.chol = l;
        }
    }

    pub fn step<M: LogDensity>(&mut self, model: &mut M, rng: &mut Rng) -> Step {
        let d = self.q.len();
        for z in &mut self.z {
            *z = rng.normal();
        }
        for i in 0..d {
            let row = &self.chol[i * d..i * d + i + 1];
            let shift: f64 = row.iter().zip(&self.z).map(|(l, z)| l * z).sum();
            self.proposal[i] = self.q[i] + self.scale * shift;
        }
        let lp = model.log_density(&self.proposal);
        let log_ratio = if lp.is_nan() {
            f64::NEG_INFINITY
        } else {
            lp - self.lp
        };
        let accept_prob = if log_ratio >= 0.0 {
            1.0
        } else {
            libm::exp(log_ratio)
        };
        let accepted = rng.uniform() < accept_prob;
        if accepted {
            self.q.copy_from_slice(&self.proposal);
            self.lp = lp;
        }
        Step {
            accept_prob,
            accepted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_reconstructs_the_matrix() {
        let a = [4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0];
        let l = cholesky(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| l[i * 3 + k] * l[j * 3 + k]).sum();
                assert!((s - a[i * 3 + j]).abs() < 1e-12);
            }
        }
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }

    #[test]
    fn the_target_acceptance_falls_with_dimension() {
        assert!((target_acceptance(1) - 0.44).abs() < 1e-12);
        assert!(target_acceptance(2) < target_acceptance(1));
        assert!((target_acceptance(50) - 0.234).abs() < 1e-6);
    }
}
