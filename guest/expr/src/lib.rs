//! The expression language shared by toolhost tools (`calc`, `mcmc`,
//! `bayesopt`, plotting).
//!
//! Parse once with [`Expr::parse`], bind variable names to positions with
//! [`Expr::compile`] (or [`Expr::compile_with_data`] to bind data too), then
//! evaluate the resulting [`Program`] as often as
//! needed, optionally with its exact gradient:
//!
//! ```
//! use toolhost_expr::Expr;
//!
//! let program = Expr::parse("sin(x) * exp(-y^2 / 2)")?.compile(&["x", "y"])?;
//! let mut scratch = program.scratch();
//! let mut grad = [0.0; 2];
//! let value = program.eval_grad(&[0.5, 1.0], &mut grad, &mut scratch);
//! assert_eq!(value, program.eval_with(&[0.5, 1.0], &mut scratch));
//! assert!((grad[0] - 0.5f64.cos() * (-0.5f64).exp()).abs() < 1e-15);
//! # Ok::<(), toolhost_expr::ExprError>(())
//! ```
//!
//! # Language
//!
//! * Numbers `2`, `2.5`, `.5`, `1e-3`, `6.02E23`; every value is an `f64`.
//! * Variables `[A-Za-z_][A-Za-z0-9_]*`; constants `pi`, `e`, `tau`, `inf`,
//!   `nan`.
//! * Operators, lowest precedence first: `||`; `&&`; `== != < <= > >=`
//!   (non-associative); `+ -`; `* / %`; unary `- + !`; `^` (also `**`,
//!   right-associative, tighter than unary minus: `-2^2 == -4`).
//! * Booleans are 1 and 0; `&&`, `||`, `!` and `if` treat any nonzero value,
//!   NaN included, as true. `%` truncates like Rust's; `mod` floors.
//! * Functions: see [`builtin_functions`]. `min`/`max` are variadic and
//!   propagate NaN; `clamp(x, lo, hi)` is `min(max(x, lo), hi)`.
//! * Log densities, each with exact partial derivatives in its continuous
//!   arguments: `normal_lpdf(x, mu, sigma)`,
//!   `student_t_lpdf(x, nu, mu, sigma)`, `cauchy_lpdf(x, mu, sigma)`,
//!   `exponential_lpdf(x, rate)`, `gamma_lpdf(x, shape, rate)`,
//!   `beta_lpdf(x, a, b)`, `lognormal_lpdf(x, mu, sigma)`,
//!   `uniform_lpdf(x, lo, hi)`, `binomial_lpmf(k, n, p)`,
//!   `poisson_lpmf(k, lambda)`, `bernoulli_lpmf(k, p)`. Outside the support
//!   (a negative `x` for the exponential, a non-integer `k`) they are `-inf`
//!   with zero gradient; with an invalid parameter (`sigma <= 0`, `p`
//!   outside `[0, 1]`) they are NaN. Counts (`k`, and `n` of the binomial)
//!   must not depend on the variables for the program to count as smooth.
//!
//! # Data and reductions
//!
//! [`Expr::compile_with_data`] binds names to constant numbers and arrays
//! ([`Data`]). An array may appear only inside a reduction:
//!
//! * `sum(e)` adds `e` over the elements, `mean(e)` averages it and `len(e)`
//!   counts the elements. Inside, operators and functions apply element by
//!   element: `sum((y - mu)^2)`, `sum(normal_lpdf(y, mu, sigma))`,
//!   `sum(binomial_lpmf(k, n, p))` for arrays `y`, `k`, `n`.
//! * Numbers, variables included, are repeated for every element. Arrays in
//!   the same reduction must have equal lengths
//!   ([`ErrorKind::LengthMismatch`]); an array outside any reduction is an
//!   [`ErrorKind::ArrayNotReduced`] error pointing at it.
//! * A reduction is a number, so reductions nest: `sum((y - mean(y))^2)`.
//!   A reduction over an expression without arrays has one element: `sum(x)`
//!   is `x` and `len(x)` is 1.
//!
//! Parts of a reduction that involve no array (`ln(sigma)`, `2 * mu`) are
//! computed once per evaluation, not once per element, and reductions over
//! data alone are folded to constants when compiling. The gradient of a
//! reduction is accumulated element by element, so its memory does not grow
//! with the number of elements.
//!
//! # Text
//!
//! Quoted text, `"Paris"` or `'Paris'` (no escapes: write text holding one
//! kind of quote between the other), is accepted by
//! [`Expr::compile_with_text`], which also says which variables hold text.
//! Text can only be compared with text (`city == "Paris"`,
//! `day >= '2024-01-01'`); the caller stands each string for a number that
//! keeps their order (see [`Text`]). Elsewhere a literal is an
//! [`ErrorKind::TextMisuse`] error.
//!
//! # Symbolic math
//!
//! [`Symbolic`] simplifies an expression, differentiates it exactly to any
//! order and writes the result back as an expression of this language (to
//! compile like any other) or as LaTeX.
//!
//! Evaluation follows IEEE rules: NaN and infinities are results, not
//! errors. Parsing and compiling never panic, whatever the input.
//!
//! Transcendental functions use the `libm` crate on every target, so a
//! program gives the same bits natively and under `wasm32-wasip2`.

mod ast;
mod compile;
mod data;
mod dist;
mod elementary;
mod error;
mod expr;
mod functions;
mod lexer;
mod parser;
mod polygamma;
mod program;
mod shape;
mod special;
mod symbolic;
mod text;

pub use data::Data;
pub use error::{ErrorKind, ExprError, Location};
pub use expr::Expr;
pub use functions::{CONSTANTS, builtin_functions};
pub use program::{Program, Scratch};
pub use symbolic::{
    Antiderivative, LinearOutcome, Root, Symbolic, SystemError, Verification, solve_linear_system,
};
pub use text::Text;

/// The deepest nesting of parentheses, calls, unary operators and
/// exponents accepted; deeper input is an [`ErrorKind::TooDeep`] error
/// instead of a stack overflow.
pub const MAX_DEPTH: usize = 256;

/// Parses and compiles in one step: `Expr::parse(src)?.compile(vars)`.
pub fn compile<S: AsRef<str>>(src: &str, vars: &[S]) -> Result<Program, ExprError> {
    Expr::parse(src)?.compile(vars)
}

/// Parses and compiles with data in one step:
/// `Expr::parse(src)?.compile_with_data(vars, data)`.
pub fn compile_with_data<S: AsRef<str>>(
    src: &str,
    vars: &[S],
    data: &Data,
) -> Result<Program, ExprError> {
    Expr::parse(src)?.compile_with_data(vars, data)
}
