//! The optional picture of a result (`"plot": true` or `{"format", "width", "height"}`),
//! drawn by the plot tool's renderer (the crate plot_sixel is built from): each unknown
//! of an `ode` against time with a legend by name, or the integrand of a `quad` over its
//! interval (on an infinite interval, over the window that holds nearly all of ∫|f|).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use toolhost_plot::{DEFAULT_HEIGHT, DEFAULT_WIDTH, Format, Kind, MAX_SIZE, MIN_SIZE, Series};
use toolhost_sdk::ToolError;

/// Whether and how to draw the result.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum PlotRequest {
    /// true: a PNG of 800×600 pixels; false: no picture.
    On(bool),
    Options(PlotOptions),
}

impl Default for PlotRequest {
    fn default() -> Self {
        PlotRequest::On(false)
    }
}

impl JsonSchema for PlotRequest {
    fn schema_name() -> Cow<'static, str> {
        "PlotRequest".into()
    }

    /// A boolean or the options, said with if/then/else rather than anyOf so that a
    /// validator names the option at fault (/plot/width), not just /plot.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let options = generator.subschema_for::<PlotOptions>();
        json_schema!({
            "if": { "type": "object" },
            "then": options,
            "else": { "type": "boolean" }
        })
    }
}

/// The picture's format and size.
#[derive(Deserialize, JsonSchema, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct PlotOptions {
    /// "png" (the default) or "svg".
    #[serde(default)]
    pub format: ImageFormat,
    /// Width in pixels, 100 to 4096; default 800.
    #[serde(default)]
    #[schemars(range(min = 100, max = 4096))]
    pub width: Option<u32>,
    /// Height in pixels, 100 to 4096; default 600.
    #[serde(default)]
    #[schemars(range(min = 100, max = 4096))]
    pub height: Option<u32>,
}

#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    #[default]
    Png,
    Svg,
}

/// A drawn picture, returned beside the JSON result.
#[derive(Debug)]
pub struct Picture {
    pub mime_type: &'static str,
    pub data: Vec<u8>,
}

/// The checked request: None when no picture is wanted.
#[derive(Debug, Clone, Copy)]
pub struct Canvas {
    format: ImageFormat,
    width: u32,
    height: u32,
}

impl Canvas {
    /// Checks the request at `/plot`; sizes outside what the renderer draws are errors
    /// naming the field rather than silently capped.
    pub fn from_request(request: &PlotRequest) -> Result<Option<Canvas>, ToolError> {
        let options = match request {
            PlotRequest::On(false) => return Ok(None),
            PlotRequest::On(true) => PlotOptions::default(),
            PlotRequest::Options(o) => o.clone(),
        };
        let size = |v: Option<u32>, default: u32, field: &str| match v {
            None => Ok(default),
            Some(px) if (MIN_SIZE..=MAX_SIZE).contains(&px) => Ok(px),
            Some(px) => Err(ToolError::invalid_input(format!(
                "/plot/{field}: {px} px is outside {MIN_SIZE} to {MAX_SIZE}"
            ))
            .at(&format!("/plot/{field}"))),
        };
        Ok(Some(Canvas {
            format: options.format,
            width: size(options.width, DEFAULT_WIDTH, "width")?,
            height: size(options.height, DEFAULT_HEIGHT, "height")?,
        }))
    }

    /// Draws `series` (x and y each) as lines.
    pub fn draw(
        &self,
        title: String,
        x_label: &str,
        y_label: Option<&str>,
        series: Vec<Series>,
    ) -> Result<Picture, ToolError> {
        let input = toolhost_plot::Input {
            kind: Kind::Line,
            series,
            title: Some(title),
            x_label: Some(x_label.to_owned()),
            y_label: y_label.map(str::to_owned),
            width: Some(self.width),
            height: Some(self.height),
            format: match self.format {
                ImageFormat::Png => Format::Png,
                ImageFormat::Svg => Format::Svg,
            },
            ..toolhost_plot::Input::default()
        };
        // The data comes from the solver, not the user: an error here is a bug or a
        // result with nothing finite to draw, reported as a plot failure at /plot.
        let rendered = toolhost_plot::render_plot(&input).map_err(|e| {
            ToolError::new(
                "plot_failed",
                format!("/plot: the picture could not be drawn: {}", e.message),
            )
            .at("/plot")
        })?;
        match (rendered.png, rendered.svg) {
            (Some(png), _) => Ok(Picture {
                mime_type: "image/png",
                data: png,
            }),
            (None, Some(svg)) => Ok(Picture {
                mime_type: "image/svg+xml",
                data: svg.into_bytes(),
            }),
            (None, None) => Err(ToolError::new(
                "plot_failed",
                "/plot: the renderer produced no image",
            )),
        }
    }
}

/// Points sampled along a quad's integrand.
pub const INTEGRAND_SAMPLES: usize = 500;
/// Share of ∫|f| an infinite interval's window holds.
const WINDOW_MASS: f64 = 0.99;

/// The x interval to draw an integrand over: [a, b] when finite; on an infinite interval,
/// the part holding 99 % of ∫|f| (cut evenly from both tails on (−∞, ∞)), found on the
/// same map x = bound ± (1 − t)/t the quadrature uses.
pub fn integrand_window(a: f64, b: f64, f: &mut dyn FnMut(f64) -> f64) -> (f64, f64) {
    let (lo, hi) = (a.min(b), a.max(b));
    if lo.is_finite() && hi.is_finite() {
        return (lo, hi);
    }
    // Samples of x with their share of ∫|f| (|f| dx/dt = |f|/t² on the map).
    const M: usize = 4000;
    let mut samples: Vec<(f64, f64)> = Vec::with_capacity(2 * M);
    let mut side = |origin: f64, sign: f64, samples: &mut Vec<(f64, f64)>| {
        for k in 0..M {
            let t = (k as f64 + 0.5) / M as f64;
            let x = origin + sign * (1.0 - t) / t;
            let w = f(x).abs() / (t * t);
            samples.push((x, if w.is_finite() { w } else { 0.0 }));
        }
    };
    match (lo.is_finite(), hi.is_finite()) {
        (true, _) => side(lo, 1.0, &mut samples),
        (_, true) => side(hi, -1.0, &mut samples),
        _ => {
            side(0.0, 1.0, &mut samples);
            side(0.0, -1.0, &mut samples);
        }
    }
    samples.sort_by(|p, q| p.0.total_cmp(&q.0));
    let total: f64 = samples.iter().map(|s| s.1).sum();
    let fallback = match (lo.is_finite(), hi.is_finite()) {
        (true, _) => (lo, lo + 10.0),
        (_, true) => (hi - 10.0, hi),
        _ => (-10.0, 10.0),
    };
    if !(total > 0.0 && total.is_finite()) {
        return fallback;
    }
    let tail = match (lo.is_finite(), hi.is_finite()) {
        (false, false) => (1.0 - WINDOW_MASS) / 2.0,
        _ => 1.0 - WINDOW_MASS,
    };
    let quantile = |share: f64| {
        let mut acc = 0.0;
        for &(x, w) in &samples {
            acc += w;
            if acc >= share * total {
                return x;
            }
        }
        samples.last().map_or(0.0, |s| s.0)
    };
    let from = if lo.is_finite() { lo } else { quantile(tail) };
    let to = if hi.is_finite() {
        hi
    } else {
        quantile(1.0 - tail)
    };
    if from < to { (from, to) } else { fallback }
}

/// f at the midpoints of `samples` equal cells of [from, to]: never at the ends, where an
/// integrable singularity may sit.
pub fn sample(
    from: f64,
    to: f64,
    samples: usize,
    f: &mut dyn FnMut(f64) -> f64,
) -> (Vec<f64>, Vec<f64>) {
    let step = (to - from) / samples as f64;
    let x: Vec<f64> = (0..samples)
        .map(|i| from + (i as f64 + 0.5) * step)
        .collect();
    let y = x.iter().map(|&x| f(x)).collect();
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_infinite_window_holds_nearly_all_of_the_mass() {
        // exp(−x) on [0, ∞): 99 % of the mass lies below ln 100 ≈ 4.61.
        let (from, to) = integrand_window(0.0, f64::INFINITY, &mut |x: f64| (-x).exp());
        assert_eq!(from, 0.0);
        assert!((to - 100f64.ln()).abs() < 0.05, "{to}");
        // exp(−x²) on (−∞, ∞), a normal density of σ = 1/√2: 99 % within ±2.576 σ.
        let (from, to) = integrand_window(f64::NEG_INFINITY, f64::INFINITY, &mut |x: f64| {
            (-x * x).exp()
        });
        let edge = 2.5758 / 2f64.sqrt();
        assert!(
            (from + edge).abs() < 0.03 && (to - edge).abs() < 0.03,
            "{from} {to}"
        );
        // Mirrored on (−∞, 2].
        let (from, to) = integrand_window(2.0, f64::NEG_INFINITY, &mut |x: f64| (x - 2.0).exp());
        assert_eq!(to, 2.0);
        assert!((from - (2.0 - 100f64.ln())).abs() < 0.05, "{from}");
    }

    #[test]
    fn a_finite_interval_is_its_own_window_and_is_sampled_inside() {
        let mut f = |x: f64| 1.0 / x.sqrt();
        assert_eq!(integrand_window(1.0, 0.0, &mut f), (0.0, 1.0));
        let (x, y) = sample(0.0, 1.0, 4, &mut f);
        assert_eq!(x, [0.125, 0.375, 0.625, 0.875]);
        assert!(y.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn sizes_outside_the_renderers_are_refused_at_their_field() {
        let request = PlotRequest::Options(PlotOptions {
            width: Some(99),
            ..PlotOptions::default()
        });
        let e = Canvas::from_request(&request).unwrap_err();
        assert_eq!(e.details.unwrap()["pointer"], "/plot/width");
        assert!(
            Canvas::from_request(&PlotRequest::On(false))
                .unwrap()
                .is_none()
        );
        assert!(
            Canvas::from_request(&PlotRequest::default())
                .unwrap()
                .is_none()
        );
    }
}
