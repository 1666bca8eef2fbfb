//! The request: the deserialized input types (their doc comments are the tool's JSON
//! schema), the limits on it, and the checks several kinds share: image size, the count
//! of data values, a non-empty `series`.

use toolhost_sdk::{Deserialize, JsonSchema, ToolError};

pub const DEFAULT_WIDTH: u32 = 800;
pub const DEFAULT_HEIGHT: u32 = 600;
pub const MIN_SIZE: u32 = 100;
/// Larger images are capped: a sixel that big is unreadable in a terminal anyway.
pub const MAX_SIZE: u32 = 4096;
/// Data values per call, all series together: a bound on work.
pub const MAX_POINTS: usize = 5_000_000;
pub const MAX_SAMPLES: usize = 100_000;
pub const MAX_BINS: usize = 1_000;

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Series of (x, y) points joined by lines.
    #[default]
    Line,
    /// Series of (x, y) points drawn as dots.
    Scatter,
    /// Distribution of each series' `values`, binned (see `bins`).
    Histogram,
    /// One bar per category for each series (`y`), grouped side by side.
    Bar,
    /// Expressions of `x` (see `functions`) sampled over `x_range`.
    Function,
    /// A matrix (see `matrix`) drawn as coloured cells, row 0 at the top.
    Heatmap,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Terminal graphics, shown directly when the host's stdout is a terminal.
    #[default]
    Sixel,
    /// A PNG image.
    Png,
    /// An SVG image (text as text elements).
    Svg,
    /// Sixel and PNG.
    Both,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Name shown in the legend.
    #[serde(default)]
    pub label: Option<String>,
    /// x values (line, scatter); defaults to 0, 1, 2, ...
    #[serde(default)]
    pub x: Option<Vec<f64>>,
    /// y values (line, scatter), or bar heights, one per category (bar).
    #[serde(default)]
    pub y: Option<Vec<f64>>,
    /// Samples to bin (histogram).
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    /// Colour as `#rrggbb` or `#rgb`; defaults to the next colour of the tab10 palette.
    #[serde(default)]
    pub color: Option<String>,
}

#[derive(Deserialize, JsonSchema, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Expression in `x`, e.g. `sin(x) * exp(-x/5)` (the calc tool's language).
    pub expr: String,
    /// Name shown in the legend; defaults to the expression.
    #[serde(default)]
    pub label: Option<String>,
    /// Colour as `#rrggbb` or `#rgb`.
    #[serde(default)]
    pub color: Option<String>,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum Bins {
    /// Number of equal-width bins.
    Count(u32),
    /// `"auto"`: Freedman–Diaconis width (Sturges' rule when the spread is zero).
    Rule(BinRule),
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BinRule {
    Auto,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// What to draw; default `line`.
    #[serde(default)]
    pub kind: Kind,
    /// Data series (line, scatter, histogram, bar). Several series get a legend when
    /// they have labels.
    #[serde(default)]
    pub series: Vec<Series>,
    /// Expressions to plot (function).
    #[serde(default)]
    pub functions: Vec<Function>,
    /// Points sampled per function over `x_range` (function); default 500.
    #[serde(default)]
    pub samples: Option<u32>,
    /// Histogram bins: a count or `"auto"` (default).
    #[serde(default)]
    pub bins: Option<Bins>,
    /// Category names along the x axis (bar); each series has one `y` per category.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Rows of numbers (heatmap); all rows the same length. NaN cells are left blank.
    #[serde(default)]
    pub matrix: Vec<Vec<f64>>,
    /// Names of the matrix's rows, top to bottom (heatmap); default 0, 1, 2, ...
    #[serde(default)]
    pub row_labels: Vec<String>,
    /// Names of the matrix's columns, left to right (heatmap); default 0, 1, 2, ...
    #[serde(default)]
    pub col_labels: Vec<String>,
    /// Title above the plot.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub x_label: Option<String>,
    #[serde(default)]
    pub y_label: Option<String>,
    /// Visible x interval `[min, max]`; defaults to the data's. Required for `function`.
    #[serde(default)]
    pub x_range: Option<[f64; 2]>,
    /// Visible y interval `[min, max]`; defaults to the data's.
    #[serde(default)]
    pub y_range: Option<[f64; 2]>,
    /// Logarithmic x axis (values ≤ 0 are skipped with a warning).
    #[serde(default)]
    pub log_x: bool,
    /// Logarithmic y axis (values ≤ 0 are skipped with a warning).
    #[serde(default)]
    pub log_y: bool,
    /// Image width in pixels, 100 to 4096; default 800.
    #[serde(default)]
    pub width: Option<u32>,
    /// Image height in pixels, 100 to 4096; default 600.
    #[serde(default)]
    pub height: Option<u32>,
    /// Output: `sixel` (default), `png`, `svg` or `both` (sixel and PNG).
    #[serde(default)]
    pub format: Format,
}

pub(crate) fn bad(msg: impl Into<String>, pointer: &str) -> ToolError {
    ToolError::invalid_input(msg).at(pointer)
}

pub(crate) fn size(v: Option<u32>, default: u32, name: &str, warnings: &mut Vec<String>) -> u32 {
    let v = v.unwrap_or(default);
    let c = v.clamp(MIN_SIZE, MAX_SIZE);
    if c != v {
        warnings.push(format!(
            "{name} {v} is outside {MIN_SIZE}..={MAX_SIZE} px; capped to {c}"
        ));
    }
    c
}

pub(crate) fn count_points(input: &Input) -> usize {
    let s: usize = input
        .series
        .iter()
        .map(|s| {
            s.x.as_ref().map_or(0, Vec::len)
                + s.y.as_ref().map_or(0, Vec::len)
                + s.values.as_ref().map_or(0, Vec::len)
        })
        .sum();
    s + input.matrix.iter().map(Vec::len).sum::<usize>()
}

pub(crate) fn need_series(input: &Input, what: &str) -> Result<(), ToolError> {
    if input.series.is_empty() {
        return Err(bad(
            format!("`series` is empty: give at least one series with {what}"),
            "/series",
        ));
    }
    Ok(())
}
