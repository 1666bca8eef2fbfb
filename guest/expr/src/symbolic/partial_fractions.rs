//! Antiderivatives of rational functions with rational coefficients: the
//! polynomial part, then partial fractions over the denominator factored
//! into linear and irreducible quadratic factors over the rationals. Linear
//! factors give `ln(abs(x - r))` and powers, quadratic ones `ln` and `atan`
//! terms (with the usual reduction for their powers).

use num_traits::{One, Zero};

use super::arena::Arena;
use super::linear::{LinearOutcome, solve_rational};
use super::node::{Func, Id};
use super::polynomial::{Poly, Q, q, q_expr, sqrt_expr};
use crate::elementary::Un;

/// A factor of the denominator and the power it appears with.
enum Factor {
    /// `x - r`.
    Linear(Q),
    /// A monic quadratic without real roots.
    Quadratic(Poly),
}

/// `∫ num/den dx` for a monic `den`, or `None` when the denominator does
/// not split into linear and quadratic factors over the rationals.
pub(crate) fn integrate_rational(arena: &mut Arena, num: &Poly, den: &Poly, x: Id) -> Option<Id> {
    let (quot, rem) = num.divrem(den);
    let mut terms = vec![integrate_polynomial(arena, &quot, x)];
    if !rem.is_zero() {
        let factors = factor(den)?;
        let coefficients = partial_fraction_coefficients(&rem, den, &factors)?;
        let mut next = coefficients.into_iter();
        for (f, k) in &factors {
            for j in 1..=*k {
                match f {
                    Factor::Linear(r) => {
                        let a = next.next()?;
                        terms.push(linear_term(arena, &a, r, j, x));
                    }
                    Factor::Quadratic(qd) => {
                        let b = next.next()?;
                        let c = next.next()?;
                        terms.push(quadratic_term(arena, &b, &c, qd, j, x));
                    }
                }
            }
        }
    }
    Some(arena.add(&terms))
}

pub(crate) fn integrate_polynomial(arena: &mut Arena, p: &Poly, x: Id) -> Id {
    let antiderivative = Poly::new(
        std::iter::once(Q::zero())
            .chain(
                p.coeffs()
                    .iter()
                    .enumerate()
                    .map(|(i, c)| c / q(i as i64 + 1)),
            )
            .collect(),
    );
    antiderivative.to_expr(arena, x)
}

/// The denominator as factors with multiplicities, in a fixed order.
fn factor(den: &Poly) -> Option<Vec<(Factor, usize)>> {
    let mut out = Vec::new();
    for (part, k) in den.square_free() {
        let mut rest = part;
        for r in rest.rational_roots() {
            rest = rest.divrem(&Poly::linear_root(&r)).0;
            out.push((Factor::Linear(r), k));
        }
        match rest.degree() {
            0 => {}
            2 => out.push((Factor::Quadratic(rest.monic()), k)),
            // An irreducible cubic or a quartic such as x^4 + 1 needs
            // algebraic numbers beyond square roots of rationals.
            _ => return None,
        }
    }
    Some(out)
}

/// The numerators of `rem/den` over the factors, in the order the factors
/// and their powers come: one constant per linear power, `B x + C` (two
/// numbers) per quadratic power.
fn partial_fraction_coefficients(
    rem: &Poly,
    den: &Poly,
    factors: &[(Factor, usize)],
) -> Option<Vec<Q>> {
    let n = den.degree();
    let mut columns: Vec<Poly> = Vec::with_capacity(n);
    for (f, k) in factors {
        let base = match f {
            Factor::Linear(r) => Poly::linear_root(r),
            Factor::Quadratic(qd) => qd.clone(),
        };
        for j in 1..=*k {
            let (cofactor, r) = den.divrem(&base.pow(j as u32));
            debug_assert!(r.is_zero());
            match f {
                Factor::Linear(_) => columns.push(cofactor),
                Factor::Quadratic(_) => {
                    columns.push(cofactor.mul(&Poly::new(vec![Q::zero(), Q::one()])));
                    columns.push(cofactor);
                }
            }
        }
    }
    if columns.len() != n {
        return None;
    }
    let a: Vec<Vec<Q>> = (0..n)
        .map(|i| columns.iter().map(|c| c.coeff(i)).collect())
        .collect();
    let b: Vec<Q> = (0..n).map(|i| rem.coeff(i)).collect();
    match solve_rational(a, b) {
        LinearOutcome::Unique(x) => Some(x),
        _ => None,
    }
}

fn ln(arena: &mut Arena, u: Id) -> Id {
    arena.call(Func::Un(Un::Ln), &[u])
}

/// `∫ a/(x - r)^j dx`.
fn linear_term(arena: &mut Arena, a: &Q, r: &Q, j: usize, x: Id) -> Id {
    let neg_r = q_expr(arena, &-r.clone());
    let base = arena.add(&[x, neg_r]);
    if j == 1 {
        let abs = arena.call(Func::Un(Un::Abs), &[base]);
        let l = ln(arena, abs);
        let a = q_expr(arena, a);
        return arena.mul(&[a, l]);
    }
    let k = j as i64 - 1;
    let c = q_expr(arena, &(-a / q(k)));
    let e = arena.int(-k);
    let p = arena.pow(base, e);
    arena.mul(&[c, p])
}

/// `∫ (b x + c)/qd^j dx` for a monic quadratic `qd = x^2 + p x + s` with no
/// real roots: with `t = x + p/2` and `a² = s - p²/4`, the `b t` part gives
/// `ln` or a power of `qd`, the constant part `atan(t/a)/a` and its
/// reduction formula.
fn quadratic_term(arena: &mut Arena, b: &Q, c: &Q, qd: &Poly, j: usize, x: Id) -> Id {
    let p = qd.coeff(1);
    let s = qd.coeff(0);
    let half_p = &p / q(2);
    let a2 = &s - &half_p * &half_p;
    let e = c - b * &half_p;
    let qd_expr = qd.to_expr(arena, x);
    let mut terms = Vec::new();
    if !b.is_zero() {
        if j == 1 {
            let l = ln(arena, qd_expr);
            let k = q_expr(arena, &(b / q(2)));
            terms.push(arena.mul(&[k, l]));
        } else {
            let k = j as i64 - 1;
            let coef = q_expr(arena, &(-b / q(2 * k)));
            let ex = arena.int(-k);
            let pw = arena.pow(qd_expr, ex);
            terms.push(arena.mul(&[coef, pw]));
        }
    }
    if !e.is_zero() {
        let hp = q_expr(arena, &half_p);
        let t = arena.add(&[x, hp]);
        let j_int = atan_reduction(arena, &a2, t, qd_expr, j);
        let e = q_expr(arena, &e);
        terms.push(arena.mul(&[e, j_int]));
    }
    arena.add(&terms)
}

/// `J_j = ∫ dt/(t² + a²)^j`: `J_1 = atan(t/a)/a`,
/// `J_j = t/(2a²(j-1)(t²+a²)^(j-1)) + (2j-3)/(2a²(j-1)) J_(j-1)`.
fn atan_reduction(arena: &mut Arena, a2: &Q, t: Id, qd: Id, j: usize) -> Id {
    if j == 1 {
        let a = sqrt_expr(arena, a2);
        let ratio = arena.div(t, a);
        let at = arena.call(Func::Un(Un::Atan), &[ratio]);
        return arena.div(at, a);
    }
    let k = q(j as i64 - 1);
    let denom = q(2) * a2 * &k;
    let c1 = q_expr(arena, &denom.recip());
    let ex = arena.int(-(j as i64 - 1));
    let pw = arena.pow(qd, ex);
    let first = arena.mul(&[c1, t, pw]);
    let c2 = q_expr(arena, &(q(2 * j as i64 - 3) / denom));
    let prev = atan_reduction(arena, a2, t, qd, j - 1);
    let second = arena.mul(&[c2, prev]);
    arena.add(&[first, second])
}
