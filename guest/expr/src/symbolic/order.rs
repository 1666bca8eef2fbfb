//! The canonical order of operands, which makes equal expressions print the
//! same: `y*x` and `x*y` are one product, `x + x^2` prints `x^2 + x`.
//!
//! The order depends only on the structure of the nodes, never on their ids
//! (which depend on the order things were built in).

use std::cmp::Ordering;

use super::arena::Arena;
use super::node::{Id, Node};
use super::number::Number;

/// Rank of a node's kind: numbers first, then constants, variables,
/// function calls, sums, products and powers.
fn class(node: &Node) -> u8 {
    match node {
        Node::Num(_) => 0,
        Node::Const(_) => 1,
        Node::Var(_) => 2,
        Node::Text(_) => 3,
        Node::Call(..) => 4,
        Node::Add(_) => 5,
        Node::Mul(_) => 6,
        Node::Pow(_) => 7,
    }
}

impl Arena {
    /// A total order on expressions.
    pub fn cmp(&self, a: Id, b: Id) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        match (self.node(a), self.node(b)) {
            (Node::Num(x), Node::Num(y)) => x.total_cmp(*y),
            (Node::Const(x), Node::Const(y)) => x.cmp(y),
            (Node::Var(x), Node::Var(y)) | (Node::Text(x), Node::Text(y)) => x.cmp(y),
            (Node::Call(f, xs), Node::Call(g, ys)) => {
                f.name().cmp(g.name()).then_with(|| self.cmp_lists(xs, ys))
            }
            (Node::Add(xs), Node::Add(ys)) | (Node::Mul(xs), Node::Mul(ys)) => {
                self.cmp_lists(xs, ys)
            }
            (Node::Pow([b1, e1]), Node::Pow([b2, e2])) => {
                self.cmp(*b1, *b2).then_with(|| self.cmp(*e1, *e2))
            }
            (x, y) => class(x).cmp(&class(y)),
        }
    }

    fn cmp_lists(&self, xs: &[Id], ys: &[Id]) -> Ordering {
        xs.iter()
            .zip(ys)
            .map(|(&x, &y)| self.cmp(x, y))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| xs.len().cmp(&ys.len()))
    }

    /// A factor as base and exponent: `x^2` is `(x, 2)`, `sin(x)` is
    /// `(sin(x), 1)`.
    pub fn base_exp(&self, id: Id) -> (Id, Option<Id>) {
        match self.node(id) {
            Node::Pow([b, e]) => (*b, Some(*e)),
            _ => (id, None),
        }
    }

    /// The order of factors in a product: by base, then by exponent.
    pub fn cmp_factors(&self, a: Id, b: Id) -> Ordering {
        let (ba, ea) = self.base_exp(a);
        let (bb, eb) = self.base_exp(b);
        self.cmp(ba, bb).then_with(|| match (ea, eb) {
            (Some(x), Some(y)) => self.cmp(x, y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        })
    }

    /// The factors of a monomial (a product without its coefficient, or a
    /// single factor).
    pub fn factors(&self, id: &Id) -> Vec<Id> {
        match self.node(*id) {
            Node::Mul(fs) => fs.to_vec(),
            _ => vec![*id],
        }
    }

    /// The degree used to order terms: the sum of the numeric exponents of
    /// variables, so `x^2*y` has degree 3 and `sin(x)` degree 0.
    pub fn degree(&self, id: Id) -> Number {
        self.factors(&id)
            .into_iter()
            .map(|f| {
                let (b, e) = self.base_exp(f);
                match (self.node(b), e) {
                    (Node::Var(_), None) => Number::ONE,
                    (Node::Var(_), Some(e)) => self.as_num(e).unwrap_or(Number::ZERO),
                    _ => Number::ZERO,
                }
            })
            .fold(Number::ZERO, Number::add)
    }

    /// The order of terms in a sum, given each term's monomial and degree:
    /// higher degree first, then by the factors' bases with higher powers
    /// first, the way polynomials are written; the constant term last.
    pub fn cmp_monomials(&self, a: (Id, Number), b: (Id, Number)) -> Ordering {
        let (ma, da) = a;
        let (mb, db) = b;
        let is_num = |m: Id| self.as_num(m).is_some();
        is_num(ma)
            .cmp(&is_num(mb))
            .then_with(|| db.total_cmp(da))
            .then_with(|| {
                let (fa, fb) = (self.factors(&ma), self.factors(&mb));
                for (&x, &y) in fa.iter().zip(&fb) {
                    let (bx, ex) = self.base_exp(x);
                    let (by, ey) = self.base_exp(y);
                    let o = self.cmp(bx, by).then_with(|| self.cmp_exponents(ex, ey));
                    if o.is_ne() {
                        return o;
                    }
                }
                fb.len().cmp(&fa.len())
            })
            .then_with(|| self.cmp(ma, mb))
    }

    /// Higher numeric powers first; symbolic exponents after numeric ones.
    /// `None` is the exponent 1 of a factor that is not a power.
    fn cmp_exponents(&self, a: Option<Id>, b: Option<Id>) -> Ordering {
        let value = |e: Option<Id>| match e {
            None => Some(Number::ONE),
            Some(e) => self.as_num(e),
        };
        match (value(a), value(b), a, b) {
            (Some(x), Some(y), ..) => y.total_cmp(x),
            (Some(_), None, ..) => Ordering::Less,
            (None, Some(_), ..) => Ordering::Greater,
            (None, None, Some(x), Some(y)) => self.cmp(x, y),
            _ => Ordering::Equal,
        }
    }
}
