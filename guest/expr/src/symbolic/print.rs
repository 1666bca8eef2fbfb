//! Writing a symbolic expression back in the expression language, with as
//! few parentheses as the parser's precedence allows: `x^2 - 2*x + 1`,
//! `sin(x)/(x + 1)`, `1/sqrt(1 - x^2)`. Reading the text back gives an
//! expression with the same value.

use super::arena::Arena;
use super::node::{Func, Id, Infix, Node};
use super::number::Number;
use crate::elementary::{Bin, Un};

/// Precedence levels of the parser, loosest first.
pub(crate) mod prec {
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    pub const CMP: u8 = 3;
    pub const ADD: u8 = 4;
    pub const MUL: u8 = 5;
    pub const UNARY: u8 = 6;
    pub const POW: u8 = 7;
    pub const ATOM: u8 = 8;
}

/// A factor of a product as it is written: a node, or a power whose
/// exponent was negated to move it below the fraction bar.
#[derive(Clone, Copy)]
pub(crate) enum Factor {
    Node(Id),
    Power(Id, Number),
    Number(Number),
}

/// A product split for writing: sign, numerator and denominator factors.
pub(crate) struct Fraction {
    pub negative: bool,
    pub numerator: Vec<Factor>,
    pub denominator: Vec<Factor>,
}

impl Arena {
    /// `id` as a signed fraction; a non-product is a one-factor fraction.
    pub(crate) fn fraction(&self, id: Id) -> Fraction {
        let mut f = Fraction {
            negative: false,
            numerator: Vec::new(),
            denominator: Vec::new(),
        };
        let factors: &[Id] = match self.node(id) {
            Node::Mul(fs) => fs,
            _ => std::slice::from_ref(&id),
        };
        for &factor in factors {
            match self.node(factor) {
                Node::Num(n) => {
                    f.negative = n.is_negative();
                    match n.abs() {
                        Number::Rat { num, den } => {
                            if num != 1 {
                                f.numerator.push(Factor::Number(Number::int(num)));
                            }
                            if den != 1 {
                                f.denominator.push(Factor::Number(Number::int(den)));
                            }
                        }
                        m => f.numerator.push(Factor::Number(m)),
                    }
                }
                Node::Pow([b, e]) => match self.as_num(*e) {
                    Some(n) if n.is_negative() => f.denominator.push(Factor::Power(*b, n.neg())),
                    _ => f.numerator.push(Factor::Node(factor)),
                },
                _ => f.numerator.push(Factor::Node(factor)),
            }
        }
        f
    }

    /// True for a term written with a leading minus.
    pub(crate) fn is_negative_term(&self, id: Id) -> bool {
        match self.node(id) {
            Node::Num(n) => n.is_negative(),
            Node::Mul(fs) => self.as_num(fs[0]).is_some_and(Number::is_negative),
            _ => false,
        }
    }

    /// The terms of a sum in writing order, each with whether it is negative: a positive
    /// term leads where there is one (`1 - x`, not `-x + 1`).
    pub(crate) fn signed_terms(&self, terms: &[Id]) -> Vec<(Id, bool)> {
        let first = terms
            .iter()
            .position(|&t| !self.is_negative_term(t))
            .unwrap_or(0);
        std::iter::once(first)
            .chain((0..terms.len()).filter(|&i| i != first))
            .map(|i| (terms[i], self.is_negative_term(terms[i])))
            .collect()
    }
}

/// `id` in the expression language.
pub(crate) fn text(arena: &Arena, id: Id) -> String {
    let mut w = Writer {
        arena,
        out: String::new(),
    };
    w.node(id, 0);
    w.out
}

struct Writer<'a> {
    arena: &'a Arena,
    out: String,
}

impl Writer<'_> {
    /// The precedence of `id` as it is written.
    fn prec(&self, id: Id) -> u8 {
        match self.arena.node(id) {
            Node::Num(n) => number_prec(*n),
            Node::Const(_) | Node::Var(_) | Node::Text(_) => prec::ATOM,
            Node::Add(_) => prec::ADD,
            Node::Mul(_) | Node::Pow(_) => {
                let f = self.arena.fraction(id);
                match (f.negative, f.numerator.as_slice(), f.denominator.is_empty()) {
                    (_, _, false) => prec::MUL,
                    (false, [only], true) => self.factor_prec(*only),
                    (true, [_], true) => prec::UNARY,
                    _ => prec::MUL,
                }
            }
            Node::Call(f, _) => call_prec(*f),
        }
    }

    fn factor_prec(&self, f: Factor) -> u8 {
        match f {
            Factor::Number(n) => number_prec(n),
            Factor::Power(_, e) if e.is_one() || e == Number::HALF => prec::ATOM,
            Factor::Power(..) => prec::POW,
            Factor::Node(id) => match self.arena.node(id) {
                Node::Pow([_, e]) if self.arena.as_num(*e) == Some(Number::HALF) => prec::ATOM,
                Node::Pow(_) => prec::POW,
                _ => self.prec(id),
            },
        }
    }

    fn node(&mut self, id: Id, min: u8) {
        let wrap = self.prec(id) < min;
        if wrap {
            self.out.push('(');
        }
        match self.arena.node(id) {
            Node::Num(n) => self.signed_number(*n),
            Node::Const(c) => self.out.push_str(c.name()),
            Node::Var(name) => self.out.push_str(name),
            Node::Text(text) => self.out.push_str(&quoted(text)),
            Node::Add(terms) => self.sum(terms),
            Node::Mul(_) | Node::Pow(_) => self.product(id, false),
            Node::Call(f, args) => self.call(*f, args),
        }
        if wrap {
            self.out.push(')');
        }
    }

    fn signed_number(&mut self, n: Number) {
        if n.is_negative() {
            self.out.push('-');
        }
        self.out.push_str(&n.to_string());
    }

    fn sum(&mut self, terms: &[Id]) {
        for (k, (t, negative)) in self.arena.signed_terms(terms).into_iter().enumerate() {
            match (k, negative) {
                (0, _) => {}
                (_, true) => self.out.push_str(" - "),
                (_, false) => self.out.push_str(" + "),
            }
            if k == 0 || !negative {
                self.node(t, prec::MUL);
            } else {
                // The magnitude of a negative term: its own sign is the
                // " - " just written.
                self.product(t, true);
            }
        }
    }

    /// A product or power as `-a*b/(c*d)`; `drop_sign` writes its
    /// magnitude.
    fn product(&mut self, id: Id, drop_sign: bool) {
        let f = self.arena.fraction(id);
        if f.negative && !drop_sign {
            self.out.push('-');
        }
        if f.numerator.is_empty() {
            self.out.push('1');
        }
        for (i, &factor) in f.numerator.iter().enumerate() {
            if i > 0 {
                self.out.push('*');
            }
            self.factor(factor, prec::UNARY);
        }
        match f.denominator.as_slice() {
            [] => {}
            [only] => {
                self.out.push('/');
                self.factor(*only, prec::UNARY);
            }
            many => {
                self.out.push_str("/(");
                for (i, &factor) in many.iter().enumerate() {
                    if i > 0 {
                        self.out.push('*');
                    }
                    self.factor(factor, prec::UNARY);
                }
                self.out.push(')');
            }
        }
    }

    fn factor(&mut self, f: Factor, min: u8) {
        match f {
            Factor::Number(n) => {
                let wrap = number_prec(n) < min;
                if wrap {
                    self.out.push('(');
                }
                self.signed_number(n);
                if wrap {
                    self.out.push(')');
                }
            }
            Factor::Power(base, e) => self.power(base, Exponent::Number(e), min),
            Factor::Node(id) => match self.arena.node(id) {
                Node::Pow([b, e]) => self.power(*b, Exponent::Node(*e), min),
                _ => self.node(id, min),
            },
        }
    }

    fn power(&mut self, base: Id, exp: Exponent, min: u8) {
        let e = match exp {
            Exponent::Number(n) => Some(n),
            Exponent::Node(e) => self.arena.as_num(e),
        };
        if e.is_some_and(Number::is_one) {
            return self.node(base, min);
        }
        if e == Some(Number::HALF) {
            self.out.push_str("sqrt(");
            self.node(base, 0);
            self.out.push(')');
            return;
        }
        let wrap = prec::POW < min;
        if wrap {
            self.out.push('(');
        }
        self.node(base, prec::ATOM);
        self.out.push('^');
        match exp {
            Exponent::Number(n) => self.factor(Factor::Number(n), prec::POW),
            Exponent::Node(e) => self.node(e, prec::POW),
        }
        if wrap {
            self.out.push(')');
        }
    }

    fn call(&mut self, f: Func, args: &[Id]) {
        match f {
            Func::Un(Un::Not) => {
                self.out.push('!');
                self.node(args[0], prec::UNARY);
            }
            Func::Bin(op) if op.infix().is_some() => {
                let (left, right) = infix_operand_prec(op);
                self.node(args[0], left);
                self.out.push(' ');
                self.out.push_str(f.name());
                self.out.push(' ');
                self.node(args[1], right);
            }
            _ => {
                self.out.push_str(f.name());
                self.out.push('(');
                for (i, &a) in args.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.node(a, 0);
                }
                self.out.push(')');
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Exponent {
    Node(Id),
    Number(Number),
}

fn number_prec(n: Number) -> u8 {
    match n {
        _ if n.is_negative() => match n {
            Number::Rat { den: 1, .. } | Number::Float(_) => prec::UNARY,
            Number::Rat { .. } => prec::MUL,
        },
        Number::Rat { den: 1, .. } | Number::Float(_) => prec::ATOM,
        Number::Rat { .. } => prec::MUL,
    }
}

/// The precedence of a call as written.
pub(crate) fn call_prec(f: Func) -> u8 {
    match f {
        Func::Un(Un::Not) => prec::UNARY,
        Func::Bin(Bin::Rem) => prec::MUL,
        Func::Bin(Bin::And) => prec::AND,
        Func::Bin(Bin::Or) => prec::OR,
        Func::Bin(op) if op.infix().is_some() => prec::CMP,
        _ => prec::ATOM,
    }
}

/// The precedence each operand of an infix operator needs: left operands
/// may repeat a left-associative operator, comparisons do not chain.
fn infix_operand_prec(op: Bin) -> (u8, u8) {
    match op {
        Bin::Rem => (prec::MUL, prec::UNARY),
        Bin::And => (prec::AND, prec::CMP),
        Bin::Or => (prec::OR, prec::AND),
        _ => (prec::ADD, prec::ADD),
    }
}

/// Text between the quote it does not contain (the language has no
/// escapes).
pub(crate) fn quoted(text: &str) -> String {
    let q = if text.contains('"') { '\'' } else { '"' };
    format!("{q}{text}{q}")
}
