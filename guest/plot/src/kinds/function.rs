//! Function plots: expressions of `x` (the calc tool's language), sampled over `x_range`.

use super::Cleaner;
use crate::colour::series_color;
use crate::input::{Input, MAX_SAMPLES, bad};
use crate::render::{Layer, Scene};
use crate::scene::{Extent, axis_range};
use toolhost_sdk::ToolError;

pub(crate) fn function_layers(
    input: &Input,
    scene: &mut Scene,
    warnings: &mut Vec<String>,
) -> Result<String, ToolError> {
    if input.functions.is_empty() {
        return Err(bad(
            "`functions` is empty: give at least one, e.g. {\"expr\": \"sin(x)\"}",
            "/functions",
        ));
    }
    let Some([a, b]) = input.x_range else {
        return Err(bad(
            "`x_range` is required for function plots, e.g. [0, 6.3]",
            "/x_range",
        ));
    };
    let (a, b) = axis_range(Some([a, b]), Extent::new(), input.log_x, "/x_range", false)?;
    let samples = input.samples.unwrap_or(500) as usize;
    if !(2..=MAX_SAMPLES).contains(&samples) {
        return Err(bad(
            format!("`samples` must be 2 to {MAX_SAMPLES}, not {samples}"),
            "/samples",
        ));
    }
    let mut clean = Cleaner {
        log_x: input.log_x,
        log_y: input.log_y,
        warnings,
    };
    let mut ye = Extent::new();
    for (i, f) in input.functions.iter().enumerate() {
        let p = format!("/functions/{i}");
        let program = toolhost_expr::compile(&f.expr, &["x"]).map_err(|e| {
            bad(
                format!("{p}/expr: {e}\n{}", e.render(&f.expr)),
                &format!("{p}/expr"),
            )
        })?;
        let mut scratch = program.scratch();
        let pts: Vec<(f64, f64)> = (0..samples)
            .map(|k| {
                let t = k as f64 / (samples - 1) as f64;
                // Sample evenly in what the axis shows.
                let x = if input.log_x {
                    (a.ln() + t * (b.ln() - a.ln())).exp()
                } else {
                    a + t * (b - a)
                };
                (x, program.eval_with(&[x], &mut scratch))
            })
            .collect();
        let segments = clean.segments(&pts, &p);
        for &(_, y) in segments.iter().flatten() {
            ye.add(y);
        }
        scene.layers.push(Layer::Line {
            segments,
            color: series_color(&f.color, i, &format!("{p}/color"))?,
            label: Some(f.label.clone().unwrap_or_else(|| f.expr.clone())),
        });
    }
    if ye.is_empty() && input.y_range.is_none() {
        return Err(bad(
            "no function has a finite value over `x_range`",
            "/functions",
        ));
    }
    scene.x_range = (a, b);
    scene.y_range = axis_range(input.y_range, ye, input.log_y, "/y_range", true)?;
    Ok(format!(
        "function plot of {} expression(s) over [{a}, {b}], {samples} samples each",
        input.functions.len()
    ))
}
