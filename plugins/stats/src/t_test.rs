//! The `t_test` operation: one sample, two independent samples (Welch's test, or Student's
//! with pooled variance on request) and paired samples, with R's conventions for the
//! degrees of freedom, the confidence interval and its one-sided forms.

use schemars::JsonSchema;
use serde::Deserialize;
use statrs::distribution::StudentsT;
use toolhost_sdk::{ToolError, Value, json};

use crate::Report;
use crate::data::{
    Numbers, at_least, complete, confidence_level, invalid, mean, same_length, variance,
};
use crate::format::{num, p_value, sig};
use crate::hypothesis::Alternative;

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct TTestInput {
    /// The sample (the first sample when `y` is given).
    pub x: Numbers,
    /// A second sample: a two-sample test of mean(x) − mean(y), or, with `paired`, the
    /// partner of each x (same length), testing the mean of x − y.
    #[serde(default)]
    pub y: Option<Numbers>,
    /// The mean (one sample) or the difference of means x − y (two samples, paired) under
    /// the null hypothesis. Default 0.
    #[serde(default)]
    pub mu: f64,
    /// x and y are paired observations (e.g. before and after on the same subjects).
    /// Default false.
    #[serde(default)]
    pub paired: bool,
    /// Two independent samples only: assume equal variances and pool them (Student's t
    /// test). Default false: Welch's test, which does not assume it.
    #[serde(default)]
    pub equal_variances: bool,
    #[serde(default)]
    pub alternative: Alternative,
    /// Confidence level of the interval for the mean or difference. Default 0.95.
    #[serde(default = "default_level")]
    pub conf_level: f64,
}

pub fn default_level() -> f64 {
    0.95
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Design {
    OneSample,
    Paired,
    Welch,
    Pooled,
}

impl Design {
    fn method(self) -> &'static str {
        match self {
            Design::OneSample => "One Sample t-test",
            Design::Paired => "Paired t-test",
            Design::Welch => "Welch Two Sample t-test",
            Design::Pooled => "Two Sample t-test (pooled variance)",
        }
    }

    fn parameter(self) -> &'static str {
        match self {
            Design::OneSample => "mean",
            Design::Paired => "mean difference",
            Design::Welch | Design::Pooled => "difference in means",
        }
    }
}

struct Outcome {
    design: Design,
    statistic: f64,
    df: f64,
    p_value: f64,
    interval: (f64, f64),
    /// The mean, the mean difference, or the difference of means.
    estimate: f64,
    std_error: f64,
    /// (name, n, mean, sd) of each sample, or of the differences when paired.
    samples: Vec<(&'static str, usize, f64, f64)>,
}

pub fn run(input: &TTestInput) -> Result<Report, ToolError> {
    let design = design(input)?;
    confidence_level(input.conf_level, "/conf_level")?;
    let x = &input.x.0;
    complete(x, "/x")?;
    if let Some(y) = &input.y {
        complete(&y.0, "/y")?;
    }
    if !input.mu.is_finite() {
        return Err(invalid("/mu", "mu must be a finite number"));
    }
    let (estimate, std_error, df, samples) = match design {
        Design::OneSample => {
            at_least(x, 2, "/x", "a one-sample t test")?;
            let (m, sd) = (mean(x), variance(x).sqrt());
            let n = x.len();
            let se = sd / (n as f64).sqrt();
            constant(se, m.abs(), "/x", "x is constant")?;
            (m, se, n as f64 - 1.0, vec![("x", n, m, sd)])
        }
        Design::Paired => {
            let y = &input.y.as_ref().expect("paired has y").0;
            same_length(x, "/x", y, "/y", "a paired t test")?;
            at_least(x, 2, "/x", "a paired t test")?;
            let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
            let (m, sd) = (mean(&d), variance(&d).sqrt());
            let n = d.len();
            let se = sd / (n as f64).sqrt();
            constant(se, m.abs(), "/y", "the differences x − y are all equal")?;
            (m, se, n as f64 - 1.0, vec![("x - y", n, m, sd)])
        }
        Design::Welch | Design::Pooled => {
            let y = &input.y.as_ref().expect("two samples have y").0;
            let (nx, ny) = (x.len(), y.len());
            if design == Design::Welch {
                at_least(x, 2, "/x", "Welch's t test (each sample's variance)")?;
                at_least(y, 2, "/y", "Welch's t test (each sample's variance)")?;
            } else {
                at_least(x, 1, "/x", "a two-sample t test")?;
                at_least(y, 1, "/y", "a two-sample t test")?;
                if nx + ny < 3 {
                    return Err(invalid(
                        "/y",
                        "a pooled t test needs at least 3 observations in all, to estimate the variance",
                    ));
                }
            }
            let (mx, my) = (mean(x), mean(y));
            let var = |v: &[f64]| if v.len() > 1 { variance(v) } else { 0.0 };
            let (vx, vy) = (var(x), var(y));
            let (nxf, nyf) = (nx as f64, ny as f64);
            let (se, df) = if design == Design::Welch {
                let (ax, ay) = (vx / nxf, vy / nyf);
                let se2 = ax + ay;
                let df = se2 * se2 / (ax * ax / (nxf - 1.0) + ay * ay / (nyf - 1.0));
                (se2.sqrt(), df)
            } else {
                let df = nxf + nyf - 2.0;
                let pooled = ((nxf - 1.0) * vx + (nyf - 1.0) * vy) / df;
                ((pooled * (1.0 / nxf + 1.0 / nyf)).sqrt(), df)
            };
            constant(
                se,
                mx.abs().max(my.abs()),
                "/x",
                "both samples are constant",
            )?;
            (
                mx - my,
                se,
                df,
                vec![("x", nx, mx, vx.sqrt()), ("y", ny, my, vy.sqrt())],
            )
        }
    };
    let statistic = (estimate - input.mu) / std_error;
    let null = StudentsT::new(0.0, 1.0, df).map_err(|e| {
        ToolError::new(
            "numerical_error",
            format!("the t distribution with {df} degrees of freedom: {e}"),
        )
    })?;
    let outcome = Outcome {
        design,
        statistic,
        df,
        p_value: input.alternative.p_value(&null, statistic),
        interval: input
            .alternative
            .interval(&null, input.conf_level, estimate, std_error),
        estimate,
        std_error,
        samples,
    };
    Ok(Report {
        text: text(input, &outcome),
        json: to_json(input, &outcome),
    })
}

fn design(input: &TTestInput) -> Result<Design, ToolError> {
    match (&input.y, input.paired, input.equal_variances) {
        (None, true, _) => Err(invalid(
            "/paired",
            "paired needs y, the partner of each x; without y this is a one-sample test",
        )),
        (None, false, true) => Err(invalid(
            "/equal_variances",
            "equal_variances applies to two independent samples; give y",
        )),
        (Some(_), true, true) => Err(invalid(
            "/equal_variances",
            "equal_variances applies to independent samples; a paired test uses the differences x − y",
        )),
        (None, false, false) => Ok(Design::OneSample),
        (Some(_), true, false) => Ok(Design::Paired),
        (Some(_), false, false) => Ok(Design::Welch),
        (Some(_), false, true) => Ok(Design::Pooled),
    }
}

/// R's test for data too constant to test: a standard error that is rounding noise
/// relative to the means.
fn constant(std_error: f64, scale: f64, pointer: &str, what: &str) -> Result<(), ToolError> {
    if std_error <= 10.0 * f64::EPSILON * scale || std_error == 0.0 {
        return Err(invalid(
            pointer,
            format!("{what}: the standard error is 0, so the t statistic is undefined"),
        ));
    }
    Ok(())
}

fn text(input: &TTestInput, o: &Outcome) -> String {
    let mut out = format!("{}\n\n", o.design.method());
    out.push_str(&format!(
        "t = {}, df = {}, p-value = {}\n",
        sig(o.statistic, 5),
        sig(o.df, 5),
        p_value(o.p_value)
    ));
    out.push_str(&format!(
        "alternative hypothesis: true {} is {} {}\n",
        o.design.parameter(),
        input.alternative.relation(),
        sig(input.mu, 6)
    ));
    out.push_str(&format!(
        "{} percent confidence interval: [{}, {}]\n",
        sig(100.0 * input.conf_level, 6),
        sig(o.interval.0, 6),
        sig(o.interval.1, 6)
    ));
    let estimates: Vec<String> = match o.design {
        Design::OneSample => vec![format!("mean of x = {}", sig(o.estimate, 6))],
        Design::Paired => vec![format!("mean difference = {}", sig(o.estimate, 6))],
        _ => o
            .samples
            .iter()
            .map(|(name, _, m, _)| format!("mean of {name} = {}", sig(*m, 6)))
            .collect(),
    };
    out.push_str(&format!("sample estimates: {}\n", estimates.join(", ")));
    out
}

fn to_json(input: &TTestInput, o: &Outcome) -> Value {
    let samples: Vec<Value> = o
        .samples
        .iter()
        .map(|(name, n, m, sd)| json!({ "name": name, "n": n, "mean": num(*m), "sd": num(*sd) }))
        .collect();
    json!({
        "op": "t_test",
        "method": o.design.method(),
        "alternative": input.alternative.name(),
        "null_value": num(input.mu),
        "statistic": num(o.statistic),
        "df": num(o.df),
        "p_value": num(o.p_value),
        "estimate": num(o.estimate),
        "estimate_of": o.design.parameter(),
        "std_error": num(o.std_error),
        "conf_int": {
            "level": num(input.conf_level),
            "lower": num(o.interval.0),
            "upper": num(o.interval.1),
        },
        "samples": samples,
    })
}
