//! The frame every plot kind draws into: [`build_scene`] checks the data size, sets up an
//! empty [`Scene`] and has the kind add its layers; [`axis_range`] picks each axis'
//! interval from the user's range or the data's [`Extent`] with a margin.

use crate::input::{Input, Kind, MAX_POINTS, bad, count_points};
use crate::kinds::{bar_layers, function_layers, heatmap_layers, histogram_layers, xy_layers};
use crate::render::Scene;
use toolhost_sdk::ToolError;

pub(crate) fn build_scene(
    input: &Input,
    width: u32,
    height: u32,
    warnings: &mut Vec<String>,
) -> Result<(String, Scene), ToolError> {
    let n = count_points(input);
    if n > MAX_POINTS {
        return Err(bad(
            format!("{n} data values given; at most {MAX_POINTS} are plotted per call"),
            "",
        ));
    }
    let mut scene = Scene {
        width,
        height,
        title: input.title.clone(),
        x_label: input.x_label.clone(),
        y_label: input.y_label.clone(),
        x_range: (0.0, 1.0),
        y_range: (0.0, 1.0),
        log_x: input.log_x,
        log_y: input.log_y,
        x_ticks: None,
        y_ticks: None,
        colorbar: None,
        layers: Vec::new(),
    };
    if input.kind != Kind::Heatmap && !(input.row_labels.is_empty() && input.col_labels.is_empty())
    {
        warnings.push("row_labels/col_labels apply to heatmaps only; ignored".to_owned());
    }
    let summary = match input.kind {
        Kind::Line | Kind::Scatter => xy_layers(input, &mut scene, warnings)?,
        Kind::Function => function_layers(input, &mut scene, warnings)?,
        Kind::Histogram => histogram_layers(input, &mut scene, warnings)?,
        Kind::Bar => bar_layers(input, &mut scene, warnings)?,
        Kind::Heatmap => heatmap_layers(input, &mut scene, warnings)?,
    };
    Ok((summary, scene))
}

/// Data extent tracking for the default axis ranges.
#[derive(Clone, Copy)]
pub(crate) struct Extent(pub(crate) f64, pub(crate) f64);

impl Extent {
    pub(crate) fn new() -> Self {
        Extent(f64::INFINITY, f64::NEG_INFINITY)
    }
    pub(crate) fn add(&mut self, v: f64) {
        self.0 = self.0.min(v);
        self.1 = self.1.max(v);
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.0 > self.1
    }
}

/// The axis interval: the user's, else the data's with a margin; never empty.
pub(crate) fn axis_range(
    given: Option<[f64; 2]>,
    data: Extent,
    log: bool,
    pointer: &str,
    pad: bool,
) -> Result<(f64, f64), ToolError> {
    if let Some([a, b]) = given {
        if !a.is_finite() || !b.is_finite() || a >= b {
            return Err(bad(
                format!("range [{a}, {b}] must be two finite numbers, min < max"),
                pointer,
            ));
        }
        if log && a <= 0.0 {
            return Err(bad(
                format!("range [{a}, {b}] must be positive on a log axis"),
                pointer,
            ));
        }
        return Ok((a, b));
    }
    let (mut lo, mut hi) = if data.is_empty() {
        (if log { 1.0 } else { 0.0 }, 10.0)
    } else {
        (data.0, data.1)
    };
    if log {
        if lo == hi {
            lo /= 2.0;
            hi *= 2.0;
        } else if pad {
            let r = (hi / lo).powf(0.05);
            lo /= r;
            hi *= r;
        }
    } else if lo == hi {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= d;
        hi += d;
    } else if pad {
        let d = (hi - lo) * 0.05;
        lo -= d;
        hi += d;
    }
    Ok((lo, hi))
}

pub(crate) fn fit_ranges(
    input: &Input,
    scene: &mut Scene,
    xe: Extent,
    ye: Extent,
    pad_x: bool,
) -> Result<(), ToolError> {
    scene.x_range = axis_range(input.x_range, xe, input.log_x, "/x_range", pad_x)?;
    scene.y_range = axis_range(input.y_range, ye, input.log_y, "/y_range", true)?;
    Ok(())
}
