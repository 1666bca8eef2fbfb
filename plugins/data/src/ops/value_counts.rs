//! `value_counts`: how often each value of a column occurs.

use crate::column::{Column, ColumnData, MISSING, Quality};
use crate::table::Table;

/// A table of the distinct values of column `j` (missing included, as an
/// empty cell), their counts and shares of the rows, most frequent first and
/// ties in value order.
pub fn value_counts(table: &Table, j: usize) -> Table {
    let column = &table.columns[j];
    let rows = column.len();
    // One representative row per distinct value, with its count.
    let mut first: Vec<u32> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    match &column.data {
        ColumnData::Text { codes, dict } => {
            let mut slot = vec![u32::MAX; dict.values.len() + 1];
            for (r, &c) in codes.iter().enumerate() {
                let k = if c == MISSING {
                    dict.values.len()
                } else {
                    c as usize
                };
                if slot[k] == u32::MAX {
                    slot[k] = first.len() as u32;
                    first.push(r as u32);
                    counts.push(0);
                }
                counts[slot[k] as usize] += 1;
            }
        }
        ColumnData::Number { values, .. } => {
            let mut slot: rustc_hash::FxHashMap<u64, u32> = Default::default();
            for (r, v) in values.iter().enumerate() {
                let bits = if v.is_nan() {
                    u64::MAX
                } else {
                    (v + 0.0).to_bits()
                };
                let next = first.len() as u32;
                let s = *slot.entry(bits).or_insert(next);
                if s == next {
                    first.push(r as u32);
                    counts.push(0);
                }
                counts[s as usize] += 1;
            }
        }
    }
    let by_value = column.row_order(false);
    let mut order: Vec<usize> = (0..first.len()).collect();
    order.sort_by(|&a, &b| {
        counts[b]
            .cmp(&counts[a])
            .then_with(|| by_value.compare(first[a] as usize, first[b] as usize))
    });
    let reps: Vec<u32> = order.iter().map(|&i| first[i]).collect();
    let mut values = column.take(&reps);
    values.quality = Quality::default();
    let count: Vec<f64> = order.iter().map(|&i| counts[i] as f64).collect();
    let share: Vec<f64> = count.iter().map(|&c| c / rows.max(1) as f64).collect();
    let number = |name: &str, values: Vec<f64>, integer: bool| Column {
        name: name.to_owned(),
        data: ColumnData::Number { values, integer },
        quality: Quality::default(),
    };
    let mut count_name = "count".to_owned();
    if values.name == count_name {
        count_name = "count_2".to_owned();
    }
    Table::new(
        vec![
            values,
            number(&count_name, count, true),
            number("share", share, false),
        ],
        Vec::new(),
    )
}
