//! Heatmaps: a matrix drawn as cells coloured on viridis, row 0 at the top.

use crate::colour::viridis;
use crate::input::{Input, bad};
use crate::render::{Layer, Scene};
use crate::scene::Extent;
use toolhost_sdk::ToolError;

/// The given names, one per row or column, or 0, 1, 2, ...
fn labels(given: &[String], n: usize, pointer: &str, what: &str) -> Result<Vec<String>, ToolError> {
    if given.is_empty() {
        return Ok((0..n).map(|i| i.to_string()).collect());
    }
    if given.len() != n {
        return Err(bad(
            format!("{} labels given for a matrix of {n} {what}", given.len()),
            pointer,
        ));
    }
    Ok(given.to_vec())
}

pub(crate) fn heatmap_layers(
    input: &Input,
    scene: &mut Scene,
    warnings: &mut Vec<String>,
) -> Result<String, ToolError> {
    let rows = input.matrix.len();
    if rows == 0 || input.matrix[0].is_empty() {
        return Err(bad("`matrix` is empty: give rows of numbers", "/matrix"));
    }
    if input.log_x || input.log_y {
        return Err(bad("log axes do not apply to heatmaps", "/log_x"));
    }
    let cols = input.matrix[0].len();
    let mut range = Extent::new();
    let mut nan = 0;
    for (r, row) in input.matrix.iter().enumerate() {
        if row.len() != cols {
            return Err(bad(
                format!("row {r} has {} values but row 0 has {cols}", row.len()),
                &format!("/matrix/{r}"),
            ));
        }
        for &v in row {
            if v.is_finite() {
                range.add(v);
            } else {
                nan += 1;
            }
        }
    }
    if nan > 0 {
        warnings.push(format!("/matrix: {nan} NaN or infinite cell(s) left blank"));
    }
    if range.is_empty() {
        return Err(bad("`matrix` has no finite value", "/matrix"));
    }
    let span = if range.1 > range.0 {
        range.1 - range.0
    } else {
        1.0
    };
    let mut rects = Vec::with_capacity(rows * cols);
    for (r, row) in input.matrix.iter().enumerate() {
        // Row 0 at the top, as a matrix is written.
        let y = (rows - 1 - r) as f64;
        for (c, &v) in row.iter().enumerate() {
            if v.is_finite() {
                let x = c as f64;
                rects.push((
                    x - 0.5,
                    y - 0.5,
                    x + 0.5,
                    y + 0.5,
                    viridis((v - range.0) / span),
                ));
            }
        }
    }
    scene.layers.push(Layer::Rects {
        rects,
        color: viridis(0.5),
        alpha: 1.0,
        label: None,
    });
    scene.x_range = (-0.5, cols as f64 - 0.5);
    scene.y_range = (-0.5, rows as f64 - 0.5);
    scene.x_ticks = Some(labels(&input.col_labels, cols, "/col_labels", "columns")?);
    let mut row_names = labels(&input.row_labels, rows, "/row_labels", "rows")?;
    // The y axis counts up from the bottom row.
    row_names.reverse();
    scene.y_ticks = Some(row_names);
    scene.colorbar = Some((range.0, range.0 + span));
    if input.x_range.is_some() || input.y_range.is_some() {
        warnings.push("x_range/y_range are ignored for heatmaps".to_owned());
    }
    Ok(format!(
        "heatmap of a {rows}×{cols} matrix, values {} to {} on viridis (dark = low)",
        range.0, range.1
    ))
}
