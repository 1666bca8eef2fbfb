//! `data`: load a table from CSV, JSON or JSON Lines (inline or a granted
//! file) and run a short pipeline on it: describe, filter, select, sort,
//! head/tail, group_by, value_counts, correlation.
//!
//! Everything but `export_tool!` and the sandbox's read-ahead is plain Rust,
//! tested natively. The reading is built for large files: a file read through
//! a moving window (read ahead in the sandbox), a CSV reader that finds fields
//! 64 bytes at a time, columnar storage with text interned, a fast path for
//! short decimals, and quartiles from windows a sample brackets.

mod builder;
mod chunks;
mod column;
mod csv;
mod error;
mod feed;
mod input;
mod load_csv;
mod load_json;
mod number;
mod ops;
mod projection;
#[cfg(target_arch = "wasm32")]
mod read_ahead;
mod render;
mod report;
mod source;
pub mod summary;
mod table;

pub use error::DataError;
pub use input::Input;

use std::time::Instant;

use toolhost_sdk::{LogLevel, Output, Tool, ToolError, ToolInfo, json};

use crate::input::{DEFAULT_MAX_ROWS, Format, MAX_ROWS_LIMIT};
use crate::load_csv::CsvOptions;
use crate::load_json::JsonOptions;
use crate::table::Table;

pub struct DataTool;

impl Tool for DataTool {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "data",
            env!("CARGO_PKG_VERSION"),
            "Explore a table from CSV, JSON (an array of records) or JSON Lines, given inline as \
             `text` or as a `path` in a granted directory. `ops` is a pipeline run in order: \
             filter (an expression over column names, e.g. `price > 10 && city == \"Paris\"`), \
             select, sort, head, tail, group_by (aggregates count, sum, mean, min, max, sd, \
             median, n_unique), aggregate (the same over all rows, as one row; only what is \
             asked is computed), value_counts, and last optionally describe (per column: type, count, \
             missing, mean, sd, min, quartiles, max; top values of text) or correlation \
             (Pearson). With no ops, describes the table. Results come as JSON and as an \
             aligned text table; skipped or unreadable cells are counted in `notes`.",
        )
        .example(
            "Describe inline CSV",
            json!({ "text": "city,price,qty\nParis,12.5,3\nLyon,8,1\nParis,20,2\n" }),
        )
        .example(
            "Filter, sort and show the top rows",
            json!({
                "text": "city,price,qty\nParis,12.5,3\nLyon,8,1\nParis,20,2\n",
                "ops": [
                    { "op": "filter", "expr": "price > 10 && qty >= 2" },
                    { "op": "sort", "by": [{ "column": "price", "desc": true }] },
                    { "op": "head", "n": 5 }
                ]
            }),
        )
        // Runs as shown with the built-in registry, which grants no directory: a file
        // (`"path": "/data/sales.csv"`) needs a `dirs` grant in the user's registry.
        .example(
            "Group rows and aggregate",
            json!({
                "text": "city,price,qty\nParis,12.5,3\nLyon,8,1\nParis,20,2\n",
                "ops": [{ "op": "group_by", "by": ["city"], "aggs": ["count", "mean(price)", "sum(qty)"] }]
            }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let (json, text) = run(&input)?;
        Ok(Output::json(&json).and_text(text))
    }
}

toolhost_sdk::export_tool!(DataTool);

/// Loads the table `input` names, runs its operations and renders the
/// result as JSON and text.
pub fn run(input: &Input) -> Result<(serde_json::Value, String), DataError> {
    let max_rows = match input.max_rows {
        None => DEFAULT_MAX_ROWS,
        Some(n) if n <= MAX_ROWS_LIMIT => n,
        Some(n) => {
            return Err(DataError::option(
                "/max_rows",
                format!("max_rows is {n}; at most {MAX_ROWS_LIMIT} rows are shown per call"),
            ));
        }
    };
    let start = Instant::now();
    let mut source = source::open(input)?;
    let opened = start.elapsed();
    let table = load(&mut source, input)?;
    let parsed = start.elapsed();
    let loaded = report::Loaded::new(&source, &table);
    drop(source);
    let notes = report::load_notes(&table);
    let (outcome, steps) = ops::run(table, &input.ops)?;
    let ran = start.elapsed();
    let rendered = report::render(&loaded, &steps, &notes, &outcome, max_rows);
    // Where the time went, for anyone tuning a large load.
    toolhost_sdk::log(
        LogLevel::Debug,
        &format!(
            "open {:.1} ms, read and parse {:.1} ms, ops {:.1} ms, render {:.1} ms",
            ms(opened),
            ms(parsed - opened),
            ms(ran - parsed),
            ms(start.elapsed() - ran)
        ),
    );
    Ok(rendered)
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Reads the source into a table.
pub fn load(source: &mut source::Source, input: &Input) -> Result<Table, DataError> {
    match source.format {
        Format::Csv | Format::Tsv => load_csv::load(
            &mut source.chunks,
            &CsvOptions {
                delimiter: source.delimiter,
                header: input.header,
                types: &input.types,
                bad_numbers: input.bad_numbers,
                ops: &input.ops,
            },
        ),
        Format::Json | Format::Jsonl => {
            let options = JsonOptions {
                types: &input.types,
                bad_numbers: input.bad_numbers,
            };
            if source.format == Format::Json {
                load_json::load_array(source.chunks.window(), &options)
            } else {
                load_json::load_lines(source.chunks.window(), &options)
            }
        }
    }
}
