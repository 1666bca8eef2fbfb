//! Dense Cholesky and triangular solves for the GP's small SPD matrices
//! (row-major, n up to a few hundred): hand-written because a general
//! linear-algebra crate buys nothing at this size.

/// Overwrites the lower triangle of the n×n matrix `a` with its Cholesky
/// factor L (a = L Lᵀ) and zeroes the upper triangle. False when `a` is
/// not numerically positive definite.
pub fn cholesky(a: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 0.0 || !d.is_finite() {
            return false;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
        for k in j + 1..n {
            a[j * n + k] = 0.0;
        }
    }
    true
}

/// Solves L x = b in place.
pub fn solve_lower(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// Solves Lᵀ x = b in place.
pub fn solve_upper_t(l: &[f64], n: usize, b: &mut [f64]) {
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// L⁻¹ (lower triangular, row-major) from the factor L, row by row so
/// every inner loop runs over contiguous memory.
fn inverse_lower(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        // Row i of L⁻¹ is (e_i - Σ_{k<i} L[i][k] row_k(L⁻¹)) / L[i][i].
        let (done, rest) = inv.split_at_mut(i * n);
        let row = &mut rest[..n];
        row[i] = 1.0;
        for k in 0..i {
            let c = l[i * n + k];
            if c != 0.0 {
                for (r, v) in row[..=k].iter_mut().zip(&done[k * n..k * n + k + 1]) {
                    *r -= c * v;
                }
            }
        }
        let d = l[i * n + i];
        row[..=i].iter_mut().for_each(|r| *r /= d);
    }
    inv
}

/// (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹ from the factor L, as a full symmetric matrix: a
/// sum of rank-one updates by the rows of L⁻¹, about n³/3 flops in all.
pub fn inverse_from_cholesky(l: &[f64], n: usize) -> Vec<f64> {
    let li = inverse_lower(l, n);
    let mut inv = vec![0.0; n * n];
    for k in 0..n {
        let row = &li[k * n..k * n + k + 1];
        for (i, &a) in row.iter().enumerate() {
            for (o, &b) in inv[i * n..i * n + i + 1].iter_mut().zip(row) {
                *o += a * b;
            }
        }
    }
    for i in 0..n {
        for j in 0..i {
            inv[j * n + i] = inv[i * n + j];
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_spd_system() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let mut l = a;
        assert!(cholesky(&mut l, 3));
        let mut x = [1.0, 2.0, 3.0];
        solve_lower(&l, 3, &mut x);
        solve_upper_t(&l, 3, &mut x);
        for i in 0..3 {
            let ax: f64 = (0..3).map(|k| a[i * 3 + k] * x[k]).sum();
            assert!((ax - (i + 1) as f64).abs() < 1e-12);
        }
        let inv = inverse_from_cholesky(&l, 3);
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((p - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn cholesky_refuses_an_indefinite_matrix() {
        let mut a = [1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky(&mut a, 2));
    }
}
