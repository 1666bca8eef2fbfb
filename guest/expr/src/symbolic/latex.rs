//! Writing a symbolic expression as LaTeX math, for people and for the
//! `render_math` tool: `\frac{x^{2}}{2}`, `\sqrt{x}`, `\sin\left(x\right)`,
//! Greek letters for variables named `alpha`, `mu`, `sigma` ...

use super::arena::Arena;
use super::node::{Constant, Func, Id, Node};
use super::number::Number;
use super::print::{Factor, call_prec, prec, quoted};
use crate::elementary::{Bin, Un};

const GREEK: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
];

/// `id` as LaTeX math (without `$` delimiters).
pub(crate) fn latex(arena: &Arena, id: Id) -> String {
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
    fn prec(&self, id: Id) -> u8 {
        match self.arena.node(id) {
            Node::Num(n) if n.is_negative() => prec::UNARY,
            Node::Num(_) | Node::Const(_) | Node::Var(_) | Node::Text(_) => prec::ATOM,
            Node::Add(_) => prec::ADD,
            Node::Mul(_) | Node::Pow(_) => {
                let f = self.arena.fraction(id);
                match (f.negative, f.numerator.len(), f.denominator.is_empty()) {
                    // A fraction bar groups by itself.
                    (false, _, false) => prec::ATOM,
                    (true, _, _) => prec::UNARY,
                    (false, 1, true) => match f.numerator[0] {
                        Factor::Node(n) if matches!(self.arena.node(n), Node::Pow(_)) => prec::POW,
                        _ => prec::ATOM,
                    },
                    _ => prec::MUL,
                }
            }
            Node::Call(f, _) => call_prec(*f),
        }
    }

    fn node(&mut self, id: Id, min: u8) {
        let wrap = self.prec(id) < min;
        if wrap {
            self.out.push_str("\\left(");
        }
        match self.arena.node(id) {
            Node::Num(n) => self.number(*n),
            Node::Const(c) => self.out.push_str(match c {
                Constant::Pi => "\\pi",
                Constant::E => "e",
                Constant::Tau => "\\tau",
            }),
            Node::Var(name) => self.variable(name),
            Node::Text(text) => {
                self.out.push_str("\\text{");
                for c in quoted(text).chars() {
                    if "#$%&_{}".contains(c) {
                        self.out.push('\\');
                    }
                    if c == '\\' {
                        self.out.push_str("\\backslash ");
                    } else {
                        self.out.push(c);
                    }
                }
                self.out.push('}');
            }
            Node::Add(terms) => self.sum(terms),
            Node::Mul(_) | Node::Pow(_) => self.product(id, false),
            Node::Call(f, args) => self.call(*f, args),
        }
        if wrap {
            self.out.push_str("\\right)");
        }
    }

    fn number(&mut self, n: Number) {
        if n.is_negative() {
            self.out.push('-');
        }
        match n.abs() {
            Number::Rat { num, den: 1 } => self.out.push_str(&num.to_string()),
            Number::Rat { num, den } => self.out.push_str(&format!("\\frac{{{num}}}{{{den}}}")),
            Number::Float(v) if v.is_nan() => self.out.push_str("\\mathrm{NaN}"),
            Number::Float(v) if v.is_infinite() => self.out.push_str("\\infty"),
            Number::Float(v) => {
                let text = super::number::float_text(v);
                match text.split_once('e') {
                    Some((mantissa, exp)) => self
                        .out
                        .push_str(&format!("{mantissa} \\cdot 10^{{{exp}}}")),
                    None => self.out.push_str(&text),
                }
            }
        }
    }

    fn variable(&mut self, name: &str) {
        let (stem, index) = match name.split_once('_') {
            Some((s, i)) if !s.is_empty() && !i.is_empty() && !i.contains('_') => (s, Some(i)),
            _ => (name, None),
        };
        if GREEK.contains(&stem) {
            self.out.push('\\');
            self.out.push_str(stem);
        } else if stem.chars().count() == 1 {
            self.out.push_str(stem);
        } else {
            self.out.push_str("\\mathrm{");
            self.out.push_str(&stem.replace('_', "\\_"));
            self.out.push('}');
        }
        if let Some(i) = index {
            self.out.push_str("_{");
            self.out.push_str(i);
            self.out.push('}');
        }
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
                self.product(t, true);
            }
        }
    }

    fn product(&mut self, id: Id, drop_sign: bool) {
        let f = self.arena.fraction(id);
        if f.negative && !drop_sign {
            self.out.push('-');
        }
        if f.denominator.is_empty() {
            if f.numerator.is_empty() {
                self.out.push('1');
            }
            self.factors(&f.numerator, false);
            return;
        }
        self.out.push_str("\\frac{");
        if f.numerator.is_empty() {
            self.out.push('1');
        }
        self.factors(&f.numerator, true);
        self.out.push_str("}{");
        self.factors(&f.denominator, true);
        self.out.push('}');
    }

    /// Factors side by side; `\cdot` only where a number follows, so that
    /// `2 \cdot 3^{x}` is not read as `23^{x}`.
    fn factors(&mut self, factors: &[Factor], in_fraction: bool) {
        // A lone factor above or below a fraction bar needs no brackets.
        let min = if in_fraction && factors.len() == 1 {
            0
        } else {
            prec::UNARY
        };
        for (i, &f) in factors.iter().enumerate() {
            if i > 0 {
                let digit_next = matches!(f, Factor::Number(_))
                    || matches!(f, Factor::Node(n) if self.starts_with_number(n))
                    || matches!(f, Factor::Power(b, _) if self.starts_with_number(b));
                self.out.push_str(if digit_next { " \\cdot " } else { " " });
            }
            match f {
                Factor::Number(n) => self.number(n),
                Factor::Power(b, e) => self.power(b, Err(e), min),
                Factor::Node(n) => match self.arena.node(n) {
                    Node::Pow([b, e]) => self.power(*b, Ok(*e), min),
                    _ => self.node(n, min),
                },
            }
        }
    }

    fn starts_with_number(&self, id: Id) -> bool {
        match self.arena.node(id) {
            Node::Num(_) => true,
            Node::Pow([b, _]) => self.starts_with_number(*b),
            _ => false,
        }
    }

    /// `base^exp`, with the exponent a node (`Ok`) or a number (`Err`);
    /// `min` applies when the exponent is 1 and only the base is written.
    fn power(&mut self, base: Id, exp: Result<Id, Number>, min: u8) {
        let e = match exp {
            Ok(e) => self.arena.as_num(e),
            Err(n) => Some(n),
        };
        if e.is_some_and(Number::is_one) {
            return self.node(base, min);
        }
        if e == Some(Number::HALF) {
            self.out.push_str("\\sqrt{");
            self.node(base, 0);
            self.out.push('}');
            return;
        }
        // Powers of functions are written sin^2(x), as usual.
        if let Node::Call(Func::Un(op), args) = self.arena.node(base)
            && let Some(name) = operator_name(*op)
            && e.is_some_and(|n| n.as_int().is_some_and(|k| k > 0))
        {
            self.out.push_str(name);
            self.out.push_str("^{");
            self.exponent(exp);
            self.out.push('}');
            self.parenthesized(args[0]);
            return;
        }
        self.node(base, prec::ATOM);
        self.out.push_str("^{");
        self.exponent(exp);
        self.out.push('}');
    }

    fn exponent(&mut self, exp: Result<Id, Number>) {
        match exp {
            Ok(e) => self.node(e, 0),
            Err(n) => self.number(n),
        }
    }

    fn parenthesized(&mut self, id: Id) {
        self.out.push_str("\\left(");
        self.node(id, 0);
        self.out.push_str("\\right)");
    }

    fn args(&mut self, args: &[Id]) {
        self.out.push_str("\\left(");
        for (i, &a) in args.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.node(a, 0);
        }
        self.out.push_str("\\right)");
    }

    fn call(&mut self, f: Func, args: &[Id]) {
        match f {
            Func::Un(Un::Not) => {
                self.out.push_str("\\lnot ");
                self.node(args[0], prec::UNARY);
            }
            Func::Un(Un::Abs) => self.delimited("\\left|", args[0], "\\right|"),
            Func::Un(Un::Floor) => self.delimited("\\left\\lfloor ", args[0], "\\right\\rfloor"),
            Func::Un(Un::Ceil) => self.delimited("\\left\\lceil ", args[0], "\\right\\rceil"),
            Func::Un(Un::Exp) => {
                self.out.push_str("e^{");
                self.node(args[0], 0);
                self.out.push('}');
            }
            Func::Un(Un::Cbrt) => {
                self.out.push_str("\\sqrt[3]{");
                self.node(args[0], 0);
                self.out.push('}');
            }
            Func::Un(Un::Factorial) => {
                self.node(args[0], prec::ATOM);
                self.out.push('!');
            }
            Func::Un(op) => {
                match operator_name(op) {
                    Some(name) => self.out.push_str(name),
                    // \psi^{2}(x) would read as a polygamma.
                    None if op == Un::Digamma => self.out.push_str("\\psi"),
                    None => self.operator_name(f.name()),
                }
                self.parenthesized(args[0]);
            }
            Func::Bin(Bin::Polygamma) => {
                self.out.push_str("\\psi^{\\left(");
                self.node(args[0], 0);
                self.out.push_str("\\right)}");
                self.parenthesized(args[1]);
            }
            Func::Bin(op) if latex_infix(op).is_some() => {
                let (symbol, left, right) = latex_infix(op).unwrap_or(("", 0, 0));
                self.node(args[0], left);
                self.out.push(' ');
                self.out.push_str(symbol);
                self.out.push(' ');
                self.node(args[1], right);
            }
            Func::Min => {
                self.out.push_str("\\min");
                self.args(args);
            }
            Func::Max => {
                self.out.push_str("\\max");
                self.args(args);
            }
            Func::If => {
                self.out.push_str("\\begin{cases} ");
                self.node(args[1], 0);
                self.out.push_str(" & \\text{if } ");
                self.node(args[0], 0);
                self.out.push_str(" \\\\ ");
                self.node(args[2], 0);
                self.out.push_str(" & \\text{otherwise} \\end{cases}");
            }
            Func::Dist(_)
            | Func::StudentT
            | Func::Clamp
            | Func::Sum
            | Func::Mean
            | Func::Len
            | Func::Bin(_) => {
                self.operator_name(f.name());
                self.args(args);
            }
        }
    }

    fn operator_name(&mut self, name: &str) {
        self.out.push_str("\\operatorname{");
        self.out.push_str(&name.replace('_', "\\_"));
        self.out.push('}');
    }

    fn delimited(&mut self, open: &str, id: Id, close: &str) {
        self.out.push_str(open);
        self.node(id, 0);
        self.out.push_str(close);
    }
}

/// The LaTeX operator for a one-argument function, where LaTeX has one.
fn operator_name(op: Un) -> Option<&'static str> {
    use Un::*;
    Some(match op {
        Sin => "\\sin",
        Cos => "\\cos",
        Tan => "\\tan",
        Asin => "\\arcsin",
        Acos => "\\arccos",
        Atan => "\\arctan",
        Sinh => "\\sinh",
        Cosh => "\\cosh",
        Tanh => "\\tanh",
        Ln => "\\ln",
        Log10 => "\\log_{10}",
        Log2 => "\\log_{2}",
        Gamma => "\\Gamma",
        _ => return None,
    })
}

/// Symbol and operand precedences of an infix operator in LaTeX.
fn latex_infix(op: Bin) -> Option<(&'static str, u8, u8)> {
    Some(match op {
        Bin::Rem => ("\\bmod", prec::MUL, prec::UNARY),
        Bin::Eq => ("=", prec::ADD, prec::ADD),
        Bin::Ne => ("\\ne", prec::ADD, prec::ADD),
        Bin::Lt => ("<", prec::ADD, prec::ADD),
        Bin::Le => ("\\le", prec::ADD, prec::ADD),
        Bin::Gt => (">", prec::ADD, prec::ADD),
        Bin::Ge => ("\\ge", prec::ADD, prec::ADD),
        Bin::And => ("\\land", prec::AND, prec::CMP),
        Bin::Or => ("\\lor", prec::OR, prec::AND),
        _ => return None,
    })
}
