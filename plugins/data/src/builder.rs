//! Building one column cell by cell while its type is being inferred.
//!
//! A column starts numeric and stays so while every cell is a number or
//! missing. The first other cell turns an inferred column into text; the
//! loader then re-reads the earlier cells as text, since their spelling
//! (`1.50`, `007`) is part of a text value.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::column::{CellRef, Column, ColumnData, Dictionary, MISSING, Quality};
use crate::csv::{Batch, Field, MASKS};
use crate::input::BadNumbers;
use crate::number::{self, Cell};

/// How a column's type is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Declared {
    /// Numeric if every cell is a number or missing, text otherwise.
    Infer,
    /// Numeric; what to do with a cell that is not a number.
    Number(BadNumbers),
    Text,
}

#[derive(Default)]
pub struct NumberBuilder {
    values: Vec<f64>,
    /// Scratch: the scale of each short decimal of a batch.
    scales: Vec<u8>,
    integer: bool,
    invalid: usize,
    first_invalid: Option<CellRef>,
}

pub struct TextBuilder {
    codes: Vec<u32>,
    interner: Interner,
    first_non_number: Option<CellRef>,
    rows_before_text: usize,
}

/// The distinct values of a text column and the code of each.
struct Interner {
    values: Vec<Box<str>>,
    /// Raw cell bytes to code; missing spellings map to `MISSING`, so each
    /// distinct spelling is classified once. Cells of up to 15 bytes (most
    /// categories, dates) are keys packed in an integer with their length:
    /// hashing and comparing two words beats hashing and comparing a slice.
    short: FxHashMap<ShortKey, u32>,
    long: FxHashMap<Box<[u8]>, u32>,
    /// A direct-mapped cache in front of `short`: a column of a few hundred
    /// distinct values is interned without touching the hash map.
    recent: Box<[(ShortKey, u32); RECENT]>,
    not_utf8: usize,
}

impl TextBuilder {
    pub fn with_capacity(rows: usize) -> Self {
        TextBuilder {
            codes: Vec::with_capacity(rows),
            interner: Interner {
                values: Vec::new(),
                short: FxHashMap::default(),
                long: FxHashMap::default(),
                // No packed key is zero: the length byte of a key is never 0
                // unless the cell is empty, whose code fills unused entries.
                recent: Box::new([([0, 0], EMPTY_UNSET); RECENT]),
                not_utf8: 0,
            },
            first_non_number: None,
            rows_before_text: 0,
        }
    }

    /// Adds the cell `input[start..end]`.
    #[cfg(test)]
    fn push_range(&mut self, input: &[u8], start: usize, end: usize) {
        let code = self.interner.code_of_range(input, start, end);
        self.codes.push(code);
    }

    pub fn push(&mut self, cell: &[u8]) {
        let code = self.interner.code(cell);
        self.codes.push(code);
    }

    pub fn push_missing(&mut self) {
        self.codes.push(MISSING);
    }

    /// Adds column `j` of `batch`'s rows from `from` on. A function of its
    /// own, so that the compiler gives this loop the registers.
    #[inline(never)]
    pub fn push_batch(&mut self, input: &[u8], batch: &Batch, j: usize, from: usize) {
        let start = self.codes.len();
        // Written by index into room made first: no capacity check per cell.
        self.codes.resize(start + batch.rows() - from, MISSING);
        let codes = &mut self.codes[start..];
        let interner = &mut self.interner;
        for (code, r) in codes.iter_mut().zip(from..batch.rows()) {
            let field = batch.field(r, j);
            *code = if field.escaped {
                interner.code(&field.text(input))
            } else {
                interner.code_of_range(input, field.start, field.end)
            };
        }
    }

    /// Records why an inferred column is text: `cell`, after `rows_before`
    /// rows of numbers or missing values.
    pub fn set_first_non_number(&mut self, cell: CellRef, rows_before: usize) {
        self.first_non_number = Some(cell);
        self.rows_before_text = rows_before;
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn finish(self, name: String) -> Column {
        Column {
            name,
            data: ColumnData::Text {
                codes: self.codes,
                dict: Rc::new(Dictionary {
                    values: self.interner.values,
                }),
            },
            quality: Quality {
                first_non_number: self.first_non_number,
                rows_before_text: self.rows_before_text,
                not_utf8: self.interner.not_utf8,
                ..Quality::default()
            },
        }
    }
}

impl Interner {
    /// The code of the cell `input[start..end]`, reading the whole 16 bytes
    /// around it at once when they are there to read.
    #[inline(always)]
    fn code_of_range(&mut self, input: &[u8], start: usize, end: usize) -> u32 {
        let len = end - start;
        match input.get(start..start + 16) {
            Some(window) if len <= 15 => {
                let word =
                    |i: usize| u64::from_le_bytes(window[i..i + 8].try_into().unwrap_or([0; 8]));
                let key = short_key(word(0), word(8), len);
                self.short_code(key, &input[start..end])
            }
            _ => self.code(&input[start..end]),
        }
    }

    fn code(&mut self, cell: &[u8]) -> u32 {
        match pack(cell) {
            Some(key) => self.short_code(key, cell),
            None => match self.long.get(cell) {
                Some(&c) => c,
                None => {
                    let c = self.insert(cell);
                    self.long.insert(cell.into(), c);
                    c
                }
            },
        }
    }

    #[inline(always)]
    fn short_code(&mut self, key: ShortKey, cell: &[u8]) -> u32 {
        let slot = recent_slot(key);
        let (cached, code) = self.recent[slot];
        if cached == key && code != EMPTY_UNSET {
            return code;
        }
        let code = match self.short.get(&key) {
            Some(&c) => c,
            None => {
                let c = self.insert(cell);
                self.short.insert(key, c);
                c
            }
        };
        self.recent[slot] = (key, code);
        code
    }

    #[cold]
    fn insert(&mut self, cell: &[u8]) -> u32 {
        if number::is_missing(cell) {
            MISSING
        } else {
            let text = match std::str::from_utf8(cell) {
                Ok(s) => s.into(),
                Err(_) => {
                    self.not_utf8 += 1;
                    String::from_utf8_lossy(cell).into()
                }
            };
            self.values.push(text);
            (self.values.len() - 1) as u32
        }
    }
}

impl NumberBuilder {
    pub fn with_capacity(rows: usize) -> Self {
        NumberBuilder {
            values: Vec::with_capacity(rows),
            integer: true,
            ..Default::default()
        }
    }

    /// Adds column `j` of `batch`'s rows from `from` on, up to the first
    /// cell that is neither a number nor missing; returns that cell's row
    /// (or the number of rows, if all were added).
    #[inline(never)]
    pub fn push_batch(&mut self, input: &[u8], batch: &Batch, j: usize, from: usize) -> usize {
        let rows = batch.rows();
        let start = self.values.len();
        // Written by index into room made first: no capacity check per cell.
        self.values.resize(start + rows - from, 0.0);
        self.scales.resize(rows - from, 0);
        let values = &mut self.values[start..];
        let scales = &mut self.scales[..];
        let mut integer = true;
        let mut stop = rows;
        for (k, r) in (from..rows).enumerate() {
            let field = batch.field(r, j);
            let short = if field.escaped {
                None
            } else {
                let len = field.end - field.start;
                let negative = len > 0 && input[field.start] == b'-';
                let sign = usize::from(negative);
                number::short_decimal(negative, window(input, field.start + sign), len - sign)
            };
            if let Some(d) = short {
                values[k] = d.digits;
                scales[k] = d.scale;
                integer &= d.integer;
                continue;
            }
            // Anything else (missing, long, exponents) the general reader decides.
            scales[k] = 0;
            match classify_field(input, field) {
                Cell::Number(v, int) => {
                    values[k] = v;
                    integer &= int;
                }
                Cell::Missing => values[k] = f64::NAN,
                Cell::NotNumber => {
                    stop = r;
                    break;
                }
            }
        }
        let n = stop - from;
        // The divisions in a loop of their own, where they overlap; a scale
        // of 0 divides by 1, which changes nothing, and a batch of integers
        // needs none.
        if !integer {
            for (v, &s) in values[..n].iter_mut().zip(&scales[..n]) {
                *v = number::scale(*v, s);
            }
        }
        self.values.truncate(start + n);
        self.integer &= integer;
        stop
    }

    #[inline(always)]
    pub fn push_value(&mut self, value: f64, integer: bool) {
        self.values.push(value);
        self.integer &= integer;
    }

    pub fn push_missing(&mut self) {
        self.values.push(f64::NAN);
    }

    /// Counts a bad cell as missing, remembering the first.
    pub fn push_invalid(&mut self, cell: CellRef) {
        self.invalid += 1;
        self.first_invalid.get_or_insert(cell);
        self.values.push(f64::NAN);
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn finish(self, name: String) -> Column {
        // A column without a single value is not known to be integer.
        let integer = self.integer && self.values.iter().any(|v| !v.is_nan());
        Column {
            name,
            data: ColumnData::Number {
                values: self.values,
                integer,
            },
            quality: Quality {
                invalid: self.invalid,
                first_invalid: self.first_invalid,
                ..Quality::default()
            },
        }
    }
}

/// What the general reader makes of a cell. Out of the loop, and given the
/// field by value: a field borrowed in the loop would be stored to memory
/// for every cell.
#[cold]
#[inline(never)]
fn classify_field(input: &[u8], field: Field) -> Cell {
    number::classify(&field.text(input))
}

/// The eight bytes at `start` (zeros past the end of `input`).
#[inline(always)]
fn window(input: &[u8], start: usize) -> u64 {
    match input.get(start..start + 8) {
        Some(bytes) => u64::from_le_bytes(bytes.try_into().unwrap_or([0; 8])),
        None => {
            let mut bytes = [0u8; 8];
            let tail = &input[start..];
            bytes[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(bytes)
        }
    }
}

/// Entries of the direct-mapped cache of recent text cells.
const RECENT: usize = 1024;
/// Marks a cache entry that holds nothing (codes never reach it).
const EMPTY_UNSET: u32 = u32::MAX - 1;

/// Up to 15 bytes of a cell and its length, in two words: 64-bit
/// arithmetic is native on every target, 128-bit is not in wasm.
type ShortKey = [u64; 2];

/// The key of a cell of `len` ≤ 15 bytes whose first 16 bytes (and what
/// follows) are `lo` and `hi`: the cell's bytes, zeros after them, and the
/// length in the top byte (which a 15-byte cell leaves free).
#[inline(always)]
fn short_key(lo: u64, hi: u64, len: usize) -> ShortKey {
    let lo = lo & MASKS[len.min(8)];
    let hi = (hi & MASKS[len.saturating_sub(8)]) | ((len as u64) << 56);
    [lo, hi]
}

#[inline(always)]
fn recent_slot(key: ShortKey) -> usize {
    let folded = key[0] ^ key[1].rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize
}

/// The key of a cell of up to 15 bytes; `None` for longer cells.
#[inline(always)]
fn pack(cell: &[u8]) -> Option<ShortKey> {
    if cell.len() > 15 {
        return None;
    }
    let mut bytes = [0u8; 16];
    bytes[..cell.len()].copy_from_slice(cell);
    let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
    Some(short_key(word(0), word(8), cell.len()))
}

/// One column being read from text cells.
pub enum ColumnBuilder {
    Number(NumberBuilder),
    Text(TextBuilder),
}

impl ColumnBuilder {
    pub fn new(declared: Declared, rows: usize) -> Self {
        match declared {
            Declared::Text => ColumnBuilder::Text(TextBuilder::with_capacity(rows)),
            _ => ColumnBuilder::Number(NumberBuilder::with_capacity(rows)),
        }
    }

    pub fn finish(self, name: String) -> Column {
        match self {
            ColumnBuilder::Number(b) => b.finish(name),
            ColumnBuilder::Text(b) => b.finish(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_cells_intern_alike() {
        let mut b = TextBuilder::with_capacity(8);
        let long = "a value longer than fifteen bytes";
        for (i, cell) in ["a", "a\0", "", long, "NA", "a", long, "é"]
            .iter()
            .enumerate()
        {
            if i % 2 == 0 {
                b.push(cell.as_bytes());
            } else {
                // The same cell read from a larger buffer.
                let buffer = format!("{cell}{}", "z".repeat(20));
                b.push_range(buffer.as_bytes(), 0, cell.len());
            }
        }
        let Column {
            data: ColumnData::Text { codes, dict },
            ..
        } = b.finish("c".into())
        else {
            panic!("text column")
        };
        let texts: Vec<Option<&str>> = codes
            .iter()
            .map(|&c| (c != MISSING).then(|| &*dict.values[c as usize]))
            .collect();
        assert_eq!(
            texts,
            [
                Some("a"),
                Some("a\0"),
                None,
                Some(long),
                None,
                Some("a"),
                Some(long),
                Some("é")
            ]
        );
        assert_eq!(dict.values.len(), 4);
    }
}
