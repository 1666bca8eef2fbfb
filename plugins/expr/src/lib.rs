//! The expression language shared by toolhost tools (`calc`, `mcmc`,
//! `bayesopt`, plotting).
//!
//! Parse once with [`Expr::parse`], bind variable names to positions with
//! [`Expr::compile`], then evaluate the resulting [`Program`] as often as
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
//!
//! Evaluation follows IEEE rules: NaN and infinities are results, not
//! errors. Parsing and compiling never panic, whatever the input.
//!
//! Transcendental functions use the `libm` crate on every target, so a
//! program gives the same bits natively and under `wasm32-wasip2`.

mod ast;
mod error;
mod expr;
mod functions;
mod lexer;
mod parser;
mod program;

pub use error::{ErrorKind, ExprError, Location};
pub use expr::Expr;
pub use functions::{CONSTANTS, builtin_functions};
pub use program::{Program, Scratch};

/// The deepest nesting of parentheses, calls, unary operators and
/// exponents accepted; deeper input is an [`ErrorKind::TooDeep`] error
/// instead of a stack overflow.
pub const MAX_DEPTH: usize = 256;

/// Parses and compiles in one step: `Expr::parse(src)?.compile(vars)`.
pub fn compile<S: AsRef<str>>(src: &str, vars: &[S]) -> Result<Program, ExprError> {
    Expr::parse(src)?.compile(vars)
}
