//! What a cell of text holds: a number, a missing value, or something else.
//!
//! Parsing numbers is most of the cost of reading a numeric CSV, so the usual
//! shapes (`42`, `-3.75`) take a fast path that is exact by construction; the
//! rest goes to the standard library's correctly rounded parser.

/// A cell read as a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    Missing,
    /// The value, and whether it was written as an integer (no `.` or exponent).
    Number(f64, bool),
    NotNumber,
}

/// Spellings of "no value", as spreadsheets and pandas write them.
const MISSING: &[&[u8]] = &[
    b"NA", b"N/A", b"n/a", b"na", b"NaN", b"nan", b"-nan", b"-NaN", b"null", b"NULL", b"Null",
    b"None", b"none", b"#N/A", b"#NA", b"<NA>", b"-",
];

/// Powers of ten that are exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Whether `cell` spells a missing value (empty, `NA`, `null`, ...).
pub fn is_missing(cell: &[u8]) -> bool {
    let cell = trim(cell);
    cell.is_empty() || MISSING.contains(&cell)
}

/// Reads a cell as a number. Surrounding spaces are ignored; `NaN` counts as
/// missing, since a NaN cannot be told apart from one.
#[inline]
pub fn classify(cell: &[u8]) -> Cell {
    let cell = trim(cell);
    if cell.is_empty() {
        return Cell::Missing;
    }
    if let Some(cell) = fast_decimal(cell) {
        return cell;
    }
    match slow(cell) {
        Some(v) if v.is_nan() => Cell::Missing,
        Some(v) => Cell::Number(v, is_integer_syntax(cell)),
        None if MISSING.contains(&cell) => Cell::Missing,
        None => Cell::NotNumber,
    }
}

#[inline]
fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// `[+-]digits[.digits]` with at most 19 digits in all: the digits form an
/// integer below 2^53 and the scale a power of ten up to 22, so one
/// correctly rounded division gives the correctly rounded value (Clinger's
/// fast path). Anything else returns `None` for the slow path to decide.
#[inline]
fn fast_decimal(s: &[u8]) -> Option<Cell> {
    let (negative, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let mut mantissa: u64 = 0;
    let mut i = 0;
    while i < digits.len() && digits[i].is_ascii_digit() {
        mantissa = mantissa.wrapping_mul(10) + u64::from(digits[i] - b'0');
        i += 1;
    }
    let int_digits = i;
    let mut frac_digits = 0;
    let dot = i < digits.len() && digits[i] == b'.';
    if dot {
        i += 1;
        while i < digits.len() && digits[i].is_ascii_digit() {
            mantissa = mantissa.wrapping_mul(10) + u64::from(digits[i] - b'0');
            i += 1;
            frac_digits += 1;
        }
    }
    if i != digits.len() || int_digits + frac_digits == 0 || int_digits + frac_digits > 19 {
        return None;
    }
    if mantissa >= 1 << 53 || frac_digits >= POW10.len() {
        return None;
    }
    let magnitude = mantissa as f64 / POW10[frac_digits];
    let value = if negative { -magnitude } else { magnitude };
    Some(Cell::Number(value, !dot))
}

fn slow(s: &[u8]) -> Option<f64> {
    // Number syntax is ASCII: anything else is not a number.
    if !s.is_ascii() {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse::<f64>().ok()
}

fn is_integer_syntax(s: &[u8]) -> bool {
    let digits = match s.first() {
        Some(b'-' | b'+') => &s[1..],
        _ => s,
    };
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> (f64, bool) {
        match classify(s.as_bytes()) {
            Cell::Number(v, int) => (v, int),
            other => panic!("{s:?} read as {other:?}"),
        }
    }

    #[test]
    fn fast_and_slow_paths_agree_with_the_standard_parser() {
        for s in [
            "0",
            "-0",
            "42",
            "+7",
            "3.75",
            "-12.5",
            "0.1",
            ".5",
            "5.",
            "123456789012345678",
            "9007199254740993",
            "1e5",
            "2.5E-3",
            "1234567890.123456789",
            "0.000001",
            "99999999999999999999",
            "1e400",
            "-4.9e-324",
            "inf",
        ] {
            let (v, _) = num(s);
            let expected: f64 = s.parse().unwrap();
            assert_eq!(v.to_bits(), expected.to_bits(), "{s}");
        }
    }

    #[test]
    fn integers_are_told_apart_by_their_spelling() {
        assert_eq!(num("42"), (42.0, true));
        assert_eq!(num(" -3 "), (-3.0, true));
        assert_eq!(num("42.0"), (42.0, false));
        assert_eq!(num("4e2"), (400.0, false));
        assert_eq!(
            num("12345678901234567890123"),
            (12345678901234567890123.0, true)
        );
    }

    #[test]
    fn missing_spellings_and_non_numbers() {
        for s in [
            "", "  ", "NA", "N/A", "nan", "NaN", "null", "None", "-", "#N/A",
        ] {
            assert_eq!(classify(s.as_bytes()), Cell::Missing, "{s:?}");
            assert!(is_missing(s.as_bytes()), "{s:?}");
        }
        for s in [
            "abc", "1,5", "1.2.3", "--1", "1e", "e5", ".", "+", "12abc", "1 2", "é",
        ] {
            assert_eq!(classify(s.as_bytes()), Cell::NotNumber, "{s:?}");
            assert!(!is_missing(s.as_bytes()), "{s:?}");
        }
    }
}
