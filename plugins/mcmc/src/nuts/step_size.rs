//! The first step size: Stan's heuristic of doubling or halving until one
//! leapfrog step crosses an acceptance probability of 0.8.

use super::Nuts;
use super::dynamics::{hamiltonian, leapfrog};
use crate::model::LogDensity;
use toolhost_rng::Rng;

impl Nuts {
    /// The energy change of one leapfrog step from the current state with
    /// fresh momentum.
    fn one_step_delta<M: LogDensity>(&mut self, model: &mut M, rng: &mut Rng) -> f64 {
        self.draw_momentum(rng);
        let h0 = hamiltonian(&self.z, &self.inv_metric);
        self.propose.copy_from(&self.z);
        let h =
            leapfrog(model, &mut self.propose, &self.inv_metric, self.step_size) - self.propose.lp;
        if h.is_nan() {
            f64::NEG_INFINITY
        } else {
            h0 - h
        }
    }

    /// Stan's heuristic for a first step size: double or halve it until one
    /// leapfrog step from the current point crosses an acceptance of 0.8.
    pub fn init_step_size<M: LogDensity>(&mut self, model: &mut M, rng: &mut Rng) {
        if self.step_size.is_nan() || self.step_size <= 0.0 || self.step_size > 1e7 {
            return;
        }
        let threshold = libm::log(0.8);
        let grow = self.one_step_delta(model, rng) > threshold;
        // Bounded: the step doubles or halves each round.
        for _ in 0..2000 {
            let delta = self.one_step_delta(model, rng);
            if (grow && delta <= threshold) || (!grow && delta >= threshold) {
                break;
            }
            self.step_size *= if grow { 2.0 } else { 0.5 };
            if self.step_size > 1e7 || self.step_size < 1e-300 {
                break;
            }
        }
    }
}
