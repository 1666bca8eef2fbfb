//! `stats`: probability distributions (density, cdf, survival, quantiles, seeded draws),
//! t tests, chi-squared tests, Pearson and Spearman correlation, and linear regression.
//! One tool; the `op` field picks the operation. Everything here is plain Rust that also
//! runs natively; only `export_tool!` is WebAssembly-specific.

mod chi_squared;
mod correlation;
mod data;
mod distribution;
mod family;
mod format;
mod hypothesis;
mod qr;
mod quantile;
mod regression;
mod schema;
mod seeded;
mod t_test;
mod tails;

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toolhost_sdk::{Output, Tool, ToolError, ToolInfo, Value, json};

pub use chi_squared::ChiSquaredInput;
pub use correlation::CorrelationInput;
pub use distribution::DistributionInput;
pub use regression::RegressionInput;
pub use t_test::TTestInput;

/// The operation and its arguments; see [`schema`] for what each one does.
#[derive(Deserialize, Debug)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Input {
    Distribution(DistributionInput),
    TTest(TTestInput),
    ChiSquaredTest(ChiSquaredInput),
    Correlation(CorrelationInput),
    Regression(RegressionInput),
}

impl JsonSchema for Input {
    fn schema_name() -> Cow<'static, str> {
        "StatsInput".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        schema::input_schema(generator)
    }
}

/// What an operation produced: a summary for people and a JSON object for programs.
pub struct Report {
    pub text: String,
    pub json: Value,
}

pub struct Stats;

impl Tool for Stats {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "stats",
            env!("CARGO_PKG_VERSION"),
            "Statistics: distributions, tests, correlation and regression. Set `op`:\n\
             - distribution: family (normal, student_t, chi_squared, f, exponential, gamma, \
             beta, lognormal, uniform, cauchy, weibull, binomial, poisson, geometric, \
             negative_binomial, hypergeometric) with params; pdf, log_pdf, cdf, sf (upper \
             tail) at points, quantile at probabilities, sample n seeded draws.\n\
             - t_test: x (one sample), x and y (Welch; equal_variances for Student's), or \
             paired; mu, alternative (two-sided, less, greater), conf_level.\n\
             - chi_squared_test: observed counts (with probabilities or expected counts) for \
             goodness of fit, or table (rows of counts) for independence.\n\
             - correlation: x, y, method pearson (Fisher-z interval) or spearman.\n\
             - regression: y and x as {name: values} (or one list): estimates, standard \
             errors, t, p-values, R², adjusted R², F. A collinear predictor is named.\n\
             Results match R and scipy. Missing values (null) are rejected with their position.",
        )
        .example(
            "Normal density, cdf and a quantile",
            json!({
                "op": "distribution", "family": "normal", "params": { "mean": 0, "sd": 1 },
                "pdf": [0, 1], "cdf": [1.96], "quantile": [0.975]
            }),
        )
        .example(
            "Five seeded Poisson draws",
            json!({
                "op": "distribution", "family": "poisson", "params": { "lambda": 3 },
                "sample": 5, "seed": 42
            }),
        )
        .example(
            "Paired t test (R's sleep data)",
            json!({
                "op": "t_test",
                "x": [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0],
                "y": [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4],
                "paired": true
            }),
        )
        .example(
            "Chi-squared test of independence",
            json!({ "op": "chi_squared_test", "table": [[12, 5], [7, 14]] }),
        )
        .example(
            "Spearman correlation, one-sided",
            json!({
                "op": "correlation", "x": [1, 2, 3, 4, 5, 6], "y": [2, 1, 4, 3, 7, 8],
                "method": "spearman", "alternative": "greater"
            }),
        )
        .example(
            "Multiple regression",
            json!({
                "op": "regression",
                "y": [21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8],
                "x": {
                    "wt": [2.62, 2.32, 3.215, 3.44, 3.46, 3.57, 3.19, 3.15],
                    "hp": [110, 93, 110, 175, 105, 245, 62, 95]
                }
            }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let report = match &input {
            Input::Distribution(i) => distribution::run(i)?,
            Input::TTest(i) => t_test::run(i)?,
            Input::ChiSquaredTest(i) => chi_squared::run(i)?,
            Input::Correlation(i) => correlation::run(i)?,
            Input::Regression(i) => regression::run(i)?,
        };
        Ok(Output::text(report.text).and_json(&report.json))
    }
}

toolhost_sdk::export_tool!(Stats);
