//! Sampling efficiency, natively: minimum bulk ESS over the dimensions per
//! second of sampling, on the three reference targets, with 100,000 draws in
//! all: NUTS and Metropolis as 4 chains x (5,000 warm-up + 20,000 kept), the
//! ensemble as 32 walkers x (625 + 2,500). The sandbox's figures, with
//! emcee's beside them, are `cargo bench -p toolhost --bench tools -- mcmc`.
//!
//! `cargo bench -p tool-mcmc --bench sampling`

use std::time::Instant;

use tool_mcmc::model::ExprModel;
use tool_mcmc::sampler::{self, Algorithm, Init, Settings};
use tool_mcmc::summary;
use tool_mcmc::transform::Transform;
use toolhost_rng::Rng;

struct Random;

impl Init for Random {
    fn fill(&self, rng: &mut Rng, q: &mut [f64]) {
        for q in q {
            *q = rng.uniform_in(-2.0, 2.0);
        }
    }
    fn attempts(&self) -> usize {
        100
    }
}

#[path = "../tests/common/targets.rs"]
mod targets;
use targets::{BANANA, ar1_gaussian, iid_gaussian};

fn measure(label: &str, src: &str, names: &[String], goal: f64) {
    measure_with(label, src, names, goal, nuts());
    let (label, rest) = label.split_at(3);
    let rest = rest.trim_start();
    measure_with(
        &format!("{label} {rest}, Metropolis"),
        src,
        names,
        0.0,
        metropolis(),
    );
    measure_with(
        &format!("{label} {rest}, ensemble"),
        src,
        names,
        0.0,
        ensemble(),
    );
}

fn nuts() -> Settings {
    Settings {
        chains: 4,
        warmup: 5_000,
        draws: 20_000,
        seed: 1,
        algorithm: Algorithm::Nuts {
            max_depth: 10,
            target_accept: 0.8,
            raise_on_divergence: true,
        },
    }
}

fn metropolis() -> Settings {
    Settings {
        algorithm: Algorithm::Metropolis,
        ..nuts()
    }
}

fn ensemble() -> Settings {
    Settings {
        chains: 1,
        warmup: 625,
        draws: 2_500,
        seed: 1,
        algorithm: Algorithm::Ensemble { walkers: 32 },
    }
}

fn measure_with(label: &str, src: &str, names: &[String], goal: f64, settings: Settings) {
    let program = toolhost_expr::compile(src, names).unwrap();
    let mut model = ExprModel::new(program, vec![Transform::Identity; names.len()]);
    let start = Instant::now();
    let run = sampler::run(&mut model, &settings, &Random, &mut |_, _| {}).unwrap();
    let sampling = start.elapsed().as_secs_f64();
    // The tool summarises every parameter before it answers: count that too.
    let summary = summary::summarize(names, &run, &settings);
    let seconds = start.elapsed().as_secs_f64();
    let ess = summary
        .parameters
        .iter()
        .map(|(_, s)| s.ess_bulk)
        .fold(f64::INFINITY, f64::min);
    if !matches!(settings.algorithm, Algorithm::Nuts { .. }) {
        let acceptance = summary.sampler.acceptance;
        println!(
            "{label}: min bulk ESS {ess:.0} in {seconds:.3} s ({sampling:.3} s sampling) = {:.0} ESS/s; acceptance {acceptance:.3}",
            ess / seconds
        );
        return;
    }
    let leapfrogs: u64 = run
        .chains
        .iter()
        .flat_map(|c| &c.n_leapfrog)
        .map(|&n| u64::from(n))
        .sum();
    let divergences: usize = run
        .chains
        .iter()
        .map(|c| c.divergent.iter().filter(|d| **d).count())
        .sum();
    println!(
        "{label}: min bulk ESS {ess:.0} in {seconds:.3} s ({sampling:.3} s sampling, the rest \
         diagnostics) = {:.0} ESS/s (goal {goal:.0}); {:.1} leapfrog steps per draw, \
         {:.0} ns per step, {divergences} divergences",
        ess / seconds,
        leapfrogs as f64 / 80_000.0,
        sampling * 1e9 / leapfrogs as f64 / 1.25,
    );
}

fn main() {
    let (src, names) = iid_gaussian(10);
    measure("(a) 10-d standard Gaussian", &src, &names, 185_000.0);
    let (src, names) = ar1_gaussian(5, 0.9);
    measure(
        "(b) 5-d Gaussian, correlation 0.9^|i-j|",
        &src,
        &names,
        12_600.0,
    );
    let names = vec!["x".to_owned(), "y".to_owned()];
    measure("(c) 2-d banana", BANANA, &names, 1_500.0);
}
