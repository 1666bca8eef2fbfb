//! `plot`: line, scatter, histogram, bar, function and heatmap plots, returned as sixel
//! (shown right in the terminal), PNG and/or SVG. Building the plot is plain Rust
//! ([`render_plot`]), linked by the plot_sixel component (plugins/plot, which exports
//! [`Plot`]) and by tools that draw their results.

mod colour;
mod input;
mod kinds;
mod output;
mod render;
mod scene;
pub mod sixel;
mod text;

pub use input::{
    BinRule, Bins, DEFAULT_HEIGHT, DEFAULT_WIDTH, Format, Function, Input, Kind, MAX_BINS,
    MAX_POINTS, MAX_SAMPLES, MAX_SIZE, MIN_SIZE, Series,
};
pub use output::{Rendered, render_plot};

use toolhost_sdk::{Output, Tool, ToolError, ToolInfo, json};

pub struct Plot;

impl Tool for Plot {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "plot_sixel",
            env!("CARGO_PKG_VERSION"),
            "Draw a plot as sixel (shown in the terminal), PNG or SVG.\n\n\
             Kinds: line, scatter, histogram (bins: count or \"auto\"), bar (categories), \
             function (expressions of x over x_range) and heatmap (matrix, optional \
             row_labels and col_labels, with a colour bar). Series with labels get a legend, \
             placed in the corner where it hides the least data; overlapping histograms are \
             see-through. Options: title, x_label, y_label, x_range, y_range, log_x, log_y \
             (ticks labelled 10ⁿ), width, height, colours (#rrggbb).",
        )
        .example(
            "A line plot",
            json!({ "kind": "line", "title": "squares",
                    "series": [{ "label": "x^2", "x": [0, 1, 2, 3], "y": [0, 1, 4, 9] }] }),
        )
        .example(
            "A function plot as PNG",
            json!({ "kind": "function", "x_range": [0, 6.3], "format": "png",
                    "functions": [{ "expr": "sin(x)" }, { "expr": "cos(x)" }] }),
        )
        .example(
            "A histogram",
            json!({ "kind": "histogram", "bins": "auto",
                    "series": [{ "values": [1, 2, 2, 3, 3, 3, 4, 4, 5] }] }),
        )
        .example(
            "A bar chart",
            json!({ "kind": "bar", "categories": ["a", "b", "c"],
                    "series": [{ "label": "2024", "y": [3, 5, 2] }] }),
        )
        .example(
            "A heatmap",
            json!({ "kind": "heatmap", "matrix": [[1, 2, 3], [4, 5, 6]],
                    "row_labels": ["x", "y"], "col_labels": ["a", "b", "c"] }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let plot = render_plot(&input)?;
        let mut out = Output::text(plot.description());
        if let Some(s) = plot.sixel {
            out = out.and_sixel(s);
        }
        if let Some(p) = plot.png {
            out = out.and_image("image/png", p);
        }
        if let Some(s) = plot.svg {
            out = out.and_image("image/svg+xml", s.into_bytes());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
