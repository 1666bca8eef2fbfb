//! describe's statistics against a plain reference on random data: quartiles
//! by sorting and linear interpolation (numpy's default), mean and sample
//! sd by the textbook formulas.

mod common;

use common::{described, run};
use toolhost_rng::Rng;
use toolhost_sdk::json;

/// numpy.quantile(x, q) with the default linear method.
fn reference_quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn check(n: usize, seed: u64, integers: bool) {
    let mut rng = Rng::stream(seed, 0);
    let mut csv = String::from("x\n");
    let mut values = Vec::new();
    let mut missing = 0;
    for _ in 0..n {
        if rng.uniform() < 0.1 {
            csv.push_str("NA\n");
            missing += 1;
            continue;
        }
        let v = if integers {
            (rng.next_u64() % 21) as f64 - 10.0
        } else {
            rng.normal() * 1e3 + 50.0
        };
        // `{}` writes the shortest text that reads back as the same f64.
        csv.push_str(&format!("{v}\n"));
        values.push(v);
    }
    let out = run(json!({ "text": csv })).0;
    let x = described(&out, "x");
    assert_eq!(x["count"].as_u64(), Some(values.len() as u64), "n={n}");
    assert_eq!(x["missing"].as_u64(), Some(missing), "n={n}");

    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    for (key, q) in [
        ("min", 0.0),
        ("q25", 0.25),
        ("median", 0.5),
        ("q75", 0.75),
        ("max", 1.0),
    ] {
        let expected = reference_quantile(&sorted, q);
        let got = x[key].as_f64().unwrap();
        assert!(
            (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "n={n} {key}: {got} != {expected}"
        );
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(x["mean"].as_f64().unwrap(), mean), "n={n} mean");
    assert!(close(x["sd"].as_f64().unwrap(), var.sqrt()), "n={n} sd");
}

#[test]
fn quartiles_match_sorting_with_linear_interpolation() {
    // Sizes on both sides of the switch from selection to radix selection.
    for (i, n) in [5, 8, 101, 1000, 20_000, 60_001].into_iter().enumerate() {
        check(n, 7 + i as u64, false);
        check(n, 100 + i as u64, true);
    }
}
