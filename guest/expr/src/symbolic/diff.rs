//! Symbolic differentiation: the sum, product, power and chain rules, with
//! the rule for each function taken from [`rules`](super::rules).
//!
//! Each distinct subexpression is differentiated once (a memo keyed by
//! node id), and every node is built by the simplifying constructors, so
//! derivatives are simplified as they are built instead of growing and
//! being simplified afterwards.

use std::collections::HashMap;

use super::arena::{Arena, MAX_NODES, MAX_OPERANDS};
use super::convert::convert;
use super::node::{Func, Id, Node};
use super::rules::{self, Partial, Rules};
use crate::elementary::{Bin, Un};
use crate::error::{ErrorKind, ExprError};
use crate::expr::Expr;

const COUNT: &str = "it must be a whole number";

pub(crate) struct Differentiator<'a> {
    pub arena: &'a mut Arena,
    /// The variable differentiated by.
    pub var: &'a str,
    /// The source text, for error locations.
    pub src: &'a str,
    memo: HashMap<Id, Id>,
}

pub(crate) fn too_large() -> ExprError {
    ExprError::unlocated(
        ErrorKind::TooLong,
        format!(
            "the symbolic computation grew past {MAX_NODES} distinct subexpressions \
             or {MAX_OPERANDS} operands; ask for a lower order or a simpler expression"
        ),
    )
}

impl<'a> Differentiator<'a> {
    pub fn new(arena: &'a mut Arena, var: &'a str, src: &'a str) -> Self {
        Differentiator {
            arena,
            var,
            src,
            memo: HashMap::new(),
        }
    }

    pub fn diff(&mut self, id: Id) -> Result<Id, ExprError> {
        if let Some(&d) = self.memo.get(&id) {
            return Ok(d);
        }
        if self.arena.is_full() {
            return Err(too_large());
        }
        let mark = self.arena.len();
        let d = match self.arena.node(id).clone() {
            Node::Num(_) | Node::Const(_) | Node::Text(_) => self.arena.zero(),
            Node::Var(name) => {
                if *name == *self.var {
                    self.arena.one()
                } else {
                    self.arena.zero()
                }
            }
            Node::Add(terms) => {
                let ds = self.diff_all(&terms)?;
                self.arena.add(&ds)
            }
            Node::Mul(factors) => self.product(&factors)?,
            Node::Pow([b, e]) => self.power(id, b, e)?,
            Node::Call(f, args) => self.call(id, f, &args)?,
        };
        // What the rule built belongs to the node it differentiated, so that
        // a later error inside it (the `sign` from `abs`) points there.
        let origin = self.arena.origin(id);
        self.arena.claim_new(mark, origin);
        self.memo.insert(id, d);
        Ok(d)
    }

    fn diff_all(&mut self, ids: &[Id]) -> Result<Vec<Id>, ExprError> {
        ids.iter().map(|&i| self.diff(i)).collect()
    }

    fn product(&mut self, factors: &[Id]) -> Result<Id, ExprError> {
        let ds = self.diff_all(factors)?;
        let mut terms = Vec::new();
        for (i, &d) in ds.iter().enumerate() {
            if self.arena.is_zero(d) {
                continue;
            }
            // A long product makes as many products as it has factors.
            if self.arena.is_full() {
                return Err(too_large());
            }
            let mut fs = factors.to_vec();
            fs[i] = d;
            terms.push(self.arena.mul(&fs));
        }
        Ok(self.arena.add(&terms))
    }

    fn power(&mut self, id: Id, base: Id, exp: Id) -> Result<Id, ExprError> {
        let db = self.diff(base)?;
        let de = self.diff(exp)?;
        let a = &mut *self.arena;
        Ok(match (a.is_zero(db), a.is_zero(de)) {
            (true, true) => a.zero(),
            // d(u^n) = n u^(n-1) u'
            (false, true) => {
                let minus_one = a.int(-1);
                let n_1 = a.add(&[exp, minus_one]);
                let p = a.pow(base, n_1);
                a.mul(&[exp, p, db])
            }
            // d(a^v) = a^v ln(a) v'
            (true, false) => {
                let ln = a.call(Func::Un(Un::Ln), &[base]);
                a.mul(&[id, ln, de])
            }
            // d(u^v) = u^v (v' ln(u) + v u'/u)
            (false, false) => {
                let ln = a.call(Func::Un(Un::Ln), &[base]);
                let t1 = a.mul(&[de, ln]);
                let r = a.recip(base);
                let t2 = a.mul(&[exp, db, r]);
                let s = a.add(&[t1, t2]);
                a.mul(&[id, s])
            }
        })
    }

    fn call(&mut self, id: Id, f: Func, args: &[Id]) -> Result<Id, ExprError> {
        match f {
            Func::Un(op) => {
                let du = self.diff(args[0])?;
                if self.arena.is_zero(du) {
                    return Ok(du);
                }
                match rules::unary(op) {
                    Partial::Rule(rule) => {
                        let p = self.instantiate(rule, &["u"], args);
                        Ok(self.arena.mul(&[p, du]))
                    }
                    Partial::Step(why) => Err(self.no_derivative(id, f, None, why)),
                    Partial::Count => Err(self.no_derivative(id, f, None, COUNT)),
                }
            }
            Func::Bin(op) => self.chain(id, f, &rules::binary(op), args),
            Func::Dist(d) => self.chain(id, f, &rules::dist(d), args),
            Func::StudentT => self.chain(id, f, &rules::student_t(), args),
            Func::Min | Func::Max => self.extremum(f, args),
            Func::Clamp => self.clamp(args),
            // The derivative of the branch taken; the condition is not
            // differentiated.
            Func::If => {
                let da = self.diff(args[1])?;
                let db = self.diff(args[2])?;
                Ok(self.arena.call(Func::If, &[args[0], da, db]))
            }
            Func::Sum => self.sum(args[0]),
            Func::Mean => {
                let d = self.diff(args[0])?;
                Ok(self.arena.call(Func::Mean, &[d]))
            }
            Func::Len => Ok(self.arena.zero()),
        }
    }

    /// The multivariate chain rule: Σ ∂f/∂argᵢ · d argᵢ.
    fn chain(&mut self, id: Id, f: Func, rules: &Rules, args: &[Id]) -> Result<Id, ExprError> {
        let mut terms = Vec::new();
        for (i, &arg) in args.iter().enumerate() {
            let d = self.diff(arg)?;
            if self.arena.is_zero(d) {
                continue;
            }
            match rules.partials[i] {
                Partial::Rule(rule) => {
                    let p = self.instantiate(rule, rules.params, args);
                    terms.push(self.arena.mul(&[p, d]));
                }
                Partial::Step(why) => return Err(self.no_derivative(id, f, None, why)),
                Partial::Count => {
                    return Err(self.no_derivative(id, f, Some(rules.params[i]), COUNT));
                }
            }
        }
        Ok(self.arena.add(&terms))
    }

    /// `min(a, b, ...)` folds left as the compiled program does, so its
    /// derivative is the derivative of whichever operand that fold picks,
    /// ties going to the earlier one.
    fn extremum(&mut self, f: Func, args: &[Id]) -> Result<Id, ExprError> {
        let beats = if f == Func::Min { Bin::Lt } else { Bin::Gt };
        let mut best = args[0];
        let mut d = self.diff(best)?;
        for &a in &args[1..] {
            let da = self.diff(a)?;
            let wins = self.arena.call(Func::Bin(beats), &[a, best]);
            d = self.arena.call(Func::If, &[wins, da, d]);
            best = self.arena.call(f, &[best, a]);
        }
        Ok(d)
    }

    /// `clamp(x, lo, hi)` is `min(max(x, lo), hi)`.
    fn clamp(&mut self, args: &[Id]) -> Result<Id, ExprError> {
        let (x, lo, hi) = (args[0], args[1], args[2]);
        let low = self.arena.call(Func::Max, &[x, lo]);
        let d_low = self.extremum(Func::Max, &[x, lo])?;
        let dhi = self.diff(hi)?;
        let wins = self.arena.call(Func::Bin(Bin::Lt), &[hi, low]);
        Ok(self.arena.call(Func::If, &[wins, dhi, d_low]))
    }

    /// `sum(e)` adds `e` over the elements of the data arrays in it. Its
    /// derivative is `sum(e')` while `e'` still holds those arrays; when
    /// differentiating dropped a variable that may be an array
    /// (`d/dx sum(x + y) = len(y)`), it is `len(e) * mean(e')`, which is
    /// right whether or not `e'` has arrays.
    fn sum(&mut self, e: Id) -> Result<Id, ExprError> {
        let d = self.diff(e)?;
        if self.arena.is_zero(d) {
            return Ok(d);
        }
        let kept = self.arena.variables(d);
        let dropped = self
            .arena
            .variables(e)
            .into_iter()
            .any(|v| v != self.var && !kept.contains(&v));
        if !dropped {
            return Ok(self.arena.call(Func::Sum, &[d]));
        }
        let len = self.arena.call(Func::Len, &[e]);
        let mean = self.arena.call(Func::Mean, &[d]);
        Ok(self.arena.mul(&[len, mean]))
    }

    /// A rule with its parameters replaced by `args`.
    fn instantiate(&mut self, rule: &'static str, params: &[&str], args: &[Id]) -> Id {
        let template = match self.arena.templates.get(rule) {
            Some(&t) => t,
            None => {
                // The rules are fixed text, parsed by a test of every one.
                let expr = Expr::parse(rule).expect("derivative rules parse");
                let t = convert(self.arena, &expr, false).expect("derivative rules convert");
                self.arena.templates.insert(rule, t);
                t
            }
        };
        let bindings: HashMap<&str, Id> =
            params.iter().copied().zip(args.iter().copied()).collect();
        substitute(self.arena, template, &bindings)
    }

    fn no_derivative(&self, id: Id, f: Func, param: Option<&str>, why: &str) -> ExprError {
        let name = f.name();
        let what = match param {
            Some(p) => format!("'{name}' has no derivative in its argument {p}"),
            None => format!("'{name}' has no derivative"),
        };
        let mut msg = format!(
            "{what} (differentiating with respect to {}): {why}",
            self.var
        );
        match self.arena.origin(id) {
            Some(span) => {
                let written = self.src.get(span.start..span.end).unwrap_or("");
                if written != name {
                    msg.push_str(&format!(
                        "; it comes from the derivative of '{written}' here"
                    ));
                }
                ExprError::at(ErrorKind::NotSmooth, msg, self.src, span)
            }
            None => ExprError::unlocated(ErrorKind::NotSmooth, msg),
        }
    }
}

/// `id` with each variable named in `bindings` replaced, all at once.
pub(crate) fn substitute(arena: &mut Arena, id: Id, bindings: &HashMap<&str, Id>) -> Id {
    let mut memo = HashMap::new();
    rebuild(arena, id, &mut memo, &mut |_, node| match node {
        Node::Var(name) => bindings.get(&**name).copied(),
        _ => None,
    })
}

/// Rebuilds `id` bottom-up through the simplifying constructors; `leaf`
/// may replace any node before its children are visited.
pub(crate) fn rebuild(
    arena: &mut Arena,
    id: Id,
    memo: &mut HashMap<Id, Id>,
    leaf: &mut impl FnMut(&mut Arena, &Node) -> Option<Id>,
) -> Id {
    if let Some(&r) = memo.get(&id) {
        return r;
    }
    let node = arena.node(id).clone();
    let r = match leaf(arena, &node) {
        Some(r) => r,
        None => match node {
            Node::Num(_) | Node::Const(_) | Node::Var(_) | Node::Text(_) => id,
            Node::Add(ts) => {
                let ts: Vec<Id> = ts.iter().map(|&t| rebuild(arena, t, memo, leaf)).collect();
                arena.add(&ts)
            }
            Node::Mul(fs) => {
                let fs: Vec<Id> = fs.iter().map(|&f| rebuild(arena, f, memo, leaf)).collect();
                arena.mul(&fs)
            }
            Node::Pow([b, e]) => {
                let b = rebuild(arena, b, memo, leaf);
                let e = rebuild(arena, e, memo, leaf);
                arena.pow(b, e)
            }
            Node::Call(f, xs) => {
                let xs: Vec<Id> = xs.iter().map(|&x| rebuild(arena, x, memo, leaf)).collect();
                arena.call(f, &xs)
            }
        },
    };
    memo.insert(id, r);
    r
}
