//! The gradient-free samplers: the ensemble recovers known Gaussians, it is
//! chosen by itself for densities without a gradient, and Metropolis'
//! adaptation reaches its acceptance target. Seeds are fixed; tolerances
//! are the runs' own Monte Carlo standard errors, not bit patterns.

mod common;

#[path = "common/targets.rs"]
#[allow(dead_code)] // the banana is for the benches
mod targets;

use common::{sample, stat, within_mcse};
use targets::{ar1_gaussian, iid_gaussian};
use toolhost_sdk::json;

/// Four standard errors, as in the posterior tests.
const K: f64 = 4.0;

#[test]
fn the_ensemble_recovers_a_ten_dimensional_standard_gaussian() {
    let (src, names) = iid_gaussian(10);
    let out = sample(json!({
        "log_density": src,
        "parameters": names,
        "sampler": "ensemble",
        "draws": 6000,
        "seed": 3,
    }));
    assert_eq!(out["sampler"]["name"], "ensemble");
    assert_eq!(out["sampler"]["walkers"], 32);
    for n in &names {
        within_mcse(&out, n, "mean", 0.0, K);
        within_mcse(&out, n, "sd", 1.0, K);
        // Walkers are short chains that move slowly in 10-d (integrated
        // autocorrelation time ~150 sweeps), so R-hat over them settles slowly.
        assert!(stat(&out, n, "rhat") < 1.03, "{n}: {out}");
        assert!(stat(&out, n, "ess_bulk") > 400.0, "{n}: {out}");
    }
    // The stretch move accepts about a third of its moves in 10-d.
    let acceptance = out["sampler"]["acceptance"].as_f64().unwrap();
    assert!((0.15..0.5).contains(&acceptance), "acceptance {acceptance}");
}

#[test]
fn the_ensemble_recovers_a_strongly_correlated_gaussian() {
    let (src, names) = ar1_gaussian(5, 0.9);
    let out = sample(json!({
        "log_density": src,
        "parameters": names,
        "sampler": "gradient_free",
        "draws": 2000,
        "seed": 8,
        "output_draws": 2000,
    }));
    assert_eq!(out["sampler"]["name"], "ensemble");
    for n in &names {
        within_mcse(&out, n, "mean", 0.0, K);
        within_mcse(&out, n, "sd", 1.0, K);
    }
    // Neighbours are correlated 0.9: pool the walkers' products.
    let chains = out["draws"]["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 32, "one chain per walker");
    let products: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| {
            let (a, b) = (c["x2"].as_array().unwrap(), c["x3"].as_array().unwrap());
            a.iter()
                .zip(b)
                .map(|(x, y)| x.as_f64().unwrap() * y.as_f64().unwrap())
                .collect()
        })
        .collect();
    let n: f64 = products.iter().map(|p| p.len() as f64).sum();
    let mean = products.iter().flatten().sum::<f64>() / n;
    let mcse = tool_mcmc::diagnostics::mcse_mean(&products);
    assert!(
        (mean - 0.9).abs() <= K * mcse,
        "E[x2 x3] = {mean} (MCSE {mcse})"
    );
}

#[test]
fn a_density_with_a_kink_gets_the_ensemble_and_the_result_says_so() {
    // A Laplace density: mean 0, sd sqrt(2).
    let out = sample(json!({
        "log_density": "-abs(x)",
        "parameters": ["x"],
        "draws": 2000,
        "seed": 4,
    }));
    assert_eq!(out["sampler"]["name"], "ensemble");
    let why = out["sampler"]["chosen_because"].as_str().unwrap();
    assert!(why.contains("kink"), "{why}");
    within_mcse(&out, "x", "mean", 0.0, K);
    within_mcse(&out, "x", "sd", 2f64.sqrt(), K);
}

#[test]
fn steps_get_the_ensemble_and_smooth_densities_keep_nuts() {
    let steps = sample(json!({
        "log_density": "if(x < 0, ln(2), 0)",
        "parameters": { "x": { "lower": -1, "upper": 1 } },
        "draws": 2000,
        "seed": 19,
    }));
    assert_eq!(steps["sampler"]["name"], "ensemble");
    let why = steps["sampler"]["chosen_because"].as_str().unwrap();
    assert!(why.contains("not differentiable"), "{why}");
    // p(x) is 2 on (-1, 0) and 1 on (0, 1): mean -1/6.
    within_mcse(&steps, "x", "mean", -1.0 / 6.0, K);

    let smooth = sample(json!({
        "log_density": "normal_lpdf(x, 0, 1)",
        "parameters": ["x"],
        "draws": 200,
    }));
    assert_eq!(smooth["sampler"]["name"], "nuts");
    assert!(smooth["sampler"].get("chosen_because").is_none());

    // Asking for walkers asks for the ensemble.
    let walkers = sample(json!({
        "log_density": "normal_lpdf(x, 0, 1)",
        "parameters": ["x"],
        "walkers": 8,
        "draws": 200,
    }));
    assert_eq!(walkers["sampler"]["name"], "ensemble");
    assert_eq!(walkers["sampler"]["walkers"], 8);
}

#[test]
fn fixed_starting_values_are_spread_so_the_walkers_can_move() {
    let out = sample(json!({
        "log_density": "normal_lpdf(x, 1, 2) + normal_lpdf(y, -1, 0.5)",
        "parameters": ["x", "y"],
        "sampler": "ensemble",
        "init": { "x": 0, "y": 0 },
        "draws": 2000,
        "seed": 2,
    }));
    within_mcse(&out, "x", "mean", 1.0, K);
    within_mcse(&out, "y", "sd", 0.5, K);
}

#[test]
fn metropolis_reaches_its_acceptance_target_in_ten_dimensions() {
    let (src, names) = iid_gaussian(10);
    for seed in [1, 2, 3] {
        let out = sample(json!({
            "log_density": src,
            "parameters": names,
            "sampler": "metropolis",
            "warmup": 5000,
            "draws": 5000,
            "seed": seed,
        }));
        let acceptance = out["sampler"]["acceptance"].as_f64().unwrap();
        assert!(
            (0.15..=0.35).contains(&acceptance),
            "seed {seed}: acceptance {acceptance}, target 0.236"
        );
    }
}
