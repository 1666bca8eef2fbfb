//! The commonest filter, comparisons of numeric columns with numbers joined
//! by `&&` (`y > 0.5`, `price >= 10 && qty < 3`), run as column scans
//! instead of through the expression interpreter row by row.
//!
//! Only that exact shape is recognised; anything else (other operators,
//! parentheses, text, functions) is left to the interpreter. The results are
//! the interpreter's: it compares with IEEE semantics too (a missing number,
//! NaN, fails every comparison but `!=`), reads literals with Rust's parser,
//! and `a && b` of two comparisons holds when both do.

use crate::column::ColumnData;
use crate::table::Table;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    /// `k op v` as `v op' k`.
    fn flipped(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            Cmp::Eq | Cmp::Ne => self,
        }
    }
}

/// `column op number`.
#[derive(Debug, PartialEq)]
struct Comparison {
    column: usize,
    cmp: Cmp,
    number: f64,
}

/// The rows where `src` holds, if it is comparisons of numeric columns with
/// numbers joined by `&&`; `None` for any other expression. `vars` are the
/// expression's variable names and `column_of` the column each stands for.
pub fn rows_where(
    table: &Table,
    src: &str,
    vars: &[String],
    column_of: &[usize],
) -> Option<Vec<u32>> {
    let comparisons: Vec<Comparison> = src
        .split("&&")
        .map(|part| comparison(part, vars, column_of))
        .collect::<Option<_>>()?;
    let mut rows: Option<Vec<u32>> = None;
    for c in &comparisons {
        let ColumnData::Number { values, .. } = &table.columns[c.column].data else {
            return None;
        };
        rows = Some(keep(values, c.cmp, c.number, rows.as_deref()));
    }
    rows
}

fn comparison(part: &str, vars: &[String], column_of: &[usize]) -> Option<Comparison> {
    const OPS: [(&str, Cmp); 6] = [
        ("<=", Cmp::Le),
        (">=", Cmp::Ge),
        ("==", Cmp::Eq),
        ("!=", Cmp::Ne),
        ("<", Cmp::Lt),
        (">", Cmp::Gt),
    ];
    let (at, op, cmp) = OPS
        .iter()
        .find_map(|&(op, cmp)| part.find(op).map(|at| (at, op, cmp)))?;
    let (left, right) = (part[..at].trim(), part[at + op.len()..].trim());
    let column = |name: &str| {
        let slot = vars.iter().position(|v| v == name)?;
        is_identifier(name).then_some(column_of[slot])
    };
    if let (Some(column), Some(number)) = (column(left), number(right)) {
        return Some(Comparison {
            column,
            cmp,
            number,
        });
    }
    let (number, column) = (number(left)?, column(right)?);
    Some(Comparison {
        column,
        cmp: cmp.flipped(),
        number,
    })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[-]digits[.digits][e[+-]digits]`, as the language's lexer reads it
/// (a leading `-` is a negation, which is exact).
fn number(s: &str) -> Option<f64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let plain = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    let value: f64 = if plain {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

/// The rows (of `rows`, or of all) whose value compares so with `k`.
fn keep(values: &[f64], cmp: Cmp, k: f64, rows: Option<&[u32]>) -> Vec<u32> {
    match cmp {
        Cmp::Lt => select(values, rows, |v| v < k),
        Cmp::Le => select(values, rows, |v| v <= k),
        Cmp::Gt => select(values, rows, |v| v > k),
        Cmp::Ge => select(values, rows, |v| v >= k),
        Cmp::Eq => select(values, rows, |v| v == k),
        Cmp::Ne => select(values, rows, |v| v != k),
    }
}

#[inline(always)]
fn select(values: &[f64], rows: Option<&[u32]>, holds: impl Fn(f64) -> bool) -> Vec<u32> {
    match rows {
        None => {
            let mut kept = Vec::with_capacity(values.len() / 2);
            for (r, &v) in values.iter().enumerate() {
                if holds(v) {
                    kept.push(r as u32);
                }
            }
            kept
        }
        Some(rows) => rows
            .iter()
            .copied()
            .filter(|&r| holds(values[r as usize]))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_comparisons_with_numbers_are_recognised() {
        let vars = ["y".to_owned(), "x".to_owned()];
        let of = [3, 5];
        let c = |s: &str| comparison(s, &vars, &of);
        assert_eq!(
            c(" y > 0.5 "),
            Some(Comparison {
                column: 3,
                cmp: Cmp::Gt,
                number: 0.5
            })
        );
        assert_eq!(
            c("-1e-3 <= x"),
            Some(Comparison {
                column: 5,
                cmp: Cmp::Ge,
                number: -1e-3
            })
        );
        for s in [
            "y > z",
            "y > 2x",
            "y + 1 > 2",
            "(y) > 1",
            "y > - 1",
            "y > pi",
            "y >= ",
            "1 < 2",
            "y > 1 || x",
            "y > 0x10",
            "y => 1",
        ] {
            assert_eq!(c(s), None, "{s}");
        }
    }
}
