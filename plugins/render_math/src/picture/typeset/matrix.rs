//! Matrices and the other array environments (cases, aligned, gathered): cells in
//! aligned columns, rows with TeX's struts, and the environment's delimiters.

use super::delimiter::{delimiter_size, fixed_delimiter};
use super::{hlist, size};
use crate::ast::{Class, Env, Matrix, Style};
use crate::picture::boxes::MathBox;
use crate::picture::font::math_metrics;

/// Rows and columns of cells, centred on the axis, in their delimiters.
pub(super) fn matrix(mx: &Matrix, style: Style) -> MathBox {
    let cell_style = match mx.env {
        Env::SmallMatrix => Style::Script,
        Env::Aligned | Env::Gathered => Style::Display,
        _ => Style::Text,
    };
    let m = size(style).min(1.0);
    let cm = size(cell_style);
    let align = |col: usize| match mx.env {
        Env::Cases => 0.0,
        Env::Aligned if col.is_multiple_of(2) => 1.0,
        Env::Aligned => 0.0,
        _ => 0.5,
    };
    let gap_after = |col: usize| match mx.env {
        Env::Aligned if col.is_multiple_of(2) => 0.0,
        Env::Aligned => 2.0,
        Env::SmallMatrix => 0.5,
        Env::Cases => 1.0,
        _ => 1.0,
    };
    let cells: Vec<Vec<MathBox>> = mx
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(j, cell)| {
                    let before = (mx.env == Env::Aligned && j % 2 == 1).then_some(Class::Ord);
                    hlist(cell, cell_style, before)
                })
                .collect()
        })
        .collect();
    let ncols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0.0f32; ncols];
    for row in &cells {
        for (j, b) in row.iter().enumerate() {
            widths[j] = widths[j].max(b.width);
        }
    }
    // TeX's array strut: rows at least 0.7 and 0.3 of a 1.2em baseline skip; aligned and
    // gathered add a \jot.
    let (strut_h, strut_d, extra) = match mx.env {
        Env::SmallMatrix => (0.85 * 0.7 * cm, 0.85 * 0.3 * cm, 0.0),
        Env::Aligned | Env::Gathered => (0.84, 0.36, 0.3),
        Env::Cases => (0.84, 0.36, 0.1),
        _ => (0.84, 0.36, 0.0),
    };
    let rows: Vec<(f32, f32)> = cells
        .iter()
        .map(|row| {
            let h = row.iter().map(|b| b.height).fold(strut_h, f32::max);
            let d = row.iter().map(|b| b.depth).fold(strut_d, f32::max);
            (h, d)
        })
        .collect();
    let total: f32 =
        rows.iter().map(|(h, d)| h + d).sum::<f32>() + extra * (rows.len().max(1) - 1) as f32;
    let axis = math_metrics().axis * m;
    let mut grid = MathBox::default();
    let mut y = axis + total / 2.0;
    let mut lefts = Vec::with_capacity(ncols);
    let mut x = 0.0;
    for (j, w) in widths.iter().enumerate() {
        lefts.push(x);
        x += w;
        if j + 1 < ncols {
            x += gap_after(j);
        }
    }
    for (row, (h, d)) in cells.into_iter().zip(&rows) {
        let base = y - h;
        for (j, b) in row.into_iter().enumerate() {
            let dx = lefts[j] + (widths[j] - b.width) * align(j);
            grid.place(b, dx, base);
        }
        y = base - d - extra;
    }
    grid.width = x;
    grid.height = grid.height.max(axis + total / 2.0);
    grid.depth = grid.depth.max(total / 2.0 - axis);
    let (left, right) = mx.env.delims();
    if left.is_none() && right.is_none() {
        return grid;
    }
    let size = delimiter_size(grid.height, grid.depth, m);
    let pad = 0.1 * m;
    let mut out = fixed_delimiter(left, size, m);
    out.append_kern(pad);
    out.append(grid);
    if right.is_some() {
        out.append_kern(pad);
    }
    out.append(fixed_delimiter(right, size, m));
    out.italic = 0.0;
    out
}
