//! The benchmark problems written in the expression language, with their minima. Shared by
//! this crate's tests and the host's sandbox benchmark (`host/benches/tools`).
#![allow(dead_code)]

use serde_json::Value;

pub const BRANIN: &str = "(y - 5.1/(4*pi^2)*x^2 + 5/pi*x - 6)^2 + 10*(1 - 1/(8*pi))*cos(x) + 10";
pub const BRANIN_MIN: f64 = 0.397_887_357_729_738;

/// Hartmann-6 on [0, 1]^6, minimum -3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
pub fn hartmann6() -> String {
    let alpha = [1.0, 1.2, 3.0, 3.2];
    let a = [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ];
    let p = [
        [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ];
    let terms: Vec<String> = (0..4)
        .map(|i| {
            let inner: Vec<String> = (0..6)
                .map(|j| format!("{}*(x{}-{})^2", a[i][j], j + 1, p[i][j]))
                .collect();
            format!("{}*exp(-({}))", alpha[i], inner.join(" + "))
        })
        .collect();
    format!("-({})", terms.join(" + "))
}
pub const HARTMANN6_MIN: f64 = -3.322_368_011_415_515;

/// Ackley in `d` dimensions, minimum 0 at the origin.
pub fn ackley(d: usize) -> String {
    let sq: Vec<String> = (1..=d).map(|i| format!("x{i}^2")).collect();
    let cs: Vec<String> = (1..=d).map(|i| format!("cos(2*pi*x{i})")).collect();
    format!(
        "-20*exp(-0.2*sqrt(({})/{d})) - exp(({})/{d}) + 20 + e",
        sq.join(" + "),
        cs.join(" + ")
    )
}

pub fn unit_bounds(d: usize, low: f64, high: f64) -> Value {
    let mut map = serde_json::Map::new();
    for i in 1..=d {
        map.insert(format!("x{i}"), serde_json::json!([low, high]));
    }
    Value::Object(map)
}
