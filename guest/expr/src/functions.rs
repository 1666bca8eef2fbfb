//! The built-in functions and the elementary operations they lower to,
//! each with its value and its derivative.
//!
//! Transcendental functions come from the `libm` crate on every target, so a
//! program gives bit-identical results natively and in a wasm plugin.

use std::f64::consts::{FRAC_2_SQRT_PI, LN_2, LN_10, PI};

use crate::dist::Dist;
use crate::polygamma::polygamma;
use crate::special::digamma;

/// The named constants; binding a variable with one of these names is an
/// error.
pub const CONSTANTS: &[(&str, f64)] = &[
    ("pi", PI),
    ("e", std::f64::consts::E),
    ("tau", std::f64::consts::TAU),
    ("inf", f64::INFINITY),
    ("nan", f64::NAN),
];

pub(crate) fn constant(name: &str) -> Option<f64> {
    CONSTANTS.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
}

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

/// Accepted argument counts.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arity {
    Exact(usize),
    Between(usize, usize),
    AtLeast(usize),
}

impl Arity {
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exact(k) => n == k,
            Arity::Between(lo, hi) => (lo..=hi).contains(&n),
            Arity::AtLeast(k) => n >= k,
        }
    }

    pub fn describe(self) -> String {
        let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
        match self {
            Arity::Exact(k) => format!("{k} {}", plural(k)),
            Arity::Between(lo, hi) => format!("{lo} or {hi} {}", plural(hi)),
            Arity::AtLeast(k) => format!("at least {k} {}", plural(k)),
        }
    }
}

/// How a call is turned into elementary operations.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Lower {
    Un(Un),
    Bin(Bin),
    /// `log(x)` is ln; `log(x, b)` is ln(x)/ln(b).
    Log,
    /// Variadic, folded left: `min(a, b, c) = min(min(a, b), c)`.
    Fold(Bin),
    /// `clamp(x, lo, hi) = min(max(x, lo), hi)`.
    Clamp,
    If,
    /// A fused log density with as many operands as arguments.
    Dist(Dist),
    /// `student_t_lpdf(x, nu, mu, sigma)`: standardised on the tape, then
    /// [`Dist::StudentT`].
    StudentT,
    /// Reductions over the elements of data arrays.
    Sum,
    Mean,
    Len,
}

impl Lower {
    /// True for the functions that reduce an array to a number.
    pub fn is_reduction(self) -> bool {
        matches!(self, Lower::Sum | Lower::Mean | Lower::Len)
    }
}

#[derive(Debug)]
pub(crate) struct Function {
    pub name: &'static str,
    pub signature: &'static str,
    pub arity: Arity,
    pub lower: Lower,
}

const fn f1(name: &'static str, signature: &'static str, op: Un) -> Function {
    Function {
        name,
        signature,
        arity: Arity::Exact(1),
        lower: Lower::Un(op),
    }
}

const fn f2(name: &'static str, signature: &'static str, op: Bin) -> Function {
    Function {
        name,
        signature,
        arity: Arity::Exact(2),
        lower: Lower::Bin(op),
    }
}

const fn dist(name: &'static str, signature: &'static str, d: Dist) -> Function {
    Function {
        name,
        signature,
        arity: Arity::Exact(d.arity()),
        lower: Lower::Dist(d),
    }
}

const fn reduction(name: &'static str, signature: &'static str, lower: Lower) -> Function {
    Function {
        name,
        signature,
        arity: Arity::Exact(1),
        lower,
    }
}

pub(crate) static FUNCTIONS: &[Function] = &[
    f1("sin", "sin(x)", Un::Sin),
    f1("cos", "cos(x)", Un::Cos),
    f1("tan", "tan(x)", Un::Tan),
    f1("asin", "asin(x)", Un::Asin),
    f1("acos", "acos(x)", Un::Acos),
    f1("atan", "atan(x)", Un::Atan),
    f2("atan2", "atan2(y, x)", Bin::Atan2),
    f1("sinh", "sinh(x)", Un::Sinh),
    f1("cosh", "cosh(x)", Un::Cosh),
    f1("tanh", "tanh(x)", Un::Tanh),
    f1("asinh", "asinh(x)", Un::Asinh),
    f1("acosh", "acosh(x)", Un::Acosh),
    f1("atanh", "atanh(x)", Un::Atanh),
    f1("exp", "exp(x)", Un::Exp),
    f1("expm1", "expm1(x)", Un::Expm1),
    f1("ln", "ln(x)", Un::Ln),
    Function {
        name: "log",
        signature: "log(x) = ln(x), log(x, base)",
        arity: Arity::Between(1, 2),
        lower: Lower::Log,
    },
    f1("log10", "log10(x)", Un::Log10),
    f1("log2", "log2(x)", Un::Log2),
    f1("log1p", "log1p(x)", Un::Log1p),
    f1("sqrt", "sqrt(x)", Un::Sqrt),
    f1("cbrt", "cbrt(x)", Un::Cbrt),
    f1("abs", "abs(x)", Un::Abs),
    f1("sign", "sign(x)", Un::Sign),
    f1("floor", "floor(x)", Un::Floor),
    f1("ceil", "ceil(x)", Un::Ceil),
    f1("round", "round(x) (half away from zero)", Un::Round),
    f1("trunc", "trunc(x)", Un::Trunc),
    Function {
        name: "min",
        signature: "min(a, ...)",
        arity: Arity::AtLeast(1),
        lower: Lower::Fold(Bin::Min),
    },
    Function {
        name: "max",
        signature: "max(a, ...)",
        arity: Arity::AtLeast(1),
        lower: Lower::Fold(Bin::Max),
    },
    f2("pow", "pow(x, y)", Bin::Pow),
    f2("hypot", "hypot(x, y)", Bin::Hypot),
    f1("erf", "erf(x)", Un::Erf),
    f1("erfc", "erfc(x)", Un::Erfc),
    f1("gamma", "gamma(x)", Un::Gamma),
    f1("lgamma", "lgamma(x) = ln|gamma(x)|", Un::Lgamma),
    f1("factorial", "factorial(n) = gamma(n+1)", Un::Factorial),
    f1("digamma", "digamma(x) = gamma'(x)/gamma(x)", Un::Digamma),
    f2(
        "polygamma",
        "polygamma(n, x): the n-th derivative of digamma",
        Bin::Polygamma,
    ),
    Function {
        name: "clamp",
        signature: "clamp(x, lo, hi)",
        arity: Arity::Exact(3),
        lower: Lower::Clamp,
    },
    Function {
        name: "if",
        signature: "if(cond, then, else)",
        arity: Arity::Exact(3),
        lower: Lower::If,
    },
    f2("mod", "mod(a, b) (floored)", Bin::Mod),
    reduction(
        "sum",
        "sum(xs): the sum over the elements of data arrays",
        Lower::Sum,
    ),
    reduction(
        "mean",
        "mean(xs): the mean over the elements of data arrays",
        Lower::Mean,
    ),
    reduction(
        "len",
        "len(xs): the number of elements of data arrays",
        Lower::Len,
    ),
    dist("normal_lpdf", "normal_lpdf(x, mu, sigma)", Dist::Normal),
    Function {
        name: "student_t_lpdf",
        signature: "student_t_lpdf(x, nu, mu, sigma)",
        arity: Arity::Exact(4),
        lower: Lower::StudentT,
    },
    dist("cauchy_lpdf", "cauchy_lpdf(x, mu, sigma)", Dist::Cauchy),
    dist(
        "exponential_lpdf",
        "exponential_lpdf(x, rate)",
        Dist::Exponential,
    ),
    dist("gamma_lpdf", "gamma_lpdf(x, shape, rate)", Dist::Gamma),
    dist("beta_lpdf", "beta_lpdf(x, a, b)", Dist::Beta),
    dist(
        "lognormal_lpdf",
        "lognormal_lpdf(x, mu, sigma)",
        Dist::Lognormal,
    ),
    dist("uniform_lpdf", "uniform_lpdf(x, lo, hi)", Dist::Uniform),
    dist("binomial_lpmf", "binomial_lpmf(k, n, p)", Dist::Binomial),
    dist("poisson_lpmf", "poisson_lpmf(k, lambda)", Dist::Poisson),
    dist("bernoulli_lpmf", "bernoulli_lpmf(k, p)", Dist::Bernoulli),
];

pub(crate) fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The built-in functions as `(name, signature)` pairs, for help texts.
pub fn builtin_functions() -> impl ExactSizeIterator<Item = (&'static str, &'static str)> {
    FUNCTIONS.iter().map(|f| (f.name, f.signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for f in FUNCTIONS {
            if let Lower::Dist(d) = f.lower {
                assert!(f.arity.accepts(d.arity()), "{}", f.name);
            }
        }
        for (i, f) in FUNCTIONS.iter().enumerate() {
            assert!(f.signature.starts_with(f.name), "{}", f.name);
            assert!(
                FUNCTIONS[..i].iter().all(|g| g.name != f.name),
                "duplicate {}",
                f.name
            );
            assert!(constant(f.name).is_none(), "{} shadows a constant", f.name);
        }
    }
}
