//! The tool as the host calls it: every example validates against the published schema
//! and runs; each operation gives the answer a user expects; bad input is reported at its
//! own field with a stable code.

use jsonschema::Validator;
use tool_optimize::Optimize;
use toolhost_sdk::{Tool, Value, json, testing};

fn validator() -> Validator {
    jsonschema::validator_for(&testing::input_schema::<Optimize>()).expect("a valid schema")
}

fn call(input: Value) -> Value {
    testing::call::<Optimize>(input.clone())
        .unwrap_or_else(|e| panic!("{input}: {e}"))
        .first_json()
        .expect("a JSON result")
        .clone()
}

fn error(input: Value) -> toolhost_sdk::ToolError {
    testing::call::<Optimize>(input.clone())
        .err()
        .unwrap_or_else(|| panic!("{input} should fail"))
}

fn pointer(e: &toolhost_sdk::ToolError) -> &str {
    e.details
        .as_ref()
        .and_then(|d| d.get("pointer"))
        .and_then(|p| p.as_str())
        .unwrap_or("")
}

fn x(j: &Value, name: &str) -> f64 {
    j["x"][name].as_f64().unwrap()
}

#[test]
fn every_example_validates_and_succeeds() {
    let v = validator();
    for example in Optimize::info().examples {
        let found: Vec<String> = v
            .iter_errors(&example.input)
            .map(|e| e.to_string())
            .collect();
        assert!(found.is_empty(), "{}: {found:?}", example.description);
        let j = call(example.input.clone());
        assert_eq!(j["success"], true, "{}: {j}", example.description);
    }
}

#[test]
fn rosenbrock_reaches_one_one_by_every_gradient_method() {
    for method in ["lbfgsb", "trust_newton"] {
        let j = call(json!({
            "op": "minimize", "f": "(1-x)^2 + 100*(y-x^2)^2", "x0": { "x": -1.2, "y": 1 },
            "method": method, "gtol": 1e-9, "ftol": 1e-15
        }));
        assert_eq!(j["success"], true, "{method}: {j}");
        assert!(
            (x(&j, "x") - 1.0).abs() < 1e-6 && (x(&j, "y") - 1.0).abs() < 1e-6,
            "{method}: {j}"
        );
        assert_eq!(j["method"], method);
    }
}

#[test]
fn trust_newton_counts_its_hessian_products_and_needs_few_iterations() {
    let j = call(json!({
        "op": "minimize", "f": "(1-x)^2 + 100*(y-x^2)^2", "x0": { "x": -1.2, "y": 1 },
        "method": "trust_newton", "gtol": 1e-10
    }));
    assert!(j["nhev"].as_u64().unwrap() > 0, "{j}");
    assert!(j["iterations"].as_u64().unwrap() < 40, "{j}");
}

#[test]
fn a_lower_bound_is_active_at_the_answer() {
    // Unconstrained minimum at x = 0, y = 2; with x ≥ 1.5 it is x = 1.5, y = 2 − 1.5/2.
    let j = call(json!({
        "op": "minimize", "f": "x^2 + (y - 2)^2 + x*y", "x0": { "x": 3, "y": 0 },
        "bounds": { "x": [1.5, null] }
    }));
    assert_eq!(j["success"], true, "{j}");
    assert_eq!(x(&j, "x"), 1.5);
    assert!((x(&j, "y") - 1.25).abs() < 1e-6, "{j}");
    assert_eq!(j["at_bound"], json!(["x"]));
}

#[test]
fn kinks_choose_nelder_mead_and_it_finds_the_median() {
    let j = call(
        json!({ "op": "minimize", "f": "abs(m - 1) + abs(m - 2) + abs(m - 7)", "x0": { "m": 0 } }),
    );
    assert_eq!(j["method"], "nelder_mead");
    assert!((x(&j, "m") - 2.0).abs() < 1e-6, "{j}");
    assert!(j["grad_norm"].is_null());
}

#[test]
fn nelder_mead_keeps_to_the_bounds() {
    let j = call(json!({
        "op": "minimize", "f": "max(abs(x + 2), abs(y - 1))", "x0": { "x": 1, "y": 0 },
        "bounds": { "x": [0, null] }
    }));
    assert_eq!(j["method"], "nelder_mead");
    assert!(x(&j, "x") >= 0.0 && x(&j, "x") < 1e-6, "{j}");
    assert!((j["f"].as_f64().unwrap() - 2.0).abs() < 1e-6, "{j}");
}

#[test]
fn a_root_in_one_unknown_with_a_parameter() {
    // x³ = a with a = 10, the unknown named by var.
    let j = call(
        json!({ "op": "root", "f": "x^3 - a", "var": "x", "params": { "a": 10 }, "bracket": [0, 5] }),
    );
    assert!((x(&j, "x") - 10f64.cbrt()).abs() < 1e-12, "{j}");
    assert_eq!(j["success"], true);
}

#[test]
fn smooth_objectives_choose_lbfgsb() {
    let j = call(json!({ "op": "minimize", "f": "(x - 3)^2", "x0": { "x": 0 } }));
    assert_eq!(j["method"], "lbfgsb");
    assert!((x(&j, "x") - 3.0).abs() < 1e-6);
}

#[test]
fn a_capped_run_says_it_did_not_converge() {
    let j = call(json!({
        "op": "minimize", "f": "(1-x)^2 + 100*(y-x^2)^2", "x0": { "x": -1.2, "y": 1 }, "max_iter": 3
    }));
    assert_eq!(j["success"], false);
    assert_eq!(j["status"], "max_iter");
    assert_eq!(j["iterations"], 3);
}

#[test]
fn scalar_roots_with_a_bracket_and_from_a_start() {
    let j = call(json!({ "op": "root", "f": "cos(x) - x", "bracket": [0, 1] }));
    let want = 0.739_085_133_215_160_6;
    assert!((x(&j, "x") - want).abs() < 1e-12, "{j}");
    assert_eq!(j["method"], "newton_bisection");
    let j = call(json!({ "op": "root", "f": "x^3 - 2", "x0": { "x": 1 } }));
    assert!((x(&j, "x") - 2f64.cbrt()).abs() < 1e-12, "{j}");
    assert_eq!(j["success"], true);
}

#[test]
fn a_pole_inside_the_bracket_is_not_called_a_root() {
    let j = call(json!({ "op": "root", "f": "1/x", "bracket": [-1, 2] }));
    assert_eq!(j["success"], false, "{j}");
}

#[test]
fn a_system_root_satisfies_every_equation() {
    let j = call(json!({
        "op": "root", "f": { "circle": "x^2 + y^2 - 4", "hyperbola": "x*y - 1" },
        "x0": { "x": 2, "y": 0.5 }
    }));
    assert_eq!(j["success"], true, "{j}");
    let (a, b) = (x(&j, "x"), x(&j, "y"));
    assert!(
        (a * a + b * b - 4.0).abs() < 1e-12 && (a * b - 1.0).abs() < 1e-12,
        "{j}"
    );
}

#[test]
fn least_squares_solves_rosenbrocks_residuals() {
    let j = call(json!({
        "op": "least_squares", "residuals": ["10*(y - x^2)", "1 - x"], "x0": { "x": -1.2, "y": 1 }
    }));
    assert!(
        (x(&j, "x") - 1.0).abs() < 1e-9 && (x(&j, "y") - 1.0).abs() < 1e-9,
        "{j}"
    );
    assert!(j["cost"].as_f64().unwrap() < 1e-20);
}

#[test]
fn a_straight_line_fit_has_the_textbook_standard_errors() {
    // y = 1 + 2x + noise; ordinary least squares has closed-form errors.
    let xs = [0.0, 1.0, 2.0, 3.0, 4.0];
    let ys = [1.1, 2.9, 5.2, 6.8, 9.1];
    let j = call(
        json!({ "op": "curve_fit", "model": "a + b*x", "x": xs, "y": ys, "p0": { "a": 0, "b": 0 } }),
    );
    let n = 5.0;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let b = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum::<f64>()
        / sxx;
    let a = my - b * mx;
    let s2 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (y - a - b * x).powi(2))
        .sum::<f64>()
        / (n - 2.0);
    let se_b = (s2 / sxx).sqrt();
    let se_a = (s2 * (1.0 / n + mx * mx / sxx)).sqrt();
    let close =
        |got: &Value, want: f64| (got.as_f64().unwrap() - want).abs() < 1e-10 * want.abs().max(1.0);
    assert!(
        close(&j["params"]["a"], a) && close(&j["params"]["b"], b),
        "{j}"
    );
    assert!(
        close(&j["stderr"]["a"], se_a) && close(&j["stderr"]["b"], se_b),
        "{j}"
    );
}

#[test]
fn bad_fields_are_named_by_pointer() {
    let cases = [
        (
            json!({ "op": "minimize", "f": "x +", "x0": { "x": 0 } }),
            "/f",
        ),
        (
            json!({ "op": "minimize", "f": "x + z", "x0": { "x": 0 } }),
            "/f",
        ),
        (json!({ "op": "minimize", "f": "x^2", "x0": {} }), "/x0"),
        (
            json!({ "op": "minimize", "f": "x^2", "x0": { "x": 0 }, "bounds": { "y": [0, 1] } }),
            "/bounds/y",
        ),
        (
            json!({ "op": "minimize", "f": "x^2", "x0": { "x": 0 }, "bounds": { "x": [2, 1] } }),
            "/bounds/x/0",
        ),
        (
            json!({ "op": "minimize", "f": "x^2 + y^2", "x0": { "x": 0, "y": 5 }, "bounds": { "y": [null, 1] } }),
            "/x0/y",
        ),
        (
            json!({ "op": "minimize", "f": "x^2", "x0": { "x": 0 }, "params": { "x": 1 } }),
            "/params/x",
        ),
        (
            json!({ "op": "minimize", "f": "floor(x) + x^2", "x0": { "x": 0 }, "method": "lbfgsb" }),
            "/method",
        ),
        (
            json!({ "op": "minimize", "f": "x^2", "x0": { "x": 0 }, "method": "trust_newton", "bounds": { "x": [0, 1] } }),
            "/bounds",
        ),
        (
            json!({ "op": "minimize", "f": "ln(x)", "x0": { "x": -1 } }),
            "/x0",
        ),
        (
            json!({ "op": "root", "f": "x^2 + 1", "bracket": [0, 1] }),
            "/bracket",
        ),
        (
            json!({ "op": "root", "f": "x*y", "bracket": [0, 1] }),
            "/var",
        ),
        (
            json!({ "op": "root", "f": { "a": "x + y", "b": "x - y", "c": "x" }, "x0": { "x": 0, "y": 0 } }),
            "/f",
        ),
        (
            json!({ "op": "root", "f": { "a": "x + ", "b": "x - y" }, "x0": { "x": 0, "y": 0 } }),
            "/f/a",
        ),
        (
            json!({ "op": "least_squares", "residuals": ["x", "x - q"], "x0": { "x": 0 } }),
            "/residuals/1",
        ),
        (
            json!({ "op": "curve_fit", "model": "a*x", "x": [1, 2], "y": [1], "p0": { "a": 1 } }),
            "/y",
        ),
        (
            json!({ "op": "curve_fit", "model": "a*x", "x": [1, 2], "y": [1, 2], "p0": { "a": 1 }, "sigma": [1, 0] }),
            "/sigma/1",
        ),
        (
            json!({ "op": "curve_fit", "model": "a*t", "x": [1, 2], "y": [1, 2], "p0": { "a": 1 } }),
            "/model",
        ),
    ];
    for (input, want) in cases {
        let e = error(input.clone());
        assert_eq!(pointer(&e), want, "{input}: {e}");
        assert!(e.message.starts_with(want), "{input}: {e}");
    }
    assert_eq!(
        error(json!({ "op": "minimize", "f": "ln(x)", "x0": { "x": -1 } })).code,
        "not_finite"
    );
    assert_eq!(
        error(json!({ "op": "minimize", "f": "x + z", "x0": { "x": 0 } })).code,
        "invalid_input"
    );
}

#[test]
fn the_schema_names_a_bad_method_and_a_missing_start() {
    let v = validator();
    let bad = json!({ "op": "minimize", "f": "x^2", "x0": { "x": 0 }, "method": "bfgs" });
    let paths: Vec<String> = v
        .iter_errors(&bad)
        .map(|e| e.instance_path().as_str().to_owned())
        .collect();
    assert!(paths.contains(&"/method".to_owned()), "{paths:?}");
    let missing = json!({ "op": "curve_fit", "model": "a*x", "x": [1], "y": [1] });
    assert!(
        v.iter_errors(&missing)
            .any(|e| e.to_string().contains("p0"))
    );
}
