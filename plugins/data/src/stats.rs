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

impl NumberSummary {
    /// The summary of a column with no number: nothing counted, NaN for the rest.
    pub const EMPTY: NumberSummary = NumberSummary {
        count: 0,
        mean: None,
        sd: None,
        min: f64::NAN,
        max: f64::NAN,
        quartiles: [f64::NAN; 3],
    };
}

const QS: [f64; 3] = [0.25, 0.5, 0.75];

/// Summarises `values`, NaN being missing, in two passes without sorting.
/// The quartiles' order statistics are sought in windows guessed from a
/// sample: the first pass counts, sums and finds the extremes, and per window
/// counts the values below it and in it and keeps those in it (a few percent
/// of all; none for a window of one number). A rank no window holds, which
/// takes an unlucky sample, is found by another pass over the gap it must
/// lie in. The second pass adds squared deviations from the mean. Short
/// columns are copied and their order statistics selected.
pub fn summarise(values: &[f64]) -> NumberSummary {
    let small = values.len() < RADIX_MIN;
    let guess = if small {
        Guess::default()
    } else {
        guess_windows(values)
    };
    // Room for the values the spans likely hold, and some: growing the
    // buffer would copy it.
    let room = (1.25 * guess.share * values.len() as f64) as usize;
    let first = scan(values, &guess.windows, room);
    let n = first.n;
    if n == 0 {
        return NumberSummary::EMPTY;
    }
    let mean = first.sum / n as f64;
    let (ranks, spots) = ranks_for(n, &QS);
    let (mut stats, zeros) = if small {
        let mut copy: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        (order_statistics_by_selection(&mut copy, &ranks), Vec::new())
    } else {
        order_statistics_in_windows(values, first.round, &ranks, n, guess.sample)
    };
    let (m2, negative_zeros) = if zeros.is_empty() {
        squared_deviations::<false>(values, mean)
    } else {
        squared_deviations::<true>(values, mean)
    };
    // total_cmp orders -0.0 before 0.0.
    for (i, offset) in zeros {
        stats[i] = if offset < negative_zeros { -0.0 } else { 0.0 };
    }
    let q = interpolate(&ranks, &stats, &spots);
    NumberSummary {
        count: n,
        mean: Some(mean),
        sd: (n > 1).then(|| (m2 / (n - 1) as f64).sqrt()),
        min: first_equal(values, first.min),
        max: first_equal(values, first.max),
        quartiles: [q[0], q[1], q[2]],
    }
}

/// The first of `values` equal to `extreme`: what a scan in order keeping
/// the first extreme finds, which for a zero tells -0.0 from 0.0.
fn first_equal(values: &[f64], extreme: f64) -> f64 {
    if extreme == 0.0 {
        values
            .iter()
            .copied()
            .find(|&v| v == 0.0)
            .unwrap_or(extreme)
    } else {
        extreme
    }
}

/// Σ(x − mean)² over the values that are not NaN, in eight running sums so
/// that each addition need not wait for the last; and, when asked, how many
/// values are -0.0.
fn squared_deviations<const NEGATIVE_ZEROS: bool>(values: &[f64], mean: f64) -> (f64, usize) {
    let mut sums = [0.0; 8];
    let mut negative_zeros = 0usize;
    let mut add = |sum: &mut f64, v: f64| {
        let d = if v.is_nan() { 0.0 } else { v - mean };
        *sum += d * d;
        if NEGATIVE_ZEROS {
            negative_zeros += usize::from(v.to_bits() == (-0.0f64).to_bits());
        }
    };
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (sum, &v) in sums.iter_mut().zip(chunk) {
            add(sum, v);
        }
    }
    for (sum, &v) in sums.iter_mut().zip(chunks.remainder()) {
        add(sum, v);
    }
    let [a, b, c, d, e, f, g, h] = sums;
    (((a + b) + (c + d)) + ((e + f) + (g + h)), negative_zeros)
}

/// A closed interval of numbers. A point (one number, or the two zeros,
/// which float comparisons do not tell apart) has its values counted; a span
/// has them kept, and holds the numbers that round to an f32 in its bounds
/// rounded to f32: a little wider, still a contiguous run of the values in
/// total_cmp order, and compared four at a time in vector registers.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Window {
    lo: f64,
    hi: f64,
}

impl Window {
    fn is_point(&self) -> bool {
        self.lo == self.hi
    }

    fn span_bounds(&self) -> (f32, f32) {
        (self.lo as f32, self.hi as f32)
    }

    fn span_holds(&self, v: f64) -> bool {
        let ((lo, hi), x) = (self.span_bounds(), v as f32);
        lo <= x && x <= hi
    }
}

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
fn sample_positions(len: usize) -> impl ExactSizeIterator<Item = usize> {
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
struct Guess {
    windows: Vec<Window>,
    share: f64,
    sample: Vec<f64>,
}

/// Windows from a sample's order statistics a few standard deviations
/// either side of each quartile. None when the sample holds no number.
fn guess_windows(values: &[f64]) -> Guess {
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

/// Spans sorted by their bottoms, those sharing an f32 joined: every value
/// is kept by at most one span, and `kept` sorted holds each span's values
/// together.
fn disjoint_spans(spans: Vec<Window>) -> Vec<Window> {
    let mut merged: Vec<Window> = Vec::with_capacity(spans.len());
    for w in spans {
        match merged.last_mut() {
            Some(last) if w.span_bounds().0 <= last.span_bounds().1 => {
                last.hi = last.hi.max(w.hi);
            }
            _ => merged.push(w),
        }
    }
    merged
}

/// What a pass over the values found.
struct Scan {
    /// Values that are not NaN.
    n: usize,
    sum: f64,
    min: f64,
    max: f64,
    round: Round,
}

/// The windows of one pass: their tallies, and the values of its spans in
/// the order met.
struct Round {
    tallies: Vec<Tally>,
    kept: Vec<f64>,
}

/// How many values lie below a window and in it; for a span, where its
/// values start in `kept` sorted (the spans being sorted and disjoint).
struct Tally {
    window: Window,
    below: usize,
    inside: usize,
    start: usize,
}

impl Tally {
    fn holds_rank(&self, r: usize) -> bool {
        self.below <= r && r < self.below + self.inside
    }
}

/// One pass over `values` tallying up to three windows, sorted, with `room`
/// for the values kept.
fn scan(values: &[f64], windows: &[Window], room: usize) -> Scan {
    debug_assert!(windows.len() <= 3);
    let (points, spans): (Vec<Window>, Vec<Window>) = windows.iter().partition(|w| w.is_point());
    let spans = disjoint_spans(spans);
    // Instances for three windows of either kind: missing ones are padded
    // with NaN bounds, which hold nothing.
    match spans.len() {
        0 if points.is_empty() => scan_as::<0, 0>(values, &spans, &points, room),
        0 => scan_as::<0, 3>(values, &spans, &points, room),
        1 => scan_as::<1, 2>(values, &spans, &points, room),
        2 => scan_as::<2, 1>(values, &spans, &points, room),
        _ => scan_as::<3, 0>(values, &spans, &points, room),
    }
}

fn scan_as<const S: usize, const P: usize>(
    values: &[f64],
    spans: &[Window],
    points: &[Window],
    room: usize,
) -> Scan {
    let bounds = |i: usize| {
        spans
            .get(i)
            .map_or((f32::NAN, f32::NAN), Window::span_bounds)
    };
    let los = std::array::from_fn(|i| bounds(i).0);
    let his = std::array::from_fn(|i| bounds(i).1);
    let at = std::array::from_fn(|i| points.get(i).map_or(f64::NAN, |w| w.lo));
    let pass = Pass::<S, P>::run(values, &los, &his, &at, room);
    let kept = pass.kept;
    let inside: Vec<usize> = if let [_] = spans {
        vec![kept.len()]
    } else {
        spans
            .iter()
            .map(|w| kept.iter().filter(|&&v| w.span_holds(v)).count())
            .collect()
    };
    let mut tallies = Vec::with_capacity(spans.len() + points.len());
    let mut start = 0;
    for ((&window, &below), &inside) in spans.iter().zip(&pass.below).zip(&inside) {
        tallies.push(Tally {
            window,
            below: below as usize,
            inside,
            start,
        });
        start += inside;
    }
    for ((&window, &below), &upto) in points.iter().zip(&pass.point_below).zip(&pass.point_upto) {
        tallies.push(Tally {
            window,
            below: below as usize,
            inside: (upto - below) as usize,
            start: 0,
        });
    }
    Scan {
        n: pass.n as usize,
        sum: (pass.sums[0] + pass.sums[1]) + (pass.sums[2] + pass.sums[3]),
        min: pass.min,
        max: pass.max,
        round: Round { tallies, kept },
    }
}

/// Values per block: each block is summed, compared with the windows and its
/// values in a span kept while it is in the nearest cache.
const BLOCK: usize = 512;

/// A pass over the values for `S` spans and `P` points. Its loops are
/// written for the compiler to do each several values at a time in vector
/// registers, without branches: comparisons are counted, and each value is
/// written after the kept ones whether kept or not.
struct Pass<const S: usize, const P: usize> {
    n: u64,
    /// Value `i` is added to sum `i % 4`: each addition need not wait for the
    /// last.
    sums: [f64; 4],
    min: f64,
    max: f64,
    below: [u64; S],
    kept: Vec<f64>,
    point_below: [u64; P],
    point_upto: [u64; P],
}

impl<const S: usize, const P: usize> Pass<S, P> {
    fn run(values: &[f64], los: &[f32; S], his: &[f32; S], points: &[f64; P], room: usize) -> Self {
        let mut n = 0;
        let mut sums = [0.0; 4];
        let mut mins = [f64::INFINITY; 4];
        let mut maxs = [f64::NEG_INFINITY; 4];
        let mut below = [0u64; S];
        let mut point_below = [0u64; P];
        let mut point_upto = [0u64; P];
        let mut kept = vec![0.0; if S > 0 { room } else { 0 }];
        let mut len = 0;
        let mut rounded = [0f32; BLOCK];
        let mut keep = [0u32; BLOCK];
        for block in values.chunks(BLOCK) {
            let mut any = 0;
            if S > 0 {
                (sums, mins, maxs) = add_block::<true>(block, sums, mins, maxs, &mut rounded);
                let (count, under);
                (count, under, any) = classify_block(&rounded[..block.len()], los, his, &mut keep);
                n += u64::from(count);
                for (b, u) in below.iter_mut().zip(under) {
                    *b += u64::from(u);
                }
            } else {
                (sums, mins, maxs) = add_block::<false>(block, sums, mins, maxs, &mut rounded);
                n += u64::from(count_present(block));
            }
            if P > 0 {
                count_points(block, points, &mut point_below, &mut point_upto);
            }
            if any != 0 {
                if kept.len() < len + BLOCK {
                    kept.resize((2 * kept.len()).max(len + BLOCK), 0.0);
                }
                let to = (&mut kept[len..len + BLOCK])
                    .try_into()
                    .expect("a block's room");
                len += compact_block(block, &keep, to);
            }
        }
        kept.truncate(len);
        let (mut min, mut max) = (mins[0], maxs[0]);
        for (&lo, &hi) in mins.iter().zip(&maxs).skip(1) {
            min = if lo < min { lo } else { min };
            max = if hi > max { hi } else { max };
        }
        Pass {
            n,
            sums,
            min,
            max,
            below,
            kept,
            point_below,
            point_upto,
        }
    }
}

// The loops over a block are functions of their own, not inlined: on their
// own, the compilers (LLVM's vectoriser, the sandbox's register allocator)
// keep their lanes and counters in registers.

/// How many of a block's values are not NaN.
#[inline(never)]
fn count_present(block: &[f64]) -> u32 {
    block.iter().map(|v| u32::from(!v.is_nan())).sum()
}

/// Compares a block rounded to f32 with `S` spans: how many values are not
/// NaN, how many lie below each span, and whether any lies in one, with a
/// flag per value in `keep`. At most BLOCK per block: u32 counters, four to
/// a register.
#[inline(never)]
fn classify_block<const S: usize>(
    rounded: &[f32],
    los: &[f32; S],
    his: &[f32; S],
    keep: &mut [u32; BLOCK],
) -> (u32, [u32; S], u32) {
    let (mut count, mut under, mut any) = (0, [0u32; S], 0);
    for (k, &x) in keep.iter_mut().zip(rounded) {
        count += u32::from(!x.is_nan());
        let mut hit = false;
        for ((u, &lo), &hi) in under.iter_mut().zip(los).zip(his) {
            let below_lo = x < lo;
            *u += u32::from(below_lo);
            // In the span when below its top but not its bottom.
            hit |= below_lo ^ (x <= hi);
        }
        *k = u32::from(hit);
        any |= *k;
    }
    (count, under, any)
}

/// Counts a block's values below and up to each of `P` points.
#[inline(never)]
fn count_points<const P: usize>(
    block: &[f64],
    points: &[f64; P],
    below: &mut [u64; P],
    upto: &mut [u64; P],
) {
    let (mut b, mut u) = (*below, *upto);
    for &v in block {
        for ((b, u), &t) in b.iter_mut().zip(&mut u).zip(points) {
            *b += u64::from(v < t);
            *u += u64::from(v <= t);
        }
    }
    (*below, *upto) = (b, u);
}

/// Writes a block's flagged values to `to`, in order, each value after the
/// last kept whether kept or not; returns how many it kept.
#[inline(never)]
fn compact_block(block: &[f64], keep: &[u32; BLOCK], to: &mut [f64; BLOCK]) -> usize {
    let mut j = 0;
    for (&k, &v) in keep.iter().zip(block) {
        // j is at most the value's index in the block: the remainder only
        // spares a bounds check.
        to[j % BLOCK] = v;
        j += k as usize;
    }
    j
}

/// Adds a block's values to four running sums and extremes, value `i` to
/// lane `i % 4` (the block starts at a multiple of 4); if `ROUND`, rounds
/// them to f32 for comparing with the spans: one loop over the values, not
/// two.
#[inline(never)]
fn add_block<const ROUND: bool>(
    block: &[f64],
    mut sums: [f64; 4],
    mut mins: [f64; 4],
    mut maxs: [f64; 4],
    rounded: &mut [f32; BLOCK],
) -> ([f64; 4], [f64; 4], [f64; 4]) {
    let mut quads = block.chunks_exact(4);
    for (quad, x) in (&mut quads).zip(rounded.chunks_exact_mut(4)) {
        let [a, b, c, d]: [f64; 4] = quad.try_into().expect("four values");
        let [s0, s1, s2, s3] = &mut sums;
        let [m0, m1, m2, m3] = &mut mins;
        let [x0, x1, x2, x3] = &mut maxs;
        add(a, s0, m0, x0);
        add(b, s1, m1, x1);
        add(c, s2, m2, x2);
        add(d, s3, m3, x3);
        if ROUND {
            x.copy_from_slice(&[a as f32, b as f32, c as f32, d as f32]);
        }
    }
    let done = block.len() - quads.remainder().len();
    for (l, &v) in quads.remainder().iter().enumerate() {
        add(v, &mut sums[l], &mut mins[l], &mut maxs[l]);
        if ROUND {
            rounded[done + l] = v as f32;
        }
    }
    (sums, mins, maxs)
}

/// Adds a value to one lane. Comparisons rather than f64::min: a NaN is
/// never below or above.
#[inline(always)]
fn add(v: f64, sum: &mut f64, min: &mut f64, max: &mut f64) {
    *sum += if v.is_nan() { 0.0 } else { v };
    *min = if v < *min { v } else { *min };
    *max = if v > *max { v } else { *max };
}

/// The values at `ranks` (ascending, among `n`) in sorted order, from the
/// windows of a first pass; for ranks none holds, from windows in the gaps
/// they must lie in, narrowed by `sample`; for ranks those miss, from radix
/// buckets. Ranks that fall among zeros are left to the caller, which counts
/// -0.0s: (index in `ranks`, rank among the zeros).
fn order_statistics_in_windows(
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
fn gap(tallies: &[Tally], r: usize) -> Window {
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
fn narrowed(sample: &[f64], r: usize, n: usize, gap: Window) -> Option<Window> {
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
        order_statistics_by_radix::<false>(values, &ranks)
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

/// The number whose sort key is `key`.
#[inline(always)]
fn from_sort_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key ^ 1 << 63 } else { !key })
}

/// The values at `at` (ascending, distinct) in sorted order, by selections
/// among sort keys, whose integer comparisons are cheaper than total_cmp's.
fn order_statistics_by_keys(values: &[f64], at: &[usize]) -> Vec<f64> {
    let mut keys: Vec<u64> = values.iter().map(|&v| sort_key(v)).collect();
    select_keys(&mut keys, at)
}

/// The numbers whose keys are at `at` (ascending, distinct) in `keys`
/// sorted. The middle position first: each further selection then has half
/// the keys.
fn select_keys(keys: &mut [u64], at: &[usize]) -> Vec<f64> {
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
fn order_statistics_by_radix<const SKIP_NAN: bool>(values: &[f64], ranks: &[usize]) -> Vec<f64> {
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

    /// What `summarise` must give, the slow way: quartiles from a full sort,
    /// extremes from a scan in order keeping the first, the mean from the
    /// same four running sums, the sd by two passes, the second compensated
    /// (Neumaier) so that the reference is the more accurate.
    fn reference(values: &[f64]) -> NumberSummary {
        let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        let n = present.len();
        if n == 0 {
            return NumberSummary::EMPTY;
        }
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &v in &present {
            if v < min {
                min = v;
            }
            if v > max {
                max = v;
            }
        }
        let mut sums = [0.0; 4];
        for (i, &v) in values.iter().enumerate() {
            if !v.is_nan() {
                sums[i % 4] += v;
            }
        }
        let mean = ((sums[0] + sums[1]) + (sums[2] + sums[3])) / n as f64;
        let (mut m2, mut lost) = (0.0f64, 0.0);
        for &x in &present {
            let term = (x - mean) * (x - mean);
            let t = m2 + term;
            lost += if m2.abs() >= term.abs() {
                (m2 - t) + term
            } else {
                (term - t) + m2
            };
            m2 = t;
        }
        // An infinite sum leaves NaN in what was lost.
        let m2 = if m2.is_finite() { m2 + lost } else { m2 };
        let mut sorted = present;
        sorted.sort_by(f64::total_cmp);
        let (ranks, spots) = ranks_for(n, &QS);
        let stats: Vec<f64> = ranks.iter().map(|&r| sorted[r]).collect();
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

    /// `summarise` against `reference`: the same bits but for the sd, equal
    /// within 1e-12 relative.
    fn check(name: &str, values: &[f64]) {
        let got = summarise(values);
        let want = reference(values);
        let bits = |s: &NumberSummary| {
            (
                s.count,
                s.mean.map(f64::to_bits),
                s.min.to_bits(),
                s.max.to_bits(),
                s.quartiles.map(f64::to_bits),
            )
        };
        assert_eq!(
            bits(&got),
            bits(&want),
            "{name}, {} values: got {got:?}, want {want:?}",
            values.len()
        );
        match (got.sd, want.sd) {
            (Some(a), Some(b)) if b.is_nan() => assert!(a.is_nan(), "{name}: sd {a}, want NaN"),
            (Some(a), Some(b)) => assert!(
                a == b || (a - b).abs() <= 1e-12 * b.abs(),
                "{name}, {} values: sd {a}, want {b}",
                values.len()
            ),
            (a, b) => assert_eq!(a, b, "{name}"),
        }
    }

    struct Rng(u64);

    /// Value `i` of a column, drawing from the generator.
    type Shape = fn(usize, &mut Rng) -> f64;

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        /// Uniform on [0, 1).
        fn uniform(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Columns of many shapes and lengths, around the small path's limit and
    /// well above it.
    fn columns() -> Vec<(String, Vec<f64>)> {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut out = Vec::new();
        for n in [
            RADIX_MIN - 1,
            RADIX_MIN,
            RADIX_MIN + 1,
            RADIX_MIN + 3,
            40_001,
            100_000,
        ] {
            let mut add = |name: &str, f: &mut dyn FnMut(usize, &mut Rng) -> f64| {
                let values = (0..n).map(|i| f(i, &mut rng)).collect();
                out.push((format!("{name} ({n})"), values));
            };
            add("uniform", &mut |_, r| r.uniform() * 2e3 - 1e3);
            add("ascending", &mut |i, _| i as f64 * 0.01);
            add("descending", &mut |i, _| -(i as f64));
            add("ascending integers, repeated", &mut |i, _| (i / 700) as f64);
            add("one value", &mut |_, _| 7.5);
            for k in [2, 3, 9, 200] {
                add(&format!("integers below {k}"), &mut |_, r| {
                    r.below(k) as f64
                });
            }
            add("prices", &mut |_, r| {
                ((r.uniform() * 80.0 + 1.0) * 100.0).round() / 100.0
            });
            add("one decimal", &mut |_, r| {
                (r.below(41) as f64 + 10.0) / 10.0
            });
            add("two clusters far apart", &mut |_, r| {
                if r.below(10) < 3 {
                    -1e12 + r.uniform()
                } else {
                    1e12 + r.uniform()
                }
            });
            // The lower quartile's two order statistics in different clusters.
            add("clusters split at a quartile", &mut |i, r| {
                if i % 4 == 0 {
                    r.uniform() - 5e3
                } else {
                    r.uniform() + 5e3
                }
            });
            add("a value holding 40%", &mut |_, r| {
                if r.below(5) < 2 {
                    3.25
                } else {
                    r.uniform() * 10.0
                }
            });
            add("NaNs interleaved", &mut |_, r| {
                if r.below(10) < 3 {
                    f64::NAN
                } else {
                    r.uniform()
                }
            });
            add("every third a NaN", &mut |i, r| {
                if i % 3 == 0 {
                    f64::NAN
                } else {
                    r.below(50) as f64
                }
            });
            add("mostly NaN", &mut |_, r| {
                if r.below(1000) == 0 {
                    r.uniform()
                } else {
                    f64::NAN
                }
            });
            add("all NaN", &mut |_, _| f64::NAN);
            add("NaNs of other bits", &mut |i, r| match i % 4 {
                0 => f64::from_bits(0xFFF8_0000_0000_0000),
                1 => f64::from_bits(0x7FF0_0000_0000_0001),
                2 => f64::from_bits(0xFFF0_0000_0000_0001),
                _ => r.uniform() - 0.5,
            });
            add("zeros of both signs", &mut |_, r| match r.below(4) {
                0 => -0.0,
                1 => 0.0,
                2 => -r.uniform(),
                _ => r.uniform(),
            });
            add("mostly zeros, both signs", &mut |_, r| match r.below(10) {
                0..=3 => -0.0,
                4..=7 => 0.0,
                _ => r.uniform(),
            });
            add(
                "zeros of both signs at the bottom",
                &mut |_, r| match r.below(3) {
                    0 => -0.0,
                    1 => 0.0,
                    _ => r.uniform() + 1.0,
                },
            );
            add("a zero at the end the minimum", &mut |i, r| {
                if i == n - 1 {
                    0.0
                } else if i == n - 2 {
                    -0.0
                } else {
                    r.uniform() + 1.0
                }
            });
            add("tiny numbers about zero", &mut |_, r| match r.below(5) {
                0 => -0.0,
                1 => 0.0,
                _ => (r.uniform() - 0.5) * 1e-310,
            });
            add("numbers one f32 does not tell apart", &mut |_, r| {
                1.0 + r.below(1000) as f64 * f64::EPSILON
            });
            add("numbers beyond f32", &mut |_, r| {
                (r.uniform() - 0.5) * 1e100
            });
            add("numbers whose squares overflow", &mut |_, r| {
                (r.uniform() - 0.5) * 1e300
            });
            add("infinities", &mut |_, r| match r.below(10) {
                0..=2 => f64::INFINITY,
                3 => f64::NEG_INFINITY,
                _ => r.uniform(),
            });
            add("mostly infinite", &mut |_, r| match r.below(10) {
                0..=5 => f64::INFINITY,
                6..=8 => f64::NEG_INFINITY,
                _ => r.uniform(),
            });
            add("both infinities and NaN", &mut |i, _| match i % 3 {
                0 => f64::INFINITY,
                1 => f64::NEG_INFINITY,
                _ => f64::NAN,
            });
        }
        out
    }

    #[test]
    fn summaries_agree_with_a_full_sort_on_columns_of_many_shapes() {
        for (name, values) in columns() {
            check(&name, &values);
        }
    }

    /// A column whose sampled values are all far above the rest, so that no
    /// window from the sample holds a quartile; and one whose sampled values
    /// are all missing, so that there are no windows at all.
    #[test]
    fn quartiles_are_found_when_the_sample_misleads() {
        let n = 50_000;
        let sampled: Vec<usize> = sample_positions(n).collect();
        let mut rng = Rng(7);
        let mut values: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
        for (k, &i) in sampled.iter().enumerate() {
            values[i] = 1e9 + k as f64;
        }
        let windows = guess_windows(&values).windows;
        let (ranks, _) = ranks_for(n, &QS);
        let tallies = scan(&values, &windows, 0).round.tallies;
        assert!(
            ranks
                .iter()
                .all(|&r| !tallies.iter().any(|t| t.holds_rank(r))),
            "the windows should miss: {windows:?}"
        );
        check("sample far above the rest", &values);
        // NaNs of both signs: sorted by their bits, one would go first.
        for (k, &i) in sampled.iter().enumerate() {
            values[i] = if k % 2 == 0 { f64::NAN } else { -f64::NAN };
        }
        assert!(guess_windows(&values).windows.is_empty());
        check("sample all missing", &values);
    }

    /// Quartiles in runs of equal values are counted, not kept: points.
    #[test]
    fn runs_of_equal_values_make_points() {
        let mut rng = Rng(11);
        let values: Vec<f64> = (0..60_000)
            .map(|_| match rng.below(3) {
                0 => -0.0,
                1 => 0.0,
                _ => 1.0 + rng.below(3) as f64,
            })
            .collect();
        let windows = guess_windows(&values).windows;
        assert!(
            windows.iter().any(|w| w.is_point() && w.lo == 0.0),
            "{windows:?}"
        );
        check("points at zero", &values);
    }

    /// The first pass should hold every quartile in typical columns: a
    /// second is a cost, not an error, so only this shows it.
    #[test]
    fn windows_from_the_sample_hold_the_quartiles_of_typical_columns() {
        let mut rng = Rng(5);
        let n = 200_000;
        let shapes: [(&str, Shape); 5] = [
            ("uniform", |_, r| r.uniform()),
            ("integers below 9", |_, r| r.below(9) as f64),
            ("integers below 200", |_, r| r.below(200) as f64),
            ("prices", |_, r| {
                ((r.uniform() * 80.0) * 100.0).round() / 100.0
            }),
            ("ascending", |i, _| i as f64),
        ];
        for (name, f) in shapes {
            let values: Vec<f64> = (0..n).map(|i| f(i, &mut rng)).collect();
            let windows = guess_windows(&values).windows;
            let (ranks, _) = ranks_for(n, &QS);
            let tallies = scan(&values, &windows, 0).round.tallies;
            for r in ranks {
                assert!(
                    tallies.iter().any(|t| t.holds_rank(r)),
                    "{name}: rank {r}, {windows:?}"
                );
            }
        }
    }

    /// A quartile at the first 0.0 after the -0.0s, and one among them.
    #[test]
    fn quartiles_among_zeros_tell_their_signs() {
        // 40,001 values: the quartiles are order statistics 10,000, 20,000
        // and 30,000 exactly.
        let mut values = vec![-1.0; 5_000];
        values.extend([-0.0; 5_000]);
        values.extend([0.0; 12_000]);
        values.extend(vec![1.0; 18_001]);
        let mut rng = Rng(13);
        for i in (1..values.len()).rev() {
            values.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let s = summarise(&values);
        assert_eq!(
            s.quartiles.map(f64::to_bits),
            [0.0, 0.0, 1.0].map(f64::to_bits)
        );
        // One -0.0 more: order statistic 10,000 is the last -0.0.
        let i = values.iter().position(|&v| v == 1.0).expect("a 1.0");
        values[i] = -0.0;
        let s = summarise(&values);
        assert_eq!(
            s.quartiles.map(f64::to_bits),
            [-0.0, 0.0, 1.0].map(f64::to_bits)
        );
        check("zeros", &values);
    }

    /// Spans either side of a point whose f32 bounds meet: they must be
    /// joined to keep each value once and find it in `kept`.
    #[test]
    fn spans_sharing_an_f32_are_joined() {
        // Four numbers to an f32: 200, 201 and 202 all round to 50.
        let at = |k: u64| 1.0 + k as f64 * (f64::from(f32::EPSILON) / 4.0);
        let mut rng = Rng(17);
        let values: Vec<f64> = (0..40_000).map(|_| at(rng.below(400))).collect();
        let window = |lo: u64, hi: u64| Window {
            lo: at(lo),
            hi: at(hi),
        };
        let windows = [window(100, 200), window(201, 201), window(202, 300)];
        assert_eq!(windows[0].span_bounds().1, windows[2].span_bounds().0);
        let round = scan(&values, &windows, 0).round;
        let ranks: Vec<usize> = (0..values.len()).step_by(97).collect();
        let (stats, zeros) =
            order_statistics_in_windows(&values, round, &ranks, values.len(), Vec::new());
        assert!(zeros.is_empty());
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for (&r, v) in ranks.iter().zip(stats) {
            assert_eq!(v.to_bits(), sorted[r].to_bits(), "rank {r}");
        }
    }

    /// First windows just below the quartiles: the retry's windows, from the
    /// sample, hold them.
    #[test]
    fn near_misses_are_found_in_narrowed_gaps() {
        let n = 100_000;
        let mut rng = Rng(19);
        let mut values: Vec<f64> = (0..n).map(|i| i as f64).collect();
        for i in (1..n).rev() {
            values.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let guess = guess_windows(&values);
        let (ranks, _) = ranks_for(n, &QS);
        // Order statistic r is r itself: windows ending 500 short.
        let windows: Vec<Window> = [0.25, 0.5, 0.75]
            .map(|q| {
                let at = q * (n - 1) as f64;
                Window {
                    lo: at - 3_000.0,
                    hi: at - 500.0,
                }
            })
            .to_vec();
        let first = scan(&values, &windows, 0);
        let tallies = &first.round.tallies;
        assert!(
            ranks
                .iter()
                .all(|&r| !tallies.iter().any(|t| t.holds_rank(r)))
        );
        let mut sorted = guess.sample.clone();
        sorted.sort_by(f64::total_cmp);
        for &r in &ranks {
            let w = narrowed(&sorted, r, n, gap(tallies, r)).expect("a window");
            let x = r as f64;
            assert!(
                w.lo <= x && x <= w.hi && w.hi - w.lo < 10_000.0,
                "{r}: {w:?}"
            );
        }
        let (stats, zeros) =
            order_statistics_in_windows(&values, first.round, &ranks, n, guess.sample);
        assert!(zeros.is_empty());
        assert_eq!(stats, ranks.iter().map(|&r| r as f64).collect::<Vec<_>>());
    }

    #[test]
    fn a_gap_lies_between_the_windows_about_a_rank() {
        let tally = |lo: f64, hi: f64, below: usize, inside: usize| Tally {
            window: Window { lo, hi },
            below,
            inside,
            start: 0,
        };
        let tallies = [tally(5.0, 5.0, 10, 5), tally(7.0, 9.0, 20, 8)];
        let window = |lo: f64, hi: f64| Window { lo, hi };
        assert_eq!(
            gap(&tallies, 3),
            window(f64::NEG_INFINITY, 5.0f64.next_down())
        );
        assert_eq!(
            gap(&tallies, 17),
            window(5.0f64.next_up(), 7.0f64.next_down())
        );
        assert_eq!(gap(&tallies, 40), window(9.0f64.next_up(), f64::INFINITY));
    }

    #[test]
    fn order_statistics_by_keys_agree_with_a_sort() {
        let mut rng = Rng(3);
        let values: Vec<f64> = (0..5_000)
            .map(|_| match rng.below(5) {
                0 => -0.0,
                1 => 0.0,
                2 => f64::INFINITY,
                _ => rng.uniform() - 0.5,
            })
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let at = [0, 1, 17, 1000, 1001, 2500, 4998, 4999];
        let found = order_statistics_by_keys(&values, &at);
        for (&i, &v) in at.iter().zip(&found) {
            assert_eq!(v.to_bits(), sorted[i].to_bits(), "position {i}");
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
