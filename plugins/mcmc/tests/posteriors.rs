//! The samplers recover known distributions: every estimate is within four
//! of its own Monte Carlo standard errors of the closed-form value, and the
//! chains converge. Seeds are fixed, so these results are reproducible.

mod common;

use common::{converged, normals, sample, stat, within_mcse};
use toolhost_sdk::json;

/// Four standard errors: a correct sampler fails this for one in ~16,000
/// estimates, a biased one as soon as its bias shows above the noise.
const K: f64 = 4.0;

#[test]
fn standard_normal() {
    let out = sample(json!({
        "log_density": "normal_lpdf(x, 0, 1)",
        "parameters": ["x"],
        "seed": 11,
    }));
    converged(&out);
    within_mcse(&out, "x", "mean", 0.0, K);
    within_mcse(&out, "x", "sd", 1.0, K);
}

/// The AR(1) correlation 0.9^|i-j| in five dimensions, through its
/// tridiagonal precision matrix.
#[test]
fn correlated_gaussian_in_five_dimensions() {
    let rho: f64 = 0.9;
    let src = format!(
        "-(x1^2 + {d}*(x2^2 + x3^2 + x4^2) + x5^2 - {r2}*(x1*x2 + x2*x3 + x3*x4 + x4*x5)) / {den}",
        d = 1.0 + rho * rho,
        r2 = 2.0 * rho,
        den = 2.0 * (1.0 - rho * rho)
    );
    let out = sample(json!({
        "log_density": src,
        "parameters": ["x1", "x2", "x3", "x4", "x5"],
        "draws": 2000,
        "seed": 5,
        "output_draws": 2000,
    }));
    converged(&out);
    for x in ["x1", "x2", "x3", "x4", "x5"] {
        within_mcse(&out, x, "mean", 0.0, K);
        within_mcse(&out, x, "sd", 1.0, K);
    }
    // The correlations, with their own MCSE from the draws of the products.
    let chains = out["draws"]["chains"].as_array().unwrap();
    let series = |c: &toolhost_sdk::Value, name: &str| -> Vec<f64> {
        c[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    for (a, b, lag) in [("x1", "x2", 1), ("x2", "x4", 2), ("x1", "x5", 4)] {
        let products: Vec<Vec<f64>> = chains
            .iter()
            .map(|c| {
                series(c, a)
                    .iter()
                    .zip(series(c, b))
                    .map(|(x, y)| x * y)
                    .collect()
            })
            .collect();
        let n: f64 = products.iter().map(|p| p.len() as f64).sum();
        let mean = products.iter().flatten().sum::<f64>() / n;
        let mcse = tool_mcmc::diagnostics::mcse_mean(&products);
        let truth = rho.powi(lag);
        assert!(
            (mean - truth).abs() <= K * mcse,
            "E[{a} {b}] = {mean}, want {truth} (MCSE {mcse})"
        );
    }
}

/// A normal mean with known scale and a normal prior, from 120
/// observations: the posterior is normal with closed-form moments.
#[test]
fn conjugate_normal_normal() {
    let (sigma, m0, s0) = (2.0, 1.0, 5.0);
    let y: Vec<f64> = normals(3, 120).iter().map(|z| 3.5 + sigma * z).collect();
    let n = y.len() as f64;
    let precision = 1.0 / (s0 * s0) + n / (sigma * sigma);
    let post_mean = (m0 / (s0 * s0) + y.iter().sum::<f64>() / (sigma * sigma)) / precision;
    let post_sd = 1.0 / precision.sqrt();

    let out = sample(json!({
        "log_density": "normal_lpdf(mu, m0, s0) + sum(normal_lpdf(y, mu, sigma))",
        "parameters": ["mu"],
        "data": { "y": y, "sigma": sigma, "m0": m0, "s0": s0 },
        "draws": 2000,
        "seed": 21,
    }));
    converged(&out);
    within_mcse(&out, "mu", "mean", post_mean, K);
    within_mcse(&out, "mu", "sd", post_sd, K);
}

/// A success probability on (0, 1) with a Beta(2, 3) prior and 100
/// Bernoulli trials: the posterior is Beta(2 + k, 3 + n - k). The bounds
/// are handled by a logistic transform whose Jacobian the tool adds.
#[test]
fn conjugate_beta_binomial() {
    let trials: Vec<f64> = normals(4, 100)
        .iter()
        .map(|z| f64::from(u8::from(*z < -0.3)))
        .collect();
    let k: f64 = trials.iter().sum();
    let n = trials.len() as f64;
    let (a, b) = (2.0 + k, 3.0 + n - k);
    let mean = a / (a + b);
    let sd = (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt();

    let out = sample(json!({
        "log_density": "beta_lpdf(p, 2, 3) + sum(bernoulli_lpmf(y, p))",
        "parameters": { "p": { "lower": 0, "upper": 1 } },
        "data": { "y": trials },
        "draws": 2000,
        "seed": 8,
    }));
    converged(&out);
    within_mcse(&out, "p", "mean", mean, K);
    within_mcse(&out, "p", "sd", sd, K);
    // The same posterior from the count alone.
    let out = sample(json!({
        "log_density": "beta_lpdf(p, 2, 3) + binomial_lpmf(k, n, p)",
        "parameters": { "p": { "lower": 0, "upper": 1 } },
        "data": { "k": k, "n": n },
        "draws": 2000,
        "seed": 9,
    }));
    within_mcse(&out, "p", "mean", mean, K);
    within_mcse(&out, "p", "sd", sd, K);
}

/// A normal scale, constrained positive, with a gamma prior on the
/// precision 1/sigma^2 written as a density of sigma (the change of
/// variables is the user's: d tau / d sigma = 2 / sigma^3). The posterior
/// precision is Gamma(a + n/2, b + sum(y^2)/2), so the moments of sigma
/// are closed-form. Without the transform's own Jacobian this would be off.
#[test]
fn positive_scale_against_its_known_posterior() {
    let true_sigma = 1.7;
    let y: Vec<f64> = normals(6, 60).iter().map(|z| true_sigma * z).collect();
    let (a, b) = (3.0, 4.0);
    let alpha = a + y.len() as f64 / 2.0;
    let beta = b + y.iter().map(|v| v * v).sum::<f64>() / 2.0;
    let lgamma = libm::lgamma;
    let mean = beta.sqrt() * libm::exp(lgamma(alpha - 0.5) - lgamma(alpha));
    let sd = (beta / (alpha - 1.0) - mean * mean).sqrt();

    let out = sample(json!({
        "log_density": "gamma_lpdf(1 / sigma^2, a, b) + ln(2) - 3 * ln(sigma) + sum(normal_lpdf(y, 0, sigma))",
        "parameters": { "sigma": "positive" },
        "data": { "y": y, "a": a, "b": b },
        "draws": 2000,
        "seed": 13,
    }));
    converged(&out);
    within_mcse(&out, "sigma", "mean", mean, K);
    within_mcse(&out, "sigma", "sd", sd, K);
    assert!(stat(&out, "sigma", "q5") > 0.0);
}

/// Random-walk Metropolis on a correlated pair: slower, but right.
#[test]
fn metropolis_recovers_a_correlated_gaussian() {
    let out = sample(json!({
        "log_density": "-(x^2 - 1.6*x*y + y^2) / (2 * (1 - 0.64))",
        "parameters": ["x", "y"],
        "sampler": "metropolis",
        "draws": 5000,
        "seed": 17,
    }));
    for p in ["x", "y"] {
        within_mcse(&out, p, "mean", 0.0, K);
        within_mcse(&out, p, "sd", 1.0, K);
        assert!(stat(&out, p, "rhat") < 1.01);
    }
    let acceptance = out["sampler"]["acceptance"].as_f64().unwrap();
    assert!((0.2..0.6).contains(&acceptance), "acceptance {acceptance}");
}

/// Metropolis also samples what NUTS must refuse: a density with steps.
#[test]
fn metropolis_handles_a_density_with_steps() {
    // p(x) is proportional to 2 on (-1, 0), 1 on (0, 1), 0 elsewhere:
    // mean = (2 * -1/2 + 1 * 1/2) / 3 = -1/6, E[x^2] = 1/3.
    let out = sample(json!({
        "log_density": "if(x < 0, ln(2), 0)",
        "parameters": { "x": { "lower": -1, "upper": 1 } },
        "sampler": "metropolis",
        "draws": 5000,
        "seed": 19,
    }));
    within_mcse(&out, "x", "mean", -1.0 / 6.0, K);
    within_mcse(&out, "x", "sd", (1.0 / 3.0 - 1.0 / 36.0f64).sqrt(), K);
}
