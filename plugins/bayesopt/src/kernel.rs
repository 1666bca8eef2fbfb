//! The ARD Matérn-5/2 kernel
//! k(x, x') = s² (1 + a + a²/3) e^(-a), a = √5 r, r² = Σ (x_j - x'_j)² / l_j²,
//! and the derivatives the GP needs.

const SQRT5: f64 = 2.236_067_977_499_79;

/// Scaled squared distance Σ ((x_j - y_j) / l_j)², with `inv_ls2` = 1/l_j².
pub fn r2(x: &[f64], y: &[f64], inv_ls2: &[f64]) -> f64 {
    x.iter()
        .zip(y)
        .zip(inv_ls2)
        .map(|((a, b), w)| (a - b) * (a - b) * w)
        .sum()
}

/// The unit-variance kernel value at scaled squared distance `r2`.
pub fn value(r2: f64) -> f64 {
    let a = SQRT5 * r2.sqrt();
    (1.0 + a + a * a / 3.0) * libm::exp(-a)
}

/// The kernel value and g = (5/3)(1 + a) e^(-a): the derivative with respect
/// to log l_j is s² g (x_j - y_j)² / l_j², and with respect to x_j it is
/// -s² g (x_j - y_j) / l_j². Neither divides by r, so both are finite at r = 0.
pub fn value_and_slope(r2: f64) -> (f64, f64) {
    let a = SQRT5 * r2.sqrt();
    let e = libm::exp(-a);
    ((1.0 + a + a * a / 3.0) * e, 5.0 / 3.0 * (1.0 + a) * e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slope_is_the_derivative_of_the_kernel() {
        let (ls, x, y) = ([0.3, 0.8], [0.2, 0.7], [0.5, 0.1]);
        let inv: Vec<f64> = ls.iter().map(|l| 1.0 / (l * l)).collect();
        let (_, g) = value_and_slope(r2(&x, &y, &inv));
        let h = 1e-6;
        let mut xp = x;
        xp[0] += h;
        let mut xm = x;
        xm[0] -= h;
        let fd = (value(r2(&xp, &y, &inv)) - value(r2(&xm, &y, &inv))) / (2.0 * h);
        let analytic = -g * (x[0] - y[0]) * inv[0];
        assert!((fd - analytic).abs() < 1e-8, "{fd} vs {analytic}");
        assert_eq!(value(0.0), 1.0);
    }
}
