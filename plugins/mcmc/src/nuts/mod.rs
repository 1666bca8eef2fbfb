//! The No-U-Turn sampler with multinomial sampling along the trajectory
//! and the generalised no-U-turn criterion, checked across merged subtrees
//! as in Stan (Hoffman and Gelman 2014; Betancourt 2017).
//!
//! The metric is diagonal. Every buffer is allocated once, per tree depth,
//! so a transition allocates nothing: the gradient is the only real work.
//!
//! `dynamics` holds the phase-space point and the leapfrog integrator,
//! `u_turn` the no-U-turn criterion, `tree` the recursive doubling of the
//! trajectory, and `step_size` the first step size; this file holds the
//! sampler and its transition.

mod dynamics;
mod step_size;
mod tree;
mod u_turn;

pub use dynamics::Point;

use crate::model::LogDensity;
use dynamics::hamiltonian;
use toolhost_rng::Rng;
use tree::{Level, Tree};
use u_turn::{Side, no_u_turn};

/// What one transition did.
#[derive(Clone, Copy, Debug)]
pub struct Transition {
    /// Mean Metropolis acceptance probability over the trajectory: what
    /// step-size adaptation targets.
    pub accept_stat: f64,
    /// Completed doublings.
    pub depth: usize,
    pub n_leapfrog: usize,
    pub divergent: bool,
    /// The Hamiltonian at the new state, for E-BFMI.
    pub energy: f64,
}

pub struct Nuts {
    pub step_size: f64,
    pub max_depth: usize,
    inv_metric: Vec<f64>,
    /// 1 / sqrt(inv_metric): the momentum's standard deviations.
    p_scale: Vec<f64>,
    /// The current state.
    z: Point,
    fwd: Point,
    bck: Point,
    sample: Point,
    propose: Point,
    /// Ends of the forward and backward halves of the trajectory; `beg` is
    /// the end at the seam between them, `end` the outer one.
    fwd_beg: Side,
    fwd_end: Side,
    bck_beg: Side,
    bck_end: Side,
    rho: Vec<f64>,
    rho_fwd: Vec<f64>,
    rho_bck: Vec<f64>,
    levels: Vec<Level>,
}

impl Nuts {
    pub fn new(dim: usize, max_depth: usize) -> Self {
        Nuts {
            step_size: 1.0,
            max_depth,
            inv_metric: vec![1.0; dim],
            p_scale: vec![1.0; dim],
            z: Point::new(dim),
            fwd: Point::new(dim),
            bck: Point::new(dim),
            sample: Point::new(dim),
            propose: Point::new(dim),
            fwd_beg: Side::new(dim),
            fwd_end: Side::new(dim),
            bck_beg: Side::new(dim),
            bck_end: Side::new(dim),
            rho: vec![0.0; dim],
            rho_fwd: vec![0.0; dim],
            rho_bck: vec![0.0; dim],
            levels: (0..max_depth).map(|_| Level::new(dim)).collect(),
        }
    }

    /// Moves to `q`; returns its log density.
    pub fn set_position<M: LogDensity>(&mut self, model: &mut M, q: &[f64]) -> f64 {
        self.z.data[..q.len()].copy_from_slice(q);
        let (q, grad) = self.z.q_and_grad();
        self.z.lp = model.log_density_grad(q, grad);
        self.z.lp
    }

    pub fn position(&self) -> &[f64] {
        self.z.q()
    }

    pub fn inv_metric(&self) -> &[f64] {
        &self.inv_metric
    }

    pub fn set_inv_metric(&mut self, inv_metric: &[f64]) {
        self.inv_metric.copy_from_slice(inv_metric);
        for (s, m) in self.p_scale.iter_mut().zip(inv_metric) {
            *s = 1.0 / m.sqrt();
        }
    }

    fn draw_momentum(&mut self, rng: &mut Rng) {
        for (p, s) in self.z.p_mut().iter_mut().zip(&self.p_scale) {
            *p = rng.normal() * s;
        }
    }

    /// One NUTS transition from the current state.
    pub fn transition<M: LogDensity>(&mut self, model: &mut M, rng: &mut Rng) -> Transition {
        self.draw_momentum(rng);
        let Nuts {
            step_size,
            max_depth,
            inv_metric,
            z,
            fwd,
            bck,
            sample,
            propose,
            fwd_beg,
            fwd_end,
            bck_beg,
            bck_end,
            rho,
            rho_fwd,
            rho_bck,
            levels,
            ..
        } = self;
        fwd.copy_from(z);
        bck.copy_from(z);
        sample.copy_from(z);
        for side in [&mut *fwd_beg, &mut *fwd_end, &mut *bck_beg, &mut *bck_end] {
            side.set(z.p(), inv_metric);
        }
        rho.copy_from_slice(z.p());

        let h0 = hamiltonian(z, inv_metric);
        let mut tree = Tree {
            model,
            rng,
            inv_metric,
            eps: *step_size,
            h0,
            n_leapfrog: 0,
            sum_metro_prob: 0.0,
            divergent: false,
        };
        // The initial state's weight, exp(H0 - H0).
        let mut sum_weight = 1.0;
        let mut depth = 0;
        while depth < *max_depth {
            rho_fwd.fill(0.0);
            rho_bck.fill(0.0);
            let mut w_subtree = 0.0;
            // The whole old trajectory becomes the other half; its outer
            // end is the new half's neighbour across the seam.
            let valid = if tree.rng.uniform() > 0.5 {
                rho_bck.copy_from_slice(rho);
                bck_beg.copy_from(fwd_end);
                tree.eps = *step_size;
                tree.build(
                    depth,
                    &mut levels[..depth],
                    fwd,
                    propose,
                    fwd_beg,
                    fwd_end,
                    rho_fwd,
                    &mut w_subtree,
                )
            } else {
                rho_fwd.copy_from_slice(rho);
                fwd_beg.copy_from(bck_end);
                tree.eps = -*step_size;
                tree.build(
                    depth,
                    &mut levels[..depth],
                    bck,
                    propose,
                    bck_beg,
                    bck_end,
                    rho_bck,
                    &mut w_subtree,
                )
            };
            if !valid {
                break;
            }
            depth += 1;
            // Biased progressive sampling: favour the new subtree, taking it
            // with probability min(1, its weight / the old trajectory's).
            if w_subtree > sum_weight || tree.rng.uniform() * sum_weight < w_subtree {
                sample.copy_from(propose);
            }
            sum_weight += w_subtree;

            let persist = no_u_turn(bck_end.sharp(), fwd_end.sharp(), rho_bck, rho_fwd)
                && no_u_turn(bck_end.sharp(), fwd_beg.sharp(), rho_bck, fwd_beg.p())
                && no_u_turn(bck_beg.sharp(), fwd_end.sharp(), rho_fwd, bck_beg.p());
            for ((r, a), b) in rho.iter_mut().zip(rho_bck.iter()).zip(rho_fwd.iter()) {
                *r = a + b;
            }
            if !persist {
                break;
            }
        }

        let Tree {
            n_leapfrog,
            sum_metro_prob,
            divergent,
            ..
        } = tree;
        z.copy_from(sample);
        Transition {
            accept_stat: if n_leapfrog > 0 {
                (sum_metro_prob / n_leapfrog as f64).clamp(0.0, 1.0)
            } else {
                0.0
            },
            depth,
            n_leapfrog,
            divergent,
            energy: hamiltonian(z, inv_metric),
        }
    }
}

#[cfg(test)]
mod tests;
