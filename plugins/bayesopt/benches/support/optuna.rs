//! The anchor both bayesopt benchmarks compare against: Optuna's `GPSampler` with its
//! defaults, run by `plugins/bayesopt/benches/optuna_reference.py` in the same session
//! on the same problems, budgets and seeds. Shared by the native bench
//! (`cargo bench -p tool-bayesopt --bench regret`) and the sandbox one
//! (`cargo bench -p toolhost --bench tools -- bayesopt`).
//!
//! Optuna needs torch, so it runs from a venv the benches never create (not in CI):
//!
//! ```text
//! python3 -m venv target/optuna-venv
//! target/optuna-venv/bin/pip install --no-cache-dir optuna torch greenlet scipy
//! ```
//!
//! or name another interpreter with `OPTUNA_PYTHON`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// Both crates that include this file sit two levels below the workspace root.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn python() -> PathBuf {
    std::env::var_os("OPTUNA_PYTHON").map_or_else(
        || workspace_root().join("target/optuna-venv/bin/python"),
        PathBuf::from,
    )
}

/// One problem's runs: regret and wall seconds per seed, and Optuna's version.
#[derive(Debug, Default)]
pub struct ProblemRuns {
    pub regrets: Vec<f64>,
    pub seconds: Vec<f64>,
    pub version: String,
}

/// Optuna's runs on `seeds`, by problem name ("Branin", "Hartmann-6",
/// "Ackley-5"; `only` some of them, empty for all); Err says why there are none (no
/// interpreter, or the script failed).
pub fn runs(
    seeds: std::ops::RangeInclusive<u64>,
    only: &[&str],
) -> Result<std::collections::BTreeMap<String, ProblemRuns>, String> {
    let script = workspace_root().join("plugins/bayesopt/benches/optuna_reference.py");
    let out = Command::new(python())
        .arg(script)
        .arg(format!("{}-{}", seeds.start(), seeds.end()))
        .args(only)
        .env("PYTHONWARNINGS", "ignore")
        .output()
        .map_err(|e| format!("no Optuna interpreter at {}: {e}", python().display()))?;
    if !out.status.success() {
        return Err(format!(
            "optuna_reference.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut by_problem = std::collections::BTreeMap::<String, ProblemRuns>::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(run) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let (Some(problem), Some(regret), Some(seconds)) = (
            run["problem"].as_str(),
            run["regret"].as_f64(),
            run["seconds"].as_f64(),
        ) else {
            continue;
        };
        let entry = by_problem.entry(problem.to_owned()).or_default();
        entry.regrets.push(regret);
        entry.seconds.push(seconds);
        entry.version = run["optuna"].as_str().unwrap_or("?").to_owned();
    }
    Ok(by_problem)
}
