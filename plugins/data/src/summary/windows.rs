//! Windows that likely hold the quartiles' order statistics, guessed from
//! a sample, and the order statistics found in what a pass over them kept;
//! ranks the windows miss are sought again in the gaps they must lie in.

use super::QS;
use super::order_statistics::{
    order_statistics_by_keys, order_statistics_by_radix, select_keys, sort_key,
};
use super::scan::{Round, Tally, Window, scan};

/// Largest sample the windows are guessed from.
const SAMPLE: usize = 16_384;

/// A window's half-width in standard deviations of a sample quantile's
/// position: a miss costs a pass, a wider window only a few more values kept.
const SPREAD: f64 = 3.0;

/// Positions of a sample of `len` values: one in each of equal strides
/// covering them all (the last may be shorter), at an offset that varies
/// from stride to stride, so that sorted columns are sampled evenly and
/// periodic ones without aliasing. The offsets come from a hash of the
/// stride's number rather than a generator's last state, so that reads do
/// not wait on one another.
pub(super) fn sample_positions(len: usize) -> impl ExactSizeIterator<Item = usize> {
    let m = (len / 8).clamp(1, SAMPLE).min(len);
    let stride = len.div_ceil(m);
    (0..len.div_ceil(stride)).map(move |i| {
        let start = i * stride;
        let width = stride.min(len - start) as u64;
        // Fibonacci hashing; the top 32 bits times the width, shifted down,
        // fall uniformly below the width.
        let hash = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        start + ((hash * width) >> 32) as usize
    })
}

/// Windows that likely hold the quartiles' order statistics, the share of
/// the values they likely hold, and the sample.
#[derive(Default)]
pub(super) struct Guess {
    pub(super) windows: Vec<Window>,
    pub(super) share: f64,
    pub(super) sample: Vec<f64>,
}

/// Windows from a sample's order statistics a few standard deviations
/// either side of each quartile. None when the sample holds no number.
pub(super) fn guess_windows(values: &[f64]) -> Guess {
    let positions = sample_positions(values.len());
    let drawn = positions.len();
    let sample: Vec<f64> = positions
        .map(|i| values[i])
        .filter(|v| !v.is_nan())
        .collect();
    let Some(last) = sample.len().checked_sub(1) else {
        return Guess::default();
    };
    let m = sample.len() as f64;
    // Sample positions of each window's ends; None past the sample's ends.
    let ends = QS.map(|q| {
        let pos = q * last as f64;
        let d = (SPREAD * (m * q * (1.0 - q)).sqrt()).ceil() as usize + 1;
        let lo = (pos.floor() as usize).checked_sub(d);
        let hi = Some(pos.ceil() as usize + d).filter(|&i| i <= last);
        (lo, hi)
    });
    let mut at: Vec<usize> = ends
        .iter()
        .flat_map(|&(lo, hi)| [lo, hi])
        .flatten()
        .collect();
    at.sort_unstable();
    at.dedup();
    let found = order_statistics_by_keys(&sample, &at);
    let value =
        |i: Option<usize>, beyond: f64| i.map_or(beyond, |i| found[at.partition_point(|&j| j < i)]);
    let windows = ends
        .iter()
        .map(|&(lo, hi)| Window {
            lo: value(lo, f64::NEG_INFINITY),
            hi: value(hi, f64::INFINITY),
        })
        .collect();
    let held: usize = ends
        .iter()
        .map(|&(lo, hi)| hi.unwrap_or(last) + 1 - lo.unwrap_or(0))
        .sum();
    Guess {
        windows: merge_overlapping(windows),
        // Of all values: the sample's NaNs tell how many are missing.
        share: held.min(sample.len()) as f64 / drawn as f64,
        sample,
    }
}

/// Windows sorted by their bottoms (as they come), overlapping ones joined:
/// quartiles in one run of equal values share a window.
fn merge_overlapping(windows: Vec<Window>) -> Vec<Window> {
    let mut merged: Vec<Window> = Vec::with_capacity(windows.len());
    for w in windows {
        match merged.last_mut() {
            Some(last) if w.lo <= last.hi => last.hi = last.hi.max(w.hi),
            _ => merged.push(w),
        }
    }
    merged
}

/// The values at `ranks` (ascending, among `n`) in sorted order, from the
/// windows of a first pass; for ranks none holds, from windows in the gaps
/// they must lie in, narrowed by `sample`; for ranks those miss, from radix
/// buckets. Ranks that fall among zeros are left to the caller, which counts
/// -0.0s: (index in `ranks`, rank among the zeros).
pub(super) fn order_statistics_in_windows(
    values: &[f64],
    first: Round,
    ranks: &[usize],
    n: usize,
    mut sample: Vec<f64>,
) -> (Vec<f64>, Vec<(usize, usize)>) {
    let mut stats = vec![f64::NAN; ranks.len()];
    let mut zeros = Vec::new();
    let mut pending: Vec<usize> = (0..ranks.len()).collect();
    let mut round = first;
    // Tallies of earlier rounds, which bound the gaps too.
    let mut seen: Vec<Tally> = Vec::new();
    loop {
        // Per tally, the pending ranks it holds: (index, rank within it).
        let mut wanted: Vec<Vec<(usize, usize)>> = vec![Vec::new(); round.tallies.len()];
        let mut missed = Vec::new();
        for &i in &pending {
            let r = ranks[i];
            match round.tallies.iter().position(|t| t.holds_rank(r)) {
                Some(t) => wanted[t].push((i, r - round.tallies[t].below)),
                None => missed.push(i),
            }
        }
        let spans: Vec<&Tally> = round
            .tallies
            .iter()
            .filter(|t| !t.window.is_point())
            .collect();
        let mut keys = keys_by_span(&round.kept, &spans);
        for (t, wanted) in round.tallies.iter().zip(&wanted) {
            if wanted.is_empty() {
                continue;
            }
            if !t.window.is_point() {
                let local: Vec<usize> = wanted.iter().map(|&(_, r)| r).collect();
                let span = &mut keys[t.start..t.start + t.inside];
                for (&(i, _), v) in wanted.iter().zip(select_keys(span, &local)) {
                    stats[i] = v;
                }
            } else if t.window.lo == 0.0 {
                zeros.extend(wanted);
            } else {
                for &(i, _) in wanted {
                    stats[i] = t.window.lo;
                }
            }
        }
        if missed.is_empty() {
            return (stats, zeros);
        }
        seen.append(&mut round.tallies);
        let gaps: Option<Vec<Window>> = if sample.is_empty() {
            None
        } else {
            sample.sort_unstable_by(f64::total_cmp);
            missed
                .iter()
                .map(|&i| narrowed(&sample, ranks[i], n, gap(&seen, ranks[i])))
                .collect()
        };
        sample.clear();
        let Some(gaps) = gaps else {
            // The sample misled (again): the gaps may hold most values, so
            // radix buckets, whose cost does not depend on the sample.
            let at: Vec<usize> = missed.iter().map(|&i| ranks[i]).collect();
            for (&i, v) in missed
                .iter()
                .zip(order_statistics_by_radix::<true>(values, &at))
            {
                stats[i] = v;
            }
            return (stats, zeros);
        };
        let mut gaps = merge_overlapping(gaps);
        // The rest are left to the radix buckets.
        gaps.truncate(3);
        round = scan(values, &gaps, 0).round;
        pending = missed;
    }
}

/// The narrowest window the tallies show rank `r` to lie in, when none of
/// them holds it: above every window wholly below it, below every window
/// wholly above it.
pub(super) fn gap(tallies: &[Tally], r: usize) -> Window {
    let mut window = Window {
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
    };
    for t in tallies {
        if t.below + t.inside <= r {
            window.lo = window.lo.max(t.window.hi.next_up());
        } else if r < t.below {
            window.hi = window.hi.min(t.window.lo.next_down());
        }
    }
    window
}

/// `gap` narrowed to where the sorted `sample` puts rank `r` of `n`, give
/// or take twice the first windows' spread: a near miss then costs a pass
/// over a window of the usual size rather than the whole gap. None if the
/// sample puts the rank outside the gap.
pub(super) fn narrowed(sample: &[f64], r: usize, n: usize, gap: Window) -> Option<Window> {
    let last = sample.len().checked_sub(1)?;
    let q = r as f64 / n.saturating_sub(1).max(1) as f64;
    let pos = q * last as f64;
    let d = (2.0 * SPREAD * (sample.len() as f64 * q * (1.0 - q)).sqrt()).ceil() as usize + 1;
    let lo = (pos.floor() as usize)
        .checked_sub(d)
        .map_or(f64::NEG_INFINITY, |i| sample[i]);
    let hi = sample
        .get(pos.ceil() as usize + d)
        .copied()
        .unwrap_or(f64::INFINITY);
    let window = Window {
        lo: lo.max(gap.lo),
        hi: hi.min(gap.hi),
    };
    (window.lo <= window.hi).then_some(window)
}

/// The sort keys of `kept`, the values of each span (up to three, sorted and
/// disjoint) together, in the spans' order: selecting within one span is
/// cheaper than among all. Each key is written at its span's cursor chosen
/// by comparisons, not by indexing an array of cursors, which would make
/// each write wait for the last to the same span.
fn keys_by_span(kept: &[f64], spans: &[&Tally]) -> Vec<u64> {
    debug_assert!(spans.len() <= 3);
    let top = |i: usize| {
        spans
            .get(i)
            .map_or(f32::INFINITY, |t| t.window.span_bounds().1)
    };
    let (top0, top1) = (top(0), top(1));
    let start = |i: usize| spans.get(i).map_or(kept.len(), |t| t.start);
    let (mut c0, mut c1, mut c2) = (start(0), start(1), start(2));
    let mut keys = vec![0; kept.len()];
    for &v in kept {
        let x = v as f32;
        let (above0, above1) = (x > top0, x > top1);
        let at = if above1 {
            c2
        } else if above0 {
            c1
        } else {
            c0
        };
        keys[at] = sort_key(v);
        c0 += usize::from(!above0);
        c1 += usize::from(above0 & !above1);
        c2 += usize::from(above1);
    }
    keys
}
