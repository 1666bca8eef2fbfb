//! `summary::summarise` (describe's numeric columns) on 1,000,000-value
//! columns of several shapes, natively: median time of 31 runs each, and the
//! summary's bits, to compare before and after a change.
//!
//! `cargo bench -p tool-data --bench summarise`

use std::time::{Duration, Instant};

use tool_data::summary;
use toolhost_rng::Rng;

const N: usize = 1_000_000;
const RUNS: usize = 31;

fn columns() -> Vec<(&'static str, Vec<f64>)> {
    let mut rng = Rng::stream(7, 0);
    let digits = (0..N).map(|_| (rng.next_u64() % 9 + 1) as f64).collect();
    let prices = (0..N)
        .map(|_| ((rng.normal() * 12.0 + 40.0).abs() * 100.0).round() / 100.0)
        .collect();
    let reals = (0..N)
        .map(|_| {
            if rng.uniform() < 0.05 {
                f64::NAN
            } else {
                rng.uniform_in(-1e3, 1e3)
            }
        })
        .collect();
    let units = (0..N).map(|_| (rng.next_u64() % 200) as f64).collect();
    let sorted = (0..N).map(|i| i as f64 * 0.01).collect();
    vec![
        ("integers 1..9", digits),
        ("prices |N(40,12)| 2dp", prices),
        ("uniform, 5% NaN", reals),
        ("integers 0..199", units),
        ("ascending", sorted),
    ]
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e3
}

fn main() {
    for (name, values) in columns() {
        let s = summary::summarise(&values);
        let ms = median(
            (0..RUNS)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(summary::summarise(std::hint::black_box(&values)));
                    start.elapsed()
                })
                .collect(),
        );
        println!("{name:>24}: median of {RUNS} runs {ms:.3} ms");
        // Bits, to compare before and after a change.
        let bits = s.quartiles.map(f64::to_bits);
        println!(
            "{:>24}  count {} mean {:?} sd {:?} min {} max {} quartiles {:?} {bits:x?}",
            "", s.count, s.mean, s.sd, s.min, s.max, s.quartiles
        );
    }
}
