//! Numbers in symbolic expressions: exact rationals while the arithmetic
//! stays exact, `f64` as soon as a decimal or a transcendental value enters.
//!
//! Keeping `1/3` and `-2` exact is what lets the derivative of `x^(1/3)`
//! print as `1/(3*x^(2/3))` instead of
//! `0.3333333333333333*x^-0.6666666666666667`, and what makes equal
//! expressions compare equal.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Integers of larger magnitude are not all representable as `f64`, so a
/// float beyond this stays a float rather than becoming an exact integer.
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0; // 2^53

#[derive(Clone, Copy, Debug)]
pub(crate) enum Number {
    /// `num / den` in lowest terms with `den > 0`.
    Rat { num: i64, den: i64 },
    /// Never an integer of magnitude up to 2^53 (those are `Rat`), never
    /// `-0.0`, and every NaN has the same bits.
    Float(f64),
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut x, mut y) = (a.abs(), b.abs());
    while y != 0 {
        (x, y) = (y, x % y);
    }
    x
}

impl Number {
    pub const ZERO: Number = Number::Rat { num: 0, den: 1 };
    pub const ONE: Number = Number::Rat { num: 1, den: 1 };
    pub const MINUS_ONE: Number = Number::Rat { num: -1, den: 1 };
    pub const HALF: Number = Number::Rat { num: 1, den: 2 };

    pub fn int(n: i64) -> Number {
        Number::Rat { num: n, den: 1 }
    }

    /// `num / den` reduced; a zero denominator gives the IEEE result.
    pub fn ratio(num: i64, den: i64) -> Number {
        Number::ratio_wide(i128::from(num), i128::from(den))
    }

    /// Reduces in 128 bits, so that only a result beyond i64 falls back to
    /// a float.
    fn ratio_wide(num: i128, den: i128) -> Number {
        if den == 0 {
            return Number::float(num as f64 / 0.0);
        }
        let g = gcd(num, den);
        let sign = if den < 0 { -1 } else { 1 };
        let (n, d) = (sign * num / g, sign * den / g);
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(num), Ok(den)) => Number::Rat { num, den },
            _ => Number::float(n as f64 / d as f64),
        }
    }

    /// Normalises a float: exact integers become `Rat`.
    pub fn float(v: f64) -> Number {
        if v.is_nan() {
            return Number::Float(f64::NAN);
        }
        if v == v.trunc() && v.abs() <= MAX_EXACT_INT {
            return Number::int(v as i64);
        }
        Number::Float(v)
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Number::Rat { num, den } => num as f64 / den as f64,
            Number::Float(v) => v,
        }
    }

    pub fn is_zero(self) -> bool {
        matches!(self, Number::Rat { num: 0, .. })
    }

    pub fn is_one(self) -> bool {
        matches!(self, Number::Rat { num: 1, den: 1 })
    }

    pub fn is_exact(self) -> bool {
        matches!(self, Number::Rat { .. })
    }

    /// The value as an integer, if it is an exact one.
    pub fn as_int(self) -> Option<i64> {
        match self {
            Number::Rat { num, den: 1 } => Some(num),
            _ => None,
        }
    }

    /// Negative, and not NaN.
    pub fn is_negative(self) -> bool {
        match self {
            Number::Rat { num, .. } => num < 0,
            Number::Float(v) => v < 0.0,
        }
    }

    pub fn add(self, other: Number) -> Number {
        match (self, other) {
            (Number::Rat { num: a, den: b }, Number::Rat { num: c, den: d }) => {
                let (a, b, c, d) = (i128::from(a), i128::from(b), i128::from(c), i128::from(d));
                Number::ratio_wide(a * d + c * b, b * d)
            }
            _ => Number::float(self.to_f64() + other.to_f64()),
        }
    }

    pub fn mul(self, other: Number) -> Number {
        match (self, other) {
            (Number::Rat { num: a, den: b }, Number::Rat { num: c, den: d }) => {
                let (a, b, c, d) = (i128::from(a), i128::from(b), i128::from(c), i128::from(d));
                Number::ratio_wide(a * c, b * d)
            }
            _ => Number::float(self.to_f64() * other.to_f64()),
        }
    }

    pub fn neg(self) -> Number {
        self.mul(Number::MINUS_ONE)
    }

    pub fn recip(self) -> Number {
        match self {
            Number::Rat { num, den } => Number::ratio(den, num),
            Number::Float(v) => Number::float(1.0 / v),
        }
    }

    pub fn abs(self) -> Number {
        if self.is_negative() { self.neg() } else { self }
    }

    /// `self ^ exp` when it has a value worth writing as a number: always
    /// with a float operand, exactly for rationals when the result is
    /// rational. `None` keeps the power symbolic (`2^(1/2)`).
    pub fn pow(self, exp: Number) -> Option<Number> {
        let (Number::Rat { num, den }, Number::Rat { num: p, den: q }) = (self, exp) else {
            return Some(Number::float(libm::pow(self.to_f64(), exp.to_f64())));
        };
        if q == 1 {
            return Some(int_pow(num, den, p));
        }
        // A rational root exists only of a non-negative perfect power.
        if num < 0 {
            return None;
        }
        let q = u32::try_from(q).ok()?;
        let (rn, rd) = (exact_root(num, q)?, exact_root(den, q)?);
        Some(int_pow(rn, rd, p))
    }

    /// A total order on values: NaN last; a rational before an equal float
    /// (which cannot occur after normalisation, but keeps the order total).
    pub fn total_cmp(self, other: Number) -> Ordering {
        match (self, other) {
            (Number::Rat { num: a, den: b }, Number::Rat { num: c, den: d }) => {
                (i128::from(a) * i128::from(d)).cmp(&(i128::from(c) * i128::from(b)))
            }
            _ => {
                let (x, y) = (self.to_f64(), other.to_f64());
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => x
                        .partial_cmp(&y)
                        .unwrap_or(Ordering::Equal)
                        .then_with(|| self.is_exact().cmp(&other.is_exact()).reverse()),
                }
            }
        }
    }
}

/// `(num/den)^p` for an integer `p`, exactly unless it overflows.
fn int_pow(num: i64, den: i64, p: i64) -> Number {
    let exact = (|| {
        let e = u32::try_from(p.unsigned_abs()).ok()?;
        let n = num.checked_pow(e)?;
        let d = den.checked_pow(e)?;
        Some(if p >= 0 {
            Number::ratio(n, d)
        } else {
            Number::ratio(d, n)
        })
    })();
    exact.unwrap_or_else(|| Number::float(libm::pow(num as f64 / den as f64, p as f64)))
}

/// The exact `q`-th root of a non-negative integer, if it is an integer.
fn exact_root(n: i64, q: u32) -> Option<i64> {
    if n < 2 {
        return Some(n);
    }
    let guess = libm::pow(n as f64, 1.0 / f64::from(q)).round() as i64;
    // The float guess can be off by one either way for large n.
    (guess.saturating_sub(1)..=guess.saturating_add(1))
        .find(|&r| r >= 0 && r.checked_pow(q) == Some(n))
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Number::Rat { num: a, den: b }, Number::Rat { num: c, den: d }) => a == c && b == d,
            (Number::Float(x), Number::Float(y)) => x.to_bits() == y.to_bits(),
            _ => false,
        }
    }
}

impl Eq for Number {}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Number::Rat { num, den } => (0u8, num, den).hash(state),
            Number::Float(v) => (1u8, v.to_bits()).hash(state),
        }
    }
}

/// The expression-language spelling of a non-negative number's magnitude:
/// `3`, `1/3`, `0.1`, `1e-20`, `inf`, `nan`. The caller writes the sign.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Number::Rat { num, den: 1 } => write!(f, "{}", num.unsigned_abs()),
            Number::Rat { num, den } => write!(f, "{}/{den}", num.unsigned_abs()),
            Number::Float(v) => f.write_str(&float_text(v.abs())),
        }
    }
}

/// Shortest text that reads back as the same `f64`, in a form the lexer
/// accepts (no sign).
pub(crate) fn float_text(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return "inf".into();
    }
    if v != 0.0 && !(1e-5..1e16).contains(&v) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rationals_stay_exact_and_reduced() {
        let third = Number::ratio(1, 3);
        assert_eq!(third.add(third).add(third), Number::ONE);
        assert_eq!(Number::ratio(6, -4), Number::ratio(-3, 2));
        assert_eq!(Number::ratio(2, 4).to_string(), "1/2");
        assert_eq!(Number::int(2).recip(), Number::HALF);
    }

    #[test]
    fn floats_that_are_integers_become_exact() {
        assert_eq!(Number::float(4.0), Number::int(4));
        assert_eq!(Number::float(-0.0), Number::ZERO);
        assert!(matches!(Number::float(0.5), Number::Float(_)));
        assert!(matches!(Number::float(1e300), Number::Float(_)));
    }

    #[test]
    fn overflow_falls_back_to_floats() {
        let big = Number::int(i64::MAX);
        assert_eq!(big.add(big).to_f64(), 2.0 * i64::MAX as f64);
        assert_eq!(Number::int(i64::MIN).neg().to_f64(), -(i64::MIN as f64));
        assert_eq!(Number::int(10).pow(Number::int(30)).unwrap().to_f64(), 1e30);
    }

    #[test]
    fn powers_are_exact_when_rational() {
        let p = |a: Number, b: Number| a.pow(b);
        assert_eq!(p(Number::int(4), Number::HALF), Some(Number::int(2)));
        assert_eq!(
            p(Number::ratio(8, 27), Number::ratio(2, 3)),
            Some(Number::ratio(4, 9))
        );
        assert_eq!(
            p(Number::int(2), Number::int(-2)),
            Some(Number::ratio(1, 4))
        );
        assert_eq!(p(Number::int(2), Number::HALF), None);
        assert_eq!(p(Number::int(-8), Number::ratio(1, 3)), None);
        assert_eq!(
            p(Number::ZERO, Number::MINUS_ONE).map(Number::to_f64),
            Some(f64::INFINITY)
        );
    }

    #[test]
    fn floats_print_so_they_read_back() {
        for v in [0.1, 1e-20, 1.5e300, 123.456, 2.5e-5] {
            let text = float_text(v);
            assert_eq!(text.parse::<f64>().unwrap(), v, "{text}");
        }
        assert_eq!(float_text(1e-20), "1e-20");
    }
}
