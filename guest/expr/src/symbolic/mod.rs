//! Symbolic math on expressions: simplification, exact derivatives of any
//! order, and printing back as an expression or as LaTeX.
//!
//! ```
//! use toolhost_expr::Symbolic;
//!
//! let mut f = Symbolic::parse("sin(x)*x^2")?;
//! f.differentiate("x", 1)?;
//! assert_eq!(f.to_string(), "x^2*cos(x) + 2*x*sin(x)");
//! assert_eq!(f.latex(), r"x^{2} \cos\left(x\right) + 2 x \sin\left(x\right)");
//!
//! // The result is an expression of the language: compile and evaluate it.
//! let program = f.to_expr()?.compile(&["x"])?;
//! let x: f64 = 1.5;
//! let want = x * x * x.cos() + 2.0 * x * x.sin();
//! assert!((program.eval(&[x]) - want).abs() < 1e-14);
//! # Ok::<(), toolhost_expr::ExprError>(())
//! ```

mod arena;
mod convert;
mod diff;
mod display;
mod integrate;
mod latex;
mod linear;
mod node;
mod number;
mod order;
mod partial_fractions;
mod polynomial;
mod print;
mod rules;
mod simplify;
mod solve;
mod special_values;
mod system;
mod verify;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use arena::Arena;
use diff::{Differentiator, rebuild, substitute};
use integrate::Integrator;
use node::{Id, Node};
use number::Number;

use crate::error::{ErrorKind, ExprError};
use crate::expr::Expr;
use crate::functions;

pub use linear::LinearOutcome;
pub use solve::Root;
pub use system::{SystemError, solve_linear_system};
pub use verify::Verification;

/// An antiderivative found by [`Symbolic::integrate`], with how it was
/// checked.
#[derive(Clone, Debug)]
pub struct Antiderivative {
    pub antiderivative: Symbolic,
    pub verification: Verification,
}

/// An expression in symbolic form, always simplified.
///
/// Simplification folds numbers (exactly for rationals: `1/3 + 1/6` is
/// `1/2`), collects like terms and powers (`2*x + 3*x` is `5*x`, `x*x` is
/// `x^2`, `x/x` is `1`), applies identities such as `x + 0`, `x*1`, `x*0`,
/// `x^0`, `ln(exp(x))` and `-(-x)`, multiplies out products of sums (but
/// not powers of sums: see [`expand`](Self::expand)), and puts operands in
/// a canonical order, so equal expressions written differently print the
/// same. It treats expressions as real functions where they are defined:
/// `x/x` is `1` even though it is NaN at `x = 0`; rules that would change a
/// finite value (`sqrt(x^2) = x`) are never applied. Integers and their
/// ratios stay exact; a decimal such as `0.1` stays the `f64` it reads as.
///
/// Printing takes common factors other than powers of variables out of
/// sums: `x^x*(ln(x) + 1)`, `(mu - x)/sigma^2`, while polynomials keep
/// their usual form, `3*x^2 + 2*x`.
///
/// Every function of the language can be differentiated: `abs` gives
/// `sign`, `min`, `max`, `clamp` and `if` give an `if` choosing the
/// derivative of the operand that is taken, `gamma` and `lgamma` give
/// `digamma`, and the log densities give their partial derivatives on their
/// support. Step functions (`floor`, `round`, `sign`, comparisons, `%` ...)
/// have no derivative: differentiating one that depends on the variable is
/// an [`ErrorKind::NotSmooth`] error pointing at it.
#[derive(Clone)]
pub struct Symbolic {
    arena: Arena,
    root: Id,
    /// The text parsed, for error locations.
    src: String,
}

impl Symbolic {
    /// The most nodes a result may have when written out as a tree (a
    /// shared subexpression counted at each use): about a megabyte of text.
    /// A larger result is an [`ErrorKind::TooLong`] error.
    pub const MAX_WRITTEN_NODES: u64 = 100_000;

    /// The symbolic form of a parsed expression, simplified.
    pub fn new(expr: &Expr) -> Result<Symbolic, ExprError> {
        let mut arena = Arena::new();
        let root = convert::convert(&mut arena, expr, true)?;
        let s = Symbolic {
            arena,
            root,
            src: expr.source().to_owned(),
        };
        s.check_size()?;
        Ok(s)
    }

    /// Parses and simplifies `src`.
    pub fn parse(src: &str) -> Result<Symbolic, ExprError> {
        Symbolic::new(&Expr::parse(src)?)
    }

    /// Replaces the expression by its `order`-th derivative with respect to
    /// `var`, simplified. Mixed partials are successive calls:
    /// `f.differentiate("x", 2)?.differentiate("y", 1)?` is d³f/dx²dy.
    ///
    /// Errors: `var` is not a name ([`ErrorKind::InvalidVariableName`]) or
    /// is a constant such as `pi` ([`ErrorKind::ReservedName`]); a function
    /// without a derivative depends on `var` ([`ErrorKind::NotSmooth`], at
    /// the function); the result grows too large ([`ErrorKind::TooLong`]).
    pub fn differentiate(&mut self, var: &str, order: u32) -> Result<&mut Self, ExprError> {
        check_variable(var)?;
        for _ in 0..order {
            if self.arena.is_zero(self.root) {
                break;
            }
            let mut d = Differentiator::new(&mut self.arena, var, &self.src);
            self.root = d.diff(self.root)?;
            self.compact();
            self.check_size()?;
        }
        Ok(self)
    }

    /// An antiderivative with respect to `var` (without the constant), by
    /// linearity, partial fractions, a table of standard forms,
    /// substitution, trigonometric identities and integration by parts.
    ///
    /// Every result is checked before it is returned: its derivative must
    /// simplify to the integrand, or agree with it numerically at many
    /// points where both are defined. `Ok(None)` means no antiderivative was
    /// found (or none passed the check), which is also the answer for
    /// integrands without an elementary one such as `exp(x)/x`.
    ///
    /// Errors: `var` is not a variable name; the search grew too large.
    pub fn integrate(&self, var: &str) -> Result<Option<Antiderivative>, ExprError> {
        check_variable(var)?;
        let mut arena = self.arena.clone();
        let Some(root) = Integrator::new(&mut arena).integrate(self.root, var) else {
            return Ok(None);
        };
        let Some(verification) = verify::derivative_matches(&mut arena, root, self.root, var)
        else {
            return Ok(None);
        };
        let mut s = Symbolic {
            arena,
            root,
            src: self.src.clone(),
        };
        s.compact();
        s.check_size()?;
        Ok(Some(Antiderivative {
            antiderivative: s,
            verification,
        }))
    }

    /// The expression with `var` replaced by the number `value` (exact when
    /// `value` is a whole number), simplified: `F(b) - F(a)` stays exact.
    pub fn substitute(&self, var: &str, value: f64) -> Symbolic {
        let mut arena = self.arena.clone();
        let v = arena.num(Number::float(value));
        let root = substitute(&mut arena, self.root, &HashMap::from([(var, v)]));
        let mut s = Symbolic {
            arena,
            root,
            src: self.src.clone(),
        };
        s.compact();
        s
    }

    /// The expression with `var` replaced by `value`, simplified.
    pub fn substitute_expr(&self, var: &str, value: &Symbolic) -> Symbolic {
        let mut arena = self.arena.clone();
        let (v_arena, v_root) = value.arena.compact(value.root);
        let v = import(&mut arena, &v_arena, v_root);
        let root = substitute(&mut arena, self.root, &HashMap::from([(var, v)]));
        let mut s = Symbolic {
            arena,
            root,
            src: self.src.clone(),
        };
        s.compact();
        s
    }

    /// `self - other`, simplified.
    pub fn minus(&self, other: &Symbolic) -> Symbolic {
        let (mut arena, root) = self.arena.compact(self.root);
        let (b_arena, b_root) = other.arena.compact(other.root);
        let b = import(&mut arena, &b_arena, b_root);
        let nb = arena.neg(b);
        let root = arena.add(&[root, nb]);
        Symbolic {
            arena,
            root,
            src: self.src.clone(),
        }
    }

    /// Multiplies out integer powers of sums as well as products
    /// (`(x + 1)^2` becomes `x^2 + 2*x + 1`), within the same bound on
    /// terms that applies to products.
    pub fn expand(&mut self) -> Result<&mut Self, ExprError> {
        let mut memo = HashMap::new();
        self.root = rebuild(&mut self.arena, self.root, &mut memo, &mut expand_power);
        if self.arena.is_full() {
            return Err(diff::too_large());
        }
        self.compact();
        self.check_size()?;
        Ok(self)
    }

    /// The free variables, sorted.
    pub fn variables(&self) -> Vec<String> {
        self.arena.variables(self.root)
    }

    /// LaTeX math, without `$` delimiters.
    pub fn latex(&self) -> String {
        let (arena, shown) = self.display();
        latex::latex(&arena, shown)
    }

    /// The expression parsed back from its text, ready to compile.
    pub fn to_expr(&self) -> Result<Expr, ExprError> {
        Expr::parse(&self.to_string())
    }

    /// The value, if the expression is a number.
    pub fn as_number(&self) -> Option<f64> {
        self.arena.as_num(self.root).map(Number::to_f64)
    }

    /// The printed form, in a scratch arena.
    fn display(&self) -> (Arena, Id) {
        let (mut arena, root) = self.arena.compact(self.root);
        let shown = arena.display(root);
        (arena, shown)
    }

    fn compact(&mut self) {
        let (arena, root) = self.arena.compact(self.root);
        self.arena = arena;
        self.root = root;
    }

    fn check_size(&self) -> Result<(), ExprError> {
        let size = self.arena.tree_size(self.root);
        if size > Self::MAX_WRITTEN_NODES {
            return Err(ExprError::unlocated(
                ErrorKind::TooLong,
                format!(
                    "the result has {size} nodes written out, more than the \
                     {} allowed; ask for a lower order or a \
                     simpler expression",
                    Self::MAX_WRITTEN_NODES
                ),
            ));
        }
        Ok(())
    }
}

/// The expression language's text, with minimal parentheses.
impl fmt::Display for Symbolic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (arena, shown) = self.display();
        f.write_str(&print::text(&arena, shown))
    }
}

impl fmt::Debug for Symbolic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Symbolic({self})")
    }
}

/// Copies `root` of `from` into `into`, through the simplifying constructors.
fn import(into: &mut Arena, from: &Arena, root: Id) -> Id {
    let mut map: HashMap<Id, Id> = HashMap::new();
    let mut stack = vec![(root, false)];
    while let Some((id, ready)) = stack.pop() {
        if map.contains_key(&id) {
            continue;
        }
        if !ready {
            stack.push((id, true));
            stack.extend(from.children(id).iter().map(|&c| (c, false)));
            continue;
        }
        let kids: Vec<Id> = from.children(id).iter().map(|c| map[c]).collect();
        let new = match from.node(id) {
            Node::Add(_) => into.add(&kids),
            Node::Mul(_) => into.mul(&kids),
            Node::Pow(_) => into.pow(kids[0], kids[1]),
            Node::Call(f, _) => into.call(*f, &kids),
            Node::Var(name) => into.var(name),
            leaf => into.intern(leaf.clone()),
        };
        map.insert(id, new);
    }
    map[&root]
}

/// `(a + b)^n` multiplied out for a whole `n`; a negative `n` expands the
/// denominator.
pub(crate) fn expand_power(arena: &mut Arena, node: &Node) -> Option<Id> {
    let Node::Pow([base, exp]) = node else {
        return None;
    };
    let n = arena.as_num(*exp)?.as_int()?;
    // Beyond this many factors the product could not be multiplied out
    // within the bound on terms anyway.
    if n.unsigned_abs() > simplify::MAX_DISTRIBUTED_TERMS as u64 {
        return None;
    }
    let mut memo = HashMap::new();
    let base = rebuild(arena, *base, &mut memo, &mut expand_power);
    if !matches!(arena.node(base), Node::Add(_)) {
        let e = arena.int(n);
        return Some(arena.pow(base, e));
    }
    let mut product = base;
    for _ in 1..n.unsigned_abs() {
        match multiply_out(arena, product, base) {
            Some(p) => product = p,
            // Too many terms: the power stays a power.
            None => {
                let e = arena.int(n);
                return Some(arena.pow(base, e));
            }
        }
    }
    Some(if n < 0 { arena.recip(product) } else { product })
}

/// The product of two sums, term by term (`mul` would make `s*s` into `s^2`), if it has at
/// most [`simplify::MAX_DISTRIBUTED_TERMS`] terms.
fn multiply_out(arena: &mut Arena, a: Id, b: Id) -> Option<Id> {
    let terms = |arena: &Arena, id: Id| match arena.node(id) {
        Node::Add(ts) => ts.to_vec(),
        _ => vec![id],
    };
    let (ta, tb) = (terms(arena, a), terms(arena, b));
    if ta.len() * tb.len() > simplify::MAX_DISTRIBUTED_TERMS || arena.is_full() {
        return None;
    }
    let mut products = Vec::with_capacity(ta.len() * tb.len());
    for &x in &ta {
        for &y in &tb {
            products.push(arena.mul(&[x, y]));
        }
    }
    Some(arena.add(&products))
}

fn check_variable(var: &str) -> Result<(), ExprError> {
    if functions::constant(var).is_some() {
        return Err(ExprError::unlocated(
            ErrorKind::ReservedName,
            format!("'{var}' is a constant, not a variable to differentiate by"),
        ));
    }
    let mut bytes = var.bytes();
    let valid = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return Err(ExprError::unlocated(
            ErrorKind::InvalidVariableName,
            format!(
                "'{var}' is not a variable name (letters, digits and '_', not starting with a digit)"
            ),
        ));
    }
    Ok(())
}
