#![allow(dead_code)] // each test binary uses a different subset

use tool_mcmc::Mcmc;
use toolhost_sdk::{Output, ToolError, Value, testing};

pub fn call(input: Value) -> Result<Output, ToolError> {
    testing::call::<Mcmc>(input)
}

/// Runs the tool and returns its JSON, failing with the error otherwise.
pub fn sample(input: Value) -> Value {
    match call(input) {
        Ok(out) => out.first_json().expect("a JSON item").clone(),
        Err(e) => panic!("{e}\n{:?}", e.details),
    }
}

pub fn stat(out: &Value, param: &str, key: &str) -> f64 {
    out["parameters"][param][key]
        .as_f64()
        .unwrap_or_else(|| panic!("{param}.{key} missing in {out}"))
}

/// The estimate agrees with the truth within `k` Monte Carlo standard
/// errors: the tolerance comes from the run itself, not from a guess.
#[track_caller]
pub fn within_mcse(out: &Value, param: &str, what: &str, truth: f64, k: f64) {
    let (estimate, mcse) = match what {
        "mean" => (stat(out, param, "mean"), stat(out, param, "mcse_mean")),
        "sd" => (stat(out, param, "sd"), stat(out, param, "mcse_sd")),
        _ => panic!("unknown statistic {what}"),
    };
    // MCMC_SHOW_ERRORS=1 prints every error in MCSE units, to check that
    // they scatter like standard normals rather than crowd the tolerance.
    if std::env::var_os("MCMC_SHOW_ERRORS").is_some() {
        eprintln!("{param} {what}: {:+.2} MCSE", (estimate - truth) / mcse);
    }
    assert!(
        (estimate - truth).abs() <= k * mcse,
        "{param} {what}: {estimate} vs true {truth}, {:.1} MCSE off (MCSE {mcse})",
        (estimate - truth).abs() / mcse
    );
}

/// Converged: R-hat below 1.01 and no divergences.
#[track_caller]
pub fn converged(out: &Value) {
    for (name, p) in out["parameters"].as_object().unwrap() {
        let rhat = p["rhat"].as_f64().unwrap();
        assert!(rhat < 1.01, "{name}: R-hat {rhat}");
    }
    assert_eq!(out["sampler"]["divergences"].as_u64().unwrap_or(0), 0);
}

/// A deterministic stream of standard normals for synthetic data.
pub fn normals(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = toolhost_rng::Rng::stream(seed, 0);
    (0..n).map(|_| rng.normal()).collect()
}
