//! `sort`: a stable order of the rows by one or more columns.

use std::cmp::Ordering;

use crate::column::RowOrder;
use crate::error::DataError;
use crate::input::SortKey;
use crate::table::Table;

/// The rows of `table` ordered by `keys`, earlier keys first; rows equal on
/// every key keep their order, and missing values go last either way.
pub fn sort(table: &Table, keys: &[SortKey], pointer: &str) -> Result<Vec<u32>, DataError> {
    if keys.is_empty() {
        return Err(DataError::option(
            format!("{pointer}/by"),
            "`by` is empty: name at least one column to sort by",
        ));
    }
    let orders: Vec<RowOrder> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let j = table.find(k.column(), &format!("{pointer}/by/{i}"))?;
            Ok(table.columns[j].row_order(k.descending()))
        })
        .collect::<Result<_, DataError>>()?;
    let mut rows: Vec<u32> = (0..table.rows() as u32).collect();
    rows.sort_by(|&a, &b| {
        orders
            .iter()
            .map(|o| o.compare(a as usize, b as usize))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
    Ok(rows)
}
