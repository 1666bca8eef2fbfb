//! The elementary operations the built-in functions lower to, one and two
//! operands, each with its value and its derivative.
//!
//! Transcendental functions come from the `libm` crate on every target, so a
//! program gives bit-identical results natively and in a wasm plugin.

use std::f64::consts::{FRAC_2_SQRT_PI, LN_2, LN_10};

use crate::polygamma::polygamma;
use crate::special::digamma;

/// Nonzero (including NaN) is true.
#[inline]
pub(crate) fn truthy(x: f64) -> bool {
    x != 0.0
}

#[inline]
fn bool_val(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// One-operand operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Un {
    Neg,
    Not,
    Square,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Exp,
    Expm1,
    Ln,
    Log10,
    Log2,
    Log1p,
    Sqrt,
    Cbrt,
    Abs,
    Sign,
    Floor,
    Ceil,
    Round,
    Trunc,
    Erf,
    Erfc,
    Gamma,
    Lgamma,
    Factorial,
    Digamma,
}

impl Un {
    #[inline(always)]
    pub fn eval(self, x: f64) -> f64 {
        use Un::*;
        match self {
            Neg => -x,
            Not => bool_val(!truthy(x)),
            Square => x * x,
            Sin => libm::sin(x),
            Cos => libm::cos(x),
            Tan => libm::tan(x),
            Asin => libm::asin(x),
            Acos => libm::acos(x),
            Atan => libm::atan(x),
            Sinh => libm::sinh(x),
            Cosh => libm::cosh(x),
            Tanh => libm::tanh(x),
            Asinh => libm::asinh(x),
            Acosh => libm::acosh(x),
            Atanh => libm::atanh(x),
            Exp => libm::exp(x),
            Expm1 => libm::expm1(x),
            Ln => libm::log(x),
            Log10 => libm::log10(x),
            Log2 => libm::log2(x),
            Log1p => libm::log1p(x),
            Sqrt => x.sqrt(),
            Cbrt => libm::cbrt(x),
            Abs => x.abs(),
            // Unlike f64::signum, sign(±0) is ±0.
            Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    x
                }
            }
            Floor => x.floor(),
            Ceil => x.ceil(),
            Round => x.round(),
            Trunc => x.trunc(),
            Erf => libm::erf(x),
            Erfc => libm::erfc(x),
            Gamma => libm::tgamma(x),
            Lgamma => libm::lgamma(x),
            Factorial => libm::tgamma(x + 1.0),
            Digamma => digamma(x),
        }
    }

    /// d eval(x) / dx, given `y = eval(x)` to save recomputing it.
    #[inline]
    pub fn deriv(self, x: f64, y: f64) -> f64 {
        use Un::*;
        match self {
            Neg => -1.0,
            Not | Sign | Floor | Ceil | Round | Trunc => 0.0,
            Square => 2.0 * x,
            Sin => libm::cos(x),
            Cos => -libm::sin(x),
            Tan => 1.0 + y * y,
            Asin => 1.0 / (1.0 - x * x).sqrt(),
            Acos => -1.0 / (1.0 - x * x).sqrt(),
            Atan => 1.0 / (1.0 + x * x),
            Sinh => libm::cosh(x),
            Cosh => libm::sinh(x),
            Tanh => 1.0 - y * y,
            Asinh => 1.0 / (x * x + 1.0).sqrt(),
            Acosh => 1.0 / (x * x - 1.0).sqrt(),
            Atanh => 1.0 / (1.0 - x * x),
            Exp => y,
            Expm1 => y + 1.0,
            Ln => 1.0 / x,
            Log10 => 1.0 / (x * LN_10),
            Log2 => 1.0 / (x * LN_2),
            Log1p => 1.0 / (1.0 + x),
            Sqrt => 0.5 / y,
            Cbrt => 1.0 / (3.0 * y * y),
            // abs'(0) = 0 by convention.
            Abs => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    x * 0.0
                }
            }
            Erf => FRAC_2_SQRT_PI * libm::exp(-x * x),
            Erfc => -FRAC_2_SQRT_PI * libm::exp(-x * x),
            Gamma => y * digamma(x),
            Lgamma => digamma(x),
            Factorial => y * digamma(x + 1.0),
            Digamma => polygamma(1.0, x),
        }
    }

    /// False for operations that are piecewise constant (their gradient is
    /// zero wherever it exists, which misleads gradient-based tools).
    pub fn is_smooth(self) -> bool {
        !matches!(
            self,
            Un::Not | Un::Sign | Un::Floor | Un::Ceil | Un::Round | Un::Trunc
        )
    }

    /// True for continuous operations with a corner: the gradient exists
    /// almost everywhere but jumps there.
    pub fn is_kinked(self) -> bool {
        matches!(self, Un::Abs)
    }
}

/// Two-operand operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    /// Truncated remainder, like Rust's `%`.
    Rem,
    /// Floored remainder: the result has the sign of the divisor.
    Mod,
    Pow,
    /// `log(x, base)`; exact for bases 2 and 10.
    Log,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    /// `atan2(y, x)`: the first operand is y.
    Atan2,
    Hypot,
    Min,
    Max,
    /// `polygamma(n, x)`: the order n comes first.
    Polygamma,
}

impl Bin {
    /// The operation a binary operator of the language stands for.
    pub(crate) fn of(op: crate::ast::BinaryOp) -> Self {
        use crate::ast::BinaryOp as B;
        match op {
            B::Or => Bin::Or,
            B::And => Bin::And,
            B::Eq => Bin::Eq,
            B::Ne => Bin::Ne,
            B::Lt => Bin::Lt,
            B::Le => Bin::Le,
            B::Gt => Bin::Gt,
            B::Ge => Bin::Ge,
            B::Add => Bin::Add,
            B::Sub => Bin::Sub,
            B::Mul => Bin::Mul,
            B::Div => Bin::Div,
            B::Rem => Bin::Rem,
            B::Pow => Bin::Pow,
        }
    }

    #[inline(always)]
    pub fn eval(self, a: f64, b: f64) -> f64 {
        use Bin::*;
        match self {
            Add => a + b,
            Sub => a - b,
            Mul => a * b,
            Div => a / b,
            Rem => a % b,
            Mod => {
                let r = a % b;
                if r != 0.0 && (r < 0.0) != (b < 0.0) {
                    r + b
                } else {
                    r
                }
            }
            Pow => libm::pow(a, b),
            // Plain ln(a)/ln(b) would give log(1000, 10) = 2.9999999999999996.
            Log => {
                if b == 2.0 {
                    libm::log2(a)
                } else if b == 10.0 {
                    libm::log10(a)
                } else {
                    libm::log(a) / libm::log(b)
                }
            }
            Eq => bool_val(a == b),
            Ne => bool_val(a != b),
            Lt => bool_val(a < b),
            Le => bool_val(a <= b),
            Gt => bool_val(a > b),
            Ge => bool_val(a >= b),
            And => bool_val(truthy(a) && truthy(b)),
            Or => bool_val(truthy(a) || truthy(b)),
            Atan2 => libm::atan2(a, b),
            Hypot => libm::hypot(a, b),
            // min and max propagate NaN rather than hide it as f64::min does.
            Min => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else if b < a {
                    b
                } else {
                    a
                }
            }
            Max => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else if b > a {
                    b
                } else {
                    a
                }
            }
            Polygamma => polygamma(a, b),
        }
    }

    /// (d/da, d/db) of eval(a, b), given `y = eval(a, b)`.
    #[inline]
    pub fn partials(self, a: f64, b: f64, y: f64) -> (f64, f64) {
        use Bin::*;
        match self {
            Add => (1.0, 1.0),
            Sub => (1.0, -1.0),
            Mul => (b, a),
            Div => (1.0 / b, -y / b),
            Rem => (1.0, -(a / b).trunc()),
            Mod => (1.0, -(a / b).floor()),
            Pow => (pow_da(a, b), pow_db(a, y)),
            Log => {
                let ln_b = libm::log(b);
                (1.0 / (a * ln_b), -y / (b * ln_b))
            }
            Eq | Ne | Lt | Le | Gt | Ge | And | Or => (0.0, 0.0),
            Atan2 => {
                let r2 = a * a + b * b;
                if r2 == 0.0 {
                    (0.0, 0.0)
                } else {
                    (b / r2, -a / r2)
                }
            }
            Hypot => {
                if y == 0.0 {
                    (0.0, 0.0)
                } else {
                    (a / y, b / y)
                }
            }
            // Ties go to the first operand, matching eval.
            Min => {
                if b < a {
                    (0.0, 1.0)
                } else {
                    (1.0, 0.0)
                }
            }
            Max => {
                if b > a {
                    (0.0, 1.0)
                } else {
                    (1.0, 0.0)
                }
            }
            // The order is a whole number: no derivative in it.
            Polygamma => (0.0, polygamma(a + 1.0, b)),
        }
    }

    pub fn is_smooth(self) -> bool {
        !matches!(
            self,
            Bin::Rem
                | Bin::Mod
                | Bin::Eq
                | Bin::Ne
                | Bin::Lt
                | Bin::Le
                | Bin::Gt
                | Bin::Ge
                | Bin::And
                | Bin::Or
        )
    }

    /// See [`Un::is_kinked`].
    pub fn is_kinked(self) -> bool {
        matches!(self, Bin::Min | Bin::Max)
    }
}

/// d(a^b)/da. The b == 0 case avoids 0 * inf at a == 0 for a constant 1.
#[inline]
pub(crate) fn pow_da(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        b * libm::pow(a, b - 1.0)
    }
}

/// d(a^b)/db given y = a^b; zero where y is zero (the limit as a -> 0+).
#[inline]
pub(crate) fn pow_db(a: f64, y: f64) -> f64 {
    if y == 0.0 { 0.0 } else { y * libm::log(a) }
}
