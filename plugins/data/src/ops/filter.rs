//! `filter`: the rows where an expression of the `calc` language is true,
//! with columns as variables.
//!
//! Text columns compare with quoted text: every string in play (the values
//! of the text columns the expression uses and its literals) is stood for by
//! its rank in byte order, so `==` and `<` on the ranks are `==` and `<` on
//! the text.

use std::borrow::Cow;

use toolhost_expr::{Data, Expr, ExprError, Text};

use crate::column::{ColumnData, MISSING};
use crate::error::DataError;
use crate::ops::comparisons;
use crate::table::Table;

/// The rows of `table` where `src` holds.
pub fn filter(table: &Table, src: &str, pointer: &str) -> Result<Vec<u32>, DataError> {
    let expr = Expr::parse(src).map_err(|e| expression_error(&e, src, pointer, table))?;
    let (vars, column_of) = variables(table);
    let used: Vec<(usize, usize)> = expr
        .variables()
        .iter()
        .filter_map(|name| {
            let slot = vars.iter().position(|v| v == name)?;
            Some((slot, column_of[slot]))
        })
        .collect();

    // One ordering of all strings in play.
    let literals = expr.text_literals();
    let mut strings: Vec<&str> = literals.clone();
    for &(_, j) in &used {
        if let ColumnData::Text { dict, .. } = &table.columns[j].data {
            strings.extend(dict.values.iter().map(|v| &**v));
        }
    }
    strings.sort_unstable();
    strings.dedup();
    let rank = |s: &str| strings.binary_search(&s).map_or(f64::NAN, |r| r as f64);

    let mut text = Text::new();
    for &(slot, j) in &used {
        if !table.columns[j].is_numeric() {
            text.variable(vars[slot].clone());
        }
    }
    for literal in &literals {
        text.literal(*literal, rank(literal));
    }
    let program = expr
        .compile_with_text(&vars, &Data::new(), &text)
        .map_err(|e| expression_error(&e, src, pointer, table))?;
    // Compiled first all the same: an expression that fails, fails alike.
    if let Some(rows) = comparisons::rows_where(table, src, &vars, &column_of) {
        return Ok(rows);
    }

    // Per used column: its cells as the numbers the program reads.
    let inputs: Vec<(usize, Cow<[f64]>)> = used
        .iter()
        .map(|&(slot, j)| {
            let values = match &table.columns[j].data {
                ColumnData::Number { values, .. } => Cow::Borrowed(values.as_slice()),
                ColumnData::Text { codes, dict } => {
                    let code_rank: Vec<f64> = dict.values.iter().map(|v| rank(v)).collect();
                    Cow::Owned(
                        codes
                            .iter()
                            .map(|&c| {
                                if c == MISSING {
                                    f64::NAN
                                } else {
                                    code_rank[c as usize]
                                }
                            })
                            .collect(),
                    )
                }
            };
            (slot, values)
        })
        .collect();

    let mut row = vec![0.0; vars.len()];
    let mut scratch = program.scratch();
    let mut kept = Vec::new();
    for r in 0..table.rows() {
        for (slot, values) in &inputs {
            row[*slot] = values[r];
        }
        let v = program.eval_with(&row, &mut scratch);
        // NaN (a missing number carried through) is not true.
        if v != 0.0 && !v.is_nan() {
            kept.push(r as u32);
        }
    }
    Ok(kept)
}

/// The variable names of the columns, and the column each stands for.
/// Names that are not identifiers are written with `_` for each other
/// character (and a leading `_` before a digit); names that clash with a
/// constant (`pi`, `e`, ...) or an earlier column are left out.
fn variables(table: &Table) -> (Vec<String>, Vec<usize>) {
    let mut vars = Vec::new();
    let mut column_of = Vec::new();
    for (j, column) in table.columns.iter().enumerate() {
        let name = identifier(&column.name);
        let reserved = toolhost_expr::CONSTANTS.iter().any(|(c, _)| *c == name);
        if !reserved && !vars.contains(&name) {
            vars.push(name);
            column_of.push(j);
        }
    }
    (vars, column_of)
}

/// A column name as an identifier of the expression language.
pub fn identifier(name: &str) -> String {
    let mut id: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    id
}

fn expression_error(e: &ExprError, src: &str, pointer: &str, table: &Table) -> DataError {
    let mut message = e.to_string();
    let renamed: Vec<String> = table
        .columns
        .iter()
        .filter(|c| identifier(&c.name) != c.name)
        .take(5)
        .map(|c| format!("'{}' is {}", c.name, identifier(&c.name)))
        .collect();
    if !renamed.is_empty() {
        message.push_str(&format!(
            " (column names that are not identifiers are written with '_': {})",
            renamed.join(", ")
        ));
    }
    let location = e.location();
    DataError::Expression {
        pointer: pointer.to_owned(),
        message,
        line: location.map(|l| l.line),
        column: location.map(|l| l.column),
        snippet: e.render(src),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_become_identifiers() {
        assert_eq!(identifier("price"), "price");
        assert_eq!(identifier("unit price"), "unit_price");
        assert_eq!(identifier("2020"), "_2020");
        assert_eq!(identifier("€/kg"), "__kg");
        assert_eq!(identifier(""), "_");
    }
}
