//! `group_by`: one row per distinct combination of key values, with
//! aggregates of other columns over each group.

use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::column::{Column, ColumnData, MISSING, Quality};
use crate::error::DataError;
use crate::ops::aggs::{self, Agg, Func};
use crate::ops::numeric_values;
use crate::summary;
use crate::table::Table;

pub fn group_by(
    table: &Table,
    by: &[String],
    aggs: Option<&[String]>,
    pointer: &str,
) -> Result<Table, DataError> {
    if by.is_empty() {
        return Err(DataError::option(
            format!("{pointer}/by"),
            "`by` is empty: name at least one column to group by",
        ));
    }
    let keys: Vec<usize> = by
        .iter()
        .enumerate()
        .map(|(i, n)| table.find(n, &format!("{pointer}/by/{i}")))
        .collect::<Result<_, _>>()?;
    let default = ["count".to_owned()];
    let aggs = aggs::parse_all(aggs.unwrap_or(&default), table, &format!("{pointer}/aggs"))?;

    let (group, first_row) = assign_groups(table, &keys);
    let groups = first_row.len();

    // Groups in key order: sort the representative rows.
    let orders: Vec<_> = keys
        .iter()
        .map(|&k| table.columns[k].row_order(false))
        .collect();
    let mut order: Vec<u32> = (0..groups as u32).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (
            first_row[a as usize] as usize,
            first_row[b as usize] as usize,
        );
        orders
            .iter()
            .map(|o| o.compare(ra, rb))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut position = vec![0u32; groups];
    for (p, &g) in order.iter().enumerate() {
        position[g as usize] = p as u32;
    }
    let group: Vec<u32> = group.iter().map(|&g| position[g as usize]).collect();
    let reps: Vec<u32> = order.iter().map(|&g| first_row[g as usize]).collect();

    let mut columns: Vec<Column> = keys.iter().map(|&k| table.columns[k].take(&reps)).collect();
    for (i, agg) in aggs.iter().enumerate() {
        let column = aggregate(table, agg, &group, groups, &format!("{pointer}/aggs/{i}"))?;
        columns.push(column);
    }
    let mut names = Vec::new();
    let columns = columns
        .into_iter()
        .map(|mut c| {
            // An aggregate may share a key's name; keep names unique.
            let mut k = 2;
            let base = c.name.clone();
            while names.contains(&c.name) {
                c.name = format!("{base}_{k}");
                k += 1;
            }
            names.push(c.name.clone());
            c
        })
        .collect();
    Ok(Table::new(columns, Vec::new()))
}

/// The most key combinations renumbered through a table rather than a hash
/// map: 4 MiB of u32.
const DENSE_TABLE_MAX: u64 = 1 << 20;

/// Each row's group (dense, in order of first appearance) and each group's
/// first row.
fn assign_groups(table: &Table, keys: &[usize]) -> (Vec<u32>, Vec<u32>) {
    let rows = table.rows();
    let mut group = vec![0u32; rows];
    let mut count: u64 = 1;
    for &k in keys {
        let (codes, distinct) = key_codes(&table.columns[k]);
        // Combine with the groups so far, then renumber densely: through a
        // table when the combinations are few (a text key's codes are
        // already small), else a hash map.
        let combinations = count * distinct as u64;
        if combinations <= DENSE_TABLE_MAX {
            let mut dense = vec![u32::MAX; combinations as usize];
            let mut next = 0u32;
            for (g, &c) in group.iter_mut().zip(&codes) {
                let slot = &mut dense[(u64::from(*g) * distinct as u64 + u64::from(c)) as usize];
                if *slot == u32::MAX {
                    *slot = next;
                    next += 1;
                }
                *g = *slot;
            }
            count = u64::from(next);
        } else {
            let mut dense: FxHashMap<u64, u32> = FxHashMap::default();
            for (g, &c) in group.iter_mut().zip(&codes) {
                let combined = u64::from(*g) * distinct as u64 + u64::from(c);
                let next = dense.len() as u32;
                *g = *dense.entry(combined).or_insert(next);
            }
            count = dense.len() as u64;
        }
    }
    let mut first_row = vec![u32::MAX; count as usize];
    for (r, &g) in group.iter().enumerate() {
        if first_row[g as usize] == u32::MAX {
            first_row[g as usize] = r as u32;
        }
    }
    (group, first_row)
}

/// Per row a code for its value of the column (missing has its own), and
/// how many codes there are.
pub fn key_codes(column: &Column) -> (Vec<u32>, usize) {
    match &column.data {
        ColumnData::Text { codes, dict } => {
            let missing = dict.values.len() as u32;
            let codes = codes
                .iter()
                .map(|&c| if c == MISSING { missing } else { c })
                .collect();
            (codes, dict.values.len() + 1)
        }
        ColumnData::Number { values, .. } => {
            let mut index: FxHashMap<u64, u32> = FxHashMap::default();
            let codes = values
                .iter()
                .map(|v| {
                    // One code for every NaN; -0 and 0 are one value.
                    let bits = if v.is_nan() {
                        u64::MAX
                    } else {
                        (v + 0.0).to_bits()
                    };
                    let next = index.len() as u32;
                    *index.entry(bits).or_insert(next)
                })
                .collect();
            (codes, index.len())
        }
    }
}

fn aggregate(
    table: &Table,
    agg: &Agg,
    group: &[u32],
    groups: usize,
    pointer: &str,
) -> Result<Column, DataError> {
    let number = |values: Vec<f64>, integer: bool| Column {
        name: agg.label.clone(),
        data: ColumnData::Number { values, integer },
        quality: Quality::default(),
    };
    let Some(j) = agg.column else {
        let mut n = vec![0.0; groups];
        for &g in group {
            n[g as usize] += 1.0;
        }
        return Ok(number(n, true));
    };
    let column = &table.columns[j];
    if agg.func == Func::Count {
        let mut n = vec![0.0; groups];
        for (r, &g) in group.iter().enumerate() {
            if !column.is_missing(r) {
                n[g as usize] += 1.0;
            }
        }
        return Ok(number(n, true));
    }
    if let (ColumnData::Text { codes, dict }, Func::Min | Func::Max) = (&column.data, agg.func) {
        let rank = dict.ranks();
        let mut best = vec![MISSING; groups];
        for (&c, &g) in codes.iter().zip(group) {
            if c == MISSING {
                continue;
            }
            let b = &mut best[g as usize];
            let better =
                *b == MISSING || (agg.func == Func::Min) == (rank[c as usize] < rank[*b as usize]);
            if better {
                *b = c;
            }
        }
        return Ok(Column {
            name: agg.label.clone(),
            data: ColumnData::Text {
                codes: best,
                dict: Rc::clone(dict),
            },
            quality: Quality::default(),
        });
    }
    if agg.func == Func::NUnique {
        return Ok(number(distinct_per_group(column, group, groups), true));
    }
    let (values, integer) = numeric_values(column, pointer, aggs::name(agg.func))?;
    let mut n = vec![0usize; groups];
    let mut sum = vec![0.0; groups];
    for (&v, &g) in values.iter().zip(group) {
        if !v.is_nan() {
            n[g as usize] += 1;
            sum[g as usize] += v;
        }
    }
    let out = match agg.func {
        Func::Sum => return Ok(number(sum, integer)),
        Func::Mean => sum
            .iter()
            .zip(&n)
            .map(|(&s, &k)| if k > 0 { s / k as f64 } else { f64::NAN })
            .collect(),
        Func::Min | Func::Max => {
            let max = agg.func == Func::Max;
            let mut best = vec![f64::NAN; groups];
            for (&v, &g) in values.iter().zip(group) {
                let b = &mut best[g as usize];
                if !v.is_nan() && (b.is_nan() || (v > *b) == max && v != *b) {
                    *b = v;
                }
            }
            return Ok(number(best, integer));
        }
        Func::Sd => {
            let mut m2 = vec![0.0; groups];
            for (&v, &g) in values.iter().zip(group) {
                if !v.is_nan() {
                    let d = v - sum[g as usize] / n[g as usize] as f64;
                    m2[g as usize] += d * d;
                }
            }
            m2.iter()
                .zip(&n)
                .map(|(&m, &k)| {
                    if k > 1 {
                        (m / (k - 1) as f64).sqrt()
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        }
        Func::Median => {
            // Values laid out group after group, then one selection per group.
            let mut start = vec![0usize; groups + 1];
            for g in 0..groups {
                start[g + 1] = start[g] + n[g];
            }
            let mut next = start.clone();
            let mut laid = vec![0.0; start[groups]];
            for (&v, &g) in values.iter().zip(group) {
                if !v.is_nan() {
                    laid[next[g as usize]] = v;
                    next[g as usize] += 1;
                }
            }
            (0..groups)
                .map(|g| summary::median(&mut laid[start[g]..start[g + 1]]).unwrap_or(f64::NAN))
                .collect()
        }
        Func::Count | Func::NUnique => unreachable!("counted above"),
    };
    Ok(number(out, false))
}

/// Per group, how many distinct values the column has there (missing left out).
fn distinct_per_group(column: &Column, group: &[u32], groups: usize) -> Vec<f64> {
    let (codes, _) = key_codes(column);
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    let mut n = vec![0.0; groups];
    for (r, (&c, &g)) in codes.iter().zip(group).enumerate() {
        if column.is_missing(r) {
            continue;
        }
        if seen.insert(u64::from(g) << 32 | u64::from(c)) {
            n[g as usize] += 1.0;
        }
    }
    n
}
