//! The published input schema as the host uses it, and the tool's own input errors: every
//! example validates and runs, and a bad argument is reported at its own field.

use jsonschema::Validator;
use tool_integrate::Integrate;
use toolhost_sdk::{Tool, Value, json, testing};

fn validator() -> Validator {
    jsonschema::validator_for(&testing::input_schema::<Integrate>()).expect("a valid schema")
}

/// (instance path, message) of every error.
fn errors(v: &Validator, input: &Value) -> Vec<(String, String)> {
    v.iter_errors(input)
        .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
        .collect()
}

fn pointer(e: &toolhost_sdk::ToolError) -> Option<&str> {
    e.details.as_ref()?.get("pointer")?.as_str()
}

#[test]
fn every_example_validates_and_runs() {
    let v = validator();
    for example in Integrate::info().examples {
        let found = errors(&v, &example.input);
        assert!(found.is_empty(), "{}: {found:?}", example.description);
        let out = testing::call::<Integrate>(example.input).expect("examples run");
        let j = out.first_json().expect("a JSON result");
        assert!(
            ["converged", "reached", "event"].contains(&j["status"].as_str().unwrap()),
            "{}: {j}",
            example.description
        );
    }
}

#[test]
fn the_gaussian_example_gives_root_pi() {
    let out = testing::call::<Integrate>(
        json!({ "op": "quad", "f": "exp(-x^2)", "a": "-inf", "b": "inf" }),
    )
    .unwrap();
    let j = out.first_json().unwrap();
    let value = j["value"].as_f64().unwrap();
    assert!((value - std::f64::consts::PI.sqrt()).abs() < 1e-12, "{j}");
    assert_eq!(j["a"], "-inf");
    assert!(out.first_text().unwrap().contains("from −∞ to ∞"));
}

#[test]
fn reversed_and_half_infinite_limits_change_the_sign() {
    let call = |a: Value, b: Value| {
        let out =
            testing::call::<Integrate>(json!({ "op": "quad", "f": "exp(-x)", "a": a, "b": b }))
                .unwrap();
        out.first_json().unwrap()["value"].as_f64().unwrap()
    };
    assert!((call(json!(0), json!("inf")) - 1.0).abs() < 1e-12);
    assert!((call(json!("inf"), json!(0)) + 1.0).abs() < 1e-12);
    assert!((call(json!(1), json!(0)) + (1.0 - (-1f64).exp())).abs() < 1e-14);
    assert_eq!(call(json!(2), json!(2)), 0.0);
}

#[test]
fn parameters_reach_the_integrand_and_the_limits() {
    let out = testing::call::<Integrate>(json!({
        "op": "quad", "f": "k * t^2", "var": "t", "a": 0, "b": "c", "params": { "k": 3, "c": 2 }
    }))
    .unwrap();
    let value = out.first_json().unwrap()["value"].as_f64().unwrap();
    assert!((value - 8.0).abs() < 1e-13, "{value}");
}

#[test]
fn a_wrong_type_or_unknown_field_is_reported_at_its_field() {
    let v = validator();
    let found = errors(
        &v,
        &json!({ "op": "quad", "f": "x", "a": 0, "b": 1, "limit": 0 }),
    );
    assert!(found.iter().any(|(at, _)| at == "/limit"), "{found:?}");
    let found = errors(&v, &json!({ "op": "quad", "f": "x", "a": [0], "b": 1 }));
    assert!(found.iter().any(|(at, _)| at == "/a"), "{found:?}");
    let found = errors(
        &v,
        &json!({ "op": "quad", "f": "x", "a": 0, "b": 1, "tol": 1 }),
    );
    assert!(
        found
            .iter()
            .any(|(_, m)| m.contains("'tol' was unexpected")),
        "{found:?}"
    );
    let found = errors(&v, &json!({ "op": "trapz", "f": "x" }));
    assert!(
        found
            .iter()
            .any(|(at, m)| at == "/op" && m.contains("\"trapz\" is not one of")),
        "{found:?}"
    );
}

#[test]
fn the_schema_names_a_bad_plot_size_or_format_at_its_field() {
    let v = validator();
    let ode = |plot: Value| json!({ "op": "ode", "rhs": { "y": "-y" }, "y0": { "y": 1 }, "t_span": [0, 1], "plot": plot });
    let found = errors(&v, &ode(json!({ "width": 50 })));
    assert!(found.iter().any(|(at, _)| at == "/plot/width"), "{found:?}");
    let found = errors(
        &v,
        &json!({ "op": "quad", "f": "x", "a": 0, "b": 1, "plot": { "height": 9000 } }),
    );
    assert!(
        found.iter().any(|(at, _)| at == "/plot/height"),
        "{found:?}"
    );
    let found = errors(&v, &ode(json!({ "format": "gif" })));
    assert!(
        found.iter().any(|(at, _)| at.starts_with("/plot")),
        "{found:?}"
    );
    for fine in [
        json!(true),
        json!(false),
        json!({ "format": "svg", "width": 300 }),
    ] {
        let found = errors(&v, &ode(fine.clone()));
        assert!(found.is_empty(), "{fine}: {found:?}");
    }
}

#[test]
fn expression_errors_name_the_field_and_the_column() {
    let e = testing::call::<Integrate>(json!({ "op": "quad", "f": "sin(x", "a": 0, "b": 1 }))
        .unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert_eq!(pointer(&e), Some("/f"));
    assert!(e.details.as_ref().unwrap().get("column").is_some(), "{e:?}");

    let e = testing::call::<Integrate>(json!({ "op": "quad", "f": "x", "a": 0, "b": "2*w" }))
        .unwrap_err();
    assert_eq!(pointer(&e), Some("/b"), "{e:?}");
    assert!(e.message.contains("w"), "{e}");
}

#[test]
fn two_free_names_ask_for_var() {
    let e = testing::call::<Integrate>(json!({ "op": "quad", "f": "x*y", "a": 0, "b": 1 }))
        .unwrap_err();
    assert_eq!(pointer(&e), Some("/var"));
    assert!(e.message.contains("x, y"), "{e}");
}

#[test]
fn an_impossible_tolerance_is_refused_at_epsrel() {
    let e = testing::call::<Integrate>(
        json!({ "op": "quad", "f": "x", "a": 0, "b": 1, "epsabs": 0, "epsrel": 1e-20 }),
    )
    .unwrap_err();
    assert_eq!(pointer(&e), Some("/epsrel"), "{e:?}");
}

#[test]
fn a_singularity_inside_the_interval_is_an_error_naming_the_point() {
    // 1/x on [-1, 1]: the midpoint 0 is a Kronrod node, where f is infinite.
    let e = testing::call::<Integrate>(json!({ "op": "quad", "f": "1/x", "a": -1, "b": 1 }))
        .unwrap_err();
    assert_eq!(e.code, "not_finite");
    assert_eq!(pointer(&e), Some("/f"));
    assert!(e.message.contains("x = 0"), "{e}");
}

#[test]
fn a_divergent_integral_is_reported_not_hidden() {
    let out =
        testing::call::<Integrate>(json!({ "op": "quad", "f": "1/x", "a": 0, "b": 1 })).unwrap();
    let j = out.first_json().unwrap();
    assert_ne!(j["status"], "converged", "{j}");
    assert!(!j["warnings"].as_array().unwrap().is_empty());
    assert!(out.first_text().unwrap().contains("warning:"));
}
