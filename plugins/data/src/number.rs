//! What a cell of text holds: a number, a missing value, or something else.
//!
//! Parsing numbers is most of the cost of reading a numeric CSV, so the usual
//! shapes (`42`, `-3.75`) take a fast path that is exact by construction; the
//! rest goes to the standard library's correctly rounded parser.

use crate::csv::{MASKS, ONES};

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

/// A cell read as `[-]digits[.digits]` with at most eight characters after
/// the sign: `negative` says whether it starts with `-`, and `word` is the
/// eight bytes after that sign (with whatever follows the cell) and `len`
/// the cell's length without it. `None` for anything else, which
/// [`classify`] then decides. Taking the sign apart lets `-0.123456`, nine
/// bytes, take this path.
///
/// Branch-free over the digits: a cell's length varies from row to row, and
/// a loop that stops at the dot or the end mispredicts on nearly every cell.
/// The division that scales the digits is left to the caller: in a loop of
/// its own, divisions overlap instead of stalling the parse. The value is
/// exact by the same argument as [`fast_decimal`]'s.
#[inline(always)]
pub fn short_decimal(negative: bool, word: u64, len: usize) -> Option<ShortDecimal> {
    if len == 0 || len > 8 {
        return None;
    }
    let word = word & MASKS[len];
    let dots = crate::csv::bytes_equal(word, b'.');
    if dots & dots.wrapping_sub(1) != 0 {
        return None;
    }
    // Close the gap the dot leaves: the bytes after it move down by one.
    let (word, digits, frac) = if dots == 0 {
        (word, len, 0)
    } else {
        let dot = (dots.trailing_zeros() / 8) as usize;
        let below = MASKS[dot];
        (
            (word & below) | ((word >> 8) & !below),
            len - 1,
            len - 1 - dot,
        )
    };
    if digits == 0 {
        return None;
    }
    // Digit bytes become 0..=9; anything else has a bit in 0xF0 or is
    // 10..=15, which adding 6 carries into bit 4.
    let x = word ^ ((0x30 * ONES) & MASKS[digits]);
    if x & (0xF0 * ONES) != 0 || (x + 6 * ONES) & (0x10 * ONES) != 0 {
        return None;
    }
    // Leading zeros in front, then pairs, quads and the eight combined.
    let x = x << (8 * (8 - digits));
    let x = (x.wrapping_mul((10 << 8) | 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let x = (x.wrapping_mul((100 << 16) | 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    let mantissa = (x.wrapping_mul((10_000 << 32) | 1) >> 32) as f64;
    Some(ShortDecimal {
        digits: if negative { -mantissa } else { mantissa },
        scale: frac as u8,
        integer: dots == 0,
    })
}

/// A short decimal before its scaling: the value is `digits / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShortDecimal {
    /// The digits as an integer, with the sign: exact in an f64.
    pub digits: f64,
    /// Digits after the dot (at most 7).
    pub scale: u8,
    /// Written without a dot.
    pub integer: bool,
}

#[cfg(test)]
impl ShortDecimal {
    /// The correctly rounded value: one division of exact operands.
    #[inline(always)]
    pub fn value(self) -> f64 {
        scale(self.digits, self.scale)
    }
}

/// `digits / 10^scale`, correctly rounded for the exact operands of a
/// [`ShortDecimal`]; dividing by 10^0 = 1 is exact, so integers need no
/// branch.
#[inline(always)]
pub fn scale(digits: f64, scale: u8) -> f64 {
    digits / POW10[scale as usize]
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
    fn short_decimals_agree_with_classify() {
        // The cell split as the reader splits it, with garbage after the
        // cell, as in a real row.
        let short = |s: &[u8]| {
            let negative = s.first() == Some(&b'-');
            let rest = &s[usize::from(negative)..];
            let mut b = [b'7'; 8];
            let n = rest.len().min(8);
            b[..n].copy_from_slice(&rest[..n]);
            short_decimal(negative, u64::from_le_bytes(b), rest.len())
        };
        let mut checked = 0;
        let alphabet = b"0123456789.-+ eE,x";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 10) as usize;
            let cell: Vec<u8> = (0..len)
                .map(|i| alphabet[((state >> (8 + 5 * i)) % alphabet.len() as u64) as usize])
                .collect();
            if let Some(d) = short(&cell) {
                let (v, integer) = (d.value(), d.integer);
                assert_eq!(
                    classify(&cell),
                    Cell::Number(v, integer),
                    "{:?}",
                    String::from_utf8_lossy(&cell)
                );
                assert_eq!(v.is_sign_negative(), cell.first() == Some(&b'-'));
                checked += 1;
            }
        }
        assert!(checked > 10_000, "only {checked} cells took the short path");
        for (s, v, integer) in [
            ("0", 0.0, true),
            ("7", 7.0, true),
            ("-3", -3.0, true),
            ("99999999", 99_999_999.0, true),
            ("23.04", 23.04, false),
            ("-123.567", -123.567, false),
            ("-0.087698", -0.087698, false),
            ("-12345678", -12_345_678.0, true),
            (".5", 0.5, false),
            ("5.", 5.0, false),
        ] {
            let d = short(s.as_bytes()).unwrap();
            assert_eq!((d.value(), d.integer), (v, integer), "{s}");
        }
        for s in [
            "",
            "-",
            ".",
            "1.2.3",
            "123456789",
            "-123456789",
            "1e5",
            "+1",
            " 1",
            "1-",
            "--1",
            "1,5",
        ] {
            assert_eq!(short(s.as_bytes()), None, "{s}");
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
