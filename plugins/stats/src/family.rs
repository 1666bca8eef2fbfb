//! The distribution families, their named parameters with defaults and valid ranges, and
//! the statrs distribution each one builds.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use statrs::distribution::{
    Beta, Binomial, Cauchy, ChiSquared, Continuous, ContinuousCDF, Discrete, DiscreteCDF, Exp,
    FisherSnedecor, Gamma, Geometric, Hypergeometric, LogNormal, NegativeBinomial, Normal, Poisson,
    StudentsT, Uniform, Weibull,
};
use statrs::statistics::{DiscreteDistribution, Distribution, Max, Min};
use toolhost_sdk::ToolError;

use crate::data::{invalid, token};
use crate::seeded::SeededSource;
use crate::tails;

/// A distribution family. Parameters (in `params`; defaults in brackets):
/// normal: mean [0], sd [1];
/// student_t: df, location [0], scale [1];
/// chi_squared: df;
/// f: df1, df2;
/// exponential: rate [1];
/// gamma: shape, and rate [1] or scale;
/// beta: alpha, beta;
/// lognormal: meanlog [0], sdlog [1] (of the log);
/// uniform: min [0], max [1];
/// cauchy: location [0], scale [1];
/// weibull: shape, scale [1];
/// binomial: n, p;
/// poisson: lambda;
/// geometric: p (trials up to and including the first success: 1, 2, ...);
/// negative_binomial: r, p (failures before the r-th success: 0, 1, ...);
/// hypergeometric: population, successes, draws (successes among the draws).
#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Normal,
    StudentT,
    ChiSquared,
    F,
    Exponential,
    Gamma,
    Beta,
    Lognormal,
    Uniform,
    Cauchy,
    Weibull,
    Binomial,
    Poisson,
    Geometric,
    NegativeBinomial,
    Hypergeometric,
}

/// What values a parameter may take.
#[derive(Clone, Copy)]
enum Range {
    Real,
    Positive,
    /// In [0, 1].
    Probability,
    /// In (0, 1]: a success probability a waiting time needs.
    PositiveProbability,
    /// 0, 1, 2, ...
    Count,
}

struct Param {
    name: &'static str,
    /// `None`: the parameter must be given (or, for gamma's scale, may be left out).
    default: Option<f64>,
    range: Range,
}

fn required(name: &'static str, range: Range) -> Param {
    Param {
        name,
        default: None,
        range,
    }
}

fn optional(name: &'static str, default: f64, range: Range) -> Param {
    Param {
        name,
        default: Some(default),
        range,
    }
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Normal => "normal",
            Family::StudentT => "student_t",
            Family::ChiSquared => "chi_squared",
            Family::F => "f",
            Family::Exponential => "exponential",
            Family::Gamma => "gamma",
            Family::Beta => "beta",
            Family::Lognormal => "lognormal",
            Family::Uniform => "uniform",
            Family::Cauchy => "cauchy",
            Family::Weibull => "weibull",
            Family::Binomial => "binomial",
            Family::Poisson => "poisson",
            Family::Geometric => "geometric",
            Family::NegativeBinomial => "negative_binomial",
            Family::Hypergeometric => "hypergeometric",
        }
    }

    fn params(self) -> Vec<Param> {
        use Range::*;
        match self {
            Family::Normal => vec![optional("mean", 0.0, Real), optional("sd", 1.0, Positive)],
            Family::StudentT => vec![
                required("df", Positive),
                optional("location", 0.0, Real),
                optional("scale", 1.0, Positive),
            ],
            Family::ChiSquared => vec![required("df", Positive)],
            Family::F => vec![required("df1", Positive), required("df2", Positive)],
            Family::Exponential => vec![optional("rate", 1.0, Positive)],
            // `scale` is the alternative to `rate`, resolved in `build`.
            Family::Gamma => vec![
                required("shape", Positive),
                optional("rate", 1.0, Positive),
                required("scale", Positive),
            ],
            Family::Beta => vec![required("alpha", Positive), required("beta", Positive)],
            Family::Lognormal => vec![
                optional("meanlog", 0.0, Real),
                optional("sdlog", 1.0, Positive),
            ],
            Family::Uniform => vec![optional("min", 0.0, Real), optional("max", 1.0, Real)],
            Family::Cauchy => vec![
                optional("location", 0.0, Real),
                optional("scale", 1.0, Positive),
            ],
            Family::Weibull => vec![
                required("shape", Positive),
                optional("scale", 1.0, Positive),
            ],
            Family::Binomial => vec![required("n", Count), required("p", Probability)],
            Family::Poisson => vec![required("lambda", Positive)],
            Family::Geometric => vec![required("p", PositiveProbability)],
            Family::NegativeBinomial => {
                vec![required("r", Positive), required("p", PositiveProbability)]
            }
            Family::Hypergeometric => vec![
                required("population", Count),
                required("successes", Count),
                required("draws", Count),
            ],
        }
    }

    /// "mean (default 0), sd (default 1)", for error messages.
    fn signature(self) -> String {
        let listed: Vec<String> = self
            .params()
            .iter()
            .filter(|p| !self.is_gamma_scale(p.name))
            .map(|p| match p.default {
                Some(d) => format!("{} (default {d})", p.name),
                None => p.name.to_owned(),
            })
            .collect();
        let mut out = listed.join(", ");
        if self == Family::Gamma {
            out.push_str(" (or scale instead of rate)");
        }
        out
    }

    fn is_gamma_scale(self, name: &str) -> bool {
        self == Family::Gamma && name == "scale"
    }
}

/// A distribution ready to evaluate, with the parameter values it was built from.
pub struct Law {
    pub family: Family,
    /// Every parameter, given or defaulted, in the family's order.
    pub params: Vec<(&'static str, f64)>,
    pub kind: Kind,
    pub mean: Option<f64>,
    pub variance: Option<f64>,
}

pub enum Kind {
    Continuous(Box<dyn ContinuousLaw>),
    Discrete(Box<dyn DiscreteLaw>),
}

/// What the tool asks of a continuous distribution.
pub trait ContinuousLaw {
    fn pdf(&self, x: f64) -> f64;
    fn ln_pdf(&self, x: f64) -> f64;
    fn cdf(&self, x: f64) -> f64;
    fn sf(&self, x: f64) -> f64;
    /// `p` in [0, 1].
    fn quantile(&self, p: f64) -> f64;
    fn draw(&self, source: &mut SeededSource) -> f64;
    /// The support's ends (infinite where it is unbounded).
    fn bounds(&self) -> (f64, f64);
}

impl<T> ContinuousLaw for T
where
    T: Continuous<f64, f64>
        + ContinuousCDF<f64, f64>
        + Min<f64>
        + Max<f64>
        + rand::distr::Distribution<f64>,
{
    fn pdf(&self, x: f64) -> f64 {
        Continuous::pdf(self, x)
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        Continuous::ln_pdf(self, x)
    }
    fn cdf(&self, x: f64) -> f64 {
        ContinuousCDF::cdf(self, x)
    }
    fn sf(&self, x: f64) -> f64 {
        ContinuousCDF::sf(self, x)
    }
    fn quantile(&self, p: f64) -> f64 {
        ContinuousCDF::inverse_cdf(self, p)
    }
    fn draw(&self, source: &mut SeededSource) -> f64 {
        rand::distr::Distribution::sample(self, source)
    }
    fn bounds(&self) -> (f64, f64) {
        (Min::min(self), Max::max(self))
    }
}

/// What the tool asks of a distribution on whole numbers.
pub trait DiscreteLaw {
    fn pmf(&self, k: u64) -> f64;
    fn ln_pmf(&self, k: u64) -> f64;
    fn cdf(&self, k: u64) -> f64;
    fn sf(&self, k: u64) -> f64;
    fn min(&self) -> u64;
    fn max(&self) -> u64;
    fn draw(&self, source: &mut SeededSource) -> u64;
}

impl<T> DiscreteLaw for T
where
    T: Discrete<u64, f64>
        + DiscreteCDF<u64, f64>
        + Min<u64>
        + Max<u64>
        + rand::distr::Distribution<u64>,
{
    fn pmf(&self, k: u64) -> f64 {
        Discrete::pmf(self, k)
    }
    fn ln_pmf(&self, k: u64) -> f64 {
        Discrete::ln_pmf(self, k)
    }
    fn cdf(&self, k: u64) -> f64 {
        DiscreteCDF::cdf(self, k)
    }
    fn sf(&self, k: u64) -> f64 {
        DiscreteCDF::sf(self, k)
    }
    fn min(&self) -> u64 {
        Min::min(self)
    }
    fn max(&self) -> u64 {
        Max::max(self)
    }
    fn draw(&self, source: &mut SeededSource) -> u64 {
        rand::distr::Distribution::sample(self, source)
    }
}

type Built = (Kind, Option<f64>, Option<f64>);

fn continuous<D>(d: D) -> Built
where
    D: ContinuousLaw + Distribution<f64> + 'static,
{
    let (mean, variance) = (d.mean(), d.variance());
    (Kind::Continuous(Box::new(d)), mean, variance)
}

fn with_moments<D>(d: D, (mean, variance): (Option<f64>, Option<f64>)) -> Built
where
    D: ContinuousLaw + 'static,
{
    (Kind::Continuous(Box::new(d)), mean, variance)
}

fn discrete<D>(d: D) -> Built
where
    D: DiscreteLaw + Distribution<f64> + 'static,
{
    let (mean, variance) = (d.mean(), d.variance());
    (Kind::Discrete(Box::new(d)), mean, variance)
}

/// Check the parameters against the family's and build the distribution.
pub fn build(family: Family, given: &BTreeMap<String, f64>) -> Result<Law, ToolError> {
    let spec = family.params();
    if let Some(unknown) = given
        .keys()
        .find(|k| !spec.iter().any(|p| p.name == k.as_str()))
    {
        return Err(invalid(
            &format!("/params/{}", token(unknown)),
            format!(
                "{} has no parameter `{unknown}`; its parameters are {}",
                family.name(),
                family.signature()
            ),
        ));
    }
    if family == Family::Gamma && given.contains_key("scale") && given.contains_key("rate") {
        return Err(invalid(
            "/params/scale",
            "gamma takes `rate` or `scale` (= 1/rate), not both",
        ));
    }
    let mut values: Vec<(&'static str, f64)> = Vec::with_capacity(spec.len());
    for p in &spec {
        let pointer = format!("/params/{}", p.name);
        let value = match (given.get(p.name), p.default) {
            (Some(&v), _) => v,
            (None, _) if family.is_gamma_scale(p.name) => continue,
            // A gamma given by its scale has no rate of its own.
            (None, Some(_)) if family == Family::Gamma && given.contains_key("scale") => continue,
            (None, Some(d)) => d,
            (None, None) => {
                return Err(invalid(
                    "/params",
                    format!(
                        "{} needs the parameter `{}`; its parameters are {}",
                        family.name(),
                        p.name,
                        family.signature()
                    ),
                ));
            }
        };
        check_range(family, p, value, &pointer)?;
        values.push((p.name, value));
    }
    let get = |name: &str| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(f64::NAN, |(_, v)| *v)
    };
    let count = |name: &str| get(name) as u64;
    let rejected = |e: &dyn std::fmt::Display| {
        invalid(
            "/params",
            format!("{} rejected the parameters: {e}", family.name()),
        )
    };

    let (kind, mean, variance) = match family {
        Family::Normal => {
            continuous(Normal::new(get("mean"), get("sd")).map_err(|e| rejected(&e))?)
        }
        Family::StudentT => continuous(
            StudentsT::new(get("location"), get("scale"), get("df")).map_err(|e| rejected(&e))?,
        ),
        Family::ChiSquared => continuous(ChiSquared::new(get("df")).map_err(|e| rejected(&e))?),
        Family::F => {
            continuous(FisherSnedecor::new(get("df1"), get("df2")).map_err(|e| rejected(&e))?)
        }
        Family::Exponential => {
            let inner = Exp::new(get("rate")).map_err(|e| rejected(&e))?;
            let moments = (inner.mean(), inner.variance());
            with_moments(tails::Exponential { inner }, moments)
        }
        Family::Gamma => {
            let rate = if given.contains_key("scale") {
                1.0 / get("scale")
            } else {
                get("rate")
            };
            continuous(Gamma::new(get("shape"), rate).map_err(|e| rejected(&e))?)
        }
        Family::Beta => continuous(Beta::new(get("alpha"), get("beta")).map_err(|e| rejected(&e))?),
        Family::Lognormal => {
            continuous(LogNormal::new(get("meanlog"), get("sdlog")).map_err(|e| rejected(&e))?)
        }
        Family::Uniform => {
            if get("min") >= get("max") {
                return Err(invalid(
                    "/params/max",
                    format!(
                        "uniform needs min < max; got min = {} and max = {}",
                        get("min"),
                        get("max")
                    ),
                ));
            }
            continuous(Uniform::new(get("min"), get("max")).map_err(|e| rejected(&e))?)
        }
        Family::Cauchy => {
            let inner = Cauchy::new(get("location"), get("scale")).map_err(|e| rejected(&e))?;
            let moments = (inner.mean(), inner.variance());
            with_moments(tails::CauchyLaw { inner }, moments)
        }
        Family::Weibull => {
            continuous(Weibull::new(get("shape"), get("scale")).map_err(|e| rejected(&e))?)
        }
        Family::Binomial => {
            discrete(Binomial::new(get("p"), count("n")).map_err(|e| rejected(&e))?)
        }
        Family::Poisson => discrete(Poisson::new(get("lambda")).map_err(|e| rejected(&e))?),
        Family::Geometric => discrete(Geometric::new(get("p")).map_err(|e| rejected(&e))?),
        Family::NegativeBinomial => {
            let d = NegativeBinomial::new(get("r"), get("p")).map_err(|e| rejected(&e))?;
            let (mean, variance) = (
                DiscreteDistribution::mean(&d),
                DiscreteDistribution::variance(&d),
            );
            (Kind::Discrete(Box::new(d)), mean, variance)
        }
        Family::Hypergeometric => {
            let (population, successes, draws) =
                (count("population"), count("successes"), count("draws"));
            for (name, v) in [("successes", successes), ("draws", draws)] {
                if v > population {
                    return Err(invalid(
                        &format!("/params/{name}"),
                        format!(
                            "hypergeometric {name} is {v}, more than the population of {population}"
                        ),
                    ));
                }
            }
            discrete(Hypergeometric::new(population, successes, draws).map_err(|e| rejected(&e))?)
        }
    };
    Ok(Law {
        family,
        params: values,
        kind,
        mean,
        variance,
    })
}

fn check_range(family: Family, p: &Param, v: f64, pointer: &str) -> Result<(), ToolError> {
    let fail = |expected: &str| {
        Err(invalid(
            pointer,
            format!("{} {} is {v}; it must be {expected}", family.name(), p.name),
        ))
    };
    if !v.is_finite() {
        return fail("a finite number");
    }
    match p.range {
        Range::Real => Ok(()),
        Range::Positive if v > 0.0 => Ok(()),
        Range::Positive => fail("> 0"),
        Range::Probability if (0.0..=1.0).contains(&v) => Ok(()),
        Range::Probability => fail("a probability in [0, 1]"),
        Range::PositiveProbability if v > 0.0 && v <= 1.0 => Ok(()),
        Range::PositiveProbability => fail("a probability in (0, 1]"),
        // Counts beyond 2^53 are not exact in a JSON number anyway.
        Range::Count if v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 => Ok(()),
        Range::Count => fail("a whole number >= 0"),
    }
}
