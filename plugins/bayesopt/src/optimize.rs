//! Minimising the acquisition loss over a region of the space (the trust
//! region, or the whole box): score a random pool of points of the region
//! (plus jitters of the best observations), then run bounded L-BFGS on the
//! relaxed encoding from the best few, snap the results to the space and
//! keep the best point not already taken.

use crate::acquisition::Acquisition;
use crate::gp::Gp;
use crate::lbfgs;
use crate::space::Space;
use crate::trust::Region;
use toolhost_rng::Rng;

/// Random points of the region scored per choice: enough to land in the
/// basin of the best local optimum for the box dimensions this tool is
/// meant for. Inside the trust region 1000 do as well as 2000 did over the
/// whole box, at half the scoring time.
const POOL: usize = 1000;
/// Gaussian jitters (sd 0.05 or 0.005 of the box) around each incumbent.
const LOCAL: usize = 100;
/// L-BFGS starts taken from the best of the pool.
const STARTS: usize = 6;
const MAX_ITER: usize = 100;

/// Points of the encoded box closer than this are the same point.
const SAME: f64 = 1e-9;

pub fn loss_at(gp: &Gp, acq: &Acquisition, u: &[f64]) -> f64 {
    let (m, s) = gp.predict(u);
    acq.loss(m, s).0
}

fn is_taken(u: &[f64], taken: &[Vec<f64>]) -> bool {
    taken
        .iter()
        .any(|t| t.iter().zip(u).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() < SAME * SAME)
}

/// The encoded point of the space (snapped) with the lowest loss among the
/// candidates in `region` that are not in `taken`; `incumbents` are the
/// best observed encoded points. None only when every candidate is taken
/// (a tiny discrete space that has been exhausted).
pub fn argmin(
    gp: &Gp,
    acq: &Acquisition,
    space: &Space,
    region: &Region,
    incumbents: &[Vec<f64>],
    taken: &[Vec<f64>],
    rng: &mut Rng,
) -> Option<Vec<f64>> {
    let (lo, hi) = (&region.lo, &region.hi);
    let mut pool: Vec<Vec<f64>> = Vec::with_capacity(POOL + LOCAL * incumbents.len());
    for _ in 0..POOL {
        let u: Vec<f64> = lo
            .iter()
            .zip(hi)
            .map(|(a, b)| a + (b - a) * rng.uniform())
            .collect();
        pool.push(space.snap(&u));
    }
    for inc in incumbents {
        for _ in 0..LOCAL {
            // Half wide (explore the basin), half narrow (polish the optimum).
            let scale = if pool.len().is_multiple_of(2) {
                0.05
            } else {
                0.005
            };
            let u: Vec<f64> = inc
                .iter()
                .zip(lo.iter().zip(hi))
                .map(|(v, (a, b))| (v + scale * rng.normal()).clamp(*a, *b))
                .collect();
            pool.push(space.snap(&u));
        }
    }
    let mut scored: Vec<(f64, Vec<f64>)> = pool
        .into_iter()
        .map(|u| (loss_at(gp, acq, &u), u))
        .filter(|(l, _)| l.is_finite())
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));

    let dim = lo.len();
    let mut dmean = vec![0.0; dim];
    let mut dsd = vec![0.0; dim];
    let mut f = |u: &[f64], g: &mut [f64]| {
        let (m, s) = gp.predict_with_gradient(u, &mut dmean, &mut dsd);
        let (loss, lm, ls) = acq.loss(m, s);
        for j in 0..g.len() {
            g[j] = lm * dmean[j] + ls * dsd[j];
        }
        loss
    };
    let mut refined: Vec<(f64, Vec<f64>)> = Vec::new();
    for (_, start) in scored
        .iter()
        .filter(|(_, u)| !is_taken(u, taken))
        .take(STARTS)
    {
        let (u, _) = lbfgs::minimize(&mut f, start, lo, hi, MAX_ITER);
        let snapped = space.snap(&u);
        refined.push((loss_at(gp, acq, &snapped), snapped));
    }
    refined.extend(scored);
    refined.sort_by(|a, b| a.0.total_cmp(&b.0));
    refined
        .into_iter()
        .map(|(_, u)| u)
        .find(|u| !is_taken(u, taken))
}
