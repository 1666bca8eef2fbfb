//! Space-filling initial design: a maximin Latin hypercube, the best of a
//! few random ones by smallest pairwise distance, so each dimension is
//! stratified and the points do not clump.

use toolhost_rng::Rng;

const CANDIDATES: usize = 20;

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

    #[test]
    fn every_stratum_of_every_dimension_holds_exactly_one_point() {
        let mut rng = Rng::stream(9, 0);
        let design = latin_hypercube(10, 3, &mut rng);
        assert_eq!(design.len(), 10);
        for j in 0..3 {
            let mut cells: Vec<usize> = design.iter().map(|p| (p[j] * 10.0) as usize).collect();
            cells.sort_unstable();
            assert_eq!(cells, (0..10).collect::<Vec<_>>());
        }
    }
}
