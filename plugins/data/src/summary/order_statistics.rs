//! Quantiles by linear interpolation between order statistics, and the
//! ways of finding those: selection, selection among sort keys, and radix
//! buckets for long columns.

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
        order_statistics_by_radix::<false>(values, &ranks)
    };
    interpolate(&ranks, &stats, &spots)
}

/// The order statistics quantiles `qs` of `n` values need (ascending,
/// distinct): floor(pos) and, when a quantile falls between two, the next.
/// Also each quantile's floor(pos) and fraction.
pub(super) fn ranks_for(n: usize, qs: &[f64]) -> (Vec<usize>, Vec<(usize, f64)>) {
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
pub(super) fn interpolate(ranks: &[usize], stats: &[f64], spots: &[(usize, f64)]) -> Vec<f64> {
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
pub(super) const RADIX_MIN: usize = 1 << 14;

/// The values at `ranks` (ascending) in sorted order, by successive
/// selections each over what lies above the previous one.
pub(super) fn order_statistics_by_selection(values: &mut [f64], ranks: &[usize]) -> Vec<f64> {
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
pub(super) fn sort_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The number whose sort key is `key`.
#[inline(always)]
fn from_sort_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key ^ 1 << 63 } else { !key })
}

/// The values at `at` (ascending, distinct) in sorted order, by selections
/// among sort keys, whose integer comparisons are cheaper than total_cmp's.
pub(super) fn order_statistics_by_keys(values: &[f64], at: &[usize]) -> Vec<f64> {
    let mut keys: Vec<u64> = values.iter().map(|&v| sort_key(v)).collect();
    select_keys(&mut keys, at)
}

/// The numbers whose keys are at `at` (ascending, distinct) in `keys`
/// sorted. The middle position first: each further selection then has half
/// the keys.
pub(super) fn select_keys(keys: &mut [u64], at: &[usize]) -> Vec<f64> {
    fn select(keys: &mut [u64], at: &[usize], offset: usize, out: &mut [u64]) {
        if at.is_empty() {
            return;
        }
        let mid = at.len() / 2;
        let (left, &mut key, right) = keys.select_nth_unstable(at[mid] - offset);
        out[mid] = key;
        let (out_left, out_right) = out.split_at_mut(mid);
        select(left, &at[..mid], offset, out_left);
        select(right, &at[mid + 1..], at[mid] + 1, &mut out_right[1..]);
    }
    let mut out = vec![0; at.len()];
    select(keys, at, 0, &mut out);
    out.into_iter().map(from_sort_key).collect()
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
pub(super) fn order_statistics_by_radix<const SKIP_NAN: bool>(
    values: &[f64],
    ranks: &[usize],
) -> Vec<f64> {
    let mut counts = vec![0u32; BUCKETS];
    for &v in values {
        if !(SKIP_NAN && v.is_nan()) {
            counts[bucket(v)] += 1;
        }
    }
    let mut gathered = Gathered::new(&counts, ranks);
    for &v in values {
        if !(SKIP_NAN && v.is_nan()) {
            gathered.offer(v);
        }
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
            let by_radix = order_statistics_by_radix::<false>(&values, &ranks);
            let by_selection = order_statistics_by_selection(&mut values.clone(), &ranks);
            for (i, &r) in ranks.iter().enumerate() {
                assert_eq!(by_radix[i], sorted[r], "radix, rank {r} of {n}");
                assert_eq!(by_selection[i], sorted[r], "selection, rank {r} of {n}");
            }
        }
    }
}
