//! The call's input: where the table comes from, how to read it, and the
//! operations to run on it. The JSON Schema the host validates against is
//! derived from these types.

use std::collections::BTreeMap;

use toolhost_sdk::{Deserialize, JsonSchema};

/// Rows shown in a table result unless `max_rows` says otherwise.
pub const DEFAULT_MAX_ROWS: usize = 50;
/// The most rows a result may show: a bound on output size.
pub const MAX_ROWS_LIMIT: usize = 10_000;

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Path of a file in a directory the host grants, e.g. `/data/sales.csv`.
    #[serde(default)]
    pub path: Option<String>,
    /// The data itself (CSV, JSON or JSON Lines text), instead of `path`.
    #[serde(default)]
    pub text: Option<String>,
    /// The format; by default from the file extension, else from the content.
    #[serde(default)]
    pub format: Option<Format>,
    /// CSV field delimiter, one character (`","`, `";"`, `"\t"`, `"|"`). By
    /// default `\t` for .tsv files, else sniffed from the first lines among
    /// comma, semicolon, tab and `|` (comma when in doubt).
    #[serde(default)]
    pub delimiter: Option<String>,
    /// Whether the first CSV record holds the column names (default true).
    /// Without a header, columns are named column1, column2, ...
    #[serde(default = "yes")]
    pub header: bool,
    /// Column types to use instead of inferring them: `number` or `text`.
    /// A column is inferred numeric when every cell is a number or missing
    /// (empty, NA, N/A, null, NaN, ...).
    #[serde(default)]
    pub types: BTreeMap<String, ColumnType>,
    /// What a cell that is not a number does in a column declared `number`:
    /// `error` (default) stops with its line and column; `missing` counts it
    /// as missing and reports how many there were.
    #[serde(default)]
    pub bad_numbers: BadNumbers,
    /// Operations, run in order, each on the result of the one before:
    /// filter, select, sort, head, tail, group_by, aggregate and
    /// value_counts give a table; describe and correlation summarise and must come last.
    /// Default: `[{"op": "describe"}]`.
    #[serde(default)]
    pub ops: Vec<Op>,
    /// Most rows shown of a table result (default 50, at most 10000); the
    /// output says how many there are in all.
    #[serde(default)]
    pub max_rows: Option<usize>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    /// CSV with tab delimiters.
    Tsv,
    /// An array of records (objects).
    Json,
    /// One record (object) per line.
    Jsonl,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Number,
    Text,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum BadNumbers {
    #[default]
    Error,
    Missing,
}

/// One operation of the pipeline.
#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Per column: type, count, missing; for numbers mean, sd, min,
    /// quartiles (linear interpolation, as numpy) and max; for text the
    /// number of distinct values and the most frequent ones.
    Describe {
        /// Columns to describe (default: all).
        #[serde(default)]
        columns: Option<Vec<String>>,
        /// How many most frequent values to list for text columns (default 5).
        #[serde(default)]
        top: Option<usize>,
    },
    /// Keep the rows where an expression is true, e.g.
    /// `price > 10 && qty >= 2` or `city == "Paris" || day >= '2024-06-01'`.
    /// Columns are variables (names that are not identifiers are written
    /// with `_` for other characters, e.g. `unit_price`); text compares with
    /// quoted text only. A missing number makes comparisons false.
    Filter {
        /// The row condition, in the expression language of `calc`.
        expr: String,
    },
    /// Keep these columns, in this order.
    Select { columns: Vec<String> },
    /// Order rows by one or more columns (stable; missing values last).
    Sort {
        /// Column names (ascending) or `{"column": "price", "desc": true}`.
        by: Vec<SortKey>,
    },
    /// The first `n` rows (default 10).
    Head {
        #[serde(default)]
        n: Option<usize>,
    },
    /// The last `n` rows (default 10).
    Tail {
        #[serde(default)]
        n: Option<usize>,
    },
    /// One row per distinct combination of the `by` columns (sorted; missing
    /// is a group of its own), with aggregates.
    GroupBy {
        by: Vec<String>,
        /// `count` (rows in the group) or `fn(column)` with fn one of count,
        /// sum, mean, min, max, sd, median, n_unique; e.g. `["count",
        /// "mean(price)"]`.
        /// Default `["count"]`. Missing values are left out of each aggregate.
        #[serde(default)]
        aggs: Option<Vec<String>>,
    },
    /// Aggregates over all rows, as a table of one row with a column per
    /// aggregate; only what is asked is computed. E.g. `["count(x)",
    /// "mean(x)", "sd(x)", "min(x)", "max(x)", "n_unique(city)"]`.
    Aggregate {
        /// `count` (rows) or `fn(column)` with fn one of count (values
        /// present), sum, mean, min, max, sd, median, n_unique (distinct
        /// values). Missing values are left out of each aggregate.
        aggs: Vec<String>,
    },
    /// How often each value of a column occurs, most frequent first, with
    /// its share of the rows; missing values count as a value (null).
    ValueCounts { column: String },
    /// Pearson correlation between numeric columns, each pair over the rows
    /// where both are present.
    Correlation {
        /// Numeric columns (default: all numeric columns).
        #[serde(default)]
        columns: Option<Vec<String>>,
    },
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::Describe { .. } => "describe",
            Op::Filter { .. } => "filter",
            Op::Select { .. } => "select",
            Op::Sort { .. } => "sort",
            Op::Head { .. } => "head",
            Op::Tail { .. } => "tail",
            Op::GroupBy { .. } => "group_by",
            Op::Aggregate { .. } => "aggregate",
            Op::ValueCounts { .. } => "value_counts",
            Op::Correlation { .. } => "correlation",
        }
    }
}

#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(untagged)]
pub enum SortKey {
    Column(String),
    Directed {
        column: String,
        #[serde(default)]
        desc: bool,
    },
}

impl SortKey {
    pub fn column(&self) -> &str {
        match self {
            SortKey::Column(c) | SortKey::Directed { column: c, .. } => c,
        }
    }

    pub fn descending(&self) -> bool {
        matches!(self, SortKey::Directed { desc: true, .. })
    }
}
