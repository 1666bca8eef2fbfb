//! `curve_fit` against scipy.optimize.curve_fit on five standard fits with fixed data
//! (tests/fixtures/numerics/optimize_refs.json, from make_optimize_refs.py): exponential
//! decay, a Gaussian peak (weighted), Michaelis–Menten (weighted, absolute sigma), a
//! logistic curve and a sine with a trend. The goal: the parameters and their
//! standard errors agree with scipy's to 1e-6, relative.

use tool_optimize::Optimize;
use toolhost_sdk::{Value, json, testing};

const RTOL: f64 = 1e-6;

fn refs() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/numerics/optimize_refs.json"
    ))
    .expect("the reference file is JSON")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= RTOL * b.abs()
}

#[test]
fn parameters_and_standard_errors_match_scipy_to_one_part_in_a_million() {
    let refs = refs();
    let fits = refs["curve_fit"].as_array().expect("a list of fits");
    assert_eq!(fits.len(), 5);
    let mut worst: f64 = 0.0;
    for fit in fits {
        let name = fit["name"].as_str().unwrap();
        let mut input = json!({
            "op": "curve_fit",
            "model": fit["model"],
            "x": fit["x"],
            "y": fit["y"],
            "p0": fit["p0"],
            "absolute_sigma": fit["absolute_sigma"],
        });
        if let Some(sigma) = fit.get("sigma") {
            input["sigma"] = sigma.clone();
        }
        let out = testing::call::<Optimize>(input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let j = out.first_json().expect("a JSON result");
        assert_eq!(j["success"], true, "{name}: {j}");
        for (p, want) in fit["scipy"]["params"].as_object().unwrap() {
            let got = j["params"][p].as_f64().unwrap();
            let want = want.as_f64().unwrap();
            let se_got = j["stderr"][p].as_f64().unwrap();
            let se_want = fit["scipy"]["stderr"][p].as_f64().unwrap();
            println!(
                "{name:18} {p:5} {got:>22.15e} (scipy {want:>22.15e})  ± {se_got:.10e} (scipy {se_want:.10e})"
            );
            worst = worst
                .max((got - want).abs() / want.abs())
                .max((se_got - se_want).abs() / se_want.abs());
            assert!(close(got, want), "{name}: {p} = {got}, scipy {want}");
            assert!(
                close(se_got, se_want),
                "{name}: stderr of {p} = {se_got}, scipy {se_want}"
            );
        }
        let norm = j["residual_norm"].as_f64().unwrap();
        let want = fit["scipy"]["residual_norm"].as_f64().unwrap();
        assert!(
            close(norm, want),
            "{name}: residual norm {norm}, scipy {want}"
        );
    }
    println!("largest relative difference from scipy: {worst:.2e}");
}

#[test]
fn the_covariance_is_scipys_matrix_not_just_its_diagonal() {
    let refs = refs();
    let fit = &refs["curve_fit"][0];
    let input = json!({
        "op": "curve_fit", "model": fit["model"], "x": fit["x"], "y": fit["y"], "p0": fit["p0"],
    });
    let out = testing::call::<Optimize>(input).unwrap();
    let j = out.first_json().unwrap();
    let order: Vec<&str> = j["cov_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // scipy's rows follow the model's parameter order (a, b, c), as does cov_order here.
    assert_eq!(order, ["a", "b", "c"]);
    for a in 0..3 {
        for b in 0..3 {
            let got = j["cov"][a][b].as_f64().unwrap();
            let want = fit["scipy"]["cov"][a][b].as_f64().unwrap();
            assert!(close(got, want), "cov[{a}][{b}] = {got}, scipy {want}");
        }
    }
}
