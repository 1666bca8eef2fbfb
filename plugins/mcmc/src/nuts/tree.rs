//! The recursive tree building of one transition: each subtree doubles the
//! trajectory by leapfrog steps, proposes a state by multinomial sampling
//! between its halves, and checks the no-U-turn criterion across them.

use super::dynamics::{Point, leapfrog};
use super::u_turn::{Side, no_u_turn};
use crate::model::LogDensity;
use toolhost_rng::Rng;

/// An energy error beyond this marks the trajectory divergent.
const MAX_DELTA_H: f64 = 1000.0;

/// Working memory for one level of the recursion: the inner ends of its
/// two halves and their summed momenta.
#[derive(Clone, Debug)]
pub(super) struct Level {
    propose_final: Point,
    init_end: Side,
    final_beg: Side,
    rho_init: Vec<f64>,
    rho_final: Vec<f64>,
}

impl Level {
    pub(super) fn new(dim: usize) -> Self {
        Level {
            propose_final: Point::new(dim),
            init_end: Side::new(dim),
            final_beg: Side::new(dim),
            rho_init: vec![0.0; dim],
            rho_final: vec![0.0; dim],
        }
    }
}

/// Per-transition state shared by the recursion.
pub(super) struct Tree<'a, M> {
    pub(super) model: &'a mut M,
    pub(super) rng: &'a mut Rng,
    pub(super) inv_metric: &'a [f64],
    /// Signed: negative when integrating backwards in time.
    pub(super) eps: f64,
    pub(super) h0: f64,
    pub(super) n_leapfrog: usize,
    pub(super) sum_metro_prob: f64,
    pub(super) divergent: bool,
}

/// The multinomial weight of a state, exp(H0 - H), relative to the start.
/// Weights are summed on this linear scale, which spares a log and an exp
/// per merge; the exponent is capped so that the sum cannot overflow. Only
/// an energy drop of more than 700 within one trajectory, which happens at
/// most far from the typical set early in warm-up, meets the cap.
fn weight(delta: f64) -> f64 {
    libm::exp(delta.min(700.0))
}

impl<M: LogDensity> Tree<'_, M> {
    /// Extends the trajectory from `z` by 2^depth leapfrog steps, Stan's
    /// `build_tree`: `beg` and `end` receive the momenta at the subtree's
    /// inner and outer ends, `rho` accumulates its summed momentum, and
    /// `propose` receives the state it proposes.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn build(
        &mut self,
        depth: usize,
        levels: &mut [Level],
        z: &mut Point,
        propose: &mut Point,
        beg: &mut Side,
        end: &mut Side,
        rho: &mut [f64],
        sum_weight: &mut f64,
    ) -> bool {
        if depth == 0 {
            let kinetic = leapfrog(self.model, z, self.inv_metric, self.eps);
            self.n_leapfrog += 1;
            let mut h = kinetic - z.lp;
            if h.is_nan() {
                h = f64::INFINITY;
            }
            if h - self.h0 > MAX_DELTA_H {
                self.divergent = true;
            }
            // Every caller starts its sum at 0, so the leaf's weight is the
            // sum.
            let w = weight(self.h0 - h);
            *sum_weight = w;
            self.sum_metro_prob += w.min(1.0);
            propose.copy_from(z);
            beg.set_and_add(z.p(), self.inv_metric, rho);
            end.copy_from(beg);
            return !self.divergent;
        }

        let Some((level, deeper)) = levels.split_last_mut() else {
            return false;
        };
        let Level {
            propose_final,
            init_end,
            final_beg,
            rho_init,
            rho_final,
        } = level;

        rho_init.fill(0.0);
        let mut w_init = 0.0;
        if !self.build(
            depth - 1,
            deeper,
            z,
            propose,
            beg,
            init_end,
            rho_init,
            &mut w_init,
        ) {
            return false;
        }
        rho_final.fill(0.0);
        let mut w_final = 0.0;
        if !self.build(
            depth - 1,
            deeper,
            z,
            propose_final,
            final_beg,
            end,
            rho_final,
            &mut w_final,
        ) {
            return false;
        }

        // Multinomial choice between the halves, in proportion to weight.
        let w_subtree = w_init + w_final;
        *sum_weight = w_subtree;
        if self.rng.uniform() * w_subtree < w_final {
            propose.copy_from(propose_final);
        }

        for ((r, a), b) in rho.iter_mut().zip(rho_init.iter()).zip(rho_final.iter()) {
            *r += a + b;
        }
        // Across the merged subtree, and across the seam between its halves.
        no_u_turn(beg.sharp(), end.sharp(), rho_init, rho_final)
            && no_u_turn(beg.sharp(), final_beg.sharp(), rho_init, final_beg.p())
            && no_u_turn(init_end.sharp(), end.sharp(), rho_final, init_end.p())
    }
}
