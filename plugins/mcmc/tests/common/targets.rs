//! The sampling benchmark's targets as log densities in the expression language. Shared by
//! this crate's bench and the host's sandbox benchmark (`host/benches/tools`).

/// A `d`-dimensional standard Gaussian over `x1..xd`.
pub fn iid_gaussian(d: usize) -> (String, Vec<String>) {
    let names: Vec<String> = (1..=d).map(|i| format!("x{i}")).collect();
    let squares: Vec<String> = names.iter().map(|n| format!("{n}^2")).collect();
    (format!("-0.5 * ({})", squares.join(" + ")), names)
}

/// The AR(1) correlation 0.9^|i-j| has a tridiagonal precision matrix.
pub fn ar1_gaussian(d: usize, rho: f64) -> (String, Vec<String>) {
    let names: Vec<String> = (1..=d).map(|i| format!("x{i}")).collect();
    let mut diag = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let w = if i == 0 || i == d - 1 {
            1.0
        } else {
            1.0 + rho * rho
        };
        diag.push(format!("{w} * {n}^2"));
    }
    let off: Vec<String> = names
        .windows(2)
        .map(|w| format!("{} * {}", w[0], w[1]))
        .collect();
    let src = format!(
        "-({} - {} * ({})) / {}",
        diag.join(" + "),
        2.0 * rho,
        off.join(" + "),
        2.0 * (1.0 - rho * rho)
    );
    (src, names)
}

/// The 2-d banana of the issue, over `x` and `y`.
pub const BANANA: &str = "-((1 - x)^2 + 100 * (y - x^2)^2) / 20";
