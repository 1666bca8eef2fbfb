//! Matrices and right-hand sides as they arrive (JSON arrays of rows), and the checks
//! every operation makes on them: rectangular, finite, square where needed, shapes that
//! agree. Each failure names the field by JSON pointer, down to the row or entry.

use std::borrow::Cow;

use faer::Mat;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use toolhost_sdk::{ToolError, Value, json};

/// Rows or columns a matrix may have: a bound on the work one call can ask for (a
/// 4,000×4,000 matrix is 128 MB of JSON, far past any sensible call).
pub const MAX_DIM: usize = 4_000;

/// A matrix as a list of rows, checked only as it is read (numbers, nested lists;
/// [`crate::parse`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rows(pub Vec<Vec<f64>>);

/// Rows written as slices, for the operations' unit tests.
#[cfg(test)]
pub fn rows(v: &[&[f64]]) -> Rows {
    Rows(v.iter().map(|r| r.to_vec()).collect())
}

impl JsonSchema for Rows {
    fn schema_name() -> Cow<'static, str> {
        "Matrix".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "array",
            "description": "A matrix as a list of rows, each a list of numbers of the same length, e.g. [[1, 2], [3, 4]].",
            "minItems": 1,
            "items": { "type": "array", "minItems": 1, "items": { "type": "number" } }
        })
    }
}

/// A right-hand side or second operand: one vector (a column) or a matrix (rows), told
/// apart by its first entry ([`crate::parse`]).
#[derive(Debug, Clone, PartialEq)]
pub enum VectorOrRows {
    Vector(Vec<f64>),
    Rows(Vec<Vec<f64>>),
}

impl JsonSchema for VectorOrRows {
    fn schema_name() -> Cow<'static, str> {
        "VectorOrMatrix".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A vector (a list of numbers, taken as one column) or a matrix (a list of rows).",
            "anyOf": [
                { "type": "array", "minItems": 1, "items": { "type": "number" } },
                {
                    "type": "array", "minItems": 1,
                    "items": { "type": "array", "minItems": 1, "items": { "type": "number" } }
                }
            ]
        })
    }
}

/// A checked operand: the matrix, and whether it arrived as a vector (so results keep
/// its shape: a vector right-hand side gives a vector solution).
pub struct Operand {
    pub matrix: Mat<f64>,
    pub was_vector: bool,
}

fn invalid(pointer: &str, message: impl Into<String>) -> ToolError {
    ToolError::invalid_input(message).at(pointer)
}

/// Check that `rows` (field `field`) is a non-empty rectangular matrix of finite numbers
/// and copy it into a dense matrix.
pub fn matrix(field: &str, rows: &[Vec<f64>]) -> Result<Mat<f64>, ToolError> {
    let pointer = format!("/{field}");
    let Some(first) = rows.first() else {
        return Err(invalid(&pointer, format!("{field} has no rows")));
    };
    let ncols = first.len();
    if ncols == 0 {
        return Err(invalid(
            &format!("{pointer}/0"),
            format!("row 0 of {field} is empty"),
        ));
    }
    if rows.len() > MAX_DIM || ncols > MAX_DIM {
        return Err(invalid(
            &pointer,
            format!(
                "{field} is {}×{ncols}; at most {MAX_DIM} rows and columns are accepted",
                rows.len()
            ),
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        if row.len() != ncols {
            return Err(invalid(
                &format!("{pointer}/{i}"),
                format!(
                    "row {i} of {field} has {} entries, expected {ncols} (the length of row 0)",
                    row.len()
                ),
            ));
        }
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(invalid(
                &format!("{pointer}/{i}/{j}"),
                format!("{field}[{i}][{j}] is not a finite number"),
            ));
        }
    }
    Ok(Mat::from_fn(rows.len(), ncols, |i, j| rows[i][j]))
}

/// Like [`matrix`], for a field that may also be a vector (taken as one column).
pub fn operand(field: &str, value: &VectorOrRows) -> Result<Operand, ToolError> {
    match value {
        VectorOrRows::Rows(rows) => Ok(Operand {
            matrix: matrix(field, rows)?,
            was_vector: false,
        }),
        VectorOrRows::Vector(v) => {
            let pointer = format!("/{field}");
            if v.is_empty() {
                return Err(invalid(&pointer, format!("{field} is empty")));
            }
            if v.len() > MAX_DIM {
                return Err(invalid(
                    &pointer,
                    format!(
                        "{field} has {} entries; at most {MAX_DIM} are accepted",
                        v.len()
                    ),
                ));
            }
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(invalid(
                    &format!("{pointer}/{i}"),
                    format!("{field}[{i}] is not a finite number"),
                ));
            }
            Ok(Operand {
                matrix: Mat::from_fn(v.len(), 1, |i, _| v[i]),
                was_vector: true,
            })
        }
    }
}

/// Require a square matrix.
pub fn square(field: &str, a: &Mat<f64>, op: &str) -> Result<(), ToolError> {
    if a.nrows() != a.ncols() {
        return Err(invalid(
            &format!("/{field}"),
            format!(
                "{op} needs a square matrix; {field} is {}×{}",
                a.nrows(),
                a.ncols()
            ),
        ));
    }
    Ok(())
}

/// Require a symmetric matrix (to a relative tolerance of 1e-10 of its largest entry,
/// so a matrix built by floating-point arithmetic passes), naming the first entry that
/// is not.
pub fn symmetric(field: &str, a: &Mat<f64>, op: &str) -> Result<(), ToolError> {
    square(field, a, op)?;
    let n = a.nrows();
    let scale = a.norm_max();
    let tol = 1e-10 * scale;
    for j in 0..n {
        for i in (j + 1)..n {
            if (a[(i, j)] - a[(j, i)]).abs() > tol {
                return Err(invalid(
                    &format!("/{field}/{i}/{j}"),
                    format!(
                        "{op} needs a symmetric matrix; {field}[{i}][{j}] = {} but \
                         {field}[{j}][{i}] = {} (use eig for a general matrix)",
                        a[(i, j)],
                        a[(j, i)]
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A matrix as a list of rows.
pub fn rows_json(m: &Mat<f64>) -> Value {
    Value::Array(
        (0..m.nrows())
            .map(|i| json!((0..m.ncols()).map(|j| m[(i, j)]).collect::<Vec<f64>>()))
            .collect(),
    )
}

/// A matrix as rows, or a vector when the operand it answers arrived as one.
pub fn shaped_json(m: &Mat<f64>, as_vector: bool) -> Value {
    if as_vector && m.ncols() == 1 {
        json!((0..m.nrows()).map(|i| m[(i, 0)]).collect::<Vec<f64>>())
    } else {
        rows_json(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(result: Result<Mat<f64>, ToolError>) -> ToolError {
        result.expect_err("an error")
    }

    #[test]
    fn a_short_row_is_named_by_its_pointer() {
        let e = err(matrix(
            "a",
            &[vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0], vec![7.0, 8.0]],
        ));
        assert_eq!(e.code, "invalid_input");
        assert_eq!(e.details, Some(json!({ "pointer": "/a/2" })));
        assert!(
            e.message.contains("row 2 of a has 2 entries, expected 3"),
            "{e}"
        );
    }

    #[test]
    fn an_asymmetric_entry_is_named() {
        let a = Mat::from_fn(3, 3, |i, j| if (i, j) == (2, 0) { 5.0 } else { 1.0 });
        let e = symmetric("a", &a, "eigh").unwrap_err();
        assert_eq!(e.details, Some(json!({ "pointer": "/a/2/0" })));
    }

    #[test]
    fn a_vector_operand_is_a_column() {
        let b = operand("b", &VectorOrRows::Vector(vec![1.0, 2.0])).unwrap();
        assert!(b.was_vector);
        assert_eq!(b.matrix.shape(), (2, 1));
        assert_eq!(shaped_json(&b.matrix, true), json!([1.0, 2.0]));
    }
}
