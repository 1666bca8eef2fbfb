//! Summary statistics over numbers without missing values.

/// Mean and sample standard deviation (n - 1 in the denominator; `None`
/// with fewer than two values), by two passes for accuracy.
pub fn mean_sd(values: &[f64]) -> (Option<f64>, Option<f64>) {
    if values.is_empty() {
        return (None, None);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (Some(mean), None);
    }
    let m2: f64 = values.iter().map(|&x| (x - mean) * (x - mean)).sum();
    (Some(mean), Some((m2 / (n - 1.0)).sqrt()))
}

/// The quantiles `qs` (ascending, in [0, 1]) of `values` by linear
/// interpolation between order statistics, numpy's default: position
/// q·(n−1). May reorder `values`.
pub fn quantiles(values: &mut [f64], qs: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return vec![f64::NAN; qs.len()];
    }
    // Each quantile needs the order statistics at floor(pos) and, when it
    // falls between two, the next one.
    let mut ranks: Vec<usize> = Vec::with_capacity(2 * qs.len());
    let spots: Vec<(usize, f64)> = qs
        .iter()
        .map(|&q| {
            let pos = q * (n - 1) as f64;
            let lo = (pos.floor() as usize).min(n - 1);
            let frac = pos - lo as f64;
            ranks.push(lo);
            if frac > 0.0 && lo + 1 < n {
                ranks.push(lo + 1);
            }
            (lo, frac)
        })
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    let stats = if n < RADIX_MIN {
        order_statistics_by_selection(values, &ranks)
    } else {
        order_statistics_by_radix(values, &ranks)
    };
    let at = |r: usize| stats[ranks.binary_search(&r).unwrap_or(0)];
    spots
        .iter()
        .map(|&(lo, frac)| {
            let a = at(lo);
            if frac > 0.0 && lo + 1 < n {
                a + (at(lo + 1) - a) * frac
            } else {
                a
            }
        })
        .collect()
}

/// Below this many values plain selection is as fast as anything.
const RADIX_MIN: usize = 1 << 14;

/// The values at `ranks` (ascending) in sorted order, by successive
/// selections each over what lies above the previous one.
fn order_statistics_by_selection(values: &mut [f64], ranks: &[usize]) -> Vec<f64> {
    let mut base = 0;
    ranks
        .iter()
        .map(|&r| {
            values[base..].select_nth_unstable_by(r - base, f64::total_cmp);
            base = r + 1;
            values[r]
        })
        .collect()
}

/// An order-preserving map of a number (not NaN) to an integer.
#[inline(always)]
fn sort_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The values at `ranks` (ascending) in sorted order, in two passes: count
/// the values per bucket of the top 16 bits of their sort key, then gather
/// only the buckets that hold a wanted rank and select within them. Much
/// less work than selecting over all values once per rank.
fn order_statistics_by_radix(values: &[f64], ranks: &[usize]) -> Vec<f64> {
    const SHIFT: u32 = 48;
    let mut counts = vec![0u32; 1 << 16];
    for &v in values {
        counts[(sort_key(v) >> SHIFT) as usize] += 1;
    }
    // Each rank's bucket and its rank within the bucket.
    let mut wanted: Vec<(usize, usize)> = Vec::with_capacity(ranks.len());
    let mut below = 0usize;
    let mut next = 0;
    for (bucket, &c) in counts.iter().enumerate() {
        let c = c as usize;
        while next < ranks.len() && ranks[next] < below + c {
            wanted.push((bucket, ranks[next] - below));
            next += 1;
        }
        below += c;
    }
    let mut slot = vec![u8::MAX; 1 << 16];
    let mut buckets: Vec<Vec<f64>> = Vec::new();
    for &(bucket, _) in &wanted {
        if slot[bucket] == u8::MAX {
            slot[bucket] = buckets.len() as u8;
            buckets.push(Vec::with_capacity(counts[bucket] as usize));
        }
    }
    for &v in values {
        let s = slot[(sort_key(v) >> SHIFT) as usize];
        if s != u8::MAX {
            buckets[s as usize].push(v);
        }
    }
    wanted
        .iter()
        .map(|&(bucket, r)| {
            let b = &mut buckets[slot[bucket] as usize];
            *b.select_nth_unstable_by(r, f64::total_cmp).1
        })
        .collect()
}

/// The median, reordering `values`.
pub fn median(values: &mut [f64]) -> Option<f64> {
    (!values.is_empty()).then(|| quantiles(values, &[0.5])[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_like_numpy() {
        // numpy.quantile([1, 2, 3, 4], [.25, .5, .75]) == [1.75, 2.5, 3.25]
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantiles(&mut v, &[0.25, 0.5, 0.75]), vec![1.75, 2.5, 3.25]);
        let mut v = vec![7.0];
        assert_eq!(quantiles(&mut v, &[0.0, 0.5, 1.0]), vec![7.0, 7.0, 7.0]);
        let mut v = vec![5.0, 1.0, 3.0];
        assert_eq!(
            quantiles(&mut v, &[0.0, 0.5, 0.5, 1.0]),
            vec![1.0, 3.0, 3.0, 5.0]
        );
    }

    #[test]
    fn radix_and_selection_agree_with_a_full_sort() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for n in [RADIX_MIN, RADIX_MIN + 7, 100_000] {
            // Mixed signs and magnitudes, many ties, zeros of both signs.
            let values: Vec<f64> = (0..n)
                .map(|i| match next() % 4 {
                    0 => (next() % 50) as f64 - 25.0,
                    1 => (next() as f64 / u64::MAX as f64 - 0.5) * 1e6,
                    2 if i % 2 == 0 => -0.0,
                    _ => f64::from_bits(next() >> 2) * if next() % 2 == 0 { 1.0 } else { -1.0 },
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let ranks = [0, 1, n / 4, n / 4 + 1, n / 2, n - 2, n - 1];
            let by_radix = order_statistics_by_radix(&values, &ranks);
            let by_selection = order_statistics_by_selection(&mut values.clone(), &ranks);
            for (i, &r) in ranks.iter().enumerate() {
                assert_eq!(by_radix[i], sorted[r], "radix, rank {r} of {n}");
                assert_eq!(by_selection[i], sorted[r], "selection, rank {r} of {n}");
            }
        }
    }

    #[test]
    fn sample_standard_deviation() {
        let (m, s) = mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m, Some(5.0));
        assert!((s.unwrap() - (32.0f64 / 7.0).sqrt()).abs() < 1e-15);
        assert_eq!(mean_sd(&[3.0]), (Some(3.0), None));
        assert_eq!(mean_sd(&[]), (None, None));
    }
}
