//! How numbers are written: JSON numbers (non-finite ones as strings, which JSON lacks, as
//! calc does) and short forms for the text summaries, in the manner of R's print methods.

use toolhost_sdk::{Value, json};

/// A JSON number, or "Infinity", "-Infinity" or "NaN".
pub fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else if x.is_nan() {
        json!("NaN")
    } else if x > 0.0 {
        json!("Infinity")
    } else {
        json!("-Infinity")
    }
}

pub fn nums(xs: &[f64]) -> Value {
    Value::Array(xs.iter().map(|&x| num(x)).collect())
}

/// `digits` significant digits, trailing zeros dropped; exponent form for very large or
/// small magnitudes.
pub fn sig(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Inf" } else { "-Inf" }.to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let digits = digits.max(1);
    let magnitude = x.abs().log10().floor() as i32;
    if !(-5..15).contains(&magnitude) {
        let s = format!("{:.*e}", digits - 1, x);
        return trim_exponent(&s);
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    trim_zeros(format!("{x:.decimals$}"))
}

/// A fixed number of significant digits without trimming, so a column lines up.
pub fn fixed(x: f64, digits: usize) -> String {
    if !x.is_finite() || x == 0.0 {
        return sig(x, digits);
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-5..15).contains(&magnitude) {
        return format!("{:.*e}", digits.max(1) - 1, x);
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    format!("{x:.decimals$}")
}

/// A p-value as R prints one: four significant digits, and "< 2.2e-16" below machine
/// precision, where the digits mean nothing.
pub fn p_value(p: f64) -> String {
    if p < 2.2e-16 {
        "< 2.2e-16".to_owned()
    } else {
        sig(p, 4)
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

fn trim_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((mantissa, exponent)) => {
            format!("{}e{}", trim_zeros(mantissa.to_owned()), exponent)
        }
        None => s.to_owned(),
    }
}

/// A table with a left-aligned first column and right-aligned others.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate().take(columns) {
            if i == 0 {
                text.push_str(&format!("{cell:<w$}", w = widths[0]));
            } else {
                text.push_str(&format!("  {cell:>w$}", w = widths[i]));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    for row in rows {
        line(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits_read_like_r() {
        assert_eq!(sig(0.079387, 4), "0.07939");
        assert_eq!(sig(-1.860813, 5), "-1.8608");
        assert_eq!(sig(17.776, 5), "17.776");
        assert_eq!(sig(2.0, 4), "2");
        assert_eq!(sig(1.234e-9, 4), "1.234e-9");
        assert_eq!(fixed(0.5, 4), "0.5000");
    }

    #[test]
    fn tiny_p_values_are_not_given_false_digits() {
        assert_eq!(p_value(1e-300), "< 2.2e-16");
        assert_eq!(p_value(0.002833), "0.002833");
    }

    #[test]
    fn non_finite_json_numbers_become_strings() {
        assert_eq!(num(f64::INFINITY), json!("Infinity"));
        assert_eq!(num(f64::NEG_INFINITY), json!("-Infinity"));
        assert_eq!(num(1.5), json!(1.5));
    }
}
