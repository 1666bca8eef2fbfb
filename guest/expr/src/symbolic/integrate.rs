//! Symbolic antiderivatives by the methods of a calculus course, tried in
//! order: linearity, rational functions (partial fractions), a table of
//! standard forms of a linear argument, u-substitution, trigonometric
//! rewriting (power reduction, products to sums), integration by parts
//! (LIATE, with the cyclic case `e^x sin x` solved for), and expansion.
//!
//! The search is bounded (depth and steps), so an integrand without an
//! elementary antiderivative costs little. Whatever it finds is checked by
//! [`verify`](super::verify): nothing unchecked leaves this module.

use std::collections::HashMap;

use super::arena::Arena;
use super::diff::{Differentiator, rebuild, substitute};
use super::node::{Constant, Func, Id, Node};
use super::number::Number;
use super::partial_fractions::integrate_rational;
use num_traits::{Signed, Zero};

use super::polynomial::{Poly, q, q_expr, rational_function, sqrt_expr};
use crate::elementary::Un;

/// How deep methods may nest (a substitution inside a by-parts step inside
/// ...): textbook integrals need a handful.
const MAX_DEPTH: u32 = 10;

/// Integration attempts per call: bounds the time an integrand without an
/// elementary antiderivative takes to give up.
const MAX_STEPS: u32 = 4_000;

/// Candidate substitutions tried per integrand.
const MAX_CANDIDATES: usize = 24;

pub(crate) struct Integrator<'a> {
    pub arena: &'a mut Arena,
    steps: u32,
    fresh: u32,
    found: HashMap<(Id, String), Id>,
}

/// The methods by-parts orders its choice of `u` by (LIATE).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Liate {
    Exponential,
    Trigonometric,
    Algebraic,
    InverseTrig,
    Logarithmic,
}

impl<'a> Integrator<'a> {
    pub fn new(arena: &'a mut Arena) -> Self {
        Integrator {
            arena,
            steps: 0,
            fresh: 0,
            found: HashMap::new(),
        }
    }

    /// An antiderivative of `f` in `var`, unchecked, or `None`.
    pub fn integrate(&mut self, f: Id, var: &str) -> Option<Id> {
        self.integrate_at(f, var, 0)
    }

    fn integrate_at(&mut self, f: Id, var: &str, depth: u32) -> Option<Id> {
        if depth > MAX_DEPTH || self.steps >= MAX_STEPS || self.arena.is_full() {
            return None;
        }
        self.steps += 1;
        let key = (f, var.to_owned());
        if let Some(&r) = self.found.get(&key) {
            return Some(r);
        }
        let r = self.methods(f, var, depth)?;
        self.found.insert(key, r);
        Some(r)
    }

    fn methods(&mut self, f: Id, var: &str, depth: u32) -> Option<Id> {
        let x = self.arena.var(var);
        if !self.depends(f, var) {
            return Some(self.arena.mul(&[f, x]));
        }
        if let Some((num, den)) = rational_function(self.arena, f, var)
            && let Some(r) = integrate_rational(self.arena, &num, &den, x)
        {
            return Some(r);
        }
        match self.arena.node(f).clone() {
            Node::Add(ts) => {
                let mut parts = Vec::with_capacity(ts.len());
                for &t in ts.iter() {
                    parts.push(self.integrate_at(t, var, depth + 1)?);
                }
                return Some(self.arena.add(&parts));
            }
            Node::Mul(fs) => {
                let (consts, rest): (Vec<Id>, Vec<Id>) =
                    fs.iter().partition(|&&g| !self.depends(g, var));
                if !consts.is_empty() {
                    let rest = self.arena.mul(&rest);
                    let r = self.integrate_at(rest, var, depth + 1)?;
                    let c = self.arena.mul(&consts);
                    return Some(self.arena.mul(&[c, r]));
                }
            }
            _ => {}
        }
        if let Some(r) = self.table(f, var) {
            return Some(r);
        }
        if let Some(r) = self.tabular(f, var) {
            return Some(r);
        }
        if let Some(r) = self.substitution(f, var, depth) {
            return Some(r);
        }
        if let Some(g) = self.trig_rewrite(f)
            && let Some(r) = self.integrate_at(g, var, depth + 1)
        {
            return Some(r);
        }
        if let Some(r) = self.by_parts(f, var, depth) {
            return Some(r);
        }
        let expanded = self.expand(f);
        if expanded != f {
            return self.integrate_at(expanded, var, depth + 1);
        }
        None
    }

    fn depends(&self, id: Id, var: &str) -> bool {
        self.arena.variables(id).iter().any(|v| v == var)
    }

    fn diff(&mut self, id: Id, var: &str) -> Option<Id> {
        Differentiator::new(self.arena, var, "").diff(id).ok()
    }

    /// `u` as `a*x + b` with `a` and `b` free of `x`: returns `a`.
    fn linear_slope(&mut self, u: Id, var: &str) -> Option<Id> {
        let a = self.diff(u, var)?;
        if self.arena.is_zero(a) || self.depends(a, var) {
            return None;
        }
        Some(a)
    }

    fn call(&mut self, op: Un, u: Id) -> Id {
        self.arena.call(Func::Un(op), &[u])
    }

    fn ln_abs(&mut self, u: Id) -> Id {
        let a = self.call(Un::Abs, u);
        self.call(Un::Ln, a)
    }

    fn sqrt(&mut self, u: Id) -> Id {
        let half = self.arena.num(Number::HALF);
        self.arena.pow(u, half)
    }

    fn rat(&mut self, n: i64, d: i64) -> Id {
        self.arena.num(Number::ratio(n, d))
    }

    /// Standard forms whose argument is linear in `x` (divided by its
    /// slope), and the square roots of quadratics.
    fn table(&mut self, f: Id, var: &str) -> Option<Id> {
        match self.arena.node(f).clone() {
            Node::Pow([b, e]) => {
                let b_dep = self.depends(b, var);
                let e_dep = self.depends(e, var);
                if b_dep && !e_dep {
                    if let Some(r) = self.power_of_linear(b, e, var) {
                        return Some(r);
                    }
                    if let Some(r) = self.sqrt_quadratic(b, e, var) {
                        return Some(r);
                    }
                    return self.trig_power(b, e, var);
                }
                if !b_dep && e_dep {
                    // c^(a x + d) = c^u / (a ln c)
                    let a = self.linear_slope(e, var)?;
                    let lnb = self.call(Un::Ln, b);
                    let den = self.arena.mul(&[a, lnb]);
                    return Some(self.arena.div(f, den));
                }
                None
            }
            Node::Call(Func::Un(op), args) => {
                let u = args[0];
                if op == Un::Exp
                    && let Some(r) = self.gaussian(u, var)
                {
                    return Some(r);
                }
                let a = self.linear_slope(u, var)?;
                let g = self.standard_form(op, u)?;
                Some(self.arena.div(g, a))
            }
            _ => None,
        }
    }

    /// `∫ op(u) du`.
    fn standard_form(&mut self, op: Un, u: Id) -> Option<Id> {
        let one = self.arena.one();
        Some(match op {
            Un::Exp => self.call(Un::Exp, u),
            Un::Sin => {
                let c = self.call(Un::Cos, u);
                self.arena.neg(c)
            }
            Un::Cos => self.call(Un::Sin, u),
            Un::Tan => {
                let c = self.call(Un::Cos, u);
                let l = self.ln_abs(c);
                self.arena.neg(l)
            }
            Un::Sinh => self.call(Un::Cosh, u),
            Un::Cosh => self.call(Un::Sinh, u),
            Un::Tanh => {
                let c = self.call(Un::Cosh, u);
                self.call(Un::Ln, c)
            }
            // u ln(u) - u, and the same with |u|.
            Un::Ln => {
                let l = self.call(Un::Ln, u);
                let ul = self.arena.mul(&[u, l]);
                let m = self.arena.neg(u);
                self.arena.add(&[ul, m])
            }
            // u atan(u) - ln(1 + u^2)/2
            Un::Atan => {
                let at = self.call(Un::Atan, u);
                let ua = self.arena.mul(&[u, at]);
                let two = self.arena.int(2);
                let u2 = self.arena.pow(u, two);
                let s = self.arena.add(&[one, u2]);
                let l = self.call(Un::Ln, s);
                let h = self.rat(-1, 2);
                let hl = self.arena.mul(&[h, l]);
                self.arena.add(&[ua, hl])
            }
            // u asin(u) + sqrt(1 - u^2); u acos(u) - sqrt(1 - u^2)
            Un::Asin | Un::Acos => {
                let inv = self.call(op, u);
                let ui = self.arena.mul(&[u, inv]);
                let two = self.arena.int(2);
                let u2 = self.arena.pow(u, two);
                let mu2 = self.arena.neg(u2);
                let s = self.arena.add(&[one, mu2]);
                let r = self.sqrt(s);
                let r = if op == Un::Acos { self.arena.neg(r) } else { r };
                self.arena.add(&[ui, r])
            }
            // u |u| / 2
            Un::Abs => {
                let a = self.call(Un::Abs, u);
                let h = self.rat(1, 2);
                self.arena.mul(&[h, u, a])
            }
            _ => return None,
        })
    }

    /// `(a x + d)^n`: `ln|u|/a` for `n = -1`, else `u^(n+1)/((n+1) a)`.
    fn power_of_linear(&mut self, b: Id, e: Id, var: &str) -> Option<Id> {
        let a = self.linear_slope(b, var)?;
        if self.arena.as_num(e) == Some(Number::MINUS_ONE) {
            let l = self.ln_abs(b);
            return Some(self.arena.div(l, a));
        }
        let one = self.arena.one();
        let e1 = self.arena.add(&[e, one]);
        let p = self.arena.pow(b, e1);
        let den = self.arena.mul(&[e1, a]);
        Some(self.arena.div(p, den))
    }

    /// `sqrt(Q)` and `1/sqrt(Q)` for a quadratic `Q = A x² + B x + C` with
    /// numeric coefficients: with `t = x + B/(2A)` and `k = C - B²/(4A)`,
    /// an `asin` form when `A < 0` and a `ln` form when `A > 0`.
    fn sqrt_quadratic(&mut self, b: Id, e: Id, var: &str) -> Option<Id> {
        let e = self.arena.as_num(e)?;
        let inverse = e == Number::ratio(-1, 2);
        if !inverse && e != Number::HALF {
            return None;
        }
        let p = Poly::from_expr(self.arena, b, var)?;
        if p.degree() != 2 {
            return None;
        }
        let (ca, cb, cc) = (p.coeff(2), p.coeff(1), p.coeff(0));
        let shift = &cb / (q(2) * &ca);
        let k = &cc - &cb * &cb / (q(4) * &ca);
        let x = self.arena.var(var);
        let shift = q_expr(self.arena, &shift);
        let t = self.arena.add(&[x, shift]);
        let negative = ca.is_negative();
        let abs_a = if negative { -ca } else { ca };
        let sa = sqrt_expr(self.arena, &abs_a);
        let sqrt_b = self.sqrt(b);
        // The primitive of 1/sqrt(Q).
        let base = if negative {
            if !k.is_positive() {
                return None;
            }
            let sk = sqrt_expr(self.arena, &k);
            let arg = self.arena.mul(&[sa, t]);
            let arg = self.arena.div(arg, sk);
            let asin = self.call(Un::Asin, arg);
            self.arena.div(asin, sa)
        } else {
            let st = self.arena.mul(&[sa, t]);
            let s = self.arena.add(&[st, sqrt_b]);
            let l = self.ln_abs(s);
            self.arena.div(l, sa)
        };
        if inverse {
            return Some(base);
        }
        // ∫ sqrt(Q) = t sqrt(Q)/2 + k/2 ∫ 1/sqrt(Q) with A folded in:
        // for A < 0 the asin term is k/(2 sqrt|A|) asin(...), i.e.
        // (k/2) * base; for A > 0 likewise.
        let half = self.rat(1, 2);
        let first = self.arena.mul(&[half, t, sqrt_b]);
        let kh = q_expr(self.arena, &(k / q(2)));
        let second = self.arena.mul(&[kh, base]);
        Some(self.arena.add(&[first, second]))
    }

    /// `1/cos(u)^2`, `1/sin(u)^2`, `1/cos(u)`, `1/sin(u)` and `tan(u)^2` of a
    /// linear `u`.
    fn trig_power(&mut self, b: Id, e: Id, var: &str) -> Option<Id> {
        let Node::Call(Func::Un(op @ (Un::Sin | Un::Cos | Un::Tan)), args) =
            self.arena.node(b).clone()
        else {
            return None;
        };
        let u = args[0];
        let n = self.arena.as_num(e)?.as_int()?;
        let a = self.linear_slope(u, var)?;
        let g = match (op, n) {
            (Un::Tan, 2) => {
                // tan² = sec² - 1
                let t = self.call(Un::Tan, u);
                let m = self.arena.neg(u);
                self.arena.add(&[t, m])
            }
            (Un::Cos, -2) => self.call(Un::Tan, u),
            (Un::Sin, -2) => {
                let c = self.call(Un::Cos, u);
                let s = self.call(Un::Sin, u);
                let cot = self.arena.div(c, s);
                self.arena.neg(cot)
            }
            // ln|sec u + tan u|
            (Un::Cos, -1) => {
                let t = self.call(Un::Tan, u);
                let sec = self.arena.recip(b);
                let s = self.arena.add(&[sec, t]);
                self.ln_abs(s)
            }
            // ln|tan(u/2)|
            (Un::Sin, -1) => {
                let h = self.rat(1, 2);
                let hu = self.arena.mul(&[h, u]);
                let t = self.call(Un::Tan, hu);
                self.ln_abs(t)
            }
            _ => return None,
        };
        Some(self.arena.div(g, a))
    }

    /// `exp(-k x²)` for a number `k > 0`: `sqrt(pi/k)/2 erf(sqrt(k) x)`.
    fn gaussian(&mut self, u: Id, var: &str) -> Option<Id> {
        let p = Poly::from_expr(self.arena, u, var)?;
        if p.degree() != 2 || !p.coeff(1).is_zero() || !p.coeff(0).is_zero() {
            return None;
        }
        let k = -p.coeff(2);
        if !k.is_positive() {
            return None;
        }
        let x = self.arena.var(var);
        let sk = sqrt_expr(self.arena, &k);
        let arg = self.arena.mul(&[sk, x]);
        let erf = self.call(Un::Erf, arg);
        let pi = self.arena.constant(Constant::Pi);
        let sqrt_pi = self.sqrt(pi);
        let c = self.arena.div(sqrt_pi, sk);
        let h = self.rat(1, 2);
        Some(self.arena.mul(&[h, c, erf]))
    }

    /// `∫ P g` for a polynomial `P` and `g` one of exp, sin, cos, sinh, cosh of a linear
    /// argument: by parts `deg P` times at once (tabular integration),
    /// `Σ (-1)^k P^(k) G_(k+1)` with `G_k` the k-th antiderivative of `g`, so `x^20 e^x`
    /// does not need twenty nested steps.
    fn tabular(&mut self, f: Id, var: &str) -> Option<Id> {
        let Node::Mul(fs) = self.arena.node(f).clone() else {
            return None;
        };
        let is_g = |arena: &Arena, id: Id| {
            matches!(
                arena.node(id),
                Node::Call(
                    Func::Un(Un::Exp | Un::Sin | Un::Cos | Un::Sinh | Un::Cosh),
                    _
                )
            )
        };
        let gs: Vec<Id> = fs
            .iter()
            .copied()
            .filter(|&g| is_g(self.arena, g))
            .collect();
        let [g] = gs.as_slice() else {
            return None;
        };
        let rest: Vec<Id> = fs.iter().copied().filter(|h| h != g).collect();
        let p = self.arena.mul(&rest);
        let degree = Poly::from_expr(self.arena, p, var)?.degree();
        let Node::Call(Func::Un(op), args) = self.arena.node(*g).clone() else {
            return None;
        };
        let u = args[0];
        let a = self.linear_slope(u, var)?;
        let mut terms = Vec::with_capacity(degree + 1);
        // G_k = c_k op_k(u): each antiderivative is ± the next function over a.
        let (mut dp, mut c, mut op) = (p, self.arena.one(), op);
        for k in 0..=degree {
            let (next, sign) = match op {
                Un::Exp => (Un::Exp, 1),
                Un::Sin => (Un::Cos, -1),
                Un::Cos => (Un::Sin, 1),
                Un::Sinh => (Un::Cosh, 1),
                _ => (Un::Sinh, 1),
            };
            let s = self.arena.int(sign);
            let ra = self.arena.recip(a);
            c = self.arena.mul(&[c, s, ra]);
            op = next;
            let gk = self.call(op, u);
            let alt = self.arena.int(if k % 2 == 0 { 1 } else { -1 });
            terms.push(self.arena.mul(&[alt, dp, c, gk]));
            dp = self.diff(dp, var)?;
            if self.arena.is_zero(dp) {
                break;
            }
        }
        Some(self.arena.add(&terms))
    }

    /// `∫ f dx = ∫ h(t) dt` with `t = u(x)` when `f / u'` is `h(u)`.
    fn substitution(&mut self, f: Id, var: &str, depth: u32) -> Option<Id> {
        let x = self.arena.var(var);
        for u in self.candidates(f, var) {
            if self.steps >= MAX_STEPS {
                return None;
            }
            let Some(du) = self.diff(u, var) else {
                continue;
            };
            if self.arena.is_zero(du) {
                continue;
            }
            let h = self.arena.div(f, du);
            self.fresh += 1;
            let tname = format!("u'{}", self.fresh);
            let t = self.arena.var(&tname);
            let ht = self.replace(h, u, t, x);
            if self.depends(ht, var) {
                continue;
            }
            let Some(g) = self.integrate_at(ht, &tname, depth + 1) else {
                continue;
            };
            let bindings = HashMap::from([(tname.as_str(), u)]);
            return Some(substitute(self.arena, g, &bindings));
        }
        None
    }

    /// Subexpressions worth trying as `u`: calls and their arguments, bases
    /// of powers and powers with a non-integer exponent; not `x` itself.
    fn candidates(&mut self, f: Id, var: &str) -> Vec<Id> {
        let x = self.arena.var(var);
        let mut out: Vec<Id> = Vec::new();
        let mut stack = vec![f];
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let push = |c: Id, out: &mut Vec<Id>| {
                if c != x && !out.contains(&c) {
                    out.push(c);
                }
            };
            match self.arena.node(id).clone() {
                Node::Call(_, args) => {
                    if id != f {
                        push(id, &mut out);
                    }
                    for &a in args.iter() {
                        push(a, &mut out);
                    }
                }
                Node::Pow([b, e]) => {
                    push(b, &mut out);
                    if self.arena.as_num(e).and_then(Number::as_int).is_none() {
                        push(id, &mut out);
                    }
                }
                _ => {}
            }
            stack.extend_from_slice(self.arena.children(id));
        }
        out.retain(|&c| self.depends(c, var));
        out.truncate(MAX_CANDIDATES);
        out
    }

    /// `h` with `u` replaced by `t`; when `u` is a power `x^k`, other
    /// powers of `x` become powers of `t` as well.
    fn replace(&mut self, h: Id, u: Id, t: Id, x: Id) -> Id {
        let u_node = self.arena.node(u).clone();
        let var_name: Box<str> = match self.arena.node(x) {
            Node::Var(name) => name.clone(),
            _ => return h,
        };
        let power = match &u_node {
            Node::Pow([b, e]) if *b == x => self.arena.as_num(*e),
            _ => None,
        };
        let exponent = match &u_node {
            Node::Call(Func::Un(Un::Exp), args) => Some(args[0]),
            _ => None,
        };
        let mut memo = HashMap::new();
        rebuild(self.arena, h, &mut memo, &mut |arena, node| {
            if *node == u_node {
                return Some(t);
            }
            // exp(r g) = t^r when u = exp(g).
            if let (Some(g), Node::Call(Func::Un(Un::Exp), args)) = (exponent, node) {
                let r = arena.div(args[0], g);
                return arena.as_num(r).map(|_| arena.pow(t, r));
            }
            let k = power?;
            match node {
                Node::Pow([b, e]) if *b == x => {
                    let m = arena.as_num(*e)?;
                    let r = arena.num(m.mul(k.recip()));
                    Some(arena.pow(t, r))
                }
                Node::Var(name) if **name == *var_name => {
                    let r = arena.num(k.recip());
                    Some(arena.pow(t, r))
                }
                _ => None,
            }
        })
    }

    /// Power reduction (`sin²u = (1 - cos 2u)/2`), odd powers split off one
    /// factor (`sin³u = sin u (1 - cos²u)`), `tan²u = sec²u - 1`, and
    /// products of sines and cosines as sums; then multiplied out.
    fn trig_rewrite(&mut self, f: Id) -> Option<Id> {
        // An odd power of sine or cosine in a product is split alone first,
        // leaving the rest for a substitution: sin²cos³ = sin²cos(1 - sin²).
        let factors = self.arena.factors(&f);
        for (i, &g) in factors.iter().enumerate() {
            if let Node::Pow([b, e]) = self.arena.node(g).clone()
                && self
                    .arena
                    .as_num(e)
                    .and_then(Number::as_int)
                    .is_some_and(|n| n >= 3 && n % 2 == 1)
                && matches!(
                    self.arena.node(b),
                    Node::Call(Func::Un(Un::Sin | Un::Cos), _)
                )
                && let Some(split) = trig_power_rewrite(self.arena, b, e)
            {
                let mut rest = factors.clone();
                rest[i] = split;
                let g = self.arena.mul(&rest);
                return Some(self.expand(g));
            }
        }
        let mut memo = HashMap::new();
        let g = rebuild(self.arena, f, &mut memo, &mut |arena, node| match node {
            Node::Pow([b, e]) => trig_power_rewrite(arena, *b, *e),
            Node::Mul(fs) => product_to_sum(arena, fs),
            _ => None,
        });
        if g == f {
            return None;
        }
        let g = self.expand(g);
        (g != f).then_some(g)
    }

    fn expand(&mut self, f: Id) -> Id {
        let mut memo = HashMap::new();
        rebuild(self.arena, f, &mut memo, &mut super::expand_power)
    }

    /// `∫ u dv = u v - ∫ v du` with `u` chosen by LIATE; when `v du` comes
    /// back as a multiple of `f` (after one or two steps), the equation is
    /// solved for the integral.
    fn by_parts(&mut self, f: Id, var: &str, depth: u32) -> Option<Id> {
        let (u, dv) = self.split_parts(f, var)?;
        let v = self.integrate_at(dv, var, depth + 1)?;
        let du = self.diff(u, var)?;
        let w = self.arena.mul(&[v, du]);
        let uv = self.arena.mul(&[u, v]);
        // I = uv - k I
        if let Some(k) = self.ratio(w, f, var) {
            let one = self.arena.one();
            let d = self.arena.add(&[one, k]);
            if !self.arena.is_zero(d) {
                return Some(self.arena.div(uv, d));
            }
        }
        // I = uv - (u2 v2 - k I)
        if let Some((u2, dv2)) = self.split_parts(w, var)
            && let Some(v2) = self.integrate_at(dv2, var, depth + 1)
            && let Some(du2) = self.diff(u2, var)
        {
            let w2 = self.arena.mul(&[v2, du2]);
            if let Some(k) = self.ratio(w2, f, var) {
                let one = self.arena.one();
                let mk = self.arena.neg(k);
                let d = self.arena.add(&[one, mk]);
                // k = 1 is the identity 0 = 0: integrate v du directly.
                if !self.arena.is_zero(d) {
                    let u2v2 = self.arena.mul(&[u2, v2]);
                    let m = self.arena.neg(u2v2);
                    let num = self.arena.add(&[uv, m]);
                    return Some(self.arena.div(num, d));
                }
            }
        }
        let rest = self.integrate_at(w, var, depth + 1)?;
        let m = self.arena.neg(rest);
        Some(self.arena.add(&[uv, m]))
    }

    /// `a / b` if it is free of `x`.
    fn ratio(&mut self, a: Id, b: Id, var: &str) -> Option<Id> {
        let r = self.arena.div(a, b);
        (!self.depends(r, var)).then_some(r)
    }

    /// `u` and `dv` for by-parts: the factor that ranks highest in LIATE is
    /// `u`; a lone logarithm or inverse trig function is `u` with `dv = 1`.
    fn split_parts(&mut self, f: Id, var: &str) -> Option<(Id, Id)> {
        let (c, rest) = match self.arena.node(f).clone() {
            Node::Mul(fs) => {
                let (consts, rest): (Vec<Id>, Vec<Id>) =
                    fs.iter().partition(|&&g| !self.depends(g, var));
                (self.arena.mul(&consts), rest)
            }
            _ => (self.arena.one(), vec![f]),
        };
        let ranked: Vec<(Liate, usize)> = rest
            .iter()
            .enumerate()
            .filter_map(|(i, &g)| self.liate(g, var).map(|r| (r, i)))
            .collect();
        let &(rank, i) = ranked.iter().max_by_key(|(r, i)| (*r, usize::MAX - i))?;
        if rest.len() == 1 && rank < Liate::InverseTrig {
            return None;
        }
        let u = rest[i];
        let mut others: Vec<Id> = rest
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &g)| g)
            .collect();
        others.push(c);
        let dv = self.arena.mul(&others);
        Some((u, dv))
    }

    fn liate(&self, g: Id, var: &str) -> Option<Liate> {
        match self.arena.node(g) {
            Node::Var(name) if &**name == var => Some(Liate::Algebraic),
            Node::Call(Func::Un(op), _) => match op {
                Un::Ln => Some(Liate::Logarithmic),
                Un::Atan | Un::Asin | Un::Acos | Un::Asinh | Un::Acosh | Un::Atanh => {
                    Some(Liate::InverseTrig)
                }
                Un::Sin | Un::Cos | Un::Sinh | Un::Cosh => Some(Liate::Trigonometric),
                Un::Exp => Some(Liate::Exponential),
                _ => None,
            },
            Node::Pow([b, e]) => {
                let b_node = self.arena.node(*b);
                if self
                    .arena
                    .as_num(*e)
                    .and_then(Number::as_int)
                    .is_some_and(|n| n > 0)
                {
                    return match b_node {
                        Node::Call(Func::Un(Un::Ln), _) => Some(Liate::Logarithmic),
                        Node::Call(Func::Un(Un::Sin | Un::Cos), _) => Some(Liate::Trigonometric),
                        _ if self.is_polynomial(*b, var) => Some(Liate::Algebraic),
                        _ => None,
                    };
                }
                if !self.depends(*b, var) {
                    return Some(Liate::Exponential);
                }
                None
            }
            Node::Add(_) if self.is_polynomial(g, var) => Some(Liate::Algebraic),
            _ => None,
        }
    }

    fn is_polynomial(&self, g: Id, var: &str) -> bool {
        Poly::from_expr(self.arena, g, var).is_some()
    }
}

/// `sin(u)^n`, `cos(u)^n` and `tan(u)^n` for a whole `n >= 2`, rewritten.
fn trig_power_rewrite(arena: &mut Arena, b: Id, e: Id) -> Option<Id> {
    let n = arena.as_num(e)?.as_int()?;
    if !(2..=16).contains(&n) {
        return None;
    }
    let Node::Call(Func::Un(op @ (Un::Sin | Un::Cos | Un::Tan)), args) = arena.node(b).clone()
    else {
        return None;
    };
    let u = args[0];
    let one = arena.one();
    let two = arena.int(2);
    if op == Un::Tan {
        // tan^n = tan^(n-2) (1/cos^2 - 1)
        let c = arena.call(Func::Un(Un::Cos), &[u]);
        let m2 = arena.int(-2);
        let sec2 = arena.pow(c, m2);
        let m1 = arena.neg(one);
        let s = arena.add(&[sec2, m1]);
        let k = arena.int(n - 2);
        let rest = arena.pow(b, k);
        return Some(arena.mul(&[rest, s]));
    }
    if n % 2 == 0 {
        // sin^2 u = (1 - cos 2u)/2, cos^2 u = (1 + cos 2u)/2
        let u2 = arena.mul(&[two, u]);
        let c2 = arena.call(Func::Un(Un::Cos), &[u2]);
        let c2 = if op == Un::Sin { arena.neg(c2) } else { c2 };
        let s = arena.add(&[one, c2]);
        let half = arena.num(Number::HALF);
        let sq = arena.mul(&[half, s]);
        let k = arena.int(n / 2);
        return Some(arena.pow(sq, k));
    }
    // sin^(2k+1) = sin (1 - cos^2)^k, cos^(2k+1) = cos (1 - sin^2)^k
    let other = if op == Un::Sin { Un::Cos } else { Un::Sin };
    let o = arena.call(Func::Un(other), &[u]);
    let o2 = arena.pow(o, two);
    let m = arena.neg(o2);
    let s = arena.add(&[one, m]);
    let k = arena.int(n / 2);
    let p = arena.pow(s, k);
    Some(arena.mul(&[b, p]))
}

/// The first product of two sines or cosines among `fs` as a sum:
/// `sin a cos b = (sin(a+b) + sin(a-b))/2` and the like.
fn product_to_sum(arena: &mut Arena, fs: &[Id]) -> Option<Id> {
    let trig = |arena: &Arena, f: Id| match arena.node(f) {
        Node::Call(Func::Un(op @ (Un::Sin | Un::Cos)), args) => Some((*op, args[0])),
        _ => None,
    };
    let positions: Vec<usize> = (0..fs.len())
        .filter(|&i| trig(arena, fs[i]).is_some())
        .collect();
    let [i, j] = positions.get(..2)?.try_into().ok()?;
    let (oa, a) = trig(arena, fs[i])?;
    let (ob, b) = trig(arena, fs[j])?;
    let sum = arena.add(&[a, b]);
    let mb = arena.neg(b);
    let diff = arena.add(&[a, mb]);
    let sin = |arena: &mut Arena, v| arena.call(Func::Un(Un::Sin), &[v]);
    let cos = |arena: &mut Arena, v| arena.call(Func::Un(Un::Cos), &[v]);
    let combined = match (oa, ob) {
        (Un::Sin, Un::Sin) => {
            let c1 = cos(arena, diff);
            let c2 = cos(arena, sum);
            let m = arena.neg(c2);
            arena.add(&[c1, m])
        }
        (Un::Cos, Un::Cos) => {
            let c1 = cos(arena, diff);
            let c2 = cos(arena, sum);
            arena.add(&[c1, c2])
        }
        (Un::Sin, _) => {
            let s1 = sin(arena, sum);
            let s2 = sin(arena, diff);
            arena.add(&[s1, s2])
        }
        _ => {
            // cos a sin b = (sin(a+b) - sin(a-b))/2
            let s1 = sin(arena, sum);
            let s2 = sin(arena, diff);
            let m = arena.neg(s2);
            arena.add(&[s1, m])
        }
    };
    let half = arena.num(Number::HALF);
    let mut rest: Vec<Id> = fs
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != i && k != j)
        .map(|(_, &f)| f)
        .collect();
    rest.push(half);
    rest.push(combined);
    Some(arena.mul(&rest))
}
