//! The parsed formula set as TeX sets it (The TeXbook, appendix G), with the font's real
//! glyph metrics: each node becomes a [`MathBox`]; fractions, scripts, radicals, limits
//! and delimiters follow TeX's rules with its parameters (in ems) scaled to this font.

use super::boxes::MathBox;
use super::font::{face, is_math_italic, math_metrics};
use super::shapes::{self, arrow, can_grow, radical_sign};
use crate::ast::{
    Accent, BigOp, Class, Delim, Delimited, Env, Frac, FracKind, Limits, Matrix, Node, OpKind,
    Scripts, Style,
};
use crate::spacing::effective_classes;

/// TeX's font parameters for Computer Modern (σ and ξ of appendix G), in ems.
mod param {
    pub const NUM1: f32 = 0.677;
    pub const NUM2: f32 = 0.394;
    pub const DENOM1: f32 = 0.686;
    pub const DENOM2: f32 = 0.345;
    pub const SUP1: f32 = 0.413;
    pub const SUP2: f32 = 0.363;
    pub const SUB1: f32 = 0.15;
    pub const SUB2: f32 = 0.247;
    pub const SUP_DROP: f32 = 0.386;
    pub const SUB_DROP: f32 = 0.05;
    pub const DELIM1: f32 = 2.39;
    pub const DELIM2: f32 = 1.01;
    pub const BIG_OP_SPACING: [f32; 5] = [0.111, 0.167, 0.2, 0.6, 0.1];
    pub const SCRIPT_SPACE: f32 = 0.05;
    pub const NULL_DELIMITER_SPACE: f32 = 0.12;
    pub const DELIMITER_FACTOR: f32 = 0.901;
    pub const DELIMITER_SHORTFALL: f32 = 0.5;
}

/// Font size of a style, relative to the text size.
fn size(style: Style) -> f32 {
    match style {
        Style::Display | Style::Text => 1.0,
        Style::Script => 0.7,
        Style::ScriptScript => 0.5,
    }
}

/// Set a formula in display style or text style.
pub fn typeset(list: &[Node], display: bool) -> MathBox {
    hlist(
        list,
        if display { Style::Display } else { Style::Text },
        None,
    )
}

/// TeX's spacing between atoms in mu (18 to the em): thin 3, medium 4, thick 5; the
/// entries TeX drops in script styles are negative.
fn spacing_mu(left: Class, right: Class, style: Style) -> f32 {
    use Class::*;
    const fn idx(c: Class) -> usize {
        match c {
            Ord => 0,
            Op => 1,
            Bin => 2,
            Rel => 3,
            Open => 4,
            Close => 5,
            Punct => 6,
            Inner => 7,
        }
    }
    const TABLE: [[i8; 8]; 8] = [
        [0, 3, -4, -5, 0, 0, 0, -3],
        [3, 3, 0, -5, 0, 0, 0, -3],
        [-4, -4, 0, 0, -4, 0, 0, -4],
        [-5, -5, 0, 0, -5, 0, 0, -5],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0, 3, -4, -5, 0, 0, 0, -3],
        [-3, -3, 0, -3, -3, -3, -3, -3],
        [-3, 3, -4, -5, -3, 0, -3, -3],
    ];
    let v = TABLE[idx(left)][idx(right)];
    if v < 0 && style.is_script() {
        0.0
    } else {
        f32::from(v.abs())
    }
}

fn hlist(list: &[Node], style: Style, before: Option<Class>) -> MathBox {
    let m = size(style);
    let classes = effective_classes(list, before);
    let mut out = MathBox::default();
    let mut last_right = before;
    let mut explicit = 0.0;
    for (node, cls) in list.iter().zip(classes) {
        let Some((l, r)) = cls else {
            if let Node::Space(s) = node {
                explicit += s.ems() * m;
            }
            continue;
        };
        let auto = last_right.map_or(0.0, |lr| spacing_mu(lr, l, style) / 18.0 * m);
        out.append_kern(auto + explicit);
        explicit = 0.0;
        let b = node_box(node, style);
        let italic = b.italic;
        out.append(b);
        // TeX adds a letter's italic correction after it unless a subscript follows.
        out.append_kern(italic);
        last_right = Some(r);
    }
    out.append_kern(explicit);
    out
}

/// A run of upright characters (numbers, names, text).
fn run(s: &str, m: f32) -> MathBox {
    let mut out = MathBox::default();
    for c in s.chars() {
        out.append(MathBox::glyph(face(c, false), m));
    }
    out.italic = 0.0;
    out
}

fn node_box(node: &Node, style: Style) -> MathBox {
    let m = size(style);
    match node {
        Node::Sym { ch, upright, .. } => {
            MathBox::glyph(face(*ch, !upright && is_math_italic(*ch)), m)
        }
        Node::Number(s) | Node::Text(s) => run(s, m),
        Node::Func { name, .. } => run(name, m),
        Node::Group(list) => hlist(list, style, None),
        Node::Style(s, list) => hlist(list, *s, None),
        Node::Space(s) => MathBox::kern(s.ems() * m),
        Node::Scripts(s) => scripts(s, style),
        Node::Frac(f) => fraction(f, style),
        Node::Sqrt { index, body } => radical(index.as_deref(), body, style),
        Node::Accent { accent, body } => accented(*accent, body, style),
        Node::Delimited(d) => delimited(d, style),
        Node::BigDelim { delim, rows, .. } => {
            // \big, \Big or \bigg, \Bigg: TeX's 1.2, 1.8, 2.4 and 3 ems.
            let total = match rows {
                0 | 1 => 1.2,
                2 | 3 => 2.1,
                _ => 3.0,
            } * m;
            fixed_delimiter(*delim, total, m)
        }
        Node::Matrix(mx) => matrix(mx, style),
        Node::BigOp { op, .. } => big_op(*op, style),
    }
}

fn is_integral(op: BigOp) -> bool {
    matches!(op.kind, OpKind::Integral(_) | OpKind::Contour)
}

/// A big operator centred on the math axis; larger in display style.
fn big_op(op: BigOp, style: Style) -> MathBox {
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

fn primes(n: u8) -> String {
    match n {
        1 => "′".to_owned(),
        2 => "″".to_owned(),
        3 => "‴".to_owned(),
        4 => "⁗".to_owned(),
        n => "′".repeat(usize::from(n)),
    }
}

fn scripts(s: &Scripts, style: Style) -> MathBox {
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

/// Limits above and below an operator, each centred on it.
fn with_limits(base: MathBox, sup: Option<MathBox>, sub: Option<MathBox>, m: f32) -> MathBox {
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

fn fraction(f: &Frac, style: Style) -> MathBox {
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

fn radical(index: Option<&[Node]>, body: &[Node], style: Style) -> MathBox {
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

fn accented(accent: Accent, body: &[Node], style: Style) -> MathBox {
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
    let skew = if slanted {
        0.5 * bh * super::font::SLANT
    } else {
        0.0
    };
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

/// The delimiter `d` covering `total` ems centred on the axis; the glyph itself when it is
/// big enough, else a drawn one.
fn fixed_delimiter(d: Delim, total: f32, m: f32) -> MathBox {
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
fn delimiter_size(height: f32, depth: f32, m: f32) -> f32 {
    let axis = math_metrics().axis * m;
    let delta = (height - axis).max(depth + axis);
    (2.0 * delta * param::DELIMITER_FACTOR).max(2.0 * delta - param::DELIMITER_SHORTFALL * m)
}

fn delimited(d: &Delimited, style: Style) -> MathBox {
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

/// Rows and columns of cells, centred on the axis, in their delimiters.
fn matrix(mx: &Matrix, style: Style) -> MathBox {
    let cell_style = match mx.env {
        Env::SmallMatrix => Style::Script,
        Env::Aligned | Env::Gathered => Style::Display,
        _ => Style::Text,
    };
    let m = size(style).min(1.0);
    let cm = size(cell_style);
    let align = |col: usize| match mx.env {
        Env::Cases => 0.0,
        Env::Aligned if col.is_multiple_of(2) => 1.0,
        Env::Aligned => 0.0,
        _ => 0.5,
    };
    let gap_after = |col: usize| match mx.env {
        Env::Aligned if col.is_multiple_of(2) => 0.0,
        Env::Aligned => 2.0,
        Env::SmallMatrix => 0.5,
        Env::Cases => 1.0,
        _ => 1.0,
    };
    let cells: Vec<Vec<MathBox>> = mx
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(j, cell)| {
                    let before = (mx.env == Env::Aligned && j % 2 == 1).then_some(Class::Ord);
                    hlist(cell, cell_style, before)
                })
                .collect()
        })
        .collect();
    let ncols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0.0f32; ncols];
    for row in &cells {
        for (j, b) in row.iter().enumerate() {
            widths[j] = widths[j].max(b.width);
        }
    }
    // TeX's array strut: rows at least 0.7 and 0.3 of a 1.2em baseline skip; aligned and
    // gathered add a \jot.
    let (strut_h, strut_d, extra) = match mx.env {
        Env::SmallMatrix => (0.85 * 0.7 * cm, 0.85 * 0.3 * cm, 0.0),
        Env::Aligned | Env::Gathered => (0.84, 0.36, 0.3),
        Env::Cases => (0.84, 0.36, 0.1),
        _ => (0.84, 0.36, 0.0),
    };
    let rows: Vec<(f32, f32)> = cells
        .iter()
        .map(|row| {
            let h = row.iter().map(|b| b.height).fold(strut_h, f32::max);
            let d = row.iter().map(|b| b.depth).fold(strut_d, f32::max);
            (h, d)
        })
        .collect();
    let total: f32 =
        rows.iter().map(|(h, d)| h + d).sum::<f32>() + extra * (rows.len().max(1) - 1) as f32;
    let axis = math_metrics().axis * m;
    let mut grid = MathBox::default();
    let mut y = axis + total / 2.0;
    let mut lefts = Vec::with_capacity(ncols);
    let mut x = 0.0;
    for (j, w) in widths.iter().enumerate() {
        lefts.push(x);
        x += w;
        if j + 1 < ncols {
            x += gap_after(j);
        }
    }
    for (row, (h, d)) in cells.into_iter().zip(&rows) {
        let base = y - h;
        for (j, b) in row.into_iter().enumerate() {
            let dx = lefts[j] + (widths[j] - b.width) * align(j);
            grid.place(b, dx, base);
        }
        y = base - d - extra;
    }
    grid.width = x;
    grid.height = grid.height.max(axis + total / 2.0);
    grid.depth = grid.depth.max(total / 2.0 - axis);
    let (left, right) = mx.env.delims();
    if left.is_none() && right.is_none() {
        return grid;
    }
    let size = delimiter_size(grid.height, grid.depth, m);
    let pad = 0.1 * m;
    let mut out = fixed_delimiter(left, size, m);
    out.append_kern(pad);
    out.append(grid);
    if right.is_some() {
        out.append_kern(pad);
    }
    out.append(fixed_delimiter(right, size, m));
    out.italic = 0.0;
    out
}
