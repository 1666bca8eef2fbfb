//! Fractions, with or without a bar, and binomial coefficients in their parentheses.

use super::delimiter::fixed_delimiter;
use super::{hlist, param, size};
use crate::ast::{Frac, FracKind, Style};
use crate::picture::boxes::MathBox;
use crate::picture::font::math_metrics;

pub(super) fn fraction(f: &Frac, style: Style) -> MathBox {
    let style = f.style.unwrap_or(style);
    let m = size(style);
    let mm = math_metrics();
    let inner = style.fraction();
    let num = hlist(&f.num, inner, None);
    let den = hlist(&f.den, inner, None);
    let display = style == Style::Display;
    let theta = if f.kind == FracKind::Frac {
        mm.rule * m
    } else {
        0.0
    };
    let (mut u, mut v) = if display {
        (param::NUM1 * m, param::DENOM1 * m)
    } else {
        (param::NUM2 * m, param::DENOM2 * m)
    };
    let phi = if f.kind == FracKind::Binom {
        (if display { 7.0 } else { 3.0 }) * mm.rule * m
    } else if display {
        3.0 * theta
    } else {
        theta
    };
    let axis = mm.axis * m;
    if f.kind == FracKind::Frac {
        let gap = (u - num.depth) - (axis + theta / 2.0);
        if gap < phi {
            u += phi - gap;
        }
        let gap = (axis - theta / 2.0) - (den.height - v);
        if gap < phi {
            v += phi - gap;
        }
    } else {
        let gap = (u - num.depth) - (den.height - v);
        if gap < phi {
            u += (phi - gap) / 2.0;
            v += (phi - gap) / 2.0;
        }
    }
    // The bar reaches a little past the wider part, as TeX's null delimiters leave room.
    let overhang = 0.08 * m;
    let inner_w = num.width.max(den.width);
    let width = inner_w + 2.0 * overhang;
    let mut out = MathBox::default();
    out.place(num.clone(), (width - num.width) / 2.0, u);
    out.place(den.clone(), (width - den.width) / 2.0, -v);
    if f.kind == FracKind::Frac {
        out.place(
            MathBox::rule(width, axis - theta / 2.0, axis + theta / 2.0),
            0.0,
            0.0,
        );
    }
    out.width = width;
    let space = param::NULL_DELIMITER_SPACE * m - overhang;
    if f.kind == FracKind::Frac {
        let mut row = MathBox::kern(space);
        row.append(out);
        row.append_kern(space);
        return row;
    }
    let total = if display {
        param::DELIM1
    } else {
        param::DELIM2
    } * m;
    let total = total.max(2.0 * (out.height - axis).max(out.depth + axis));
    let mut row = fixed_delimiter(Some('('), total, m);
    row.append(out);
    row.append(fixed_delimiter(Some(')'), total, m));
    row
}
