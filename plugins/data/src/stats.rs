//! Summary statistics over numbers.

/// Count, mean, sample sd, extremes and quartiles of a column.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberSummary {
    pub count: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub min: f64,
    pub max: f64,
    /// 25%, 50% and 75%, as [`quantiles`] computes them.
    pub quartiles: [f64; 3],
}

/// Summarises `values`, NaN being missing, in two passes without copying or
/// sorting: the first counts, sums, finds the extremes and counts values per
/// radix bucket; the second adds squared deviations from the mean and
/// gathers the few buckets that hold the quartiles' order statistics.
pub fn summarise(values: &[f64]) -> NumberSummary {
    const QS: [f64; 3] = [0.25, 0.5, 0.75];
    let present = || values.iter().copied().filter(|v| !v.is_nan());
    let small = values.len() < RADIX_MIN;
    let mut counts = if small {
        Vec::new()
    } else {
        vec![0u32; BUCKETS]
    };
    let mut n = 0usize;
    // Four running sums, so that each addition need not wait for the last.
    let mut sums = [0.0; 4];
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        n += 1;
        sums[i % 4] += v;
        // Comparisons rather than f64::min: no NaN is left to handle, and
        // the extremes rarely change.
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
        if !small {
            counts[bucket(v)] += 1;
        }
    }
    let sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    if n == 0 {
        return NumberSummary {
            count: 0,
            mean: None,
            sd: None,
            min: f64::NAN,
            max: f64::NAN,
            quartiles: [f64::NAN; 3],
        };
    }
    let mean = sum / n as f64;
    let (ranks, spots) = ranks_for(n, &QS);
    let mut m2 = 0.0;
    let stats = if small {
        let mut copy: Vec<f64> = present().collect();
        m2 = copy.iter().map(|&x| (x - mean) * (x - mean)).sum();
        order_statistics_by_selection(&mut copy, &ranks)
    } else {
        let mut gathered = Gathered::new(&counts, &ranks);
        for v in present() {
            m2 += (v - mean) * (v - mean);
            gathered.offer(v);
        }
        gathered.select()
    };
    let q = interpolate(&ranks, &stats, &spots);
    NumberSummary {
        count: n,
        mean: Some(mean),
        sd: (n > 1).then(|| (m2 / (n - 1) as f64).sqrt()),
        min,
        max,
        quartiles: [q[0], q[1], q[2]],
    }
}

/// Mean and sample standard deviation (n - 1 in the denominator; `None`
/// with fewer than two values), by two passes: the reference `summarise` is
/// checked against.
#[cfg(test)]
fn mean_sd(values: &[f64]) -> (Option<f64>, Option<f64>) {
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
    let (ranks, spots) = ranks_for(n, qs);
    let stats = if n < RADIX_MIN {
        order_statistics_by_selection(values, &ranks)
    } else {
        order_statistics_by_radix(values, &ranks)
    };
    interpolate(&ranks, &stats, &spots)
}

/// The order statistics quantiles `qs` of `n` values need (ascending,
/// distinct): floor(pos) and, when a quantile falls between two, the next.
/// Also each quantile's floor(pos) and fraction.
fn ranks_for(n: usize, qs: &[f64]) -> (Vec<usize>, Vec<(usize, f64)>) {
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
    (ranks, spots)
}

/// Linear interpolation between the order statistics `stats` at `ranks`.
fn interpolate(ranks: &[usize], stats: &[f64], spots: &[(usize, f64)]) -> Vec<f64> {
    let at = |r: usize| stats[ranks.binary_search(&r).unwrap_or(0)];
    spots
        .iter()
        .map(|&(lo, frac)| {
            let a = at(lo);
            if frac > 0.0 {
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

/// Radix buckets: the top 16 bits of the sort key.
const BUCKETS: usize = 1 << 16;

#[inline(always)]
fn bucket(x: f64) -> usize {
    (sort_key(x) >> 48) as usize
}

/// The values at `ranks` (ascending) in sorted order, in two passes: count
/// the values per radix bucket, then gather only the buckets that hold a
/// wanted rank and select within them. Much less work than selecting over
/// all values once per rank.
fn order_statistics_by_radix(values: &[f64], ranks: &[usize]) -> Vec<f64> {
    let mut counts = vec![0u32; BUCKETS];
    for &v in values {
        counts[bucket(v)] += 1;
    }
    let mut gathered = Gathered::new(&counts, ranks);
    for &v in values {
        gathered.offer(v);
    }
    gathered.select()
}

/// The values of the buckets that hold wanted ranks.
struct Gathered {
    /// Per wanted rank: its gathering list and its rank within the bucket.
    wanted: Vec<(usize, usize)>,
    /// Per bucket: its list among `lists`, or `u8::MAX` when not wanted.
    slot: Vec<u8>,
    lists: Vec<Vec<f64>>,
}

impl Gathered {
    fn new(counts: &[u32], ranks: &[usize]) -> Self {
        let mut slot = vec![u8::MAX; BUCKETS];
        let mut lists: Vec<Vec<f64>> = Vec::new();
        let mut wanted = Vec::with_capacity(ranks.len());
        let mut below = 0usize;
        let mut next = 0;
        for (b, &c) in counts.iter().enumerate() {
            let c = c as usize;
            while next < ranks.len() && ranks[next] < below + c {
                if slot[b] == u8::MAX {
                    // At most one list per rank: a handful.
                    slot[b] = lists.len() as u8;
                    lists.push(Vec::with_capacity(c));
                }
                wanted.push((slot[b] as usize, ranks[next] - below));
                next += 1;
            }
            below += c;
        }
        Gathered {
            wanted,
            slot,
            lists,
        }
    }

    #[inline(always)]
    fn offer(&mut self, v: f64) {
        let s = self.slot[bucket(v)];
        if s != u8::MAX {
            self.lists[s as usize].push(v);
        }
    }

    fn select(mut self) -> Vec<f64> {
        self.wanted
            .iter()
            .map(|&(list, r)| *self.lists[list].select_nth_unstable_by(r, f64::total_cmp).1)
            .collect()
    }
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
    fn summaries_skip_missing_values_on_both_paths() {
        for n in [10, RADIX_MIN + 10] {
            let values: Vec<f64> = (0..n)
                .map(|i| {
                    if i % 10 == 3 {
                        f64::NAN
                    } else {
                        (i % 97) as f64 * 0.5 - 3.0
                    }
                })
                .collect();
            let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            let s = summarise(&values);
            assert_eq!(s.count, present.len());
            let (mean, sd) = mean_sd(&present);
            assert!((s.mean.unwrap() - mean.unwrap()).abs() < 1e-12);
            assert!((s.sd.unwrap() - sd.unwrap()).abs() < 1e-12);
            let q = quantiles(&mut present, &[0.25, 0.5, 0.75]);
            assert_eq!(s.quartiles.to_vec(), q);
            present.sort_by(f64::total_cmp);
            assert_eq!((s.min, s.max), (present[0], present[present.len() - 1]));
        }
        let empty = summarise(&[f64::NAN, f64::NAN]);
        assert_eq!((empty.count, empty.mean, empty.sd), (0, None, None));
        assert_eq!(summarise(&[4.0]).sd, None);
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
