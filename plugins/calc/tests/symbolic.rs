//! calc's symbolic side as a caller sees it: derivatives, simplification and LaTeX in,
//! results, values and errors with JSON pointers out.

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

#[test]
fn derivative_evaluated_at_a_point() {
    let out = run(json!({ "expr": "sin(x)*x^2", "diff": "x", "at": { "x": 1.5 } })).unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["result"], "x^2*cos(x) + 2*x*sin(x)");
    assert_eq!(j["diff"], json!({ "x": 1 }));
    let x: f64 = 1.5;
    let want = x * x * x.cos() + 2.0 * x * x.sin();
    assert!((j["value"].as_f64().unwrap() - want).abs() < 1e-14);
    let text = out.first_text().unwrap();
    assert!(text.starts_with("x^2*cos(x) + 2*x*sin(x)\n= 3.1"), "{text}");
}

#[test]
fn mixed_partials_in_any_order_agree() {
    let a = ok(
        json!({ "expr": "x^3*y^2 + exp(x*y)", "diff": { "x": 2, "y": 1 }, "at": { "x": 0.5, "y": -1.5 } }),
    );
    let b = ok(
        json!({ "expr": "exp(y*x) + y^2*x^3", "diff": { "y": 1, "x": 2 }, "at": { "x": 0.5, "y": -1.5 } }),
    );
    assert_eq!(a["result"], b["result"]);
    // d3/dx2dy of x^3 y^2 + e^(xy) = 12xy + (2y + x y^2) e^(xy)
    let (x, y): (f64, f64) = (0.5, -1.5);
    let want = 12.0 * x * y + (2.0 * y + x * y * y) * (x * y).exp();
    assert!((a["value"].as_f64().unwrap() - want).abs() < 1e-12, "{a}");
}

#[test]
fn derivatives_evaluate_over_a_batch() {
    let j = ok(json!({ "expr": "x^3", "diff": "x", "at": { "x": [1, 2, 3] } }));
    assert_eq!(j["result"], "3*x^2");
    assert_eq!(j["values"], json!([3.0, 12.0, 27.0]));
    // `vars` works the same as `at`.
    let j = ok(json!({ "expr": "x^3", "diff": "x", "vars": { "x": 2 } }));
    assert_eq!(j["value"], json!(12.0));
}

#[test]
fn a_constant_result_comes_with_its_value() {
    let j = ok(json!({ "expr": "x^3 + 2*x", "diff": { "x": 3 } }));
    assert_eq!(j["result"], "6");
    assert_eq!(j["value"], json!(6.0));
    let j = ok(json!({ "expr": "x^2", "diff": "x" }));
    assert!(j.get("value").is_none(), "{j}");
}

#[test]
fn simplify_and_expand() {
    let j = ok(json!({ "expr": "(x^2*x^3)/x + 2*x - x", "simplify": true }));
    assert_eq!(j["result"], "x^4 + x");
    assert!(j.get("diff").is_none());
    let j = ok(json!({ "expr": "(x + 1)^3", "expand": true }));
    assert_eq!(j["result"], "x^3 + 3*x^2 + 3*x + 1");
    let j = ok(json!({ "expr": "(x + 1)^3", "simplify": true }));
    assert_eq!(j["result"], "(x + 1)^3");
}

#[test]
fn several_expressions_are_differentiated_alike() {
    let out = run(json!({ "exprs": ["x^2", "ln(x)"], "diff": "x", "at": { "x": 4 } })).unwrap();
    let r = &out.first_json().unwrap()["results"];
    assert_eq!(r[0]["result"], "2*x");
    assert_eq!(r[1]["result"], "1/x");
    assert_eq!(r[1]["value"], json!(0.25));
    assert_eq!(
        out.first_text(),
        Some("x^2 -> 2*x\n= 8\nln(x) -> 1/x\n= 0.25")
    );
}

#[test]
fn latex_renders_with_render_math() {
    for (expr, diff) in [
        ("sin(x)*x^2", json!("x")),
        ("x^3*y^2 + exp(x*y)", json!({ "x": 2, "y": 1 })),
        ("normal_lpdf(x, mu, sigma)", json!("sigma")),
        ("atan2(y, x) + sqrt(1 + x^2)", json!("x")),
        ("abs(x) + max(x, 2*y) + lgamma(x)", json!("x")),
        ("x^(1/3) / (1 + exp(-x))", json!({ "x": 2 })),
        ("gamma(x)*digamma(x)", json!("x")),
    ] {
        let j = ok(json!({ "expr": expr, "diff": diff, "latex": true }));
        let latex = j["latex"].as_str().unwrap();
        let rendered = tool_render_math::render_unicode(latex, true);
        assert!(rendered.is_ok(), "{expr}: {latex}: {:?}", rendered.err());
    }
}

#[test]
fn step_functions_are_reported_at_their_position() {
    let e = err(json!({ "expr": "x + floor(2*x)", "diff": "x" }));
    assert_eq!(e.code, "invalid_input");
    let d = e.details.unwrap();
    assert_eq!(d["pointer"], "/expr");
    assert_eq!(d["kind"], "NotSmooth");
    assert_eq!(d["column"], 5);
    assert!(
        e.message.contains("'floor' has no derivative"),
        "{}",
        e.message
    );
    let e = err(json!({ "exprs": ["x", "round(x)"], "diff": "x" }));
    assert_eq!(e.details.unwrap()["pointer"], "/exprs/1");
}

#[test]
fn bad_diff_requests_name_the_field() {
    let pointer = |input: Value| err(input).details.unwrap()["pointer"].clone();
    assert_eq!(
        pointer(json!({ "expr": "x", "diff": { "x": 0 } })),
        "/diff/x"
    );
    assert_eq!(
        pointer(json!({ "expr": "x", "diff": { "2x": 1 } })),
        "/diff/2x"
    );
    assert_eq!(pointer(json!({ "expr": "x", "diff": "pi" })), "/diff");
    assert_eq!(pointer(json!({ "expr": "x", "diff": {} })), "/diff");
    assert_eq!(
        pointer(json!({ "expr": "x", "diff": { "x": 60, "y": 60 } })),
        "/diff"
    );
    let e = err(json!({ "expr": "x*y", "diff": "x", "at": { "x": 1 } }));
    assert_eq!(e.details.unwrap()["pointer"], "/at");
    assert!(e.message.contains("depends on y"), "{}", e.message);
    let e = err(json!({ "expr": "x", "diff": "x", "at": { "x": 1 }, "vars": { "x": 2 } }));
    assert!(e.message.contains("not both"), "{}", e.message);
    let e = err(json!({ "expr": "x", "diff": "x", "at": { "x": [1, 2], "y": [1] } }));
    assert_eq!(e.details.unwrap()["pointer"], "/at/y");
}

#[test]
fn runaway_growth_is_a_clear_error() {
    let e = err(json!({ "expr": "exp(sin(x)*x^x)/(1 + cos(x)^x)", "diff": { "x": 40 } }));
    assert_eq!(e.details.unwrap()["kind"], "TooLong");
    assert!(e.message.contains("lower order"), "{}", e.message);
}

#[test]
fn the_schema_documents_the_symbolic_fields() {
    let schema = testing::input_schema::<Calc>();
    assert_eq!(schema["additionalProperties"], json!(false));
    for field in ["diff", "simplify", "expand", "latex", "at"] {
        let description = schema["properties"][field]["description"].as_str();
        assert!(
            description.is_some_and(|d| d.len() > 20),
            "{field}: {schema}"
        );
    }
}

#[test]
fn at_also_gives_values_to_a_plain_evaluation() {
    let j = ok(json!({ "expr": "x + 1", "at": { "x": 2 } }));
    assert_eq!(j, json!({ "expr": "x + 1", "value": 3.0 }));
}
