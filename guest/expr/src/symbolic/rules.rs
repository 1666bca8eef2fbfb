//! The derivative of every function of the language, written in the
//! language itself: each rule is a partial derivative as an expression in
//! the function's own parameter names, substituted with the actual
//! arguments when it is used. Rules for the log densities hold on the
//! support, where the density is finite.

use crate::dist::Dist;
use crate::elementary::{Bin, Un};

/// How a function depends on one of its arguments.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Partial {
    /// The partial derivative, as an expression in the parameter names.
    Rule(&'static str),
    /// Piecewise constant or with jumps: no derivative where the argument
    /// varies.
    Step(&'static str),
    /// An argument that must be a whole number, such as a count.
    Count,
}

use Partial::{Rule, Step};

const STEP: Partial = Step("it is piecewise constant");
const JUMPS: Partial = Step("it jumps wherever the quotient passes an integer");
const COUNT: Partial = Partial::Count;

/// The parameter names the rules of a function use, and their partials in
/// argument order.
pub(crate) struct Rules {
    pub params: &'static [&'static str],
    pub partials: &'static [Partial],
}

const fn rules(params: &'static [&'static str], partials: &'static [Partial]) -> Rules {
    Rules { params, partials }
}

/// The derivative of a one-argument function in its argument `u`.
pub(crate) fn unary(op: Un) -> Partial {
    use Un::*;
    match op {
        Sin => Rule("cos(u)"),
        Cos => Rule("-sin(u)"),
        Tan => Rule("1 + tan(u)^2"),
        Asin => Rule("1/sqrt(1 - u^2)"),
        Acos => Rule("-1/sqrt(1 - u^2)"),
        Atan => Rule("1/(1 + u^2)"),
        Sinh => Rule("cosh(u)"),
        Cosh => Rule("sinh(u)"),
        Tanh => Rule("1 - tanh(u)^2"),
        Asinh => Rule("1/sqrt(u^2 + 1)"),
        Acosh => Rule("1/sqrt(u^2 - 1)"),
        Atanh => Rule("1/(1 - u^2)"),
        Exp | Expm1 => Rule("exp(u)"),
        Ln => Rule("1/u"),
        Log10 => Rule("1/(ln(10)*u)"),
        Log2 => Rule("1/(ln(2)*u)"),
        Log1p => Rule("1/(1 + u)"),
        Sqrt => Rule("1/(2*sqrt(u))"),
        Cbrt => Rule("1/(3*cbrt(u)^2)"),
        Abs => Rule("sign(u)"),
        Erf => Rule("2*exp(-u^2)/sqrt(pi)"),
        Erfc => Rule("-2*exp(-u^2)/sqrt(pi)"),
        Gamma => Rule("gamma(u)*digamma(u)"),
        Lgamma => Rule("digamma(u)"),
        Digamma => Rule("polygamma(1, u)"),
        Factorial => Rule("factorial(u)*digamma(u + 1)"),
        Neg => Rule("-1"),
        Square => Rule("2*u"),
        Not | Sign | Floor | Ceil | Round | Trunc => STEP,
    }
}

pub(crate) fn binary(op: Bin) -> Rules {
    use Bin::*;
    match op {
        Atan2 => rules(
            &["y", "x"],
            &[Rule("x/(x^2 + y^2)"), Rule("-y/(x^2 + y^2)")],
        ),
        Hypot => rules(&["x", "y"], &[Rule("x/hypot(x, y)"), Rule("y/hypot(x, y)")]),
        Polygamma => rules(&["n", "x"], &[COUNT, Rule("polygamma(n + 1, x)")]),
        Rem | Mod => rules(&["a", "b"], &[JUMPS, JUMPS]),
        _ => rules(&["a", "b"], &[STEP, STEP]),
    }
}

pub(crate) fn dist(d: Dist) -> Rules {
    match d {
        Dist::Normal => rules(
            &["x", "mu", "sigma"],
            &[
                Rule("(mu - x)/sigma^2"),
                Rule("(x - mu)/sigma^2"),
                Rule("(x - mu)^2/sigma^3 - 1/sigma"),
            ],
        ),
        Dist::Cauchy => rules(
            &["x", "mu", "sigma"],
            &[
                Rule("2*(mu - x)/((x - mu)^2 + sigma^2)"),
                Rule("2*(x - mu)/((x - mu)^2 + sigma^2)"),
                Rule("((x - mu)^2 - sigma^2)/(sigma*((x - mu)^2 + sigma^2))"),
            ],
        ),
        Dist::Exponential => rules(&["x", "rate"], &[Rule("-rate"), Rule("1/rate - x")]),
        Dist::Gamma => rules(
            &["x", "shape", "rate"],
            &[
                Rule("(shape - 1)/x - rate"),
                Rule("ln(rate) + ln(x) - digamma(shape)"),
                Rule("shape/rate - x"),
            ],
        ),
        Dist::Beta => rules(
            &["x", "a", "b"],
            &[
                Rule("(a - 1)/x - (b - 1)/(1 - x)"),
                Rule("ln(x) - digamma(a) + digamma(a + b)"),
                Rule("log1p(-x) - digamma(b) + digamma(a + b)"),
            ],
        ),
        Dist::Lognormal => rules(
            &["x", "mu", "sigma"],
            &[
                Rule("-(1 + (ln(x) - mu)/sigma^2)/x"),
                Rule("(ln(x) - mu)/sigma^2"),
                Rule("(ln(x) - mu)^2/sigma^3 - 1/sigma"),
            ],
        ),
        Dist::Uniform => rules(
            &["x", "lo", "hi"],
            &[Rule("0"), Rule("1/(hi - lo)"), Rule("1/(lo - hi)")],
        ),
        Dist::Binomial => rules(
            &["k", "n", "p"],
            &[COUNT, COUNT, Rule("k/p - (n - k)/(1 - p)")],
        ),
        Dist::Poisson => rules(&["k", "lambda"], &[COUNT, Rule("k/lambda - 1")]),
        Dist::Bernoulli => rules(&["k", "p"], &[COUNT, Rule("k/p - (1 - k)/(1 - p)")]),
        // Only reached through `student_t`, which has four arguments.
        Dist::StudentT => student_t(),
    }
}

/// `student_t_lpdf(x, nu, mu, sigma)`.
pub(crate) fn student_t() -> Rules {
    rules(
        &["x", "nu", "mu", "sigma"],
        &[
            Rule("(nu + 1)*(mu - x)/(nu*sigma^2 + (x - mu)^2)"),
            Rule(
                "(digamma((nu + 1)/2) - digamma(nu/2) - 1/nu \
                 - log1p((x - mu)^2/(nu*sigma^2)))/2 \
                 + (nu + 1)*(x - mu)^2/(2*nu*(nu*sigma^2 + (x - mu)^2))",
            ),
            Rule("(nu + 1)*(x - mu)/(nu*sigma^2 + (x - mu)^2)"),
            Rule("(nu + 1)*(x - mu)^2/(sigma*(nu*sigma^2 + (x - mu)^2)) - 1/sigma"),
        ],
    )
}
