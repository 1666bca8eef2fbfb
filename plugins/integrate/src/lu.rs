//! Dense LU with partial pivoting for the implicit solver's small Newton systems (3n × 3n
//! for n unknowns written as expressions). Too small to be worth a linear-algebra crate in
//! this component.

pub struct Lu {
    a: Vec<f64>,
    n: usize,
    perm: Vec<usize>,
}

impl Lu {
    /// Factors the row-major n × n matrix; None if it is singular to working precision.
    pub fn factor(mut a: Vec<f64>, n: usize) -> Option<Lu> {
        let mut perm: Vec<usize> = (0..n).collect();
        for k in 0..n {
            let p = (k..n).max_by(|&i, &j| a[i * n + k].abs().total_cmp(&a[j * n + k].abs()))?;
            let pivot = a[p * n + k];
            if pivot == 0.0 || !pivot.is_finite() {
                return None;
            }
            if p != k {
                for j in 0..n {
                    a.swap(k * n + j, p * n + j);
                }
                perm.swap(k, p);
            }
            for i in k + 1..n {
                let l = a[i * n + k] / pivot;
                a[i * n + k] = l;
                if l != 0.0 {
                    for j in k + 1..n {
                        a[i * n + j] -= l * a[k * n + j];
                    }
                }
            }
        }
        Some(Lu { a, n, perm })
    }

    /// Solves A x = b in place.
    pub fn solve(&self, b: &mut [f64]) {
        let n = self.n;
        let mut x: Vec<f64> = self.perm.iter().map(|&p| b[p]).collect();
        for i in 0..n {
            for j in 0..i {
                x[i] -= self.a[i * n + j] * x[j];
            }
        }
        for i in (0..n).rev() {
            for j in i + 1..n {
                x[i] -= self.a[i * n + j] * x[j];
            }
            x[i] /= self.a[i * n + i];
        }
        b.copy_from_slice(&x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_system_that_needs_pivoting() {
        let lu = Lu::factor(vec![0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, 0.0, 1.0], 3).unwrap();
        let mut b = [3.0, 2.0, 4.0]; // x = (1, 1, 1)
        lu.solve(&mut b);
        for v in b {
            assert!((v - 1.0).abs() < 1e-15, "{b:?}");
        }
        assert!(Lu::factor(vec![1.0, 2.0, 2.0, 4.0], 2).is_none());
    }
}
