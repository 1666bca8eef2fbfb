//! Columnar storage: numbers as f64 (NaN for missing), text as codes into a
//! shared dictionary of distinct values.

use std::cmp::Ordering;
use std::rc::Rc;

/// The code of a missing text cell.
pub const MISSING: u32 = u32::MAX;

/// The distinct values of a text column; cells refer to them by index.
#[derive(Debug, Default)]
pub struct Dictionary {
    pub values: Vec<Box<str>>,
}

impl Dictionary {
    /// For each code, its rank among the values in byte order, so that codes
    /// compare like the text they stand for.
    pub fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.values[a as usize].cmp(&self.values[b as usize]));
        let mut rank = vec![0u32; self.values.len()];
        for (r, &code) in order.iter().enumerate() {
            rank[code as usize] = r as u32;
        }
        rank
    }
}

#[derive(Clone, Debug)]
pub enum ColumnData {
    Number {
        values: Vec<f64>,
        /// Every value was written as an integer.
        integer: bool,
    },
    Text {
        codes: Vec<u32>,
        dict: Rc<Dictionary>,
    },
}

/// Where a row is in the input: the 1-based line of CSV and JSON Lines, or
/// the 1-based record of a JSON array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Line(usize),
    Record(usize),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// A cell that made a column what it is, for messages.
#[derive(Clone, Debug, PartialEq)]
pub struct CellRef {
    pub at: Place,
    pub text: String,
}

/// What loading had to do to a column, reported alongside any result.
#[derive(Clone, Debug, Default)]
pub struct Quality {
    /// Cells of a numeric column that were not numbers and were counted as
    /// missing (only when asked to, with `bad_numbers: "missing"`).
    pub invalid: usize,
    pub first_invalid: Option<CellRef>,
    /// For a text column: the first cell that was not a number, which is why
    /// the column is text, and how many rows before it were numbers or
    /// missing.
    pub first_non_number: Option<CellRef>,
    pub rows_before_text: usize,
    /// Text cells that were not valid UTF-8 and were read with U+FFFD.
    pub not_utf8: usize,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
    pub quality: Quality,
}

/// The kind of a column as reported to users.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Number,
    Text,
    /// Text whose every value is an ISO date (`2024-03-15`, optionally with a
    /// time): ordered as text, which is chronological.
    Date,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Number => "number",
            Kind::Text => "text",
            Kind::Date => "date",
        }
    }
}

impl Column {
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Number { values, .. } => values.len(),
            ColumnData::Text { codes, .. } => codes.len(),
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self.data, ColumnData::Number { .. })
    }

    pub fn kind(&self) -> Kind {
        match &self.data {
            ColumnData::Number { integer: true, .. } => Kind::Integer,
            ColumnData::Number { .. } => Kind::Number,
            ColumnData::Text { codes, dict } => {
                let mut used = vec![false; dict.values.len()];
                for &c in codes {
                    if c != MISSING {
                        used[c as usize] = true;
                    }
                }
                let mut any = false;
                for (value, used) in dict.values.iter().zip(used) {
                    if used {
                        if !is_iso_date(value) {
                            return Kind::Text;
                        }
                        any = true;
                    }
                }
                if any { Kind::Date } else { Kind::Text }
            }
        }
    }

    pub fn is_missing(&self, row: usize) -> bool {
        match &self.data {
            ColumnData::Number { values, .. } => values[row].is_nan(),
            ColumnData::Text { codes, .. } => codes[row] == MISSING,
        }
    }

    /// The column restricted to `rows`, in that order.
    pub fn take(&self, rows: &[u32]) -> Column {
        let data = match &self.data {
            ColumnData::Number { values, integer } => ColumnData::Number {
                values: rows.iter().map(|&r| values[r as usize]).collect(),
                integer: *integer,
            },
            ColumnData::Text { codes, dict } => ColumnData::Text {
                codes: rows.iter().map(|&r| codes[r as usize]).collect(),
                dict: Rc::clone(dict),
            },
        };
        Column {
            name: self.name.clone(),
            data,
            quality: self.quality.clone(),
        }
    }

    /// The cell as JSON: a number, a string, or null.
    pub fn json(&self, row: usize) -> serde_json::Value {
        match &self.data {
            ColumnData::Number { values, .. } => crate::render::json_number(values[row]),
            ColumnData::Text { codes, dict } => match codes[row] {
                MISSING => serde_json::Value::Null,
                c => serde_json::Value::String(dict.values[c as usize].to_string()),
            },
        }
    }

    /// A comparator of rows by this column's values, missing values last
    /// whichever the direction.
    pub fn row_order(&self, descending: bool) -> RowOrder<'_> {
        match &self.data {
            ColumnData::Number { values, .. } => RowOrder::Number { values, descending },
            ColumnData::Text { codes, dict } => RowOrder::Text {
                codes,
                rank: dict.ranks(),
                descending,
            },
        }
    }
}

/// Compares rows by one column.
pub enum RowOrder<'a> {
    Number {
        values: &'a [f64],
        descending: bool,
    },
    Text {
        codes: &'a [u32],
        rank: Vec<u32>,
        descending: bool,
    },
}

impl RowOrder<'_> {
    #[inline]
    pub fn compare(&self, a: usize, b: usize) -> Ordering {
        match self {
            RowOrder::Number { values, descending } => {
                let (x, y) = (values[a], values[b]);
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ if *descending => y.total_cmp(&x),
                    _ => x.total_cmp(&y),
                }
            }
            RowOrder::Text {
                codes,
                rank,
                descending,
            } => match (codes[a], codes[b]) {
                (MISSING, MISSING) => Ordering::Equal,
                (MISSING, _) => Ordering::Greater,
                (_, MISSING) => Ordering::Less,
                (x, y) if *descending => rank[y as usize].cmp(&rank[x as usize]),
                (x, y) => rank[x as usize].cmp(&rank[y as usize]),
            },
        }
    }
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space and a time.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape = digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    if !shape {
        return false;
    }
    let month = (b[5] - b'0') * 10 + (b[6] - b'0');
    let day = (b[8] - b'0') * 10 + (b[9] - b'0');
    (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (b.len() == 10 || matches!(b[10], b'T' | b' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_recognised_by_shape_and_range() {
        for s in ["2024-03-15", "1999-12-31T23:59:59", "2024-01-01 08:00"] {
            assert!(is_iso_date(s), "{s}");
        }
        for s in [
            "2024-13-01",
            "2024-3-15",
            "15/03/2024",
            "2024-03-15x",
            "2024-03-00",
        ] {
            assert!(!is_iso_date(s), "{s}");
        }
    }

    #[test]
    fn ranks_follow_byte_order() {
        let dict = Dictionary {
            values: vec!["b".into(), "a".into(), "c".into(), "B".into()],
        };
        assert_eq!(dict.ranks(), vec![2, 1, 3, 0]);
    }
}
