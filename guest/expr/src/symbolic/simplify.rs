//! The smart constructors: every sum, product, power and call is built in
//! canonical, simplified form, so any expression in an arena is already
//! simplified and derivatives simplify as they are built.
//!
//! What the constructors do:
//! * fold numbers, exactly for rationals (`1/3 + 1/6` is `1/2`);
//! * flatten nested sums and products and sort their operands;
//! * collect like terms (`2*x + 3*x` is `5*x`, `x - x` is `0`) and like
//!   bases (`x*x` is `x^2`, `x^2*x^3` is `x^5`, `x/x` is `1`,
//!   `exp(a)*exp(b)` is `exp(a + b)`);
//! * apply identities: `x + 0`, `x*1`, `x*0`, `x^1`, `x^0`, `1^x`,
//!   `(x^a)^n` and `(x*y)^n` for integer `n`, `ln(exp(x))`, `e^x = exp(x)`,
//!   `-(-x)`, odd and even functions (`sin(-x) = -sin(x)`,
//!   `cos(-x) = cos(x)`), `abs(abs(x))`;
//! * distribute products over sums (`2*(x + 1)` is `2*x + 2`) unless that
//!   would make more than [`MAX_DISTRIBUTED_TERMS`] terms.
//!
//! Simplification treats expressions as functions on the reals where they
//! are defined: `x/x` becomes `1` and `x*0` becomes `0` although the
//! original is NaN at `x = 0` or `x = inf`, and `sqrt(x)^2` becomes `x`
//! although the original is NaN for `x < 0`. It never applies rules that
//! change a finite value: `sqrt(x^2)` stays (it is `abs(x)`, not `x`),
//! `exp(ln(x))` stays (it is NaN for `x < 0`), and `(x^a)^b` combines only
//! for an integer `b`.

use std::collections::HashMap;

use super::arena::Arena;
use super::node::{Constant, Func, Id, Node};
use super::number::Number;
use crate::elementary::{Bin, Un, truthy};

/// Most terms a distributed product may have; larger products stay
/// factored so that simplification cannot blow up.
pub(crate) const MAX_DISTRIBUTED_TERMS: usize = 512;

impl Arena {
    pub fn zero(&mut self) -> Id {
        self.num(Number::ZERO)
    }

    pub fn one(&mut self) -> Id {
        self.num(Number::ONE)
    }

    pub fn neg(&mut self, a: Id) -> Id {
        let m = self.num(Number::MINUS_ONE);
        self.mul(&[m, a])
    }

    pub fn recip(&mut self, a: Id) -> Id {
        let m = self.num(Number::MINUS_ONE);
        self.pow(a, m)
    }

    pub fn div(&mut self, a: Id, b: Id) -> Id {
        let rb = self.recip(b);
        self.mul(&[a, rb])
    }

    /// A term as its numeric coefficient and the rest: `3*x*y` is
    /// `(3, x*y)`, `x` is `(1, x)`.
    fn split_coefficient(&mut self, id: Id) -> (Number, Id) {
        if let Node::Mul(fs) = self.node(id)
            && let Some(c) = self.as_num(fs[0])
        {
            let rest = fs[1..].to_vec();
            let m = if rest.len() == 1 {
                rest[0]
            } else {
                self.intern(Node::Mul(rest.into()))
            };
            return (c, m);
        }
        (Number::ONE, id)
    }

    /// `c * m` for a monomial `m` from [`split_coefficient`]; already
    /// canonical, so no rules run.
    fn scale(&mut self, c: Number, m: Id) -> Id {
        if c.is_one() {
            return m;
        }
        let c = self.num(c);
        let mut fs = vec![c];
        match self.node(m) {
            Node::Mul(rest) => fs.extend_from_slice(rest),
            _ => fs.push(m),
        }
        self.intern(Node::Mul(fs.into()))
    }

    pub fn add(&mut self, terms: &[Id]) -> Id {
        let mut constant = Number::ZERO;
        let mut monomials: Vec<(Id, Number)> = Vec::new();
        let mut slot: HashMap<Id, usize> = HashMap::new();
        let mut stack: Vec<Id> = terms.iter().rev().copied().collect();
        while let Some(t) = stack.pop() {
            match self.node(t) {
                Node::Num(n) => constant = constant.add(*n),
                Node::Add(ts) => stack.extend(ts.iter().rev()),
                _ => {
                    let (c, m) = self.split_coefficient(t);
                    match slot.get(&m) {
                        Some(&i) => monomials[i].1 = monomials[i].1.add(c),
                        None => {
                            slot.insert(m, monomials.len());
                            monomials.push((m, c));
                        }
                    }
                }
            }
        }
        if constant.to_f64().is_nan() {
            return self.num(constant);
        }
        let mut keyed: Vec<(Id, Number, Id)> = Vec::with_capacity(monomials.len() + 1);
        for (m, c) in monomials {
            if !c.is_zero() {
                let term = self.scale(c, m);
                keyed.push((m, self.degree(m), term));
            }
        }
        if !constant.is_zero() {
            let k = self.num(constant);
            keyed.push((k, Number::ZERO, k));
        }
        keyed.sort_by(|a, b| self.cmp_monomials((a.0, a.1), (b.0, b.1)));
        match keyed.len() {
            0 => self.zero(),
            1 => keyed[0].2,
            _ => {
                let ts: Box<[Id]> = keyed.iter().map(|k| k.2).collect();
                self.intern(Node::Add(ts))
            }
        }
    }

    pub fn mul(&mut self, factors: &[Id]) -> Id {
        let mut coefficient = Number::ONE;
        // Per base, the exponents to add up, in first-seen order.
        let mut bases: Vec<(Id, Vec<Id>)> = Vec::new();
        let mut slot: HashMap<Id, usize> = HashMap::new();
        let mut exp_args: Vec<Id> = Vec::new();
        let mut stack: Vec<Id> = factors.iter().rev().copied().collect();
        while let Some(f) = stack.pop() {
            let (base, exp) = match self.node(f) {
                Node::Num(n) => {
                    coefficient = coefficient.mul(*n);
                    continue;
                }
                Node::Mul(fs) => {
                    stack.extend(fs.iter().rev());
                    continue;
                }
                Node::Call(Func::Un(Un::Exp), args) => {
                    exp_args.push(args[0]);
                    continue;
                }
                Node::Pow([b, e]) => (*b, *e),
                _ => (f, self.one()),
            };
            match slot.get(&base) {
                Some(&i) => bases[i].1.push(exp),
                None => {
                    slot.insert(base, bases.len());
                    bases.push((base, vec![exp]));
                }
            }
        }
        if coefficient.is_zero() || coefficient.to_f64().is_nan() {
            return self.num(coefficient);
        }
        let mut out: Vec<Id> = Vec::new();
        // Combined powers that turned into something with another base,
        // e.g. sqrt(x*y)^2 = x*y; they go through the rules once more.
        let mut again: Vec<Id> = Vec::new();
        for (base, exps) in bases {
            let e = match exps.as_slice() {
                [e] => *e,
                _ => self.add(&exps),
            };
            let p = self.pow(base, e);
            match self.node(p) {
                Node::Num(n) => coefficient = coefficient.mul(*n),
                _ if self.base_exp(p).0 == base => out.push(p),
                _ => again.push(p),
            }
        }
        if !exp_args.is_empty() {
            let s = self.add(&exp_args);
            let p = self.call(Func::Un(Un::Exp), &[s]);
            match self.as_num(p) {
                Some(n) => coefficient = coefficient.mul(n),
                None => out.push(p),
            }
        }
        if !again.is_empty() {
            let c = self.num(coefficient);
            again.push(c);
            again.extend(out);
            return self.mul(&again);
        }
        if coefficient.is_zero() || coefficient.to_f64().is_nan() {
            return self.num(coefficient);
        }
        if let Some(sum) = self.distribute(coefficient, &out) {
            return sum;
        }
        out.sort_by(|&a, &b| self.cmp_factors(a, b));
        if !coefficient.is_one() {
            let c = self.num(coefficient);
            out.insert(0, c);
        }
        match out.len() {
            0 => self.one(),
            1 => out[0],
            _ => self.intern(Node::Mul(out.into())),
        }
    }

    /// `c * f1 * ... * fn` multiplied out when some factors are sums and
    /// the result has at most [`MAX_DISTRIBUTED_TERMS`] terms.
    fn distribute(&mut self, c: Number, factors: &[Id]) -> Option<Id> {
        let (sums, others): (Vec<Id>, Vec<Id>) = factors
            .iter()
            .partition(|&&f| matches!(self.node(f), Node::Add(_)));
        if sums.is_empty() {
            return None;
        }
        let mut count: usize = 1;
        for &s in &sums {
            count = count.saturating_mul(self.children(s).len());
        }
        if count > MAX_DISTRIBUTED_TERMS {
            return None;
        }
        let c = self.num(c);
        let mut prefix = vec![c];
        prefix.extend(others);
        // Products of one term from each sum, built up sum by sum.
        let mut partial: Vec<Id> = vec![self.mul(&prefix)];
        for s in sums {
            let terms = self.children(s).to_vec();
            let mut next = Vec::with_capacity(partial.len() * terms.len());
            for &p in &partial {
                for &t in &terms {
                    next.push(self.mul(&[p, t]));
                }
            }
            partial = next;
        }
        Some(self.add(&partial))
    }

    pub fn pow(&mut self, base: Id, exp: Id) -> Id {
        if let Some(e) = self.as_num(exp) {
            if e.is_zero() {
                return self.one();
            }
            if e.is_one() {
                return base;
            }
        }
        match (self.node(base).clone(), self.as_num(exp)) {
            (Node::Num(b), Some(e)) => match b.pow(e) {
                Some(v) => self.num(v),
                None => self.intern(Node::Pow([base, exp])),
            },
            // pow(1, y) is 1 for every y, NaN included.
            (Node::Num(b), None) if b.is_one() => self.one(),
            (Node::Const(Constant::E), _) => self.call(Func::Un(Un::Exp), &[exp]),
            (Node::Call(Func::Un(Un::Exp), args), _) => {
                let product = self.mul(&[args[0], exp]);
                self.call(Func::Un(Un::Exp), &[product])
            }
            (Node::Pow([b, e]), Some(n)) if n.as_int().is_some() => {
                let product = self.mul(&[e, exp]);
                self.pow(b, product)
            }
            (Node::Mul(fs), Some(n)) if n.as_int().is_some() => {
                let powers: Vec<Id> = fs.iter().map(|&f| self.pow(f, exp)).collect();
                self.mul(&powers)
            }
            _ => self.intern(Node::Pow([base, exp])),
        }
    }

    /// A call in simplified form.
    pub fn call(&mut self, f: Func, args: &[Id]) -> Id {
        let nums: Option<Vec<Number>> = args.iter().map(|&a| self.as_num(a)).collect();
        if let Some(nums) = &nums
            && let Some(v) = fold(f, nums)
        {
            return self.num(v);
        }
        match f {
            Func::Un(op) => self.call_un(op, args[0]),
            Func::Min | Func::Max => {
                let mut kept: Vec<Id> = Vec::with_capacity(args.len());
                for &a in args {
                    if !kept.contains(&a) {
                        kept.push(a);
                    }
                }
                match kept.as_slice() {
                    [only] => *only,
                    _ => self.intern(Node::Call(f, kept.into())),
                }
            }
            Func::If => {
                if let Some(c) = self.as_num(args[0]) {
                    return if truthy(c.to_f64()) { args[1] } else { args[2] };
                }
                if args[1] == args[2] {
                    return args[1];
                }
                self.intern(Node::Call(f, args.into()))
            }
            // A reduction over something without variables has one
            // element, so it is that thing.
            Func::Sum | Func::Mean if nums.is_some() => args[0],
            Func::Len if self.variables(args[0]).is_empty() => self.one(),
            _ => self.intern(Node::Call(f, args.into())),
        }
    }

    fn call_un(&mut self, op: Un, u: Id) -> Id {
        if let Some(v) = super::special_values::exact(self, op, u) {
            return v;
        }
        let plain = |arena: &mut Arena, v: Id| arena.intern(Node::Call(Func::Un(op), [v].into()));
        match (op, self.node(u).clone()) {
            (Un::Ln, Node::Call(Func::Un(Un::Exp), args)) => args[0],
            (Un::Ln, Node::Const(Constant::E)) => self.one(),
            (Un::Abs | Un::Sign, Node::Call(Func::Un(inner), _)) if inner == op => u,
            (Un::Abs, Node::Call(Func::Un(Un::Exp), _)) => u,
            _ => {
                // Odd and even functions take the sign out of a negative
                // coefficient: sin(-2*x) = -sin(2*x), cos(-x) = cos(x).
                if !(is_odd(op) || is_even(op)) {
                    return plain(self, u);
                }
                let (c, rest) = match self.as_num(u) {
                    Some(n) => (n, None),
                    None => {
                        let (c, m) = self.split_coefficient(u);
                        (c, Some(m))
                    }
                };
                if !c.is_negative() {
                    return plain(self, u);
                }
                let positive = match rest {
                    Some(m) => self.scale(c.neg(), m),
                    None => self.num(c.neg()),
                };
                let v = plain(self, positive);
                if is_odd(op) { self.neg(v) } else { v }
            }
        }
    }
}

fn is_odd(op: Un) -> bool {
    use Un::*;
    matches!(
        op,
        Sin | Tan | Asin | Atan | Sinh | Tanh | Asinh | Atanh | Erf | Cbrt | Sign
    )
}

fn is_even(op: Un) -> bool {
    matches!(op, Un::Cos | Un::Cosh | Un::Abs)
}

/// The value of a call with numeric arguments, when it is worth replacing
/// the call: always with a float argument (the same code the compiled
/// program runs, so the value cannot change), and for exact arguments only
/// where the result is exact too, so `sin(0)` is `0` but `sin(2)` stays.
fn fold(f: Func, args: &[Number]) -> Option<Number> {
    let any_float = args.iter().any(|a| !a.is_exact());
    let x: Vec<f64> = args.iter().map(|a| a.to_f64()).collect();
    match f {
        Func::Un(op) => {
            let a = args[0];
            if any_float {
                return Some(Number::float(op.eval(x[0])));
            }
            exact_un(op, a)
        }
        Func::Bin(op) => {
            if any_float {
                return Some(Number::float(op.eval(x[0], x[1])));
            }
            exact_bin(op, args[0], args[1])
        }
        // min and max pick one of their arguments, which is exact.
        Func::Min => Some(fold_pick(args, |b, a| b.total_cmp(a).is_lt())),
        Func::Max => Some(fold_pick(args, |b, a| b.total_cmp(a).is_gt())),
        Func::Clamp => {
            let low = fold_pick(&args[..2], |b, a| b.total_cmp(a).is_gt());
            Some(fold_pick(&[low, args[2]], |b, a| b.total_cmp(a).is_lt()))
        }
        Func::Dist(d) if any_float => {
            let c = x.get(2).copied().unwrap_or(0.0);
            Some(Number::float(d.eval(x[0], x[1], c)))
        }
        _ => None,
    }
}

/// `min`/`max` as the compiled program folds them: NaN wins, ties keep the
/// earlier operand.
fn fold_pick(args: &[Number], better: impl Fn(Number, Number) -> bool) -> Number {
    let mut acc = args[0];
    for &b in &args[1..] {
        if acc.to_f64().is_nan() || b.to_f64().is_nan() {
            acc = Number::float(f64::NAN);
        } else if better(b, acc) {
            acc = b;
        }
    }
    acc
}

fn exact_un(op: Un, a: Number) -> Option<Number> {
    use Un::*;
    let zero = a.is_zero();
    let one = a.is_one();
    let v = a.to_f64();
    Some(match op {
        Sin | Tan | Asin | Atan | Sinh | Tanh | Asinh | Atanh | Expm1 | Log1p | Erf | Cbrt
            if zero =>
        {
            Number::ZERO
        }
        Cos | Cosh | Exp | Erfc if zero => Number::ONE,
        Ln | Log10 | Log2 | Acos | Acosh | Lgamma if one => Number::ZERO,
        Lgamma if a.as_int() == Some(2) => Number::ZERO,
        Log10 => Number::int(exact_log(a, 10)?),
        Log2 => Number::int(exact_log(a, 2)?),
        Cbrt => {
            let n = a.as_int()?;
            let r = v.cbrt().round() as i64;
            (r.checked_pow(3) == Some(n)).then_some(Number::int(r))?
        }
        Gamma => Number::int(factorial(a.as_int()?.checked_sub(1)?)?),
        Factorial => Number::int(factorial(a.as_int()?)?),
        Abs => a.abs(),
        Neg => a.neg(),
        Sign | Floor | Ceil | Round | Trunc | Not | Square => Number::float(op.eval(v)),
        _ => return None,
    })
}

/// `k` with `base^k == a` for an integer or unit fraction `a`.
fn exact_log(a: Number, base: i64) -> Option<i64> {
    let Number::Rat { num, den } = a else {
        return None;
    };
    let (n, sign) = match (num, den) {
        (n, 1) => (n, 1),
        (1, d) => (d, -1),
        _ => return None,
    };
    let mut k = 0;
    let mut p: i64 = 1;
    while p < n {
        p = p.checked_mul(base)?;
        k += 1;
    }
    (p == n).then_some(sign * k)
}

/// `n!` for `0 <= n <= 20`, the range of i64.
fn factorial(n: i64) -> Option<i64> {
    if !(0..=20).contains(&n) {
        return None;
    }
    Some((1..=n).product())
}

fn exact_bin(op: Bin, a: Number, b: Number) -> Option<Number> {
    use Bin::*;
    let cmp = a.total_cmp(b);
    let flag = |t: bool| Number::int(i64::from(t));
    Some(match op {
        Eq => flag(cmp.is_eq()),
        Ne => flag(cmp.is_ne()),
        Lt => flag(cmp.is_lt()),
        Le => flag(cmp.is_le()),
        Gt => flag(cmp.is_gt()),
        Ge => flag(cmp.is_ge()),
        And => flag(!a.is_zero() && !b.is_zero()),
        Or => flag(!a.is_zero() || !b.is_zero()),
        // a - b*trunc(a/b), and the floored variant, in exact arithmetic.
        Rem | Mod if !b.is_zero() => {
            let Number::Rat { num, den } = a.mul(b.recip()) else {
                return None;
            };
            // den > 0, so Euclidean division floors.
            let whole = if op == Rem {
                num / den
            } else {
                num.div_euclid(den)
            };
            let r = a.add(b.mul(Number::int(whole)).neg());
            r.is_exact().then_some(r)?
        }
        _ => return None,
    })
}
