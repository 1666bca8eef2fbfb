//! The `chi_squared_test` operation: Pearson's test of goodness of fit (counts against
//! probabilities or expected counts) and of independence (a contingency table), as R's
//! chisq.test and scipy's chisquare / chi2_contingency compute them.

use schemars::JsonSchema;
use serde::Deserialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use toolhost_sdk::{ToolError, Value, json};

use crate::Report;
use crate::data::{Numbers, invalid};
use crate::format::{fixed, num, nums, p_value, sig, table};

/// How far the probabilities' sum may stray from 1 (R's tolerance).
const SUM_TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct ChiSquaredInput {
    /// Goodness of fit: the observed count in each category.
    #[serde(default)]
    pub observed: Option<Numbers>,
    /// Goodness of fit: each category's probability under the null hypothesis, summing
    /// to 1. Default: all categories equally likely.
    #[serde(default)]
    pub probabilities: Option<Numbers>,
    /// Goodness of fit: expected counts instead of probabilities; they must sum to the
    /// observed total.
    #[serde(default)]
    pub expected: Option<Numbers>,
    /// Goodness of fit: how many parameters of the null distribution were estimated from
    /// these counts; each takes a degree of freedom (df = categories − 1 − ddof). Default 0.
    #[serde(default)]
    pub ddof: Option<u32>,
    /// Independence: a contingency table of counts, one list per row (at least 2 × 2).
    #[serde(default)]
    pub table: Option<Vec<Numbers>>,
    /// Independence: apply Yates' continuity correction to a 2 × 2 table, as R and scipy do
    /// by default. Default true; ignored for larger tables.
    #[serde(default)]
    pub correction: Option<bool>,
}

struct Outcome {
    method: String,
    statistic: f64,
    df: f64,
    p_value: f64,
    /// Rows of observed, expected and Pearson residuals (one row for goodness of fit).
    observed: Vec<Vec<f64>>,
    expected: Vec<Vec<f64>>,
    residuals: Vec<Vec<f64>>,
    /// Independence only: residuals standardised by their own variance.
    standardized: Option<Vec<Vec<f64>>>,
    warnings: Vec<String>,
}

pub fn run(input: &ChiSquaredInput) -> Result<Report, ToolError> {
    let outcome = match (&input.observed, &input.table) {
        (Some(observed), None) => goodness_of_fit(input, &observed.0)?,
        (None, Some(rows)) => independence(input, rows)?,
        (Some(_), Some(_)) => {
            return Err(invalid(
                "/table",
                "give `observed` (goodness of fit) or `table` (independence), not both",
            ));
        }
        (None, None) => {
            return Err(invalid(
                "/observed",
                "give `observed`, the counts per category (goodness of fit), or `table`, a contingency table (independence)",
            ));
        }
    };
    Ok(Report {
        text: text(&outcome, input.table.is_some()),
        json: to_json(&outcome, input.table.is_some()),
    })
}

fn counts(values: &[f64], pointer: &str) -> Result<(), ToolError> {
    for (i, v) in values.iter().enumerate() {
        if !(v.is_finite() && *v >= 0.0) {
            return Err(invalid(
                &format!("{pointer}/{i}"),
                format!(
                    "{pointer}/{i} is {}; counts must be numbers >= 0",
                    if v.is_nan() {
                        "null".to_owned()
                    } else {
                        v.to_string()
                    }
                ),
            ));
        }
    }
    Ok(())
}

fn goodness_of_fit(input: &ChiSquaredInput, observed: &[f64]) -> Result<Outcome, ToolError> {
    if input.correction.is_some() {
        return Err(invalid(
            "/correction",
            "the continuity correction applies to a 2 × 2 contingency `table`, not to goodness of fit",
        ));
    }
    counts(observed, "/observed")?;
    let k = observed.len();
    if k < 2 {
        return Err(invalid(
            "/observed",
            format!("/observed has {k} categories; a goodness-of-fit test needs at least 2"),
        ));
    }
    let total: f64 = observed.iter().sum();
    if total <= 0.0 {
        return Err(invalid(
            "/observed",
            "the observed counts are all 0: there is nothing to test",
        ));
    }
    let expected: Vec<f64> = match (&input.probabilities, &input.expected) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "/expected",
                "give `probabilities` or `expected` counts, not both",
            ));
        }
        (Some(Numbers(p)), None) => {
            matching(p, k, "/probabilities")?;
            positive(p, "/probabilities", "probabilities")?;
            let sum: f64 = p.iter().sum();
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                return Err(invalid(
                    "/probabilities",
                    format!(
                        "the probabilities sum to {sum}, not 1: give probabilities summing to 1, or give `expected` counts"
                    ),
                ));
            }
            p.iter().map(|p| p * total).collect()
        }
        (None, Some(Numbers(e))) => {
            matching(e, k, "/expected")?;
            positive(e, "/expected", "expected counts")?;
            let sum: f64 = e.iter().sum();
            // scipy's check: the totals agree to a relative 1e-8.
            if (sum - total).abs() > 1e-8 * sum.max(total) {
                return Err(invalid(
                    "/expected",
                    format!(
                        "the expected counts sum to {sum} but the observed counts to {total}; they must agree (or give `probabilities`)"
                    ),
                ));
            }
            e.clone()
        }
        (None, None) => vec![total / k as f64; k],
    };
    let ddof = input.ddof.unwrap_or(0) as usize;
    if ddof + 1 >= k {
        return Err(invalid(
            "/ddof",
            format!(
                "ddof = {ddof} leaves {} degrees of freedom from {k} categories; it must leave at least 1",
                k as i64 - 1 - ddof as i64
            ),
        ));
    }
    let df = (k - 1 - ddof) as f64;
    let statistic: f64 = observed
        .iter()
        .zip(&expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum();
    let residuals: Vec<f64> = observed
        .iter()
        .zip(&expected)
        .map(|(o, e)| (o - e) / e.sqrt())
        .collect();
    let warnings = small_expected(&expected);
    Ok(Outcome {
        method: "Chi-squared test for given probabilities".to_owned(),
        statistic,
        df,
        p_value: p_value_of(statistic, df),
        observed: vec![observed.to_vec()],
        expected: vec![expected],
        residuals: vec![residuals],
        standardized: None,
        warnings,
    })
}

fn matching(values: &[f64], k: usize, pointer: &str) -> Result<(), ToolError> {
    if values.len() != k {
        return Err(invalid(
            pointer,
            format!(
                "{pointer} has {} values but /observed has {k} categories; give one per category",
                values.len()
            ),
        ));
    }
    Ok(())
}

fn positive(values: &[f64], pointer: &str, what: &str) -> Result<(), ToolError> {
    for (i, v) in values.iter().enumerate() {
        if !(v.is_finite() && *v > 0.0) {
            return Err(invalid(
                &format!("{pointer}/{i}"),
                format!(
                    "{pointer}/{i} is {}; {what} must be > 0 (drop a category that cannot occur)",
                    if v.is_nan() {
                        "null".to_owned()
                    } else {
                        v.to_string()
                    }
                ),
            ));
        }
    }
    Ok(())
}

fn independence(input: &ChiSquaredInput, rows: &[Numbers]) -> Result<Outcome, ToolError> {
    for (field, given) in [
        ("probabilities", input.probabilities.is_some()),
        ("expected", input.expected.is_some()),
        ("ddof", input.ddof.is_some()),
    ] {
        if given {
            return Err(invalid(
                &format!("/{field}"),
                format!(
                    "`{field}` is for goodness of fit (`observed`); a contingency table's expected counts come from its margins"
                ),
            ));
        }
    }
    let r = rows.len();
    let c = rows.first().map_or(0, |row| row.0.len());
    if r < 2 || c < 2 {
        return Err(invalid(
            "/table",
            format!(
                "the table is {r} × {c}; a test of independence needs at least 2 rows and 2 columns (for one list of counts use `observed`)"
            ),
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let pointer = format!("/table/{i}");
        if row.0.len() != c {
            return Err(invalid(
                &pointer,
                format!(
                    "row {i} has {} counts but row 0 has {c}: every row needs one count per column",
                    row.0.len()
                ),
            ));
        }
        counts(&row.0, &pointer)?;
    }
    let observed: Vec<Vec<f64>> = rows.iter().map(|row| row.0.clone()).collect();
    let row_sums: Vec<f64> = observed.iter().map(|row| row.iter().sum()).collect();
    let col_sums: Vec<f64> = (0..c)
        .map(|j| observed.iter().map(|row| row[j]).sum())
        .collect();
    if let Some(i) = row_sums.iter().position(|&s| s <= 0.0) {
        return Err(invalid(
            &format!("/table/{i}"),
            format!("row {i} is all zeros, so its expected counts are 0: drop it"),
        ));
    }
    if let Some(j) = col_sums.iter().position(|&s| s <= 0.0) {
        return Err(invalid(
            "/table",
            format!("column {j} is all zeros, so its expected counts are 0: drop it"),
        ));
    }
    let total: f64 = row_sums.iter().sum();
    let expected: Vec<Vec<f64>> = row_sums
        .iter()
        .map(|ri| col_sums.iter().map(|cj| ri * cj / total).collect())
        .collect();
    let yates = r == 2 && c == 2 && input.correction.unwrap_or(true);
    let mut statistic = 0.0;
    for (o_row, e_row) in observed.iter().zip(&expected) {
        for (o, e) in o_row.iter().zip(e_row) {
            let gap = (o - e).abs();
            // Yates: move each count up to half a unit towards its expectation.
            let gap = if yates { gap - gap.min(0.5) } else { gap };
            statistic += gap * gap / e;
        }
    }
    let df = ((r - 1) * (c - 1)) as f64;
    let residuals: Vec<Vec<f64>> = observed
        .iter()
        .zip(&expected)
        .map(|(o_row, e_row)| {
            o_row
                .iter()
                .zip(e_row)
                .map(|(o, e)| (o - e) / e.sqrt())
                .collect()
        })
        .collect();
    let standardized: Vec<Vec<f64>> = observed
        .iter()
        .enumerate()
        .map(|(i, o_row)| {
            o_row
                .iter()
                .enumerate()
                .map(|(j, o)| {
                    let e = expected[i][j];
                    let v = e * (1.0 - row_sums[i] / total) * (1.0 - col_sums[j] / total);
                    (o - e) / v.sqrt()
                })
                .collect()
        })
        .collect();
    let warnings = small_expected(&expected.concat());
    Ok(Outcome {
        method: if yates {
            "Pearson's Chi-squared test with Yates' continuity correction".to_owned()
        } else {
            "Pearson's Chi-squared test".to_owned()
        },
        statistic,
        df,
        p_value: p_value_of(statistic, df),
        observed,
        expected,
        residuals,
        standardized: Some(standardized),
        warnings,
    })
}

fn p_value_of(statistic: f64, df: f64) -> f64 {
    ChiSquared::new(df)
        .map(|d| d.sf(statistic))
        .unwrap_or(f64::NAN)
}

/// The chi-squared approximation is doubtful when expected counts are small (R warns
/// under 5).
fn small_expected(expected: &[f64]) -> Vec<String> {
    let small = expected.iter().filter(|&&e| e < 5.0).count();
    if small == 0 {
        Vec::new()
    } else {
        vec![format!(
            "{small} of {} expected counts are below 5: the chi-squared approximation may be inaccurate",
            expected.len()
        )]
    }
}

fn text(o: &Outcome, is_table: bool) -> String {
    let mut out = format!("{}\n\n", o.method);
    out.push_str(&format!(
        "X-squared = {}, df = {}, p-value = {}\n",
        sig(o.statistic, 5),
        sig(o.df, 5),
        p_value(o.p_value)
    ));
    if is_table {
        let columns = o.expected[0].len();
        let mut header: Vec<String> = vec!["expected".to_owned()];
        header.extend((0..columns).map(|j| format!("col {j}")));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = o
            .expected
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut cells = vec![format!("row {i}")];
                cells.extend(row.iter().map(|e| fixed(*e, 4)));
                cells
            })
            .collect();
        out.push('\n');
        out.push_str(&table(&header, &rows));
    } else {
        let rows: Vec<Vec<String>> = (0..o.observed[0].len())
            .map(|i| {
                vec![
                    i.to_string(),
                    sig(o.observed[0][i], 6),
                    fixed(o.expected[0][i], 4),
                    fixed(o.residuals[0][i], 4),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(
            &["category", "observed", "expected", "residual"],
            &rows,
        ));
    }
    for w in &o.warnings {
        out.push_str(&format!("\nwarning: {w}\n"));
    }
    out
}

fn to_json(o: &Outcome, is_table: bool) -> Value {
    let grid = |rows: &[Vec<f64>]| -> Value {
        if is_table {
            Value::Array(rows.iter().map(|r| nums(r)).collect())
        } else {
            nums(&rows[0])
        }
    };
    let mut out = json!({
        "op": "chi_squared_test",
        "method": o.method,
        "statistic": num(o.statistic),
        "df": num(o.df),
        "p_value": num(o.p_value),
        "expected": grid(&o.expected),
        "residuals": grid(&o.residuals),
        "warnings": o.warnings,
    });
    if let Some(s) = &o.standardized {
        out["standardized_residuals"] = grid(s);
    }
    out
}
