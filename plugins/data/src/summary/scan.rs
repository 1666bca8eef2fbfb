//! One pass over a column: the count, sum and extremes of its numbers, and
//! per window how many lie below it and in it, keeping those in its spans.
//! The loops over a block of values are written for vector registers.

/// A closed interval of numbers. A point (one number, or the two zeros,
/// which float comparisons do not tell apart) has its values counted; a span
/// has them kept, and holds the numbers that round to an f32 in its bounds
/// rounded to f32: a little wider, still a contiguous run of the values in
/// total_cmp order, and compared four at a time in vector registers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Window {
    pub(super) lo: f64,
    pub(super) hi: f64,
}

impl Window {
    pub(super) fn is_point(&self) -> bool {
        self.lo == self.hi
    }

    pub(super) fn span_bounds(&self) -> (f32, f32) {
        (self.lo as f32, self.hi as f32)
    }

    fn span_holds(&self, v: f64) -> bool {
        let ((lo, hi), x) = (self.span_bounds(), v as f32);
        lo <= x && x <= hi
    }
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
pub(super) struct Scan {
    /// Values that are not NaN.
    pub(super) n: usize,
    pub(super) sum: f64,
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) round: Round,
}

/// The windows of one pass: their tallies, and the values of its spans in
/// the order met.
pub(super) struct Round {
    pub(super) tallies: Vec<Tally>,
    pub(super) kept: Vec<f64>,
}

/// How many values lie below a window and in it; for a span, where its
/// values start in `kept` sorted (the spans being sorted and disjoint).
pub(super) struct Tally {
    pub(super) window: Window,
    pub(super) below: usize,
    pub(super) inside: usize,
    pub(super) start: usize,
}

impl Tally {
    pub(super) fn holds_rank(&self, r: usize) -> bool {
        self.below <= r && r < self.below + self.inside
    }
}

/// One pass over `values` tallying up to three windows, sorted, with `room`
/// for the values kept.
pub(super) fn scan(values: &[f64], windows: &[Window], room: usize) -> Scan {
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
    let (quads, rest) = block.as_chunks::<4>();
    for (quad, x) in quads.iter().zip(rounded.as_chunks_mut::<4>().0) {
        let [a, b, c, d] = *quad;
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
    let done = block.len() - rest.len();
    for (l, &v) in rest.iter().enumerate() {
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
