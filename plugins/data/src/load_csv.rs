//! Reading CSV into columns in one pass over the bytes.

use std::collections::BTreeMap;

use crate::builder::{ColumnBuilder, Declared, TextBuilder};
use crate::chunks::{Chunks, Reopener};
use crate::column::{CellRef, Place};
use crate::csv::{Batch, BatchReader, MAX_INPUT, RecordError, ScanError, Scanner};
use crate::error::DataError;
use crate::input::{BadNumbers, ColumnType, Op};
use crate::table::Table;

pub struct CsvOptions<'a> {
    pub delimiter: u8,
    pub header: bool,
    pub types: &'a BTreeMap<String, ColumnType>,
    pub bad_numbers: BadNumbers,
    /// The pipeline to run: only the columns it uses are parsed.
    pub ops: &'a [Op],
}

pub fn load(chunks: &mut Chunks, options: &CsvOptions) -> Result<Table, DataError> {
    let delimiter = options.delimiter;
    let Some((first, after)) = first_record(chunks, delimiter)? else {
        return Err(DataError::Malformed {
            at: Place::Line(1),
            column: None,
            message: "the data is empty: no header and no rows".into(),
        });
    };
    let mut notes = Vec::new();
    let (names, data_line) = if options.header {
        let raw: Vec<String> = first.iter().map(|f| f.trim().to_owned()).collect();
        let names = crate::table::unique_names(raw, &mut notes);
        chunks.advance(after.0)?;
        (names, after.1)
    } else {
        let names = (1..=first.len()).map(|i| format!("column{i}")).collect();
        (names, 1)
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

    let data_offset = chunks.offset();
    let estimate = estimate_rows(
        chunks.window(),
        chunks.size().saturating_sub(data_offset),
        delimiter,
        data_line,
    );
    let declared: Vec<Declared> = names
        .iter()
        .map(|n| match options.types.get(n) {
            Some(ColumnType::Number) => Declared::Number(options.bad_numbers),
            Some(ColumnType::Text) => Declared::Text,
            None => Declared::Infer,
        })
        .collect();
    let read = crate::projection::columns_read(options.ops, options.types, &names)
        .unwrap_or_else(|| vec![true; names.len()]);
    // The columns parsed, by index in the record.
    let kept: Vec<usize> = (0..names.len()).filter(|&j| read[j]).collect();
    let mut columns: Vec<ColumnBuilder> = kept
        .iter()
        .map(|&j| ColumnBuilder::new(declared[j], estimate))
        .collect();

    let reading = Reading {
        reopener: chunks.reopener(),
        delimiter,
        data: (data_offset, data_line),
        names: &names,
    };
    for_each_batch(chunks, delimiter, data_line, &names, |window, batch| {
        // Column by column: each loop runs one column's kind of cell.
        for (&j, column) in kept.iter().zip(columns.iter_mut()) {
            reading.push_column(window, column, declared[j], j, batch)?;
        }
        Ok(true)
    })?;
    let columns = columns
        .into_iter()
        .zip(&kept)
        .map(|(b, &j)| b.finish(names[j].clone()))
        .collect();
    let mut table = Table::new(columns, notes);
    table.unread = (0..names.len())
        .filter(|&j| !read[j])
        .map(|j| names[j].clone())
        .collect();
    Ok(table)
}

/// Where a record starts: offset in the window, and line.
type Position = (usize, usize);

/// The first record's texts, and where the record after it starts; `None`
/// if there is no record at all.
fn first_record(
    chunks: &mut Chunks,
    delimiter: u8,
) -> Result<Option<(Vec<String>, Position)>, DataError> {
    let mut fields = Vec::new();
    loop {
        let window = chunks.window();
        let mut scanner = Scanner::new(window, delimiter, 0, 1);
        let scanned = scanner.next_record(&mut fields);
        // The record may go on past a window that is not the whole data.
        if !chunks.complete()
            && !matches!(scanned, Ok(Some(_)) if scanner.position() < window.len())
        {
            chunks.advance(0)?;
            continue;
        }
        if scanned.map_err(|e| malformed(e, &[]))?.is_none() {
            return Ok(None);
        }
        let texts = fields
            .iter()
            .map(|f| String::from_utf8_lossy(&f.text(window)).into_owned())
            .collect();
        return Ok(Some((texts, (scanner.position(), scanner.line()))));
    }
}

/// Calls `each` with every batch of records from the start of the window
/// (which is on `line`) to the end of the data, moving the window on as the
/// batches use it up, until `each` answers `false`. Offsets in a batch are
/// into the window `each` is given with it.
fn for_each_batch(
    chunks: &mut Chunks,
    delimiter: u8,
    line: usize,
    names: &[String],
    mut each: impl FnMut(&[u8], &Batch) -> Result<bool, DataError>,
) -> Result<(), DataError> {
    let width = names.len();
    let mut batch = Batch::new(width);
    let mut at = (0, line);
    loop {
        // A reader per batch: between batches the window may grow or move.
        let window = chunks.window();
        let Some(mut reader) = BatchReader::new(window, delimiter, width, at, chunks.complete())
        else {
            return Err(DataError::Malformed {
                at: Place::Line(at.1),
                column: None,
                message: format!(
                    "{} bytes of CSV would have to be held at once (inline text that large, or a record that long); at most {MAX_INPUT} are supported",
                    window.len()
                ),
            });
        };
        reader
            .next_batch(&mut batch, BATCH_ROWS)
            .map_err(|e| record_error(e, names))?;
        if !each(window, &batch)? {
            return Ok(());
        }
        let (pos, next_line) = reader.position();
        if reader.wants_more() {
            chunks.advance(pos)?;
            at = (0, next_line);
        } else if batch.rows() < BATCH_ROWS {
            return Ok(());
        } else {
            at = (chunks.step(pos)?, next_line);
        }
    }
}

/// Rows per batch: enough to make each column's loop long, few enough for
/// the batch to stay in the cache.
const BATCH_ROWS: usize = 1024;

/// What pushing a batch's cells needs to know of the whole read.
struct Reading<'a> {
    /// To read the data rows again when a column turns out to be text.
    reopener: Reopener<'a>,
    delimiter: u8,
    /// Where the data rows start: byte offset and line.
    data: (u64, usize),
    names: &'a [String],
}

impl Reading<'_> {
    /// Column `j` as text for its first `rows` data rows, read again from
    /// the start: a column inferred numeric until `first` turned out not to
    /// be.
    fn reread_as_text(
        &self,
        j: usize,
        rows: usize,
        first: CellRef,
    ) -> Result<ColumnBuilder, DataError> {
        let mut text = TextBuilder::with_capacity(rows.max(1024) * 2);
        let mut chunks = self.reopener.open(self.data.0)?;
        if rows > 0 {
            for_each_batch(
                &mut chunks,
                self.delimiter,
                self.data.1,
                self.names,
                |window, batch| {
                    for r in 0..batch.rows().min(rows - text.len()) {
                        text.push(&batch.field(r, j).text(window));
                    }
                    Ok(text.len() < rows)
                },
            )?;
        }
        text.set_first_non_number(first, rows);
        Ok(ColumnBuilder::Text(text))
    }

    /// Adds column `j`'s cells of `batch` to `column`; an inferred numeric
    /// column that meets a non-number becomes text there.
    fn push_column(
        &self,
        bytes: &[u8],
        column: &mut ColumnBuilder,
        declared: Declared,
        j: usize,
        batch: &Batch,
    ) -> Result<(), DataError> {
        let rows = batch.rows();
        let mut r = 0;
        while r < rows {
            match column {
                ColumnBuilder::Text(text) => {
                    text.push_batch(bytes, batch, j, r);
                    return Ok(());
                }
                ColumnBuilder::Number(numbers) => {
                    r = numbers.push_batch(bytes, batch, j, r);
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
                            *column = self.reread_as_text(j, numbers.len(), cell)?;
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

/// Rows in the data judged from the first ones in `window` and the size of
/// the rest, so that a million-row column is allocated once rather than
/// regrown a dozen times.
fn estimate_rows(window: &[u8], size: u64, delimiter: u8, line: usize) -> usize {
    const SAMPLE: usize = 64;
    let mut scanner = Scanner::new(window, delimiter, 0, line);
    let mut fields = Vec::new();
    let mut sampled = 0;
    while sampled < SAMPLE {
        match scanner.next_record(&mut fields) {
            Ok(Some(_)) => sampled += 1,
            _ => return sampled,
        }
    }
    let per_row = scanner.position().div_ceil(SAMPLE).max(1);
    // A little headroom: rows further down may be shorter.
    (size as usize) / per_row * 9 / 8 + SAMPLE
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
