//! The parsed formula set as TeX sets it (The TeXbook, appendix G), with the font's real
//! glyph metrics: each node becomes a [`MathBox`]; fractions, scripts, radicals, limits
//! and delimiters follow TeX's rules with its parameters (in ems) scaled to this font.
//!
//! This file holds TeX's parameters, the horizontal lists with their spacing between
//! atoms, and the dispatch from node to box; each construct is set in its own file.

mod accent;
mod delimiter;
mod fraction;
mod matrix;
mod operator;
mod radical;
mod scripts;

use super::boxes::MathBox;
use super::font::{face, is_math_italic};
use crate::ast::{Class, Node, Style};
use crate::spacing::effective_classes;
use accent::accented;
use delimiter::{delimited, fixed_delimiter};
use fraction::fraction;
use matrix::matrix;
use operator::big_op;
use radical::radical;
use scripts::scripts;

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
