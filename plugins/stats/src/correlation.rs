//! The `correlation` operation: Pearson's r with its t test and Fisher-z confidence
//! interval (as R's cor.test), and Spearman's rank correlation with the t approximation for
//! its p-value (as scipy's spearmanr).

use schemars::JsonSchema;
use serde::Deserialize;
use statrs::distribution::{Normal, StudentsT};
use toolhost_sdk::{ToolError, Value, json};

use crate::Report;
use crate::data::{Numbers, at_least, complete, confidence_level, invalid, mean, same_length};
use crate::format::{num, p_value, sig};
use crate::hypothesis::Alternative;
use crate::t_test::default_level;

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct CorrelationInput {
    /// The first variable.
    pub x: Numbers,
    /// The second variable, paired with x element by element.
    pub y: Numbers,
    #[serde(default)]
    pub method: Method,
    /// Tests correlation against 0.
    #[serde(default)]
    pub alternative: Alternative,
    /// Confidence level of Pearson's interval. Default 0.95.
    #[serde(default = "default_level")]
    pub conf_level: f64,
}

/// Which correlation: "pearson" (the default; product-moment, linear association) or
/// "spearman" (rank correlation, monotone association: Pearson's r of the ranks, ties
/// given their average rank; its p-value uses the t approximation, as scipy's spearmanr
/// does, where R's cor.test is exact for small samples without ties).
#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    #[default]
    Pearson,
    Spearman,
}

struct Outcome {
    estimate: f64,
    statistic: f64,
    df: f64,
    p_value: f64,
    interval: Option<(f64, f64)>,
    n: usize,
}

pub fn run(input: &CorrelationInput) -> Result<Report, ToolError> {
    let (x, y) = (&input.x.0, &input.y.0);
    confidence_level(input.conf_level, "/conf_level")?;
    complete(x, "/x")?;
    complete(y, "/y")?;
    same_length(x, "/x", y, "/y", "correlation")?;
    at_least(x, 3, "/x", "a test of correlation")?;
    let (estimate, interval) = match input.method {
        Method::Pearson => {
            let r = pearson(x, y)?;
            (r, fisher_interval(r, x.len(), input))
        }
        Method::Spearman => (pearson(&ranks(x), &ranks(y))?, None),
    };
    let n = x.len();
    let df = n as f64 - 2.0;
    let statistic = estimate * (df / ((1.0 - estimate) * (1.0 + estimate))).sqrt();
    let null = StudentsT::new(0.0, 1.0, df).expect("df >= 1 since n >= 3");
    let outcome = Outcome {
        estimate,
        statistic,
        df,
        p_value: input.alternative.p_value(&null, statistic),
        interval,
        n,
    };
    Ok(Report {
        text: text(input, &outcome),
        json: to_json(input, &outcome),
    })
}

fn pearson(x: &[f64], y: &[f64]) -> Result<f64, ToolError> {
    let (mx, my) = (mean(x), mean(y));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    for (s, pointer) in [(sxx, "/x"), (syy, "/y")] {
        if s == 0.0 {
            return Err(invalid(
                pointer,
                format!("{pointer} is constant, so its correlation with anything is undefined"),
            ));
        }
    }
    Ok((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Ranks 1..n, tied values sharing the mean of their ranks.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = rank;
        }
        start = end;
    }
    out
}

/// atanh(r) is close to normal with sd 1/sqrt(n − 3); R gives no interval for n < 4.
fn fisher_interval(r: f64, n: usize, input: &CorrelationInput) -> Option<(f64, f64)> {
    if n < 4 {
        return None;
    }
    let z = r.atanh();
    let scale = 1.0 / (n as f64 - 3.0).sqrt();
    let standard = Normal::standard();
    let (lo, hi) = input
        .alternative
        .interval(&standard, input.conf_level, z, scale);
    Some((lo.tanh(), hi.tanh()))
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Pearson => "Pearson's product-moment correlation",
        Method::Spearman => "Spearman's rank correlation rho",
    }
}

fn text(input: &CorrelationInput, o: &Outcome) -> String {
    let symbol = match input.method {
        Method::Pearson => "cor",
        Method::Spearman => "rho",
    };
    let mut out = format!("{}\n\n", method_name(input.method));
    out.push_str(&format!(
        "t = {}, df = {}, p-value = {}\n",
        sig(o.statistic, 5),
        sig(o.df, 5),
        p_value(o.p_value)
    ));
    out.push_str(&format!(
        "alternative hypothesis: true correlation is {} 0\n",
        input.alternative.relation()
    ));
    match o.interval {
        Some((lo, hi)) => out.push_str(&format!(
            "{} percent confidence interval: [{}, {}]\n",
            sig(100.0 * input.conf_level, 6),
            sig(lo, 6),
            sig(hi, 6)
        )),
        None if input.method == Method::Pearson => {
            out.push_str("no confidence interval: it needs at least 4 pairs\n")
        }
        None => {}
    }
    out.push_str(&format!(
        "sample estimate: {symbol} = {} (n = {})\n",
        sig(o.estimate, 7),
        o.n
    ));
    out
}

fn to_json(input: &CorrelationInput, o: &Outcome) -> Value {
    let mut out = json!({
        "op": "correlation",
        "method": method_name(input.method),
        "alternative": input.alternative.name(),
        "estimate": num(o.estimate),
        "statistic": num(o.statistic),
        "df": num(o.df),
        "p_value": num(o.p_value),
        "n": o.n,
    });
    if let Some((lo, hi)) = o.interval {
        out["conf_int"] = json!({
            "level": num(input.conf_level),
            "lower": num(lo),
            "upper": num(hi),
        });
    }
    out
}
