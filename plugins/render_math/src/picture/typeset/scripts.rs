//! Superscripts, subscripts and primes beside a base, with TeX's shifts; limits go to
//! [`with_limits`].

use super::operator::{is_integral, with_limits};
use super::{hlist, node_box, param, run, size};
use crate::ast::{Limits, Node, Scripts, Style};
use crate::picture::boxes::MathBox;
use crate::picture::font::math_metrics;

fn primes(n: u8) -> String {
    match n {
        1 => "′".to_owned(),
        2 => "″".to_owned(),
        3 => "‴".to_owned(),
        4 => "⁗".to_owned(),
        n => "′".repeat(usize::from(n)),
    }
}

pub(super) fn scripts(s: &Scripts, style: Style) -> MathBox {
    let m = size(style);
    let mm = math_metrics();
    let mut base = node_box(&s.base, style);
    let limits = match &s.base {
        Node::BigOp { limits, op } => match limits {
            Limits::Always => true,
            Limits::Never => false,
            // Integrals take their limits beside them, as in TeX.
            Limits::Auto => style == Style::Display && !is_integral(*op),
        },
        Node::Func { limits, .. } => match limits {
            Limits::Always => true,
            Limits::Never => false,
            Limits::Auto => style == Style::Display,
        },
        _ => false,
    };
    let ss = style.script();
    let sup = s.sup.as_deref().map(|l| hlist(l, ss, None));
    let sub = s.sub.as_deref().map(|l| hlist(l, ss, None));
    if limits && s.primes == 0 {
        return with_limits(base, sup, sub, m);
    }
    let is_char = matches!(s.base, Node::Sym { .. } | Node::Number(_) | Node::Text(_));
    let italic = base.italic;
    base.italic = 0.0;
    let mut sup_x = base.width + italic;
    let sub_x = base.width
        - if matches!(s.base, Node::BigOp { .. }) {
            0.5 * italic
        } else {
            0.0
        };
    let mut out = MathBox::default();
    let (bh, bd, bw) = (base.height, base.depth, base.width);
    out.place(base, 0.0, 0.0);
    out.width = bw;
    if s.primes > 0 {
        // DejaVu's primes already sit high, at full size, beside the base.
        let p = run(&primes(s.primes), m);
        let pw = p.width;
        out.place(p, sup_x, 0.0);
        sup_x += pw;
        out.width = sup_x;
    }
    let sm = size(ss);
    let (mut u, mut v) = if is_char {
        (0.0, 0.0)
    } else {
        (bh - param::SUP_DROP * sm, bd + param::SUB_DROP * sm)
    };
    let theta = mm.rule * m;
    let mut right = out.width;
    match (sup, sub) {
        (Some(sup), None) => {
            let p = if style == Style::Display {
                param::SUP1
            } else {
                param::SUP2
            };
            u = u.max(p * m).max(sup.depth + mm.x_height * m / 4.0);
            right = right.max(sup_x + sup.width);
            out.place(sup, sup_x, u);
        }
        (None, Some(sub)) => {
            v = v
                .max(param::SUB1 * m)
                .max(sub.height - 0.8 * mm.x_height * m);
            right = right.max(sub_x + sub.width);
            out.place(sub, sub_x, -v);
        }
        (Some(sup), Some(sub)) => {
            let p = if style == Style::Display {
                param::SUP1
            } else {
                param::SUP2
            };
            u = u.max(p * m).max(sup.depth + mm.x_height * m / 4.0);
            v = v.max(param::SUB2 * m);
            let gap = (u - sup.depth) - (sub.height - v);
            if gap < 4.0 * theta {
                v += 4.0 * theta - gap;
                let psi = 0.8 * mm.x_height * m - (u - sup.depth);
                if psi > 0.0 {
                    u += psi;
                    v -= psi;
                }
            }
            right = right.max(sup_x + sup.width).max(sub_x + sub.width);
            out.place(sup, sup_x, u);
            out.place(sub, sub_x, -v);
        }
        (None, None) => {}
    }
    out.width = right
        + if right > bw {
            param::SCRIPT_SPACE * m
        } else {
            0.0
        };
    out
}
