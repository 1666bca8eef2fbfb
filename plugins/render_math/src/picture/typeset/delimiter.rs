//! Delimiters: fixed sizes for `\big` and friends, sized to the material for
//! `\left`…`\right` (with `\middle`), as glyphs while they are big enough and drawn beyond.

use super::{hlist, param, size};
use crate::ast::{Delim, Delimited, Style};
use crate::picture::boxes::MathBox;
use crate::picture::font::{face, math_metrics};
use crate::picture::shapes::{self, can_grow};

/// The delimiter `d` covering `total` ems centred on the axis; the glyph itself when it is
/// big enough, else a drawn one.
pub(super) fn fixed_delimiter(d: Delim, total: f32, m: f32) -> MathBox {
    let Some(c) = d else {
        return MathBox::kern(param::NULL_DELIMITER_SPACE * m);
    };
    let glyph_h = shapes::glyph_extent(c, m);
    let axis = math_metrics().axis * m;
    if total <= glyph_h * 1.05 || !can_grow(c) {
        if total <= glyph_h * 1.05 {
            return MathBox::glyph(face(c, false), m);
        }
        // Arrows and the rest: the glyph, stretched to the height.
        let f = face(c, false);
        let g = f.metrics();
        let sy = total / glyph_h;
        let centre = (g.y_min + g.y_max) / 2.0 * m * sy;
        return MathBox::stretched_glyph(f, m, 1.0, sy).raised(axis - centre);
    }
    shapes::delimiter(c, axis - total / 2.0, axis + total / 2.0, m)
}

/// The size TeX gives a `\left`/`\right` pair around material of this height and depth.
pub(super) fn delimiter_size(height: f32, depth: f32, m: f32) -> f32 {
    let axis = math_metrics().axis * m;
    let delta = (height - axis).max(depth + axis);
    (2.0 * delta * param::DELIMITER_FACTOR).max(2.0 * delta - param::DELIMITER_SHORTFALL * m)
}

pub(super) fn delimited(d: &Delimited, style: Style) -> MathBox {
    let m = size(style);
    let parts: Vec<MathBox> = d.parts.iter().map(|p| hlist(p, style, None)).collect();
    let h = parts.iter().map(|b| b.height).fold(0.0f32, f32::max);
    let dp = parts.iter().map(|b| b.depth).fold(0.0f32, f32::max);
    let total = delimiter_size(h, dp, m);
    let mut out = fixed_delimiter(d.left, total, m);
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            out.append(fixed_delimiter(
                d.middles.get(i - 1).copied().flatten(),
                total,
                m,
            ));
        }
        out.append(p);
        out.append_kern(0.0);
    }
    out.append(fixed_delimiter(d.right, total, m));
    out.italic = 0.0;
    out
}
