//! Bad input fails fast with an `invalid_input` that names the cause and
//! points at the field.

mod common;

use common::call;
use toolhost_sdk::{ToolError, Value, json};

#[track_caller]
fn error(input: Value) -> ToolError {
    match call(input) {
        Ok(_) => panic!("should have failed"),
        Err(e) => e,
    }
}

fn pointer(e: &ToolError) -> &str {
    e.details
        .as_ref()
        .and_then(|d| d["pointer"].as_str())
        .unwrap_or("")
}

#[track_caller]
fn expect(e: &ToolError, at: &str, words: &[&str]) {
    assert_eq!(e.code, "invalid_input", "{e}");
    assert_eq!(pointer(e), at, "{e}");
    for w in words {
        assert!(e.message.contains(w), "{w:?} missing from: {}", e.message);
    }
}

#[test]
fn a_density_that_is_nan_at_init_is_reported_with_the_values() {
    let e = error(json!({
        "log_density": "ln(x) - x",
        "parameters": ["x"],
        "init": { "x": -1 },
    }));
    expect(&e, "/init", &["log_density is NaN", "x = -1"]);
}

#[test]
fn an_infinite_density_at_init_is_reported_too() {
    let e = error(json!({
        "log_density": "-1 / x^2 - y^2",
        "parameters": ["x", "y"],
        "init": { "x": 0, "y": 1 },
    }));
    expect(&e, "/init", &["-infinity", "x = 0, y = 1"]);
    let e = error(json!({
        "log_density": "normal_lpdf(x, 0, 1) - ln(abs(y))",
        "parameters": ["x", "y"],
        "init": { "x": 0, "y": 0 },
    }));
    expect(&e, "/init", &["+infinity"]);
}

#[test]
fn a_gradient_that_is_not_finite_at_init_names_the_parameter() {
    let e = error(json!({
        "log_density": "sqrt(abs(x)) + normal_lpdf(y, 0, 1)",
        "parameters": ["y", "x"],
        "init": { "x": 0, "y": 0 },
        "sampler": "nuts",
    }));
    expect(&e, "/init", &["gradient", "'x'"]);
}

#[test]
fn a_density_finite_nowhere_gives_up_after_many_random_starts() {
    let e = error(json!({
        "log_density": "ln(-x^2 - 1)",
        "parameters": ["x"],
    }));
    expect(
        &e,
        "/log_density",
        &["NaN", "100 random starting points", "chain 1", "init"],
    );
}

#[test]
fn an_unknown_variable_is_named_with_a_suggestion_and_its_position() {
    let e = error(json!({
        "log_density": "normal_lpdf(mu, 0, 10) +\n  sum(normal_lpdf(y, mu, sigmaa))",
        "parameters": { "mu": "real", "sigma": "positive" },
        "data": { "y": [1.0, 2.0] },
    }));
    expect(
        &e,
        "/log_density",
        &[
            "line 2, column 26",
            "unknown variable 'sigmaa' (did you mean 'sigma'?)",
            "parameters: mu, sigma",
            "data: y",
        ],
    );
    let d = e.details.unwrap();
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(26))
    );
    assert!(d["snippet"].as_str().unwrap().contains("^^^^^^"));
}

#[test]
fn nuts_refuses_a_step_function_and_points_to_the_gradient_free_sampler() {
    let e = error(json!({
        "log_density": "-x^2 / 2 + floor(x)",
        "parameters": ["x"],
        "sampler": "nuts",
    }));
    expect(
        &e,
        "/log_density",
        &["'floor' is not smooth", "\"ensemble\""],
    );
    let e = error(json!({
        "log_density": "poisson_lpmf(k, 3)",
        "parameters": { "k": "positive" },
        "sampler": "nuts",
    }));
    expect(
        &e,
        "/log_density",
        &["'poisson_lpmf' is not smooth", "count"],
    );
    // The same density is accepted by Metropolis.
    assert!(
        call(json!({
            "log_density": "-x^2 / 2 + floor(x)",
            "parameters": ["x"],
            "sampler": "metropolis",
            "draws": 50,
            "warmup": 50,
        }))
        .is_ok()
    );
}

#[test]
fn walkers_are_for_the_ensemble_and_must_span_the_parameters() {
    let e = error(json!({
        "log_density": "-x^2 - y^2 - z^2",
        "parameters": ["x", "y", "z"],
        "walkers": 5,
    }));
    expect(&e, "/walkers", &["walkers is 5", "between 6"]);
    let e = error(json!({
        "log_density": "-x^2",
        "parameters": ["x"],
        "sampler": "nuts",
        "walkers": 8,
    }));
    expect(&e, "/walkers", &["ensemble sampler only"]);
}

#[test]
fn arrays_must_be_reduced_and_agree_in_length() {
    let e = error(json!({
        "log_density": "normal_lpdf(y, mu, 1)",
        "parameters": ["mu"],
        "data": { "y": [1, 2, 3] },
    }));
    expect(&e, "/log_density", &["'y' is a data array", "sum(...)"]);
    let e = error(json!({
        "log_density": "sum(normal_lpdf(y, mu + x, 1))",
        "parameters": ["mu"],
        "data": { "y": [1, 2, 3], "x": [1, 2] },
    }));
    expect(&e, "/log_density", &["'x' has 2 elements but 'y' has 3"]);
}

#[test]
fn names_must_not_clash_or_be_reserved() {
    let e = error(json!({
        "log_density": "normal_lpdf(y, 0, 1)",
        "parameters": ["y"],
        "data": { "y": 1 },
    }));
    expect(
        &e,
        "/parameters",
        &["'y' is both a variable and a data name"],
    );
    let e = error(json!({
        "log_density": "normal_lpdf(x, 0, 1)",
        "parameters": ["x", "pi"],
    }));
    expect(&e, "/parameters", &["'pi' is a reserved constant"]);
    let e = error(json!({
        "log_density": "normal_lpdf(x, 0, 1)",
        "parameters": ["x", "x"],
    }));
    expect(&e, "/parameters/x", &["listed twice"]);
}

#[test]
fn more_parameters_than_a_call_can_sample_are_refused_at_once() {
    let names: Vec<String> = (0..=tool_mcmc::input::MAX_PARAMETERS)
        .map(|i| format!("p{i}"))
        .collect();
    let e = error(json!({ "log_density": "p0", "parameters": names }));
    expect(&e, "/parameters", &["10001 parameters", "at most 10000"]);
}

#[test]
fn starting_values_must_name_parameters_inside_their_constraints() {
    let e = error(json!({
        "log_density": "exponential_lpdf(s, 1)",
        "parameters": { "s": "positive" },
        "init": { "s": -1 },
    }));
    expect(&e, "/init/s", &["init of 's' is -1", "above 0"]);
    let e = error(json!({
        "log_density": "exponential_lpdf(s, 1)",
        "parameters": { "s": "positive" },
        "init": { "t": 1 },
    }));
    expect(&e, "/init/t", &["'t', which is not a parameter"]);
}

#[test]
fn a_parameter_the_density_does_not_use_is_refused() {
    let e = error(json!({
        "log_density": "normal_lpdf(mu, 0, 1)",
        "parameters": { "mu": "real", "omega": "positive" },
    }));
    expect(
        &e,
        "/parameters/omega",
        &["'omega' does not appear in log_density"],
    );
}

#[test]
fn settings_out_of_range_are_refused() {
    let base = || json!({ "log_density": "-x^2", "parameters": ["x"] });
    let with = |key: &str, value: Value| {
        let mut input = base();
        input[key] = value;
        error(input)
    };
    expect(&with("chains", json!(0)), "/chains", &["between 1 and 64"]);
    expect(&with("draws", json!(0)), "/draws", &["at least 1"]);
    expect(
        &with("target_accept", json!(1.5)),
        "/target_accept",
        &["between 0 and 1"],
    );
    expect(
        &with("max_tree_depth", json!(0)),
        "/max_tree_depth",
        &["between 1 and 15"],
    );
    let e = error(json!({
        "log_density": "-x^2",
        "parameters": { "x": { "lower": 1, "upper": 0 } },
    }));
    expect(
        &e,
        "/parameters/x",
        &["lower bound 1 is not below the upper bound 0"],
    );
    let e = error(json!({ "log_density": "1", "parameters": [] }));
    expect(&e, "/parameters", &["no parameters"]);
}

#[test]
fn unknown_fields_and_wrong_types_fail_to_parse() {
    let e = error(json!({ "log_density": "-x^2", "parameters": ["x"], "iterations": 5 }));
    assert_eq!(e.code, "invalid_input");
    assert!(e.message.contains("iterations"), "{}", e.message);
    let e = error(json!({ "log_density": "-x^2", "parameters": { "x": "negative" } }));
    assert!(e.message.contains("parameter 'x'"), "{}", e.message);
    let e = error(json!({ "log_density": "-x^2", "parameters": ["x"], "sampler": "hmc" }));
    assert!(e.message.contains("hmc"), "{}", e.message);
}

#[test]
fn a_run_too_large_to_keep_is_refused_before_it_starts() {
    let names: Vec<String> = (0..100).map(|i| format!("x{i}")).collect();
    let e = error(json!({
        "log_density": names.join(" + "),
        "parameters": names,
        "chains": 64,
        "draws": 10000,
    }));
    expect(&e, "/draws", &["64000000 values, more than the 10000000"]);
    let e = error(json!({
        "log_density": "-x^2",
        "parameters": ["x"],
        "chains": 4,
        "draws": 1_000_000,
    }));
    expect(
        &e,
        "/draws",
        &["4000000 draws per parameter, more than the 2000000"],
    );
}
