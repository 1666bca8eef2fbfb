//! Ask/tell: from observations (encoded points and values to minimise) to
//! the next points, and the full loop for an objective evaluated here.
//!
//! The acquisition is searched in the trust region around the best point
//! ([`trust`](crate::trust)) unless the settings turn it off. A batch of
//! q > 1 is chosen by the kriging believer: after each choice the GP is
//! conditioned on its own mean there (hyperparameters kept), so the next
//! choice looks elsewhere.

use crate::acquisition::{Acquisition, Kind};
use crate::design::{self, Design};
use crate::gp::{self, Gp};
use crate::optimize;
use crate::space::Space;
use crate::trust::{self, Region};
use toolhost_rng::Rng;

/// Random hyperparameter starts besides the default and the previous fit:
/// under the length-scale prior the posterior has few modes, and a second
/// random start changed no benchmark's median regret while costing a
/// quarter of the fitting time.
const RANDOM_STARTS: usize = 1;
/// Incumbents whose neighbourhoods the acquisition pool samples.
const INCUMBENTS: usize = 3;

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub design: Design,
    /// Search the acquisition in the trust region (else the whole box).
    pub trust_region: bool,
    pub acquisition: Kind,
    pub xi: f64,
    pub kappa: f64,
}

/// A GP fitted to standardised values, and the standardisation.
#[derive(Debug, Clone)]
pub struct Model {
    pub gp: Gp,
    pub y_mean: f64,
    pub y_sd: f64,
}

impl Model {
    /// Fits hyperparameters (default start, `warm` if given, random starts)
    /// and conditions on the data.
    pub fn fit(x: &[Vec<f64>], y: &[f64], warm: Option<&[f64]>, rng: &mut Rng) -> Model {
        let n = y.len() as f64;
        let y_mean = y.iter().sum::<f64>() / n;
        let var = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum::<f64>() / n;
        let y_sd = if var.sqrt() > 1e-12 * (1.0 + y_mean.abs()) {
            var.sqrt()
        } else {
            1.0
        };
        let ys: Vec<f64> = y.iter().map(|v| (v - y_mean) / y_sd).collect();
        let d = x[0].len();
        let mut starts = vec![gp::default_theta(d)];
        starts.extend(warm.map(<[f64]>::to_vec));
        for _ in 0..RANDOM_STARTS {
            let mut t: Vec<f64> = (0..d)
                .map(|_| libm::log(0.05) + rng.uniform() * libm::log(40.0))
                .collect();
            t.push(libm::log(0.3) + rng.uniform() * libm::log(10.0));
            t.push(libm::log(1e-6) + rng.uniform() * libm::log(1e4));
            starts.push(t);
        }
        let theta = gp::fit_hyperparameters(x, &ys, &starts);
        let gp = Gp::new(x, &ys, &theta)
            .or_else(|| Gp::new(x, &ys, &gp::default_theta(d)))
            .expect("the default hyperparameters give a positive definite K with jitter");
        Model { gp, y_mean, y_sd }
    }

    /// Mean and sd of the objective (in the minimised sign) at encoded `u`.
    pub fn predict(&self, u: &[f64]) -> (f64, f64) {
        let (m, s) = self.gp.predict(u);
        (self.y_mean + self.y_sd * m, self.y_sd * s)
    }
}

/// The region the acquisition is searched in after observations `x`
/// (encoded) with values `y`, the first `n_initial` from the design.
pub fn search_region(
    space: &Space,
    model: &Model,
    x: &[Vec<f64>],
    y: &[f64],
    n_initial: usize,
    settings: &Settings,
) -> Region {
    let d = space.encoded_len();
    let best = (0..y.len()).min_by(|a, b| y[*a].total_cmp(&y[*b]));
    match best {
        Some(best) if settings.trust_region => {
            let lengthscales: Vec<f64> =
                model.gp.theta[..d].iter().map(|t| libm::exp(*t)).collect();
            let side = trust::side(y, n_initial);
            Region::around(&x[best], &lengthscales, side, &space.ordered_coordinates())
        }
        _ => Region::unit(d),
    }
}

/// The next `q` encoded points after observations `x` (encoded) with
/// values `y` (to minimise), the first `n_initial` from the design; fewer
/// only when the space runs out of unseen points. `x` must not be empty.
#[allow(clippy::too_many_arguments)]
pub fn suggest(
    space: &Space,
    model: &Model,
    x: &[Vec<f64>],
    y: &[f64],
    n_initial: usize,
    q: usize,
    settings: &Settings,
    rng: &mut Rng,
) -> Vec<Vec<f64>> {
    let region = search_region(space, model, x, y, n_initial, settings);
    let best = y.iter().copied().fold(f64::INFINITY, f64::min);
    let mut acq = Acquisition {
        kind: settings.acquisition,
        best: (best - model.y_mean) / model.y_sd,
        xi: settings.xi / model.y_sd,
        kappa: settings.kappa,
    };
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_by(|a, b| y[*a].total_cmp(&y[*b]));
    let incumbents: Vec<Vec<f64>> = order
        .iter()
        .take(INCUMBENTS)
        .map(|&i| x[i].clone())
        .collect();
    let mut taken = x.to_vec();
    let mut gp = model.gp.clone();
    let mut chosen = Vec::new();
    for k in 0..q {
        // A region of a discrete space can run out of unseen points long
        // before the space does: then the whole box is searched.
        let Some(u) = optimize::argmin(&gp, &acq, space, &region, &incumbents, &taken, rng)
            .or_else(|| {
                let unit = Region::unit(region.lo.len());
                (region != unit)
                    .then(|| optimize::argmin(&gp, &acq, space, &unit, &incumbents, &taken, rng))
                    .flatten()
            })
        else {
            break;
        };
        if k + 1 < q {
            // Kriging believer: pretend the mean was observed there.
            let (m, _) = gp.predict(&u);
            acq.best = acq.best.min(m);
            if let Some(next) = gp.with_point(&u, m) {
                gp = next;
            }
        }
        taken.push(u.clone());
        chosen.push(u);
    }
    chosen
}

/// The seeded initial design, as values of the space.
pub fn initial_design(space: &Space, design: Design, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Rng::stream(seed, 0);
    design::points(design, n, space.dims.len(), &mut rng)
        .iter()
        .map(|u| space.from_unit(u))
        .collect()
}

/// One evaluation of the loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Values of the space.
    pub values: Vec<f64>,
    /// The objective in the minimised sign.
    pub y: f64,
    /// Chosen by the model (false: by the initial design).
    pub from_model: bool,
}

pub struct Run {
    pub history: Vec<Evaluation>,
    pub best: usize,
    /// The final model's mean and sd at the best point (minimised sign).
    pub prediction_at_best: (f64, f64),
}

/// Minimises `objective` (given values of the space) with `n_calls`
/// evaluations, the first `n_initial` from the design. `report` sees each
/// evaluation with the best value so far.
pub fn run<E>(
    space: &Space,
    objective: &mut impl FnMut(&[f64]) -> Result<f64, E>,
    n_calls: usize,
    n_initial: usize,
    seed: u64,
    settings: &Settings,
    report: &mut impl FnMut(usize, &Evaluation, f64),
) -> Result<Run, E> {
    let design = initial_design(space, settings.design, n_initial, seed);
    let mut rng = Rng::stream(seed, 1);
    let mut history: Vec<Evaluation> = Vec::with_capacity(n_calls);
    let mut encoded: Vec<Vec<f64>> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    let mut warm: Option<Vec<f64>> = None;
    let mut model = None;
    for i in 0..n_calls {
        let (values, from_model) = if i < design.len() {
            (design[i].clone(), false)
        } else {
            let m = Model::fit(&encoded, &ys, warm.as_deref(), &mut rng);
            warm = Some(m.gp.theta.clone());
            let next = suggest(space, &m, &encoded, &ys, n_initial, 1, settings, &mut rng);
            model = Some(m);
            match next.into_iter().next() {
                Some(u) => (space.decode(&u), true),
                // Every point of a small discrete space has been evaluated.
                None => break,
            }
        };
        let y = objective(&values)?;
        encoded.push(space.encode(&values));
        ys.push(y);
        history.push(Evaluation {
            values,
            y,
            from_model,
        });
        let best = ys.iter().copied().fold(f64::INFINITY, f64::min);
        report(i, &history[i], best);
    }
    let best = (0..ys.len())
        .min_by(|a, b| ys[*a].total_cmp(&ys[*b]))
        .unwrap_or(0);
    // The final model sees every evaluation, including the last.
    let model = if ys.len() >= 2 {
        Model::fit(&encoded, &ys, warm.as_deref(), &mut rng)
    } else {
        model.unwrap_or_else(|| Model::fit(&encoded, &ys, None, &mut rng))
    };
    let prediction_at_best = model.predict(&encoded[best]);
    Ok(Run {
        history,
        best,
        prediction_at_best,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Dim;

    fn square() -> Space {
        Space {
            names: vec!["a".into(), "b".into()],
            dims: vec![
                Dim::Real {
                    low: -1.0,
                    high: 1.0,
                },
                Dim::Real {
                    low: -1.0,
                    high: 1.0,
                },
            ],
        }
    }

    const EI: Settings = Settings {
        design: Design::Sobol,
        trust_region: true,
        acquisition: Kind::Ei,
        xi: 0.01,
        kappa: 1.96,
    };

    #[test]
    fn a_batch_has_distinct_points_inside_the_box() {
        let space = square();
        let values = initial_design(&space, Design::Lhs, 8, 3);
        let x: Vec<Vec<f64>> = values.iter().map(|v| space.encode(v)).collect();
        let y: Vec<f64> = values.iter().map(|v| v[0] * v[0] + v[1] * v[1]).collect();
        let mut rng = Rng::stream(3, 1);
        let model = Model::fit(&x, &y, None, &mut rng);
        let next = suggest(&space, &model, &x, &y, 8, 4, &EI, &mut rng);
        assert_eq!(next.len(), 4);
        for (i, u) in next.iter().enumerate() {
            assert!(u.iter().all(|c| (0.0..=1.0).contains(c)));
            for v in &next[..i] {
                assert!(
                    u.iter().zip(v).any(|(a, b)| (a - b).abs() > 1e-6),
                    "duplicate in batch"
                );
            }
        }
    }

    #[test]
    fn a_trust_region_full_of_evaluated_points_does_not_end_the_run() {
        // Around the optimum every integer soon has been evaluated, while
        // most of the range has not.
        let space = Space {
            names: vec!["k".into()],
            dims: vec![Dim::Integer { low: 0, high: 40 }],
        };
        let mut f = |v: &[f64]| Ok::<f64, ()>((v[0] - 17.0).abs());
        let run = run(&space, &mut f, 25, 5, 2, &EI, &mut |_, _, _| {}).unwrap();
        assert_eq!(run.history.len(), 25);
        let mut seen: Vec<f64> = run.history.iter().map(|e| e.values[0]).collect();
        seen.sort_by(f64::total_cmp);
        seen.dedup();
        assert_eq!(seen.len(), 25, "a point was evaluated twice");
        assert_eq!(run.history[run.best].values, vec![17.0]);
    }

    #[test]
    fn an_exhausted_discrete_space_stops_early() {
        let space = Space {
            names: vec!["k".into()],
            dims: vec![Dim::Integer { low: 0, high: 2 }],
        };
        let mut f = |v: &[f64]| Ok::<f64, ()>((v[0] - 1.0).abs());
        let run = run(&space, &mut f, 10, 2, 1, &EI, &mut |_, _, _| {}).unwrap();
        assert_eq!(run.history.len(), 3);
        assert_eq!(run.history[run.best].values, vec![1.0]);
    }
}
