//! The promises of the issue, through the tool's JSON input.

mod common;

use common::*;
use toolhost_sdk::{ToolError, Value, json};

#[test]
fn finds_the_branin_minimum_within_tolerance_at_a_fixed_seed() {
    let out = call(json!({
        "objective": BRANIN, "bounds": {"x": [-5, 10], "y": [0, 15]},
        "n_calls": 30, "n_initial": 10, "seed": 1,
    }))
    .unwrap();
    let v = out.first_json().unwrap();
    // The trust region polishes the incumbent: well below Optuna GPSampler's
    // median regret of 0.020 at this budget (the regret bench's anchor).
    assert!(best_y(&out) - BRANIN_MIN < 0.002, "{}", best_y(&out));
    assert_eq!(v["history"].as_array().unwrap().len(), 30);
    assert_eq!(v["history"][9]["source"], "design");
    assert_eq!(v["history"][10]["source"], "model");
    // The GP's prediction at the best point agrees with what was observed there.
    let mean = v["prediction_at_best"]["mean"].as_f64().unwrap();
    assert!((mean - best_y(&out)).abs() < 0.1, "{mean}");
}

#[test]
fn finds_the_hartmann6_minimum_more_closely_than_optuna_at_a_fixed_seed() {
    let out = call(json!({
        "objective": hartmann6(), "bounds": unit_bounds(6, 0.0, 1.0),
        "n_calls": 60, "seed": 1,
    }))
    .unwrap();
    // Optuna's GPSampler: median regret 0.0009 over seeds 1-10 at this
    // budget. Plain EI (no margin) lets the end of the run polish that far.
    assert!(
        best_y(&out) - HARTMANN6_MIN < 0.0009,
        "{}",
        best_y(&out) - HARTMANN6_MIN
    );
}

fn design_points(out: &toolhost_sdk::Output, n: usize, name: &str) -> Vec<f64> {
    out.first_json().unwrap()["history"].as_array().unwrap()[..n]
        .iter()
        .map(|e| e["x"][name].as_f64().unwrap())
        .collect()
}

#[test]
fn the_default_sobol_design_puts_one_point_in_each_eighth_of_every_range() {
    let bounds = json!({"x": [-5, 10], "y": [0, 15], "z": [100, 300]});
    let out = call(json!({
        "objective": "x + y + z", "bounds": bounds, "n_calls": 8, "n_initial": 8, "seed": 4,
    }))
    .unwrap();
    for (name, low, high) in [("x", -5.0, 10.0), ("y", 0.0, 15.0), ("z", 100.0, 300.0)] {
        let mut cells: Vec<usize> = design_points(&out, 8, name)
            .iter()
            .map(|v| ((v - low) / (high - low) * 8.0) as usize)
            .collect();
        cells.sort_unstable();
        assert_eq!(cells, (0..8).collect::<Vec<_>>(), "{name}");
    }
    let lhs = call(json!({
        "objective": "x + y + z", "bounds": bounds, "n_calls": 8, "n_initial": 8, "seed": 4,
        "design": "lhs",
    }))
    .unwrap();
    assert_ne!(design_points(&out, 8, "x"), design_points(&lhs, 8, "x"));
}

#[test]
fn the_whole_box_search_and_the_latin_hypercube_remain_available() {
    let out = call(json!({
        "objective": BRANIN, "bounds": {"x": [-5, 10], "y": [0, 15]},
        "n_calls": 30, "seed": 1, "design": "lhs", "trust_region": false,
    }))
    .unwrap();
    assert!(best_y(&out) - BRANIN_MIN < 0.05, "{}", best_y(&out));
    let e = call(json!({"objective": "x", "bounds": {"x": [0, 1]}, "design": "halton"}))
        .expect_err("unknown design");
    assert!(
        e.message.contains("sobol") && e.message.contains("lhs"),
        "{e}"
    );
}

#[test]
fn the_same_seed_gives_the_same_result_and_another_seed_does_not() {
    let input = |seed: u64| json!({"objective": BRANIN, "bounds": {"x": [-5, 10], "y": [0, 15]}, "n_calls": 14, "seed": seed});
    let a = call(input(3)).unwrap();
    let b = call(input(3)).unwrap();
    let c = call(input(4)).unwrap();
    assert_eq!(a.first_json(), b.first_json());
    assert_ne!(a.first_json(), c.first_json());
}

#[test]
fn maximize_finds_the_top_of_a_mixed_space() {
    let out = call(json!({
        "objective": "-(x - 1)^2 - (k - 3)^2 + if(c == 1, 2, 0)",
        "bounds": {
            "x": [-2, 2],
            "k": {"type": "integer", "low": 1, "high": 5},
            "c": {"type": "categorical", "values": ["off", "on"]},
        },
        "goal": "maximize", "n_calls": 25, "seed": 2,
    }))
    .unwrap();
    let best = &out.first_json().unwrap()["best"];
    assert_eq!(best["x"]["k"], 3);
    assert_eq!(best["x"]["c"], "on");
    assert!(best["y"].as_f64().unwrap() > 1.9, "{best}");
}

fn quadratic(x: &Value) -> f64 {
    let (a, b) = (x["a"].as_f64().unwrap(), x["b"].as_f64().unwrap());
    (a - 0.3).powi(2) + (b + 0.7).powi(2)
}

#[test]
fn ask_tell_round_trip_stays_in_bounds_and_improves_on_a_quadratic() {
    let bounds = json!({"a": [-1, 1], "b": [-2, 2]});
    let mut observations: Vec<Value> = Vec::new();
    let mut first_best = None;
    for round in 0..8 {
        let out = call(json!({
            "bounds": bounds, "observations": observations, "q": 2, "n_initial": 6, "seed": 5,
        }))
        .unwrap();
        let v = out.first_json().unwrap();
        let next = v["next"].as_array().unwrap();
        assert_eq!(next.len(), 2);
        assert_eq!(v["source"], if round < 3 { "design" } else { "model" });
        for x in next {
            let (a, b) = (x["a"].as_f64().unwrap(), x["b"].as_f64().unwrap());
            assert!(
                (-1.0..=1.0).contains(&a) && (-2.0..=2.0).contains(&b),
                "{x}"
            );
            observations.push(json!({"x": x, "y": quadratic(x)}));
        }
        if round == 2 {
            first_best = Some(
                v["best"]["y"].as_f64().unwrap().min(
                    observations
                        .iter()
                        .map(|o| o["y"].as_f64().unwrap())
                        .fold(f64::INFINITY, f64::min),
                ),
            );
        }
    }
    let best = observations
        .iter()
        .map(|o| o["y"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert!(best < 0.01, "best {best}");
    assert!(
        best < first_best.unwrap() / 10.0,
        "no improvement on the design: {best}"
    );
}

#[track_caller]
fn expect_error(input: Value, at: &str, words: &[&str]) {
    let e: ToolError = call(input).expect_err("should fail");
    assert_eq!(e.code, "invalid_input", "{e}");
    assert_eq!(
        e.details.as_ref().and_then(|d| d["pointer"].as_str()),
        Some(at),
        "{e}"
    );
    for w in words {
        assert!(e.message.contains(w), "{w:?} missing from: {}", e.message);
    }
}

#[test]
fn bad_input_is_an_invalid_input_naming_the_field() {
    let obs = |x: Value, y: Value| json!({"bounds": {"x": [0, 1], "y": [0, 1]}, "observations": [{"x": {"x": 0.5, "y": 0.5}, "y": 1.0}, {"x": x, "y": y}]});
    expect_error(
        json!({"objective": "x", "bounds": {}}),
        "/bounds",
        &["empty"],
    );
    expect_error(
        json!({"objective": "x", "bounds": {"x": [2, 1]}}),
        "/bounds/x",
        &["inverted"],
    );
    expect_error(
        json!({"objective": "x", "bounds": {"x": [1, 1]}}),
        "/bounds/x",
        &["empty"],
    );
    expect_error(
        json!({"objective": "x", "bounds": {"x": [0, 1, 2]}}),
        "/bounds/x",
        &["[low, high]"],
    );
    expect_error(
        json!({"objective": "x", "bounds": {"x": {"type": "integer", "low": 5, "high": 1}}}),
        "/bounds/x",
        &["inverted"],
    );
    expect_error(
        json!({"objective": "x + z", "bounds": {"x": [0, 1]}}),
        "/objective",
        &[
            "line 1, column 5",
            "unknown variable 'z'",
            "a dimension (a key of `bounds`)",
            "known here: x",
        ],
    );
    expect_error(
        json!({"objective": "ln(x)", "bounds": {"x": [-1, 1]}}),
        "/objective",
        &["finite"],
    );
    expect_error(json!({"bounds": {"x": [0, 1]}}), "/objective", &["missing"]);
    expect_error(
        obs(json!({"x": 0.1, "y": 0.2}), json!(null)),
        "/observations/1/y",
        &["finite"],
    );
    expect_error(
        obs(json!({"x": 0.1}), json!(1)),
        "/observations/1/x",
        &["'y'"],
    );
    expect_error(
        obs(json!({"x": 0.1, "y": 0.2, "z": 3}), json!(1)),
        "/observations/1/x/z",
        &["'z'"],
    );
    expect_error(
        obs(json!({"x": 1.5, "y": 0.2}), json!(1)),
        "/observations/1/x/x",
        &["[0, 1]"],
    );
    expect_error(
        json!({"bounds": {"x": [0, 1]}, "observations": [], "q": 0}),
        "/q",
        &["between"],
    );
}
