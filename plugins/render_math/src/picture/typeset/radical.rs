//! Square roots and n-th roots: the drawn radical sign, its bar and the index.

use super::{hlist, size};
use crate::ast::{Node, Style};
use crate::picture::boxes::MathBox;
use crate::picture::font::math_metrics;
use crate::picture::shapes::radical_sign;

pub(super) fn radical(index: Option<&[Node]>, body: &[Node], style: Style) -> MathBox {
    let m = size(style);
    let mm = math_metrics();
    let body = hlist(body, style, None);
    let theta = mm.rule * m;
    let phi = if style == Style::Display {
        theta + mm.x_height * m / 4.0
    } else {
        theta + theta / 4.0
    };
    // Even an empty or short radicand gets a sign as tall as a letter's.
    let body_h = body.height.max(mm.x_height * m);
    let top = body_h + phi + theta;
    let bottom = -(body.depth.max(0.0)) - 0.12 * m;
    let (sign, sign_w) = radical_sign(bottom, top, m);
    let index = index
        .map(|i| hlist(i, Style::ScriptScript, None))
        .filter(|b| b.width > 0.0);
    let mut out = MathBox::default();
    let mut x = 0.0;
    if let Some(index) = index {
        // TeX: the index's bottom at 60% of the sign's height, tucked into its crook.
        let raise = bottom + 0.6 * (top - bottom) + index.depth;
        let left = 0.28 * m;
        let iw = index.width;
        out.place(index, left, raise);
        x = (left + iw - 0.5 * sign_w).max(0.0);
    }
    let mut sign_box = MathBox {
        items: sign,
        ..MathBox::default()
    };
    sign_box.height = top;
    sign_box.depth = -bottom;
    out.place(sign_box, x, 0.0);
    let pad = 0.06 * m;
    let bar_w = body.width + 2.0 * pad;
    out.place(
        MathBox::rule(bar_w + theta * 0.3, top - theta, top),
        x + sign_w - theta * 0.3,
        0.0,
    );
    let bw = body.width;
    out.place(body, x + sign_w + pad, 0.0);
    out.width = x + sign_w + pad + bw + pad + 0.06 * m;
    out.height = out.height.max(top + theta);
    out
}
