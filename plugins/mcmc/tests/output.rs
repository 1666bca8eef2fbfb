//! What the tool returns: a readable table, complete JSON, optional draws,
//! plain-word warnings, and the same result for the same seed.

mod common;

use common::{call, sample, stat};
use toolhost_sdk::{Value, json};

fn text(input: Value) -> String {
    call(input).unwrap().first_text().unwrap().to_owned()
}

#[test]
fn the_table_lists_parameters_in_the_order_given() {
    // An object's keys arrive sorted, so object-form parameters follow
    // their first use in the density; a list keeps its own order.
    let input = json!({
        "log_density": "normal_lpdf(zeta, 1, 2) + normal_lpdf(alpha, -1, 0.5)",
        "parameters": { "zeta": "real", "alpha": "real" },
        "draws": 200,
        "warmup": 200,
    });
    let t = text(input.clone());
    assert!(
        t.starts_with("NUTS: 4 chains x 200 draws after 200 warm-up, seed 1\n"),
        "{t}"
    );
    let header = t.lines().find(|l| l.starts_with("parameter")).unwrap();
    for col in [
        "mean", "sd", "mcse", "5%", "50%", "95%", "ess_bulk", "ess_tail", "r_hat",
    ] {
        assert!(header.contains(col), "{col} in {header}");
    }
    let zeta = t.find("\nzeta ").unwrap();
    let alpha = t.find("\nalpha ").unwrap();
    assert!(zeta < alpha, "{t}");
    assert!(t.contains("acceptance"), "{t}");
    let out = sample(input);
    assert_eq!(out["parameter_order"], json!(["zeta", "alpha"]));
    let out = sample(json!({
        "log_density": "normal_lpdf(zeta, 1, 2) + normal_lpdf(alpha, -1, 0.5)",
        "parameters": ["alpha", "zeta"],
        "draws": 100,
        "warmup": 100,
    }));
    assert_eq!(out["parameter_order"], json!(["alpha", "zeta"]));
}

#[test]
fn the_json_has_every_statistic_and_the_sampler_report() {
    let out = sample(json!({
        "log_density": "normal_lpdf(x, 0, 1)",
        "parameters": ["x"],
        "draws": 300,
        "warmup": 300,
        "chains": 3,
    }));
    for key in [
        "mean",
        "sd",
        "mcse_mean",
        "mcse_sd",
        "q5",
        "q25",
        "q50",
        "q75",
        "q95",
        "ess_bulk",
        "ess_tail",
        "rhat",
    ] {
        assert!(out["parameters"]["x"][key].is_number(), "{key}");
    }
    let q: Vec<f64> = ["q5", "q25", "q50", "q75", "q95"]
        .iter()
        .map(|k| stat(&out, "x", k))
        .collect();
    assert!(q.windows(2).all(|w| w[0] <= w[1]), "{q:?}");
    let s = &out["sampler"];
    assert_eq!(s["name"], "nuts");
    assert_eq!(
        (s["chains"].as_u64(), s["draws"].as_u64()),
        (Some(3), Some(300))
    );
    assert_eq!(s["step_size"].as_array().unwrap().len(), 3);
    assert_eq!(s["e_bfmi"].as_array().unwrap().len(), 3);
    for key in ["acceptance", "mean_tree_depth", "mean_leapfrog_steps"] {
        assert!(s[key].as_f64().unwrap() > 0.0, "{key}");
    }
    assert_eq!(s["divergences"], 0);
    assert_eq!(s["max_tree_depth"], 10);
    assert!(out.get("draws").is_none());
}

#[test]
fn the_same_seed_gives_the_same_result_and_another_seed_does_not() {
    let input = |seed: u64| {
        json!({
            "log_density": "normal_lpdf(m, 0, 3) + sum(normal_lpdf(y, m, s))",
            "parameters": { "m": "real", "s": "positive" },
            "data": { "y": [1.2, 0.4, 2.2, 1.7, 0.9] },
            "draws": 300,
            "warmup": 300,
            "seed": seed,
        })
    };
    let a = call(input(7)).unwrap();
    let b = call(input(7)).unwrap();
    assert_eq!(a, b);
    let c = call(input(8)).unwrap();
    assert_ne!(a.first_json(), c.first_json());
}

#[test]
fn each_chain_has_its_own_stream_whatever_the_number_of_chains() {
    let run = |chains: u64| {
        sample(json!({
            "log_density": "-x^2 / 2",
            "parameters": ["x"],
            "chains": chains,
            "draws": 100,
            "warmup": 100,
            "output_draws": 100,
        }))
    };
    let one = run(1);
    let three = run(3);
    assert_eq!(one["draws"]["chains"][0], three["draws"]["chains"][0]);
    assert_ne!(three["draws"]["chains"][0], three["draws"]["chains"][1]);
}

#[test]
fn draws_are_thinned_to_the_number_asked_for_and_capped() {
    let out = sample(json!({
        "log_density": "-x^2 / 2 - y^2 / 2",
        "parameters": { "x": "real", "y": "positive" },
        "draws": 1000,
        "warmup": 100,
        "chains": 2,
        "output_draws": 40,
    }));
    let d = &out["draws"];
    assert_eq!(d["thin"], 25);
    assert_eq!(d["per_chain"], 40);
    let chains = d["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 2);
    for c in chains {
        assert_eq!(c["x"].as_array().unwrap().len(), 40);
        // Draws are on the parameter's own scale.
        assert!(
            c["y"]
                .as_array()
                .unwrap()
                .iter()
                .all(|v| v.as_f64().unwrap() > 0.0)
        );
    }
    // 100,000 numbers at most: 4 chains x 50 parameters x 500 draws.
    let names: Vec<String> = (0..50).map(|i| format!("p{i}")).collect();
    let src = names
        .iter()
        .map(|n| format!("-{n}^2/2"))
        .collect::<Vec<_>>()
        .join(" ");
    let out = sample(json!({
        "log_density": src,
        "parameters": names,
        "draws": 1000,
        "warmup": 50,
        "output_draws": 1000,
    }));
    assert_eq!(out["draws"]["per_chain"], 500);
}

fn warnings(out: &Value) -> Vec<String> {
    out["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_owned())
        .collect()
}

#[track_caller]
fn warned(out: &Value, words: &str) -> String {
    let all = warnings(out);
    all.iter()
        .find(|w| w.contains(words))
        .unwrap_or_else(|| panic!("no warning with {words:?} in {all:?}"))
        .clone()
}

#[test]
fn chains_stuck_in_different_modes_get_an_r_hat_warning() {
    let out = sample(json!({
        "log_density": "ln(exp(-0.5 * (x - 6)^2) + exp(-0.5 * (x + 6)^2))",
        "parameters": ["x"],
        "draws": 500,
        "warmup": 500,
        "seed": 1,
    }));
    assert!(stat(&out, "x", "rhat") > 1.1);
    let w = warned(&out, "R-hat is above 1.01 for 'x'");
    assert!(w.contains("chains disagree"), "{w}");
}

#[test]
fn divergences_get_a_warning_with_advice() {
    // Neal's funnel: the neck is too narrow for one step size.
    let out = sample(json!({
        "log_density": "normal_lpdf(v, 0, 3) + normal_lpdf(x, 0, exp(v / 2))",
        "parameters": ["v", "x"],
        "target_accept": 0.8,
        "draws": 500,
        "warmup": 500,
        "seed": 2,
    }));
    assert!(out["sampler"]["divergences"].as_u64().unwrap() > 0);
    let w = warned(&out, "diverged");
    assert!(w.contains("target_accept"), "{w}");
}

#[test]
fn without_a_target_divergences_in_warm_up_raise_it_and_say_so() {
    let out = sample(json!({
        "log_density": "normal_lpdf(v, 0, 3) + normal_lpdf(x, 0, exp(v / 2))",
        "parameters": ["v", "x"],
        "draws": 500,
        "warmup": 500,
        "seed": 2,
    }));
    let targets = out["sampler"]["target_accept"].as_array().unwrap();
    assert!(
        targets.iter().any(|t| t.as_f64().unwrap() > 0.8),
        "{targets:?}"
    );
    warned(&out, "target_accept was raised from 0.8");
}

#[test]
fn a_target_given_is_kept_and_an_easy_density_keeps_the_default() {
    let out = sample(json!({
        "log_density": "-x^2 / 2",
        "parameters": ["x"],
        "draws": 1000,
        "warmup": 300,
    }));
    assert_eq!(out["sampler"]["target_accept"], json!([0.8, 0.8, 0.8, 0.8]));
    assert!(warnings(&out).is_empty(), "{:?}", warnings(&out));
}

#[test]
fn too_few_draws_get_a_low_ess_warning() {
    let out = sample(json!({
        "log_density": "-x^2 / 2",
        "parameters": ["x"],
        "draws": 30,
        "warmup": 100,
    }));
    warned(
        &out,
        "Effective sample size is below 400 (100 per chain) for 'x'",
    );
}

#[test]
fn metropolis_reports_its_own_statistics() {
    let out = sample(json!({
        "log_density": "-x^2 / 2",
        "parameters": ["x"],
        "sampler": "metropolis",
        "draws": 500,
        "warmup": 500,
    }));
    let s = &out["sampler"];
    assert_eq!(s["name"], "metropolis");
    assert!(s.get("divergences").is_none());
    assert!(s.get("max_tree_depth").is_none());
    assert_eq!(s["step_size"].as_array().unwrap().len(), 4);
}
