//! Which columns a pipeline reads, so that the loader parses only those
//! (the others are still scanned, so a ragged row is an error as before).
//!
//! The pipeline is walked from its end: what the last operation shows or
//! summarises is needed, and each earlier operation adds the columns it
//! reads (filter, sort) or replaces the set with them (select, group_by,
//! aggregate, value_counts). Any doubt reads every column: a name that is
//! not a column or a filter that does not parse leaves the error, with its
//! "did you mean" over all columns, to the operation.

use std::collections::BTreeMap;

use toolhost_expr::Expr;

use crate::input::{ColumnType, Op};
use crate::ops::aggs;
use crate::ops::filter::identifier;

/// Per column of `header`, whether `ops` read it; `None` when they may read
/// all. Columns with a declared type are read, so that their declared
/// checks still apply.
pub fn columns_read(
    ops: &[Op],
    types: &BTreeMap<String, ColumnType>,
    header: &[String],
) -> Option<Vec<bool>> {
    // Marks a column by name; false if there is no such column.
    let mark = |read: &mut [bool], name: &str| -> bool {
        let mut found = false;
        for (j, h) in header.iter().enumerate() {
            if h == name {
                read[j] = true;
                found = true;
            }
        }
        found
    };
    // What the operations after this one need; `None` is every column.
    // After the last, a table result shows every column it has.
    let mut read: Option<Vec<bool>> = None;
    if ops.is_empty() {
        return None;
    }
    for op in ops.iter().rev() {
        let replaced: Vec<&str> = match op {
            Op::Describe { columns: None, .. } | Op::Correlation { columns: None } => {
                read = None;
                continue;
            }
            Op::Describe {
                columns: Some(c), ..
            }
            | Op::Correlation { columns: Some(c) }
            | Op::Select { columns: c } => c.iter().map(String::as_str).collect(),
            Op::GroupBy { by, aggs } => {
                let mut names: Vec<&str> = by.iter().map(String::as_str).collect();
                for spec in aggs.iter().flatten() {
                    names.extend(aggs::column_named(spec));
                }
                names
            }
            Op::Aggregate { aggs } => aggs.iter().filter_map(|s| aggs::column_named(s)).collect(),
            Op::ValueCounts { column } => vec![column.as_str()],
            // These add to what follows them; while that is every column
            // there is nothing to add.
            Op::Filter { expr } => {
                let Some(read) = read.as_mut() else { continue };
                let expr = Expr::parse(expr).ok()?;
                for var in expr.variables() {
                    let mut found = false;
                    for h in header.iter().filter(|h| identifier(h) == var) {
                        found |= mark(read, h);
                    }
                    if !found {
                        return None;
                    }
                }
                continue;
            }
            Op::Sort { by } => {
                let Some(read) = read.as_mut() else { continue };
                for key in by {
                    if !mark(read, key.column()) {
                        return None;
                    }
                }
                continue;
            }
            Op::Head { .. } | Op::Tail { .. } => continue,
        };
        // What follows is made from these columns alone.
        let mut chosen = vec![false; header.len()];
        for name in replaced {
            if !mark(&mut chosen, name) {
                return None;
            }
        }
        read = Some(chosen);
    }
    let mut read = read?;
    for name in types.keys() {
        mark(&mut read, name);
    }
    // Rows are counted on a column: keep one even when none is named.
    if !read.contains(&true)
        && let Some(first) = read.first_mut()
    {
        *first = true;
    }
    Some(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(ops: serde_json::Value, types: &[&str]) -> Option<Vec<bool>> {
        let ops: Vec<Op> = serde_json::from_value(ops).unwrap();
        let header: Vec<String> = ["id", "cat", "x", "y", "unit price"]
            .map(String::from)
            .to_vec();
        let types = types
            .iter()
            .map(|t| (t.to_string(), ColumnType::Number))
            .collect();
        columns_read(&ops, &types, &header)
    }

    #[test]
    fn a_pipeline_reads_what_its_ops_use_and_no_more() {
        use serde_json::json;
        let (t, f) = (true, false);
        // Filter and sort add their columns to what the group_by uses.
        let query = json!([
            { "op": "filter", "expr": "y > 0.5 && unit_price < 3" },
            { "op": "group_by", "by": ["cat"], "aggs": ["count", "mean(x)"] },
            { "op": "sort", "by": [{ "column": "mean(x)", "desc": true }] },
            { "op": "head", "n": 3 }
        ]);
        assert_eq!(read(query, &[]), Some(vec![f, t, t, t, t]));
        let summary = json!([{ "op": "aggregate", "aggs": ["mean(x)", "n_unique(cat)"] }]);
        assert_eq!(read(summary.clone(), &[]), Some(vec![f, t, t, f, f]));
        // A declared type is read, to be checked.
        assert_eq!(read(summary, &["id"]), Some(vec![t, t, t, f, f]));
        // Counting rows needs one column.
        let count = json!([{ "op": "aggregate", "aggs": ["count"] }]);
        assert_eq!(read(count, &[]), Some(vec![t, f, f, f, f]));
        let described =
            json!([{ "op": "sort", "by": ["id"] }, { "op": "describe", "columns": ["x"] }]);
        assert_eq!(read(described, &[]), Some(vec![t, f, t, f, f]));
    }

    #[test]
    fn any_doubt_reads_every_column() {
        use serde_json::json;
        for ops in [
            json!([]),
            json!([{ "op": "describe" }]),
            json!([{ "op": "filter", "expr": "y > 0.5" }]),
            json!([{ "op": "head" }]),
            // Names that are not columns: the op's error lists them all.
            json!([{ "op": "aggregate", "aggs": ["mean(z)"] }]),
            json!([{ "op": "filter", "expr": "z > 1" }, { "op": "select", "columns": ["x"] }]),
            json!([{ "op": "filter", "expr": "y >" }, { "op": "select", "columns": ["x"] }]),
            json!([{ "op": "select", "columns": ["x", "nope"] }]),
        ] {
            assert_eq!(read(ops.clone(), &[]), None, "{ops}");
        }
    }
}
