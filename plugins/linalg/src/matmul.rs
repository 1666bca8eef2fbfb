//! `matmul`: the product A B of a matrix and a matrix or vector.

use schemars::JsonSchema;
use serde::Deserialize;
use toolhost_sdk::{ToolError, json};

use crate::matrix::{Rows, VectorOrRows, matrix, operand, shaped_json};
use crate::report::{Report, show_matrix};

#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct MatmulInput {
    /// The left factor (rows), m×k.
    pub a: Rows,
    /// The right factor: a k×n matrix, or a vector of k entries (the product is then a
    /// vector).
    pub b: VectorOrRows,
}

pub fn run(input: &MatmulInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    let b = operand("b", &input.b)?;
    if a.ncols() != b.matrix.nrows() {
        return Err(ToolError::invalid_input(format!(
            "a is {}×{} so b needs {} rows; it has {}",
            a.nrows(),
            a.ncols(),
            a.ncols(),
            b.matrix.nrows()
        ))
        .at("/b"));
    }
    let product = &a * &b.matrix;
    Ok(Report::new(
        show_matrix("product", &product, b.was_vector),
        json!({ "product": shaped_json(&product, b.was_vector) }),
        &[],
    ))
}
