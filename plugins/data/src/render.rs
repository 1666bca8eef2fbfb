//! How values are written: JSON numbers, short numbers for people, and
//! aligned text tables.

use serde_json::Value;

/// A number as JSON: NaN (a missing value) is null; infinities, which JSON
/// lacks, are strings.
pub fn json_number(v: f64) -> Value {
    if v.is_finite() {
        serde_json::json!(v)
    } else if v.is_nan() {
        Value::Null
    } else if v > 0.0 {
        Value::String("Infinity".into())
    } else {
        Value::String("-Infinity".into())
    }
}

/// A number for a text table: integers in full, others to about six
/// significant digits, very large or small magnitudes in exponent form.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return String::new();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = v.abs();
    if v == v.trunc() && a < 1e15 {
        return format!("{v:.0}");
    }
    if !(1e-4..1e15).contains(&a) {
        let s = format!("{v:.4e}");
        // 1.2000e5 -> 1.2e5
        return match s.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => s,
        };
    }
    let magnitude = a.log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 9) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// Cells wider than this are cut with an ellipsis.
const MAX_WIDTH: usize = 40;

/// Alignment of a text table's column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// An aligned text table: a header, a rule, then the rows.
pub fn table(header: &[String], align: &[Align], rows: &[Vec<String>]) -> String {
    let cells = |row: &[String]| -> Vec<String> { row.iter().map(|c| fit(c)).collect() };
    let header = cells(header);
    let rows: Vec<Vec<String>> = rows.iter().map(|r| cells(r)).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, row: &[String]| {
        let mut text = String::new();
        for (i, (cell, &w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = w - cell.chars().count();
            if align.get(i) == Some(&Align::Right) {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut out, &header);
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    line(&mut out, &rule);
    for row in &rows {
        line(&mut out, row);
    }
    out
}

/// One line, at most `MAX_WIDTH` characters.
fn fit(cell: &str) -> String {
    let one_line: String = cell
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    if one_line.chars().count() <= MAX_WIDTH {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(MAX_WIDTH - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_short() {
        let cases = [
            (3.0, "3"),
            (-1234567.0, "-1234567"),
            (2.5, "2.5"),
            (1.0 / 3.0, "0.333333"),
            (1234.56789, "1234.57"),
            (0.000123456, "0.000123456"),
            (1.5e-7, "1.5e-7"),
            (2.0e20, "2e20"),
            (f64::NAN, ""),
        ];
        for (v, s) in cases {
            assert_eq!(number(v), s, "{v}");
        }
    }

    #[test]
    fn tables_align_and_cut_long_cells() {
        let header = vec!["name".to_string(), "n".to_string()];
        let rows = vec![
            vec!["a".to_string(), "10".to_string()],
            vec!["x".repeat(50), "2".to_string()],
        ];
        let t = table(&header, &[Align::Left, Align::Right], &rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], format!("name{}   n", " ".repeat(36)));
        assert_eq!(lines[2], format!("a{}  10", " ".repeat(39)));
        assert_eq!(lines[3], format!("{}…   2", "x".repeat(39)));
    }
}
