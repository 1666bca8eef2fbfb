//! Drawing a prepared [`Scene`] with plotters on any backend (bitmap or SVG): the axes
//! with readable tick labels, the layers, a legend where it hides the least data, and a
//! heatmap's colour bar.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colour::viridis;
use crate::text::text_width;

pub type Rgb = (u8, u8, u8);

pub const BACKGROUND: Rgb = (255, 255, 255);
pub const FOREGROUND: Rgb = (0, 0, 0);
pub const GRID: Rgb = (225, 225, 225);
/// The legend's frame, light as matplotlib's.
pub const FRAME: Rgb = (204, 204, 204);

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
    /// Filled rectangles `(x0, y0, x1, y1, colour)`, `alpha` opaque; the legend uses
    /// `color`.
    Rects {
        rects: Vec<(f64, f64, f64, f64, Rgb)>,
        color: Rgb,
        alpha: f64,
        label: Option<String>,
    },
}

impl Layer {
    fn label(&self) -> Option<&String> {
        match self {
            Layer::Line { label, .. }
            | Layer::Points { label, .. }
            | Layer::Rects { label, .. } => label.as_ref(),
        }
    }
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
    /// The values at the ends of a heatmap's colour scale (viridis).
    pub colorbar: Option<(f64, f64)>,
    pub layers: Vec<Layer>,
}

fn color(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Width of data lines in pixels: 2 at 800×600 (matplotlib's 1.5 pt at 100 dpi is 2 px),
/// thinner on small images, thicker on large ones.
pub fn line_width(width: u32, height: u32) -> u32 {
    ((f64::from(width.min(height)) / 300.0).round() as u32).clamp(1, 4)
}

/// Size of tick labels in pixels: scales with the smaller side so small plots stay
/// readable.
fn text_size(scene: &Scene) -> f64 {
    (scene.width.min(scene.height) as f64 / 40.0).clamp(9.0, 28.0)
}

const SUPERSCRIPTS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

/// A tick value as people write it: `0.5`, `20`, `1e6`, `2.5e-5`; on a log axis powers
/// of ten as `10³`. Never `1000000.0`, never float noise such as `0.30000000000000004`.
pub fn tick_label(v: f64, log: bool) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 {
            "0".to_owned()
        } else {
            v.to_string()
        };
    }
    if log && v > 0.0 {
        let k = v.log10();
        if (k - k.round()).abs() < 1e-9 {
            let k = k.round() as i64;
            let mut s = String::from("10");
            if k < 0 {
                s.push('⁻');
            }
            for d in k.unsigned_abs().to_string().bytes() {
                s.push(SUPERSCRIPTS[usize::from(d - b'0')]);
            }
            return s;
        }
    }
    let a = v.abs();
    if !(1e-4..1e6).contains(&a) {
        // Six significant digits, trailing zeros dropped: 2.5e6, 1e-5.
        let s = format!("{v:.5e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exp}").replace('-', "−");
    }
    let decimals = (5 - a.log10().floor() as i32).clamp(0, 10) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    // A typographic minus, as matplotlib prints.
    s.replace('-', "−")
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

/// The widest label an axis may print at its ends (tick values, or category names).
fn end_label_width(names: &Option<Vec<String>>, range: (f64, f64), log: bool, size: f64) -> u32 {
    match names {
        Some(n) => n.iter().map(|s| text_width(s, size)).max().unwrap_or(0),
        None => {
            let span = range.1 - range.0;
            // A tick near an end with the step's own digits: 0.25 of a range [0, 1]
            // prints as much as either end.
            let mid = range.0 + span / 4.0;
            [range.0, range.1, mid]
                .iter()
                .map(|&v| text_width(&tick_label(v, log), size))
                .max()
                .unwrap_or(0)
        }
    }
}

/// Pixels the colour bar takes right of the plot: gap, bar, ticks and labels.
fn colorbar_width(scene: &Scene, base: f64) -> u32 {
    let Some((lo, hi)) = scene.colorbar else {
        return 0;
    };
    let labels = nice_ticks(lo, hi)
        .iter()
        .map(|&v| text_width(&tick_label(v, false), base))
        .max()
        .unwrap_or(0);
    (base * 3.0) as u32 + labels
}

fn draw_in<DB, X, Y>(root: &DrawingArea<DB, Shift>, scene: &Scene, x: X, y: Y) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let base = text_size(scene);
    let margin = (base * 0.8) as u32;
    // Edge tick labels are centred on the plot's ends: leave room for half the widest so
    // none is cut off at the image's edge.
    let x_end = end_label_width(&scene.x_ticks, scene.x_range, scene.log_x, base);
    let right = margin.max(x_end / 2 + 4) + colorbar_width(scene, base);
    let y_end = end_label_width(&scene.y_ticks, scene.y_range, scene.log_y, base);
    let y_desc = if scene.y_label.is_some() { 2.6 } else { 1.0 };
    let y_area = ((base * 4.5) as u32).max(y_end + (base * y_desc) as u32);
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(margin)
        .margin_right(right)
        .x_label_area_size((base * 3.0) as u32)
        .y_label_area_size(y_area);
    if let Some(t) = &scene.title {
        builder.caption(
            t,
            ("sans-serif", base * 1.5)
                .into_font()
                .color(&color(FOREGROUND)),
        );
    }
    let mut chart = builder.build_cartesian_2d(x, y)?;

    let x_fmt = |v: &f64| match &scene.x_ticks {
        Some(names) => category_name(names, *v),
        None => tick_label(*v, scene.log_x),
    };
    let y_fmt = |v: &f64| match &scene.y_ticks {
        Some(names) => category_name(names, *v),
        None => tick_label(*v, scene.log_y),
    };
    let label_font = ("sans-serif", base).into_font().color(&color(FOREGROUND));
    let mut mesh = chart.configure_mesh();
    // Only the major grid: the fine one roughly doubles the sixel size for little gain.
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(color(GRID))
        .axis_style(color(FOREGROUND))
        .label_style(label_font.clone())
        .axis_desc_style(label_font.clone())
        .x_labels(scene.x_ticks.as_ref().map_or(10, |t| t.len() + 1))
        .y_labels(scene.y_ticks.as_ref().map_or(10, |t| t.len() + 1))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if scene.x_ticks.is_some() {
        mesh.disable_x_mesh();
    }
    if scene.y_ticks.is_some() {
        mesh.disable_y_mesh();
    }
    if let Some(l) = &scene.x_label {
        mesh.x_desc(l);
    }
    if let Some(l) = &scene.y_label {
        mesh.y_desc(l);
    }
    mesh.draw()?;

    let lw = line_width(scene.width, scene.height);
    for layer in &scene.layers {
        match layer {
            Layer::Line {
                segments, color: c, ..
            } => {
                let style = color(*c).stroke_width(lw);
                for seg in segments {
                    chart.draw_series(LineSeries::new(seg.iter().copied(), style))?;
                }
            }
            Layer::Points {
                points, color: c, ..
            } => {
                let r = point_radius(scene);
                chart.draw_series(
                    points
                        .iter()
                        .map(|&p| Circle::new(p, r, color(*c).filled())),
                )?;
            }
            Layer::Rects { rects, alpha, .. } if *alpha < 1.0 => {
                // See-through bars are drawn in pixels, each covering [left, right), so
                // neighbours do not blend twice along their shared edge.
                let (ax, ay) = chart.plotting_area().get_pixel_range();
                for &(x0, y0, x1, y1, rc) in rects {
                    let (a, b) = (
                        chart.backend_coord(&(x0, y1)),
                        chart.backend_coord(&(x1, y0)),
                    );
                    let l = a.0.min(b.0).max(ax.start);
                    let r = a.0.max(b.0).min(ax.end - 1);
                    let t = a.1.min(b.1).max(ay.start);
                    let btm = a.1.max(b.1).min(ay.end - 1);
                    if r >= l && btm >= t {
                        root.draw(&Rectangle::new(
                            [(l, t), (r, btm)],
                            color(rc).mix(*alpha).filled(),
                        ))?;
                    }
                }
            }
            Layer::Rects { rects, .. } => {
                chart.draw_series(rects.iter().map(|&(x0, y0, x1, y1, rc)| {
                    Rectangle::new([(x0, y0), (x1, y1)], color(rc).filled())
                }))?;
            }
        }
    }
    let (px, py) = chart.plotting_area().get_pixel_range();
    if scene.layers.iter().any(|l| l.label().is_some()) {
        let probes = data_probes(scene, |p| chart.backend_coord(p));
        draw_legend(root, scene, base, (px.clone(), py.clone()), &probes)?;
    }
    if let Some((lo, hi)) = scene.colorbar {
        draw_colorbar(root, base, (px, py), lo, hi)?;
    }
    root.present()?;
    Ok(())
}

fn point_radius(scene: &Scene) -> u32 {
    (line_width(scene.width, scene.height) + 1).max(3)
}

fn category_name(names: &[String], v: f64) -> String {
    // Categories sit at integer centres; only label those.
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}

/// Where the data is, in pixels, for choosing where the legend goes: every point, points
/// every few pixels along lines, and a point per 3×3 pixels of every bar.
fn data_probes(scene: &Scene, to_px: impl Fn(&(f64, f64)) -> (i32, i32)) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    for layer in &scene.layers {
        match layer {
            Layer::Line { segments, .. } => {
                for seg in segments {
                    let mut prev: Option<(i32, i32)> = None;
                    for p in seg {
                        let q = to_px(p);
                        if let Some(a) = prev {
                            let steps = ((q.0 - a.0).abs().max((q.1 - a.1).abs()) / 3).max(1);
                            for k in 1..steps {
                                out.push((
                                    a.0 + (q.0 - a.0) * k / steps,
                                    a.1 + (q.1 - a.1) * k / steps,
                                ));
                            }
                        }
                        out.push(q);
                        prev = Some(q);
                    }
                }
            }
            Layer::Points { points, .. } => out.extend(points.iter().map(&to_px)),
            Layer::Rects { rects, .. } => {
                for &(x0, y0, x1, y1, _) in rects {
                    let (a, b) = (to_px(&(x0, y1)), to_px(&(x1, y0)));
                    let (l, r) = (a.0.min(b.0), a.0.max(b.0));
                    let (t, btm) = (a.1.min(b.1), a.1.max(b.1));
                    // Cap the probes per bar: a huge bar counts as fully covered anyway.
                    let step = (((r - l) * (btm - t)) / 4000).max(3);
                    let mut yy = t;
                    while yy <= btm {
                        let mut xx = l;
                        while xx <= r {
                            out.push((xx, yy));
                            xx += step;
                        }
                        yy += step;
                    }
                }
            }
        }
    }
    out
}

/// The legend's box in pixels: `(x0, y0, x1, y1)` for a corner of the plot area.
type PxRect = (i32, i32, i32, i32);

/// The four corners' boxes in matplotlib's order of preference for ties: upper right,
/// upper left, lower left, lower right.
pub fn legend_candidates(
    area: (std::ops::Range<i32>, std::ops::Range<i32>),
    w: i32,
    h: i32,
    inset: i32,
) -> [PxRect; 4] {
    let (px, py) = area;
    let (l, r) = (px.start + inset, px.end - inset - w);
    let (t, b) = (py.start + inset, py.end - inset - h);
    [
        (r, t, r + w, t + h),
        (l, t, l + w, t + h),
        (l, b, l + w, b + h),
        (r, b, r + w, b + h),
    ]
}

/// The candidate covering the fewest data probes; the first such in order on a tie.
pub fn least_covered(candidates: &[PxRect], probes: &[(i32, i32)]) -> PxRect {
    let covered = |c: &PxRect| {
        probes
            .iter()
            .filter(|p| p.0 >= c.0 - 2 && p.0 <= c.2 + 2 && p.1 >= c.1 - 2 && p.1 <= c.3 + 2)
            .count()
    };
    let mut best = candidates[0];
    let mut least = usize::MAX;
    for c in candidates {
        let n = covered(c);
        if n < least {
            least = n;
            best = *c;
        }
    }
    best
}

fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scene: &Scene,
    base: f64,
    area: (std::ops::Range<i32>, std::ops::Range<i32>),
    probes: &[(i32, i32)],
) -> DrawResult<DB> {
    let entries: Vec<(&Layer, &String)> = scene
        .layers
        .iter()
        .filter_map(|l| l.label().map(|s| (l, s)))
        .collect();
    let pad = (base * 0.6).round() as i32;
    let row = (base * 1.5).round() as i32;
    let sample = (base * 2.0).round() as i32;
    let text_w = entries
        .iter()
        .map(|(_, s)| text_width(s, base) as i32)
        .max()
        .unwrap_or(0);
    let w = pad + sample + pad + text_w + pad;
    let h = pad / 2 + row * entries.len() as i32 + pad / 2;
    let candidates = legend_candidates(area, w, h, (base * 0.6) as i32);
    let (x0, y0, x1, y1) = least_covered(&candidates, probes);
    root.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        color(BACKGROUND).filled(),
    ))?;
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], color(FRAME)))?;
    let font = ("sans-serif", base)
        .into_font()
        .color(&color(FOREGROUND))
        .pos(Pos::new(HPos::Left, VPos::Center));
    let lw = line_width(scene.width, scene.height);
    for (i, (layer, label)) in entries.into_iter().enumerate() {
        let cy = y0 + pad / 2 + row * i as i32 + row / 2;
        let sx = x0 + pad;
        match layer {
            Layer::Line { color: c, .. } => {
                root.draw(&PathElement::new(
                    vec![(sx, cy), (sx + sample, cy)],
                    color(*c).stroke_width(lw),
                ))?;
            }
            Layer::Points { color: c, .. } => {
                root.draw(&Circle::new(
                    (sx + sample / 2, cy),
                    point_radius(scene),
                    color(*c).filled(),
                ))?;
            }
            Layer::Rects {
                color: c, alpha, ..
            } => {
                let half = (base * 0.4) as i32;
                root.draw(&Rectangle::new(
                    [(sx, cy - half), (sx + sample, cy + half)],
                    color(*c).mix(*alpha).filled(),
                ))?;
            }
        }
        root.draw(&Text::new(label.as_str(), (sx + sample + pad, cy), &font))?;
    }
    Ok(())
}

/// About five round values (steps of 1, 2 or 5 × 10ᵏ) from `lo` to `hi`.
pub fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return vec![lo];
    }
    let raw = span / 5.0;
    let e = raw.log10().floor() as i32;
    let mag = 10f64.powi(e);
    let m = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|m| span / (m * mag) <= 6.0)
        .unwrap_or(10.0);
    // k·m·10ᵉ, divided rather than multiplied by a fraction so that 3·0.2 is 0.6.
    let at = |k: f64| {
        if e < 0 {
            k * m / 10f64.powi(-e)
        } else {
            k * m * mag
        }
    };
    let step = m * mag;
    let first = (lo / step).ceil();
    (0..)
        .map(|i| at(first + f64::from(i)))
        .take_while(|&v| v <= hi + step * 1e-9)
        .collect()
}

/// The colour scale right of a heatmap: viridis from `lo` (bottom) to `hi` (top) in the
/// same 64 steps as the cells, framed, with ticks and labels.
fn draw_colorbar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    base: f64,
    area: (std::ops::Range<i32>, std::ops::Range<i32>),
    lo: f64,
    hi: f64,
) -> DrawResult<DB> {
    const LEVELS: i32 = 64;
    let (px, py) = area;
    let x0 = px.end + (base * 1.0) as i32;
    let x1 = x0 + (base * 1.2) as i32;
    let (top, bottom) = (py.start, py.end - 1);
    let height = bottom - top;
    for k in 0..LEVELS {
        let t0 = bottom - height * k / LEVELS;
        let t1 = bottom - height * (k + 1) / LEVELS;
        let c = viridis(f64::from(k) / f64::from(LEVELS - 1));
        root.draw(&Rectangle::new([(x0, t1), (x1, t0)], color(c).filled()))?;
    }
    root.draw(&Rectangle::new(
        [(x0, top), (x1, bottom)],
        color(FOREGROUND),
    ))?;
    let font = ("sans-serif", base)
        .into_font()
        .color(&color(FOREGROUND))
        .pos(Pos::new(HPos::Left, VPos::Center));
    let tick = (base * 0.35) as i32;
    for v in nice_ticks(lo, hi) {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let y = bottom - (t * f64::from(height)).round() as i32;
        root.draw(&PathElement::new(
            vec![(x1, y), (x1 + tick, y)],
            color(FOREGROUND),
        ))?;
        root.draw(&Text::new(
            tick_label(v, false),
            (x1 + tick + (base * 0.3) as i32, y),
            &font,
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_compact() {
        assert_eq!(tick_label(1000.0, true), "10³");
        assert_eq!(tick_label(1e6, true), "10⁶");
        assert_eq!(tick_label(0.01, true), "10⁻²");
        assert_eq!(tick_label(1.0, true), "10⁰");
        assert_eq!(tick_label(20.0, true), "20");
        assert_eq!(tick_label(1e6, false), "1e6");
        assert_eq!(tick_label(2.5e6, false), "2.5e6");
        assert_eq!(tick_label(1e-5, false), "1e−5");
        assert_eq!(tick_label(0.1 + 0.2, false), "0.3");
        assert_eq!(tick_label(-1.5, false), "−1.5");
        assert_eq!(tick_label(2.0, false), "2");
        assert_eq!(tick_label(123456.0, false), "123456");
        assert_eq!(tick_label(0.0, false), "0");
    }

    #[test]
    fn nice_ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 1.0), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(1.0, 9.0), vec![2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(3.0, 3.0), vec![3.0]);
    }

    #[test]
    fn legend_goes_to_the_emptiest_corner() {
        let c = legend_candidates((0..100, 0..100), 20, 10, 5);
        assert_eq!(c[0], (75, 5, 95, 15));
        // Data crowding the upper right sends the legend to the upper left...
        let probes: Vec<_> = (0..50).map(|i| (80 + i % 10, 5 + i / 10)).collect();
        assert_eq!(least_covered(&c, &probes), c[1]);
        // ...and with nothing anywhere it stays in the upper right.
        assert_eq!(least_covered(&c, &[]), c[0]);
    }
}
