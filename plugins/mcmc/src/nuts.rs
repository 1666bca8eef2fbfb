//! The No-U-Turn sampler with multinomial sampling along the trajectory
//! and the generalised no-U-turn criterion, checked across merged subtrees
//! as in Stan (Hoffman and Gelman 2014; Betancourt 2017).
//!
//! The metric is diagonal. Every buffer is allocated once, per tree depth,
//! so a transition allocates nothing: the gradient is the only real work.

use crate::model::LogDensity;
use toolhost_rng::Rng;

/// An energy error beyond this marks the trajectory divergent.
const MAX_DELTA_H: f64 = 1000.0;

/// A point in phase space, stored as one buffer `[q | p | grad]` so that a
/// copy is a single move.
#[derive(Clone, Debug)]
pub struct Point {
    data: Vec<f64>,
    dim: usize,
    pub lp: f64,
}

impl Point {
    fn new(dim: usize) -> Self {
        Point {
            data: vec![0.0; 3 * dim],
            dim,
            lp: 0.0,
        }
    }

    pub fn q(&self) -> &[f64] {
        &self.data[..self.dim]
    }

    pub fn p(&self) -> &[f64] {
        &self.data[self.dim..2 * self.dim]
    }

    fn p_mut(&mut self) -> &mut [f64] {
        &mut self.data[self.dim..2 * self.dim]
    }

    /// Position (read) and gradient (write), for evaluating the density.
    fn q_and_grad(&mut self) -> (&[f64], &mut [f64]) {
        let (qp, grad) = self.data.split_at_mut(2 * self.dim);
        (&qp[..self.dim], grad)
    }

    fn copy_from(&mut self, other: &Point) {
        self.data.copy_from_slice(&other.data);
        self.lp = other.lp;
    }
}

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

/// The momentum at one end of a subtree, and its "sharp" version M^-1 p
/// (the velocity) that the no-U-turn criterion uses: `[p | sharp]`.
#[derive(Clone, Debug)]
struct Side {
    data: Vec<f64>,
    dim: usize,
}

impl Side {
    fn new(dim: usize) -> Self {
        Side {
            data: vec![0.0; 2 * dim],
            dim,
        }
    }

    #[inline]
    fn p(&self) -> &[f64] {
        &self.data[..self.dim]
    }

    #[inline]
    fn sharp(&self) -> &[f64] {
        &self.data[self.dim..]
    }

    fn set(&mut self, p: &[f64], inv_metric: &[f64]) {
        let (mine, sharp) = self.data.split_at_mut(self.dim);
        for (((m, s), p), w) in mine.iter_mut().zip(sharp).zip(p).zip(inv_metric) {
            *m = *p;
            *s = p * w;
        }
    }

    /// `set`, also adding `p` to `rho`, in one pass.
    fn set_and_add(&mut self, p: &[f64], inv_metric: &[f64], rho: &mut [f64]) {
        let (mine, sharp) = self.data.split_at_mut(self.dim);
        for ((((m, s), p), w), r) in mine
            .iter_mut()
            .zip(sharp)
            .zip(p)
            .zip(inv_metric)
            .zip(rho.iter_mut())
        {
            *m = *p;
            *s = p * w;
            *r += p;
        }
    }

    fn copy_from(&mut self, other: &Side) {
        self.data.copy_from_slice(&other.data);
    }
}

/// Working memory for one level of the recursion: the inner ends of its
/// two halves and their summed momenta.
#[derive(Clone, Debug)]
struct Level {
    propose_final: Point,
    init_end: Side,
    final_beg: Side,
    rho_init: Vec<f64>,
    rho_final: Vec<f64>,
}

impl Level {
    fn new(dim: usize) -> Self {
        Level {
            propose_final: Point::new(dim),
            init_end: Side::new(dim),
            final_beg: Side::new(dim),
            rho_init: vec![0.0; dim],
            rho_final: vec![0.0; dim],
        }
    }
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

/// Per-transition state shared by the recursion.
struct Tree<'a, M> {
    model: &'a mut M,
    rng: &'a mut Rng,
    inv_metric: &'a [f64],
    /// Signed: negative when integrating backwards in time.
    eps: f64,
    h0: f64,
    n_leapfrog: usize,
    sum_metro_prob: f64,
    divergent: bool,
}

/// The multinomial weight of a state, exp(H0 - H), relative to the start.
/// Weights are summed on this linear scale, which spares a log and an exp
/// per merge; the exponent is capped so that the sum cannot overflow. Only
/// an energy drop of more than 700 within one trajectory, which happens at
/// most far from the typical set early in warm-up, meets the cap.
fn weight(delta: f64) -> f64 {
    libm::exp(delta.min(700.0))
}

fn kinetic(p: &[f64], inv_metric: &[f64]) -> f64 {
    0.5 * p
        .iter()
        .zip(inv_metric)
        .map(|(p, m)| p * p * m)
        .sum::<f64>()
}

fn hamiltonian(z: &Point, inv_metric: &[f64]) -> f64 {
    -z.lp + kinetic(z.p(), inv_metric)
}

/// The trajectory keeps going while both ends still move apart along the
/// summed momentum `a + b`.
fn no_u_turn(sharp_minus: &[f64], sharp_plus: &[f64], a: &[f64], b: &[f64]) -> bool {
    let (mut minus, mut plus) = (0.0, 0.0);
    for (((sm, sp), a), b) in sharp_minus.iter().zip(sharp_plus).zip(a).zip(b) {
        let rho = a + b;
        minus += sm * rho;
        plus += sp * rho;
    }
    minus > 0.0 && plus > 0.0
}

/// One leapfrog step; returns the kinetic energy at the new point, which
/// the last half-step computes on the way.
fn leapfrog<M: LogDensity>(model: &mut M, z: &mut Point, inv_metric: &[f64], eps: f64) -> f64 {
    let half = 0.5 * eps;
    let d = z.dim;
    {
        let (qp, grad) = z.data.split_at_mut(2 * d);
        let (q, p) = qp.split_at_mut(d);
        for (((q, p), g), m) in q
            .iter_mut()
            .zip(p.iter_mut())
            .zip(grad.iter())
            .zip(inv_metric)
        {
            *p += half * g;
            *q += eps * m * *p;
        }
    }
    let (q, grad) = z.q_and_grad();
    z.lp = model.log_density_grad(q, grad);
    let (p, grad) = z.data[d..].split_at_mut(d);
    let mut kinetic = 0.0;
    for ((p, g), m) in p.iter_mut().zip(grad.iter()).zip(inv_metric) {
        *p += half * g;
        kinetic += *p * *p * m;
    }
    0.5 * kinetic
}

impl<M: LogDensity> Tree<'_, M> {
    /// Extends the trajectory from `z` by 2^depth leapfrog steps, Stan's
    /// `build_tree`: `beg` and `end` receive the momenta at the subtree's
    /// inner and outer ends, `rho` accumulates its summed momentum, and
    /// `propose` receives the state it proposes.
    #[allow(clippy::too_many_arguments)]
    fn build(
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
mod tests {
    use super::*;

    /// A Gaussian with independent coordinates of the given scales.
    struct Gaussian(Vec<f64>);

    impl LogDensity for Gaussian {
        fn dim(&self) -> usize {
            self.0.len()
        }
        fn log_density_grad(&mut self, q: &[f64], grad: &mut [f64]) -> f64 {
            let mut lp = 0.0;
            for ((g, x), s) in grad.iter_mut().zip(q).zip(&self.0) {
                *g = -x / (s * s);
                lp -= 0.5 * x * x / (s * s);
            }
            lp
        }
        fn log_density(&mut self, q: &[f64]) -> f64 {
            let mut g = vec![0.0; q.len()];
            self.log_density_grad(q, &mut g)
        }
    }

    #[test]
    fn leapfrog_nearly_conserves_energy_and_is_reversible() {
        let mut model = Gaussian(vec![1.0, 2.0, 0.5]);
        let inv_metric = [1.0, 4.0, 0.25];
        let mut z = Point::new(3);
        z.data[..6].copy_from_slice(&[0.3, -1.0, 0.2, 0.5, 0.1, -2.0]);
        let (q, grad) = z.q_and_grad();
        z.lp = model.log_density_grad(q, grad);
        let start = z.clone();
        let h0 = hamiltonian(&z, &inv_metric);
        for _ in 0..100 {
            let kinetic = leapfrog(&mut model, &mut z, &inv_metric, 0.05);
            assert_eq!(kinetic - z.lp, hamiltonian(&z, &inv_metric));
        }
        assert!((hamiltonian(&z, &inv_metric) - h0).abs() < 1e-3);
        for _ in 0..100 {
            leapfrog(&mut model, &mut z, &inv_metric, -0.05);
        }
        for i in 0..3 {
            assert!((z.q()[i] - start.q()[i]).abs() < 1e-12);
            assert!((z.p()[i] - start.p()[i]).abs() < 1e-12);
        }
    }

    #[test]
    fn trajectories_stop_at_the_u_turn() {
        // With the exact metric a standard Gaussian's orbit takes 2π time
        // units; at step 0.2 a U-turn comes after about half an orbit.
        let mut model = Gaussian(vec![1.0; 4]);
        let mut rng = Rng::stream(1, 0);
        let mut nuts = Nuts::new(4, 10);
        nuts.step_size = 0.2;
        nuts.set_position(&mut model, &[0.5, -0.5, 1.0, 0.0]);
        let mut leapfrogs = 0;
        for _ in 0..200 {
            let t = nuts.transition(&mut model, &mut rng);
            assert!(!t.divergent);
            assert!(t.depth < 10);
            leapfrogs += t.n_leapfrog;
        }
        let mean = leapfrogs as f64 / 200.0;
        assert!((7.0..=40.0).contains(&mean), "mean leapfrogs {mean}");
    }

    #[test]
    fn an_infinite_density_is_a_divergence_not_a_move() {
        struct Wall;
        impl LogDensity for Wall {
            fn dim(&self) -> usize {
                1
            }
            fn log_density_grad(&mut self, q: &[f64], grad: &mut [f64]) -> f64 {
                grad[0] = -q[0];
                if q[0].abs() > 1.0 {
                    f64::NEG_INFINITY
                } else {
                    -0.5 * q[0] * q[0]
                }
            }
            fn log_density(&mut self, q: &[f64]) -> f64 {
                self.log_density_grad(q, &mut [0.0])
            }
        }
        let mut rng = Rng::stream(2, 0);
        let mut nuts = Nuts::new(1, 10);
        nuts.step_size = 5.0;
        nuts.set_position(&mut Wall, &[0.0]);
        let t = nuts.transition(&mut Wall, &mut rng);
        assert!(t.divergent);
        assert_eq!(nuts.position(), [0.0]);
    }
}
