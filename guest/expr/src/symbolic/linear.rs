//! Exact Gaussian elimination over the rationals: linear systems that
//! `solve` is asked for, and the coefficient systems of partial fractions.

use num_traits::Zero;

use super::polynomial::Q;

/// What a linear system `A x = b` has.
#[derive(Clone, Debug, PartialEq)]
pub enum LinearOutcome<T> {
    /// Exactly one solution.
    Unique(Vec<T>),
    /// No solution: the equations contradict each other.
    Inconsistent { rank: usize },
    /// Infinitely many: fewer independent equations than unknowns.
    Underdetermined { rank: usize },
}

/// Solves `a x = b` exactly; `a` has one row per equation.
pub(crate) fn solve_rational(mut a: Vec<Vec<Q>>, mut b: Vec<Q>) -> LinearOutcome<Q> {
    let rows = a.len();
    let cols = a.first().map_or(0, Vec::len);
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..rows).find(|&i| !a[i][c].is_zero()) else {
            continue;
        };
        a.swap(r, p);
        b.swap(r, p);
        let inv = a[r][c].recip();
        for v in &mut a[r][c..] {
            *v = &*v * &inv;
        }
        b[r] = &b[r] * &inv;
        for i in 0..rows {
            if i != r && !a[i][c].is_zero() {
                let f = a[i][c].clone();
                for j in c..cols {
                    let v = &a[r][j] * &f;
                    a[i][j] -= v;
                }
                let v = &b[r] * &f;
                b[i] -= v;
            }
        }
        pivots.push(c);
        r += 1;
        if r == rows {
            break;
        }
    }
    let rank = pivots.len();
    if b[rank..].iter().any(|v| !v.is_zero()) {
        return LinearOutcome::Inconsistent { rank };
    }
    if rank < cols {
        return LinearOutcome::Underdetermined { rank };
    }
    let mut x = vec![Q::zero(); cols];
    for (i, &c) in pivots.iter().enumerate() {
        x[c] = b[i].clone();
    }
    LinearOutcome::Unique(x)
}

#[cfg(test)]
mod tests {
    use super::super::polynomial::q;
    use super::*;

    #[test]
    fn a_regular_system_has_its_exact_solution() {
        // x + y = 3, x - y = 1
        let a = vec![vec![q(1), q(1)], vec![q(1), q(-1)]];
        assert_eq!(
            solve_rational(a, vec![q(3), q(1)]),
            LinearOutcome::Unique(vec![q(2), q(1)])
        );
    }

    #[test]
    fn singular_systems_say_which_kind() {
        let a = vec![vec![q(1), q(1)], vec![q(2), q(2)]];
        assert_eq!(
            solve_rational(a.clone(), vec![q(1), q(3)]),
            LinearOutcome::Inconsistent { rank: 1 }
        );
        assert_eq!(
            solve_rational(a, vec![q(1), q(2)]),
            LinearOutcome::Underdetermined { rank: 1 }
        );
    }
}
