//! The operations and the pipeline that runs them in order.

pub mod aggregate;
pub mod aggs;
pub mod comparisons;
pub mod correlation;
pub mod describe;
pub mod filter;
pub mod group_by;
pub mod sort;
pub mod value_counts;

use crate::column::{Column, ColumnData};
use crate::error::DataError;
use crate::input::Op;
use crate::table::Table;

/// Rows taken by `head` and `tail` unless told.
pub const DEFAULT_N: usize = 10;

/// What the last operation produced.
pub enum Outcome {
    Table(Table),
    Describe(Vec<describe::Summary>),
    Correlation(correlation::Correlation),
}

/// One operation that ran, for the report.
pub struct Step {
    pub op: &'static str,
    pub rows_in: usize,
    pub rows_out: usize,
}

/// Runs `ops` in order on `table` (describe when there are none).
pub fn run(mut table: Table, ops: &[Op]) -> Result<(Outcome, Vec<Step>), DataError> {
    let default = [Op::Describe {
        columns: None,
        top: None,
    }];
    let ops = if ops.is_empty() { &default[..] } else { ops };
    let mut steps = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let pointer = format!("/ops/{i}");
        let rows_in = table.rows();
        if matches!(op, Op::Describe { .. } | Op::Correlation { .. }) && i + 1 != ops.len() {
            return Err(DataError::option(
                pointer,
                format!(
                    "{} summarises the table, so it must be the last operation (it is operation {} of {})",
                    op.name(),
                    i + 1,
                    ops.len()
                ),
            ));
        }
        table = match op {
            Op::Describe { columns, top } => {
                let top = top.unwrap_or(describe::DEFAULT_TOP);
                let summaries = describe::describe(table, columns.as_deref(), top, &pointer)?;
                steps.push(Step {
                    op: op.name(),
                    rows_in,
                    rows_out: rows_in,
                });
                return Ok((Outcome::Describe(summaries), steps));
            }
            Op::Correlation { columns } => {
                let c = correlation::correlation(&table, columns.as_deref(), &pointer)?;
                steps.push(Step {
                    op: op.name(),
                    rows_in,
                    rows_out: rows_in,
                });
                return Ok((Outcome::Correlation(c), steps));
            }
            Op::Filter { expr } => {
                let rows = filter::filter(&table, expr, &format!("{pointer}/expr"))?;
                table.take(&rows)
            }
            Op::Select { columns } => select(table, columns, &pointer)?,
            Op::Sort { by } => {
                let rows = sort::sort(&table, by, &pointer)?;
                table.take(&rows)
            }
            Op::Head { n } => {
                let n = n.unwrap_or(DEFAULT_N).min(rows_in) as u32;
                table.take(&(0..n).collect::<Vec<_>>())
            }
            Op::Tail { n } => {
                let n = n.unwrap_or(DEFAULT_N).min(rows_in) as u32;
                let rows = rows_in as u32;
                table.take(&(rows - n..rows).collect::<Vec<_>>())
            }
            Op::GroupBy { by, aggs } => group_by::group_by(&table, by, aggs.as_deref(), &pointer)?,
            Op::Aggregate { aggs } => aggregate::aggregate(&table, aggs, &pointer)?,
            Op::ValueCounts { column } => {
                let j = table.find(column, &format!("{pointer}/column"))?;
                value_counts::value_counts(&table, j)
            }
        };
        steps.push(Step {
            op: op.name(),
            rows_in,
            rows_out: table.rows(),
        });
    }
    Ok((Outcome::Table(table), steps))
}

fn select(table: Table, names: &[String], pointer: &str) -> Result<Table, DataError> {
    if names.is_empty() {
        return Err(DataError::option(
            format!("{pointer}/columns"),
            "`columns` is empty: name at least one column to keep",
        ));
    }
    let chosen: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| table.find(n, &format!("{pointer}/columns/{i}")))
        .collect::<Result<_, _>>()?;
    let Table {
        columns,
        notes,
        unread,
    } = table;
    let mut slots: Vec<Option<Column>> = columns.into_iter().map(Some).collect();
    let mut kept: Vec<Column> = Vec::with_capacity(chosen.len());
    for (i, &j) in chosen.iter().enumerate() {
        match slots[j].take() {
            Some(c) => kept.push(c),
            None => {
                return Err(DataError::option(
                    format!("{pointer}/columns/{i}"),
                    format!("column '{}' is listed twice", names[i]),
                ));
            }
        }
    }
    let mut kept = Table::new(kept, notes);
    kept.unread = unread;
    Ok(kept)
}

/// The numbers of a numeric column, and whether all are integers; for a text
/// column, an error saying why it is text and how to read it as numbers.
pub fn numeric_values<'a>(
    column: &'a Column,
    pointer: &str,
    purpose: &str,
) -> Result<(&'a [f64], bool), DataError> {
    match &column.data {
        ColumnData::Number { values, integer } => Ok((values, *integer)),
        ColumnData::Text { .. } => {
            let why = match &column.quality.first_non_number {
                Some(cell) if column.quality.rows_before_text > 0 => format!(
                    ": {} has {:?}, which is not a number, after {} rows of numbers or missing values",
                    cell.at, cell.text, column.quality.rows_before_text
                ),
                Some(cell) => format!(": {} has {:?}, which is not a number", cell.at, cell.text),
                None => String::new(),
            };
            Err(DataError::NotNumeric {
                pointer: pointer.to_owned(),
                column: column.name.clone(),
                message: format!(
                    "{purpose} needs numbers, but column '{name}' is text{why}. To read it as numbers, pass \"types\": {{\"{name}\": \"number\"}} with \"bad_numbers\": \"missing\"",
                    name = column.name
                ),
            })
        }
    }
}
