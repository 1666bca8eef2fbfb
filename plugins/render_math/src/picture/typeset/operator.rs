//! Big operators (sums, products, integrals) centred on the axis, and limits set above
//! and below an operator.

use super::{param, size};
use crate::ast::{BigOp, OpKind, Style};
use crate::picture::boxes::MathBox;
use crate::picture::font::{face, math_metrics};

pub(super) fn is_integral(op: BigOp) -> bool {
    matches!(op.kind, OpKind::Integral(_) | OpKind::Contour)
}

/// A big operator centred on the math axis; larger in display style.
pub(super) fn big_op(op: BigOp, style: Style) -> MathBox {
    let m = size(style);
    let (sx, sy) = match (style, is_integral(op)) {
        (Style::Display, true) => (1.25, 1.9),
        (Style::Display, false) => (1.45, 1.45),
        (_, true) => (1.0, 1.25),
        _ => (1.05, 1.05),
    };
    let f = face(op.glyph, false);
    let g = f.metrics();
    let b = MathBox::stretched_glyph(f, m, sx, sy);
    let centre = (g.y_min + g.y_max) / 2.0 * m * sy;
    let mut b = b.raised(math_metrics().axis * m - centre);
    if is_integral(op) {
        // The integral leans: superscripts go beside its top end.
        b.italic = (g.x_max * sx * m - b.width).max(0.0) + 0.1 * m;
    }
    b
}

/// Limits above and below an operator, each centred on it.
pub(super) fn with_limits(
    base: MathBox,
    sup: Option<MathBox>,
    sub: Option<MathBox>,
    m: f32,
) -> MathBox {
    let [s1, s2, s3, s4, s5] = param::BIG_OP_SPACING.map(|v| v * m);
    let width = [
        Some(base.width),
        sup.as_ref().map(|b| b.width),
        sub.as_ref().map(|b| b.width),
    ]
    .into_iter()
    .flatten()
    .fold(0.0f32, f32::max);
    let mut out = MathBox::default();
    let (bh, bd) = (base.height, base.depth);
    out.place(base.clone(), (width - base.width) / 2.0, 0.0);
    if let Some(sup) = sup {
        let y = bh + s1.max(s3 - sup.depth) + sup.depth;
        let top = y + sup.height + s5;
        let x = (width - sup.width) / 2.0;
        out.place(sup, x, y);
        out.height = out.height.max(top);
    }
    if let Some(sub) = sub {
        let y = -(bd + s2.max(s4 - sub.height) + sub.height);
        let x = (width - sub.width) / 2.0;
        let bottom = -y + sub.depth + s5;
        out.place(sub, x, y);
        out.depth = out.depth.max(bottom);
    }
    out.width = width;
    out
}
