//! Space-filling initial designs in [0, 1)^d:
//!
//! - an Owen-scrambled Sobol sequence (the default): every 2^m-point prefix
//!   is a (t, m, d)-net, so each dimension and each low-order projection is
//!   stratified at every power of two, and the scrambling makes the design
//!   random (one per seed) while keeping that structure;
//! - a maximin Latin hypercube: the best of a few random ones by smallest
//!   pairwise distance, so each dimension is stratified into n cells and the
//!   points do not clump.

use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_rng::Rng;

/// Which design supplies the first evaluations.
#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// Owen-scrambled Sobol points (default).
    #[default]
    Sobol,
    /// Maximin Latin hypercube.
    Lhs,
}

/// Latin hypercubes drawn; the one with the largest smallest distance wins.
const CANDIDATES: usize = 20;

/// `n` points of `d` coordinates in [0, 1) from `design`, seeded by `rng`.
pub fn points(design: Design, n: usize, d: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
    match design {
        Design::Sobol => sobol(n, d, rng.next_u64() as u32),
        Design::Lhs => latin_hypercube(n, d, rng),
    }
}

/// The first `n` points of the Sobol sequence scrambled by `seed`. The
/// crate's table has 256 dimensions; further ones reuse it under another
/// scramble, stratified within each block of 256 (the tool stops at 50).
pub fn sobol(n: usize, d: usize, seed: u32) -> Vec<Vec<f64>> {
    let dims = sobol_burley::NUM_DIMENSIONS as usize;
    (0..n)
        .map(|i| {
            (0..d)
                .map(|j| {
                    let block = seed.wrapping_add((j / dims) as u32);
                    f64::from(sobol_burley::sample(i as u32, (j % dims) as u32, block))
                })
                .collect()
        })
        .collect()
}

/// `n` points of `d` coordinates in [0, 1).
pub fn latin_hypercube(n: usize, d: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
    let mut best: Option<(f64, Vec<Vec<f64>>)> = None;
    for _ in 0..CANDIDATES {
        let design = one_lhs(n, d, rng);
        let score = min_distance(&design);
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, design));
        }
    }
    best.map(|(_, d)| d).unwrap_or_default()
}

fn one_lhs(n: usize, d: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; d]; n];
    for j in 0..d {
        // A random permutation of the strata (Fisher–Yates), jittered within each.
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let k = (rng.next_u64() % (i as u64 + 1)) as usize;
            strata.swap(i, k);
        }
        for (p, s) in points.iter_mut().zip(strata) {
            p[j] = (s as f64 + rng.uniform()) / n as f64;
        }
    }
    points
}

fn min_distance(points: &[Vec<f64>]) -> f64 {
    let mut min = f64::INFINITY;
    for i in 0..points.len() {
        for j in 0..i {
            let d2: f64 = points[i]
                .iter()
                .zip(&points[j])
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            min = min.min(d2);
        }
    }
    min
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorted indices of the cells of width 1/`cells` that the `j`-th
    /// coordinates fall in.
    fn cells(design: &[Vec<f64>], j: usize, cells: usize) -> Vec<usize> {
        let mut c: Vec<usize> = design
            .iter()
            .map(|p| (p[j] * cells as f64) as usize)
            .collect();
        c.sort_unstable();
        c
    }

    #[test]
    fn sobol_points_are_in_the_unit_box_and_stratified_at_powers_of_two() {
        let design = sobol(32, 6, 7);
        assert!(design.iter().flatten().all(|c| (0.0..1.0).contains(c)));
        for m in [2, 4, 8, 16, 32] {
            for j in 0..6 {
                // One point in each 1/m cell of every dimension.
                assert_eq!(
                    cells(&design[..m], j, m),
                    (0..m).collect::<Vec<_>>(),
                    "m {m} dim {j}"
                );
            }
        }
        // The first two dimensions form a (0, 4, 2)-net: one point in each
        // of the 4×4 squares, and in each of the 2×8 and 8×2 rectangles.
        for (a, b) in [(4, 4), (2, 8), (8, 2)] {
            let mut boxes: Vec<usize> = design[..16]
                .iter()
                .map(|p| (p[0] * a as f64) as usize * b + (p[1] * b as f64) as usize)
                .collect();
            boxes.sort_unstable();
            assert_eq!(boxes, (0..16).collect::<Vec<_>>(), "{a}×{b}");
        }
    }

    #[test]
    fn sobol_designs_differ_by_seed_and_repeat_for_one() {
        assert_eq!(sobol(10, 3, 1), sobol(10, 3, 1));
        assert_ne!(sobol(10, 3, 1), sobol(10, 3, 2));
        // Beyond the crate's table, the extra dimensions are still in the box
        // and differ from the first ones.
        let wide = sobol(4, 300, 5);
        assert!(wide.iter().flatten().all(|c| (0.0..1.0).contains(c)));
        assert_ne!(wide[1][0], wide[1][256]);
    }

    #[test]
    fn every_stratum_of_every_dimension_holds_exactly_one_point() {
        let mut rng = Rng::stream(9, 0);
        let design = latin_hypercube(10, 3, &mut rng);
        assert_eq!(design.len(), 10);
        for j in 0..3 {
            assert_eq!(cells(&design, j, 10), (0..10).collect::<Vec<_>>());
        }
    }
}
