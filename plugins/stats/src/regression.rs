//! The `regression` operation: ordinary least squares with one or more named predictors,
//! fitted by Householder QR, summarised as R's summary.lm does (coefficients with standard
//! errors, t statistics, p-values and confidence intervals; R², adjusted R², residual
//! standard error, overall F test).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use statrs::distribution::{ContinuousCDF, FisherSnedecor, StudentsT};
use toolhost_sdk::{ToolError, Value, json};

use crate::Report;
use crate::data::{MAX_OUTPUT_VALUES, Numbers, complete, confidence_level, invalid, mean, token};
use crate::format::{fixed, num, nums, p_value, sig, table};
use crate::hypothesis::Alternative;
use crate::qr::{Qr, QrError};
use crate::t_test::default_level;

const INTERCEPT: &str = "(Intercept)";

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct RegressionInput {
    /// The response: one value per observation.
    pub y: Numbers,
    /// The predictors: an object from column name to values (one per observation, like
    /// y), e.g. {"age": [...], "dose": [...]}; or a single list for one predictor, named
    /// "x". An empty object fits the intercept alone. Coefficients are listed in the order
    /// the names arrive, which through the host is alphabetical (it sorts object keys).
    pub x: Predictors,
    /// Fit an intercept. Default true.
    #[serde(default = "default_true")]
    pub intercept: bool,
    /// Confidence level of the coefficients' intervals. Default 0.95.
    #[serde(default = "default_level")]
    pub conf_level: f64,
    /// Also return the fitted value and residual of every observation. Default false.
    #[serde(default)]
    pub residuals: bool,
}

fn default_true() -> bool {
    true
}

/// Named predictor columns in the order they arrived.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Predictors {
    pub columns: Vec<(String, Vec<f64>)>,
    /// Given as a bare list rather than an object.
    pub single: bool,
}

impl<'de> Deserialize<'de> for Predictors {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Columns;
        impl<'de> Visitor<'de> for Columns {
            type Value = Predictors;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object from predictor name to a list of numbers, or one list")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Predictors, A::Error> {
                let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let Numbers(values) = map.next_value()?;
                    if columns.iter().any(|(n, _)| *n == name) {
                        return Err(de::Error::custom(format!(
                            "predictor `{name}` appears twice in x"
                        )));
                    }
                    columns.push((name, values));
                }
                Ok(Predictors {
                    columns,
                    single: false,
                })
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Predictors, A::Error> {
                let Numbers(values) =
                    Numbers::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Predictors {
                    columns: vec![("x".to_owned(), values)],
                    single: true,
                })
            }
        }
        d.deserialize_any(Columns)
    }
}

impl JsonSchema for Predictors {
    fn schema_name() -> Cow<'static, str> {
        "Predictors".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let list = generator.subschema_for::<Numbers>();
        json_schema!({
            "anyOf": [
                { "type": "object", "additionalProperties": list },
                list
            ]
        })
    }
}

/// One row of the coefficient table.
struct Coefficient {
    name: String,
    estimate: f64,
    std_error: f64,
    t: f64,
    p_value: f64,
    interval: (f64, f64),
}

struct Fit {
    coefficients: Vec<Coefficient>,
    n: usize,
    df_residual: usize,
    sigma: f64,
    r_squared: f64,
    adj_r_squared: f64,
    /// (F, numerator df, denominator df, p-value) when there are slopes to test.
    f_test: Option<(f64, usize, usize, f64)>,
    fitted: Vec<f64>,
    residuals: Vec<f64>,
    warnings: Vec<String>,
}

pub fn run(input: &RegressionInput) -> Result<Report, ToolError> {
    let fit = fit(input)?;
    Ok(Report {
        text: text(input, &fit),
        json: to_json(input, &fit),
    })
}

fn column_pointer(input: &RegressionInput, name: &str) -> String {
    if input.x.single {
        "/x".to_owned()
    } else {
        format!("/x/{}", token(name))
    }
}

fn fit(input: &RegressionInput) -> Result<Fit, ToolError> {
    confidence_level(input.conf_level, "/conf_level")?;
    let y = &input.y.0;
    complete(y, "/y")?;
    let n = y.len();
    for (name, values) in &input.x.columns {
        let pointer = column_pointer(input, name);
        if name == INTERCEPT {
            return Err(invalid(
                &pointer,
                format!(
                    "`{INTERCEPT}` is the intercept's name; rename this column (the intercept is added unless intercept is false)"
                ),
            ));
        }
        if values.len() != n {
            return Err(invalid(
                &pointer,
                format!(
                    "{pointer} has {} values but y has {n}: every predictor needs one value per observation",
                    values.len()
                ),
            ));
        }
        complete(values, &pointer)?;
    }

    if input.residuals && 2 * n > MAX_OUTPUT_VALUES {
        return Err(invalid(
            "/residuals",
            format!(
                "fitted values and residuals for {n} observations are {} numbers; a call returns at most {MAX_OUTPUT_VALUES}: leave out residuals (the summary keeps their quantiles)",
                2 * n
            ),
        ));
    }
    let mut names: Vec<String> = Vec::new();
    let mut design: Vec<Vec<f64>> = Vec::new();
    if input.intercept {
        names.push(INTERCEPT.to_owned());
        design.push(vec![1.0; n]);
    }
    for (name, values) in &input.x.columns {
        names.push(name.clone());
        design.push(values.clone());
    }
    let p = design.len();
    if p == 0 {
        return Err(invalid(
            "/x",
            "no predictors and no intercept: there is nothing to fit",
        ));
    }
    if n <= p {
        return Err(invalid(
            "/y",
            format!(
                "{n} observations for {p} coefficients: least squares with standard errors needs at least {} (one more than the coefficients)",
                p + 1
            ),
        ));
    }

    let qr = Qr::new(&design).map_err(|e| collinearity(input, &names, e))?;
    let beta = qr.solve(y);
    let fitted: Vec<f64> = (0..n)
        .map(|i| design.iter().zip(&beta).map(|(col, b)| col[i] * b).sum())
        .collect();
    let residuals: Vec<f64> = y.iter().zip(&fitted).map(|(a, b)| a - b).collect();
    let rss: f64 = residuals.iter().map(|r| r * r).sum();
    let tss: f64 = if input.intercept {
        let m = mean(y);
        y.iter().map(|v| (v - m) * (v - m)).sum()
    } else {
        y.iter().map(|v| v * v).sum()
    };
    if tss == 0.0 {
        return Err(invalid(
            "/y",
            if input.intercept {
                "y is constant: there is no variation for the predictors to explain"
            } else {
                "y is all zeros: there is nothing to fit"
            },
        ));
    }
    let df_residual = n - p;
    let sigma2 = rss / df_residual as f64;
    let sigma = sigma2.sqrt();
    let null = StudentsT::new(0.0, 1.0, df_residual as f64).expect("df >= 1");
    let coefficients = names
        .iter()
        .zip(&beta)
        .zip(qr.unscaled_variances())
        .map(|((name, &estimate), v)| {
            let std_error = (sigma2 * v).sqrt();
            let t = estimate / std_error;
            Coefficient {
                name: name.clone(),
                estimate,
                std_error,
                t,
                p_value: Alternative::TwoSided.p_value(&null, t),
                interval: Alternative::TwoSided.interval(
                    &null,
                    input.conf_level,
                    estimate,
                    std_error,
                ),
            }
        })
        .collect();
    let intercept_df = usize::from(input.intercept);
    let r_squared = 1.0 - rss / tss;
    let adj_r_squared = 1.0 - (1.0 - r_squared) * (n - intercept_df) as f64 / df_residual as f64;
    let slopes = p - intercept_df;
    let f_test = (slopes > 0).then(|| {
        let f = ((tss - rss) / slopes as f64) / sigma2;
        let p_value = FisherSnedecor::new(slopes as f64, df_residual as f64)
            .map(|d| d.sf(f))
            .unwrap_or(f64::NAN);
        (f, slopes, df_residual, p_value)
    });
    let mut warnings = Vec::new();
    // R's test for a fit too good for its standard errors to mean anything.
    let scale = fitted.iter().map(|f| f * f).sum::<f64>() / n as f64;
    if sigma2 < 1e-30 * scale.max(tss / n as f64) {
        warnings.push(
            "essentially perfect fit: the residuals are rounding noise, so standard errors, t statistics and p-values are unreliable".to_owned(),
        );
    }
    Ok(Fit {
        coefficients,
        n,
        df_residual,
        sigma,
        r_squared,
        adj_r_squared,
        f_test,
        fitted,
        residuals,
        warnings,
    })
}

fn collinearity(input: &RegressionInput, names: &[String], e: QrError) -> ToolError {
    match e {
        QrError::ZeroColumn { column } => invalid(
            &column_pointer(input, &names[column]),
            format!(
                "predictor `{}` is all zeros, so its coefficient cannot be estimated: drop it",
                names[column]
            ),
        ),
        QrError::Collinear {
            column,
            combination,
        } => {
            let name = &names[column];
            let pointer = column_pointer(input, name);
            let largest = combination.iter().fold(0.0f64, |m, (_, c)| m.max(c.abs()));
            // Coefficients at rounding level are not part of the dependence.
            let terms: Vec<(&str, f64)> = combination
                .iter()
                .filter(|(_, c)| c.abs() > 1e-9 * largest)
                .map(|(k, c)| (names[*k].as_str(), *c))
                .collect();
            let which = if terms.len() == 1 && terms[0].0 == INTERCEPT {
                "is constant, so it duplicates the intercept"
            } else {
                "is a linear combination of the predictors before it"
            };
            let formula: Vec<String> = terms
                .iter()
                .map(|(n, c)| {
                    if *n == INTERCEPT {
                        sig(*c, 6)
                    } else {
                        format!("{} × {n}", sig(*c, 6))
                    }
                })
                .collect();
            invalid(
                &pointer,
                format!(
                    "predictor `{name}` {which} (singular design): {name} ≈ {}; drop it or one of the others",
                    formula.join(" + ")
                ),
            )
            .with_details(json!({
                "pointer": pointer,
                "collinear": name,
                "with": terms
                    .iter()
                    .map(|(n, c)| json!({ "name": n, "coefficient": num(*c) }))
                    .collect::<Vec<_>>(),
            }))
        }
    }
}

/// Type-7 quantile (R's default) of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn residual_summary(residuals: &[f64]) -> [f64; 5] {
    let mut sorted = residuals.to_vec();
    sorted.sort_by(f64::total_cmp);
    [0.0, 0.25, 0.5, 0.75, 1.0].map(|p| quantile(&sorted, p))
}

fn formula(input: &RegressionInput) -> String {
    let mut terms: Vec<&str> = input.x.columns.iter().map(|(n, _)| n.as_str()).collect();
    if !input.intercept {
        terms.push("0");
    }
    if terms.is_empty() {
        terms.push("1");
    }
    format!("y ~ {}", terms.join(" + "))
}

fn text(input: &RegressionInput, fit: &Fit) -> String {
    let mut out = format!("Linear regression: {}  (n = {})\n\n", formula(input), fit.n);
    let summary = residual_summary(&fit.residuals);
    out.push_str("Residuals:\n");
    out.push_str(&table(
        &["", "Min", "1Q", "Median", "3Q", "Max"],
        &[std::iter::once(String::new())
            .chain(summary.iter().map(|v| sig(*v, 4)))
            .collect()],
    ));
    out.push_str("\nCoefficients:\n");
    let rows: Vec<Vec<String>> = fit
        .coefficients
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                fixed(c.estimate, 6),
                fixed(c.std_error, 6),
                fixed(c.t, 4),
                p_value(c.p_value),
                fixed(c.interval.0, 5),
                fixed(c.interval.1, 5),
            ]
        })
        .collect();
    let level = sig(100.0 * input.conf_level, 4);
    let (lo, hi) = (format!("{level}% low"), format!("{level}% high"));
    out.push_str(&table(
        &[
            "",
            "Estimate",
            "Std. Error",
            "t value",
            "Pr(>|t|)",
            &lo,
            &hi,
        ],
        &rows,
    ));
    out.push_str(&format!(
        "\nResidual standard error: {} on {} degrees of freedom\n",
        sig(fit.sigma, 4),
        fit.df_residual
    ));
    out.push_str(&format!(
        "Multiple R-squared: {}, Adjusted R-squared: {}\n",
        sig(fit.r_squared, 4),
        sig(fit.adj_r_squared, 4)
    ));
    if let Some((f, df1, df2, p)) = fit.f_test {
        out.push_str(&format!(
            "F-statistic: {} on {df1} and {df2} DF, p-value: {}\n",
            sig(f, 4),
            p_value(p)
        ));
    }
    for w in &fit.warnings {
        out.push_str(&format!("\nwarning: {w}\n"));
    }
    out
}

fn to_json(input: &RegressionInput, fit: &Fit) -> Value {
    let coefficients: Vec<Value> = fit
        .coefficients
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "estimate": num(c.estimate),
                "std_error": num(c.std_error),
                "t": num(c.t),
                "p_value": num(c.p_value),
                "conf_low": num(c.interval.0),
                "conf_high": num(c.interval.1),
            })
        })
        .collect();
    let [min, q1, median, q3, max] = residual_summary(&fit.residuals);
    let mut out = json!({
        "op": "regression",
        "formula": formula(input),
        "n": fit.n,
        "coefficients": coefficients,
        "conf_level": num(input.conf_level),
        "sigma": num(fit.sigma),
        "df_residual": fit.df_residual,
        "r_squared": num(fit.r_squared),
        "adj_r_squared": num(fit.adj_r_squared),
        "residual_summary": {
            "min": num(min), "q1": num(q1), "median": num(median), "q3": num(q3), "max": num(max),
        },
        "warnings": fit.warnings,
    });
    out["f_statistic"] = match fit.f_test {
        Some((f, df1, df2, p)) => json!({
            "value": num(f), "df1": df1, "df2": df2, "p_value": num(p),
        }),
        None => Value::Null,
    };
    if input.residuals {
        out["fitted"] = nums(&fit.fitted);
        out["residuals"] = nums(&fit.residuals);
    }
    out
}
