//! Exact values of trigonometric functions at rational multiples of pi
//! with denominators 1, 2, 3, 4 and 6, and of their inverses at the
//! matching arguments: `cos(pi)` is `-1`, `atan(1)` is `pi/4`, so
//! `F(b) - F(a)` of a definite integral comes out as `pi/4` or `2`.

use super::arena::Arena;
use super::node::{Constant, Id, Node};
use super::number::Number;
use crate::elementary::Un;

/// The exact value of `op(u)`, when `u` is one of the special arguments.
pub(crate) fn exact(arena: &mut Arena, op: Un, u: Id) -> Option<Id> {
    match op {
        Un::Sin | Un::Cos | Un::Tan => {
            let c = pi_multiple(arena, u)?;
            // c = k/12 exactly, reduced to [0, 2).
            let Number::Rat { num, den } = c else {
                return None;
            };
            if 12 % den != 0 {
                return None;
            }
            let k = (num * (12 / den)).rem_euclid(24);
            let sin = |arena: &mut Arena, k: i64| sin_twelfths(arena, k);
            match op {
                Un::Sin => sin(arena, k),
                Un::Cos => sin(arena, (k + 6) % 24),
                _ => {
                    let s = sin(arena, k)?;
                    let c = sin(arena, (k + 6) % 24)?;
                    if arena.is_zero(c) {
                        return None;
                    }
                    Some(arena.div(s, c))
                }
            }
        }
        Un::Atan | Un::Asin | Un::Acos => {
            let a = arena.as_num(u)?;
            let (sign, m) = if a.is_negative() {
                (-1, a.neg())
            } else {
                (1, a)
            };
            let twelfths = match (op, m) {
                (Un::Atan, m) if m.is_one() => 3,
                (Un::Asin, m) if m.is_one() => 6,
                (Un::Asin, m) if m == Number::HALF => 2,
                (Un::Acos, m) if m.is_zero() => 6,
                (Un::Acos, m) if m == Number::HALF => 4,
                (Un::Acos, m) if m.is_one() => 0,
                _ => return None,
            };
            // acos is not odd: acos(-a) = pi - acos(a).
            let k = match (op, sign) {
                (Un::Acos, -1) => 12 - twelfths,
                (_, s) => s * twelfths,
            };
            let c = arena.num(Number::ratio(k, 12));
            let pi = arena.constant(Constant::Pi);
            Some(arena.mul(&[c, pi]))
        }
        _ => None,
    }
}

/// `c` with `u = c*pi`, for a number `c`.
fn pi_multiple(arena: &Arena, u: Id) -> Option<Number> {
    match arena.node(u) {
        Node::Const(Constant::Pi) => Some(Number::ONE),
        Node::Const(Constant::Tau) => Some(Number::int(2)),
        Node::Mul(fs) if fs.len() == 2 => {
            let c = arena.as_num(fs[0])?;
            match arena.node(fs[1]) {
                Node::Const(Constant::Pi) => Some(c),
                Node::Const(Constant::Tau) => Some(c.mul(Number::int(2))),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `sin(k pi/12)` for `k` in 0..24, when it is 0, ±1/2, ±sqrt(2)/2,
/// ±sqrt(3)/2 or ±1.
fn sin_twelfths(arena: &mut Arena, k: i64) -> Option<Id> {
    let (sign, k) = if k >= 12 { (-1, k - 12) } else { (1, k) };
    let k = if k > 6 { 12 - k } else { k };
    let half = Number::ratio(sign, 2);
    Some(match k {
        0 => arena.zero(),
        2 => arena.num(half),
        3 | 4 => {
            let h = arena.num(half);
            let r = arena.int(if k == 3 { 2 } else { 3 });
            let e = arena.num(Number::HALF);
            let root = arena.pow(r, e);
            arena.mul(&[h, root])
        }
        6 => arena.int(sign),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::Symbolic;

    #[test]
    fn trig_functions_fold_at_special_multiples_of_pi() {
        let s = |src: &str| Symbolic::parse(src).unwrap().to_string();
        assert_eq!(s("cos(pi)"), "-1");
        assert_eq!(s("sin(pi/6)"), "1/2");
        assert_eq!(s("sin(5*pi/4)"), "-sqrt(2)/2");
        assert_eq!(s("cos(pi/6)"), "sqrt(3)/2");
        assert_eq!(s("tan(pi/3)"), "sqrt(3)");
        assert_eq!(s("tan(pi/2)"), "tan(pi/2)");
        assert_eq!(s("atan(1) - atan(-1)"), "pi/2");
        assert_eq!(s("acos(-1/2)"), "2*pi/3");
        assert_eq!(s("sin(pi/5)"), "sin(pi/5)");
    }
}
