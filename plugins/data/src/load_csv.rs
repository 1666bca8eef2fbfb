//! Reading CSV into columns in one pass over the bytes.

use std::collections::BTreeMap;

use crate::builder::{ColumnBuilder, Declared, TextBuilder};
use crate::column::{CellRef, Place};
use crate::csv::{Batch, BatchReader, Field, MAX_INPUT, RecordError, ScanError, Scanner};
use crate::error::DataError;
use crate::input::{BadNumbers, ColumnType};
use crate::table::Table;

pub struct CsvOptions<'a> {
    pub delimiter: u8,
    pub header: bool,
    pub types: &'a BTreeMap<String, ColumnType>,
    pub bad_numbers: BadNumbers,
}

pub fn load(bytes: &[u8], options: &CsvOptions) -> Result<Table, DataError> {
    let mut scanner = Scanner::new(bytes, options.delimiter, 0, 1);
    let mut fields: Vec<Field> = Vec::new();
    let Some(first_line) = scanner
        .next_record(&mut fields)
        .map_err(|e| malformed(e, &[]))?
    else {
        return Err(DataError::Malformed {
            at: Place::Line(1),
            column: None,
            message: "the data is empty: no header and no rows".into(),
        });
    };
    let mut notes = Vec::new();
    let (names, data_start, data_line) = if options.header {
        let raw: Vec<String> = fields
            .iter()
            .map(|f| String::from_utf8_lossy(&f.text(bytes)).trim().to_owned())
            .collect();
        let names = crate::table::unique_names(raw, &mut notes);
        (names, scanner.position(), scanner.line())
    } else {
        let names = (1..=fields.len()).map(|i| format!("column{i}")).collect();
        (names, 0, first_line)
    };
    for name in options.types.keys() {
        if !names.contains(name) {
            return Err(crate::table::unknown_column(
                &format!("/types/{}", escape_pointer(name)),
                name,
                &names,
            ));
        }
    }

    let estimate = estimate_rows(bytes, options.delimiter, data_start, data_line);
    let declared: Vec<Declared> = names
        .iter()
        .map(|n| match options.types.get(n) {
            Some(ColumnType::Number) => Declared::Number(options.bad_numbers),
            Some(ColumnType::Text) => Declared::Text,
            None => Declared::Infer,
        })
        .collect();
    let mut columns: Vec<ColumnBuilder> = declared
        .iter()
        .map(|&d| ColumnBuilder::new(d, estimate))
        .collect();

    let width = names.len();
    let Some(mut reader) = BatchReader::new(bytes, options.delimiter, width, data_start, data_line)
    else {
        return Err(DataError::Malformed {
            at: Place::Line(data_line),
            column: None,
            message: format!(
                "the data is {} bytes; CSV of {} bytes or more is not supported",
                bytes.len(),
                MAX_INPUT + 1
            ),
        });
    };
    let mut batch = Batch::new(width);
    let reading = Reading {
        bytes,
        delimiter: options.delimiter,
        data: (data_start, data_line),
        names: &names,
    };
    loop {
        reader
            .next_batch(&mut batch, BATCH_ROWS)
            .map_err(|e| record_error(e, &names))?;
        // Column by column: each loop runs one column's kind of cell.
        for (j, column) in columns.iter_mut().enumerate() {
            reading.push_column(column, declared[j], j, &batch)?;
        }
        if batch.rows() < BATCH_ROWS {
            break;
        }
    }
    let columns = columns
        .into_iter()
        .zip(names)
        .map(|(b, name)| b.finish(name))
        .collect();
    Ok(Table::new(columns, notes))
}

/// Rows per batch: enough to make each column's loop long, few enough for
/// the batch to stay in the cache.
const BATCH_ROWS: usize = 1024;

/// What pushing a batch's cells needs to know of the whole read.
struct Reading<'a> {
    bytes: &'a [u8],
    delimiter: u8,
    /// Where the data rows start: byte offset and line.
    data: (usize, usize),
    names: &'a [String],
}

impl Reading<'_> {
    /// Adds column `j`'s cells of `batch` to `column`; an inferred numeric
    /// column that meets a non-number becomes text there.
    fn push_column(
        &self,
        column: &mut ColumnBuilder,
        declared: Declared,
        j: usize,
        batch: &Batch,
    ) -> Result<(), DataError> {
        let bytes = self.bytes;
        let rows = batch.rows();
        let mut r = 0;
        while r < rows {
            match column {
                ColumnBuilder::Text(text) => {
                    for r in r..rows {
                        let field = batch.field(r, j);
                        if field.escaped {
                            text.push(&field.text(bytes));
                        } else {
                            text.push_range(bytes, field.start, field.end);
                        }
                    }
                    return Ok(());
                }
                ColumnBuilder::Number(numbers) => {
                    while r < rows {
                        let field = batch.field(r, j);
                        let pushed = if field.escaped {
                            numbers.push(&field.text(bytes))
                        } else {
                            numbers.push_range(bytes, field.start, field.end)
                        };
                        if pushed.is_err() {
                            break;
                        }
                        r += 1;
                    }
                    if r == rows {
                        return Ok(());
                    }
                    let line = batch.line(r);
                    let cell = CellRef {
                        at: Place::Line(line),
                        text: String::from_utf8_lossy(&batch.field(r, j).text(bytes)).into_owned(),
                    };
                    match declared {
                        Declared::Number(BadNumbers::Missing) => {
                            numbers.push_invalid(cell);
                            r += 1;
                        }
                        Declared::Infer => {
                            // The text branch adds this cell and the rest.
                            *column = reread_as_text(
                                bytes,
                                self.delimiter,
                                self.data,
                                j,
                                numbers.len(),
                                cell,
                            )?;
                        }
                        _ => {
                            return Err(DataError::Malformed {
                                at: Place::Line(line),
                                column: Some(self.names[j].clone()),
                                message: format!(
                                    "{:?} is not a number, but the column is declared `number` (pass \"bad_numbers\": \"missing\" to count such cells as missing instead)",
                                    cell.text
                                ),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Rows in the data judged from the first ones, so that a million-row column
/// is allocated once rather than regrown a dozen times.
fn estimate_rows(bytes: &[u8], delimiter: u8, start: usize, line: usize) -> usize {
    const SAMPLE: usize = 64;
    let mut scanner = Scanner::new(bytes, delimiter, start, line);
    let mut fields = Vec::new();
    let mut sampled = 0;
    while sampled < SAMPLE {
        match scanner.next_record(&mut fields) {
            Ok(Some(_)) => sampled += 1,
            _ => return sampled,
        }
    }
    let per_row = (scanner.position() - start).div_ceil(SAMPLE).max(1);
    // A little headroom: rows further down may be shorter.
    (bytes.len() - start) / per_row * 9 / 8 + SAMPLE
}

/// Column `j` as text for its first `rows` data rows, read again from the
/// start: a column inferred numeric until `first` turned out not to be.
fn reread_as_text(
    bytes: &[u8],
    delimiter: u8,
    (start, line): (usize, usize),
    j: usize,
    rows: usize,
    first: CellRef,
) -> Result<ColumnBuilder, DataError> {
    let mut text = TextBuilder::with_capacity(rows.max(1024) * 2);
    let mut scanner = Scanner::new(bytes, delimiter, start, line);
    let mut fields = Vec::new();
    while text.len() < rows {
        match scanner.next_record(&mut fields) {
            Ok(Some(_)) => text.push(&fields[j].text(bytes)),
            // The first pass read these records without fault.
            _ => unreachable!("records read once read again"),
        }
    }
    text.set_first_non_number(first, rows);
    Ok(ColumnBuilder::Text(text))
}

fn record_error(e: RecordError, names: &[String]) -> DataError {
    match e {
        RecordError::Scan(e) => malformed(e, names),
        RecordError::Ragged { line, found } => ragged(line, found, names),
    }
}

fn malformed(e: ScanError, names: &[String]) -> DataError {
    DataError::Malformed {
        at: Place::Line(e.line),
        column: names.get(e.field).cloned(),
        message: e.message,
    }
}

fn ragged(line: usize, found: usize, names: &[String]) -> DataError {
    let expected = names.len();
    let detail = if found > expected {
        "more fields than columns (an unquoted delimiter inside a value?)".to_owned()
    } else {
        let missing: Vec<&str> = names[found..].iter().map(String::as_str).collect();
        format!("no value for {}", quote_list(&missing))
    };
    DataError::Malformed {
        at: Place::Line(line),
        column: None,
        message: format!(
            "the row has {found} fields but the header has {expected} columns: {detail}"
        ),
    }
}

fn quote_list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("'{n}'")).collect();
    let more = names.len().saturating_sub(5);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A key as a JSON pointer token.
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
