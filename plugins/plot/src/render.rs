//! Drawing a prepared [`Scene`] with plotters on any backend (bitmap or SVG).

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

pub type Rgb = (u8, u8, u8);

pub const BACKGROUND: Rgb = (255, 255, 255);
pub const FOREGROUND: Rgb = (0, 0, 0);
pub const GRID: Rgb = (225, 225, 225);

/// One thing drawn in data coordinates.
pub enum Layer {
    /// Connected segments; a NaN gap splits a series into several segments.
    Line {
        segments: Vec<Vec<(f64, f64)>>,
        color: Rgb,
        label: Option<String>,
    },
    Points {
        points: Vec<(f64, f64)>,
        color: Rgb,
        label: Option<String>,
    },
    /// Filled rectangles `(x0, y0, x1, y1, colour)`; the legend uses `color`.
    Rects {
        rects: Vec<(f64, f64, f64, f64, Rgb)>,
        color: Rgb,
        label: Option<String>,
    },
}

/// Everything needed to draw a plot.
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub title: Option<String>,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub log_x: bool,
    pub log_y: bool,
    /// Names for integer x positions (bar charts, heatmap columns).
    pub x_ticks: Option<Vec<String>>,
    pub y_ticks: Option<Vec<String>>,
    pub layers: Vec<Layer>,
}

fn color(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Draw `scene` on `root`, choosing linear or log coordinates per axis.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, scene: &Scene) -> DrawResult<DB> {
    root.fill(&color(BACKGROUND))?;
    let (x0, x1) = scene.x_range;
    let (y0, y1) = scene.y_range;
    match (scene.log_x, scene.log_y) {
        (false, false) => draw_in(root, scene, x0..x1, y0..y1),
        (true, false) => draw_in(root, scene, (x0..x1).log_scale(), y0..y1),
        (false, true) => draw_in(root, scene, x0..x1, (y0..y1).log_scale()),
        (true, true) => draw_in(root, scene, (x0..x1).log_scale(), (y0..y1).log_scale()),
    }
}

fn draw_in<DB, X, Y>(root: &DrawingArea<DB, Shift>, scene: &Scene, x: X, y: Y) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    // Text scales with the smaller side so that small plots stay readable.
    let base = (scene.width.min(scene.height) as f64 / 40.0).clamp(9.0, 28.0);
    let mut builder = ChartBuilder::on(root);
    builder
        .margin((base * 0.8) as u32)
        .x_label_area_size((base * 3.0) as u32)
        .y_label_area_size((base * 4.5) as u32);
    if let Some(t) = &scene.title {
        builder.caption(
            t,
            ("sans-serif", base * 1.5)
                .into_font()
                .color(&color(FOREGROUND)),
        );
    }
    let mut chart = builder.build_cartesian_2d(x, y)?;

    let x_fmt = |v: &f64| tick_name(&scene.x_ticks, *v);
    let y_fmt = |v: &f64| tick_name(&scene.y_ticks, *v);
    let label_font = ("sans-serif", base).into_font().color(&color(FOREGROUND));
    let mut mesh = chart.configure_mesh();
    // Only the major grid: the fine one roughly doubles the sixel size for little gain.
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(color(GRID))
        .axis_style(color(FOREGROUND))
        .label_style(label_font.clone())
        .axis_desc_style(label_font.clone())
        .x_labels(scene.x_ticks.as_ref().map_or(10, |t| t.len() + 1))
        .y_labels(scene.y_ticks.as_ref().map_or(10, |t| t.len() + 1));
    if scene.x_ticks.is_some() {
        mesh.x_label_formatter(&x_fmt).disable_x_mesh();
    }
    if scene.y_ticks.is_some() {
        mesh.y_label_formatter(&y_fmt).disable_y_mesh();
    }
    if let Some(l) = &scene.x_label {
        mesh.x_desc(l);
    }
    if let Some(l) = &scene.y_label {
        mesh.y_desc(l);
    }
    mesh.draw()?;

    let mut any_label = false;
    for layer in &scene.layers {
        let (label, c) = match layer {
            Layer::Line {
                segments,
                color: c,
                label,
            } => {
                let style = color(*c).stroke_width(1);
                for (k, seg) in segments.iter().enumerate() {
                    let a = chart.draw_series(LineSeries::new(seg.iter().copied(), style))?;
                    if let (0, Some(l)) = (k, label) {
                        a.label(l).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], color(*c).stroke_width(2))
                        });
                    }
                }
                (label, *c)
            }
            Layer::Points {
                points,
                color: c,
                label,
            } => {
                let r = 3;
                let a = chart.draw_series(
                    points
                        .iter()
                        .map(|&p| Circle::new(p, r, color(*c).filled())),
                )?;
                if let Some(l) = label {
                    a.label(l)
                        .legend(move |(x, y)| Circle::new((x + 10, y), r, color(*c).filled()));
                }
                (label, *c)
            }
            Layer::Rects {
                rects,
                color: c,
                label,
            } => {
                let a = chart.draw_series(rects.iter().map(|&(x0, y0, x1, y1, rc)| {
                    Rectangle::new([(x0, y0), (x1, y1)], color(rc).filled())
                }))?;
                if let Some(l) = label {
                    a.label(l).legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 20, y + 5)], color(*c).filled())
                    });
                }
                (label, *c)
            }
        };
        let _ = c;
        any_label |= label.is_some();
    }
    if any_label {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(color(BACKGROUND))
            .border_style(color(FOREGROUND))
            .label_font(label_font)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

fn tick_name(names: &Option<Vec<String>>, v: f64) -> String {
    let Some(names) = names else {
        return format!("{v}");
    };
    // Categories sit at integer centres; only label those.
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}
