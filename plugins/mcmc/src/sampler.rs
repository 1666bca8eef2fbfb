//! Running the chains: a finite starting point, warm-up with adaptation,
//! then the kept draws and their per-transition statistics.
//!
//! Chains run one after the other (a component has one thread); chain `c`
//! draws every random number from its own stream, so its result does not
//! depend on how many chains run or in which order. For the ensemble
//! sampler a "chain" of the settings is one ensemble, run on its own
//! stream, and each of its walkers is reported as a chain of the run: the
//! diagnostics treat walkers as chains, as ArviZ does for emcee.

use crate::adapt::{
    CovarianceEstimator, DualAveraging, ScaleAdaptation, VarianceEstimator, Windows,
};
use crate::ensemble::{self, Ensemble};
use crate::metropolis::{self, Metropolis};
use crate::model::LogDensity;
use crate::nuts::Nuts;
use toolhost_rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Algorithm {
    Nuts {
        max_depth: usize,
        /// The acceptance statistic step-size adaptation aims at.
        target_accept: f64,
        /// Halve `1 - target_accept` (up to 0.99) after every warm-up
        /// window in which a trajectory diverged.
        raise_on_divergence: bool,
    },
    Metropolis,
    /// The affine-invariant stretch move over `walkers` walkers per
    /// ensemble.
    Ensemble {
        walkers: usize,
    },
}

impl Algorithm {
    /// How many reported chains (walkers, for an ensemble) one chain of the
    /// settings makes.
    pub fn chains_per_run(&self) -> usize {
        match *self {
            Algorithm::Ensemble { walkers } => walkers,
            _ => 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub chains: usize,
    pub warmup: usize,
    pub draws: usize,
    pub seed: u64,
    pub algorithm: Algorithm,
}

/// Where chains start: fills an unconstrained point, drawing from `Rng`
/// for whatever the user did not fix.
pub trait Init {
    fn fill(&self, rng: &mut Rng, q: &mut [f64]);

    /// How many points to try before giving up: 1 when nothing is random.
    fn attempts(&self) -> usize;
}

/// One chain's kept draws and statistics.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    /// Draws on the parameters' own scale, row-major: `draws x dim`.
    pub draws: Vec<f64>,
    pub accept_stat: Vec<f64>,
    pub divergent: Vec<bool>,
    /// NUTS only: completed doublings and leapfrog steps per transition.
    pub depth: Vec<u32>,
    pub n_leapfrog: Vec<u32>,
    /// NUTS only: the Hamiltonian after each transition.
    pub energy: Vec<f64>,
    /// NUTS step size, Metropolis proposal scale after warm-up, or the
    /// ensemble's stretch scale.
    pub step_size: f64,
    /// The acceptance target step-size adaptation ended with.
    pub target_accept: f64,
    pub warmup_divergences: usize,
}

#[derive(Clone, Debug)]
pub struct Run {
    pub dim: usize,
    pub draws: usize,
    pub chains: Vec<Chain>,
}

impl Run {
    /// The draws of parameter `i`, one slice per chain.
    pub fn parameter(&self, i: usize) -> Vec<Vec<f64>> {
        self.chains
            .iter()
            .map(|c| c.draws.iter().skip(i).step_by(self.dim).copied().collect())
            .collect()
    }
}

/// No starting point with a finite density (and gradient) was found.
#[derive(Clone, Debug, PartialEq)]
pub struct InitFailure {
    pub chain: usize,
    pub attempts: usize,
    /// The last point tried, unconstrained.
    pub q: Vec<f64>,
    pub lp: f64,
    /// The first coordinate whose gradient was not finite.
    pub bad_gradient: Option<usize>,
}

/// Counts iterations across chains and reports about every 1%.
struct Progress<'a> {
    done: u64,
    total: u64,
    next: u64,
    report: &'a mut dyn FnMut(u64, u64),
}

impl Progress<'_> {
    fn tick(&mut self) {
        self.done += 1;
        if self.done >= self.next {
            (self.report)(self.done, self.total);
            self.next = self.done + (self.total / 100).max(1);
        }
    }
}

pub fn run<M: LogDensity>(
    model: &mut M,
    settings: &Settings,
    init: &dyn Init,
    report: &mut dyn FnMut(u64, u64),
) -> Result<Run, InitFailure> {
    let dim = model.dim();
    let per_chain = (settings.warmup + settings.draws) as u64;
    let mut progress = Progress {
        done: 0,
        total: per_chain * settings.chains as u64,
        next: 1,
        report,
    };
    let mut chains = Vec::with_capacity(settings.chains * settings.algorithm.chains_per_run());
    for c in 0..settings.chains {
        let mut rng = Rng::stream(settings.seed, c);
        if let Algorithm::Ensemble { walkers } = settings.algorithm {
            let mut start = Vec::with_capacity(walkers * dim);
            for _ in 0..walkers {
                start.extend(find_start(model, &mut rng, init, false, c)?);
            }
            spread_fixed_coordinates(model, &mut rng, &mut start);
            chains.extend(run_ensemble(
                model,
                &mut rng,
                start,
                settings,
                &mut progress,
            ));
            continue;
        }
        let needs_gradient = matches!(settings.algorithm, Algorithm::Nuts { .. });
        let q0 = find_start(model, &mut rng, init, needs_gradient, c)?;
        let mut chain = Chain {
            draws: vec![0.0; settings.draws * dim],
            ..Chain::default()
        };
        match settings.algorithm {
            Algorithm::Nuts {
                max_depth,
                target_accept,
                raise_on_divergence,
            } => run_nuts(
                model,
                &mut rng,
                &q0,
                settings,
                Target {
                    max_depth,
                    accept: target_accept,
                    raise: raise_on_divergence,
                },
                &mut chain,
                &mut progress,
            ),
            Algorithm::Metropolis => {
                run_metropolis(model, &mut rng, &q0, settings, &mut chain, &mut progress)
            }
            Algorithm::Ensemble { .. } => unreachable!("ensembles run above"),
        }
        chains.push(chain);
    }
    Ok(Run {
        dim,
        draws: settings.draws,
        chains,
    })
}

fn find_start<M: LogDensity>(
    model: &mut M,
    rng: &mut Rng,
    init: &dyn Init,
    needs_gradient: bool,
    chain: usize,
) -> Result<Vec<f64>, InitFailure> {
    let dim = model.dim();
    let mut q = vec![0.0; dim];
    let mut grad = vec![0.0; dim];
    let attempts = init.attempts().max(1);
    let mut failure = None;
    for _ in 0..attempts {
        init.fill(rng, &mut q);
        let lp = if needs_gradient {
            model.log_density_grad(&q, &mut grad)
        } else {
            model.log_density(&q)
        };
        let bad_gradient = if needs_gradient {
            grad.iter().position(|g| !g.is_finite())
        } else {
            None
        };
        if lp.is_finite() && bad_gradient.is_none() {
            return Ok(q);
        }
        failure = Some((lp, bad_gradient));
    }
    let (lp, bad_gradient) = failure.unwrap_or((f64::NAN, None));
    Err(InitFailure {
        chain,
        attempts,
        q,
        lp,
        bad_gradient,
    })
}

/// The most cautious acceptance target divergences can push NUTS to.
pub const MAX_RAISED_TARGET: f64 = 0.99;
/// Divergences at steps up to this multiple of the settled step count as
/// the density's, not as the exploration of dual averaging.
const RAISE_MARGIN: f64 = 1.5;

struct Target {
    max_depth: usize,
    accept: f64,
    raise: bool,
}

fn run_nuts<M: LogDensity>(
    model: &mut M,
    rng: &mut Rng,
    q0: &[f64],
    settings: &Settings,
    target: Target,
    chain: &mut Chain,
    progress: &mut Progress,
) {
    let dim = q0.len();
    let mut nuts = Nuts::new(dim, target.max_depth);
    nuts.set_position(model, q0);
    nuts.init_step_size(model, rng);
    let mut accept = target.accept;
    let mut step = DualAveraging::new(accept, nuts.step_size);
    let mut windows = Windows::new(settings.warmup);
    let mut variance = VarianceEstimator::new(dim);
    let mut metric = vec![1.0; dim];
    // The smallest step at which a trajectory diverged in this window.
    let mut diverged_at = f64::INFINITY;
    for _ in 0..settings.warmup {
        let used = nuts.step_size;
        let t = nuts.transition(model, rng);
        chain.warmup_divergences += usize::from(t.divergent);
        nuts.step_size = step.update(t.accept_stat);
        let w = windows.step();
        if w.collect {
            variance.add(nuts.position());
            if t.divergent {
                diverged_at = diverged_at.min(used);
            }
        }
        if w.close {
            // Dual averaging tries steps well above the one it settles on,
            // and those diverge even on a Gaussian, beyond the leapfrog's
            // stability limit (about twice the settled step). A divergence
            // close to the settled step means some region needs smaller
            // steps than the target gives: aim for a higher acceptance.
            if target.raise
                && diverged_at <= RAISE_MARGIN * step.final_step()
                && accept < MAX_RAISED_TARGET
            {
                accept = (1.0 - (1.0 - accept) / 4.0).min(MAX_RAISED_TARGET);
                step.set_target(accept);
            }
            diverged_at = f64::INFINITY;
            variance.take_regularized(&mut metric);
            nuts.set_inv_metric(&metric);
            nuts.init_step_size(model, rng);
            step.restart(nuts.step_size);
        }
        progress.tick();
    }
    chain.target_accept = accept;
    if settings.warmup > 0 {
        nuts.step_size = step.final_step();
    }
    chain.step_size = nuts.step_size;
    let n = settings.draws;
    chain.accept_stat.reserve(n);
    chain.divergent.reserve(n);
    chain.depth.reserve(n);
    chain.n_leapfrog.reserve(n);
    chain.energy.reserve(n);
    for row in chain.draws.chunks_exact_mut(dim.max(1)).take(n) {
        let t = nuts.transition(model, rng);
        model.constrain(nuts.position(), row);
        chain.accept_stat.push(t.accept_stat);
        chain.divergent.push(t.divergent);
        chain.depth.push(t.depth as u32);
        chain.n_leapfrog.push(t.n_leapfrog as u32);
        chain.energy.push(t.energy);
        progress.tick();
    }
}

fn run_metropolis<M: LogDensity>(
    model: &mut M,
    rng: &mut Rng,
    q0: &[f64],
    settings: &Settings,
    chain: &mut Chain,
    progress: &mut Progress,
) {
    let dim = q0.len();
    let mut rwm = Metropolis::new(dim);
    rwm.set_position(model, q0);
    let target = metropolis::target_acceptance(dim);
    let mut scale = ScaleAdaptation::new(target, rwm.scale);
    let mut windows = Windows::with_final_phase(settings.warmup, settings.warmup / 5);
    let mut covariance = CovarianceEstimator::new(dim);
    let mut cov = vec![0.0; dim * dim];
    for _ in 0..settings.warmup {
        let s = rwm.step(model, rng);
        rwm.scale = scale.update(s.accept_prob);
        let w = windows.step();
        if w.collect {
            covariance.add(rwm.position());
        }
        if w.close {
            covariance.take_regularized(&mut cov);
            rwm.set_covariance(&cov);
            rwm.scale = metropolis::default_scale(dim);
            scale.restart(rwm.scale);
        }
        progress.tick();
    }
    if settings.warmup > 0 {
        rwm.scale = scale.final_scale();
    }
    chain.step_size = rwm.scale;
    chain.target_accept = target;
    chain.accept_stat.reserve(settings.draws);
    for row in chain
        .draws
        .chunks_exact_mut(dim.max(1))
        .take(settings.draws)
    {
        let s = rwm.step(model, rng);
        model.constrain(rwm.position(), row);
        chain.accept_stat.push(s.accept_prob);
        chain.divergent.push(false);
        progress.tick();
    }
}

/// Walkers never leave the span of where they started, so a coordinate
/// every walker starts at (a value the user fixed with `init`) is spread
/// into a small ball around it, as emcee's guide advises.
fn spread_fixed_coordinates<M: LogDensity>(model: &mut M, rng: &mut Rng, start: &mut [f64]) {
    let dim = model.dim();
    if dim == 0 {
        return;
    }
    let walkers = start.len() / dim;
    let fixed: Vec<usize> = (0..dim)
        .filter(|&i| (1..walkers).all(|k| start[k * dim + i] == start[i]))
        .collect();
    if fixed.is_empty() || walkers < 2 {
        return;
    }
    let mut trial = vec![0.0; dim];
    for k in 1..walkers {
        let walker = &mut start[k * dim..(k + 1) * dim];
        let mut radius = 1e-3;
        // A smaller ball where the density ends close by (a bound).
        for _ in 0..20 {
            trial.copy_from_slice(walker);
            for &i in &fixed {
                trial[i] += radius * (1.0 + trial[i].abs()) * rng.normal();
            }
            if model.log_density(&trial).is_finite() {
                walker.copy_from_slice(&trial);
                break;
            }
            radius /= 4.0;
        }
    }
}

/// Runs one ensemble from `start` (`walkers x dim`, finite densities) and
/// returns one chain per walker.
fn run_ensemble<M: LogDensity>(
    model: &mut M,
    rng: &mut Rng,
    start: Vec<f64>,
    settings: &Settings,
    progress: &mut Progress,
) -> Vec<Chain> {
    let dim = model.dim();
    let mut ensemble = Ensemble::new(model, start);
    let walkers = ensemble.walkers();
    let mut accept = vec![0.0; walkers];
    // Warm-up is burn-in: the stretch move has nothing to adapt.
    for _ in 0..settings.warmup {
        ensemble.sweep(model, rng, &mut accept);
        progress.tick();
    }
    let mut chains: Vec<Chain> = (0..walkers)
        .map(|_| Chain {
            draws: vec![0.0; settings.draws * dim],
            accept_stat: Vec::with_capacity(settings.draws),
            divergent: vec![false; settings.draws],
            step_size: ensemble::STRETCH_SCALE,
            target_accept: f64::NAN,
            ..Chain::default()
        })
        .collect();
    for t in 0..settings.draws {
        ensemble.sweep(model, rng, &mut accept);
        for (k, chain) in chains.iter_mut().enumerate() {
            model.constrain(
                ensemble.position(k),
                &mut chain.draws[t * dim..(t + 1) * dim],
            );
            chain.accept_stat.push(accept[k]);
        }
        progress.tick();
    }
    chains
}
