//! Systems of linear equations with numeric coefficients, solved exactly by
//! rational Gaussian elimination and checked by substituting the solution
//! back into every equation.

use std::fmt;

use num_traits::Zero;

use super::Symbolic;
use super::linear::{LinearOutcome, solve_rational};
use super::polynomial::{Q, number_to_q, q_expr};
use super::verify;

/// Why a system could not be solved as a linear one.
#[derive(Clone, Debug, PartialEq)]
pub enum SystemError {
    /// An equation is not linear in an unknown (`x*y`, `x^2`, `sin(x)`).
    NotLinear { equation: usize, unknown: String },
    /// A coefficient is not a number (it has another variable, or is not
    /// finite).
    NotNumeric {
        equation: usize,
        unknown: Option<String>,
    },
    /// Substituting the solution back left a residual: a bug, never a
    /// result.
    CheckFailed { equation: usize },
}

impl fmt::Display for SystemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SystemError::NotLinear { equation, unknown } => write!(
                f,
                "equation {equation} is not linear in {unknown}: only linear systems are solved exactly"
            ),
            SystemError::NotNumeric {
                equation,
                unknown: Some(u),
            } => write!(
                f,
                "equation {equation}: the coefficient of {u} is not a number (it has other variables)"
            ),
            SystemError::NotNumeric {
                equation,
                unknown: None,
            } => write!(
                f,
                "equation {equation}: the constant term is not a number (it has other variables)"
            ),
            SystemError::CheckFailed { equation } => write!(
                f,
                "the solution did not satisfy equation {equation} when substituted back"
            ),
        }
    }
}

impl std::error::Error for SystemError {}

/// Solves `equations[i] = 0` for `unknowns`; a unique solution comes as one
/// exact value per unknown, in order.
pub fn solve_linear_system(
    equations: &[Symbolic],
    unknowns: &[&str],
) -> Result<LinearOutcome<Symbolic>, SystemError> {
    let mut a = Vec::with_capacity(equations.len());
    let mut b = Vec::with_capacity(equations.len());
    for (i, eq) in equations.iter().enumerate() {
        let mut row = Vec::with_capacity(unknowns.len());
        for &u in unknowns {
            let mut d = eq.clone();
            let not_linear = || SystemError::NotLinear {
                equation: i,
                unknown: u.to_owned(),
            };
            d.differentiate(u, 1).map_err(|_| not_linear())?;
            let vars = d.variables();
            if unknowns.iter().any(|k| vars.iter().any(|v| v == k)) {
                return Err(not_linear());
            }
            row.push(coefficient(&d).ok_or(SystemError::NotNumeric {
                equation: i,
                unknown: Some(u.to_owned()),
            })?);
        }
        let mut c = eq.clone();
        for &u in unknowns {
            c = c.substitute(u, 0.0);
        }
        let c = coefficient(&c).ok_or(SystemError::NotNumeric {
            equation: i,
            unknown: None,
        })?;
        a.push(row);
        b.push(-c);
    }
    Ok(match solve_rational(a.clone(), b.clone()) {
        LinearOutcome::Unique(x) => {
            // Exactly: every row of A x - b is zero.
            for (i, row) in a.iter().enumerate() {
                let lhs = row
                    .iter()
                    .zip(&x)
                    .fold(Q::zero(), |acc, (aij, xj)| acc + aij * xj);
                if lhs != b[i] {
                    return Err(SystemError::CheckFailed { equation: i });
                }
            }
            let values: Vec<Symbolic> = x.iter().map(Symbolic::rational).collect();
            // And in the equations as written.
            for (i, eq) in equations.iter().enumerate() {
                let mut s = eq.clone();
                for (u, v) in unknowns.iter().zip(&values) {
                    s = s.substitute_expr(u, v);
                }
                if !verify::is_zero(&s) {
                    return Err(SystemError::CheckFailed { equation: i });
                }
            }
            LinearOutcome::Unique(values)
        }
        LinearOutcome::Inconsistent { rank } => LinearOutcome::Inconsistent { rank },
        LinearOutcome::Underdetermined { rank } => LinearOutcome::Underdetermined { rank },
    })
}

fn coefficient(s: &Symbolic) -> Option<Q> {
    let n = s.arena.as_num(s.root)?;
    if !n.to_f64().is_finite() {
        return None;
    }
    number_to_q(n)
}

impl Symbolic {
    /// A rational number as an expression.
    pub(crate) fn rational(v: &Q) -> Symbolic {
        let mut arena = super::arena::Arena::new();
        let root = q_expr(&mut arena, v);
        Symbolic {
            arena,
            root,
            src: String::new(),
        }
    }
}
