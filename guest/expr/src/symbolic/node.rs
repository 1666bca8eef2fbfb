//! The nodes of a symbolic expression and the functions they call.
//!
//! Subtraction, negation and division have no nodes of their own: `a - b` is
//! `a + (-1)*b` and `a / b` is `a * b^-1`, so that one rule for sums and one
//! for products cover them, the way computer algebra systems usually do.
//! `sqrt(u)` is `u^(1/2)` and `e^u` is `exp(u)` for the same reason.

use std::hash::{Hash, Hasher};
use std::mem::discriminant;

use super::number::Number;
use crate::dist::Dist;
use crate::elementary::{Bin, Un};
use crate::functions::{FUNCTIONS, Lower};

/// Index of a node in its [`Arena`](super::arena::Arena).
pub(crate) type Id = u32;

/// The named constants kept by name: `2*pi` reads better than
/// `6.283185307179586`, and `ln(e)` simplifies to `1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Constant {
    Pi,
    E,
    Tau,
}

impl Constant {
    pub fn from_name(name: &str) -> Option<Constant> {
        match name {
            "pi" => Some(Constant::Pi),
            "e" => Some(Constant::E),
            "tau" => Some(Constant::Tau),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Constant::Pi => "pi",
            Constant::E => "e",
            Constant::Tau => "tau",
        }
    }
}

/// A function of the expression language, as the symbolic layer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    /// One operand: `sin`, `ln`, `abs`, `floor`, `!` ... (never `Neg`,
    /// `Square` or `Sqrt`, which are products and powers here).
    Un(Un),
    /// Two operands: `atan2`, `hypot`, `mod`, `%`, comparisons, `&&`, `||`,
    /// `polygamma` (never the arithmetic ones, `Pow` or `Log`).
    Bin(Bin),
    /// Variadic `min` and `max`, kept in argument order: which operand wins
    /// a tie decides which derivative is taken.
    Min,
    Max,
    Clamp,
    If,
    /// A log density other than Student's t, with its own arguments.
    Dist(Dist),
    /// `student_t_lpdf(x, nu, mu, sigma)`.
    StudentT,
    Sum,
    Mean,
    Len,
}

impl Hash for Func {
    fn hash<H: Hasher>(&self, state: &mut H) {
        discriminant(self).hash(state);
        match self {
            Func::Un(op) => discriminant(op).hash(state),
            Func::Bin(op) => discriminant(op).hash(state),
            Func::Dist(d) => discriminant(d).hash(state),
            _ => {}
        }
    }
}

impl Func {
    /// The function as it is called in the expression language; operators
    /// (`!`, `%`, `<`, `&&` ...) have a name here too, for messages.
    pub fn name(self) -> &'static str {
        let lower = match self {
            Func::Un(Un::Not) => return "!",
            Func::Un(Un::Ln) => return "ln",
            Func::Bin(op) => match op.infix() {
                Some(symbol) => return symbol,
                None => Lower::Bin(op),
            },
            Func::Un(op) => Lower::Un(op),
            Func::Min => return "min",
            Func::Max => return "max",
            Func::Clamp => return "clamp",
            Func::If => return "if",
            Func::StudentT => return "student_t_lpdf",
            Func::Sum => return "sum",
            Func::Mean => return "mean",
            Func::Len => return "len",
            Func::Dist(d) => Lower::Dist(d),
        };
        FUNCTIONS
            .iter()
            .find(|f| same_lowering(f.lower, lower))
            .map_or("?", |f| f.name)
    }
}

fn same_lowering(a: Lower, b: Lower) -> bool {
    match (a, b) {
        (Lower::Un(x), Lower::Un(y)) => x == y,
        (Lower::Bin(x), Lower::Bin(y)) => x == y,
        (Lower::Dist(x), Lower::Dist(y)) => x == y,
        _ => false,
    }
}

/// Operators written between their operands, with their spelling.
pub(crate) trait Infix {
    fn infix(self) -> Option<&'static str>;
}

impl Infix for Bin {
    fn infix(self) -> Option<&'static str> {
        Some(match self {
            Bin::Rem => "%",
            Bin::Eq => "==",
            Bin::Ne => "!=",
            Bin::Lt => "<",
            Bin::Le => "<=",
            Bin::Gt => ">",
            Bin::Ge => ">=",
            Bin::And => "&&",
            Bin::Or => "||",
            _ => return None,
        })
    }
}

/// One node. Children come first in the arena, so ids grow from the leaves.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    Num(Number),
    Const(Constant),
    Var(Box<str>),
    /// Quoted text, without its quotes; it can only be compared with text.
    Text(Box<str>),
    /// At least two terms, in canonical order, at most one of them a
    /// number, no two alike apart from their coefficient.
    Add(Box<[Id]>),
    /// At least two factors, in canonical order: at most one number (first,
    /// and not 1), no two with the same base.
    Mul(Box<[Id]>),
    /// Base and exponent.
    Pow([Id; 2]),
    Call(Func, Box<[Id]>),
}
