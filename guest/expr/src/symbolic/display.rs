//! The form an expression is printed in: the canonical form with common
//! factors taken out of sums.
//!
//! The canonical form multiplies products out, which is what lets like
//! terms meet and cancel, but reads badly: `mu/sigma^2 - x/sigma^2`,
//! `x^x*ln(x) + x^x`. Printing takes out of each sum the factors all its
//! terms share, except powers of plain variables (so polynomials keep their
//! usual shape, `3*x^2 + 2*x`): common denominators give
//! `(mu - x)/sigma^2`, common functions and symbolic powers give
//! `x^x*(ln(x) + 1)` and `exp(-x^2/2)*(x^2 - 1)`, and what is left can
//! cancel, so `1/(x + 1) - x/(x + 1)^2` prints as `1/(x + 1)^2`.
//!
//! The result is built in a scratch copy of the arena: its products may
//! hold sums, which canonical nodes never do.

use std::collections::HashMap;

use super::arena::Arena;
use super::node::{Id, Node};
use super::number::Number;

impl Arena {
    /// The printed form of `id`. Only for printing: the nodes it creates
    /// break the canonical-form rules the constructors rely on.
    pub(crate) fn display(&mut self, id: Id) -> Id {
        let mut memo = HashMap::new();
        display(self, id, &mut memo)
    }
}

fn display(arena: &mut Arena, id: Id, memo: &mut HashMap<Id, Id>) -> Id {
    if let Some(&d) = memo.get(&id) {
        return d;
    }
    let d = match arena.node(id).clone() {
        Node::Num(_) | Node::Const(_) | Node::Var(_) | Node::Text(_) => id,
        Node::Add(terms) => match take_out_common(arena, &terms) {
            Some(Factored::Product(mut factors, inner)) => {
                let inner = display(arena, inner, memo);
                let mut shown: Vec<Id> = factors
                    .iter_mut()
                    .map(|f| display(arena, *f, memo))
                    .collect();
                // The sum goes last, after the factors taken out of it.
                shown.push(inner);
                arena.intern(Node::Mul(shown.into()))
            }
            Some(Factored::Simpler(simpler)) => display(arena, simpler, memo),
            None => {
                let ts: Box<[Id]> = terms.iter().map(|&t| display(arena, t, memo)).collect();
                arena.intern(Node::Add(ts))
            }
        },
        Node::Mul(fs) => {
            let fs: Box<[Id]> = fs.iter().map(|&f| display(arena, f, memo)).collect();
            arena.intern(Node::Mul(fs))
        }
        Node::Pow([b, e]) => {
            let b = display(arena, b, memo);
            let e = display(arena, e, memo);
            arena.intern(Node::Pow([b, e]))
        }
        Node::Call(f, xs) => {
            let xs: Box<[Id]> = xs.iter().map(|&x| display(arena, x, memo)).collect();
            arena.intern(Node::Call(f, xs))
        }
    };
    memo.insert(id, d);
    d
}

enum Factored {
    /// Canonical factors (a coefficient first, if any, then in canonical
    /// order) and the canonical sum left when they are divided out.
    Product(Vec<Id>, Id),
    /// The sum collapsed to a single canonical term once the common
    /// factors were divided out and the rest cancelled.
    Simpler(Id),
}

/// The factors every term of a sum shares, other than powers of plain
/// variables, with the numeric content of the coefficients.
fn take_out_common(arena: &mut Arena, terms: &[Id]) -> Option<Factored> {
    // Per term: coefficient and base -> exponent.
    let mut split: Vec<(Number, HashMap<Id, Id>)> = Vec::with_capacity(terms.len());
    let mut first_bases: Vec<Id> = Vec::new();
    let mut has_constant = false;
    for (i, &t) in terms.iter().enumerate() {
        let (coefficient, factors) = match arena.node(t) {
            Node::Num(n) => {
                has_constant = true;
                (*n, Vec::new())
            }
            Node::Mul(fs) => match arena.as_num(fs[0]) {
                Some(c) => (c, fs[1..].to_vec()),
                None => (Number::ONE, fs.to_vec()),
            },
            _ => (Number::ONE, vec![t]),
        };
        let mut bases = HashMap::new();
        for f in factors {
            let (b, e) = arena.base_exp(f);
            let e = e.unwrap_or_else(|| arena.one());
            if i == 0 {
                first_bases.push(b);
            }
            bases.insert(b, e);
        }
        split.push((coefficient, bases));
    }
    let mut common: Vec<Id> = Vec::new();
    if !has_constant {
        for b in first_bases {
            let exps: Option<Vec<Id>> = split.iter().map(|(_, m)| m.get(&b).copied()).collect();
            let Some(exps) = exps else { continue };
            if let Some(e) = shared_exponent(arena, b, &exps) {
                common.push(arena.pow(b, e));
            }
        }
    }
    let content = content(split.iter().map(|(c, _)| *c));
    // Numbers alone are taken out only as a shared denominator:
    // `(y - x)/4`, but `2*x + 2` stays.
    let shared_denominator = matches!(content, Number::Rat { den, .. } if den > 1)
        && split
            .iter()
            .all(|(c, _)| matches!((c, content), (Number::Rat { den: a, .. }, Number::Rat { den: b, .. }) if *a == b));
    if (common.is_empty() && !shared_denominator) || arena.is_full() {
        return None;
    }
    // One product per term, so that each common factor meets its match in
    // the term and cancels before anything is multiplied out.
    let mut inverse: Vec<Id> = common.iter().map(|&c| arena.recip(c)).collect();
    inverse.push(arena.num(content.recip()));
    let rest: Vec<Id> = terms
        .iter()
        .map(|&t| {
            let mut fs = inverse.clone();
            fs.push(t);
            arena.mul(&fs)
        })
        .collect();
    let inner = arena.add(&rest);
    // Unless the division cancels, the result is longer than what it
    // replaces, and taking factors out of it again could go on growing.
    if arena.children(inner).len() > terms.len() {
        return None;
    }
    if !matches!(arena.node(inner), Node::Add(_)) {
        let mut fs = common.clone();
        fs.push(arena.num(content));
        fs.push(inner);
        let simpler = arena.mul(&fs);
        // A product that multiplies out again would come back here.
        if !matches!(arena.node(simpler), Node::Add(_)) {
            return Some(Factored::Simpler(simpler));
        }
    }
    common.sort_by(|&a, &b| arena.cmp_factors(a, b));
    if !content.is_one() {
        common.insert(0, arena.num(content));
    }
    Some(Factored::Product(common, inner))
}

/// The exponent of `base` to take out of terms where it has exponents
/// `exps`, if it should be: the smallest when they differ by numbers, for
/// denominators (all negative), for symbolic exponents, and for bases
/// other than plain variables.
fn shared_exponent(arena: &mut Arena, base: Id, exps: &[Id]) -> Option<Id> {
    let first = exps[0];
    let minus_first = arena.neg(first);
    let mut lowest = Number::ZERO;
    let mut highest = Number::ZERO;
    for &e in exps {
        let offset = arena.add(&[e, minus_first]);
        let d = arena.as_num(offset)?;
        if !d.is_exact() {
            return None;
        }
        if d.total_cmp(lowest).is_lt() {
            lowest = d;
        }
        if d.total_cmp(highest).is_gt() {
            highest = d;
        }
    }
    let low = arena.num(lowest);
    let shared = arena.add(&[first, low]);
    let take = match arena.as_num(shared) {
        // A common denominator, but not a mix of powers above and below.
        Some(n) if n.is_negative() => {
            let high = arena.num(highest);
            let top = arena.add(&[first, high]);
            arena.as_num(top).is_some_and(Number::is_negative)
        }
        Some(_) => !matches!(arena.node(base), Node::Var(_)),
        None => true,
    };
    take.then_some(shared)
}

/// The positive rational that divides every coefficient to leave whole
/// numbers with no common divisor, negated when all are negative; 1 when a
/// coefficient is a float.
fn content(coefficients: impl Iterator<Item = Number>) -> Number {
    let mut num_gcd: i128 = 0;
    let mut den_lcm: i128 = 1;
    let mut all_negative = true;
    for c in coefficients {
        let Number::Rat { num, den } = c else {
            return Number::ONE;
        };
        all_negative &= num < 0;
        num_gcd = gcd(num_gcd, i128::from(num));
        let den = i128::from(den);
        den_lcm = den_lcm / gcd(den_lcm, den) * den;
        if den_lcm > i128::from(i64::MAX) {
            return Number::ONE;
        }
    }
    let (Ok(n), Ok(d)) = (i64::try_from(num_gcd), i64::try_from(den_lcm)) else {
        return Number::ONE;
    };
    let c = Number::ratio(n.max(1), d);
    if all_negative { c.neg() } else { c }
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut x, mut y) = (a.abs(), b.abs());
    while y != 0 {
        (x, y) = (y, x % y);
    }
    x
}
