//! `plot`: line, scatter, histogram, bar, function and heatmap plots, returned as sixel
//! (shown right in the terminal), PNG and/or SVG. Building the plot is plain Rust
//! ([`render_plot`]); only `export_tool!` is WebAssembly-specific.

mod render;
pub mod sixel;
mod text;

use plotters::prelude::*;
use render::{Layer, Rgb, Scene};
use toolhost_sdk::{Deserialize, JsonSchema, Output, Tool, ToolError, ToolInfo, json};

pub const DEFAULT_WIDTH: u32 = 800;
pub const DEFAULT_HEIGHT: u32 = 600;
pub const MIN_SIZE: u32 = 100;
/// Larger images are capped: a sixel that big is unreadable in a terminal anyway.
pub const MAX_SIZE: u32 = 4096;
/// Data values per call, all series together: a bound on work.
pub const MAX_POINTS: usize = 5_000_000;
pub const MAX_SAMPLES: usize = 100_000;
pub const MAX_BINS: usize = 1_000;

/// Matplotlib's "tab10": distinct, colour-blind-aware and familiar.
const PALETTE: [Rgb; 10] = [
    (0x1f, 0x77, 0xb4),
    (0xff, 0x7f, 0x0e),
    (0x2c, 0xa0, 0x2c),
    (0xd6, 0x27, 0x28),
    (0x94, 0x67, 0xbd),
    (0x8c, 0x56, 0x4b),
    (0xe3, 0x77, 0xc2),
    (0x7f, 0x7f, 0x7f),
    (0xbc, 0xbd, 0x22),
    (0x17, 0xbe, 0xcf),
];

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

pub struct Plot;

impl Tool for Plot {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "plot_sixel",
            env!("CARGO_PKG_VERSION"),
            "Draw a plot as sixel (shown in the terminal), PNG or SVG.\n\n\
             Kinds: line, scatter, histogram (bins: count or \"auto\"), bar (categories), \
             function (expressions of x over x_range) and heatmap (matrix). Several series \
             with labels get a legend. Options: title, x_label, y_label, x_range, y_range, \
             log_x, log_y, width, height, colours (#rrggbb).",
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
            json!({ "kind": "heatmap", "matrix": [[1, 2, 3], [4, 5, 6]] }),
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

toolhost_sdk::export_tool!(Plot);

/// A rendered plot.
#[derive(Debug, Default)]
pub struct Rendered {
    pub width: u32,
    pub height: u32,
    pub summary: String,
    pub warnings: Vec<String>,
    pub sixel: Option<String>,
    pub png: Option<Vec<u8>>,
    pub svg: Option<String>,
}

impl Rendered {
    pub fn description(&self) -> String {
        let mut s = format!("{} ({}×{} px)", self.summary, self.width, self.height);
        for w in &self.warnings {
            s.push_str("\nwarning: ");
            s.push_str(w);
        }
        s
    }
}

fn bad(msg: impl Into<String>, pointer: &str) -> ToolError {
    ToolError::invalid_input(msg).at(pointer)
}

/// Validate `input`, draw it and encode the requested formats.
pub fn render_plot(input: &Input) -> Result<Rendered, ToolError> {
    let mut warnings = Vec::new();
    let width = size(input.width, DEFAULT_WIDTH, "width", &mut warnings);
    let height = size(input.height, DEFAULT_HEIGHT, "height", &mut warnings);
    let (summary, scene) = build_scene(input, width, height, &mut warnings)?;
    let mut out = Rendered {
        width,
        height,
        summary,
        warnings,
        ..Rendered::default()
    };
    let bitmap = matches!(input.format, Format::Sixel | Format::Png | Format::Both);
    if bitmap {
        let rgb = draw_rgb(&scene)?;
        if matches!(input.format, Format::Sixel | Format::Both) {
            out.sixel = Some(sixel::encode_rgb(&rgb, width as usize, height as usize));
        }
        if matches!(input.format, Format::Png | Format::Both) {
            out.png = Some(encode_png(&rgb, width, height)?);
        }
    }
    if input.format == Format::Svg {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            render::draw(&root, &scene).map_err(draw_error)?;
        }
        out.svg = Some(svg);
    }
    Ok(out)
}

fn draw_error(e: impl std::fmt::Display) -> ToolError {
    ToolError::new("render_failed", format!("drawing failed: {e}"))
}

fn draw_rgb(scene: &Scene) -> Result<Vec<u8>, ToolError> {
    let mut rgb = vec![0u8; scene.width as usize * scene.height as usize * 3];
    {
        let backend = text::TextBackend {
            inner: BitMapBackend::with_buffer(&mut rgb, (scene.width, scene.height)),
        };
        let root = backend.into_drawing_area();
        render::draw(&root, scene).map_err(draw_error)?;
    }
    Ok(rgb)
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ToolError> {
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    // Plots are flat colour: fast compression is nearly as small and much quicker.
    enc.set_compression(png::Compression::Fast);
    let mut w = enc
        .write_header()
        .map_err(|e| ToolError::new("encode_failed", format!("PNG: {e}")))?;
    w.write_image_data(rgb)
        .map_err(|e| ToolError::new("encode_failed", format!("PNG: {e}")))?;
    w.finish()
        .map_err(|e| ToolError::new("encode_failed", format!("PNG: {e}")))?;
    Ok(bytes)
}

fn size(v: Option<u32>, default: u32, name: &str, warnings: &mut Vec<String>) -> u32 {
    let v = v.unwrap_or(default);
    let c = v.clamp(MIN_SIZE, MAX_SIZE);
    if c != v {
        warnings.push(format!(
            "{name} {v} is outside {MIN_SIZE}..={MAX_SIZE} px; capped to {c}"
        ));
    }
    c
}

fn parse_color(s: &str, pointer: &str) -> Result<Rgb, ToolError> {
    let hex = s.strip_prefix('#').unwrap_or(s);
    let digits: Option<Vec<u8>> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect();
    match digits.as_deref() {
        Some([r, g, b]) => Ok((r * 17, g * 17, b * 17)),
        Some([r1, r2, g1, g2, b1, b2]) => Ok((r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
        _ => Err(bad(
            format!("colour {s:?} is not `#rrggbb` or `#rgb`"),
            pointer,
        )),
    }
}

fn series_color(c: &Option<String>, i: usize, pointer: &str) -> Result<Rgb, ToolError> {
    match c {
        Some(s) => parse_color(s, pointer),
        None => Ok(PALETTE[i % PALETTE.len()]),
    }
}

/// Data extent tracking for the default axis ranges.
#[derive(Clone, Copy)]
struct Extent(f64, f64);

impl Extent {
    fn new() -> Self {
        Extent(f64::INFINITY, f64::NEG_INFINITY)
    }
    fn add(&mut self, v: f64) {
        self.0 = self.0.min(v);
        self.1 = self.1.max(v);
    }
    fn is_empty(&self) -> bool {
        self.0 > self.1
    }
}

/// The axis interval: the user's, else the data's with a margin; never empty.
fn axis_range(
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

fn count_points(input: &Input) -> usize {
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

fn build_scene(
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
        layers: Vec::new(),
    };
    let summary = match input.kind {
        Kind::Line | Kind::Scatter => xy_layers(input, &mut scene, warnings)?,
        Kind::Function => function_layers(input, &mut scene, warnings)?,
        Kind::Histogram => histogram_layers(input, &mut scene, warnings)?,
        Kind::Bar => bar_layers(input, &mut scene, warnings)?,
        Kind::Heatmap => heatmap_layers(input, &mut scene, warnings)?,
    };
    Ok((summary, scene))
}

fn need_series(input: &Input, what: &str) -> Result<(), ToolError> {
    if input.series.is_empty() {
        return Err(bad(
            format!("`series` is empty: give at least one series with {what}"),
            "/series",
        ));
    }
    Ok(())
}

/// Keep finite points that fit the axes; split lines at dropped points.
struct Cleaner<'a> {
    log_x: bool,
    log_y: bool,
    warnings: &'a mut Vec<String>,
}

impl Cleaner<'_> {
    fn segments(&mut self, pts: &[(f64, f64)], pointer: &str) -> Vec<Vec<(f64, f64)>> {
        let (mut nan, mut nonpos) = (0usize, 0usize);
        let mut segs = vec![Vec::new()];
        for &(x, y) in pts {
            let ok = if !x.is_finite() || !y.is_finite() {
                nan += 1;
                false
            } else if (self.log_x && x <= 0.0) || (self.log_y && y <= 0.0) {
                nonpos += 1;
                false
            } else {
                true
            };
            if ok {
                segs.last_mut().expect("never empty").push((x, y));
            } else if !segs.last().expect("never empty").is_empty() {
                segs.push(Vec::new());
            }
        }
        segs.retain(|s| !s.is_empty());
        if nan > 0 {
            self.warnings.push(format!(
                "{pointer}: skipped {nan} point(s) with NaN or infinite values"
            ));
        }
        if nonpos > 0 {
            self.warnings.push(format!(
                "{pointer}: skipped {nonpos} point(s) ≤ 0 on a log axis"
            ));
        }
        segs
    }
}

fn fit_ranges(
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

fn xy_layers(
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

fn function_layers(
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

/// Freedman–Diaconis bin count for sorted finite `v`; Sturges when the IQR is zero.
fn auto_bins(sorted: &[f64]) -> usize {
    let n = sorted.len();
    let q = |p: f64| {
        let h = p * (n - 1) as f64;
        let (lo, frac) = (h.floor() as usize, h - h.floor());
        sorted[lo] + frac * (sorted[(lo + 1).min(n - 1)] - sorted[lo])
    };
    let iqr = q(0.75) - q(0.25);
    let range = sorted[n - 1] - sorted[0];
    let sturges = ((n as f64).log2().ceil() as usize + 1).max(1);
    if iqr <= 0.0 || range <= 0.0 {
        return sturges;
    }
    let width = 2.0 * iqr / (n as f64).cbrt();
    ((range / width).ceil() as usize).clamp(1, MAX_BINS)
}

fn histogram_layers(
    input: &Input,
    scene: &mut Scene,
    warnings: &mut Vec<String>,
) -> Result<String, ToolError> {
    need_series(input, "`values`")?;
    if input.log_x {
        return Err(bad(
            "log_x is not supported for histograms; bin the logarithms instead",
            "/log_x",
        ));
    }
    let mut cleaned = Vec::new();
    let mut all = Extent::new();
    for (i, s) in input.series.iter().enumerate() {
        let p = format!("/series/{i}/values");
        let v = s
            .values
            .as_ref()
            .ok_or_else(|| bad(format!("series {i} has no `values` to bin"), &p))?;
        let mut finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        if finite.len() < v.len() {
            warnings.push(format!(
                "{p}: skipped {} NaN or infinite value(s)",
                v.len() - finite.len()
            ));
        }
        if let Some([a, b]) = input.x_range {
            finite.retain(|&x| x >= a && x <= b);
        }
        if finite.is_empty() {
            return Err(bad(format!("series {i} has no finite value to bin"), &p));
        }
        finite.sort_by(f64::total_cmp);
        all.add(finite[0]);
        all.add(finite[finite.len() - 1]);
        cleaned.push(finite);
    }
    let (lo, hi) = match input.x_range {
        Some(r) => axis_range(Some(r), all, false, "/x_range", false)?,
        None => axis_range(None, all, false, "/x_range", false)?,
    };
    let bins = match &input.bins {
        Some(Bins::Count(0)) => return Err(bad("`bins` must be at least 1", "/bins")),
        Some(Bins::Count(c)) if *c as usize > MAX_BINS => {
            return Err(bad(format!("`bins` must be at most {MAX_BINS}"), "/bins"));
        }
        Some(Bins::Count(c)) => *c as usize,
        Some(Bins::Rule(BinRule::Auto)) | None => {
            cleaned.iter().map(|v| auto_bins(v)).max().unwrap_or(10)
        }
    };
    let w = (hi - lo) / bins as f64;
    let mut ye = Extent::new();
    ye.add(if input.log_y { 0.5 } else { 0.0 });
    // Overlaid series stay readable when each is drawn slightly narrower than the last.
    let nser = cleaned.len();
    for (i, v) in cleaned.iter().enumerate() {
        let mut counts = vec![0usize; bins];
        for &x in v {
            let k = (((x - lo) / w) as usize).min(bins - 1);
            counts[k] += 1;
        }
        let s = &input.series[i];
        let color = series_color(&s.color, i, &format!("/series/{i}/color"))?;
        let inset = w * 0.35 * i as f64 / nser as f64;
        let base = if input.log_y { 0.5 } else { 0.0 };
        let rects = counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(k, &c)| {
                ye.add(c as f64);
                let x0 = lo + k as f64 * w;
                (x0 + inset, base, x0 + w - inset, c as f64, color)
            })
            .collect();
        scene.layers.push(Layer::Rects {
            rects,
            color,
            label: s.label.clone(),
        });
    }
    scene.x_range = (lo, hi);
    scene.y_range = axis_range(input.y_range, ye, input.log_y, "/y_range", true)?;
    if !input.log_y && input.y_range.is_none() {
        scene.y_range.0 = 0.0;
    }
    Ok(format!(
        "histogram of {} series, {bins} bins of width {w:.4}",
        cleaned.len()
    ))
}

fn bar_layers(
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

/// Viridis at 9 stops, interpolated into [`HEAT_LEVELS`] steps: few enough for the sixel
/// palette to stay exact.
const VIRIDIS: [Rgb; 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];
const HEAT_LEVELS: usize = 64;

fn viridis(t: f64) -> Rgb {
    let t = ((t.clamp(0.0, 1.0) * (HEAT_LEVELS - 1) as f64).round()) / (HEAT_LEVELS - 1) as f64;
    let p = t * (VIRIDIS.len() - 1) as f64;
    let i = (p.floor() as usize).min(VIRIDIS.len() - 2);
    let f = p - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + f * (y as f64 - x as f64)).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn heatmap_layers(
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
        label: None,
    });
    scene.x_range = (-0.5, cols as f64 - 0.5);
    scene.y_range = (-0.5, rows as f64 - 0.5);
    scene.x_ticks = Some((0..cols).map(|c| c.to_string()).collect());
    scene.y_ticks = Some((0..rows).rev().map(|r| r.to_string()).collect());
    if input.x_range.is_some() || input.y_range.is_some() {
        warnings.push("x_range/y_range are ignored for heatmaps".to_owned());
    }
    Ok(format!(
        "heatmap of a {rows}×{cols} matrix, values {} to {} on viridis (dark = low)",
        range.0, range.1
    ))
}

#[cfg(test)]
mod tests;
