//! Univariate polynomials with exact rational coefficients: the algebra under
//! partial fractions and exact root finding.
//!
//! Coefficients are big rationals so that division, gcds and partial
//! fraction systems never overflow or round; they become the arena's
//! `i64` rationals again only when written back as expressions (a
//! coefficient beyond `i64` is written as the nearest `f64`).

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::arena::Arena;
use super::node::{Id, Node};
use super::number::Number;

pub(crate) type Q = BigRational;

/// The largest |constant| or |leading| coefficient whose divisors are
/// enumerated for rational roots: trial division up to its square root.
const MAX_ROOT_SEARCH: i64 = 1_000_000_000_000;

/// The most candidates `p/q` the rational root search tries (each one an
/// exact evaluation): highly composite coefficients have thousands of
/// divisors.
const MAX_ROOT_CANDIDATES: usize = 20_000;

/// The highest degree a polynomial built from an expression may have:
/// `x^100000` is not worth a dense coefficient vector.
pub(crate) const MAX_DEGREE: usize = 64;

pub(crate) fn q(n: i64) -> Q {
    Q::from_integer(BigInt::from(n))
}

/// A coefficient of an expression: exact rationals as they are, decimals by
/// their exact binary value.
pub(crate) fn number_to_q(n: Number) -> Option<Q> {
    match n {
        Number::Rat { num, den } => Some(Q::new(num.into(), den.into())),
        Number::Float(v) => Q::from_float(v),
    }
}

/// A rational as an arena number: exact when it fits in `i64`.
pub(crate) fn q_to_number(v: &Q) -> Number {
    match (v.numer().to_i64(), v.denom().to_i64()) {
        (Some(n), Some(d)) => Number::ratio(n, d),
        _ => Number::float(q_to_f64(v)),
    }
}

pub(crate) fn q_to_f64(v: &Q) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

pub(crate) fn q_expr(arena: &mut Arena, v: &Q) -> Id {
    arena.num(q_to_number(v))
}

/// `sqrt(v)` for a rational `v >= 0` with square factors taken out:
/// `sqrt(3/4)` is `sqrt(3)/2`, `sqrt(12)` is `2*sqrt(3)`.
pub(crate) fn sqrt_expr(arena: &mut Arena, v: &Q) -> Id {
    let half = arena.num(Number::HALF);
    let (Some(n), Some(d)) = (v.numer().to_i64(), v.denom().to_i64()) else {
        let e = q_expr(arena, v);
        return arena.pow(e, half);
    };
    // sqrt(n/d) = sqrt(n d)/d, and n d = s² r.
    let Some(mut r) = n.checked_mul(d) else {
        let e = q_expr(arena, v);
        return arena.pow(e, half);
    };
    let mut s: i64 = 1;
    let mut p: i64 = 2;
    while p <= 10_000 && p * p <= r {
        while r % (p * p) == 0 {
            r /= p * p;
            s *= p;
        }
        p += 1;
    }
    let c = arena.num(Number::ratio(s, d));
    let r = arena.int(r);
    let root = arena.pow(r, half);
    arena.mul(&[c, root])
}

/// Coefficients from the constant term up, without trailing zeros.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Poly(Vec<Q>);

impl Poly {
    pub fn new(mut coeffs: Vec<Q>) -> Poly {
        while coeffs.last().is_some_and(Zero::is_zero) {
            coeffs.pop();
        }
        Poly(coeffs)
    }

    pub fn zero() -> Poly {
        Poly(Vec::new())
    }

    pub fn constant(c: Q) -> Poly {
        Poly::new(vec![c])
    }

    /// `x - r`.
    pub fn linear_root(r: &Q) -> Poly {
        Poly::new(vec![-r.clone(), Q::one()])
    }

    pub fn coeffs(&self) -> &[Q] {
        &self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// The degree; 0 for the zero polynomial too.
    pub fn degree(&self) -> usize {
        self.0.len().saturating_sub(1)
    }

    pub fn lead(&self) -> Q {
        self.0.last().cloned().unwrap_or_else(Q::zero)
    }

    pub fn coeff(&self, i: usize) -> Q {
        self.0.get(i).cloned().unwrap_or_else(Q::zero)
    }

    pub fn add(&self, o: &Poly) -> Poly {
        let n = self.0.len().max(o.0.len());
        Poly::new((0..n).map(|i| self.coeff(i) + o.coeff(i)).collect())
    }

    pub fn sub(&self, o: &Poly) -> Poly {
        self.add(&o.scale(&q(-1)))
    }

    pub fn scale(&self, c: &Q) -> Poly {
        Poly::new(self.0.iter().map(|a| a * c).collect())
    }

    pub fn mul(&self, o: &Poly) -> Poly {
        if self.is_zero() || o.is_zero() {
            return Poly::zero();
        }
        let mut out = vec![Q::zero(); self.0.len() + o.0.len() - 1];
        for (i, a) in self.0.iter().enumerate() {
            for (j, b) in o.0.iter().enumerate() {
                out[i + j] += a * b;
            }
        }
        Poly::new(out)
    }

    pub fn pow(&self, n: u32) -> Poly {
        let mut out = Poly::constant(Q::one());
        for _ in 0..n {
            out = out.mul(self);
        }
        out
    }

    /// Quotient and remainder; `d` must not be zero.
    pub fn divrem(&self, d: &Poly) -> (Poly, Poly) {
        let mut rem = self.0.clone();
        let dd = d.degree();
        let lead = d.lead();
        if self.0.len() < d.0.len() {
            return (Poly::zero(), self.clone());
        }
        let mut quot = vec![Q::zero(); self.0.len() - d.0.len() + 1];
        for k in (0..quot.len()).rev() {
            let c = &rem[k + dd] / &lead;
            if !c.is_zero() {
                for (j, dj) in d.0.iter().enumerate() {
                    rem[k + j] -= &c * dj;
                }
            }
            quot[k] = c;
        }
        rem.truncate(dd);
        (Poly::new(quot), Poly::new(rem))
    }

    pub fn monic(&self) -> Poly {
        if self.is_zero() {
            return Poly::zero();
        }
        self.scale(&self.lead().recip())
    }

    /// The monic greatest common divisor.
    pub fn gcd(&self, o: &Poly) -> Poly {
        let (mut a, mut b) = (self.clone(), o.clone());
        while !b.is_zero() {
            let r = a.divrem(&b).1;
            a = b;
            b = r;
        }
        a.monic()
    }

    pub fn derivative(&self) -> Poly {
        Poly::new(
            self.0
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, a)| a * q(i as i64))
                .collect(),
        )
    }

    pub fn eval(&self, x: &Q) -> Q {
        self.0.iter().rev().fold(Q::zero(), |acc, a| acc * x + a)
    }

    /// Square-free factorisation (Yun): monic `(factor, multiplicity)` pairs
    /// whose product, times the leading coefficient, is `self`.
    pub fn square_free(&self) -> Vec<(Poly, usize)> {
        let mut out = Vec::new();
        if self.degree() == 0 {
            return out;
        }
        let f = self.monic();
        let df = f.derivative();
        let mut a = f.gcd(&df);
        let mut b = f.divrem(&a).0;
        let mut c = df.divrem(&a).0;
        let mut d = c.sub(&b.derivative());
        let mut i = 1;
        while b.degree() > 0 {
            a = b.gcd(&d);
            if a.degree() > 0 {
                out.push((a.clone(), i));
            }
            b = b.divrem(&a).0;
            c = d.divrem(&a).0;
            d = c.sub(&b.derivative());
            i += 1;
        }
        out
    }

    /// The distinct rational roots, by the rational root theorem; empty when
    /// the coefficients are too large to search.
    pub fn rational_roots(&self) -> Vec<Q> {
        let mut roots = Vec::new();
        if self.degree() == 0 {
            return roots;
        }
        // Integer coefficients with the same roots.
        let lcm = self
            .0
            .iter()
            .fold(BigInt::one(), |acc, c| acc.lcm(c.denom()));
        let ints: Vec<BigInt> = self.0.iter().map(|c| (c * &lcm).to_integer()).collect();
        let mut p = Poly::new(ints.iter().map(|i| Q::from_integer(i.clone())).collect());
        // Zero roots first, so the constant term is nonzero.
        let zeros = ints.iter().take_while(|c| c.is_zero()).count();
        if zeros > 0 {
            roots.push(Q::zero());
            p = Poly::new(p.0[zeros..].to_vec());
        }
        let (Some(a0), Some(an)) = (
            p.0[0].numer().abs().to_i64(),
            p.lead().numer().abs().to_i64(),
        ) else {
            return roots;
        };
        if a0 > MAX_ROOT_SEARCH || an > MAX_ROOT_SEARCH {
            return roots;
        }
        let (nums, dens) = (divisors(a0), divisors(an));
        if nums.len() * dens.len() > MAX_ROOT_CANDIDATES {
            return roots;
        }
        for &num in &nums {
            for &den in &dens {
                for sign in [1, -1] {
                    let r = Q::new(BigInt::from(sign * num), BigInt::from(den));
                    if !roots.contains(&r) && p.eval(&r).is_zero() {
                        roots.push(r);
                    }
                }
            }
        }
        roots
    }

    /// Extracts the polynomial in `var` that `id` is, if its coefficients
    /// are all numbers.
    pub fn from_expr(arena: &Arena, id: Id, var: &str) -> Option<Poly> {
        let (num, den) = rational_function(arena, id, var)?;
        if den.degree() > 0 {
            return None;
        }
        Some(num.scale(&den.lead().recip()))
    }

    /// The polynomial written as an expression in `x`.
    pub fn to_expr(&self, arena: &mut Arena, x: Id) -> Id {
        let mut terms = Vec::new();
        for (i, c) in self.0.iter().enumerate() {
            if c.is_zero() {
                continue;
            }
            let c = q_expr(arena, c);
            let e = arena.int(i as i64);
            let p = arena.pow(x, e);
            terms.push(arena.mul(&[c, p]));
        }
        arena.add(&terms)
    }
}

/// The numerator and denominator of `id` as a rational function of `var`
/// with numeric coefficients, or `None` if it is not one.
pub(crate) fn rational_function(arena: &Arena, id: Id, var: &str) -> Option<(Poly, Poly)> {
    let one = || Poly::constant(Q::one());
    let r = match arena.node(id) {
        Node::Num(n) => (Poly::constant(number_to_q(*n)?), one()),
        Node::Var(name) if &**name == var => (Poly::new(vec![Q::zero(), Q::one()]), one()),
        Node::Add(ts) => {
            let mut acc = (Poly::zero(), one());
            for &t in ts.iter() {
                let (n, d) = rational_function(arena, t, var)?;
                // a/b + n/d over the common denominator, reduced.
                let g = acc.1.gcd(&d);
                let (bd, dg) = (acc.1.divrem(&g).0, d.divrem(&g).0);
                let num = acc.0.mul(&dg).add(&n.mul(&bd));
                acc = (num, acc.1.mul(&dg));
                if acc.1.degree() > MAX_DEGREE {
                    return None;
                }
            }
            acc
        }
        Node::Mul(fs) => {
            let mut acc = (one(), one());
            for &f in fs.iter() {
                let (n, d) = rational_function(arena, f, var)?;
                acc = (acc.0.mul(&n), acc.1.mul(&d));
                if acc.0.degree() + acc.1.degree() > MAX_DEGREE {
                    return None;
                }
            }
            acc
        }
        Node::Pow([b, e]) => {
            let n = arena.as_num(*e)?.as_int()?;
            let (bn, bd) = rational_function(arena, *b, var)?;
            let k = u32::try_from(n.unsigned_abs()).ok()?;
            if (bn.degree().max(bd.degree()) as u64) * u64::from(k) > MAX_DEGREE as u64 {
                return None;
            }
            if n >= 0 {
                (bn.pow(k), bd.pow(k))
            } else {
                (bd.pow(k), bn.pow(k))
            }
        }
        _ => return None,
    };
    if r.1.is_zero() {
        return None;
    }
    // Keep the pair reduced, with a monic denominator.
    let g = r.0.gcd(&r.1);
    let (n, d) = if g.degree() > 0 {
        (r.0.divrem(&g).0, r.1.divrem(&g).0)
    } else {
        r
    };
    let lead = d.lead().recip();
    Some((n.scale(&lead), d.scale(&lead)))
}

/// Positive divisors of `n > 0`, by trial division up to its square root.
fn divisors(n: i64) -> Vec<i64> {
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut d = 1;
    while d * d <= n {
        if n % d == 0 {
            small.push(d);
            if d * d != n {
                large.push(n / d);
            }
        }
        d += 1;
    }
    small.extend(large.into_iter().rev());
    small
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(cs: &[i64]) -> Poly {
        Poly::new(cs.iter().map(|&c| q(c)).collect())
    }

    #[test]
    fn division_and_gcd_are_exact() {
        // (x^2 - 1) = (x - 1)(x + 1)
        let (quot, rem) = p(&[-1, 0, 1]).divrem(&p(&[-1, 1]));
        assert_eq!(quot, p(&[1, 1]));
        assert!(rem.is_zero());
        assert_eq!(p(&[-1, 0, 1]).gcd(&p(&[1, 2, 1])), p(&[1, 1]));
    }

    #[test]
    fn square_free_parts_carry_multiplicities() {
        // (x - 1)^2 (x + 2)
        let f = p(&[-1, 1]).pow(2).mul(&p(&[2, 1]));
        assert_eq!(f.square_free(), vec![(p(&[2, 1]), 1), (p(&[-1, 1]), 2)]);
    }

    #[test]
    fn rational_roots_are_found() {
        // (2x - 1)(x + 3) x
        let f = p(&[-1, 2]).mul(&p(&[3, 1])).mul(&p(&[0, 1]));
        let mut roots = f.rational_roots();
        roots.sort();
        assert_eq!(roots, vec![q(-3), Q::zero(), Q::new(1.into(), 2.into())]);
        assert!(p(&[1, 0, 1]).rational_roots().is_empty());
    }
}
