//! Rank normalisation: the pooled draws' order and the normal scores of
//! their ranks, ties sharing their average rank.

use crate::normal;

use super::draws::flatten;

/// Indices of `values` in increasing order (NaN last).
pub(super) fn order_of(values: &[f64]) -> Vec<u32> {
    // Sorting integer keys beside their indices keeps the comparisons
    // branch-light and the memory access sequential.
    let mut keyed: Vec<(u64, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let bits = x.to_bits();
            // The IEEE total order as an unsigned integer order.
            let key = if bits >> 63 == 1 {
                !bits
            } else {
                bits | (1 << 63)
            };
            (key, i as u32)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Normal scores of the pooled ranks, ties sharing their average rank:
/// Φ⁻¹((r - 3/8) / (S + 1/4)), where `order` lists `values` in increasing
/// order (with equal values adjacent).
pub(super) fn normal_scores(values: &[f64], order: &[u32]) -> Vec<f64> {
    let total = order.len();
    let mut z = vec![0.0; total];
    let mut start = 0;
    while start < total {
        let v = values[order[start] as usize];
        let mut end = start + 1;
        while end < total && values[order[end] as usize] == v {
            end += 1;
        }
        // 1-based ranks start + 1 ..= end share their average.
        let rank = (start + 1 + end) as f64 / 2.0;
        let score = if v.is_nan() {
            f64::NAN
        } else {
            normal::quantile((rank - 0.375) / (total as f64 + 0.25))
        };
        for &i in &order[start..end] {
            z[i as usize] = score;
        }
        start = end;
    }
    z
}

/// Replaces every draw by the normal score of its pooled rank.
pub fn rank_normalize(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let flat = flatten(chains);
    let z = normal_scores(&flat, &order_of(&flat));
    let n = chains.first().map_or(0, Vec::len);
    z.chunks(n.max(1)).map(<[f64]>::to_vec).collect()
}
