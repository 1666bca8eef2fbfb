//! calc's `integrate` and `solve` as a caller sees them: checked antiderivatives, definite
//! integrals by antiderivative or quadrature (with a note), exact and numeric roots, exact
//! linear systems, and errors that name the field.

use tool_calc::Calc;
use toolhost_sdk::testing;
use toolhost_sdk::{Output, ToolError, Value, json};

fn run(input: Value) -> Result<Output, ToolError> {
    testing::call::<Calc>(input)
}

fn ok(input: Value) -> Value {
    match run(input.clone()) {
        Ok(out) => out.first_json().cloned().unwrap(),
        Err(e) => panic!("{input}: {}", e.message),
    }
}

fn err(input: Value) -> ToolError {
    run(input.clone()).expect_err(&input.to_string())
}

fn pointer(e: &ToolError) -> Value {
    e.details.as_ref().unwrap()["pointer"].clone()
}

#[test]
fn an_antiderivative_is_returned_with_its_check() {
    let out = run(json!({ "expr": "x^2*exp(x)", "integrate": "x" })).unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["result"], "exp(x)*(x^2 - 2*x + 2)");
    assert_eq!(j["verified"], "symbolic");
    assert!(
        out.first_text()
            .unwrap()
            .starts_with("exp(x)*(x^2 - 2*x + 2) + C\nchecked:")
    );
    // Partial fractions are checked numerically where simplification cannot decide.
    let j = ok(json!({ "expr": "1/(x^2 - 1)", "integrate": "x", "latex": true }));
    assert_eq!(j["result"], "(ln(abs(x - 1)) - ln(abs(x + 1)))/2");
    assert_eq!(j["verified"], "numeric");
    assert!(j["check_points"].as_u64().unwrap() >= 8);
    assert!(j["latex"].as_str().unwrap().contains(r"\ln"));
}

#[test]
fn an_antiderivative_evaluates_at_given_values() {
    let j = ok(json!({ "expr": "cos(x)", "integrate": "x", "at": { "x": [0, 1.5] } }));
    assert_eq!(j["result"], "sin(x)");
    assert_eq!(j["values"], json!([0.0, 1.5f64.sin()]));
}

#[test]
fn no_elementary_antiderivative_is_not_found() {
    let e = err(json!({ "expr": "exp(x)/x", "integrate": "x" }));
    assert_eq!(e.code, "not_found");
    assert_eq!(pointer(&e), "/expr");
    assert!(e.message.contains("quadrature"), "{}", e.message);
}

#[test]
fn definite_integrals_are_exact_by_the_antiderivative() {
    let j = ok(json!({ "expr": "1/(x^2 + 1)", "integrate": { "x": [0, 1] } }));
    assert_eq!(j["result"], "pi/4");
    assert_eq!(j["method"], "antiderivative");
    assert_eq!(j["antiderivative"], "atan(x)");
    assert!((j["value"].as_f64().unwrap() - std::f64::consts::FRAC_PI_4).abs() < 1e-15);
    // Limits may be expressions; parameters take values from `vars`.
    let j = ok(json!({ "expr": "a*sin(x)", "integrate": { "x": [0, "pi"] }, "vars": { "a": 3 } }));
    assert_eq!(j["result"], "6");
    // An improper integral with an integrable endpoint singularity.
    let j = ok(json!({ "expr": "1/sqrt(x)", "integrate": { "x": [0, 4] } }));
    assert_eq!(j["result"], "4");
    let j = ok(json!({ "expr": "exp(-x)", "integrate": { "x": [0, "inf"] } }));
    assert_eq!(j["value"], json!(1.0));
}

#[test]
fn without_an_antiderivative_the_value_is_by_quadrature_with_a_note() {
    let j = ok(json!({ "expr": "sin(x)/x", "integrate": { "x": [1, 2] } }));
    assert_eq!(j["method"], "quadrature");
    assert!(
        j["note"].as_str().unwrap().contains("no antiderivative"),
        "{j}"
    );
    // Si(2) - Si(1), from the fixture's mpmath value.
    assert!(
        (j["value"].as_f64().unwrap() - 0.659_329_906_435_512_4).abs() < 1e-10,
        "{j}"
    );
    assert!(j["error_estimate"].as_f64().unwrap() < 1e-9);
    assert!(j.get("result").is_none());
}

#[test]
fn an_endpoint_singularity_without_an_antiderivative_converges_in_few_evaluations() {
    // cos(x)/√x has no elementary antiderivative and a singularity at 0: QAGS's
    // extrapolation reaches it to round-off in 315 evaluations, where calc's former
    // 7/15-point bisection took 1755 for an error of 8.5e-11.
    let j = ok(json!({ "expr": "cos(x)/sqrt(x)", "integrate": { "x": [0, 1] } }));
    assert_eq!(j["method"], "quadrature");
    // Σ (-1)^k / ((2k)! (2k + 1/2)), the series integrated term by term.
    let exact = 1.809_048_475_800_544;
    assert!((j["value"].as_f64().unwrap() - exact).abs() < 1e-13, "{j}");
    let note = j["note"].as_str().unwrap();
    let evaluations: usize = note
        .rsplit('(')
        .next()
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no evaluation count in: {note}"));
    assert!(evaluations <= 400, "{note}");
}

#[test]
fn a_divergent_integral_is_not_given_a_value() {
    // ln|x| would give F(1) - F(-1) = 0; the pole at 0 makes it diverge.
    let e = err(json!({ "expr": "1/x", "integrate": { "x": [-1, 2] } }));
    assert_eq!(e.code, "not_found");
    assert!(e.message.contains("did not converge"), "{}", e.message);
    // QUADPACK says why it stopped.
    assert!(e.message.contains("(divergent)"), "{}", e.message);
}

#[test]
fn integrate_errors_name_the_field() {
    let e = err(json!({ "expr": "x", "integrate": { "x": [0, 1], "y": [0, 1] } }));
    assert_eq!(pointer(&e), "/integrate");
    let e = err(json!({ "expr": "x", "integrate": { "x": [0, "y"] } }));
    assert_eq!(pointer(&e), "/integrate/x/1");
    let e = err(json!({ "expr": "x*y", "integrate": { "x": [0, 1] } }));
    assert_eq!(pointer(&e), "/vars");
    assert!(e.message.contains("depends on y"), "{}", e.message);
    let e = err(json!({ "expr": "x", "integrate": "2x" }));
    assert_eq!(pointer(&e), "/integrate");
    let e = err(json!({ "expr": "x", "integrate": "x", "diff": "x" }));
    assert_eq!(pointer(&e), "/integrate");
}

#[test]
fn polynomial_roots_are_exact_with_values() {
    let out = run(json!({ "expr": "x^2 - 5*x + 6", "solve": "x" })).unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["method"], "exact");
    assert_eq!(
        j["roots"],
        json!([{ "value": 2.0, "exact": "2" }, { "value": 3.0, "exact": "3" }])
    );
    assert_eq!(out.first_text().unwrap(), "x = 2\nx = 3");
    // An equation with both sides; irrational and complex roots.
    let j = ok(json!({ "expr": "x^3 = 2*x^2 - 2*x", "solve": "x" }));
    let roots = j["roots"].as_array().unwrap();
    assert_eq!(roots[0], json!({ "value": 0.0, "exact": "0" }));
    assert_eq!(roots[1]["re"], json!(1.0));
    assert_eq!(roots[1]["im"], json!(-1.0));
    assert_eq!(roots[2]["exact_im"], "1");
    let j = ok(json!({ "expr": "x^2 = 2", "solve": "x" }));
    assert_eq!(j["roots"][1]["exact"], "sqrt(2)");
}

#[test]
fn a_range_keeps_the_real_roots_inside_it() {
    let j = ok(json!({ "expr": "(x^2 + 1)*(x - 1)*(x - 5)", "solve": "x", "range": [0, 2] }));
    assert_eq!(j["roots"], json!([{ "value": 1.0, "exact": "1" }]));
    assert!(j["note"].as_str().unwrap().contains("3 root(s)"));
}

#[test]
fn other_equations_are_solved_numerically_on_a_range() {
    let out = run(json!({ "expr": "cos(x) = x/5", "solve": "x", "range": [-10, 10] })).unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["method"], "numeric");
    let roots: Vec<f64> = j["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_f64().unwrap())
        .collect();
    assert_eq!(roots.len(), 3, "{roots:?}");
    for r in roots {
        assert!((r.cos() - r / 5.0).abs() < 1e-14, "{r}");
    }
    let e = err(json!({ "expr": "cos(x) = x", "solve": "x" }));
    assert_eq!(pointer(&e), "/range");
    assert!(e.message.contains("not a polynomial"));
}

#[test]
fn linear_systems_are_solved_exactly() {
    let out =
        run(json!({ "equations": ["x + y = 3", "x - y = 1/2"], "solve": ["x", "y"] })).unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["status"], "unique");
    assert_eq!(j["solution"]["x"], json!({ "exact": "7/4", "value": 1.75 }));
    assert_eq!(j["solution"]["y"], json!({ "exact": "5/4", "value": 1.25 }));
    assert_eq!(out.first_text().unwrap(), "x = 7/4 ≈ 1.75\ny = 5/4 ≈ 1.25");
    let j = ok(json!({ "equations": ["x + y = 1", "2*x + 2*y = 3"], "solve": ["x", "y"] }));
    assert_eq!(j["status"], "inconsistent");
    let j = ok(json!({ "equations": ["x + y = 1", "2*x + 2*y = 2"], "solve": ["x", "y"] }));
    assert_eq!(j["status"], "underdetermined");
}

#[test]
fn solve_errors_name_the_field() {
    let e = err(json!({ "equations": ["x + y = 3", "x*y = 2"], "solve": ["x", "y"] }));
    assert_eq!(pointer(&e), "/equations/1");
    assert!(e.message.contains("not linear"), "{}", e.message);
    let e = err(json!({ "expr": "x = 1 = 2", "solve": "x" }));
    assert_eq!(pointer(&e), "/expr");
    let e = err(json!({ "expr": "x^2 = a", "solve": "x" }));
    assert_eq!(pointer(&e), "/expr");
    let e = err(json!({ "expr": "x", "solve": ["x", "x"] }));
    assert_eq!(pointer(&e), "/solve/1");
    let e = err(json!({ "expr": "sin(x)", "solve": "x", "range": [2, 1] }));
    assert_eq!(pointer(&e), "/range");
    let e = err(json!({ "expr": "x", "range": [0, 1] }));
    assert_eq!(pointer(&e), "/range");
}

#[test]
fn every_describe_example_runs() {
    use toolhost_sdk::Tool;
    let info = Calc::info();
    assert!(info.examples.len() >= 12);
    for example in &info.examples {
        if let Err(e) = run(example.input.clone()) {
            panic!("{}: {}", example.description, e.message);
        }
    }
}
