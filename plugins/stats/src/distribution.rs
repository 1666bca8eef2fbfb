//! The `distribution` operation: density or mass, log density, cdf, survival function and
//! quantiles at given points, moments, and seeded random draws.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_sdk::{ToolError, Value, json};

use crate::Report;
use crate::data::{MAX_OUTPUT_VALUES, Points, invalid};
use crate::family::{self, Family, Kind, Law};
use crate::format::{num, nums, sig};
use crate::quantile;
use crate::seeded::SeededSource;

/// Evaluations echoed in the text summary per function; the JSON has them all.
const TEXT_LINES: usize = 12;

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct DistributionInput {
    pub family: Family,
    /// Parameters by name, e.g. {"mean": 100, "sd": 15}; see `family` for each family's
    /// names and defaults.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Points x at which to give the density (continuous) or probability mass P(X = x)
    /// (discrete; 0 off the whole numbers).
    #[serde(default)]
    pub pdf: Option<Points>,
    /// Points x at which to give the natural log of the density or mass.
    #[serde(default)]
    pub log_pdf: Option<Points>,
    /// Points x at which to give the cdf P(X <= x).
    #[serde(default)]
    pub cdf: Option<Points>,
    /// Points x at which to give the survival function P(X > x), computed directly so
    /// that small upper tails keep their digits.
    #[serde(default)]
    pub sf: Option<Points>,
    /// Probabilities p in [0, 1] at which to give the quantile (inverse cdf): the smallest
    /// x with P(X <= x) >= p.
    #[serde(default)]
    pub quantile: Option<Points>,
    /// Number of random draws to return.
    #[serde(default)]
    pub sample: Option<u32>,
    /// Seed of the draws: the same seed gives the same draws. Default 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_seed() -> u64 {
    1
}

/// The requested evaluations of one function, in input order.
struct Evaluated {
    name: &'static str,
    at: Vec<f64>,
    values: Vec<f64>,
}

enum Draws {
    Real(Vec<f64>),
    Whole(Vec<u64>),
}

pub fn run(input: &DistributionInput) -> Result<Report, ToolError> {
    let law = family::build(input.family, &input.params)?;
    let requested: usize = [
        &input.pdf,
        &input.log_pdf,
        &input.cdf,
        &input.sf,
        &input.quantile,
    ]
    .iter()
    .map(|p| p.as_ref().map_or(0, |p| p.0.len()))
    .sum::<usize>()
        + input.sample.unwrap_or(0) as usize;
    if requested > MAX_OUTPUT_VALUES {
        return Err(invalid(
            "/",
            format!(
                "{requested} values requested (points plus draws); a call returns at most {MAX_OUTPUT_VALUES}: split the request"
            ),
        ));
    }

    let mut evaluated = Vec::new();
    let functions: [(&'static str, &Option<Points>); 5] = [
        ("pdf", &input.pdf),
        ("log_pdf", &input.log_pdf),
        ("cdf", &input.cdf),
        ("sf", &input.sf),
        ("quantile", &input.quantile),
    ];
    for (name, points) in functions {
        let Some(Points(at)) = points else { continue };
        for (i, x) in at.iter().enumerate() {
            if x.is_nan() {
                return Err(invalid(
                    &format!("/{name}/{i}"),
                    format!("/{name}/{i} is null: give a number"),
                ));
            }
            if name == "quantile" && !(0.0..=1.0).contains(x) {
                return Err(invalid(
                    &format!("/quantile/{i}"),
                    format!("/quantile/{i} is {x}; a quantile's probability must be in [0, 1]"),
                ));
            }
        }
        let values = at.iter().map(|&x| evaluate(&law.kind, name, x)).collect();
        evaluated.push(Evaluated {
            name,
            at: at.clone(),
            values,
        });
    }

    let draws = input.sample.map(|n| {
        let mut source = SeededSource::new(input.seed);
        match &law.kind {
            Kind::Continuous(d) => Draws::Real((0..n).map(|_| d.draw(&mut source)).collect()),
            Kind::Discrete(d) => Draws::Whole((0..n).map(|_| d.draw(&mut source)).collect()),
        }
    });

    Ok(Report {
        text: text(&law, &evaluated, draws.as_ref(), input.seed),
        json: to_json(&law, &evaluated, draws.as_ref(), input.seed),
    })
}

fn evaluate(kind: &Kind, function: &str, x: f64) -> f64 {
    match kind {
        Kind::Continuous(d) => match function {
            "pdf" => d.pdf(x),
            "log_pdf" => d.ln_pdf(x),
            "cdf" => d.cdf(x),
            "sf" => d.sf(x),
            _ => quantile::continuous(d.as_ref(), x),
        },
        Kind::Discrete(d) => match function {
            "pdf" => whole(x).map_or(0.0, |k| d.pmf(k)),
            "log_pdf" => whole(x).map_or(f64::NEG_INFINITY, |k| d.ln_pmf(k)),
            "cdf" => match floor(x) {
                Floor::Below => 0.0,
                Floor::At(k) => d.cdf(k),
                Floor::Above => 1.0,
            },
            "sf" => match floor(x) {
                Floor::Below => 1.0,
                Floor::At(k) => d.sf(k),
                Floor::Above => 0.0,
            },
            _ => quantile::discrete(d.as_ref(), x),
        },
    }
}

/// `x` as a whole number a discrete distribution can take, if it is one.
fn whole(x: f64) -> Option<u64> {
    (x >= 0.0 && x.fract() == 0.0 && x < u64::MAX as f64).then_some(x as u64)
}

enum Floor {
    Below,
    At(u64),
    Above,
}

fn floor(x: f64) -> Floor {
    if x < 0.0 {
        Floor::Below
    } else if x >= u64::MAX as f64 {
        Floor::Above
    } else {
        Floor::At(x.floor() as u64)
    }
}

fn describe(law: &Law) -> String {
    let params: Vec<String> = law
        .params
        .iter()
        .map(|(n, v)| format!("{n} = {}", sig(*v, 6)))
        .collect();
    format!("{}({})", law.family.name(), params.join(", "))
}

fn text(law: &Law, evaluated: &[Evaluated], draws: Option<&Draws>, seed: u64) -> String {
    let mut out = describe(law);
    let moment = |m: Option<f64>| m.map_or("undefined".to_owned(), |v| sig(v, 7));
    out.push_str(&format!(
        "\nmean {}, variance {}\n",
        moment(law.mean),
        moment(law.variance)
    ));
    let discrete = matches!(law.kind, Kind::Discrete(_));
    for e in evaluated {
        let label = match (e.name, discrete) {
            ("pdf", true) => "P(X = x)",
            ("log_pdf", true) => "log P(X = x)",
            ("pdf", false) => "pdf",
            ("log_pdf", false) => "log pdf",
            ("cdf", _) => "P(X <= x)",
            ("sf", _) => "P(X > x)",
            _ => "quantile",
        };
        out.push('\n');
        for (x, v) in e.at.iter().zip(&e.values).take(TEXT_LINES) {
            if e.name == "quantile" {
                out.push_str(&format!("quantile({}) = {}\n", sig(*x, 7), sig(*v, 7)));
            } else {
                out.push_str(&format!("{label} at x = {}: {}\n", sig(*x, 7), sig(*v, 7)));
            }
        }
        if e.at.len() > TEXT_LINES {
            out.push_str(&format!(
                "... {} more in the JSON\n",
                e.at.len() - TEXT_LINES
            ));
        }
    }
    if let Some(draws) = draws {
        let values: Vec<f64> = match draws {
            Draws::Real(v) => v.clone(),
            Draws::Whole(v) => v.iter().map(|&k| k as f64).collect(),
        };
        out.push_str(&format!("\n{} draws (seed {seed})", values.len()));
        if !values.is_empty() {
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            out.push_str(&format!(
                ": mean {}, min {}, max {}",
                sig(mean, 5),
                sig(min, 5),
                sig(max, 5)
            ));
            if values.len() > 1 {
                let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
                out.push_str(&format!(", sd {}", sig(var.sqrt(), 5)));
            }
            let first: Vec<String> = values.iter().take(8).map(|v| sig(*v, 5)).collect();
            out.push_str(&format!(
                "\nfirst: {}{}",
                first.join(", "),
                if values.len() > 8 { ", ..." } else { "" }
            ));
        }
        out.push('\n');
    }
    out
}

fn to_json(law: &Law, evaluated: &[Evaluated], draws: Option<&Draws>, seed: u64) -> Value {
    let params: serde_json::Map<String, Value> = law
        .params
        .iter()
        .map(|(n, v)| ((*n).to_owned(), num(*v)))
        .collect();
    let (discrete, support) = match &law.kind {
        Kind::Continuous(d) => {
            let (lo, hi) = d.bounds();
            (false, json!([num(lo), num(hi)]))
        }
        Kind::Discrete(d) => {
            let hi = if d.max() == u64::MAX {
                json!("Infinity")
            } else {
                json!(d.max())
            };
            (true, json!([d.min(), hi]))
        }
    };
    let mut out = json!({
        "op": "distribution",
        "family": law.family.name(),
        "params": params,
        "discrete": discrete,
        "support": support,
        "mean": law.mean.map_or(Value::Null, num),
        "variance": law.variance.map_or(Value::Null, num),
    });
    for e in evaluated {
        out[e.name] = if discrete && e.name == "quantile" {
            // Whole numbers, written as such.
            Value::Array(
                e.values
                    .iter()
                    .map(|&q| {
                        if q.is_finite() {
                            json!(q as u64)
                        } else {
                            num(q)
                        }
                    })
                    .collect(),
            )
        } else {
            nums(&e.values)
        };
    }
    if let Some(draws) = draws {
        out["sample"] = match draws {
            Draws::Real(v) => nums(v),
            Draws::Whole(v) => json!(v),
        };
        out["seed"] = json!(seed);
    }
    out
}
