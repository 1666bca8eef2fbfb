//! Line and scatter plots: (x, y) series, joined by lines or drawn as dots.

use super::Cleaner;
use crate::colour::series_color;
use crate::input::{Input, Kind, bad, need_series};
use crate::render::{Layer, Scene};
use crate::scene::{Extent, fit_ranges};
use toolhost_sdk::ToolError;

pub(crate) fn xy_layers(
    input: &Input,
    scene: &mut Scene,
    warnings: &mut Vec<String>,
) -> Result<String, ToolError> {
    need_series(input, "`y` values")?;
    let mut clean = Cleaner {
        log_x: input.log_x,
        log_y: input.log_y,
        warnings,
    };
    let (mut xe, mut ye) = (Extent::new(), Extent::new());
    let mut total = 0;
    for (i, s) in input.series.iter().enumerate() {
        let p = format!("/series/{i}");
        let y =
            s.y.as_ref()
                .ok_or_else(|| bad(format!("series {i} has no `y` values"), &format!("{p}/y")))?;
        if y.is_empty() {
            return Err(bad(format!("series {i}: `y` is empty"), &format!("{p}/y")));
        }
        if s.values.is_some() {
            return Err(bad(
                "`values` is for histograms; give `x` and `y`",
                &format!("{p}/values"),
            ));
        }
        let pts: Vec<(f64, f64)> = match &s.x {
            Some(x) if x.len() != y.len() => {
                return Err(bad(
                    format!(
                        "series {i}: `x` has {} values but `y` has {}",
                        x.len(),
                        y.len()
                    ),
                    &format!("{p}/x"),
                ));
            }
            Some(x) => x.iter().copied().zip(y.iter().copied()).collect(),
            None => y.iter().enumerate().map(|(j, &v)| (j as f64, v)).collect(),
        };
        let color = series_color(&s.color, i, &format!("{p}/color"))?;
        let segments = clean.segments(&pts, &p);
        if segments.is_empty() {
            return Err(bad(
                format!(
                    "series {i} has no plottable point (all NaN, infinite or ≤ 0 on a log axis)"
                ),
                &format!("{p}/y"),
            ));
        }
        for &(x, y) in segments.iter().flatten() {
            xe.add(x);
            ye.add(y);
            total += 1;
        }
        scene.layers.push(if input.kind == Kind::Scatter {
            Layer::Points {
                points: segments.concat(),
                color,
                label: s.label.clone(),
            }
        } else {
            Layer::Line {
                segments,
                color,
                label: s.label.clone(),
            }
        });
    }
    fit_ranges(input, scene, xe, ye, input.kind == Kind::Scatter)?;
    let kind = if input.kind == Kind::Scatter {
        "scatter"
    } else {
        "line"
    };
    Ok(format!(
        "{kind} plot of {} series, {total} points",
        input.series.len()
    ))
}
