//! mcmc: minimum-over-dimensions bulk ESS per second of the whole call, 100,000 draws in
//! all (4 chains x (5,000 warm-up + 20,000 kept)), on the three targets.

use serde_json::json;

use super::Bench;
use super::stats::median;

const SEEDS: u64 = 5;

#[path = "../../../../plugins/mcmc/tests/common/targets.rs"]
pub(crate) mod targets;
use targets::{BANANA, ar1_gaussian, iid_gaussian};

fn measure(bench: &Bench, label: &str, density: &str, names: &[String], goal: f64) {
    let mut rates = Vec::new();
    let mut worst_ess = f64::INFINITY;
    for seed in 1..=SEEDS {
        let input = json!({
            "log_density": density,
            "parameters": names,
            "chains": 4,
            "warmup": 5_000,
            "draws": 20_000,
            "seed": seed,
        });
        let (out, took) = bench.call("mcmc", &input);
        let params = &out.first_json().expect("mcmc answers JSON")["parameters"];
        let ess = names
            .iter()
            .map(|n| params[n]["ess_bulk"].as_f64().expect("ess_bulk"))
            .fold(f64::INFINITY, f64::min);
        worst_ess = worst_ess.min(ess);
        rates.push(ess / took.as_secs_f64());
    }
    let rate = median(rates);
    println!(
        "{label:<42} median {rate:>9.0} ESS/s (goal {goal:>7.0}, {}); lowest min-ESS {worst_ess:.0}",
        if rate >= goal { "met" } else { "MISSED" }
    );
}

pub fn run(bench: &Bench) {
    println!("min bulk ESS per second of the call, median of {SEEDS} seeds");
    let (src, names) = iid_gaussian(10);
    measure(bench, "(a) 10-d standard Gaussian", &src, &names, 185_000.0);
    let (src, names) = ar1_gaussian(5, 0.9);
    measure(
        bench,
        "(b) 5-d Gaussian, correlation 0.9^|i-j|",
        &src,
        &names,
        12_600.0,
    );
    let names = vec!["x".to_owned(), "y".to_owned()];
    measure(bench, "(c) 2-d banana", BANANA, &names, 1_500.0);
}
