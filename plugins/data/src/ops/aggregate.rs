//! `aggregate`: aggregates over all rows, as one row. Only what is asked is
//! computed: a column's count, sum, mean and extremes come from one pass
//! over it, shared by every aggregate of that column; its sd takes a second
//! pass, only when asked for.

use std::rc::Rc;

use rustc_hash::FxHashSet;

use crate::column::{Column, ColumnData, MISSING, Quality};
use crate::error::DataError;
use crate::ops::aggs::{self, Agg, Func};
use crate::ops::numeric_values;
use crate::summary::{self, Moments};
use crate::table::Table;

pub fn aggregate(table: &Table, specs: &[String], pointer: &str) -> Result<Table, DataError> {
    if specs.is_empty() {
        return Err(DataError::option(
            format!("{pointer}/aggs"),
            "`aggs` is empty: name at least one aggregate, e.g. [\"count\", \"mean(price)\"]",
        ));
    }
    let list = aggs::parse_all(specs, table, &format!("{pointer}/aggs"))?;
    // Per column, whether any of its aggregates needs the sd pass.
    let mut wants_sd = vec![false; table.columns.len()];
    for a in &list {
        if let (Func::Sd, Some(j)) = (a.func, a.column) {
            wants_sd[j] = true;
        }
    }
    let mut moments: Vec<Option<Moments>> = vec![None; table.columns.len()];
    let mut columns = Vec::with_capacity(list.len());
    let mut names: Vec<String> = Vec::with_capacity(list.len());
    for (i, agg) in list.iter().enumerate() {
        let mut column = one(
            table,
            agg,
            &mut moments,
            &wants_sd,
            &format!("{pointer}/aggs/{i}"),
        )?;
        // The same spec twice gets a suffix: names stay unique.
        let base = column.name.clone();
        let mut k = 2;
        while names.contains(&column.name) {
            column.name = format!("{base}_{k}");
            k += 1;
        }
        names.push(column.name.clone());
        columns.push(column);
    }
    Ok(Table::new(columns, Vec::new()))
}

/// The one-row column of one aggregate.
fn one(
    table: &Table,
    agg: &Agg,
    moments: &mut [Option<Moments>],
    wants_sd: &[bool],
    pointer: &str,
) -> Result<Column, DataError> {
    let number = |value: f64, integer: bool| Column {
        name: agg.label.clone(),
        data: ColumnData::Number {
            values: vec![value],
            integer,
        },
        quality: Quality::default(),
    };
    let Some(j) = agg.column else {
        return Ok(number(table.rows() as f64, true));
    };
    let column = &table.columns[j];
    match (agg.func, &column.data) {
        (Func::Count, ColumnData::Text { codes, .. }) => {
            let n = codes.iter().filter(|&&c| c != MISSING).count();
            return Ok(number(n as f64, true));
        }
        (Func::NUnique, _) => return Ok(number(distinct(column) as f64, true)),
        (Func::Min | Func::Max, ColumnData::Text { codes, dict }) => {
            let rank = dict.ranks();
            let want_max = agg.func == Func::Max;
            let best = codes
                .iter()
                .copied()
                .filter(|&c| c != MISSING)
                .reduce(|b, c| {
                    let c_first = rank[c as usize] < rank[b as usize];
                    if c_first != want_max { c } else { b }
                });
            return Ok(Column {
                name: agg.label.clone(),
                data: ColumnData::Text {
                    codes: vec![best.unwrap_or(MISSING)],
                    dict: Rc::clone(dict),
                },
                quality: Quality::default(),
            });
        }
        _ => {}
    }
    let (values, integer) = numeric_values(column, pointer, aggs::name(agg.func))?;
    if agg.func == Func::Median {
        let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        return Ok(number(
            summary::median(&mut present).unwrap_or(f64::NAN),
            false,
        ));
    }
    let m = *moments[j].get_or_insert_with(|| summary::moments(values, wants_sd[j]));
    Ok(match agg.func {
        Func::Count => number(m.count as f64, true),
        // A sum of nothing is 0, as in group_by.
        Func::Sum => number(m.sum, integer),
        Func::Mean => number(m.mean, false),
        Func::Sd => number(m.sd, false),
        Func::Min => number(m.min, integer),
        Func::Max => number(m.max, integer),
        Func::Median | Func::NUnique => unreachable!("handled above"),
    })
}

/// Distinct values of a column, missing left out; -0 and 0 are one value.
fn distinct(column: &Column) -> usize {
    match &column.data {
        ColumnData::Text { codes, dict } => {
            let mut used = vec![false; dict.values.len()];
            for &c in codes {
                if c != MISSING {
                    used[c as usize] = true;
                }
            }
            used.iter().filter(|&&u| u).count()
        }
        ColumnData::Number { values, .. } => {
            let mut seen: FxHashSet<u64> = FxHashSet::default();
            for v in values.iter().filter(|v| !v.is_nan()) {
                seen.insert((v + 0.0).to_bits());
            }
            seen.len()
        }
    }
}
