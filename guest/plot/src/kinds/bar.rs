//! Bar charts: one bar per category for each series, grouped side by side.

use crate::colour::series_color;
use crate::input::{Input, bad, need_series};
use crate::render::{Layer, Scene};
use crate::scene::{Extent, axis_range};
use toolhost_sdk::ToolError;

pub(crate) fn bar_layers(
    input: &Input,
    scene: &mut Scene,
    warnings: &mut Vec<String>,
) -> Result<String, ToolError> {
    need_series(input, "`y` heights")?;
    let ncat = input.categories.len();
    if ncat == 0 {
        return Err(bad(
            "`categories` is empty: give one name per bar",
            "/categories",
        ));
    }
    if input.log_x {
        return Err(bad("log_x does not apply to bar charts", "/log_x"));
    }
    let nser = input.series.len();
    let group = 0.8;
    let bw = group / nser as f64;
    let base = if input.log_y { f64::NAN } else { 0.0 };
    let mut ye = Extent::new();
    if !input.log_y {
        ye.add(0.0);
    }
    for (i, s) in input.series.iter().enumerate() {
        let p = format!("/series/{i}/y");
        let y =
            s.y.as_ref()
                .ok_or_else(|| bad(format!("series {i} has no `y` heights"), &p))?;
        if y.len() != ncat {
            return Err(bad(
                format!(
                    "series {i} has {} heights but there are {ncat} categories",
                    y.len()
                ),
                &p,
            ));
        }
        let color = series_color(&s.color, i, &format!("/series/{i}/color"))?;
        let mut skipped = 0;
        let mut rects = Vec::new();
        for (k, &v) in y.iter().enumerate() {
            if !v.is_finite() || (input.log_y && v <= 0.0) {
                skipped += 1;
                continue;
            }
            ye.add(v);
            let x0 = k as f64 - group / 2.0 + i as f64 * bw;
            rects.push((x0, base, x0 + bw, v, color));
        }
        if skipped > 0 {
            warnings.push(format!(
                "{p}: skipped {skipped} NaN, infinite or (log axis) non-positive height(s)"
            ));
        }
        scene.layers.push(Layer::Rects {
            rects,
            color,
            alpha: 1.0,
            label: s.label.clone(),
        });
    }
    scene.y_range = axis_range(input.y_range, ye, input.log_y, "/y_range", true)?;
    if input.log_y {
        // Bars grow from the bottom of a log axis.
        let floor = scene.y_range.0;
        for l in &mut scene.layers {
            if let Layer::Rects { rects, .. } = l {
                for r in rects {
                    r.1 = floor;
                }
            }
        }
    } else if input.y_range.is_none() && ye.0 >= 0.0 {
        scene.y_range.0 = 0.0;
    }
    scene.x_range = (-0.5, ncat as f64 - 0.5);
    scene.x_ticks = Some(input.categories.clone());
    Ok(format!("bar chart of {nser} series over {ncat} categories"))
}
