//! The picture forms, PNG and SVG: the formula typeset with real glyph metrics (TeX's
//! rules for fractions, scripts, radicals, limits, delimiters and arrays, with the plot
//! tool's font, DejaVu Sans), not a drawing of the 2-D text layout.
//!
//! [`typeset`] builds [`MathBox`]es of glyphs, rules and drawn shapes; [`raster`] fills
//! their outlines into pixels and [`svg`] writes them as paths.

mod boxes;
mod font;
mod raster;
mod shapes;
mod svg;
mod typeset;

pub use boxes::{Item, MathBox};
pub use typeset::typeset;

use crate::ast::Node;

/// Largest image drawn, in pixels (about 1400 × 1400): a bound on memory in the sandbox.
pub const MAX_PIXELS: u64 = 2 << 20;
/// Longest side of an image, in pixels.
pub const MAX_SIDE: u32 = 8192;

/// Space around the ink, in ems.
const PADDING: f32 = 0.2;

pub type Rgb = [u8; 3];

/// How a picture is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageOptions {
    /// Pixels to the em (the font size) at scale 1.
    pub size: f32,
    /// Multiplies the pixel size (2 for high-density screens).
    pub scale: f32,
    pub color: Rgb,
    /// `None`: transparent.
    pub background: Option<Rgb>,
}

impl Default for ImageOptions {
    fn default() -> Self {
        ImageOptions {
            size: 32.0,
            scale: 1.0,
            color: [0, 0, 0],
            background: Some([255, 255, 255]),
        }
    }
}

/// An encoded image and where its baseline is.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub mime_type: &'static str,
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Pixels from the top edge to the formula's baseline (for setting it in a line of text).
    pub baseline: u32,
}

/// The picture would be larger than [`MAX_PIXELS`] or [`MAX_SIDE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyPixels {
    pub width: u64,
    pub height: u64,
}

/// Where the picture's ems land in pixels.
pub(crate) struct Frame {
    pub width: u32,
    pub height: u32,
    /// Em coordinates of the image's left and top edges.
    pub left: f32,
    pub top: f32,
    pub px_per_em: f32,
    pub scale: f32,
}

pub(crate) struct Paint {
    pub color: Rgb,
    pub background: Option<Rgb>,
}

pub(crate) fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// `#rrggbb` or `#rgb` (the `#` optional).
pub fn parse_color(s: &str) -> Option<Rgb> {
    let hex = s.strip_prefix('#').unwrap_or(s);
    let digits: Option<Vec<u8>> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect();
    match digits.as_deref()? {
        [r, g, b] => Some([r * 17, g * 17, b * 17]),
        [r1, r2, g1, g2, b1, b2] => Some([r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2]),
        _ => None,
    }
}

fn frame(b: &MathBox, opts: &ImageOptions) -> Result<Frame, TooManyPixels> {
    let (ix0, iy0, ix1, iy1) = b.ink_bounds().unwrap_or((0.0, 0.0, 0.0, 0.0));
    let x0 = ix0.min(0.0) - PADDING;
    let x1 = ix1.max(b.width) + PADDING;
    let y0 = iy0.min(-b.depth) - PADDING;
    let y1 = iy1.max(b.height) + PADDING;
    let k = opts.size * opts.scale;
    // Whole pixels above and left of the origin, so the baseline falls on a pixel edge.
    let above = (y1 * k).ceil();
    let left = (x0 * k).floor();
    let width = ((x1 * k).ceil() - left).max(1.0) as u64;
    let height = (above - (y0 * k).floor()).max(1.0) as u64;
    if width * height > MAX_PIXELS || width > u64::from(MAX_SIDE) || height > u64::from(MAX_SIDE) {
        return Err(TooManyPixels { width, height });
    }
    Ok(Frame {
        width: width as u32,
        height: height as u32,
        left: left / k,
        top: above / k,
        px_per_em: k,
        scale: opts.scale,
    })
}

/// The formula as a PNG.
pub fn png(nodes: &[Node], display: bool, opts: &ImageOptions) -> Result<Image, TooManyPixels> {
    let b = typeset(nodes, display);
    let f = frame(&b, opts)?;
    let cov = raster::coverage(&b.items, &f);
    let paint = Paint {
        color: opts.color,
        background: opts.background,
    };
    let data = raster::encode_png(&cov, &f, &paint).expect("encoding into memory cannot fail");
    Ok(Image {
        mime_type: "image/png",
        data,
        width: f.width,
        height: f.height,
        baseline: (f.top * f.px_per_em).round() as u32,
    })
}

/// The formula as SVG; `title` is its text for screen readers (the one-line form).
pub fn svg(
    nodes: &[Node],
    display: bool,
    opts: &ImageOptions,
    title: &str,
) -> Result<Image, TooManyPixels> {
    let b = typeset(nodes, display);
    let f = frame(&b, opts)?;
    let paint = Paint {
        color: opts.color,
        background: opts.background,
    };
    let text = svg::write_svg(&b.items, &f, &paint, title);
    Ok(Image {
        mime_type: "image/svg+xml",
        data: text.into_bytes(),
        width: f.width,
        height: f.height,
        baseline: (f.top * f.px_per_em).round() as u32,
    })
}
