//! `ode` against scipy's solve_ivp on the committed reference problems
//! (tests/fixtures/numerics/integrate_refs.json): at rtol 1e-8 the end point must be within
//! 10× of scipy's error with the same method (RK45 for dopri5, DOP853 for dop853, Radau for
//! radau), and dopri5, which takes RK45's decisions, in no more than its evaluations.

use tool_integrate::Integrate;
use toolhost_sdk::{Value, json, testing};

fn refs() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/numerics/integrate_refs.json"
    ))
    .expect("the reference file is JSON")
}

/// Solve reference problem `c` with `method` to the end of its span: the result, and the
/// largest error of the end point against the problem's exact end.
fn solve_to_end(c: &Value, method: &str) -> (Value, f64) {
    let out = testing::call::<Integrate>(json!({
        "op": "ode",
        "method": method,
        "rhs": c["rhs"],
        "y0": c["y0"],
        "params": c["params"],
        "t_span": c["t_span"],
        "t_eval": [c["t_span"][1]],
        "rtol": c["rtol"],
        "atol": c["atol"],
    }))
    .unwrap_or_else(|e| panic!("{}: {e}", c["name"]));
    let j = out.first_json().unwrap().clone();
    assert_eq!(j["status"], "reached", "{}: {j}", c["name"]);
    let error = c["exact_end"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, v)| (j["y"][name][0].as_f64().unwrap() - v.as_f64().unwrap()).abs())
        .fold(0.0, f64::max);
    (j, error)
}

#[test]
fn end_points_are_within_ten_times_scipys_error_in_no_more_evaluations() {
    let refs = refs();
    let odes = refs["ode"].as_array().expect("a list of problems");
    assert!(odes.len() >= 2);
    for c in odes {
        let (j, error) = solve_to_end(c, "dopri5");
        let scipy_error = c["scipy_rk45_error"].as_f64().unwrap();
        let nfev = j["nfev"].as_f64().unwrap();
        let scipy_nfev = c["scipy_rk45_nfev"].as_f64().unwrap();
        eprintln!(
            "{:>16}: error {error:.2e} (scipy {scipy_error:.2e}), nfev {nfev} (scipy {scipy_nfev})",
            c["name"]
        );
        assert!(
            error <= 10.0 * scipy_error,
            "{}: error {error:e}",
            c["name"]
        );
        assert!(nfev <= scipy_nfev, "{}: {nfev} evaluations", c["name"]);
    }
}

#[test]
fn dop853_end_points_are_within_ten_times_scipys_error() {
    let refs = refs();
    let odes = refs["ode"].as_array().expect("a list of problems");
    assert_eq!(odes.len(), 3, "Lotka–Volterra, Kepler, Arenstorf");
    for c in odes {
        let (j, error) = solve_to_end(c, "dop853");
        assert_eq!(j["method"], "dop853");
        let scipy_error = c["scipy_dop853_error"].as_f64().unwrap();
        eprintln!(
            "{:>16}: error {error:.2e} (scipy {scipy_error:.2e}), nfev {} (scipy {}; RK45 {})",
            c["name"], j["nfev"], c["scipy_dop853_nfev"], c["scipy_rk45_nfev"]
        );
        assert!(
            error <= 10.0 * scipy_error,
            "{}: error {error:e}",
            c["name"]
        );
    }
}

#[test]
fn dop853_locates_events_interpolates_and_runs_backwards() {
    // y = sin(t) as a system: events at π, 2π, 3π; output between steps from the
    // seventh-order interpolant.
    let out = testing::call::<Integrate>(json!({
        "op": "ode", "method": "dop853",
        "rhs": { "y": "v", "v": "-y" }, "y0": { "y": 0, "v": 1 }, "t_span": [0, 10],
        "t_eval": [0.5, 2.5, 7.25, 10], "events": [{ "expr": "y" }],
        "rtol": 1e-10, "atol": 1e-12
    }))
    .unwrap();
    let j = out.first_json().unwrap();
    let events = j["events"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{j}");
    for (k, e) in events.iter().enumerate() {
        let t = e["t"].as_f64().unwrap();
        assert!(
            (t - (k + 1) as f64 * std::f64::consts::PI).abs() < 1e-9,
            "{j}"
        );
    }
    for (i, t) in [0.5f64, 2.5, 7.25, 10.0].iter().enumerate() {
        let y = j["y"]["y"][i].as_f64().unwrap();
        assert!((y - t.sin()).abs() < 1e-9, "t = {t}: {y}");
    }
    // The ball lands at 20/g; backwards, y = exp(sin t) comes back to exp(−sin 3).
    let out = testing::call::<Integrate>(json!({
        "op": "ode", "method": "dop853", "rhs": { "h": "v", "v": "-9.81" },
        "y0": { "h": 0, "v": 10 }, "t_span": [0, 10],
        "events": [{ "expr": "h", "direction": -1, "terminal": true }],
        "rtol": 1e-10, "atol": 1e-12
    }))
    .unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["status"], "event");
    let landing = j["events"][0]["t"].as_f64().unwrap();
    assert!((landing - 20.0 / 9.81).abs() < 1e-10, "{j}");
    let out = testing::call::<Integrate>(json!({
        "op": "ode", "method": "dop853", "rhs": { "y": "y*cos(t)" }, "y0": { "y": 1 },
        "t_span": [3, 0], "rtol": 1e-10, "atol": 1e-12
    }))
    .unwrap();
    let j = out.first_json().unwrap();
    let end = j["y"]["y"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_f64()
        .unwrap();
    assert!((end - (-(3f64).sin()).exp()).abs() < 1e-9, "{end}");
}

#[test]
fn a_terminal_event_stops_where_the_ball_lands() {
    let out = testing::call::<Integrate>(json!({
        "op": "ode",
        "rhs": { "h": "v", "v": "-g" },
        "params": { "g": 9.81 },
        "y0": { "h": 0, "v": 10 },
        "t_span": [0, 10],
        "events": [{ "expr": "h", "direction": -1, "terminal": true }],
        "rtol": 1e-10,
        "atol": 1e-12
    }))
    .unwrap();
    let j = out.first_json().unwrap();
    let landing = 20.0 / 9.81;
    assert_eq!(j["status"], "event");
    let events = j["events"].as_array().unwrap();
    assert_eq!(
        events.len(),
        1,
        "the start at h = 0 going up is not a landing: {j}"
    );
    assert!(
        (events[0]["t"].as_f64().unwrap() - landing).abs() < 1e-10,
        "{j}"
    );
    assert!(
        (events[0]["y"]["v"].as_f64().unwrap() + 10.0).abs() < 1e-8,
        "{j}"
    );
    let ts = j["t"].as_array().unwrap();
    assert!((ts.last().unwrap().as_f64().unwrap() - landing).abs() < 1e-10);
}

#[test]
fn non_terminal_events_are_all_found_and_t_eval_is_interpolated() {
    // y = sin(t) as a system; its zeros in (0, 10] are π, 2π, 3π.
    let out = testing::call::<Integrate>(json!({
        "op": "ode",
        "rhs": { "y": "v", "v": "-y" },
        "y0": { "y": 0, "v": 1 },
        "t_span": [0, 10],
        "t_eval": [0, 0.5, 2.5, 7.25, 10],
        "events": [{ "expr": "y" }],
        "rtol": 1e-10,
        "atol": 1e-12
    }))
    .unwrap();
    let j = out.first_json().unwrap();
    let found: Vec<f64> = j["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["t"].as_f64().unwrap())
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    for (k, t) in found.iter().enumerate() {
        assert!(
            (t - (k + 1) as f64 * std::f64::consts::PI).abs() < 1e-8,
            "{found:?}"
        );
    }
    let ts: Vec<f64> = j["t"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(ts, [0.0, 0.5, 2.5, 7.25, 10.0]);
    for (i, t) in ts.iter().enumerate() {
        let y = j["y"]["y"][i].as_f64().unwrap();
        assert!((y - t.sin()).abs() < 1e-8, "t = {t}: {y}");
    }
}

#[test]
fn backwards_integration_returns_to_the_start() {
    let out = testing::call::<Integrate>(json!({
        "op": "ode", "rhs": { "y": "y*cos(t)" }, "y0": { "y": 1 }, "t_span": [3, 0],
        "rtol": 1e-10, "atol": 1e-12
    }))
    .unwrap();
    let j = out.first_json().unwrap();
    let end = j["y"]["y"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_f64()
        .unwrap();
    // y = C exp(sin t) with y(3) = 1: y(0) = exp(-sin 3).
    assert!((end - (-(3f64).sin()).exp()).abs() < 1e-9, "{end}");
}

#[test]
fn input_errors_name_the_field() {
    let pointer = |input: Value| {
        let e = testing::call::<Integrate>(input).unwrap_err();
        assert_eq!(e.code, "invalid_input", "{e}");
        e.details.unwrap()["pointer"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        pointer(json!({ "op": "ode", "rhs": { "y": "-y" }, "y0": {}, "t_span": [0, 1] })),
        "/y0"
    );
    assert_eq!(
        pointer(
            json!({ "op": "ode", "rhs": { "y": "-y" }, "y0": { "y": 1, "z": 2 }, "t_span": [0, 1] })
        ),
        "/y0/z"
    );
    assert_eq!(
        pointer(json!({ "op": "ode", "rhs": { "y": "-k*y" }, "y0": { "y": 1 }, "t_span": [0, 1] })),
        "/rhs/y"
    );
    assert_eq!(
        pointer(
            json!({ "op": "ode", "rhs": { "y": "-y" }, "y0": { "y": 1 }, "t_span": [0, 1], "t_eval": [0.5, 2] })
        ),
        "/t_eval/1"
    );
    assert_eq!(
        pointer(
            json!({ "op": "ode", "rhs": { "y": "-y" }, "y0": { "y": 1 }, "t_span": [0, 1], "rtol": 0 })
        ),
        "/rtol"
    );
    assert_eq!(
        pointer(
            json!({ "op": "ode", "rhs": { "y": "-y" }, "y0": { "y": 1 }, "t_span": [0, 1],
                        "events": [{ "expr": "y -" }] })
        ),
        "/events/0/expr"
    );
}

#[test]
fn a_stiff_system_runs_into_max_steps_with_a_warning() {
    let out = testing::call::<Integrate>(json!({
        "op": "ode", "rhs": { "y": "-1e6*(y - cos(t))" }, "y0": { "y": 0 }, "t_span": [0, 100],
        "max_steps": 2000
    }))
    .unwrap();
    let j = out.first_json().unwrap();
    assert_eq!(j["status"], "max_steps", "{j}");
    assert!(j["message"].as_str().unwrap().contains("radau"));
}

#[test]
fn stiff_end_points_with_radau_are_within_ten_times_scipys_error() {
    let refs = refs();
    let stiff = refs["stiff"].as_array().expect("a list of stiff problems");
    assert_eq!(stiff.len(), 3, "Robertson, van der Pol (μ = 1000), HIRES");
    for c in stiff {
        let (j, error) = solve_to_end(c, "radau");
        let scipy_error = c["scipy_radau_error"].as_f64().unwrap();
        eprintln!(
            "{:>16}: error {error:.2e} (scipy {scipy_error:.2e}), nfev {} (scipy {}), steps {}",
            c["name"], j["nfev"], c["scipy_radau_nfev"], j["steps"]
        );
        assert!(
            error <= 10.0 * scipy_error,
            "{}: error {error:e}",
            c["name"]
        );
    }
}
