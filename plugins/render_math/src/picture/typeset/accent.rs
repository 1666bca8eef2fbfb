//! Accents over (and lines under) a body: accent glyphs, stretched for the wide ones,
//! and drawn bars and arrows over longer bodies.

use super::{hlist, size};
use crate::ast::{Accent, Node, Style};
use crate::picture::boxes::MathBox;
use crate::picture::font::{self, face, is_math_italic, math_metrics};
use crate::picture::shapes::arrow;

fn accent_char(a: Accent) -> char {
    match a {
        Accent::Hat | Accent::WideHat => 'ˆ',
        Accent::Check => 'ˇ',
        Accent::Tilde | Accent::WideTilde => '˜',
        Accent::Bar | Accent::Overline | Accent::Underline => '¯',
        Accent::Vec | Accent::OverRightArrow => '→',
        Accent::OverLeftArrow => '←',
        Accent::Dot => '˙',
        Accent::Ddot => '¨',
        Accent::Breve => '˘',
        Accent::Acute => '´',
        Accent::Grave => '`',
        Accent::Ring => '˚',
    }
}

pub(super) fn accented(accent: Accent, body: &[Node], style: Style) -> MathBox {
    let m = size(style);
    let mm = math_metrics();
    let single = matches!(body, [Node::Sym { .. }]);
    let slanted = matches!(body, [Node::Sym { ch, upright: false, .. }] if is_math_italic(*ch));
    let body = hlist(body, style, None);
    let gap = 0.06 * m;
    let theta = mm.rule * m;
    let mut out = MathBox::default();
    let (bw, bh, bd) = (body.width, body.height, body.depth);
    let italic = body.italic;
    out.place(body, 0.0, 0.0);
    out.width = bw;
    out.italic = italic;
    // Over a slanted letter the accent moves right with the slant.
    let skew = if slanted { 0.5 * bh * font::SLANT } else { 0.0 };
    match accent {
        Accent::Overline | Accent::Underline => {
            let y = if accent == Accent::Underline {
                -bd - gap - theta
            } else {
                bh + gap
            };
            out.place(MathBox::rule(bw, y, y + theta), 0.0, 0.0);
        }
        Accent::Bar if !single => {
            out.place(MathBox::rule(bw, bh + gap, bh + gap + theta), 0.0, 0.0);
        }
        Accent::OverRightArrow | Accent::OverLeftArrow | Accent::Vec if !single => {
            let head = 0.18 * m;
            let a = arrow(
                bw.max(0.5 * m),
                bh + gap + head * 0.8,
                m,
                accent == Accent::OverLeftArrow,
            );
            out.place(a, 0.0, 0.0);
        }
        _ => {
            let c = accent_char(accent);
            let f = face(c, false);
            let g = f.metrics();
            let small = matches!(
                accent,
                Accent::Vec | Accent::OverRightArrow | Accent::OverLeftArrow
            );
            let am = if small { 0.6 * m } else { m };
            let ink_w = (g.x_max - g.x_min) * am;
            let wide = matches!(accent, Accent::WideHat | Accent::WideTilde) && !single;
            let sx = if wide {
                (bw * 0.9 / ink_w.max(1e-3)).clamp(1.0, 6.0)
            } else {
                1.0
            };
            let mut b = MathBox::stretched_glyph(f, am, sx, 1.0);
            // Centre the ink over the body, its bottom a small gap above it.
            let ink_centre = (g.x_min + g.x_max) / 2.0 * am * sx;
            let x = bw / 2.0 - ink_centre + skew;
            let y = bh + gap - g.y_min * am;
            b.width = 0.0;
            out.place(b, x, y);
        }
    }
    out
}
