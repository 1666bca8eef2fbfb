//! The built-in functions: their names, signatures, argument counts and how
//! each lowers to elementary operations; and the named constants.

use std::f64::consts::PI;

use crate::dist::Dist;
use crate::elementary::{Bin, Un};

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
