//! The font of the pictures: DejaVu Sans, embedded as the plot tool embeds it, read with
//! ab_glyph. Metrics are in ems. The font has no italic or bold math letters, so those are
//! made from its upright glyphs: slanted for italic, drawn twice a little apart for bold.

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, GlyphId, OutlineCurve};

use crate::fonts::{self, Font};

static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Horizontal shift per unit of height of a slanted glyph (about 11°, as DejaVu Sans
/// Oblique is slanted).
pub const SLANT: f32 = 0.2;

/// How far apart, in ems, the two copies of a made-up bold glyph are drawn.
pub const EMBOLDEN: f32 = 0.035;

pub fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).expect("embedded font parses"))
}

fn units_per_em() -> f32 {
    font().units_per_em().unwrap_or(2048.0)
}

/// A glyph as drawn: which outline, slanted and/or emboldened.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Face {
    pub id: GlyphId,
    pub slant: bool,
    pub bold: bool,
}

/// A glyph's advance and ink box, in ems at size 1, before slanting.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GlyphMetrics {
    pub advance: f32,
    pub x_min: f32,
    pub x_max: f32,
    pub y_min: f32,
    pub y_max: f32,
}

impl GlyphMetrics {
    pub fn has_ink(&self) -> bool {
        self.x_max > self.x_min
    }
}

impl Face {
    pub fn metrics(self) -> GlyphMetrics {
        let f = font();
        let u = units_per_em();
        let mut m = GlyphMetrics {
            advance: f.h_advance_unscaled(self.id) / u,
            ..GlyphMetrics::default()
        };
        if let Some(o) = f.outline(self.id) {
            // Outline bounds are y-down in ab_glyph's rect; the curves are y-up.
            let (mut y0, mut y1) = (f32::INFINITY, f32::NEG_INFINITY);
            let (mut x0, mut x1) = (f32::INFINITY, f32::NEG_INFINITY);
            for c in &o.curves {
                for p in curve_points(c) {
                    x0 = x0.min(p.x);
                    x1 = x1.max(p.x);
                    y0 = y0.min(p.y);
                    y1 = y1.max(p.y);
                }
            }
            if x1 > x0 {
                m.x_min = x0 / u;
                m.x_max = x1 / u;
                m.y_min = y0 / u;
                m.y_max = y1 / u;
            }
        }
        if self.bold {
            m.advance += EMBOLDEN;
            m.x_max += EMBOLDEN;
        }
        m
    }
}

/// The end and control points of a curve (control points bound it, which is enough for
/// ink boxes).
pub fn curve_points(c: &OutlineCurve) -> Vec<ab_glyph::Point> {
    match *c {
        OutlineCurve::Line(a, b) => vec![a, b],
        OutlineCurve::Quad(a, b, c) => vec![a, b, c],
        OutlineCurve::Cubic(a, b, c, d) => vec![a, b, c, d],
    }
}

/// A glyph's outline in ems, y up.
pub fn outline(id: GlyphId) -> Vec<OutlineCurve> {
    let u = units_per_em();
    let s = |p: ab_glyph::Point| ab_glyph::point(p.x / u, p.y / u);
    font().outline(id).map_or_else(Vec::new, |o| {
        o.curves
            .iter()
            .map(|c| match *c {
                OutlineCurve::Line(a, b) => OutlineCurve::Line(s(a), s(b)),
                OutlineCurve::Quad(a, b, c) => OutlineCurve::Quad(s(a), s(b), s(c)),
                OutlineCurve::Cubic(a, b, c, d) => OutlineCurve::Cubic(s(a), s(b), s(c), s(d)),
            })
            .collect()
    })
}

fn glyph(c: char) -> Option<GlyphId> {
    let id = font().glyph_id(c);
    (id.0 != 0).then_some(id)
}

/// Letters that math sets in italic: Latin and lowercase Greek (TeX keeps Greek capitals
/// upright).
pub fn is_math_italic(c: char) -> bool {
    c.is_ascii_alphabetic()
        || ('α'..='ω').contains(&c)
        || matches!(c, 'ϵ' | 'ϑ' | 'ϕ' | 'ϖ' | 'ϱ' | 'ς' | 'ϰ' | 'ı' | 'ȷ' | 'ℓ')
}

/// The face that draws `c`: its own glyph, or for a math alphabet the font lacks, the
/// plain letter slanted or emboldened as that alphabet asks.
pub fn face(c: char, italic: bool) -> Face {
    if let Some(id) = glyph(c) {
        return Face {
            id,
            slant: italic,
            bold: false,
        };
    }
    if let Some((f, plain)) = fonts::unmap(c) {
        let mut face = face(plain, false);
        face.slant = matches!(f, Font::Italic | Font::BoldItalic | Font::Script);
        face.bold = matches!(f, Font::Bold | Font::BoldItalic | Font::DoubleStruck);
        return face;
    }
    let substitute = match c {
        '⟮' => Some(('(', false)),
        '⟯' => Some((')', false)),
        'ℊ' => Some(('g', true)),
        _ => None,
    };
    match substitute {
        Some((s, slant)) => face(s, slant),
        // The font's "missing glyph" box.
        None => Face {
            id: GlyphId(0),
            slant: false,
            bold: false,
        },
    }
}

/// The font's math parameters, in ems.
#[derive(Clone, Copy, Debug)]
pub struct MathMetrics {
    /// Height of the math axis (the middle of `−`): fraction bars and operators centre on it.
    pub axis: f32,
    pub x_height: f32,
    /// Fraction bars, the radical's overbar.
    pub rule: f32,
    /// A vertical stroke of the font (the `|`).
    pub stem: f32,
}

pub fn math_metrics() -> &'static MathMetrics {
    static M: OnceLock<MathMetrics> = OnceLock::new();
    M.get_or_init(|| {
        let minus = face('−', false).metrics();
        let x = face('x', false).metrics();
        let bar = face('|', false).metrics();
        MathMetrics {
            axis: (minus.y_min + minus.y_max) / 2.0,
            x_height: x.y_max,
            // Thinner than the font's minus, as TeX's rules are thinner than its strokes.
            rule: (minus.y_max - minus.y_min) * 0.6,
            stem: bar.x_max - bar.x_min,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_those_of_dejavu_sans() {
        let m = math_metrics();
        assert!((0.25..0.4).contains(&m.axis), "{m:?}");
        assert!((0.5..0.6).contains(&m.x_height), "{m:?}");
        assert!((0.03..0.08).contains(&m.rule), "{m:?}");
        assert!((0.05..0.12).contains(&m.stem), "{m:?}");
    }

    #[test]
    fn missing_alphabets_fall_back_to_styled_plain_letters() {
        let bold_x = face('𝐱', false);
        assert_eq!(bold_x.id, face('x', false).id);
        assert!(bold_x.bold && !bold_x.slant);
        let script = face('𝒜', false);
        assert!(script.slant && !script.bold);
        // The font has double-struck capitals of its own.
        let r = face('ℝ', false);
        assert!(!r.bold && r.id != face('R', false).id);
        assert_ne!(face('∑', false).id, GlyphId(0));
    }
}
