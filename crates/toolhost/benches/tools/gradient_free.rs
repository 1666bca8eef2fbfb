//! Gradient-free sampling against emcee, in one run: min-over-dimensions bulk ESS per
//! second on the mcmc suite's three targets, 100,000 draws each.
//!
//! - ours, in the sandbox (the whole `Dispatcher::call`, diagnostics included): the
//!   ensemble (32 walkers x (625 burn-in + 2,500 kept), one ensemble, walkers as chains)
//!   and Metropolis (4 chains x (5,000 + 20,000)), with their acceptance rates;
//! - emcee, from `plugins/mcmc/benches/emcee_reference.py` on the same budget and starts,
//!   with ArviZ's bulk ESS over walkers as chains (the estimator the tool reports);
//!   seconds are emcee's `run_mcmc` alone, which favours emcee. "emcee, own tau" is the
//!   rate by emcee's `integrated_time` (walker-averaged autocorrelation), for reference;
//!   the ratio is ours against the better of emcee's two ArviZ-ESS rates.
//!
//! emcee runs from a venv the bench never creates (not in CI):
//! `python3 -m venv target/emcee-venv && target/emcee-venv/bin/pip install emcee numpy arviz`,
//! or name another interpreter with `EMCEE_PYTHON`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use super::Bench;
use super::stats::median;

const SEEDS: u64 = 3;

// The same target densities as the mcmc suite (and the plugin's own tests).
use super::mcmc::targets::{BANANA, ar1_gaussian, iid_gaussian};

/// Median min-ESS per second and median acceptance over the seeds.
fn ours(bench: &Bench, density: &str, names: &[String], settings: &Value) -> (f64, f64) {
    let mut rates = Vec::new();
    let mut acceptance = Vec::new();
    for seed in 1..=SEEDS {
        let mut input = json!({ "log_density": density, "parameters": names, "seed": seed });
        for (k, v) in settings.as_object().expect("settings") {
            input[k] = v.clone();
        }
        let (out, took) = bench.call("mcmc", &input);
        let out = out.first_json().expect("mcmc answers JSON");
        let ess = names
            .iter()
            .map(|n| out["parameters"][n]["ess_bulk"].as_f64().expect("ess_bulk"))
            .fold(f64::INFINITY, f64::min);
        rates.push(ess / took.as_secs_f64());
        acceptance.push(out["sampler"]["acceptance"].as_f64().expect("acceptance"));
    }
    (median(rates), median(acceptance))
}

fn python() -> PathBuf {
    std::env::var_os("EMCEE_PYTHON").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/emcee-venv/bin/python"),
        PathBuf::from,
    )
}

/// emcee's runs, one JSON object per target, variant and seed; `None` without emcee.
fn emcee() -> Option<Vec<Value>> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/mcmc/benches/emcee_reference.py");
    let out = Command::new(python())
        .arg(script)
        .arg(SEEDS.to_string())
        .env("PYTHONWARNINGS", "ignore")
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "emcee_reference.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    )
}

/// Median min-ESS per second and acceptance of emcee's runs on `target`, and the rate
/// by emcee's own autocorrelation-time estimate.
fn emcee_rate(runs: &[Value], target: &str, vectorize: bool) -> (f64, f64, f64) {
    let mine: Vec<&Value> = runs
        .iter()
        .filter(|r| r["target"] == target && r["vectorize"] == vectorize)
        .collect();
    let rate = |r: &&Value| r["min_ess_bulk"].as_f64().unwrap() / r["seconds"].as_f64().unwrap();
    (
        median(mine.iter().map(rate).collect()),
        median(
            mine.iter()
                .map(|r| r["acceptance"].as_f64().unwrap())
                .collect(),
        ),
        median(
            mine.iter()
                .map(|r| r["min_ess_emcee"].as_f64().unwrap() / r["seconds"].as_f64().unwrap())
                .collect(),
        ),
    )
}

pub fn run(bench: &Bench) {
    let ensemble =
        json!({ "sampler": "ensemble", "walkers": 32, "chains": 1, "warmup": 625, "draws": 2500 });
    let metropolis =
        json!({ "sampler": "metropolis", "chains": 4, "warmup": 5000, "draws": 20000 });
    let xy = vec!["x".to_owned(), "y".to_owned()];
    let (g, gn) = iid_gaussian(10);
    let (c, cn) = ar1_gaussian(5, 0.9);
    let targets = [
        ("gauss10", g, gn),
        ("corr5", c, cn),
        ("banana", BANANA.to_owned(), xy),
    ];
    let runs = emcee();
    if runs.is_none() {
        println!(
            "(no emcee at {}: see the top of benches/tools/gradient_free.rs)",
            python().display()
        );
    }
    println!(
        "min bulk ESS per second, median of {SEEDS} seeds, 100,000 draws; acceptance in brackets"
    );
    println!(
        "{:<8} {:>16} {:>18} {:>16} {:>20} {:>16} {:>14}",
        "target",
        "ours: ensemble",
        "ours: Metropolis",
        "emcee",
        "emcee vectorised",
        "emcee's own ESS",
        "ensemble/emcee"
    );
    for (name, density, names) in &targets {
        let (e, ea) = ours(bench, density, names, &ensemble);
        let (m, ma) = ours(bench, density, names, &metropolis);
        let cell = |rate: f64, acc: f64| format!("{rate:.0} ({acc:.2})");
        let (emcee, emcee_v, own, ratio) = match &runs {
            Some(runs) => {
                let (r, a, own) = emcee_rate(runs, name, false);
                let (rv, av, _) = emcee_rate(runs, name, true);
                let best = r.max(rv);
                (
                    cell(r, a),
                    cell(rv, av),
                    format!("{own:.0}"),
                    format!("{:.1}x", e / best),
                )
            }
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        println!(
            "{name:<8} {:>16} {:>18} {emcee:>16} {emcee_v:>20} {own:>16} {ratio:>14}",
            cell(e, ea),
            cell(m, ma),
        );
    }
}
