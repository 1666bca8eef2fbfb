//! Aggregate specs, as `group_by` and `aggregate` take them: `count` (rows)
//! or `fn(column)`.

use crate::error::DataError;
use crate::table::Table;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Count,
    Sum,
    Mean,
    Min,
    Max,
    Sd,
    Median,
    /// Distinct values, missing left out.
    NUnique,
}

const FUNCS: [(&str, Func); 8] = [
    ("count", Func::Count),
    ("sum", Func::Sum),
    ("mean", Func::Mean),
    ("min", Func::Min),
    ("max", Func::Max),
    ("sd", Func::Sd),
    ("median", Func::Median),
    ("n_unique", Func::NUnique),
];

/// One aggregate, its column found in the table.
pub struct Agg {
    pub func: Func,
    /// `None` for `count` of rows.
    pub column: Option<usize>,
    /// The spec without spaces: the name of the result column.
    pub label: String,
}

/// The function and column name a spec is written with.
struct Spec<'a> {
    func: Func,
    column: Option<&'a str>,
}

fn split(spec: &str) -> Result<Spec<'_>, String> {
    let spec = spec.trim();
    let (name, column) = match spec.split_once('(') {
        Some((f, rest)) if rest.ends_with(')') => {
            let inner = rest[..rest.len() - 1].trim();
            let inner = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(inner);
            (f.trim(), Some(inner))
        }
        Some(_) => {
            return Err(format!(
                "aggregate {spec:?} has no closing ')': write e.g. \"mean(price)\""
            ));
        }
        None => (spec, None),
    };
    let Some(&(_, func)) = FUNCS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
        let hint = match name.to_ascii_lowercase().as_str() {
            "avg" | "average" => " (did you mean 'mean'?)",
            "std" | "stdev" | "stddev" => " (did you mean 'sd'?)",
            "n" | "size" | "len" => " (did you mean 'count'?)",
            "nunique" | "distinct" | "n_distinct" | "count_distinct" => {
                " (did you mean 'n_unique'?)"
            }
            _ => "",
        };
        return Err(format!(
            "unknown aggregate '{name}'{hint}: use count, or fn(column) with fn one of count, sum, mean, min, max, sd, median, n_unique"
        ));
    };
    if column.is_none() && func != Func::Count {
        return Err(format!(
            "aggregate '{name}' needs a column: write e.g. \"{name}(price)\""
        ));
    }
    Ok(Spec { func, column })
}

/// The column a spec names, if it is a well-formed spec naming one.
pub fn column_named(spec: &str) -> Option<&str> {
    split(spec).ok()?.column
}

/// `count`, or `fn(column)` with the column found in `table`; `pointer`
/// locates the spec in the input.
pub fn parse(spec: &str, table: &Table, pointer: &str) -> Result<Agg, DataError> {
    let parsed = split(spec).map_err(|m| DataError::option(pointer, m))?;
    let column = match parsed.column {
        Some(c) => Some(table.find(c, pointer)?),
        None => None,
    };
    Ok(Agg {
        func: parsed.func,
        column,
        label: spec.trim().replace(' ', ""),
    })
}

/// Every spec of `specs` parsed; `pointer` locates the list.
pub fn parse_all(specs: &[String], table: &Table, pointer: &str) -> Result<Vec<Agg>, DataError> {
    specs
        .iter()
        .enumerate()
        .map(|(i, a)| parse(a, table, &format!("{pointer}/{i}")))
        .collect()
}

/// The function's name as written in specs.
pub fn name(f: Func) -> &'static str {
    FUNCS.iter().find(|(_, g)| *g == f).map_or("", |(n, _)| n)
}
