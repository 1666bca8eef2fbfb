//! `summarise` against slow references on columns of many shapes and
//! lengths, and the windows, passes and retries it is made of.

use super::order_statistics::{RADIX_MIN, interpolate, order_statistics_by_keys, ranks_for};
use super::scan::{Tally, Window, scan};
use super::windows::{gap, guess_windows, narrowed, order_statistics_in_windows, sample_positions};
use super::{NumberSummary, QS, quantiles, summarise};

/// Mean and sample standard deviation (n - 1 in the denominator; `None`
/// with fewer than two values), by two passes: the reference `summarise` is
/// checked against.
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
    let (stats, zeros) = order_statistics_in_windows(&values, first.round, &ranks, n, guess.sample);
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
